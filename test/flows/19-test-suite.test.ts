// Flow 19 (flows.md §19, Scenario_CreateTestSuite.htm; calls inferred): create a suite, link a
// manual and a Gherkin test to it through test_suite_link_to_tests (no subtype given), read the
// links back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Create a test suite with manual and Gherkin tests', () => {
  let t: TestApp;
  let w: Workspace;
  let manual: string;
  let gherkin: string;
  let suite: string;
  let links: string[];

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    manual = await w.add('manual_tests', { name: 'Manual test' });
    gherkin = await w.add('gherkin_tests', { name: 'Gherkin test' });
    // another suite holding the manual test: its link must not show up
    const other = await w.add('test_suites', { name: 'Other suite' });
    await w.add('test_suite_link_to_tests', { test_suite: { type: 'test_suite', id: other }, test: { type: 'test_manual', id: manual } });
  });
  afterAll(() => t.close());

  it('POST .../test_suites {"data":[{"name":"My suite","phase":…}]}', async () => {
    const r = await w.post('test_suites', { data: [{ name: 'My suite', phase: { type: 'phase', id: 'phase.test_suite.new' } }] });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'test_suite', name: 'My suite', phase: { type: 'phase', name: 'New' } });
    suite = r.body.data[0].id;
  });

  it('POST .../test_suite_link_to_tests with a manual and a Gherkin test', async () => {
    const r = await w.post('test_suite_link_to_tests', {
      data: [
        { test_suite: { type: 'test_suite', id: suite }, test: { type: 'test_manual', id: manual } },
        { test_suite: { type: 'test_suite', id: suite }, test: { type: 'gherkin_test', id: gherkin } },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.total_count).toBe(2);
    links = r.body.data.map((l: any) => l.id);
  });

  it('GET .../test_suite_link_to_tests?query="test_suite EQ {id EQ <suite>}"', async () => {
    const body = await w.read(`test_suite_link_to_tests?${qs(`test_suite EQ {id EQ ${suite}}`)}&fields=test_suite,test,order,include_in_next_run`);
    expect(sorted(body.data.map((l: any) => l.id))).toEqual(sorted(links));
    expect(body.data.map((l: any) => [l.test.type, l.test.id, l.order, l.include_in_next_run]).sort()).toEqual(
      [
        ['gherkin_test', gherkin, 2, true],
        ['test_manual', manual, 1, true],
      ].sort(),
    );
    expect(body.data.every((l: any) => l.test_suite.id === suite)).toBe(true);
    // the suite's tests, from the test side
    expect(await w.ids(`manual_tests?${qs(`link_to_test EQ {test_suite EQ {id EQ ${suite}}}`)}`)).toEqual([manual]);
    expect(await w.ids(`gherkin_tests?${qs(`link_to_test EQ {test_suite EQ {id EQ ${suite}}}`)}`)).toEqual([gherkin]);
  });
});
