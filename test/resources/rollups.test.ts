// Server-set roll-ups of the work item tree (hooks/rollups.ts, hooks/planning.ts): a feature's
// story points and progress from its children, an epic's story points from its features, an
// item's progress from its tasks' hours. Kept in step on create, update, move and delete, and
// filterable and sortable like stored fields.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, q } from '../helpers/octane.js';
import { freshWorkspace, PHASE, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

describe('story points and progress of features and epics', () => {
  let w: Workspace;
  let epic: string;
  let f1: string;
  let f2: string;
  const points = async (collection: string, id: string) => {
    const e = await w.read(`${collection}/${id}?fields=story_points${collection === 'features' ? ',progress' : ''}`);
    return collection === 'features' ? [e.story_points, e.progress] : e.story_points;
  };
  beforeAll(async () => {
    w = await freshWorkspace(t);
    epic = await w.add('epics', { name: 'Epic' });
    f1 = await w.add('features', { name: 'F1', parent: ref('epic', epic) });
    f2 = await w.add('features', { name: 'F2', parent: ref('epic', epic) });
  });

  it('a feature without children has no story points or progress; its own story points are read-only', async () => {
    expect(await points('features', f1)).toEqual([null, null]);
    expect(await points('epics', epic)).toBe(0);
    const r = await w.post('features', { data: [{ name: 'Estimated', story_points: 8 }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'story_points' }]);
  });

  it('children add their points; done children (Done metaphase) make the progress', async () => {
    const s1 = await w.add('stories', { name: 'S1', parent: ref('feature', f1), story_points: 5 });
    const s2 = await w.add('stories', { name: 'S2', parent: ref('feature', f1), story_points: 3, phase: PHASE('phase.story.done') });
    const d1 = await w.add('defects', { name: 'D1', parent: ref('feature', f1), story_points: 2, phase: PHASE('phase.defect.closed') });
    expect(await points('features', f1)).toEqual([10, 50]);
    expect(await points('epics', epic)).toBe(10);
    // a child's points change
    expect((await w.put(`stories/${s1}`, { story_points: 8 })).status).toBe(200);
    expect(await points('features', f1)).toEqual([13, 38]);
    // a child reaches Done through its workflow
    for (const next of ['inprogress', 'done']) expect((await w.put(`stories/${s1}`, { phase: PHASE(`phase.story.${next}`) })).status).toBe(200);
    expect(await points('features', f1)).toEqual([13, 100]);
    // and is reopened
    expect((await w.put(`stories/${s1}`, { phase: PHASE('phase.story.inprogress') })).status).toBe(200);
    expect(await points('features', f1)).toEqual([13, 38]);
    // moving a child to another feature moves its points (both features and the epic stay right)
    expect((await w.put(`stories/${s1}`, { parent: ref('feature', f2) })).status).toBe(200);
    expect(await points('features', f1)).toEqual([5, 100]);
    expect(await points('features', f2)).toEqual([8, 0]);
    expect(await points('epics', epic)).toBe(13);
    // deleting a child removes its points
    expect((await w.del(`defects/${d1}`)).status).toBe(200);
    expect(await points('features', f1)).toEqual([3, 100]);
    expect(await points('epics', epic)).toBe(11);
    // moving a feature to another epic moves its points
    const epic2 = await w.add('epics', { name: 'Epic 2' });
    expect((await w.put(`features/${f2}`, { parent: ref('epic', epic2) })).status).toBe(200);
    expect(await points('epics', epic)).toBe(3);
    expect(await points('epics', epic2)).toBe(8);
    // a child moved to the backlog root leaves its feature empty
    expect((await w.put(`stories/${s2}`, { parent: ref('work_item_root', w.rootId) })).status).toBe(200);
    expect(await points('features', f1)).toEqual([null, null]);
    expect(await points('epics', epic)).toBe(0);
  });

  it('roll-ups filter and sort like stored fields', async () => {
    const w2 = await freshWorkspace(t);
    const big = await w2.add('features', { name: 'Big' });
    const small = await w2.add('features', { name: 'Small' });
    const empty = await w2.add('features', { name: 'Empty' });
    await w2.add('stories', { name: 'a', parent: ref('feature', big), story_points: 13, phase: PHASE('phase.story.done') });
    await w2.add('stories', { name: 'b', parent: ref('feature', big), story_points: 8 });
    await w2.add('stories', { name: 'c', parent: ref('feature', small), story_points: 2, phase: PHASE('phase.story.done') });
    expect(await w2.ids(`features?${q('story_points GT 5')}`)).toEqual([big]);
    expect(await w2.ids(`features?${q('progress EQ 100')}`)).toEqual([small]);
    expect(await w2.ids(`features?${q('progress EQ null')}`)).toEqual([empty]);
    expect(await w2.ids('features?order_by=-story_points,id')).toEqual([big, small, empty]);
    expect(await w2.ids('features?order_by=progress,id')).toEqual([empty, big, small]);
    const body = await w2.read(`features/${big}?fields=story_points,progress`);
    expect(body).toMatchObject({ story_points: 21, progress: 62 });
  });
});

describe('progress of a backlog item from its tasks', () => {
  it('is the invested share of invested plus remaining hours, on create, update, move and delete', async () => {
    const w = await freshWorkspace(t);
    const s = await w.add('stories', { name: 'Story' });
    const other = await w.add('defects', { name: 'Defect' });
    const progress = async (collection: string, id: string) => (await w.read(`${collection}/${id}?fields=progress`)).progress;
    expect(await progress('stories', s)).toBeNull();
    const t1 = await w.add('tasks', { name: 'T1', story: ref('story', s), invested_hours: 3, remaining_hours: 1 });
    expect(await progress('stories', s)).toBe(75);
    const t2 = await w.add('tasks', { name: 'T2', story: ref('story', s), invested_hours: 0, remaining_hours: 4 });
    expect(await progress('stories', s)).toBe(38);
    expect((await w.put(`tasks/${t2}`, { invested_hours: 4, remaining_hours: 0 })).status).toBe(200);
    expect(await progress('stories', s)).toBe(88);
    expect((await w.put(`tasks/${t1}`, { story: ref('defect', other) })).status).toBe(200);
    expect(await progress('stories', s)).toBe(100);
    expect(await progress('defects', other)).toBe(75);
    expect((await w.del(`tasks/${t1}`)).status).toBe(200);
    expect(await progress('defects', other)).toBeNull();
    expect(await w.ids(`stories?${q('progress EQ 100')}`)).toEqual([s]);
    // read-only for clients
    const r = await w.put(`stories/${s}`, { progress: 10 });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('platform.field_validation_error');
  });
});
