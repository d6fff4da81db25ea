// Read parameters on collection GETs: the envelope, limit/offset (defaults and bounds of the spec
// decisions), `fields` (flat and nested), the default field set and `order_by`. Runs in a
// workspace of its own so that counts are exact.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';

let t: TestApp;
/** the workspace of this file */
let ws: string;
const RELEASES = 120;
const pad = (i: number) => String(i).padStart(3, '0');

type Entity = Record<string, any>;

beforeAll(async () => {
  t = await makeApp();
  const created = await t.post(`${t.space}/workspaces`, { data: [{ name: 'read-params-workspace' }] });
  if (created.status !== 201) throw new Error(`workspace: ${created.status} ${created.text}`);
  ws = `${t.space}/workspaces/${created.body.data[0].id}`;
  // rp-001 … rp-120, sprint_duration cycling 0, 1, 2 (40 each), created in a shuffled name order
  const order = Array.from({ length: RELEASES }, (_, i) => (i * 37) % RELEASES);
  const res = await t.post(`${ws}/releases`, {
    data: order.map((i) => ({ name: `rp-${pad(i + 1)}`, start_date: '2025-01-01', end_date: '2025-12-31', sprint_duration: i % 3 })),
  });
  if (res.status !== 201) throw new Error(`releases: ${res.status} ${res.text}`);
});
afterAll(() => t.close());

async function list(path: string): Promise<Entity> {
  const res = await t.get(`${ws}/${path}`);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
  return res.body;
}

describe('the envelope and paging', () => {
  it('is {total_count, data, exceeds_total_count}', async () => {
    const body = await list('releases');
    expect(Object.keys(body).sort()).toEqual(['data', 'exceeds_total_count', 'total_count']);
    expect(body.exceeds_total_count).toBe(false);
    expect(body.total_count).toBe(RELEASES);
  });

  it('default limit is 100', async () => {
    const body = await list('releases');
    expect(body.data).toHaveLength(100);
    expect(body.total_count).toBe(RELEASES);
  });

  it('total_count counts every match, not the page', async () => {
    const body = await list('releases?limit=7');
    expect(body.data).toHaveLength(7);
    expect(body.total_count).toBe(RELEASES);
    const filtered = await list(`releases?limit=5&${q('sprint_duration EQ 1')}`);
    expect(filtered.data).toHaveLength(5);
    expect(filtered.total_count).toBe(40);
    for (const r of filtered.data) expect(r.sprint_duration).toBe(1);
  });

  it('limit 2000 (the maximum) is accepted and returns everything', async () => {
    const body = await list('releases?limit=2000');
    expect(body.data).toHaveLength(RELEASES);
    expect(new Set(body.data.map((r: Entity) => r.id)).size).toBe(RELEASES);
  });

  it('limit 1 is accepted', async () => {
    expect((await list('releases?limit=1')).data).toHaveLength(1);
  });

  it.each([
    ['limit=0'],
    ['limit=2001'],
    ['limit=-1'],
    ['limit=abc'],
    ['limit=1.5'],
    ['offset=-1'],
    ['offset=abc'],
  ])('%s -> 400 platform.invalid_paging', async (param) => {
    expectOctaneError(await t.get(`${ws}/releases?${param}`), 400, 'platform.invalid_paging');
  });

  it('offset near the end returns the rest; beyond the end an empty page with the right total', async () => {
    const tail = await list('releases?offset=115&limit=10&order_by=name');
    expect(tail.total_count).toBe(RELEASES);
    expect(tail.data.map((r: Entity) => r.name)).toEqual(['rp-116', 'rp-117', 'rp-118', 'rp-119', 'rp-120']);
    const beyond = await list('releases?offset=500');
    expect(beyond).toEqual({ total_count: RELEASES, data: [], exceeds_total_count: false });
    const exactly = await list(`releases?offset=${RELEASES}`);
    expect(exactly.data).toEqual([]);
    expect(exactly.total_count).toBe(RELEASES);
  });

  it('an empty collection answers total_count 0', async () => {
    expect(await list('tasks')).toEqual({ total_count: 0, data: [], exceeds_total_count: false });
  });

  it.each([['name'], ['sprint_duration'], ['-sprint_duration,name'], ['id']])(
    'paging through order_by=%s returns each entity exactly once, in the order of the whole list',
    async (orderBy) => {
      const whole = (await list(`releases?limit=2000&fields=name&order_by=${orderBy}`)).data.map((r: Entity) => r.id);
      expect(whole).toHaveLength(RELEASES);
      const paged: string[] = [];
      for (let offset = 0; offset < RELEASES; offset += 7) {
        const page = await list(`releases?limit=7&offset=${offset}&fields=name&order_by=${orderBy}`);
        expect(page.total_count).toBe(RELEASES);
        paged.push(...page.data.map((r: Entity) => r.id));
      }
      expect(paged).toEqual(whole);
      expect(new Set(paged).size).toBe(RELEASES);
    },
  );
});

describe('fields', () => {
  it('returns exactly id, type and the listed fields', async () => {
    const body = await list('releases?fields=name,sprint_duration&limit=3');
    for (const r of body.data) expect(Object.keys(r).sort()).toEqual(['id', 'name', 'sprint_duration', 'type']);
    const one = await t.get(`${ws}/releases/${body.data[0].id}?fields=end_date`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ type: 'release', id: body.data[0].id, end_date: '2025-12-31T00:00:00Z' });
  });

  it('fields=id gives id and type only', async () => {
    const body = await list('releases?fields=id&limit=2');
    for (const r of body.data) expect(Object.keys(r).sort()).toEqual(['id', 'type']);
  });

  it('nested fields: phase{name,logical_name},owner{name}', async () => {
    // in the default workspace, where the admin is a workspace user
    const admin = String(t.app.emulator.defaults.adminUserId);
    const [id] = await t.create(`${t.ws}/defects`, {
      name: 'rp-nested',
      phase: ref('phase', 'phase.defect.new'),
      parent: ref('work_item_root', 'work_item_root'),
      owner: ref('workspace_user', admin),
    });
    const res = await t.get(`${t.ws}/defects/${id}?fields=phase{name,logical_name},owner{name}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'owner', 'phase', 'type']);
    expect(res.body.phase).toEqual({ type: 'phase', id: expect.stringMatching(/^\d+$/), name: 'New', logical_name: 'phase.defect.new' });
    expect(res.body.owner).toEqual({ type: 'workspace_user', id: admin, name: 'sa@nga' });
    // the same through the collection, with a plain field beside the nested ones
    const listed = await t.get(`${t.ws}/defects?${q(`id EQ ${id}`)}&fields=name,phase{logical_name}`);
    expect(listed.body.data).toEqual([{ type: 'defect', id, name: 'rp-nested', phase: { type: 'phase', id: res.body.phase.id, logical_name: 'phase.defect.new' } }]);
  });

  it('an unknown field -> 400 platform.unknown_field with entity_type and field_name', async () => {
    const res = await t.get(`${ws}/releases?fields=name,no_such_field`);
    expectOctaneError(res, 400, 'platform.unknown_field');
    expect(res.body.properties).toEqual({ entity_type: 'release', field_name: 'no_such_field' });
    const byId = await t.get(`${ws}/defects/1?fields=bogus`);
    expectOctaneError(byId, 400, 'platform.unknown_field');
    expect(byId.body.properties).toEqual({ entity_type: 'defect', field_name: 'bogus' });
  });

  it('an unknown sub-field names the referenced entity type', async () => {
    const res = await t.get(`${ws}/defects?fields=phase{bogus}`);
    expectOctaneError(res, 400, 'platform.unknown_field');
    expect(res.body.properties).toEqual({ entity_type: 'phase', field_name: 'bogus' });
  });
});

describe('default fields (no fields=)', () => {
  it('a defect carries id, type and exactly the returned_by_default fields', async () => {
    const [tag] = await t.create(`${ws}/user_tags`, { name: 'rp-tag' });
    const [id] = await t.create(`${ws}/defects`, {
      name: 'rp-defaults',
      description: '<p>memo text</p>',
      phase: ref('phase', 'phase.defect.new'),
      parent: ref('work_item_root', 'work_item_root'),
      severity: ref('list_node', 'list_node.severity.medium'),
      user_tags: { data: [ref('user_tag', tag)] },
    });
    const res = await t.get(`${ws}/defects/${id}`);
    expect(res.status).toBe(200);
    const e = res.body as Entity;
    // memo and multi-reference fields are absent
    for (const absent of ['description', 'user_tags', 'comments', 'attachments', 'run', 'product_areas', 'taxonomies', 'children']) {
      expect(e, absent).not.toHaveProperty(absent);
    }
    // the ordinary ones are there
    expect(e).toMatchObject({
      id,
      type: 'defect',
      name: 'rp-defaults',
      subtype: 'defect',
      version_stamp: 1,
      phase: { type: 'phase', name: 'New' },
      severity: { type: 'list_node', name: 'Medium' },
      parent: { type: 'work_item_root', name: 'Backlog' },
      owner: null,
    });
    expect(e.creation_time).toMatch(/Z$/);
    // and the set is exactly what the resource table marks returned_by_default
    const entity = t.app.emulator.registry.entity('defect');
    const expected = [...entity.fieldMap.values()].filter((f) => f.returnedByDefault).map((f) => f.name);
    expect(Object.keys(e).sort()).toEqual([...new Set(['id', 'type', ...expected])].sort());
    // the memo and the tags are there on request
    const asked = await t.get(`${ws}/defects/${id}?fields=description,user_tags`);
    expect(asked.body.description).toBe('<p>memo text</p>');
    expect(asked.body.user_tags).toEqual({ total_count: 1, data: [{ type: 'user_tag', id: tag, name: 'rp-tag' }] });
  });

  it('collection rows carry the same default set as a GET by id', async () => {
    const body = await list('releases?limit=1&order_by=name');
    const one = await t.get(`${ws}/releases/${body.data[0].id}`);
    expect(Object.keys(body.data[0]).sort()).toEqual(Object.keys(one.body).sort());
    expect(body.data[0]).not.toHaveProperty('description');
    expect(body.data[0]).toMatchObject({ name: 'rp-001', start_date: '2025-01-01T00:00:00Z' });
  });
});

describe('order_by', () => {
  it('order_by=name ascending, -name descending', async () => {
    const asc = (await list('releases?fields=name&order_by=name&limit=2000')).data.map((r: Entity) => r.name);
    const expected = Array.from({ length: RELEASES }, (_, i) => `rp-${pad(i + 1)}`);
    expect(asc).toEqual(expected);
    const desc = (await list('releases?fields=name&order_by=-name&limit=5')).data.map((r: Entity) => r.name);
    expect(desc).toEqual(['rp-120', 'rp-119', 'rp-118', 'rp-117', 'rp-116']);
  });

  it('several keys: -sprint_duration then name', async () => {
    const rows = (await list('releases?fields=name,sprint_duration&order_by=-sprint_duration,name&limit=2000')).data as Entity[];
    const expected = Array.from({ length: RELEASES }, (_, i) => ({ name: `rp-${pad(i + 1)}`, sprint_duration: i % 3 })).sort(
      (a, b) => b.sprint_duration - a.sprint_duration || a.name.localeCompare(b.name),
    );
    expect(rows.map((r) => [r.sprint_duration, r.name])).toEqual(expected.map((r) => [r.sprint_duration, r.name]));
  });

  it('order by a reference sorts by the referenced entity name', async () => {
    const [relB, relC, relA] = await t.create(
      `${ws}/releases`,
      { name: 'ord-B', start_date: '2025-01-01', end_date: '2025-02-01' },
      { name: 'ord-C', start_date: '2025-01-01', end_date: '2025-02-01' },
      { name: 'ord-A', start_date: '2025-01-01', end_date: '2025-02-01' },
    );
    // created so that id order differs from release-name order
    const body = (rel: string, name: string) => ({ name, phase: ref('phase', 'phase.story.new'), parent: ref('work_item_root', 'work_item_root'), release: ref('release', rel) });
    await t.create(`${ws}/stories`, body(relC, 'ord-s1'), body(relA, 'ord-s2'), body(relB, 'ord-s3'));
    const asc = await list(`stories?fields=name,release&order_by=release`);
    expect(asc.data.map((s: Entity) => [s.release.name, s.name])).toEqual([
      ['ord-A', 'ord-s2'],
      ['ord-B', 'ord-s3'],
      ['ord-C', 'ord-s1'],
    ]);
    const desc = await list(`stories?fields=name&order_by=-release`);
    expect(desc.data.map((s: Entity) => s.name)).toEqual(['ord-s1', 'ord-s3', 'ord-s2']);
  });

  it('an unknown order field -> 400 platform.unknown_field', async () => {
    const res = await t.get(`${ws}/releases?order_by=no_such_field`);
    expectOctaneError(res, 400, 'platform.unknown_field');
    expect(res.body.properties).toEqual({ entity_type: 'release', field_name: 'no_such_field' });
    const second = await t.get(`${ws}/releases?order_by=name,-nope`);
    expectOctaneError(second, 400, 'platform.unknown_field');
    expect(second.body.properties).toEqual({ entity_type: 'release', field_name: 'nope' });
  });

  it('a malformed order_by -> 400', async () => {
    expectOctaneError(await t.get(`${ws}/releases?order_by=name%20desc`), 400);
  });
});
