// Flow 20 (flows.md §20, Scenario_CreateTestSuiteRun.htm; calls inferred): planning a suite run
// (POST .../suite_run, the singular collection) makes the server plan one manual run per suite
// link with include_in_next_run, each pointing back through parent_suite; they are read with
// GET .../runs?query="parent_suite EQ {id EQ <run>}".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Plan a test suite run', () => {
  let t: TestApp;
  let w: Workspace;
  let suite: string;
  let release: string;
  let tester: string;
  let chrome: string;
  const tests: Record<string, string> = {};
  let suiteRun: string;

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    release = await w.add('releases', { name: 'Release 1', start_date: '2024-01-01', end_date: '2024-12-31' });
    tester = await w.user('Tina', 'Tester');
    chrome = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.chrome');
    suite = await w.add('test_suites', { name: 'Smoke suite' });
    tests.M1 = await w.add('manual_tests', { name: 'M1' });
    tests.G1 = await w.add('gherkin_tests', { name: 'G1' });
    tests.M2 = await w.add('manual_tests', { name: 'M2 (left out of the next run)' });
    tests.A1 = await w.add('automated_tests', { name: 'A1 (automated)' });
    const link = (id: string, type: string, extra: Record<string, unknown> = {}) => w.add('test_suite_link_to_tests', { test_suite: { type: 'test_suite', id: suite }, test: { type, id }, ...extra });
    await link(tests.M1, 'test_manual');
    await link(tests.G1, 'gherkin_test');
    await link(tests.M2, 'test_manual', { include_in_next_run: false });
    await link(tests.A1, 'test_automated');
    // another suite run of another suite, whose runs must not show up
    const other = await w.add('test_suites', { name: 'Other suite' });
    await w.add('test_suite_link_to_tests', { test_suite: { type: 'test_suite', id: other }, test: { type: 'test_manual', id: tests.M1 } });
    await w.add('suite_run', { name: 'Other suite run', test: { type: 'test_suite', id: other }, release: { type: 'release', id: release }, native_status: { type: 'list_node', id: 'list_node.run_native_status.planned' } });
  });
  afterAll(() => t.close());

  it('POST .../suite_run with the suite, release, planned status, default tester and environment', async () => {
    const r = await w.post('suite_run', {
      data: [
        {
          name: 'Suite run',
          test: { type: 'test_suite', id: suite },
          release: { type: 'release', id: release },
          native_status: { type: 'list_node', id: 'list_node.run_native_status.planned' },
          default_run_by: { type: 'workspace_user', id: tester },
          default_taxonomies: { data: [{ type: 'taxonomy_item_node', id: chrome }] },
        },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'run_suite', name: 'Suite run', test: { type: 'test_suite', id: suite } });
    suiteRun = r.body.data[0].id;
  });

  it('GET .../runs?query="parent_suite EQ {id EQ <suite run>}": one planned run per included manual / Gherkin test', async () => {
    const body = await w.read(`runs?${qs(`parent_suite EQ {id EQ ${suiteRun}}`)}&fields=subtype,name,test,release,run_by,taxonomies,parent_suite,native_status{logical_name},status{logical_name}`);
    expect(body.total_count).toBe(2);
    expect(sorted(body.data.map((r: any) => r.test.id))).toEqual(sorted([tests.M1, tests.G1]));
    for (const run of body.data) {
      expect(run).toMatchObject({
        type: 'run',
        subtype: 'run_manual',
        release: { type: 'release', id: release },
        run_by: { type: 'workspace_user', id: tester },
        parent_suite: { type: 'run_suite', id: suiteRun },
        native_status: { logical_name: 'list_node.run_native_status.planned' },
        status: { logical_name: 'list_node.run_status.planned' },
      });
      expect(run.taxonomies.data.map((x: any) => x.id)).toEqual([chrome]);
    }
    // the suite run lists the same runs
    const sr = await w.read(`suite_run/${suiteRun}?fields=runs_in_suite`);
    expect(sorted(sr.runs_in_suite.data.map((x: any) => x.id))).toEqual(sorted(body.data.map((r: any) => r.id)));
  });
});
