// Crash safety: the real server (CLI) on a file database, driven by concurrent writers over real
// HTTP (single creates, bulk creates of 20, updates, attachment uploads of random bytes,
// test-results pushes), killed with SIGKILL mid-stream, restarted on the same file. After every
// kill: `PRAGMA integrity_check` is ok; every write that got a success answer is there with its
// values (attachments byte for byte, by sha256; the latest acknowledged update); no write is
// half-applied (a bulk of 20 is all there or not at all, also when its answer never came; an
// attachment that exists has exactly its bytes); and acknowledged test-results tasks are
// processed after the restart. Several cycles on the same file.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { integrityCheck } from '../helpers/reliability.js';
import { HttpClient, killAllServers, startServer, type ServerProcess } from '../helpers/server.js';
import { testResultXml } from '../helpers/test-results.js';

const CYCLES = 5;
const WRITERS = 6;
const BULK = 20;
const WS = '/api/shared_spaces/1001/workspaces/1002';
const ROOT = { type: 'work_item_root', id: '' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-crash-'));
const dbFile = path.join(dir, 'crash.db');
afterAll(() => {
  killAllServers();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Outcome = 'acked' | 'unknown';

interface SingleWrite {
  name: string;
  story_points: number;
  description: string;
  outcome: Outcome;
  id?: string;
  /** updates sent to it: value and whether acknowledged, in order */
  updates: Array<{ story_points: number; outcome: Outcome }>;
}
interface BulkWrite {
  prefix: string;
  outcome: Outcome;
  ids?: string[];
}
interface Upload {
  name: string;
  sha256: string;
  size: number;
  outcome: Outcome;
  id?: string;
}
interface Push {
  build: string;
  runs: number;
  outcome: Outcome;
  id?: number;
}

const singles: SingleWrite[] = [];
const bulks: BulkWrite[] = [];
const uploads: Upload[] = [];
const pushes: Push[] = [];
const figures = { cycles: 0, acknowledged: 0, unknown: 0 };

/** Phase of a fresh defect. */
const NEW = { type: 'phase', id: 'phase.defect.new' };

async function writer(client: HttpClient, cycle: number, w: number, owner: string, stop: { now: boolean }): Promise<void> {
  let n = 0;
  const mine: SingleWrite[] = [];
  while (!stop.now) {
    n++;
    const tag = `c${cycle}w${w}n${n}`;
    const pick = (n + w) % 6;
    try {
      if (pick === 0 || pick === 1) {
        const s: SingleWrite = { name: `single-${tag}`, story_points: (n * 7 + w) % 40, description: `<p>${tag} ${randomBytes(8).toString('hex')}</p>`, outcome: 'unknown', updates: [] };
        singles.push(s);
        const r = await client.post(`${WS}/defects`, { data: [{ name: s.name, story_points: s.story_points, description: s.description, phase: NEW, parent: ROOT }] });
        if (r.status !== 201) throw new Error(`single create: ${r.status} ${r.text}`);
        s.outcome = 'acked';
        s.id = r.body.data[0].id;
        mine.push(s);
      } else if (pick === 2) {
        const b: BulkWrite = { prefix: `bulk-${tag}-`, outcome: 'unknown' };
        bulks.push(b);
        const data = Array.from({ length: BULK }, (_, i) => ({ name: `${b.prefix}${String(i).padStart(2, '0')}`, story_points: i, phase: NEW, parent: ROOT }));
        const r = await client.post(`${WS}/defects`, { data });
        if (r.status !== 201) throw new Error(`bulk create: ${r.status} ${r.text}`);
        expect(r.body.data).toHaveLength(BULK);
        b.outcome = 'acked';
        b.ids = r.body.data.map((e: { id: string }) => e.id);
      } else if (pick === 3) {
        const bytes = randomBytes(1 + ((n * 7919 + w * 104729) % 200_000));
        const u: Upload = { name: `upload-${tag}.log`, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, outcome: 'unknown' };
        uploads.push(u);
        const ownerRef = encodeURIComponent(JSON.stringify({ type: 'defect', id: owner }));
        const r = await client.request('POST', `${WS}/attachments?name=${encodeURIComponent(u.name)}&owner_work_item=${ownerRef}`, bytes, { 'content-type': 'application/octet-stream' });
        if (r.status !== 201) throw new Error(`upload: ${r.status} ${r.text}`);
        u.outcome = 'acked';
        u.id = r.body.data[0].id;
      } else if (pick === 4) {
        const runs = 3 + (n % 5);
        const p: Push = { build: `build-${tag}`, runs, outcome: 'unknown' };
        pushes.push(p);
        const xml = testResultXml({ serverId: 'crash-ci', jobId: `job-w${w}`, buildId: p.build }, null, Array.from({ length: runs }, (_, i) => ({ package: 'crash', class: `W${w}`, name: `test_${tag}_${i}`, status: i % 3 ? 'Passed' : 'Failed', duration: 10 + i, started: 1_750_000_000_000 + n * 1000 + i })));
        const r = await client.request('POST', `${WS}/test-results`, xml, { 'content-type': 'application/xml' });
        if (r.status !== 202) throw new Error(`test-results: ${r.status} ${r.text}`);
        p.outcome = 'acked';
        p.id = r.body.id;
      } else {
        // update the latest acknowledged single of this writer (only this writer touches it)
        const s = mine[mine.length - 1];
        if (!s) continue;
        const u = { story_points: (s.story_points + s.updates.length + 1) % 40, outcome: 'unknown' as Outcome };
        s.updates.push(u);
        const r = await client.put(`${WS}/defects/${s.id}`, { story_points: u.story_points });
        if (r.status !== 200) throw new Error(`update: ${r.status} ${r.text}`);
        u.outcome = 'acked';
      }
    } catch (e) {
      // the connection died with the server: the write's fate is unknown
      if (!stop.now && !/fetch failed|aborted|socket|ECONNRESET|ECONNREFUSED|terminated|other side closed/i.test(String((e as Error)?.message) + String((e as Error & { cause?: Error })?.cause?.message))) throw e;
      return;
    }
  }
}

/** Every row of a name pattern through the API, paged. */
async function defectsNamed(client: HttpClient, pattern: string): Promise<Map<string, { id: string; story_points: number | null; description: string | null }>> {
  const out = new Map<string, { id: string; story_points: number | null; description: string | null }>();
  for (let offset = 0; ; offset += 2000) {
    const q = encodeURIComponent(`"name EQ ^${pattern}^"`);
    const r = await client.get(`${WS}/defects?query=${q}&fields=name,story_points,description&limit=2000&offset=${offset}`);
    expect(r.status, r.text).toBe(200);
    for (const e of r.body.data) out.set(e.name, { id: e.id, story_points: e.story_points, description: e.description });
    if (r.body.data.length < 2000) return out;
  }
}

async function verify(client: HttpClient): Promise<void> {
  // single creates and updates
  const found = await defectsNamed(client, 'single-*');
  for (const s of singles) {
    const row = found.get(s.name);
    if (s.outcome === 'acked') expect(row, `acknowledged create ${s.name} lost`).toBeDefined();
    if (!row) continue;
    if (s.id) expect(row.id).toBe(s.id);
    expect(row.description, `${s.name}: description`).toBe(s.description);
    // the value is the last acknowledged update, or one sent after it whose answer never came
    const lastAcked = s.updates.map((u) => u.outcome).lastIndexOf('acked');
    const allowed = [lastAcked >= 0 ? s.updates[lastAcked].story_points : s.story_points, ...s.updates.slice(lastAcked + 1).map((u) => u.story_points)];
    expect(allowed, `${s.name}: story_points ${row.story_points}`).toContain(row.story_points);
  }
  // bulks: all or nothing
  const bulkRows = await defectsNamed(client, 'bulk-*');
  const perPrefix = new Map<string, number>();
  for (const name of bulkRows.keys()) {
    const prefix = name.slice(0, -2);
    perPrefix.set(prefix, (perPrefix.get(prefix) ?? 0) + 1);
  }
  for (const b of bulks) {
    const n = perPrefix.get(b.prefix) ?? 0;
    if (b.outcome === 'acked') expect(n, `acknowledged bulk ${b.prefix}`).toBe(BULK);
    else expect([0, BULK], `bulk ${b.prefix} (answer never came) half-applied`).toContain(n);
    if (b.ids) expect(b.ids.map((_, i) => bulkRows.get(`${b.prefix}${String(i).padStart(2, '0')}`)?.id), `bulk ${b.prefix}: ids`).toEqual(b.ids);
  }
  // attachments: bytes by sha256
  const list = await client.get(`${WS}/attachments?fields=name,size&limit=2000`);
  expect(list.status).toBe(200);
  const byName = new Map<string, { id: string; size: number }>(list.body.data.map((a: { id: string; name: string; size: number }) => [a.name, a]));
  for (const u of uploads) {
    const a = byName.get(u.name);
    if (u.outcome === 'acked') expect(a, `acknowledged upload ${u.name} lost`).toBeDefined();
    if (!a) continue;
    expect(a.size, `${u.name}: size`).toBe(u.size);
    const d = await client.get(`${WS}/attachments/${a.id}`, { accept: 'application/octet-stream' });
    expect(d.status).toBe(200);
    expect(createHash('sha256').update(d.bytes).digest('hex'), `${u.name}: bytes`).toBe(u.sha256);
  }
  // test-results: every acknowledged task reaches its end and created its runs, once each (a
  // task interrupted by the kill is taken up again and must not run twice)
  const runNames = new Map<string, number>();
  for (let offset = 0; ; offset += 2000) {
    const r = await client.get(`${WS}/runs?query=${encodeURIComponent('"name EQ ^test_*^"')}&fields=name&limit=2000&offset=${offset}`);
    expect(r.status, r.text).toBe(200);
    for (const e of r.body.data) runNames.set(e.name, (runNames.get(e.name) ?? 0) + 1);
    if (r.body.data.length < 2000) break;
  }
  for (const [name, n] of runNames) expect(n, `run ${name} exists ${n} times`).toBe(1);
  for (const p of pushes) {
    if (p.outcome !== 'acked') continue;
    let status = '';
    let body: any;
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(50)) {
      const r = await client.get(`${WS}/test-results/${p.id}`);
      expect(r.status, `task ${p.id}: ${r.text}`).toBe(200);
      body = r.body;
      status = String(r.body.status).toLowerCase();
      if (status !== 'queued' && status !== 'running') break;
    }
    expect(status, `task ${p.id} of ${p.build}: ${JSON.stringify(body)}`).toBe('success');
    expect(body.runs_created + body.runs_updated + body.runs_skipped, `task ${p.id}: runs`).toBe(p.runs);
    const tag = p.build.slice('build-'.length);
    for (let i = 0; i < p.runs; i++) expect(runNames.get(`test_${tag}_${i}`), `run test_${tag}_${i} of acknowledged task ${p.id}`).toBe(1);
  }
}

describe('crash safety: SIGKILL mid-stream, restart on the same file', () => {
  it(`${CYCLES} kill/restart cycles under concurrent writes: acknowledged writes survive, nothing half-applied, integrity ok`, { timeout: 100_000 }, async () => {
    let server: ServerProcess = await startServer(dbFile);
    let client = await new HttpClient(server.url).signIn();
    ROOT.id = (await client.get(`${WS}/work_item_roots`)).body.data[0].id;
    const owner = (await client.post(`${WS}/defects`, { data: [{ name: 'attachment owner', phase: NEW, parent: ROOT }] })).body.data[0].id as string;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const stop = { now: false };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(client, cycle, w, owner, stop));
      // let writes flow for a while, then kill at an arbitrary moment
      await sleep(1200 + ((cycle * 523) % 900));
      server.child.kill('SIGKILL');
      await server.exited;
      stop.now = true;
      await Promise.all(writers);
      figures.cycles++;

      // the file as the next process finds it: recovered, consistent
      const db = new Database(dbFile);
      try {
        expect(integrityCheck(db), `integrity after kill ${cycle + 1}`).toBe('ok');
        expect((db.pragma('foreign_key_check') as unknown[]).length).toBe(0);
        // an attachment and its bytes are written together: no bytes without an entity, no
        // entity without its bytes
        const orphanBytes = db.prepare('SELECT count(*) AS n FROM attachment_content c WHERE NOT EXISTS (SELECT 1 FROM e_attachment a WHERE a.id = c.id)').get() as { n: number };
        const missingBytes = db.prepare('SELECT count(*) AS n FROM e_attachment a WHERE NOT EXISTS (SELECT 1 FROM attachment_content c WHERE c.id = a.id)').get() as { n: number };
        expect(orphanBytes.n, `attachment bytes without an entity after kill ${cycle + 1}`).toBe(0);
        expect(missingBytes.n, `attachments without bytes after kill ${cycle + 1}`).toBe(0);
      } finally {
        db.close();
      }

      server = await startServer(dbFile);
      client = await new HttpClient(server.url).signIn();
      await verify(client);
    }

    const all = [...singles.map((s) => s.outcome), ...singles.flatMap((s) => s.updates.map((u) => u.outcome)), ...bulks.map((b) => b.outcome), ...uploads.map((u) => u.outcome), ...pushes.map((p) => p.outcome)];
    figures.acknowledged = all.filter((o) => o === 'acked').length;
    figures.unknown = all.filter((o) => o === 'unknown').length;
    // the cycles did real work: each kind of write was acknowledged many times
    expect(singles.filter((s) => s.outcome === 'acked').length).toBeGreaterThan(20);
    expect(bulks.filter((b) => b.outcome === 'acked').length).toBeGreaterThan(10);
    expect(uploads.filter((u) => u.outcome === 'acked').length).toBeGreaterThan(10);
    expect(pushes.filter((p) => p.outcome === 'acked').length).toBeGreaterThan(10);
    expect(singles.flatMap((s) => s.updates).filter((u) => u.outcome === 'acked').length).toBeGreaterThan(10);
    // eslint-disable-next-line no-console
    console.log(`crash figures: ${JSON.stringify({ ...figures, singles: singles.length, bulks: bulks.length, uploads: uploads.length, pushes: pushes.length })}`);

    // a clean stop at the end
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const db = new Database(dbFile);
    try {
      expect(integrityCheck(db)).toBe('ok');
    } finally {
      db.close();
    }
  });
});
