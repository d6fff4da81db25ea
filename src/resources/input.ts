// Validation of write bodies against the resource table: unknown fields, read-only fields, types,
// lengths, references (existence, type, list membership). Produces hook-ready Values.

import { errors } from '../errors/catalog.js';
import type { EntityStore } from '../store/entity-store.js';
import { scopeCondition, scopeValues, sentinelScope, type Scope } from '../store/scope.js';
import { tableOf } from '../store/schema-sync.js';
import type { RequestContext } from './context.js';
import type { RefValue, Values } from './hooks.js';
import type { Registry, ResolvedEntity } from './registry.js';
import type { FieldDescriptor } from './types.js';
import { isIntegerText, parseDate, parseDateTime } from './values.js';

export const MAX_MEMO_LENGTH = 1_000_000;

/** Keys a body may carry besides fields: they identify the entity and are checked by the caller. */
const IDENTITY_KEYS = new Set(['id', 'type']);

export type WriteMode = 'create' | 'update';

export class InputValidator {
  constructor(
    private readonly registry: Registry,
    private readonly store: EntityStore,
  ) {}

  /**
   * Validates `body` for `entity` (a concrete type). Returns the field values it sets.
   * `version_stamp` is returned separately: it is a lock check, not a value.
   */
  parse(ctx: RequestContext, entity: ResolvedEntity, body: unknown, mode: WriteMode): { values: Values; versionStamp?: number } {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw errors.badRequest(`Expected a JSON object describing a ${entity.type}`, { entity_type: entity.type });
    }
    const values: Values = {};
    let versionStamp: number | undefined;
    for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
      if (IDENTITY_KEYS.has(key)) continue;
      const field = entity.fieldMap.get(key);
      if (!field) throw errors.unknownField(entity.type, key);
      if (key === 'version_stamp' && mode === 'update') {
        if (typeof raw !== 'number' && !(typeof raw === 'string' && isIntegerText(raw))) throw errors.fieldValidation(entity.type, key, 'expected an integer');
        versionStamp = Number(raw);
        continue;
      }
      if (key === 'subtype' && field.system) continue; // a family member's subtype comes from the collection
      if (!field.editable && !ctx.system) throw errors.fieldValidation(entity.type, key, 'the field is read-only');
      if (field.system && !ctx.system) throw errors.fieldValidation(entity.type, key, 'the field is set by the server');
      values[key] = this.value(ctx, entity, field, raw);
    }
    return { values, versionStamp };
  }

  /** Missing or empty required fields, checked after the hooks filled defaults. */
  checkRequired(ctx: RequestContext, entity: ResolvedEntity, values: Values, mode: WriteMode): void {
    for (const field of entity.fieldMap.values()) {
      if (!field.required || field.system) continue;
      // Tree roots are seeded by the server and have no parent.
      if (ctx.system && field.name === entity.tree?.parentField) continue;
      const v = values[field.name];
      const absent = v === undefined;
      const empty = v === null || v === '' || (Array.isArray(v) && v.length === 0);
      if ((mode === 'create' && (absent || empty)) || (mode === 'update' && !absent && empty)) {
        throw errors.missingRequiredField(entity.type, field.name);
      }
    }
  }

  private value(ctx: RequestContext, entity: ResolvedEntity, field: FieldDescriptor, raw: unknown): unknown {
    const bad = (reason: string): never => {
      throw errors.fieldValidation(entity.type, field.name, reason);
    };
    if (raw === undefined) return bad('a value is required');
    if (field.type === 'reference') return this.reference(ctx, entity, field, raw);
    if (raw === null) return null;
    switch (field.type) {
      case 'string':
      case 'memo': {
        if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw);
        if (typeof raw !== 'string') return bad('expected a string');
        const max = field.type === 'string' ? (field.maxLength ?? 255) : MAX_MEMO_LENGTH;
        if (raw.length > max) return bad(`the value is longer than ${max} characters`);
        if (raw.includes('\u0000')) return bad('the value contains a NUL character');
        return raw;
      }
      case 'integer': {
        const n = typeof raw === 'string' && isIntegerText(raw) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isSafeInteger(n)) return bad('expected an integer');
        return n;
      }
      case 'float': {
        const n = typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isFinite(n)) return bad('expected a number');
        return n;
      }
      case 'boolean':
        if (typeof raw === 'boolean') return raw;
        if (raw === 'true' || raw === 'false') return raw === 'true';
        return bad('expected true or false');
      case 'date':
      case 'date_time': {
        if (typeof raw !== 'string') return bad('expected an ISO-8601 date string');
        const parsed = field.type === 'date' ? parseDate(raw) : parseDateTime(raw);
        return parsed ?? bad(`'${raw.slice(0, 64)}' is not an ISO-8601 ${field.type === 'date' ? 'date' : 'date-time'}`);
      }
      case 'object':
        return raw;
    }
    return bad('unsupported field type');
  }

  private reference(ctx: RequestContext, entity: ResolvedEntity, field: FieldDescriptor, raw: unknown): RefValue | RefValue[] | null {
    if (field.multiple) {
      if (raw === null) return [];
      const list = Array.isArray(raw) ? raw : typeof raw === 'object' && Array.isArray((raw as { data?: unknown }).data) ? (raw as { data: unknown[] }).data : undefined;
      if (!list) throw errors.fieldValidation(entity.type, field.name, 'expected {"data":[{"type":…,"id":…}, …]}');
      if (list.length > 10_000) throw errors.fieldValidation(entity.type, field.name, 'too many references');
      return list.map((item) => this.resolveRef(ctx, entity, field, item));
    }
    if (raw === null) return null;
    return this.resolveRef(ctx, entity, field, raw);
  }

  /** `{type, id}` -> the referenced row, checked for existence in scope, type and list membership. */
  private resolveRef(ctx: RequestContext, entity: ResolvedEntity, field: FieldDescriptor, raw: unknown): RefValue {
    const bad = (reason: string): never => {
      throw errors.fieldValidation(entity.type, field.name, reason);
    };
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('expected a reference {"type":…,"id":…}');
    const ref = raw as { type?: unknown; id?: unknown };
    if (ref.id === undefined || ref.id === null || (typeof ref.id !== 'string' && typeof ref.id !== 'number')) return bad('the reference has no id');
    const targets = field.targets ?? [];
    if (ref.type !== undefined && ref.type !== null) {
      if (typeof ref.type !== 'string' || !this.typeAccepted(targets, ref.type)) {
        return bad(`a reference of type '${String(ref.type)}' is not allowed; expected ${targets.join(' or ')}`);
      }
    }
    const idText = String(ref.id);
    const target = this.registry.targetEntity(field);
    const rowTypes = this.registry.rowTypesOf(targets);
    const storeInfo = this.registry.store(target.store);
    const byId = isIntegerText(idText);
    if (!byId && !storeInfo.hasLogicalName) return bad(`no ${targets.join(' or ')} with id '${idText.slice(0, 64)}'`);
    const row = this.lookup(ctx, target, byId, Boolean(field.list), byId ? Number(idText) : idText);
    if (!row) return bad(`no ${targets.join(' or ')} with id '${idText.slice(0, 64)}'`);
    if (!rowTypes.includes(row.type)) return bad(`the entity '${idText}' is a ${row.type}; expected ${targets.join(' or ')}`);
    if (ref.type && typeof ref.type === 'string' && !this.typeAccepted([row.type], ref.type) && !this.typeAccepted(targets, ref.type)) {
      return bad(`the entity '${idText}' is a ${row.type}, not a ${ref.type}`);
    }
    if (field.list) this.checkListMembership(entity, field, row);
    return { type: row.type, id: row.id };
  }

  private refMemoKey(ctx: RequestContext, target: ResolvedEntity, byId: boolean, withList: boolean, key: number | string): string {
    return `ref|${target.type}|${byId}|${withList}|${ctx.sharedSpaceId}|${ctx.workspaceId}|${ctx.userId}|${typeof key}|${key}`;
  }

  /**
   * A row just written in the request's workspace, as a reference check by id would find it
   * (hooks that reference the entity they are creating, such as My Work items, skip the query).
   */
  rememberCreated(ctx: RequestContext, entity: ResolvedEntity, row: { id: number; type: string; workspace_id: unknown }): void {
    const memo = this.store.memo(entity.store);
    if (!memo || ctx.workspaceId === null || row.workspace_id !== ctx.workspaceId) return;
    for (const name of [entity.type, entity.subtypeOf]) {
      const target = name ? this.registry.findEntity(name) : undefined;
      // the plain workspace scope only: `workspace_id = ?` and the target's row types
      if (!target || target.level !== 'workspace' || target.scope !== undefined || !target.rowTypes.includes(row.type)) continue;
      memo.set(this.refMemoKey(ctx, target, true, false, row.id), { id: row.id, type: row.type });
    }
  }

  /** The referenced row in scope, by id or logical name (one prepared statement per shape). */
  private lookup(ctx: RequestContext, target: ResolvedEntity, byId: boolean, withList: boolean, key: number | string): { id: number; type: string; list_root?: number } | undefined {
    const sqlx = this.store.sql;
    const build = (scope: Scope, value: unknown) =>
      sqlx.qb
        .selectFrom(`${tableOf(target.store)} as t`)
        .select(['t.id', 't.type', ...(withList ? ['t.list_root'] : [])])
        .where(scopeCondition(this.registry, target, scope, 't'))
        .where(byId ? 't.id' : 't.logical_name', '=', value);
    if (target.scope === 'accessible-workspaces' || target.scope === 'accessible-spaces') return sqlx.get(build(ctx, key));
    // within a write batch, the same reference in many items is looked up once (rows found only)
    const memo = this.store.memo(target.store);
    const memoKey = memo ? this.refMemoKey(ctx, target, byId, withList, key) : '';
    const hit = memo?.get(memoKey) as { id: number; type: string; list_root?: number } | undefined;
    if (hit) return hit;
    const row = sqlx
      .prepared(`ref:${target.type}:${byId}:${withList}`, (p) => build(sentinelScope(p), p('key')))
      .get<{ id: number; type: string; list_root?: number }>({ key, ...scopeValues(ctx) });
    if (row && memo) memo.set(memoKey, row);
    return row;
  }

  /** A reference may name the target type, its aggregate, or one of its subtypes. */
  private typeAccepted(targets: readonly string[], type: string): boolean {
    for (const t of targets) {
      if (t === type) return true;
      const e = this.registry.findEntity(t);
      if (!e) continue;
      if (e.subtypeOf === type || e.subtypes?.includes(type) || e.viewOf === type) return true;
      const other = this.registry.findEntity(type);
      if (other?.viewOf === t) return true;
    }
    return false;
  }

  private listRoot(id: number): { logical_name: string | null } | undefined {
    const memo = this.store.memo(this.registry.entity('list_node').store);
    const hit = memo?.get(`listRoot|${id}`) as { logical_name: string | null } | undefined;
    if (hit) return hit;
    const sqlx = this.store.sql;
    const root = sqlx
      .prepared('listRoot', (p) => sqlx.qb.selectFrom(tableOf(this.registry.entity('list_node').store)).select('logical_name').where('id', '=', p('id')))
      .get<{ logical_name: string | null }>({ id });
    if (root && memo) memo.set(`listRoot|${id}`, root);
    return root;
  }

  /** List-valued fields accept only nodes of their own list. */
  private checkListMembership(entity: ResolvedEntity, field: FieldDescriptor, row: { id: number; list_root?: number }): void {
    const root = row.list_root ? this.listRoot(row.list_root) : undefined;
    if (!root || root.logical_name?.toLowerCase() !== field.list!.toLowerCase()) {
      throw errors.fieldValidation(entity.type, field.name, `the list node '${row.id}' is not a value of the list ${field.list}`);
    }
  }
}

