// Every read and write starts from the scope of the request: the rows of an entity that exist in
// this shared space / workspace. Cross-filter subqueries use the same function, so no filter can
// reach another workspace's rows.

import { sql, type RawBuilder } from 'kysely';
import type { Registry, ResolvedEntity } from '../resources/registry.js';
import { tableOf } from './schema-sync.js';

export interface Scope {
  sharedSpaceId: number;
  /** null for space-level and site-level requests */
  workspaceId: number | null;
  /** signed-in user, for [current_user] and `author` */
  userId: number | null;
  /** what the caller may enter; absent or null = everything (internal calls, admins) */
  visible?: { workspaces: number[] | null; spaces: number[] | null };
  /** false when the request did not send the technical-preview header (absent = sent) */
  preview?: boolean;
}

export function col(alias: string, column: string): RawBuilder<unknown> {
  return sql.ref(`${alias}.${column}`);
}

export function tableAs(store: string, alias: string): RawBuilder<unknown> {
  return sql`${sql.table(tableOf(store))} as ${sql.ref(alias)}`;
}

/** SQL condition selecting the rows of `entity` visible in `scope`, for the table aliased `alias`. */
export function scopeCondition(registry: Registry, entity: ResolvedEntity, scope: Scope, alias: string): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [];
  switch (entity.level) {
    case 'workspace':
      if (entity.scope === 'members') {
        parts.push(sql`${col(alias, 'shared_space_id')} = ${scope.sharedSpaceId}`);
        parts.push(membersCondition(registry, scope, alias));
      } else if (entity.scope === 'inherit-space') {
        // a workspace sees its own rows and its shared space's; the space (workspace 500) its own
        parts.push(sql`${col(alias, 'shared_space_id')} = ${scope.sharedSpaceId}`);
        parts.push(
          scope.workspaceId === null
            ? sql`${col(alias, 'workspace_id')} is null`
            : sql`(${col(alias, 'workspace_id')} = ${scope.workspaceId} or ${col(alias, 'workspace_id')} is null)`,
        );
      } else {
        parts.push(sql`${col(alias, 'workspace_id')} = ${scope.workspaceId ?? -1}`);
      }
      break;
    case 'space':
      parts.push(sql`${col(alias, 'shared_space_id')} = ${scope.sharedSpaceId}`);
      break;
    case 'site':
      break;
  }
  const limit = entity.scope === 'accessible-workspaces' ? scope.visible?.workspaces : entity.scope === 'accessible-spaces' ? scope.visible?.spaces : undefined;
  if (limit) parts.push(limit.length ? sql`${col(alias, 'id')} in (${sql.join(limit)})` : sql`1 = 0`);
  const store = registry.store(entity.store);
  // without the preview header, an aggregate does not show its technical-preview subtypes
  const rowTypes = scope.preview === false ? visibleRowTypes(registry, entity) : entity.rowTypes;
  if (store.types.length !== rowTypes.length) {
    parts.push(rowTypes.length ? sql`${col(alias, 'type')} in (${sql.join(rowTypes.map((t) => sql`${t}`))})` : sql`1 = 0`);
  }
  if (parts.length === 0) return sql<boolean>`1 = 1`;
  return sql<boolean>`(${sql.join(parts, sql` and `)})`;
}

/** The row types of an entity that are not technical preview. */
export function visibleRowTypes(registry: Registry, entity: ResolvedEntity): readonly string[] {
  if (!entity.subtypes?.length) return entity.rowTypes;
  return entity.rowTypes.filter((t) => !registry.findEntity(t)?.preview);
}

/**
 * Users seen through a workspace are those holding a role in it: a link from the user's
 * `workspace_roles` to a workspace_role row of this workspace, or to a space-wide one (no
 * workspace: the shared space admin role).
 */
function membersCondition(registry: Registry, scope: Scope, alias: string): RawBuilder<unknown> {
  const userStore = registry.entity('user').store;
  const roleStore = registry.entity('workspace_role').store;
  return sql`${col(alias, 'id')} in (select l.src_id from entity_link l join ${sql.table(tableOf(roleStore))} wr on wr.id = l.dst_id where l.field = ${`${userStore}.workspace_roles`} and (wr.workspace = ${scope.workspaceId ?? -1} or (wr.workspace is null and wr.shared_space_id = ${scope.sharedSpaceId})))`;
}

/** A scope whose values are named parameters of a prepared statement (see Sql.prepared). */
export function sentinelScope(p: (name: string) => any): Scope {
  return { sharedSpaceId: p('scope_space'), workspaceId: p('scope_workspace'), userId: p('scope_user') };
  // (preview is not part of the sentinel: prepared statements are keyed with it, see scopeKey)
}

/** The values of a scope for a statement built with sentinelScope. */
export function scopeValues(scope: Scope): Record<string, unknown> {
  return { scope_space: scope.sharedSpaceId, scope_workspace: scope.workspaceId ?? -1, scope_user: scope.userId };
}

/** A sentinel scope that also carries the request's preview rule (part of the statement's shape). */
export function sentinelScopeOf(p: (name: string) => any, scope: Scope): Scope {
  return { ...sentinelScope(p), preview: scope.preview };
}

/** Key part of a prepared statement built with sentinelScopeOf. */
export function scopeShapeKey(scope: Scope): string {
  return scope.preview === false ? 'np' : 'p';
}

/**
 * Whether the scope condition of `entity` can be a prepared shape: every scope except the
 * accessible-* ones, whose lists of visible ids are written into the statement.
 */
export function hasPreparedScope(entity: ResolvedEntity): boolean {
  return entity.scope !== 'accessible-workspaces' && entity.scope !== 'accessible-spaces';
}

/**
 * `alias.column` is one of a list of ids, as a prepared shape: `= :id` for one id (`single`),
 * else `in (select value from json_each(:ids))` with the ids as one JSON parameter (idsValues).
 */
export function inIds(p: (name: string) => any, alias: string, column: string, single: boolean): RawBuilder<boolean> {
  return single ? sql<boolean>`${col(alias, column)} = ${p('id')}` : sql<boolean>`${col(alias, column)} in (select value from json_each(${p('ids')}))`;
}

/** The values of an inIds condition. */
export function idsValues(ids: readonly number[]): { id?: number; ids?: string } {
  return ids.length === 1 ? { id: ids[0] } : { ids: JSON.stringify(ids) };
}
