// Sign-in, sessions and sign-out with a hand-written HTTP client (fetch, cookies kept by hand from
// Set-Cookie), as the vendor's documentation shows them (sign-in.htm, Authenticate.htm,
// Cookies.htm) and as tools send them: JSON bodies with Content-Type / Accept application/json, the
// API-key form {"client_id","client_secret"}, HTTP Basic, the client-type and preview headers, and
// gzip request bodies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { CI_CLIENT, PREVIEW_HEADER, parseSetCookie, query, RawClient, UI_CLIENT } from '../helpers/raw-client.js';
import { listen } from '../helpers/sdk.js';
import { tag } from '../helpers/seeds.js';
import { CORRELATION_ID } from '../helpers/octane.js';

let t: TestApp;
let server: string;
let ws: string;

beforeAll(async () => {
  t = await makeApp();
  ({ server } = await listen(t));
  const { sharedSpaceId, workspaceId } = t.app.emulator.defaults;
  ws = `/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}`;
});
afterAll(() => t.close());

function expectAuthError(body: any): void {
  expect(body).toMatchObject({ error_code: 'platform.authentication_failed', business_error: false });
  expect(body.correlation_id).toMatch(CORRELATION_ID);
  expect(body.description_translated).toBe(body.description);
}

describe('sign in', () => {
  it(`{"user","password"}: 200, an empty body, LWSSO_COOKIE_KEY (HttpOnly, Path=/) and OCTANE_USER ${tag({ resource: 'sign_in', method: 'POST' })}`, async () => {
    const c = new RawClient(server);
    const r = await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    const cookies = Object.fromEntries(r.setCookies.map((h) => [parseSetCookie(h).name, parseSetCookie(h)]));
    expect(Object.keys(cookies).sort()).toEqual(['LWSSO_COOKIE_KEY', 'OCTANE_USER']);
    expect(cookies.LWSSO_COOKIE_KEY.value.length).toBeGreaterThan(10);
    expect(cookies.LWSSO_COOKIE_KEY.attributes).toMatchObject({ path: '/', httponly: true });
    expect(cookies.OCTANE_USER).toMatchObject({ value: 'sa@nga', attributes: { path: '/' } });
    const list = await c.get(`${ws}/work_item_roots?fields=name`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ total_count: 1, data: [{ type: 'work_item_root', id: expect.stringMatching(/^\d+$/), name: 'Backlog' }], exceeds_total_count: false });
  });

  it(`{"client_id","client_secret"} (API access key) ${tag({ resource: 'sign_in', method: 'POST' })}`, async () => {
    const { clientId, clientSecret } = t.app.emulator.config.apiKey;
    const c = new RawClient(server);
    expect((await c.signIn({ client_id: clientId, client_secret: clientSecret })).status).toBe(200);
    expect(c.jar.get('OCTANE_USER')).toBe(clientId);
    expect((await c.get(`${ws}/defects?limit=1`)).status).toBe(200);
  });

  it(`wrong password, unknown user, unknown key: 401 with Octane's error body, no cookie ${tag({ resource: 'sign_in', method: 'POST' })}`, async () => {
    for (const creds of [
      { user: 'sa@nga', password: 'wrong' },
      { user: 'nobody@nga', password: 'Welcome1' },
      { client_id: 'no_such_key', client_secret: 'x' },
    ]) {
      const c = new RawClient(server);
      const r = await c.signIn(creds);
      expect(r.status, JSON.stringify(creds)).toBe(401);
      expectAuthError(r.body);
      expect(r.setCookies).toEqual([]);
    }
  });

  it('a request without a session: 401 with the error body; with the cookie from sign-in: 200', async () => {
    const anonymous = new RawClient(server);
    const r = await anonymous.get(`${ws}/defects`);
    expect(r.status).toBe(401);
    expectAuthError(r.body);
    const c = new RawClient(server);
    await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
    expect((await c.get(`${ws}/defects`)).status).toBe(200);
  });

  it('the server re-issues the session cookie on answers; the client replaces the one it holds', async () => {
    const c = new RawClient(server);
    await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
    const before = c.jar.get('LWSSO_COOKIE_KEY');
    const r = await c.get(`${ws}/phases?limit=1`);
    expect(r.setCookies.map((h) => parseSetCookie(h).name)).toContain('LWSSO_COOKIE_KEY');
    expect(c.jar.get('LWSSO_COOKIE_KEY')).toBe(before);
  });

  it('HTTP Basic with a user or an API key, on each request, without sign-in', async () => {
    const { clientId, clientSecret } = t.app.emulator.config.apiKey;
    for (const [user, secret] of [
      ['sa@nga', 'Welcome1'],
      [clientId, clientSecret],
    ]) {
      const c = new RawClient(server, { Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });
      expect((await c.get(`${ws}/defects?limit=1`)).status, user).toBe(200);
    }
    const bad = new RawClient(server, { Authorization: `Basic ${Buffer.from('sa@nga:nope').toString('base64')}` });
    const r = await bad.get(`${ws}/defects?limit=1`);
    expect(r.status).toBe(401);
    expectAuthError(r.body);
  });
});

describe('client-type and preview headers', () => {
  let c: RawClient;
  beforeAll(async () => {
    c = new RawClient(server);
    await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
  });

  it('a technical-preview resource: 403 without a header; served with ALM-OCTANE-TECH-PREVIEW: true, or HPECLIENTTYPE: HPE_MQM_UI (the UI)', async () => {
    const plain = await c.get(`${ws}/quality_stories`);
    expect(plain.status).toBe(403);
    expect(plain.body.error_code).toBe('platform.tech_preview_required');
    expect((await c.get(`${ws}/quality_stories`, { headers: PREVIEW_HEADER })).status).toBe(200);
    expect((await c.get(`${ws}/quality_stories`, { headers: UI_CLIENT })).status).toBe(200);
    // the deprecated spellings
    expect((await c.get(`${ws}/quality_stories`, { headers: { HPECLIENTTYPE: 'HPE_REST_API_TECH_PREVIEW' } })).status).toBe(200);
    expect((await c.get(`${ws}/quality_stories`, { headers: { HPECLIENTTYPE: 'ALM_OCTANE_TECH_PREVIEW' } })).status).toBe(200);
  });

  it('public resources need no header; HPECLIENTTYPE: HPE_CI_CLIENT changes nothing for them', async () => {
    expect((await c.get(`${ws}/defects?limit=1`, { headers: CI_CLIENT })).status).toBe(200);
    expect((await c.get(`${ws}/ci_servers?limit=1`, { headers: CI_CLIENT })).status).toBe(200);
  });
});

describe('bodies', () => {
  let c: RawClient;
  beforeAll(async () => {
    c = new RawClient(server);
    await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
  });

  it(`a gzip JSON body (Content-Encoding: gzip) is inflated: create, then update ${tag({ resource: 'defects', method: ['POST', 'PUT'] })}`, async () => {
    const made = await c.post(`${ws}/defects`, { data: [{ name: 'raw gzip defect' }] }, { gzip: true });
    expect(made.status, made.text).toBe(201);
    const id = made.body.data[0].id;
    const upd = await c.put(`${ws}/defects/${id}`, { name: 'raw gzip defect, renamed' }, { gzip: true });
    expect(upd.status).toBe(200);
    const fresh = await c.get(`${ws}/defects?fields=name&${query(`id EQ ${id}`)}`);
    expect(fresh.body.data).toEqual([{ type: 'defect', id, name: 'raw gzip defect, renamed' }]);
  });

  it('a body that claims gzip and is not: 400, nothing written', async () => {
    const r = await c.request('POST', `${ws}/defects`, { body: JSON.stringify({ data: [{ name: 'not really gzip' }] }), headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } });
    expect(r.status).toBe(400);
    expect((await c.get(`${ws}/defects?${query('name EQ ^not really gzip^')}`)).body.total_count).toBe(0);
  });

  it(`DELETE with Content-Type: application/json and no body (as tools send it) ${tag({ resource: 'defects', method: 'DELETE' })}`, async () => {
    const id = (await c.post(`${ws}/defects`, { data: [{ name: 'raw delete me' }] })).body.data[0].id;
    const r = await c.request('DELETE', `${ws}/defects/${id}`, { headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect((await c.get(`${ws}/defects/${id}`)).status).toBe(404);
  });

  it('a body that is not JSON: 400 with Octane\'s error body', async () => {
    const r = await c.request('POST', `${ws}/defects`, { body: '{"data": [', headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toMatch(/^platform\./);
    expect(r.body.correlation_id).toMatch(CORRELATION_ID);
  });
});

describe('sign out', () => {
  it(`POST /authentication/sign_out without a body: 200, the cookies cleared, the old cookie is refused (401) ${tag({ resource: 'sign_out', method: 'POST' })}`, async () => {
    const c = new RawClient(server);
    await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
    const held = c.cookieHeader();
    const r = await c.signOut();
    expect(r.status).toBe(200);
    const cleared = r.setCookies.map(parseSetCookie);
    expect(cleared.map((x) => x.name).sort()).toEqual(['LWSSO_COOKIE_KEY', 'OCTANE_USER']);
    expect(cleared.every((x) => x.value === '' || Date.parse(String(x.attributes.expires)) < Date.now())).toBe(true);
    expect(c.jar.size).toBe(0);
    const stale = await new RawClient(server, { Cookie: held }).get(`${ws}/defects`);
    expect(stale.status).toBe(401);
    expectAuthError(stale.body);
    // signing in again gives a new, working session
    await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
    expect(c.cookieHeader()).not.toBe(held);
    expect((await c.get(`${ws}/defects?limit=1`)).status).toBe(200);
  });
});
