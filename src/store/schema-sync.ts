// Entity tables derived from the resource table. At every start the database is brought up to the
// descriptors additively: missing tables, columns and indexes are created; nothing is dropped.
// User-defined fields add their columns through the same path at run time.

import type { Column, Registry, StoreInfo } from '../resources/registry.js';
import type { Sql } from './database.js';

export function tableOf(store: string): string {
  return `e_${store}`;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function columnDdl(c: Column): string {
  // Strings compare and sort without regard to case, as Octane's text filters do.
  const collate = c.field.type === 'string' ? ' COLLATE NOCASE' : '';
  return `${quote(c.name)} ${c.sqlType}${collate}`;
}

export function syncStoreTable(sql: Sql, store: StoreInfo, bySpace = true): void {
  const table = tableOf(store.name);
  const existing = sql.exec(`PRAGMA table_info(${quote(table)})`) as Array<{ name: string }>;
  if (existing.length === 0) {
    const cols = [
      'id INTEGER PRIMARY KEY',
      'type TEXT NOT NULL',
      'shared_space_id INTEGER',
      'workspace_id INTEGER',
      'creation_time TEXT',
      'last_modified TEXT',
      'version_stamp INTEGER NOT NULL DEFAULT 1',
      ...[...store.columns.values()].map(columnDdl),
    ];
    sql.sqlite.exec(`CREATE TABLE ${quote(table)} (\n  ${cols.join(',\n  ')}\n)`);
  } else {
    const have = new Set(existing.map((c) => c.name));
    for (const c of store.columns.values()) {
      if (!have.has(c.name)) sql.sqlite.exec(`ALTER TABLE ${quote(table)} ADD COLUMN ${columnDdl(c)}`);
    }
  }
  for (const ddl of indexesOf(store, bySpace)) sql.sqlite.exec(ddl);
  syncRowCounts(sql, store.name);
  sql.forgetStatements();
}

/**
 * Rows per (store, shared space, workspace, row type), kept by triggers on every entity table, so
 * that the total_count of an unfiltered or subtype-only list is a sum over a few rows of this
 * table instead of a count over every match (EntityService.list). Triggers run inside the writing
 * statement's transaction, so every write path is covered (the store's inserts and deletes, bulk
 * writes, ingestion, fixtures, workspace deletion, raw deletes by hooks) and a rollback takes the
 * counts back with the rows. `key` joins the four parts (NULLs included) into one unique value.
 */
export const ROW_COUNT_TABLE = 'row_count';

function ensureRowCountTable(sql: Sql): void {
  sql.sqlite.exec(`CREATE TABLE IF NOT EXISTS ${ROW_COUNT_TABLE} (
  key TEXT PRIMARY KEY,
  store TEXT NOT NULL,
  shared_space_id INTEGER,
  workspace_id INTEGER,
  type TEXT NOT NULL,
  n INTEGER NOT NULL
) WITHOUT ROWID`);
  sql.sqlite.exec(`CREATE INDEX IF NOT EXISTS ${ROW_COUNT_TABLE}__scope ON ${ROW_COUNT_TABLE} (store, workspace_id, type)`);
}

/** The row_count key of a row, as an SQL expression over `ref` (new / old in a trigger). */
function countKey(store: string, ref: string): string {
  return `'${store}:' || coalesce(${ref}.shared_space_id, '') || ':' || coalesce(${ref}.workspace_id, '') || ':' || ${ref}.type`;
}

/**
 * Creates the counting triggers of a store's table. A table that had rows before its triggers
 * (a database made by an earlier version) gets its counts from one grouped count, once.
 */
function syncRowCounts(sql: Sql, store: string): void {
  ensureRowCountTable(sql);
  const table = tableOf(store);
  const trigger = (event: string) => quote(`${table}__count_${event}`);
  // triggers of this version: three, the insert one counting with an update first (below)
  const present = sql.sqlite
    .prepare(`SELECT count(*) AS n, sum(sql LIKE '%changes() = 0%') AS current FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE ?`)
    .get(table, `${table}__count_%`) as { n: number; current: number | null };
  if (present.n === 3 && present.current === 2) return;
  // An update of the existing count, and an insert only when there was none: an upsert
  // (INSERT … ON CONFLICT DO UPDATE) costs about three times as much per row, and bulk writes
  // (test-results ingestion) insert tens of thousands of rows. Inside a trigger, changes() is
  // the count of the trigger's own last statement.
  const add = (ref: string) =>
    `UPDATE ${ROW_COUNT_TABLE} SET n = n + 1 WHERE key = ${countKey(store, ref)}; ` +
    `INSERT INTO ${ROW_COUNT_TABLE} (key, store, shared_space_id, workspace_id, type, n) SELECT ${countKey(store, ref)}, '${store}', ${ref}.shared_space_id, ${ref}.workspace_id, ${ref}.type, 1 WHERE changes() = 0;`;
  const remove = (ref: string) => `UPDATE ${ROW_COUNT_TABLE} SET n = n - 1 WHERE key = ${countKey(store, ref)};`;
  for (const event of ['insert', 'delete', 'update']) sql.sqlite.exec(`DROP TRIGGER IF EXISTS ${trigger(event)}`);
  sql.sqlite.prepare(`DELETE FROM ${ROW_COUNT_TABLE} WHERE store = ?`).run(store);
  sql.sqlite
    .prepare(
      `INSERT INTO ${ROW_COUNT_TABLE} (key, store, shared_space_id, workspace_id, type, n)
       SELECT ${countKey(store, 't')}, ?, t.shared_space_id, t.workspace_id, t.type, count(*) FROM ${quote(table)} t GROUP BY t.shared_space_id, t.workspace_id, t.type`,
    )
    .run(store);
  sql.sqlite.exec(`CREATE TRIGGER ${trigger('insert')} AFTER INSERT ON ${quote(table)} BEGIN ${add('new')} END`);
  sql.sqlite.exec(`CREATE TRIGGER ${trigger('delete')} AFTER DELETE ON ${quote(table)} BEGIN ${remove('old')} END`);
  sql.sqlite.exec(
    `CREATE TRIGGER ${trigger('update')} AFTER UPDATE OF type, shared_space_id, workspace_id ON ${quote(table)}
     WHEN old.type IS NOT new.type OR old.shared_space_id IS NOT new.shared_space_id OR old.workspace_id IS NOT new.workspace_id
     BEGIN ${remove('old')} ${add('new')} END`,
  );
}

/** Indexes matched to what the query compiler emits: scope + type, references, names, times. */
function indexesOf(store: StoreInfo, bySpace: boolean): string[] {
  const table = tableOf(store.name);
  const out: string[] = [];
  const index = (suffix: string, cols: string[], where = '') =>
    out.push(`CREATE INDEX IF NOT EXISTS ${quote(`${table}__${suffix}`)} ON ${quote(table)} (${cols.map(quote).join(', ')})${where}`);
  index('scope', ['workspace_id', 'type', 'id']);
  // rows of a workspace-level store are read by workspace; by shared space only where a store's
  // scope or a space-wide unique value says so (every write keeps each index)
  if (bySpace) index('space', ['shared_space_id', 'type', 'id']);
  index('created', ['workspace_id', 'creation_time']);
  // A reference index holds only the rows that have a value (most reference columns are empty on
  // most rows: each subtype of a shared table uses a few), so that writes maintain small indexes;
  // `col = ?` and `col IN (…)` still use it, and with the scope columns a scoped count over one
  // reference reads the index alone. (Databases made before keep their full one-column index
  // under the same name.)
  for (const c of store.columns.values()) {
    const indexed = c.field.indexed ?? c.field.type === 'reference';
    if (indexed) index(c.name, [c.name, 'workspace_id', 'type'], ` WHERE ${quote(c.name)} IS NOT NULL`);
  }
  if (store.columns.has('name') && store.columns.get('name')!.field.indexed !== false) index('name', ['workspace_id', 'name']);
  if (store.columns.has('logical_name')) index('logical_name', ['logical_name']);
  return out;
}

/** Stores read by shared space: not workspace-level, scoped by space, or with space-wide unique values. */
function readBySpace(registry: Registry, store: StoreInfo): boolean {
  if (store.level !== 'workspace') return true;
  return store.types.some((type) => {
    const e = registry.findEntity(type);
    return !e || e.scope !== undefined || [...e.fieldMap.values()].some((fd) => fd.unique === 'space');
  });
}

export function syncEntityTables(sql: Sql, registry: Registry): void {
  sql.tx(() => {
    for (const store of registry.stores.values()) syncStoreTable(sql, store, readBySpace(registry, store));
  });
}
