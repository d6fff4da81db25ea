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
  targets: ReadonlyArray<{ store: string; hasName: boolean }>;
  /** the type every referenced row is shown as (a target without subtypes); absent: the row's type */
  typeName?: string;
}

/** How one item of a plan is rendered (see Renderer.render). */
type Step =
  | { kind: 'subtype' | 'scalar' | 'exists'; name: string; field: FieldDescriptor; owned?: readonly string[] }
  | ({ kind: 'single' | 'multi' } & RefStep);

export class Renderer {
  /** the default plan of each entity (no `fields=`) */
  private readonly defaultPlans = new WeakMap<ResolvedEntity, RenderPlan>();
  private readonly planColumns = new WeakMap<RenderPlan, string[]>();
  private readonly fieldStores = new WeakMap<FieldDescriptor, readonly string[]>();
  private readonly inverseFields = new WeakMap<FieldDescriptor, FieldDescriptor>();
  private readonly planSteps = new WeakMap<RenderPlan, readonly Step[]>();

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
    const steps = this.steps(plan);
    let rowIds: number[] | undefined;
    // the referenced ids of multi-valued fields (and `exists` fields), per step
    const lists: Array<Map<number, number[]> | undefined> = [];
    // the ids to read from each target store, for the reference fields without sub-fields
    let wanted: Map<string, Set<number>> | undefined;
    const want = (store: string): Set<number> => {
      wanted ??= new Map();
      let ids = wanted.get(store);
      if (!ids) wanted.set(store, (ids = new Set()));
      return ids;
    };
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.kind === 'exists' || step.kind === 'multi') {
        rowIds ??= rows.map((r) => r.id as number);
        const found = this.multiIds(scope, plan.entity, step.field, rowIds);
        lists[i] = found;
        if (step.kind === 'multi' && !step.sub) {
          for (const store of step.stores) {
            const ids = want(store);
            for (const list of found.values()) for (const id of list) ids.add(id);
          }
        }
      } else if (step.kind === 'single' && !step.sub) {
        for (const store of step.stores) {
          let ids: Set<number> | undefined;
          for (let r = 0; r < n; r++) {
            const id = rows[r][step.name] as number | null | undefined;
            if (id !== null && id !== undefined) (ids ??= want(store)).add(id);
          }
        }
      }
    }
    const loaded = new Map<string, Map<number, Row>>();
    if (wanted) {
      for (const [store, ids] of wanted) {
        const found = this.store.rowsById(store, [...ids], this.registry.store(store).hasName ? REF_COLUMNS_NAMED : REF_COLUMNS);
        const byId = new Map<number, Row>();
        for (const r of found) byId.set(r.id as number, r);
        loaded.set(store, byId);
      }
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
          const ids: Array<number | null> = rows.map((r) => (r[name] ?? null) as number | null);
          const refs = step.sub ? this.subReferenced(scope, step, ids) : undefined;
          for (let r = 0; r < n; r++) {
            if (owned && !owned.includes(rows[r].type as string)) continue;
            const id = ids[r];
            out[r][name] = id === null ? null : ((refs ? refs.get(id) : this.reference(step, id, loaded)) ?? null);
          }
          break;
        }
        case 'multi': {
          const found = lists[i]!;
          const refs = step.sub ? this.subReferenced(scope, step, [...new Set([...found.values()].flat())]) : undefined;
          for (let r = 0; r < n; r++) {
            if (owned && !owned.includes(rows[r].type as string)) continue;
            const data: Json[] = [];
            for (const id of found.get(rows[r].id as number) ?? []) {
              const ref = refs ? refs.get(id) : this.reference(step, id, loaded);
              if (ref !== undefined) data.push(ref);
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
   * the target stores of references, the subtypes that own the field (aggregates), the type name
   * of references to an entity without subtypes. Items no rendered row can own are left out.
   */
  private steps(plan: RenderPlan): readonly Step[] {
    const cached = this.planSteps.get(plan);
    if (cached) return cached;
    const steps: Step[] = [];
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
        steps.push({ kind: 'exists', name, field: this.inverseOf(field), owned });
      } else if (field.type !== 'reference') {
        steps.push({ kind: 'scalar', name, field, owned });
      } else {
        const targets = field.targets ?? [];
        const only = targets.length === 1 ? this.registry.entity(targets[0]) : undefined;
        const stores = this.storesOf(field).map((store) => ({ store, hasName: this.registry.store(store).hasName }));
        const ref = { name, field, owned, sub, stores: stores.map((s) => s.store), targets: stores, typeName: only && !only.subtypes?.length ? only.type : undefined };
        const single = (field.source ?? { kind: 'stored' }).kind === 'stored' && !field.multiple;
        steps.push(single ? { kind: 'single', ...ref } : { kind: 'multi', ...ref });
      }
    }
    this.planSteps.set(plan, steps);
    return steps;
  }

  /** `{type, id, name}` of a referenced row read with the plan's references (first target store that has it). */
  private reference(step: RefStep, id: number, loaded: Map<string, Map<number, Row>>): Json | undefined {
    for (const { store, hasName } of step.targets) {
      const r = loaded.get(store)?.get(id);
      if (!r) continue;
      const ref: Json = { type: step.typeName ?? (r.type as string), id: String(r.id) };
      if (hasName) ref.name = r.name ?? null;
      return ref;
    }
    return undefined;
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
