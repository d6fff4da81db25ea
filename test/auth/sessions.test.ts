// Sessions as clients live them (protocol.md §2, spec/README.md "Sessions"): every sign-in form,
// the cookies and their attributes, the cookie re-issued on API responses, sign-out, a sign-in that
// carries a stale cookie, idle and absolute expiry with their VALIDATION_TOKEN_EXPIRED_* codes
// (time is moved with the emulator's clock, never slept), Basic and bearer credentials, revoked
// API keys and deleted users, /admin/version, and secrets that never come back in a response.

import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { tableOf } from '../../src/store/schema-sync.js';
import { makeApp, PREVIEW, ref, type Reply, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';

const ADMIN = { user: 'sa@nga', password: 'Welcome1' };
const API_KEY = { client_id: 'octane_emulator_client', client_secret: 'octane-emulator-secret' };
const SECOND = 1000;
const MINUTE = 60 * SECOND;

type Jar = Record<string, string>;

function reply(res: LightMyRequestResponse): Reply {
  const json = String(res.headers['content-type'] ?? '').includes('json') && res.body ? JSON.parse(res.body) : undefined;
  return { status: res.statusCode, body: json, text: res.body, headers: res.headers };
}

function jarOf(res: LightMyRequestResponse): Jar {
  return Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
}

function setCookieHeaders(res: LightMyRequestResponse): string[] {
  const h = res.headers['set-cookie'];
  return h === undefined ? [] : ([] as string[]).concat(h as string | string[]);
}

const basic = (user: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });

/** A client with exactly the credentials given, on one app. */
function client(t: TestApp) {
  const raw = async (method: InjectOptions['method'], url: string, opts: { cookies?: Jar; headers?: Record<string, string>; payload?: unknown } = {}) => {
    const res = await t.app.inject({
      method,
      url,
      cookies: opts.cookies,
      headers: opts.headers,
      ...(opts.payload === undefined ? {} : { payload: opts.payload as InjectOptions['payload'] }),
    });
    return { res, r: reply(res) };
  };
  const signIn = (body: unknown, cookies?: Jar) => raw('POST', '/authentication/sign_in', { payload: body, cookies });
  /** Signs in and returns the cookie jar (fails the test otherwise). */
  const session = async (body: unknown): Promise<Jar> => {
    const { res, r } = await signIn(body);
    expect(r.status, r.text).toBe(200);
    const jar = jarOf(res);
    expect(jar.LWSSO_COOKIE_KEY).toBeTruthy();
    return jar;
  };
  const getDefects = (opts: { cookies?: Jar; headers?: Record<string, string> }) => raw('GET', `${t.ws}/defects?limit=1`, opts);
  return { raw, signIn, session, getDefects };
}

let t: TestApp;
let c: ReturnType<typeof client>;
beforeAll(async () => {
  t = await makeApp();
  c = client(t);
});
afterAll(() => t.close());

/** The id of the workspace_role giving `logical` in the default workspace. */
async function workspaceRole(app: TestApp, logical: string, workspaceId = app.app.emulator.defaults.workspaceId): Promise<string> {
  const res = await app.get(`${app.space}/workspace_roles?${q(`workspace EQ {id EQ ${workspaceId}}`)}&fields=role{logical_name}&limit=100`);
  expect(res.status).toBe(200);
  const found = res.body.data.find((r: any) => r.role?.logical_name === logical);
  expect(found, logical).toBeDefined();
  return found.id;
}

let userSeq = 0;
/** A space user with one role in the default workspace, created by the site admin over REST. */
async function newUser(app: TestApp, role = 'role.workspace.team.member', password = 'Pa55word!'): Promise<{ id: string; name: string; password: string }> {
  const name = `sess-user-${++userSeq}@example.com`;
  const wr = await workspaceRole(app, role);
  const res = await app.post(
    `${app.space}/users`,
    { data: [{ name, email: name, first_name: 'Sess', last_name: `User${userSeq}`, password, workspace_roles: { data: [ref('workspace_role', wr)] } }] },
    PREVIEW,
  );
  expect(res.status, res.text).toBe(201);
  return { id: res.body.data[0].id, name, password };
}

/** An API key with a given secret and one role in the default workspace. */
async function newApiKey(app: TestApp, secret: string, role = 'role.workspace.team.member'): Promise<{ id: string; clientId: string }> {
  const wr = await workspaceRole(app, role);
  const res = await app.post(`${app.space}/api_accesses`, { data: [{ name: `sess-key-${++userSeq}`, client_secret: secret, workspace_roles: { data: [ref('workspace_role', wr)] } }] }, PREVIEW);
  expect(res.status, res.text).toBe(201);
  const key = res.body.data[0];
  expect(key.client_id).toMatch(/\S+/);
  return { id: key.id, clientId: key.client_id };
}

describe('the sign-in forms', () => {
  it.each([
    ['{user, password} of a user', ADMIN, 'sa@nga'],
    ['{client_id, client_secret} of an API key', API_KEY, API_KEY.client_id],
    ['{user, password} carrying an API key (the JS SDK form)', { user: API_KEY.client_id, password: API_KEY.client_secret }, API_KEY.client_id],
  ])('%s: 200, session cookies, and the session opens the API', async (_what, body, shownName) => {
    const { res, r } = await c.signIn(body);
    expect(r.status).toBe(200);
    const jar = jarOf(res);
    expect(jar.LWSSO_COOKIE_KEY.length).toBeGreaterThanOrEqual(20);
    expect(jar.OCTANE_USER).toBe(shownName);
    const read = await c.getDefects({ cookies: jar });
    expect(read.r.status).toBe(200);
    expect(read.r.body).toMatchObject({ exceeds_total_count: false, data: [] });
  });

  it('a user created over REST signs in with the password given at creation', async () => {
    const u = await newUser(t);
    const jar = await c.session({ user: u.name, password: u.password });
    expect(jar.OCTANE_USER).toBe(u.name);
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(200);
  });

  it('the cookie attributes: LWSSO_COOKIE_KEY HttpOnly with Path=/, OCTANE_USER with Path=/', async () => {
    const { res } = await c.signIn(ADMIN);
    const lwsso = res.cookies.find((x) => x.name === 'LWSSO_COOKIE_KEY')!;
    const user = res.cookies.find((x) => x.name === 'OCTANE_USER')!;
    expect(lwsso).toMatchObject({ path: '/', httpOnly: true });
    expect(user).toMatchObject({ path: '/', value: 'sa@nga' });
    // a session cookie: no expiry the client would have to honour (the server decides expiry)
    expect(lwsso.expires).toBeUndefined();
    expect(lwsso.maxAge).toBeUndefined();
    const raw = setCookieHeaders(res);
    expect(raw.filter((h) => h.startsWith('LWSSO_COOKIE_KEY='))).toHaveLength(1);
    expect(raw.find((h) => h.startsWith('LWSSO_COOKIE_KEY='))).toMatch(/;\s*Path=\/(;|$)/);
    expect(raw.find((h) => h.startsWith('LWSSO_COOKIE_KEY='))).toMatch(/;\s*HttpOnly(;|$)/i);
    expect(raw.find((h) => h.startsWith('OCTANE_USER='))).toMatch(/;\s*Path=\/(;|$)/);
  });

  it('the sign-in answer carries no secret', async () => {
    const { res } = await c.signIn(ADMIN);
    expect(res.body).not.toContain('Welcome1');
    expect(JSON.stringify(res.headers)).not.toContain('Welcome1');
  });
});

describe('bad credentials', () => {
  it.each([
    ['a wrong password', { user: 'sa@nga', password: 'Welcome2' }],
    ['the right password in another case', { user: 'sa@nga', password: 'welcome1' }],
    ['an unknown user', { user: 'ghost@example.com', password: 'Welcome1' }],
    ['an API key with a wrong secret', { client_id: API_KEY.client_id, client_secret: 'octane-emulator-secreT' }],
    ['an unknown API key', { client_id: 'no_such_client', client_secret: 'octane-emulator-secret' }],
    ['a user name with an API key secret', { user: 'sa@nga', password: API_KEY.client_secret }],
  ])('%s -> 401 in Octane\'s error shape, no session cookie', async (_what, body) => {
    const { res, r } = await c.signIn(body);
    expectOctaneError(r, 401, 'platform.authentication_failed');
    expect(r.body.business_error).toBe(false);
    expect(res.cookies.filter((x) => x.name === 'LWSSO_COOKIE_KEY' && x.value !== '')).toEqual([]);
  });

  it('the 401 does not say which of name and password was wrong', async () => {
    const wrongPw = (await c.signIn({ user: 'sa@nga', password: 'nope' })).r.body;
    const unknown = (await c.signIn({ user: 'nobody@example.com', password: 'nope' })).r.body;
    expect(wrongPw.description).toBe(unknown.description);
  });
});

describe('the session cookie on API responses', () => {
  it('an authenticated API response re-issues LWSSO_COOKIE_KEY (HttpOnly, Path=/), and the re-issued value works', async () => {
    const jar = await c.session(ADMIN);
    const { res, r } = await c.getDefects({ cookies: jar });
    expect(r.status).toBe(200);
    const again = res.cookies.find((x) => x.name === 'LWSSO_COOKIE_KEY');
    expect(again).toBeDefined();
    expect(again!.value.length).toBeGreaterThanOrEqual(20);
    expect(again).toMatchObject({ path: '/', httpOnly: true });
    // clients replace their cookie with the one in the last response
    const next = await c.getDefects({ cookies: { ...jar, LWSSO_COOKIE_KEY: again!.value } });
    expect(next.r.status).toBe(200);
  });

  it('writes re-issue it too', async () => {
    const jar = await c.session(ADMIN);
    const { res, r } = await c.raw('POST', `${t.ws}/releases`, { cookies: jar, payload: { data: [{ name: 'sess-reissue-release', start_date: '2025-01-01', end_date: '2025-02-01' }] } });
    expect(r.status).toBe(201);
    expect(res.cookies.find((x) => x.name === 'LWSSO_COOKIE_KEY')?.value).toBeTruthy();
  });

  it('a client that always keeps the last cookie stays signed in over many requests', async () => {
    let jar = await c.session(ADMIN);
    for (let i = 0; i < 5; i++) {
      const { res, r } = await c.getDefects({ cookies: jar });
      expect(r.status).toBe(200);
      jar = { ...jar, ...jarOf(res) };
    }
  });
});

describe('sign-out', () => {
  it('sign-out answers 200 and clears the cookies; the old cookie then gets 401', async () => {
    const jar = await c.session(ADMIN);
    const out = await c.raw('POST', '/authentication/sign_out', { cookies: jar });
    expect(out.r.status).toBe(200);
    const cleared = out.res.cookies.find((x) => x.name === 'LWSSO_COOKIE_KEY');
    expect(cleared?.value).toBe('');
    expect(cleared?.path).toBe('/');
    const after = await c.getDefects({ cookies: jar });
    expectOctaneError(after.r, 401, 'platform.authentication_failed');
    // the bearer form of the same token is dead too
    const bearer = await c.getDefects({ headers: { authorization: `Bearer ${jar.LWSSO_COOKIE_KEY}` } });
    expect(bearer.r.status).toBe(401);
  });

  it('signing out an API key session ends it', async () => {
    const jar = await c.session(API_KEY);
    expect((await c.raw('POST', '/authentication/sign_out', { cookies: jar })).r.status).toBe(200);
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(401);
  });

  it('signing out without a session is harmless (200) and ends nobody else\'s session', async () => {
    const other = await c.session(ADMIN);
    const out = await c.raw('POST', '/authentication/sign_out');
    expect(out.r.status).toBe(200);
    expect((await c.getDefects({ cookies: other })).r.status).toBe(200);
  });

  // The official JS SDK signs out with axios.post(url, undefined): axios then sends
  // `Content-Type: application/x-www-form-urlencoded` and an empty body. A real server signs the
  // client out whatever the content type of the (empty, ignored) body.
  it('sign-out with Content-Type application/x-www-form-urlencoded and an empty body (the JS SDK\'s form) -> 200, session ended', async () => {
    const jar = await c.session(ADMIN);
    const out = await c.raw('POST', '/authentication/sign_out', { cookies: jar, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(out.r.status, out.r.text).toBe(200);
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(401);
  });

  it('signing in again after sign-out gives a new, working session', async () => {
    const first = await c.session(ADMIN);
    await c.raw('POST', '/authentication/sign_out', { cookies: first });
    const second = await c.session(ADMIN);
    expect(second.LWSSO_COOKIE_KEY).not.toBe(first.LWSSO_COOKIE_KEY);
    expect((await c.getDefects({ cookies: second })).r.status).toBe(200);
  });
});

describe('a sign-in that carries a stale cookie still works', () => {
  it.each([
    ['a garbage LWSSO_COOKIE_KEY', { LWSSO_COOKIE_KEY: 'garbage-garbage-garbage' }],
    ['an empty LWSSO_COOKIE_KEY', { LWSSO_COOKIE_KEY: '' }],
    ['a foreign OCTANE_USER', { OCTANE_USER: 'somebody-else' }],
  ] as Array<[string, Jar]>)('%s', async (_what, stale) => {
    const { res, r } = await c.signIn(ADMIN, stale);
    expect(r.status).toBe(200);
    const jar = jarOf(res);
    expect(jar.LWSSO_COOKIE_KEY).toBeTruthy();
    expect(jar.LWSSO_COOKIE_KEY).not.toBe(stale.LWSSO_COOKIE_KEY);
    expect(jar.OCTANE_USER).toBe('sa@nga');
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(200);
  });

  it('the cookie of a signed-out session', async () => {
    const old = await c.session(ADMIN);
    await c.raw('POST', '/authentication/sign_out', { cookies: old });
    const { res, r } = await c.signIn(ADMIN, old);
    expect(r.status).toBe(200);
    const jar = jarOf(res);
    expect(jar.LWSSO_COOKIE_KEY).not.toBe(old.LWSSO_COOKIE_KEY);
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(200);
  });

  it('the still valid cookie of another principal: the new session is the new principal\'s', async () => {
    const adminJar = await c.session(ADMIN);
    const { res, r } = await c.signIn(API_KEY, adminJar);
    expect(r.status).toBe(200);
    const jar = jarOf(res);
    expect(jar.OCTANE_USER).toBe(API_KEY.client_id);
    expect(jar.LWSSO_COOKIE_KEY).not.toBe(adminJar.LWSSO_COOKIE_KEY);
    // the new session acts as the API key: it may not reach the space-level user administration
    // that only the site admin's session reaches
    const asKey = await c.raw('POST', `${t.space}/workspaces`, { cookies: jar, payload: { data: [{ name: 'sess-not-allowed' }] } });
    expectOctaneError(asKey.r, 403, 'platform.forbidden');
  });

  it('a failed sign-in carrying a valid cookie is still a 401', async () => {
    const jar = await c.session(ADMIN);
    const { r } = await c.signIn({ user: 'sa@nga', password: 'wrong' }, jar);
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });
});

describe('HTTP Basic', () => {
  it('a user\'s name and password on a request without a session', async () => {
    const u = await newUser(t);
    const { r } = await c.getDefects({ headers: basic(u.name, u.password) });
    expect(r.status).toBe(200);
  });

  it('an API key as user:password', async () => {
    const { r } = await c.getDefects({ headers: basic(API_KEY.client_id, API_KEY.client_secret) });
    expect(r.status).toBe(200);
  });

  it('Basic carries the principal\'s roles: a viewer may read but not write', async () => {
    const v = await newUser(t, 'role.workspace.viewer');
    expect((await c.getDefects({ headers: basic(v.name, v.password) })).r.status).toBe(200);
    const write = await c.raw('POST', `${t.ws}/releases`, {
      headers: basic(v.name, v.password),
      payload: { data: [{ name: 'sess-basic-viewer', start_date: '2025-01-01', end_date: '2025-02-01' }] },
    });
    expectOctaneError(write.r, 403, 'platform.forbidden');
  });

  it.each([
    ['a wrong password', () => basic('sa@nga', 'Welcome2')],
    ['an unknown user', () => basic('ghost@example.com', 'Welcome1')],
    ['a wrong API key secret', () => basic(API_KEY.client_id, 'x')],
    ['no colon', () => ({ authorization: `Basic ${Buffer.from('sa@nga').toString('base64')}` })],
  ])('%s -> 401 in Octane\'s error shape', async (_what, headers) => {
    const { r } = await c.getDefects({ headers: headers() });
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });
});

describe('bearer token', () => {
  it('the session token works as a bearer token, for users as for API keys', async () => {
    for (const creds of [ADMIN, API_KEY]) {
      const jar = await c.session(creds);
      const { r } = await c.getDefects({ headers: { authorization: `Bearer ${jar.LWSSO_COOKIE_KEY}` } });
      expect(r.status).toBe(200);
    }
  });

  it('an unknown bearer token -> 401', async () => {
    const { r } = await c.getDefects({ headers: { authorization: 'Bearer abcdefghijklmnopqrstuvwxyz0123456789' } });
    expectOctaneError(r, 401, 'platform.authentication_failed');
  });

  it('a bearer token is the session: after sign-out it is refused', async () => {
    const jar = await c.session(ADMIN);
    const headers = { authorization: `Bearer ${jar.LWSSO_COOKIE_KEY}` };
    expect((await c.getDefects({ headers })).r.status).toBe(200);
    await c.raw('POST', '/authentication/sign_out', { cookies: jar });
    expectOctaneError((await c.getDefects({ headers })).r, 401, 'platform.authentication_failed');
  });
});

describe('revoked API keys and deleted users', () => {
  it('disabling an API key (PUT enabled:false) ends its sessions and refuses new sign-ins; enabling it again restores it', async () => {
    const key = await newApiKey(t, 'revoke-me-secret');
    const creds = { client_id: key.clientId, client_secret: 'revoke-me-secret' };
    const jar = await c.session(creds);
    const sdkForm = await c.session({ user: key.clientId, password: 'revoke-me-secret' });
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(200);

    const off = await t.put(`${t.space}/api_accesses/${key.id}`, { enabled: false }, PREVIEW);
    expect(off.status, off.text).toBe(200);
    expect(off.body.enabled).toBe(false);

    expectOctaneError((await c.getDefects({ cookies: jar })).r, 401, 'platform.authentication_failed');
    expect((await c.getDefects({ cookies: sdkForm })).r.status).toBe(401);
    expectOctaneError((await c.signIn(creds)).r, 401, 'platform.authentication_failed');
    expect((await c.signIn({ user: key.clientId, password: 'revoke-me-secret' })).r.status).toBe(401);
    expectOctaneError((await c.getDefects({ headers: basic(key.clientId, 'revoke-me-secret') })).r, 401, 'platform.authentication_failed');

    const on = await t.put(`${t.space}/api_accesses/${key.id}`, { enabled: true }, PREVIEW);
    expect(on.status).toBe(200);
    const back = await c.session(creds);
    expect((await c.getDefects({ cookies: back })).r.status).toBe(200);
  });

  it('a new client_secret ends the sessions of the old one; only the new secret signs in', async () => {
    const key = await newApiKey(t, 'old-secret');
    const jar = await c.session({ client_id: key.clientId, client_secret: 'old-secret' });
    const upd = await t.put(`${t.space}/api_accesses/${key.id}`, { client_secret: 'new-secret' }, PREVIEW);
    expect(upd.status).toBe(200);
    expect(upd.body.client_secret).toBeUndefined();
    expect((await c.getDefects({ cookies: jar })).r.status).toBe(401);
    expect((await c.signIn({ client_id: key.clientId, client_secret: 'old-secret' })).r.status).toBe(401);
    expect((await c.signIn({ client_id: key.clientId, client_secret: 'new-secret' })).r.status).toBe(200);
  });

  it('deleting an API key ends its sessions', async () => {
    const key = await newApiKey(t, 'delete-me-secret');
    const jar = await c.session({ client_id: key.clientId, client_secret: 'delete-me-secret' });
    expect((await t.del(`${t.space}/api_accesses/${key.id}`, PREVIEW)).status).toBe(200);
    expectOctaneError((await c.getDefects({ cookies: jar })).r, 401, 'platform.authentication_failed');
    expect((await c.signIn({ client_id: key.clientId, client_secret: 'delete-me-secret' })).r.status).toBe(401);
  });

  it('deleting a user (space level) ends all of its sessions and it cannot sign in again', async () => {
    const u = await newUser(t);
    const a = await c.session({ user: u.name, password: u.password });
    const b = await c.session({ user: u.name, password: u.password });
    expect((await c.getDefects({ cookies: a })).r.status).toBe(200);
    const del = await t.del(`${t.space}/users/${u.id}`, PREVIEW);
    expect(del.status, del.text).toBe(200);
    for (const jar of [a, b]) expectOctaneError((await c.getDefects({ cookies: jar })).r, 401, 'platform.authentication_failed');
    expectOctaneError((await c.signIn({ user: u.name, password: u.password })).r, 401, 'platform.authentication_failed');
    expect((await c.getDefects({ headers: basic(u.name, u.password) })).r.status).toBe(401);
  });

  it('deleting a user through workspace_users removes it from the workspace: its session stays, the workspace answers 403', async () => {
    const u = await newUser(t);
    const jar = await c.session({ user: u.name, password: u.password });
    expect((await t.del(`${t.ws}/workspace_users/${u.id}`)).status).toBe(200);
    const after = (await c.getDefects({ cookies: jar })).r;
    expect(after.status).toBe(403);
    expect(after.body.error_code).toBe('platform.forbidden');
    // the user still exists in the shared space
    expect((await t.get(`${t.space}/users/${u.id}`, PREVIEW)).status).toBe(200);
    expect((await t.get(`${t.ws}/workspace_users/${u.id}`)).status).toBe(404);
  });

  it('ending one principal\'s sessions leaves the others\' alive', async () => {
    const doomed = await newUser(t);
    const survivor = await newUser(t);
    const dj = await c.session({ user: doomed.name, password: doomed.password });
    const sj = await c.session({ user: survivor.name, password: survivor.password });
    await t.del(`${t.space}/users/${doomed.id}`, PREVIEW);
    expect((await c.getDefects({ cookies: dj })).r.status).toBe(401);
    expect((await c.getDefects({ cookies: sj })).r.status).toBe(200);
  });
});

describe('session expiry', () => {
  const IDLE = 60 * SECOND;
  const MAX = 5 * MINUTE;
  let e: TestApp;
  let ec: ReturnType<typeof client>;
  beforeAll(async () => {
    e = await makeApp({ sessionIdleTimeoutMs: IDLE, sessionMaxLifetimeMs: MAX });
    ec = client(e);
  });
  afterAll(() => e.close());
  const shift = (ms: number) => e.app.emulator.clock.shift(ms);

  it('idle past the timeout -> 401 VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT in the error shape', async () => {
    const jar = await ec.session(ADMIN);
    shift(IDLE + 5 * SECOND);
    const { res, r } = await ec.getDefects({ cookies: jar });
    expectOctaneError(r, 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
    // an expired session is not renewed by the failing response
    expect(res.cookies.find((x) => x.name === 'LWSSO_COOKIE_KEY' && x.value !== '')).toBeUndefined();
  });

  it('idle expiry applies to API key sessions and to the bearer form', async () => {
    const jar = await ec.session(API_KEY);
    shift(IDLE + SECOND);
    expectOctaneError((await ec.getDefects({ headers: { authorization: `Bearer ${jar.LWSSO_COOKIE_KEY}` } })).r, 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
  });

  it('activity before the timeout keeps the session alive well past one idle period', async () => {
    const jar = await ec.session(ADMIN);
    for (let i = 0; i < 4; i++) {
      shift(IDLE - 15 * SECOND);
      expect((await ec.getDefects({ cookies: jar })).r.status, `after ${(i + 1) * 45} s`).toBe(200);
    }
    // 180 s after sign-in, 45 s after the last request: still alive; then idle
    shift(IDLE + SECOND);
    expectOctaneError((await ec.getDefects({ cookies: jar })).r, 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
  });

  it('a failed request still counts as activity of the session (a 404 is an authenticated request)', async () => {
    const jar = await ec.session(ADMIN);
    shift(IDLE - 10 * SECOND);
    expect((await ec.raw('GET', `${e.ws}/defects/987654321`, { cookies: jar })).r.status).toBe(404);
    shift(IDLE - 10 * SECOND);
    expect((await ec.getDefects({ cookies: jar })).r.status).toBe(200);
  });

  it('absolute lifetime: 401 VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT even with steady activity', async () => {
    const jar = await ec.session(ADMIN);
    for (let i = 0; i < 5; i++) {
      shift(50 * SECOND);
      expect((await ec.getDefects({ cookies: jar })).r.status, `after ${(i + 1) * 50} s`).toBe(200);
    }
    // 305 s after sign-in (lifetime 300 s), 55 s after the last request (idle limit 60 s)
    shift(55 * SECOND);
    expectOctaneError((await ec.getDefects({ cookies: jar })).r, 401, 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT');
  });

  it('an expired session stays dead: the next request with it is 401 again', async () => {
    const jar = await ec.session(ADMIN);
    shift(IDLE + SECOND);
    expect((await ec.getDefects({ cookies: jar })).r.status).toBe(401);
    const again = await ec.getDefects({ cookies: jar });
    expectOctaneError(again.r, 401);
  });

  it('re-login after expiry works, also when the client still sends the expired cookie', async () => {
    const jar = await ec.session(ADMIN);
    shift(IDLE + SECOND);
    const { res, r } = await ec.signIn(ADMIN, jar);
    expect(r.status).toBe(200);
    const fresh = jarOf(res);
    expect(fresh.LWSSO_COOKIE_KEY).not.toBe(jar.LWSSO_COOKIE_KEY);
    expect((await ec.getDefects({ cookies: fresh })).r.status).toBe(200);
  });

  it('Basic credentials are not subject to session expiry (every request authenticates anew)', async () => {
    shift(MAX + MINUTE);
    expect((await ec.getDefects({ headers: basic(ADMIN.user, ADMIN.password) })).r.status).toBe(200);
  });

  it('the configured timeouts: the default idle timeout is 3 hours', async () => {
    const d = await makeApp();
    try {
      const dc = client(d);
      const jar = await dc.session(ADMIN);
      d.app.emulator.clock.shift(3 * 60 * MINUTE - MINUTE);
      expect((await dc.getDefects({ cookies: jar })).r.status).toBe(200);
      d.app.emulator.clock.shift(3 * 60 * MINUTE + MINUTE);
      expectOctaneError((await dc.getDefects({ cookies: jar })).r, 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
    } finally {
      await d.close();
    }
  });
});

describe('GET /admin/version', () => {
  it('answers the version shape of protocol.md §1', async () => {
    const res = await t.get('/admin/version');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/json');
    expect(Object.keys(res.body).sort()).toEqual(['build_date', 'build_number', 'build_revision', 'display_version', 'version']);
    for (const k of Object.keys(res.body)) expect(typeof res.body[k], k).toBe('string');
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(res.body.build_number).toMatch(/^\d+$/);
    expect(Number.isNaN(Date.parse(res.body.build_date))).toBe(false);
    expect(res.body.display_version.length).toBeGreaterThan(0);
    // display_version starts with the major.minor of version
    expect(res.body.display_version.startsWith(res.body.version.split('.').slice(0, 2).join('.'))).toBe(true);
  });

  it('answers the same for an API key session', async () => {
    const jar = await c.session(API_KEY);
    const { r } = await c.raw('GET', '/admin/version', { cookies: jar });
    expect(r.status).toBe(200);
    expect(r.body).toEqual((await t.get('/admin/version')).body);
  });
});

describe('secrets never come back', () => {
  const PASSWORD = 'Very$ecret-Pa55';
  const KEY_SECRET = 'very-secret-key-value';
  let userId: string;
  let keyId: string;
  const texts: string[] = [];
  const keep = (r: Reply) => {
    texts.push(r.text);
    return r;
  };

  beforeAll(async () => {
    const wr = await workspaceRole(t, 'role.workspace.team.member');
    const u = keep(
      await t.post(
        `${t.space}/users`,
        { data: [{ name: 'secret-holder@example.com', email: 'secret-holder@example.com', first_name: 'Se', last_name: 'Cret', password: PASSWORD, workspace_roles: { data: [ref('workspace_role', wr)] } }] },
        PREVIEW,
      ),
    );
    expect(u.status).toBe(201);
    userId = u.body.data[0].id;
    const k = keep(await t.post(`${t.space}/api_accesses`, { data: [{ name: 'secret-key', client_secret: KEY_SECRET, workspace_roles: { data: [ref('workspace_role', wr)] } }] }, PREVIEW));
    expect(k.status).toBe(201);
    keyId = k.body.data[0].id;
  });

  it('the create answers carry neither password nor client_secret (a secret given by the client is not echoed)', () => {
    const [u, k] = texts.map((x) => JSON.parse(x));
    expect(u.data[0]).not.toHaveProperty('password');
    expect(k.data[0]).not.toHaveProperty('client_secret');
  });

  it.each([
    ['space user by id', () => `${t.space}/users/${userId}`],
    ['space user by id, fields=password', () => `${t.space}/users/${userId}?fields=name,password`],
    ['space users list, fields=password', () => `${t.space}/users?fields=password,name&${q(`id EQ ${userId}`)}`],
    ['workspace user by id, fields=password', () => `${t.ws}/workspace_users/${userId}?fields=password`],
    ['workspace users list, fields=password', () => `${t.ws}/workspace_users?fields=name,password`],
    ['workspace-level users alias, fields=password', () => `${t.ws}/users/${userId}?fields=password`],
    ['API key by id, fields=client_secret', () => `${t.space}/api_accesses/${keyId}?fields=name,client_secret`],
    ['API keys list, fields=client_secret', () => `${t.space}/api_accesses?fields=client_secret,client_id`],
    ['API keys list, no fields', () => `${t.space}/api_accesses`],
  ])('%s: 200 without the secret, in clear or hashed', async (_what, url) => {
    const res = keep(await t.get(url(), PREVIEW));
    expect(res.status, res.text).toBe(200);
    const items = res.body.data ?? [res.body];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item).not.toHaveProperty('password');
      expect(item).not.toHaveProperty('client_secret');
    }
    expect(res.text).not.toContain(PASSWORD);
    expect(res.text).not.toContain(KEY_SECRET);
    expect(res.text).not.toContain('scrypt');
  });

  it('secrets cannot be probed through query or order_by (400)', async () => {
    const byQuery = await t.get(`${t.space}/users?${q(`password EQ '${PASSWORD}'`)}`, PREVIEW);
    expectOctaneError(byQuery, 400);
    const keyQuery = await t.get(`${t.space}/api_accesses?${q(`client_secret EQ '${KEY_SECRET}'`)}`, PREVIEW);
    expectOctaneError(keyQuery, 400);
    const order = await t.get(`${t.space}/users?order_by=password`, PREVIEW);
    expectOctaneError(order, 400);
  });

  it('updates answer without the secret', async () => {
    const res = keep(await t.put(`${t.space}/users/${userId}`, { password: 'Another$ecret1' }, PREVIEW));
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('password');
    expect(res.text).not.toContain('Another$ecret1');
  });

  it('no answer collected above contains a secret', () => {
    expect(texts.length).toBeGreaterThan(10);
    for (const text of texts) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(KEY_SECRET);
      expect(text).not.toContain('scrypt$');
    }
  });

  it('the server log at trace level never shows a password or secret', async () => {
    const lines: string[] = [];
    const app = await buildApp({ db: ':memory:', logger: { level: 'trace', stream: { write: (s: string) => void lines.push(s) } } });
    try {
      await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: ADMIN });
      await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: 'sa@nga', password: 'Wrong-Pa55' } });
      await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: API_KEY });
      await app.inject({ method: 'GET', url: '/api/shared_spaces/1001/workspaces/1002/defects', headers: basic(ADMIN.user, ADMIN.password) });
      expect(lines.length).toBeGreaterThan(0);
      const log = lines.join('\n');
      for (const secret of ['Welcome1', 'Wrong-Pa55', API_KEY.client_secret, Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });

  it('secrets are stored hashed (scrypt), never in clear', () => {
    const { sql } = t.app.emulator;
    const users = tableOf(t.app.emulator.registry.entity('user').store);
    const row = sql.get<{ password: string }>(sql.qb.selectFrom(users).select('password').where('id', '=', Number(userId)));
    expect(row?.password).toMatch(/^scrypt\$/);
    expect(row?.password).not.toContain('Another$ecret1');
    const keys = tableOf(t.app.emulator.registry.entity('api_access').store);
    const key = sql.get<{ client_secret: string }>(sql.qb.selectFrom(keys).select('client_secret').where('id', '=', Number(keyId)));
    expect(key?.client_secret).toMatch(/^scrypt\$/);
    expect(key?.client_secret).not.toContain(KEY_SECRET);
  });
});
