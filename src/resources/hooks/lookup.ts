// Small lookups hooks share: seeded entities by logical name, in the request's workspace. Logical
// names never change once set, so the answers are kept (per database).

import { tableOf } from '../../store/schema-sync.js';
import type { HookApi } from '../hooks.js';

const byName = new WeakMap<object, Map<string, number>>();
const byId = new WeakMap<object, Map<number, string>>();

function cacheOf<K, V>(map: WeakMap<object, Map<K, V>>, owner: object): Map<K, V> {
  let m = map.get(owner);
  if (!m) {
    m = new Map();
    map.set(owner, m);
  }
  return m;
}

export function idByLogicalName(api: HookApi, type: string, logicalName: string): number | undefined {
  const { sql } = api.store;
  const cache = cacheOf(byName, sql);
  const key = `${api.ctx.workspaceId}|${type}|${logicalName}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const e = api.registry.entity(type);
  const row = sql
    .prepared(`logicalId:${e.store}`, (p) =>
      sql.qb.selectFrom(tableOf(e.store)).select('id').where('workspace_id', '=', p('ws')).where('logical_name', '=', p('name')).limit(1),
    )
    .get<{ id: number }>({ ws: api.ctx.workspaceId, name: logicalName });
  if (row) cache.set(key, row.id);
  return row?.id;
}

export function logicalNameOf(api: HookApi, type: string, id: number | null | undefined): string | undefined {
  if (id === null || id === undefined) return undefined;
  const { sql } = api.store;
  const cache = cacheOf(byId, sql);
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const store = api.registry.entity(type).store;
  const row = sql
    .prepared(`logicalName:${store}`, (p) => sql.qb.selectFrom(tableOf(store)).select('logical_name').where('id', '=', p('id')))
    .get<{ logical_name: string | null }>({ id });
  if (row?.logical_name) cache.set(id, row.logical_name);
  return row?.logical_name ?? undefined;
}

/** Forgets the lookups of a database (its rows were replaced by a snapshot restore). */
export function clearLookupCaches(owner: object): void {
  byName.delete(owner);
  byId.delete(owner);
}
