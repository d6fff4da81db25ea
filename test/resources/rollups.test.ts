// Server-set roll-ups of the work item tree (hooks/rollups.ts, hooks/planning.ts): a feature's
// story points and progress from its children, an epic's story points from its features, an
// item's progress from its tasks' hours. Kept in step on create, update, move and delete, and
// filterable and sortable like stored fields. A write recomputes each parent it touches once, at
// its end (HookApi.defer), however many children it writes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, preparedRuns, PREVIEW, ref, type TestApp } from '../helpers/app.js';
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

describe('roll-ups of bulk writes: once per parent, at the end of the write', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });
  const values = async (id: string) => {
    const e = await w.read(`work_items/${id}?fields=story_points,progress`);
    return [e.story_points, e.progress ?? null];
  };
  /** `n` stories under `feature`: points 1..5 in turn, every third one done. */
  const stories = (feature: string, n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({
      name: `${prefix}${i}`,
      parent: ref('feature', feature),
      story_points: (i % 5) + 1,
      ...(i % 3 === 0 ? { phase: PHASE('phase.story.done') } : {}),
    }));
  /** Sums of `stories(…, n)`: [all points, done points]. */
  const sums = (n: number, from = 0) => {
    let all = 0;
    let done = 0;
    for (let i = from; i < n; i++) {
      all += (i % 5) + 1;
      if (i % 3 === 0) done += (i % 5) + 1;
    }
    return [all, done];
  };
  const pct = (part: number, whole: number) => Math.round((100 * part) / whole);
  /** Counts the roll-up sums (one per parent recomputed) that `fn` runs. */
  const rollUpsOf = (fn: () => Promise<void>) => preparedRuns(t, (key) => key.startsWith('rollup:sums:'), fn);

  it('a bulk create of many stories under one feature gives the feature and its epic their sums', async () => {
    const epic = await w.add('epics', { name: 'Bulk epic' });
    const [f1, f2] = await t.create(w.url('features'), { name: 'BF1', parent: ref('epic', epic) }, { name: 'BF2', parent: ref('epic', epic) });
    const r = await w.post('stories', { data: stories(f1, 300, 'bc') });
    expect(r.status, r.text).toBe(201);
    expect(r.body.total_count).toBe(300);
    const [all, done] = sums(300);
    expect(all).toBe(900);
    expect(await values(f1)).toEqual([all, pct(done, all)]);
    expect(await values(f2)).toEqual([null, null]);
    expect(await values(epic)).toEqual([all, null]);
    // a bulk through the aggregate: children of both features, of three subtypes
    const mixed = [
      { subtype: 'story', name: 'x', parent: ref('feature', f2), story_points: 7 },
      { subtype: 'defect', name: 'y', parent: ref('feature', f2), story_points: 1, phase: PHASE('phase.defect.closed') },
      { subtype: 'quality_story', name: 'z', parent: ref('feature', f1), story_points: 2 },
    ];
    const r2 = await w.post('work_items', { data: mixed }, PREVIEW);
    expect(r2.status, r2.text).toBe(201);
    expect(await values(f1)).toEqual([all + 2, pct(done, all + 2)]);
    expect(await values(f2)).toEqual([8, 13]);
    expect(await values(epic)).toEqual([all + 10, null]);
  });

  it('a bulk update moving children between features of two epics leaves both features and both epics right', async () => {
    const [e1, e2] = await t.create(w.url('epics'), { name: 'Move epic 1' }, { name: 'Move epic 2' });
    const [f1, f2] = await t.create(w.url('features'), { name: 'MF1', parent: ref('epic', e1) }, { name: 'MF2', parent: ref('epic', e2) });
    const created = await t.create(w.url('stories'), ...stories(f1, 100, 'mv'));
    // the first 40 move to F2; ten of the others get 10 points more
    const moves = created.slice(0, 40).map((id) => ({ id, parent: ref('feature', f2) }));
    const bumps = created.slice(40, 50).map((id, k) => ({ id, story_points: ((40 + k) % 5) + 11 }));
    const r = await w.put('stories', { data: [...moves, ...bumps] });
    expect(r.status, r.text).toBe(200);
    const [moved, movedDone] = sums(40);
    const [stayed, stayedDone] = sums(100, 40);
    const bumpedDone = [40, 41, 42, 43, 44, 45, 46, 47, 48, 49].filter((i) => i % 3 === 0).length * 10;
    expect(await values(f1)).toEqual([stayed + 100, pct(stayedDone + bumpedDone, stayed + 100)]);
    expect(await values(f2)).toEqual([moved, pct(movedDone, moved)]);
    expect(await values(e1)).toEqual([stayed + 100, null]);
    expect(await values(e2)).toEqual([moved, null]);
    // the answer of the same request already sees the parents' new values
    const back = await w.put('work_items?fields=story_points,progress', { data: [{ id: created[0], parent: ref('feature', f1) }, { id: f1 }, { id: f2 }, { id: e2 }] });
    expect(back.status, back.text).toBe(200);
    const first = 1; // points of story 0, done
    expect(back.body.data.map((e: { story_points: number | null; progress?: number | null }) => [e.story_points, e.progress ?? null])).toEqual([
      [first, null],
      [stayed + 100 + first, pct(stayedDone + bumpedDone + first, stayed + 100 + first)],
      [moved - first, pct(movedDone - first, moved - first)],
      [moved - first, null],
    ]);
  });

  it('a delete by query of many children recomputes their features and epic from what is left', async () => {
    const epic = await w.add('epics', { name: 'Delete epic' });
    const [f1, f2] = await t.create(w.url('features'), { name: 'DF1', parent: ref('epic', epic) }, { name: 'DF2', parent: ref('epic', epic) });
    await t.create(w.url('stories'), ...stories(f1, 60, 'del'));
    await t.create(w.url('stories'), ...stories(f2, 10, 'keep'));
    // every story of F1 with 4 or 5 points, and every story of F2
    const r = await w.del(`stories?${q(`parent EQ {id IN ${f1},${f2}};(story_points GT 3||parent EQ {id EQ ${f2}})`)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.total_count).toBe(24 + 10);
    let all = 0;
    let done = 0;
    for (let i = 0; i < 60; i++) {
      const p = (i % 5) + 1;
      if (p > 3) continue;
      all += p;
      if (i % 3 === 0) done += p;
    }
    expect(await values(f1)).toEqual([all, pct(done, all)]);
    expect(await values(f2)).toEqual([null, null]);
    expect(await values(epic)).toEqual([all, null]);
  });

  it('a partial bulk rolls up what was written; a failed all-or-nothing bulk changes nothing', async () => {
    const epic = await w.add('epics', { name: 'Partial epic' });
    const [f1, f2] = await t.create(w.url('features'), { name: 'PF1', parent: ref('epic', epic) }, { name: 'PF2', parent: ref('epic', epic) });
    const items = stories(f1, 20, 'pt');
    // items 3 and 11 fail: points that are not a number, a phase of another entity
    const bad = items.map((item, i) => (i === 3 ? { ...item, story_points: 'many' } : i === 11 ? { ...item, phase: PHASE('phase.defect.new') } : item));
    const r = await w.post('stories?partial=true', { data: bad });
    expect(r.status, r.text).toBe(201);
    expect(r.body.errors.map((e: { index: number }) => e.index)).toEqual([3, 11]);
    const [all, done] = sums(20);
    const written = all - 4 - 2; // items 3 (4 points) and 11 (2 points) are not written
    const writtenDone = done - 4; // item 3 was done
    expect(await values(f1)).toEqual([written, pct(writtenDone, written)]);
    expect(await values(epic)).toEqual([written, null]);
    // a partial bulk update: the moves that succeed count, the failing ones stay where they were
    const ids = r.body.data.map((e: { id: string }) => e.id);
    const moves = ids.slice(0, 6).map((id: string, k: number) => ({ id, parent: ref('feature', f2), ...(k === 2 ? { story_points: 'x' } : {}) }));
    const u = await w.put('stories?partial=true', { data: moves });
    expect(u.status, u.text).toBe(200);
    expect(u.body.errors.map((e: { index: number }) => e.index)).toEqual([2]);
    const f2Points = (await w.read(`stories?${q(`parent EQ {id EQ ${f2}}`)}&fields=story_points`)).data.reduce((n: number, e: { story_points: number }) => n + e.story_points, 0);
    expect(f2Points).toBe(1 + 2 + 5 + 1 + 2); // items 0, 1, 4, 5, 6 of the list posted (2 failed to move, 3 was never created)
    expect((await values(f2))[0]).toBe(f2Points);
    expect((await values(f1))[0]).toBe(written - f2Points);
    expect(await values(epic)).toEqual([written, null]);
    // all or nothing: one bad item and no roll-up changes
    const before = [await values(f1), await values(f2), await values(epic)];
    const none = await w.post('stories', { data: [...stories(f2, 5, 'none'), { name: 'bad', parent: ref('feature', f2), story_points: 'x' }] });
    expect(none.status).toBe(400);
    const moveBack = await w.put('stories', { data: [{ id: ids[0], parent: ref('feature', f1) }, { id: ids[1], story_points: 'x' }] });
    expect(moveBack.status).toBe(400);
    expect([await values(f1), await values(f2), await values(epic)]).toEqual(before);
  });

  it('a fixture, written entity by entity, ends with the roll-ups of what it created, computed once per parent', async () => {
    const child = (i: number, feature: string) => ({ name: `fx${i}`, parent: { type: 'feature', id: `@${feature}` }, story_points: i, ...(i % 2 ? { phase: PHASE('phase.story.done') } : {}) });
    let keys: Record<string, number> = {};
    const count = await rollUpsOf(async () => {
      keys = t.app.emulator.loadFixtures(
        {
          epics: [{ '@key': 'e', name: 'Fixture epic' }],
          features: [
            { '@key': 'a', name: 'Fixture A', parent: { type: 'epic', id: '@e' } },
            { '@key': 'b', name: 'Fixture B', parent: { type: 'epic', id: '@e' } },
          ],
          stories: [...[1, 2, 3, 4].map((i) => child(i, 'a')), ...[5, 6].map((i) => child(i, 'b'))],
        },
        Number(w.id),
      ).keys;
    });
    expect(count).toBe(3);
    expect(await values(String(keys.a))).toEqual([10, 40]);
    expect(await values(String(keys.b))).toEqual([11, 45]);
    expect(await values(String(keys.e))).toEqual([21, null]);
  });

  it('a bulk of 500 children of one feature recomputes the feature and its epic once each', async () => {
    const epic = await w.add('epics', { name: 'Count epic' });
    const [f1, f2] = await t.create(w.url('features'), { name: 'CF1', parent: ref('epic', epic) }, { name: 'CF2', parent: ref('epic', epic) });
    let ids: string[] = [];
    expect(
      await rollUpsOf(async () => {
        const r = await w.post('stories', { data: stories(f1, 500, 'cnt') });
        expect(r.status, r.text).toBe(201);
        ids = r.body.data.map((e: { id: string }) => e.id);
      }),
    ).toBe(2);
    const [all, done] = sums(500);
    expect(await values(f1)).toEqual([all, pct(done, all)]);
    // moving them all: both features and the epic
    expect(
      await rollUpsOf(async () => {
        const r = await w.put('stories', { data: ids.map((id) => ({ id, parent: ref('feature', f2) })) });
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(3);
    // the same change to all of them by query
    expect(
      await rollUpsOf(async () => {
        const r = await w.put(`stories?${q(`parent EQ {id EQ ${f2}}`)}`, { story_points: 2 });
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(2);
    expect(await values(f2)).toEqual([1000, pct(2 * Math.ceil(500 / 3), 1000)]);
    expect(await values(epic)).toEqual([1000, null]);
    expect(
      await rollUpsOf(async () => {
        const r = await w.del(`stories?${q(`parent EQ {id EQ ${f2}}`)}`);
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(2);
    // an epic whose features have no points has 0 (it has children), a feature without children none
    expect(await values(f2)).toEqual([null, null]);
    expect(await values(epic)).toEqual([0, null]);
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
