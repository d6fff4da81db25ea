// Turning stored rows into Octane's entity JSON: the requested (or default) fields, references as
// `{type, id, name}` or with their requested sub-fields, multi-references as `{total_count, data}`.
// References of a whole page are loaded in one query per field and target store.

import { errors } from '../errors/catalog.js';
import type { Row } from '../store/database.js';
import type { EntityStore } from '../store/entity-store.js';
import { scopeCondition, type Scope } from '../store/scope.js';
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

export class Renderer {
  constructor(
    private readonly store: EntityStore,
    private readonly registry: Registry,
  ) {}

  /** Validates a `fields=` selection (or takes the defaults) into a plan. */
  plan(entity: ResolvedEntity, selection?: FieldSelectionItem[]): RenderPlan {
    if (!selection) {
      return { entity, items: [...entity.fieldMap.values()].filter((f) => f.returnedByDefault && f.name !== 'id').map((field) => ({ field })) };
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
    const cols = new Set(['id', 'type']);
    for (const { field } of plan.items) {
      if (isSubtypeField(field)) continue;
      if (isStoredColumn(field) || ['creation_time', 'last_modified', 'version_stamp'].includes(field.name)) cols.add(field.name);
    }
    return [...cols];
  }

  render(scope: Scope, plan: RenderPlan, rows: Row[], typeName: TypeNamer): Json[] {
    const out: Json[] = rows.map((row) => ({ type: typeName(row), id: String(row.id) }));
    if (!rows.length) return out;
    const owners = plan.entity.fieldOwners;
    for (const item of plan.items) {
      const { field } = item;
      const values = this.values(scope, plan.entity, item, rows);
      rows.forEach((row, i) => {
        if (owners && !owners.get(field.name)?.includes(row.type as string) && !isSubtypeField(field)) return;
        out[i][field.name] = values[i];
      });
    }
    return out;
  }

  /** The rendered value of one field for each row. */
  private values(scope: Scope, entity: ResolvedEntity, item: PlanItem, rows: Row[]): unknown[] {
    const { field } = item;
    if (isSubtypeField(field)) return rows.map((r) => r.type);
    if (field.source?.kind === 'exists') {
      const lists = this.multiIds(scope, entity, { ...field, source: { kind: 'inverse', entity: field.source.entity, field: field.source.field } }, rows.map((r) => r.id as number));
      return rows.map((r) => (lists.get(r.id as number)?.length ?? 0) > 0);
    }
    if (field.type !== 'reference') return rows.map((r) => scalarOut(field, r[field.name]));
    const source = field.source ?? { kind: 'stored' as const };
    if (source.kind === 'stored' && !field.multiple) {
      const ids = rows.map((r) => (r[field.name] ?? null) as number | null);
      const refs = this.referenced(scope, field, item.sub, ids.filter((x): x is number => x !== null));
      return ids.map((id) => (id === null ? null : (refs.get(id) ?? null)));
    }
    // Multi-valued: for each row, the list of referenced ids.
    const rowIds = rows.map((r) => r.id as number);
    const lists = this.multiIds(scope, entity, field, rowIds);
    const all = [...new Set([...lists.values()].flat())];
    const refs = this.referenced(scope, field, item.sub, all);
    return rowIds.map((id) => {
      const data = (lists.get(id) ?? []).map((x) => refs.get(x)).filter((x): x is Json => x !== undefined);
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
    const found = sql.all<{ id: number; owner: number }>(
      sql.qb
        .selectFrom(`${tableOf(other.store)} as t`)
        .select(['t.id as id', `t.${source.field} as owner`])
        .where(`t.${source.field}`, 'in', rowIds)
        .where(scopeCondition(this.registry, other, scope, 't'))
        .orderBy('t.id'),
    );
    for (const r of found) push(r.owner, r.id);
    return lists;
  }

  /** Rendered reference values by id: `{type, id, name}` or the sub-plan's fields. */
  private referenced(scope: Scope, field: FieldDescriptor, sub: RenderPlan | undefined, ids: number[]): Map<number, Json> {
    const out = new Map<number, Json>();
    if (!ids.length) return out;
    const unique = [...new Set(ids)];
    const typeName: TypeNamer = (row) => this.registry.referenceTypeName(field, row.type as string);
    for (const storeName of this.registry.storesOf(field.targets ?? [])) {
      if (sub) {
        const rows = this.store.rowsById(storeName, unique, this.columns(sub));
        const rendered = this.render(scope, sub, rows, typeName);
        rows.forEach((r, i) => out.set(r.id as number, rendered[i]));
      } else {
        const info = this.registry.store(storeName);
        const rows = this.store.rowsById(storeName, unique, info.hasName ? ['id', 'type', 'name'] : ['id', 'type']);
        for (const r of rows) {
          const ref: Json = { type: typeName(r), id: String(r.id) };
          if (info.hasName) ref.name = r.name ?? null;
          out.set(r.id as number, ref);
        }
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
