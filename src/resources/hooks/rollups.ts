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

/** The work item types whose values are rolled up from their children. */
const ROLLED_UP = new Set(['feature', 'epic']);

/**
 * Recomputes the roll-ups of work item `parentId`, then of its own parent (feature -> epic).
 * `parentType`, when the caller holds it (a resolved reference), spares the read of a parent that
 * rolls nothing up (the backlog root of most items).
 */
function rollUp(api: HookApi, parentId: number | null | undefined, without?: number, parentType?: string): void {
  if (parentId === null || parentId === undefined) return;
  if (parentType !== undefined && !ROLLED_UP.has(parentType)) return;
  const { sql } = api.store;
  const store = api.registry.entity('work_item').store;
  const items = tableOf(store);
  const parent = sql
    .prepared(`rollup:parent:${store}`, (p) => sql.qb.selectFrom(items).select(['type', 'parent']).where('id', '=', p('id')))
    .get<{ type: string; parent: number | null }>({ id: parentId });
  if (!parent || !ROLLED_UP.has(parent.type)) return;
  const phases = tableOf(api.registry.entity('phase').store);
  const sums = sql
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
        .where('parent', '=', p('parent'))
        .where('id', '!=', p('without')),
    )
    .get<{ total: number | null; done: number | null; children: number }>({
      done: idByLogicalName(api, 'metaphase', DONE) ?? -1,
      parent: parentId,
      without: without ?? -1,
    })!;
  const points = sums.children > 0 ? (sums.total ?? 0) : null;
  if (parent.type === 'feature') {
    api.store.update(store, parentId, { story_points: points, progress: percent(sums.done ?? 0, sums.total ?? 0) });
    rollUp(api, parent.parent);
  } else {
    api.store.update(store, parentId, { story_points: points });
  }
}

/** Attached to every work item that can be a child (features, stories, defects, quality stories). */
export const rollupHooks: EntityHooks = {
  afterCreate(api, _id, values) {
    const parent = values.parent as RefValue | undefined;
    rollUp(api, parent?.id, undefined, parent?.type);
  },
  afterUpdate(api, _id, current, changes) {
    const moved = changes.parent !== undefined && (changes.parent as RefValue | null)?.id !== current.parent;
    if (!moved && changes.story_points === undefined && changes.phase === undefined) return;
    rollUp(api, current.parent as number | null);
    if (moved) rollUp(api, (changes.parent as RefValue | null)?.id, undefined, (changes.parent as RefValue | null)?.type);
  },
  beforeDelete(api, current) {
    rollUp(api, current.parent as number | null, current.id as number);
  },
};
