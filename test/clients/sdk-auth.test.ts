// The official JS client `@microfocus/alm-octane-js-rest-sdk` against the emulator listening on
// 127.0.0.1 (port 0): it signs in with a user and with an API key, reads a defect created
// beforehand, signs out, and the server answers 401 after sign-out.
//
// The SDK signs in lazily and re-signs-in once on ANY 401 (spec/README.md, "What the official JS
// SDK does on the wire"), so a 401 after sign-out is not visible in its results. It is observed
// three ways: a raw request replaying the cookie the SDK held before signing out; the SDK's own
// exchanges, recorded by an axios interceptor on its request handler (the 401, then its sign-in,
// then the retry); and a client whose key / user is then revoked, whose request fails with 401.

import type { AddressInfo } from 'node:net';
import { Octane } from '@microfocus/alm-octane-js-rest-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, signIn, type TestApp } from '../helpers/app.js';
import { q } from '../helpers/octane.js';
import { type Exchange, sdkClient, wire } from '../helpers/sdk.js';

const ROOT = ref('work_item_root', 'work_item_root');

let t: TestApp;
let server: string;
let sharedSpace: number;
let workspace: number;
let defectId: string;
const KEY_SECRET = 'sdk-key-secret';
let keyClientId: string;
let keyId: string;

/** An SDK client whose HTTP exchanges are recorded (statuses as the server answered them). */
function client(user: string, password: string): { octane: Octane; log: Exchange[]; cookie(): string } {
  const c = sdkClient({ server, sharedSpace, workspace, user, password });
  return { octane: c.octane, log: c.log, cookie: () => c.cookie() };
}

const onlyPaths = wire;

beforeAll(async () => {
  t = await makeApp();
  sharedSpace = t.app.emulator.defaults.sharedSpaceId;
  workspace = t.app.emulator.defaults.workspaceId;
  [defectId] = await t.create('defects', { name: 'sdk-defect-1', phase: ref('phase', 'phase.defect.new'), parent: ROOT, severity: ref('list_node', 'list_node.severity.high') });
  // an API key with the team member role in the default workspace
  const roles = await t.get(`${t.space}/workspace_roles?${q(`workspace EQ {id EQ ${workspace}}`)}&fields=role{logical_name}&limit=100`);
  const member = roles.body.data.find((r: any) => r.role.logical_name === 'role.workspace.team.member');
  const key = await t.post(`${t.space}/api_accesses`, { data: [{ name: 'sdk-key', client_secret: KEY_SECRET, workspace_roles: { data: [ref('workspace_role', member.id)] } }] }, PREVIEW);
  expect(key.status).toBe(201);
  keyClientId = key.body.data[0].client_id;
  keyId = key.body.data[0].id;

  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address() as AddressInfo;
  expect(address.address).toBe('127.0.0.1');
  server = `http://127.0.0.1:${address.port}`;
});
afterAll(() => t.close());

async function readDefect(octane: Octane): Promise<void> {
  const list = await octane.get(Octane.entityTypes.defects).query(`name EQ ^sdk-defect-1^`).fields('name', 'severity', 'phase').execute();
  expect(list.total_count).toBe(1);
  expect(list.data).toHaveLength(1);
  expect(list.data[0]).toMatchObject({ type: 'defect', id: defectId, name: 'sdk-defect-1', severity: { type: 'list_node', name: 'High' }, phase: { type: 'phase', name: 'New' } });
  const one = await octane.get(Octane.entityTypes.defects).at(Number(defectId)).fields('name').execute();
  expect(one).toMatchObject({ type: 'defect', id: defectId, name: 'sdk-defect-1' });
}

describe('signing in', () => {
  it('with a user: authenticate(), then reads the defect; the cookie jar keeps the session (no second sign-in)', async () => {
    const { octane, log, cookie } = client('sa@nga', 'Welcome1');
    await octane.authenticate();
    expect(onlyPaths(log)).toEqual(['POST /authentication/sign_in 200']);
    // the jar holds the session cookie for /api/ (Path=/)
    expect(cookie()).toMatch(/LWSSO_COOKIE_KEY=[^;]+/);
    await readDefect(octane);
    await octane.get(Octane.entityTypes.defects).limit(1).execute();
    expect(onlyPaths(log)).toEqual(['POST /authentication/sign_in 200', 'GET /defects 200', 'GET /defects/' + defectId + ' 200', 'GET /defects 200']);
  });

  it('lazily: the first request is answered 401, the SDK signs in and replays it', async () => {
    const { octane, log } = client('sa@nga', 'Welcome1');
    await readDefect(octane);
    const paths = onlyPaths(log);
    expect(paths.slice(0, 3)).toEqual(['GET /defects 401', 'POST /authentication/sign_in 200', 'GET /defects 200']);
    expect(log[0].errorCode).toBe('platform.authentication_failed');
    expect(paths).not.toContain('GET /defects 403');
  });

  it('with an API key (sent as user/password, the SDK\'s only form)', async () => {
    const { octane, log } = client(keyClientId, KEY_SECRET);
    await octane.authenticate();
    await readDefect(octane);
    expect(log.filter((e) => e.url === '/authentication/sign_in').map((e) => e.status)).toEqual([200]);
  });

  it('a wrong password: the request fails with 401 after one sign-in attempt', async () => {
    const { octane, log } = client('sa@nga', 'wrong');
    await expect(octane.get(Octane.entityTypes.defects).execute()).rejects.toMatchObject({ response: { status: 401 } });
    expect(onlyPaths(log)).toEqual(['GET /defects 401', 'POST /authentication/sign_in 401']);
    expect(log[1].errorCode).toBe('platform.authentication_failed');
  });

  it('creates as the signed-in principal: author is the user', async () => {
    const { octane } = client('sa@nga', 'Welcome1');
    const created = await octane.create(Octane.entityTypes.defects, { name: 'sdk-created', phase: ref('phase', 'phase.defect.new'), parent: ROOT }).execute();
    expect(created.total_count).toBe(1);
    expect(created.data[0]).toMatchObject({ type: 'defect', name: 'sdk-created', author: { type: 'workspace_user', id: String(t.app.emulator.defaults.adminUserId) } });
  });
});

describe('signing out', () => {
  it('signOut() ends the session: the cookie it held gets 401 from the server', async () => {
    const { octane, cookie } = client('sa@nga', 'Welcome1');
    await octane.authenticate();
    await readDefect(octane);
    const held = cookie();
    expect(held).toMatch(/LWSSO_COOKIE_KEY=/);
    await octane.signOut();
    // the server cleared the cookies in the SDK's jar
    expect(cookie()).not.toMatch(/LWSSO_COOKIE_KEY=[^;]/);
    const res = await fetch(`${server}/api/shared_spaces/${sharedSpace}/workspaces/${workspace}/defects`, { headers: { cookie: held } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error_code).toBe('platform.authentication_failed');
  });

  it('after signOut() the SDK\'s next request is answered 401 and the SDK signs in again', async () => {
    const { octane, log } = client(keyClientId, KEY_SECRET);
    await octane.authenticate();
    await readDefect(octane);
    await octane.signOut();
    const before = log.length;
    await readDefect(octane);
    expect(onlyPaths(log.slice(before)).slice(0, 3)).toEqual(['GET /defects 401', 'POST /authentication/sign_in 200', 'GET /defects 200']);
  });

  it('signed out and then revoked: the SDK\'s request fails with 401', async () => {
    const { octane, log } = client(keyClientId, KEY_SECRET);
    await octane.authenticate();
    await readDefect(octane);
    await octane.signOut();
    const off = await t.put(`${t.space}/api_accesses/${keyId}`, { enabled: false }, PREVIEW);
    expect(off.status).toBe(200);
    try {
      const before = log.length;
      await expect(octane.get(Octane.entityTypes.defects).execute()).rejects.toMatchObject({ response: { status: 401 } });
      expect(onlyPaths(log.slice(before))).toEqual(['GET /defects 401', 'POST /authentication/sign_in 401']);
    } finally {
      expect((await t.put(`${t.space}/api_accesses/${keyId}`, { enabled: true }, PREVIEW)).status).toBe(200);
    }
  });

  it('a revoked key\'s live session: the next request is 401, and re-sign-in is refused (401)', async () => {
    const { octane, log } = client(keyClientId, KEY_SECRET);
    await octane.authenticate();
    await readDefect(octane);
    expect((await t.put(`${t.space}/api_accesses/${keyId}`, { enabled: false }, PREVIEW)).status).toBe(200);
    try {
      const before = log.length;
      await expect(octane.get(Octane.entityTypes.defects).execute()).rejects.toMatchObject({ response: { status: 401 } });
      expect(onlyPaths(log.slice(before))).toEqual(['GET /defects 401', 'POST /authentication/sign_in 401']);
    } finally {
      expect((await t.put(`${t.space}/api_accesses/${keyId}`, { enabled: true }, PREVIEW)).status).toBe(200);
    }
  });

  it('a deleted user\'s client: 401', async () => {
    const created = await t.post(`${t.space}/users`, { data: [{ name: 'sdk-user@example.com', email: 'sdk-user@example.com', first_name: 'Sdk', last_name: 'User', password: 'Sdk-pw-1' }] }, PREVIEW);
    expect(created.status).toBe(201);
    const userId = created.body.data[0].id;
    const { octane } = client('sdk-user@example.com', 'Sdk-pw-1');
    await octane.authenticate();
    expect((await t.del(`${t.space}/users/${userId}`, PREVIEW)).status).toBe(200);
    await expect(octane.get(Octane.entityTypes.defects).execute()).rejects.toMatchObject({ response: { status: 401 } });
  });
});

describe('session expiry through the SDK', () => {
  it('an idle-expired session: the server answers VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT, the SDK signs in again with the stale cookie in its jar, and succeeds', async () => {
    const { octane, log } = client('sa@nga', 'Welcome1');
    await octane.authenticate();
    await readDefect(octane);
    const staleCookie = (octane as any)._requestHandler._cookieJar.getCookieStringSync(`${server}/authentication/sign_in`);
    expect(staleCookie).toMatch(/LWSSO_COOKIE_KEY=[^;]/);
    t.app.emulator.clock.shift(3 * 60 * 60 * 1000 + 60_000);
    try {
      const before = log.length;
      await readDefect(octane);
      const after = log.slice(before);
      expect(onlyPaths(after).slice(0, 3)).toEqual(['GET /defects 401', 'POST /authentication/sign_in 200', 'GET /defects 200']);
      expect(after[0].errorCode).toBe('VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
    } finally {
      // the helper's own admin session expired with the shift: renew it for any later use
      Object.assign(t.cookies, await signIn(t.app));
    }
  });
});
