// Planning and process entities: releases, sprints, milestones, teams, team sprints, application
// modules (product areas), user tags, tasks, My Work items, and the phase / metaphase / transition
// tables that drive every life cycle. Each entity is its own family (own table, no subtypes).

import { authorField, entity } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

const USER = ['workspace_user'];

/** The dates of a time box (release, sprint); both are required on create. */
function timebox(): FieldDescriptor[] {
  return [f.date('start_date', { required: true }), f.date('end_date', { required: true })];
}

export const planningDescriptors: EntityDescriptor[] = [
  entity({
    type: 'release',
    collection: 'releases',
    hasAttachments: true,
    fields: [
      // duplicate release names are refused with a 409 (spec/README.md decisions)
      f.string('name', { required: true, unique: true }),
      f.memo('description'),
      ...timebox(),
      f.list('agile_type', 'list_node.release_agile_type'),
      f.integer('sprint_duration', { label: 'Sprint duration (days)' }),
      f.boolean('is_default'),
      // derived from the dates (past / current / future), not written by clients
      f.integer('activity_level', { editable: false }),
      // both sides of release <-> team and release <-> milestone are writable in Octane;
      // the link lives on the team and on the milestone
      f.inverse('teams', 'team', 'releases', ['team'], { editable: true }),
      f.inverse('milestones', 'milestone', 'releases', ['milestone'], { editable: true }),
      f.inverse('sprints', 'sprint', 'release', ['sprint']),
      f.inverse('run', 'run', 'release', ['run'], { label: 'Runs' }),
      f.inverse('attachments', 'attachment', 'owner_release', ['attachment']),
    ],
  }),
  entity({
    type: 'sprint',
    collection: 'sprints',
    fields: [
      // a sprint's name is unique within its release (generated sprints are "Sprint 1", "Sprint 2", ...)
      f.string('name', { required: true, unique: { within: 'release' } }),
      f.ref('release', ['release'], { required: true }),
      ...timebox(),
      f.object('teams'),
      f.boolean('allow_release_auto_extend'),
      f.inverse('team_sprint_relation', 'team_sprint', 'sprint', ['team_sprint'], { label: 'Team sprints' }),
    ],
  }),
  entity({
    type: 'milestone',
    collection: 'milestones',
    // not in the public list of seed 000
    preview: true,
    hasAttachments: true,
    fields: [
      // unique in the workspace: a milestone may belong to several releases
      f.string('name', { required: true, unique: true }),
      f.memo('description'),
      f.date('date', { required: true }),
      f.multi('releases', ['release']),
      f.inverse('attachments', 'attachment', 'owner_milestone', ['attachment']),
    ],
  }),
  entity({
    type: 'team',
    collection: 'teams',
    fields: [
      f.string('name', { required: true, unique: true }),
      f.memo('description'),
      f.ref('team_lead', USER),
      f.multi('members', USER),
      f.multi('releases', ['release']),
      f.integer('estimated_velocity'),
      f.integer('planning_deadline'),
      f.boolean('assign_to_new_releases'),
      f.inverse('team_sprint_relation', 'team_sprint', 'team', ['team_sprint'], { label: 'Team sprints' }),
    ],
  }),
  entity({
    type: 'team_sprint',
    collection: 'team_sprints',
    fields: [
      f.ref('team', ['team'], { required: true }),
      f.ref('sprint', ['sprint'], { required: true }),
      f.integer('expected_velocity'),
      f.memo('to_improve'),
      f.memo('to_preserve'),
    ],
  }),
  entity({
    type: 'product_area',
    collection: 'product_areas',
    label: 'Application module',
    // one seeded root per workspace; every other module hangs below it
    tree: { parentField: 'parent', parentTypes: ['product_area'], childTypes: ['product_area'], rootType: 'product_area' },
    fields: [
      f.string('name', { required: true }),
      f.memo('description'),
      f.ref('parent', ['product_area'], { required: true }),
      f.inverse('children', 'product_area', 'parent', ['product_area']),
      // the other side of a test's product_areas; writable from either side (flow 10 filters on it)
      f.inverse('test', 'test', 'product_areas', ['test'], { label: 'Tests', editable: true }),
      f.multi('user_tags', ['user_tag']),
      f.integer('rank', { editable: false }),
      // set on the seeded root only
      f.string('logical_name', { editable: false }),
    ],
  }),
  entity({
    type: 'user_tag',
    collection: 'user_tags',
    // the seed lists user_tags as GET and POST only
    methods: 'GP',
    fields: [f.string('name', { required: true, unique: true }), authorField()],
  }),
  entity({
    type: 'task',
    collection: 'tasks',
    hasPhases: true,
    fields: [
      f.string('name', { required: true }),
      f.memo('description'),
      // tasks hang off leaf backlog items only; work items show them as `child_task`
      f.ref('story', ['story', 'quality_story', 'defect'], { required: true, label: 'Backlog item' }),
      f.ref('phase', ['phase'], { required: true }),
      f.list('item_type', 'list_node.task_item_type', { label: 'Type' }),
      f.ref('owner', USER),
      authorField(),
      f.integer('estimated_hours'),
      f.integer('invested_hours'),
      f.integer('remaining_hours'),
      f.integer('order'),
      f.boolean('is_draft'),
      f.inverse('user_item', 'user_item', 'my_follow_items_task', ['user_item'], { label: 'My work items' }),
    ],
  }),
  entity({
    type: 'phase',
    collection: 'phases',
    methods: 'GPU',
    fields: [
      f.string('name', { required: true }),
      // the entity type the phase belongs to ("defect", "test_manual", ...)
      f.string('entity', { required: true }),
      f.string('logical_name', { editable: false }),
      f.string('description'),
      f.ref('metaphase', ['metaphase']),
      f.boolean('is_start_phase'),
      f.boolean('is_hidden'),
      f.boolean('is_system', { editable: false }),
      f.integer('activity_level'),
      f.string('color_hex'),
      f.integer('index'),
      // transitions leaving this phase / arriving at it
      f.inverse('transitions_to_src_phs', 'transition', 'source_phase', ['transition'], { label: 'Transitions from' }),
      f.inverse('transitions_to_trgt_phs', 'transition', 'target_phase', ['transition'], { label: 'Transitions to' }),
    ],
  }),
  entity({
    type: 'metaphase',
    collection: 'metaphases',
    // seeded and read-only: the seed lists metaphases as GET only
    methods: 'G',
    fields: [
      f.string('name', { editable: false }),
      f.string('logical_name', { editable: false }),
      f.string('entity', { editable: false }),
      f.integer('order', { editable: false }),
      f.inverse('phase', 'phase', 'metaphase', ['phase'], { label: 'Phases' }),
    ],
  }),
  entity({
    type: 'transition',
    collection: 'transitions',
    fields: [
      f.string('name', { required: true }),
      f.string('entity'),
      f.ref('source_phase', ['phase']),
      f.ref('target_phase', ['phase']),
      f.boolean('is_primary'),
      f.boolean('is_system'),
      f.boolean('is_hidden'),
    ],
  }),
  entity({
    type: 'user_item',
    collection: 'user_items',
    label: 'My work item',
    fields: [
      f.ref('user', USER),
      // 0 = assigned to the user, 1 = added to My Work by the user
      f.integer('origin'),
      f.string('reason'),
      f.boolean('is_new'),
      f.string('entity_type'),
      // exactly one of these points at the followed item
      f.ref('my_follow_items_work_item', ['work_item'], { label: 'Work item', onTargetDelete: 'cascade' }),
      f.ref('my_follow_items_test', ['test'], { label: 'Test', onTargetDelete: 'cascade' }),
      f.ref('my_follow_items_run', ['run'], { label: 'Run', onTargetDelete: 'cascade' }),
      f.ref('my_follow_items_requirement', ['requirement'], { label: 'Requirement', onTargetDelete: 'cascade' }),
      f.ref('my_follow_items_task', ['task'], { label: 'Task', onTargetDelete: 'cascade' }),
    ],
  }),
];
