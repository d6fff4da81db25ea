// Flow 13 (flows.md §13, Scenario_FailingRunDefects.htm, first 2 steps verified): closed defects
// opened from a failed run of test 1113 (here: a test this file creates). Both conditions of the
// run cross-filter hold for the same run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, many, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get closed defects associated with a failed test run', () => {
  let t: TestApp;
  let w: Workspace;
  let test: string;
  const d: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const release = ref('release', await w.add('releases', { name: 'R', start_date: '2024-01-01', end_date: '2024-12-31' }));
    test = await w.add('manual_tests', { name: 'Test 1113' });
    const otherTest = await w.add('manual_tests', { name: 'Other test' });
    const run = (testId: string, status: string) =>
      w.add('manual_runs', { name: `${status} run`, test: ref('test_manual', testId), release, native_status: LIST(`list_node.run_native_status.${status}`) });
    const failed = await run(test, 'failed');
    const passed = await run(test, 'passed');
    const otherFailed = await run(otherTest, 'failed');
    const failedAgain = await run(test, 'failed');
    const defect = async (label: string, phase: string, runs: string[]) => {
      d[label] = await w.add('defects', { name: `Defect ${label}`, phase: PHASE(`phase.defect.${phase}`), run: many(...runs.map((r) => ref('run_manual', r))) });
    };
    await defect('D1', 'closed', [failed]); // final
    await defect('D2', 'closed', [passed]); // the run passed
    await defect('D3', 'opened', [failed]); // not closed
    await defect('D4', 'closed', [otherFailed]); // another test
    await defect('D5', 'closed', []); // no run
    await defect('D6', 'closed', [passed, failedAgain]); // final: one of its runs
    await defect('D7', 'closed', [passed, otherFailed]); // a run of the test and a failed run, but not the same run
  });
  afterAll(() => t.close());

  it('1. GET .../defects', async () => {
    expect(sorted(await w.ids('defects'))).toEqual(sorted(Object.values(d)));
  });

  it('2. GET .../defects?query="phase EQ {logical_name EQ ^phase.defect.closed^}"', async () => {
    expect(sorted(await w.ids(`defects?${qs('phase EQ {logical_name EQ ^phase.defect.closed^}')}`))).toEqual(sorted([d.D1, d.D2, d.D4, d.D5, d.D6, d.D7]));
  });

  it('3. ... ;run EQ {test EQ {id EQ 1113};status EQ {…failed…}}', async () => {
    const body = await w.read(
      `defects?${qs(`phase EQ {logical_name EQ ^phase.defect.closed^};run EQ {test EQ {id EQ ${test}};status EQ {logical_name EQ ^list_node.run_status.failed^}}`)}&fields=name,run`,
    );
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([d.D1, d.D6]));
  });
});
