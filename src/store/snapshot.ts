// Snapshots of the whole database, for reset and for tests that roll back between cases. A
// snapshot is a compact copy of the database file (VACUUM INTO); restoring copies every table's
// rows back in one transaction, so it works the same for file and in-memory databases and keeps
// open connections, prepared statements and sessions valid. Sessions are not part of the state a
// snapshot restores: a signed-in client stays signed in across a reset.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sql } from './database.js';
import { ROW_COUNT_TABLE } from './schema-sync.js';

/** Tables a restore leaves alone. */
const KEPT = new Set(['session', 'kysely_migration', 'kysely_migration_lock']);

export interface Snapshot {
  readonly id: string;
  readonly file: string;
  readonly createdAt: string;
}

let counter = 0;

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export class Snapshots {
  private readonly dir: string;
  private readonly taken = new Map<string, Snapshot>();

  constructor(private readonly sql: Sql) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-snapshots-'));
  }

  take(): Snapshot {
    const id = `snap-${process.pid}-${++counter}-${Date.now().toString(36)}`;
    const file = path.join(this.dir, `${id}.db`);
    this.sql.sqlite.exec(`VACUUM INTO '${file.replace(/'/g, "''")}'`);
    const snap = { id, file, createdAt: new Date().toISOString() };
    this.taken.set(id, snap);
    return snap;
  }

  find(id: string): Snapshot | undefined {
    return this.taken.get(id);
  }

  /** Brings every table back to the snapshot's rows. */
  restore(snap: Snapshot): void {
    if (!fs.existsSync(snap.file)) throw new Error(`snapshot ${snap.id} is gone`);
    const db = this.sql.sqlite;
    db.exec(`ATTACH DATABASE '${snap.file.replace(/'/g, "''")}' AS snap`);
    try {
      const tables = (db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((t) => t.name);
      // the row counts last: the entity tables' triggers change them while their rows are copied,
      // and the snapshot's counts are those of its rows
      tables.sort((a, b) => Number(a === ROW_COUNT_TABLE) - Number(b === ROW_COUNT_TABLE));
      const inSnap = new Set((db.prepare("SELECT name FROM snap.sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
      db.transaction(() => {
        for (const table of tables) {
          if (KEPT.has(table) || (table === ROW_COUNT_TABLE && !inSnap.has(table))) continue;
          db.exec(`DELETE FROM main.${quote(table)}`);
          if (!inSnap.has(table)) continue;
          // columns added after the snapshot (user-defined fields) keep their default, NULL
          const columns = (db.prepare(`PRAGMA snap.table_info(${quote(table)})`).all() as Array<{ name: string }>).map((c) => quote(c.name)).join(', ');
          db.exec(`INSERT INTO main.${quote(table)} (${columns}) SELECT ${columns} FROM snap.${quote(table)}`);
        }
      })();
    } finally {
      db.exec('DETACH DATABASE snap');
    }
    this.sql.forgetStatements();
  }

  drop(snap: Snapshot): void {
    this.taken.delete(snap.id);
    fs.rmSync(snap.file, { force: true });
  }

  close(): void {
    this.taken.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
