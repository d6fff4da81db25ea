// The shape of the resource table: every route, validation rule, SQL column, metadata answer and
// OpenAPI path is derived from these declarations.

import type { EntityHooks } from './hooks.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** Field types as Octane's field metadata names them. */
export type FieldType =
  | 'string'
  | 'memo'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'date'
  | 'date_time'
  | 'reference'
  | 'object';

/** How a reference field gets its value. */
export type ReferenceSource =
  /** stored on the row (single) or in the link table (multiple) */
  | { kind: 'stored' }
  /** the inverse of a reference held by other entities: `children` is the inverse of `parent` */
  | { kind: 'inverse'; entity: string; field: string }
  /** a boolean: whether the inverse of that reference has any element (`has_attachments`) */
  | { kind: 'exists'; entity: string; field: string };

export interface FieldDescriptor {
  name: string;
  label: string;
  type: FieldType;
  /** entity types a reference may point to (a family name such as `work_item` admits all its subtypes) */
  targets?: readonly string[];
  multiple?: boolean;
  /** for references to list nodes: logical name of the list root whose nodes are allowed */
  list?: string;
  source?: ReferenceSource;
  required: boolean;
  editable: boolean;
  returnedByDefault: boolean;
  filterable: boolean;
  sortable: boolean;
  groupable: boolean;
  maxLength?: number;
  /**
   * The value is unique: `true` within the entity's scope (workspace, or space for space-level
   * entities), `'space'` across the whole shared space, `{ within: f }` among the entities that
   * share the value of field `f` (a list node's name within its list).
   */
  unique?: boolean | 'space' | { within: string };
  /** user-defined field (name ends with `_udf`) */
  userDefined?: boolean;
  /** set by the server; never part of a create/update body */
  system?: boolean;
  /** a secret (password, client secret): written, stored hashed, never read back */
  writeOnly?: boolean;
  /**
   * What deleting the referenced entity does to entities pointing at it through this single
   * reference: `cascade` deletes them too (the default for required references), `clear` empties
   * the reference (the default otherwise), `refuse` refuses the delete (the default for a tree's
   * parent: a node with children cannot be deleted).
   */
  onTargetDelete?: 'cascade' | 'clear' | 'refuse';
  /**
   * Whether the column has an index of its own (src/store/schema-sync.ts). Single references have
   * one unless this is false (no query shape filters on them, and every write would keep it);
   * other columns only when this is true (a query shape filters on them).
   */
  indexed?: boolean;
}

export type Level = 'workspace' | 'space' | 'site';

export interface ShapeMethods {
  collection: readonly Method[];
  instance: readonly Method[];
}

export interface TreeSpec {
  /** name of the parent reference field */
  parentField: string;
  /** entity types that may be the parent */
  parentTypes: readonly string[];
  /** entity types that may be children (for metadata) */
  childTypes: readonly string[];
  /** entity type of the root (one per workspace) */
  rootType?: string;
}

export interface EntityDescriptor {
  /** singular entity type name (`defect`) */
  type: string;
  /** collection name in URLs (`defects`; Octane keeps `suite_run` singular) */
  collection: string;
  label: string;
  level: Level;
  /** storage family: entities of one family share one table and one id space */
  store: string;
  methods: ShapeMethods;
  fields: readonly FieldDescriptor[];
  /** aggregate this entity is a subtype of (`work_item` for `defect`) */
  subtypeOf?: string;
  /** concrete subtypes an aggregate collection returns */
  subtypes?: readonly string[];
  /** technical preview: answered only when the preview header is sent (`writes`: only for writes) */
  preview?: boolean | 'writes';
  tree?: TreeSpec;
  hasComments?: boolean;
  hasAttachments?: boolean;
  /** has a `phase` field with a life cycle */
  hasPhases?: boolean;
  /** the order of a collection read without `order_by` (default: by id) */
  defaultOrder?: ReadonlyArray<{ field: string; descending: boolean }>;
  /** writes need the admin of the workspace (or space), not just a role that writes */
  writeAccess?: 'admin';
  /** has a versioned script at `{collection}/{id}/script` (manual and Gherkin tests) */
  hasScript?: boolean;
  /** carries bytes: created by upload (multipart or octet-stream), downloadable (attachments) */
  binaryContent?: boolean;
  /**
   * For an aggregate: a POST without `subtype` takes it from the type of the entity a reference
   * points at (a suite link to a manual test is a test_suite_link_to_manual).
   */
  inferSubtype?: { field: string; byTargetType: Readonly<Record<string, string>> };
  /** other collection names that serve the same entity at the same level (workspace `users`) */
  aliases?: readonly string[];
  /**
   * This entity is a view of the rows of another entity type (`workspace_user` shows the `user`
   * rows that have a role in the workspace). It shares that entity's store and ids.
   */
  viewOf?: string;
  /**
   * A narrower row scope (store/scope.ts): `members` = users holding a role in the workspace;
   * `accessible-workspaces` / `accessible-spaces` = only those the caller may enter;
   * `inherit-space` = the workspace's own rows plus the shared space's (workspace 500 in URLs).
   */
  scope?: 'members' | 'accessible-workspaces' | 'accessible-spaces' | 'inherit-space';
  hooks?: EntityHooks;
}

export function isAggregate(d: EntityDescriptor): boolean {
  return (d.subtypes?.length ?? 0) > 0;
}
