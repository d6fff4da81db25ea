// Octane describes itself: `GET .../metadata/entities` and `GET .../metadata/fields` (protocol.md
// §9). Both are computed per request from the resource table as the workspace sees it
// (`service.schema(ctx).registry`, with the workspace's user-defined fields), the same table that
// drives routes, validation and SQL, so the metadata cannot disagree with what the server does.
// The `query=` filter is evaluated over the in-memory list: `name IN 'defect','story'`,
// `entity_name EQ ^defect^`, `;` (AND) and `!`; `||` is refused, as Octane refuses it here.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import type { Expr, Value } from '../query/ast.js';
import { parseQuery } from '../query/parser.js';
import type { RequestContext } from '../resources/context.js';
import { isStoredColumn, isSubtypeField, type Registry, type ResolvedEntity } from '../resources/registry.js';
import type { FieldDescriptor, FieldType, Method, TreeSpec } from '../resources/types.js';
import { basePath, routeEachMethod } from './entity-routes.js';
import { requestContext } from './request-context.js';

// ---- shapes ------------------------------------------------------------------------------------

export type EntityFeature =
  | { name: 'rest'; url: string; methods: Method[] }
  | { name: 'subtype_of'; type: string }
  | { name: 'subtypes'; types: string[] }
  | { name: 'hierarchical_entity'; parent_types: string[]; child_types: string[]; root?: { type: string; id: number } }
  | { name: 'has_comments'; relation_name: string }
  | { name: 'has_attachments'; relation_name: string }
  | { name: 'phases' }
  | { name: 'user_defined_fields' }
  | { name: 'business_rules' };

export interface EntityMetadata {
  type: 'entity_metadata';
  name: string;
  label: string;
  can_modify_label: false;
  features: EntityFeature[];
}

export interface FieldTarget {
  type: string;
  /** for list fields: the logical name of the list root whose nodes are the values */
  logical_name?: string;
}

export interface FieldMetadata {
  type: 'field_metadata';
  entity_name: string;
  name: string;
  label: string;
  field_type: FieldType;
  field_type_data?: { multiple: boolean; targets: FieldTarget[] };
  required: boolean;
  editable: boolean;
  filterable: boolean;
  sortable: boolean;
  groupable: boolean;
  returned_by_default: boolean;
  is_user_defined: boolean;
  unique: boolean;
  final: false;
  auto_generated: boolean;
  visible_in_ui: boolean;
  max_length: number | null;
  min_value?: number;
  max_value?: number;
  description: string;
  sanitization: 'NONE';
  field_features: never[];
}

/** Octane lists the `rest` methods in this order (getEntitiesMetadataString.txt of the Java SDK). */
const REST_METHOD_ORDER: readonly Method[] = ['DELETE', 'POST', 'GET', 'PUT'];

/**
 * Integer bounds: the values the input validator accepts (JavaScript's safe integers), not Java's
 * long range that Octane reports, which JSON numbers cannot carry exactly.
 */
export const INTEGER_MIN = Number.MIN_SAFE_INTEGER;
export const INTEGER_MAX = Number.MAX_SAFE_INTEGER;

// ---- entities ----------------------------------------------------------------------------------

/** The `rest` methods: every method the collection or instance URI of the entity allows. */
export function restMethods(entity: ResolvedEntity): Method[] {
  const allowed = new Set<Method>([...entity.methods.collection, ...entity.methods.instance]);
  return REST_METHOD_ORDER.filter((m) => allowed.has(m));
}

/** Entity types that take user-defined fields (the rule of the metadata_fields hook). */
export function takesUserFields(entity: ResolvedEntity): boolean {
  return entity.level === 'workspace' && !entity.viewOf;
}

/**
 * Entity metadata of every entity type of the table. Only workspace-level types have the `rest`
 * feature: its `url` is relative to the workspace, as clients use it; space- and site-level types
 * are listed (fields reference them) without it.
 */
export function entityMetadata(registry: Registry, rootOf: (tree: TreeSpec) => number | undefined = () => undefined): EntityMetadata[] {
  return registry.entities.map((e) => {
    const features: EntityFeature[] = [];
    if (e.subtypeOf) features.push({ name: 'subtype_of', type: e.subtypeOf });
    if (e.subtypes?.length) features.push({ name: 'subtypes', types: [...e.subtypes] });
    if (e.hasComments) features.push({ name: 'has_comments', relation_name: `comments_to_${e.type}` });
    if (e.level === 'workspace') features.push({ name: 'rest', url: e.collection, methods: restMethods(e) });
    if (e.hasAttachments) features.push({ name: 'has_attachments', relation_name: `attachments_to_${e.type}` });
    if (e.hasPhases) features.push({ name: 'phases' });
    if (takesUserFields(e)) features.push({ name: 'user_defined_fields' });
    if (e.tree) {
      const root = e.tree.rootType ? rootOf(e.tree) : undefined;
      features.push({
        name: 'hierarchical_entity',
        parent_types: [...e.tree.parentTypes],
        child_types: [...e.tree.childTypes],
        ...(root !== undefined ? { root: { type: e.tree.rootType!, id: root } } : {}),
      });
    }
    // Octane's business rules apply to entities with a life cycle; the emulator defines none.
    if (e.hasPhases) features.push({ name: 'business_rules' });
    return { type: 'entity_metadata', name: e.type, label: e.label, can_modify_label: false, features };
  });
}

// ---- fields ------------------------------------------------------------------------------------

/** A reference's targets with aggregates expanded to their concrete types, as Octane lists them. */
function targetsOf(registry: Registry, field: FieldDescriptor): FieldTarget[] {
  if (field.list) return (field.targets ?? []).map((type) => ({ type, logical_name: field.list }));
  const out: string[] = [];
  for (const t of field.targets ?? []) {
    const e = registry.findEntity(t);
    for (const concrete of e?.subtypes?.length ? e.subtypes : [t]) if (!out.includes(concrete)) out.push(concrete);
  }
  return out.map((type) => ({ type }));
}

function isInverse(field: FieldDescriptor): boolean {
  return field.source?.kind === 'inverse';
}

/** Computed by the server from other entities (inverse references, `has_attachments`). */
function isComputed(field: FieldDescriptor): boolean {
  return field.source !== undefined && field.source.kind !== 'stored';
}

/** `order_by` accepts it (the rule of the entity service: references sort by the target's name). */
export function canSort(field: FieldDescriptor): boolean {
  if (field.name === 'id' || isSubtypeField(field)) return true;
  if (field.type === 'reference') return !field.multiple && !isInverse(field);
  return field.sortable;
}

/** `{collection}/groups?group_by=` accepts it: a declared groupable field with a stored value. */
export function canGroup(field: FieldDescriptor): boolean {
  if (!field.groupable) return false;
  return isSubtypeField(field) || (isStoredColumn(field) && field.type !== 'memo' && field.type !== 'object');
}

/** The descriptors of a field in the concrete types of an aggregate that have it. */
function ownersOf(registry: Registry, entity: ResolvedEntity, name: string): FieldDescriptor[] {
  const owners = entity.fieldOwners?.get(name);
  if (!owners?.length) return [entity.fieldMap.get(name)!];
  return owners.map((o) => registry.entity(o).fieldMap.get(name)!).filter(Boolean);
}

export function fieldItem(registry: Registry, entity: ResolvedEntity, field: FieldDescriptor): FieldMetadata {
  // On an aggregate a field is required when every subtype that has it requires it, and editable
  // when some subtype lets it be written.
  const owners = ownersOf(registry, entity, field.name);
  const required = owners.every((o) => o.required && !o.system);
  const editable = owners.some((o) => o.editable && !o.system);
  return {
    type: 'field_metadata',
    entity_name: entity.type,
    name: field.name,
    label: field.label,
    field_type: field.type,
    ...(field.type === 'reference' ? { field_type_data: { multiple: field.multiple === true, targets: targetsOf(registry, field) } } : {}),
    required,
    editable,
    filterable: field.filterable,
    sortable: canSort(field),
    groupable: canGroup(field),
    returned_by_default: field.returnedByDefault && !field.writeOnly,
    is_user_defined: field.userDefined === true,
    unique: Boolean(field.unique),
    final: false,
    auto_generated: isComputed(field),
    visible_in_ui: !isComputed(field) && !field.writeOnly && field.name !== 'version_stamp' && field.name !== 'logical_name',
    max_length: field.type === 'string' ? (field.maxLength ?? 255) : null,
    ...(field.type === 'integer' ? { min_value: INTEGER_MIN, max_value: INTEGER_MAX } : {}),
    description: '',
    sanitization: 'NONE',
    field_features: [],
  };
}

/** Field metadata of every field of every entity type, in the order of the table. */
export function fieldMetadata(registry: Registry): FieldMetadata[] {
  return registry.entities.flatMap((e) => [...e.fieldMap.values()].map((f) => fieldItem(registry, e, f)));
}

// ---- filtering ---------------------------------------------------------------------------------

type Item = Record<string, unknown>;

/** The fields a metadata query may name, with their kind. */
export const ENTITY_FILTER_FIELDS: Readonly<Record<string, 'string' | 'boolean'>> = { name: 'string', label: 'string' };
export const FIELD_FILTER_FIELDS: Readonly<Record<string, 'string' | 'boolean'>> = {
  entity_name: 'string',
  name: 'string',
  label: 'string',
  field_type: 'string',
  required: 'boolean',
  editable: 'boolean',
  filterable: 'boolean',
  sortable: 'boolean',
  groupable: 'boolean',
  returned_by_default: 'boolean',
  is_user_defined: 'boolean',
  unique: 'boolean',
};

function matchesText(actual: unknown, v: Value, field: string): boolean {
  if (v.kind !== 'string') throw errors.invalidQuery(`Invalid value at position ${v.pos} for the field '${field}': expected a string`, { field_name: field, position: v.pos });
  if (typeof actual !== 'string') return false;
  const text = actual.toLowerCase();
  const parts = v.segments.map((s) => s.toLowerCase());
  if (parts.length === 1) return text === parts[0];
  // `*` wildcards: the segments in order, anchored at both ends
  if (!text.startsWith(parts[0]) || !text.endsWith(parts[parts.length - 1])) return false;
  let at = parts[0].length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return at <= text.length - parts[parts.length - 1].length;
}

function matchesBoolean(actual: unknown, v: Value, field: string): boolean {
  if (v.kind !== 'boolean') throw errors.invalidQuery(`Invalid value at position ${v.pos} for the field '${field}': expected true or false`, { field_name: field, position: v.pos });
  return actual === v.value;
}

/**
 * Evaluates a parsed query over metadata items: EQ and IN on the fields of `allowed`, `;` and `!`.
 * `||`, other operators and cross-filters are refused with 400 platform.invalid_query; an unknown
 * field with 400 platform.unknown_field.
 */
export function compileMetadataFilter(expr: Expr, itemType: string, allowed: Readonly<Record<string, 'string' | 'boolean'>>): (item: Item) => boolean {
  const field = (name: string): 'string' | 'boolean' => {
    const kind = allowed[name];
    if (!kind) throw errors.unknownField(itemType, name);
    return kind;
  };
  const test = (name: string, kind: 'string' | 'boolean', v: Value) => (item: Item) =>
    kind === 'string' ? matchesText(item[name], v, name) : matchesBoolean(item[name], v, name);
  switch (expr.kind) {
    case 'and': {
      const parts = expr.items.map((e) => compileMetadataFilter(e, itemType, allowed));
      return (item) => parts.every((p) => p(item));
    }
    case 'or':
      throw errors.invalidQuery(`The operator '||' is not supported when filtering metadata; use IN or ';'`, { entity_type: itemType });
    case 'not': {
      const inner = compileMetadataFilter(expr.expr, itemType, allowed);
      return (item) => !inner(item);
    }
    case 'compare': {
      const kind = field(expr.field);
      if (expr.op !== 'EQ') throw errors.invalidQuery(`The operator ${expr.op} is not supported when filtering metadata; use EQ or IN`, { field_name: expr.field, operator: expr.op });
      // check the value's type now, not only when an item is tested
      const check = test(expr.field, kind, expr.value);
      check({});
      return check;
    }
    case 'in': {
      const kind = field(expr.field);
      const checks = expr.values.map((v) => test(expr.field, kind, v));
      for (const c of checks) c({});
      return (item) => checks.some((c) => c(item));
    }
    case 'between':
      field(expr.field);
      throw errors.invalidQuery(`The operator BTW is not supported when filtering metadata; use EQ or IN`, { field_name: expr.field, operator: 'BTW' });
  }
}

function filtered<T extends object>(items: T[], raw: string | string[] | undefined, itemType: string, allowed: Readonly<Record<string, 'string' | 'boolean'>>): T[] {
  if (Array.isArray(raw)) throw errors.badRequest(`The parameter 'query' is given more than once`, { parameter: 'query' });
  if (raw === undefined || raw.trim() === '' || raw.trim() === '""') return items;
  const keep = compileMetadataFilter(parseQuery(raw), itemType, allowed);
  return items.filter((i) => keep(i as Item));
}

// ---- routes ------------------------------------------------------------------------------------

/** The id of the workspace's root of a tree (the work item root, the root application module). */
function treeRoot(emulator: Emulator, ctx: RequestContext, registry: Registry, tree: TreeSpec): number | undefined {
  const root = registry.entity(tree.rootType!);
  // a root of its own type (application modules) is the node without a parent
  const query: Expr | undefined = root.fieldMap.has(tree.parentField)
    ? { kind: 'compare', field: tree.parentField, op: 'EQ', value: { kind: 'null_ref', pos: 0 }, pos: 0 }
    : undefined;
  return emulator.service.ids(ctx, root, query)[0];
}

function metadataContext(emulator: Emulator, request: FastifyRequest): RequestContext {
  const ctx = requestContext(emulator, request, 'workspace');
  if (request.method !== 'GET' && request.method !== 'HEAD') throw errors.methodNotAllowed(request.method, ['GET']);
  return ctx;
}

export function registerMetadataRoutes(app: FastifyInstance, emulator: Emulator): void {
  const base = basePath('workspace');
  routeEachMethod(app, {
    url: `${base}/metadata/entities`,
    handler: async (request) => {
      const ctx = metadataContext(emulator, request);
      const registry = emulator.service.schema(ctx).registry;
      const roots = new Map<string, number | undefined>();
      const rootOf = (tree: TreeSpec) => {
        const key = `${tree.rootType}.${tree.parentField}`;
        if (!roots.has(key)) roots.set(key, treeRoot(emulator, ctx, registry, tree));
        return roots.get(key);
      };
      const q = request.query as Record<string, string | string[] | undefined>;
      const data = filtered(entityMetadata(registry, rootOf), q.query, 'entity_metadata', ENTITY_FILTER_FIELDS);
      return { data, total_count: data.length };
    },
  });
  routeEachMethod(app, {
    url: `${base}/metadata/fields`,
    handler: async (request) => {
      const ctx = metadataContext(emulator, request);
      const registry = emulator.service.schema(ctx).registry;
      const q = request.query as Record<string, string | string[] | undefined>;
      const data = filtered(fieldMetadata(registry), q.query, 'field_metadata', FIELD_FILTER_FIELDS);
      return { data, total_count: data.length };
    },
  });
}
