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

export function syncStoreTable(sql: Sql, store: StoreInfo): void {
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
  for (const ddl of indexesOf(store)) sql.sqlite.exec(ddl);
  sql.forgetStatements();
}

/** Indexes matched to what the query compiler emits: scope + type, every reference, names, times. */
function indexesOf(store: StoreInfo): string[] {
  const table = tableOf(store.name);
  const out: string[] = [];
  const index = (suffix: string, cols: string[], where = '') =>
    out.push(`CREATE INDEX IF NOT EXISTS ${quote(`${table}__${suffix}`)} ON ${quote(table)} (${cols.map(quote).join(', ')})${where}`);
  index('scope', ['workspace_id', 'type', 'id']);
  index('space', ['shared_space_id', 'type', 'id']);
  index('created', ['workspace_id', 'creation_time']);
  // A reference index holds only the rows that have a value (most reference columns are empty on
  // most rows: each subtype of a shared table uses a few), so that writes maintain small indexes;
  // `col = ?` and `col IN (…)` still use it, and with the scope columns a scoped count over one
  // reference reads the index alone. (Databases made before keep their full one-column index
  // under the same name.)
  for (const c of store.columns.values()) {
    if (c.field.type === 'reference') index(c.name, [c.name, 'workspace_id', 'type'], ` WHERE ${quote(c.name)} IS NOT NULL`);
  }
  if (store.columns.has('name')) index('name', ['workspace_id', 'name']);
  if (store.columns.has('logical_name')) index('logical_name', ['logical_name']);
  return out;
}

export function syncEntityTables(sql: Sql, registry: Registry): void {
  sql.tx(() => {
    for (const store of registry.stores.values()) syncStoreTable(sql, store);
  });
}
