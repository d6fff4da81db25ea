// Row and link I/O for the entity service. Nothing above src/store/ writes SQL for entities.

import { sql, type RawBuilder } from 'kysely';
import type { Registry, ResolvedEntity } from '../resources/registry.js';
import { joinedKey, type Row, type Sql } from './database.js';
import { idsValues, inIds, scopeCondition, scopeValues, sentinelScope, type Scope } from './scope.js';
import { tableOf } from './schema-sync.js';

export interface LinkRow {
  src_id: number;
  dst_id: number;
}

export class EntityStore {
  constructor(
    readonly sql: Sql,
    readonly registry: Registry,
  ) {}

  /**
   * Ids reserved from the sequence for the write batch in progress (see `batch`): [next, last].
   * The sequence already stands at `last`; what is left unused is given back when the batch ends.
   */
  private pool: { next: number; last: number } | undefined;
  /** how many ids the batch in progress reserves at a time */
  private poolHint = 0;
  /** answers kept for the write batch in progress, per store (see `memo`) */
  private memos: Map<string, Map<string, unknown>> | undefined;
  /** statement keys of rowsById: per column list (all columns: allColumnsKeys), then store */
  private readonly rowsByIdKeys = new WeakMap<readonly string[], Map<string, string[]>>();
  private readonly allColumnsKeys = new Map<string, string[]>();

  /** Allocates `n` consecutive ids from the one sequence all entities share. */
  allocateIds(n: number): number[] {
    if (this.poolHint > 0) return this.fromPool(n);
    const last = this.bumpSequence(n);
    return Array.from({ length: n }, (_, i) => last - n + 1 + i);
  }

  private bumpSequence(n: number): number {
    const row = this.sql
      .prepared('allocateIds', (p) => this.sql.qb.updateTable('sequence').set({ value: sql`value + ${p('n')}` }).where('name', '=', 'entity').returning('value'))
      .get<{ value: number }>({ n });
    return row!.value;
  }

  /** Ids from the batch's reserve, reserving more (contiguous: nothing else moves the sequence meanwhile). */
  private fromPool(n: number): number[] {
    let pool = this.pool;
    if (!pool || pool.last - pool.next + 1 < n) {
      const have = pool ? pool.last - pool.next + 1 : 0;
      const last = this.bumpSequence(Math.max(n - have, this.poolHint));
      pool = this.pool = pool ? { next: pool.next, last } : { next: last - Math.max(n, this.poolHint) + 1, last };
    }
    const first = pool.next;
    this.pool = { next: first + n, last: pool.last };
    return Array.from({ length: n }, (_, i) => first + i);
  }

  /**
   * Runs `fn` (inside a transaction) with ids reserved `hint` at a time instead of one sequence
   * update per entity; the ids left over are given back at the end, so the ids handed out are the
   * same as without the batch. Nested batches join the outer one.
   */
  batch<T>(hint: number, fn: () => T): T {
    if (this.poolHint > 0) return fn();
    this.poolHint = Math.max(1, hint);
    this.pool = undefined;
    this.memos = new Map();
    try {
      const out = fn();
      this.releasePool();
      return out;
    } finally {
      this.poolHint = 0;
      this.pool = undefined;
      this.memos = undefined;
    }
  }

  /**
   * Answers about rows of `store` kept for the write batch in progress (undefined outside one):
   * reference checks, phases, build names. Facts about existing rows (`query` false) are dropped
   * when a row of the store is updated or deleted; answers of queries over the store (`query`
   * true: the start phase) also when a row is inserted. A rolled-back savepoint drops them all.
   */
  memo(store: string, query = false): Map<string, unknown> | undefined {
    const memos = this.memos;
    if (!memos) return undefined;
    const key = query ? `${store}?` : store;
    let m = memos.get(key);
    if (!m) memos.set(key, (m = new Map()));
    return m;
  }

  private forget(store: string, rows: boolean): void {
    const memos = this.memos;
    if (!memos) return;
    memos.delete(`${store}?`);
    if (rows) memos.delete(store);
  }

  /** The reserve's state, to restore after a savepoint rolled back (`restoreIds`). */
  idMark(): { next: number; last: number } | undefined {
    return this.pool;
  }

  /**
   * After a savepoint taken at `mark` rolled back: the sequence is back where it was then, and so
   * is the reserve (the ids of the rolled-back writes are handed out again, as without the batch).
   */
  restoreIds(mark: { next: number; last: number } | undefined): void {
    if (this.poolHint === 0) return;
    this.pool = mark;
    this.memos?.clear();
  }

  /** Gives the unused reserve back to the sequence. */
  private releasePool(): void {
    const pool = this.pool;
    this.pool = undefined;
    if (!pool || pool.next > pool.last) return;
    this.sql.prepared('releaseIds', (p) => this.sql.qb.updateTable('sequence').set({ value: p('value') }).where('name', '=', 'entity')).run({ value: pool.next - 1 });
  }

  /** Moves the sequence past `id` (fixtures that bring their own ids). */
  reserveId(id: number): void {
    this.releasePool();
    this.sql.run(this.sql.qb.updateTable('sequence').set({ value: sql`max(value, ${id})` }).where('name', '=', 'entity'));
  }

  insert(store: string, row: Row): void {
    this.forget(store, false);
    const columns = Object.keys(row);
    this.sql
      .prepared(`insert:${store}:${columns.join(',')}`, (p) => this.sql.qb.insertInto(tableOf(store)).values(Object.fromEntries(columns.map((c) => [c, p(c)]))))
      .run(row);
  }


  /** Inserts rows of one shape, many per statement (bulk loads, ingestion; see Sql.insertValues). */
  insertMany(store: string, rows: Row[]): void {
    if (!rows.length) return;
    this.forget(store, false);
    const columns = Object.keys(rows[0]);
    this.sql.insertValues(tableOf(store), columns, rows);
  }

  /** Adds links given as [field key, source, target, position], many per statement (bulk writers). */
  insertLinkRows(links: Array<[key: string, src: number, dst: number, ord: number]>): void {
    if (links.some(([key]) => key.endsWith('.workspace_roles'))) this.memos?.clear();
    this.sql.insertValues('entity_link', ['field', 'src_id', 'dst_id', 'ord'], links, { ignoreConflicts: true });
  }

  /** Updates columns of a row; a value may be a kysely raw expression (`version_stamp + 1`). */
  update(store: string, id: number, values: Row): void {
    const columns = Object.keys(values);
    if (columns.length === 0) return;
    this.forget(store, true);
    const isRaw = (v: unknown) => typeof v === 'object' && v !== null && typeof (v as { toOperationNode?: unknown }).toOperationNode === 'function';
    const key = `update:${store}:${columns.map((c) => (isRaw(values[c]) ? `${c}=raw:${(values[c] as RawBuilder<unknown>).compile(this.sql.qb).sql}` : c)).join(',')}`;
    this.sql
      .prepared(key, (p) =>
        this.sql.qb
          .updateTable(tableOf(store))
          .set(Object.fromEntries(columns.map((c) => [c, isRaw(values[c]) ? values[c] : p(c)])))
          .where('id', '=', p('__id')),
      )
      .run({ ...values, __id: id });
  }

  deleteRows(store: string, ids: number[]): void {
    if (!ids.length) return;
    this.forget(store, true);
    this.sql.run(this.sql.qb.deleteFrom(tableOf(store)).where('id', 'in', ids));
  }

  /** One row of `entity` in scope, all columns. */
  findRow(entity: ResolvedEntity, scope: Scope, id: number): Row | undefined {
    if (entity.scope === 'accessible-workspaces' || entity.scope === 'accessible-spaces') {
      return this.sql.get(
        this.sql.qb
          .selectFrom(`${tableOf(entity.store)} as t`)
          .selectAll('t')
          .where('t.id', '=', id)
          .where(scopeCondition(this.registry, entity, scope, 't')),
      );
    }
    return this.sql
      .prepared(`findRow:${entity.type}`, (p) =>
        this.sql.qb
          .selectFrom(`${tableOf(entity.store)} as t`)
          .selectAll('t')
          .where('t.id', '=', p('id'))
          .where(scopeCondition(this.registry, entity, sentinelScope(p), 't')),
      )
      .get({ id, ...scopeValues(scope) });
  }

  /**
   * Rows of a store by id, with the chosen columns or all of them (no scope: callers pass ids they
   * got from scoped rows).
   */
  rowsById(store: string, ids: number[], columns?: string[]): Row[] {
    if (!ids.length) return [];
    const single = ids.length === 1;
    return this.sql
      .prepared(this.rowsByIdKey(store, columns, single), (p) => {
        const from = this.sql.qb.selectFrom(`${tableOf(store)} as t`);
        const q = columns ? from.select(columns.map((c) => `t.${c}`)) : from.selectAll('t');
        return q.where(inIds(p, 't', 'id', single)).orderBy('t.id');
      })
      .all(idsValues(ids));
  }

  /**
   * The statement key of rowsById, kept per column list and store: the renderer reads references
   * with the same few column lists on every request, so no key string is built per call.
   */
  private rowsByIdKey(store: string, columns: string[] | undefined, single: boolean): string {
    let byStore = columns ? this.rowsByIdKeys.get(columns) : this.allColumnsKeys;
    if (!byStore) this.rowsByIdKeys.set(columns!, (byStore = new Map()));
    let keys = byStore.get(store);
    if (!keys) byStore.set(store, (keys = []));
    return (keys[single ? 1 : 0] ??= `rowsById:${store}:${single ? 1 : 'n'}:${columns ? joinedKey(columns) : '*'}`);
  }

  // ---- multi-references -----------------------------------------------------------------------

  links(key: string, srcIds: number[]): LinkRow[] {
    if (!srcIds.length) return [];
    if (srcIds.length === 1) {
      return this.sql
        .prepared('links1', (p) =>
          this.sql.qb.selectFrom('entity_link').select(['src_id', 'dst_id']).where('field', '=', p('key')).where('src_id', '=', p('src')).orderBy('ord').orderBy('dst_id'),
        )
        .all<LinkRow>({ key, src: srcIds[0] });
    }
    return this.sql
      .prepared('linksN', (p) =>
        this.sql.qb
          .selectFrom('entity_link as l')
          .select(['l.src_id', 'l.dst_id'])
          .where('l.field', '=', p('key'))
          .where(inIds(p, 'l', 'src_id', false))
          .orderBy('l.src_id')
          .orderBy('l.ord')
          .orderBy('l.dst_id'),
      )
      .all<LinkRow>({ key, ...idsValues(srcIds) });
  }

  linksTo(key: string, dstIds: number[]): LinkRow[] {
    if (!dstIds.length) return [];
    const single = dstIds.length === 1;
    return this.sql
      .prepared(`linksTo${single ? 1 : 'N'}`, (p) =>
        this.sql.qb.selectFrom('entity_link as l').select(['l.src_id', 'l.dst_id']).where('l.field', '=', p('key')).where(inIds(p, 'l', 'dst_id', single)).orderBy('l.dst_id').orderBy('l.src_id'),
      )
      .all<LinkRow>({ key, ...idsValues(dstIds) });
  }

  /** Replaces the links of `srcId` (`fresh`: an entity created just now, which has none yet). */
  setLinks(key: string, srcId: number, dstIds: number[], fresh = false): void {
    if (key.endsWith('.workspace_roles')) this.memos?.clear(); // workspace membership: which users a workspace sees
    if (!fresh) this.clearLinks(key, srcId);
    this.insertLinks(key, srcId, dstIds, 0);
  }

  /** Removes every link of `srcId` under `key`. */
  clearLinks(key: string, srcId: number): void {
    if (key.endsWith('.workspace_roles')) this.memos?.clear();
    this.sql.prepared('unlinkAll', (p) => this.sql.qb.deleteFrom('entity_link').where('field', '=', p('key')).where('src_id', '=', p('src'))).run({ key, src: srcId });
  }

  addLinks(key: string, srcId: number, dstIds: number[]): void {
    if (!dstIds.length) return;
    const existing = this.sql
      .prepared('maxOrd', (p) =>
        this.sql.qb.selectFrom('entity_link').select((eb) => eb.fn.coalesce(eb.fn.max('ord'), sql`-1`).as('n')).where('field', '=', p('key')).where('src_id', '=', p('src')),
      )
      .get<{ n: number }>({ key, src: srcId });
    this.insertLinks(key, srcId, dstIds, (existing?.n ?? -1) + 1);
  }

  /** Adds links of `srcId` numbered from `firstOrd` (the caller knows the links it follows). */
  insertLinks(key: string, srcId: number, dstIds: number[], firstOrd: number): void {
    const insert = this.sql.prepared('link', (p) =>
      this.sql.qb
        .insertInto('entity_link')
        .values({ field: p('key'), src_id: p('src'), dst_id: p('dst'), ord: p('ord') })
        .onConflict((oc) => oc.doNothing()),
    );
    let ord = firstOrd;
    for (const dst of new Set(dstIds)) insert.run({ key, src: srcId, dst, ord: ord++ });
  }

  /** Replaces the set of sources linking to `dstId` (writing an inverse multi-reference). */
  setInverseLinks(key: string, dstId: number, srcIds: number[]): void {
    if (key.endsWith('.workspace_roles')) this.memos?.clear();
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('field', '=', key).where('dst_id', '=', dstId));
    for (const src of new Set(srcIds)) this.addLinks(key, src, [dstId]);
  }

  /** Removes every link from or to these ids (the entities are being deleted). */
  dropLinksOf(ids: number[]): void {
    if (!ids.length) return;
    this.memos?.clear();
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('src_id', 'in', ids));
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('dst_id', 'in', ids));
  }

  /** Clears single references that point at deleted ids. */
  clearReferences(store: string, column: string, ids: number[]): void {
    if (!ids.length) return;
    this.forget(store, true);
    this.sql.run(this.sql.qb.updateTable(tableOf(store)).set({ [column]: null }).where(column, 'in', ids));
  }
}
