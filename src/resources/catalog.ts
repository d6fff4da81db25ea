// The resource table with its behaviour attached: the declarations of defs/ plus the named hooks
// of hooks/. This is what the server is built from.

import { allDescriptors } from './defs/index.js';
import type { EntityHooks } from './hooks.js';
import { composeHooks } from './hooks/compose.js';
import { lifecycleHooks } from './hooks/lifecycle.js';
import { myWorkField, myWorkHooks } from './hooks/my-work.js';
import { defectHooks, releaseHooks, sprintHooks, taskHooks } from './hooks/planning.js';
import { fieldMetadataHooks } from './hooks/user-fields.js';
import { apiAccessHooks, sharedSpaceHooks, userHooks, workspaceHooks, workspaceUserHooks } from './hooks/tenancy.js';
import { Registry } from './registry.js';
import type { EntityDescriptor } from './types.js';

/** Behaviour of particular entity types. */
const HOOKS: Record<string, EntityHooks> = {
  shared_space: sharedSpaceHooks,
  workspace: workspaceHooks,
  user: userHooks,
  workspace_user: workspaceUserHooks,
  api_access: apiAccessHooks,
  release: releaseHooks,
  sprint: sprintHooks,
  task: taskHooks,
  defect: defectHooks,
  field_metadata: fieldMetadataHooks,
};

/**
 * The descriptors with their hooks: behaviour shared by every entity with a phase (life cycle) or
 * an owner (My Work) first, then the entity type's own.
 */
export function resourceTable(): EntityDescriptor[] {
  const known = new Set(allDescriptors.map((d) => d.type));
  for (const type of Object.keys(HOOKS)) if (!known.has(type)) throw new Error(`hooks declared for unknown entity type '${type}'`);
  const plain = new Registry(allDescriptors);
  return allDescriptors.map((d) => {
    const resolved = plain.entity(d.type);
    const concrete = !resolved.subtypes?.length;
    const hasPhase = concrete && resolved.fieldMap.get('phase')?.targets?.includes('phase') === true;
    const myWork = concrete ? myWorkField(plain, resolved) : undefined;
    const hooks = composeHooks(hasPhase ? lifecycleHooks : undefined, myWork ? myWorkHooks(myWork) : undefined, HOOKS[d.type]);
    return hooks ? { ...d, hooks } : d;
  });
}

export function buildRegistry(): Registry {
  return new Registry(resourceTable());
}
