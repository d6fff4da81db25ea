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

/** Recomputes the roll-ups of work item `parentId`, then of its own parent (feature -> epic). */
function rollUp(api: HookApi, parentId: number | null | undefined, without?: number): void {
  if (parentId === null || parentId === undefined) return;
  const store = api.registry.entity('work_item').store;
  const items = tableOf(store);
  const parent = api.store.sql.exec(`SELECT type, parent FROM "${items}" WHERE id = ?`, parentId)[0] as { type: string; parent: number | null } | undefined;
  if (!parent || (parent.type !== 'feature' && parent.type !== 'epic')) return;
  const done = idByLogicalName(api, 'metaphase', DONE) ?? -1;
  const phases = tableOf(api.registry.entity('phase').store);
  const sums = api.store.sql.exec(
    `SELECT SUM(story_points) AS total,
            SUM(CASE WHEN phase IN (SELECT id FROM "${phases}" WHERE metaphase = ?) THEN story_points ELSE 0 END) AS done,
            COUNT(*) AS children
       FROM "${items}" WHERE parent = ? AND id != ?`,
    done,
    parentId,
    without ?? -1,
  )[0] as { total: number | null; done: number | null; children: number };
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
    rollUp(api, (values.parent as RefValue | undefined)?.id);
  },
  afterUpdate(api, _id, current, changes) {
    const moved = changes.parent !== undefined && (changes.parent as RefValue | null)?.id !== current.parent;
    if (!moved && changes.story_points === undefined && changes.phase === undefined) return;
    rollUp(api, current.parent as number | null);
    if (moved) rollUp(api, (changes.parent as RefValue | null)?.id);
  },
  beforeDelete(api, current) {
    rollUp(api, current.parent as number | null, current.id as number);
  },
};
