// Comments and attachments. Each points at its owner through exactly one `owner_<entity type>`
// reference; the owners show them back as their `comments` / `attachments` inverse fields.
// Attachment bytes are not a field: they are stored beside the row and served by the attachment routes.

import { authorField, entity } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

/** Comments and attachments go with the entity that owns them. */
const OWNED = { onTargetDelete: 'cascade' } as const;

/** Owner references shared by comments and attachments; the service checks exactly one is set. */
function owners(): FieldDescriptor[] {
  return [
    f.ref('owner_work_item', ['work_item'], OWNED),
    f.ref('owner_test', ['test'], OWNED),
    f.ref('owner_run', ['run'], OWNED),
    f.ref('owner_requirement', ['requirement'], OWNED),
  ];
}

export const collaborationDescriptors: EntityDescriptor[] = [
  entity({
    type: 'comment',
    collection: 'comments',
    fields: [
      // rich text (HTML)
      f.memo('text', { required: true }),
      authorField(),
      ...owners(),
      f.multi('mention_user', ['workspace_user'], { label: 'Mentioned users' }),
      // which audience may read the comment (customer, support, R&D); empty means everyone
      f.list('visible_to', 'list_node.visible_to_roles', { label: 'Visible to' }),
    ],
  }),
  entity({
    type: 'attachment',
    collection: 'attachments',
    // created by uploading the file; Octane refuses bulk creation
    binaryContent: true,
    fields: [
      f.string('name', { required: true }),
      f.string('description', { maxLength: 2000 }),
      authorField(),
      ...owners(),
      f.ref('owner_run_step', ['run_step'], OWNED),
      f.ref('owner_release', ['release'], OWNED),
      f.ref('owner_milestone', ['milestone'], OWNED),
      // set from the uploaded bytes
      f.integer('size', { editable: false }),
      f.string('content_type', { editable: false }),
    ],
  }),
];
