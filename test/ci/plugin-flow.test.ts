// Issue 8: a CI plugin configured against the emulator, end to end, as the Jenkins plugin talks to
// Octane: connectivity status, the job's pipeline configuration (read, create with the job's
// structure, update), pipeline roots, the tests-result preflight, build events for the root job
// and its phase jobs with SCM data, and test results with instance / job / build ids — then
// everything read back as the public entities. protocol.md §8.3.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';
import { idsOf, ln, makeCiApp, T0 } from '../helpers/ci.js';
import { freshWorkspace, PHASE, sorted, type Workspace } from '../helpers/workspace.js';

const CI = { HPECLIENTTYPE: 'HPE_CI_CLIENT' };
const SERVER = { instanceId: 'e2e-jenkins', type: 'jenkins', url: 'http://e2e-jenkins.local:8080', version: '2.440', sendingTime: T0 };

let t: TestApp;
let internal: string;
beforeAll(async () => {
  ({ t, internal } = await makeCiApp());
});
afterAll(() => t.close());

const configuration = (job: string) => `${internal}/servers/${SERVER.instanceId}/jobs/${encodeURIComponent(job)}/configuration`;

const STRUCTURE = {
  jobCiId: 'e2e-root',
  name: 'Shop pipeline job',
  parameters: [],
  phasesInternal: [{ name: 'test', blocking: true, jobs: [{ jobCiId: 'e2e-tests', name: 'Shop tests', phasesInternal: [], phasesPostBuild: [] }] }],
  phasesPostBuild: [],
};

describe('a Jenkins plugin pointed at the emulator', () => {
  let w: Workspace;
  let release: string;
  let story: string;
  let pipeline: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    release = await w.add('releases', { name: `E2E release ${w.id}`, start_date: '2025-01-01', end_date: '2025-12-31' });
    story = await w.add('stories', { name: 'Pay by card', phase: PHASE('phase.story.new') });
  });

  it('1. checks connectivity', async () => {
    const res = await t.get(`${internal}/servers/connectivity/status`, CI);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ supportedSdkVersion: expect.any(String), octaneVersion: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('2. reads the job\'s configuration: no pipeline yet', async () => {
    const res = await t.get(configuration('e2e-root'), CI);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ data: [] });
  });

  it('3. creates the pipeline from the job\'s structure (201, the pipeline context back)', async () => {
    const res = await t.post(configuration('e2e-root'), { contextEntityName: `Shop ${w.id}`, workspaceId: Number(w.id), releaseId: Number(release), milestoneId: null, server: SERVER, structure: STRUCTURE, ignoreTests: false }, CI);
    expect(res.status, res.text).toBe(201);
    expect(res.body.data).toHaveLength(1);
    const context = res.body.data[0];
    pipeline = String(context.contextEntityId);
    expect(context).toEqual({
      contextEntityType: 'pipeline',
      contextEntityId: Number(pipeline),
      contextEntityName: `Shop ${w.id}`,
      workspaceId: Number(w.id),
      releaseId: Number(release),
      milestoneId: null,
      pipelineRoot: true,
      ignoreTests: false,
      taxonomies: [],
      listFields: {},
    });
    // the public entities: the CI server, the pipeline and its node tree
    const servers = await w.read(`ci_servers?fields=instance_id,url,server_type`);
    expect(servers.data).toEqual([expect.objectContaining({ instance_id: 'e2e-jenkins', url: SERVER.url, server_type: 'jenkins' })]);
    const p = await w.read(`pipelines/${pipeline}?fields=name,server_ci_id,root_job_ci_id,root_job_name,current_release,ci_server,nodes`);
    expect(p).toMatchObject({ name: `Shop ${w.id}`, server_ci_id: 'e2e-jenkins', root_job_ci_id: 'e2e-root', root_job_name: 'Shop pipeline job', current_release: { id: release }, ci_server: { id: servers.data[0].id } });
    const nodes = await w.read(`pipeline_nodes?${q(`pipeline_root_node EQ {id EQ ${pipeline}}`)}&fields=name,parent,phase_name&order_by=id`);
    expect(nodes.data.map((n: any) => [n.name, n.parent?.id ?? null, n.phase_name])).toEqual([
      ['Shop pipeline job', null, null],
      ['Shop tests', nodes.data[0].id, 'test'],
    ]);
  });

  it('4. the sub-job\'s configuration names the pipeline it takes part in; pipeline roots list the root job; the preflight wants its results', async () => {
    const sub = await t.get(configuration('e2e-tests'), CI);
    expect(sub.body.data).toEqual([expect.objectContaining({ contextEntityId: Number(pipeline), pipelineRoot: false, workspaceId: Number(w.id) })]);
    const roots = await t.get(`${internal}/servers/e2e-jenkins/pipeline-roots`, CI);
    expect(roots.body).toEqual(['e2e-root']);
    const preflight = await t.get(`${internal}/servers/e2e-jenkins/jobs/e2e-tests/tests-result-preflight?rootJobId=e2e-root`, CI);
    expect(preflight.text).toBe('true');
  });

  it('5. reports a build of the root job, its SCM data, the phase job\'s build and its test results', async () => {
    const rootCause = { type: 'upstream', project: 'e2e-root', buildCiId: '17', causes: [] };
    const events = [
      { eventType: 'started', project: 'e2e-root', projectDisplayName: 'Shop pipeline job', buildCiId: '17', number: '17', startTime: T0, causes: [{ type: 'scm' }], parameters: [] },
      {
        eventType: 'scm',
        project: 'e2e-root',
        buildCiId: '17',
        number: '17',
        causes: [{ type: 'scm' }],
        scmData: {
          repository: { type: 'git', url: 'https://git.example.com/shop.git', branch: 'main' },
          builtRevId: 'e2e-rev-2',
          commits: [{ revId: 'e2e-rev-2', parentRevId: 'e2e-rev-1', user: 'dana', userEmail: 'dana@example.com', time: T0 - 1000, comment: `user story #${story}: card form`, changes: [{ type: 'edit', file: 'pay/card.ts' }] }],
        },
      },
      { eventType: 'started', project: 'e2e-tests', projectDisplayName: 'Shop tests', buildCiId: '3', number: '3', startTime: T0 + 1000, causes: [rootCause] },
    ];
    let res = await t.put(`${internal}/events`, { server: SERVER, events }, CI);
    expect(res.status, res.text).toBe(200);
    const xml = `<?xml version="1.0" encoding="UTF-8"?><test_result><build server_id="e2e-jenkins" job_id="e2e-tests" job_name="Shop tests" build_id="3" build_name="3" sub_type="stage"/><test_runs><test_run module="shop" package="pay" class="CardTest" name="acceptsVisa" status="Passed" duration="12" started="${T0 + 2000}"/><test_run module="shop" package="pay" class="CardTest" name="rejectsExpired" status="Failed" duration="30" started="${T0 + 2100}"><error type="AssertionError" message="expired card accepted">at pay.CardTest.rejectsExpired(CardTest.java:40)</error></test_run></test_runs></test_result>`;
    res = await t.post(`${internal}/test-results?skip-errors=false&instance-id=e2e-jenkins&job-ci-id=e2e-tests&build-ci-id=3`, xml, { ...CI, 'content-type': 'application/xml' });
    expect(res.status, res.text).toBe(202);
    await t.app.emulator.testResults.drained();
    expect(await w.read(`test-results/${res.body.id}`)).toMatchObject({ status: 'success', runs_created: 2 });
    res = await t.put(
      `${internal}/events`,
      {
        server: SERVER,
        events: [
          { eventType: 'finished', project: 'e2e-tests', buildCiId: '3', number: '3', startTime: T0 + 1000, duration: 3000, result: 'unstable', causes: [rootCause] },
          { eventType: 'finished', project: 'e2e-root', buildCiId: '17', number: '17', startTime: T0, duration: 5000, result: 'unstable', causes: [{ type: 'scm' }] },
        ],
      },
      CI,
    );
    expect(res.status, res.text).toBe(200);
  });

  it('6. everything appears as the public entities', async () => {
    expect(await w.ids('pipelines')).toEqual([pipeline]);
    const runs = await w.read(`pipeline_runs?${q(`pipeline EQ {id EQ ${pipeline}}`)}&fields=name,status{logical_name},builds,duration,release`);
    expect(runs.total_count).toBe(1);
    const run = runs.data[0];
    // the run is of the release the pipeline was set to when it started
    expect(run).toMatchObject({ name: 'Shop pipeline job #17', duration: 5000, release: { id: release } });
    expect(ln(run.status)).toBe('list_node.pipeline_run_status.unstable');
    const builds = await w.read(`ci_builds?${q(`pipeline_run EQ {id EQ ${run.id}}`)}&fields=name,ci_job{ci_id},sub_type,status{logical_name},runs,commits&order_by=id`);
    expect(builds.data.map((b: any) => [b.ci_job.ci_id, b.name, b.sub_type, ln(b.status)])).toEqual([
      ['e2e-root', '17', null, 'list_node.pipeline_run_status.unstable'],
      ['e2e-tests', '3', 'stage', 'list_node.pipeline_run_status.unstable'],
    ]);
    expect(idsOf(run.builds)).toEqual(sorted(builds.data.map((b: any) => b.id)));
    const [rootBuild, testBuild] = builds.data;
    // the test results: automated tests and runs of the phase job's build, in the pipeline
    const autoRuns = await w.read(`automated_runs?${q(`build EQ {id EQ ${testBuild.id}}`)}&fields=name,status,build,pipeline,error_message&order_by=name`);
    expect(autoRuns.data.map((r: any) => [r.name, r.pipeline?.id, r.error_message ?? null])).toEqual([
      ['acceptsVisa', pipeline, null],
      ['rejectsExpired', pipeline, 'expired card accepted'],
    ]);
    expect(idsOf(testBuild.runs)).toEqual(sorted(autoRuns.data.map((r: any) => r.id)));
    const tests = await w.read(`automated_tests?${q('class_name EQ ^CardTest^')}&fields=name,package,component`);
    expect(tests.total_count).toBe(2);
    // the commit: linked to the root build and to the story its message names
    const commits = await w.read(`scm_commits?fields=revision,parent_revision,changed_files,stories,ci_build`);
    expect(commits.data).toEqual([
      expect.objectContaining({ revision: 'e2e-rev-2', parent_revision: 'e2e-rev-1', changed_files: [{ type: 'edit', file: 'pay/card.ts' }] }),
    ]);
    expect(idsOf(commits.data[0].stories)).toEqual([story]);
    expect(idsOf(commits.data[0].ci_build)).toEqual([rootBuild.id]);
    expect(idsOf(rootBuild.commits)).toEqual([commits.data[0].id]);
  });

  it('6b. pushes the build logs: the preflight names the workspace, each log lands on its build', async () => {
    const pre = await t.get(`${internal}/servers/e2e-jenkins/jobs/e2e-tests/workspaceId`, CI);
    expect(pre.status).toBe(200);
    expect(pre.body).toEqual([w.id]);
    const b64 = encodeURIComponent(Buffer.from('e2e-tests').toString('base64'));
    expect((await t.get(`${internal}/servers/e2e-jenkins/jobs/${b64}/workspaceId?isBase64=true`, CI)).body).toEqual([w.id]);
    expect((await t.get(`${internal}/servers/e2e-jenkins/jobs/not-in-a-pipeline/workspaceId`, CI)).body).toEqual([]);
    const url = `/internal-api/shared_spaces/${t.app.emulator.defaults.sharedSpaceId}/workspaces/${w.id}/analytics/ci/e2e-jenkins/e2e-tests/3/logs`;
    const log = 'Started by upstream project "e2e-root" build number 17\nRunning tests\nFinished: UNSTABLE\n';
    // as text, and as bytes
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/octet-stream' }]) {
      const res = await t.app.inject({ method: 'POST', url, cookies: t.cookies, headers: { ...CI, ...headers }, payload: Buffer.from(log) });
      expect(res.statusCode, res.body).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ type: 'log', bytes: Buffer.byteLength(log), lines: 4 });
    }
    const build = (await w.read(`ci_builds?${q('ci_job EQ {ci_id EQ ^e2e-tests^}')}`, PREVIEW)).data[0].id;
    const logs = await w.read(`logs?build=${build}`, PREVIEW);
    expect(logs.total_count).toBe(2);
    const served = await t.app.inject({ method: 'GET', url: `${w.path}/logs/${logs.data[0].id}`, cookies: t.cookies, headers: PREVIEW });
    expect(served.body).toBe(log);
  });

  it('7. updates the pipeline from the plugin: new name, no release (-1)', async () => {
    const res = await t.put(configuration('e2e-root'), { data: [{ contextEntityId: Number(pipeline), contextEntityName: `Shop renamed ${w.id}`, workspaceId: Number(w.id), releaseId: -1 }] }, CI);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toEqual([expect.objectContaining({ contextEntityId: Number(pipeline), contextEntityName: `Shop renamed ${w.id}`, releaseId: null, pipelineRoot: true })]);
    expect(await w.read(`pipelines/${pipeline}?fields=name,current_release`)).toMatchObject({ name: `Shop renamed ${w.id}`, current_release: null });
  });

  it('8. bad configurations: unknown workspace -> 404, no name -> 400, a taken name -> 409, not an object -> 400, other methods -> 405', async () => {
    const base = { workspaceId: Number(w.id), server: SERVER, structure: { jobCiId: 'e2e-other', name: 'other' } };
    expectOctaneError(await t.post(configuration('e2e-other'), { ...base, contextEntityName: 'x', workspaceId: 987654321 }, CI), 404, 'platform.entity_not_found');
    expectOctaneError(await t.post(configuration('e2e-other'), base, CI), 400, 'platform.missing_required_field');
    expectOctaneError(await t.post(configuration('e2e-other'), { ...base, contextEntityName: `Shop renamed ${w.id}` }, CI), 409, 'platform.duplicate_entity_error');
    expectOctaneError(await t.post(configuration('e2e-other'), [1, 2], CI), 400, 'platform.bad_request');
    expectOctaneError(await t.post(configuration('e2e-other'), { ...base, contextEntityName: 'x', server: { url: ['no'] } }, CI), 400, 'platform.bad_request');
    expectOctaneError(await t.post(configuration('e2e-other'), { ...base, contextEntityName: 'x', releaseId: 987654321 }, CI), 400, 'platform.field_validation_error');
    expectOctaneError(await t.put(configuration('e2e-root'), { data: [{ contextEntityName: 'no id', workspaceId: Number(w.id) }] }, CI), 400, 'platform.bad_request');
    expect((await t.del(configuration('e2e-root'), CI)).status).toBe(405);
    // nothing was created by the failures
    expect(await w.ids('pipelines')).toEqual([pipeline]);
    expect((await w.read(`ci_jobs?${q('ci_id EQ ^e2e-other^')}`, PREVIEW)).total_count).toBe(0);
  });
});
