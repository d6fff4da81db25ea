// The generic entity service: list, get, create, update and delete for every resource, driven by
// the resource table. Per-resource behaviour comes in through the descriptors' hooks.

import { sql, type CompiledQuery } from 'kysely';
import { errors } from '../errors/catalog.js';
import type { OctaneError } from '../errors/octane-error.js';
import type { Expr } from '../query/ast.js';
import type { FieldSelectionItem, OrderKey } from '../query/read-params.js';
import { QueryCompiler, linkKey } from '../query/to-sql.js';
import { joinedKey, type Row, type Sql } from '../store/database.js';
import { EntityStore } from '../store/entity-store.js';
import { hasPreparedScope, idsValues, inIds, scopeCondition, scopeShapeKey, scopeValues, sentinelScopeOf } from '../store/scope.js';
import { ROW_COUNT_TABLE, tableOf } from '../store/schema-sync.js';
import type { RequestContext } from './context.js';
import { DeferredJobs } from './deferred.js';
import type { HookApi, RefValue, Values } from './hooks.js';
import { scalarOut, type Json } from './render.js';
import { Schema } from './schema.js';
import type { Registry, ResolvedEntity } from './registry.js';
import type { FieldDescriptor } from './types.js';
import { columnOf, isStoredColumn, isSubtypeField } from './registry.js';
import { formatDateTime, isIntegerText } from './values.js';

export interface ListParams {
  query?: Expr;
  fields?: FieldSelectionItem[];
  orderBy?: OrderKey[];
  limit: number;
  offset: number;
  /** `text_search` text: matches name and description, and adds `global_text_search_result` */
  textSearch?: string;
}

export interface Groups {
  groupsTotalCount: number;
  groups: Array<{ count: number; value: unknown }>;
}

export interface Collection {
  total_count: number;
  data: Json[];
  exceeds_total_count?: boolean;
}

export interface BulkResult {
  data: Json[];
  errors: OctaneError[];
}

export interface WriteOptions {
  fields?: FieldSelectionItem[];
  /** write the valid items and report the others, instead of all-or-nothing */
  partial?: boolean;
}

/** The compiled count and page statements of a list (see EntityService.listStatements). */
interface ListStatements {
  count: { compile(): CompiledQuery };
  page: { compile(): CompiledQuery };
}

/** Lists whose statements are kept at a time, and the most parameters a kept list may have. */
const LIST_CACHE_LIMIT = 200;
const LIST_CACHE_MAX_PARAMETERS = 1000;

export class EntityService {
  readonly store: EntityStore;
  /** compiled list statements while the data stays the same (see listStatements) */
  private readonly listCache = { stamp: '', entries: new Map<string, ListStatements>() };
  /** the resource table without user-defined fields */
  readonly base: Schema;
  /** schema per shared space / workspace, valid while `userFieldsVersion` is unchanged */
  private readonly schemas = new Map<string, { version: number; schema: Schema }>();
  /** statement keys of scopedRows (see scopedRowsKey) */
  private readonly rowKeys = new WeakMap<ResolvedEntity, WeakMap<readonly string[], Map<string, string[]>>>();
  /** the schema answered last, and for which scope (see schema) */
  private lastSchema?: { sharedSpaceId: number; workspaceId: number | null; version: number; schema: Schema };
  /** bumped whenever a user-defined field is created or changed */
  userFieldsVersion = 0;
  /** reads the user-defined fields of a scope (set by the user-defined fields module) */
  userFields?: (ctx: RequestContext) => Map<string, FieldDescriptor[]>;
  /** what hooks deferred to the end of the write in progress (HookApi.defer) */
  private readonly deferred = new DeferredJobs();

  constructor(
    readonly sql: Sql,
    readonly registry: Registry,
  ) {
    this.store = new EntityStore(sql, registry);
    this.base = new Schema(registry, this.store);
  }

  /** The resource table as the request's workspace sees it (with its user-defined fields). */
  schema(ctx: RequestContext): Schema {
    if (!this.userFields) return this.base;
    // a request asks several times in a row: the last answer first, without building the key
    const last = this.lastSchema;
    if (last && last.sharedSpaceId === ctx.sharedSpaceId && last.workspaceId === ctx.workspaceId && last.version === this.userFieldsVersion) return last.schema;
    const key = `${ctx.sharedSpaceId}:${ctx.workspaceId}`;
    const cached = this.schemas.get(key);
    let schema: Schema;
    if (cached && cached.version === this.userFieldsVersion) schema = cached.schema;
    else {
      const fields = this.userFields(ctx);
      schema = fields.size ? new Schema(this.registry.withUserFields(fields), this.store) : this.base;
      if (this.schemas.size > 1000) this.schemas.clear();
      this.schemas.set(key, { version: this.userFieldsVersion, schema });
    }
    this.lastSchema = { sharedSpaceId: ctx.sharedSpaceId, workspaceId: ctx.workspaceId, version: this.userFieldsVersion, schema };
    return schema;
  }

  /** `entity` as the request's workspace sees it. */
  bind(ctx: RequestContext, entity: ResolvedEntity): ResolvedEntity {
    const s = this.schema(ctx);
    return s === this.base ? entity : s.registry.entity(entity.type);
  }

  // ---- reading -----------------------------------------------------------------------------------

  private filtered(ctx: RequestContext, entity: ResolvedEntity, query: Expr | undefined) {
    let q = this.sql.qb.selectFrom(`${tableOf(entity.store)} as t`).where(scopeCondition(this.schema(ctx).registry, entity, ctx, 't'));
    if (query) q = q.where(new QueryCompiler(this.schema(ctx).registry, ctx, this.sql).compile(entity, 't', query));
    return q;
  }

  list(ctx: RequestContext, entity: ResolvedEntity, p: ListParams): Collection {
    entity = this.bind(ctx, entity);
    const plan = this.schema(ctx).renderer.plan(entity, p.fields);
    const search = p.textSearch ? this.textColumns(entity) : [];
    const columns = [...new Set([...this.schema(ctx).renderer.columns(plan), ...search])];
    const statements = this.listStatements(ctx, entity, p, search, columns);
    const total = this.sql.get<{ n: number }>(statements.count)!.n;
    const rows = total > p.offset ? this.sql.all(statements.page) : [];
    const data = this.schema(ctx).renderer.render(ctx, plan, rows, () => entity.type);
    if (p.textSearch) {
      rows.forEach((row, i) => {
        const result: Record<string, unknown> = {};
        for (const c of search) result[c] = highlight(row[c], p.textSearch!);
        data[i].global_text_search_result = result;
      });
    }
    return { total_count: total, data, exceeds_total_count: false };
  }

  /**
   * The count and page statements of a list, compiled. They are kept, by everything they are
   * built from, while the data stays the same (Sql.stamp): a cross-filter may have resolved its
   * target ids into the statement. Inside a transaction nothing is kept (it may roll back).
   */
  private listStatements(ctx: RequestContext, entity: ResolvedEntity, p: ListParams, search: string[], columns: string[]): ListStatements {
    const cache = this.listCache;
    let key: string | undefined;
    if (!this.sql.sqlite.inTransaction) {
      const stamp = this.sql.stamp();
      if (cache.stamp !== stamp || cache.entries.size >= LIST_CACHE_LIMIT) {
        cache.stamp = stamp;
        cache.entries.clear();
      }
      key = JSON.stringify([
        entity.type,
        this.userFieldsVersion,
        ctx.sharedSpaceId,
        ctx.workspaceId,
        ctx.userId,
        ctx.preview,
        ctx.visible,
        p.query,
        columns,
        p.orderBy,
        p.limit,
        p.offset,
        p.textSearch,
      ]);
      const hit = cache.entries.get(key);
      if (hit) return hit;
    }
    let base = this.filtered(ctx, entity, p.query);
    if (p.textSearch) {
      const pattern = `%${p.textSearch.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = search.length
        ? base.where(sql<boolean>`(${sql.join(search.map((c) => sql`${sql.ref(`t.${c}`)} like ${pattern} escape '\\'`), sql` or `)})`)
        : base.where(sql<boolean>`1 = 0`);
    }
    const count = (p.textSearch ? undefined : this.maintainedCount(ctx, entity, p.query)) ?? base.select((eb) => eb.fn.countAll().as('n')).compile();
    let q = base.select(columns.map((c) => `t.${c}`));
    q = this.applyOrder(entity, q, p.orderBy?.length ? p.orderBy : (entity.defaultOrder ?? []));
    const page = q.limit(p.limit).offset(p.offset).compile();
    const statements: ListStatements = { count: { compile: () => count }, page: { compile: () => page } };
    // statements with long inlined id lists are not worth their memory
    if (key !== undefined && count.parameters.length + page.parameters.length <= LIST_CACHE_MAX_PARAMETERS) cache.entries.set(key, statements);
    return statements;
  }

  /**
   * The count of an unfiltered or subtype-only list from the maintained row counts (store/schema-sync.ts
   * ROW_COUNT_TABLE): the scope condition and the subtype filter read only the shared space, the
   * workspace and the row type, which are that table's columns, so the same conditions select the
   * counts to add up. Undefined when the scope or the query needs more than those (members, the
   * accessible-* scopes, any other field).
   */
  private maintainedCount(ctx: RequestContext, entity: ResolvedEntity, query: Expr | undefined): CompiledQuery | undefined {
    if (entity.scope === 'members' || !hasPreparedScope(entity)) return undefined;
    if (query && !onlySubtype(entity, query)) return undefined;
    const registry = this.schema(ctx).registry;
    let q = this.sql.qb
      .selectFrom(`${ROW_COUNT_TABLE} as t`)
      .select(sql<number>`coalesce(sum(t.n), 0)`.as('n'))
      .where('t.store', '=', entity.store)
      .where(scopeCondition(registry, entity, ctx, 't'));
    if (query) q = q.where(new QueryCompiler(registry, ctx, this.sql).compile(entity, 't', query));
    return q.compile();
  }

  /** Columns a text search looks in: name and description where the entity has them. */
  private textColumns(entity: ResolvedEntity): string[] {
    return ['name', 'description'].filter((c) => this.registry.store(entity.store).columns.has(c) && entity.fieldMap.has(c));
  }

  /** `GET {collection}/groups?group_by=field`: how many matches per value of a field. */
  groups(ctx: RequestContext, entity: ResolvedEntity, groupBy: string, query?: Expr): Groups {
    entity = this.bind(ctx, entity);
    const field = entity.fieldMap.get(groupBy);
    if (!field) throw errors.unknownField(entity.type, groupBy);
    const column = columnOf(field);
    const stored = isSubtypeField(field) || (isStoredColumn(field) && !['memo', 'object'].includes(field.type));
    if (!stored || !field.groupable) {
      throw errors.badRequest(`The field '${groupBy}' of entity type '${entity.type}' cannot be used to group results`, { field_name: groupBy, entity_type: entity.type });
    }
    const rows = this.sql.all<{ v: unknown; n: number }>(
      this.filtered(ctx, entity, query)
        .select([`t.${column} as v`, (eb) => eb.fn.countAll().as('n')])
        .groupBy(`t.${column}`)
        .orderBy('n', 'desc')
        .orderBy(`t.${column}`),
    );
    let values: unknown[] = rows.map((r) => (field.type === 'reference' || isSubtypeField(field) ? r.v : scalarOut(field, r.v)));
    if (field.type === 'reference') {
      const ids = rows.map((r) => r.v).filter((v): v is number => typeof v === 'number');
      const target = this.registry.targetEntity(field);
      const info = this.registry.store(target.store);
      const cols = ['id', 'type', ...(info.hasName ? ['name'] : []), ...(info.hasLogicalName ? ['logical_name'] : [])];
      const byId = new Map(this.store.rowsById(target.store, ids, cols).map((r) => [r.id as number, r]));
      values = rows.map((r) => {
        const t = typeof r.v === 'number' ? byId.get(r.v) : undefined;
        if (!t) return null;
        const value: Record<string, unknown> = { type: this.registry.referenceTypeName(field, t.type as string), id: String(t.id) };
        if (info.hasName) value.name = t.name ?? null;
        if (info.hasLogicalName) value.logical_name = t.logical_name ?? null;
        return value;
      });
    }
    return { groupsTotalCount: rows.length, groups: rows.map((r, i) => ({ count: r.n, value: values[i] })) };
  }

  count(ctx: RequestContext, entity: ResolvedEntity, query?: Expr): number {
    entity = this.bind(ctx, entity);
    return this.sql.get<{ n: number }>(this.filtered(ctx, entity, query).select((eb) => eb.fn.countAll().as('n')))!.n;
  }

  /** Ids of the rows matching `query`, in id order. */
  ids(ctx: RequestContext, entity: ResolvedEntity, query?: Expr): number[] {
    entity = this.bind(ctx, entity);
    return this.sql.all<{ id: number }>(this.filtered(ctx, entity, query).select('t.id').orderBy('t.id')).map((r) => r.id);
  }

  private applyOrder(entity: ResolvedEntity, q: any, keys: readonly OrderKey[]): any {
    let joins = 0;
    let hasId = false;
    for (const key of keys) {
      const field = entity.fieldMap.get(key.field);
      if (!field) throw errors.unknownField(entity.type, key.field);
      const dir = key.descending ? 'desc' : 'asc';
      if (field.name === 'id') {
        hasId = true;
        q = q.orderBy('t.id', dir);
      } else if (field.type === 'reference' && !field.multiple && field.source?.kind !== 'inverse') {
        // Ordered by the referenced entity's name, as Octane's UI does.
        const target = this.registry.targetEntity(field);
        const info = this.registry.store(target.store);
        const a = `o${++joins}`;
        q = q.leftJoin(`${tableOf(target.store)} as ${a}`, `${a}.id`, `t.${field.name}`).orderBy(`${a}.${info.hasName ? 'name' : 'id'}`, dir);
      } else if (field.sortable || isSubtypeField(field)) {
        q = q.orderBy(`t.${columnOf(field)}`, dir);
      } else {
        throw errors.badRequest(`The field '${field.name}' of entity type '${entity.type}' cannot be used to order results`, { field_name: field.name, entity_type: entity.type });
      }
    }
    return hasId ? q : q.orderBy('t.id', 'asc');
  }

  /** Parses an id from a URL: a number, or a logical name for entities that have them. */
  resolveId(ctx: RequestContext, entity: ResolvedEntity, idText: string): number {
    entity = this.bind(ctx, entity);
    if (isIntegerText(idText)) return Number(idText);
    if (this.registry.store(entity.store).hasLogicalName) {
      const row = this.sql.get<{ id: number }>(this.filtered(ctx, entity, undefined).select('t.id').where('t.logical_name', '=', idText));
      if (row) return row.id;
    }
    throw errors.entityNotFound(entity.type, idText);
  }

  findRow(ctx: RequestContext, entity: ResolvedEntity, idText: string): Row {
    entity = this.bind(ctx, entity);
    const id = this.resolveId(ctx, entity, idText);
    const row = this.store.findRow(entity, ctx, id);
    if (!row) throw errors.entityNotFound(entity.type, idText);
    this.checkPreviewRow(ctx, row.type as string);
    return row;
  }

  /** A technical-preview subtype is reached through its aggregate only with the preview header. */
  private checkPreviewRow(ctx: RequestContext, rowType: string): void {
    if (ctx.preview !== false) return;
    const concrete = this.registry.findEntity(rowType);
    if (concrete?.subtypeOf && concrete.preview) throw errors.techPreviewRequired(concrete.collection);
  }

  get(ctx: RequestContext, entity: ResolvedEntity, idText: string, fields?: FieldSelectionItem[]): Json {
    entity = this.bind(ctx, entity);
    const id = isIntegerText(idText) ? Number(idText) : this.resolveId(ctx, entity, idText);
    const rendered = this.renderIds(ctx, entity, [id], fields);
    if (!rendered.length) {
      // hidden by the preview rule rather than absent?
      const row = this.store.findRow(entity, { ...ctx, preview: true }, id);
      if (row) this.checkPreviewRow(ctx, row.type as string);
      throw errors.entityNotFound(entity.type, idText);
    }
    return rendered[0];
  }

  /**
   * Checks a `fields` selection before a write, so that a selection the answer cannot render is a
   * 400 that writes nothing (rather than a write answered with an error).
   */
  checkFields(ctx: RequestContext, entity: ResolvedEntity, fields: FieldSelectionItem[] | undefined): void {
    if (fields) this.schema(ctx).renderer.plan(this.bind(ctx, entity), fields);
  }

  /** Renders rows of `entity` by id (in the given order), skipping ids out of scope. */
  renderIds(ctx: RequestContext, entity: ResolvedEntity, ids: number[], fields?: FieldSelectionItem[]): Json[] {
    const schema = this.schema(ctx);
    if (schema !== this.base) entity = schema.registry.entity(entity.type);
    if (!ids.length) return [];
    const { renderer } = schema;
    const plan = renderer.plan(entity, fields);
    const rows = this.scopedRows(schema, ctx, entity, renderer.columns(plan), ids);
    let ordered = rows;
    // one id: its row or none; several: in the order asked
    if (ids.length > 1) {
      const byId = new Map(rows.map((r) => [r.id as number, r]));
      ordered = ids.map((id) => byId.get(id)).filter((r): r is Row => r !== undefined);
    }
    const type = entity.type;
    return renderer.render(ctx, plan, ordered, () => type);
  }

  /** Rows of `entity` in the request's scope by id, with the given columns (a prepared shape). */
  private scopedRows(schema: Schema, ctx: RequestContext, entity: ResolvedEntity, columns: string[], ids: number[]): Row[] {
    if (!hasPreparedScope(entity)) {
      return this.sql.all(this.filtered(ctx, entity, undefined).select(columns.map((c) => `t.${c}`)).where('t.id', 'in', ids));
    }
    const single = ids.length === 1;
    return this.sql
      .prepared(this.scopedRowsKey(entity, columns, scopeShapeKey(ctx), single), (p) =>
        this.sql.qb
          .selectFrom(`${tableOf(entity.store)} as t`)
          .select(columns.map((c) => `t.${c}`))
          .where(scopeCondition(schema.registry, entity, sentinelScopeOf(p, ctx), 't'))
          .where(inIds(p, 't', 'id', single)),
      )
      .all(Object.assign(scopeValues(ctx), idsValues(ids)));
  }

  /**
   * The statement key of scopedRows, kept per entity and column list (the render plans' cached
   * arrays): the same string every request, so the statement lookup hashes no new key.
   */
  private scopedRowsKey(entity: ResolvedEntity, columns: string[], shape: string, single: boolean): string {
    let byColumns = this.rowKeys.get(entity);
    if (!byColumns) this.rowKeys.set(entity, (byColumns = new WeakMap()));
    let byShape = byColumns.get(columns);
    if (!byShape) byColumns.set(columns, (byShape = new Map()));
    let keys = byShape.get(shape);
    if (!keys) byShape.set(shape, (keys = []));
    return (keys[single ? 1 : 0] ??= `scopedRows:${entity.type}:${shape}:${single ? 1 : 'n'}:${joinedKey(columns)}`);
  }

  // ---- writing -----------------------------------------------------------------------------------

  private api(ctx: RequestContext, entity: ResolvedEntity): HookApi {
    return { ctx, entity, registry: this.schema(ctx).registry, service: this, store: this.store, defer: this.defer };
  }

  /**
   * What hooks are handed when `entity` is written in `ctx`, for code that does a hook's work
   * outside a hook (test-results ingestion writes runs and their history itself; CI events build
   * pipelines): the same complete view, so that a job it defers runs at the end of the write in
   * progress (`write`), or at once outside one.
   */
  hookApi(ctx: RequestContext, entity: ResolvedEntity): HookApi {
    return this.api(ctx, this.bind(ctx, entity));
  }

  private readonly defer = (key: string, job: () => void, stage?: number): void => this.deferred.defer(key, job, stage);

  /**
   * Runs `fn` as one write: the jobs hooks defer meanwhile (HookApi.defer) run once at its end.
   * Every write of this service is one (a request's create, update or delete; createOne, updateOne
   * called on their own); one inside another joins it. Callers that write many entities one by
   * one (fixtures) wrap them, so that what is derived from many rows is computed once.
   */
  write<T>(fn: () => T): T {
    return this.deferred.within(fn);
  }

  /** The concrete entity an item is written as: aggregates need `subtype`. */
  private concreteFor(ctx: RequestContext, entity: ResolvedEntity, body: unknown): ResolvedEntity {
    let subtype = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).subtype : undefined;
    if (entity.subtypes?.length && (subtype === undefined || subtype === null) && entity.inferSubtype) subtype = this.inferredSubtype(entity, body as Record<string, unknown>);
    if (entity.subtypes?.length) {
      if (subtype === undefined || subtype === null || subtype === '') throw errors.missingRequiredField(entity.type, 'subtype');
      if (typeof subtype !== 'string' || !entity.subtypes.includes(subtype)) {
        throw errors.fieldValidation(entity.type, 'subtype', `'${String(subtype)}' is not one of ${entity.subtypes.join(', ')}`);
      }
      this.checkPreviewRow(ctx, subtype);
      return this.schema(ctx).registry.entity(subtype);
    }
    if (entity.subtypeOf && subtype !== undefined && subtype !== entity.type) {
      throw errors.fieldValidation(entity.type, 'subtype', `a ${entity.type} cannot have subtype '${String(subtype)}'`);
    }
    return entity;
  }

  /** The subtype an aggregate POST implies through the type of a referenced entity. */
  private inferredSubtype(entity: ResolvedEntity, body: Record<string, unknown>): string | undefined {
    const spec = entity.inferSubtype!;
    const ref = body?.[spec.field] as { id?: unknown } | undefined;
    const field = entity.fieldMap.get(spec.field);
    if (!ref || typeof ref !== 'object' || !field || (typeof ref.id !== 'string' && typeof ref.id !== 'number') || !isIntegerText(String(ref.id))) return undefined;
    for (const store of this.registry.storesOf(field.targets ?? [])) {
      const row = this.sql.get<{ type: string }>(this.sql.qb.selectFrom(tableOf(store)).select('type').where('id', '=', Number(ref.id)));
      if (row) return spec.byTargetType[row.type];
    }
    return undefined;
  }

  /** Creates the items of a POST. All-or-nothing unless `partial`. */
  create(ctx: RequestContext, entity: ResolvedEntity, items: unknown[], opts: WriteOptions = {}): BulkResult {
    this.checkFields(ctx, entity, opts.fields);
    const revealed = new Map<number, Record<string, unknown>>();
    const withReveal = { ...ctx, revealed };
    return this.bulk(
      items,
      opts,
      (item) => this.createOne(withReveal, entity, item),
      (ids) => {
        const rendered = this.renderIds(ctx, entity, ids, opts.fields);
        return revealed.size ? rendered.map((e) => ({ ...e, ...revealed.get(Number(e.id)) })) : rendered;
      },
    );
  }

  /**
   * Writes the items and renders the answer in one transaction: a failure of either writes nothing.
   * All-or-nothing writes first go without a savepoint per item; only when an item fails are they
   * written again item by item, to report every failing item as before.
   */
  private bulk(items: unknown[], opts: WriteOptions, write: (item: unknown) => number, render: (ids: number[]) => Json[]): BulkResult {
    const hint = Math.min(Math.max(items.length * 2, 16), 4096);
    if (!opts.partial) {
      let failed: { error: OctaneError; index: number } | undefined;
      const mark = this.store.idMark(); // for a batch this one joins (none today)
      try {
        return this.sql.tx(() =>
          this.store.batch(hint, () => {
            const done: number[] = [];
            this.write(() =>
              items.forEach((item, index) => {
                try {
                  done.push(write(item));
                } catch (e) {
                  if (isOctaneError(e)) failed = { error: e, index };
                  throw e;
                }
              }),
            );
            return { data: render(done), errors: [] };
          }),
        );
      } catch (e) {
        this.store.restoreIds(mark);
        if (!failed || failed.error !== e) throw e;
        // everything before the failing item was written without error: when it is the last item,
        // the per-item pass would report exactly this one failure
        if (failed.index === items.length - 1) {
          failed.error.index = failed.index;
          throw errors.bulkFailed([failed.error]);
        }
      }
    }
    const failures: OctaneError[] = [];
    return this.sql.tx(() =>
      this.store.batch(hint, () => {
        const done: number[] = [];
        // the deferred jobs run once the items are written (those of failed items too: they
        // recompute from what is stored), unless the whole write fails
        this.write(() => {
          items.forEach((item, index) => {
            const mark = this.store.idMark();
            try {
              done.push(this.sql.tx(() => write(item)));
            } catch (e) {
              this.store.restoreIds(mark);
              if (!isOctaneError(e)) throw e;
              e.index = index;
              failures.push(e);
            }
          });
          if (failures.length && !opts.partial) throw errors.bulkFailed(failures);
        });
        return { data: render(done), errors: failures };
      }),
    );
  }

  /** Creates one entity from a body; returns its id. Used by POST, fixtures and hooks. */
  createOne(ctx: RequestContext, entity: ResolvedEntity, body: unknown): number {
    return this.write(() => this.createOneNow(ctx, entity, body));
  }

  private createOneNow(ctx: RequestContext, entity: ResolvedEntity, body: unknown): number {
    entity = this.bind(ctx, entity);
    const concrete = this.concreteFor(ctx, entity, body);
    const { values } = this.schema(ctx).input.parse(ctx, concrete, body, 'create');
    if (concrete.fieldMap.has('author') && values.author === undefined && ctx.userId !== null) {
      values.author = { type: 'workspace_user', id: ctx.userId } satisfies RefValue;
    }
    this.defaultParent(ctx, concrete, values);
    const api = this.api(ctx, concrete);
    concrete.hooks?.beforeCreate?.(api, values);
    this.schema(ctx).input.checkRequired(ctx, concrete, values, 'create');
    const bodyId = ctx.system ? (body as Record<string, unknown>).id : undefined;
    const id = bodyId !== undefined && isIntegerText(String(bodyId)) ? Number(bodyId) : this.store.allocateIds(1)[0];
    if (bodyId !== undefined) this.store.reserveId(id);
    this.checkUnique(ctx, concrete, values, id);
    const now = formatDateTime(ctx.now);
    const row: Row = {
      id,
      type: concrete.viewOf ?? concrete.type,
      shared_space_id: concrete.level === 'site' ? id : ctx.sharedSpaceId,
      workspace_id: concrete.level === 'workspace' && concrete.scope !== 'members' ? ctx.workspaceId : null,
      creation_time: now,
      last_modified: now,
      version_stamp: 1,
      ...this.columnsOf(concrete, values),
    };
    this.store.insert(concrete.store, row);
    this.schema(ctx).input.rememberCreated(ctx, concrete, row as { id: number; type: string; workspace_id: unknown });
    this.writeLinks(concrete, id, values, true);
    this.placeInTree(concrete, id, values, undefined);
    concrete.hooks?.afterCreate?.(api, id, values);
    return id;
  }

  /** A tree node created without a parent goes under the workspace's root, as in Octane's UI. */
  private defaultParent(ctx: RequestContext, entity: ResolvedEntity, values: Values): void {
    const tree = entity.tree;
    if (!tree?.rootType || ctx.system || values[tree.parentField] !== undefined) return;
    const root = this.registry.entity(tree.rootType);
    if (!tree.parentTypes.some((t) => root.rowTypes.includes(t) || t === root.type)) return;
    const rootIsNode = root.fieldMap.has(tree.parentField);
    const row = this.sql.get<{ id: number; type: string }>(
      this.filtered(ctx, root, undefined)
        .select(['t.id', 't.type'])
        .where((eb) => (rootIsNode ? eb(`t.${tree.parentField}`, 'is', null) : eb.lit(true)))
        .orderBy('t.id')
        .limit(1),
    );
    if (row) values[tree.parentField] = { type: row.type, id: row.id } satisfies RefValue;
  }

  /** A node cannot move under itself or one of its descendants. */
  private checkTreeMove(entity: ResolvedEntity, id: number, values: Values): void {
    const parentField = entity.tree?.parentField;
    const next = parentField ? (values[parentField] as RefValue | null | undefined) : undefined;
    if (!parentField || !next) return;
    const table = tableOf(entity.store);
    let cursor: number | null = next.id;
    for (let depth = 0; cursor !== null && depth < 10_000; depth++) {
      if (cursor === id) throw errors.fieldValidation(entity.type, parentField, `the ${entity.type} '${id}' cannot move under itself or one of its descendants`);
      const row: { p: number | null } | undefined = this.sql.get(this.sql.qb.selectFrom(table).select(`${parentField} as p`).where('id', '=', cursor));
      cursor = row?.p ?? null;
    }
  }

  /**
   * A tree entity with a `path` field keeps the ids of its ancestors and itself there, each padded
   * to ten digits, so that `path EQ ^<path of X>*^` selects X and all its descendants. Moving a
   * node rewrites the paths of its subtree.
   */
  private placeInTree(entity: ResolvedEntity, id: number, values: Values, current: Row | undefined): void {
    // a family's tree (requirements) holds its root too, which declares no tree of its own
    const tree = entity.tree ?? (entity.subtypeOf ? this.registry.entity(entity.subtypeOf).tree : undefined);
    const parentField = tree?.parentField;
    if (!parentField || !this.registry.store(entity.store).columns.has('path')) return;
    if (current && values[parentField] === undefined) return;
    const table = tableOf(entity.store);
    const parent = values[parentField] as RefValue | null | undefined;
    const parentPath = parent ? (this.sql.get<{ path: string | null }>(this.sql.qb.selectFrom(table).select('path').where('id', '=', parent.id))?.path ?? '') : '';
    const path = `${parentPath}${String(id).padStart(10, '0')}`;
    const old = current?.path as string | null | undefined;
    if (old && old !== path) {
      this.sql.run(
        this.sql.qb
          .updateTable(table)
          .set({ path: sql`${path} || substr(path, ${old.length + 1})` })
          .where('path', 'like', `${old}%`)
          .where('workspace_id', '=', current!.workspace_id as number),
      );
    } else {
      this.store.update(entity.store, id, { path });
    }
  }

  /** Single-valued values as table columns. */
  private columnsOf(entity: ResolvedEntity, values: Values): Row {
    const row: Row = {};
    for (const [name, v] of Object.entries(values)) {
      const field = entity.fieldMap.get(name);
      if (!field || !isStoredColumn(field)) continue;
      row[name] = toColumn(field.type, v);
    }
    return row;
  }

  private writeLinks(entity: ResolvedEntity, id: number, values: Values, created = false): void {
    for (const [name, v] of Object.entries(values)) {
      const field = entity.fieldMap.get(name);
      if (!field || field.type !== 'reference' || !field.multiple) continue;
      const ids = (v as RefValue[]).map((r) => r.id);
      const source = field.source ?? { kind: 'stored' as const };
      if (source.kind === 'stored') {
        this.store.setLinks(linkKey(this.registry, entity, name), id, ids, created);
      } else {
        // A writable inverse of a multi-reference: the links are held by the other side.
        const other = this.registry.entity(source.entity);
        this.store.setInverseLinks(linkKey(this.registry, other, source.field), id, ids);
      }
    }
  }

  private checkUnique(ctx: RequestContext, entity: ResolvedEntity, values: Values, selfId: number, current?: Row): void {
    for (const field of entity.fieldMap.values()) {
      if (!field.unique || field.system) continue;
      const v = values[field.name];
      if (v === undefined || v === null) continue;
      let q = (field.unique === 'space'
        ? this.sql.qb.selectFrom(`${tableOf(entity.store)} as t`).where('t.shared_space_id', '=', ctx.sharedSpaceId).where('t.type', 'in', entity.rowTypes as string[])
        : this.filtered(ctx, entity, undefined)
      )
        .select('t.id')
        .where(`t.${field.name}`, '=', toColumn(field.type, v) as any)
        .where('t.id', '!=', selfId);
      if (typeof field.unique === 'object') {
        const within = field.unique.within;
        const scopeValue = values[within] !== undefined ? toColumn(entity.fieldMap.get(within)?.type ?? 'string', values[within]) : current?.[within];
        q = scopeValue === null || scopeValue === undefined ? q.where(`t.${within}`, 'is', null) : q.where(`t.${within}`, '=', scopeValue as any);
      }
      if (this.sql.get(q)) throw errors.duplicate(entity.type, field.label.toLowerCase(), v);
    }
  }

  /** PUT on one entity. */
  update(ctx: RequestContext, entity: ResolvedEntity, idText: string, body: unknown, fields?: FieldSelectionItem[]): Json {
    this.checkFields(ctx, entity, fields);
    return this.sql.tx(() => this.renderIds(ctx, entity, [this.updateOne(ctx, entity, idText, body)], fields)[0]);
  }

  /** Bulk PUT: every item names its id. */
  updateMany(ctx: RequestContext, entity: ResolvedEntity, items: unknown[], opts: WriteOptions = {}): BulkResult {
    this.checkFields(ctx, entity, opts.fields);
    return this.bulk(
      items,
      opts,
      (item) => {
        const idv = item && typeof item === 'object' ? (item as Record<string, unknown>).id : undefined;
        if (idv === undefined || idv === null || (typeof idv !== 'string' && typeof idv !== 'number')) throw errors.missingRequiredField(entity.type, 'id');
        return this.updateOne(ctx, entity, String(idv), item);
      },
      (ids) => this.renderIds(ctx, entity, ids, opts.fields),
    );
  }

  /** PUT on a collection with `query`: the same changes to every match, in one transaction. */
  updateByQuery(ctx: RequestContext, entity: ResolvedEntity, query: Expr, patch: unknown, fields?: FieldSelectionItem[]): Collection {
    this.checkFields(ctx, entity, fields);
    return this.sql.tx(() => {
      const matched = this.ids(ctx, entity, query);
      this.write(() => {
        for (const id of matched) this.updateOne(ctx, entity, String(id), patch);
      });
      const data = this.renderIds(ctx, entity, matched, fields);
      return { total_count: data.length, data };
    });
  }

  /** Updates one entity from a body; returns its id. Used by PUT and hooks. */
  updateOne(ctx: RequestContext, entity: ResolvedEntity, idText: string, body: unknown): number {
    return this.write(() => this.updateOneNow(ctx, entity, idText, body));
  }

  private updateOneNow(ctx: RequestContext, entity: ResolvedEntity, idText: string, body: unknown): number {
    entity = this.bind(ctx, entity);
    const current = this.findRow(ctx, entity, idText);
    const id = current.id as number;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const bodyId = (body as Record<string, unknown>).id;
      if (bodyId !== undefined && bodyId !== null && String(bodyId) !== String(id) && String(bodyId) !== idText) {
        throw errors.fieldValidation(entity.type, 'id', `the body names id '${String(bodyId)}' but the URL names '${idText}'`);
      }
    }
    const concrete = entity.subtypes?.length ? this.schema(ctx).registry.entity(current.type as string) : entity;
    const { values, versionStamp } = this.schema(ctx).input.parse(ctx, concrete, body, 'update');
    if (versionStamp !== undefined && versionStamp !== current.version_stamp) throw errors.versionConflict(concrete.type, String(id));
    this.checkTreeMove(concrete, id, values);
    const api = this.api(ctx, concrete);
    concrete.hooks?.beforeUpdate?.(api, current, values);
    this.schema(ctx).input.checkRequired(ctx, concrete, values, 'update');
    this.checkUnique(ctx, concrete, values, id, current);
    this.store.update(concrete.store, id, {
      ...this.columnsOf(concrete, values),
      last_modified: formatDateTime(ctx.now),
      version_stamp: sql`version_stamp + 1`,
    });
    this.writeLinks(concrete, id, values);
    this.placeInTree(concrete, id, values, current);
    concrete.hooks?.afterUpdate?.(api, id, current, values);
    return id;
  }

  /** DELETE of one entity. */
  delete(ctx: RequestContext, entity: ResolvedEntity, idText: string): void {
    entity = this.bind(ctx, entity);
    this.sql.tx(() => {
      const current = this.findRow(ctx, entity, idText);
      this.write(() => this.deleteRows(ctx, entity, [current]));
    });
  }

  /** DELETE on a collection with `query`: answers what was deleted. */
  deleteByQuery(ctx: RequestContext, entity: ResolvedEntity, query: Expr): Collection {
    entity = this.bind(ctx, entity);
    return this.sql.tx(() => {
      const ids = this.ids(ctx, entity, query);
      const data = this.renderIds(ctx, entity, ids, [{ name: 'id' }]);
      const rows = this.store.rowsById(entity.store, ids);
      this.write(() => this.deleteRows(ctx, entity, rows));
      return { total_count: data.length, data };
    });
  }

  /**
   * Deletes rows and follows the references that point at them: dependents held by a required
   * reference (or one marked cascade) go too, optional references are cleared, and a tree node
   * with children is refused.
   */
  private deleteRows(ctx: RequestContext, entity: ResolvedEntity, rows: Row[], deleting = new Set<number>()): void {
    if (!rows.length) return;
    if (entity.hooks?.deleteInstead) {
      for (const row of rows) entity.hooks.deleteInstead(this.api(ctx, entity), row);
      return;
    }
    for (const row of rows) deleting.add(row.id as number);
    for (const row of rows) {
      const concrete = entity.subtypes?.length ? this.schema(ctx).registry.entity(row.type as string) : entity;
      concrete.hooks?.beforeDelete?.(this.api(ctx, concrete), row);
    }
    const ids = rows.map((r) => r.id as number);
    for (const ref of this.schema(ctx).incoming.get(entity.store) ?? []) {
      if (ref.rule === 'clear') continue;
      const dependents = this.sql
        .all(this.sql.qb.selectFrom(tableOf(ref.store)).selectAll().where(ref.column, 'in', ids))
        .filter((d) => !deleting.has(d.id as number));
      if (!dependents.length) continue;
      if (ref.rule === 'refuse') throw errors.hasDependents(entity.type, String(ids.find((id) => dependents.some((d) => d[ref.column] === id))), dependents.length);
      const registry = this.schema(ctx).registry;
      const dependentEntity = registry.entity(dependents[0].type as string);
      const family = dependentEntity.subtypeOf ? registry.entity(dependentEntity.subtypeOf) : dependentEntity;
      this.deleteRows(ctx, family, dependents, deleting);
    }
    this.store.deleteRows(entity.store, ids);
    this.store.dropLinksOf(ids);
    for (const ref of this.schema(ctx).incoming.get(entity.store) ?? []) {
      if (ref.rule === 'clear') this.store.clearReferences(ref.store, ref.column, ids);
    }
  }
}

/** Whether every comparison in `query` is on the entity's `subtype` (its row type). */
function onlySubtype(entity: ResolvedEntity, query: Expr): boolean {
  switch (query.kind) {
    case 'and':
    case 'or':
      return query.items.every((e) => onlySubtype(entity, e));
    case 'not':
      return onlySubtype(entity, query.expr);
    default: {
      const field = entity.fieldMap.get(query.field);
      return field !== undefined && isSubtypeField(field);
    }
  }
}

/** Marks the matches of `text` in a value with <em>, as Octane's global search does. */
function highlight(value: unknown, text: string): unknown {
  if (typeof value !== 'string' || !text) return value ?? null;
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return value.replace(new RegExp(escaped, 'gi'), (m) => `<em>${m}</em>`);
}

function isOctaneError(e: unknown): e is OctaneError {
  return e instanceof Error && e.name === 'OctaneError';
}

/** A hook-ready value in its column form. */
export function toColumn(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'boolean':
      return v ? 1 : 0;
    case 'object':
      return JSON.stringify(v);
    case 'reference':
      return (v as RefValue).id;
    default:
      return v;
  }
}
