// Flow 14 (flows.md §14, Scenario_SuccessRunOpenDefects.htm, first 2 steps verified): defects in
// phase *fixed* (the page filters fixed although its title says open) opened from a passed run of
// test 1113 (here: a test this file creates).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, many, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get open defects associated with a successful test run', () => {
  let t: TestApp;
  let w: Workspace;
  let test: string;
  const d: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const release = ref('release', await w.add('releases', { name: 'R', start_date: '2024-01-01', end_date: '2024-12-31' }));
    test = await w.add('automated_tests', { name: 'test1113' });
    const otherTest = await w.add('automated_tests', { name: 'otherTest' });
    const run = (testId: string, status: string) =>
      w.add('automated_runs', { name: `${status} run`, test: ref('test_automated', testId), release, native_status: LIST(`list_node.run_native_status.${status}`) });
    const passed = await run(test, 'passed');
    const failed = await run(test, 'failed');
    const otherPassed = await run(otherTest, 'passed');
    const skipped = await run(test, 'skipped');
    const defect = async (label: string, phase: string, runs: string[]) => {
      d[label] = await w.add('defects', { name: `Defect ${label}`, phase: PHASE(`phase.defect.${phase}`), run: many(...runs.map((r) => ref('run_automated', r))) });
    };
    await defect('D1', 'fixed', [passed]); // final
    await defect('D2', 'fixed', [failed]); // failed run
    await defect('D3', 'opened', [passed]); // not fixed
    await defect('D4', 'fixed', []); // no run
    await defect('D5', 'fixed', [otherPassed]); // another test
    await defect('D6', 'fixed', [skipped]); // skipped is not passed
    await defect('D7', 'fixed', [failed, passed]); // final: one of its runs passed
  });
  afterAll(() => t.close());

  it('1. GET .../defects', async () => {
    expect(sorted(await w.ids('defects'))).toEqual(sorted(Object.values(d)));
  });

  it('2. GET .../defects?query="phase EQ {logical_name EQ ^phase.defect.fixed^}"', async () => {
    expect(sorted(await w.ids(`defects?${qs('phase EQ {logical_name EQ ^phase.defect.fixed^}')}`))).toEqual(sorted([d.D1, d.D2, d.D4, d.D5, d.D6, d.D7]));
  });

  it('3. ... ;run EQ {test EQ {id EQ 1113};status EQ {…passed…}}', async () => {
    expect(
      sorted(await w.ids(`defects?${qs(`phase EQ {logical_name EQ ^phase.defect.fixed^};run EQ {test EQ {id EQ ${test}};status EQ {logical_name EQ ^list_node.run_status.passed^}}`)}`)),
    ).toEqual(sorted([d.D1, d.D7]));
  });
});
