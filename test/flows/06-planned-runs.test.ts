// Flow 6 (flows.md §6, Scenario_PlannedManualTests.htm, verified complete): the planned runs of
// manual tests, Gherkin tests and test suites. The final query uses single-quoted literals and
// `||` inside a cross-filter; as the page warns, it returns planned suite runs and the planned runs
// inside them both. `run` on tests is not returned by default (`fields=run`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, qs, sorted, type Workspace } from '../helpers/workspace.js';

const NATIVE = (s: string) => LIST(`list_node.run_native_status.${s}`);

describe('Get a list of planned runs for manual tests, Gherkin tests, and test suites', () => {
  let t: TestApp;
  let w: Workspace;
  const r: Record<string, string> = {};
  let m1: string;

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const release = ref('release', await w.add('releases', { name: 'R', start_date: '2024-01-01', end_date: '2024-12-31' }));
    m1 = await w.add('manual_tests', { name: 'M1' });
    const m2 = await w.add('manual_tests', { name: 'M2 (in the suite)' });
    const g1 = await w.add('gherkin_tests', { name: 'G1' });
    const a1 = await w.add('automated_tests', { name: 'A1' });
    const suite = await w.add('test_suites', { name: 'Suite' });
    await w.add('test_suite_link_to_tests', { test_suite: ref('test_suite', suite), test: ref('test_manual', m2) });
    r.MR1 = await w.add('manual_runs', { name: 'MR1', test: ref('test_manual', m1), release, native_status: NATIVE('planned') });
    r.MR2 = await w.add('manual_runs', { name: 'MR2', test: ref('test_manual', m1), release, native_status: NATIVE('passed') });
    r.GR1 = await w.add('manual_runs', { name: 'GR1', test: ref('gherkin_test', g1), release, native_status: NATIVE('planned') });
    r.SR = await w.add('suite_run', { name: 'SR', test: ref('test_suite', suite), release, native_status: NATIVE('planned') });
    r.SR2 = await w.add('suite_run', { name: 'SR2', test: ref('test_suite', suite), release, native_status: NATIVE('not_completed') });
    // the suite runs planned a run of M2 each
    const children = await w.read(`runs?${qs(`parent_suite EQ {id IN ${r.SR},${r.SR2}}`)}&fields=parent_suite&order_by=id`);
    expect(children.total_count).toBe(2);
    r.CR = children.data.find((c: any) => c.parent_suite.id === r.SR).id;
    r.CR2 = children.data.find((c: any) => c.parent_suite.id === r.SR2).id;
    r.AR1 = await w.add('automated_runs', { name: 'AR1', test: ref('test_automated', a1), native_status: NATIVE('planned') });
    r.AR2 = await w.add('automated_runs', { name: 'AR2', test: ref('test_automated', a1), native_status: NATIVE('failed') });
  });
  afterAll(() => t.close());

  it('1. GET .../runs', async () => {
    expect(sorted(await w.ids('runs'))).toEqual(sorted(Object.values(r)));
  });

  it("2. GET .../runs?query=\"status EQ {logical_name EQ 'list_node.run_status.planned'}\"", async () => {
    expect(sorted(await w.ids(`runs?${qs("status EQ {logical_name EQ 'list_node.run_status.planned'}")}`))).toEqual(sorted([r.MR1, r.GR1, r.SR, r.CR, r.AR1]));
  });

  it('3. final: planned runs whose test is manual, Gherkin or a suite (suite runs and their planned runs both)', async () => {
    const body = await w.read(
      `runs?${qs("status EQ {logical_name EQ 'list_node.run_status.planned'};test EQ {subtype EQ 'test_manual'||subtype EQ 'gherkin_test' || subtype EQ 'test_suite'}")}&fields=subtype,test,status`,
    );
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([r.MR1, r.GR1, r.SR, r.CR]));
    expect(body.total_count).toBe(4);
    const byId = Object.fromEntries(body.data.map((e: any) => [e.id, e]));
    expect(byId[r.SR]).toMatchObject({ type: 'run', subtype: 'run_suite', test: { type: 'test_suite' }, status: { name: 'Planned' } });
    expect(byId[r.CR]).toMatchObject({ subtype: 'run_manual', test: { type: 'test_manual' } });
    expect(byId[r.GR1].test.type).toBe('gherkin_test');
  });

  it('tests do not return `run` by default; GET .../tests?fields=run does', async () => {
    const plain = await w.read(`tests/${m1}`);
    expect(plain.run).toBeUndefined();
    const body = await w.read(`tests?fields=run&${qs(`id EQ ${m1}`)}`);
    expect(sorted(body.data[0].run.data.map((x: any) => x.id))).toEqual(sorted([r.MR1, r.MR2]));
  });
});
