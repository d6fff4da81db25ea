// People, roles, workspaces and the shared space. Users live once per shared space (`user`, space
// level); a workspace sees the users that hold a role in it through the `workspace_user` view, which
// shares the `user` table and ids. Membership is the user's workspace_roles: (workspace, role) pairs.

import { entity } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

/** A secret that can be written but is never read back, filtered or sorted on. */
function secret(name: string, o: { required?: boolean } = {}) {
  return f.string(name, { required: o.required ?? false, returnedByDefault: false, filterable: false, sortable: false, writeOnly: true });
}

/** Person fields shared by the space user and its workspace view. */
function person(): FieldDescriptor[] {
  return [
    // the login name, unique in the shared space; the server takes the email when it is omitted
    f.string('name', { unique: 'space' }),
    f.string('email', { required: true }),
    f.string('first_name', { required: true }),
    f.string('last_name', { required: true }),
    f.string('full_name', { editable: false }),
    secret('password', { required: true }),
    f.string('phone1'),
    f.string('language'),
    f.integer('activity_level'),
  ];
}

export const userDescriptors: EntityDescriptor[] = [
  // declared before its workspace view: the view borrows this entity's store
  entity({
    type: 'user',
    collection: 'users',
    level: 'space',
    // the JS SDK's README uses the space-level user list as its technical-preview example
    preview: true,
    fields: [...person(), f.multi('workspace_roles', ['workspace_role'])],
  }),
  entity({
    type: 'workspace_user',
    collection: 'workspace_users',
    // the workspace-level `users` collection (public) is the same view
    aliases: ['users'],
    viewOf: 'user',
    scope: 'members',
    // a workspace's users are managed by its admins
    writeAccess: 'admin',
    store: 'user',
    fields: [
      ...person(),
      // the same membership as the space user's: (workspace, role) pairs
      f.multi('workspace_roles', ['workspace_role']),
      // the other side of a team's members; writable from either side
      f.inverse('teams', 'team', 'members', ['team'], { editable: true }),
    ],
  }),
  entity({
    type: 'role',
    collection: 'roles',
    level: 'space',
    // seeded (role.workspace.admin, role.shared.space.admin, ...): read-only
    methods: 'G',
    fields: [
      f.string('name', { editable: false }),
      f.string('logical_name', { editable: false }),
      f.string('description', { editable: false }),
    ],
  }),
  entity({
    type: 'workspace_role',
    collection: 'workspace_roles',
    level: 'space',
    methods: 'G',
    fields: [f.ref('workspace', ['workspace'], { editable: false }), f.ref('role', ['role'], { editable: false })],
  }),
  entity({
    type: 'api_access',
    collection: 'api_accesses',
    label: 'API access',
    level: 'space',
    // not in the public list of seed 000
    preview: true,
    fields: [
      f.string('name', { required: true }),
      f.string('client_id', { editable: false }),
      // shown once on create by the service, never read back
      secret('client_secret'),
      f.multi('workspace_roles', ['workspace_role']),
      f.boolean('enabled'),
    ],
  }),
  entity({
    type: 'workspace',
    collection: 'workspaces',
    level: 'space',
    // a caller sees the workspaces it may enter
    scope: 'accessible-workspaces',
    methods: 'GPU',
    fields: [f.string('name', { required: true }), f.memo('description'), f.string('logical_name', { editable: false })],
  }),
  entity({
    type: 'shared_space',
    collection: 'shared_spaces',
    level: 'site',
    scope: 'accessible-spaces',
    methods: 'GPU',
    fields: [f.string('name', { required: true }), f.memo('description'), f.string('logical_name', { editable: false })],
  }),
];
