// User-defined fields are declared through `metadata_fields` (Octane's field_metadata entity).
// A field created in a workspace belongs to it; one created through the shared space's internal
// workspace 500 belongs to every workspace of the space. Reads are public; writes are technical
// preview (spec decisions), and there is no DELETE over REST.

import { authorField, entity } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor } from '../types.js';

/** The kinds of user-defined field Octane offers, as `subtype` values of field_metadata. */
export const USER_FIELD_KINDS = [
  'field_metadata_boolean',
  'field_metadata_date_time',
  'field_metadata_list',
  'field_metadata_long',
  'field_metadata_long_string',
  'field_metadata_memo',
  'field_metadata_ref_to_release',
  'field_metadata_ref_to_team',
  'field_metadata_ref_to_user',
  'field_metadata_string',
] as const;

export const metadataDescriptors: EntityDescriptor[] = [
  entity({
    type: 'field_metadata',
    collection: 'metadata_fields',
    label: 'Field metadata',
    methods: 'GPU',
    preview: 'writes',
    scope: 'inherit-space',
    fields: [
      // ends with _udf; fixed once created
      f.string('name', { required: true }),
      // the entity type the field is added to (defect, story, test_manual, work_item, ...)
      f.string('entity_type', { required: true }),
      f.string('label'),
      // the kind of field: one of USER_FIELD_KINDS
      f.string('subtype', { required: true }),
      // for field_metadata_list: the root of the list whose values the field takes
      f.ref('list', ['list_node']),
      f.memo('description'),
      f.boolean('is_user_defined', { editable: false }),
      authorField(),
    ],
  }),
];
