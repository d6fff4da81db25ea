// Tests: one family seen through `tests` and through each subtype's collection (manual, Gherkin,
// automated, suite). Suite contents are a second family of link entities, `test_suite_link_to_test`,
// one subtype per kind of test it may point at. Scripts are not fields: they live at tests/{id}/script.

import { authorField, entity, subtypeField } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

const USER = ['workspace_user'];

/** Fields every test subtype carries. */
function common(): FieldDescriptor[] {
  return [
    f.string('name', { required: true }),
    f.memo('description'),
    subtypeField(),
    f.ref('phase', ['phase'], { required: true }),
    f.ref('owner', USER),
    f.ref('designer', USER),
    authorField(),
    f.ref('modified_by', USER, { editable: false }),
    f.multi('product_areas', ['product_area'], { label: 'Application modules' }),
    // backlog coverage; work items show the other side as `test`
    f.multi('covered_content', ['story', 'feature', 'defect', 'quality_story'], { label: 'Backlog coverage' }),
    // requirement coverage; requirement documents show the other side as `test`
    f.multi('covered_requirement', ['requirement_document'], { label: 'Requirement coverage' }),
    f.multi('user_tags', ['user_tag']),
    f.multiList('test_type', 'list_node.test_type'),
    f.list('testing_tool_type', 'list_node.testing_tool_type'),
    f.integer('estimated_duration', { label: 'Estimated duration (minutes)' }),
    f.boolean('is_draft'),
    // runs of this test: not returned by default, ask with fields=run (Scenario_PlannedManualTests)
    f.inverse('run', 'run', 'test', ['run'], { label: 'Runs' }),
    // the latest run per context, maintained by the server whenever a run is written
    f.multi('last_runs', ['run'], { editable: false }),
    f.inverse('comments', 'comment', 'owner_test', ['comment']),
    f.inverse('attachments', 'attachment', 'owner_test', ['attachment']),
    f.inverse('user_item', 'user_item', 'my_follow_items_test', ['user_item'], { label: 'My work items' }),
  ];
}

/** Fields of tests that can be put into a suite (every subtype but the suite itself). */
function suiteMember(): FieldDescriptor[] {
  return [f.inverse('link_to_test', 'test_suite_link_to_test', 'test', ['test_suite_link_to_test'], { label: 'Test suites' })];
}

/** Fields of tests written by people (manual and Gherkin): automation planning. */
function designed(): FieldDescriptor[] {
  return [f.list('automation_status', 'list_node.automation_status')];
}

/** Fields of Gherkin tests that CI results run: the feature file that identifies them. */
function gherkinAutomation(): FieldDescriptor[] {
  return [f.string('feature_file_path', { label: 'Feature file path' })];
}

/** Fields of automated tests, reported by CI (test-results) and matched on package+class+name+component. */
function automated(): FieldDescriptor[] {
  return [
    f.string('package'),
    f.string('class_name'),
    f.string('component'),
    f.boolean('executable'),
    // the test's id in the reporting tool (test_run external_test_id of test-results)
    f.string('external_test_id', { label: 'External test id' }),
    f.list('test_level', 'list_node.test_level'),
    // the 12.55 metadata names this list root list_node.je.framework
    f.list('framework', 'list_node.je.framework'),
  ];
}

const TEST_SUBTYPES = ['test_manual', 'gherkin_test', 'test_automated', 'test_suite'] as const;

/** Fields every suite link carries; `test` is narrowed per subtype. */
function link(testTargets: readonly string[]): FieldDescriptor[] {
  return [
    subtypeField(),
    f.ref('test_suite', ['test_suite'], { required: true }),
    f.ref('test', testTargets, { required: true }),
    // position in the suite, maintained by the server
    f.integer('order', { editable: false }),
    f.boolean('include_in_next_run'),
    { ...authorField(), label: 'Added to suite by' },
    f.dateTime('creation_time', { editable: false, system: true, label: 'Date added to suite' }),
  ];
}

const LINK_SUBTYPES = ['test_suite_link_to_manual', 'test_suite_link_to_gherkin', 'test_suite_link_to_automated'] as const;

export const testDescriptors: EntityDescriptor[] = [
  entity({
    type: 'test',
    collection: 'tests',
    subtypes: TEST_SUBTYPES,
    hasScript: true,
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    fields: common(),
  }),
  entity({
    type: 'test_manual',
    collection: 'manual_tests',
    hasScript: true,
    label: 'Manual test',
    subtypeOf: 'test',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    fields: [...common(), ...designed(), ...suiteMember()],
  }),
  entity({
    type: 'gherkin_test',
    collection: 'gherkin_tests',
    hasScript: true,
    label: 'Gherkin test',
    subtypeOf: 'test',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    fields: [...common(), ...designed(), ...gherkinAutomation(), ...suiteMember()],
  }),
  entity({
    // not in the public list of seed 000, but flows 8 and 9 query it: kept public
    type: 'test_automated',
    collection: 'automated_tests',
    label: 'Automated test',
    subtypeOf: 'test',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    fields: [...common(), ...automated(), ...suiteMember()],
  }),
  entity({
    type: 'test_suite',
    collection: 'test_suites',
    subtypeOf: 'test',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    fields: [
      ...common(),
      f.inverse('link_to_test_suite', 'test_suite_link_to_test', 'test_suite', ['test_suite_link_to_test'], { label: 'Tests in suite' }),
    ],
  }),

  entity({
    type: 'test_suite_link_to_test',
    collection: 'test_suite_link_to_tests',
    // flow 19 posts links without a subtype: the linked test's type decides it
    inferSubtype: {
      field: 'test',
      byTargetType: { test_manual: 'test_suite_link_to_manual', gherkin_test: 'test_suite_link_to_gherkin', test_automated: 'test_suite_link_to_automated' },
    },
    label: 'Test suite link to test',
    subtypes: LINK_SUBTYPES,
    fields: link(['test_manual', 'gherkin_test', 'test_automated']),
  }),
  entity({
    type: 'test_suite_link_to_manual',
    collection: 'test_suite_link_to_manual_tests',
    label: 'Test suite link to manual test',
    subtypeOf: 'test_suite_link_to_test',
    fields: link(['test_manual']),
  }),
  entity({
    type: 'test_suite_link_to_gherkin',
    collection: 'test_suite_link_to_gherkin_tests',
    label: 'Test suite link to Gherkin test',
    subtypeOf: 'test_suite_link_to_test',
    fields: link(['gherkin_test']),
  }),
  entity({
    type: 'test_suite_link_to_automated',
    collection: 'test_suite_link_to_automated_tests',
    label: 'Test suite link to automated test',
    subtypeOf: 'test_suite_link_to_test',
    fields: link(['test_automated']),
  }),
];
