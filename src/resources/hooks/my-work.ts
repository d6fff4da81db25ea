// My Work: an item a user owns appears among that user's user_items (origin 0, "assigned"), and
// leaves them when the owner changes. Users add items they follow themselves (origin 1).

import { tableOf } from '../../store/schema-sync.js';
import type { EntityHooks, HookApi, RefValue } from '../hooks.js';
import type { Registry, ResolvedEntity } from '../registry.js';

const ASSIGNED = 0;

/** The user_item field that points at entities of this type, if any. */
export function myWorkField(registry: Registry, entity: ResolvedEntity): string | undefined {
  const userItem = registry.findEntity('user_item');
  if (!userItem || !entity.fieldMap.has('owner')) return undefined;
  const family = entity.subtypeOf ?? entity.type;
  for (const f of userItem.fieldMap.values()) {
    if (f.name.startsWith('my_follow_items_') && (f.targets ?? []).some((t) => t === family || t === entity.type)) return f.name;
  }
  return undefined;
}

function assign(api: HookApi, field: string, itemId: number, owner: number): void {
  const family = api.entity.subtypeOf ?? api.entity.type;
  api.service.createOne({ ...api.ctx, system: true }, api.registry.entity('user_item'), {
    user: { type: 'workspace_user', id: owner },
    origin: ASSIGNED,
    is_new: true,
    reason: 'owner',
    entity_type: family,
    [field]: { type: api.entity.type, id: itemId },
  });
}

function unassign(api: HookApi, field: string, itemId: number, owner: number): void {
  const { sql } = api.store;
  const table = tableOf(api.registry.entity('user_item').store);
  sql.run(sql.qb.deleteFrom(table).where(field, '=', itemId).where('user', '=', owner).where('origin', '=', ASSIGNED));
}

export function myWorkHooks(field: string): EntityHooks {
  return {
    afterCreate(api, id, values) {
      const owner = values.owner as RefValue | null | undefined;
      if (owner) assign(api, field, id, owner.id);
    },
    afterUpdate(api, id, current, changes) {
      if (changes.owner === undefined) return;
      const next = (changes.owner as RefValue | null)?.id ?? null;
      const previous = (current.owner as number | null) ?? null;
      if (next === previous) return;
      if (previous !== null) unassign(api, field, id, previous);
      if (next !== null) assign(api, field, id, next);
    },
  };
}
