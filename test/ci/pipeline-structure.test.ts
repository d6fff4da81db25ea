// Issue 8: the tree of a pipeline's nodes (root job -> phases -> jobs) built from the structure a
// pipeline is created with (REST `jobs`, the CI plugins' phasesInternal / phasesPostBuild), and
// builds of sub-jobs joining the root build's pipeline run through their events' upstream causes,
// as a Jenkins plugin reports a pipeline with phases. docs/decisions.md "CI and test results".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';
import { ciEvent as event, idsOf, ln, makeCiApp, T0, upstream } from '../helpers/ci.js';
import { freshWorkspace, sorted, type Workspace } from '../helpers/workspace.js';


let t: TestApp;
let internal: string;
beforeAll(async () => {
  ({ t, internal } = await makeCiApp());
});
afterAll(() => t.close());

const NODE_FIELDS = 'name,ci_job{ci_id},parent,children,phase_name,phase_type,pipeline_root_node';

/** The nodes of a pipeline keyed by their job's CI id. */
async function nodesOf(w: Workspace, pipeline: string): Promise<Record<string, any>> {
  const body = await w.read(`pipeline_nodes?${q(`pipeline_root_node EQ {id EQ ${pipeline}}`)}&fields=${NODE_FIELDS}&order_by=id`, PREVIEW);
  return Object.fromEntries(body.data.map((n: any) => [n.ci_job.ci_id, n]));
}

async function sendEvents(instanceId: string, events: Record<string, unknown>[]): Promise<void> {
  const res = await t.put(`${internal}/events`, { server: { instanceId, type: 'jenkins', url: `http://${instanceId}.local` }, events });
  expect(res.status, res.text).toBe(200);
}


async function buildOf(w: Workspace, jobCiId: string, buildCiId: string): Promise<any> {
  const body = await w.read(`ci_builds?${q(`ci_job EQ {ci_id EQ ^${jobCiId}^};build_ci_id EQ ^${buildCiId}^`)}&fields=name,pipeline_run,status{logical_name},parameters,causes,sub_type`, PREVIEW);
  expect(body.total_count, `${jobCiId} #${buildCiId}`).toBe(1);
  return body.data[0];
}

// The structure a Jenkins plugin reports for a pipeline job with phases:
//   root -> internal phase "build" [compile, unit] ; compile -> internal phase "sub" [lint]
//        -> post-build phase "deploy" [deploy]
const STRUCTURE = {
  jobCiId: 'tr-root',
  name: 'Tree root',
  parameters: [],
  phasesInternal: [
    {
      name: 'build',
      blocking: true,
      jobs: [
        { jobCiId: 'tr-compile', name: 'Compile', phasesInternal: [{ name: 'sub', blocking: true, jobs: [{ jobCiId: 'tr-lint', name: 'Lint' }] }], phasesPostBuild: [] },
        { jobCiId: 'tr-unit', name: 'Unit tests', phasesInternal: [], phasesPostBuild: [] },
      ],
    },
  ],
  phasesPostBuild: [{ name: 'deploy', blocking: false, jobs: [{ jobCiId: 'tr-deploy', name: 'Deploy' }] }],
};

describe('pipeline_node tree from the structure a pipeline is created with', () => {
  let w: Workspace;
  let pipeline: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: `Tree CI ${w.id}`, instance_id: 'tree-ci', server_type: 'jenkins' });
    pipeline = await w.add('pipelines', { name: `Tree pipeline ${w.id}`, server_ci_id: 'tree-ci', root_job_ci_id: 'tr-root', jobs: [STRUCTURE] });
  });

  it('root job -> phases -> jobs: parent, children, phase name and type of each node', async () => {
    const nodes = await nodesOf(w, pipeline);
    expect(Object.keys(nodes).sort()).toEqual(['tr-compile', 'tr-deploy', 'tr-lint', 'tr-root', 'tr-unit']);
    const root = nodes['tr-root'];
    expect(root).toMatchObject({ name: 'Tree root', parent: null, phase_name: null, phase_type: null, pipeline_root_node: { id: pipeline } });
    expect(idsOf(root.children)).toEqual(sorted([nodes['tr-compile'].id, nodes['tr-unit'].id, nodes['tr-deploy'].id]));
    expect(nodes['tr-compile']).toMatchObject({ name: 'Compile', parent: { type: 'pipeline_node', id: root.id }, phase_name: 'build', phase_type: 'internal' });
    expect(idsOf(nodes['tr-compile'].children)).toEqual([nodes['tr-lint'].id]);
    expect(nodes['tr-lint']).toMatchObject({ parent: { id: nodes['tr-compile'].id }, phase_name: 'sub', phase_type: 'internal', children: { total_count: 0 } });
    expect(nodes['tr-unit']).toMatchObject({ parent: { id: root.id }, phase_name: 'build', phase_type: 'internal' });
    expect(nodes['tr-deploy']).toMatchObject({ parent: { id: root.id }, phase_name: 'deploy', phase_type: 'post' });
  });

  it('the tree can be read by query: the root node (parent EQ {null}) and the children of a node', async () => {
    const nodes = await nodesOf(w, pipeline);
    const roots = await w.ids(`pipeline_nodes?${q(`pipeline_root_node EQ {id EQ ${pipeline}};parent EQ {null}`)}`);
    expect(roots).toEqual([nodes['tr-root'].id]);
    const under = await w.ids(`pipeline_nodes?${q(`parent EQ {id EQ ${nodes['tr-root'].id}}`)}&order_by=id`);
    expect(under).toEqual([nodes['tr-compile'].id, nodes['tr-unit'].id, nodes['tr-deploy'].id]);
  });

  it('every job of the structure is a ci_job of the pipeline', async () => {
    const jobs = await w.read(`ci_jobs?${q(`pipeline EQ {id EQ ${pipeline}}`)}&fields=ci_id,name&order_by=ci_id`, PREVIEW);
    expect(jobs.data.map((j: any) => [j.ci_id, j.name])).toEqual([
      ['tr-compile', 'Compile'],
      ['tr-deploy', 'Deploy'],
      ['tr-lint', 'Lint'],
      ['tr-root', 'Tree root'],
      ['tr-unit', 'Unit tests'],
    ]);
  });

  it('a flat jobs list: the other jobs are children of the root job', async () => {
    await w.add('ci_servers', { name: `Flat CI ${w.id}`, instance_id: 'flat-ci' });
    const flat = await w.add('pipelines', {
      name: `Flat pipeline ${w.id}`,
      server_ci_id: 'flat-ci',
      root_job_ci_id: 'fl-root',
      // the root need not come first
      jobs: [
        { name: 'fl-test', jobCiId: 'fl-test' },
        { name: 'fl-root', jobCiId: 'fl-root' },
      ],
    });
    const nodes = await nodesOf(w, flat);
    expect(nodes['fl-root'].parent).toBeNull();
    expect(nodes['fl-test'].parent).toMatchObject({ id: nodes['fl-root'].id });
    expect(idsOf(nodes['fl-root'].children)).toEqual([nodes['fl-test'].id]);
  });

  it('the tree is the server\'s: parent, phase and children cannot be written; classification can', async () => {
    const nodes = await nodesOf(w, pipeline);
    const lint = nodes['tr-lint'];
    for (const [field, value] of [
      ['parent', ref('pipeline_node', nodes['tr-root'].id)],
      ['phase_name', 'other'],
      ['phase_type', 'post'],
      ['children', { data: [] }],
    ] as const) {
      const res = await w.put(`pipeline_nodes/${lint.id}`, { [field]: value });
      expectOctaneError(res, 400, 'platform.field_validation_error');
      expect(res.body.properties, field).toMatchObject({ entity_type: 'pipeline_node', field_name: field });
    }
    const res = await w.put(`pipeline_nodes/${lint.id}`, { is_hidden: true });
    expect(res.status, res.text).toBe(200);
    expect((await w.read(`pipeline_nodes/${lint.id}?fields=is_hidden,parent`)).parent).toMatchObject({ id: nodes['tr-compile'].id });
  });

  it('a structure that is not a tree of jobs -> 400 naming jobs, and nothing is created', async () => {
    const before = await w.ids('pipelines');
    const bad = [
      [{ jobCiId: 'bad-root', phasesInternal: { name: 'not a list' } }],
      [{ jobCiId: 'bad-root', phasesInternal: [{ name: 'p', jobs: [{ name: 'no ci id' }] }] }],
      [{ jobCiId: 'bad-root', phasesPostBuild: [{ name: 'p', jobs: 'x' }] }],
      [{ jobCiId: 'bad-root' }, 'a string'],
    ];
    for (const [i, jobs] of bad.entries()) {
      const res = await w.post('pipelines', { data: [{ name: `Bad ${i} ${w.id}`, server_ci_id: 'tree-ci', root_job_ci_id: 'bad-root', jobs }] });
      expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'jobs' }]);
    }
    expect(await w.ids('pipelines')).toEqual(before);
    expect((await w.read(`ci_jobs?${q('ci_id EQ ^bad-root^')}`, PREVIEW)).total_count).toBe(0);
  });

  it('deleting a pipeline deletes its nodes', async () => {
    await w.add('ci_servers', { name: `Gone CI ${w.id}`, instance_id: 'gone-ci' });
    const gone = await w.add('pipelines', { name: `Gone pipeline ${w.id}`, server_ci_id: 'gone-ci', root_job_ci_id: 'gn-root', jobs: [{ jobCiId: 'gn-root', phasesInternal: [{ name: 'p', jobs: [{ jobCiId: 'gn-a' }] }] }] });
    expect(Object.keys(await nodesOf(w, gone))).toHaveLength(2);
    expect((await w.del(`pipelines/${gone}`)).status).toBe(200);
    expect((await w.read(`pipeline_nodes?${q(`pipeline_root_node EQ {id EQ ${gone}}`)}`)).total_count).toBe(0);
  });
});

describe('builds of sub-jobs join the root build\'s pipeline run (events with upstream causes)', () => {
  let w: Workspace;
  let pipeline: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: `Runs CI ${w.id}`, instance_id: 'runs-ci', server_type: 'jenkins' });
    const structure = JSON.parse(JSON.stringify(STRUCTURE).replaceAll('tr-', 'rn-'));
    pipeline = await w.add('pipelines', { name: `Runs pipeline ${w.id}`, server_ci_id: 'runs-ci', root_job_ci_id: 'rn-root', jobs: [structure] });
  });

  it('root #5 starts, its phase jobs run with causes pointing at it (nested for the grand-child), root finishes: one pipeline run with every build', async () => {
    const rootCause = upstream('rn-root', '5');
    const compileCause = upstream('rn-compile', '3', [rootCause]);
    await sendEvents('runs-ci', [
      event('started', 'rn-root', '5', { causes: [{ type: 'user', user: 'alice' }], parameters: [{ name: 'BRANCH', type: 'string', value: 'main', defaultValue: 'main' }] }),
      event('started', 'rn-compile', '3', { causes: [rootCause] }),
      event('started', 'rn-lint', '9', { causes: [compileCause] }),
      event('finished', 'rn-lint', '9', { causes: [compileCause] }),
      event('finished', 'rn-compile', '3', { causes: [rootCause] }),
      event('started', 'rn-unit', '4', { causes: [rootCause] }),
      event('finished', 'rn-unit', '4', { causes: [rootCause], result: 'failure' }),
      event('started', 'rn-deploy', '1', { causes: [rootCause] }),
      event('finished', 'rn-deploy', '1', { causes: [rootCause] }),
      event('finished', 'rn-root', '5', { causes: [{ type: 'user', user: 'alice' }], result: 'unstable' }),
    ]);
    const runs = await w.read(`pipeline_runs?${q(`pipeline EQ {id EQ ${pipeline}}`)}&fields=name,status{logical_name},builds`);
    expect(runs.total_count).toBe(1);
    const run = runs.data[0];
    expect(run.name).toBe('rn-root #5');
    expect(ln(run.status)).toBe('list_node.pipeline_run_status.unstable');
    const builds = await Promise.all([['rn-root', '5'], ['rn-compile', '3'], ['rn-lint', '9'], ['rn-unit', '4'], ['rn-deploy', '1']].map(([j, b]) => buildOf(w, j, b)));
    for (const b of builds) expect(b.pipeline_run).toMatchObject({ id: run.id });
    expect(idsOf(run.builds)).toEqual(sorted(builds.map((b) => b.id)));
    expect(ln(builds[3].status)).toBe('list_node.pipeline_run_status.failure');
    // no pipeline of their own for the sub-jobs, and no new nodes: the structure had them all
    expect(await w.ids('pipelines')).toEqual([pipeline]);
    expect(Object.keys(await nodesOf(w, pipeline))).toHaveLength(5);
  });

  it('the build keeps the parameters and causes its events carried', async () => {
    const root = await buildOf(w, 'rn-root', '5');
    expect(root.parameters).toEqual([{ name: 'BRANCH', type: 'string', value: 'main', defaultValue: 'main' }]);
    expect(root.causes).toEqual([{ type: 'user', user: 'alice' }]);
    const lint = await buildOf(w, 'rn-lint', '9');
    expect(lint.causes).toEqual([upstream('rn-compile', '3', [upstream('rn-root', '5')])]);
    // reported by CI: read-only over REST
    for (const field of ['parameters', 'causes', 'sub_type']) {
      const res = await w.put(`ci_builds/${lint.id}`, { [field]: field === 'sub_type' ? 'x' : [] });
      expectOctaneError(res, 400, 'platform.field_validation_error');
      expect(res.body.properties).toMatchObject({ entity_type: 'ci_build', field_name: field });
    }
  });

  it('a second run of the root: its sub-builds join the second pipeline run, not the first', async () => {
    const rootCause = upstream('rn-root', '6');
    await sendEvents('runs-ci', [event('started', 'rn-root', '6'), event('started', 'rn-unit', '7', { causes: [rootCause] }), event('finished', 'rn-unit', '7', { causes: [rootCause] })]);
    const first = await buildOf(w, 'rn-unit', '4');
    const second = await buildOf(w, 'rn-unit', '7');
    const root6 = await buildOf(w, 'rn-root', '6');
    expect(second.pipeline_run).toMatchObject({ id: root6.pipeline_run.id });
    expect(second.pipeline_run.id).not.toBe(first.pipeline_run.id);
  });

  it('a job outside the structure, triggered by a phase job: joins the run and becomes a node under the job that triggered it', async () => {
    const cause = upstream('rn-compile', '3', [upstream('rn-root', '5')]);
    await sendEvents('runs-ci', [event('started', 'rn-extra', '2', { causes: [cause], phaseType: 'post' }), event('finished', 'rn-extra', '2', { causes: [cause], phaseType: 'post' })]);
    const extra = await buildOf(w, 'rn-extra', '2');
    const root = await buildOf(w, 'rn-root', '5');
    expect(extra.pipeline_run).toMatchObject({ id: root.pipeline_run.id });
    const nodes = await nodesOf(w, pipeline);
    expect(nodes['rn-extra']).toMatchObject({ name: 'rn-extra', parent: { id: nodes['rn-compile'].id }, phase_type: 'post', phase_name: null });
    const job = await w.read(`ci_jobs?${q('ci_id EQ ^rn-extra^')}&fields=pipeline`, PREVIEW);
    expect(job.data[0].pipeline).toMatchObject({ id: pipeline });
  });

  it('the upstream build is unknown: the build is kept without a pipeline run', async () => {
    await sendEvents('runs-ci', [event('started', 'rn-orphan', '1', { causes: [upstream('rn-root', '999')] })]);
    const orphan = await buildOf(w, 'rn-orphan', '1');
    expect(orphan.pipeline_run).toBeNull();
    expect(await w.ids('pipelines')).toEqual([pipeline]);
  });

  it('a sub-job built on its own (no upstream cause) runs no pipeline', async () => {
    const before = (await w.read('pipeline_runs')).total_count;
    await sendEvents('runs-ci', [event('started', 'rn-unit', '50'), event('finished', 'rn-unit', '50')]);
    expect((await buildOf(w, 'rn-unit', '50')).pipeline_run).toBeNull();
    expect((await w.read('pipeline_runs')).total_count).toBe(before);
    expect(await w.ids('pipelines')).toEqual([pipeline]);
  });

  it('an auto-created pipeline (root job nobody set up) grows its tree from the events', async () => {
    const rootCause = upstream('auto-root', '1');
    await sendEvents('runs-ci', [
      event('started', 'auto-root', '1'),
      event('started', 'auto-a', '1', { causes: [rootCause] }),
      event('started', 'auto-b', '1', { causes: [upstream('auto-a', '1', [rootCause])] }),
    ]);
    const auto = (await w.read(`pipelines?${q('root_job_ci_id EQ ^auto-root^')}`)).data[0].id;
    const nodes = await nodesOf(w, auto);
    expect(nodes['auto-root'].parent).toBeNull();
    expect(nodes['auto-a']).toMatchObject({ parent: { id: nodes['auto-root'].id }, phase_type: null });
    expect(nodes['auto-b'].parent).toMatchObject({ id: nodes['auto-a'].id });
    const root = await buildOf(w, 'auto-root', '1');
    expect((await buildOf(w, 'auto-b', '1')).pipeline_run).toMatchObject({ id: root.pipeline_run.id });
  });

  it('a renamed job (renamed event with previousProject) keeps its builds, pipeline and node under its new CI id and name', async () => {
    await sendEvents('runs-ci', [event('started', 'ren-root', '1'), event('finished', 'ren-root', '1')]);
    const renamed = (await w.read(`pipelines?${q('root_job_ci_id EQ ^ren-root^')}`)).data[0].id;
    const build = await buildOf(w, 'ren-root', '1');
    await sendEvents('runs-ci', [{ eventType: 'renamed', project: 'ren-new', projectDisplayName: 'Renamed root', previousProject: 'ren-root', previousProjectDisplayName: 'ren-root' }]);
    expect((await buildOf(w, 'ren-new', '1')).id).toBe(build.id);
    expect((await w.read(`ci_jobs?${q('ci_id EQ ^ren-root^')}`, PREVIEW)).total_count).toBe(0);
    expect(await w.read(`pipelines/${renamed}?fields=root_job_ci_id`)).toMatchObject({ root_job_ci_id: 'ren-new' });
    expect(Object.values(await nodesOf(w, renamed)).map((n: any) => n.name)).toEqual(['Renamed root']);
    // the next build runs the same pipeline
    await sendEvents('runs-ci', [event('started', 'ren-new', '2')]);
    expect(await w.ids(`pipelines?${q('root_job_ci_id EQ ^ren-new^')}`)).toEqual([renamed]);
    expect((await buildOf(w, 'ren-new', '2')).pipeline_run).not.toBeNull();
    // without previousProject -> 400
    const res = await t.put(`${internal}/events`, { server: { instanceId: 'runs-ci' }, events: [{ eventType: 'renamed', project: 'x' }] });
    expectOctaneError(res, 400, 'platform.bad_request');
  });

  it('a pipeline created over REST for a root job that already ran: the next builds run the new pipeline', async () => {
    await sendEvents('runs-ci', [event('started', 'again-root', '1')]);
    const first = (await w.read(`pipelines?${q('root_job_ci_id EQ ^again-root^')}`)).data[0].id;
    const second = await w.add('pipelines', { name: `Again ${w.id}`, server_ci_id: 'runs-ci', root_job_ci_id: 'again-root', jobs: [{ jobCiId: 'again-root', name: 'again-root' }] });
    await sendEvents('runs-ci', [event('started', 'again-root', '2')]);
    const run = (await buildOf(w, 'again-root', '2')).pipeline_run;
    expect((await w.read(`pipeline_runs/${run.id}?fields=pipeline`)).pipeline).toMatchObject({ id: second });
    expect((await w.read(`pipeline_runs/${(await buildOf(w, 'again-root', '1')).pipeline_run.id}?fields=pipeline`)).pipeline).toMatchObject({ id: first });
    expect((await w.read(`ci_jobs?${q('ci_id EQ ^again-root^')}&fields=pipeline`, PREVIEW)).data[0].pipeline).toMatchObject({ id: second });
    expect(Object.keys(await nodesOf(w, second))).toEqual(['again-root']);
  });

  it('causes that are not a list -> 400', async () => {
    const res = await t.put(`${internal}/events`, { server: { instanceId: 'runs-ci' }, events: [event('started', 'rn-root', '70', { causes: { type: 'upstream' } })] });
    expectOctaneError(res, 400, 'platform.bad_request');
  });
});
