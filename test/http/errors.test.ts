// Every failure of issue 3 point 6, with its status, its error_code and Octane's full error shape
// (protocol.md §6.1), and bulk writes with failures in the multi-error envelope (§6.2).

import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { CORRELATION_ID, expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

const ROOT = ref('work_item_root', 'work_item_root');
const story = (name: string, extra: Record<string, unknown> = {}) => ({ name, phase: ref('phase', 'phase.story.new'), parent: ROOT, ...extra });
const releaseBody = (name: string, extra: Record<string, unknown> = {}) => ({ name, start_date: '2025-01-01', end_date: '2025-02-01', ...extra });

async function count(collection: string): Promise<number> {
  const res = await t.get(`${t.ws}/${collection}?limit=1`);
  expect(res.status).toBe(200);
  return res.body.total_count;
}

describe('the error shape', () => {
  it('has every key of Octane error JSON, and a fresh 25-character correlation id per response', async () => {
    const a = await t.get(`${t.ws}/defects/987654321`);
    const b = await t.get(`${t.ws}/defects/987654321`);
    expectOctaneError(a, 404, 'platform.entity_not_found');
    expect(Object.keys(a.body).sort()).toEqual(['business_error', 'correlation_id', 'description', 'description_translated', 'error_code', 'properties', 'stack_trace']);
    expect(a.body.correlation_id).toMatch(CORRELATION_ID);
    expect(b.body.correlation_id).toMatch(CORRELATION_ID);
    expect(a.body.correlation_id).not.toBe(b.body.correlation_id);
    expect(a.body.business_error).toBe(false);
    expect(a.body.properties).toEqual({ entity_type: 'defect', entity_id: '987654321' });
  });
});

describe('body validation (400)', () => {
  it('unknown field in a create body -> platform.unknown_field {entity_type, field_name}', async () => {
    const res = await t.post(`${t.ws}/stories`, { data: [story('err-unknown', { no_such_field: 1 })] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.unknown_field' }]);
    expect(res.body.errors[0].properties).toEqual({ entity_type: 'story', field_name: 'no_such_field' });
    expect(res.body.errors[0].business_error).toBe(true);
  });

  it('unknown field in an update body -> platform.unknown_field, nothing changed', async () => {
    const [id] = await t.create('stories', story('err-unknown-upd'));
    const res = await t.put(`${t.ws}/stories/${id}`, { name: 'changed', no_such_field: 'x' });
    expectOctaneError(res, 400, 'platform.unknown_field');
    expect(res.body.properties).toEqual({ entity_type: 'story', field_name: 'no_such_field' });
    const after = await t.get(`${t.ws}/stories/${id}`);
    expect(after.body).toMatchObject({ name: 'err-unknown-upd', version_stamp: 1 });
  });

  it.each([
    ['a string into an integer field', { story_points: 'many' }, 'story_points'],
    ['a float into an integer field', { story_points: 1.5 }, 'story_points'],
    ['an object into a string field', { name: { text: 'x' } }, 'name'],
    ['an array into a string field', { blocked_reason: ['a'] }, 'blocked_reason'],
    ['a number into a boolean field', { blocked: 3 }, 'blocked'],
    ['a scalar into a reference field', { owner: 'sa@nga' }, 'owner'],
    ['a reference without id', { owner: { type: 'workspace_user' } }, 'owner'],
    ['a bare array into a multi-reference field', { user_tags: 'tag' }, 'user_tags'],
  ])('wrong type: %s -> platform.field_validation_error', async (_what, patch, field) => {
    const [id] = await t.create('stories', story(`err-type-${field}-${Object.values(patch).length}`));
    const res = await t.put(`${t.ws}/stories/${id}`, patch);
    expectOctaneError(res, 400, 'platform.field_validation_error');
    expect(res.body.properties).toEqual({ entity_type: 'story', field_name: field });
    expect(res.body.business_error).toBe(true);
  });

  it.each([['not a date'], ['2025-13-01'], ['2025-02-30'], ['01/02/2025'], [20250101]])('bad date %s -> platform.field_validation_error', async (value) => {
    const res = await t.post(`${t.ws}/releases`, { data: [releaseBody(`err-date-${String(value)}`, { start_date: value })] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'start_date' }]);
  });

  it('a string longer than the field allows -> platform.field_validation_error', async () => {
    const res = await t.post(`${t.ws}/stories`, { data: [story('x'.repeat(256))] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'name' }]);
  });

  it.each([
    ['releases', releaseBody('err-missing-end', { end_date: undefined }), 'end_date', 'release'],
    ['stories', { phase: ref('phase', 'phase.story.new'), parent: ROOT }, 'name', 'story'],
    // parent and phase have server defaults (the backlog root, the start phase): name does not
    ['stories', { phase: ref('phase', 'phase.story.new') }, 'name', 'story'],
    ['manual_tests', { description: 'no name' }, 'name', 'test_manual'],
  ])('missing required field on %s (%s) -> platform.missing_required_field', async (collection, body, field, type) => {
    const before = await count(collection);
    const res = await t.post(`${t.ws}/${collection}`, { data: [JSON.parse(JSON.stringify(body))] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.missing_required_field' }]);
    expect(res.body.errors[0].properties).toEqual({ entity_type: type, field_name: field });
    expect(await count(collection)).toBe(before);
  });

  it('a required field emptied by an update -> platform.missing_required_field', async () => {
    const [id] = await t.create('stories', story('err-empty-name'));
    const res = await t.put(`${t.ws}/stories/${id}`, { name: '' });
    expectOctaneError(res, 400, 'platform.missing_required_field');
    expect(res.body.properties).toEqual({ entity_type: 'story', field_name: 'name' });
    const cleared = await t.put(`${t.ws}/stories/${id}`, { phase: null });
    expectOctaneError(cleared, 400, 'platform.missing_required_field');
    expect(cleared.body.properties).toEqual({ entity_type: 'story', field_name: 'phase' });
  });

  it.each([
    ['creation_time on create', 'releases', releaseBody('err-ro-1', { creation_time: '2020-01-01T00:00:00Z' }), 'creation_time'],
    ['last_modified on create', 'releases', releaseBody('err-ro-2', { last_modified: '2020-01-01T00:00:00Z' }), 'last_modified'],
    ['version_stamp on create', 'releases', releaseBody('err-ro-3', { version_stamp: 7 }), 'version_stamp'],
    ['a computed field (activity_level) on create', 'releases', releaseBody('err-ro-4', { activity_level: 1 }), 'activity_level'],
    ['rank on a story', 'stories', story('err-ro-5', { rank: 3 }), 'rank'],
  ])('read-only field written: %s -> platform.field_validation_error', async (_what, collection, body, field) => {
    const before = await count(collection);
    const res = await t.post(`${t.ws}/${collection}`, { data: [body] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field }]);
    expect(await count(collection)).toBe(before);
  });

  it.each([
    ['logical_name', 'phase.defect.custom'],
    ['is_system', false],
    ['creation_time', '2020-01-01T00:00:00Z'],
  ])('read-only field written on update: phase %s -> platform.field_validation_error', async (field, value) => {
    const res = await t.put(`${t.ws}/phases/phase.defect.new`, { [field]: value });
    expectOctaneError(res, 400, 'platform.field_validation_error');
    expect(res.body.properties).toEqual({ entity_type: 'phase', field_name: field });
    const phase = await t.get(`${t.ws}/phases/phase.defect.new?fields=logical_name,version_stamp`);
    expect(phase.body).toMatchObject({ logical_name: 'phase.defect.new', version_stamp: 1 });
  });
});

describe('references (400 platform.field_validation_error)', () => {
  it.each([
    ['to a missing entity (numeric id)', { phase: ref('phase', '987654321') }, 'phase'],
    ['to a missing entity (unknown logical name)', { phase: ref('phase', 'phase.story.no_such_phase') }, 'phase'],
    ['of a wrong type (a list node as phase)', { phase: ref('list_node', 'list_node.severity.high') }, 'phase'],
    ['naming an existing entity of another type under the right type', { phase: ref('phase', 'list_node.severity.high') }, 'phase'],
    ['of a wrong type for the parent (a release)', { parent: ref('release', '1') }, 'parent'],
    ['to a list node of another list', { priority: ref('list_node', 'list_node.severity.high') }, 'priority'],
    ['to a list root instead of a value', { priority: ref('list_node', 'list_node.priority') }, 'priority'],
    ['inside a multi-reference, to a missing entity', { user_tags: { data: [ref('user_tag', '987654321')] } }, 'user_tags'],
  ])('reference %s', async (_what, patch, field) => {
    const before = await count('work_items');
    const res = await t.post(`${t.ws}/stories`, { data: [story(`err-ref-${field}`, patch)] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error' }]);
    expect(res.body.errors[0].properties).toEqual({ entity_type: 'story', field_name: field });
    expect(await count('work_items')).toBe(before);
  });

  it('a reference to an entity of another workspace is a missing entity', async () => {
    const ws2 = await t.post(`${t.space}/workspaces`, { data: [{ name: 'err-other-workspace' }] });
    expect(ws2.status).toBe(201);
    const other = `${t.space}/workspaces/${ws2.body.data[0].id}`;
    const rel = await t.post(`${other}/releases`, { data: [releaseBody('err-foreign-release')] });
    expect(rel.status).toBe(201);
    const res = await t.post(`${t.ws}/stories`, { data: [story('err-foreign', { release: ref('release', rel.body.data[0].id) })] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'release' }]);
  });
});

describe('request bodies', () => {
  it('bad JSON -> 400 platform.invalid_json (POST and PUT)', async () => {
    const post = await t.request('POST', `${t.ws}/stories`, '{"data":[{"name":', { 'content-type': 'application/json' });
    expectOctaneError(post, 400, 'platform.invalid_json');
    const put = await t.request('PUT', `${t.ws}/stories/1`, '{name: x}', { 'content-type': 'application/json' });
    expectOctaneError(put, 400, 'platform.invalid_json');
  });

  it.each([
    ['a bare entity', { name: 'x' }],
    ['a bare array', [{ name: 'x' }]],
    ['data as an object', { data: { name: 'x' } }],
    ['data as a string', { data: 'x' }],
    ['no body', undefined],
  ])('a POST body that is not {data:[…]} (%s) -> 400', async (_what, body) => {
    const before = await count('work_items');
    const res = await t.post(`${t.ws}/stories`, body);
    expectOctaneError(res, 400, 'platform.bad_request');
    expect(await count('work_items')).toBe(before);
  });

  it('a data item that is not an object -> 400 in the bulk envelope', async () => {
    const res = await t.post(`${t.ws}/stories`, { data: ['x'] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.bad_request' }]);
  });

  it('a body in a content type the API does not read -> 415 platform.web_application', async () => {
    const res = await t.request('POST', `${t.ws}/stories`, '<entity/>', { 'content-type': 'application/xml' });
    expectOctaneError(res, 415, 'platform.web_application');
  });
});

describe('read parameters', () => {
  it.each([['limit=0'], ['limit=2001'], ['limit=x'], ['offset=-1']])('bad paging %s -> 400 platform.invalid_paging', async (p) => {
    expectOctaneError(await t.get(`${t.ws}/defects?${p}`), 400, 'platform.invalid_paging');
  });

  it('a query that does not parse -> 400 platform.invalid_query', async () => {
    expectOctaneError(await t.get(`${t.ws}/defects?${q('name EQ')}`), 400, 'platform.invalid_query');
  });

  it('an unknown field in a query -> 400 platform.unknown_field', async () => {
    const res = await t.get(`${t.ws}/defects?${q('no_such_field EQ 1')}`);
    expectOctaneError(res, 400, 'platform.unknown_field');
    expect(res.body.properties).toEqual({ entity_type: 'defect', field_name: 'no_such_field' });
  });
});

describe('not found (404)', () => {
  it.each([['GET'], ['PUT'], ['DELETE']] as const)('%s of a missing id -> platform.entity_not_found', async (method) => {
    const res = await t.request(method, `${t.ws}/stories/987654321`, method === 'PUT' ? { name: 'x' } : undefined);
    expectOctaneError(res, 404, 'platform.entity_not_found');
    expect(res.body.properties).toEqual({ entity_type: 'story', entity_id: '987654321' });
  });

  it('an id of another subtype of the same family is not found through the subtype collection', async () => {
    const [id] = await t.create('defects', { name: 'err-defect-not-story', phase: ref('phase', 'phase.defect.new'), parent: ROOT });
    expectOctaneError(await t.get(`${t.ws}/stories/${id}`), 404, 'platform.entity_not_found');
    expectOctaneError(await t.put(`${t.ws}/stories/${id}`, { name: 'x' }), 404, 'platform.entity_not_found');
    expectOctaneError(await t.del(`${t.ws}/stories/${id}`), 404, 'platform.entity_not_found');
    expect((await t.get(`${t.ws}/defects/${id}`)).body.name).toBe('err-defect-not-story');
  });

  it.each([
    ['an unknown workspace collection', '/api/shared_spaces/1001/workspaces/1002/no_such_things'],
    ['an unknown workspace instance path', '/api/shared_spaces/1001/workspaces/1002/no_such_things/1'],
    ['a workspace collection asked at space level', '/api/shared_spaces/1001/defects'],
    ['an unknown space collection', '/api/shared_spaces/1001/no_such_things'],
    ['a path below an instance', '/api/shared_spaces/1001/workspaces/1002/defects/1/no_such_thing'],
    ['an unknown /api path', '/api/no_such_root'],
  ])('%s -> 404 platform.web_application', async (_what, path) => {
    const res = await t.get(path);
    expectOctaneError(res, 404, 'platform.web_application');
    expect(res.body.description).toBe('HTTP 404 Not Found');
  });

  it.each([
    ['an unknown workspace', '/api/shared_spaces/1001/workspaces/987654/defects', 'workspace', '987654'],
    ['a non-numeric workspace', '/api/shared_spaces/1001/workspaces/abc/defects', 'workspace', 'abc'],
    ['an unknown shared space (workspace resource)', '/api/shared_spaces/987654/workspaces/1002/defects', 'shared_space', '987654'],
    ['an unknown shared space (space resource)', '/api/shared_spaces/987654/workspaces', 'shared_space', '987654'],
    ['a workspace of another shared space', '/api/shared_spaces/1002/workspaces/1002/defects', 'shared_space', '1002'],
  ])('%s -> 404', async (_what, path, type, id) => {
    const res = await t.get(path);
    expectOctaneError(res, 404, 'platform.entity_not_found');
    expect(res.body.properties).toEqual({ entity_type: type, entity_id: id });
  });

  it('writes into an unknown workspace -> 404, nothing written', async () => {
    const res = await t.post('/api/shared_spaces/1001/workspaces/987654/stories', { data: [story('err-nowhere')] });
    expectOctaneError(res, 404, 'platform.entity_not_found');
  });
});

describe('method not allowed (405)', () => {
  it.each([
    ['POST', 'metaphases', ['GET']],
    ['PATCH', 'defects', ['GET', 'POST', 'PUT', 'DELETE']],
    ['DELETE', 'list_nodes', ['GET', 'POST', 'PUT']],
    ['PUT', 'user_tags', ['GET', 'POST']],
  ] as const)('%s on the %s collection -> 405 with Allow', async (method, collection, allowed) => {
    const res = await t.request(method, `${t.ws}/${collection}`, method === 'DELETE' ? undefined : { data: [] });
    expectOctaneError(res, 405, 'platform.web_application');
    expect(res.body.description).toBe('HTTP 405 Method Not Allowed');
    expect(String(res.headers.allow).split(', ').sort()).toEqual([...allowed].sort());
  });

  it('POST on an instance URI -> 405 with Allow GET, PUT, DELETE', async () => {
    const res = await t.post(`${t.ws}/defects/1`, { data: [] });
    expectOctaneError(res, 405, 'platform.web_application');
    expect(String(res.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'PUT']);
  });
});

describe('aggregate collections need a subtype', () => {
  it.each([
    ['work_items', 'work_item', story('err-agg-wi')],
    ['tests', 'test', { name: 'err-agg-test', phase: ref('phase', 'phase.test_manual.new') }],
    ['runs', 'run', { name: 'err-agg-run', native_status: ref('list_node', 'list_node.run_native_status.passed') }],
    ['requirements', 'requirement', { name: 'err-agg-req', parent: ref('requirement_root', 'requirement_root') }],
    ['taxonomy_nodes', 'taxonomy_node', { name: 'err-agg-tax' }],
  ])('POST %s without subtype -> 400 platform.missing_required_field', async (collection, type, body) => {
    const before = await count(collection);
    const res = await t.post(`${t.ws}/${collection}`, { data: [body] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.missing_required_field' }]);
    expect(res.body.errors[0].properties).toEqual({ entity_type: type, field_name: 'subtype' });
    expect(await count(collection)).toBe(before);
  });

  it('POST work_items with a subtype outside the family -> 400 platform.field_validation_error', async () => {
    const res = await t.post(`${t.ws}/work_items`, { data: [story('err-agg-bad-sub', { subtype: 'test_manual' })] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'subtype' }]);
  });

  it('a subtype collection refuses a different subtype in the body', async () => {
    const res = await t.post(`${t.ws}/stories`, { data: [story('err-sub-mismatch', { subtype: 'defect' })] });
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'subtype' }]);
  });
});

describe('bulk writes with failures', () => {
  it('a multi-item POST with failures answers the multi-error envelope, each error with its index; nothing written', async () => {
    const before = await count('releases');
    const res = await t.post(`${t.ws}/releases`, {
      data: [
        releaseBody('err-bulk-ok-1'),
        releaseBody('err-bulk-bad-1', { start_date: 'never' }),
        releaseBody('err-bulk-ok-2'),
        releaseBody('err-bulk-bad-2', { no_such_field: true }),
      ],
    });
    expectBulkErrors(res, 400, [
      { index: 1, code: 'platform.field_validation_error', field: 'start_date' },
      { index: 3, code: 'platform.unknown_field', field: 'no_such_field' },
    ]);
    expect(await count('releases')).toBe(before);
  });

  it('?partial=true writes the valid items and reports the others with their index', async () => {
    const before = await count('releases');
    const res = await t.post(`${t.ws}/releases?partial=true`, {
      data: [
        releaseBody('err-partial-bad-0', { end_date: 'x' }),
        releaseBody('err-partial-ok-1'),
        releaseBody('err-partial-ok-2'),
        { name: 'err-partial-bad-3', start_date: '2025-01-01' },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.total_count).toBe(2);
    expect(res.body.data.map((e: { name: string }) => e.name)).toEqual(['err-partial-ok-1', 'err-partial-ok-2']);
    expect(res.body.errors).toHaveLength(2);
    expect(res.body.errors.map((e: { index: number; error_code: string }) => [e.index, e.error_code])).toEqual([
      [0, 'platform.field_validation_error'],
      [3, 'platform.missing_required_field'],
    ]);
    for (const e of res.body.errors) expect(e.correlation_id).toMatch(CORRELATION_ID);
    expect(await count('releases')).toBe(before + 2);
  });

  it('?partial=true on a bulk update updates the valid items and reports the others', async () => {
    const [a, b] = await t.create('releases', releaseBody('err-pu-a'), releaseBody('err-pu-b'));
    const res = await t.put(`${t.ws}/releases?partial=true`, { data: [{ id: a, name: 'err-pu-a2' }, { id: b, sprint_duration: 'x' }] });
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { id: string; name: string }) => [e.id, e.name])).toEqual([[a, 'err-pu-a2']]);
    expect(res.body.errors.map((e: { index: number; error_code: string }) => [e.index, e.error_code])).toEqual([[1, 'platform.field_validation_error']]);
    expect((await t.get(`${t.ws}/releases/${b}`)).body.version_stamp).toBe(1);
  });
});

describe('conflicts and limits of the spec decision table', () => {
  it('a stale version_stamp -> 409 platform.entity_changed_by_another_user', async () => {
    const [id] = await t.create('releases', releaseBody('err-stale'));
    expect((await t.put(`${t.ws}/releases/${id}`, { name: 'err-stale-2', version_stamp: 1 })).status).toBe(200);
    const res = await t.put(`${t.ws}/releases/${id}`, { name: 'err-stale-3', version_stamp: 1 });
    expectOctaneError(res, 409, 'platform.entity_changed_by_another_user');
    expect((await t.get(`${t.ws}/releases/${id}`)).body.name).toBe('err-stale-2');
  });

  it('a duplicate release name -> 409 platform.duplicate_entity_error (business error)', async () => {
    await t.create('releases', releaseBody('err-dup'));
    const res = await t.post(`${t.ws}/releases`, { data: [releaseBody('err-dup')] });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ error_code: 'platform.duplicate_entity_error', business_error: true, index: 0 });
  });

  it('a body over the size limit -> 413 platform.request_too_large', async () => {
    const small = await makeApp({ bodyLimit: 2048 });
    try {
      const res = await small.post(`${small.ws}/stories`, { data: [story('y'.repeat(4000))] });
      expectOctaneError(res, 413, 'platform.request_too_large');
    } finally {
      await small.close();
    }
  });

  it('compressed bodies: gzip, deflate and br are inflated; an unknown or stacked coding is a 415', async () => {
    const body = (name: string) => Buffer.from(JSON.stringify({ data: [story(name)] }));
    const json = { 'content-type': 'application/json' };
    for (const [coding, compress] of [['gzip', gzipSync], ['x-gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync], ['identity, gzip', gzipSync]] as const) {
      const name = `err-coding-${coding}`;
      const res = await t.post(`${t.ws}/stories`, compress(body(name)), { ...json, 'content-encoding': coding });
      expect(res.status, coding).toBe(201);
      expect(res.body.data[0].name).toBe(name);
    }
    const before = await count('stories');
    for (const coding of ['compress', 'zstd', 'gzip, br']) {
      const res = await t.post(`${t.ws}/stories`, gzipSync(body('never')), { ...json, 'content-encoding': coding });
      expectOctaneError(res, 415, 'platform.web_application');
      expect(res.body.properties).toEqual({ content_encoding: coding });
      expect(res.body.description).toContain(`'${coding}' is not supported`);
    }
    // a body that is not in its declared coding is a 400, not a 500
    for (const coding of ['gzip', 'deflate', 'br']) {
      const bad = await t.post(`${t.ws}/stories`, body('plain'), { ...json, 'content-encoding': coding });
      expectOctaneError(bad, 400, 'platform.bad_request');
      expect(bad.body.description).toBe(`The request body is not valid ${coding} (Content-Encoding: ${coding})`);
    }
    expect(await count('stories')).toBe(before);
  });

  it('the space-level preview resources answer errors in the same shape', async () => {
    const res = await t.post(`${t.space}/users`, { data: [{ email: 'err-user@example.com', first_name: 'E' }] }, PREVIEW);
    expectBulkErrors(res, 400, [{ index: 0, code: 'platform.missing_required_field' }]);
    expect(res.body.errors[0].properties.entity_type).toBe('user');
  });
});
