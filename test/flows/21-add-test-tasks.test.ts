// Flow 21 (flows.md §21, Scenario-AddMissingTasks.htm; calls inferred): the stories and defects of
// a release that have no "test" task get one. The query negates a cross-filter on the reverse field
// child_task (items with no tasks at all match too); the write is verified with a fresh read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, qs, sorted, type Workspace } from '../helpers/workspace.js';

const TEST_TYPE = { type: 'list_node', id: 'list_node.task_item_type.test' };

describe('Add "test" tasks to work items that have none', () => {
  let t: TestApp;
  let w: Workspace;
  let release: string;
  let me: string;
  const i: Record<string, string> = {};
  let found: Array<{ id: string; subtype: string }>;
  const query = () =>
    `work_items?${qs(`subtype IN ^story^,^defect^,^quality_story^;release EQ {id EQ ${release}};!child_task EQ {item_type EQ {logical_name EQ ^list_node.task_item_type.test^}}`)}&fields=subtype,name`;

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    me = await w.user('Me');
    release = await w.add('releases', { name: 'R', start_date: '2024-01-01', end_date: '2024-12-31' });
    const other = await w.add('releases', { name: 'Other', start_date: '2025-01-01', end_date: '2025-12-31' });
    const R = { type: 'release', id: release };
    i.S1 = await w.add('stories', { name: 'No tasks', release: R }); // gets one
    i.S2 = await w.add('stories', { name: 'Only a develop task', release: R }); // gets one
    await w.add('tasks', { name: 'Develop', story: { type: 'story', id: i.S2 }, item_type: { type: 'list_node', id: 'list_node.task_item_type.develop' } });
    i.S3 = await w.add('stories', { name: 'Has a test task', release: R });
    await w.add('tasks', { name: 'Test', story: { type: 'story', id: i.S3 }, item_type: TEST_TYPE });
    i.D1 = await w.add('defects', { name: 'Defect without tasks', release: R }); // gets one
    i.S4 = await w.add('stories', { name: 'Other release', release: { type: 'release', id: other } });
    i.S5 = await w.add('stories', { name: 'No release' });
    i.F1 = await w.add('features', { name: 'Feature in the release', release: R }); // features do not hold tasks
  });
  afterAll(() => t.close());

  it('GET .../work_items?query="subtype IN ^story^,^defect^,^quality_story^;release EQ {id EQ R};!child_task EQ {item_type EQ {…test…}}"', async () => {
    const body = await w.read(query());
    found = body.data;
    expect(sorted(found.map((e) => e.id))).toEqual(sorted([i.S1, i.S2, i.D1]));
    expect(Object.fromEntries(found.map((e) => [e.id, e.subtype]))).toEqual({ [i.S1]: 'story', [i.S2]: 'story', [i.D1]: 'defect' });
  });

  it('POST .../tasks: one "Test" task per item found', async () => {
    const r = await w.post('tasks', {
      data: found.map((e) => ({
        name: 'Test',
        story: { type: e.subtype, id: e.id },
        phase: { type: 'phase', id: 'phase.task.new' },
        item_type: TEST_TYPE,
        owner: { type: 'workspace_user', id: me },
      })),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.total_count).toBe(3);
  });

  it('a fresh read: no item of the release lacks a test task; every item has exactly one', async () => {
    expect(await w.ids(query())).toEqual([]);
    const tasks = await w.read(`tasks?${qs('item_type EQ {logical_name EQ ^list_node.task_item_type.test^}')}&fields=story,phase{logical_name},owner`);
    expect(sorted(tasks.data.map((x: any) => x.story.id))).toEqual(sorted([i.S1, i.S2, i.S3, i.D1]));
    const added = tasks.data.filter((x: any) => x.story.id !== i.S3);
    expect(added.every((x: any) => x.phase.logical_name === 'phase.task.new' && x.owner.id === me)).toBe(true);
    // the items outside the release are untouched
    expect(await w.ids(`tasks?${qs(`story EQ {id IN ${i.S4},${i.S5}}`)}`)).toEqual([]);
  });
});
