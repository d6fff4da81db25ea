// Tenancy: a new shared space gets its roles, a new workspace gets Octane's seed data (phases,
// lists, roots, ...) and one workspace role per role; users and API keys keep secrets hashed.

import { randomBytes } from 'node:crypto';
import { hashSecret, isHashed } from '../../auth/passwords.js';
import { endSessionsOf } from '../../auth/sessions.js';
import { errors } from '../../errors/catalog.js';
import { parseQuery } from '../../query/parser.js';
import { tableOf } from '../../store/schema-sync.js';
import { loadFixture, readFixture } from '../../store/fixtures.js';
import type { RequestContext } from '../context.js';
import type { EntityHooks, HookApi, RefValue, Values } from '../hooks.js';

/** Roles that hold across a whole shared space rather than in one workspace. */
const isSpaceWide = (logicalName: unknown) => typeof logicalName === 'string' && logicalName.startsWith('role.shared.space');

/** The roles of a space as (id, logical_name). */
function roles(api: HookApi, spaceCtx: RequestContext): Array<{ id: number; logical_name: unknown }> {
  const roleEntity = api.registry.entity('role');
  return api.service.list(spaceCtx, roleEntity, { fields: [{ name: 'logical_name' }], limit: 1000, offset: 0 }).data.map((r) => ({ id: Number(r.id), logical_name: r.logical_name }));
}

export const sharedSpaceHooks: EntityHooks = {
  afterCreate(api, id) {
    const spaceCtx = { ...api.ctx, sharedSpaceId: id, workspaceId: null, system: true };
    loadFixture(api.service, spaceCtx, readFixture('space-template.json'));
    // Space-wide roles (the shared space admin) are workspace roles without a workspace.
    const workspaceRole = api.registry.entity('workspace_role');
    for (const r of roles(api, spaceCtx)) {
      if (isSpaceWide(r.logical_name)) api.service.createOne(spaceCtx, workspaceRole, { role: { type: 'role', id: r.id } });
    }
  },
};

export const workspaceHooks: EntityHooks = {
  afterCreate(api, id) {
    loadFixture(api.service, { ...api.ctx, workspaceId: id, system: true }, readFixture('workspace-template.json'));
    const spaceCtx = { ...api.ctx, workspaceId: null, system: true };
    const workspaceRole = api.registry.entity('workspace_role');
    for (const r of roles(api, spaceCtx)) {
      if (!isSpaceWide(r.logical_name)) api.service.createOne(spaceCtx, workspaceRole, { workspace: { type: 'workspace', id }, role: { type: 'role', id: r.id } });
    }
  },
};

function hashField(values: Values, field: string): void {
  const v = values[field];
  if (typeof v === 'string' && !isHashed(v)) values[field] = hashSecret(v);
}

function fullName(values: Values, current: Values = {}): void {
  const first = (values.first_name ?? current.first_name ?? '') as string;
  const last = (values.last_name ?? current.last_name ?? '') as string;
  if (values.first_name !== undefined || values.last_name !== undefined) values.full_name = `${first} ${last}`.trim();
}

export const userHooks: EntityHooks = {
  beforeCreate(_api, values) {
    // The login name defaults to the email, as Octane's user administration does.
    if ((values.name === undefined || values.name === null || values.name === '') && typeof values.email === 'string') values.name = values.email;
    fullName(values);
    hashField(values, 'password');
  },
  beforeUpdate(_api, current, changes) {
    fullName(changes, current);
    hashField(changes, 'password');
  },
  beforeDelete(api, current) {
    endSessionsOf(api.store.sql, `user:${String(current.id)}`);
  },
};

/** The workspace of each workspace role (null: a space-wide role). */
function roleWorkspaces(api: HookApi, ids: number[]): Map<number, number | null> {
  const { sql } = api.store;
  if (!ids.length) return new Map();
  const rows = sql.all<{ id: number; workspace: number | null }>(
    sql.qb.selectFrom(tableOf(api.registry.entity('workspace_role').store)).select(['id', 'workspace']).where('id', 'in', ids),
  );
  return new Map(rows.map((r) => [r.id, r.workspace]));
}

/** Through a workspace, only that workspace's roles are given or taken. */
function checkOwnRoles(api: HookApi, roles: RefValue[]): void {
  const ws = roleWorkspaces(api, roles.map((r) => r.id));
  for (const r of roles) {
    if (ws.get(r.id) !== api.ctx.workspaceId) {
      throw errors.fieldValidation('workspace_user', 'workspace_roles', `the workspace role '${r.id}' is not a role of workspace ${api.ctx.workspaceId}; manage other roles through the shared space's users`);
    }
  }
}

/** The user's roles outside this workspace, which a workspace's admin cannot see or change. */
function rolesElsewhere(api: HookApi, userId: number): RefValue[] {
  const key = `${api.registry.entity('user').store}.workspace_roles`;
  const current = api.store.links(key, [userId]).map((l) => l.dst_id);
  const ws = roleWorkspaces(api, current);
  return current.filter((id) => ws.get(id) !== api.ctx.workspaceId).map((id) => ({ type: 'workspace_role', id }));
}

/** Fields a workspace admin may change on a user; the rest is the shared space admin's. */
const MEMBERSHIP_FIELDS = new Set(['workspace_roles', 'teams']);

/**
 * `workspace_users` manages a workspace's membership: a user created there becomes a team member
 * by default, roles given there are that workspace's only, and deleting there removes the user
 * from the workspace (not from the shared space).
 */
export const workspaceUserHooks: EntityHooks = {
  ...userHooks,
  beforeCreate(api, values) {
    userHooks.beforeCreate!(api, values);
    const given = values.workspace_roles as RefValue[] | undefined;
    if (given && given.length) checkOwnRoles(api, given);
    else if (api.ctx.workspaceId !== null) {
      const wr = teamMemberRole(api);
      if (wr !== undefined) values.workspace_roles = [{ type: 'workspace_role', id: wr }];
    }
  },
  beforeUpdate(api, current, changes) {
    if (!api.ctx.system && !api.ctx.spaceAdmin) {
      const other = Object.keys(changes).filter((k) => !MEMBERSHIP_FIELDS.has(k));
      if (other.length) throw errors.forbidden(`Only a shared space admin may change a user's ${other.join(', ')}`, { fields: other });
    }
    userHooks.beforeUpdate!(api, current, changes);
    const given = changes.workspace_roles as RefValue[] | undefined;
    if (given) {
      checkOwnRoles(api, given);
      changes.workspace_roles = [...rolesElsewhere(api, current.id as number), ...given];
    }
  },
  deleteInstead(api, current) {
    const key = `${api.registry.entity('user').store}.workspace_roles`;
    api.store.setLinks(key, current.id as number, rolesElsewhere(api, current.id as number).map((r) => r.id));
  },
};

function teamMemberRole(api: HookApi): number | undefined {
  const found = api.service.list({ ...api.ctx, system: true }, api.registry.entity('workspace_role'), {
    query: parseQuery(`workspace EQ {id EQ ${api.ctx.workspaceId}};role EQ {logical_name EQ ^role.workspace.team.member^}`),
    fields: [{ name: 'id' }],
    limit: 1,
    offset: 0,
  });
  return found.data.length ? Number(found.data[0].id) : undefined;
}

/** Secrets the server generated, kept until the entity exists so the answer can show them once. */
const generatedSecrets = new WeakMap<Values, string>();

export const apiAccessHooks: EntityHooks = {
  beforeCreate(_api, values) {
    if (typeof values.client_id !== 'string' || values.client_id === '') values.client_id = `key_${randomBytes(9).toString('base64url')}`;
    if (values.enabled === undefined) values.enabled = true;
    if (typeof values.client_secret !== 'string' || values.client_secret === '') {
      const secret = randomBytes(18).toString('base64url');
      generatedSecrets.set(values, secret);
      values.client_secret = secret;
    }
    hashField(values, 'client_secret');
  },
  afterCreate(api, id, values) {
    const secret = generatedSecrets.get(values);
    if (secret) api.ctx.revealed?.set(id, { client_secret: secret });
  },
  beforeUpdate(_api, _current, changes) {
    hashField(changes, 'client_secret');
  },
  afterUpdate(api, id, _current, changes) {
    // A disabled or re-keyed API key loses its sessions at once.
    if (changes.enabled === false || changes.client_secret !== undefined) endSessionsOf(api.store.sql, `api_key:${id}`);
  },
  beforeDelete(api, current) {
    endSessionsOf(api.store.sql, `api_key:${String(current.id)}`);
  },
};
