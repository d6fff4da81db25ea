// The admin API under /__admin/: health, reset, snapshot/restore, fixtures, the request journal
// (bounded, filterable, secrets redacted), fault injection as a client sees each kind, and the server
// clock. Over real HTTP where the client's view matters (dropped connections, tokens).

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/index.js';
import { makeApp, ref, signIn, type TestApp } from '../helpers/app.js';
import { expectOctaneError } from '../helpers/octane.js';

const NEW = ref('phase', 'phase.defect.new');

async function adminCall(t: TestApp, method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown, headers: Record<string, string> = {}) {
  // no Octane session: the admin API does not need one
  const res = await t.app.inject({ method, url: `/__admin/${path}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, text: res.body, headers: res.headers };
}

async function names(t: TestApp): Promise<string[]> {
  const r = await t.get(`${t.ws}/defects?fields=name&order_by=name`);
  expect(r.status).toBe(200);
  return r.body.data.map((d: { name: string }) => d.name);
}

describe('admin API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ journalSize: 5 });
  });
  afterAll(() => t.close());

  it('GET health answers without a session', async () => {
    const r = await adminCall(t, 'GET', 'health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', octane_version: '25.1.0.0', database: ':memory:', shared_space_id: 1001, workspace_id: 1002 });
    expect(r.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.body.uptime_s).toBeGreaterThanOrEqual(0);
  });

  it('POST reset returns to the start-up state in one call; the caller stays signed in', async () => {
    await t.create('defects', { name: 'before reset', phase: NEW });
    expect(await names(t)).toEqual(['before reset']);
    const r = await adminCall(t, 'POST', 'reset');
    expect(r.status).toBe(200);
    expect(r.body.reset).toBe(true);
    expect(r.body.duration_ms).toBeTypeOf('number');
    expect(await names(t)).toEqual([]);
  });

  it('POST snapshot and POST restore round-trip the data; unknown or missing ids are refused', async () => {
    await t.create('defects', { name: 'kept', phase: NEW });
    const snap = await adminCall(t, 'POST', 'snapshot');
    expect(snap.status).toBe(201);
    expect(snap.body.id).toMatch(/^snap-/);
    expect(Date.parse(snap.body.created_at)).not.toBeNaN();
    await t.create('defects', { name: 'dropped', phase: NEW });
    expect(await names(t)).toEqual(['dropped', 'kept']);

    const restored = await adminCall(t, 'POST', 'restore', { id: snap.body.id });
    expect(restored.status).toBe(200);
    expect(restored.body.restored).toBe(snap.body.id);
    expect(await names(t)).toEqual(['kept']);

    expectOctaneError(await adminCall(t, 'POST', 'restore', { id: 'snap-nope' }), 404);
    expectOctaneError(await adminCall(t, 'POST', 'restore', {}), 400);
    await adminCall(t, 'POST', 'reset');
  });

  it('POST fixtures loads a fixture into the default workspace; a bad one is a 400 that writes nothing', async () => {
    const ok = await adminCall(t, 'POST', 'fixtures', {
      releases: [{ '@key': 'rel', name: 'Fixture release', start_date: '2026-05-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }],
      defects: [{ name: 'fixture defect', phase: NEW, detected_in_release: { type: 'release', id: '@rel' } }],
    });
    expect(ok.status).toBe(201);
    const found = await t.get(`${t.ws}/defects?fields=name,detected_in_release`);
    expect(found.body.data.map((d: any) => [d.name, d.detected_in_release?.name])).toEqual([['fixture defect', 'Fixture release']]);

    const bad = await adminCall(t, 'POST', 'fixtures', { defects: [{ name: 'would be written', phase: NEW }, { name: 'bad', phase: ref('phase', 'phase.nope') }] });
    expectOctaneError(bad, 400);
    expect(await names(t)).toEqual(['fixture defect']);
    const notObject = await adminCall(t, 'POST', 'fixtures', [1, 2]);
    expectOctaneError(notObject, 400);
    expect(notObject.body.description).toContain('fixture');
    expectOctaneError(await adminCall(t, 'POST', 'fixtures?workspace=abc', { defects: [] }), 400);
    await adminCall(t, 'POST', 'reset');
  });

  describe('GET requests (the journal)', () => {
    it('records method, URL, status, duration, headers without secrets and a body digest; admin calls are not recorded', async () => {
      await adminCall(t, 'DELETE', 'requests');
      const body = { data: [{ name: 'journaled', phase: NEW }] };
      await t.post(`${t.ws}/defects`, body, { authorization: 'Basic c2FAbmdhOldlbGNvbWUx', 'x-custom': 'shown' });
      await t.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: 'sa@nga', password: 'Welcome1' } });
      await t.get(`${t.ws}/defects?password=hunter2&fields=name`);
      await adminCall(t, 'GET', 'health');

      const r = await adminCall(t, 'GET', 'requests');
      expect(r.status).toBe(200);
      expect(r.body.total_count).toBe(3);
      const [post, signin, get] = r.body.data;
      expect(post).toMatchObject({ method: 'POST', url: `${t.ws}/defects`, status: 201 });
      expect(post.duration_ms).toBeGreaterThanOrEqual(0);
      expect(post.headers.authorization).toBe('[redacted]');
      expect(post.headers.cookie).toBe('[redacted]');
      expect(post.headers['x-custom']).toBe('shown');
      expect(post.body_sha256).toBe(createHash('sha256').update(JSON.stringify(body)).digest('hex'));
      expect(post.body_bytes).toBe(Buffer.byteLength(JSON.stringify(body)));
      // the password never reaches the journal, not even as the digest of the raw body
      expect(JSON.stringify(r.body)).not.toContain('Welcome1');
      expect(signin.body_sha256).not.toBe(createHash('sha256').update(JSON.stringify({ user: 'sa@nga', password: 'Welcome1' })).digest('hex'));
      expect(get.url).toBe(`${t.ws}/defects?password=%5Bredacted%5D&fields=name`);
      expect(JSON.stringify(r.body)).not.toContain('hunter2');
      expect(get.body_sha256).toBeNull();
      expect(r.body.data.map((e: { id: number }) => e.id)).toEqual([...r.body.data.map((e: { id: number }) => e.id)].sort((a, b) => a - b));
    });

    it('filters by method, URL part and status, limits to the newest, and DELETE clears it', async () => {
      await adminCall(t, 'DELETE', 'requests');
      await t.get(`${t.ws}/defects`);
      await t.get(`${t.ws}/no_such_things`);
      await t.post(`${t.ws}/defects`, { data: [{ name: 'x', phase: NEW }] });
      expect((await adminCall(t, 'GET', 'requests?method=get')).body.total_count).toBe(2);
      expect((await adminCall(t, 'GET', 'requests?status=404')).body.data.map((e: any) => e.url)).toEqual([`${t.ws}/no_such_things`]);
      expect((await adminCall(t, 'GET', 'requests?url=no_such')).body.total_count).toBe(1);
      const newest = await adminCall(t, 'GET', 'requests?limit=1');
      expect(newest.body.data.map((e: any) => e.method)).toEqual(['POST']);
      expectOctaneError(await adminCall(t, 'GET', 'requests?limit=0'), 400);
      const cleared = await adminCall(t, 'DELETE', 'requests');
      expect(cleared.body).toEqual({ cleared: 3 });
      expect((await adminCall(t, 'GET', 'requests')).body).toEqual({ total_count: 0, data: [] });
      await adminCall(t, 'POST', 'reset');
    });

    it('is a ring buffer of journalSize entries: the oldest go first', async () => {
      await adminCall(t, 'DELETE', 'requests');
      for (let i = 0; i < 8; i++) await t.get(`${t.ws}/defects?offset=${i}`);
      const r = await adminCall(t, 'GET', 'requests');
      expect(r.body.total_count).toBe(5);
      expect(r.body.data.map((e: any) => e.url)).toEqual([3, 4, 5, 6, 7].map((i) => `${t.ws}/defects?offset=${i}`));
    });
  });

  describe('faults, as a client sees them', () => {
    it('latency: matching requests are slowed by latency_ms, others are not', async () => {
      const f = await adminCall(t, 'POST', 'faults', { method: 'GET', url: '/releases', latency_ms: 250 });
      expect(f.status).toBe(201);
      expect(f.body).toMatchObject({ id: expect.any(Number), method: 'GET', url: '/releases', latency_ms: 250, hits: 0 });
      let t0 = performance.now();
      expect((await t.get(`${t.ws}/releases`)).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
      t0 = performance.now();
      await t.get(`${t.ws}/defects?limit=1`);
      const unmatched = performance.now() - t0;
      expect(unmatched).toBeLessThan(240);
      const listed = await adminCall(t, 'GET', 'faults');
      expect(listed.body.total_count).toBe(1);
      expect(listed.body.data[0].hits).toBe(1);
      expect((await adminCall(t, 'DELETE', `faults/${f.body.id}`)).body).toEqual({ removed: 1 });
    });

    it('status: an Octane error body with the given status and code, for count requests only', async () => {
      await adminCall(t, 'POST', 'faults', { method: 'POST', url: '/defects', status: 503, count: 2 });
      await adminCall(t, 'POST', 'faults', { url: '/^.*\\/releases\\/\\d+$/', status: 409, error_code: 'platform.concurrency_conflict', description: 'Injected conflict' });
      for (let i = 0; i < 2; i++) {
        const r = await t.post(`${t.ws}/defects`, { data: [{ name: `refused ${i}`, phase: NEW }] });
        expectOctaneError(r, 503, 'platform.service_unavailable');
        expect(r.body.description).toContain('Fault injected');
      }
      expect(await names(t)).toEqual([]);
      // the third passes: the count is used up
      expect((await t.post(`${t.ws}/defects`, { data: [{ name: 'third', phase: NEW }] })).status).toBe(201);
      // a regular expression on the path: instance URLs only
      const conflict = await t.get(`${t.ws}/releases/1`);
      expectOctaneError(conflict, 409, 'platform.concurrency_conflict');
      expect(conflict.body.description).toBe('Injected conflict');
      expect((await t.get(`${t.ws}/releases`)).status).toBe(200);
      expect((await adminCall(t, 'DELETE', 'faults')).body).toEqual({ removed: 2 });
      await adminCall(t, 'POST', 'reset');
    });

    it('rate: 0 never fires, 1 always does', async () => {
      await adminCall(t, 'POST', 'faults', { url: '/defects', status: 500, rate: 0 });
      for (let i = 0; i < 5; i++) expect((await t.get(`${t.ws}/defects`)).status).toBe(200);
      await adminCall(t, 'DELETE', 'faults');
      await adminCall(t, 'POST', 'faults', { url: '/defects', status: 502, rate: 1 });
      for (let i = 0; i < 3; i++) expectOctaneError(await t.get(`${t.ws}/defects`), 502);
      await adminCall(t, 'DELETE', 'faults');
    });

    it('expire_session: the caller gets 401 VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT, stays signed out, and can sign in again', async () => {
      const other = await makeApp();
      try {
        await adminCall(other, 'POST', 'faults', { url: '/work_items', expire_session: true, count: 1 });
        const r = await other.get(`${other.ws}/work_items`);
        expectOctaneError(r, 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
        // the session really ended
        expectOctaneError(await other.get(`${other.ws}/defects`), 401);
        const cookies = await signIn(other.app);
        const again = await other.app.inject({ method: 'GET', url: `${other.ws}/work_items`, cookies });
        expect(again.statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });

    it('a rule needs a kind, and its fields are checked', async () => {
      for (const rule of [{}, { url: '/defects' }, { status: 200 }, { latency_ms: -1 }, { status: 503, rate: 2 }, { status: 503, count: 0 }, { url: '/(/', status: 500 }, { method: 'G E T', status: 500 }, [1]]) {
        expectOctaneError(await adminCall(t, 'POST', 'faults', rule), 400);
      }
      expect((await adminCall(t, 'GET', 'faults')).body.total_count).toBe(0);
      expectOctaneError(await adminCall(t, 'DELETE', 'faults/999'), 404);
    });
  });

  describe('clock', () => {
    it('freeze: creation times are the frozen moment; shift moves it; unfreeze lets it run; reset returns to real time', async () => {
      const frozen = await adminCall(t, 'POST', 'clock', { freeze: '2025-01-02T03:04:05Z' });
      expect(frozen.body).toEqual({ now: '2025-01-02T03:04:05.000Z', frozen: true });
      const [a] = await t.create('defects', { name: 'frozen', phase: NEW });
      await new Promise((r) => setTimeout(r, 30));
      const [b] = await t.create('defects', { name: 'still frozen', phase: NEW });
      const read = await t.get(`${t.ws}/defects?fields=creation_time,last_modified&query="id IN ${a},${b}"`);
      expect(read.body.data.map((d: any) => d.creation_time)).toEqual(['2025-01-02T03:04:05Z', '2025-01-02T03:04:05Z']);

      const shifted = await adminCall(t, 'POST', 'clock', { shift: '2h' });
      expect(shifted.body).toEqual({ now: '2025-01-02T05:04:05.000Z', frozen: true });
      const [c] = await t.create('defects', { name: 'two hours later', phase: NEW });
      expect((await t.get(`${t.ws}/defects/${c}?fields=creation_time`)).body.creation_time).toBe('2025-01-02T05:04:05Z');
      // "recent" is relative to the server clock
      const recent = await t.get(`${t.ws}/defects?fields=name&query="creation_time GT ^2025-01-02T04:00:00Z^"`);
      expect(recent.body.data.map((d: any) => d.name)).toEqual(['two hours later']);

      expect((await adminCall(t, 'GET', 'clock')).body).toEqual({ now: '2025-01-02T05:04:05.000Z', frozen: true });
      const running = await adminCall(t, 'POST', 'clock', { unfreeze: true });
      expect(running.body.frozen).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
      const later = Date.parse((await adminCall(t, 'GET', 'clock')).body.now);
      expect(later).toBeGreaterThan(Date.parse('2025-01-02T05:04:05.000Z'));
      expect(later).toBeLessThan(Date.parse('2025-01-02T05:05:05.000Z'));

      const real = await adminCall(t, 'POST', 'clock', { reset: true });
      expect(real.body.frozen).toBe(false);
      expect(Math.abs(Date.parse(real.body.now) - Date.now())).toBeLessThan(5000);
      await adminCall(t, 'POST', 'reset');
    });

    it('shifting past the idle timeout expires sessions, as waiting would', async () => {
      const other = await makeApp();
      try {
        expect((await other.get(`${other.ws}/defects`)).status).toBe(200);
        await adminCall(other, 'POST', 'clock', { shift: '181m' });
        expectOctaneError(await other.get(`${other.ws}/defects`), 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
      } finally {
        await other.close();
      }
    });

    it('bad clock requests are 400s', async () => {
      for (const body of [{}, { freeze: 'yesterday' }, { shift: 'later' }, { shift: '2 weeks' }]) {
        expectOctaneError(await adminCall(t, 'POST', 'clock', body), 400);
      }
      expect((await adminCall(t, 'GET', 'clock')).body.frozen).toBe(false);
    });
  });
});

describe('admin API over HTTP', () => {
  let e: RunningEmulator;
  beforeAll(async () => {
    e = await startEmulator({ admin: { enabled: true, token: 's3cret-token' } });
  });
  afterAll(() => e.close());

  it('a token protects every endpoint but health (X-Admin-Token or Bearer)', async () => {
    expect((await fetch(`${e.url}/__admin/health`)).status).toBe(200);
    const refused = await fetch(`${e.url}/__admin/reset`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error_code: string }).error_code).toBe('platform.authentication_failed');
    expect((await fetch(`${e.url}/__admin/reset`, { method: 'POST', headers: { 'x-admin-token': 'wrong' } })).status).toBe(401);
    expect((await fetch(`${e.url}/__admin/reset`, { method: 'POST', headers: { 'x-admin-token': 's3cret-token' } })).status).toBe(200);
    expect((await fetch(`${e.url}/__admin/requests`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
  });

  it('drop: the connection closes without an answer, then the server serves again', async () => {
    const headers = { 'x-admin-token': 's3cret-token', 'content-type': 'application/json' };
    const rule = await fetch(`${e.url}/__admin/faults`, { method: 'POST', headers, body: JSON.stringify({ url: '/sign_in', drop: true, count: 1 }) });
    expect(rule.status).toBe(201);
    const body = JSON.stringify({ user: e.credentials.user, password: e.credentials.password });
    await expect(fetch(`${e.url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).rejects.toThrow(/fetch failed/);
    const ok = await fetch(`${e.url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
  });
});

describe('admin API turned off', () => {
  it('answers 404 under /__admin/', async () => {
    const t = await makeApp({ admin: { enabled: false } });
    try {
      for (const p of ['health', 'reset', 'requests']) {
        const r = await t.app.inject({ method: p === 'reset' ? 'POST' : 'GET', url: `/__admin/${p}` });
        expect(r.statusCode).toBe(404);
      }
    } finally {
      await t.close();
    }
  });
});
