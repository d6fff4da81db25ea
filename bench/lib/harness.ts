// Side-by-side measurement: the emulator and a bare Fastify + better-sqlite3 server that runs the
// very SQL statements the emulator ran for the same request (captured), with no Octane semantics.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { replay, type Script } from './replay.js';

export interface Measure {
  rps: number;
  p50: number;
  p99: number;
  /** requests answered */
  requests: number;
  seconds: number;
  /** answers that were not 2xx, and socket errors (a run with more than 1% of them fails) */
  failures: number;
}

export interface LoadOptions {
  /** bounded in time (ignored when `amount` is set) */
  seconds: number;
  connections: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: string;
  /** a fixed number of requests instead of a duration (writes that consume prepared rows) */
  amount?: number;
  /** the path of the n-th request (0-based), for requests that must differ */
  pathOf?: (n: number) => string;
}

function assertLoopback(url: string): URL {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error('benchmarks only send traffic to loopback');
  return u;
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Load with autocannon. Latency percentiles are computed here from every response time (autocannon's
 * own histogram keeps whole milliseconds, too coarse for sub-millisecond answers).
 */
export async function load(url: string, opts: LoadOptions): Promise<Measure> {
  assertLoopback(url);
  const times: number[] = [];
  let n = 0;
  const pathOf = opts.pathOf;
  const options = {
    url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    headers: opts.headers,
    method: opts.method ?? 'GET',
    body: opts.body,
    ...(pathOf ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: pathOf(n++) }) }] } : {}),
  } as autocannon.Options;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
    });
  });
  const failures = result.non2xx + result.errors;
  if (failures > 0.01 * Math.max(1, result.requests.total)) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors (${result.timeouts} timeouts) in ${result.requests.total} requests`);
  }
  times.sort((a, b) => a - b);
  const seconds = result.duration;
  return { rps: result.requests.total / seconds, p50: percentile(times, 50), p99: percentile(times, 99), requests: result.requests.total, seconds, failures };
}

export interface CapturedStatement {
  sql: string;
  params: unknown[];
  reader: boolean;
  /** the rows answered, kept for id allocations (`update "sequence" … returning`) only */
  result?: unknown;
  /** true for Database.exec (no parameters, several statements possible) */
  exec?: boolean;
}

const ID_ALLOCATION = /^\s*update\s+"?sequence"?\s/i;

type StatementProto = Record<'run' | 'get' | 'all' | 'iterate' | 'bind', (...args: unknown[]) => unknown>;

/**
 * Records every statement better-sqlite3 runs while `fn` runs, whatever layer issued it (kysely
 * builders, prepared shapes, raw SQL, transaction control: BEGIN / SAVEPOINT / RELEASE / COMMIT):
 * the methods of the Statement class and Database#exec are wrapped for the time of the capture.
 * The first argument is accepted for compatibility with earlier callers and ignored.
 */
export async function captureSql(_sqlObj: unknown, fn: () => Promise<unknown>): Promise<CapturedStatement[]> {
  const stop = startCapture();
  try {
    await fn();
  } catch (e) {
    stop();
    throw e;
  }
  return stop();
}

/** Starts recording (see captureSql); the returned function stops and answers the statements. */
export function startCapture(): () => CapturedStatement[] {
  const probe = new BetterSqlite3(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as StatementProto;
  const dbProto = Object.getPrototypeOf(probe) as { exec: (sql: string) => unknown };
  probe.close();
  const original = { run: proto.run, get: proto.get, all: proto.all, iterate: proto.iterate, bind: proto.bind, exec: dbProto.exec };
  const bound = new WeakMap<object, unknown[]>();
  const captured: CapturedStatement[] = [];
  const record = (stmt: { source: string; reader: boolean }, args: unknown[]): CapturedStatement => {
    // parameters passed as one array (bulk inserts reuse theirs between statements) are copied
    const given = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const entry: CapturedStatement = { sql: stmt.source, params: given.length ? [...given] : [...(bound.get(stmt) ?? [])], reader: stmt.reader };
    captured.push(entry);
    return entry;
  };
  proto.bind = function (this: object, ...args: unknown[]) {
    bound.set(this, args);
    return original.bind.apply(this, args);
  };
  for (const name of ['run', 'get', 'all', 'iterate'] as const) {
    proto[name] = function (this: { source: string; reader: boolean }, ...args: unknown[]) {
      const entry = record(this, args);
      const out = original[name].apply(this, args);
      if (ID_ALLOCATION.test(entry.sql)) entry.result = out;
      return out;
    };
  }
  dbProto.exec = function (this: unknown, sql: string) {
    captured.push({ sql, params: [], reader: false, exec: true });
    return original.exec.call(this, sql);
  };
  return () => {
    Object.assign(proto, { run: original.run, get: original.get, all: original.all, iterate: original.iterate, bind: original.bind });
    dbProto.exec = original.exec;
    return captured;
  };
}

/**
 * A bare server answering GET /q by replaying the captured statements (bench/query.ts). The full
 * driver (bench/run.ts) uses bench/lib/bare-child.ts instead, in a process of its own.
 */
export async function bareServer(dbFile: string, statements: CapturedStatement[]): Promise<{ app: FastifyInstance; url: string }> {
  const db = new BetterSqlite3(dbFile);
  db.pragma('busy_timeout = 5000');
  const script: Script = { name: 'q', statements, mode: 'read' };
  const app = Fastify();
  app.get('/q', async () => replay(db, script, 0));
  app.addHook('onClose', async () => db.close());
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

export function tempDb(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-bench-'));
  return path.join(dir, `${name}.db`);
}

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = Object.keys(rows[0] ?? {});
  const fmt = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(cols), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => fmt(r[c]))))].join('\n');
}
