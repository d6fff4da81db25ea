// Work items: one family (one table, one id space) seen through `work_items` and through each
// subtype's own collection. Tree: work_item_root -> epic -> feature -> story / defect / quality_story.

import { authorField, entity, subtypeField } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

const USER = ['workspace_user'];

/**
 * Fields shared by every work item subtype. A parent's story points (`rolledUp`: features, epics)
 * are the sum over its children, set by the server (hooks/rollups.ts).
 */
function common(rolledUp = false): FieldDescriptor[] {
  return [
    f.string('name', { required: true }),
    f.memo('description'),
    subtypeField(),
    f.ref('phase', ['phase'], { required: true }),
    f.ref('owner', USER),
    authorField(),
    f.integer('rank', { editable: false }),
    rolledUp ? f.integer('story_points', { editable: false }) : f.integer('story_points'),
    f.multi('user_tags', ['user_tag']),
    f.boolean('is_draft'),
    f.inverse('attachments', 'attachment', 'owner_work_item', ['attachment']),
    f.inverse('comments', 'comment', 'owner_work_item', ['comment']),
    f.inverse('children', 'work_item', 'parent', ['work_item']),
    f.inverse('user_item', 'user_item', 'my_follow_items_work_item', ['user_item'], { label: 'My work items' }),
    f.string('logical_name', { editable: false }),
  ];
}

/** Fields of items that are planned into releases and sprints (features and below). */
function planned(): FieldDescriptor[] {
  return [
    f.ref('release', ['release']),
    f.ref('sprint', ['sprint']),
    f.ref('team', ['team']),
    f.multi('product_areas', ['product_area'], { label: 'Application modules' }),
    f.list('priority', 'list_node.priority'),
    // the other side of a test's covered_content; writable from either side
    f.inverse('test', 'test', 'covered_content', ['test'], { label: 'Tests', editable: true }),
    f.multi('requirements', ['requirement_document']),
    // percent done: of a feature's story points in Done phases, of an item's task hours invested
    f.integer('progress', { editable: false }),
  ];
}

/** Fields of leaf items that carry tasks (stories, defects, quality stories). */
function leaf(): FieldDescriptor[] {
  return [
    f.boolean('blocked'),
    f.string('blocked_reason'),
    f.ref('qa_owner', USER, { label: 'QA owner' }),
    f.inverse('child_task', 'task', 'story', ['task'], { label: 'Tasks' }),
    f.integer('estimated_hours', { editable: false }),
    f.integer('invested_hours', { editable: false }),
    f.integer('remaining_hours', { editable: false }),
    f.multi('linked_items1', ['work_item'], { label: 'Linked items' }),
  ];
}

const wsjf = (): FieldDescriptor[] => [
  f.integer('business_value'),
  f.integer('time_criticality'),
  f.list('rroe', 'list_node.rroe', { label: 'RR | OE' }),
  f.integer('job_size'),
  f.float('wsjf_score', { editable: false, label: 'WSJF score' }),
];

const SUBTYPES = ['work_item_root', 'epic', 'feature', 'story', 'defect', 'quality_story'] as const;

export const workItemDescriptors: EntityDescriptor[] = [
  entity({
    type: 'work_item',
    collection: 'work_items',
    label: 'Work item',
    subtypes: SUBTYPES,
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: ['work_item_root', 'epic', 'feature'], childTypes: ['epic', 'feature', 'story', 'defect', 'quality_story'], rootType: 'work_item_root' },
    fields: [
      f.ref('parent', ['work_item_root', 'epic', 'feature'], { required: true }),
      ...common(),
    ],
  }),
  entity({
    type: 'work_item_root',
    collection: 'work_item_roots',
    label: 'Backlog',
    subtypeOf: 'work_item',
    fields: [
      f.string('name', { required: true }),
      f.memo('description'),
      subtypeField(),
      f.ref('owner', USER),
      authorField(),
      f.string('logical_name', { editable: false }),
      f.inverse('children', 'work_item', 'parent', ['epic', 'feature', 'story', 'defect', 'quality_story']),
      f.inverse('attachments', 'attachment', 'owner_work_item', ['attachment']),
    ],
  }),
  entity({
    type: 'epic',
    collection: 'epics',
    subtypeOf: 'work_item',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: ['work_item_root'], childTypes: ['feature'], rootType: 'work_item_root' },
    fields: [
      f.ref('parent', ['work_item_root'], { required: true }),
      ...common(true),
      f.list('epic_type', 'list_node.epic_type'),
      f.multi('product_areas', ['product_area'], { label: 'Application modules' }),
      f.list('priority', 'list_node.priority'),
      ...wsjf(),
    ],
  }),
  entity({
    type: 'feature',
    collection: 'features',
    subtypeOf: 'work_item',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: ['work_item_root', 'epic'], childTypes: ['story', 'defect', 'quality_story'], rootType: 'work_item_root' },
    fields: [
      f.ref('parent', ['work_item_root', 'epic'], { required: true }),
      ...common(true),
      ...planned(),
      f.list('feature_type', 'list_node.feature_type'),
      f.integer('initial_estimate'),
      ...wsjf(),
    ],
  }),
  entity({
    type: 'story',
    collection: 'stories',
    label: 'User story',
    subtypeOf: 'work_item',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: ['work_item_root', 'feature'], childTypes: [], rootType: 'work_item_root' },
    fields: [
      f.ref('parent', ['work_item_root', 'feature'], { required: true }),
      ...common(),
      ...planned(),
      ...leaf(),
    ],
  }),
  entity({
    type: 'defect',
    collection: 'defects',
    subtypeOf: 'work_item',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: ['work_item_root', 'feature'], childTypes: [], rootType: 'work_item_root' },
    fields: [
      f.ref('parent', ['work_item_root', 'feature'], { required: true }),
      ...common(),
      ...planned(),
      ...leaf(),
      f.list('severity', 'list_node.severity'),
      f.ref('detected_by', USER),
      f.ref('detected_in_release', ['release']),
      f.multi('run', ['run'], { label: 'Runs' }),
      f.multi('run_step', ['run_step'], { label: 'Run steps' }),
      f.multi('taxonomies', ['taxonomy_item_node'], { label: 'Environment' }),
      f.list('defect_type', 'list_node.defect_type'),
      f.list('defect_root_level', 'list_node.defect_root_level', { label: 'Root cause' }),
      f.integer('detected_in_build'),
      f.integer('fixed_in_build'),
      f.date('closed_on', { editable: false }),
      f.date('fixed_on', { editable: false }),
    ],
  }),
  entity({
    type: 'quality_story',
    collection: 'quality_stories',
    subtypeOf: 'work_item',
    preview: true,
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: ['work_item_root', 'feature'], childTypes: [], rootType: 'work_item_root' },
    fields: [
      f.ref('parent', ['work_item_root', 'feature'], { required: true }),
      ...common(),
      ...planned(),
      ...leaf(),
      f.list('quality_story_type', 'list_node.quality_story_type'),
    ],
  }),
];
