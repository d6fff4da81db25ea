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

/** A reference item of a plan (see Renderer.steps). */
interface RefStep {
  name: string;
  field: FieldDescriptor;
  /** subtypes owning the field (aggregates); absent: every row */
  owned?: readonly string[];
  sub?: RenderPlan;
  stores: readonly string[];
  /** without sub-fields: the plan's reference stores (Compiled.refStores) to look the ids up in, in order */
  targets: ReadonlyArray<{ slot: number; hasName: boolean }>;
  /** the type every referenced row is shown as (a target without subtypes); absent: the row's type */
  typeName?: string;
}

/** How the referenced ids of a multi-valued or `exists` field are read (see Renderer.multiIds). */
type ListReader =
  | { kind: 'links'; key: string }
  | { kind: 'linksTo'; key: string }
  | { kind: 'inverse'; other: ResolvedEntity; column: string; keys: Map<string, string[]> };

/** How one item of a plan is rendered (see Renderer.render). */
type Step =
  | { kind: 'subtype' | 'scalar'; name: string; field: FieldDescriptor; owned?: readonly string[] }
  | { kind: 'exists'; name: string; field: FieldDescriptor; owned?: readonly string[]; lists: ListReader }
  | ({ kind: 'single' } & RefStep)
  | ({ kind: 'multi'; lists: ListReader } & RefStep);

/** A plan worked out for rendering (see Renderer.compiled). */
interface Compiled {
  steps: readonly Step[];
  /** the stores that references without sub-fields point into: one query each per render */
  refStores: ReadonlyArray<{ store: string; columns: string[] }>;
}

export class Renderer {
  /** the default plan of each entity (no `fields=`) */
  private readonly defaultPlans = new WeakMap<ResolvedEntity, RenderPlan>();
  private readonly planColumns = new WeakMap<RenderPlan, string[]>();
  private readonly fieldStores = new WeakMap<FieldDescriptor, readonly string[]>();
  private readonly inverseFields = new WeakMap<FieldDescriptor, FieldDescriptor>();
  private readonly compiledPlans = new WeakMap<RenderPlan, Compiled>();

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
    const n = rows.length;
    const out: Json[] = new Array(n);
    for (let r = 0; r < n; r++) out[r] = { type: typeName(rows[r]), id: String(rows[r].id) };
    if (!n) return out;
    const { steps, refStores } = this.compiled(plan);
    let rowIds: number[] | undefined;
    // the referenced ids of multi-valued fields (and `exists` fields), per step
    const lists: Array<Map<number, number[]> | undefined> = [];
    // the ids to read from each reference store, for the reference fields without sub-fields
    const wanted: Array<Set<number> | undefined> = [];
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.kind === 'exists' || step.kind === 'multi') {
        rowIds ??= rows.map((r) => r.id as number);
        const found = this.multiIds(scope, step.lists, rowIds);
        lists[i] = found;
        if (step.kind === 'multi' && !step.sub) {
          for (const { slot } of step.targets) {
            const ids = (wanted[slot] ??= new Set());
            for (const list of found.values()) for (const id of list) ids.add(id);
          }
        }
      } else if (step.kind === 'single' && !step.sub) {
        for (let r = 0; r < n; r++) {
          const id = rows[r][step.name] as number | null | undefined;
          if (id === null || id === undefined) continue;
          for (const { slot } of step.targets) (wanted[slot] ??= new Set()).add(id);
        }
      }
    }
    const loaded: Array<Map<number, Row> | undefined> = [];
    for (let slot = 0; slot < wanted.length; slot++) {
      const ids = wanted[slot];
      if (!ids) continue;
      const byId = new Map<number, Row>();
      for (const r of this.store.rowsById(refStores[slot].store, [...ids], refStores[slot].columns)) byId.set(r.id as number, r);
      loaded[slot] = byId;
    }
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const { name, owned } = step;
      switch (step.kind) {
        case 'subtype':
          for (let r = 0; r < n; r++) if (!owned || owned.includes(rows[r].type as string)) out[r][name] = rows[r].type;
          break;
        case 'scalar':
          for (let r = 0; r < n; r++) if (!owned || owned.includes(rows[r].type as string)) out[r][name] = scalarOut(step.field, rows[r][name]);
          break;
        case 'exists': {
          const found = lists[i]!;
          for (let r = 0; r < n; r++) if (!owned || owned.includes(rows[r].type as string)) out[r][name] = (found.get(rows[r].id as number)?.length ?? 0) > 0;
          break;
        }
        case 'single': {
          const refs = step.sub ? this.subReferenced(scope, step, rows.map((r) => (r[name] ?? null) as number | null)) : undefined;
          // several rows: one value per referenced id, shared by the rows that refer to it
          const memo = n > 1 ? new Map<number, Json | null>() : undefined;
          for (let r = 0; r < n; r++) {
            if (owned && !owned.includes(rows[r].type as string)) continue;
            const id = (rows[r][name] ?? null) as number | null;
            out[r][name] = id === null ? null : refs ? (refs.get(id) ?? null) : this.reference(step, id, loaded, memo);
          }
          break;
        }
        case 'multi': {
          const found = lists[i]!;
          const refs = step.sub ? this.subReferenced(scope, step, [...new Set([...found.values()].flat())]) : undefined;
          const memo = new Map<number, Json | null>();
          for (let r = 0; r < n; r++) {
            if (owned && !owned.includes(rows[r].type as string)) continue;
            const data: Json[] = [];
            for (const id of found.get(rows[r].id as number) ?? []) {
              const ref = refs ? (refs.get(id) ?? null) : this.reference(step, id, loaded, memo);
              if (ref !== null) data.push(ref);
            }
            out[r][name] = { total_count: data.length, data };
          }
          break;
        }
      }
    }
    return out;
  }

  /**
   * What rendering a plan does for each of its items, worked out once per plan: the kind of value,
   * the stores references point into, how multi-valued fields are read, the subtypes that own the
   * field (aggregates), the type name of references to an entity without subtypes. Items no
   * rendered row can own are left out.
   */
  private compiled(plan: RenderPlan): Compiled {
    const cached = this.compiledPlans.get(plan);
    if (cached) return cached;
    const steps: Step[] = [];
    const refStores: Array<{ store: string; columns: string[] }> = [];
    const slotOf = (store: string): number => {
      let slot = refStores.findIndex((s) => s.store === store);
      if (slot < 0) slot = refStores.push({ store, columns: this.registry.store(store).hasName ? REF_COLUMNS_NAMED : REF_COLUMNS }) - 1;
      return slot;
    };
    const owners = plan.entity.fieldOwners;
    for (const { field, sub } of plan.items) {
      const { name } = field;
      if (isSubtypeField(field)) {
        steps.push({ kind: 'subtype', name, field });
        continue;
      }
      const owned = owners?.get(name);
      // an aggregate's field that none of its subtypes declares is not rendered
      if (owners && !owned) continue;
      if (field.source?.kind === 'exists') {
        const inverse = this.inverseOf(field);
        steps.push({ kind: 'exists', name, field: inverse, owned, lists: this.listReader(plan.entity, inverse) });
      } else if (field.type !== 'reference') {
        steps.push({ kind: 'scalar', name, field, owned });
      } else {
        const targets = field.targets ?? [];
        const only = targets.length === 1 ? this.registry.entity(targets[0]) : undefined;
        const stores = this.storesOf(field);
        const ref: RefStep = {
          name,
          field,
          owned,
          sub,
          stores,
          targets: sub ? [] : stores.map((store) => ({ slot: slotOf(store), hasName: this.registry.store(store).hasName })),
          typeName: only && !only.subtypes?.length ? only.type : undefined,
        };
        const single = (field.source ?? { kind: 'stored' }).kind === 'stored' && !field.multiple;
        steps.push(single ? { kind: 'single', ...ref } : { kind: 'multi', ...ref, lists: this.listReader(plan.entity, field) });
      }
    }
    const compiled = { steps, refStores };
    this.compiledPlans.set(plan, compiled);
    return compiled;
  }

  /**
   * `{type, id, name}` of a referenced row read with the plan's references (the first target store
   * that has it), null when none has it; `memo` keeps the values of one field across rows.
   */
  private reference(step: RefStep, id: number, loaded: ReadonlyArray<Map<number, Row> | undefined>, memo?: Map<number, Json | null>): Json | null {
    const known = memo?.get(id);
    if (known !== undefined) return known;
    let ref: Json | null = null;
    for (const { slot, hasName } of step.targets) {
      const r = loaded[slot]?.get(id);
      if (!r) continue;
      ref = { type: step.typeName ?? (r.type as string), id: String(r.id) };
      if (hasName) ref.name = r.name ?? null;
      break;
    }
    memo?.set(id, ref);
    return ref;
  }

  /** Referenced entities rendered with the sub-fields asked for them, by id. */
  private subReferenced(scope: Scope, step: RefStep, ids: ReadonlyArray<number | null>): Map<number, Json> {
    const out = new Map<number, Json>();
    const unique = [...new Set(ids)].filter((x): x is number => x !== null);
    if (!unique.length) return out;
    const sub = step.sub!;
    const typeName: TypeNamer = (row) => step.typeName ?? (row.type as string);
    for (const storeName of step.stores) {
      const rows = this.store.rowsById(storeName, unique, this.columns(sub));
      const rendered = this.render(scope, sub, rows, typeName);
      rows.forEach((r, i) => out.set(r.id as number, rendered[i]));
    }
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

  /** How the ids a multi-valued field of `entity` refers to are read (see multiIds). */
  private listReader(entity: ResolvedEntity, field: FieldDescriptor): ListReader {
    const source = field.source ?? { kind: 'stored' as const };
    if (source.kind === 'stored') return { kind: 'links', key: linkKey(this.registry, entity, field.name) };
    const other = this.registry.entity(source.entity);
    if (other.fieldMap.get(source.field)!.multiple) return { kind: 'linksTo', key: linkKey(this.registry, other, source.field) };
    return { kind: 'inverse', other, column: source.field, keys: new Map() };
  }

  /** For each row id, the ids its multi-valued field refers to. */
  private multiIds(scope: Scope, reader: ListReader, rowIds: number[]): Map<number, number[]> {
    const lists = new Map<number, number[]>();
    const push = (k: number, v: number) => {
      const l = lists.get(k);
      if (l) l.push(v);
      else lists.set(k, [v]);
    };
    if (reader.kind === 'links') {
      for (const l of this.store.links(reader.key, rowIds)) push(l.src_id, l.dst_id);
      return lists;
    }
    if (reader.kind === 'linksTo') {
      for (const l of this.store.linksTo(reader.key, rowIds)) push(l.dst_id, l.src_id);
      return lists;
    }
    // a single reference of the other entity pointing back at the rows
    const { other, column } = reader;
    const sql = this.store.sql;
    const select = (where: (q: any) => any) => where(sql.qb.selectFrom(`${tableOf(other.store)} as t`).select(['t.id as id', `t.${column} as owner`])).orderBy('t.id');
    let found: Array<{ id: number; owner: number }>;
    if (hasPreparedScope(other)) {
      const single = rowIds.length === 1;
      const shape = scopeShapeKey(scope);
      let keys = reader.keys.get(shape);
      if (!keys) reader.keys.set(shape, (keys = []));
      const key = (keys[single ? 1 : 0] ??= `inverse:${other.type}:${column}:${shape}:${single ? 1 : 'n'}`);
      found = sql
        .prepared(key, (p) => select((q) => q.where(inIds(p, 't', column, single)).where(scopeCondition(this.registry, other, sentinelScopeOf(p, scope), 't'))))
        .all<{ id: number; owner: number }>(Object.assign(scopeValues(scope), idsValues(rowIds)));
    } else {
      found = sql.all(select((q) => q.where(`t.${column}`, 'in', rowIds).where(scopeCondition(this.registry, other, scope, 't'))));
    }
    for (const r of found) push(r.owner, r.id);
    return lists;
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
