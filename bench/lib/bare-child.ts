// The bare baseline, in a process of its own: Fastify + better-sqlite3 and nothing else. Each case
// registers a script (the SQL statements the emulator ran for one request, captured); a request to
// /r/<case> replays it (bench/lib/replay.ts) and answers the rows read as JSON. The request carries
// the same method and body as the emulator's, parsed by Fastify's default JSON parser and ignored.
// The database is the emulator's own file, opened with the emulator's pragmas (openSqlite).

import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { openSqlite } from '../../src/store/database.js';
import type { CapturedStatement } from './harness.js';
import { replay, type Script } from './replay.js';
import { serve } from './rpc.js';

let db: BetterSqlite3.Database | undefined;
let app: FastifyInstance | undefined;
const scripts = new Map<string, { script: Script; n: number; failed?: boolean }>();

serve({
  async open(args: { db: string; bodyLimit?: number }) {
    db = openSqlite(args.db);
    app = Fastify({ bodyLimit: args.bodyLimit ?? 200 * 1024 * 1024 });
    app.all('/r/:name', async (request) => {
      const entry = scripts.get((request.params as { name: string }).name);
      if (!entry) throw new Error('no such script');
      try {
        return replay(db!, entry.script, entry.n++);
      } catch (e) {
        if (!entry.failed) process.stderr.write(`bare: ${entry.script.name}: ${(e as Error).message}\n`);
        entry.failed = true;
        throw e;
      }
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, pid: process.pid };
  },

  /** Registers (or replaces) a script read from a capture file. */
  script(args: Omit<Script, 'statements'> & { file: string }) {
    // BLOB parameters were written as Buffer#toJSON: {type: 'Buffer', data: [...]}
    const statements = JSON.parse(fs.readFileSync(args.file, 'utf8'), (_k, v) =>
      v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data) : v,
    ) as CapturedStatement[];
    const { file: _file, ...rest } = args;
    scripts.set(args.name, { script: { ...rest, statements }, n: 0 });
    return { statements: statements.length };
  },

  /** Replays a script once, timed here (no HTTP): long scripts such as an ingestion. */
  run(args: { name: string }) {
    const entry = scripts.get(args.name);
    if (!entry) throw new Error(`no script ${args.name}`);
    const t0 = performance.now();
    const { results } = replay(db!, entry.script, entry.n++);
    return { ms: performance.now() - t0, reads: results.length };
  },

  memory() {
    return process.memoryUsage();
  },

  async close() {
    await app?.close();
    db?.close();
    setImmediate(() => process.exit(0));
  },
});
