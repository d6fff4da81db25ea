// Sign-in minimum: the session cookies, 401 on every /api/** request without a session, Basic
// auth, sign-out, and the default API key in both body forms.

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { expectOctaneError } from '../helpers/octane.js';
import type { Reply } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

const ADMIN = { user: 'sa@nga', password: 'Welcome1' };
const API_KEY = { client_id: 'octane_emulator_client', client_secret: 'octane-emulator-secret' };

function reply(res: LightMyRequestResponse): Reply {
  const json = String(res.headers['content-type'] ?? '').includes('json') && res.body ? JSON.parse(res.body) : undefined;
  return { status: res.statusCode, body: json, text: res.body, headers: res.headers };
}

/** A request with exactly the credentials given (none by default). */
async function raw(method: InjectOptions['method'], url: string, opts: { cookies?: Record<string, string>; headers?: Record<string, string>; payload?: unknown } = {}) {
  const res = await t.app.inject({
    method,
    url,
    cookies: opts.cookies,
    headers: opts.headers,
    ...(opts.payload === undefined ? {} : { payload: opts.payload as InjectOptions['payload'] }),
  });
  return { res, r: reply(res) };
}

async function signIn(body: unknown) {
  return raw('POST', '/authentication/sign_in', { payload: body });
}

function cookieJar(res: LightMyRequestResponse): Record<string, string> {
  return Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
}

const basic = (user: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });

describe('sign-in', () => {
  it('sets LWSSO_COOKIE_KEY (HttpOnly, Path=/) and OCTANE_USER', async () => {
    const { res, r } = await signIn(ADMIN);
    expect(r.status).toBe(200);
    const lwsso = res.cookies.find((c) => c.name === 'LWSSO_COOKIE_KEY');
    expect(lwsso).toBeDefined();
    expect(lwsso!.value.length).toBeGreaterThanOrEqual(20);
    expect(lwsso!.httpOnly).toBe(true);
    expect(lwsso!.path).toBe('/');
    const user = res.cookies.find((c) => c.name === 'OCTANE_USER');
    expect(user).toBeDefined();
    expect(user!.value).toBe('sa@nga');
    expect(user!.path).toBe('/');
    // the raw header too, as a cookie jar keyed by path sees it
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
    const lwssoHeader = setCookie.find((h) => h.startsWith('LWSSO_COOKIE_KEY='))!;
    expect(lwssoHeader).toMatch(/;\s*Path=\/(;|$)/);
    expect(lwssoHeader).toMatch(/;\s*HttpOnly/i);
  });

  it('the session cookie opens the API', async () => {
    const { res } = await signIn(ADMIN);
    const { r } = await raw('GET', `${t.ws}/defects`, { cookies: cookieJar(res) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ exceeds_total_count: false });
  });

  it('two sign-ins give two different sessions', async () => {
    const a = cookieJar((await signIn(ADMIN)).res).LWSSO_COOKIE_KEY;
    const b = cookieJar((await signIn(ADMIN)).res).LWSSO_COOKIE_KEY;
    expect(a).not.toBe(b);
  });

  it.each([
    ['a wrong password', { user: 'sa@nga', password: 'wrong' }],
    ['an unknown user', { user: 'nobody@nga', password: 'Welcome1' }],
    ['an empty password', { user: 'sa@nga', password: '' }],
    ['no password', { user: 'sa@nga' }],
    ['a wrong API key secret', { client_id: API_KEY.client_id, client_secret: 'nope' }],
  ])('%s -> 401 platform.authentication_failed and no session cookie', async (_what, body) => {
    const { res, r } = await signIn(body);
    expectOctaneError(r, 401, 'platform.authentication_failed');
    expect(res.cookies.find((c) => c.name === 'LWSSO_COOKIE_KEY' && c.value)).toBeUndefined();
  });
});

describe('every /api/** request needs a session', () => {
  it('every collection and instance URI of the resource table answers 401 without one', async () => {
    const bases = { workspace: t.ws, space: t.space, site: '/api' } as const;
    let checked = 0;
    for (const e of t.app.emulator.registry.entities) {
      for (const name of [e.collection, ...(e.aliases ?? [])]) {
        for (const url of [`${bases[e.level]}/${name}`, `${bases[e.level]}/${name}/1001`]) {
          const { r } = await raw('GET', url);
          expect(r.status, url).toBe(401);
          expect(r.body?.error_code, url).toBe('platform.authentication_failed');
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the error has the full Octane shape', async () => {
    const { r } = await raw('GET', `${t.ws}/defects`);
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });

  it('writes without a session are refused before anything is written', async () => {
    const before = (await t.get(`${t.ws}/releases?limit=1`)).body.total_count;
    const { r } = await raw('POST', `${t.ws}/releases`, { payload: { data: [{ name: 'auth-anon', start_date: '2025-01-01', end_date: '2025-02-01' }] } });
    expectOctaneError(r, 401, 'platform.authentication_failed');
    expect((await t.get(`${t.ws}/releases?limit=1`)).body.total_count).toBe(before);
  });

  it('unknown /api paths, unknown workspaces and preview resources also answer 401 (not 404/403)', async () => {
    for (const url of ['/api/no_such_root', `${t.ws}/no_such_things`, '/api/shared_spaces/987654/workspaces/1002/defects', `${t.ws}/milestones`, `${t.space}/users`]) {
      const { r } = await raw('GET', url);
      expect(r.status, url).toBe(401);
      expect(r.body.error_code, url).toBe('platform.authentication_failed');
    }
  });

  it('a forged session cookie -> 401', async () => {
    const { r } = await raw('GET', `${t.ws}/defects`, { cookies: { LWSSO_COOKIE_KEY: 'not-a-session-token' } });
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });

  it('the OCTANE_USER cookie alone is not a session', async () => {
    const { r } = await raw('GET', `${t.ws}/defects`, { cookies: { OCTANE_USER: 'sa@nga' } });
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });
});

describe('HTTP Basic', () => {
  it('the admin credentials work on every request without a session', async () => {
    const { r } = await raw('GET', `${t.ws}/defects`, { headers: basic(ADMIN.user, ADMIN.password) });
    expect(r.status).toBe(200);
    const created = await raw('POST', `${t.ws}/releases`, {
      headers: basic(ADMIN.user, ADMIN.password),
      payload: { data: [{ name: 'auth-basic-release', start_date: '2025-01-01', end_date: '2025-02-01' }] },
    });
    expect(created.r.status).toBe(201);
  });

  it('the API key works as Basic credentials', async () => {
    const { r } = await raw('GET', `${t.ws}/defects`, { headers: basic(API_KEY.client_id, API_KEY.client_secret) });
    expect(r.status).toBe(200);
  });

  it.each([
    ['a wrong password', basic(ADMIN.user, 'wrong')],
    ['an unknown user', basic('nobody', 'Welcome1')],
    ['a header that is not base64 user:password', { authorization: 'Basic !!!' }],
  ])('%s -> 401', async (_what, headers) => {
    const { r } = await raw('GET', `${t.ws}/defects`, { headers });
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });
});

describe('sign-out', () => {
  it('ends the session: the same cookie then gets 401', async () => {
    const jar = cookieJar((await signIn(ADMIN)).res);
    expect((await raw('GET', `${t.ws}/defects`, { cookies: jar })).r.status).toBe(200);
    const out = await raw('POST', '/authentication/sign_out', { cookies: jar });
    expect(out.r.status).toBe(200);
    // the cookies are cleared on the client
    const cleared = out.res.cookies.find((c) => c.name === 'LWSSO_COOKIE_KEY');
    expect(cleared).toBeDefined();
    expect(cleared!.value).toBe('');
    const after = await raw('GET', `${t.ws}/defects`, { cookies: jar });
    expectOctaneError(after.r, 401, 'platform.authentication_failed');
  });

  it('ending one session leaves the others alive', async () => {
    const a = cookieJar((await signIn(ADMIN)).res);
    const b = cookieJar((await signIn(ADMIN)).res);
    await raw('POST', '/authentication/sign_out', { cookies: a });
    expect((await raw('GET', `${t.ws}/defects`, { cookies: a })).r.status).toBe(401);
    expect((await raw('GET', `${t.ws}/defects`, { cookies: b })).r.status).toBe(200);
  });

  it('sign-out with Content-Type application/json and no body is accepted', async () => {
    const jar = cookieJar((await signIn(ADMIN)).res);
    const out = await raw('POST', '/authentication/sign_out', { cookies: jar, headers: { 'content-type': 'application/json' } });
    expect(out.r.status).toBe(200);
    expect((await raw('GET', `${t.ws}/defects`, { cookies: jar })).r.status).toBe(401);
  });
});

describe('API keys', () => {
  it('sign in with {client_id, client_secret}', async () => {
    const { res, r } = await signIn(API_KEY);
    expect(r.status).toBe(200);
    const jar = cookieJar(res);
    expect(jar.LWSSO_COOKIE_KEY).toBeTruthy();
    expect(jar.OCTANE_USER).toBe(API_KEY.client_id);
    expect((await raw('GET', `${t.ws}/defects`, { cookies: jar })).r.status).toBe(200);
  });

  it('sign in with the key as {user, password} (the form the JS SDK sends)', async () => {
    const { res, r } = await signIn({ user: API_KEY.client_id, password: API_KEY.client_secret });
    expect(r.status).toBe(200);
    const jar = cookieJar(res);
    expect((await raw('GET', `${t.ws}/defects`, { cookies: jar })).r.status).toBe(200);
  });

  it('a session token also works as a bearer token', async () => {
    const jar = cookieJar((await signIn(API_KEY)).res);
    const { r } = await raw('GET', `${t.ws}/defects`, { headers: { authorization: `Bearer ${jar.LWSSO_COOKIE_KEY}` } });
    expect(r.status).toBe(200);
    const bad = await raw('GET', `${t.ws}/defects`, { headers: { authorization: 'Bearer not-a-token' } });
    expectOctaneError(bad.r, 401, 'platform.authentication_failed');
  });

  it('the defaults can be overridden by configuration', async () => {
    const other = await makeApp({ apiKey: { clientId: 'auth_test_client', clientSecret: 'auth-test-secret' } });
    try {
      const ok = await other.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { client_id: 'auth_test_client', client_secret: 'auth-test-secret' } });
      expect(ok.statusCode).toBe(200);
      const old = await other.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: API_KEY });
      expect(old.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});
