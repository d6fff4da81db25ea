// The resource table with its behaviour attached: the declarations of defs/ plus the named hooks
// of hooks/. This is what the server is built from.

import { allDescriptors } from './defs/index.js';
import type { EntityHooks } from './hooks.js';
import { apiAccessHooks, sharedSpaceHooks, userHooks, workspaceHooks, workspaceUserHooks } from './hooks/tenancy.js';
import { Registry } from './registry.js';
import type { EntityDescriptor } from './types.js';

const HOOKS: Record<string, EntityHooks> = {
  shared_space: sharedSpaceHooks,
  workspace: workspaceHooks,
  user: userHooks,
  workspace_user: workspaceUserHooks,
  api_access: apiAccessHooks,
};

export function resourceTable(): EntityDescriptor[] {
  const known = new Set(allDescriptors.map((d) => d.type));
  for (const type of Object.keys(HOOKS)) if (!known.has(type)) throw new Error(`hooks declared for unknown entity type '${type}'`);
  return allDescriptors.map((d) => (HOOKS[d.type] ? { ...d, hooks: HOOKS[d.type] } : d));
}

export function buildRegistry(): Registry {
  return new Registry(resourceTable());
}
