// The fixture loader's item keys beyond plain bodies, as a test suite uses them through seed():
// "@key" references, "@script" and "@steps" (the outcomes of a run's steps), and the errors a bad
// item gets, which leave nothing of the fixture behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/index.js';

let e: RunningEmulator;
beforeAll(async () => {
  e = await startEmulator();
});
afterAll(() => e.close());

async function get(url: string) {
  const auth = `Basic ${Buffer.from(`${e.credentials.user}:${e.credentials.password}`).toString('base64')}`;
  const r = await fetch(`${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${e.workspaceId}/${url}`, { headers: { authorization: auth } });
  expect(r.status).toBe(200);
  return (await r.json()) as { total_count: number; data: Array<Record<string, any>> };
}
const q = (query: string) => `query=${encodeURIComponent(`"${query}"`)}`;
const stepOutcomes = async (run: number) =>
  (await get(`run_steps?${q(`run EQ {id EQ ${run}}`)}&fields=status{logical_name}&order_by=id`)).data.map((s) => s.status.logical_name.replace('list_node.run_native_status.', ''));

const release = (name = 'Fixture release') => ({ '@key': 'release', name, start_date: '2026-01-01T00:00:00Z', end_date: '2026-03-31T00:00:00Z' });
const test = (key: string, steps: number) => ({
  '@key': key,
  '@script': Array.from({ length: steps }, (_, i) => `- step ${i + 1}`).join('\n'),
  name: `Manual test ${key}`,
  phase: { type: 'phase', id: 'phase.test_manual.new' },
});
const run = (key: string, testKey: string, status: string, steps?: unknown) => ({
  '@key': key,
  ...(steps === undefined ? {} : { '@steps': steps }),
  name: `Run ${key}`,
  test: { type: 'test_manual', id: `@${testKey}` },
  release: { type: 'release', id: '@release' },
  native_status: { type: 'list_node', id: `list_node.run_native_status.${status}` },
});

describe('fixture "@steps"', () => {
  it('sets the outcome of each step in order; a single status sets them all; the rest stay planned', async () => {
    const [result] = e.seed({
      releases: [release()],
      manual_tests: [test('t', 4)],
      manual_runs: [run('partial', 't', 'failed', ['passed', 'failed']), run('all', 't', 'passed', 'passed'), run('none', 't', 'planned')],
    });
    const { partial, all, none } = result.keys;
    expect(await stepOutcomes(partial)).toEqual(['passed', 'failed', 'planned', 'planned']);
    expect(await stepOutcomes(all)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(await stepOutcomes(none)).toEqual(['planned', 'planned', 'planned', 'planned']);
    expect(((await get(`runs/${partial}?fields=status{logical_name}`)) as unknown as { status: { logical_name: string } }).status.logical_name).toBe('list_node.run_status.failed');
  });

  it('refuses an unknown outcome or more outcomes than steps, leaving nothing of the fixture', async () => {
    const before = (await get('manual_tests?fields=id')).total_count;
    expect(() => e.seed({ releases: [release('Release u')], manual_tests: [test('u', 2)], manual_runs: [run('r', 'u', 'failed', ['passed', 'exploded'])] })).toThrow(/unknown step outcome "exploded"/);
    expect(() => e.seed({ releases: [release('Release v')], manual_tests: [test('v', 2)], manual_runs: [run('r', 'v', 'failed', ['passed', 'passed', 'failed'])] })).toThrow(/3 outcomes for a run with 2 steps/);
    expect(() => e.seed({ releases: [release('Release w')], manual_tests: [test('w', 2)], manual_runs: [run('r', 'w', 'failed', { first: 'passed' })] })).toThrow(/must be a status or an array/);
    expect((await get('manual_tests?fields=id')).total_count).toBe(before);
  });
});

describe('fixture roles: a workspace_role named by its role', () => {
  const signInAs = async (user: string, password: string) => {
    const r = await fetch(`${e.url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
    expect(r.status).toBe(200);
    return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const createDefect = async (cookie: string) =>
    (
      await fetch(`${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${e.workspaceId}/defects`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ data: [{ name: 'by a fixture user', phase: { type: 'phase', id: 'phase.defect.new' } }] }),
      })
    ).status;
  const user = (name: string, roles: string[]) => ({
    email: `${name}@fixture.example.com`,
    first_name: name,
    last_name: 'Fixture',
    password: 'Secret1!',
    workspace_roles: { data: roles.map((id) => ({ type: 'workspace_role', id })) },
  });

  it('gives fixture users the roles they name: a viewer reads but may not write, an admin writes', async () => {
    e.seed({ workspace_users: [user('viewer', ['role.workspace.viewer']), user('wsadmin', ['role.workspace.admin'])] });
    const viewer = await signInAs('viewer@fixture.example.com', 'Secret1!');
    expect(await createDefect(viewer)).toBe(403);
    const reads = await fetch(`${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${e.workspaceId}/defects?limit=1`, { headers: { cookie: viewer } });
    expect(reads.status).toBe(200);
    expect(await createDefect(await signInAs('wsadmin@fixture.example.com', 'Secret1!'))).toBe(201);
    const roles = await get(`workspace_users?${q('email EQ ^viewer@fixture.example.com^')}&fields=workspace_roles{role{logical_name}}`);
    expect(roles.data[0].workspace_roles.data.map((wr: any) => wr.role.logical_name)).toEqual(['role.workspace.viewer']);
  });

  it('creates API keys with roles and workspaces of the space, as the administration would', async () => {
    const [result] = e.seed({
      api_accesses: [{ '@key': 'key', name: 'fixture-ci', client_id: 'fixture_ci', client_secret: 'fixture-secret', workspace_roles: { data: [{ type: 'workspace_role', id: 'role.workspace.admin' }] } }],
      workspaces: [{ '@key': 'ws', name: 'Fixture workspace' }],
    });
    const key = await fetch(`${e.url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'fixture_ci', client_secret: 'fixture-secret' }) });
    expect(key.status).toBe(200);
    expect(await createDefect(key.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '))).toBe(201);
    const auth = `Basic ${Buffer.from(`${e.credentials.user}:${e.credentials.password}`).toString('base64')}`;
    const ws = await fetch(`${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${result.keys.ws}?fields=name`, { headers: { authorization: auth } });
    expect(ws.status).toBe(200);
    expect(((await ws.json()) as { name: string }).name).toBe('Fixture workspace');
    // the new workspace got its template: its own phases
    const phases = await fetch(`${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${result.keys.ws}/phases?limit=1`, { headers: { authorization: auth } });
    expect(((await phases.json()) as { total_count: number }).total_count).toBeGreaterThan(10);
  });

  it('refuses a role name that does not exist, leaving nothing of the fixture', async () => {
    expect(() => e.seed({ workspace_users: [user('ghost', ['role.workspace.nope'])] })).toThrow(/no workspace role 'role.workspace.nope'/);
    expect((await get(`workspace_users?${q('email EQ ^ghost@fixture.example.com^')}`)).total_count).toBe(0);
  });
});
