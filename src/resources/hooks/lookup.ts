// Small lookups hooks share: seeded entities by logical name, in the request's workspace.

import { tableOf } from '../../store/schema-sync.js';
import type { HookApi } from '../hooks.js';

export function idByLogicalName(api: HookApi, type: string, logicalName: string): number | undefined {
  const { sql } = api.store;
  const e = api.registry.entity(type);
  const row = sql.get<{ id: number }>(
    sql.qb.selectFrom(tableOf(e.store)).select('id').where('workspace_id', '=', api.ctx.workspaceId).where('logical_name', '=', logicalName).limit(1),
  );
  return row?.id;
}

export function logicalNameOf(api: HookApi, type: string, id: number | null | undefined): string | undefined {
  if (id === null || id === undefined) return undefined;
  const { sql } = api.store;
  const row = sql.get<{ logical_name: string | null }>(sql.qb.selectFrom(tableOf(api.registry.entity(type).store)).select('logical_name').where('id', '=', id));
  return row?.logical_name ?? undefined;
}
