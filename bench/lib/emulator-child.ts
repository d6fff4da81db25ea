// The emulator under test, in a process of its own (the load generator runs in the parent, so the
// two do not share an event loop). Driven by bench/run.ts over IPC: open a database and listen on
// loopback, capture the SQL of a request, prepare rows for destructive cases, report memory, and
// profile a case with the V8 sampling profiler (the same profiles `node --cpu-prof` writes).

import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { FastifyInstance } from 'fastify';
import { parseTestResults } from '../../src/ci/test-results-xml.js';
import { buildApp } from '../../src/http/app.js';
import { generateDeletePools } from './generate.js';
import { startCapture, type CapturedStatement } from './harness.js';
import { diffCaptures, type FreshParam } from './replay.js';
import { serve } from './rpc.js';

let app: FastifyInstance | undefined;
let cookie = '';
let capturing: (() => CapturedStatement[]) | undefined;
let session: Session | undefined;

export interface InjectRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  payload?: string;
  headers?: Record<string, string>;
  /** send without the session cookie */
  anonymous?: boolean;
}

export interface CaptureSummary {
  file: string;
  statements: number;
  reads: number;
  writes: number;
  transactionControl: number;
  /** statements per table and verb: "select e_work_item": 3 */
  byTable: Record<string, number>;
  distinctSql: number;
  status: number;
  bytes: number;
  fresh: FreshParam[];
  body?: unknown;
}

const TX = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

export function summarise(statements: CapturedStatement[]): Omit<CaptureSummary, 'file' | 'status' | 'bytes' | 'fresh'> {
  const byTable: Record<string, number> = {};
  let reads = 0;
  let writes = 0;
  let tx = 0;
  for (const s of statements) {
    if (TX.test(s.sql)) {
      tx++;
      continue;
    }
    if (s.reader) reads++;
    else writes++;
    const verb = s.sql.trim().split(/\s+/)[0].toLowerCase();
    const table = /\b(?:from|into|update|join)\s+"?([a-z_0-9]+)"?/i.exec(s.sql)?.[1] ?? '?';
    const key = `${verb} ${table}`;
    byTable[key] = (byTable[key] ?? 0) + 1;
  }
  return { statements: statements.length, reads, writes, transactionControl: tx, byTable, distinctSql: new Set(statements.map((s) => s.sql)).size };
}

async function inject(req: InjectRequest) {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (!req.anonymous && cookie) headers.cookie = cookie;
  if (req.payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return app!.inject({ method: req.method, url: req.url, payload: req.payload, headers });
}

serve({
  async open(args: { db: string; bodyLimit?: number }) {
    const t0 = performance.now();
    app = await buildApp({ db: args.db, logger: false, bodyLimit: args.bodyLimit ?? 200 * 1024 * 1024 });
    const openMs = performance.now() - t0;
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const si = await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: 'sa@nga', password: 'Welcome1' } });
    if (si.statusCode !== 200) throw new Error(`sign-in: ${si.statusCode} ${si.body}`);
    cookie = si.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const { sharedSpaceId, workspaceId } = app.emulator.defaults;
    return { url, cookie, openMs, sharedSpaceId, workspaceId, pid: process.pid };
  },

  /** Runs the request `times` times (1 or 2) while capturing; keeps the first capture in `file`. */
  async capture(args: { request: InjectRequest; file: string; times?: number; keepBody?: boolean }): Promise<CaptureSummary> {
    const runs: CapturedStatement[][] = [];
    let status = 0;
    let bytes = 0;
    let body: unknown;
    for (let i = 0; i < (args.times ?? 1); i++) {
      const stop = startCapture();
      let res;
      try {
        res = await inject(args.request);
      } finally {
        runs.push(stop());
      }
      status = res.statusCode;
      bytes = res.rawPayload.length;
      if (status >= 300) throw new Error(`${args.request.method} ${args.request.url}: ${status} ${res.body.slice(0, 500)}`);
      if (i === 0 && args.keepBody) {
        try {
          body = res.json();
        } catch {
          body = res.body.slice(0, 200);
        }
      }
    }
    fs.writeFileSync(args.file, JSON.stringify(runs[0]));
    const fresh = runs.length > 1 ? diffCaptures(runs[0], runs[1]) : [];
    return { file: args.file, ...summarise(runs[0]), status, bytes, fresh, body };
  },

  /** One request without capture (warm-up, checks). */
  async request(args: { request: InjectRequest }) {
    const res = await inject(args.request);
    let json: unknown;
    try {
      json = res.json();
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, bytes: res.rawPayload.length, json };
  },

  captureStart() {
    if (capturing) throw new Error('already capturing');
    capturing = startCapture();
  },

  captureStop(args: { file: string }) {
    if (!capturing) throw new Error('not capturing');
    const statements = capturing();
    capturing = undefined;
    fs.writeFileSync(args.file, JSON.stringify(statements));
    return { file: args.file, ...summarise(statements) };
  },

  deletePools(args: { pools: number; size: number }) {
    return generateDeletePools(app!.emulator, args.pools, args.size);
  },

  /** Rows of one read statement against the emulator's database (counts for the report). */
  query(args: { sql: string; params?: unknown[] }) {
    return app!.emulator.sql.sqlite.prepare(args.sql).all(...(args.params ?? []));
  },

  /** CPU time of this process so far (per-push figures of the ingestion case). */
  cpu() {
    const c = process.cpuUsage();
    return { userMs: c.user / 1000, systemMs: c.system / 1000 };
  },

  /** The time to parse a test-results payload here, without storing it (the repeated pushes' reference). */
  parseOnly(args: { xml: string }) {
    const t0 = performance.now();
    parseTestResults(args.xml);
    return performance.now() - t0;
  },

  memory(args: { gc?: boolean } = {}) {
    if (args.gc && typeof globalThis.gc === 'function') globalThis.gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  },

  async profileStart(args: { intervalUs?: number }) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: args.intervalUs ?? 200 });
    await session.post('Profiler.start');
  },

  async profileStop(args: { file: string }) {
    if (!session) throw new Error('no profile running');
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = undefined;
    fs.writeFileSync(args.file, JSON.stringify(profile));
    return { file: args.file };
  },

  async close() {
    await app?.close();
    app = undefined;
    setImmediate(() => process.exit(0));
  },
});
