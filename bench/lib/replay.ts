// Replaying captured SQL: what the bare baseline does for each request. Reads run as captured;
// writes run as captured with three substitutions, so that every request writes new rows:
// - id allocations (`update "sequence" set value = value + ? … returning value`) run for real and
//   every later parameter equal to an id the capture allocated becomes the id allocated now;
// - parameters that differed between two captures of the same request (session tokens, times)
//   are made fresh for each request (`fresh`);
// - request n may address rows shifted by a fixed stride (`shift`: rows prepared in identical
//   blocks, e.g. one block of 1,000 defects per DELETE request).
// Transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT) is part of the capture and replayed too.

import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { CapturedStatement } from './harness.js';

export interface FreshParam {
  stmt: number;
  param: number;
  kind: 'token' | 'datetime' | 'ms' | 'keep';
}

export interface Script {
  name: string;
  statements: CapturedStatement[];
  mode: 'read' | 'write';
  fresh?: FreshParam[];
  /** request n (0-based) shifts parameters in [lo, hi) by (first + n) * stride */
  shift?: { lo: number; hi: number; stride: number; first: number };
}

const ID_ALLOCATION = /^\s*update\s+"?sequence"?\s/i;
const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

function prepare(db: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

function freshValue(kind: FreshParam['kind'], old: unknown): unknown {
  switch (kind) {
    case 'token':
      return randomBytes(Math.ceil((String(old).length * 3) / 4)).toString('base64url').slice(0, String(old).length);
    case 'datetime':
      return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'ms':
      return Date.now();
    default:
      return old;
  }
}

/** Classifies a parameter that differs between two captures of the same request. */
export function freshKind(a: unknown, b: unknown): FreshParam['kind'] {
  if (typeof a === 'string' && typeof b === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(a) ? 'datetime' : 'token';
  if (typeof a === 'number' && typeof b === 'number' && a > 1e12) return 'ms';
  return 'keep';
}

/** The parameters that differ between two captures of one request (same statements expected). */
export function diffCaptures(a: CapturedStatement[], b: CapturedStatement[]): FreshParam[] {
  if (a.length !== b.length || a.some((s, i) => s.sql !== b[i].sql)) return [];
  const out: FreshParam[] = [];
  a.forEach((s, i) =>
    s.params.forEach((p, j) => {
      if (p !== b[i].params[j]) {
        const kind = freshKind(p, b[i].params[j]);
        if (kind !== 'keep') out.push({ stmt: i, param: j, kind });
      }
    }),
  );
  return out;
}

/** Runs a script once as request number `n`; answers the rows of the reading statements. */
export function replay(db: BetterSqlite3.Database, script: Script, n: number): { results: unknown[][] } {
  try {
    return replayOnce(db, script, n);
  } catch (e) {
    // a failed request leaves no transaction open behind it
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

function replayOnce(db: BetterSqlite3.Database, script: Script, n: number): { results: unknown[][] } {
  const idMap = new Map<number, number>();
  const fresh = new Map<string, FreshParam['kind']>();
  for (const f of script.fresh ?? []) fresh.set(`${f.stmt}:${f.param}`, f.kind);
  const shift = script.shift;
  const offset = shift ? (shift.first + n) * shift.stride : 0;
  const substitute = script.mode === 'write';
  const results: unknown[][] = [];
  const list = script.statements;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (s.exec) {
      db.exec(s.sql);
      continue;
    }
    let params = s.params;
    if (substitute && (idMap.size || fresh.size || shift)) {
      params = params.map((p, j) => {
        const kind = fresh.size ? fresh.get(`${i}:${j}`) : undefined;
        if (kind) return freshValue(kind, p);
        if (typeof p !== 'number') return p;
        const mapped = idMap.get(p);
        if (mapped !== undefined) return mapped;
        if (shift && p >= shift.lo && p < shift.hi) return p + offset;
        return p;
      });
    }
    const stmt = prepare(db, s.sql);
    if (stmt.reader) {
      const rows = stmt.all(...params) as Array<Record<string, unknown>>;
      if (substitute && s.result !== undefined && ID_ALLOCATION.test(s.sql)) {
        const captured = Array.isArray(s.result) ? (s.result[0] as { value: number }) : (s.result as { value: number });
        const count = (params.find((p) => typeof p === 'number') as number | undefined) ?? 1;
        const now = rows[0]?.value as number;
        for (let k = 0; k < count; k++) idMap.set(captured.value - k, now - k);
      }
      results.push(rows);
    } else {
      stmt.run(...params);
    }
  }
  return { results };
}
