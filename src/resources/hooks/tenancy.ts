// Tenancy: a new shared space gets its roles, a new workspace gets Octane's seed data (phases,
// lists, roots, ...) and one workspace role per role; users and API keys keep secrets hashed.

import { randomBytes } from 'node:crypto';
import { hashSecret, isHashed } from '../../auth/passwords.js';
import { endSessionsOf } from '../../auth/sessions.js';
import { parseQuery } from '../../query/parser.js';
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

/** A user created through a workspace's `workspace_users` becomes a team member there by default. */
export const workspaceUserHooks: EntityHooks = {
  ...userHooks,
  beforeCreate(api, values) {
    userHooks.beforeCreate!(api, values);
    const given = values.workspace_roles as RefValue[] | undefined;
    if ((!given || given.length === 0) && api.ctx.workspaceId !== null) {
      const wr = teamMemberRole(api);
      if (wr !== undefined) values.workspace_roles = [{ type: 'workspace_role', id: wr }];
    }
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
