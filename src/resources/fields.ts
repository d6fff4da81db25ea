// A small vocabulary for declaring fields, so that descriptor files read like Octane's field
// metadata without repeating the defaults on every line.
//
// Defaults follow Octane's metadata habits: fields are editable, filterable and returned by default;
// memo, object and multi-reference fields are not returned by default; references are groupable
// but not sortable unless said (the server sorts them by the target's name).

import type { FieldDescriptor, FieldType } from './types.js';

export type FieldOptions = Partial<Omit<FieldDescriptor, 'name' | 'type' | 'targets' | 'multiple' | 'list'>>;

export function labelOf(name: string): string {
  const words = name.replace(/_udf$/, '').split('_').filter(Boolean);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function field(name: string, type: FieldType, extra: Partial<FieldDescriptor>, o: FieldOptions = {}): FieldDescriptor {
  const multiple = extra.multiple ?? false;
  const inverse = extra.source?.kind === 'inverse' || o.source?.kind === 'inverse';
  const bulky = type === 'memo' || type === 'object' || multiple;
  return {
    name,
    label: o.label ?? labelOf(name),
    type,
    required: false,
    editable: !inverse,
    returnedByDefault: !bulky && !inverse,
    filterable: type !== 'object',
    sortable: type !== 'reference' && !bulky,
    // the server groups by single-valued references and booleans (GET {collection}/groups)
    groupable: (type === 'reference' && !multiple && !inverse) || type === 'boolean',
    ...(type === 'string' ? { maxLength: 255 } : {}),
    ...extra,
    ...o,
  };
}

export const f = {
  string: (name: string, o?: FieldOptions) => field(name, 'string', {}, o),
  memo: (name: string, o?: FieldOptions) => field(name, 'memo', {}, o),
  integer: (name: string, o?: FieldOptions) => field(name, 'integer', {}, o),
  float: (name: string, o?: FieldOptions) => field(name, 'float', {}, o),
  boolean: (name: string, o?: FieldOptions) => field(name, 'boolean', {}, o),
  date: (name: string, o?: FieldOptions) => field(name, 'date', {}, o),
  dateTime: (name: string, o?: FieldOptions) => field(name, 'date_time', {}, o),
  object: (name: string, o?: FieldOptions) => field(name, 'object', {}, o),

  /** single reference to one of `targets` */
  ref: (name: string, targets: readonly string[], o?: FieldOptions) =>
    field(name, 'reference', { targets, multiple: false, source: { kind: 'stored' } }, o),
  /** multi-reference to `targets`, stored in the link table */
  multi: (name: string, targets: readonly string[], o?: FieldOptions) =>
    field(name, 'reference', { targets, multiple: true, source: { kind: 'stored' } }, o),
  /** single reference to a node of the list whose root has logical name `list` */
  list: (name: string, list: string, o?: FieldOptions) =>
    field(name, 'reference', { targets: ['list_node'], multiple: false, list, source: { kind: 'stored' } }, o),
  /** multi-reference to nodes of one list */
  multiList: (name: string, list: string, o?: FieldOptions) =>
    field(name, 'reference', { targets: ['list_node'], multiple: true, list, source: { kind: 'stored' } }, o),
  /**
   * Read-only multi-reference computed as the inverse of `entity.field`: the entities of type
   * `entity` whose `field` points at this one (feature `children` = work items whose `parent` is it).
   */
  inverse: (name: string, entity: string, fieldName: string, targets: readonly string[], o?: FieldOptions) =>
    field(name, 'reference', { targets, multiple: true, source: { kind: 'inverse', entity, field: fieldName } }, o),
  /** Read-only boolean: whether any entity of type `entity` points at this one through `field`. */
  exists: (name: string, entity: string, fieldName: string, o?: FieldOptions) =>
    field(name, 'boolean', { source: { kind: 'exists', entity, field: fieldName }, editable: false, sortable: false, groupable: false }, o),
};

/** Fields every entity carries. */
export function systemFields(): FieldDescriptor[] {
  return [
    f.integer('id', { label: 'ID', editable: false, unique: true, system: true }),
    f.dateTime('creation_time', { editable: false, system: true }),
    f.dateTime('last_modified', { editable: false, system: true }),
    f.integer('version_stamp', { editable: false, system: true }),
  ];
}
