// Row and link I/O for the entity service. Nothing above src/store/ writes SQL for entities.

import { sql, type RawBuilder } from 'kysely';
import type { Registry, ResolvedEntity } from '../resources/registry.js';
import type { Row, Sql } from './database.js';
import { scopeCondition, scopeValues, sentinelScope, type Scope } from './scope.js';
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

  /** Allocates `n` consecutive ids from the one sequence all entities share. */
  allocateIds(n: number): number[] {
    const row = this.sql
      .prepared('allocateIds', (p) => this.sql.qb.updateTable('sequence').set({ value: sql`value + ${p('n')}` }).where('name', '=', 'entity').returning('value'))
      .get<{ value: number }>({ n });
    const last = row!.value;
    return Array.from({ length: n }, (_, i) => last - n + 1 + i);
  }

  /** Moves the sequence past `id` (fixtures that bring their own ids). */
  reserveId(id: number): void {
    this.sql.run(this.sql.qb.updateTable('sequence').set({ value: sql`max(value, ${id})` }).where('name', '=', 'entity'));
  }

  insert(store: string, row: Row): void {
    const columns = Object.keys(row);
    this.sql
      .prepared(`insert:${store}:${columns.join(',')}`, (p) => this.sql.qb.insertInto(tableOf(store)).values(Object.fromEntries(columns.map((c) => [c, p(c)]))))
      .run(row);
  }

  /** Inserts many rows of one shape with one prepared statement (bulk loads, generators). */
  insertMany(store: string, rows: Row[]): void {
    if (!rows.length) return;
    const columns = Object.keys(rows[0]);
    const template = this.sql.qb.insertInto(tableOf(store)).values(Object.fromEntries(columns.map((c) => [c, null]))).compile();
    const stmt = this.sql.sqlite.prepare(template.sql);
    for (const row of rows) stmt.run(...columns.map((c) => row[c] ?? null));
  }

  /** Updates columns of a row; a value may be a kysely raw expression (`version_stamp + 1`). */
  update(store: string, id: number, values: Row): void {
    const columns = Object.keys(values);
    if (columns.length === 0) return;
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
    const from = this.sql.qb.selectFrom(`${tableOf(store)} as t`);
    const q = columns ? from.select(columns.map((c) => `t.${c}`)) : from.selectAll('t');
    return this.sql.all(q.where('t.id', 'in', ids));
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
    return this.sql.all<LinkRow>(
      this.sql.qb.selectFrom('entity_link').select(['src_id', 'dst_id']).where('field', '=', key).where('src_id', 'in', srcIds).orderBy('src_id').orderBy('ord').orderBy('dst_id'),
    );
  }

  linksTo(key: string, dstIds: number[]): LinkRow[] {
    if (!dstIds.length) return [];
    return this.sql.all<LinkRow>(
      this.sql.qb.selectFrom('entity_link').select(['src_id', 'dst_id']).where('field', '=', key).where('dst_id', 'in', dstIds).orderBy('dst_id').orderBy('src_id'),
    );
  }

  setLinks(key: string, srcId: number, dstIds: number[]): void {
    this.sql.prepared('unlinkAll', (p) => this.sql.qb.deleteFrom('entity_link').where('field', '=', p('key')).where('src_id', '=', p('src'))).run({ key, src: srcId });
    this.insertLinks(key, srcId, dstIds, 0);
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

  private insertLinks(key: string, srcId: number, dstIds: number[], firstOrd: number): void {
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
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('field', '=', key).where('dst_id', '=', dstId));
    for (const src of new Set(srcIds)) this.addLinks(key, src, [dstId]);
  }

  /** Removes every link from or to these ids (the entities are being deleted). */
  dropLinksOf(ids: number[]): void {
    if (!ids.length) return;
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('src_id', 'in', ids));
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('dst_id', 'in', ids));
  }

  /** Clears single references that point at deleted ids. */
  clearReferences(store: string, column: string, ids: number[]): void {
    if (!ids.length) return;
    this.sql.run(this.sql.qb.updateTable(tableOf(store)).set({ [column]: null }).where(column, 'in', ids));
  }
}
