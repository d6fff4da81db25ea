// Concurrency over real HTTP (an emulator listening on 127.0.0.1, port 0, file database): many
// clients updating one entity with `version_stamp` lose no update, and the losers get 409
// platform.entity_changed_by_another_user; concurrent bulk creates never produce duplicate ids;
// concurrent creates of one unique name leave one entity; and readers polling during a large bulk
// create never see part of it — neither through the API nor through a second SQLite connection
// reading the file from another thread while the bulk is being written.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { integrityCheck } from '../helpers/reliability.js';
import { HttpClient } from '../helpers/server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-concurrency-'));
const dbFile = path.join(dir, 'concurrency.db');
let app: FastifyInstance;
let base = '';
let WS = '';
let root = '';
const NEW = { type: 'phase', id: 'phase.defect.new' };
const require = createRequire(import.meta.url);
/** For docs/reliability.md. */
const figures = { conflicts: 0, lockedUpdates: 0, bulkIds: 0 };

/** Independent clients: each signs in on its own (own session, own connections). */
async function clients(n: number): Promise<HttpClient[]> {
  return Promise.all(Array.from({ length: n }, () => new HttpClient(base).signIn()));
}

beforeAll(async () => {
  app = await buildApp({ db: dbFile, sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const { sharedSpaceId, workspaceId } = app.emulator.defaults;
  WS = `/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}`;
  const [c] = await clients(1);
  root = (await c.get(`${WS}/work_item_roots`)).body.data[0].id;
});

afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('optimistic locking with version_stamp', () => {
  it('16 clients × 12 increments of one counter: no lost update; every loser gets 409 entity_changed_by_another_user', async () => {
    const CLIENTS = 16;
    const EACH = 12;
    const [admin] = await clients(1);
    const created = await admin.post(`${WS}/defects`, { data: [{ name: 'contended counter', story_points: 0, phase: NEW, parent: { type: 'work_item_root', id: root } }] });
    expect(created.status).toBe(201);
    const id = created.body.data[0].id;
    let conflicts = 0;
    const wins: number[] = [];
    const all = await clients(CLIENTS);
    await Promise.all(
      all.map(async (c) => {
        for (let done = 0; done < EACH; ) {
          const read = await c.get(`${WS}/defects/${id}?fields=story_points,version_stamp`);
          expect(read.status).toBe(200);
          const { story_points: points, version_stamp: stamp } = read.body;
          // let the other clients read the same stamp
          await new Promise((resolve) => setImmediate(resolve));
          const r = await c.put(`${WS}/defects/${id}`, { story_points: points + 1, version_stamp: stamp });
          if (r.status === 200) {
            expect(r.body.version_stamp).toBe(stamp + 1);
            expect(r.body.story_points).toBe(points + 1);
            wins.push(r.body.version_stamp);
            done++;
          } else {
            expect(r.status, r.text).toBe(409);
            expect(r.body.error_code).toBe('platform.entity_changed_by_another_user');
            expect(r.body.correlation_id).toMatch(/^[a-z0-9]{25}$/);
            conflicts++;
          }
        }
      }),
    );
    const final = await admin.get(`${WS}/defects/${id}?fields=story_points,version_stamp`);
    // every acknowledged increment is in the value: none was lost
    expect(final.body.story_points).toBe(CLIENTS * EACH);
    expect(final.body.version_stamp).toBe(1 + CLIENTS * EACH);
    // each successful write produced a distinct stamp: no two clients won the same round
    expect(new Set(wins).size).toBe(CLIENTS * EACH);
    // the clients did contend
    expect(conflicts).toBeGreaterThan(CLIENTS);
    figures.conflicts += conflicts;
    figures.lockedUpdates += CLIENTS * EACH;
  });

  it('the same stale stamp sent by 20 clients at once: exactly one 200, nineteen 409', async () => {
    const [admin] = await clients(1);
    const id = (await admin.post(`${WS}/defects`, { data: [{ name: 'stale stamp', phase: NEW, parent: { type: 'work_item_root', id: root } }] })).body.data[0].id;
    const stamp = (await admin.get(`${WS}/defects/${id}?fields=version_stamp`)).body.version_stamp;
    const all = await clients(20);
    const results = await Promise.all(all.map((c, i) => c.put(`${WS}/defects/${id}`, { name: `winner ${i}`, version_stamp: stamp })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(409)]);
    const winner = results.findIndex((r) => r.status === 200);
    const final = await admin.get(`${WS}/defects/${id}?fields=name,version_stamp`);
    expect(final.body).toMatchObject({ name: `winner ${winner}`, version_stamp: stamp + 1 });
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error_code).toBe('platform.entity_changed_by_another_user');
    figures.conflicts += 19;
  });
});

describe('concurrent creates', () => {
  it('12 clients × 8 bulk creates of 20 across collections sharing the id space: no duplicate id, every id one row', async () => {
    const all = await clients(12);
    const bodies: Array<[string, (i: number, tag: string) => Record<string, unknown>]> = [
      ['defects', (i, tag) => ({ name: `${tag}-${i}`, phase: NEW, parent: { type: 'work_item_root', id: root } })],
      ['stories', (i, tag) => ({ name: `${tag}-${i}`, phase: { type: 'phase', id: 'phase.story.new' }, parent: { type: 'work_item_root', id: root } })],
      ['releases', (i, tag) => ({ name: `${tag}-${i}`, start_date: '2025-01-01', end_date: '2025-12-31' })],
      ['user_tags', (i, tag) => ({ name: `${tag}-${i}` })],
    ];
    const ids: string[] = [];
    await Promise.all(
      all.map(async (c, ci) => {
        for (let k = 0; k < 8; k++) {
          const [collection, make] = bodies[(ci + k) % bodies.length];
          const tag = `cc${ci}k${k}`;
          const r = await c.post(`${WS}/${collection}`, { data: Array.from({ length: 20 }, (_, i) => make(i, tag)) });
          expect(r.status, r.text).toBe(201);
          expect(r.body.data).toHaveLength(20);
          ids.push(...r.body.data.map((e: { id: string }) => e.id));
        }
      }),
    );
    expect(ids).toHaveLength(12 * 8 * 20);
    expect(new Set(ids).size).toBe(ids.length);
    // each id is exactly one row in exactly one table
    const db = app.emulator.sql.sqlite;
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'e\\_%' ESCAPE '\\'").all() as Array<{ name: string }>).map((t) => t.name);
    const union = tables.map((t) => `SELECT id FROM "${t}"`).join(' UNION ALL ');
    const dupes = db.prepare(`SELECT id, count(*) AS n FROM (${union}) GROUP BY id HAVING n > 1`).all();
    expect(dupes).toEqual([]);
    figures.bulkIds += ids.length;
  });

  it('16 clients create the same unique user tag name at once: one 201, fifteen 409 duplicate, one row', async () => {
    const all = await clients(16);
    const results = await Promise.all(all.map((c) => c.post(`${WS}/user_tags`, { data: [{ name: 'one of a kind' }] })));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(15).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.errors?.[0]?.error_code ?? r.body.error_code).toBe('platform.duplicate_entity_error');
    const [admin] = await clients(1);
    const list = await admin.get(`${WS}/user_tags?query=${encodeURIComponent('"name EQ ^one of a kind^"')}`);
    expect(list.body.total_count).toBe(1);
    figures.conflicts += 15;
  });
});

describe('readers during a large bulk create', () => {
  it('API readers polling the count see 0 or N, never part of a bulk of 1000', async () => {
    const N = 1000;
    const [writer, ...readers] = await clients(5);
    const prefix = 'big-bulk-api';
    const seen = new Set<number>();
    let polls = 0;
    let writing = true;
    const q = encodeURIComponent(`"name EQ ^${prefix}*^"`);
    const pollers = readers.map(async (c) => {
      while (writing) {
        const r = await c.get(`${WS}/defects?query=${q}&limit=1&fields=id`);
        expect(r.status).toBe(200);
        seen.add(r.body.total_count);
        polls++;
      }
    });
    // the readers are polling before the bulk arrives
    await new Promise((resolve) => setTimeout(resolve, 50));
    const r = await writer.post(`${WS}/defects`, { data: Array.from({ length: N }, (_, i) => ({ name: `${prefix}-${i}`, phase: NEW, parent: { type: 'work_item_root', id: root } })) });
    // and after it
    await new Promise((resolve) => setTimeout(resolve, 50));
    writing = false;
    await Promise.all(pollers);
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect([...seen].every((n) => n === 0 || n === N), `counts seen: ${[...seen]}`).toBe(true);
    expect(seen.has(0) && seen.has(N)).toBe(true);
    expect(polls).toBeGreaterThan(10);
  });

  it('a second SQLite connection reading the file from another thread sees 0 or N rows of a bulk of 1500, never part', async () => {
    const N = 1500;
    const prefix = 'big-bulk-file';
    // a reader thread with its own connection to the same file (WAL), polling as fast as it can
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const Database = require(workerData.module);
      const db = new Database(workerData.file, { readonly: true });
      const stmt = db.prepare("SELECT count(*) AS n FROM e_work_item WHERE name LIKE ?");
      const seen = new Set();
      let polls = 0;
      let stop = false;
      parentPort.on('message', () => { stop = true; });
      let told = false;
      const tick = () => {
        for (let i = 0; i < 200; i++) { seen.add(stmt.get(workerData.prefix + '-%').n); polls++; }
        if (!told && seen.has(workerData.n)) { told = true; parentPort.postMessage('saw-all'); }
        if (stop) { db.close(); parentPort.postMessage({ seen: [...seen], polls }); }
        else setImmediate(tick);
      };
      parentPort.postMessage('ready');
      tick();
    `;
    const worker = new Worker(code, { eval: true, workerData: { file: dbFile, prefix, n: N, module: require.resolve('better-sqlite3') } });
    const messages: unknown[] = [];
    const done = new Promise<{ seen: number[]; polls: number }>((resolve, reject) => {
      worker.on('message', (m) => (m === 'ready' || m === 'saw-all' ? messages.push(m) : resolve(m)));
      worker.on('error', reject);
    });
    while (!messages.length) await new Promise((resolve) => setTimeout(resolve, 5));
    const [writer] = await clients(1);
    const r = await writer.post(`${WS}/defects`, { data: Array.from({ length: N }, (_, i) => ({ name: `${prefix}-${i}`, phase: NEW, parent: { type: 'work_item_root', id: root } })) });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    // the reader keeps polling until it has seen the committed bulk (a fast write may end before
    // many polls ran during it; the polls after it must still see all N)
    for (let waited = 0; !messages.includes('saw-all') && waited < 5000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    worker.postMessage('stop');
    const { seen, polls } = await done;
    await worker.terminate();
    expect(seen.every((n) => n === 0 || n === N), `counts seen by the reader thread: ${seen}`).toBe(true);
    expect(seen).toContain(N);
    expect(polls).toBeGreaterThanOrEqual(400);
  });

  it('the database is intact after all of it', () => {
    expect(integrityCheck(app.emulator.sql.sqlite)).toBe('ok');
    // eslint-disable-next-line no-console
    console.log(`concurrency figures: ${JSON.stringify(figures)}`);
  });
});
