// Lists and environments. A list is a root list_node (list_root null, logical name
// `list_node.<list>`) whose values point back at it through `list_root`. Environments are the
// taxonomy family: categories (Browser, OS, ...) holding items (Chrome, Linux, ...).

import { authorField, entity, subtypeField } from '../define.js';
import { f } from '../fields.js';
import type { EntityDescriptor, FieldDescriptor } from '../types.js';

/** Fields every taxonomy node carries. */
function taxonomy(): FieldDescriptor[] {
  return [f.string('name', { required: true }), subtypeField(), authorField(), f.string('logical_name', { editable: false })];
}

export const listDescriptors: EntityDescriptor[] = [
  entity({
    type: 'list_node',
    collection: 'list_nodes',
    // no DELETE over REST: values are retired through activity_level
    methods: 'GPU',
    fields: [
      // a value's name is unique within its list (409 on a duplicate)
      f.string('name', { required: true, unique: { within: 'list_root' } }),
      f.string('logical_name', { editable: false }),
      f.ref('list_root', ['list_node']),
      f.integer('activity_level'),
      f.integer('index', { label: 'Order' }),
      // the values of a list, on its root
      f.inverse('list_nodes', 'list_node', 'list_root', ['list_node'], { label: 'Values' }),
    ],
  }),

  entity({
    type: 'taxonomy_node',
    collection: 'taxonomy_nodes',
    label: 'Environment',
    subtypes: ['taxonomy_category_node', 'taxonomy_item_node'],
    fields: taxonomy(),
  }),
  entity({
    type: 'taxonomy_category_node',
    collection: 'taxonomy_category_nodes',
    label: 'Environment category',
    subtypeOf: 'taxonomy_node',
    fields: [
      ...taxonomy(),
      f.integer('activity_level'),
      // the other side of an item's category; writable from either side
      f.inverse('items', 'taxonomy_item_node', 'category', ['taxonomy_item_node'], { editable: true }),
    ],
  }),
  entity({
    type: 'taxonomy_item_node',
    collection: 'taxonomy_item_nodes',
    label: 'Environment item',
    subtypeOf: 'taxonomy_node',
    fields: [
      // an environment value's name is unique within its category (409 on a duplicate)
      ...taxonomy().map((field) => (field.name === 'name' ? { ...field, unique: { within: 'category' } } : field)),
      f.ref('category', ['taxonomy_category_node']),
    ],
  }),
];
