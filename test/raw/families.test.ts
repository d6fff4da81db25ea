// CRUD and query round trips per family of resources with a hand-written HTTP client, in the shape
// of the vendor's examples: `POST` with {"data":[…]} (201, a collection), `GET` by id (the bare
// entity), `PUT` of the bare entity (200), bulk `PUT` with {"data":[{id,…}]}, `DELETE` (200, empty),
// `DELETE` by query, and the errors of §6 (404 entity_not_found, 405 for a refused method). Headers
// as tools send them: Content-Type / Accept application/json, HPECLIENTTYPE, cookies by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { CORRELATION_ID } from '../helpers/octane.js';
import { query, RawClient, UI_CLIENT } from '../helpers/raw-client.js';
import { listen } from '../helpers/sdk.js';
import { tag } from '../helpers/seeds.js';
import { freshWorkspace, sorted, type Workspace } from '../helpers/workspace.js';

type Entity = Record<string, any>;

let t: TestApp;
let w: Workspace;
let c: RawClient;
let ws: string;
let space: string;

beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t, 'raw-families');
  const { server } = await listen(t);
  space = `/api/shared_spaces/${t.app.emulator.defaults.sharedSpaceId}`;
  ws = `${space}/workspaces/${w.id}`;
  c = new RawClient(server, UI_CLIENT);
  expect((await c.signIn({ user: 'sa@nga', password: 'Welcome1' })).status).toBe(200);
});
afterAll(() => t.close());

async function create(url: string, ...items: Entity[]): Promise<Entity[]> {
  const r = await c.post(url, { data: items });
  expect(r.status, r.text).toBe(201);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(r.body).sort()).toEqual(['data', 'total_count']);
  expect(r.body.total_count).toBe(items.length);
  return r.body.data;
}

async function read(url: string): Promise<Entity> {
  const r = await c.get(url);
  expect(r.status, r.text).toBe(200);
  expect(r.body.data).toBeUndefined();
  return r.body;
}

async function update(url: string, body: Entity): Promise<Entity> {
  const r = await c.put(url, body);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

async function remove(url: string): Promise<void> {
  const r = await c.del(url);
  expect(r.status, r.text).toBe(200);
  expect(r.text).toBe('');
  const gone = await c.get(url);
  expect(gone.status).toBe(404);
  expect(gone.body).toMatchObject({ error_code: 'platform.entity_not_found', business_error: false });
  expect(gone.body.correlation_id).toMatch(CORRELATION_ID);
}

async function found(url: string, statement: string): Promise<string[]> {
  const r = await c.get(`${url}?${query(statement)}&limit=2000`);
  expect(r.status, r.text).toBe(200);
  expect(r.body.total_count).toBe(r.body.data.length);
  return sorted(r.body.data.map((e: Entity) => e.id));
}

describe('backlog', () => {
  it(`stories: create under a feature, read, query, update, bulk update, delete ${tag({ resource: ['features', 'stories'], method: ['GET', 'POST', 'PUT', 'DELETE'] })}`, async () => {
    const [feature] = await create(`${ws}/features`, { name: 'Raw feature' });
    const stories = await create(`${ws}/stories`, { name: 'Raw story 1', parent: { type: 'feature', id: feature.id }, story_points: 2 }, { name: 'Raw story 2', parent: { type: 'feature', id: feature.id }, story_points: 8 }, { name: 'Raw story 3', story_points: 5 });
    expect(stories.map((s) => s.type)).toEqual(['story', 'story', 'story']);
    const s1 = await read(`${ws}/stories/${stories[0].id}?fields=name,parent,story_points,phase`);
    expect(s1).toEqual({ type: 'story', id: stories[0].id, name: 'Raw story 1', parent: { type: 'feature', id: feature.id, name: 'Raw feature' }, story_points: 2, phase: { type: 'phase', id: expect.any(String), name: 'New' } });
    expect(await found(`${ws}/stories`, `parent EQ {id EQ ${feature.id}};story_points GT 3`)).toEqual([stories[1].id]);
    expect((await update(`${ws}/stories/${stories[0].id}`, { story_points: 3, phase: { type: 'phase', id: 'phase.story.inprogress' } })).version_stamp).toBe(2);
    const bulk = await c.put(`${ws}/stories`, { data: stories.map((s, i) => ({ id: s.id, name: `Raw story ${i + 1}b` })) });
    expect(bulk.status).toBe(200);
    expect(bulk.body.total_count).toBe(3);
    expect(await found(`${ws}/stories`, 'name EQ ^Raw story *b^')).toEqual(sorted(stories.map((s) => s.id)));
    expect((await read(`${ws}/features/${feature.id}?fields=children`)).children.total_count).toBe(2);
    await remove(`${ws}/stories/${stories[2].id}`);
    // delete by query: the deleted entities come back
    const byQuery = await c.del(`${ws}/stories?${query(`parent EQ {id EQ ${feature.id}}`)}`);
    expect(byQuery.status).toBe(200);
    expect(sorted(byQuery.body.data.map((e: Entity) => e.id))).toEqual(sorted([stories[0].id, stories[1].id]));
    expect(await found(`${ws}/stories`, 'name EQ ^Raw story*^')).toEqual([]);
  });

  it(`releases and sprints ${tag({ resource: ['releases', 'sprints'], method: ['GET', 'POST', 'PUT', 'DELETE'] })}`, async () => {
    const [release] = await create(`${ws}/releases`, { name: 'Raw 2025.1', start_date: '2025-01-01', end_date: '2025-03-31' });
    expect(release).toMatchObject({ type: 'release', start_date: '2025-01-01T00:00:00Z', end_date: '2025-03-31T00:00:00Z' });
    const [sprint] = await create(`${ws}/sprints`, { name: 'Raw sprint', release: { type: 'release', id: release.id }, start_date: '2025-01-01', end_date: '2025-01-14' });
    expect(await found(`${ws}/sprints`, `release EQ {name EQ ^Raw 2025.1^}`)).toContain(sprint.id);
    await update(`${ws}/sprints/${sprint.id}`, { name: 'Raw sprint 1' });
    expect((await read(`${ws}/sprints/${sprint.id}?fields=name`)).name).toBe('Raw sprint 1');
    await remove(`${ws}/sprints/${sprint.id}`);
    await update(`${ws}/releases/${release.id}`, { end_date: '2025-04-30' });
    expect((await read(`${ws}/releases/${release.id}?fields=end_date`)).end_date).toBe('2025-04-30T00:00:00Z');
  });
});

describe('quality', () => {
  it(`a Gherkin test with its script, linked into a suite ${tag({ resource: ['gherkin_tests', 'test_suites', 'test_suite_link_to_gherkin_tests'], method: ['GET', 'POST', 'PUT'] })}`, async () => {
    const [g] = await create(`${ws}/gherkin_tests`, { name: 'Raw gherkin' });
    const script = 'Feature: Raw\n  Scenario: It works\n    Given a server\n    Then it answers';
    const put = await c.put(`${ws}/tests/${g.id}/script`, { script, comment: 'first', revision_type: 'Minor' });
    expect(put.status).toBe(200);
    expect((await read(`${ws}/tests/${g.id}/script`)).script).toBe(script);
    const [suite] = await create(`${ws}/test_suites`, { name: 'Raw suite' });
    const [link] = await create(`${ws}/test_suite_link_to_gherkin_tests`, { test_suite: { type: 'test_suite', id: suite.id }, test: { type: 'gherkin_test', id: g.id } });
    await update(`${ws}/test_suite_link_to_gherkin_tests/${link.id}`, { include_in_next_run: false });
    expect((await read(`${ws}/test_suite_link_to_tests/${link.id}?fields=include_in_next_run,test`)).include_in_next_run).toBe(false);
    expect(await found(`${ws}/gherkin_tests`, `link_to_test EQ {test_suite EQ {id EQ ${suite.id}}}`)).toEqual([g.id]);
  });

  it(`a manual run: its steps come from the script; a step is updated; the run passes ${tag({ resource: ['manual_tests', 'manual_runs', 'run_steps', 'runs'], method: ['GET', 'POST', 'PUT'] })}`, async () => {
    const [m] = await create(`${ws}/manual_tests`, { name: 'Raw manual' });
    await update(`${ws}/tests/${m.id}/script`, { script: '- Open\n- ?Check' });
    const [release] = await create(`${ws}/releases`, { name: 'Raw runs release', start_date: '2025-01-01', end_date: '2025-12-31' });
    const [run] = await create(`${ws}/manual_runs`, { name: 'Raw run', test: { type: 'test_manual', id: m.id }, release: { type: 'release', id: release.id }, native_status: { type: 'list_node', id: 'list_node.run_native_status.planned' } });
    const steps = await c.get(`${ws}/run_steps?${query(`run EQ {id EQ ${run.id}}`)}&fields=order,description&order_by=order`);
    expect(steps.body.data.map((s: Entity) => s.description)).toEqual(['Open', 'Check']);
    await update(`${ws}/run_steps/${steps.body.data[1].id}`, { status: { type: 'list_node', id: 'list_node.run_native_status.passed' } });
    await update(`${ws}/manual_runs/${run.id}`, { native_status: { type: 'list_node', id: 'list_node.run_native_status.passed' } });
    expect((await read(`${ws}/runs/${run.id}?fields=status{logical_name},subtype`)).status.logical_name).toBe('list_node.run_status.passed');
    // run steps are never created or deleted by hand
    expect((await c.post(`${ws}/run_steps`, { data: [{}] })).status).toBe(405);
    expect((await c.del(`${ws}/run_steps/${steps.body.data[0].id}`)).status).toBe(405);
  });
});

describe('requirements', () => {
  it(`a folder and a document under it, read through requirements ${tag({ resource: ['requirement_folders', 'requirement_documents', 'requirements'], method: ['GET', 'POST', 'PUT', 'DELETE'] })}`, async () => {
    const [folder] = await create(`${ws}/requirement_folders`, { name: 'Raw folder' });
    const [doc] = await create(`${ws}/requirement_documents`, { name: 'Raw doc', parent: { type: 'requirement_folder', id: folder.id }, description: '<p>text</p>' });
    expect(await read(`${ws}/requirements/${doc.id}?fields=subtype,parent,description`)).toMatchObject({ type: 'requirement', subtype: 'requirement_document', parent: { id: folder.id }, description: '<p>text</p>' });
    await update(`${ws}/requirements/${doc.id}`, { name: 'Raw doc b' });
    expect(await found(`${ws}/requirement_documents`, `parent EQ {name EQ ^Raw folder^}`)).toEqual([doc.id]);
    await remove(`${ws}/requirement_documents/${doc.id}`);
    await remove(`${ws}/requirement_folders/${folder.id}`);
  });
});

describe('CI/CD', () => {
  it(`a CI server and a pipeline; the pipeline's nodes ${tag({ resource: ['ci_servers', 'pipelines', 'pipeline_node'], method: ['GET', 'POST', 'PUT'] })}`, async () => {
    const [server] = await create(`${ws}/ci_servers`, { name: 'Raw Jenkins', instance_id: 'raw-fam-ci', url: 'http://jenkins:8080', server_type: 'jenkins' });
    const [p] = await create(`${ws}/pipelines`, { name: 'Raw pipeline', server_ci_id: 'raw-fam-ci', root_job_ci_id: 'build', jobs: [{ name: 'build', jobCiId: 'build' }, { name: 'deploy', jobCiId: 'deploy' }] });
    expect(p.ci_server).toMatchObject({ type: 'ci_server', id: server.id });
    const nodes = await c.get(`${ws}/pipeline_nodes?${query(`pipeline_root_node EQ {id EQ ${p.id}}`)}&fields=name&order_by=name`);
    expect(nodes.body.data.map((n: Entity) => n.name)).toEqual(['build', 'deploy']);
    await update(`${ws}/pipelines/${p.id}`, { name: 'Raw pipeline b' });
    expect((await read(`${ws}/pipelines/${p.id}?fields=name`)).name).toBe('Raw pipeline b');
    // names are unique in the shared space
    const dup = await c.post(`${ws}/ci_servers`, { data: [{ name: 'Raw Jenkins' }] });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toMatchObject({ error_code: 'platform.duplicate_entity_error', business_error: true });
  });
});

describe('configuration', () => {
  it(`a list value and a phase: created and renamed; neither can be deleted (405) ${tag({ resource: ['list_nodes', 'phases'], method: ['GET', 'POST', 'PUT'], refused: 'DELETE' })}`, async () => {
    const [node] = await create(`${ws}/list_nodes`, { name: 'Raw sev', list_root: { type: 'list_node', id: 'list_node.severity' } });
    await update(`${ws}/list_nodes/${node.id}`, { name: 'Raw severity' });
    expect(await found(`${ws}/list_nodes`, 'list_root EQ {logical_name EQ ^list_node.severity^};name EQ ^Raw severity^')).toEqual([node.id]);
    const refused = await c.del(`${ws}/list_nodes/${node.id}`);
    expect(refused.status).toBe(405);
    expect(refused.body).toMatchObject({ error_code: 'platform.web_application', description: 'HTTP 405 Method Not Allowed' });
    expect(refused.headers.get('allow')?.split(',').map((m) => m.trim()).sort()).toEqual(['GET', 'PUT']);
    const [phase] = await create(`${ws}/phases`, { name: 'Raw triage', entity: 'defect' });
    await update(`${ws}/phases/${phase.id}`, { color_hex: '#123456' });
    expect((await read(`${ws}/phases/${phase.id}?fields=color_hex`)).color_hex).toBe('#123456');
    expect((await c.del(`${ws}/phases/${phase.id}`)).status).toBe(405);
  });

  it(`user tags can be created, not changed (405 on PUT and DELETE); metaphases are read only ${tag({ resource: ['user_tags', 'metaphases'], method: 'GET', refused: ['PUT', 'DELETE'] })}${tag({ resource: 'user_tags', method: 'POST' })}`, async () => {
    const [tagged] = await create(`${ws}/user_tags`, { name: 'raw-tag' });
    expect((await c.put(`${ws}/user_tags/${tagged.id}`, { name: 'x' })).status).toBe(405);
    expect((await c.del(`${ws}/user_tags/${tagged.id}`)).status).toBe(405);
    const meta = await c.get(`${ws}/metaphases?fields=logical_name&${query('entity EQ ^work_item^')}`);
    expect(meta.status).toBe(200);
    expect(meta.body.data.map((m: Entity) => m.logical_name)).toEqual(expect.arrayContaining(['metaphase.work_item.new', 'metaphase.work_item.done']));
    expect((await c.post(`${ws}/metaphases`, { data: [{ name: 'x' }] })).status).toBe(405);
  });
});

describe('collaboration and users', () => {
  it(`comments on a defect: created, edited, deleted ${tag({ resource: ['comments', 'defects'], method: ['GET', 'POST', 'PUT', 'DELETE'] })}`, async () => {
    const [defect] = await create(`${ws}/defects`, { name: 'Raw defect with comments' });
    const [comment] = await create(`${ws}/comments`, { text: '<p>first</p>', owner_work_item: { type: 'defect', id: defect.id } });
    await update(`${ws}/comments/${comment.id}`, { text: '<p>first, edited</p>' });
    expect((await read(`${ws}/defects/${defect.id}?fields=comments{text}`)).comments.data.map((x: Entity) => x.text)).toEqual(['<p>first, edited</p>']);
    await remove(`${ws}/comments/${comment.id}`);
    await remove(`${ws}/defects/${defect.id}`);
  });

  it(`a workspace user, and a new workspace in the shared space ${tag({ resource: ['workspace_users', 'workspaces', 'roles', 'workspace_roles'], method: 'GET' })}${tag({ resource: ['workspace_users', 'workspaces'], method: ['POST', 'PUT'] })}`, async () => {
    const [u] = await create(`${ws}/workspace_users`, { email: 'raw.user@example.com', first_name: 'Raw', last_name: 'User', password: 'Welcome1!' });
    await update(`${ws}/workspace_users/${u.id}`, { phone1: '555-0199' });
    expect((await read(`${ws}/users/${u.id}?fields=phone1,email`)).phone1).toBe('555-0199');
    const [nw] = await create(`${space}/workspaces`, { name: 'Raw workspace' });
    await update(`${space}/workspaces/${nw.id}`, { description: 'made by the raw client' });
    expect((await read(`${space}/workspaces/${nw.id}?fields=name,description`)).description).toBe('made by the raw client');
    const roles = await c.get(`${space}/workspace_roles?${query(`workspace EQ {id EQ ${nw.id}}`)}&fields=role{logical_name}`);
    expect(roles.body.data.map((r: Entity) => r.role.logical_name)).toEqual(expect.arrayContaining(['role.workspace.admin', 'role.workspace.team.member']));
    expect((await c.get(`${space}/roles?${query('logical_name EQ ^role.workspace.admin^')}`)).body.total_count).toBe(1);
    expect((await c.del(`${space}/workspaces/${nw.id}`)).status).toBe(405);
  });
});
