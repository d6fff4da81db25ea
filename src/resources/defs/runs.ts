// Runs: one family seen through `runs` and each subtype's collection (manual, suite, automated,
// Gherkin automated; Octane keeps the suite collection singular: `suite_run`). Run steps and the read-only run history
// (`previous_runs`) are families of their own.

import { authorField, entity, subtypeField } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

const USER = ['workspace_user'];

/** Fields every run subtype carries. */
function common(o: { releaseRequired: boolean }): FieldDescriptor[] {
  return [
    f.string('name', { required: true }),
    f.memo('description'),
    subtypeField(),
    // what the tester or CI reports; `status` is derived from it
    f.list('native_status', 'list_node.run_native_status', { required: true }),
    // summary status computed by the server from native_status
    f.list('status', 'list_node.run_status', { editable: false }),
    f.ref('release', ['release'], { required: o.releaseRequired }),
    f.ref('milestone', ['milestone']),
    f.ref('run_by', USER),
    authorField(),
    f.ref('last_modified_by', USER, { editable: false }),
    f.multi('taxonomies', ['taxonomy_item_node'], { label: 'Environment' }),
    f.multi('user_tags', ['user_tag']),
    f.boolean('draft_run'),
    f.dateTime('started', { editable: false }),
    f.integer('duration', { editable: false }),
    // the other side of a defect's `run`; writable from either side
    f.inverse('defect', 'defect', 'run', ['defect'], { label: 'Defects', editable: true }),
    // the tests whose last_runs hold this run
    f.inverse('test_of_last_run', 'test', 'last_runs', ['test'], { label: 'Test of last run' }),
    f.inverse('comments', 'comment', 'owner_run', ['comment']),
    f.inverse('attachments', 'attachment', 'owner_run', ['attachment']),
    f.inverse('user_item', 'user_item', 'my_follow_items_run', ['user_item'], { label: 'My work items' }),
  ];
}

const SUBTYPES = ['run_manual', 'run_suite', 'run_automated', 'gherkin_automated_run'] as const;

/** Fields of runs reported by CI (test-results): build, failure, the reporting tool's ids. */
function reported(): FieldDescriptor[] {
  return [
    f.ref('build', ['ci_build']),
    f.ref('pipeline', ['pipeline']),
    // the pipeline run the run's build belongs to, kept by the server from the build (a sub-job's
    // build joins the root's run); pipeline_run.runs is its inverse
    f.ref('pipeline_run', ['pipeline_run'], { editable: false }),
    f.string('url_to_ci', { label: 'URL to CI' }),
    // the run's id in the reporting tool, and the kind of run it reports (test_run run_type)
    f.string('external_run_id', { label: 'External run id' }),
    f.string('run_type'),
    // failure information of a failed test_run in test-results (flow 16)
    f.string('error_type'),
    f.string('error_message'),
    f.string('error_details', { maxLength: 512 }),
    // the whole stack trace; error_details keeps the first 512 characters
    f.memo('full_error_details'),
  ];
}

export const runDescriptors: EntityDescriptor[] = [
  entity({
    type: 'run',
    collection: 'runs',
    subtypes: SUBTYPES,
    hasComments: true,
    hasAttachments: true,
    fields: [...common({ releaseRequired: false }), f.ref('test', ['test'], { required: true })],
  }),
  entity({
    type: 'run_manual',
    collection: 'manual_runs',
    label: 'Manual run',
    subtypeOf: 'run',
    hasComments: true,
    hasAttachments: true,
    fields: [
      ...common({ releaseRequired: true }),
      // manual runs also execute Gherkin tests
      f.ref('test', ['test_manual', 'gherkin_test'], { required: true }),
      // set on the runs a suite run plans for its tests (flow 20)
      f.ref('parent_suite', ['run_suite']),
      f.inverse('run_steps', 'run_step', 'run', ['run_step']),
    ],
  }),
  entity({
    type: 'run_suite',
    collection: 'suite_run',
    label: 'Suite run',
    subtypeOf: 'run',
    hasComments: true,
    hasAttachments: true,
    fields: [
      ...common({ releaseRequired: true }),
      f.ref('test', ['test_suite'], { required: true }),
      // copied onto the runs planned for each test of the suite
      f.ref('default_run_by', USER),
      f.multi('default_taxonomies', ['taxonomy_item_node'], { label: 'Default environment' }),
      f.inverse('runs_in_suite', 'run_manual', 'parent_suite', ['run_manual']),
    ],
  }),
  entity({
    type: 'run_automated',
    collection: 'automated_runs',
    label: 'Automated run',
    subtypeOf: 'run',
    hasComments: true,
    hasAttachments: true,
    fields: [
      ...common({ releaseRequired: false }),
      f.ref('test', ['test_automated'], { required: true }),
      f.string('package'),
      f.string('class_name'),
      f.string('component'),
      // what the run ran with, shown beside the run; queries filter the tests' own fields
      f.list('test_level', 'list_node.test_level', { indexed: false }),
      f.list('test_framework', 'list_node.je.framework', { indexed: false }),
      ...reported(),
    ],
  }),
  entity({
    // a Gherkin test's automated run, made by test-results from a feature's results; its run
    // steps are the feature's scenarios and steps with their outcomes. Not in the public list, but
    // kept public: CI tools read these runs through `runs` (subtype gherkin_automated_run), and a
    // preview subtype would be hidden there without the header
    type: 'gherkin_automated_run',
    collection: 'gherkin_automated_runs',
    label: 'Gherkin automated run',
    subtypeOf: 'run',
    hasComments: true,
    hasAttachments: true,
    fields: [
      ...common({ releaseRequired: false }),
      f.ref('test', ['gherkin_test'], { required: true }),
      ...reported(),
      f.inverse('run_steps', 'run_step', 'run', ['run_step']),
    ],
  }),

  entity({
    type: 'run_step',
    collection: 'run_steps',
    // created by the server from the test script when a manual run is planned or executed
    methods: 'GU',
    hasAttachments: true,
    fields: [
      f.ref('run', ['run_manual', 'gherkin_automated_run'], { required: true, editable: false }),
      // how long a step of an automated Gherkin run took, in milliseconds
      f.integer('duration', { editable: false }),
      f.integer('order', { editable: false }),
      f.memo('description', { editable: false, label: 'Step' }),
      f.list('step_type', 'list_node.manual_test_run_step_type', { editable: false }),
      // the step's outcome uses the run native status list. 12.55 calls the field `result`, later
      // versions `status`; both are declared and hooks keep them equal
      f.list('status', 'list_node.run_native_status'),
      f.list('result', 'list_node.run_native_status'),
      f.memo('actual', { label: 'Actual result' }),
      f.inverse('defect', 'defect', 'run_step', ['defect'], { label: 'Defects', editable: true }),
      f.inverse('attachments', 'attachment', 'owner_run_step', ['attachment']),
    ],
  }),

  entity({
    type: 'previous_run',
    collection: 'previous_runs',
    // run history reads newest first
    defaultOrder: [
      { field: 'started', descending: true },
      { field: 'id', descending: true },
    ],
    label: 'Run history',
    // a read-only history written by the server; run_id and build_id are plain integers
    // (Scenario_RunHistory filters `build_id EQ 1035`, `run_id EQ 1000`, `run_native_status EQ 1077`)
    methods: 'G',
    fields: [
      // the run's name when it ran; the history is read by run and build, not by name
      f.string('name', { editable: false, indexed: false }),
      // the history of a run, and of a build: the resource's own query shapes
      f.integer('run_id', { editable: false, indexed: true }),
      f.integer('build_id', { editable: false, indexed: true }),
      f.string('build_name', { editable: false }),
      // numeric id of the run's native status list node, compared as a number
      f.integer('run_native_status', { editable: false }),
      f.list('status', 'list_node.run_status', { editable: false }),
      // not indexed: every push adds a history row per run, and an index keyed by test takes a
      // page write per row all over it; the history is read by run and by build (a filter on test
      // scans it)
      f.ref('test', ['test'], { editable: false, indexed: false }),
      f.ref('release', ['release'], { editable: false }),
      f.dateTime('started', { editable: false }),
      f.integer('duration', { editable: false }),
      f.string('url_to_ci', { editable: false, label: 'URL to CI' }),
      f.string('external_report_url', { editable: false }),
    ],
  }),
];
