// Opening the SQLite database and running SQL.
//
// Kysely builds every statement; better-sqlite3 runs it synchronously through a cache of prepared
// statements keyed by the compiled SQL text. Synchronous execution keeps a request's writes in one
// real SQLite transaction with no interleaving, and statement reuse keeps the per-request cost low.
// Statements of the hot paths are built once per shape (`prepared`), not per request; `stamp`
// tells the caches of answers derived from the data when they may be stale.

import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type Compilable, type RawBuilder } from 'kysely';

export type SqliteDb = BetterSqlite3.Database;
export type Row = Record<string, unknown>;

const STATEMENT_CACHE_LIMIT = 2000;

/** A statement compiled once from a kysely builder, run with named values. */
export interface Prepared {
  all<T = Row>(values: Record<string, unknown>): T[];
  get<T = Row>(values: Record<string, unknown>): T | undefined;
  run(values: Record<string, unknown>): number;
}

/** How often (real milliseconds) externalVersion looks for commits by other connections. */
const EXTERNAL_CHECK_MS = 250;

type Slot = { name: string } | { value: unknown };

const SENTINEL = '\u0001octane-emulator-param:';

const joined = new WeakMap<readonly string[], string>();

/**
 * `parts.join(',')`, computed once per array: statement keys name their column lists, and the
 * hot paths pass the same cached arrays (render plans' columns) on every request.
 */
export function joinedKey(parts: readonly string[]): string {
  let key = joined.get(parts);
  if (key === undefined) joined.set(parts, (key = parts.join(',')));
  return key;
}

export class Sql {
  /** query builder only: statements are compiled, never executed through kysely */
  readonly qb: Kysely<any>;
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  private readonly shapes = new Map<string, { sql: string; slots: Slot[]; prepared: Prepared }>();
  /** bumped by forgetStatements (DDL, snapshot restore): part of stamp() */
  private epoch = 0;
  private totalChanges?: BetterSqlite3.Statement;
  private dataVersion?: BetterSqlite3.Statement;
  private version = 0;
  private versionCheckedAt = -Infinity;

  constructor(readonly sqlite: SqliteDb) {
    this.qb = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      if (this.cache.size >= STATEMENT_CACHE_LIMIT) this.cache.clear();
      stmt = this.sqlite.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  all<T = Row>(query: Compilable): T[] {
    const c = query.compile();
    return this.statement(c.sql).all(...(c.parameters as unknown[])) as T[];
  }

  get<T = Row>(query: Compilable): T | undefined {
    const c = query.compile();
    return this.statement(c.sql).get(...(c.parameters as unknown[])) as T | undefined;
  }

  run(query: Compilable): number {
    const c = query.compile();
    return this.statement(c.sql).run(...(c.parameters as unknown[])).changes;
  }

  /**
   * A statement of a fixed shape, built with kysely once per `key` and reused: `build` receives
   * `p(name)` to put where a value goes, and the statement then runs with `{ name: value }`.
   * Other values in the built statement are constants of the shape (the key must imply them).
   * Hot paths (reference checks, row inserts, links, reads) use it to skip building and compiling.
   */
  prepared(key: string, build: (p: (name: string) => any) => Compilable): Prepared {
    let shape = this.shapes.get(key);
    if (!shape) {
      const compiled = build((name) => `${SENTINEL}${name}`).compile();
      const slots: Slot[] = (compiled.parameters as unknown[]).map((v) =>
        typeof v === 'string' && v.startsWith(SENTINEL) ? { name: v.slice(SENTINEL.length) } : { value: v },
      );
      const sql = compiled.sql;
      const bind = (values: Record<string, unknown>) => slots.map((s) => ('name' in s ? (values[s.name] ?? null) : s.value));
      const prepared: Prepared = {
        all: <T>(values: Record<string, unknown>) => this.statement(sql).all(...bind(values)) as T[],
        get: <T>(values: Record<string, unknown>) => this.statement(sql).get(...bind(values)) as T | undefined,
        run: (values: Record<string, unknown>) => this.statement(sql).run(...bind(values)).changes,
      };
      shape = { sql, slots, prepared };
      if (this.shapes.size > 5000) this.shapes.clear();
      this.shapes.set(key, shape);
    }
    return shape.prepared;
  }

  /**
   * A token that changes whenever the data may have changed: a row written through this
   * connection (SQLite's total_changes, rolled-back writes included), a snapshot restore or DDL
   * (forgetStatements), or a commit by another connection to the same file (see externalVersion).
   * Caches of answers derived from the data (tenancy lookups, compiled lists) are valid while it
   * stays the same. Costs well under a microsecond: total_changes() reads no table.
   */
  stamp(): string {
    this.totalChanges ??= this.sqlite.prepare('select total_changes()').raw(true);
    const changes = (this.totalChanges.get() as [number])[0];
    return `${this.epoch}.${changes}.${this.externalVersion()}`;
  }

  /**
   * SQLite's data_version, which changes when another connection commits to the same database
   * file (this emulator's own writes do not change it). Reading it starts a read transaction
   * (about as costly as a small query in WAL mode), so it is read at most every
   * EXTERNAL_CHECK_MS of real time: writes by another process or instance on the same file are
   * seen within that delay.
   */
  externalVersion(): number {
    const now = Date.now();
    if (now - this.versionCheckedAt >= EXTERNAL_CHECK_MS || now < this.versionCheckedAt) {
      this.dataVersion ??= this.sqlite.prepare('pragma data_version').raw(true);
      this.version = (this.dataVersion.get() as [number])[0];
      this.versionCheckedAt = now;
    }
    return this.version;
  }

  /**
   * Inserts rows (value arrays in `columns` order, or objects keyed by column), many rows per
   * statement (statements of 100, 25, 5 and 1 rows, so that the shapes stay few). Bulk writers
   * (test-results ingestion) use it: each statement costs a fixed step over and above its rows.
   */
  insertValues(table: string, columns: string[], rows: ReadonlyArray<ArrayLike<unknown> | Record<string, unknown>>, options: { ignoreConflicts?: boolean } = {}): void {
    if (!rows.length) return;
    const width = columns.length;
    const most = Math.max(1, Math.min(100, Math.floor(30000 / width)));
    // a row is an array in column order or an object keyed by column
    const asArray = Array.isArray(rows[0]);
    let i = 0;
    for (const size of [most, 25, 5, 1]) {
      if (size > most || rows.length - i < size) continue;
      const stmt = this.statement(this.insertSql(table, columns, size, options.ignoreConflicts === true));
      const params: unknown[] = new Array(size * width);
      for (; i + size <= rows.length; i += size) {
        for (let r = 0; r < size; r++) {
          const row = rows[i + r];
          for (let c = 0; c < width; c++) params[r * width + c] = (asArray ? (row as ArrayLike<unknown>)[c] : (row as Record<string, unknown>)[columns[c]]) ?? null;
        }
        stmt.run(params);
      }
    }
  }

  private readonly insertShapes = new Map<string, string>();

  /** The SQL text of an insert of `size` rows (built once per shape). */
  private insertSql(table: string, columns: string[], size: number, ignoreConflicts: boolean): string {
    const key = `${table}|${columns.join(',')}|${size}|${ignoreConflicts}`;
    let text = this.insertShapes.get(key);
    if (text === undefined) {
      let q = this.qb.insertInto(table).values(Array.from({ length: size }, () => Object.fromEntries(columns.map((c) => [c, null]))));
      if (ignoreConflicts) q = q.onConflict((oc) => oc.doNothing());
      text = q.compile().sql;
      if (this.insertShapes.size > 1000) this.insertShapes.clear();
      this.insertShapes.set(key, text);
    }
    return text;
  }

  /** Rows of a raw kysely fragment that is a complete statement (cross-filter subqueries). */
  allRaw<T = Row>(fragment: RawBuilder<unknown>): T[] {
    const c = fragment.compile(this.qb);
    return this.statement(c.sql).all(...(c.parameters as unknown[])) as T[];
  }

  /** Raw SQL with positional parameters, for the few statements kysely cannot express (DDL, pragmas). */
  exec(sql: string, ...params: unknown[]): Row[] {
    const stmt = this.statement(sql);
    return stmt.reader ? (stmt.all(...params) as Row[]) : (stmt.run(...params), []);
  }

  /** Run `fn` in one transaction (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }

  /** Prepared statements refer to the schema; drop them after DDL. */
  forgetStatements(): void {
    this.epoch++;
    this.cache.clear();
    this.shapes.clear();
  }

  close(): void {
    this.cache.clear();
    if (this.sqlite.open) this.sqlite.close();
  }
}

export function openSqlite(file: string): SqliteDb {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new BetterSqlite3(file);
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a process crash (not a power loss).
    db.pragma('synchronous = NORMAL');
    // 32 MB of page cache instead of SQLite's 2 MB: large workspaces and test-results ingestion
    // touch pages all over their tables and indexes
    db.pragma('cache_size = -32768');
  }
  // Statement journals in memory: every entity table has row-counting triggers (schema-sync.ts),
  // and a statement that fires a trigger keeps a statement journal of the pages it touches; as a
  // temporary file that made each insert into a table with many indexes several times slower.
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = OFF');
  db.pragma('busy_timeout = 5000');
  return db;
}
