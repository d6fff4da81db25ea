// Values a parent work item takes from its children, kept in stored columns so that they filter
// and sort like any field: a feature's story points are the sum over its stories, defects and
// quality stories, an epic's the sum over its features; a feature's progress is the share of
// those points that are done (children in a phase of the Done metaphase).

import { tableOf } from '../../store/schema-sync.js';
import type { EntityHooks, HookApi, RefValue } from '../hooks.js';
import { idByLogicalName } from './lookup.js';

const DONE = 'metaphase.work_item.done';

/** Percentage (0-100, whole) of `part` in `whole`; null when there is nothing to measure. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((100 * part) / whole) : null;
}

/**
 * Marks work item `parentId` for a roll-up at the end of the write: once per parent however many
 * of its children the write touches, features before epics (a feature's new points feed its
 * epic's). `parentType`, when the caller holds it (a resolved reference), spares a parent that
 * rolls nothing up (the backlog root of most items); without it the type is read when the job runs.
 */
function markForRollUp(api: HookApi, parentId: number | null | undefined, parentType?: string | null): void {
  if (parentId === null || parentId === undefined) return;
  if (parentType === 'epic') api.defer(`rollup:epic:${parentId}`, () => rollUpEpic(api, parentId), 1);
  else if (parentType === 'feature' || parentType === undefined) api.defer(`rollup:item:${parentId}`, () => rollUpItem(api, parentId), 0);
}

/** Recomputes the roll-ups of feature `id` from its children as stored and marks its epic (an epic goes on to its own stage). */
function rollUpItem(api: HookApi, id: number): void {
  const { sql } = api.store;
  const store = api.registry.entity('work_item').store;
  const items = tableOf(store);
  const item = sql
    .prepared(`rollup:item:${store}`, (p) =>
      sql.qb
        .selectFrom(`${items} as t`)
        .leftJoin(`${items} as up`, 'up.id', 't.parent')
        .select(['t.type as type', 't.parent as parent', 'up.type as parent_type'])
        .where('t.id', '=', p('id')),
    )
    .get<{ type: string; parent: number | null; parent_type: string | null }>({ id });
  // an epic marked without its type waits for its own stage, after the features of this write
  if (item?.type === 'epic') markForRollUp(api, id, 'epic');
  // gone (deleted, or rolled back with the item that named it), or it rolls nothing up
  if (item?.type !== 'feature') return;
  const sums = childSums(api, id);
  const total = sums.total ?? 0;
  api.store.update(store, id, { story_points: sums.children > 0 ? total : null, progress: percent(sums.done ?? 0, total) });
  markForRollUp(api, item.parent, item.parent_type);
}

/** Recomputes the story points of epic `id` from its features as stored. */
function rollUpEpic(api: HookApi, id: number): void {
  const sums = childSums(api, id);
  api.store.update(api.registry.entity('work_item').store, id, { story_points: sums.children > 0 ? (sums.total ?? 0) : null });
}

/** The story points of the children of `parentId`: all of them, those done, and how many children there are. */
function childSums(api: HookApi, parentId: number): { total: number | null; done: number | null; children: number } {
  const { sql } = api.store;
  const store = api.registry.entity('work_item').store;
  const items = tableOf(store);
  const phases = tableOf(api.registry.entity('phase').store);
  return sql
    .prepared(`rollup:sums:${store}`, (p) =>
      sql.qb
        .selectFrom(items)
        .select((eb) => [
          eb.fn.sum<number | null>('story_points').as('total'),
          eb.fn
            .sum<number | null>(
              eb
                .case()
                .when('phase', 'in', sql.qb.selectFrom(phases).select('id').where('metaphase', '=', p('done')))
                .then(eb.ref('story_points'))
                .else(0)
                .end(),
            )
            .as('done'),
          eb.fn.countAll<number>().as('children'),
        ])
        .where('parent', '=', p('parent')),
    )
    .get<{ total: number | null; done: number | null; children: number }>({ done: idByLogicalName(api, 'metaphase', DONE) ?? -1, parent: parentId })!;
}

/**
 * Attached to every work item that can be a child (features, stories, defects, quality stories):
 * each write marks the parents it affects, and their roll-ups are recomputed at the end of the
 * write (a bulk of many children of one feature recomputes it once).
 */
export const rollupHooks: EntityHooks = {
  afterCreate(api, _id, values) {
    const parent = values.parent as RefValue | undefined;
    markForRollUp(api, parent?.id, parent?.type);
  },
  afterUpdate(api, _id, current, changes) {
    const next = changes.parent as RefValue | null | undefined;
    const moved = next !== undefined && next?.id !== current.parent;
    if (!moved && changes.story_points === undefined && changes.phase === undefined) return;
    markForRollUp(api, current.parent as number | null);
    if (moved) markForRollUp(api, next?.id, next?.type);
  },
  beforeDelete(api, current) {
    // the roll-up runs after the rows are gone
    markForRollUp(api, current.parent as number | null);
  },
};
