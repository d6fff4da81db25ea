// The two seed documents as data for the acceptance suites (test/clients, test/raw, test/parity,
// test/flows) and for scripts/coverage-octane.ts: the public resources of seed 000 in the order the
// seed lists them, and the 25 flows of seed 004 in the seed's own wording.

export type SeedLevel = 'workspace' | 'space';

export interface SeedResource {
  /** the collection name exactly as seed 000 spells it */
  name: string;
  /** where the collection lives: `/api/shared_spaces/{sid}/workspaces/{wid}/…` or `/api/shared_spaces/{sid}/…` */
  level: SeedLevel;
}

/** The public resources that live at shared-space level; the rest are workspace collections. */
const SPACE_LEVEL = new Set(['roles', 'workspaces', 'workspace_roles']);

/** Seed 000, "Supported, public resources" (generic and CI/CD), in the seed's order. */
export const SEED_000_RESOURCES: readonly SeedResource[] = [
  'builds', 'ci_servers', 'pipelines', 'epics', 'features', 'stories', 'defects', 'phases', 'metaphases', 'transitions',
  'tasks', 'releases', 'requirements', 'requirement_documents', 'requirement_folders', 'requirement_roots', 'sprints',
  'product_areas', 'manual_tests', 'gherkin_tests', 'teams', 'team_sprints', 'tests', 'test_suites',
  'test_suite_link_to_automated_tests', 'test_suite_link_to_gherkin_tests', 'test_suite_link_to_manual_tests',
  'manual_runs', 'suite_run', 'run_steps', 'runs', 'automated_runs', 'previous_runs', 'pipeline_run', 'pipeline_node',
  'ci_build', 'scm_commit', 'list_nodes', 'users', 'user_items', 'work_items', 'work_item_roots', 'roles', 'workspaces',
  'workspace_roles', 'workspace_users', 'user_tags', 'taxonomy_category_nodes', 'taxonomy_item_nodes', 'taxonomy_nodes',
  'attachments', 'comments',
].map((name) => ({ name, level: SPACE_LEVEL.has(name) ? 'space' : 'workspace' }));

/**
 * The other resources seed 000 names: the metadata resources and the singletons (`test-results`,
 * `sign_in`, `sign_out`). They have no collection semantics; the coverage table lists them with
 * the methods they answer.
 */
export const SEED_000_SPECIAL: ReadonlyArray<{ name: string; methods: readonly string[] }> = [
  { name: 'metadata/entities', methods: ['GET'] },
  { name: 'metadata/fields', methods: ['GET'] },
  { name: 'test-results', methods: ['GET', 'POST'] },
  { name: 'sign_in', methods: ['POST'] },
  { name: 'sign_out', methods: ['POST'] },
];

/** Seed 004, the 25 flows, numbered as in the seed's table. */
export const SEED_004_FLOWS: readonly string[] = [
  'Get my new user stories for a release',
  'Get opened defects that I must test for a sprint',
  'Get the comments for my manual tests',
  'Add an attachment to a manual test script',
  'Get and update Gherkin tests that are ready for automation',
  'Get a list of planned runs for manual tests, Gherkin tests, and test suites',
  'Get the environments for test results for specific releases',
  'Get tagged automated tests associated with an application module',
  'Get recent failed automated tests for a release',
  'Get application modules whose tests recently failed',
  'Get features whose automated tests recently failed',
  'Get open, high-severity defects associated with any application module',
  'Get closed defects associated with a failed test run',
  'Get open defects associated with a successful test run',
  'Report results from a pipeline',
  'Failure results',
  'Get failed runs by checking the run history',
  'Create a manual test run',
  'Create a test suite with manual and Gherkin tests',
  'Plan a test suite run',
  'Add "test" tasks to work items that have none',
  'Mark stories done if tasks are completed',
  'Mark features done if stories are completed',
  'User-defined fields',
  'Create a document report with descendants',
];

/** Query features of the coverage table, as tagged in test titles (`[query:cross-filter]`). */
export const QUERY_FEATURES = ['filter', 'cross-filter', 'order_by', 'fields', 'paging', 'groups', 'text_search'] as const;
export type QueryFeature = (typeof QUERY_FEATURES)[number];

/**
 * Coverage tags for a test title: `tag({ resource: 'defects', method: ['GET', 'POST'] })` ->
 * `[resource:defects][method:GET,POST]`. scripts/coverage-octane.ts reads them back from the
 * names of the tests that passed.
 */
export function tag(t: { resource?: string | readonly string[]; method?: string | readonly string[]; refused?: string | readonly string[]; query?: string | readonly string[] }): string {
  const part = (k: string, v: string | readonly string[] | undefined) => (v === undefined ? '' : `[${k}:${(Array.isArray(v) ? v : [v]).join(',')}]`);
  return `${part('resource', t.resource)}${part('method', t.method)}${part('refused', t.refused)}${part('query', t.query)}`;
}
