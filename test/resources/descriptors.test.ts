// The resource table as a whole: it resolves, every public resource of seed 000 answers, the
// methods the seed states hold, and every field the 25 flows (spec/flows.md) use exists.

import { describe, expect, it } from 'vitest';
import { allDescriptors } from '../../src/resources/defs/index.js';
import { Registry, type ResolvedEntity } from '../../src/resources/registry.js';
import type { Level } from '../../src/resources/types.js';
import { SEED_000_RESOURCES } from '../helpers/seeds.js';

const registry = new Registry(allDescriptors);

/**
 * A collection by name, also through `aliases`. The Registry itself does not index aliases yet,
 * so the test resolves them here.
 */
function lookup(level: Level, name: string): ResolvedEntity | undefined {
  return registry.collection(level, name) ?? registry.entities.find((e) => e.level === level && (e.aliases ?? []).includes(name));
}

/** Seed 000, "Supported, public resources", in the order the seed lists them. */
const PUBLIC = SEED_000_RESOURCES.map((r) => r.name);

/** The public resources that live at shared-space level; the rest are workspace collections. */
const SPACE_LEVEL = new Set(['roles', 'workspaces', 'workspace_roles']);

function levelOf(name: string): Level {
  return SPACE_LEVEL.has(name) ? 'space' : 'workspace';
}

/**
 * [collection, field path] pairs the flows filter on, project or write. A dotted path follows a
 * reference into every entity type it targets (`release.name` = the `name` of the story's release).
 */
const FLOW_FIELDS: ReadonlyArray<readonly [string, string]> = [
  // 1 my new stories for a release
  ['stories', 'release.name'], ['stories', 'phase.logical_name'], ['stories', 'owner.id'],
  // 2 opened defects I must test for a sprint
  ['defects', 'sprint.name'], ['defects', 'phase.logical_name'], ['defects', 'qa_owner.id'],
  // 3 comments of my manual tests
  ['comments', 'owner_test.subtype'], ['comments', 'owner_test.owner.id'], ['comments', 'text'], ['comments', 'author'],
  ['comments', 'creation_time'], ['manual_tests', 'owner.id'],
  // 4 attachment on a manual test
  ['attachments', 'name'], ['attachments', 'owner_test'], ['attachments', 'owner_work_item'],
  // 5 Gherkin tests ready for automation
  ['gherkin_tests', 'owner.id'], ['gherkin_tests', 'automation_status.logical_name'],
  // 6 planned runs of manual / Gherkin tests and suites
  ['runs', 'status.logical_name'], ['runs', 'test.subtype'], ['tests', 'run'],
  // 7 environments of test results per release
  ['runs', 'taxonomies'], ['runs', 'release.name'], ['runs', 'taxonomies.category.name'], ['runs', 'taxonomies.name'],
  // 8 tagged automated tests of an application module
  ['automated_tests', 'user_tags.name'], ['automated_tests', 'product_areas.name'],
  // 9 recent failed automated tests of a release
  ['automated_tests', 'last_runs.release.name'], ['automated_tests', 'last_runs.status.logical_name'],
  ['automated_tests', 'last_runs.creation_time'], ['runs', 'test_of_last_run'],
  // 10 application modules whose tests recently failed
  ['product_areas', 'test.last_runs.status.logical_name'], ['product_areas', 'test.last_runs.creation_time'],
  // 11 features whose automated tests recently failed
  ['features', 'test.last_runs.status.logical_name'], ['features', 'children.test.last_runs.creation_time'],
  // 12 open high-severity defects with an application module
  ['defects', 'product_areas.name'], ['defects', 'severity.logical_name'],
  // 13, 14 defects of failed / passed runs of a test
  ['defects', 'run.test.id'], ['defects', 'run.status.logical_name'],
  // 15 report results from a pipeline
  ['ci_servers', 'name'], ['ci_servers', 'url'], ['ci_servers', 'server_type'], ['ci_servers', 'instance_id'],
  ['pipelines', 'name'], ['pipelines', 'server_ci_id'], ['pipelines', 'root_job_ci_id'], ['pipelines', 'jobs'],
  ['ci_build', 'name'], ['automated_runs', 'build'], ['automated_runs', 'pipeline'], ['automated_runs', 'release'],
  ['automated_runs', 'taxonomies'], ['automated_runs', 'native_status'], ['automated_runs', 'started'],
  ['automated_runs', 'duration'], ['automated_tests', 'package'], ['automated_tests', 'class_name'],
  ['automated_tests', 'component'], ['automated_tests', 'test_level'], ['automated_tests', 'framework'],
  ['automated_tests', 'testing_tool_type'], ['automated_tests', 'test_type'], ['automated_tests', 'product_areas'],
  ['automated_tests', 'covered_content'],
  // 16 failure results
  ['automated_runs', 'error_type'], ['automated_runs', 'error_message'], ['automated_runs', 'error_details'],
  ['automated_runs', 'status.logical_name'],
  // 17 run history
  ['previous_runs', 'build_id'], ['previous_runs', 'run_id'], ['previous_runs', 'run_native_status'], ['previous_runs', 'started'],
  // 18 manual test run and its steps
  ['manual_runs', 'name'], ['manual_runs', 'test'], ['manual_runs', 'release'], ['manual_runs', 'native_status.logical_name'],
  ['run_steps', 'run.id'], ['run_steps', 'status'], ['run_steps', 'result'],
  // 19 test suite with manual and Gherkin tests
  ['test_suites', 'name'], ['test_suites', 'phase'], ['test_suite_link_to_tests', 'test_suite.id'],
  ['test_suite_link_to_tests', 'test'],
  // 20 plan a suite run
  ['suite_run', 'name'], ['suite_run', 'test'], ['suite_run', 'release'], ['suite_run', 'native_status'],
  ['suite_run', 'default_run_by'], ['suite_run', 'default_taxonomies'], ['runs', 'parent_suite.id'],
  // 21 add "test" tasks to work items that have none
  ['work_items', 'subtype'], ['work_items', 'release.id'], ['work_items', 'child_task.item_type.logical_name'],
  ['tasks', 'name'], ['tasks', 'story'], ['tasks', 'phase'], ['tasks', 'item_type'], ['tasks', 'owner'],
  // 22 mark stories done when their tasks are completed
  ['stories', 'child_task.phase.logical_name'], ['tasks', 'story.id'],
  // 23 mark features done when their stories are done
  ['features', 'phase.logical_name'], ['features', 'children'], ['work_items', 'parent.id'], ['work_items', 'phase.logical_name'],
  // 25 document report with descendants
  ['requirements', 'parent.id'], ['requirement_documents', 'path'], ['requirement_documents', 'name'],
  ['requirement_documents', 'description'], ['requirement_documents', 'order'],
  // My Work (flows 2 and 3 touch it)
  ['user_items', 'user.id'], ['user_items', 'my_follow_items_work_item'], ['user_items', 'my_follow_items_test'],
  // list values are read through list_nodes
  ['list_nodes', 'list_root.logical_name'], ['phases', 'entity'], ['phases', 'metaphase.logical_name'],
];

/** Resolve a dotted field path from an entity; returns the path's first missing segment, if any. */
function missing(start: ResolvedEntity, path: string): string | undefined {
  let at: ResolvedEntity[] = [start];
  const trail: string[] = [];
  for (const segment of path.split('.')) {
    trail.push(segment);
    const next: ResolvedEntity[] = [];
    for (const e of at) {
      const fd = e.fieldMap.get(segment);
      if (!fd) return `${e.type}.${trail.join('.')}`;
      for (const t of fd.targets ?? []) next.push(registry.entity(t));
    }
    at = next;
  }
  return undefined;
}

describe('resource table', () => {
  it('resolves without errors', () => {
    expect(() => new Registry(allDescriptors)).not.toThrow();
    expect(registry.entities.length).toBe(allDescriptors.length);
  });

  it('answers every public resource of seed 000', () => {
    expect(PUBLIC).toHaveLength(52);
    const unresolved = PUBLIC.filter((name) => !lookup(levelOf(name), name));
    expect(unresolved).toEqual([]);
  });

  it('serves none of the public resources as technical preview', () => {
    const preview = PUBLIC.filter((name) => lookup(levelOf(name), name)?.preview);
    expect(preview).toEqual([]);
  });

  it('keeps the space-level user list in technical preview and the workspace one public', () => {
    expect(lookup('space', 'users')).toMatchObject({ type: 'user', preview: true });
    expect(lookup('workspace', 'users')).toMatchObject({ type: 'workspace_user' });
    expect(lookup('workspace', 'users')?.preview).toBeFalsy();
    expect(lookup('workspace', 'workspace_users')?.type).toBe('workspace_user');
  });

  it('answers the other spellings of the CI collections', () => {
    for (const name of ['builds', 'ci_build', 'ci_builds']) expect(lookup('workspace', name)?.type).toBe('ci_build');
    expect(lookup('workspace', 'pipeline_runs')?.type).toBe('pipeline_run');
    expect(lookup('workspace', 'pipeline_nodes')?.type).toBe('pipeline_node');
    expect(lookup('workspace', 'scm_commits')?.type).toBe('scm_commit');
  });

  it('declares no alias twice nor over a collection name', () => {
    const seen = new Map<string, string>();
    for (const e of registry.entities) {
      for (const name of [e.collection, ...(e.aliases ?? [])]) {
        const key = `${e.level}:${name}`;
        expect(seen.get(key), key).toBeUndefined();
        seen.set(key, e.type);
      }
    }
  });

  it('serves metaphases with GET only', () => {
    const m = lookup('workspace', 'metaphases')!;
    expect(m.methods.collection).toEqual(['GET']);
    expect(m.methods.instance).toEqual(['GET']);
  });

  it('serves user_tags with GET and POST only', () => {
    const t = lookup('workspace', 'user_tags')!;
    expect([...t.methods.collection].sort()).toEqual(['GET', 'POST']);
    expect(t.methods.instance).toEqual(['GET']);
  });

  it('has every field the flows use', () => {
    // the walker itself reports gaps, at any depth
    expect(missing(lookup('workspace', 'defects')!, 'no_such_field')).toBe('defect.no_such_field');
    expect(missing(lookup('workspace', 'defects')!, 'run.test.no_such_field')).toBe('test.run.test.no_such_field');
    const problems: string[] = [];
    for (const [collection, path] of FLOW_FIELDS) {
      const e = lookup(levelOf(collection), collection);
      if (!e) {
        problems.push(`no collection ${collection}`);
        continue;
      }
      const gap = missing(e, path);
      if (gap) problems.push(`${collection}: ${gap}`);
    }
    expect(problems).toEqual([]);
  });

  it('gives flow fields the types the flows compare them with', () => {
    const field = (collection: string, name: string) => lookup(levelOf(collection), collection)!.fieldMap.get(name)!;
    // plain numbers in the run history (Scenario_RunHistory)
    for (const name of ['run_id', 'build_id', 'run_native_status']) expect(field('previous_runs', name).type).toBe('integer');
    expect(field('runs', 'creation_time').type).toBe('date_time');
    expect(field('automated_tests', 'last_runs')).toMatchObject({ type: 'reference', multiple: true, editable: false });
    expect(field('tests', 'run')).toMatchObject({ type: 'reference', multiple: true, returnedByDefault: false });
    expect(field('product_areas', 'test')).toMatchObject({ multiple: true, source: { kind: 'inverse', entity: 'test', field: 'product_areas' } });
    expect(field('runs', 'status')).toMatchObject({ list: 'list_node.run_status', editable: false });
    expect(field('runs', 'native_status')).toMatchObject({ list: 'list_node.run_native_status', required: true });
    expect(field('tasks', 'item_type').list).toBe('list_node.task_item_type');
    expect(field('tests', 'test_type')).toMatchObject({ list: 'list_node.test_type', multiple: true });
    expect(field('work_items', 'child_task').source).toEqual({ kind: 'inverse', entity: 'task', field: 'story' });
  });

  it('narrows the test of each suite link subtype', () => {
    expect(lookup('workspace', 'test_suite_link_to_manual_tests')!.fieldMap.get('test')!.targets).toEqual(['test_manual']);
    expect(lookup('workspace', 'test_suite_link_to_gherkin_tests')!.fieldMap.get('test')!.targets).toEqual(['gherkin_test']);
    expect(lookup('workspace', 'test_suite_link_to_automated_tests')!.fieldMap.get('test')!.targets).toEqual(['test_automated']);
  });

  it('gives every life-cycle entity a required phase, and every tree a parent field and a root', () => {
    for (const e of registry.entities) {
      if (e.hasPhases) expect(e.fieldMap.get('phase'), e.type).toMatchObject({ type: 'reference', targets: ['phase'], required: true });
      if (e.tree) {
        expect(e.fieldMap.get(e.tree.parentField)?.type, e.type).toBe('reference');
        if (e.tree.rootType) expect(registry.findEntity(e.tree.rootType), e.type).toBeDefined();
      }
    }
  });

  it('keeps list references on list_node roots named list_node.*', () => {
    for (const e of registry.entities) {
      for (const fd of e.fieldMap.values()) {
        if (fd.list === undefined) continue;
        expect(fd.targets, `${e.type}.${fd.name}`).toEqual(['list_node']);
        expect(fd.list, `${e.type}.${fd.name}`).toMatch(/^list_node\.[a-z_.]+$/);
      }
    }
  });
});
