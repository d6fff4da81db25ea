// Administration without a UI (issue 5): the site admin creates a shared space, workspaces, users
// with roles and API keys over REST; role assignments change access at once; the configuration
// and CLI seeds (`users`, `apiKeys`, --user, --api-key, --session-timeout) give ready users;
// `author` and `[current_user]` resolve to whoever is signed in, not only the admin; a user
// created through a workspace's workspace_users becomes a team member there.

import type { InjectOptions } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli.js';
import { buildApp } from '../../src/http/app.js';
import { makeApp, PREVIEW, ref, type Reply, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';

const ROOT = ref('work_item_root', 'work_item_root');
type Jar = Record<string, string>;

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

/** Requests with a given cookie jar (or none) against any app. */
function as(app: TestApp['app'], jar: Jar | null) {
  const request = async (method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await app.inject({ method, url, cookies: jar ?? undefined, headers, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
    const body = res.body && String(res.headers['content-type'] ?? '').includes('json') ? JSON.parse(res.body) : undefined;
    return { status: res.statusCode, body, text: res.body, headers: res.headers };
  };
  return {
    get: (url: string, headers?: Record<string, string>) => request('GET', url, undefined, headers),
    post: (url: string, payload: unknown, headers?: Record<string, string>) => request('POST', url, payload, headers),
    put: (url: string, payload: unknown, headers?: Record<string, string>) => request('PUT', url, payload, headers),
    del: (url: string, headers?: Record<string, string>) => request('DELETE', url, undefined, headers),
  };
}

async function signInTo(app: TestApp['app'], body: Record<string, string>): Promise<{ status: number; jar: Jar }> {
  const res = await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: body });
  return { status: res.statusCode, jar: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])) };
}

async function session(app: TestApp['app'], body: Record<string, string>): Promise<Jar> {
  const { status, jar } = await signInTo(app, body);
  expect(status, `sign-in ${JSON.stringify(body)}`).toBe(200);
  return jar;
}

const defect = (name: string, extra: Record<string, unknown> = {}) => ({ data: [{ name, phase: ref('phase', 'phase.defect.new'), parent: ROOT, ...extra }] });

// ---------------------------------------------------------------------------------------------

describe('a shared space from scratch', () => {
  let space: string;
  let w1: string;
  let w2: string;
  const roleIds = new Map<string, string>();
  /** workspace_role id for (workspace id | 'space', role logical name) */
  const wr = new Map<string, string>();

  async function loadWorkspaceRoles(): Promise<void> {
    const res = await t.get(`${space}/workspace_roles?fields=workspace,role{logical_name}&limit=2000`);
    expect(res.status).toBe(200);
    for (const r of res.body.data) wr.set(`${r.workspace?.id ?? 'space'}|${r.role.logical_name}`, r.id);
  }
  const wrRef = (where: string, role: string) => {
    const id = wr.get(`${where}|${role}`);
    expect(id, `${where}|${role}`).toBeDefined();
    return ref('workspace_role', id!);
  };

  let userSeq = 0;
  async function createUser(roles: Array<{ type: string; id: string }>, password = 'Pw-1234'): Promise<{ id: string; name: string; jar: Jar }> {
    const name = `adm-${++userSeq}@example.com`;
    const res = await t.post(`${space}/users`, { data: [{ name, email: name, first_name: 'Adm', last_name: `No${userSeq}`, password, workspace_roles: { data: roles } }] }, PREVIEW);
    expect(res.status, res.text).toBe(201);
    return { id: res.body.data[0].id, name, jar: await session(t.app, { user: name, password }) };
  }

  beforeAll(async () => {
    const sp = await t.post('/api/shared_spaces', { data: [{ name: 'adm-space' }] });
    expect(sp.status, sp.text).toBe(201);
    space = `/api/shared_spaces/${sp.body.data[0].id}`;
  });

  it('the new space has the template roles and its space-wide role, and no workspace yet', async () => {
    const roles = await t.get(`${space}/roles?fields=name,logical_name&limit=100`);
    expect(roles.status).toBe(200);
    const names = roles.body.data.map((r: any) => r.logical_name);
    expect(names).toEqual(
      expect.arrayContaining(['role.shared.space.admin', 'role.workspace.admin', 'role.workspace.leader', 'role.workspace.team.member', 'role.workspace.tester', 'role.workspace.viewer']),
    );
    for (const r of roles.body.data) roleIds.set(r.logical_name, r.id);
    // the roles belong to this space: the default space's roles have other ids
    const defaults = await t.get(`${t.space}/roles?fields=logical_name&limit=100`);
    const defaultIds = new Set(defaults.body.data.map((r: any) => r.id));
    for (const id of roleIds.values()) expect(defaultIds.has(id)).toBe(false);

    const spaceWide = await t.get(`${space}/workspace_roles?${q('workspace EQ {null}')}&fields=workspace,role{logical_name}`);
    expect(spaceWide.status).toBe(200);
    expect(spaceWide.body.data.map((r: any) => r.role.logical_name)).toEqual(['role.shared.space.admin']);
    const ws = await t.get(`${space}/workspaces`);
    expect(ws.body).toMatchObject({ total_count: 0, data: [] });
  });

  it('new workspaces: seeded, served, and each gets one workspace role per workspace role of the space', async () => {
    const res = await t.post(`${space}/workspaces`, { data: [{ name: 'adm-w1' }] });
    expect(res.status).toBe(201);
    w1 = res.body.data[0].id;
    w2 = (await t.post(`${space}/workspaces`, { data: [{ name: 'adm-w2' }] })).body.data[0].id;
    const list = await t.get(`${space}/workspaces?fields=name`);
    expect(list.body.data.map((w: any) => [w.id, w.name])).toEqual([
      [w1, 'adm-w1'],
      [w2, 'adm-w2'],
    ]);
    for (const w of [w1, w2]) {
      const roles = await t.get(`${space}/workspace_roles?${q(`workspace EQ {id EQ ${w}}`)}&fields=role{logical_name}&limit=100`);
      const logical = roles.body.data.map((r: any) => r.role.logical_name).sort();
      expect(logical).toContain('role.workspace.viewer');
      expect(logical).toContain('role.workspace.team.member');
      expect(logical).not.toContain('role.shared.space.admin');
      expect(new Set(logical).size).toBe(logical.length);
      expect(logical.length).toBe(roleIds.size - 1);
      // seeded like any workspace
      const base = `${space}/workspaces/${w}`;
      expect((await t.get(`${base}/work_item_roots`)).body.total_count).toBe(1);
      expect((await t.get(`${base}/phases?${q('logical_name EQ ^phase.defect.new^')}`)).body.total_count).toBe(1);
      expect((await t.post(`${base}/defects`, defect(`adm-seed-${w}`))).status).toBe(201);
    }
    await loadWorkspaceRoles();
  });

  it('users with different roles: each may do what its role allows', async () => {
    const b1 = `${space}/workspaces/${w1}`;
    const cases: Array<[string, boolean]> = [
      ['role.workspace.admin', true],
      ['role.workspace.leader', true],
      ['role.workspace.team.member', true],
      ['role.workspace.tester', true],
      ['role.workspace.viewer', false],
    ];
    for (const [role, writes] of cases) {
      const u = await createUser([wrRef(w1, role)]);
      const me = as(t.app, u.jar);
      expect((await me.get(`${b1}/defects`)).status, role).toBe(200);
      const post = await me.post(`${b1}/defects`, defect(`adm-by-${role}`));
      if (writes) expect(post.status, role).toBe(201);
      else expectOctaneError(post, 403, 'platform.forbidden');
      // nothing in the other workspace
      expectOctaneError(await me.get(`${space}/workspaces/${w2}/defects`), 403, 'platform.forbidden');
      // and nothing in the default space
      expectOctaneError(await me.get(`${t.ws}/defects`), 403, 'platform.forbidden');
      // the workspace lists the user
      expect((await t.get(`${b1}/workspace_users?${q(`id EQ ${u.id}`)}`)).body.total_count, role).toBe(1);
      expect((await t.get(`${space}/workspaces/${w2}/workspace_users?${q(`id EQ ${u.id}`)}`)).body.total_count, role).toBe(0);
    }
  });

  it('a shared space admin reaches every workspace of the space, also one created later, and administers the space', async () => {
    const admin = await createUser([wrRef('space', 'role.shared.space.admin')]);
    const me = as(t.app, admin.jar);
    for (const w of [w1, w2]) expect((await me.post(`${space}/workspaces/${w}/defects`, defect('adm-space-admin'))).status).toBe(201);
    const created = await me.post(`${space}/workspaces`, { data: [{ name: 'adm-w3-by-space-admin' }] });
    expect(created.status).toBe(201);
    const w3 = created.body.data[0].id;
    expect((await me.get(`${space}/workspaces/${w3}/defects`)).status).toBe(200);
    // it creates users of its space, but is nobody in another space
    const u = await me.post(`${space}/users`, { data: [{ email: 'adm-by-space-admin@example.com', first_name: 'B', last_name: 'Y', password: 'pw' }] }, PREVIEW);
    expect(u.status).toBe(201);
    expectOctaneError(await me.get(`${t.ws}/defects`), 403, 'platform.forbidden');
    expectOctaneError(await me.post(`${t.space}/users`, { data: [{ email: 'nope@example.com', first_name: 'N', last_name: 'O', password: 'pw' }] }, PREVIEW), 403, 'platform.forbidden');
    // only a site admin creates spaces
    expectOctaneError(await me.post('/api/shared_spaces', { data: [{ name: 'adm-no-space' }] }), 403, 'platform.forbidden');
  });

  it('role assignment by PUT on a user\'s workspace_roles changes access at once, for the running session', async () => {
    const u = await createUser([wrRef(w1, 'role.workspace.viewer')]);
    const me = as(t.app, u.jar);
    const b1 = `${space}/workspaces/${w1}`;
    const b2 = `${space}/workspaces/${w2}`;
    expect((await me.post(`${b1}/defects`, defect('adm-ra-1'))).status).toBe(403);

    // viewer -> team member: writes now allowed
    let upd = await t.put(`${space}/users/${u.id}`, { workspace_roles: { data: [wrRef(w1, 'role.workspace.team.member')] } }, PREVIEW);
    expect(upd.status, upd.text).toBe(200);
    const roles = await t.get(`${space}/users/${u.id}?fields=workspace_roles`, PREVIEW);
    expect(roles.body.workspace_roles.data.map((r: any) => r.id)).toEqual([wrRef(w1, 'role.workspace.team.member').id]);
    expect((await me.post(`${b1}/defects`, defect('adm-ra-2'))).status).toBe(201);
    expect((await me.get(`${b2}/defects`)).status).toBe(403);

    // moved to the other workspace: out of the first, in the second
    upd = await t.put(`${space}/users/${u.id}`, { workspace_roles: { data: [wrRef(w2, 'role.workspace.tester')] } }, PREVIEW);
    expect(upd.status).toBe(200);
    expect((await me.get(`${b1}/defects`)).status).toBe(403);
    expect((await me.post(`${b2}/defects`, defect('adm-ra-3'))).status).toBe(201);
    expect((await t.get(`${b1}/workspace_users?${q(`id EQ ${u.id}`)}`)).body.total_count).toBe(0);
    expect((await t.get(`${b2}/workspace_users?${q(`id EQ ${u.id}`)}`)).body.total_count).toBe(1);

    // every role removed: no workspace at all, the user can still sign in
    upd = await t.put(`${space}/users/${u.id}`, { workspace_roles: { data: [] } }, PREVIEW);
    expect(upd.status).toBe(200);
    for (const b of [b1, b2]) expectOctaneError(await me.get(`${b}/defects`), 403, 'platform.forbidden');
    const list = await me.get(`${space}/workspaces`);
    if (list.status === 200) expect(list.body.data).toEqual([]);
    else expect(list.status).toBe(403);
    expect((await signInTo(t.app, { user: u.name, password: 'Pw-1234' })).status).toBe(200);
  });

  it('role assignment through the workspace_users view of a workspace', async () => {
    const u = await createUser([wrRef(w1, 'role.workspace.viewer')]);
    const me = as(t.app, u.jar);
    const b1 = `${space}/workspaces/${w1}`;
    const upd = await t.put(`${b1}/workspace_users/${u.id}`, { workspace_roles: { data: [wrRef(w1, 'role.workspace.leader')] } });
    expect(upd.status, upd.text).toBe(200);
    expect((await me.post(`${b1}/defects`, defect('adm-wsu-ra'))).status).toBe(201);
  });

  it('a role of another space cannot be given to a user of this space', async () => {
    const u = await createUser([]);
    const foreign = await t.get(`${t.space}/workspace_roles?${q(`workspace EQ {id EQ ${t.app.emulator.defaults.workspaceId}}`)}&fields=role{logical_name}&limit=100`);
    const adminRole = foreign.body.data.find((r: any) => r.role.logical_name === 'role.workspace.admin');
    const upd = await t.put(`${space}/users/${u.id}`, { workspace_roles: { data: [ref('workspace_role', adminRole.id)] } }, PREVIEW);
    expect(upd.status).toBeGreaterThanOrEqual(400);
    expect(upd.status).toBeLessThan(500);
    expectOctaneError(await as(t.app, u.jar).get(`${t.ws}/defects`), 403, 'platform.forbidden');
  });

  it('a password change: the old password stops working, the new one works', async () => {
    const u = await createUser([wrRef(w1, 'role.workspace.team.member')], 'Old-pw-1');
    const upd = await t.put(`${space}/users/${u.id}`, { password: 'New-pw-2' }, PREVIEW);
    expect(upd.status).toBe(200);
    expect((await signInTo(t.app, { user: u.name, password: 'Old-pw-1' })).status).toBe(401);
    expect((await signInTo(t.app, { user: u.name, password: 'New-pw-2' })).status).toBe(200);
  });

  describe('API keys', () => {
    it('created with a client_secret: the answer does not echo it, and the key signs in with it in both forms', async () => {
      const res = await t.post(`${space}/api_accesses`, { data: [{ name: 'adm-key-given', client_secret: 'given-secret-1', workspace_roles: { data: [wrRef(w1, 'role.workspace.team.member')] } }] }, PREVIEW);
      expect(res.status).toBe(201);
      const key = res.body.data[0];
      expect(key).toMatchObject({ type: 'api_access', name: 'adm-key-given', enabled: true });
      expect(key.client_id).toMatch(/^\S{6,}$/);
      expect(key).not.toHaveProperty('client_secret');
      const jar = await session(t.app, { client_id: key.client_id, client_secret: 'given-secret-1' });
      expect(jar.OCTANE_USER).toBe(key.client_id);
      await session(t.app, { user: key.client_id, password: 'given-secret-1' });
      // the key carries its role: a team member of w1
      const me = as(t.app, jar);
      expect((await me.post(`${space}/workspaces/${w1}/defects`, defect('adm-by-key'))).status).toBe(201);
      expectOctaneError(await me.get(`${space}/workspaces/${w2}/defects`), 403, 'platform.forbidden');
    });

    it('created without a client_secret: a generated secret is in the create answer once, works, and is never shown again', async () => {
      const res = await t.post(`${space}/api_accesses`, { data: [{ name: 'adm-key-generated', workspace_roles: { data: [wrRef(w1, 'role.workspace.viewer')] } }] }, PREVIEW);
      expect(res.status).toBe(201);
      const key = res.body.data[0];
      expect(typeof key.client_secret).toBe('string');
      expect(key.client_secret.length).toBeGreaterThanOrEqual(16);
      expect(key.client_secret).not.toMatch(/scrypt/);
      const jar = await session(t.app, { client_id: key.client_id, client_secret: key.client_secret });
      await session(t.app, { user: key.client_id, password: key.client_secret });
      // a viewer key: reads, does not write
      const me = as(t.app, jar);
      expect((await me.get(`${space}/workspaces/${w1}/defects`)).status).toBe(200);
      expectOctaneError(await me.post(`${space}/workspaces/${w1}/defects`, defect('adm-by-viewer-key')), 403, 'platform.forbidden');
      // later reads never show it
      for (const url of [`${space}/api_accesses/${key.id}`, `${space}/api_accesses/${key.id}?fields=name,client_id,client_secret`, `${space}/api_accesses?fields=client_secret&${q(`id EQ ${key.id}`)}`]) {
        const again = await t.get(url, PREVIEW);
        expect(again.status, url).toBe(200);
        expect(again.text, url).not.toContain(key.client_secret);
        expect(again.body.data?.[0] ?? again.body, url).not.toHaveProperty('client_secret');
      }
      // an update answer does not show it either
      const upd = await t.put(`${space}/api_accesses/${key.id}`, { name: 'adm-key-generated-2' }, PREVIEW);
      expect(upd.status).toBe(200);
      expect(upd.text).not.toContain(key.client_secret);
    });

    it('each generated key has its own client_id and secret', async () => {
      const res = await t.post(`${space}/api_accesses`, { data: [{ name: 'adm-key-a' }, { name: 'adm-key-b' }] }, PREVIEW);
      expect(res.status).toBe(201);
      const [a, b] = res.body.data;
      expect(a.client_id).not.toBe(b.client_id);
      expect(a.client_secret).not.toBe(b.client_secret);
      // a key's secret does not open the other key
      expect((await signInTo(t.app, { client_id: a.client_id, client_secret: b.client_secret })).status).toBe(401);
    });

    it('a key without a role signs in but reaches no workspace; giving it a role opens one', async () => {
      const res = await t.post(`${space}/api_accesses`, { data: [{ name: 'adm-key-norole', client_secret: 'norole-secret' }] }, PREVIEW);
      const key = res.body.data[0];
      const me = as(t.app, await session(t.app, { client_id: key.client_id, client_secret: 'norole-secret' }));
      expectOctaneError(await me.get(`${space}/workspaces/${w1}/defects`), 403, 'platform.forbidden');
      const upd = await t.put(`${space}/api_accesses/${key.id}`, { workspace_roles: { data: [wrRef(w1, 'role.workspace.admin')] } }, PREVIEW);
      expect(upd.status).toBe(200);
      expect((await me.post(`${space}/workspaces/${w1}/defects`, defect('adm-key-role-given'))).status).toBe(201);
    });

    it('keys belong to their space: the default space does not list this space\'s keys', async () => {
      const here = await t.get(`${space}/api_accesses?fields=name&limit=100`, PREVIEW);
      const there = await t.get(`${t.space}/api_accesses?fields=name&limit=100`, PREVIEW);
      const hereIds = here.body.data.map((k: any) => k.id);
      expect(hereIds.length).toBeGreaterThanOrEqual(4);
      for (const k of there.body.data) expect(hereIds).not.toContain(k.id);
    });
  });

  describe('who did it: author and [current_user] for any user', () => {
    let alice: { id: string; name: string; jar: Jar };
    let bob: { id: string; name: string; jar: Jar };
    let base: string;
    beforeAll(async () => {
      alice = await createUser([wrRef(w1, 'role.workspace.team.member')]);
      bob = await createUser([wrRef(w1, 'role.workspace.tester')]);
      base = `${space}/workspaces/${w1}`;
    });

    it('author of a created entity is the signed-in user', async () => {
      for (const u of [alice, bob]) {
        const me = as(t.app, u.jar);
        const d = await me.post(`${base}/defects`, defect(`adm-author-${u.id}`));
        expect(d.status).toBe(201);
        expect(d.body.data[0].author).toEqual({ type: 'workspace_user', id: u.id, name: u.name });
        const s = await me.post(`${base}/stories`, { data: [{ name: `adm-story-${u.id}`, phase: ref('phase', 'phase.story.new'), parent: ROOT }] });
        expect(s.body.data[0].author).toMatchObject({ type: 'workspace_user', id: u.id });
        const c = await me.post(`${base}/comments`, { data: [{ text: `by ${u.id}`, owner_work_item: ref('defect', d.body.data[0].id) }] });
        expect(c.status).toBe(201);
        expect(c.body.data[0].author).toMatchObject({ type: 'workspace_user', id: u.id });
      }
    });

    it('author cannot be forged on create (it is set by the server)', async () => {
      const me = as(t.app, alice.jar);
      const d = await me.post(`${base}/defects`, defect('adm-forged-author', { author: ref('workspace_user', bob.id) }));
      // either refused as a read-only field, or ignored: never bob
      if (d.status === 201) expect(d.body.data[0].author.id).toBe(alice.id);
      else expect(d.status).toBe(400);
    });

    it('[current_user] resolves to each user: author EQ {id EQ [current_user]}', async () => {
      for (const u of [alice, bob]) {
        const res = await as(t.app, u.jar).get(`${base}/defects?${q('author EQ {id EQ [current_user]}')}&fields=name,author`);
        expect(res.status).toBe(200);
        expect(res.body.total_count).toBeGreaterThanOrEqual(1);
        for (const d of res.body.data) expect(d.author.id).toBe(u.id);
        expect(res.body.data.map((d: any) => d.name)).toContain(`adm-author-${u.id}`);
      }
    });

    it('"my work": owner EQ {id EQ <my id>} and owner EQ [current_user] give each user their own items', async () => {
      // the admin assigns work to alice and to bob
      const [da, db] = (
        await t.post(`${base}/defects`, {
          data: [
            { name: 'adm-mine-alice', phase: ref('phase', 'phase.defect.new'), parent: ROOT, owner: ref('workspace_user', alice.id) },
            { name: 'adm-mine-bob', phase: ref('phase', 'phase.defect.new'), parent: ROOT, owner: ref('workspace_user', bob.id) },
          ],
        })
      ).body.data.map((d: any) => d.id);
      const [sa] = (await t.post(`${base}/stories`, { data: [{ name: 'adm-mine-alice-story', phase: ref('phase', 'phase.story.new'), parent: ROOT, owner: ref('workspace_user', alice.id) }] })).body.data.map(
        (d: any) => d.id,
      );
      for (const [u, mine] of [
        [alice, [da, sa]],
        [bob, [db]],
      ] as const) {
        const me = as(t.app, u.jar);
        for (const statement of [`owner EQ {id EQ ${u.id}}`, 'owner EQ {id EQ [current_user]}', 'owner EQ [current_user]']) {
          const res = await me.get(`${base}/work_items?${q(statement)}&fields=name,owner`);
          expect(res.status, statement).toBe(200);
          expect(res.body.data.map((d: any) => d.id).sort(), `${u.name}: ${statement}`).toEqual([...mine].sort());
        }
      }
    });

    it('workspace_users: id EQ [current_user] is the signed-in user', async () => {
      for (const u of [alice, bob]) {
        const res = await as(t.app, u.jar).get(`${base}/workspace_users?${q('id EQ [current_user]')}&fields=name`);
        expect(res.body.data).toEqual([{ type: 'workspace_user', id: u.id, name: u.name }]);
      }
    });
  });

  describe('a user created through workspace_users', () => {
    it('without workspace_roles becomes a team member of that workspace (and of no other)', async () => {
      const base1 = `${space}/workspaces/${w1}`;
      const res = await t.post(`${base1}/workspace_users`, { data: [{ email: 'adm-wsu@example.com', first_name: 'Ws', last_name: 'User', password: 'Wsu-pw-1' }] });
      expect(res.status, res.text).toBe(201);
      const id = res.body.data[0].id;
      expect(res.body.data[0]).toMatchObject({ type: 'workspace_user', name: 'adm-wsu@example.com' });
      const roles = await t.get(`${space}/users/${id}?fields=workspace_roles{workspace,role{logical_name}}`, PREVIEW);
      expect(roles.status).toBe(200);
      expect(roles.body.workspace_roles.data).toHaveLength(1);
      const only = await t.get(`${space}/workspace_roles/${roles.body.workspace_roles.data[0].id}?fields=workspace,role{logical_name}`);
      expect(only.body.workspace.id).toBe(w1);
      expect(only.body.role.logical_name).toBe('role.workspace.team.member');
      // the new user signs in and works there as a team member
      const me = as(t.app, await session(t.app, { user: 'adm-wsu@example.com', password: 'Wsu-pw-1' }));
      expect((await me.post(`${base1}/defects`, defect('adm-by-wsu'))).status).toBe(201);
      expectOctaneError(await me.get(`${space}/workspaces/${w2}/defects`), 403, 'platform.forbidden');
      // and is listed by the workspace, not by the other
      expect((await t.get(`${base1}/workspace_users?${q(`id EQ ${id}`)}`)).body.total_count).toBe(1);
      expect((await t.get(`${space}/workspaces/${w2}/workspace_users?${q(`id EQ ${id}`)}`)).body.total_count).toBe(0);
    });

    it('with explicit workspace_roles keeps exactly those', async () => {
      const base1 = `${space}/workspaces/${w1}`;
      const res = await t.post(`${base1}/workspace_users`, {
        data: [{ email: 'adm-wsu-viewer@example.com', first_name: 'Ws', last_name: 'Viewer', password: 'Wsu-pw-2', workspace_roles: { data: [wrRef(w1, 'role.workspace.viewer')] } }],
      });
      expect(res.status).toBe(201);
      const id = res.body.data[0].id;
      const roles = await t.get(`${space}/users/${id}?fields=workspace_roles`, PREVIEW);
      expect(roles.body.workspace_roles.data.map((r: any) => r.id)).toEqual([wrRef(w1, 'role.workspace.viewer').id]);
      const me = as(t.app, await session(t.app, { user: 'adm-wsu-viewer@example.com', password: 'Wsu-pw-2' }));
      expectOctaneError(await me.post(`${base1}/defects`, defect('adm-by-wsu-viewer')), 403, 'platform.forbidden');
    });

    it('a workspace admin (not a space admin) adds a user to its workspace', async () => {
      // Octane lets a workspace admin manage the users of the workspace
      const wsAdmin = await createUser([wrRef(w1, 'role.workspace.admin')]);
      const me = as(t.app, wsAdmin.jar);
      const res = await me.post(`${space}/workspaces/${w1}/workspace_users`, { data: [{ email: 'adm-by-ws-admin@example.com', first_name: 'By', last_name: 'WsAdmin', password: 'pw-3' }] });
      expect(res.status, res.text).toBe(201);
      expect((await signInTo(t.app, { user: 'adm-by-ws-admin@example.com', password: 'pw-3' })).status).toBe(200);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('configuration and CLI seeds', () => {
  it('buildApp({users, apiKeys}): the seeded principals sign in with their roles in the default workspace', async () => {
    const app = await buildApp({
      db: ':memory:',
      users: [
        { name: 'viewer1', password: 'pw', role: 'role.workspace.viewer' },
        { name: 'dev1@example.com', password: 'dev-pw' },
        { name: 'tester1', password: 'tpw', role: 'role.workspace.tester' },
      ],
      apiKeys: [{ clientId: 'ci', clientSecret: 's' }],
    });
    try {
      const { sharedSpaceId, workspaceId } = app.emulator.defaults;
      const ws = `/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}`;
      const viewer = as(app, await session(app, { user: 'viewer1', password: 'pw' }));
      expect((await viewer.get(`${ws}/defects`)).status).toBe(200);
      expectOctaneError(await viewer.post(`${ws}/defects`, defect('seed-viewer')), 403, 'platform.forbidden');

      // no role given: workspace admin
      const dev = as(app, await session(app, { user: 'dev1@example.com', password: 'dev-pw' }));
      const created = await dev.post(`${ws}/defects`, defect('seed-dev'));
      expect(created.status).toBe(201);
      expect(created.body.data[0].author).toMatchObject({ type: 'workspace_user', name: 'dev1@example.com' });

      const tester = as(app, await session(app, { user: 'tester1', password: 'tpw' }));
      expect((await tester.post(`${ws}/defects`, defect('seed-tester'))).status).toBe(201);

      // the key in both body forms and as Basic; a workspace admin key
      const key = as(app, await session(app, { client_id: 'ci', client_secret: 's' }));
      expect((await key.post(`${ws}/defects`, defect('seed-key'))).status).toBe(201);
      await session(app, { user: 'ci', password: 's' });
      const basic = await app.inject({ method: 'GET', url: `${ws}/defects`, headers: { authorization: `Basic ${Buffer.from('ci:s').toString('base64')}` } });
      expect(basic.statusCode).toBe(200);

      // they are ordinary users of the workspace, with the roles asked for
      const admin = as(app, await session(app, { user: 'sa@nga', password: 'Welcome1' }));
      const users = await admin.get(`${ws}/workspace_users?fields=name,workspace_roles{role{logical_name}}&limit=100`);
      const roleOf = (name: string) => users.body.data.find((u: any) => u.name === name)?.workspace_roles.data.map((r: any) => r.role.logical_name);
      expect(roleOf('viewer1')).toEqual(['role.workspace.viewer']);
      expect(roleOf('dev1@example.com')).toEqual(['role.workspace.admin']);
      expect(roleOf('tester1')).toEqual(['role.workspace.tester']);
      // the default admin and key still work
      await session(app, { client_id: 'octane_emulator_client', client_secret: 'octane-emulator-secret' });
    } finally {
      await app.close();
    }
  });

  it('an unknown role in a seed is refused at start, naming the role', async () => {
    await expect(buildApp({ db: ':memory:', users: [{ name: 'x', password: 'y', role: 'role.workspace.nonsense' }] })).rejects.toThrow(/role\.workspace\.nonsense/);
  });

  it('the CLI flags give the same seeds: --user name:password[:role], --api-key id:secret, --session-timeout', async () => {
    const parsed = parseCli(['--db', ':memory:', '--user', 'cli-viewer:cv-pw:role.workspace.viewer', '--user', 'cli-admin:ca-pw', '--api-key', 'cli_key:cli:secret', '--session-timeout', '5'], {});
    if (parsed === 'help') throw new Error('unexpected help');
    expect(parsed.config.users).toEqual([
      { name: 'cli-viewer', password: 'cv-pw', role: 'role.workspace.viewer' },
      { name: 'cli-admin', password: 'ca-pw' },
    ]);
    // the secret is everything after the first colon
    expect(parsed.config.apiKeys).toEqual([{ clientId: 'cli_key', clientSecret: 'cli:secret' }]);
    expect(parsed.config.sessionIdleTimeoutMs).toBe(5 * 60_000);

    const app = await buildApp({ ...parsed.config, db: parsed.db });
    try {
      const ws = `/api/shared_spaces/${app.emulator.defaults.sharedSpaceId}/workspaces/${app.emulator.defaults.workspaceId}`;
      const viewerJar = await session(app, { user: 'cli-viewer', password: 'cv-pw' });
      const viewer = as(app, viewerJar);
      expect((await viewer.post(`${ws}/defects`, defect('cli-viewer'))).status).toBe(403);
      const admin = as(app, await session(app, { user: 'cli-admin', password: 'ca-pw' }));
      expect((await admin.post(`${ws}/defects`, defect('cli-admin'))).status).toBe(201);
      await session(app, { client_id: 'cli_key', client_secret: 'cli:secret' });
      // --session-timeout 5: idle for 6 minutes expires the session
      app.emulator.clock.shift(6 * 60_000);
      expectOctaneError(await viewer.get(`${ws}/defects`), 401, 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');
    } finally {
      await app.close();
    }
  });

  it('the environment variables give the same seeds', () => {
    const parsed = parseCli([], {
      OCTANE_EMULATOR_USERS: 'env-a:pa, env-b:pb:role.workspace.tester',
      OCTANE_EMULATOR_API_KEYS: 'env_key:env-secret',
      OCTANE_EMULATOR_SESSION_TIMEOUT: '2',
    });
    if (parsed === 'help') throw new Error('unexpected help');
    expect(parsed.config.users).toEqual([
      { name: 'env-a', password: 'pa' },
      { name: 'env-b', password: 'pb', role: 'role.workspace.tester' },
    ]);
    expect(parsed.config.apiKeys).toEqual([{ clientId: 'env_key', clientSecret: 'env-secret' }]);
    expect(parsed.config.sessionIdleTimeoutMs).toBe(2 * 60_000);
    // flags win over the environment
    const both = parseCli(['--user', 'flag:f'], { OCTANE_EMULATOR_USERS: 'env:e' });
    if (both === 'help') throw new Error('unexpected help');
    expect(both.config.users).toEqual([{ name: 'flag', password: 'f' }]);
  });

  it.each([['--user', 'nopassword'], ['--user', 'a:b:c:d'], ['--api-key', 'nosecret'], ['--api-key', ':secret'], ['--session-timeout', '0']])('a malformed %s %s is refused', (flag, value) => {
    expect(() => parseCli([flag, value], {})).toThrow();
  });

  it('seeds are created once: a restart on the same database keeps the users and their passwords', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'octane-emulator-adm-'));
    const db = join(dir, 'seed.db');
    try {
      const opts = { db, users: [{ name: 'persist1', password: 'p1', role: 'role.workspace.viewer' }], apiKeys: [{ clientId: 'persist_key', clientSecret: 'pk' }] };
      const first = await buildApp(opts);
      await first.close();
      const second = await buildApp(opts);
      try {
        await session(second, { user: 'persist1', password: 'p1' });
        await session(second, { client_id: 'persist_key', client_secret: 'pk' });
        const admin = as(second, await session(second, { user: 'sa@nga', password: 'Welcome1' }));
        const ws = `/api/shared_spaces/${second.emulator.defaults.sharedSpaceId}/workspaces/${second.emulator.defaults.workspaceId}`;
        const users = await admin.get(`${ws}/workspace_users?${q("name EQ 'persist1'")}`);
        expect(users.body.total_count).toBe(1);
        const keys = await admin.get(`/api/shared_spaces/${second.emulator.defaults.sharedSpaceId}/api_accesses?${q("client_id EQ 'persist_key'")}`, PREVIEW);
        expect(keys.body.total_count).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
