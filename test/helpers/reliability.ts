// Helpers of the reliability suite (test/reliability): the case count of property tests (raised by
// `npm run fuzz` through FUZZ_RUNS), the "answered properly" check (a 2xx, or a 4xx in Octane's
// error shape, never a 5xx), digests of database content to prove that nothing outside a
// request's intent changed, and SQLite's own integrity check.

import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { expect } from 'vitest';
import type { Reply } from './app.js';

/** Cases per property: `n` in `npm test`, FUZZ_RUNS under `npm run fuzz`. */
export function fuzzRuns(n: number): number {
  const env = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(env) && env > 0 ? Math.floor(env) : n;
}

/** True in the long mode (`npm run fuzz`). */
export const LONG_FUZZ = Number(process.env.FUZZ_RUNS) > 0;

/** A fixed seed when FUZZ_SEED is set, to replay a reported failure. */
export function fuzzSeed(): { seed?: number } {
  const s = Number(process.env.FUZZ_SEED);
  return Number.isFinite(s) && process.env.FUZZ_SEED !== undefined ? { seed: s } : {};
}

/** A test timeout fit for `runs` cases of about `perCaseMs` each (plus a floor). */
export function timeoutFor(runs: number, perCaseMs: number, floorMs = 30_000): number {
  return Math.max(floorMs, runs * perCaseMs * 3);
}

/** 25 lowercase alphanumerics, as Octane's correlation ids. */
const CORRELATION_ID = /^[a-z0-9]{25}$/;

function errorShapeProblems(err: any): string[] {
  const problems: string[] = [];
  if (!err || typeof err !== 'object') return ['not an object'];
  if (typeof err.error_code !== 'string' || !/^[A-Za-z_]+(\.[A-Za-z_]+)*$/.test(err.error_code)) problems.push(`error_code ${JSON.stringify(err.error_code)}`);
  if (typeof err.correlation_id !== 'string' || !CORRELATION_ID.test(err.correlation_id)) problems.push(`correlation_id ${JSON.stringify(err.correlation_id)}`);
  if (typeof err.description !== 'string' || err.description.length === 0) problems.push('description');
  return problems;
}

/**
 * A 2xx, or a 4xx whose body is Octane's error JSON: one error object, or the bulk envelope with
 * per-item errors. Never a 5xx. Returns a problem description, or '' when the answer is fine.
 */
export function answerProblem(r: { status: number; text: string; headers: Record<string, unknown>; body?: any }): string {
  if (r.status >= 200 && r.status < 300) return '';
  if (r.status < 400 || r.status >= 500) return `status ${r.status}: ${r.text.slice(0, 400)}`;
  if (!String(r.headers['content-type'] ?? '').includes('application/json')) return `${r.status} with content type ${String(r.headers['content-type'])}: ${r.text.slice(0, 200)}`;
  let body: any;
  try {
    body = r.body ?? JSON.parse(r.text);
  } catch {
    return `${r.status} with a body that is not JSON: ${r.text.slice(0, 200)}`;
  }
  if (Array.isArray(body?.errors)) {
    if (body.errors.length === 0) return `${r.status}: bulk envelope without errors`;
    for (const e of body.errors) {
      const p = errorShapeProblems(e);
      if (p.length) return `${r.status}: bulk error item lacks ${p.join(', ')}: ${r.text.slice(0, 300)}`;
    }
    return '';
  }
  const p = errorShapeProblems(body);
  return p.length ? `${r.status}: error body lacks ${p.join(', ')}: ${r.text.slice(0, 300)}` : '';
}

/** Asserts `answerProblem` finds nothing; `what` names the request in the failure message. */
export function expectAnswered(r: Reply | { status: number; text: string; headers: Record<string, unknown>; body?: any }, what: string): void {
  const problem = answerProblem(r);
  expect(problem, `${what.slice(0, 600)} -> ${problem}`).toBe('');
}

/** `PRAGMA integrity_check` answers a single "ok". */
export function integrityCheck(db: Database): string {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).join('; ');
}

// ---- digests of database content ------------------------------------------------------------------

function tables(db: Database): Array<{ name: string; columns: string[] }> {
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  return names.map((name) => ({ name, columns: (db.pragma(`table_info("${name}")`) as Array<{ name: string }>).map((c) => c.name) }));
}

/**
 * A hash of rows. Null values are left out, so that a column added by a schema change elsewhere
 * (a user-defined field of another workspace adds a column to the shared table) changes nothing.
 */
function hashRows(rows: unknown[]): string {
  const h = createHash('sha1');
  for (const row of rows) {
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      h.update(`${k}=`);
      h.update(Buffer.isBuffer(v) ? `b:${v.toString('hex')}` : `${typeof v}:${String(v)}`);
      h.update('\u0001');
    }
    h.update('\u0002');
  }
  return h.digest('hex').slice(0, 16);
}

/** `ORDER BY 1, 2, …`: a stable order for tables with and without rowid. */
function orderAll(columns: string[]): string {
  return `ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`;
}

/** Per table: `rows:hash` of all its rows (sessions excluded: every request touches its own). */
export function databaseDigest(db: Database, exclude: readonly string[] = ['session']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tables(db)) {
    if (exclude.includes(t.name)) continue;
    const rows = db.prepare(`SELECT * FROM "${t.name}" ${orderAll(t.columns)}`).all();
    out[t.name] = `${rows.length}:${hashRows(rows)}`;
  }
  return out;
}

/**
 * Per table: `rows:hash` of everything that belongs to one workspace: rows carrying its
 * workspace_id, the links whose source is one of them, the bytes of its attachments and the
 * scripts of its tests.
 */
export function workspaceDigest(db: Database, workspaceId: number): Record<string, string> {
  const out: Record<string, string> = {};
  const ids: number[] = [];
  for (const t of tables(db)) {
    if (!t.columns.includes('workspace_id')) continue;
    const rows = db.prepare(`SELECT * FROM "${t.name}" WHERE workspace_id = ? ${orderAll(t.columns)}`).all(workspaceId) as Array<{ id?: number }>;
    out[t.name] = `${rows.length}:${hashRows(rows)}`;
    if (t.name.startsWith('e_')) for (const r of rows) if (typeof r.id === 'number') ids.push(r.id);
  }
  db.exec('CREATE TEMP TABLE IF NOT EXISTS digest_ids (id INTEGER PRIMARY KEY)');
  db.exec('DELETE FROM digest_ids');
  const insert = db.prepare('INSERT OR IGNORE INTO digest_ids (id) VALUES (?)');
  db.transaction(() => ids.forEach((id) => insert.run(id)))();
  const related: Array<[string, string]> = [
    ['entity_link', 'SELECT * FROM entity_link WHERE src_id IN (SELECT id FROM digest_ids) OR dst_id IN (SELECT id FROM digest_ids) ORDER BY 1, 2, 3'],
    ['attachment_content', 'SELECT * FROM attachment_content WHERE id IN (SELECT id FROM digest_ids) ORDER BY id'],
    ['test_script', 'SELECT * FROM test_script WHERE test_id IN (SELECT id FROM digest_ids) ORDER BY 1, 2'],
  ];
  for (const [name, sql] of related) {
    const rows = db.prepare(sql).all();
    out[name] = `${rows.length}:${hashRows(rows)}`;
  }
  db.exec('DELETE FROM digest_ids');
  return out;
}

/**
 * A cheap fingerprint of the whole database, computed in SQL: per table the row count and, per
 * column, the total of the values and of their lengths. Any insert or delete, any entity update
 * (it bumps version_stamp) and any link change shows. Sessions are left out.
 */
export function quickDigest(db: Database, exclude: readonly string[] = ['session'], light = false): Record<string, string> {
  let statement = quickStatements.get(db);
  if (!statement || statement.light !== light) {
    const parts = tables(db)
      .filter((t) => !exclude.includes(t.name))
      .map((t) => {
        // light: the row count and a few columns that every write moves (ids, stamps, link ends,
        // byte lengths); cheap enough to run after every one of 100,000 cases
        const columns = light ? t.columns.filter((c) => ['id', 'version_stamp', 'src_id', 'dst_id', 'value', 'status', 'bytes', 'last_modified'].includes(c)) : t.columns;
        const aggregates = columns.map((c) => `total(length("${c}")) || '/' || total(CASE WHEN typeof("${c}") IN ('integer','real') THEN "${c}" END)`);
        return `SELECT '${t.name}' AS t, count(*) || ':' || ${aggregates.length ? aggregates.join(" || ',' || ") : "''"} AS d FROM "${t.name}"`;
      });
    statement = { sql: parts.join(' UNION ALL '), schema: schemaVersion(db), light };
    quickStatements.set(db, statement);
  }
  if (statement.schema !== schemaVersion(db)) {
    quickStatements.delete(db);
    return quickDigest(db, exclude, light);
  }
  return Object.fromEntries((db.prepare(statement.sql).all() as Array<{ t: string; d: string }>).map((r) => [r.t, r.d]));
}

/** The tables whose digest differs: `[]` when nothing changed. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).map((n) => `${n} (rows ${before[n]?.split(':')[0] ?? '-'} -> ${after[n]?.split(':')[0] ?? '-'})`);
}

const quickStatements = new WeakMap<Database, { sql: string; schema: number; light: boolean }>();
const schemaVersion = (db: Database) => db.pragma('schema_version', { simple: true }) as number;

/** `rows:hash` of given entity rows (by id, in any table of the entity stores) and their links. */
export function rowsDigest(db: Database, ids: readonly number[]): string {
  const parts: string[] = [];
  for (const t of tables(db)) {
    if (!t.name.startsWith('e_')) continue;
    const rows = db.prepare(`SELECT * FROM "${t.name}" WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`).all(...ids);
    if (rows.length) parts.push(`${t.name}=${rows.length}:${hashRows(rows)}`);
  }
  const links = db.prepare(`SELECT * FROM entity_link WHERE src_id IN (${ids.map(() => '?').join(',')}) OR dst_id IN (${ids.map(() => '?').join(',')}) ORDER BY 1, 2, 3`).all(...ids, ...ids);
  parts.push(`links=${links.length}:${hashRows(links)}`);
  return parts.join(' ');
}

/** Ids of every entity row of a workspace. */
export function workspaceIds(db: Database, workspaceId: number): Set<string> {
  const out = new Set<string>();
  for (const t of tables(db)) {
    if (!t.name.startsWith('e_') || !t.columns.includes('workspace_id')) continue;
    for (const r of db.prepare(`SELECT id FROM "${t.name}" WHERE workspace_id = ?`).all(workspaceId) as Array<{ id: number }>) out.add(String(r.id));
  }
  return out;
}

/** Every `{type, id}` reference found anywhere in a JSON answer. */
export function referencedIds(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.type === 'string' && (typeof o.id === 'string' || typeof o.id === 'number')) out.push(String(o.id));
    for (const v of Object.values(o)) if (v && typeof v === 'object') referencedIds(v, out);
  }
  return out;
}
