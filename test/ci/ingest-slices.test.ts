// A test-results task is ingested in slices with other requests served in between. What the
// ingester found in earlier slices (a test's run in this build context) must not outlive a write
// made meanwhile: a run deleted over REST between two slices is created again, not updated.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestResultsIngester } from '../../src/ci/ingest.js';
import { parseTestResults } from '../../src/ci/test-results-xml.js';
import { makeApp, type TestApp } from '../helpers/app.js';
import { q } from '../helpers/octane.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

const xml = (status: string, name = 'sameTestTwice') => `<?xml version="1.0" encoding="UTF-8"?>
<test_result>
<build server_id="slices-ci" job_id="slices-job" build_id="7"/>
<test_runs>
<test_run module="m" package="p" class="SliceTest" name="${name}" status="Passed" duration="5"/>
<test_run module="m" package="p" class="SliceTest" name="${name}" status="${status}" duration="6"/>
</test_runs>
</test_result>`;

async function runsOfTest(name = 'sameTestTwice'): Promise<Array<{ id: string; status: string }>> {
  const res = await t.get(`${t.ws}/automated_runs?${q(`test EQ {name EQ ^${name}^}`)}&fields=native_status{logical_name}`);
  expect(res.status).toBe(200);
  return res.body.data.map((r: any) => ({ id: r.id, status: r.native_status.logical_name.replace('list_node.run_native_status.', '') }));
}

/** Posts a payload and polls its task until it is done. */
async function runTask(payload: string): Promise<any> {
  const r = await t.request('POST', `${t.ws}/test-results`, payload, { 'content-type': 'application/xml' });
  expect(r.status).toBe(202);
  for (let i = 0; i < 400; i++) {
    const task = await t.get(`${t.ws}/test-results/${r.body.id}`);
    if (task.body.status !== 'queued' && task.body.status !== 'running') return task.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('task did not finish');
}

describe('test-results ingestion in slices', () => {
  it('a run deleted between two slices is created again by the next slice, not updated', async () => {
    const { emulator } = t.app;
    const ctx = { ...emulator.systemContext(emulator.defaults.sharedSpaceId, emulator.defaults.workspaceId), userId: emulator.defaults.adminUserId };
    const payload = parseTestResults(xml('Failed'));
    const ingester = new TestResultsIngester(emulator.service, ctx, true, () => undefined);

    ingester.ingest({ ...payload, runs: payload.runs.slice(0, 1) }, undefined, true, false);
    const [first] = await runsOfTest();
    expect(first.status).toBe('passed');

    // another client deletes the run while the task waits for its next slice
    expect((await t.del(`${t.ws}/runs/${first.id}`)).status).toBe(200);

    const outcome = ingester.ingest({ ...payload, runs: payload.runs.slice(1) }, undefined, false, true);
    expect(outcome).toMatchObject({ status: 'success', runs_skipped: 0, runs_created: 2, errors: [] });
    const after = await runsOfTest();
    expect(after).toHaveLength(1);
    expect(after[0].id).not.toBe(first.id);
    expect(after[0].status).toBe('failed');
  });

  it('without writes in between, the second slice updates the run the first one created', async () => {
    const { emulator } = t.app;
    const ctx = { ...emulator.systemContext(emulator.defaults.sharedSpaceId, emulator.defaults.workspaceId), userId: emulator.defaults.adminUserId };
    const payload = parseTestResults(xml('Skipped', 'otherTestTwice'));
    const ingester = new TestResultsIngester(emulator.service, ctx, true, () => undefined);
    ingester.ingest({ ...payload, runs: payload.runs.slice(0, 1) }, undefined, true, false);
    const outcome = ingester.ingest({ ...payload, runs: payload.runs.slice(1) }, undefined, false, true);
    expect(outcome).toMatchObject({ status: 'success', runs_skipped: 0, runs_created: 1, runs_updated: 1 });
    const runs = await runsOfTest('otherTestTwice');
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('skipped');
  });

  it('a build that joins a pipeline run between two slices: the runs of both slices belong to it', async () => {
    const { emulator } = t.app;
    const ctx = { ...emulator.systemContext(emulator.defaults.sharedSpaceId, emulator.defaults.workspaceId), userId: emulator.defaults.adminUserId };
    const jobs = [{ jobCiId: 'slices-root', name: 'Root', phasesInternal: [], phasesPostBuild: [] }];
    expect((await t.post(`${t.ws}/ci_servers`, { data: [{ name: 'Slices CI', instance_id: 'slices-pr-ci' }] })).status).toBe(201);
    expect((await t.post(`${t.ws}/pipelines`, { data: [{ name: 'Slices pipeline', server_ci_id: 'slices-pr-ci', root_job_ci_id: 'slices-root', jobs }] })).status).toBe(201);
    const payload = parseTestResults(`<test_result><build server_id="slices-pr-ci" job_id="slices-root" build_id="3"/><test_runs>
<test_run package="p" class="JoinTest" name="early" status="Passed"/><test_run package="p" class="JoinTest" name="late" status="Passed"/>
</test_runs></test_result>`);
    const ingester = new TestResultsIngester(emulator.service, ctx, true, () => undefined);
    ingester.ingest({ ...payload, runs: payload.runs.slice(0, 1) }, undefined, true, false);

    // the build's started event arrives while the task waits for its next slice
    const event = { eventType: 'started', project: 'slices-root', projectDisplayName: 'slices-root', buildCiId: '3', number: '3', startTime: 1_750_000_000_000 };
    const space = `/internal-api/shared_spaces/${emulator.defaults.sharedSpaceId}/analytics/ci`;
    expect((await t.put(`${space}/events`, { server: { instanceId: 'slices-pr-ci', type: 'jenkins', url: 'http://slices.local' }, events: [event] })).status).toBe(200);

    ingester.ingest({ ...payload, runs: payload.runs.slice(1) }, undefined, false, true);
    const runs = await t.get(`${t.ws}/automated_runs?${q('class_name EQ ^JoinTest^')}&fields=name,pipeline_run&order_by=name`);
    expect(runs.body.data.map((r: any) => r.name)).toEqual(['early', 'late']);
    const pipelineRun = runs.body.data[0].pipeline_run?.id;
    expect(pipelineRun).toBeDefined();
    expect(runs.body.data[1].pipeline_run).toMatchObject({ type: 'pipeline_run', id: pipelineRun });
    const listed = await t.get(`${t.ws}/pipeline_runs/${pipelineRun}?fields=runs`);
    expect(listed.body.runs.data.map((r: any) => r.id).sort()).toEqual(runs.body.data.map((r: any) => r.id).sort());
  });

  it('last runs over several slices and pushes: the newest run of each context, as a recompute from every run finds them', async () => {
    const { emulator } = t.app;
    const OS = ['Linux', 'Windows', 'macOS'];
    const BROWSER = ['', 'Chrome'];
    const TESTS = 30;
    // each test runs in 6 environments, 4 times each (the same run updated), spread over 3 slices
    const payload = (job: string, build: string, tests: number) => {
      const runs: string[] = [];
      for (let rep = 0; rep < 4; rep++) {
        for (let i = 0; i < tests; i++) {
          for (const os of OS) {
            for (const browser of BROWSER) {
              const env = `<taxonomy type="OS" value="${os}"/>${browser ? `<taxonomy type="Browser" value="${browser}"/>` : ''}`;
              runs.push(`<test_run package="lr" class="LastRuns" name="t${i}" status="${rep % 2 ? 'Failed' : 'Passed'}"><environment>${env}</environment></test_run>`);
            }
          }
        }
      }
      return `<test_result><build server_id="lr-ci" job_id="${job}" build_id="${build}"/><test_runs>${runs.join('')}</test_runs></test_result>`;
    };
    // a test with a run from before whose last runs are gone (a database of an earlier version)
    expect(await runTask(payload('lr-job-0', '1', 1))).toMatchObject({ status: 'success', runs_created: 6 });
    const pre = (await t.get(`${t.ws}/automated_tests?${q('name EQ ^t0^;class_name EQ ^LastRuns^')}&fields=last_runs`)).body.data[0];
    expect(pre.last_runs.data).toHaveLength(6);
    emulator.sql.sqlite.prepare(`delete from entity_link where field like '%.last_runs' and src_id = ?`).run(Number(pre.id));

    // job 1 makes a run per test and environment (t0's take the place of job 0's); job 2 runs half
    // of the tests again: in those contexts its runs are newer and take the place of job 1's
    expect(await runTask(payload('lr-job-1', '1', TESTS))).toMatchObject({ status: 'success', runs_created: TESTS * 6, runs_updated: TESTS * 18 });
    expect(await runTask(payload('lr-job-2', '1', TESTS / 2))).toMatchObject({ status: 'success', runs_created: (TESTS / 2) * 6 });

    const tests = (await t.get(`${t.ws}/automated_tests?${q('class_name EQ ^LastRuns^')}&fields=name,last_runs&limit=100`)).body.data;
    expect(tests).toHaveLength(TESTS);
    let replaced = 0;
    for (const test of tests) {
      const runs = (await t.get(`${t.ws}/automated_runs?${q(`test EQ {id EQ ${test.id}}`)}&fields=taxonomies&limit=100`)).body.data;
      const newest = new Map<string, number>();
      for (const r of runs) {
        const context = r.taxonomies.data.map((x: any) => Number(x.id)).sort((a: number, b: number) => a - b).join(',');
        newest.set(context, Math.max(newest.get(context) ?? 0, Number(r.id)));
      }
      const expected = [...newest.values()].sort((a, b) => a - b);
      expect(newest.size, test.name).toBe(6);
      expect(test.last_runs.data.map((r: any) => Number(r.id)).sort((a: number, b: number) => a - b), test.name).toEqual(expected);
      if (runs.length > 6) replaced++;
      if (test.name === 't0') expect(runs).toHaveLength(18);
      // as stored, positions follow the ids
      const stored = emulator.sql.sqlite.prepare(`select dst_id, ord from entity_link where field like '%.last_runs' and src_id = ? order by ord`).all(Number(test.id)) as Array<{ dst_id: number; ord: number }>;
      expect(stored.map((l) => l.dst_id)).toEqual(expected);
      expect(stored.map((l) => l.ord)).toEqual(expected.map((_, i) => i));
    }
    // job 2's tests have 12 runs (6 of job 1 and 6 of job 2; t0 also 6 of job 0), the others 6
    expect(replaced).toBe(TESTS / 2);
    // a task checkpoints the WAL less often while it ingests, and gives the usual interval back
    expect(emulator.sql.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});

describe('what a task costs the store', () => {
  it('the WAL is checkpointed less often while a task ingests, and the usual interval comes back after it', async () => {
    const { emulator } = t.app;
    const db = emulator.sql.sqlite;
    const seen: unknown[] = [];
    const ingest = TestResultsIngester.prototype.ingest;
    TestResultsIngester.prototype.ingest = function (this: TestResultsIngester, ...args: Parameters<typeof ingest>) {
      seen.push(db.pragma('wal_autocheckpoint', { simple: true }));
      return ingest.apply(this, args);
    };
    try {
      expect(await runTask(xml('Passed', 'settingsDuringTask'))).toMatchObject({ status: 'success' });
    } finally {
      TestResultsIngester.prototype.ingest = ingest;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([10000]));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('run history is read by run and by build through indexes, and by test without one (each push adds a row per run)', async () => {
    const { emulator } = t.app;
    const indexed = (emulator.sql.sqlite.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'e_previous_run'`).all() as Array<{ name: string }>).map((r) => r.name);
    expect(indexed).toEqual(expect.arrayContaining(['e_previous_run__run_id', 'e_previous_run__build_id']));
    expect(indexed).not.toContain('e_previous_run__test');
    expect(await runTask(xml('Failed', 'historyByTest'))).toMatchObject({ status: 'success' });
    const test = (await t.get(`${t.ws}/automated_tests?${q('name EQ ^historyByTest^')}`)).body.data[0];
    const history = await t.get(`${t.ws}/previous_runs?${q(`test EQ {id EQ ${test.id}}`)}&fields=run_id,test,status`);
    expect(history.status).toBe(200);
    expect(history.body.total_count).toBe(2);
    expect(history.body.data.every((h: any) => h.test.id === test.id)).toBe(true);
  });
});
