// Issue 8: the runs of a pipeline run and of a build. A run reported for a build belongs to the
// build's pipeline run (a sub-job's build joins the root's), so `pipeline_run.runs` lists the
// automated and Gherkin runs of every build of that run, and `ci_build.runs` the build's own; both
// are read, filtered and cross-filtered like any inverse. A test's last runs are kept per release,
// milestone and environment, whatever job reported them. docs/decisions.md "CI and test results".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';
import { ciEvent as event, T0, upstream } from '../helpers/ci.js';
import { ingest } from '../helpers/test-results.js';
import { freshWorkspace, sorted, type Workspace } from '../helpers/workspace.js';


let t: TestApp;
let internal: string;
beforeAll(async () => {
  t = await makeApp({ ciTaskPollMs: 20, sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  internal = `/internal-api/shared_spaces/${t.app.emulator.defaults.sharedSpaceId}/analytics/ci`;
});
afterAll(() => t.close());

const idsOf = (multi: any) => sorted((multi?.data ?? []).map((x: any) => x.id));
const doc = (build: string, runs: string, context = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<test_result>\n${build}\n${context}\n<test_runs>\n${runs}\n</test_runs>\n</test_result>`;
const buildXml = (job: string, build: string) => `<build server_id="prr-ci" job_id="${job}" build_id="${build}"/>`;
const testRun = (cls: string, name: string, status = 'Passed') =>
  `<test_run module="m" package="p" class="${cls}" name="${name}" status="${status}" duration="5" started="${T0}"/>`;
const gherkinRun = (feature: string) =>
  `<gherkin_test_run name="${feature} feature" status="Passed" duration="7" started="${T0}"><feature name="${feature}" path="features/${feature}.feature"/></gherkin_test_run>`;

async function sendEvents(events: Record<string, unknown>[]): Promise<void> {
  const res = await t.put(`${internal}/events`, { server: { instanceId: 'prr-ci', type: 'jenkins', url: 'http://prr-ci.local' }, events });
  expect(res.status, res.text).toBe(200);
}


async function buildId(w: Workspace, job: string, build: string): Promise<string> {
  const ids = await w.ids(`ci_builds?${q(`ci_job EQ {ci_id EQ ^${job}^};build_ci_id EQ ^${build}^`)}`, PREVIEW);
  expect(ids, `${job} #${build}`).toHaveLength(1);
  return ids[0];
}

async function runIds(w: Workspace, query: string): Promise<string[]> {
  return sorted(await w.ids(`runs?${q(query)}&fields=id`));
}

describe('pipeline_run.runs and ci_build.runs', () => {
  let w: Workspace;
  let pipelineRun: string;
  let unitRuns: string[];
  let bddRuns: string[];
  let rootRuns: string[];
  beforeAll(async () => {
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: `PRR CI ${w.id}`, instance_id: 'prr-ci', server_type: 'jenkins' });
    const jobs = [
      {
        jobCiId: 'prr-root',
        name: 'Root',
        phasesInternal: [{ name: 'test', blocking: true, jobs: [{ jobCiId: 'prr-unit', name: 'Unit' }, { jobCiId: 'prr-bdd', name: 'BDD' }] }],
        phasesPostBuild: [],
      },
    ];
    await w.add('pipelines', { name: `PRR pipeline ${w.id}`, server_ci_id: 'prr-ci', root_job_ci_id: 'prr-root', jobs });
    const cause = upstream('prr-root', '1');
    await sendEvents([
      event('started', 'prr-root', '1'),
      event('started', 'prr-unit', '1', { causes: [cause] }),
      event('started', 'prr-bdd', '1', { causes: [cause] }),
    ]);
    await ingest(w, doc(buildXml('prr-root', '1'), testRun('Root', 'smoke')));
    await ingest(w, doc(buildXml('prr-unit', '1'), [testRun('Unit', 'a'), testRun('Unit', 'b', 'Failed')].join('\n')));
    await ingest(w, doc(buildXml('prr-bdd', '1'), [gherkinRun('Cart'), testRun('Bdd', 'glue')].join('\n')));
    pipelineRun = (await w.read(`ci_builds/${await buildId(w, 'prr-root', '1')}?fields=pipeline_run`, PREVIEW)).pipeline_run.id;
    rootRuns = await runIds(w, 'class_name EQ ^Root^');
    unitRuns = await runIds(w, 'class_name EQ ^Unit^');
    bddRuns = sorted([...(await runIds(w, 'subtype EQ ^gherkin_automated_run^')), ...(await runIds(w, 'class_name EQ ^Bdd^'))]);
    expect([rootRuns.length, unitRuns.length, bddRuns.length]).toEqual([1, 2, 2]);
  });

  it('a pipeline run lists the automated and Gherkin runs of its root build and of the sub-job builds that joined it', async () => {
    const run = await w.read(`pipeline_runs/${pipelineRun}?fields=runs`);
    expect(idsOf(run.runs)).toEqual(sorted([...rootRuns, ...unitRuns, ...bddRuns]));
    expect(run.runs.total_count).toBe(5);
    const types = run.runs.data.map((r: any) => r.type).sort();
    expect(types).toEqual(['gherkin_automated_run', 'run_automated', 'run_automated', 'run_automated', 'run_automated']);
  });

  it('runs is not returned by default, and is read-only', async () => {
    expect((await w.read(`pipeline_runs/${pipelineRun}`)).runs).toBeUndefined();
    const res = await w.put(`pipeline_runs/${pipelineRun}`, { runs: { data: [{ type: 'run_automated', id: rootRuns[0] }] } });
    expect(res.status).toBe(400);
    expectOctaneError(res, 400, 'platform.field_validation_error');
  });

  it('each run names its pipeline run; the runs of a pipeline run filter both ways', async () => {
    const runs = await w.read(`automated_runs/${unitRuns[0]}?fields=pipeline_run,build`);
    expect(runs.pipeline_run).toMatchObject({ type: 'pipeline_run', id: pipelineRun });
    expect(await runIds(w, `pipeline_run EQ {id EQ ${pipelineRun}}`)).toEqual(sorted([...rootRuns, ...unitRuns, ...bddRuns]));
    // from a run to its pipeline run, and through the run's fields
    expect(await w.ids(`pipeline_runs?${q(`runs EQ {id EQ ${unitRuns[1]}}`)}`)).toEqual([pipelineRun]);
    expect(await w.ids(`pipeline_runs?${q('runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^}}')}`)).toEqual([pipelineRun]);
    expect(await w.ids(`pipeline_runs?${q('runs EQ {class_name EQ ^Nothing^}')}`)).toEqual([]);
    expect(await w.ids(`pipeline_runs?${q('runs EQ {null}')}`)).toEqual([]);
    // the run's build and pipeline run agree
    const build = await w.read(`ci_builds/${runs.build.id}?fields=pipeline_run`, PREVIEW);
    expect(build.pipeline_run.id).toBe(pipelineRun);
  });

  it('a build lists its own runs, Gherkin runs included', async () => {
    const bdd = await w.read(`ci_builds/${await buildId(w, 'prr-bdd', '1')}?fields=runs`, PREVIEW);
    expect(idsOf(bdd.runs)).toEqual(bddRuns);
    expect(bdd.runs.data.map((r: any) => r.type).sort()).toEqual(['gherkin_automated_run', 'run_automated']);
    const unit = await w.read(`ci_builds/${await buildId(w, 'prr-unit', '1')}?fields=runs`, PREVIEW);
    expect(idsOf(unit.runs)).toEqual(unitRuns);
    const withGherkin = await w.ids(`ci_builds?${q('runs EQ {subtype EQ ^gherkin_automated_run^}')}`, PREVIEW);
    expect(withGherkin).toEqual([await buildId(w, 'prr-bdd', '1')]);
  });

  it('results reported before the build joins a pipeline run follow the build when it joins', async () => {
    // the unit job's build #2 reports its tests first; its events come after
    await ingest(w, doc(buildXml('prr-unit', '2'), testRun('Late', 'x')));
    const late = await runIds(w, 'class_name EQ ^Late^');
    expect(late).toHaveLength(1);
    expect((await w.read(`automated_runs/${late[0]}?fields=pipeline_run`)).pipeline_run).toBeNull();
    await sendEvents([event('started', 'prr-root', '2'), event('started', 'prr-unit', '2', { causes: [upstream('prr-root', '2')] })]);
    const second = (await w.read(`ci_builds/${await buildId(w, 'prr-root', '2')}?fields=pipeline_run`, PREVIEW)).pipeline_run.id;
    expect(second).not.toBe(pipelineRun);
    expect((await w.read(`automated_runs/${late[0]}?fields=pipeline_run`)).pipeline_run).toMatchObject({ id: second });
    expect(idsOf((await w.read(`pipeline_runs/${second}?fields=runs`)).runs)).toEqual(late);
    // the first pipeline run keeps its own
    expect((await w.read(`pipeline_runs/${pipelineRun}?fields=runs`)).runs.total_count).toBe(5);
  });

  it('an automated run created over REST with a build takes the build\'s pipeline run', async () => {
    const test = await w.add('automated_tests', { name: 'rest-made' });
    const passed = await w.idOf('list_nodes', 'list_node.run_native_status.passed');
    const unitBuild = await buildId(w, 'prr-unit', '1');
    const run = await w.add('automated_runs', {
      name: 'rest-made run',
      test: { type: 'test_automated', id: test },
      native_status: { type: 'list_node', id: passed },
      build: { type: 'ci_build', id: unitBuild },
    });
    expect((await w.read(`automated_runs/${run}?fields=pipeline_run`)).pipeline_run).toMatchObject({ id: pipelineRun });
    expect(idsOf((await w.read(`pipeline_runs/${pipelineRun}?fields=runs`)).runs)).toContain(run);
    // moved to the build of a job outside any pipeline: it leaves the pipeline run
    await ingest(w, doc(buildXml('prr-solo', '1'), testRun('Solo', 's')));
    const solo = await buildId(w, 'prr-solo', '1');
    const res = await w.put(`automated_runs/${run}`, { build: { type: 'ci_build', id: solo } });
    expect(res.status, res.text).toBe(200);
    expect((await w.read(`automated_runs/${run}?fields=pipeline_run`)).pipeline_run).toBeNull();
    expect(idsOf((await w.read(`pipeline_runs/${pipelineRun}?fields=runs`)).runs)).not.toContain(run);
  });
});

describe('last runs: one per release, milestone and environment, whatever job reported it', () => {
  let w: Workspace;
  let release: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    release = await w.add('releases', { name: `LR release ${w.id}`, start_date: '2025-01-01', end_date: '2025-12-31' });
    await w.add('milestones', { name: 'LR-M1', date: '2025-05-01' }, PREVIEW);
    await w.add('milestones', { name: 'LR-M2', date: '2025-06-01' }, PREVIEW);
  });

  const context = (milestone?: string) => `<release id="RID"/>${milestone ? `<milestone name="${milestone}"/>` : ''}`;
  const push = (job: string, build: string, milestone?: string, status = 'Passed') =>
    ingest(w, doc(`<build server_id="lr-ci" job_id="${job}" build_id="${build}"/>`, testRun('Last', 'one', status), context(milestone).replace('RID', release)));
  const lastRuns = async () => idsOf((await w.read(`automated_tests?${q('name EQ ^one^')}&fields=last_runs`)).data[0].last_runs);

  it('two jobs in the same context: the later run is the last run', async () => {
    await push('lr-job-a', '1');
    const a = await runIds(w, 'build EQ {ci_job EQ {ci_id EQ ^lr-job-a^}}');
    expect(await lastRuns()).toEqual(a);
    await push('lr-job-b', '1', undefined, 'Failed');
    const b = await runIds(w, 'build EQ {ci_job EQ {ci_id EQ ^lr-job-b^}}');
    expect(b).toHaveLength(1);
    expect(b[0]).not.toBe(a[0]);
    expect(await lastRuns()).toEqual(b);
  });

  it('another milestone is another context: its run joins the last runs', async () => {
    await push('lr-job-a', '2', 'LR-M1');
    const m1 = await runIds(w, 'milestone EQ {name EQ ^LR-M1^}');
    expect(m1).toHaveLength(1);
    const b = await runIds(w, 'build EQ {ci_job EQ {ci_id EQ ^lr-job-b^}}');
    expect(await lastRuns()).toEqual(sorted([...b, ...m1]));
    await push('lr-job-a', '3', 'LR-M2');
    const m2 = await runIds(w, 'milestone EQ {name EQ ^LR-M2^}');
    expect(m2).toHaveLength(1);
    expect(m2[0]).not.toBe(m1[0]);
    expect(await lastRuns()).toEqual(sorted([...b, ...m1, ...m2]));
    // the same job, milestone and release again: the run is updated, the last runs stay
    await push('lr-job-a', '4', 'LR-M2', 'Failed');
    expect(await runIds(w, 'milestone EQ {name EQ ^LR-M2^}')).toEqual(m2);
    expect(await lastRuns()).toEqual(sorted([...b, ...m1, ...m2]));
  });

  it('moving a run to another milestone over REST recomputes the last runs', async () => {
    const m1 = await runIds(w, 'milestone EQ {name EQ ^LR-M1^}');
    const m2 = await runIds(w, 'milestone EQ {name EQ ^LR-M2^}');
    const milestone2 = (await w.ids(`milestones?${q('name EQ ^LR-M2^')}`, PREVIEW))[0];
    const res = await w.put(`automated_runs/${m1[0]}`, { milestone: { type: 'milestone', id: milestone2 } });
    expect(res.status, res.text).toBe(200);
    const b = await runIds(w, 'build EQ {ci_job EQ {ci_id EQ ^lr-job-b^}}');
    // M2's newer run stays; the moved run is older in the same context
    expect(await lastRuns()).toEqual(sorted([...b, ...m2]));
  });
});
