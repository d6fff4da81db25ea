// Flow 15 (flows.md §15, Scenario_PipelineReportResults.htm + how_test-results.htm): register a CI
// server, create a pipeline on it, then push the test results of a build: XSD, POST of the XML
// (202 + task id), polling the task, and the automated tests and runs it created.
// Step 3 of the page ("report build results", PUT .../analytic[s/ci/builds]) is cut off in the
// source; the build is reported here through the `<build>` element of the test results.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { makeApp, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { ingest, pushTestResults, testResultXml, waitForTask, type TestRunXml } from '../helpers/test-results.js';
import { freshWorkspace, many, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Report results from a pipeline', () => {
  let t: TestApp;
  let w: Workspace;
  let release: string;
  let server: { id: string; instanceId: string };
  let taskId: string;
  let pipeline: string;
  const started = Date.parse('2025-06-10T10:00:00Z');
  const runs: TestRunXml[] = [
    { package: 'com.acme.login', class: 'LoginTest', name: 'testValidLogin', status: 'Passed', duration: 1200, started },
    { package: 'com.acme.login', class: 'LoginTest', name: 'testLogout', status: 'Passed', duration: 300, started: started + 2000 },
    { package: 'com.acme.cart', class: 'CartTest', name: 'testAddItem', status: 'Failed', duration: 800, started: started + 4000, error: { type: 'java.lang.AssertionError', message: 'expected 1 but was 0', stack: 'java.lang.AssertionError: expected 1 but was 0\n\tat com.acme.cart.CartTest.testAddItem(CartTest.java:42)' } },
  ];
  let xml: string;

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    release = await w.add('releases', { name: '2025.1', start_date: '2025-01-01', end_date: '2025-12-31' });
  });
  afterAll(() => t.close());

  it('1. POST .../ci_servers registers the CI server', async () => {
    // the documented body, with the optional instance_id: the caller's CI context id used by later calls
    const r = await w.post('ci_servers', { data: [{ name: 'My_CICD_Server', url: 'http://host:8080/path', server_type: 'ci_server', instance_id: 'my-ci-server-1' }] });
    expect(r.status, r.text).toBe(201);
    const e = r.body.data[0];
    expect(e).toMatchObject({ type: 'ci_server', name: 'My_CICD_Server' });
    const full = await w.read(`ci_servers/${e.id}?fields=name,url,server_type,instance_id`);
    expect(full).toMatchObject({ url: 'http://host:8080/path', server_type: 'ci_server', instance_id: 'my-ci-server-1' });
    server = { id: e.id, instanceId: full.instance_id };
    // the name is unique in the shared space
    const dup = await w.post('ci_servers', { data: [{ name: 'My_CICD_Server' }] });
    expect(dup.status).toBe(409);
  });

  it('1. without instance_id the server generates one; server_type defaults to "unknown"', async () => {
    // Create_Pipeline.htm: instance_id optional, generated if omitted; server_type optional, default "unknown"
    const r = await w.post('ci_servers', { data: [{ name: 'Second_CI_Server', url: 'http://other:8080' }] });
    expect(r.status, r.text).toBe(201);
    const full = await w.read(`ci_servers/${r.body.data[0].id}?fields=instance_id,server_type`);
    expect(typeof full.instance_id).toBe('string');
    expect(full.instance_id.length).toBeGreaterThan(0);
    expect(full.server_type).toBe('unknown');
  });

  it('2. POST .../pipelines with the server, the root job and the jobs', async () => {
    const body = {
      data: [
        {
          name: 'Main pipeline',
          server_ci_id: server.instanceId,
          root_job_ci_id: 'build-job',
          jobs: [
            { name: 'build-job', jobCiId: 'build-job' },
            { name: 'test-job', jobCiId: 'test-job' },
          ],
        },
      ],
    };
    const r = await w.post('pipelines', body);
    expect(r.status, r.text).toBe(201);
    pipeline = r.body.data[0].id;
    const p = await w.read(`pipelines/${pipeline}?fields=name,root_job_ci_id,server_ci_id`);
    expect(p).toMatchObject({ name: 'Main pipeline', root_job_ci_id: 'build-job', server_ci_id: server.instanceId });
    // the name is unique in the shared space
    expect((await w.post('pipelines', body)).status).toBe(409);
  });

  it('2. the pipeline belongs to the CI server named by server_ci_id, which must exist', async () => {
    expect((await w.read(`pipelines/${pipeline}?fields=ci_server`)).ci_server).toMatchObject({ type: 'ci_server', id: server.id });
    expect((await w.read(`ci_servers/${server.id}?fields=pipeline`)).pipeline.data.map((x: any) => x.id)).toEqual([pipeline]);
    const orphan = await w.post('pipelines', {
      data: [{ name: 'Orphan pipeline', server_ci_id: 'no-such-server', root_job_ci_id: 'build-job', jobs: [{ name: 'build-job', jobCiId: 'build-job' }] }],
    });
    expect(orphan.status).toBe(400);
  });

  it('4. GET .../test-results/xsd serves the schema of the payload', async () => {
    const r = await w.get('test-results/xsd');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/xml/);
    expect(r.text).toContain('test_result');
    expect(r.text).toContain('test_run');
  });

  it('4. POST .../test-results (application/xml) answers 202 {"status":"queued","id":…}; the task is polled until done', async () => {
    xml = testResultXml({ serverId: server.instanceId, jobId: 'test-job', buildId: '17' }, '2025.1', runs);
    const pushed = await pushTestResults(w, xml);
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
    expect(String(pushed.body.status).toLowerCase()).toBe('queued');
    expect(String(pushed.body.id)).toMatch(/^\d+$/);
    taskId = String(pushed.body.id);
    const done = await waitForTask(w, taskId);
    expect(String(done.status).toLowerCase()).toBe('success');
    expect(String(done.id)).toBe(taskId);
  });

  it('the results are automated tests and runs linked to the release and the build', async () => {
    const tests = await w.read(`automated_tests?fields=name,package,class_name,component&order_by=name`);
    expect(tests.data.map((x: any) => [x.package, x.class_name, x.name])).toEqual([
      ['com.acme.cart', 'CartTest', 'testAddItem'],
      ['com.acme.login', 'LoginTest', 'testLogout'],
      ['com.acme.login', 'LoginTest', 'testValidLogin'],
    ]);
    const builds = await w.read(`ci_build?${qs('build_ci_id EQ ^17^')}&fields=name,build_ci_id,ci_job{ci_id}`);
    expect(builds.total_count).toBe(1);
    const build = builds.data[0];
    const results = await w.read(`automated_runs?fields=test{name},release,build,status{logical_name},native_status{logical_name},started,duration&order_by=id`);
    expect(results.total_count).toBe(3);
    for (const run of results.data) {
      expect(run.release).toMatchObject({ type: 'release', id: release });
      expect(run.build).toMatchObject({ type: 'ci_build', id: build.id });
    }
    const byName = Object.fromEntries(results.data.map((x: any) => [x.test.name, x]));
    expect(byName.testValidLogin).toMatchObject({ status: { logical_name: 'list_node.run_status.passed' }, started: '2025-06-10T10:00:00Z', duration: 1200 });
    expect(byName.testAddItem.native_status.logical_name).toBe('list_node.run_native_status.failed');
    expect(sorted(await w.ids(`automated_runs?${qs(`build EQ {id EQ ${build.id}}`)}`))).toEqual(sorted(results.data.map((x: any) => x.id)));
  });

  it('the same payload pushed again is recognised: the original task, nothing created twice', async () => {
    const again = await pushTestResults(w, xml);
    expect([200, 202]).toContain(again.status);
    expect(String(again.body.id)).toBe(taskId);
    await waitForTask(w, again.body.id);
    expect((await w.read('automated_runs')).total_count).toBe(3);
    expect((await w.read('automated_tests')).total_count).toBe(3);
  });

  it('an ingested run is the same as the ones the flows read back (last_runs)', async () => {
    await ingest(w, testResultXml({ serverId: server.instanceId, jobId: 'test-job', buildId: '18' }, '2025.1', runs.map((r) => ({ ...r, started: r.started + 3600_000 }))));
    const test = (await w.read(`automated_tests?${qs('name EQ ^testValidLogin^')}&fields=last_runs`)).data[0];
    expect(test.last_runs.total_count).toBe(1);
  });

  it('test results as a CI tool pushes them: 1. sign in with an API access key, 2. the XSD, 3. a gzip POST, 4. the task status and its log', async () => {
    // an API key holding the CI role in this workspace (how_test-results.htm: {"client_id","client_secret"})
    const role = await t.get(`${t.space}/workspace_roles?${qs(`workspace EQ {id EQ ${w.id}};role EQ {logical_name EQ ^role.workspace.team.member^}`)}`);
    expect(role.body.total_count).toBe(1);
    const key = await t.post(`${t.space}/api_accesses`, { data: [{ name: 'flow-15-ci-key', client_secret: 'flow-15-secret', workspace_roles: many(ref('workspace_role', role.body.data[0].id)) }] }, PREVIEW);
    expect(key.status, key.text).toBe(201);
    const signIn = await t.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { client_id: key.body.data[0].client_id, client_secret: 'flow-15-secret' } });
    expect(signIn.statusCode).toBe(200);
    const cookies = Object.fromEntries(signIn.cookies.map((c) => [c.name, c.value]));
    expect(cookies.LWSSO_COOKIE_KEY).toMatch(/\S+/);
    const as = (method: 'GET' | 'POST', url: string, payload?: Buffer, headers: Record<string, string> = {}) => t.app.inject({ method, url: w.url(url), cookies, headers, ...(payload ? { payload } : {}) });
    // 2. the XSD
    const xsd = await as('GET', 'test-results/xsd');
    expect(xsd.statusCode).toBe(200);
    expect(xsd.body).toContain('test_result');
    // 3. POST with Content-Encoding: gzip
    const body = testResultXml({ serverId: server.instanceId, jobId: 'test-job', buildId: '19' }, '2025.1', runs.map((r) => ({ ...r, started: r.started + 7200_000 })));
    const pushed = await as('POST', 'test-results', gzipSync(Buffer.from(body)), { 'content-type': 'application/xml', 'content-encoding': 'gzip' });
    expect(pushed.statusCode, pushed.body).toBe(202);
    const task = JSON.parse(pushed.body);
    expect(task).toEqual({ status: 'queued', id: expect.any(Number) });
    // 4. the task status until done, then its log
    let status: any;
    for (let i = 0; i < 250; i++) {
      status = JSON.parse((await as('GET', `test-results/${task.id}`)).body);
      if (!['queued', 'running'].includes(status.status)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toMatchObject({ id: task.id, status: 'success', runs_created: 0, runs_updated: 3 });
    const log = await as('GET', `test-results/${task.id}/log`);
    expect(log.statusCode).toBe(200);
    expect(String(log.headers['content-type'])).toMatch(/^text\/plain/);
    expect(log.body.length).toBeGreaterThan(0);
    // the build of this push holds the three runs
    const build = (await w.read(`ci_build?${qs('build_ci_id EQ ^19^')}`)).data[0].id;
    expect((await w.read(`automated_runs?${qs(`build EQ {id EQ ${build}}`)}`)).total_count).toBe(3);
  });
});
