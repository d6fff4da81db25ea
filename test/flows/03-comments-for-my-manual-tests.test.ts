// Flow 3 (flows.md §3; page not returned by search, requests inferred): the comments on my manual
// tests, in one request (cross-filter through owner_test) and in the two-step form
// (my manual tests, then the comments of those ids).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get the comments for my manual tests', () => {
  let t: TestApp;
  let w: Workspace;
  let me: string;
  const c: Record<string, string> = {};
  let myTests: string[];

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    me = await w.user('Me');
    const other = await w.user('Other');
    const release = await w.add('releases', { name: 'R', start_date: '2024-01-01', end_date: '2024-12-31' });
    const m1 = await w.add('manual_tests', { name: 'My manual 1', owner: ref('workspace_user', me) });
    const m2 = await w.add('manual_tests', { name: 'My manual 2', owner: ref('workspace_user', me) });
    const m3 = await w.add('manual_tests', { name: 'Not mine', owner: ref('workspace_user', other) });
    const m4 = await w.add('manual_tests', { name: 'Nobody\'s' });
    const g1 = await w.add('gherkin_tests', { name: 'My Gherkin', owner: ref('workspace_user', me) });
    const story = await w.add('stories', { name: 'My story', owner: ref('workspace_user', me) });
    const run = await w.add('manual_runs', { name: 'My run', test: ref('test_manual', m1), release: ref('release', release), native_status: LIST('list_node.run_native_status.passed'), run_by: ref('workspace_user', me) });
    myTests = [m1, m2];
    const comment = async (label: string, owner: Record<string, unknown>) => {
      c[label] = await w.add('comments', { text: `<p>Comment ${label}</p>`, ...owner });
    };
    await comment('C1', { owner_test: ref('test_manual', m1) });
    await comment('C2', { owner_test: ref('test_manual', m1) });
    await comment('C3', { owner_test: ref('test_manual', m2) });
    await comment('C4', { owner_test: ref('test_manual', m3) }); // someone else's test
    await comment('C5', { owner_test: ref('test_manual', m4) });
    await comment('C6', { owner_test: ref('gherkin_test', g1) }); // mine, but Gherkin
    await comment('C7', { owner_work_item: ref('story', story) }); // mine, but a story
    await comment('C8', { owner_run: ref('run_manual', run) }); // a run of my test
  });
  afterAll(() => t.close());

  it('in one request: GET .../comments?query="owner_test EQ {subtype EQ ^test_manual^;owner EQ {id EQ me}}"', async () => {
    const body = await w.read(`comments?${qs(`owner_test EQ {subtype EQ ^test_manual^;owner EQ {id EQ ${me}}}`)}&fields=text,author,creation_time,owner_test`);
    expect(body.total_count).toBe(3);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([c.C1, c.C2, c.C3]));
    const c1 = body.data.find((e: any) => e.id === c.C1);
    expect(c1).toMatchObject({ type: 'comment', text: '<p>Comment C1</p>', author: { type: 'workspace_user', id: String(t.app.emulator.defaults.adminUserId) }, owner_test: { type: 'test_manual', id: myTests[0] } });
    expect(c1.creation_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('in two steps: my manual tests (fields=id), then the comments whose owner_test is one of them', async () => {
    const tests = await w.read(`manual_tests?${qs(`owner EQ {id EQ ${me}}`)}&fields=id`);
    expect(tests.data).toEqual(myTests.map((id) => ({ type: 'test_manual', id })));
    const ids = tests.data.map((e: any) => e.id).join(',');
    expect(sorted(await w.ids(`comments?${qs(`owner_test EQ {id IN ${ids}}`)}`))).toEqual(sorted([c.C1, c.C2, c.C3]));
  });
});
