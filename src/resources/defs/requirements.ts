// Requirements: one family seen through `requirements` and each subtype's collection.
// Tree: requirement_root (one per workspace) -> requirement_folder* -> requirement_document*
// (documents nest under documents too). Only documents have a life cycle.

import { authorField, entity, subtypeField } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

const USER = ['workspace_user'];
const PARENTS = ['requirement_root', 'requirement_folder', 'requirement_document'] as const;
const CHILDREN = ['requirement_folder', 'requirement_document'] as const;

/** Fields every requirement subtype carries. */
function common(children: readonly string[]): FieldDescriptor[] {
  return [
    f.string('name', { required: true }),
    // for documents this is the document body (rich text)
    f.memo('description'),
    subtypeField(),
    f.ref('owner', USER),
    authorField(),
    // position among siblings; flow 25 composes documents in this order
    f.integer('order'),
    // materialized tree path maintained by the server, so descendants match `path EQ ^<root path>*^`
    f.string('path', { editable: false }),
    f.multi('user_tags', ['user_tag']),
    f.inverse('children', 'requirement', 'parent', children),
    f.inverse('comments', 'comment', 'owner_requirement', ['comment']),
    f.inverse('attachments', 'attachment', 'owner_requirement', ['attachment']),
    f.inverse('user_item', 'user_item', 'my_follow_items_requirement', ['user_item'], { label: 'My work items' }),
  ];
}

export const requirementDescriptors: EntityDescriptor[] = [
  entity({
    type: 'requirement',
    collection: 'requirements',
    subtypes: ['requirement_root', 'requirement_folder', 'requirement_document'],
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: { parentField: 'parent', parentTypes: PARENTS, childTypes: CHILDREN, rootType: 'requirement_root' },
    fields: [
      f.ref('parent', PARENTS, { required: true }),
      ...common(CHILDREN),
      f.ref('phase', ['phase'], { required: true }),
    ],
  }),
  entity({
    type: 'requirement_root',
    collection: 'requirement_roots',
    subtypeOf: 'requirement',
    fields: [...common(['requirement_folder']), f.string('logical_name', { editable: false })],
  }),
  entity({
    type: 'requirement_folder',
    collection: 'requirement_folders',
    subtypeOf: 'requirement',
    tree: { parentField: 'parent', parentTypes: ['requirement_root', 'requirement_folder'], childTypes: CHILDREN, rootType: 'requirement_root' },
    fields: [f.ref('parent', ['requirement_root', 'requirement_folder'], { required: true }), ...common(CHILDREN)],
  }),
  entity({
    type: 'requirement_document',
    collection: 'requirement_documents',
    label: 'Requirement',
    subtypeOf: 'requirement',
    hasPhases: true,
    hasComments: true,
    hasAttachments: true,
    tree: {
      parentField: 'parent',
      parentTypes: ['requirement_folder', 'requirement_document'],
      childTypes: ['requirement_document'],
      rootType: 'requirement_root',
    },
    fields: [
      f.ref('parent', ['requirement_folder', 'requirement_document'], { required: true }),
      ...common(['requirement_document']),
      f.ref('phase', ['phase'], { required: true }),
      f.multi('release', ['release'], { label: 'Releases' }),
      // backlog coverage: the other side of the backlog items' `requirements`; writable from either side
      f.inverse('features', 'work_item', 'requirements', ['feature', 'story', 'defect', 'quality_story'], {
        label: 'Backlog coverage',
        editable: true,
      }),
      // test coverage: the other side of a test's covered_requirement; writable from either side
      f.inverse('test', 'test', 'covered_requirement', ['test'], { label: 'Tests', editable: true }),
      f.multi('related_to_requirement', ['requirement_document'], { label: 'Related to' }),
      f.inverse('related_from_requirements', 'requirement_document', 'related_to_requirement', ['requirement_document'], {
        label: 'Related from',
      }),
    ],
  }),
];
