// The official JS SDK's older, routes-based client (`OctaneVanilla` of
// `@microfocus/alm-octane-js-rest-sdk`) against the emulator listening on 127.0.0.1 (port 0).
//
// That client does not know Octane's resources by itself: its route generator
// (scripts/generate_default_routes.js in the package) signs in, reads `/metadata/entities` and
// `/metadata/fields`, and builds from them one route group per entity type with the `rest` feature
// (`get-all`, `get`, `create`, `update`, `delete`, with the editable fields as parameters and the
// required ones enforced on create). The test runs that generator, unchanged, against the emulator
// (its file write captured instead of landing in node_modules), hands the routes to a client, and
// creates, reads, updates and deletes a defect through them.

import type { AddressInfo } from 'node:net';
import { OctaneVanilla, Query } from '@microfocus/alm-octane-js-rest-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { q } from '../helpers/octane.js';
import { call, generateRoutes } from '../helpers/sdk-vanilla.js';

let t: TestApp;
let config: { protocol: 'http'; host: string; port: number; shared_space_id: number; workspace_id: number };
let routes: any;
let generatorLog: string[];
let root: string;
let newPhase: string;
let high: string;
let low: string;

beforeAll(async () => {
  t = await makeApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address() as AddressInfo;
  expect(address.address).toBe('127.0.0.1');
  const { sharedSpaceId, workspaceId } = t.app.emulator.defaults;
  config = { protocol: 'http' as const, host: '127.0.0.1', port: address.port, shared_space_id: sharedSpaceId, workspace_id: workspaceId };
  ({ routes, log: generatorLog } = await generateRoutes(config, { username: 'sa@nga', password: 'Welcome1' }));
  root = (await t.get(`${t.ws}/work_item_roots?fields=id`)).body.data[0].id;
  newPhase = (await t.get(`${t.ws}/phases?fields=id&${q('logical_name EQ ^phase.defect.new^')}`)).body.data[0].id;
  const severities = await t.get(`${t.ws}/list_nodes?fields=id,logical_name&${q('list_root EQ {logical_name EQ ^list_node.severity^}')}`);
  high = severities.body.data.find((n: any) => n.logical_name === 'list_node.severity.high').id;
  low = severities.body.data.find((n: any) => n.logical_name === 'list_node.severity.low').id;
});
afterAll(() => t.close());

describe('the route generator reads the metadata', () => {
  it('builds a route group per workspace entity type from the rest feature', () => {
    expect(generatorLog).toContain('loading entity metadata ...');
    expect(generatorLog).toContain('loading field metadata ...');
    expect(routes.defects).toMatchObject({
      'get-all': { url: '/defects', method: 'GET' },
      get: { url: '/defects/:id', method: 'GET' },
      create: { url: '/defects', method: 'POST' },
      update: { url: '/defects/:id', method: 'PUT' },
      delete: { url: '/defects/:id', method: 'DELETE' },
    });
    // read-only collections get no write routes; collections without DELETE no delete route
    expect(Object.keys(routes.metaphases).sort()).toEqual(['get', 'get-all']);
    expect(Object.keys(routes['list nodes']).sort()).toEqual(['create', 'create-bulk', 'get', 'get-all', 'update', 'update-bulk']);
    expect(routes['work items']['get-all'].url).toBe('/work_items');
    // the route group is named after the entity type, its URL is the collection's
    expect(routes['run suites']['get-all'].url).toBe('/suite_run');
  });

  it('the parameters are the editable fields, with the required ones and the reference targets', () => {
    const params = routes.defects.create.params;
    expect(params.name).toEqual({ type: 'string', required: true, description: 'Name', max_length: 255 });
    expect(params.parent).toMatchObject({ type: 'reference', required: true, field_type_data: { multiple: false, targets: [{ type: 'work_item_root' }, { type: 'feature' }] } });
    expect(params.severity).toMatchObject({ type: 'reference', required: false, field_type_data: { targets: [{ type: 'list_node', logical_name: 'list_node.severity' }] } });
    expect(params.story_points).toMatchObject({ type: 'integer', min_value: Number.MIN_SAFE_INTEGER, max_value: Number.MAX_SAFE_INTEGER });
    // not editable: not a parameter
    expect(params.author).toBeUndefined();
    expect(params.creation_time).toBeUndefined();
    expect(routes.defects.update.params.name.required).toBe(false);
  });
});

describe('a defect through the generated routes', () => {
  let client: any;
  let id: number;

  beforeAll(async () => {
    client = new OctaneVanilla({ ...config, routesConfig: structuredClone(routes) });
    await new Promise<void>((resolve, reject) => client.authenticate({ username: 'sa@nga', password: 'Welcome1' }, (err: unknown) => (err ? reject(err) : resolve())));
  });

  it('the client checks required parameters itself, from the metadata', async () => {
    await expect(call(client.defects.create, { name: 'no parent' })).rejects.toMatchObject({ message: expect.stringMatching(/Empty value for parameter/) });
  });

  it('creates it', async () => {
    const created = await call(client.defects.create, {
      name: 'vanilla defect',
      parent: { type: 'work_item_root', id: root },
      phase: { type: 'phase', id: newPhase },
      severity: { type: 'list_node', id: high },
    });
    expect(created).toMatchObject({ type: 'defect', name: 'vanilla defect' });
    id = Number(created.id);
    expect(Number.isInteger(id)).toBe(true);
    const stored = await t.get(`${t.ws}/defects/${id}?fields=name,severity,phase,parent`);
    expect(stored.body).toMatchObject({ name: 'vanilla defect', severity: { id: high }, phase: { id: newPhase }, parent: { type: 'work_item_root', id: root } });
  });

  it('reads it, by id and by query', async () => {
    const one = await call(client.defects.get, { id, fields: 'name,severity' });
    expect(one).toMatchObject({ type: 'defect', id: String(id), name: 'vanilla defect', severity: { type: 'list_node', id: high } });
    const list = await call(client.defects.getAll, { query: Query.field('name').equal('vanilla defect'), fields: 'name' });
    expect(list.map((d: any) => d.id)).toEqual([String(id)]);
    expect(list.meta).toEqual({ total_count: 1 });
  });

  it('updates it', async () => {
    const updated = await call(client.defects.update, { id, name: 'vanilla defect, renamed', severity: { type: 'list_node', id: low } });
    expect(updated).toMatchObject({ type: 'defect', id: String(id), name: 'vanilla defect, renamed' });
    const stored = await t.get(`${t.ws}/defects/${id}?fields=name,severity`);
    expect(stored.body).toMatchObject({ name: 'vanilla defect, renamed', severity: { id: low } });
  });

  it('deletes it; reading it then fails with 404', async () => {
    await call(client.defects.delete, { id });
    expect((await t.get(`${t.ws}/defects/${id}`)).status).toBe(404);
    await expect(call(client.defects.get, { id })).rejects.toMatchObject({ name: 'NotFoundError', statusCode: 404 });
  });
});
