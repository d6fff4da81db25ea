// Row and link I/O for the entity service. Nothing above src/store/ writes SQL for entities.

import { sql } from 'kysely';
import type { Registry, ResolvedEntity } from '../resources/registry.js';
import type { Row, Sql } from './database.js';
import { scopeCondition, type Scope } from './scope.js';
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
    const row = this.sql.get<{ value: number }>(
      this.sql.qb.updateTable('sequence').set({ value: sql`value + ${n}` }).where('name', '=', 'entity').returning('value'),
    );
    const last = row!.value;
    return Array.from({ length: n }, (_, i) => last - n + 1 + i);
  }

  /** Moves the sequence past `id` (fixtures that bring their own ids). */
  reserveId(id: number): void {
    this.sql.run(this.sql.qb.updateTable('sequence').set({ value: sql`max(value, ${id})` }).where('name', '=', 'entity'));
  }

  insert(store: string, row: Row): void {
    this.sql.run(this.sql.qb.insertInto(tableOf(store)).values(row));
  }

  /** Inserts many rows of one shape with one prepared statement (bulk loads, generators). */
  insertMany(store: string, rows: Row[]): void {
    if (!rows.length) return;
    const columns = Object.keys(rows[0]);
    const template = this.sql.qb.insertInto(tableOf(store)).values(Object.fromEntries(columns.map((c) => [c, null]))).compile();
    const stmt = this.sql.sqlite.prepare(template.sql);
    for (const row of rows) stmt.run(...columns.map((c) => row[c] ?? null));
  }

  update(store: string, id: number, values: Row): void {
    if (Object.keys(values).length === 0) return;
    this.sql.run(this.sql.qb.updateTable(tableOf(store)).set(values).where('id', '=', id));
  }

  deleteRows(store: string, ids: number[]): void {
    if (!ids.length) return;
    this.sql.run(this.sql.qb.deleteFrom(tableOf(store)).where('id', 'in', ids));
  }

  /** One row of `entity` in scope, all columns. */
  findRow(entity: ResolvedEntity, scope: Scope, id: number): Row | undefined {
    return this.sql.get(
      this.sql.qb
        .selectFrom(`${tableOf(entity.store)} as t`)
        .selectAll('t')
        .where('t.id', '=', id)
        .where(scopeCondition(this.registry, entity, scope, 't')),
    );
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
    this.sql.run(this.sql.qb.deleteFrom('entity_link').where('field', '=', key).where('src_id', '=', srcId));
    this.addLinks(key, srcId, dstIds);
  }

  addLinks(key: string, srcId: number, dstIds: number[]): void {
    const unique = [...new Set(dstIds)];
    if (!unique.length) return;
    const existing = this.sql.get<{ n: number }>(
      this.sql.qb.selectFrom('entity_link').select((eb) => eb.fn.coalesce(eb.fn.max('ord'), sql`-1`).as('n')).where('field', '=', key).where('src_id', '=', srcId),
    );
    let ord = (existing?.n ?? -1) + 1;
    for (const dst of unique) {
      this.sql.run(
        this.sql.qb
          .insertInto('entity_link')
          .values({ field: key, src_id: srcId, dst_id: dst, ord: ord++ })
          .onConflict((oc) => oc.doNothing()),
      );
    }
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
