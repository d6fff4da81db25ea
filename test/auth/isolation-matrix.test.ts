// The isolation matrix, generated, not hand-listed: two shared spaces × two workspaces each, set up
// over REST by the site admin; callers with and without roles (site admin, shared space admin,
// workspace admin, team member, viewer, a member of the sibling workspace only, a user without a
// role, a member of the other space, an API key, a user with a different role in each workspace,
// and nobody signed in); one entity of each resource family in every workspace. Every
// caller × workspace × family × method cell is sent, and the status compared with `expectedStatus`,
// the one rule derived from the caller's grants and the resource table:
//   401 signed out → 403 not allowed in the workspace (not a member, other space, viewer writing)
//   → 405 method the resource does not serve → 404 id of another workspace → 200/201.
// Whatever the status, no row of another workspace is ever returned, counted in total_count,
// updated or deleted: the fixtures of all four workspaces are re-read as the site admin after
// every cell group. Then every workspace collection of the resource table (reads, reads by id
// across workspaces, refused writes), the space-level lists and administration, the 404s of URL
// pairs that do not exist, references and filters across workspaces.

import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedEntity } from '../../src/resources/registry.js';
import { makeApp, PREVIEW, ref, type Reply } from '../helpers/app.js';
import { q } from '../helpers/octane.js';

const t = await makeApp();
afterAll(() => t.close());

// ---------------------------------------------------------------------------------------------
// The tenancy: spaces, workspaces, roles

type SpaceKey = 'A' | 'B';
type WsKey = 'A1' | 'A2' | 'B1' | 'B2';
const WORKSPACES: WsKey[] = ['A1', 'A2', 'B1', 'B2'];
const spaceOf = (w: WsKey): SpaceKey => w[0] as SpaceKey;
const sibling = (w: WsKey): WsKey => (({ A1: 'A2', A2: 'A1', B1: 'B2', B2: 'B1' }) as const)[w];
const across = (w: WsKey): WsKey => (({ A1: 'B1', A2: 'B2', B1: 'A1', B2: 'A2' }) as const)[w];

const ADMIN_ROLE = 'role.workspace.admin';
const MEMBER_ROLE = 'role.workspace.team.member';
const VIEWER_ROLE = 'role.workspace.viewer';
const TESTER_ROLE = 'role.workspace.tester';
const READ_ONLY = new Set([VIEWER_ROLE]);

const spaceId: Record<SpaceKey, string> = { A: String(t.app.emulator.defaults.sharedSpaceId), B: '' };
const wsId: Record<WsKey, string> = { A1: String(t.app.emulator.defaults.workspaceId), A2: '', B1: '', B2: '' };
const spaceUrl = (s: SpaceKey) => `/api/shared_spaces/${spaceId[s]}`;
const wsUrl = (w: WsKey) => `${spaceUrl(spaceOf(w))}/workspaces/${wsId[w]}`;

// ---------------------------------------------------------------------------------------------
// The callers, described by their grants; everything expected is derived from these

interface CallerSpec {
  key: string;
  kind: 'anonymous' | 'user' | 'api_key';
  /** the space the user / key is created in */
  home?: SpaceKey;
  siteAdmin?: boolean;
  spaceAdmin?: SpaceKey[];
  roles?: Partial<Record<WsKey, string>>;
}

const CALLERS: CallerSpec[] = [
  { key: 'signed-out', kind: 'anonymous' },
  // the default site admin also holds the space admin role of space A and the workspace admin role of A1
  { key: 'site-admin', kind: 'user', home: 'A', siteAdmin: true, spaceAdmin: ['A'], roles: { A1: ADMIN_ROLE } },
  { key: 'space-admin-A', kind: 'user', home: 'A', spaceAdmin: ['A'] },
  { key: 'ws-admin-A1', kind: 'user', home: 'A', roles: { A1: ADMIN_ROLE } },
  { key: 'member-A1', kind: 'user', home: 'A', roles: { A1: MEMBER_ROLE } },
  { key: 'viewer-A1', kind: 'user', home: 'A', roles: { A1: VIEWER_ROLE } },
  { key: 'member-A2', kind: 'user', home: 'A', roles: { A2: MEMBER_ROLE } },
  { key: 'viewer-A1-tester-A2', kind: 'user', home: 'A', roles: { A1: VIEWER_ROLE, A2: TESTER_ROLE } },
  { key: 'no-role-A', kind: 'user', home: 'A' },
  { key: 'member-B1', kind: 'user', home: 'B', roles: { B1: MEMBER_ROLE } },
  { key: 'api-key-A1', kind: 'api_key', home: 'A', roles: { A1: MEMBER_ROLE } },
];

function mayRead(c: CallerSpec, w: WsKey): boolean {
  return !!c.siteAdmin || !!c.spaceAdmin?.includes(spaceOf(w)) || c.roles?.[w] !== undefined;
}
function mayWrite(c: CallerSpec, w: WsKey): boolean {
  const role = c.roles?.[w];
  return !!c.siteAdmin || !!c.spaceAdmin?.includes(spaceOf(w)) || (role !== undefined && !READ_ONLY.has(role));
}
function mayEnterSpace(c: CallerSpec, s: SpaceKey): boolean {
  return !!c.siteAdmin || !!c.spaceAdmin?.includes(s) || WORKSPACES.some((w) => spaceOf(w) === s && c.roles?.[w] !== undefined);
}
function mayAdministerSpace(c: CallerSpec, s: SpaceKey): boolean {
  return !!c.siteAdmin || !!c.spaceAdmin?.includes(s);
}

// ---------------------------------------------------------------------------------------------
// The operations and the rule

type Op = 'GET list' | 'GET id' | 'POST' | 'PUT id' | 'DELETE id' | 'PUT query' | 'DELETE query';
const OPS: Record<Op, { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; shape: 'collection' | 'instance'; byId: boolean }> = {
  'GET list': { method: 'GET', shape: 'collection', byId: false },
  'GET id': { method: 'GET', shape: 'instance', byId: true },
  POST: { method: 'POST', shape: 'collection', byId: false },
  'PUT id': { method: 'PUT', shape: 'instance', byId: true },
  'DELETE id': { method: 'DELETE', shape: 'instance', byId: true },
  'PUT query': { method: 'PUT', shape: 'collection', byId: false },
  'DELETE query': { method: 'DELETE', shape: 'collection', byId: false },
};

/** The one rule of the matrix. `idWs`: the workspace the requested id lives in (by-id operations). */
function expectedStatus(c: CallerSpec, w: WsKey, entity: ResolvedEntity, op: Op, idWs?: WsKey): number {
  if (c.kind === 'anonymous') return 401;
  if (!mayRead(c, w)) return 403;
  const { method, shape } = OPS[op];
  if (method !== 'GET' && !mayWrite(c, w)) return 403;
  if (!(entity.methods[shape] as readonly string[]).includes(method)) return 405;
  if (idWs !== undefined && idWs !== w) return 404;
  return method === 'POST' ? 201 : 200;
}

const ERROR_CODE: Record<number, string> = {
  400: 'platform.field_validation_error',
  401: 'platform.authentication_failed',
  403: 'platform.forbidden',
  404: 'platform.entity_not_found',
  405: 'platform.web_application',
};

// ---------------------------------------------------------------------------------------------
// The resource families: how to make one in a workspace, which field a write changes

interface Support {
  release: string;
  manualTest: string;
  story: string;
  defect: string;
  folder: string;
}
const support = {} as Record<WsKey, Support>;

interface Family {
  collection: string;
  /** the field PUT changes and re-reads check */
  field: 'name' | 'text';
  body(w: WsKey, label: string): Record<string, unknown>;
}

const ROOT = ref('work_item_root', 'work_item_root');
const FAMILIES: Family[] = [
  { collection: 'defects', field: 'name', body: (_w, n) => ({ name: n, phase: ref('phase', 'phase.defect.new'), parent: ROOT }) },
  { collection: 'stories', field: 'name', body: (_w, n) => ({ name: n, phase: ref('phase', 'phase.story.new'), parent: ROOT }) },
  { collection: 'work_items', field: 'name', body: (_w, n) => ({ subtype: 'feature', name: n, phase: ref('phase', 'phase.feature.new'), parent: ROOT }) },
  { collection: 'manual_tests', field: 'name', body: (_w, n) => ({ name: n, phase: ref('phase', 'phase.test_manual.new') }) },
  {
    collection: 'runs',
    field: 'name',
    body: (w, n) => ({
      subtype: 'run_manual',
      name: n,
      test: ref('test_manual', support[w].manualTest),
      release: ref('release', support[w].release),
      native_status: ref('list_node', 'list_node.run_native_status.planned'),
    }),
  },
  { collection: 'releases', field: 'name', body: (_w, n) => ({ name: n, start_date: '2025-01-01', end_date: '2025-06-30' }) },
  {
    collection: 'requirement_documents',
    field: 'name',
    body: (w, n) => ({ name: n, parent: ref('requirement_folder', support[w].folder), phase: ref('phase', 'phase.requirement_document.draft') }),
  },
  { collection: 'comments', field: 'text', body: (w, n) => ({ text: n, owner_work_item: ref('defect', support[w].defect) }) },
  { collection: 'user_tags', field: 'name', body: (_w, n) => ({ name: n }) },
  { collection: 'tasks', field: 'name', body: (w, n) => ({ name: n, story: ref('story', support[w].story), phase: ref('phase', 'phase.task.new') }) },
];

const entityOf = (f: Family): ResolvedEntity => t.app.emulator.registry.collection('workspace', f.collection)!;

// ---------------------------------------------------------------------------------------------
// State the setup fills in

interface Principal {
  spec: CallerSpec;
  cookies: Record<string, string>;
  /** user id (users only) */
  userId?: string;
}
const principals = new Map<string, Principal>();
/** the fixture of each family in each workspace */
const fixture = {} as Record<string, Record<WsKey, string>>;
/** the value of `field` each fixture should show when re-read */
const expectedValue = new Map<string, string>();
/** every entity this file created, with its workspace */
const home = new Map<string, WsKey>();

let seq = 0;
const unique = (label: string) => `iso-${label}-${++seq}`;

async function send(who: Principal | null, method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await t.app.inject({
    method,
    url,
    cookies: who?.cookies,
    headers,
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
  const body = res.body && String(res.headers['content-type'] ?? '').includes('json') ? JSON.parse(res.body) : undefined;
  return { status: res.statusCode, body, text: res.body, headers: res.headers };
}

/** Creates as the site admin; fails the setup on any error. */
async function adminCreate(url: string, item: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
  const res = await t.post(url, { data: [item] }, headers);
  if (res.status !== 201) throw new Error(`create ${url} failed: ${res.status} ${res.text}`);
  return res.body.data[0].id;
}

async function createIn(w: WsKey, collection: string, item: Record<string, unknown>): Promise<string> {
  const id = await adminCreate(`${wsUrl(w)}/${collection}`, item);
  home.set(id, w);
  return id;
}

/** workspace_role ids of a space: by workspace key (or 'space' for the space-wide ones) and role. */
const workspaceRoles = new Map<string, string>();
async function loadRoles(s: SpaceKey): Promise<void> {
  const res = await t.get(`${spaceUrl(s)}/workspace_roles?fields=workspace,role{logical_name}&limit=2000`);
  expect(res.status).toBe(200);
  for (const wr of res.body.data) {
    const w = WORKSPACES.find((k) => wsId[k] === wr.workspace?.id);
    const where = wr.workspace === null ? `space:${s}` : w;
    if (where) workspaceRoles.set(`${where}|${wr.role.logical_name}`, wr.id);
  }
}

function rolesOf(spec: CallerSpec): Array<{ type: string; id: string }> {
  const out: Array<{ type: string; id: string }> = [];
  for (const s of spec.spaceAdmin ?? []) out.push(ref('workspace_role', workspaceRoles.get(`space:${s}|role.shared.space.admin`)!));
  for (const [w, role] of Object.entries(spec.roles ?? {})) out.push(ref('workspace_role', workspaceRoles.get(`${w}|${role}`)!));
  for (const r of out) expect(r.id, `${spec.key}: role`).toBeTruthy();
  return out;
}

async function signIn(body: Record<string, string>): Promise<Record<string, string>> {
  const res = await t.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: body });
  if (res.statusCode !== 200) throw new Error(`sign-in ${JSON.stringify(body)} failed: ${res.statusCode} ${res.body}`);
  return Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
}

beforeAll(async () => {
  // spaces and workspaces
  spaceId.B = await adminCreate('/api/shared_spaces', { name: 'iso-space-B' });
  wsId.A2 = await adminCreate(`${spaceUrl('A')}/workspaces`, { name: 'iso-A2' });
  wsId.B1 = await adminCreate(`${spaceUrl('B')}/workspaces`, { name: 'iso-B1' });
  wsId.B2 = await adminCreate(`${spaceUrl('B')}/workspaces`, { name: 'iso-B2' });
  await loadRoles('A');
  await loadRoles('B');

  // callers
  for (const spec of CALLERS) {
    if (spec.kind === 'anonymous') {
      principals.set(spec.key, { spec, cookies: {} });
    } else if (spec.siteAdmin) {
      principals.set(spec.key, { spec, cookies: await signIn({ user: 'sa@nga', password: 'Welcome1' }), userId: String(t.app.emulator.defaults.adminUserId) });
    } else if (spec.kind === 'user') {
      const name = `${spec.key}@iso.example.com`;
      const userId = await adminCreate(
        `${spaceUrl(spec.home!)}/users`,
        { name, email: name, first_name: spec.key, last_name: 'Iso', password: `pw-${spec.key}`, workspace_roles: { data: rolesOf(spec) } },
        PREVIEW,
      );
      principals.set(spec.key, { spec, cookies: await signIn({ user: name, password: `pw-${spec.key}` }), userId });
    } else {
      const res = await t.post(`${spaceUrl(spec.home!)}/api_accesses`, { data: [{ name: spec.key, client_secret: `secret-${spec.key}`, workspace_roles: { data: rolesOf(spec) } }] }, PREVIEW);
      expect(res.status, res.text).toBe(201);
      principals.set(spec.key, { spec, cookies: await signIn({ client_id: res.body.data[0].client_id, client_secret: `secret-${spec.key}` }) });
    }
  }

  // supporting entities, then one fixture per family, in every workspace
  for (const w of WORKSPACES) {
    support[w] = {
      release: await createIn(w, 'releases', { name: `iso-support-release-${w}`, start_date: '2025-01-01', end_date: '2025-12-31' }),
      manualTest: await createIn(w, 'manual_tests', { name: `iso-support-test-${w}`, phase: ref('phase', 'phase.test_manual.new') }),
      story: await createIn(w, 'stories', { name: `iso-support-story-${w}`, phase: ref('phase', 'phase.story.new'), parent: ROOT }),
      defect: await createIn(w, 'defects', { name: `iso-support-defect-${w}`, phase: ref('phase', 'phase.defect.new'), parent: ROOT }),
      folder: await createIn(w, 'requirement_folders', { name: `iso-support-folder-${w}`, parent: ref('requirement_root', 'requirement_root') }),
    };
    for (const f of FAMILIES) {
      const value = `iso-fixture-${f.collection}-${w}`;
      const id = await createIn(w, f.collection, f.body(w, value));
      (fixture[f.collection] ??= {} as Record<WsKey, string>)[w] = id;
      expectedValue.set(id, value);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The matrix

/** Site admin's view of one entity (status, and the checked field). */
async function adminRead(f: Family, w: WsKey, id: string): Promise<{ status: number; value?: string }> {
  const res = await t.get(`${wsUrl(w)}/${f.collection}/${id}?fields=${f.field}`);
  return { status: res.status, value: res.body?.[f.field] };
}

async function adminCount(f: Family, w: WsKey): Promise<number> {
  const res = await t.get(`${wsUrl(w)}/${f.collection}?limit=1`);
  expect(res.status).toBe(200);
  return res.body.total_count;
}

const allFixtures = (f: Family) => WORKSPACES.map((w) => fixture[f.collection][w]);

describe('matrix: caller × workspace × family × method', () => {
  it('is generated from the resource table and the callers\' grants', () => {
    expect(CALLERS.length).toBeGreaterThanOrEqual(10);
    expect(FAMILIES.length).toBeGreaterThanOrEqual(10);
    // each status of the rule occurs somewhere in the matrix
    const seen = new Set<number>();
    for (const c of CALLERS) for (const w of WORKSPACES) for (const f of FAMILIES) for (const op of Object.keys(OPS) as Op[]) {
      for (const idWs of OPS[op].byId ? [w, sibling(w), across(w)] : [undefined]) seen.add(expectedStatus(c, w, entityOf(f), op, idWs));
    }
    expect([...seen].sort()).toEqual([200, 201, 401, 403, 404, 405]);
  });

  for (const spec of CALLERS) {
    describe(spec.key, () => {
      for (const w of WORKSPACES) {
        for (const f of FAMILIES) {
          it(`${w} ${f.collection}`, async () => {
            const who = principals.get(spec.key)!;
            const entity = entityOf(f);
            const base = `${wsUrl(w)}/${f.collection}`;
            const problems: string[] = [];
            const own = fixture[f.collection][w];
            const foreign = new Set([...home].filter(([, hw]) => hw !== w).map(([id]) => id));
            const countBefore = await adminCount(f, w);
            let created = 0;

            /** Compares a reply with the rule; true when it is the expected success. */
            const check = (label: string, res: Reply, expected: number): boolean => {
              if (res.status !== expected) {
                problems.push(`${label}: expected ${expected}, got ${res.status} ${res.body?.error_code ?? ''} ${res.body?.description ?? ''}`.trim());
                return false;
              }
              if (expected >= 400 && res.body?.error_code !== ERROR_CODE[expected]) {
                problems.push(`${label}: ${expected} with error_code ${res.body?.error_code}, expected ${ERROR_CODE[expected]}`);
              }
              return expected < 400;
            };
            const noForeignRows = (label: string, res: Reply) => {
              for (const e of res.body?.data ?? []) if (foreign.has(e.id)) problems.push(`${label}: returned ${e.id} of workspace ${home.get(e.id)}`);
            };

            // GET list: plain, and filtered on the fixtures of all four workspaces
            {
              const exp = expectedStatus(spec, w, entity, 'GET list');
              const plain = await send(who, 'GET', `${base}?limit=2000&fields=${f.field}`);
              if (check('GET list', plain, exp)) {
                noForeignRows('GET list', plain);
                if (plain.body.total_count !== plain.body.data.length) problems.push(`GET list: total_count ${plain.body.total_count} for ${plain.body.data.length} rows`);
                if (!plain.body.data.some((e: any) => e.id === own)) problems.push(`GET list: own fixture ${own} missing`);
              }
              const filtered = await send(who, 'GET', `${base}?${q(`id IN ${allFixtures(f).join(',')}`)}&fields=${f.field}`);
              if (check('GET list id IN all', filtered, exp)) {
                noForeignRows('GET list id IN all', filtered);
                if (filtered.body.total_count !== 1 || filtered.body.data.map((e: any) => e.id).join() !== own) {
                  problems.push(`GET list id IN all: total_count ${filtered.body.total_count}, ids ${filtered.body.data.map((e: any) => e.id)}; expected only ${own}`);
                }
              }
            }

            // GET by id: own, sibling's, other space's
            for (const idWs of [w, sibling(w), across(w)]) {
              const id = fixture[f.collection][idWs];
              const res = await send(who, 'GET', `${base}/${id}?fields=${f.field}`);
              if (check(`GET id of ${idWs}`, res, expectedStatus(spec, w, entity, 'GET id', idWs))) {
                if (res.body.id !== id || res.body[f.field] !== expectedValue.get(id)) problems.push(`GET id of ${idWs}: got ${res.text}`);
              }
            }

            // POST
            {
              const exp = expectedStatus(spec, w, entity, 'POST');
              const res = await send(who, 'POST', base, { data: [f.body(w, unique(`post-${spec.key}-${w}`))] });
              if (check('POST', res, exp)) {
                const id = res.body.data?.[0]?.id;
                home.set(id, w);
                created++;
                const read = await adminRead(f, w, id);
                if (read.status !== 200) problems.push(`POST: created ${id} not readable by the site admin in ${w} (${read.status})`);
              }
            }

            // PUT by id: own, sibling's, other space's
            for (const idWs of [w, sibling(w), across(w)]) {
              const id = fixture[f.collection][idWs];
              const value = unique(`put-${spec.key}-${w}`);
              // memo fields (a comment's text) are not returned by default: ask for the field
              const res = await send(who, 'PUT', `${base}/${id}?fields=${f.field}`, { [f.field]: value });
              if (check(`PUT id of ${idWs}`, res, expectedStatus(spec, w, entity, 'PUT id', idWs))) {
                expectedValue.set(id, value);
                if (res.body?.[f.field] !== value) problems.push(`PUT id of ${idWs}: answer shows ${res.body?.[f.field]}`);
              }
            }

            // DELETE by id: own (a fresh victim when the delete should succeed), sibling's, other space's
            for (const idWs of [w, sibling(w), across(w)]) {
              const exp = expectedStatus(spec, w, entity, 'DELETE id', idWs);
              const id = exp === 200 ? await createIn(w, f.collection, f.body(w, unique('victim'))) : fixture[f.collection][idWs];
              const res = await send(who, 'DELETE', `${base}/${id}`);
              if (check(`DELETE id of ${idWs}`, res, exp)) {
                const gone = await adminRead(f, w, id);
                if (gone.status !== 404) problems.push(`DELETE id of ${idWs}: ${id} still readable (${gone.status})`);
                home.delete(id);
              }
            }

            // PUT by query over the fixtures of all four workspaces: only this workspace's changes
            {
              const exp = expectedStatus(spec, w, entity, 'PUT query');
              const value = unique(`putq-${spec.key}-${w}`);
              const res = await send(who, 'PUT', `${base}?${q(`id IN ${allFixtures(f).join(',')}`)}`, { data: [{ [f.field]: value }] });
              if (check('PUT query', res, exp)) {
                noForeignRows('PUT query', res);
                const ids = (res.body?.data ?? []).map((e: any) => e.id);
                if (res.body?.total_count !== 1 || ids.join() !== own) problems.push(`PUT query: total_count ${res.body?.total_count}, ids ${ids}; expected only ${own}`);
                expectedValue.set(own, value);
              }
            }

            // DELETE by query over a fresh victim here and the other workspaces' fixtures
            {
              const exp = expectedStatus(spec, w, entity, 'DELETE query');
              const victim = exp === 200 ? await createIn(w, f.collection, f.body(w, unique('victim-q'))) : own;
              const ids = [victim, ...WORKSPACES.filter((x) => x !== w).map((x) => fixture[f.collection][x])];
              const res = await send(who, 'DELETE', `${base}?${q(`id IN ${ids.join(',')}`)}`);
              if (check('DELETE query', res, exp)) {
                noForeignRows('DELETE query', res);
                const deleted = (res.body?.data ?? []).map((e: any) => e.id);
                if (res.body?.total_count !== 1 || deleted.join() !== victim) problems.push(`DELETE query: total_count ${res.body?.total_count}, ids ${deleted}; expected only ${victim}`);
                if ((await adminRead(f, w, victim)).status !== 404) problems.push(`DELETE query: victim ${victim} still readable`);
                home.delete(victim);
              }
            }

            // re-read as the site admin: every fixture exists with the value it should have, and
            // this workspace holds exactly the rows the successful writes account for
            for (const x of WORKSPACES) {
              const id = fixture[f.collection][x];
              const read = await adminRead(f, x, id);
              if (read.status !== 200) problems.push(`after: fixture ${id} of ${x} is gone (${read.status})`);
              else if (read.value !== expectedValue.get(id)) problems.push(`after: fixture ${id} of ${x} shows '${read.value}', expected '${expectedValue.get(id)}'`);
            }
            const countAfter = await adminCount(f, w);
            if (countAfter !== countBefore + created) problems.push(`after: ${countAfter} rows in ${w}, expected ${countBefore + created}`);

            expect(problems).toEqual([]);
          });
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Space and site level

const userCallers = () => CALLERS.filter((c) => c.kind === 'user');
const signedIn = () => CALLERS.filter((c) => c.kind !== 'anonymous');

// Every workspace collection of the resource table, not only the families above: what each
// caller may list and read by id in each workspace, and the writes the rule refuses (401, 403,
// 405), which must change nothing. Rows are whatever each workspace holds (its template data, the
// fixtures); allowed writes with real bodies are the matrix's business above.
describe('every workspace collection of the resource table', () => {
  const collections = () => t.app.emulator.registry.entities.filter((e) => e.level === 'workspace');
  /** per collection and workspace: the status of the site admin's list and the ids it holds */
  const seenByAdmin = new Map<string, Record<WsKey, { status: number; ids: Set<string> }>>();
  const adminList = async (e: ResolvedEntity, w: WsKey) => {
    const res = await t.get(`${wsUrl(w)}/${e.collection}?fields=id&limit=2000`, PREVIEW);
    return { status: res.status, ids: new Set<string>(res.status === 200 ? res.body.data.map((x: { id: string }) => x.id) : []) };
  };
  const snapshotAll = async () => {
    const out = new Map<string, Record<WsKey, { status: number; ids: Set<string> }>>();
    for (const e of collections()) {
      const per = {} as Record<WsKey, { status: number; ids: Set<string> }>;
      for (const w of WORKSPACES) per[w] = await adminList(e, w);
      out.set(e.collection, per);
    }
    return out;
  };
  beforeAll(async () => {
    for (const [k, v] of await snapshotAll()) seenByAdmin.set(k, v);
  });

  it('covers every workspace collection, most of them with rows in every workspace', () => {
    const all = collections();
    expect(all.length).toBeGreaterThanOrEqual(40);
    const withRows = all.filter((e) => WORKSPACES.every((w) => seenByAdmin.get(e.collection)![w].ids.size > 0));
    expect(withRows.length).toBeGreaterThanOrEqual(15);
  });

  for (const spec of CALLERS) {
    it(`${spec.key}: lists and reads only its workspaces' rows; refused writes are refused`, async () => {
      const who = principals.get(spec.key)!;
      const problems: string[] = [];
      const check = (label: string, res: Reply, expected: number) => {
        if (res.status !== expected) problems.push(`${label}: expected ${expected}, got ${res.status} ${res.body?.error_code ?? ''}`.trim());
        else if (expected >= 400 && expected !== 400 && res.body?.error_code !== ERROR_CODE[expected]) problems.push(`${label}: ${expected} with error_code ${res.body?.error_code}`);
      };
      for (const e of collections()) {
        const admin = seenByAdmin.get(e.collection)!;
        for (const w of WORKSPACES) {
          const base = `${wsUrl(w)}/${e.collection}`;
          const own = admin[w];
          // a list: the rule's status (or, where the rule allows it, the admin's own answer), and
          // never a row the admin does not see in that workspace
          const listExpected = expectedStatus(spec, w, e, 'GET list');
          const list = await send(who, 'GET', `${base}?fields=id&limit=2000`, undefined, PREVIEW);
          check(`${w} GET ${e.collection}`, list, listExpected === 200 ? own.status : listExpected);
          if (list.status === 200) for (const x of list.body.data) if (!own.ids.has(x.id)) problems.push(`${w} GET ${e.collection}: returned ${x.id}, not a row of ${w}`);
          // by id: a row of the sibling workspace or of the other space is not found through w
          for (const other of [sibling(w), across(w)]) {
            const foreign = [...admin[other].ids].find((id) => !own.ids.has(id));
            if (foreign === undefined) continue;
            check(`${w} GET ${e.collection}/${foreign} (of ${other})`, await send(who, 'GET', `${base}/${foreign}`, undefined, PREVIEW), expectedStatus(spec, w, e, 'GET id', other));
          }
          // writes the rule refuses, whatever the body
          const ownId = [...own.ids][0];
          const writes: Array<[Op, InjectOptions['method'], string, unknown]> = [
            ['POST', 'POST', base, { data: [{ name: 'refused' }] }],
            ['PUT id', 'PUT', `${base}/${ownId ?? '1'}`, { name: 'refused' }],
            ['DELETE id', 'DELETE', `${base}/${ownId ?? '1'}`, undefined],
          ];
          for (const [op, method, url, body] of writes) {
            const expected = expectedStatus(spec, w, e, op, ownId === undefined ? undefined : w);
            if (![401, 403, 405].includes(expected)) continue;
            check(`${w} ${method} ${url.slice(base.length - e.collection.length)}`, await send(who, method, url, body, PREVIEW), expected);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('the refused writes changed nothing in any workspace', async () => {
    const after = await snapshotAll();
    for (const e of collections()) {
      for (const w of WORKSPACES) {
        expect([...after.get(e.collection)![w].ids].sort(), `${w} ${e.collection}`).toEqual([...seenByAdmin.get(e.collection)![w].ids].sort());
      }
    }
  });
});

describe('space level: what each caller sees', () => {
  for (const spec of CALLERS) {
    for (const s of ['A', 'B'] as SpaceKey[]) {
      it(`${spec.key}: ${s}/workspaces lists only the workspaces it may enter`, async () => {
        const who = principals.get(spec.key)!;
        const res = await send(who, 'GET', `${spaceUrl(s)}/workspaces?fields=name&limit=2000`);
        if (spec.kind === 'anonymous') return void expect(res.status).toBe(401);
        const mine = WORKSPACES.filter((w) => spaceOf(w) === s && mayRead(spec, w)).map((w) => wsId[w]);
        if (!mayEnterSpace(spec, s)) {
          // Not a member of any workspace of the space. A user of the space without any role
          // could be told "no workspaces" (200, empty) or be refused (403); never shown any.
          if (spec.home === s) expect([200, 403]).toContain(res.status);
          else expect(res.status).toBe(403);
          if (res.status === 200) expect(res.body.data).toEqual([]);
          else expect(res.body.error_code).toBe('platform.forbidden');
          return;
        }
        expect(res.status).toBe(200);
        const ids: string[] = res.body.data.map((e: any) => e.id);
        if (mayAdministerSpace(spec, s)) {
          // the space admin sees every workspace of the space (others may have been created)
          expect(ids).toEqual(expect.arrayContaining(mine));
        } else {
          expect([...ids].sort()).toEqual([...mine].sort());
        }
        expect(res.body.total_count).toBe(ids.length);
        // never a workspace of the other space
        const otherSpace = WORKSPACES.filter((w) => spaceOf(w) !== s).map((w) => wsId[w]);
        expect(ids.filter((id) => otherSpace.includes(id))).toEqual([]);
      });

      it(`${spec.key}: ${s}/workspaces/{id} of a workspace it may not enter is not shown`, async () => {
        const who = principals.get(spec.key)!;
        for (const w of WORKSPACES.filter((x) => spaceOf(x) === s)) {
          const res = await send(who, 'GET', `${spaceUrl(s)}/workspaces/${wsId[w]}`);
          if (spec.kind === 'anonymous') expect(res.status).toBe(401);
          else if (mayRead(spec, w)) expect(res.status, w).toBe(200);
          else expect([403, 404], w).toContain(res.status);
        }
        // a workspace of the other space, through this space: 404 for anyone who may enter it
        const other = WORKSPACES.find((x) => spaceOf(x) !== s)!;
        const res = await send(who, 'GET', `${spaceUrl(s)}/workspaces/${wsId[other]}`);
        if (spec.kind === 'anonymous') expect(res.status).toBe(401);
        else expect([403, 404]).toContain(res.status);
      });
    }

    it(`${spec.key}: /api/shared_spaces lists only its spaces`, async () => {
      const who = principals.get(spec.key)!;
      const res = await send(who, 'GET', '/api/shared_spaces?fields=name&limit=2000');
      if (spec.kind === 'anonymous') return void expect(res.status).toBe(401);
      expect(res.status).toBe(200);
      const ids: string[] = res.body.data.map((e: any) => e.id);
      expect(res.body.total_count).toBe(ids.length);
      for (const s of ['A', 'B'] as SpaceKey[]) {
        if (mayEnterSpace(spec, s)) expect(ids, s).toContain(spaceId[s]);
        // a user of a space without any role there may or may not see it; never another space
        else if (spec.home !== s) expect(ids, s).not.toContain(spaceId[s]);
      }
      if (!spec.siteAdmin) expect(ids.every((id) => Object.values(spaceId).includes(id))).toBe(true);
    });

    it(`${spec.key}: space-level users, roles and workspace roles of each space`, async () => {
      const who = principals.get(spec.key)!;
      for (const s of ['A', 'B'] as SpaceKey[]) {
        for (const coll of ['users', 'roles', 'workspace_roles']) {
          const res = await send(who, 'GET', `${spaceUrl(s)}/${coll}?limit=2000`, undefined, PREVIEW);
          const exp = spec.kind === 'anonymous' ? 401 : mayEnterSpace(spec, s) ? 200 : spec.home === s ? -1 : 403;
          if (exp === -1) expect([200, 403], `${s} ${coll}`).toContain(res.status);
          else expect(res.status, `${s} ${coll}`).toBe(exp);
          if (res.status === 200 && coll === 'users') {
            // users of the other space never appear
            const ids: string[] = res.body.data.map((e: any) => e.id);
            for (const c of userCallers()) {
              const p = principals.get(c.key)!;
              if (c.home !== s) expect(ids, `${c.key} in ${s}`).not.toContain(p.userId);
            }
          }
        }
      }
    });
  }

  it('workspace_users of each workspace: exactly the users holding a role there or a space-wide one', async () => {
    for (const w of WORKSPACES) {
      const res = await t.get(`${wsUrl(w)}/workspace_users?fields=name&limit=2000`);
      expect(res.status).toBe(200);
      const ids: string[] = res.body.data.map((e: any) => e.id);
      expect(res.body.total_count).toBe(ids.length);
      for (const c of userCallers()) {
        const member = c.roles?.[w] !== undefined || !!c.spaceAdmin?.includes(spaceOf(w));
        if (member) expect(ids, `${c.key} in ${w}`).toContain(principals.get(c.key)!.userId);
        else expect(ids, `${c.key} in ${w}`).not.toContain(principals.get(c.key)!.userId);
      }
    }
  });

  it('a member reads the workspace users of its workspace, not those of another', async () => {
    const member = principals.get('member-A1')!;
    const ok = await send(member, 'GET', `${wsUrl('A1')}/workspace_users?fields=name`);
    expect(ok.status).toBe(200);
    expect(ok.body.data.map((e: any) => e.id)).toContain(member.userId);
    expect(ok.body.data.map((e: any) => e.id)).not.toContain(principals.get('member-A2')!.userId);
    const no = await send(member, 'GET', `${wsUrl('A2')}/workspace_users?fields=name`);
    expect(no.status).toBe(403);
    // a user of the same space but not of this workspace is a 404 through it
    const other = await send(member, 'GET', `${wsUrl('A1')}/workspace_users/${principals.get('member-A2')!.userId}`);
    expect(other.status).toBe(404);
  });
});

describe('URL pairs that do not exist are 404 before any permission check', () => {
  for (const spec of CALLERS) {
    it(spec.key, async () => {
      const who = principals.get(spec.key)!;
      const urls = [
        // a workspace of space B addressed through space A, and the reverse
        `${spaceUrl('A')}/workspaces/${wsId.B1}/defects`,
        `${spaceUrl('B')}/workspaces/${wsId.A1}/defects`,
        `${spaceUrl('A')}/workspaces/${wsId.B2}/defects/${fixture.defects.B2}`,
        // unknown space, unknown workspace
        `/api/shared_spaces/987654/workspaces/${wsId.A1}/defects`,
        `${spaceUrl('A')}/workspaces/987654/defects`,
        '/api/shared_spaces/987654/workspaces',
      ];
      for (const url of urls) {
        const res = await send(who, 'GET', url);
        expect(res.status, url).toBe(spec.kind === 'anonymous' ? 401 : 404);
      }
    });
  }
});

describe('groups count only the rows of the workspace', () => {
  for (const spec of CALLERS) {
    it(spec.key, async () => {
      const who = principals.get(spec.key)!;
      for (const w of WORKSPACES) {
        const res = await send(who, 'GET', `${wsUrl(w)}/defects/groups?group_by=phase`);
        const exp = spec.kind === 'anonymous' ? 401 : mayRead(spec, w) ? 200 : 403;
        expect(res.status, w).toBe(exp);
        if (exp !== 200) continue;
        const total = res.body.groups.reduce((n: number, g: any) => n + g.count, 0);
        expect(total, w).toBe(await adminCount(FAMILIES[0], w));
      }
    });
  }
});

describe('references and filters never cross workspaces', () => {
  interface Edge {
    family: string;
    field: string;
    type: string;
    target: (w: WsKey) => string;
  }
  const EDGES: Edge[] = [
    { family: 'comments', field: 'owner_work_item', type: 'defect', target: (w) => support[w].defect },
    { family: 'tasks', field: 'story', type: 'story', target: (w) => support[w].story },
    { family: 'runs', field: 'test', type: 'test_manual', target: (w) => support[w].manualTest },
    { family: 'runs', field: 'release', type: 'release', target: (w) => support[w].release },
    { family: 'requirement_documents', field: 'parent', type: 'requirement_folder', target: (w) => support[w].folder },
    // the work_items fixture is a feature, a valid parent of a defect
    { family: 'defects', field: 'parent', type: 'feature', target: (w) => fixture.work_items[w] },
  ];
  for (const edge of EDGES) {
    for (const w of WORKSPACES) {
      it(`${w} ${edge.family}.${edge.field} -> an entity of ${sibling(w)} / ${across(w)}`, async () => {
        const f = FAMILIES.find((x) => x.collection === edge.family)!;
        const member = principals.get('site-admin')!;
        for (const other of [sibling(w), across(w)]) {
          const foreign = ref(edge.type, edge.target(other));
          const before = await adminCount(f, w);
          // create with a reference to the other workspace: refused, nothing created
          const res = await send(member, 'POST', `${wsUrl(w)}/${edge.family}`, { data: [{ ...f.body(w, unique('xref')), [edge.field]: foreign }] });
          expect(res.status, `POST ${other}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `POST ${other}`).toBeLessThan(500);
          expect(await adminCount(f, w)).toBe(before);
          // update the fixture to point there: refused, unchanged
          const id = fixture[edge.family][w];
          const upd = await send(member, 'PUT', `${wsUrl(w)}/${edge.family}/${id}`, { [edge.field]: foreign });
          expect(upd.status, `PUT ${other}`).toBeGreaterThanOrEqual(400);
          expect(upd.status, `PUT ${other}`).toBeLessThan(500);
          const read = await t.get(`${wsUrl(w)}/${edge.family}/${id}?fields=${edge.field}`);
          expect(read.body[edge.field]?.id ?? null).not.toBe(foreign.id);
          // a filter on the other workspace's entity finds nothing here
          const filtered = await t.get(`${wsUrl(w)}/${edge.family}?${q(`${edge.field} EQ {id EQ ${foreign.id}}`)}`);
          expect(filtered.status).toBe(200);
          expect(filtered.body.total_count).toBe(0);
        }
      });
    }
  }

  it('inverse fields only show rows of the workspace: a defect\'s comments', async () => {
    for (const w of WORKSPACES) {
      const res = await t.get(`${wsUrl(w)}/defects/${support[w].defect}?fields=comments`);
      expect(res.status).toBe(200);
      const ids: string[] = res.body.comments.data.map((c: any) => c.id);
      expect(ids).toContain(fixture.comments[w]);
      for (const id of ids) expect(home.get(id), id).toBe(w);
    }
  });
});

describe('space administration: only site admins and the space\'s admins', () => {
  for (const spec of CALLERS) {
    it(`${spec.key}: POST users and api_accesses in each space`, async () => {
      const who = principals.get(spec.key)!;
      for (const s of ['A', 'B'] as SpaceKey[]) {
        const exp = spec.kind === 'anonymous' ? 401 : mayAdministerSpace(spec, s) ? 201 : 403;
        const name = `${unique(`adm-${spec.key}`)}@iso.example.com`;
        const before = (await t.get(`${spaceUrl(s)}/users?limit=1`, PREVIEW)).body.total_count;
        const u = await send(who, 'POST', `${spaceUrl(s)}/users`, { data: [{ name, email: name, first_name: 'Adm', last_name: 'In', password: 'pw' }] }, PREVIEW);
        expect(u.status, `${s} users`).toBe(exp);
        expect((await t.get(`${spaceUrl(s)}/users?limit=1`, PREVIEW)).body.total_count, `${s} users count`).toBe(before + (exp === 201 ? 1 : 0));
        if (exp !== 201) expect(u.body.error_code).toBe(ERROR_CODE[exp]);
        const k = await send(who, 'POST', `${spaceUrl(s)}/api_accesses`, { data: [{ name: unique(`adm-key-${spec.key}`) }] }, PREVIEW);
        expect(k.status, `${s} api_accesses`).toBe(exp);
      }
    });

    it(`${spec.key}: a workspace admin is not a space admin: workspace roles do not open space writes`, async () => {
      const who = principals.get(spec.key)!;
      for (const s of ['A', 'B'] as SpaceKey[]) {
        const exp = spec.kind === 'anonymous' ? 401 : mayAdministerSpace(spec, s) ? 200 : 403;
        const w = s === 'A' ? 'A1' : 'B1';
        const res = await send(who, 'PUT', `${spaceUrl(s)}/workspaces/${wsId[w]}`, { description: unique('desc') });
        expect(res.status, s).toBe(exp);
      }
    });
  }

  // last: these create workspaces and spaces, which other lists above would then include
  for (const spec of CALLERS) {
    it(`${spec.key}: POST workspaces in each space, POST shared_spaces`, async () => {
      const who = principals.get(spec.key)!;
      for (const s of ['A', 'B'] as SpaceKey[]) {
        const exp = spec.kind === 'anonymous' ? 401 : mayAdministerSpace(spec, s) ? 201 : 403;
        const res = await send(who, 'POST', `${spaceUrl(s)}/workspaces`, { data: [{ name: unique(`ws-${spec.key}`) }] });
        expect(res.status, s).toBe(exp);
        if (exp === 201) {
          // the creator (a space admin) then sees it in the list, and may enter it
          const id = res.body.data[0].id;
          const list = await send(who, 'GET', `${spaceUrl(s)}/workspaces?fields=name&limit=2000`);
          expect(list.body.data.map((e: any) => e.id)).toContain(id);
          expect((await send(who, 'GET', `${spaceUrl(s)}/workspaces/${id}/defects`)).status).toBe(200);
        }
      }
      const sp = await send(who, 'POST', '/api/shared_spaces', { data: [{ name: unique(`space-${spec.key}`) }] });
      expect(sp.status).toBe(spec.kind === 'anonymous' ? 401 : spec.siteAdmin ? 201 : 403);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Users, passwords and roles through a workspace's workspace_users: the workspace view of the
// space-level users. What Octane's roles mean (and what anyone would expect): only a workspace
// admin (or a space / site admin) manages the users of a workspace; nobody below the shared space
// admin hands out roles outside the workspace, and nobody raises its own role. Each test uses
// fresh users, so that a failure here cannot disturb the matrix above.

describe('user administration through workspace_users', () => {
  const ROLE_KINDS = [ADMIN_ROLE, 'role.workspace.leader', MEMBER_ROLE, TESTER_ROLE, VIEWER_ROLE];
  const managesUsers = (role: string) => role === ADMIN_ROLE;
  let n = 0;

  async function freshUser(roles: Array<{ type: string; id: string }>): Promise<{ id: string; name: string; password: string; cookies: Record<string, string> }> {
    const name = `wsu-${++n}@iso.example.com`;
    const password = `pw-wsu-${n}`;
    const id = await adminCreate(`${spaceUrl('A')}/users`, { name, email: name, first_name: 'Wsu', last_name: `N${n}`, password, workspace_roles: { data: roles } }, PREVIEW);
    return { id, name, password, cookies: await signIn({ user: name, password }) };
  }
  const wrA = (w: WsKey | 'space', role: string) => ref('workspace_role', workspaceRoles.get(w === 'space' ? `space:A|${role}` : `${w}|${role}`)!);
  const asUser = (cookies: Record<string, string>): Principal => ({ spec: { key: 'fresh', kind: 'user' }, cookies });

  for (const role of ROLE_KINDS) {
    it(`${role} of A1: create a user in A1 -> ${managesUsers(role) ? '201' : '403'}`, async () => {
      const me = asUser((await freshUser([wrA('A1', role)])).cookies);
      const name = `${unique('wsu-new')}@iso.example.com`;
      const res = await send(me, 'POST', `${wsUrl('A1')}/workspace_users`, { data: [{ name, email: name, first_name: 'New', last_name: 'User', password: 'pw-new' }] });
      expect(res.status, res.text).toBe(managesUsers(role) ? 201 : 403);
      const found = await t.get(`${spaceUrl('A')}/users?${q(`name EQ '${name}'`)}`, PREVIEW);
      expect(found.body.total_count).toBe(managesUsers(role) ? 1 : 0);
    });

    it(`${role} of A1: raise its own role to shared space admin -> refused, and still no access to A2`, async () => {
      const self = await freshUser([wrA('A1', role)]);
      const me = asUser(self.cookies);
      const res = await send(me, 'PUT', `${wsUrl('A1')}/workspace_users/${self.id}`, { workspace_roles: { data: [wrA('A1', role), wrA('space', 'role.shared.space.admin')] } });
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect((await send(me, 'GET', `${wsUrl('A2')}/defects`)).status).toBe(403);
      const roles = await t.get(`${spaceUrl('A')}/users/${self.id}?fields=workspace_roles`, PREVIEW);
      expect(roles.body.workspace_roles.data.map((r: any) => r.id)).toEqual([wrA('A1', role).id]);
    });

    it(`${role} of A1: give itself a role in A2 -> refused`, async () => {
      const self = await freshUser([wrA('A1', role)]);
      const me = asUser(self.cookies);
      const res = await send(me, 'PUT', `${wsUrl('A1')}/workspace_users/${self.id}`, { workspace_roles: { data: [wrA('A1', role), wrA('A2', ADMIN_ROLE)] } });
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect((await send(me, 'GET', `${wsUrl('A2')}/defects`)).status).toBe(403);
    });

    if (!managesUsers(role)) {
      it(`${role} of A1: promote itself to workspace admin of A1 -> 403`, async () => {
        const self = await freshUser([wrA('A1', role)]);
        const res = await send(asUser(self.cookies), 'PUT', `${wsUrl('A1')}/workspace_users/${self.id}`, { workspace_roles: { data: [wrA('A1', ADMIN_ROLE)] } });
        expect(res.status, res.text).toBe(403);
      });

      it(`${role} of A1: change another user's password, or delete that user -> 403`, async () => {
        const me = asUser((await freshUser([wrA('A1', role)])).cookies);
        // the victim is a workspace user of A1 who is also the space admin
        const victim = await freshUser([wrA('A1', MEMBER_ROLE), wrA('space', 'role.shared.space.admin')]);
        const pw = await send(me, 'PUT', `${wsUrl('A1')}/workspace_users/${victim.id}`, { password: 'taken-over' });
        expect(pw.status, pw.text).toBe(403);
        expect((await t.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: victim.name, password: 'taken-over' } })).statusCode).toBe(401);
        expect((await t.app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: victim.name, password: victim.password } })).statusCode).toBe(200);
        const del = await send(me, 'DELETE', `${wsUrl('A1')}/workspace_users/${victim.id}`);
        expect(del.status, del.text).toBe(403);
        expect((await t.get(`${spaceUrl('A')}/users/${victim.id}`, PREVIEW)).status).toBe(200);
        // the victim's session survived
        expect((await send(asUser(victim.cookies), 'GET', `${wsUrl('A1')}/defects`)).status).toBe(200);
      });
    }
  }

  it('a workspace admin of A1 cannot create a user holding a role outside A1 through A1', async () => {
    const me = asUser((await freshUser([wrA('A1', ADMIN_ROLE)])).cookies);
    for (const outside of [wrA('A2', ADMIN_ROLE), wrA('space', 'role.shared.space.admin')]) {
      const name = `${unique('wsu-outside')}@iso.example.com`;
      const res = await send(me, 'POST', `${wsUrl('A1')}/workspace_users`, { data: [{ name, email: name, first_name: 'Out', last_name: 'Side', password: 'pw-out', workspace_roles: { data: [wrA('A1', MEMBER_ROLE), outside] } }] });
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect((await t.get(`${spaceUrl('A')}/users?${q(`name EQ '${name}'`)}`, PREVIEW)).body.total_count).toBe(0);
    }
  });

  it('a create through workspace_users answers the created user (never an empty 201)', async () => {
    const name = `${unique('wsu-a2-only')}@iso.example.com`;
    const res = await t.post(`${wsUrl('A1')}/workspace_users`, { data: [{ name, email: name, first_name: 'A2', last_name: 'Only', password: 'pw', workspace_roles: { data: [wrA('A2', MEMBER_ROLE)] } }] });
    // a role of another workspace through A1's view: refused, or created and shown
    if (res.status === 201) {
      expect(res.body.total_count).toBe(1);
      expect(res.body.data).toHaveLength(1);
    } else {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
