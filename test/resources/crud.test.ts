// CRUD round trips through the generic path, one or more resources of each family: create (201
// with {total_count, data}), read by id (the bare entity), list by `id EQ`, update (200, the
// changed value, version_stamp + 1), delete (200, empty body), read again (404). Then bulk writes
// (one transaction), bulk update, delete by query, and how references render.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

const ROOT = ref('work_item_root', 'work_item_root');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

type Entity = Record<string, any>;

function url(collection: string): string {
  return collection.startsWith('/') ? collection : `${t.ws}/${collection}`;
}

/** POST one item; asserts the create envelope and returns the created entity. */
async function createOne(collection: string, body: Entity, headers?: Record<string, string>): Promise<Entity> {
  const res = await t.post(url(collection), { data: [body] }, headers);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
  expect(Object.keys(res.body).sort()).toEqual(['data', 'total_count']);
  expect(res.body.total_count).toBe(1);
  expect(res.body.data).toHaveLength(1);
  const e = res.body.data[0];
  expect(e.id).toMatch(/^\d+$/);
  return e;
}

async function getById(collection: string, id: string, headers?: Record<string, string>, fields?: string): Promise<Entity> {
  const res = await t.get(`${url(collection)}/${id}${fields ? `?fields=${fields}` : ''}`, headers);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
  // a bare entity, not an envelope
  expect(res.body.data).toBeUndefined();
  expect(res.body.total_count).toBeUndefined();
  // the canonical id, also when the URL names the entity by its logical name
  if (/^\d+$/.test(id)) expect(res.body.id).toBe(id);
  else expect(res.body.id).toMatch(/^\d+$/);
  return res.body;
}

async function expectGone(collection: string, id: string, type: string, headers?: Record<string, string>): Promise<void> {
  const res = await t.get(`${url(collection)}/${id}`, headers);
  expectOctaneError(res, 404, 'platform.entity_not_found');
  expect(res.body.properties).toMatchObject({ entity_type: type, entity_id: id });
  const list = await t.get(`${url(collection)}?${q(`id EQ ${id}`)}`, headers);
  expect(list.status).toBe(200);
  expect(list.body.total_count).toBe(0);
}

interface RoundTrip {
  collection: string;
  headers?: Record<string, string>;
  body: Entity;
  /** `type` shown through this collection */
  type: string;
  /** values the created entity shows (scalars, or rendered references) */
  created?: Entity;
  update: Entity;
  /** values after the update (defaults to `update`) */
  updated?: Entity;
  /** false when the resource does not allow DELETE: the DELETE must then answer 405 */
  deletable?: boolean;
}

/** The full round trip; returns the id. */
async function roundTrip(rt: RoundTrip): Promise<string> {
  const { collection, headers, type } = rt;
  const created = await createOne(collection, rt.body, headers);
  expect(created.type).toBe(type);
  expect(created.version_stamp).toBe(1);
  expect(created.creation_time).toMatch(ISO);
  expect(created.last_modified).toMatch(ISO);
  const scalars = Object.fromEntries(Object.entries(rt.body).filter(([k, v]) => typeof v !== 'object' && k !== 'password' && k !== 'subtype'));
  expect(created).toMatchObject({ ...scalars, ...rt.created });
  const id = created.id as string;

  const read = await getById(collection, id, headers);
  expect(read.type).toBe(type);
  expect(read).toMatchObject({ ...scalars, ...rt.created, version_stamp: 1 });

  const listed = await t.get(`${url(collection)}?${q(`id EQ ${id}`)}`, headers);
  expect(listed.status).toBe(200);
  expect(listed.body.total_count).toBe(1);
  expect(listed.body.data.map((e: Entity) => e.id)).toEqual([id]);
  expect(listed.body.data[0].type).toBe(type);

  const upd = await t.put(`${url(collection)}/${id}`, rt.update, headers);
  expect({ status: upd.status, body: upd.body }).toMatchObject({ status: 200 });
  expect(upd.body.id).toBe(id);
  expect(upd.body.type).toBe(type);
  expect(upd.body).toMatchObject(rt.updated ?? rt.update);
  expect(upd.body.version_stamp).toBe(2);
  const reread = await getById(collection, id, headers);
  expect(reread).toMatchObject({ ...(rt.updated ?? rt.update), version_stamp: 2 });

  const del = await t.del(`${url(collection)}/${id}`, headers);
  if (rt.deletable === false) {
    expectOctaneError(del, 405, 'platform.web_application');
    expect((await getById(collection, id, headers)).id).toBe(id);
    return id;
  }
  expect(del.status).toBe(200);
  expect(del.text).toBe('');
  await expectGone(collection, id, type, headers);
  return id;
}

async function countOf(collection: string, statement?: string): Promise<number> {
  const res = await t.get(`${url(collection)}?limit=1${statement ? `&${q(statement)}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.total_count;
}

async function release(name: string): Promise<string> {
  return (await t.create('releases', { name, start_date: '2025-01-01', end_date: '2025-06-30' }))[0];
}

describe('work items', () => {
  it('story under the root: round trip through stories', async () => {
    await roundTrip({
      collection: 'stories',
      type: 'story',
      body: { name: 'crud-story-1', phase: ref('phase', 'phase.story.new'), parent: ROOT, story_points: 3 },
      created: { subtype: 'story', parent: { type: 'work_item_root', name: 'Backlog' }, phase: { type: 'phase', name: 'New' } },
      update: { name: 'crud-story-1b', story_points: 5 },
    });
  });

  it('defect under the root: round trip through defects', async () => {
    await roundTrip({
      collection: 'defects',
      type: 'defect',
      body: { name: 'crud-defect-1', phase: ref('phase', 'phase.defect.new'), parent: ROOT, severity: ref('list_node', 'list_node.severity.high') },
      created: { subtype: 'defect', severity: { type: 'list_node', name: 'High' } },
      update: { severity: ref('list_node', 'list_node.severity.low'), phase: ref('phase', 'phase.defect.opened') },
      updated: { severity: { type: 'list_node', name: 'Low' }, phase: { type: 'phase', name: 'Opened' } },
    });
  });

  it('epic and feature under the root: round trips through epics and features', async () => {
    await roundTrip({
      collection: 'epics',
      type: 'epic',
      body: { name: 'crud-epic-1', phase: ref('phase', 'phase.epic.new'), parent: ROOT },
      created: { subtype: 'epic' },
      update: { name: 'crud-epic-1b' },
    });
    await roundTrip({
      collection: 'features',
      type: 'feature',
      body: { name: 'crud-feature-1', phase: ref('phase', 'phase.feature.new'), parent: ROOT },
      created: { subtype: 'feature' },
      update: { name: 'crud-feature-1b' },
    });
  });

  it('a feature under an epic shows its parent as a reference with the epic name', async () => {
    const epic = await createOne('epics', { name: 'crud-epic-parent', phase: ref('phase', 'phase.epic.new'), parent: ROOT });
    const feature = await createOne('features', { name: 'crud-feature-child', phase: ref('phase', 'phase.feature.new'), parent: ref('epic', epic.id) });
    expect(feature.parent).toEqual({ type: 'epic', id: epic.id, name: 'crud-epic-parent' });
  });

  it.each([
    ['story', 'stories', 'phase.story.new'],
    ['defect', 'defects', 'phase.defect.new'],
    ['feature', 'features', 'phase.feature.new'],
    ['epic', 'epics', 'phase.epic.new'],
  ])('%s through work_items with subtype: one row, same id both ways', async (subtype, collection, phase) => {
    const name = `crud-wi-${subtype}`;
    const created = await createOne('work_items', { subtype, name, phase: ref('phase', phase), parent: ROOT });
    expect(created.subtype).toBe(subtype);
    expect(created.type).toBe('work_item');
    const id = created.id as string;

    const own = await getById(collection, id);
    expect(own).toMatchObject({ type: subtype, subtype, name });
    const agg = await getById('work_items', id);
    expect(agg).toMatchObject({ subtype, name });

    // update through the subtype collection, seen through the aggregate (and back)
    const upd = await t.put(`${url(collection)}/${id}`, { name: `${name}-b` });
    expect(upd.status).toBe(200);
    expect(upd.body.version_stamp).toBe(2);
    expect((await getById('work_items', id)).name).toBe(`${name}-b`);
    const upd2 = await t.put(`${url('work_items')}/${id}`, { name: `${name}-c` });
    expect(upd2.status).toBe(200);
    expect(upd2.body.version_stamp).toBe(3);
    expect((await getById(collection, id)).name).toBe(`${name}-c`);

    // listed through both collections with the same id
    expect((await t.get(`${url(collection)}?${q(`id EQ ${id}`)}`)).body.total_count).toBe(1);
    expect((await t.get(`${url('work_items')}?${q(`id EQ ${id}`)}`)).body.total_count).toBe(1);

    // deleted through the aggregate, gone from the subtype collection
    const del = await t.del(`${url('work_items')}/${id}`);
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    await expectGone(collection, id, subtype);
    await expectGone('work_items', id, 'work_item');
  });

  it('a story created through stories is listed by work_items with its subtype', async () => {
    const s = await createOne('stories', { name: 'crud-story-agg', phase: ref('phase', 'phase.story.new'), parent: ROOT });
    const res = await t.get(`${url('work_items')}?${q(`id EQ ${s.id}`)}&fields=name,subtype`);
    expect(res.body.data).toEqual([{ type: 'work_item', id: s.id, name: 'crud-story-agg', subtype: 'story' }]);
  });

  it('a subtype collection does not show the other subtypes', async () => {
    const d = await createOne('defects', { name: 'crud-not-a-story', phase: ref('phase', 'phase.defect.new'), parent: ROOT });
    expectOctaneError(await t.get(`${url('stories')}/${d.id}`), 404, 'platform.entity_not_found');
    expect((await t.get(`${url('stories')}?${q(`id EQ ${d.id}`)}`)).body.total_count).toBe(0);
  });
});

describe('tests', () => {
  it('manual test: round trip through manual_tests', async () => {
    await roundTrip({
      collection: 'manual_tests',
      type: 'test_manual',
      body: { name: 'crud-mt-1', phase: ref('phase', 'phase.test_manual.new'), estimated_duration: 10 },
      created: { subtype: 'test_manual', phase: { type: 'phase', name: 'New' } },
      update: { estimated_duration: 15, phase: ref('phase', 'phase.test_manual.indesign') },
      updated: { estimated_duration: 15, phase: { type: 'phase', name: 'In design' } },
    });
  });

  it('Gherkin test: round trip through gherkin_tests', async () => {
    await roundTrip({
      collection: 'gherkin_tests',
      type: 'gherkin_test',
      body: { name: 'crud-gt-1', phase: ref('phase', 'phase.gherkin_test.new') },
      created: { subtype: 'gherkin_test' },
      update: { name: 'crud-gt-1b' },
    });
  });

  it('tests with subtype: the same row through tests and the subtype collection', async () => {
    const created = await createOne('tests', { subtype: 'test_manual', name: 'crud-tests-sub', phase: ref('phase', 'phase.test_manual.new') });
    expect(created).toMatchObject({ type: 'test', subtype: 'test_manual' });
    expect(await getById('manual_tests', created.id)).toMatchObject({ type: 'test_manual', name: 'crud-tests-sub' });
    const upd = await t.put(`${url('tests')}/${created.id}`, { name: 'crud-tests-sub-b' });
    expect(upd.status).toBe(200);
    expect(upd.body.version_stamp).toBe(2);
    expect((await getById('manual_tests', created.id)).name).toBe('crud-tests-sub-b');
    expect((await t.del(`${url('manual_tests')}/${created.id}`)).status).toBe(200);
    await expectGone('tests', created.id, 'test');
  });
});

describe('runs', () => {
  it('manual run: round trip through manual_runs (test, release, native status)', async () => {
    const [testId] = await t.create('manual_tests', { name: 'crud-run-test', phase: ref('phase', 'phase.test_manual.new') });
    const releaseId = await release('crud-run-release');
    await roundTrip({
      collection: 'manual_runs',
      type: 'run_manual',
      body: {
        name: 'crud-run-1',
        test: ref('test_manual', testId),
        release: ref('release', releaseId),
        native_status: ref('list_node', 'list_node.run_native_status.planned'),
      },
      created: {
        subtype: 'run_manual',
        release: { type: 'release', id: releaseId, name: 'crud-run-release' },
        native_status: { type: 'list_node', name: 'Planned' },
      },
      update: { native_status: ref('list_node', 'list_node.run_native_status.failed') },
      updated: { native_status: { type: 'list_node', name: 'Failed' } },
    });
  });

  it('a manual run created through manual_runs is the same row in runs', async () => {
    const [testId] = await t.create('manual_tests', { name: 'crud-run-test-2', phase: ref('phase', 'phase.test_manual.new') });
    const releaseId = await release('crud-run-release-2');
    const run = await createOne('manual_runs', {
      name: 'crud-run-2',
      test: ref('test_manual', testId),
      release: ref('release', releaseId),
      native_status: ref('list_node', 'list_node.run_native_status.passed'),
    });
    expect(await getById('runs', run.id, undefined, 'name,subtype,test')).toMatchObject({
      type: 'run',
      subtype: 'run_manual',
      name: 'crud-run-2',
      test: { id: testId, name: 'crud-run-test-2' },
    });
  });
});

describe('requirements', () => {
  it('a folder under the root and a document under the folder: round trips', async () => {
    const folderId = await roundTrip({
      collection: 'requirement_folders',
      type: 'requirement_folder',
      body: { name: 'crud-req-folder-tmp', parent: ref('requirement_root', 'requirement_root') },
      created: { subtype: 'requirement_folder', parent: { type: 'requirement_root', name: 'Requirements' } },
      update: { name: 'crud-req-folder-tmp-b' },
    });
    expect(folderId).toMatch(/^\d+$/);

    const folder = await createOne('requirement_folders', { name: 'crud-req-folder', parent: ref('requirement_root', 'requirement_root') });
    await roundTrip({
      collection: 'requirement_documents',
      type: 'requirement_document',
      body: { name: 'crud-req-doc', parent: ref('requirement_folder', folder.id), phase: ref('phase', 'phase.requirement_document.draft') },
      created: { subtype: 'requirement_document', parent: { type: 'requirement_folder', id: folder.id, name: 'crud-req-folder' } },
      update: { name: 'crud-req-doc-b', phase: ref('phase', 'phase.requirement_document.inreview') },
      updated: { name: 'crud-req-doc-b', phase: { type: 'phase', name: 'In review' } },
    });
  });

  it('a document is the same row through requirements', async () => {
    const folder = await createOne('requirement_folders', { name: 'crud-req-folder-2', parent: ref('requirement_root', 'requirement_root') });
    const doc = await createOne('requirements', {
      subtype: 'requirement_document',
      name: 'crud-req-doc-2',
      parent: ref('requirement_folder', folder.id),
      phase: ref('phase', 'phase.requirement_document.draft'),
    });
    expect(doc).toMatchObject({ type: 'requirement', subtype: 'requirement_document' });
    expect(await getById('requirement_documents', doc.id)).toMatchObject({ type: 'requirement_document', name: 'crud-req-doc-2' });
  });
});

describe('releases', () => {
  it('round trip with dates (dates come back as midnight UTC)', async () => {
    await roundTrip({
      collection: 'releases',
      type: 'release',
      body: { name: 'crud-release-1', start_date: '2025-01-01', end_date: '2025-03-31' },
      created: { start_date: '2025-01-01T00:00:00Z', end_date: '2025-03-31T00:00:00Z' },
      update: { end_date: '2025-04-30', sprint_duration: 14 },
      updated: { start_date: '2025-01-01T00:00:00Z', end_date: '2025-04-30T00:00:00Z', sprint_duration: 14 },
    });
  });
});

describe('list nodes', () => {
  it('a node added to the severity list: create, read, list, update; no DELETE over REST', async () => {
    const root = await getById('list_nodes', 'list_node.severity', undefined, 'name,logical_name');
    expect(root).toMatchObject({ name: 'Severity', logical_name: 'list_node.severity' });
    const id = await roundTrip({
      collection: 'list_nodes',
      type: 'list_node',
      body: { name: 'crud-Blocker', list_root: ref('list_node', 'list_node.severity'), index: 9 },
      created: { list_root: { type: 'list_node', id: root.id, name: 'Severity' } },
      update: { name: 'crud-Blocker-b' },
      // list_nodes is G P U: values are retired through activity_level, not deleted
      deletable: false,
    });
    // the root lists the new value among its list_nodes
    const values = await getById('list_nodes', root.id, undefined, 'list_nodes');
    expect(values.list_nodes.data.map((n: Entity) => n.id)).toContain(id);
    // and a defect accepts it as a severity
    const d = await createOne('defects', { name: 'crud-defect-blocker', phase: ref('phase', 'phase.defect.new'), parent: ROOT, severity: ref('list_node', id) });
    expect(d.severity).toEqual({ type: 'list_node', id, name: 'crud-Blocker-b' });
  });
});

describe('users', () => {
  it('space-level users (technical preview): round trip; the password is never read back', async () => {
    const id = await roundTrip({
      collection: `${t.space}/users`,
      headers: PREVIEW,
      type: 'user',
      body: { email: 'crud-user-1@example.com', first_name: 'Crud', last_name: 'One', password: 'Secret1!' },
      created: { name: 'crud-user-1@example.com', full_name: 'Crud One' },
      update: { last_name: 'Uno', phone1: '555-0101' },
      updated: { last_name: 'Uno', phone1: '555-0101', full_name: 'Crud Uno' },
    });
    expect(id).toMatch(/^\d+$/);
    const u = await createOne(`${t.space}/users`, { email: 'crud-user-pw@example.com', first_name: 'P', last_name: 'W', password: 'Secret1!' }, PREVIEW);
    expect(u.password).toBeUndefined();
    const asked = await t.get(`${t.space}/users/${u.id}?fields=name,password`, PREVIEW);
    expect(asked.status).toBe(200);
    expect(asked.body.password).toBeUndefined();
  });

  it('workspace_users: a user created through the workspace collection is returned and readable there', async () => {
    // no role given: whatever the default membership is, a user posted to this workspace's
    // collection must be a user of this workspace
    const res = await t.post(`${t.ws}/workspace_users`, {
      data: [{ email: 'crud-wsuser-1@example.com', first_name: 'Ws', last_name: 'User', password: 'Secret1!' }],
    });
    expect(res.status).toBe(201);
    expect(res.body.total_count).toBe(1);
    expect(res.body.data).toHaveLength(1);
    const id = res.body.data[0].id;
    expect(res.body.data[0]).toMatchObject({ type: 'workspace_user', email: 'crud-wsuser-1@example.com' });
    expect((await getById('workspace_users', id)).email).toBe('crud-wsuser-1@example.com');
  });

  it('workspace_users: a member (via its workspace role) is read, listed, updated and deleted through the workspace view', async () => {
    const roles = await t.get(`${t.space}/workspace_roles?fields=workspace,role{logical_name}&limit=2000`);
    expect(roles.status).toBe(200);
    const viewer = roles.body.data.find((r: Entity) => r.workspace?.id === String(t.app.emulator.defaults.workspaceId) && r.role?.logical_name === 'role.workspace.viewer');
    expect(viewer).toBeDefined();
    const user = await createOne(
      `${t.space}/users`,
      { email: 'crud-member@example.com', first_name: 'Mem', last_name: 'Ber', password: 'Secret1!', workspace_roles: { data: [ref('workspace_role', viewer.id)] } },
      PREVIEW,
    );
    // a space user without a role in the workspace is not a workspace user
    const outsider = await createOne(`${t.space}/users`, { email: 'crud-outsider@example.com', first_name: 'Out', last_name: 'Sider', password: 'Secret1!' }, PREVIEW);
    expectOctaneError(await t.get(`${t.ws}/workspace_users/${outsider.id}`), 404, 'platform.entity_not_found');

    const read = await getById('workspace_users', user.id);
    expect(read).toMatchObject({ type: 'workspace_user', email: 'crud-member@example.com', full_name: 'Mem Ber' });
    // the public workspace-level `users` alias is the same view
    expect(await getById('users', user.id)).toMatchObject({ type: 'workspace_user', email: 'crud-member@example.com' });
    const listed = await t.get(`${t.ws}/workspace_users?${q(`id EQ ${user.id}`)}`);
    expect(listed.body.total_count).toBe(1);

    const upd = await t.put(`${t.ws}/workspace_users/${user.id}`, { phone1: '555-0199' });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ phone1: '555-0199', version_stamp: 2 });
    expect((await getById(`${t.space}/users`, user.id, PREVIEW)).phone1).toBe('555-0199');

    const del = await t.del(`${t.ws}/workspace_users/${user.id}`);
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    await expectGone('workspace_users', user.id, 'workspace_user');
  });
});

describe('workspaces', () => {
  it('space-level workspaces: create, read, list, update; the new workspace is seeded and served; no DELETE', async () => {
    const id = await roundTrip({
      collection: `${t.space}/workspaces`,
      type: 'workspace',
      body: { name: 'crud-workspace-1' },
      update: { name: 'crud-workspace-1b', description: 'made by crud.test' },
      updated: { name: 'crud-workspace-1b' },
      // workspaces are G P U
      deletable: false,
    });
    // a memo is not returned by default, but on request
    expect((await getById(`${t.space}/workspaces`, id, undefined, 'description')).description).toBe('made by crud.test');
    const wsBase = `${t.space}/workspaces/${id}`;
    const roots = await t.get(`${wsBase}/work_item_roots`);
    expect(roots.status).toBe(200);
    expect(roots.body.total_count).toBe(1);
    expect((await t.get(`${wsBase}/defects`)).body.total_count).toBe(0);
    // entities of one workspace are not visible from another
    const s = await createOne('stories', { name: 'crud-ws-isolation', phase: ref('phase', 'phase.story.new'), parent: ROOT });
    expectOctaneError(await t.get(`${wsBase}/stories/${s.id}`), 404, 'platform.entity_not_found');
  });
});

describe('bulk writes', () => {
  it('bulk create answers every item, in input order, with distinct ids', async () => {
    const res = await t.post(url('releases'), {
      data: ['crud-bulk-a', 'crud-bulk-b', 'crud-bulk-c'].map((name) => ({ name, start_date: '2025-01-01', end_date: '2025-02-01' })),
    });
    expect(res.status).toBe(201);
    expect(res.body.total_count).toBe(3);
    expect(res.body.data.map((e: Entity) => e.name)).toEqual(['crud-bulk-a', 'crud-bulk-b', 'crud-bulk-c']);
    expect(new Set(res.body.data.map((e: Entity) => e.id)).size).toBe(3);
  });

  it('bulk create is one transaction: one invalid item and nothing is created', async () => {
    const before = await countOf('releases');
    const res = await t.post(url('releases'), {
      data: [
        { name: 'crud-tx-1', start_date: '2025-01-01', end_date: '2025-02-01' },
        { name: 'crud-tx-2', start_date: '2025-01-01', end_date: '2025-02-01' },
        { name: 'crud-tx-3', start_date: 'not a date', end_date: '2025-02-01' },
      ],
    });
    expectBulkErrors(res, 400, [{ index: 2, code: 'platform.field_validation_error', field: 'start_date' }]);
    expect(await countOf('releases')).toBe(before);

    // the same for a subtype family (work items share one table)
    const wiBefore = await countOf('work_items');
    const res2 = await t.post(url('stories'), {
      data: [
        { name: 'crud-tx-story-1', phase: ref('phase', 'phase.story.new'), parent: ROOT },
        { phase: ref('phase', 'phase.story.new') },
      ],
    });
    expectBulkErrors(res2, 400, [{ index: 1, code: 'platform.missing_required_field', field: 'name' }]);
    expect(await countOf('work_items')).toBe(wiBefore);
  });

  it('bulk update: PUT on the collection with {data:[{id,…},…]}', async () => {
    const [a, b] = await t.create(
      'releases',
      { name: 'crud-bu-a', start_date: '2025-01-01', end_date: '2025-02-01' },
      { name: 'crud-bu-b', start_date: '2025-01-01', end_date: '2025-02-01' },
    );
    const res = await t.put(url('releases'), { data: [{ id: a, name: 'crud-bu-a2' }, { id: b, sprint_duration: 21 }] });
    expect(res.status).toBe(200);
    expect(res.body.total_count).toBe(2);
    expect(res.body.data.map((e: Entity) => [e.id, e.name, e.sprint_duration, e.version_stamp])).toEqual([
      [a, 'crud-bu-a2', null, 2],
      [b, 'crud-bu-b', 21, 2],
    ]);
    expect((await getById('releases', a)).name).toBe('crud-bu-a2');
    expect((await getById('releases', b)).sprint_duration).toBe(21);
  });

  it('bulk update is one transaction too', async () => {
    const [a] = await t.create('releases', { name: 'crud-bu-tx', start_date: '2025-01-01', end_date: '2025-02-01' });
    const res = await t.put(url('releases'), { data: [{ id: a, name: 'crud-bu-tx-changed' }, { id: '987654321', name: 'nobody' }] });
    expect(res.status).toBe(404);
    expect(res.body.errors[0]).toMatchObject({ error_code: 'platform.entity_not_found', index: 1 });
    const after = await getById('releases', a);
    expect(after).toMatchObject({ name: 'crud-bu-tx', version_stamp: 1 });
  });

  it('delete by query answers {total_count, data} of the deleted rows', async () => {
    const [a, b, c] = await t.create(
      'releases',
      { name: 'crud-dq-a', start_date: '2025-01-01', end_date: '2025-02-01' },
      { name: 'crud-dq-b', start_date: '2025-01-01', end_date: '2025-02-01' },
      { name: 'crud-dq-c', start_date: '2025-01-01', end_date: '2025-02-01' },
    );
    const res = await t.del(`${url('releases')}?${q(`id IN ${a},${b}`)}`);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    expect(res.body.total_count).toBe(2);
    expect(res.body.data.map((e: Entity) => e.id).sort()).toEqual([a, b].sort());
    for (const e of res.body.data) expect(e.type).toBe('release');
    await expectGone('releases', a, 'release');
    await expectGone('releases', b, 'release');
    expect((await getById('releases', c)).name).toBe('crud-dq-c');
  });
});

describe('server-set fields and how references render', () => {
  it('author is the signed-in user; single references are {type, id, name} with the canonical id', async () => {
    const d = await createOne('defects', { name: 'crud-render-1', phase: ref('phase', 'phase.defect.new'), parent: ROOT });
    const phases = await t.get(`${url('phases')}?${q('logical_name EQ ^phase.defect.new^')}&fields=name`);
    expect(phases.body.total_count).toBe(1);
    const phaseId = phases.body.data[0].id;
    expect(phaseId).toMatch(/^\d+$/);
    expect(d.phase).toEqual({ type: 'phase', id: phaseId, name: 'New' });
    expect(d.author).toEqual({ type: 'workspace_user', id: String(t.app.emulator.defaults.adminUserId), name: 'sa@nga' });
    expect(d.owner).toBeNull();
  });

  it('multi-references are {total_count, data:[{type, id, name}]}', async () => {
    const [tag1, tag2] = await t.create('user_tags', { name: 'crud-tag-1' }, { name: 'crud-tag-2' });
    const d = await createOne('defects', {
      name: 'crud-render-2',
      phase: ref('phase', 'phase.defect.new'),
      parent: ROOT,
      user_tags: { data: [ref('user_tag', tag1), ref('user_tag', tag2)] },
    });
    const read = await getById('defects', d.id, undefined, 'user_tags,phase');
    expect(read.user_tags.total_count).toBe(2);
    expect([...read.user_tags.data].sort((x: Entity, y: Entity) => x.name.localeCompare(y.name))).toEqual([
      { type: 'user_tag', id: tag1, name: 'crud-tag-1' },
      { type: 'user_tag', id: tag2, name: 'crud-tag-2' },
    ]);
    // replace the set
    const upd = await t.put(`${url('defects')}/${d.id}`, { user_tags: { data: [ref('user_tag', tag2)] } });
    expect(upd.status).toBe(200);
    const again = await getById('defects', d.id, undefined, 'user_tags');
    expect(again.user_tags).toEqual({ total_count: 1, data: [{ type: 'user_tag', id: tag2, name: 'crud-tag-2' }] });
    // an empty multi-reference
    const none = await t.put(`${url('defects')}/${d.id}`, { user_tags: { data: [] } });
    expect(none.status).toBe(200);
    expect((await getById('defects', d.id, undefined, 'user_tags')).user_tags).toEqual({ total_count: 0, data: [] });
  });

  it('a reference can be cleared with null', async () => {
    const d = await createOne('defects', { name: 'crud-render-3', phase: ref('phase', 'phase.defect.new'), parent: ROOT, severity: ref('list_node', 'list_node.severity.high') });
    const upd = await t.put(`${url('defects')}/${d.id}`, { severity: null });
    expect(upd.status).toBe(200);
    expect(upd.body.severity).toBeNull();
  });
});
