// The in-process API, as a test suite uses it: startEmulator() on a free loopback port with an
// in-memory database, driven over real HTTP; many at once; reset, seed, snapshot and restore; close
// without leaking handles.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';

const open: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  const e = await startEmulator(options);
  open.push(e);
  return e;
}

/** A minimal client: signs in with the emulator's credentials and keeps the cookies. */
async function client(e: RunningEmulator) {
  const res = await fetch(`${e.url}/authentication/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: e.credentials.user, password: e.credentials.password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const ws = `${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${e.workspaceId}`;
  const call = async (method: string, url: string, body?: unknown) => {
    const r = await fetch(`${ws}/${url}`, { method, headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    async defectNames(): Promise<string[]> {
      const r = await call('GET', 'defects?fields=name&order_by=name');
      expect(r.status).toBe(200);
      return r.body.data.map((d: { name: string }) => d.name);
    },
    async createDefect(name: string): Promise<string> {
      const r = await call('POST', 'defects', { data: [{ name, phase: { type: 'phase', id: 'phase.defect.new' } }] });
      expect(r.status).toBe(201);
      return r.body.data[0].id;
    },
  };
}

/** Open TCP servers, or sockets, of this process. */
function tcpHandles(kind: 'TCPServerWrap' | 'TCPSocketWrap' = 'TCPServerWrap'): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('startEmulator()', () => {
  it('listens on a free port of 127.0.0.1 with an in-memory database, the default tenant and credentials', async () => {
    const e = await start();
    expect(e.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(e.url).port)).toBeGreaterThan(0);
    expect(e.sharedSpaceId).toBe(1001);
    expect(e.workspaceId).toBe(1002);
    expect(e.credentials).toEqual({ user: 'sa@nga', password: 'Welcome1', clientId: 'octane_emulator_client', clientSecret: 'octane-emulator-secret' });
    expect(e.app.emulator.config.db).toBe(':memory:');
    const c = await client(e);
    // in-process starts bare unless asked for the demo
    expect(await c.defectNames()).toEqual([]);
    // the API key signs in too
    const key = await fetch(`${e.url}/authentication/sign_in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: e.credentials.clientId, client_secret: e.credentials.clientSecret }),
    });
    expect(key.status).toBe(200);
  });

  it('20 emulators run side by side in one process, each with its own data, and close without leaking handles', async () => {
    const before = tcpHandles();
    const socketsBefore = tcpHandles('TCPSocketWrap');
    const many = await Promise.all(Array.from({ length: 20 }, () => startEmulator()));
    try {
      expect(new Set(many.map((e) => e.url)).size).toBe(20);
      expect(tcpHandles()).toBe(before + 20);
      await Promise.all(
        many.map(async (e, i) => {
          const c = await client(e);
          await c.createDefect(`only in emulator ${i}`);
          expect(await c.defectNames()).toEqual([`only in emulator ${i}`]);
        }),
      );
    } finally {
      await Promise.all(many.map((e) => e.close()));
    }
    // handles are released on the next turns of the event loop; the keep-alive sockets of fetch's
    // pool close with the servers
    await settle(() => tcpHandles() === before && tcpHandles('TCPSocketWrap') <= socketsBefore);
    expect(tcpHandles()).toBe(before);
    expect(tcpHandles('TCPSocketWrap')).toBeLessThanOrEqual(socketsBefore);
    // and each is really closed
    await expect(fetch(`${many[0].url}/__admin/health`)).rejects.toThrow();
  });

  it('demo: true starts with the demo workspace; options reach the configuration', async () => {
    const demo = JSON.parse(fs.readFileSync(new URL('../fixtures/demo.json', import.meta.url), 'utf8')) as { defects: unknown[]; releases: unknown[] };
    const e = await start({ demo: true, pageSizeDefault: 5, siteAdmin: { name: 'root@example.com', password: 'S3cret!' } });
    expect(e.credentials.user).toBe('root@example.com');
    const c = await client(e);
    const defects = await c.call('GET', 'defects?fields=name');
    expect(defects.body.total_count).toBe(demo.defects.length);
    expect(defects.body.data.length).toBe(5);
    const releases = await c.call('GET', 'releases?fields=name&limit=100');
    expect(releases.body.total_count).toBe(demo.releases.length);
  });

  it('reset() returns to the start-up state: later data is gone, start-up fixtures stay, the session stays valid', async () => {
    const fixture = { defects: [{ name: 'Seeded at start', phase: { type: 'phase', id: 'phase.defect.new' } }] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-start-'));
    const file = path.join(dir, 'start.json');
    fs.writeFileSync(file, JSON.stringify(fixture));
    const e = await start({ fixtures: [file] });
    const c = await client(e);
    expect(await c.defectNames()).toEqual(['Seeded at start']);
    const first = await c.createDefect('Made by a test');
    await c.call('POST', 'releases', { data: [{ name: 'R-made-by-a-test', start_date: '2026-01-01T00:00:00Z', end_date: '2026-02-01T00:00:00Z' }] });
    expect(await c.defectNames()).toEqual(['Made by a test', 'Seeded at start']);

    e.reset();
    expect(await c.defectNames()).toEqual(['Seeded at start']);
    expect((await c.call('GET', 'releases?query="name EQ ^R-made-by-a-test^"')).body.total_count).toBe(0);
    // ids are handed out as after a start: the next defect gets the id the first one got
    expect(await c.createDefect('After the reset')).toBe(first);
    // a second reset in a row is as good as the first
    e.reset();
    e.reset();
    expect(await c.defectNames()).toEqual(['Seeded at start']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('seed() loads fixture objects and files into the default workspace, with references between items', async () => {
    const e = await start();
    const c = await client(e);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-seed-'));
    const file = path.join(dir, 'more.json');
    fs.writeFileSync(file, JSON.stringify({ defects: [{ name: 'From a file', phase: { type: 'phase', id: 'phase.defect.new' } }] }));
    const results = e.seed(
      {
        releases: [{ '@key': 'r', name: 'Seeded release', start_date: '2026-03-01T00:00:00Z', end_date: '2026-04-01T00:00:00Z' }],
        defects: [{ name: 'In the seeded release', phase: { type: 'phase', id: 'phase.defect.new' }, detected_in_release: { type: 'release', id: '@r' } }],
      },
      file,
    );
    expect(results).toHaveLength(2);
    const inRelease = await c.call('GET', 'defects?fields=name,detected_in_release&query="detected_in_release EQ {name EQ ^Seeded release^}"');
    expect(inRelease.body.data.map((d: { name: string }) => d.name)).toEqual(['In the seeded release']);
    expect(inRelease.body.data[0].detected_in_release.name).toBe('Seeded release');
    expect(await c.defectNames()).toEqual(['From a file', 'In the seeded release']);
    // a bad fixture throws, naming the problem, and leaves nothing of itself behind
    expect(() => e.seed({ defects: [{ name: 'ok', phase: { type: 'phase', id: 'phase.defect.new' } }, { name: 'no phase of that id', phase: { type: 'phase', id: 'phase.nope' } }] })).toThrow();
    expect(await c.defectNames()).toEqual(['From a file', 'In the seeded release']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('snapshot() and restore() round-trip the data, any number of times, and a later snapshot wins over reset', async () => {
    const e = await start();
    const c = await client(e);
    const a = await c.createDefect('A');
    const snapA = e.snapshot();
    await c.createDefect('B');
    expect((await c.call('DELETE', `defects/${a}`)).status).toBe(200);
    expect(await c.defectNames()).toEqual(['B']);
    const snapB = e.snapshot();

    e.restore(snapA);
    expect(await c.defectNames()).toEqual(['A']);
    // updates after a restore work on the restored rows
    const put = await c.call('PUT', `defects/${a}`, { name: 'A renamed' });
    expect(put.status).toBe(200);
    expect(await c.defectNames()).toEqual(['A renamed']);

    e.restore(snapB);
    expect(await c.defectNames()).toEqual(['B']);
    e.restore(snapA);
    expect(await c.defectNames()).toEqual(['A']);
    e.reset();
    expect(await c.defectNames()).toEqual([]);
  });

  it('a port in use is an error from startEmulator, and nothing is left open', async () => {
    const e = await start();
    const before = tcpHandles();
    await expect(startEmulator({ port: Number(new URL(e.url).port) })).rejects.toThrow(/EADDRINUSE/);
    await settle(() => tcpHandles() === before);
    expect(tcpHandles()).toBe(before);
  });
});
