// Turning stored rows into Octane's entity JSON: the requested (or default) fields, references as
// `{type, id, name}` or with their requested sub-fields, multi-references as `{total_count, data}`.
// References of a whole page are loaded in one query per target store (sub-fields: per field).

import { errors } from '../errors/catalog.js';
import type { Row } from '../store/database.js';
import type { EntityStore } from '../store/entity-store.js';
import { hasPreparedScope, idsValues, inIds, scopeCondition, scopeShapeKey, scopeValues, sentinelScopeOf, type Scope } from '../store/scope.js';
import { tableOf } from '../store/schema-sync.js';
import type { FieldSelectionItem } from '../query/read-params.js';
import { linkKey } from '../query/to-sql.js';
import type { Registry, ResolvedEntity } from './registry.js';
import { isStoredColumn, isSubtypeField } from './registry.js';
import type { FieldDescriptor } from './types.js';

export interface PlanItem {
  field: FieldDescriptor;
  /** sub-fields asked with `field{a,b}`: the referenced entities are rendered with this plan */
  sub?: RenderPlan;
}

export interface RenderPlan {
  entity: ResolvedEntity;
  items: PlanItem[];
}

export type Json = Record<string, unknown>;

/** How the `type` of a rendered row is named. */
export type TypeNamer = (row: Row) => string;

const REF_COLUMNS = ['id', 'type'];
const REF_COLUMNS_NAMED = ['id', 'type', 'name'];

/** What one plan item needs to render its values (see Renderer.render). */
type Need =
  | { kind: 'values'; values: unknown[] }
  | { kind: 'single'; ids: Array<number | null>; stores: readonly string[] }
  | { kind: 'multi'; rowIds: number[]; lists: Map<number, number[]>; stores: readonly string[] };

export class Renderer {
  /** the default plan of each entity (no `fields=`) */
  private readonly defaultPlans = new WeakMap<ResolvedEntity, RenderPlan>();
  private readonly planColumns = new WeakMap<RenderPlan, string[]>();
  private readonly fieldStores = new WeakMap<FieldDescriptor, readonly string[]>();
  private readonly inverseFields = new WeakMap<FieldDescriptor, FieldDescriptor>();

  constructor(
    private readonly store: EntityStore,
    private readonly registry: Registry,
  ) {}

  /** Validates a `fields=` selection (or takes the defaults) into a plan. Plans are shared: do not change them. */
  plan(entity: ResolvedEntity, selection?: FieldSelectionItem[]): RenderPlan {
    if (!selection) {
      let plan = this.defaultPlans.get(entity);
      if (!plan) {
        plan = { entity, items: [...entity.fieldMap.values()].filter((f) => f.returnedByDefault && f.name !== 'id').map((field) => ({ field })) };
        this.defaultPlans.set(entity, plan);
      }
      return plan;
    }
    const items: PlanItem[] = [];
    const seen = new Set<string>();
    for (const sel of selection) {
      const field = entity.fieldMap.get(sel.name);
      if (!field) throw errors.unknownField(entity.type, sel.name);
      if (sel.name === 'id' || seen.has(sel.name) || field.writeOnly) continue;
      seen.add(sel.name);
      if (sel.sub) {
        if (field.type !== 'reference') throw errors.badRequest(`The field '${sel.name}' of entity type '${entity.type}' is not a reference and has no sub-fields`, { field_name: sel.name });
        items.push({ field, sub: this.plan(this.registry.targetEntity(field), sel.sub) });
      } else {
        items.push({ field });
      }
    }
    return { entity, items };
  }

  /** Stored columns the plan reads from the entity's own table. */
  columns(plan: RenderPlan): string[] {
    let cached = this.planColumns.get(plan);
    if (!cached) {
      const cols = new Set(['id', 'type']);
      for (const { field } of plan.items) {
        if (isSubtypeField(field)) continue;
        if (isStoredColumn(field) || ['creation_time', 'last_modified', 'version_stamp'].includes(field.name)) cols.add(field.name);
      }
      cached = [...cols];
      this.planColumns.set(plan, cached);
    }
    return cached;
  }

  /**
   * Renders rows with a plan. Referenced entities without sub-fields are read once per target
   * store for all the plan's reference fields together (owner, author and qa_owner: one query).
   */
  render(scope: Scope, plan: RenderPlan, rows: Row[], typeName: TypeNamer): Json[] {
    const out: Json[] = rows.map((row) => ({ type: typeName(row), id: String(row.id) }));
    if (!rows.length) return out;
    const owners = plan.entity.fieldOwners;
    const needs = plan.items.map((item) => this.need(scope, plan.entity, item, rows));
    // the ids to read from each target store, for the reference fields without sub-fields
    const wanted = new Map<string, Set<number>>();
    plan.items.forEach((item, i) => {
      const need = needs[i];
      if (item.sub || need.kind === 'values') return;
      for (const store of need.stores) {
        let ids = wanted.get(store);
        if (!ids) wanted.set(store, (ids = new Set()));
        if (need.kind === 'single') {
          for (const id of need.ids) if (id !== null) ids.add(id);
        } else {
          for (const list of need.lists.values()) for (const id of list) ids.add(id);
        }
      }
    });
    const loaded = new Map<string, Map<number, Row>>();
    for (const [store, ids] of wanted) {
      const info = this.registry.store(store);
      const found = this.store.rowsById(store, [...ids], info.hasName ? REF_COLUMNS_NAMED : REF_COLUMNS);
      loaded.set(store, new Map(found.map((r) => [r.id as number, r])));
    }
    plan.items.forEach((item, i) => {
      const { field } = item;
      const values = this.values(scope, item, needs[i], loaded);
      const owned = owners && !isSubtypeField(field) ? owners.get(field.name) : undefined;
      if (owners && !isSubtypeField(field) && !owned) return;
      rows.forEach((row, r) => {
        if (owned && !owned.includes(row.type as string)) return;
        out[r][field.name] = values[r];
      });
    });
    return out;
  }

  /** The inverse multi-reference an `exists` field is computed from (kept per field: descriptors are large). */
  private inverseOf(field: FieldDescriptor): FieldDescriptor {
    let inverse = this.inverseFields.get(field);
    if (!inverse && field.source?.kind === 'exists') {
      inverse = { ...field, source: { kind: 'inverse', entity: field.source.entity, field: field.source.field } };
      this.inverseFields.set(field, inverse);
    }
    return inverse ?? field;
  }

  private storesOf(field: FieldDescriptor): readonly string[] {
    let stores = this.fieldStores.get(field);
    if (!stores) this.fieldStores.set(field, (stores = this.registry.storesOf(field.targets ?? [])));
    return stores;
  }

  /** What an item needs: its values at once, or the referenced ids to read. */
  private need(scope: Scope, entity: ResolvedEntity, item: PlanItem, rows: Row[]): Need {
    const { field } = item;
    if (isSubtypeField(field)) return { kind: 'values', values: rows.map((r) => r.type) };
    if (field.source?.kind === 'exists') {
      const lists = this.multiIds(scope, entity, this.inverseOf(field), rows.map((r) => r.id as number));
      return { kind: 'values', values: rows.map((r) => (lists.get(r.id as number)?.length ?? 0) > 0) };
    }
    if (field.type !== 'reference') return { kind: 'values', values: rows.map((r) => scalarOut(field, r[field.name])) };
    const source = field.source ?? { kind: 'stored' as const };
    if (source.kind === 'stored' && !field.multiple) {
      return { kind: 'single', ids: rows.map((r) => (r[field.name] ?? null) as number | null), stores: this.storesOf(field) };
    }
    // Multi-valued: for each row, the list of referenced ids.
    const rowIds = rows.map((r) => r.id as number);
    return { kind: 'multi', rowIds, lists: this.multiIds(scope, entity, field, rowIds), stores: this.storesOf(field) };
  }

  /** The rendered value of one field for each row. */
  private values(scope: Scope, item: PlanItem, need: Need, loaded: Map<string, Map<number, Row>>): unknown[] {
    if (need.kind === 'values') return need.values;
    const { field } = item;
    if (need.kind === 'single') {
      const refs = this.referenced(scope, field, item.sub, need.ids, loaded);
      return need.ids.map((id) => (id === null ? null : (refs.get(id) ?? null)));
    }
    const refs = this.referenced(scope, field, item.sub, [...new Set([...need.lists.values()].flat())], loaded);
    return need.rowIds.map((id) => {
      const data = (need.lists.get(id) ?? []).map((x) => refs.get(x)).filter((x): x is Json => x !== undefined);
      return { total_count: data.length, data };
    });
  }

  private multiIds(scope: Scope, entity: ResolvedEntity, field: FieldDescriptor, rowIds: number[]): Map<number, number[]> {
    const lists = new Map<number, number[]>();
    const push = (k: number, v: number) => {
      const l = lists.get(k);
      if (l) l.push(v);
      else lists.set(k, [v]);
    };
    const source = field.source ?? { kind: 'stored' as const };
    if (source.kind === 'stored') {
      for (const l of this.store.links(linkKey(this.registry, entity, field.name), rowIds)) push(l.src_id, l.dst_id);
      return lists;
    }
    const other = this.registry.entity(source.entity);
    const otherField = other.fieldMap.get(source.field)!;
    if (otherField.multiple) {
      for (const l of this.store.linksTo(linkKey(this.registry, other, source.field), rowIds)) push(l.dst_id, l.src_id);
      return lists;
    }
    const sql = this.store.sql;
    const select = (where: (q: any) => any) => where(sql.qb.selectFrom(`${tableOf(other.store)} as t`).select(['t.id as id', `t.${source.field} as owner`])).orderBy('t.id');
    let found: Array<{ id: number; owner: number }>;
    if (hasPreparedScope(other)) {
      const single = rowIds.length === 1;
      found = sql
        .prepared(`inverse:${other.type}:${source.field}:${scopeShapeKey(scope)}:${single ? 1 : 'n'}`, (p) =>
          select((q) => q.where(inIds(p, 't', source.field, single)).where(scopeCondition(this.registry, other, sentinelScopeOf(p, scope), 't'))),
        )
        .all<{ id: number; owner: number }>({ ...idsValues(rowIds), ...scopeValues(scope) });
    } else {
      found = sql.all(select((q) => q.where(`t.${source.field}`, 'in', rowIds).where(scopeCondition(this.registry, other, scope, 't'))));
    }
    for (const r of found) push(r.owner, r.id);
    return lists;
  }

  /** Rendered reference values by id: `{type, id, name}` or the sub-plan's fields. */
  private referenced(scope: Scope, field: FieldDescriptor, sub: RenderPlan | undefined, ids: ReadonlyArray<number | null>, loaded: Map<string, Map<number, Row>>): Map<number, Json> {
    const out = new Map<number, Json>();
    if (!ids.length) return out;
    const typeName: TypeNamer = (row) => this.registry.referenceTypeName(field, row.type as string);
    if (sub) {
      const unique = [...new Set(ids)].filter((x): x is number => x !== null);
      if (!unique.length) return out;
      for (const storeName of this.storesOf(field)) {
        const rows = this.store.rowsById(storeName, unique, this.columns(sub));
        const rendered = this.render(scope, sub, rows, typeName);
        rows.forEach((r, i) => out.set(r.id as number, rendered[i]));
      }
      return out;
    }
    for (const storeName of this.storesOf(field)) {
      const rows = loaded.get(storeName);
      if (!rows) continue;
      const hasName = this.registry.store(storeName).hasName;
      // ids are unique across stores: an id found in one store is not looked for in the next
      for (const id of ids) {
        if (id === null || out.has(id)) continue;
        const r = rows.get(id);
        if (!r) continue;
        const ref: Json = { type: typeName(r), id: String(r.id) };
        if (hasName) ref.name = r.name ?? null;
        out.set(id, ref);
      }
    }
    return out;
  }
}

export function scalarOut(field: FieldDescriptor, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'boolean':
      return value === 1 || value === true;
    case 'object':
      try {
        return JSON.parse(value as string);
      } catch {
        return value;
      }
    case 'integer':
    case 'float':
      return typeof value === 'bigint' ? Number(value) : value;
    default:
      return value;
  }
}
