// Tenancy: a new shared space gets its roles, a new workspace gets Octane's seed data (phases,
// lists, roots, ...) and one workspace role per role; users and API keys keep secrets hashed.

import { randomBytes } from 'node:crypto';
import { hashSecret, isHashed } from '../../auth/passwords.js';
import { loadFixture, readFixture } from '../../store/fixtures.js';
import type { EntityHooks, Values } from '../hooks.js';

export const sharedSpaceHooks: EntityHooks = {
  afterCreate(api, id) {
    loadFixture(api.service, { ...api.ctx, sharedSpaceId: id, workspaceId: null, system: true }, readFixture('space-template.json'));
  },
};

export const workspaceHooks: EntityHooks = {
  afterCreate(api, id) {
    loadFixture(api.service, { ...api.ctx, workspaceId: id, system: true }, readFixture('workspace-template.json'));
    const spaceCtx = { ...api.ctx, workspaceId: null, system: true };
    const roleEntity = api.registry.entity('role');
    const workspaceRole = api.registry.entity('workspace_role');
    for (const roleId of api.service.ids(spaceCtx, roleEntity)) {
      api.service.createOne(spaceCtx, workspaceRole, { workspace: { type: 'workspace', id }, role: { type: 'role', id: roleId } });
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
};

export const apiAccessHooks: EntityHooks = {
  beforeCreate(_api, values) {
    if (typeof values.client_id !== 'string' || values.client_id === '') values.client_id = `key_${randomBytes(9).toString('base64url')}`;
    if (values.enabled === undefined) values.enabled = true;
    hashField(values, 'client_secret');
  },
  beforeUpdate(_api, _current, changes) {
    hashField(changes, 'client_secret');
  },
};
