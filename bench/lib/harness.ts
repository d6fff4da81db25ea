// Side-by-side measurement: the emulator and a bare Fastify + better-sqlite3 server that runs the
// very SQL statements the emulator ran for the same request (captured), with no Octane semantics.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';

export interface Measure {
  rps: number;
  p50: number;
  p99: number;
}

export async function load(url: string, opts: { seconds: number; connections: number; headers?: Record<string, string>; method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: string }): Promise<Measure> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error('benchmarks only send traffic to loopback');
  const result = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.seconds,
    headers: opts.headers,
    method: opts.method ?? 'GET',
    body: opts.body,
  });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

export interface CapturedStatement {
  sql: string;
  params: unknown[];
  reader: boolean;
}

/** Records the statements the emulator's Sql runs while `fn` runs. */
export async function captureSql(sqlObj: { all: Function; get: Function }, fn: () => Promise<unknown>): Promise<CapturedStatement[]> {
  const captured: CapturedStatement[] = [];
  const target = sqlObj as unknown as Record<string, Function>;
  const original = { all: target.all, get: target.get };
  for (const name of ['all', 'get'] as const) {
    target[name] = function (this: unknown, query: { compile(): { sql: string; parameters: readonly unknown[] } }) {
      const c = query.compile();
      captured.push({ sql: c.sql, params: [...c.parameters], reader: true });
      return original[name].call(this, query);
    };
  }
  try {
    await fn();
  } finally {
    target.all = original.all;
    target.get = original.get;
  }
  return captured;
}

/** A bare server answering GET /q by running the captured statements and returning the rows. */
export async function bareServer(dbFile: string, statements: CapturedStatement[]): Promise<{ app: FastifyInstance; url: string }> {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  const prepared = statements.map((s) => ({ stmt: db.prepare(s.sql), params: s.params }));
  const app = Fastify();
  app.get('/q', async () => {
    let last: unknown[] = [];
    const results: unknown[] = [];
    for (const p of prepared) {
      last = p.stmt.all(...(p.params as unknown[]));
      results.push(last.length);
    }
    return { data: last, counts: results };
  });
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
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(cols), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => fmt(r[c]))))].join('\n');
}
