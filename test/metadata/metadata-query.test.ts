// Filtering the metadata with `query=` (EQ, IN, `;`, `!`, wildcards; `||` refused), the checks every
// workspace route makes (session, workspace, membership, methods), and user-defined fields
// appearing in the metadata of the workspaces that see them, and only there.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, signIn } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';

const t = await makeApp();
afterAll(() => t.close());

const entities = (statement?: string, ws = t.ws) => t.get(`${ws}/metadata/entities${statement === undefined ? '' : `?${q(statement)}`}`);
const fields = (statement?: string, ws = t.ws) => t.get(`${ws}/metadata/fields${statement === undefined ? '' : `?${q(statement)}`}`);
const names = (body: any) => body.data.map((x: any) => x.name);

describe('filtering entity metadata', () => {
  it("name IN 'defect','story' (the Java SDK's form)", async () => {
    const res = await entities("name IN 'defect','story'");
    expect(res.status).toBe(200);
    expect(names(res.body).sort()).toEqual(['defect', 'story']);
    expect(res.body.total_count).toBe(2);
  });

  it('name EQ ^defect^, with or without the wrapping quotes, and ignoring case', async () => {
    expect(names((await entities('name EQ ^defect^')).body)).toEqual(['defect']);
    const bare = await t.get(`${t.ws}/metadata/entities?query=${encodeURIComponent('name EQ ^Defect^')}`);
    expect(names(bare.body)).toEqual(['defect']);
  });

  it('wildcards, negation and AND', async () => {
    expect(names((await entities('name EQ ^test_suite_link*^')).body).sort()).toEqual([
      'test_suite_link_to_automated',
      'test_suite_link_to_gherkin',
      'test_suite_link_to_manual',
      'test_suite_link_to_test',
    ]);
    expect(names((await entities('name EQ ^*_root^')).body).sort()).toEqual(['requirement_root', 'work_item_root']);
    const all = (await entities()).body.total_count;
    expect((await entities('!name EQ ^defect^')).body.total_count).toBe(all - 1);
    expect(names((await entities("name IN 'defect','story';label EQ ^Defect^")).body)).toEqual(['defect']);
  });

  it('no match is an empty answer', async () => {
    const res = await entities('name EQ ^no_such_type^');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], total_count: 0 });
  });
});

describe('filtering field metadata', () => {
  it('entity_name EQ ^defect^ gives every field of defect and nothing else', async () => {
    const res = await fields('entity_name EQ ^defect^');
    expect(res.status).toBe(200);
    expect(res.body.data.every((f: any) => f.entity_name === 'defect')).toBe(true);
    expect(names(res.body).sort()).toEqual([...t.app.emulator.registry.entity('defect').fieldMap.keys()].sort());
  });

  it("entity_name EQ 'pipeline' (the quotes of protocol.md §9.2)", async () => {
    const res = await fields("entity_name EQ 'pipeline'");
    expect(names(res.body)).toContain('creation_time');
  });

  it('entity_name IN …; name EQ …', async () => {
    const res = await fields('entity_name IN ^defect^,^story^;name EQ ^severity^');
    expect(res.body.data.map((f: any) => `${f.entity_name}.${f.name}`)).toEqual(['defect.severity']);
    const both = await fields('entity_name IN ^defect^,^story^;name IN ^name^,^phase^');
    expect(both.body.data.map((f: any) => `${f.entity_name}.${f.name}`).sort()).toEqual(['defect.name', 'defect.phase', 'story.name', 'story.phase']);
  });

  it('boolean flags: the required fields of a defect', async () => {
    const res = await fields('entity_name EQ ^defect^;required EQ true');
    expect(names(res.body).sort()).toEqual(['name', 'parent', 'phase']);
    const refs = await fields('entity_name EQ ^defect^;field_type EQ ^reference^;editable EQ false');
    expect(names(refs.body)).toContain('author');
    expect(refs.body.data.every((f: any) => f.field_type === 'reference' && f.editable === false)).toBe(true);
  });
});

describe('queries metadata does not support', () => {
  it("'||' is refused with 400 platform.invalid_query, on both", async () => {
    for (const res of [await entities('name EQ ^defect^||name EQ ^story^'), await fields('entity_name EQ ^defect^||entity_name EQ ^story^')]) {
      expectOctaneError(res, 400, 'platform.invalid_query');
      expect(res.body.description).toMatch(/\|\|/);
    }
  });

  it('an unknown field is 400 platform.unknown_field naming it', async () => {
    const res = await entities('entity_name EQ ^defect^');
    expectOctaneError(res, 400, 'platform.unknown_field');
    expect(res.body.properties).toEqual({ entity_type: 'entity_metadata', field_name: 'entity_name' });
    const f = await fields('color EQ ^red^');
    expectOctaneError(f, 400, 'platform.unknown_field');
    expect(f.body.properties).toEqual({ entity_type: 'field_metadata', field_name: 'color' });
  });

  it('other operators, wrong value types, cross-filters and syntax errors are 400 platform.invalid_query', async () => {
    for (const statement of ['name LT ^defect^', 'name BTW ^a^...^b^', 'required EQ ^yes^', 'name EQ true', 'name EQ {id EQ 1}', 'name EQ', 'name EQ ^defect']) {
      const res = await fields(statement);
      expectOctaneError(res, 400, 'platform.invalid_query');
    }
  });

  it('a repeated query parameter is refused', async () => {
    const res = await t.get(`${t.ws}/metadata/fields?${q('name EQ ^id^')}&${q('name EQ ^name^')}`);
    expectOctaneError(res, 400, 'platform.bad_request');
  });
});

describe('the checks of every workspace route', () => {
  it('GET only: other methods are 405', async () => {
    for (const kind of ['entities', 'fields']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
        const res = await t.request(method, `${t.ws}/metadata/${kind}`, method === 'DELETE' ? undefined : {});
        expectOctaneError(res, 405, 'platform.web_application');
        expect(res.headers.allow).toBe('GET');
      }
    }
  });

  it('401 without a session, 404 for a workspace or space that does not exist', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: `${t.ws}/metadata/entities` });
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body).error_code).toBe('platform.authentication_failed');
    expectOctaneError(await t.get(`${t.space}/workspaces/999999/metadata/fields`), 404, 'platform.entity_not_found');
    expectOctaneError(await t.get(`/api/shared_spaces/999999/workspaces/1002/metadata/fields`), 404, 'platform.entity_not_found');
  });

  it('403 for a user without a role in the workspace; HTTP Basic works like the session', async () => {
    const user = await t.post(`${t.space}/users`, { data: [{ name: 'meta-outsider@example.com', email: 'meta-outsider@example.com', first_name: 'Meta', last_name: 'Outsider', password: 'Outsider-1' }] }, PREVIEW);
    expect(user.status).toBe(201);
    const cookies = await signIn(t.app, 'meta-outsider@example.com', 'Outsider-1');
    const res = await t.app.inject({ method: 'GET', url: `${t.ws}/metadata/entities`, cookies });
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).error_code).toBe('platform.forbidden');
    const basic = await t.app.inject({ method: 'GET', url: `${t.ws}/metadata/entities?${q('name EQ ^defect^')}`, headers: { authorization: `Basic ${Buffer.from('sa@nga:Welcome1').toString('base64')}` } });
    expect(basic.statusCode).toBe(200);
    expect(JSON.parse(basic.body).total_count).toBe(1);
  });
});

describe('user-defined fields', () => {
  let other: string;
  beforeAll(async () => {
    const ws = await t.post(`${t.space}/workspaces`, { data: [{ name: 'metadata-other' }] });
    expect(ws.status).toBe(201);
    other = `${t.space}/workspaces/${ws.body.data[0].id}`;
    const own = await t.post(`${t.ws}/metadata_fields`, { data: [{ name: 'meta_check_udf', label: 'Meta check', entity_type: 'defect', subtype: 'field_metadata_string' }] }, PREVIEW);
    expect(own.status).toBe(201);
    const shared = await t.post(`${t.space}/workspaces/500/metadata_fields`, { data: [{ name: 'meta_shared_udf', label: 'Meta shared', entity_type: 'story', subtype: 'field_metadata_long' }] }, PREVIEW);
    expect(shared.status).toBe(201);
  });

  it("appear with is_user_defined: true in the workspace's field metadata, on the type and its family", async () => {
    const udf = await fields('entity_name EQ ^defect^;name EQ ^meta_check_udf^');
    expect(udf.body.data).toEqual([
      expect.objectContaining({
        entity_name: 'defect',
        name: 'meta_check_udf',
        label: 'Meta check',
        field_type: 'string',
        max_length: 255,
        is_user_defined: true,
        editable: true,
        required: false,
        returned_by_default: false,
        filterable: true,
      }),
    ]);
    expect(names((await fields('entity_name EQ ^work_item^;is_user_defined EQ true')).body).sort()).toEqual(['meta_check_udf', 'meta_shared_udf']);
    expect(names((await fields('is_user_defined EQ true;entity_name EQ ^story^')).body)).toEqual(['meta_shared_udf']);
    expect((await fields('is_user_defined EQ true;name EQ ^meta_shared_udf^')).body.data[0]).toMatchObject({ field_type: 'integer', min_value: Number.MIN_SAFE_INTEGER });
  });

  it('a field of one workspace is not in the metadata of another; a shared space field is in both', async () => {
    const qualified = (body: any) => body.data.map((f: any) => `${f.entity_name}.${f.name}`).sort();
    expect(qualified((await fields('is_user_defined EQ true', other)).body)).toEqual(['story.meta_shared_udf', 'work_item.meta_shared_udf']);
    expect(qualified((await fields('is_user_defined EQ true')).body)).toEqual(['defect.meta_check_udf', 'story.meta_shared_udf', 'work_item.meta_check_udf', 'work_item.meta_shared_udf']);
  });

  it('what the metadata lists, the server accepts: the field is written, filtered and read', async () => {
    const [id] = await t.create('defects', { name: 'udf defect', phase: { type: 'phase', id: 'phase.defect.new' }, meta_check_udf: 'hello' });
    const read = await t.get(`${t.ws}/defects?fields=meta_check_udf&${q('meta_check_udf EQ ^hello^')}`);
    expect(read.body.data).toEqual([{ type: 'defect', id, meta_check_udf: 'hello' }]);
    // and another workspace, whose metadata does not list it, refuses it
    const refused = await t.post(`${other}/defects`, { data: [{ name: 'x', meta_check_udf: 'x' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ error_code: 'platform.unknown_field', properties: { field_name: 'meta_check_udf' } });
  });
});
