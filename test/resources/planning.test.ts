// Issue 6, the planning domain, rule by rule through HTTP: the work item tree, life cycle and
// transitions, tasks and their hour roll-ups, releases / sprints / teams, the requirement and
// application-module trees, seeded environments and lists, My Work items, and user-defined fields.
//
// Each describe block works in a workspace of its own (POST .../workspaces gives a freshly seeded
// one), so counts are exact.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, preparedRuns, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';
import { freshWorkspace, LIST, many, PHASE, sorted, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

const descriptionOf = (r: { body: any }) => String(r.body.errors?.[0]?.description ?? r.body.description);

// ---- work item tree ------------------------------------------------------------------------------

describe('work item tree', () => {
  let w: Workspace;
  let epic: string;
  let feature: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    epic = await w.add('epics', { name: 'Epic' });
    feature = await w.add('features', { name: 'Feature', parent: ref('epic', epic) });
  });

  it('work_items shows every subtype with `subtype`; one id per item whatever the collection; quality stories behind the preview header', async () => {
    const w2 = await freshWorkspace(t);
    const e = await w2.add('epics', { name: 'E' });
    const f = await w2.add('features', { name: 'F', parent: ref('epic', e) });
    const s = await w2.add('stories', { name: 'S', parent: ref('feature', f) });
    const d = await w2.add('defects', { name: 'D', parent: ref('feature', f) });
    const qs = await w2.add('quality_stories', { name: 'Q', parent: ref('feature', f) }, PREVIEW);
    const withPreview = await w2.read('work_items?fields=subtype,name&order_by=id', PREVIEW);
    expect(withPreview.data.map((x: any) => [x.id, x.type, x.subtype])).toEqual([
      [w2.rootId, 'work_item', 'work_item_root'],
      [e, 'work_item', 'epic'],
      [f, 'work_item', 'feature'],
      [s, 'work_item', 'story'],
      [d, 'work_item', 'defect'],
      [qs, 'work_item', 'quality_story'],
    ]);
    expectOctaneError(await w2.get('quality_stories'), 403, 'platform.tech_preview_required');
    // the same entity through its own collection and the aggregate
    expect(await w2.read(`stories/${s}?fields=name`)).toMatchObject({ type: 'story', id: s, name: 'S' });
    expect(await w2.read(`work_items/${s}?fields=name,subtype`)).toMatchObject({ type: 'work_item', subtype: 'story', id: s, name: 'S' });
    expectOctaneError(await w2.get(`defects/${s}`), 404, 'platform.entity_not_found');
    // writes through the aggregate name the subtype
    const viaAggregate = await w2.add('work_items', { name: 'S2', subtype: 'story', parent: ref('feature', f) });
    expect((await w2.read(`stories/${viaAggregate}?fields=parent`)).parent.id).toBe(f);
    // quality stories are a technical preview: without the header work_items does not show them
    const plain = await w2.read('work_items?fields=subtype&order_by=id');
    expect(plain.data.map((x: any) => x.id)).toEqual([w2.rootId, e, f, s, d, viaAggregate]);
    expectOctaneError(await w2.get(`work_items/${qs}`), 403, 'platform.tech_preview_required');
  });

  it('a parent of a type the child cannot hang under is a 400 that names the allowed types', async () => {
    // story under an epic (stories hang under the root or a feature)
    let r = await w.post('stories', { data: [{ name: 'S', parent: ref('epic', epic) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'parent' }]);
    expect(descriptionOf(r)).toContain('work_item_root or feature');
    // the same when the reference names the aggregate type: the row's real type decides
    r = await w.post('defects', { data: [{ name: 'D', parent: ref('work_item', epic) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'parent' }]);
    expect(descriptionOf(r)).toContain('work_item_root or feature');
    // feature under a feature (features hang under the root or an epic)
    r = await w.post('features', { data: [{ name: 'F', parent: ref('feature', feature) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'parent' }]);
    expect(descriptionOf(r)).toContain('work_item_root or epic');
    // epic under a feature (epics hang under the root only)
    r = await w.post('epics', { data: [{ name: 'E', parent: ref('feature', feature) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'parent' }]);
    expect(descriptionOf(r)).toContain('work_item_root');
    // moving an existing story under an epic: the same rule on update
    const story = await w.add('stories', { name: 'Movable', parent: ref('feature', feature) });
    r = await w.put(`stories/${story}`, { parent: ref('epic', epic) });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    expect(r.body.properties).toMatchObject({ entity_type: 'story', field_name: 'parent' });
    expect(r.body.description).toContain('work_item_root or feature');
    expect((await w.read(`stories/${story}?fields=parent`)).parent).toMatchObject({ type: 'feature', id: feature });
    // nothing was created by the refused POSTs
    expect(await w.ids(`work_items?${q(`name IN ^S^,^D^,^F^,^E^`)}`)).toEqual([]);
  });

  it('an item created without a parent goes under the workspace\'s work item root', async () => {
    const roots = await w.read('work_item_roots?fields=name,logical_name');
    expect(roots.total_count).toBe(1);
    expect(roots.data[0]).toMatchObject({ type: 'work_item_root', id: w.rootId, name: 'Backlog', logical_name: 'work_item_root' });
    for (const collection of ['epics', 'features', 'stories', 'defects']) {
      const id = await w.add(collection, { name: `Orphan ${collection}` });
      const e = await w.read(`${collection}/${id}?fields=parent`);
      expect(e.parent, collection).toEqual({ type: 'work_item_root', id: w.rootId, name: 'Backlog' });
    }
  });

  it('`children` is the inverse of parent: readable on each level and filterable', async () => {
    const epic = await w.add('epics', { name: 'Parent epic' });
    const feature = await w.add('features', { name: 'Feature 1', parent: ref('epic', epic) });
    const f2 = await w.add('features', { name: 'Feature 2', parent: ref('epic', epic) });
    const s1 = await w.add('stories', { name: 'Child story', parent: ref('feature', feature) });
    const d1 = await w.add('defects', { name: 'Child defect', parent: ref('feature', feature) });
    const s2 = await w.add('stories', { name: 'Other story', parent: ref('feature', f2) });

    const e = await w.read(`epics/${epic}?fields=children`);
    expect(e.children.total_count).toBe(2);
    expect(sorted(e.children.data.map((c: any) => c.id))).toEqual(sorted([feature, f2]));
    expect(e.children.data.every((c: any) => c.type === 'feature')).toBe(true);

    const f = await w.read(`features/${feature}?fields=children{name}`);
    expect(f.children.total_count).toBe(2);
    expect(f.children.data.map((c: any) => [c.type, c.id, c.name]).sort()).toEqual(
      [
        ['defect', d1, 'Child defect'],
        ['story', s1, 'Child story'],
      ].sort(),
    );

    // filter on children: the features that hold the defect, the epics with a child holding s2
    expect(await w.ids(`features?${q(`children EQ {id EQ ${d1}}`)}`)).toEqual([feature]);
    expect(await w.ids(`epics?${q(`children EQ {children EQ {id EQ ${s2}}}`)}`)).toEqual([epic]);
    // and on parent, through the aggregate
    expect(sorted(await w.ids(`work_items?${q(`parent EQ {id EQ ${feature}}`)}`))).toEqual(sorted([s1, d1]));
    // the root lists its direct children only
    const root = await w.read(`work_item_roots/${w.rootId}?fields=children`);
    expect(root.children.data.map((c: any) => c.id)).toContain(epic);
    expect(root.children.data.map((c: any) => c.id)).not.toContain(feature);
  });

  it('a work item with children cannot be deleted (400 platform.entity_has_children); without them it can', async () => {
    const e = await w.add('epics', { name: 'Doomed epic' });
    const f = await w.add('features', { name: 'Doomed feature', parent: ref('epic', e) });
    const s = await w.add('stories', { name: 'Doomed story', parent: ref('feature', f) });
    let r = await w.del(`epics/${e}`);
    expectOctaneError(r, 400, 'platform.entity_has_children');
    expect(r.body.properties).toMatchObject({ entity_type: 'epic', entity_id: e, children: 1 });
    r = await w.del(`work_items/${f}`);
    expectOctaneError(r, 400, 'platform.entity_has_children');
    // nothing went
    expect(sorted(await w.ids(`work_items?${q(`id IN ${e},${f},${s}`)}`))).toEqual(sorted([e, f, s]));
    // bottom-up works
    expect((await w.del(`stories/${s}`)).status).toBe(200);
    expect((await w.del(`features/${f}`)).status).toBe(200);
    expect((await w.del(`epics/${e}`)).status).toBe(200);
    expect(await w.ids(`work_items?${q(`id IN ${e},${f},${s}`)}`)).toEqual([]);
  });

  it('a node cannot move under itself or one of its descendants (application modules, requirement folders)', async () => {
    const a = await w.add('product_areas', { name: 'A' });
    const b = await w.add('product_areas', { name: 'B', parent: ref('product_area', a) });
    const c = await w.add('product_areas', { name: 'C', parent: ref('product_area', b) });
    for (const target of [a, b, c]) {
      const r = await w.put(`product_areas/${a}`, { parent: ref('product_area', target) });
      expectOctaneError(r, 400, 'platform.field_validation_error');
      expect(r.body.properties).toMatchObject({ entity_type: 'product_area', field_name: 'parent' });
    }
    expect((await w.read(`product_areas/${a}?fields=parent`)).parent.id).toBe(w.productAreaRootId);
    // moving sideways is fine
    expect((await w.put(`product_areas/${c}`, { parent: ref('product_area', a) })).status).toBe(200);

    const f1 = await w.add('requirement_folders', { name: 'Folder 1' });
    const f2 = await w.add('requirement_folders', { name: 'Folder 2', parent: ref('requirement_folder', f1) });
    const r = await w.put(`requirement_folders/${f1}`, { parent: ref('requirement_folder', f2) });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    expect((await w.read(`requirement_folders/${f1}?fields=parent`)).parent.id).toBe(w.requirementRootId);
  });
});

// ---- life cycle -----------------------------------------------------------------------------------

describe('life cycle: phases, metaphases, transitions', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('a new entity without a phase gets its type\'s start phase', async () => {
    const cases: Array<[string, string, Record<string, unknown>, Record<string, string>?]> = [
      ['epics', 'phase.epic.new', {}],
      ['features', 'phase.feature.new', {}],
      ['stories', 'phase.story.new', {}],
      ['defects', 'phase.defect.new', {}],
      ['quality_stories', 'phase.quality_story.new', {}, PREVIEW],
      ['manual_tests', 'phase.test_manual.new', {}],
      ['gherkin_tests', 'phase.gherkin_test.new', {}],
      ['automated_tests', 'phase.test_automated.new', {}],
      ['test_suites', 'phase.test_suite.new', {}],
      ['requirement_documents', 'phase.requirement_document.draft', { parent: ref('requirement_folder', await w.add('requirement_folders', { name: 'RF' })) }],
    ];
    const story = await w.add('stories', { name: 'Task holder' });
    cases.push(['tasks', 'phase.task.new', { story: ref('story', story) }]);
    for (const [collection, logical, extra, headers] of cases) {
      const id = await w.add(collection, { name: `Fresh ${collection}`, ...extra }, headers);
      const e = await w.read(`${collection}/${id}?fields=phase{logical_name}`, headers);
      expect(e.phase.logical_name, collection).toBe(logical);
    }
    // an explicit phase is kept
    const id = await w.add('defects', { name: 'Opened at once', phase: PHASE('phase.defect.opened') });
    expect((await w.read(`defects/${id}?fields=phase{logical_name}`)).phase.logical_name).toBe('phase.defect.opened');
  });

  it('a phase of another entity type is a 400, on create and on update', async () => {
    let r = await w.post('defects', { data: [{ name: 'Wrong phase', phase: PHASE('phase.story.new') }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'phase' }]);
    expect(descriptionOf(r)).toContain('phase.story.new');
    const story = await w.add('stories', { name: 'Story' });
    r = await w.put(`stories/${story}`, { phase: PHASE('phase.feature.done') });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    expect(r.body.properties).toMatchObject({ entity_type: 'story', field_name: 'phase' });
    expect((await w.read(`stories/${story}?fields=phase{logical_name}`)).phase.logical_name).toBe('phase.story.new');
  });

  it('a phase move needs a transition: allowed moves pass, others are 400 platform.invalid_phase_transition', async () => {
    const d = await w.add('defects', { name: 'Workflow defect' });
    const phaseOf = async () => (await w.read(`defects/${d}?fields=phase{logical_name}`)).phase.logical_name;
    // New -> Closed skips the workflow
    let r = await w.put(`defects/${d}`, { phase: PHASE('phase.defect.closed') });
    expectOctaneError(r, 400, 'platform.invalid_phase_transition');
    expect(r.body.properties).toMatchObject({ entity_type: 'defect', source_phase: 'phase.defect.new', target_phase: 'phase.defect.closed' });
    expect(r.body.business_error).toBe(true);
    expect(await phaseOf()).toBe('phase.defect.new');
    // New -> Opened -> Fixed -> Closed follows it
    for (const next of ['phase.defect.opened', 'phase.defect.fixed', 'phase.defect.closed']) {
      r = await w.put(`defects/${d}`, { phase: PHASE(next) });
      expect(r.status, r.text).toBe(200);
      expect(await phaseOf()).toBe(next);
    }
    // Closed -> Fixed is not a transition; Closed -> Opened (reopen) is
    r = await w.put(`defects/${d}`, { phase: PHASE('phase.defect.fixed') });
    expectOctaneError(r, 400, 'platform.invalid_phase_transition');
    r = await w.put(`defects/${d}`, { phase: PHASE('phase.defect.opened') });
    expect(r.status).toBe(200);
    // through the aggregate and in a bulk update the same rule holds
    r = await w.put('work_items', { data: [{ id: d, phase: PHASE('phase.defect.proposeclose') }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.invalid_phase_transition' }]);
    // setting the phase it already has is no move
    r = await w.put(`defects/${d}`, { phase: PHASE('phase.defect.opened') });
    expect(r.status).toBe(200);
    // the workflow is readable: every defect transition, from New exactly four
    const fromNew = await w.read(`transitions?${q('entity EQ ^defect^;source_phase EQ {logical_name EQ ^phase.defect.new^}')}&fields=target_phase{logical_name}`);
    expect(fromNew.data.map((x: any) => x.target_phase.logical_name).sort()).toEqual(
      ['phase.defect.deferred', 'phase.defect.duplicate', 'phase.defect.opened', 'phase.defect.rejected'].sort(),
    );
  });

  it('metaphases group phases, and work items filter through them', async () => {
    const phases = await w.read(`phases?${q('entity EQ ^defect^')}&fields=logical_name,metaphase{logical_name}&limit=100`);
    const grouping = Object.fromEntries(phases.data.map((p: any) => [p.logical_name, p.metaphase.logical_name]));
    expect(grouping).toEqual({
      'phase.defect.new': 'metaphase.work_item.new',
      'phase.defect.deferred': 'metaphase.work_item.new',
      'phase.defect.opened': 'metaphase.work_item.inprogress',
      'phase.defect.fixed': 'metaphase.work_item.intesting',
      'phase.defect.proposeclose': 'metaphase.work_item.intesting',
      'phase.defect.closed': 'metaphase.work_item.done',
      'phase.defect.duplicate': 'metaphase.work_item.done',
      'phase.defect.rejected': 'metaphase.work_item.done',
    });
    // the other side: the Done metaphase lists its phases
    const done = await w.read(`metaphases/metaphase.work_item.done?fields=phase{logical_name}`);
    expect(done.phase.data.map((p: any) => p.logical_name).sort()).toEqual(
      ['phase.defect.closed', 'phase.defect.duplicate', 'phase.defect.rejected', 'phase.epic.done', 'phase.feature.done', 'phase.quality_story.done', 'phase.story.done'].sort(),
    );
    // metaphases are read-only
    const r = await w.post('metaphases', { data: [{ name: 'Mine' }] });
    expectOctaneError(r, 405, 'platform.web_application');
    // items in a "done" phase of any type
    const closed = await w.add('defects', { name: 'Closed defect', phase: PHASE('phase.defect.closed') });
    const rejected = await w.add('defects', { name: 'Rejected defect', phase: PHASE('phase.defect.rejected') });
    const doneStory = await w.add('stories', { name: 'Done story', phase: PHASE('phase.story.done') });
    await w.add('stories', { name: 'Open story', phase: PHASE('phase.story.inprogress') });
    await w.add('defects', { name: 'Fixed defect', phase: PHASE('phase.defect.fixed') });
    expect(sorted(await w.ids(`work_items?${q('phase EQ {metaphase EQ {logical_name EQ ^metaphase.work_item.done^}}')}`))).toEqual(sorted([closed, rejected, doneStory]));
  });
});

// ---- tasks ----------------------------------------------------------------------------------------

describe('tasks', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('a task hangs off a story, quality story or defect (`story`), which lists it as child_task', async () => {
    const story = await w.add('stories', { name: 'Story with tasks' });
    const defect = await w.add('defects', { name: 'Defect with tasks' });
    const feature = await w.add('features', { name: 'Feature' });
    const t1 = await w.add('tasks', { name: 'Code it', story: ref('story', story), item_type: LIST('list_node.task_item_type.develop') });
    const t2 = await w.add('tasks', { name: 'Test it', story: ref('story', story), item_type: LIST('list_node.task_item_type.test') });
    const t3 = await w.add('tasks', { name: 'Fix it', story: ref('defect', defect) });
    // a task needs its backlog item
    let r = await w.post('tasks', { data: [{ name: 'Loose task' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.missing_required_field', field: 'story' }]);
    // and not a feature
    r = await w.post('tasks', { data: [{ name: 'Feature task', story: ref('feature', feature) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'story' }]);
    // item type must be a task type
    r = await w.post('tasks', { data: [{ name: 'Typed', story: ref('story', story), item_type: LIST('list_node.severity.high') }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'item_type' }]);

    const s = await w.read(`stories/${story}?fields=child_task{name}`);
    expect(s.child_task.total_count).toBe(2);
    expect(sorted(s.child_task.data.map((x: any) => x.id))).toEqual(sorted([t1, t2]));
    const d = await w.read(`work_items/${defect}?fields=child_task`);
    expect(d.child_task.data.map((x: any) => x.id)).toEqual([t3]);
    expect(await w.ids(`tasks?${q(`story EQ {id EQ ${story}};item_type EQ {logical_name EQ ^list_node.task_item_type.test^}`)}`)).toEqual([t2]);
  });

  it('estimated, invested and remaining hours of the item are the sums over its tasks (create, update, move, delete)', async () => {
    const s1 = await w.add('stories', { name: 'Hours story' });
    const s2 = await w.add('stories', { name: 'Other hours story' });
    const hours = async (id: string) => {
      const e = await w.read(`stories/${id}?fields=estimated_hours,invested_hours,remaining_hours`);
      return [e.estimated_hours, e.invested_hours, e.remaining_hours];
    };
    expect(await hours(s1)).toEqual([null, null, null]);
    const a = await w.add('tasks', { name: 'A', story: ref('story', s1), estimated_hours: 5, invested_hours: 1, remaining_hours: 4 });
    expect(await hours(s1)).toEqual([5, 1, 4]);
    const b = await w.add('tasks', { name: 'B', story: ref('story', s1), estimated_hours: 3, invested_hours: 0, remaining_hours: 3 });
    expect(await hours(s1)).toEqual([8, 1, 7]);
    expect((await w.put(`tasks/${a}`, { invested_hours: 3, remaining_hours: 2 })).status).toBe(200);
    expect(await hours(s1)).toEqual([8, 3, 5]);
    // moving a task moves its hours
    expect((await w.put(`tasks/${b}`, { story: ref('story', s2) })).status).toBe(200);
    expect(await hours(s1)).toEqual([5, 3, 2]);
    expect(await hours(s2)).toEqual([3, 0, 3]);
    expect((await w.del(`tasks/${a}`)).status).toBe(200);
    // no tasks left: as a story that never had any
    expect(await hours(s1)).toEqual([null, null, null]);
    // the roll-ups are the server's
    const r = await w.put(`stories/${s2}`, { remaining_hours: 10 });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    expect(r.body.properties).toMatchObject({ field_name: 'remaining_hours' });
  });

  it('deleting a story deletes its tasks (their required reference cascades)', async () => {
    const s = await w.add('stories', { name: 'Short-lived' });
    const a = await w.add('tasks', { name: 'Gone too', story: ref('story', s) });
    expect((await w.del(`stories/${s}`)).status).toBe(200);
    expectOctaneError(await w.get(`tasks/${a}`), 404, 'platform.entity_not_found');
  });
});

describe('task hours of bulk writes: each item recomputed once, from its stored tasks, at the end of the write', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });
  /** estimated, invested and remaining hours and progress of a backlog item */
  const hours = async (collection: string, id: string) => {
    const e = await w.read(`${collection}/${id}?fields=estimated_hours,invested_hours,remaining_hours,progress`);
    return [e.estimated_hours, e.invested_hours, e.remaining_hours, e.progress];
  };
  const NONE = [null, null, null, null];
  /** Task `i` of a list: estimated 2..5, invested 0..2, remaining 0..4 in turn. */
  const task = (i: number, item: { type: string; id: string }, prefix: string) => ({
    name: `${prefix}${i}`,
    story: item,
    estimated_hours: (i % 4) + 2,
    invested_hours: i % 3,
    remaining_hours: i % 5,
  });
  const tasks = (n: number, item: { type: string; id: string }, prefix: string) => Array.from({ length: n }, (_, i) => task(i, item, prefix));
  /** The hours of tasks `indexes` (of `task`): estimated, invested, remaining. */
  const totals = (indexes: number[]): [number, number, number] => {
    let estimated = 0;
    let invested = 0;
    let remaining = 0;
    for (const i of indexes) {
      estimated += (i % 4) + 2;
      invested += i % 3;
      remaining += i % 5;
    }
    return [estimated, invested, remaining];
  };
  /** What an item shows with these hours: the three sums and the invested share of invested plus remaining. */
  const shown = ([estimated, invested, remaining]: [number, number, number]) => [estimated, invested, remaining, invested + remaining > 0 ? Math.round((100 * invested) / (invested + remaining)) : null];
  /** What an item with tasks `indexes` (of `task`) shows. */
  const sums = (indexes: number[]) => shown(totals(indexes));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  /** Counts the hour sums (one per item recomputed) that `fn` runs. */
  const recomputesOf = (fn: () => Promise<void>) => preparedRuns(t, (key) => key.startsWith('hours:sums:'), fn);

  it('a bulk create of many tasks under one story, and of tasks under a story and a defect at once', async () => {
    const s = await w.add('stories', { name: 'Bulk hours story' });
    const d = await w.add('defects', { name: 'Bulk hours defect' });
    const r = await w.post('tasks', { data: tasks(40, ref('story', s), 'bulk') });
    expect(r.status, r.text).toBe(201);
    expect(r.body.total_count).toBe(40);
    // 40 tasks: estimated 10 x (2+3+4+5), invested 13 x (0+1+2) + 0, remaining 8 x (0+1+2+3+4)
    expect(await hours('stories', s)).toEqual([140, 39, 80, 33]);
    expect(sums(range(0, 40))).toEqual([140, 39, 80, 33]);
    const mixed = [...tasks(3, ref('defect', d), 'mixed'), task(40, ref('story', s), 'mixed'), task(41, ref('story', s), 'mixed')];
    const r2 = await w.post('tasks', { data: mixed });
    expect(r2.status, r2.text).toBe(201);
    expect(await hours('defects', d)).toEqual([9, 3, 3, 50]);
    expect(await hours('stories', s)).toEqual(sums(range(0, 42)));
  });

  it('a delete by query of several tasks of one story leaves the sums of the tasks that are left', async () => {
    const s = await w.add('stories', { name: 'Delete hours story' });
    const other = await w.add('stories', { name: 'Untouched story' });
    const ids = await t.create(
      w.url('tasks'),
      { name: 'd1', story: ref('story', s), estimated_hours: 4, invested_hours: 1, remaining_hours: 3 },
      { name: 'd2', story: ref('story', s), estimated_hours: 10, invested_hours: 0, remaining_hours: 10 },
      { name: 'd3', story: ref('story', s), estimated_hours: 2, invested_hours: 1, remaining_hours: 1 },
      { name: 'd4', story: ref('story', s), estimated_hours: 3, invested_hours: 1, remaining_hours: 2 },
      { name: 'd5', story: ref('story', s), estimated_hours: 0, invested_hours: 0, remaining_hours: 0 },
      { name: 'o1', story: ref('story', other), estimated_hours: 6, invested_hours: 2, remaining_hours: 4 },
    );
    expect(await hours('stories', s)).toEqual([19, 3, 16, 16]);
    // four of the five, by query: only d2 is left
    const r = await w.del(`tasks?${q(`story EQ {id EQ ${s}};name IN 'd1','d3','d4','d5'`)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.total_count).toBe(4);
    expect(await hours('stories', s)).toEqual([10, 0, 10, 0]);
    // the rest of both stories by query: s has none left, `other` none either
    const r2 = await w.del(`tasks?${q(`id IN ${ids[1]},${ids[5]}`)}`);
    expect(r2.status, r2.text).toBe(200);
    expect(r2.body.total_count).toBe(2);
    expect(await hours('stories', s)).toEqual(NONE);
    expect(await hours('stories', other)).toEqual(NONE);
  });

  it('a bulk PUT moving tasks between stories (and changing hours on the way) leaves both stories right', async () => {
    const [s1, s2] = await t.create(w.url('stories'), { name: 'Move from' }, { name: 'Move to' });
    const ids = await t.create(w.url('tasks'), ...tasks(30, ref('story', s1), 'mv'));
    // tasks 0-9 move to s2; tasks 10-14 get 10 more remaining hours where they are; 15-17 move and change
    const moves = ids.slice(0, 10).map((id) => ({ id, story: ref('story', s2) }));
    const bumps = ids.slice(10, 15).map((id, k) => ({ id, remaining_hours: ((10 + k) % 5) + 10 }));
    const both = ids.slice(15, 18).map((id) => ({ id, story: ref('story', s2), invested_hours: 5 }));
    const r = await w.put('tasks', { data: [...moves, ...bumps, ...both] });
    expect(r.status, r.text).toBe(200);
    const [est1, inv1, rem1] = totals([...range(10, 15), ...range(18, 30)]);
    expect(await hours('stories', s1)).toEqual(shown([est1, inv1, rem1 + 50]));
    const [est2, inv2, rem2] = totals(range(0, 10));
    const [est3, , rem3] = totals(range(15, 18));
    expect(await hours('stories', s2)).toEqual(shown([est2 + est3, inv2 + 15, rem2 + rem3]));
    // and back, by query: every task of s2 to s1
    const back = await w.put(`tasks?${q(`story EQ {id EQ ${s2}}`)}`, { story: ref('story', s1) });
    expect(back.status, back.text).toBe(200);
    expect(back.body.total_count).toBe(13);
    expect(await hours('stories', s2)).toEqual(NONE);
    expect((await hours('stories', s1))[0]).toBe(sums(range(0, 30))[0]);
    expect((await hours('stories', s1))[1]).toBe(inv1 + inv2 + 15);
  });

  it('a partial bulk counts the tasks that were written; a failed all-or-nothing bulk changes nothing', async () => {
    const [s1, s2] = await t.create(w.url('stories'), { name: 'Partial from' }, { name: 'Partial to' });
    const feature = await w.add('features', { name: 'Not a task item' });
    // items 3 and 8 fail: hours that are not a number, a feature as the task's item
    const items = tasks(12, ref('story', s1), 'pt').map((item, i) => (i === 3 ? { ...item, invested_hours: 'many' } : i === 8 ? { ...item, story: ref('feature', feature) } : item));
    const r = await w.post('tasks?partial=true', { data: items });
    expect(r.status, r.text).toBe(201);
    expect(r.body.errors.map((e: { index: number }) => e.index)).toEqual([3, 8]);
    const written = range(0, 12).filter((i) => i !== 3 && i !== 8);
    expect(await hours('stories', s1)).toEqual(sums(written));
    // a partial bulk update: the moves that succeed count, the failing one stays where it was
    const ids: string[] = r.body.data.map((e: { id: string }) => e.id);
    const moves = ids.slice(0, 4).map((id, k) => ({ id, story: ref('story', s2), ...(k === 1 ? { remaining_hours: 'x' } : {}) }));
    const u = await w.put('tasks?partial=true', { data: moves });
    expect(u.status, u.text).toBe(200);
    expect(u.body.errors.map((e: { index: number }) => e.index)).toEqual([1]);
    // ids 0..3 are tasks 0, 1, 2, 4 (task 3 was never created); task 1 failed to move
    expect(await hours('stories', s2)).toEqual(sums([0, 2, 4]));
    expect(await hours('stories', s1)).toEqual(sums(written.filter((i) => ![0, 2, 4].includes(i))));
    // all or nothing: one bad item, and neither story changes
    const before = [await hours('stories', s1), await hours('stories', s2)];
    const none = await w.post('tasks', { data: [...tasks(3, ref('story', s2), 'none'), { name: 'bad', story: ref('story', s2), estimated_hours: 'x' }] });
    expect(none.status).toBe(400);
    const moveBack = await w.put('tasks', { data: [{ id: ids[0], story: ref('story', s1) }, { id: ids[2], invested_hours: 'x' }] });
    expect(moveBack.status).toBe(400);
    const byQuery = await w.del(`tasks?${q(`story EQ {id EQ ${s2}}`)}`);
    expect(byQuery.status).toBe(200);
    expect(await hours('stories', s2)).toEqual(NONE);
    expect(await hours('stories', s1)).toEqual(before[0]);
  });

  it('300 tasks of one item: each write recomputes the items it touches once', async () => {
    const [s1, s2] = await t.create(w.url('stories'), { name: 'Count from' }, { name: 'Count to' });
    let ids: string[] = [];
    expect(
      await recomputesOf(async () => {
        const r = await w.post('tasks', { data: tasks(300, ref('story', s1), 'cnt') });
        expect(r.status, r.text).toBe(201);
        ids = r.body.data.map((e: { id: string }) => e.id);
      }),
    ).toBe(1);
    expect(await hours('stories', s1)).toEqual(sums(range(0, 300)));
    // a change that is not about hours recomputes nothing
    expect(
      await recomputesOf(async () => {
        const r = await w.put('tasks', { data: ids.map((id, i) => ({ id, name: `renamed${i}` })) });
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(0);
    // moving them all: both stories
    expect(
      await recomputesOf(async () => {
        const r = await w.put('tasks', { data: ids.map((id) => ({ id, story: ref('story', s2) })) });
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(2);
    expect(await hours('stories', s1)).toEqual(NONE);
    // the same change to all of them by query
    expect(
      await recomputesOf(async () => {
        const r = await w.put(`tasks?${q(`story EQ {id EQ ${s2}}`)}`, { invested_hours: 1, remaining_hours: 3 });
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(1);
    expect(await hours('stories', s2)).toEqual([sums(range(0, 300))[0], 300, 900, 25]);
    expect(
      await recomputesOf(async () => {
        const r = await w.del(`tasks?${q(`story EQ {id EQ ${s2}}`)}`);
        expect(r.status, r.text).toBe(200);
        expect(r.body.total_count).toBe(300);
      }),
    ).toBe(1);
    expect(await hours('stories', s2)).toEqual(NONE);
  });
});

describe('server-set fields of work items', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('has_attachments says whether an item has attachments, and is read-only', async () => {
    // entities.md lists has_attachments among the counters every entity carries, set by the server
    const story = await w.add('stories', { name: 'With a file' });
    const bare = await w.add('stories', { name: 'Without' });
    const r = await t.request('POST', w.url(`attachments?name=notes.txt&owner_work_item=${encodeURIComponent(JSON.stringify(ref('story', story)))}`), Buffer.from('notes'), {
      'content-type': 'application/octet-stream',
    });
    expect(r.status, r.text).toBe(201);
    const body = await w.read(`stories?${q(`id IN ${story},${bare}`)}&fields=has_attachments&order_by=id`);
    expect(body.data.map((e: any) => e.has_attachments)).toEqual([true, false]);
    expect(await w.ids(`stories?${q('has_attachments EQ true')}`)).toEqual([story]);
    expectOctaneError(await w.put(`stories/${bare}`, { has_attachments: true }), 400, 'platform.field_validation_error');
  });
});

// ---- releases, sprints, teams ---------------------------------------------------------------------

describe('releases, sprints, milestones and teams', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('a release ends on or after its start (400 otherwise, on create and update)', async () => {
    let r = await w.post('releases', { data: [{ name: 'Backwards', start_date: '2024-03-01', end_date: '2024-02-01' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'end_date' }]);
    const rel = await w.add('releases', { name: 'One day', start_date: '2024-03-01', end_date: '2024-03-01' });
    const e = await w.read(`releases/${rel}?fields=start_date,end_date`);
    expect([e.start_date, e.end_date]).toEqual(['2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z']);
    r = await w.put(`releases/${rel}`, { start_date: '2024-03-02' });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    r = await w.post('releases', { data: [{ name: 'No end', start_date: '2024-03-01' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.missing_required_field', field: 'end_date' }]);
  });

  it('release names are unique in the workspace (409 platform.duplicate_entity_error)', async () => {
    await w.add('releases', { name: 'Release 1.0', start_date: '2024-01-01', end_date: '2024-06-30' });
    let r = await w.post('releases', { data: [{ name: 'Release 1.0', start_date: '2025-01-01', end_date: '2025-06-30' }] });
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    expect(r.body.errors[0].business_error).toBe(true);
    const other = await w.add('releases', { name: 'Release 2.0', start_date: '2025-01-01', end_date: '2025-06-30' });
    r = await w.put(`releases/${other}`, { name: 'Release 1.0' });
    expectOctaneError(r, 409, 'platform.duplicate_entity_error');
    expect(await w.ids(`releases?${q('name EQ ^Release 1.0^')}`)).toHaveLength(1);
    // another workspace may use the name
    const w2 = await freshWorkspace(t);
    await w2.add('releases', { name: 'Release 1.0', start_date: '2024-01-01', end_date: '2024-06-30' });
  });

  it('team and milestone names are unique in the workspace, sprint names within their release (409)', async () => {
    const ws = await freshWorkspace(t);
    // teams
    await ws.add('teams', { name: 'Core' });
    let r = await ws.post('teams', { data: [{ name: 'core' }] });
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    expect(r.body.errors[0].properties).toMatchObject({ entity_type: 'team', field_name: 'name', value: 'core' });
    const mobile = await ws.add('teams', { name: 'Mobile' });
    expectOctaneError(await ws.put(`teams/${mobile}`, { name: 'Core' }), 409, 'platform.duplicate_entity_error');
    expect((await ws.read(`teams/${mobile}?fields=name`)).name).toBe('Mobile');
    // milestones (technical preview), whatever their releases
    const rel = await ws.add('releases', { name: 'R1', start_date: '2024-01-01', end_date: '2024-03-31' });
    const rel2 = await ws.add('releases', { name: 'R2', start_date: '2024-04-01', end_date: '2024-06-30' });
    await ws.add('milestones', { name: 'Beta', date: '2024-02-01', releases: many(ref('release', rel)) }, PREVIEW);
    r = await ws.post('milestones', { data: [{ name: 'Beta', date: '2024-05-01', releases: many(ref('release', rel2)) }] }, PREVIEW);
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    // sprints: the same name in another release is fine, not twice in one release
    const s1 = await ws.add('sprints', { name: 'Sprint A', release: ref('release', rel), start_date: '2024-01-01', end_date: '2024-01-14' });
    r = await ws.post('sprints', { data: [{ name: 'Sprint A', release: ref('release', rel), start_date: '2024-01-15', end_date: '2024-01-28' }] });
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    const s2 = await ws.add('sprints', { name: 'Sprint A', release: ref('release', rel2), start_date: '2024-04-01', end_date: '2024-04-14' });
    const s3 = await ws.add('sprints', { name: 'Sprint B', release: ref('release', rel), start_date: '2024-01-15', end_date: '2024-01-28' });
    expectOctaneError(await ws.put(`sprints/${s3}`, { name: 'Sprint A' }), 409, 'platform.duplicate_entity_error');
    // moved to a release that has a sprint of its name
    r = await ws.put(`sprints/${s2}`, { release: ref('release', rel), start_date: '2024-02-01', end_date: '2024-02-14' });
    expectOctaneError(r, 409, 'platform.duplicate_entity_error');
    expect((await ws.read(`sprints/${s2}?fields=release`)).release.id).toBe(rel2);
    expect(sorted(await ws.ids(`sprints?${q('name EQ ^Sprint A^')}`))).toEqual(sorted([s1, s2]));
    // another workspace may reuse every name
    const other = await freshWorkspace(t);
    await other.add('teams', { name: 'Core' });
    await other.add('milestones', { name: 'Beta', date: '2024-02-01' }, PREVIEW);
  });

  it('a sprint lies within its release and does not overlap its sibling sprints', async () => {
    const rel = await w.add('releases', { name: 'Sprinted', start_date: '2024-01-01', end_date: '2024-03-31' });
    const r1 = ref('release', rel);
    const s1 = await w.add('sprints', { name: 'S1', release: r1, start_date: '2024-01-01', end_date: '2024-01-14' });
    // adjacent is fine
    const s2 = await w.add('sprints', { name: 'S2', release: r1, start_date: '2024-01-15', end_date: '2024-01-28' });
    // overlapping S2 by one day
    let r = await w.post('sprints', { data: [{ name: 'S3', release: r1, start_date: '2024-01-28', end_date: '2024-02-10' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error' }]);
    expect(descriptionOf(r)).toContain("'S2'");
    // starting before the release / ending after it
    r = await w.post('sprints', { data: [{ name: 'Early', release: r1, start_date: '2023-12-25', end_date: '2024-01-05' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error' }]);
    r = await w.post('sprints', { data: [{ name: 'Late', release: r1, start_date: '2024-03-25', end_date: '2024-04-07' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error' }]);
    // ends before it starts
    r = await w.post('sprints', { data: [{ name: 'Backwards', release: r1, start_date: '2024-02-10', end_date: '2024-02-01' }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'end_date' }]);
    // moving a sprint onto its sibling
    r = await w.put(`sprints/${s2}`, { start_date: '2024-01-10' });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    // a sprint of another release may use the same days
    const other = await w.add('releases', { name: 'Parallel', start_date: '2024-01-01', end_date: '2024-03-31' });
    await w.add('sprints', { name: 'P1', release: ref('release', other), start_date: '2024-01-01', end_date: '2024-01-14' });
    expect(sorted(await w.ids(`sprints?${q(`release EQ {id EQ ${rel}}`)}`))).toEqual(sorted([s1, s2]));
    // the release lists its sprints
    const e = await w.read(`releases/${rel}?fields=sprints`);
    expect(sorted(e.sprints.data.map((s: any) => s.id))).toEqual(sorted([s1, s2]));
  });

  it('a release cannot shrink so that one of its sprints falls outside it', async () => {
    // Not spelled out by the spec; a sprint outside its release breaks the rule above, and Octane
    // refuses release dates that cut off a sprint.
    const rel = await w.add('releases', { name: 'Shrinking', start_date: '2024-01-01', end_date: '2024-03-31' });
    await w.add('sprints', { name: 'Last sprint', release: ref('release', rel), start_date: '2024-03-18', end_date: '2024-03-31' });
    const r = await w.put(`releases/${rel}`, { end_date: '2024-03-20' });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    expect((await w.read(`releases/${rel}?fields=end_date`)).end_date).toBe('2024-03-31T00:00:00Z');
  });

  it('a release with a sprint duration gets consecutive sprints generated over its dates', async () => {
    const rel = await w.add('releases', { name: 'Generated', start_date: '2024-01-01', end_date: '2024-02-15', sprint_duration: 14, agile_type: LIST('list_node.release_agile_type.scrum') });
    const sprints = await w.read(`sprints?${q(`release EQ {id EQ ${rel}}`)}&fields=name,start_date,end_date,release&order_by=start_date`);
    expect(sprints.total_count).toBe(4);
    expect(sprints.data.map((s: any) => [s.name, s.start_date.slice(0, 10), s.end_date.slice(0, 10)])).toEqual([
      ['Sprint 1', '2024-01-01', '2024-01-14'],
      ['Sprint 2', '2024-01-15', '2024-01-28'],
      ['Sprint 3', '2024-01-29', '2024-02-11'],
      ['Sprint 4', '2024-02-12', '2024-02-15'],
    ]);
    expect(sprints.data.every((s: any) => s.release.id === rel)).toBe(true);
    // no duration, no sprints
    const plain = await w.add('releases', { name: 'Kanban', start_date: '2024-01-01', end_date: '2024-02-15' });
    expect(await w.ids(`sprints?${q(`release EQ {id EQ ${plain}}`)}`)).toEqual([]);
  });

  it('team_sprints link teams to sprints; teams link to releases; milestones are technical preview', async () => {
    const rel = await w.add('releases', { name: 'Team release', start_date: '2024-05-01', end_date: '2024-05-28', sprint_duration: 14 });
    const sprints = await w.ids(`sprints?${q(`release EQ {id EQ ${rel}}`)}&order_by=start_date`);
    expect(sprints).toHaveLength(2);
    const lead = await w.user('Lena', 'Lead');
    const team = await w.add('teams', { name: 'Blue team', team_lead: ref('workspace_user', lead), members: many(ref('workspace_user', lead)), releases: many(ref('release', rel)) });
    const other = await w.add('teams', { name: 'Red team' });
    const ts1 = await w.add('team_sprints', { team: ref('team', team), sprint: ref('sprint', sprints[0]), expected_velocity: 20 });
    const ts2 = await w.add('team_sprints', { team: ref('team', team), sprint: ref('sprint', sprints[1]), expected_velocity: 25 });
    await w.add('team_sprints', { team: ref('team', other), sprint: ref('sprint', sprints[0]), expected_velocity: 8 });
    let r = await w.post('team_sprints', { data: [{ team: ref('team', team) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.missing_required_field', field: 'sprint' }]);

    expect(sorted(await w.ids(`team_sprints?${q(`team EQ {id EQ ${team}}`)}`))).toEqual(sorted([ts1, ts2]));
    const s = await w.read(`sprints/${sprints[0]}?fields=team_sprint_relation`);
    expect(s.team_sprint_relation.total_count).toBe(2);
    const tsr = await w.read(`team_sprints/${ts2}?fields=team,sprint,expected_velocity`);
    expect(tsr).toMatchObject({ team: { type: 'team', id: team, name: 'Blue team' }, sprint: { type: 'sprint', id: sprints[1], name: 'Sprint 2' }, expected_velocity: 25 });
    // the release sees the team (writable from either side)
    const relTeams = await w.read(`releases/${rel}?fields=teams`);
    expect(relTeams.teams.data.map((x: any) => x.id)).toEqual([team]);
    expect((await w.put(`releases/${rel}`, { teams: many(ref('team', team), ref('team', other)) })).status).toBe(200);
    expect(sorted(await w.ids(`teams?${q(`releases EQ {id EQ ${rel}}`)}`))).toEqual(sorted([team, other]));
    // the user sees the team
    expect((await w.read(`workspace_users/${lead}?fields=teams`)).teams.data.map((x: any) => x.id)).toEqual([team]);

    r = await w.post('milestones', { data: [{ name: 'GA', date: '2024-05-28', releases: many(ref('release', rel)) }] });
    expectOctaneError(r, 403, 'platform.tech_preview_required');
    const ms = await w.add('milestones', { name: 'GA', date: '2024-05-28', releases: many(ref('release', rel)) }, PREVIEW);
    expect((await w.read(`releases/${rel}?fields=milestones`)).milestones.data.map((x: any) => x.id)).toEqual([ms]);
  });
});

// ---- requirements -------------------------------------------------------------------------------

describe('requirements tree', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('root -> folders -> documents (documents nest); other placements are 400', async () => {
    const root = await w.read(`requirement_roots?fields=name,logical_name,children`);
    expect(root.total_count).toBe(1);
    expect(root.data[0]).toMatchObject({ id: w.requirementRootId, name: 'Requirements', logical_name: 'requirement_root' });
    // a folder without a parent goes under the root; folders nest
    const f1 = await w.add('requirement_folders', { name: 'Specs' });
    expect((await w.read(`requirement_folders/${f1}?fields=parent`)).parent).toMatchObject({ type: 'requirement_root', id: w.requirementRootId });
    const f2 = await w.add('requirement_folders', { name: 'Sub specs', parent: ref('requirement_folder', f1) });
    const d1 = await w.add('requirement_documents', { name: 'Doc', parent: ref('requirement_folder', f2) });
    const d2 = await w.add('requirement_documents', { name: 'Sub doc', parent: ref('requirement_document', d1) });
    // a document does not hang under the root, a folder not under a document
    let r = await w.post('requirement_documents', { data: [{ name: 'Rootless', parent: ref('requirement_root', w.requirementRootId) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'parent' }]);
    expect(descriptionOf(r)).toContain('requirement_folder or requirement_document');
    r = await w.post('requirement_folders', { data: [{ name: 'Under doc', parent: ref('requirement_document', d1) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'parent' }]);
    // the aggregate shows them all with their subtype
    const all = await w.read(`requirements?fields=subtype,name&order_by=id`);
    expect(all.data.map((e: any) => [e.id, e.type, e.subtype])).toEqual([
      [w.requirementRootId, 'requirement', 'requirement_root'],
      [f1, 'requirement', 'requirement_folder'],
      [f2, 'requirement', 'requirement_folder'],
      [d1, 'requirement', 'requirement_document'],
      [d2, 'requirement', 'requirement_document'],
    ]);
    // children of each level
    expect((await w.read(`requirement_folders/${f1}?fields=children`)).children.data.map((c: any) => c.id)).toEqual([f2]);
    expect((await w.read(`requirement_documents/${d1}?fields=children`)).children.data.map((c: any) => c.id)).toEqual([d2]);
    // a folder with content cannot be deleted
    expectOctaneError(await w.del(`requirement_folders/${f2}`), 400, 'platform.entity_has_children');
  });

  it('`path` holds the ancestors: `path EQ ^<path>*^` selects a subtree, also after a move', async () => {
    const folder = await w.add('requirement_folders', { name: 'Path folder' });
    const top = await w.add('requirement_documents', { name: 'Top', parent: ref('requirement_folder', folder) });
    const child = await w.add('requirement_documents', { name: 'Child', parent: ref('requirement_document', top) });
    const grandchild = await w.add('requirement_documents', { name: 'Grandchild', parent: ref('requirement_document', child) });
    const other = await w.add('requirement_documents', { name: 'Elsewhere', parent: ref('requirement_folder', folder) });
    const otherChild = await w.add('requirement_documents', { name: 'Elsewhere child', parent: ref('requirement_document', other) });

    const pad = (id: string) => id.padStart(10, '0');
    const folderPath = (await w.read(`requirement_folders/${folder}?fields=path`)).path;
    expect(folderPath).toMatch(new RegExp(`^(\\d{10})*${pad(folder)}$`));
    const topPath = (await w.read(`requirement_documents/${top}?fields=path`)).path;
    expect(topPath).toBe(`${folderPath}${pad(top)}`);
    expect((await w.read(`requirement_documents/${grandchild}?fields=path`)).path).toBe(`${topPath}${pad(child)}${pad(grandchild)}`);

    const subtree = `requirement_documents?${q(`path EQ ^${topPath}*^`)}`;
    expect(sorted(await w.ids(subtree))).toEqual(sorted([top, child, grandchild]));
    // path is the server's
    expectOctaneError(await w.put(`requirement_documents/${top}`, { path: '1' }), 400, 'platform.field_validation_error');
    // moving `other` under `child` brings its subtree along
    expect((await w.put(`requirement_documents/${other}`, { parent: ref('requirement_document', child) })).status).toBe(200);
    expect(sorted(await w.ids(subtree))).toEqual(sorted([top, child, grandchild, other, otherChild]));
    expect((await w.read(`requirement_documents/${otherChild}?fields=path`)).path).toBe(`${topPath}${pad(child)}${pad(other)}${pad(otherChild)}`);
  });

  it('the root is an ancestor like any other: its path selects the whole tree', async () => {
    // `path` holds the ids of every ancestor, so the tree's root has one too and its subtree is
    // every requirement of the workspace.
    const rootPath = (await w.read(`requirement_roots/${w.requirementRootId}?fields=path`)).path;
    expect(rootPath).toBe(w.requirementRootId.padStart(10, '0'));
    const all = await w.ids('requirements?limit=1000');
    expect(sorted(await w.ids(`requirements?${q(`path EQ ^${rootPath}*^`)}&limit=1000`))).toEqual(sorted(all));
  });
});

// ---- application modules, environments, lists -------------------------------------------------

describe('application modules, environments and lists', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('application modules form a tree under one seeded root', async () => {
    const all = await w.read('product_areas?fields=name,parent,logical_name');
    expect(all.total_count).toBe(1);
    expect(all.data[0]).toMatchObject({ id: w.productAreaRootId, name: 'Application Modules', logical_name: 'product_area.root', parent: null });
    const a = await w.add('product_areas', { name: 'Payments' });
    const b = await w.add('product_areas', { name: 'Refunds', parent: ref('product_area', a) });
    expect((await w.read(`product_areas/${a}?fields=parent`)).parent).toMatchObject({ type: 'product_area', id: w.productAreaRootId });
    expect((await w.read(`product_areas/${w.productAreaRootId}?fields=children`)).children.data.map((c: any) => c.id)).toEqual([a]);
    expect((await w.read(`product_areas/${a}?fields=children`)).children.data.map((c: any) => c.id)).toEqual([b]);
    expectOctaneError(await w.del(`product_areas/${a}`), 400, 'platform.entity_has_children');
    // modules tag backlog items; deleting a module unlinks it
    const story = await w.add('stories', { name: 'Refund story', product_areas: many(ref('product_area', b)) });
    expect(await w.ids(`stories?${q(`product_areas EQ {parent EQ {id EQ ${a}}}`)}`)).toEqual([story]);
    expect((await w.del(`product_areas/${b}`)).status).toBe(200);
    expect((await w.read(`stories/${story}?fields=product_areas`)).product_areas).toEqual({ total_count: 0, data: [] });
  });

  it('environments are seeded: categories with their items', async () => {
    const categories = await w.read('taxonomy_category_nodes?fields=name,logical_name&order_by=id');
    expect(categories.data.map((c: any) => c.name)).toEqual(['Browser', 'OS', 'DB', 'AUT Env', 'Distribution']);
    const browsers = await w.read(`taxonomy_item_nodes?${q('category EQ {name EQ ^Browser^}')}&fields=name,category&order_by=name`);
    expect(browsers.data.map((c: any) => c.name)).toEqual(['Chrome', 'Edge', 'Firefox', 'IE', 'Safari']);
    expect(browsers.data[0].category).toMatchObject({ type: 'taxonomy_category_node', name: 'Browser' });
    const aggregate = await w.read('taxonomy_nodes?fields=subtype&limit=100');
    expect(aggregate.total_count).toBe(22);
    expect(aggregate.data.filter((n: any) => n.subtype === 'taxonomy_category_node')).toHaveLength(5);
    // users add their own
    const os = await w.idOf('taxonomy_category_nodes', 'taxonomy_node.os');
    const ubuntu = await w.add('taxonomy_item_nodes', { name: 'Ubuntu', category: ref('taxonomy_category_node', os) });
    const items = await w.read(`taxonomy_category_nodes/${os}?fields=items`);
    expect(items.items.total_count).toBe(7);
    expect(items.items.data.map((i: any) => i.id)).toContain(ubuntu);
  });

  it('a list field accepts only nodes of its own list', async () => {
    let r = await w.post('defects', { data: [{ name: 'Mixed up', severity: LIST('list_node.priority.high') }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'severity' }]);
    expect(descriptionOf(r)).toContain('list_node.severity');
    // the list root itself is not a value
    r = await w.post('defects', { data: [{ name: 'Root value', severity: LIST('list_node.severity') }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'severity' }]);
    const d = await w.add('defects', { name: 'Right list', severity: LIST('list_node.severity.high'), priority: LIST('list_node.priority.low') });
    r = await w.put(`defects/${d}`, { priority: LIST('list_node.severity.low') });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    // multi-valued list fields too
    r = await w.post('manual_tests', { data: [{ name: 'Typed test', test_type: many(LIST('list_node.test_type.gui'), LIST('list_node.test_level.unit')) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'test_type' }]);
    const e = await w.read(`defects/${d}?fields=severity{logical_name},priority{logical_name}`);
    expect(e.severity.logical_name).toBe('list_node.severity.high');
    expect(e.priority.logical_name).toBe('list_node.priority.low');
  });

  it('the lists the spec names are seeded with Octane\'s logical names', async () => {
    const expected: Record<string, string[]> = {
      'list_node.severity': ['urgent', 'very_high', 'high', 'medium', 'low'],
      'list_node.priority': ['urgent', 'very_high', 'high', 'medium', 'low'],
      'list_node.run_status': ['passed', 'failed', 'skipped', 'requires_attention', 'planned'],
      'list_node.run_native_status': ['passed', 'failed', 'blocked', 'skipped', 'not_completed', 'planned'],
      'list_node.task_item_type': ['research', 'develop', 'document', 'test'],
      'list_node.automation_status': ['automated', 'not_automated', 'ready_for_automation', 'requires_update'],
      'list_node.test_level': ['unit', 'integration', 'system'],
      'list_node.defect_root_level': ['definition', 'ux', 'new_code', 'testing', 'regression', 'integration'],
      'list_node.pipeline_run_status': ['success', 'failure', 'unstable', 'running', 'aborted', 'queued', 'unavailable'],
      'list_node.test_type': ['gui', 'api', 'acceptance', 'regression', 'end_to_end', 'sanity', 'security', 'performance'],
      'list_node.testing_tool_type': ['manual', 'uft', 'lr', 'selenium'],
      'list_node.defect_type': ['PreRelease', 'Escaped'],
      'list_node.je.framework': ['junit', 'testng'],
      'list_node.run_mode': ['manually', 'automatically'],
      'list_node.visible_to_roles': ['customer', 'support', 'rnd'],
    };
    for (const [list, values] of Object.entries(expected)) {
      const body = await w.read(`list_nodes?${q(`list_root EQ {logical_name EQ ^${list}^}`)}&fields=logical_name,list_root&limit=100`);
      const names = body.data.map((n: any) => n.logical_name);
      for (const v of values) expect(names, list).toContain(`${list}.${v}`);
      expect(body.data.every((n: any) => n.list_root.id === body.data[0].list_root.id)).toBe(true);
    }
    // ids by logical name work in URLs too
    expect((await w.read('list_nodes/list_node.severity.urgent?fields=name,logical_name')).logical_name).toBe('list_node.severity.urgent');
    // the environment categories
    const categories = await w.read('taxonomy_category_nodes?fields=name,logical_name&limit=100');
    expect(categories.data.map((c: any) => c.name)).toEqual(expect.arrayContaining(['Browser', 'OS', 'DB', 'AUT Env', 'Distribution']));
  });

  it('users add values to a list; a value name is unique within its list only', async () => {
    const severity = await w.idOf('list_nodes', 'list_node.severity');
    const before = await w.ids(`list_nodes?${q('list_root EQ {id EQ ^list_node.severity^}')}`);
    expect(before).toHaveLength(5);
    const blocker = await w.add('list_nodes', { name: 'Blocker', list_root: ref('list_node', 'list_node.severity') });
    const after = await w.read(`list_nodes?${q('list_root EQ {logical_name EQ ^list_node.severity^}')}&fields=name`);
    expect(after.total_count).toBe(6);
    expect(after.data.map((n: any) => n.id)).toContain(blocker);
    expect((await w.read(`list_nodes/${severity}?fields=list_nodes`)).list_nodes.total_count).toBe(6);
    // the new value is a severity like the seeded ones
    const d = await w.add('defects', { name: 'Blocking', severity: ref('list_node', blocker) });
    expect(await w.ids(`defects?${q('severity EQ {name EQ ^Blocker^}')}`)).toEqual([d]);
    // duplicates in the list are refused, seeded names included
    let r = await w.post('list_nodes', { data: [{ name: 'Blocker', list_root: ref('list_node', 'list_node.severity') }] });
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    r = await w.post('list_nodes', { data: [{ name: 'High', list_root: ref('list_node', severity) }] });
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    // the same name in another list is fine
    const inPriority = await w.add('list_nodes', { name: 'Blocker', list_root: ref('list_node', 'list_node.priority') });
    r = await w.post('defects', { data: [{ name: 'Wrong blocker', severity: ref('list_node', inPriority) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'severity' }]);
    // values are retired, not deleted
    expectOctaneError(await w.del(`list_nodes/${blocker}`), 405, 'platform.web_application');
  });
});

// ---- My Work -----------------------------------------------------------------------------------

describe('My Work (user_items)', () => {
  let w: Workspace;
  let ann: string;
  let bob: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    ann = await w.user('Ann');
    bob = await w.user('Bob');
  });

  const myWork = (user: string) => w.read(`user_items?${q(`user EQ {id EQ ${user}}`)}&fields=origin,entity_type,is_new,my_follow_items_work_item,my_follow_items_test,my_follow_items_task&limit=100`);

  it('owning an item puts it in the owner\'s My Work (origin 0); changing the owner moves it', async () => {
    expect((await myWork(ann)).total_count).toBe(0);
    const story = await w.add('stories', { name: 'Ann\'s story', owner: ref('workspace_user', ann) });
    let items = await myWork(ann);
    expect(items.total_count).toBe(1);
    expect(items.data[0]).toMatchObject({ origin: 0, entity_type: 'work_item', my_follow_items_work_item: { type: 'story', id: story } });
    // through the item: its user_item
    expect((await w.read(`stories/${story}?fields=user_item`)).user_item.total_count).toBe(1);
    // tests and tasks too
    const test = await w.add('manual_tests', { name: 'Ann\'s test', owner: ref('workspace_user', ann) });
    const task = await w.add('tasks', { name: 'Ann\'s task', story: ref('story', story), owner: ref('workspace_user', ann) });
    items = await myWork(ann);
    expect(items.total_count).toBe(3);
    expect(items.data.find((i: any) => i.my_follow_items_test)?.my_follow_items_test.id).toBe(test);
    expect(items.data.find((i: any) => i.my_follow_items_task)?.my_follow_items_task.id).toBe(task);

    // the story changes hands
    expect((await w.put(`stories/${story}`, { owner: ref('workspace_user', bob) })).status).toBe(200);
    items = await myWork(ann);
    expect(items.total_count).toBe(2);
    expect(items.data.some((i: any) => i.my_follow_items_work_item)).toBe(false);
    const bobs = await myWork(bob);
    expect(bobs.total_count).toBe(1);
    expect(bobs.data[0]).toMatchObject({ origin: 0, my_follow_items_work_item: { id: story } });
    // no owner, no My Work
    expect((await w.put(`stories/${story}`, { owner: null })).status).toBe(200);
    expect((await myWork(bob)).total_count).toBe(0);
    // a deleted item leaves My Work
    expect((await w.del(`manual_tests/${test}`)).status).toBe(200);
    expect((await myWork(ann)).total_count).toBe(1);
  });

  it('a user adds an item to My Work to follow it (origin 1), and removes it again', async () => {
    const defect = await w.add('defects', { name: 'Followed defect' });
    const id = await w.add('user_items', { user: ref('workspace_user', bob), origin: 1, entity_type: 'work_item', my_follow_items_work_item: ref('defect', defect) });
    expect(await w.ids(`user_items?${q(`user EQ {id EQ ${bob}};my_follow_items_work_item EQ {id EQ ${defect}}`)}`)).toEqual([id]);
    // My Work of a user as flows read it: the items themselves
    expect(await w.ids(`defects?${q(`user_item EQ {user EQ {id EQ ${bob}}}`)}`)).toEqual([defect]);
    expect((await w.del(`user_items/${id}`)).status).toBe(200);
    expect(await w.ids(`defects?${q(`user_item EQ {user EQ {id EQ ${bob}}}`)}`)).toEqual([]);
  });
});

// ---- user-defined fields --------------------------------------------------------------------------

describe('user-defined fields (metadata_fields)', () => {
  let w: Workspace;
  let w2: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    w2 = await freshWorkspace(t);
  });

  const udf = (body: Record<string, unknown>) => ({ data: [{ type: 'field_metadata', ...body }] });

  it('a boolean UDF of a workspace: created, then written, read, filtered and sorted like a built-in field', async () => {
    const r = await w.post('metadata_fields', udf({ entity_type: 'defect', name: 'regression_udf', label: 'Regression', subtype: 'field_metadata_boolean' }), PREVIEW);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'field_metadata', name: 'regression_udf', entity_type: 'defect', label: 'Regression', subtype: 'field_metadata_boolean', is_user_defined: true });
    const listed = await w.read(`metadata_fields?${q('is_user_defined=true')}`);
    expect(listed.data.map((f: any) => f.name)).toEqual(['regression_udf']);

    const yes = await w.add('defects', { name: 'Regressed', regression_udf: true });
    const no = await w.add('defects', { name: 'New bug', regression_udf: false });
    const unset = await w.add('defects', { name: 'Unknown' });
    // not returned by default, returned when asked
    expect((await w.read(`defects/${yes}`)).regression_udf).toBeUndefined();
    expect((await w.read(`defects/${yes}?fields=regression_udf`)).regression_udf).toBe(true);
    expect(await w.ids(`defects?${q('regression_udf EQ true')}`)).toEqual([yes]);
    expect(await w.ids(`defects?${q('regression_udf EQ false')}`)).toEqual([no]);
    expect((await w.put(`defects/${unset}`, { regression_udf: true })).status).toBe(200);
    expect(sorted(await w.ids(`defects?${q('regression_udf EQ true')}`))).toEqual(sorted([yes, unset]));
    // wrong type is a 400
    expectOctaneError(await w.put(`defects/${no}`, { regression_udf: 'maybe' }), 400, 'platform.field_validation_error');
    // sorted like any field
    expect(await w.ids(`defects?order_by=-regression_udf,id&fields=id`)).toEqual([yes, unset, no]);
    // through the aggregate too
    expect(sorted(await w.ids(`work_items?${q('regression_udf EQ true')}`))).toEqual(sorted([yes, unset]));
    // the other workspace does not have it
    expectOctaneError(await w2.get(`defects?fields=regression_udf`), 400, 'platform.unknown_field');
    expectBulkErrors(await w2.post('defects', { data: [{ name: 'x', regression_udf: true }] }), 400, [{ index: 0, code: 'platform.unknown_field' }]);
  });

  it('a string UDF: stored and filtered with wildcards', async () => {
    expect((await w.post('metadata_fields', udf({ entity_type: 'story', name: 'customer_udf', label: 'Customer', subtype: 'field_metadata_string' }), PREVIEW)).status).toBe(201);
    const a = await w.add('stories', { name: 'For Acme', customer_udf: 'Acme Corp' });
    await w.add('stories', { name: 'For Beta', customer_udf: 'Beta Ltd' });
    expect(await w.ids(`stories?${q('customer_udf EQ ^Acme*^')}`)).toEqual([a]);
    expect((await w.read(`stories/${a}?fields=customer_udf`)).customer_udf).toBe('Acme Corp');
  });

  it('a space-wide UDF created through workspace 500 is seen by every workspace of the space', async () => {
    const r = await t.post(`${t.space}/workspaces/500/metadata_fields`, udf({ entity_type: 'defect', label: 'Post Release', subtype: 'field_metadata_boolean', name: 'post_release_udf' }), PREVIEW);
    expect(r.status, r.text).toBe(201);
    const shared = await t.get(`${t.space}/workspaces/500/metadata_fields?${q('is_user_defined=true')}`);
    expect(shared.status).toBe(200);
    expect(shared.body.data.map((f: any) => f.name)).toEqual(['post_release_udf']);
    for (const ws of [w, w2]) {
      const d = await ws.add('defects', { name: 'After release', post_release_udf: true });
      await ws.add('defects', { name: 'Before release', post_release_udf: false });
      expect(await ws.ids(`defects?${q('post_release_udf EQ true')}`)).toEqual([d]);
      expect((await ws.read(`metadata_fields?${q('name EQ ^post_release_udf^')}`)).total_count).toBe(1);
    }
    // a workspace cannot declare the same name again on the same entity
    const dup = await w2.post('metadata_fields', udf({ entity_type: 'defect', subtype: 'field_metadata_boolean', name: 'post_release_udf' }), PREVIEW);
    expectBulkErrors(dup, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
  });

  it('invalid names, entity types and kinds are 400; a duplicate is 409', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ entity_type: 'defect', name: 'no_suffix', subtype: 'field_metadata_string' }, 'name'],
      [{ entity_type: 'defect', name: 'Upper_udf', subtype: 'field_metadata_string' }, 'name'],
      [{ entity_type: 'defect', name: 'with space_udf', subtype: 'field_metadata_string' }, 'name'],
      [{ entity_type: 'no_such_entity', name: 'x_udf', subtype: 'field_metadata_string' }, 'entity_type'],
      [{ entity_type: 'defect', name: 'x_udf', subtype: 'field_metadata_colour' }, 'subtype'],
      [{ entity_type: 'defect', name: 'x_udf', subtype: 'field_metadata_string', list: LIST('list_node.priority') }, 'list'],
    ];
    for (const [body, field] of bad) {
      const r = await w.post('metadata_fields', udf(body), PREVIEW);
      expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field }]);
    }
    // a list UDF needs its list
    const r = await w.post('metadata_fields', udf({ entity_type: 'defect', name: 'x_udf', subtype: 'field_metadata_list' }), PREVIEW);
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.missing_required_field', field: 'list' }]);
    // a second declaration of the same field is 409
    expect((await w.post('metadata_fields', udf({ entity_type: 'feature', name: 'budget_udf', subtype: 'field_metadata_long' }), PREVIEW)).status).toBe(201);
    const dup = await w.post('metadata_fields', udf({ entity_type: 'feature', name: 'budget_udf', subtype: 'field_metadata_long' }), PREVIEW);
    expectBulkErrors(dup, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    // nothing half-made
    expect((await w.read(`metadata_fields?${q('name EQ ^x_udf^')}`)).total_count).toBe(0);
  });

  it('a list UDF accepts only the nodes of its list', async () => {
    const r = await w.post('metadata_fields', udf({ subtype: 'field_metadata_list', entity_type: 'test_manual', name: 'mypriority_udf', label: 'mypriority', list: LIST('list_node.priority') }), PREVIEW);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0].list).toMatchObject({ type: 'list_node' });
    const high = await w.add('manual_tests', { name: 'Important test', mypriority_udf: LIST('list_node.priority.high') });
    await w.add('manual_tests', { name: 'Other test', mypriority_udf: LIST('list_node.priority.low') });
    const wrong = await w.post('manual_tests', { data: [{ name: 'Wrong', mypriority_udf: LIST('list_node.severity.high') }] });
    expectBulkErrors(wrong, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'mypriority_udf' }]);
    expect(await w.ids(`manual_tests?${q('mypriority_udf EQ {logical_name EQ ^list_node.priority.high^}')}`)).toEqual([high]);
    expect((await w.read(`manual_tests/${high}?fields=mypriority_udf{logical_name}`)).mypriority_udf).toMatchObject({ type: 'list_node', logical_name: 'list_node.priority.high' });
  });

  it('the label is changed with PUT; name, entity and kind are fixed; there is no DELETE', async () => {
    const id = await w.add('metadata_fields', { type: 'field_metadata', entity_type: 'release', name: 'codename_udf', label: 'Codename', subtype: 'field_metadata_string' }, PREVIEW);
    const r = await w.put(`metadata_fields/${id}`, { label: 'Code name' }, PREVIEW);
    expect(r.status, r.text).toBe(200);
    expect(r.body.label).toBe('Code name');
    expect((await w.read(`metadata_fields/${id}`)).label).toBe('Code name');
    expectOctaneError(await w.put(`metadata_fields/${id}`, { name: 'other_udf' }, PREVIEW), 400, 'platform.field_validation_error');
    expectOctaneError(await w.put(`metadata_fields/${id}`, { subtype: 'field_metadata_memo' }, PREVIEW), 400, 'platform.field_validation_error');
    expectOctaneError(await w.del(`metadata_fields/${id}`, PREVIEW), 405, 'platform.web_application');
    // still there and usable
    const rel = await w.add('releases', { name: 'Rel', start_date: '2024-01-01', end_date: '2024-01-31', codename_udf: 'Falcon' });
    expect((await w.read(`releases/${rel}?fields=codename_udf`)).codename_udf).toBe('Falcon');
  });

  it('writes need the technical-preview header (403); reads do not', async () => {
    const r = await w.post('metadata_fields', udf({ entity_type: 'defect', name: 'hidden_udf', subtype: 'field_metadata_boolean' }));
    expectOctaneError(r, 403, 'platform.tech_preview_required');
    expect(r.body.description).toContain('ALM-OCTANE-TECH-PREVIEW');
    const existing = (await w.read(`metadata_fields?${q('name EQ ^regression_udf^')}`)).data[0].id;
    expectOctaneError(await w.put(`metadata_fields/${existing}`, { label: 'x' }), 403, 'platform.tech_preview_required');
    expect((await w.read(`metadata_fields?${q('name EQ ^hidden_udf^')}`)).total_count).toBe(0);
    expect((await w.get('metadata_fields')).status).toBe(200);
  });
});
