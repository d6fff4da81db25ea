// Flow 22 (flows.md §22, Scenario-TasksMarkDone.htm; calls inferred): stories none of whose tasks
// is not completed (`!child_task EQ {!phase EQ {…completed…}}` — stories without tasks match that
// too, so the client only marks those that have tasks, reading child_task), marked done with a
// bulk PUT; verified with a fresh read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Mark stories done if tasks are completed', () => {
  let t: TestApp;
  let w: Workspace;
  const s: Record<string, string> = {};
  let toMark: string[];
  const QUERY = '!child_task EQ {!phase EQ {logical_name EQ ^phase.task.completed^}}';

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const task = (story: string, phase: string) => w.add('tasks', { name: `Task ${phase}`, story: { type: 'story', id: story }, phase: PHASE(`phase.task.${phase}`) });
    s.S1 = await w.add('stories', { name: 'All tasks completed', phase: PHASE('phase.story.inprogress') });
    await task(s.S1, 'completed');
    await task(s.S1, 'completed');
    s.S2 = await w.add('stories', { name: 'One task in progress', phase: PHASE('phase.story.inprogress') });
    await task(s.S2, 'completed');
    await task(s.S2, 'inprogress');
    s.S3 = await w.add('stories', { name: 'No tasks', phase: PHASE('phase.story.inprogress') });
    s.S4 = await w.add('stories', { name: 'Completed task, in testing', phase: PHASE('phase.story.intesting') });
    await task(s.S4, 'completed');
    s.S5 = await w.add('stories', { name: 'New task', phase: PHASE('phase.story.new') });
    await task(s.S5, 'new');
    // a defect with completed tasks is not a story
    const d = await w.add('defects', { name: 'Defect' });
    await w.add('tasks', { name: 'Fix', story: { type: 'defect', id: d }, phase: PHASE('phase.task.completed') });
  });
  afterAll(() => t.close());

  it('GET .../stories?query="!child_task EQ {!phase EQ {logical_name EQ ^phase.task.completed^}}"&fields=child_task', async () => {
    const body = await w.read(`stories?${qs(QUERY)}&fields=name,child_task,phase`);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([s.S1, s.S3, s.S4]));
    toMark = body.data.filter((e: any) => e.child_task.total_count > 0).map((e: any) => e.id);
    expect(sorted(toMark)).toEqual(sorted([s.S1, s.S4]));
  });

  it('or per story: GET .../tasks?query="story EQ {id EQ X}"', async () => {
    const tasks = await w.read(`tasks?${qs(`story EQ {id EQ ${s.S2}}`)}&fields=phase{logical_name}`);
    expect(tasks.data.map((x: any) => x.phase.logical_name).sort()).toEqual(['phase.task.completed', 'phase.task.inprogress']);
  });

  it('PUT .../stories {"data":[{"id":…,"phase":{"type":"phase","id":"phase.story.done"}}]} and a fresh read', async () => {
    const r = await w.put('stories', { data: toMark.map((id) => ({ id, phase: { type: 'phase', id: 'phase.story.done' } })) });
    expect(r.status, r.text).toBe(200);
    expect(r.body.total_count).toBe(2);
    const after = await w.read(`stories?fields=phase{logical_name}&order_by=id`);
    expect(Object.fromEntries(after.data.map((e: any) => [e.id, e.phase.logical_name]))).toEqual({
      [s.S1]: 'phase.story.done',
      [s.S2]: 'phase.story.inprogress',
      [s.S3]: 'phase.story.inprogress',
      [s.S4]: 'phase.story.done',
      [s.S5]: 'phase.story.new',
    });
  });
});
