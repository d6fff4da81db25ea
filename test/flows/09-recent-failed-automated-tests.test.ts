// Flow 9 (flows.md §9, Scenario_GetFailingAutoTests.htm, first step verified): automated tests whose
// last runs include a failed run of release 236.2 created in the last 24 hours. The three criteria
// of the clause are added one by one; the last request is the inferred final call.
// The server clock is set so that "recent" and "old" runs are exact. The first part builds its
// data over REST; the second gets it as Octane does, from a pipeline's test-results pushes (one per
// build, each polled to completion), and runs the same queries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { pushBuild } from '../helpers/pipeline-push.js';
import { freshWorkspace, LIST, qs, sorted, type Workspace } from '../helpers/workspace.js';

const NOW = Date.parse('2025-06-10T12:00:00Z');
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const SINCE = at(24);

describe('Get recent failed automated tests for a release', () => {
  let t: TestApp;
  let w: Workspace;
  const a: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
    w = await freshWorkspace(t);
    const rel = async (name: string) => ref('release', await w.add('releases', { name, start_date: '2025-01-01', end_date: '2025-12-31' }));
    const r = await rel('236.2');
    const r3 = await rel('236.3');
    const r20 = await rel('236.20');
    for (const label of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8']) a[label] = await w.add('automated_tests', { name: `test${label}` });
    const run = async (label: string, release: unknown, status: string, hoursAgo: number) => {
      w.freeze(at(hoursAgo));
      await w.add('automated_runs', { name: `${label} ${status}`, test: ref('test_automated', a[label]), release, native_status: LIST(`list_node.run_native_status.${status}`) });
    };
    await run('A1', r, 'failed', 1); // final
    await run('A2', r, 'failed', 48); // failed too long ago
    await run('A3', r, 'passed', 1); // passed
    await run('A4', r3, 'failed', 1); // other release
    await run('A5', r, 'failed', 3); // failed, then passed in the same context: its last run passed
    await run('A5', r, 'passed', 1);
    await run('A6', r20, 'failed', 1); // "236.20" is not "236.2"
    await run('A7', r, 'failed', 2); // final: its last run of 236.2 failed (236.3 passed is another context)
    await run('A7', r3, 'passed', 1);
    await run('A8', r, 'passed', 30); // passed long ago, then failed recently
    await run('A8', r, 'failed', 5); //   -> final
    w.freeze(at(0));
  });
  afterAll(() => {
    w.unfreeze();
    return t.close();
  });

  it('last_runs EQ {release EQ {name EQ ^236.2^}}', async () => {
    expect(sorted(await w.ids(`automated_tests?${qs('last_runs EQ {release EQ {name EQ ^236.2^}}')}`))).toEqual(sorted([a.A1, a.A2, a.A3, a.A5, a.A7, a.A8]));
  });

  it('... ;status EQ {logical_name EQ ^list_node.run_status.failed^}', async () => {
    expect(sorted(await w.ids(`automated_tests?${qs('last_runs EQ {release EQ {name EQ ^236.2^};status EQ {logical_name EQ ^list_node.run_status.failed^}}')}`))).toEqual(
      sorted([a.A1, a.A2, a.A7, a.A8]),
    );
  });

  it('final: ... ;creation_time GT ^<24 hours ago>^', async () => {
    const body = await w.read(
      `automated_tests?${qs(`last_runs EQ {release EQ {name EQ ^236.2^};status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^${SINCE}^}`)}&fields=name,last_runs{status,release,creation_time}`,
    );
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([a.A1, a.A7, a.A8]));
    const a7 = body.data.find((e: any) => e.id === a.A7);
    expect(a7.last_runs.total_count).toBe(2);
    const failed = a7.last_runs.data.find((x: any) => x.release.name === '236.2');
    expect(failed).toMatchObject({ status: { name: 'Failed' }, creation_time: at(2) });
  });
});

describe('Get recent failed automated tests for a release, from pipeline test-results pushes', () => {
  let t: TestApp;
  let w: Workspace;
  const a: Record<string, string> = {};
  const job = (name: string, build: number) => ({ server: 'jenkins-flow9', job: name, build: String(build) });

  beforeAll(async () => {
    t = await makeApp({ ciTaskPollMs: 20, sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
    w = await freshWorkspace(t);
    for (const name of ['236.2', '236.3', '236.20']) await w.add('releases', { name, start_date: '2025-01-01', end_date: '2025-12-31' });
    const STACK = 'java.lang.AssertionError\n\tat com.acme.Suite.check(Suite.java:10)';
    const F = (name: string, release: string) => ({ name, status: 'Failed' as const, release, stack: STACK });
    const P = (name: string, release: string) => ({ name, status: 'Passed' as const, release });
    // each build of a job reports at its own time; a test has one run per job, release and
    // environment, updated by later builds (its creation_time stays the first report's)
    w.freeze(at(48));
    await pushBuild(w, job('nightly', 1), [F('testA2', '236.2')]); // failed too long ago
    w.freeze(at(30));
    await pushBuild(w, job('nightly', 2), [P('testA8', '236.2'), P('testA9', '236.2')]);
    w.freeze(at(5));
    // A8 fails in another job: another context, a new run. A9 fails in the same job: the same run,
    // created 30 hours ago, so not "created in the last 24 hours"
    await pushBuild(w, job('verify', 1), [F('testA8', '236.2')]);
    await pushBuild(w, job('nightly', 3), [F('testA9', '236.2')]);
    w.freeze(at(3));
    await pushBuild(w, job('ci', 1), [F('testA5', '236.2')]);
    w.freeze(at(2));
    await pushBuild(w, job('ci', 2), [F('testA7', '236.2')]);
    w.freeze(at(1));
    await pushBuild(w, job('ci', 3), [
      F('testA1', '236.2'), // final
      P('testA3', '236.2'), // passed
      F('testA4', '236.3'), // other release
      P('testA5', '236.2'), // failed, then passed in the same context: its last run passed
      F('testA6', '236.20'), // "236.20" is not "236.2"
      P('testA7', '236.3'), // final: its last run of 236.2 failed (236.3 passed is another context)
    ]);
    w.freeze(at(0));
    const tests = await w.read('automated_tests?fields=name&limit=100');
    for (const x of tests.data) a[x.name.replace('test', '')] = x.id;
    expect(Object.keys(a).sort()).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9']);
  });
  afterAll(() => {
    w.unfreeze();
    return t.close();
  });

  it('last_runs EQ {release EQ {name EQ ^236.2^}}', async () => {
    expect(sorted(await w.ids(`automated_tests?${qs('last_runs EQ {release EQ {name EQ ^236.2^}}')}`))).toEqual(sorted([a.A1, a.A2, a.A3, a.A5, a.A7, a.A8, a.A9]));
  });

  it('... ;status EQ {logical_name EQ ^list_node.run_status.failed^}', async () => {
    expect(sorted(await w.ids(`automated_tests?${qs('last_runs EQ {release EQ {name EQ ^236.2^};status EQ {logical_name EQ ^list_node.run_status.failed^}}')}`))).toEqual(
      sorted([a.A1, a.A2, a.A7, a.A8, a.A9]),
    );
  });

  it('final: ... ;creation_time GT ^<24 hours ago>^', async () => {
    const body = await w.read(
      `automated_tests?${qs(`last_runs EQ {release EQ {name EQ ^236.2^};status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^${SINCE}^}`)}&fields=name,last_runs{status,release,creation_time,build{name}}`,
    );
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([a.A1, a.A7, a.A8]));
    const a8 = body.data.find((e: any) => e.id === a.A8);
    // A8 has a run per job (nightly, passed at 30 h; verify, failed at 5 h); last_runs keeps the
    // newest of its release and environment: the verify run
    expect(a8.last_runs.data).toEqual([expect.objectContaining({ status: expect.objectContaining({ name: 'Failed' }), creation_time: at(5), build: expect.objectContaining({ name: 'verify #1' }) })]);
    expect((await w.read(`automated_runs?${qs(`test EQ {id EQ ${a.A8}}`)}`)).total_count).toBe(2);
  });
});
