// The resource table with its behaviour attached: the declarations of defs/ plus the named hooks
// of hooks/. This is what the server is built from.

import { allDescriptors } from './defs/index.js';
import type { EntityHooks } from './hooks.js';
import { ciBuildHooks, ciServerHooks, pipelineHooks } from './hooks/ci.js';
import { composeHooks } from './hooks/compose.js';
import { lifecycleHooks } from './hooks/lifecycle.js';
import { listNodeHooks } from './hooks/lists.js';
import { myWorkField, myWorkHooks } from './hooks/my-work.js';
import { defectHooks, releaseHooks, sprintHooks, taskHooks } from './hooks/planning.js';
import { rollupHooks } from './hooks/rollups.js';
import { fieldMetadataHooks } from './hooks/user-fields.js';
import { manualRunHooks, runHooks, runStepHooks, suiteLinkHooks, suiteRunHooks, testHooks } from './hooks/runs.js';
import { apiAccessHooks, sharedSpaceHooks, userHooks, workspaceHooks, workspaceUserHooks } from './hooks/tenancy.js';
import { attachmentHooks, ownedHooks } from './attachments.js';
import { Registry } from './registry.js';
import type { EntityDescriptor } from './types.js';

/** Behaviour of particular entity types. */
const HOOKS: Record<string, EntityHooks | EntityHooks[]> = {
  shared_space: sharedSpaceHooks,
  workspace: workspaceHooks,
  user: userHooks,
  workspace_user: workspaceUserHooks,
  api_access: apiAccessHooks,
  release: releaseHooks,
  sprint: sprintHooks,
  task: taskHooks,
  feature: rollupHooks,
  story: rollupHooks,
  defect: [rollupHooks, defectHooks],
  quality_story: rollupHooks,
  field_metadata: fieldMetadataHooks,
  list_node: listNodeHooks,
  test_manual: testHooks,
  gherkin_test: testHooks,
  test_automated: testHooks,
  test_suite: testHooks,
  run_manual: [runHooks, manualRunHooks],
  run_suite: [runHooks, suiteRunHooks],
  run_automated: runHooks,
  gherkin_automated_run: runHooks,
  run_step: runStepHooks,
  test_suite_link_to_manual: suiteLinkHooks,
  test_suite_link_to_gherkin: suiteLinkHooks,
  test_suite_link_to_automated: suiteLinkHooks,
  ci_server: ciServerHooks,
  ci_build: ciBuildHooks,
  pipeline: pipelineHooks,
  comment: ownedHooks,
  attachment: [ownedHooks, attachmentHooks()],
};

/** What the behaviour of the resource table takes from the emulator's configuration. */
export interface ResourceOptions {
  /** file extensions an attachment may have (config.attachmentExtensions); Octane's list by default */
  attachmentExtensions?: readonly string[];
}

function hooksOf(options: ResourceOptions): Record<string, EntityHooks | EntityHooks[]> {
  if (!options.attachmentExtensions) return HOOKS;
  return { ...HOOKS, attachment: [ownedHooks, attachmentHooks(options.attachmentExtensions)] };
}

/**
 * The descriptors with their hooks: behaviour shared by every entity with a phase (life cycle) or
 * an owner (My Work) first, then the entity type's own.
 */
export function resourceTable(options: ResourceOptions = {}): EntityDescriptor[] {
  const table = hooksOf(options);
  const known = new Set(allDescriptors.map((d) => d.type));
  for (const type of Object.keys(table)) if (!known.has(type)) throw new Error(`hooks declared for unknown entity type '${type}'`);
  const plain = new Registry(allDescriptors);
  return allDescriptors.map((d) => {
    const resolved = plain.entity(d.type);
    const concrete = !resolved.subtypes?.length;
    const hasPhase = concrete && resolved.fieldMap.get('phase')?.targets?.includes('phase') === true;
    const myWork = concrete ? myWorkField(plain, resolved) : undefined;
    const own = table[d.type];
    const hooks = composeHooks(hasPhase ? lifecycleHooks : undefined, myWork ? myWorkHooks(myWork) : undefined, ...(Array.isArray(own) ? own : [own]));
    return hooks ? { ...d, hooks } : d;
  });
}

export function buildRegistry(options: ResourceOptions = {}): Registry {
  return new Registry(resourceTable(options));
}
