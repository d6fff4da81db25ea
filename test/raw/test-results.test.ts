// Test results pushed the way CI tools push them (test-results.htm, how_test-results.htm, the CI
// SDK's OctaneRestClientImpl): `POST …/test-results` with `Content-Type: application/xml`, plain or
// gzip (`Content-Encoding: gzip`, and the help's `application/gzip`), 202 + {"status":"queued","id"},
// polling `GET …/test-results/{id}` until done, the task log, the XSD, the answer to a payload
// pushed twice ({"fromOlderPush":"true",…}), a payload the XSD refuses (400), and the CI plugins'
// internal endpoint with `HPECLIENTTYPE: HPE_CI_CLIENT`. A raw fetch client, cookies by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { CI_CLIENT, query, RawClient } from '../helpers/raw-client.js';
import { listen } from '../helpers/sdk.js';
import { tag } from '../helpers/seeds.js';
import { testResultXml } from '../helpers/test-results.js';
import { freshWorkspace, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
let w: Workspace;
let c: RawClient;
let ws: string;
let sid: number;
const XML = { 'Content-Type': 'application/xml', Accept: 'application/json' };
const started = Date.parse('2025-06-10T10:00:00Z');

beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t, 'raw-test-results');
  const { server } = await listen(t);
  sid = t.app.emulator.defaults.sharedSpaceId;
  ws = `/api/shared_spaces/${sid}/workspaces/${w.id}`;
  c = new RawClient(server);
  expect((await c.signIn({ user: 'sa@nga', password: 'Welcome1' })).status).toBe(200);
  expect((await c.post(`${ws}/releases`, { data: [{ name: 'CI release', start_date: '2025-01-01', end_date: '2025-12-31' }] })).status).toBe(201);
});
afterAll(() => t.close());

/** Polls the task until it is neither queued nor running. */
async function poll(id: number | string): Promise<any> {
  for (let i = 0; i < 250; i++) {
    const r = await c.get(`${ws}/test-results/${id}`);
    expect(r.status).toBe(200);
    if (!['queued', 'running'].includes(r.body.status)) return r.body;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`task ${id} did not finish`);
}

function payload(build: string, runs: Array<[string, 'Passed' | 'Failed' | 'Skipped']>): string {
  return testResultXml(
    { serverId: 'raw-ci', jobId: 'raw-job', buildId: build },
    'CI release',
    runs.map(([name, status], i) => ({
      package: 'com.raw',
      class: 'RawTest',
      name,
      status,
      duration: 100 + i,
      started: started + i * 1000,
      ...(status === 'Failed' ? { error: { type: 'java.lang.AssertionError', message: `${name} failed`, stack: `java.lang.AssertionError: ${name} failed` } } : {}),
    })),
  );
}

describe('the public test-results resource', () => {
  let first: { id: number; xml: string };

  it(`GET …/test-results/xsd: the schema of the payload ${tag({ resource: 'test-results', method: 'GET' })}`, async () => {
    const r = await c.request('GET', `${ws}/test-results/xsd`, { headers: { Accept: 'application/xml' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/xml/);
    expect(r.text).toMatch(/<xs:schema/);
    expect(r.text).toContain('name="test_result"');
    expect(r.text).toContain('name="test_run"');
  });

  it(`POST application/xml: 202 {"status":"queued","id"}; polled to success; tests and runs exist ${tag({ resource: ['test-results', 'automated_runs'], method: ['POST', 'GET'] })}`, async () => {
    const xml = payload('100', [
      ['testA', 'Passed'],
      ['testB', 'Failed'],
      ['testC', 'Skipped'],
    ]);
    const r = await c.request('POST', `${ws}/test-results`, { body: xml, headers: XML });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ status: 'queued', id: expect.any(Number) });
    first = { id: r.body.id, xml };
    const done = await poll(r.body.id);
    expect(done).toMatchObject({ id: r.body.id, status: 'success', tests_created: 3, runs_created: 3, runs_skipped: 0, errors: [] });
    expect(done.until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const runs = await c.get(`${ws}/automated_runs?fields=name,status{logical_name},test{name}&order_by=id`);
    expect(runs.body.data.map((x: any) => [x.test.name, x.status.logical_name])).toEqual([
      ['testA', 'list_node.run_status.passed'],
      ['testB', 'list_node.run_status.failed'],
      ['testC', 'list_node.run_status.skipped'],
    ]);
  });

  it(`GET …/test-results/{id}/log: the processing log as text ${tag({ resource: 'test-results', method: 'GET' })}`, async () => {
    const r = await c.request('GET', `${ws}/test-results/${first.id}/log`, { headers: { Accept: 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text.length).toBeGreaterThan(0);
  });

  it(`the same payload again: 202 {"fromOlderPush":"true","id":<the first task>,"until","status":"SUCCESS"}; nothing created twice ${tag({ resource: 'test-results', method: 'POST' })}`, async () => {
    const r = await c.request('POST', `${ws}/test-results`, { body: first.xml, headers: XML });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ fromOlderPush: 'true', id: first.id, until: expect.stringMatching(/^\d{4}-/), status: 'SUCCESS' });
    expect((await c.get(`${ws}/automated_runs?limit=1`)).body.total_count).toBe(3);
  });

  it(`gzip bodies, Content-Encoding: gzip and application/gzip ${tag({ resource: 'test-results', method: 'POST' })}`, async () => {
    for (const [build, encoding] of [
      ['101', 'gzip'],
      ['102', 'application/gzip'],
    ]) {
      const xml = payload(build, [
        ['testA', 'Failed'],
        ['testD', 'Passed'],
      ]);
      const r = await c.request('POST', `${ws}/test-results`, { body: xml, headers: XML, gzip: encoding });
      expect(r.status, `${encoding}: ${r.text}`).toBe(202);
      expect((await poll(r.body.id)).status).toBe('success');
    }
    // one automated run per test and context, updated by each push; the history grows
    const a = await c.get(`${ws}/automated_runs?fields=status{logical_name}&${query('test EQ {name EQ ^testA^}')}`);
    expect(a.body.total_count).toBe(1);
    expect(a.body.data[0].status.logical_name).toBe('list_node.run_status.failed');
    const history = await c.get(`${ws}/previous_runs?fields=build_name&${query(`run_id EQ ${a.body.data[0].id}`)}&order_by=build_name`);
    expect(history.body.data.map((p: any) => p.build_name)).toEqual(['100', '101', '102']);
  });

  it(`a payload the XSD refuses: 400, no task ${tag({ resource: 'test-results', method: 'POST' })}`, async () => {
    const r = await c.request('POST', `${ws}/test-results`, { body: '<?xml version="1.0"?><test_result><test_runs><test_run name="x"/></test_runs></test_result>', headers: XML });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toMatch(/^[a-z_.]+$/);
    const notXml = await c.request('POST', `${ws}/test-results`, { body: 'not xml at all', headers: XML });
    expect(notXml.status).toBe(400);
  });

  it(`skip-errors=true: an unknown release is dropped, the runs are kept ${tag({ resource: 'test-results', method: 'POST' })}`, async () => {
    const xml = testResultXml({ serverId: 'raw-ci', jobId: 'raw-job', buildId: '200' }, 'No such release', [{ package: 'com.raw', class: 'SkipTest', name: 'testKept', status: 'Passed', duration: 5, started }]);
    const kept = await c.request('POST', `${ws}/test-results?skip-errors=true`, { body: xml, headers: XML });
    expect(kept.status).toBe(202);
    expect(await poll(kept.body.id)).toMatchObject({ runs_created: 1, runs_skipped: 0 });
    const strict = testResultXml({ serverId: 'raw-ci', jobId: 'raw-job', buildId: '201' }, 'No such release', [{ package: 'com.raw', class: 'SkipTest', name: 'testDropped', status: 'Passed', duration: 5, started }]);
    const dropped = await c.request('POST', `${ws}/test-results?skip-errors=false`, { body: strict, headers: XML });
    expect(await poll(dropped.body.id)).toMatchObject({ runs_created: 0, runs_skipped: 1 });
    expect((await c.get(`${ws}/automated_tests?${query('name EQ ^testDropped^')}`)).body.total_count).toBe(0);
  });

  it('GET …/test-results/{id} of a task that does not exist: 404', async () => {
    const r = await c.get(`${ws}/test-results/999999999`);
    expect(r.status).toBe(404);
    expect(r.body.error_code).toBe('platform.entity_not_found');
  });
});

describe('the CI plugins\' internal endpoint', () => {
  it('POST /internal-api/…/analytics/ci/test-results (HPE_CI_CLIENT, gzip, instance / job / build ids): 202, the runs are linked to the build', async () => {
    const ci = new RawClient(c.server, CI_CLIENT);
    for (const [k, v] of c.jar) ci.jar.set(k, v);
    const status = await ci.get(`/internal-api/shared_spaces/${sid}/analytics/ci/servers/connectivity/status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ octaneVersion: expect.any(String) });
    await c.post(`${ws}/ci_servers`, { data: [{ name: 'Raw Jenkins', instance_id: 'raw-jenkins', url: 'http://jenkins:8080' }] });
    await c.post(`${ws}/pipelines`, { data: [{ name: 'Raw pipeline', server_ci_id: 'raw-jenkins', root_job_ci_id: 'raw-build', jobs: [{ name: 'raw-build', jobCiId: 'raw-build' }] }] });
    const xml = testResultXml({ serverId: 'raw-jenkins', jobId: 'raw-build', buildId: '7' }, null, [{ package: 'com.plugin', class: 'PluginTest', name: 'testFromPlugin', status: 'Passed', duration: 12, started }]).replace(/\s*<build [^>]*\/>/, '');
    const r = await ci.request('POST', `/internal-api/shared_spaces/${sid}/analytics/ci/test-results?skip-errors=false&instance-id=raw-jenkins&job-ci-id=raw-build&build-ci-id=7`, { body: xml, headers: XML, gzip: true });
    expect(r.status, r.text).toBe(202);
    expect(await poll(r.body.id)).toMatchObject({ status: 'success', runs_created: 1 });
    const run = await c.get(`${ws}/automated_runs?fields=build{name,build_ci_id}&${query('test EQ {name EQ ^testFromPlugin^}')}`);
    expect(run.body.data[0].build).toMatchObject({ type: 'ci_build', build_ci_id: '7' });
  });
});
