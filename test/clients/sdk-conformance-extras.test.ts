// Conformance of the official JS SDK's builder client beyond entity CRUD: metadata (the
// `metadata/entities` and `metadata/fields` names of Octane.entityTypes), groups and global text
// search (which the builder cannot express: sent with `executeCustomRequest`), technical-preview
// resources through the client's `headers` option, attachments of every owner kind up and down, and
// the client-side checks of the SDK itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { makePng } from '../helpers/files.js';
import { listen, Octane, Query, rejection, sdkClient, type SdkClient } from '../helpers/sdk.js';
import { SEED_000_RESOURCES, tag } from '../helpers/seeds.js';
import { freshWorkspace, sorted, type Workspace } from '../helpers/workspace.js';

type Entity = Record<string, any>;

let t: TestApp;
let w: Workspace;
let server: string;
let sid: number;
let c: SdkClient;
let base: string;
const d: Record<string, string> = {};

beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t, 'sdk-conformance-extras');
  ({ server } = await listen(t));
  sid = t.app.emulator.defaults.sharedSpaceId;
  base = `/api/shared_spaces/${sid}/workspaces/${w.id}`;
  c = sdkClient({ server, sharedSpace: sid, workspace: Number(w.id), user: 'sa@nga', password: 'Welcome1' });
  const defect = async (label: string, name: string, severity: string | null, description?: string) => {
    const body: Entity = { name, ...(severity ? { severity: ref('list_node', `list_node.severity.${severity}`) } : {}), ...(description ? { description } : {}) };
    d[label] = (await c.octane.create(Octane.entityTypes.defects, body).execute()).data[0].id;
  };
  await defect('D1', 'Checkout crashes on empty cart', 'high');
  await defect('D2', 'Checkout slow', 'high', '<p>The payment page crashes now and then</p>');
  await defect('D3', 'Search shows nothing', 'low');
  await defect('D4', 'Crash report missing', 'medium');
  await defect('D5', 'Typo on the home page', null);
});
afterAll(() => t.close());

describe('metadata', () => {
  it(`entitiesMetadata with a query (name IN …): entity_metadata items, the rest feature names the collection ${tag({ resource: 'metadata/entities', method: 'GET' })}`, async () => {
    const res = await c.octane.get(Octane.entityTypes.entitiesMetadata).query(Query.field('name').inComparison(['defect', 'story', 'metaphase']).build()).execute();
    expect(c.log[c.log.length - 1].path).toBe(`${base}/metadata/entities`);
    expect(Object.keys(res).sort()).toEqual(['data', 'total_count']);
    expect(res.total_count).toBe(3);
    const byName = Object.fromEntries(res.data.map((e: Entity) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['defect', 'metaphase', 'story']);
    expect(byName.defect).toMatchObject({ type: 'entity_metadata', name: 'defect', label: 'Defect' });
    expect(byName.defect.features).toEqual(expect.arrayContaining([{ name: 'subtype_of', type: 'work_item' }, { name: 'rest', url: 'defects', methods: ['DELETE', 'POST', 'GET', 'PUT'] }]));
    expect(byName.metaphase.features).toEqual(expect.arrayContaining([{ name: 'rest', url: 'metaphases', methods: ['GET'] }]));
  });

  it(`entitiesMetadata: every workspace resource of seed 000 is listed with the methods the server allows ${tag({ resource: 'metadata/entities', method: 'GET' })}`, async () => {
    const all = await c.octane.get(Octane.entityTypes.entitiesMetadata).execute();
    expect(all.total_count).toBe(all.data.length);
    const rest = new Map<string, string[]>();
    for (const e of all.data) for (const f of e.features) if (f.name === 'rest') rest.set(f.url, f.methods);
    const registry = t.app.emulator.registry;
    for (const r of SEED_000_RESOURCES.filter((x) => x.level === 'workspace')) {
      const entity = registry.collection('workspace', r.name)!;
      expect(entity, r.name).toBeDefined();
      const methods = rest.get(entity.collection);
      expect(methods, r.name).toBeDefined();
      expect([...methods!].sort(), r.name).toEqual([...new Set([...entity.methods.collection, ...entity.methods.instance])].sort());
    }
    // the seed's method rules: metaphases GET only, user_tags GET and POST
    expect(rest.get('metaphases')).toEqual(['GET']);
    expect([...rest.get('user_tags')!].sort()).toEqual(['GET', 'POST']);
  });

  it(`fieldsMetadata with a query (entity_name EQ, name IN): field_metadata items ${tag({ resource: 'metadata/fields', method: 'GET' })}`, async () => {
    const res = await c.octane
      .get(Octane.entityTypes.fieldsMetadata)
      .query(Query.field('entity_name').equal('defect').and(Query.field('name').inComparison(['severity', 'name', 'story_points', 'creation_time'])).build())
      .execute();
    expect(c.log[c.log.length - 1].path).toBe(`${base}/metadata/fields`);
    expect(res.total_count).toBe(4);
    const f = Object.fromEntries(res.data.map((x: Entity) => [x.name, x]));
    expect(f.severity).toMatchObject({ type: 'field_metadata', entity_name: 'defect', field_type: 'reference', field_type_data: { multiple: false, targets: [{ type: 'list_node', logical_name: 'list_node.severity' }] }, editable: true });
    expect(f.name).toMatchObject({ field_type: 'string', required: true, max_length: 255 });
    expect(f.story_points).toMatchObject({ field_type: 'integer', editable: true });
    expect(f.creation_time).toMatchObject({ field_type: 'date_time', editable: false, returned_by_default: true });
    // OR is refused on metadata, as Octane does
    const or = await rejection(c.octane.get(Octane.entityTypes.fieldsMetadata).query(Query.field('entity_name').equal('defect').or(Query.field('entity_name').equal('story')).build()).execute());
    expect(or).toMatchObject({ status: 400, errorCode: 'platform.invalid_query' });
  });
});

describe('what the builder cannot express, through executeCustomRequest', () => {
  it(`groups: counts per severity, with a query ${tag({ resource: 'defects', query: 'groups' })}`, async () => {
    const res = await c.octane.executeCustomRequest(`${base}/defects/groups?group_by=severity`, Octane.operationTypes.get);
    expect(res.groupsTotalCount).toBe(4);
    const counts = Object.fromEntries(res.groups.map((g: Entity) => [g.value ? g.value.logical_name : 'none', g.count]));
    expect(counts).toEqual({ 'list_node.severity.high': 2, 'list_node.severity.low': 1, 'list_node.severity.medium': 1, none: 1 });
    // the biggest group first
    expect(res.groups[0]).toMatchObject({ count: 2, value: { type: 'list_node', name: 'High', logical_name: 'list_node.severity.high' } });
    const filtered = await c.octane.executeCustomRequest(`${base}/defects/groups?group_by=severity&query=${encodeURIComponent('"name EQ ^Checkout*^"')}`, Octane.operationTypes.get);
    expect(filtered).toEqual({ groupsTotalCount: 1, groups: [{ count: 2, value: expect.objectContaining({ logical_name: 'list_node.severity.high' }) }] });
  });

  it(`text_search: name and description, with the highlighted result ${tag({ resource: 'defects', query: 'text_search' })}`, async () => {
    const res = await c.octane.executeCustomRequest(`${base}/defects?fields=name&text_search=${encodeURIComponent(JSON.stringify({ type: 'global', text: 'crash' }))}`, Octane.operationTypes.get);
    expect(sorted(res.data.map((e: Entity) => e.id))).toEqual(sorted([d.D1, d.D2, d.D4]));
    expect(res.total_count).toBe(3);
    const d1 = res.data.find((e: Entity) => e.id === d.D1);
    expect(d1.global_text_search_result.name).toMatch(/crash/i);
  });

  it('an operation the SDK does not know is refused by the SDK itself, before any request', async () => {
    const before = c.log.length;
    await expect(c.octane.executeCustomRequest(`${base}/defects`, 'someRandomOp')).rejects.toThrow('Operation is not supported');
    expect(c.log.length).toBe(before);
  });
});

describe('technical preview through the client\'s headers option', () => {
  it('without the header a preview resource is refused (403); with headers: {ALM-OCTANE-TECH-PREVIEW: true} it is served', async () => {
    const refused = await rejection(c.octane.get(Octane.entityTypes.qualityStories).execute());
    expect(refused).toMatchObject({ status: 403, errorCode: 'platform.tech_preview_required' });
    const p = sdkClient({ server, sharedSpace: sid, workspace: Number(w.id), user: 'sa@nga', password: 'Welcome1', headers: { 'ALM-OCTANE-TECH-PREVIEW': true } });
    const made = await p.octane.create(Octane.entityTypes.qualityStories, { name: 'SDK quality story' }).execute();
    expect(made.data[0]).toMatchObject({ type: 'quality_story', name: 'SDK quality story' });
    const read = await p.octane.get(Octane.entityTypes.qualityStories).at(Number(made.data[0].id)).fields('name', 'phase').execute();
    expect(read).toMatchObject({ name: 'SDK quality story', phase: { type: 'phase', name: 'New' } });
    // the header went out on every request, sign-in included
    expect(p.log.every((e) => e.headers['alm-octane-tech-preview'] === 'true')).toBe(true);
    expect(await p.octane.delete(Octane.entityTypes.qualityStories).at(Number(made.data[0].id)).execute()).toBeUndefined();
  });
});

describe('attachments up and down', () => {
  const cases: Array<[string, string, () => Promise<{ type: string; id: string }>]> = [
    ['owner_work_item', 'a defect', async () => ({ type: 'work_item', id: d.D3 })],
    ['owner_test', 'a manual test', async () => ({ type: 'test', id: (await c.octane.create('manual_tests', { name: 'SDK test with a picture' }).execute()).data[0].id })],
    [
      'owner_run',
      'a manual run',
      async () => {
        const test = (await c.octane.create('manual_tests', { name: 'SDK test with a run' }).execute()).data[0].id;
        const release = (await c.octane.create(Octane.entityTypes.releases, { name: 'SDK attachments release', start_date: '2025-01-01', end_date: '2025-12-31' }).execute()).data[0].id;
        const run = await c.octane.create(Octane.entityTypes.manualRuns, { name: 'SDK run', test: ref('test_manual', test), release: ref('release', release), native_status: ref('list_node', 'list_node.run_native_status.failed') }).execute();
        return { type: 'run', id: run.data[0].id };
      },
    ],
    ['owner_requirement', 'a requirement folder', async () => ({ type: 'requirement', id: (await c.octane.create(Octane.entityTypes.requirementFolders, { name: 'SDK folder with a file' }).execute()).data[0].id })],
  ];
  for (const [owner, what, makeOwner] of cases) {
    it(`a PNG on ${what} (${owner}): the bytes come back unchanged ${tag({ resource: 'attachments', method: ['POST', 'GET'] })}`, async () => {
      const png = makePng(16, 9);
      const target = await makeOwner();
      const up = await c.octane.uploadAttachment(`${owner}.png`, png, owner, { type: target.type, id: Number(target.id) }).execute();
      const aid = up.data[0].id;
      expect(up.data[0]).toMatchObject({ type: 'attachment', name: `${owner}.png` });
      const entity = await c.octane.get(Octane.entityTypes.attachments).at(Number(aid)).fields('name', 'size', owner).execute();
      expect(entity).toMatchObject({ name: `${owner}.png`, size: png.length, [owner]: { id: target.id } });
      const bytes = await c.octane.getAttachmentContent().at(Number(aid)).execute();
      expect(Buffer.compare(bytes, png)).toBe(0);
      const listed = await c.octane.get(Octane.entityTypes.attachments).query(Query.field(owner).equal(Query.field('id').equal(Number(target.id))).build()).execute();
      expect(listed.data.map((a: Entity) => a.id)).toEqual([aid]);
    });
  }

  it(`a file name the allow-list refuses: 400, nothing stored ${tag({ resource: 'attachments', method: 'POST' })}`, async () => {
    const before = (await c.octane.get(Octane.entityTypes.attachments).execute()).total_count;
    const res = await rejection(c.octane.uploadAttachment('tool.exe', Buffer.from('MZ'), 'owner_work_item', { type: 'work_item', id: Number(d.D5) }).execute());
    expect(res.status).toBe(400);
    expect(typeof res.errorCode).toBe('string');
    expect((await c.octane.get(Octane.entityTypes.attachments).execute()).total_count).toBe(before);
  });
});
