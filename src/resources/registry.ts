// The registry: the resolved resource table, built once at start-up. Everything else asks it
// (routes, validation, SQL schema, metadata) so that they can never disagree.

import { f } from './fields.js';
import type { EntityDescriptor, FieldDescriptor, Level } from './types.js';
import { isAggregate } from './types.js';

export interface ResolvedEntity extends EntityDescriptor {
  /** field name -> descriptor (for aggregates: the union of their subtypes' fields) */
  fieldMap: ReadonlyMap<string, FieldDescriptor>;
  /** values of the row `type` column this entity's collection shows */
  rowTypes: readonly string[];
  /** for aggregates: field name -> concrete subtypes that have it */
  fieldOwners?: ReadonlyMap<string, readonly string[]>;
}

export interface Column {
  name: string;
  sqlType: 'INTEGER' | 'REAL' | 'TEXT';
  field: FieldDescriptor;
}

export interface StoreInfo {
  name: string;
  level: Level;
  /** single-valued stored fields become columns */
  columns: ReadonlyMap<string, Column>;
  /** entity types whose rows live here */
  types: readonly string[];
  hasLogicalName: boolean;
  hasName: boolean;
}

/** Columns every store table has, maintained by the store itself. */
export const SYSTEM_COLUMNS = new Set(['id', 'type', 'shared_space_id', 'workspace_id', 'creation_time', 'last_modified', 'version_stamp']);

export function sqlTypeOf(field: FieldDescriptor): Column['sqlType'] {
  switch (field.type) {
    case 'integer':
    case 'boolean':
    case 'reference':
      return 'INTEGER';
    case 'float':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** The `subtype` of a family member: the row's concrete type, kept in the `type` column. */
export function isSubtypeField(field: FieldDescriptor): boolean {
  return field.name === 'subtype' && field.system === true;
}

/** The column a field's value lives in. */
export function columnOf(field: FieldDescriptor): string {
  return isSubtypeField(field) ? 'type' : field.name;
}

export function isStoredColumn(field: FieldDescriptor): boolean {
  if (field.source?.kind === 'exists') return false;
  if (field.type === 'reference') return !field.multiple && field.source?.kind !== 'inverse';
  return !SYSTEM_COLUMNS.has(field.name) && !isSubtypeField(field);
}

export class Registry {
  readonly entities: readonly ResolvedEntity[];
  private readonly byType = new Map<string, ResolvedEntity>();
  private readonly byCollection = new Map<string, ResolvedEntity>();
  readonly stores = new Map<string, StoreInfo>();

  constructor(readonly descriptors: readonly EntityDescriptor[]) {
    const declared = new Map<string, EntityDescriptor>();
    for (const d of descriptors) {
      if (declared.has(d.type)) throw new Error(`resource table: entity type '${d.type}' declared twice`);
      declared.set(d.type, d);
    }
    const resolved: ResolvedEntity[] = [];
    for (const d of descriptors) resolved.push(this.resolve(d, declared));
    this.entities = resolved;
    for (const e of resolved) {
      this.byType.set(e.type, e);
      for (const name of [e.collection, ...(e.aliases ?? [])]) {
        const key = collectionKey(e.level, name);
        if (this.byCollection.has(key)) throw new Error(`resource table: collection '${name}' declared twice at ${e.level} level`);
        this.byCollection.set(key, e);
      }
    }
    this.buildStores();
    this.check();
  }

  /**
   * The same table with user-defined fields added to entity types (an aggregate's fields go to
   * each of its subtypes).
   */
  withUserFields(extra: ReadonlyMap<string, readonly FieldDescriptor[]>): Registry {
    const add = new Map<string, FieldDescriptor[]>();
    for (const [type, fields] of extra) {
      const e = this.byType.get(type);
      if (!e) continue;
      for (const t of e.subtypes?.length ? e.subtypes : [type]) add.set(t, [...(add.get(t) ?? []), ...fields]);
    }
    return new Registry(
      this.descriptors.map((d) => {
        const fields = add.get(d.type);
        if (!fields) return d;
        const own = new Set(d.fields.map((f) => f.name));
        return { ...d, fields: [...d.fields, ...fields.filter((f) => !own.has(f.name))] };
      }),
    );
  }

  entity(type: string): ResolvedEntity {
    const e = this.byType.get(type);
    if (!e) throw new Error(`unknown entity type '${type}'${hint(type, [...this.byType.keys()])}`);
    return e;
  }

  findEntity(type: string): ResolvedEntity | undefined {
    return this.byType.get(type);
  }

  /** The entity served by a collection name (or alias) at a level. */
  collection(level: Level, name: string): ResolvedEntity | undefined {
    return this.byCollection.get(collectionKey(level, name));
  }

  store(name: string): StoreInfo {
    const s = this.stores.get(name);
    if (!s) throw new Error(`unknown store '${name}'`);
    return s;
  }

  /** Row types admitted by a reference to `targets` (an aggregate admits all its subtypes). */
  rowTypesOf(targets: readonly string[]): string[] {
    const out = new Set<string>();
    for (const t of targets) for (const r of this.entity(t).rowTypes) out.add(r);
    return [...out];
  }

  /** Stores holding the targets of a reference. */
  storesOf(targets: readonly string[]): string[] {
    return [...new Set(targets.map((t) => this.entity(t).store))];
  }

  /**
   * The entity a reference's values are read and cross-filtered as: its one target, or the
   * aggregate all its targets belong to (`parent` -> work_item).
   */
  targetEntity(field: FieldDescriptor): ResolvedEntity {
    const targets = field.targets ?? [];
    if (targets.length === 1) return this.entity(targets[0]);
    const families = new Set(targets.map((t) => this.entity(t).subtypeOf ?? t));
    if (families.size === 1) return this.entity([...families][0]);
    return this.entity(targets[0]);
  }

  /** Entity type name shown in a reference value to a row of type `rowType` through `field`. */
  referenceTypeName(field: FieldDescriptor, rowType: string): string {
    const targets = field.targets ?? [];
    if (targets.length === 1) {
      const t = this.entity(targets[0]);
      if (!t.subtypes?.length) return t.type;
    }
    return rowType;
  }

  private resolve(d: EntityDescriptor, declared: Map<string, EntityDescriptor>): ResolvedEntity {
    const fieldMap = new Map<string, FieldDescriptor>();
    let fieldOwners: Map<string, string[]> | undefined;
    for (const fd of withDerivedFields(d.fields)) fieldMap.set(fd.name, fd);
    if (isAggregate(d)) {
      fieldOwners = new Map();
      for (const sub of d.subtypes!) {
        const sd = declared.get(sub);
        if (!sd) throw new Error(`resource table: '${d.type}' lists unknown subtype '${sub}'`);
        for (const fd of withDerivedFields(sd.fields)) {
          if (!fieldMap.has(fd.name)) fieldMap.set(fd.name, fd);
          const owners = fieldOwners.get(fd.name) ?? [];
          owners.push(sub);
          fieldOwners.set(fd.name, owners);
        }
      }
    }
    const rowTypes = isAggregate(d) ? [...d.subtypes!] : d.viewOf ? [d.viewOf] : [d.type];
    return { ...d, fieldMap, rowTypes, fieldOwners };
  }

  private buildStores(): void {
    // Entities that own their rows first, so that a store takes its level from them, not from views.
    const owners = [...this.entities].sort((a, b) => Number(Boolean(a.viewOf)) - Number(Boolean(b.viewOf)));
    for (const e of owners) {
      let s = this.stores.get(e.store) as (StoreInfo & { columns: Map<string, Column>; types: string[] }) | undefined;
      if (!s) {
        s = { name: e.store, level: e.level, columns: new Map(), types: [], hasLogicalName: false, hasName: false };
        this.stores.set(e.store, s);
      }
      if (s.level !== e.level && !e.viewOf) throw new Error(`resource table: store '${e.store}' mixes levels`);
      for (const r of e.rowTypes) if (!s.types.includes(r)) s.types.push(r);
      for (const fd of e.fieldMap.values()) {
        if (!isStoredColumn(fd)) continue;
        const existing = s.columns.get(fd.name);
        const sqlType = sqlTypeOf(fd);
        if (existing && existing.sqlType !== sqlType) {
          throw new Error(`resource table: field '${fd.name}' of store '${e.store}' declared as ${existing.sqlType} and ${sqlType}`);
        }
        if (!existing) s.columns.set(fd.name, { name: fd.name, sqlType, field: fd });
      }
      if (s.columns.has('logical_name')) s.hasLogicalName = true;
      if (s.columns.has('name')) s.hasName = true;
    }
  }

  /** Fail at start-up on a table that points at nothing, with a "did you mean" hint. */
  private check(): void {
    for (const e of this.entities) {
      if (e.subtypeOf && !this.byType.has(e.subtypeOf)) throw new Error(`resource table: '${e.type}' is a subtype of unknown '${e.subtypeOf}'`);
      for (const fd of e.fieldMap.values()) {
        for (const t of fd.targets ?? []) {
          if (!this.byType.has(t)) {
            throw new Error(`resource table: field '${e.type}.${fd.name}' targets unknown type '${t}'${hint(t, [...this.byType.keys()])}`);
          }
        }
        if (fd.source?.kind === 'inverse') {
          const other = this.byType.get(fd.source.entity);
          if (!other) throw new Error(`resource table: inverse field '${e.type}.${fd.name}' names unknown type '${fd.source.entity}'`);
          const of = other.fieldMap.get(fd.source.field);
          if (!of || of.type !== 'reference') {
            throw new Error(`resource table: inverse field '${e.type}.${fd.name}' names unknown reference '${fd.source.entity}.${fd.source.field}'`);
          }
        }
      }
    }
  }
}

/**
 * Fields the server derives from declared ones: an entity with attachments says whether it has
 * any (`has_attachments`), as Octane does.
 */
function withDerivedFields(fields: readonly FieldDescriptor[]): readonly FieldDescriptor[] {
  const attachments = fields.find((f) => f.name === 'attachments' && f.source?.kind === 'inverse');
  if (!attachments || fields.some((f) => f.name === 'has_attachments') || attachments.source?.kind !== 'inverse') return fields;
  return [...fields, f.exists('has_attachments', attachments.source.entity, attachments.source.field)];
}

function collectionKey(level: Level, name: string): string {
  return `${level}:${name}`;
}

function hint(name: string, candidates: string[]): string {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best && bestScore <= 3 ? ` (did you mean '${best}'?)` : '';
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}
