// Helpers that turn a compact resource declaration into a full EntityDescriptor.

import { f, systemFields } from './fields.js';
import type { EntityDescriptor, FieldDescriptor, Level, Method, ShapeMethods } from './types.js';

/**
 * Allowed methods as the letters of Octane's `rest` feature: G(ET), P(OST), U (PUT), D(ELETE).
 * POST only ever applies to the collection URI; GET, PUT and DELETE to both shapes
 * (PUT and DELETE on a collection are bulk update / delete by query).
 */
export function methods(letters: string): ShapeMethods {
  const collection: Method[] = [];
  const instance: Method[] = [];
  for (const letter of letters) {
    switch (letter) {
      case 'G':
        collection.push('GET');
        instance.push('GET');
        break;
      case 'P':
        collection.push('POST');
        break;
      case 'U':
        collection.push('PUT');
        instance.push('PUT');
        break;
      case 'D':
        collection.push('DELETE');
        instance.push('DELETE');
        break;
      default:
        throw new Error(`unknown method letter ${letter}`);
    }
  }
  return { collection, instance };
}

export interface EntitySpec extends Omit<Partial<EntityDescriptor>, 'methods' | 'fields'> {
  type: string;
  collection: string;
  /** method letters, default "GPUD" */
  methods?: string;
  fields: FieldDescriptor[];
  /** leave out creation_time/last_modified/version_stamp (id is always there) */
  noTimestamps?: boolean;
}

function humanize(type: string): string {
  const text = type.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function entity(spec: EntitySpec): EntityDescriptor {
  const { methods: letters, fields, noTimestamps, ...rest } = spec;
  const base = systemFields().filter((s) => !noTimestamps || s.name === 'id');
  const declared = new Set(fields.map((x) => x.name));
  return {
    label: humanize(spec.type),
    level: 'workspace' as Level,
    store: spec.subtypeOf ?? spec.type,
    ...rest,
    methods: methods(letters ?? 'GPUD'),
    fields: [...base.filter((s) => !declared.has(s.name)), ...fields],
  };
}

/** The `subtype` field of a family member: set by the server from the collection posted to. */
export function subtypeField(): FieldDescriptor {
  return f.string('subtype', { editable: false, system: true, sortable: true, groupable: true });
}

/** The `author` field most entities carry: the signed-in user who created the entity. */
export function authorField(): FieldDescriptor {
  return f.ref('author', ['workspace_user'], { editable: false });
}
