// What the OpenAPI document says, against the resource table and against what the server answers:
// every resource route with exactly the methods it allows; the querystring, header, body and
// response schemas; security; the preview header; and real responses of every collection validated
// against the documented response schemas. Then: the documentation changes no behaviour (Octane's
// errors stay Octane's, user-defined fields are not dropped), and Swagger UI and the JSON document
// are served without a session.

import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { basePath, collectionNames } from '../../src/http/entity-routes.js';
import { openApiDocument } from '../../src/http/openapi.js';
import type { ResolvedEntity } from '../../src/resources/registry.js';
import { makeApp, PREVIEW } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';

const t = await makeApp();
afterAll(() => t.close());

const doc = (await openApiDocument(t.app)) as any;
const registry = t.app.emulator.registry;
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

/** `/api/shared_spaces/{sid}/workspaces/{wid}` style paths of an entity's routes. */
const pathOf = (entity: ResolvedEntity, name: string, suffix = '') => `${basePath(entity.level).replace(/:(\w+)/g, '{$1}')}/${name}${suffix}`;

/** An operation with its $ref'd parameters and responses resolved. */
function resolve(node: any): any {
  if (node?.$ref) {
    const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(node.$ref)!;
    return doc.components[section][name];
  }
  return node;
}
const paramsOf = (op: any) => (op.parameters ?? []).map(resolve);
const paramNames = (op: any, where: string) => paramsOf(op).filter((p: any) => p.in === where).map((p: any) => p.name);

describe('paths and methods', () => {
  it('every collection, instance and groups route of every resource, with exactly the allowed methods', () => {
    const wrong: string[] = [];
    for (const entity of registry.entities) {
      for (const name of collectionNames(entity)) {
        const shapes: Array<[string, readonly string[]]> = [
          ['', entity.methods.collection],
          ['/{id}', entity.methods.instance],
          ['/groups', entity.methods.collection.includes('GET') ? ['GET'] : []],
        ];
        for (const [suffix, allowed] of shapes) {
          const item = doc.paths[pathOf(entity, name, suffix)] ?? {};
          const documented = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
          if (documented.join() !== METHODS.map((m) => m.toUpperCase()).filter((m) => allowed.includes(m)).join()) {
            wrong.push(`${pathOf(entity, name, suffix)}: documented ${documented.join(',')} allowed ${allowed.join(',')}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('scripts, downloads, metadata, sign-in and sign-out, the version', () => {
    const ws = '/api/shared_spaces/{sid}/workspaces/{wid}';
    expect(Object.keys(doc.paths[`${ws}/tests/{id}/script`])).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths[`${ws}/attachments/{id}/{filename}`])).toEqual(['get']);
    expect(Object.keys(doc.paths[`${ws}/metadata/entities`])).toEqual(['get']);
    expect(Object.keys(doc.paths[`${ws}/metadata/fields`])).toEqual(['get']);
    expect(Object.keys(doc.paths['/authentication/sign_in'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/authentication/sign_out'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/admin/version'])).toEqual(['get']);
    // the landing page and Swagger UI are for people, not part of the API
    expect(doc.paths['/']).toBeUndefined();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/api-docs'))).toBe(false);
  });

  it('every operation has a summary and a tag; operation ids are unique', () => {
    const ids: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        if (op.operationId) ids.push(op.operationId);
        else expect(path, 'the operations of resources have ids').not.toMatch(/\/(defects|work_items|metadata)\b/);
        expect(op.summary).toBeTruthy();
        expect(op.tags?.length).toBe(1);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects'].get.operationId).toBe('get_defects');
    expect(doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects/{id}'].put.operationId).toBe('put_defects_by_id');
    expect(doc.paths['/api/shared_spaces/{sid}/users'].get.operationId).toBe('get_space_users');
  });
});

describe('parameters', () => {
  const defects = doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects'];
  it('the read parameters of a collection GET, the write parameters of POST and PUT', () => {
    expect(paramNames(defects.get, 'query')).toEqual(['fields', 'query', 'order_by', 'limit', 'offset', 'text_search']);
    expect(paramNames(defects.get, 'path')).toEqual(['sid', 'wid']);
    expect(paramNames(defects.post, 'query')).toEqual(['fields', 'partial']);
    expect(paramNames(defects.put, 'query')).toEqual(['query', 'fields', 'partial']);
    const limit = paramsOf(defects.get).find((p: any) => p.name === 'limit');
    expect(limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: t.app.emulator.config.pageSizeMax });
    // a collection DELETE needs its query
    expect(paramsOf(defects.delete).find((p: any) => p.name === 'query').required).toBe(true);
    const one = doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects/{id}'];
    expect(paramNames(one.get, 'path')).toEqual(['sid', 'wid', 'id']);
    expect(paramNames(one.get, 'query')).toEqual(['fields']);
  });

  it('the preview header on technical-preview resources (on writes only for preview writes), nowhere else', () => {
    const header = 'ALM-OCTANE-TECH-PREVIEW';
    for (const entity of registry.entities) {
      for (const [m, op] of Object.entries<any>(doc.paths[pathOf(entity, entity.collection)] ?? {})) {
        const expected = entity.preview === true || (entity.preview === 'writes' && m !== 'get');
        const p = paramsOf(op).find((x: any) => x.in === 'header' && x.name === header);
        expect(Boolean(p), `${m} ${entity.collection}`).toBe(expected);
        if (p) expect(p).toMatchObject({ required: true, schema: { type: 'string', enum: ['true'] } });
      }
    }
  });
});

describe('schemas', () => {
  const schemas = doc.components.schemas;
  it('an entity schema per type, from its fields', () => {
    for (const entity of registry.entities) {
      const s = schemas[entity.type];
      expect(s, entity.type).toBeDefined();
      const expected = [...entity.fieldMap.values()].filter((f) => !f.writeOnly).map((f) => f.name);
      expect(Object.keys(s.properties).sort()).toEqual([...new Set(['type', 'id', ...expected])].sort());
      expect(schemas[`${entity.type}_input`]).toBeDefined();
    }
    const defect = schemas.defect.properties;
    expect(defect.id).toMatchObject({ type: 'string' });
    expect(defect.name).toMatchObject({ type: ['string', 'null'], maxLength: 255 });
    expect(defect.story_points).toMatchObject({ type: ['integer', 'null'] });
    expect(defect.blocked).toMatchObject({ type: ['boolean', 'null'] });
    expect(defect.creation_time).toMatchObject({ type: ['string', 'null'], format: 'date-time', readOnly: true });
    expect(defect.severity.anyOf).toEqual([{ $ref: '#/components/schemas/Reference' }, { type: 'null' }]);
    expect(defect.user_tags.$ref).toBe('#/components/schemas/MultiReference');
    expect(schemas.Reference.required).toEqual(['type', 'id']);
    expect(schemas.MultiReference.properties.data.items).toEqual({ $ref: '#/components/schemas/Reference' });
  });

  it('write schemas hold the editable fields; secrets are write-only', () => {
    const input = schemas.defect_input.properties;
    expect(input.name).toBeDefined();
    expect(input.severity.anyOf).toEqual([{ $ref: '#/components/schemas/ReferenceInput' }, { type: 'null' }]);
    expect(input.author).toBeUndefined();
    expect(input.creation_time).toBeUndefined();
    expect(schemas.user_input.properties.password).toMatchObject({ writeOnly: true });
    expect(schemas.user.properties.password).toBeUndefined();
    expect(schemas.work_item_input.properties.subtype.enum).toEqual(['work_item_root', 'epic', 'feature', 'story', 'defect', 'quality_story']);
    const create = doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects'].post.requestBody.content['application/json'].schema;
    expect(create.properties.data.items).toEqual({ allOf: [{ $ref: '#/components/schemas/defect_input' }], required: ['parent', 'name', 'phase'] });
  });

  it("4xx answers are Octane's error body; collection writes may answer the multi-error envelope", () => {
    expect(Object.keys(schemas.Error.properties).sort()).toEqual(['business_error', 'correlation_id', 'description', 'description_translated', 'error_code', 'properties', 'stack_trace']);
    const get = doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects'].get;
    for (const status of ['400', '401', '403', '404']) {
      expect(resolve(get.responses[status]).content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    }
    const post = doc.paths['/api/shared_spaces/{sid}/workspaces/{wid}/defects'].post;
    expect(resolve(post.responses['400']).content['application/json'].schema.oneOf).toEqual([{ $ref: '#/components/schemas/BulkErrors' }, { $ref: '#/components/schemas/Error' }]);
  });

  it('security: the session cookie and HTTP Basic; sign-in needs neither', () => {
    expect(doc.components.securitySchemes.LWSSO_COOKIE_KEY).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'LWSSO_COOKIE_KEY' });
    expect(doc.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(doc.security).toEqual([{ LWSSO_COOKIE_KEY: [] }, { basicAuth: [] }, { bearerAuth: [] }]);
    expect(doc.paths['/authentication/sign_in'].post.security).toEqual([]);
  });
});

describe('real answers match the documented response schemas', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // a CommonJS module: its export is the plugin itself at run time
  const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  const validatorOf = (schema: unknown) => ajv.compile({ $id: `s${Math.random()}`, ...rewrite(schema) });
  /** `#/components/…` refs, relative to the document. */
  function rewrite(node: any): any {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' ? String(v).replace(/^#/, 'openapi#') : rewrite(v)]));
  }
  const responseSchema = (path: string, method: string, status: string) => resolve(doc.paths[path][method].responses[status]).content['application/json'].schema;

  it('every workspace collection, with the default fields and with every field', async () => {
    const wrong: string[] = [];
    for (const entity of registry.entities.filter((e) => e.level === 'workspace' && e.methods.collection.includes('GET'))) {
      const path = pathOf(entity, entity.collection);
      const validate = validatorOf(responseSchema(path, 'get', '200'));
      const all = [...entity.fieldMap.values()].filter((f) => !f.writeOnly).map((f) => f.name).join(',');
      for (const params of ['', `&fields=${all}`]) {
        const res = await t.get(`${t.ws}/${entity.collection}?limit=5${params}`, PREVIEW);
        expect(res.status, `${entity.collection}: ${res.text.slice(0, 200)}`).toBe(200);
        if (!validate(res.body)) wrong.push(`${entity.collection}${params ? ' (all fields)' : ''}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a created, read, updated defect and an Octane error', async () => {
    const ws = '/api/shared_spaces/{sid}/workspaces/{wid}';
    const created = await t.post(`${t.ws}/defects`, { data: [{ name: 'openapi defect', parent: { type: 'work_item_root', id: 'work_item_root' } }] });
    expect(validatorOf(responseSchema(`${ws}/defects`, 'post', '201'))(created.body)).toBe(true);
    const id = created.body.data[0].id;
    const one = await t.get(`${t.ws}/defects/${id}?fields=name,phase,severity,user_tags,owner,creation_time`);
    const validateOne = validatorOf(responseSchema(`${ws}/defects/{id}`, 'get', '200'));
    expect(validateOne(one.body), ajv.errorsText(validateOne.errors)).toBe(true);
    const updated = await t.put(`${t.ws}/defects/${id}`, { name: 'openapi defect 2' });
    expect(validatorOf(responseSchema(`${ws}/defects/{id}`, 'put', '200'))(updated.body)).toBe(true);
    const missing = await t.get(`${t.ws}/defects/987654321`);
    expect(validatorOf(responseSchema(`${ws}/defects/{id}`, 'get', '404'))(missing.body)).toBe(true);
    const meta = await t.get(`${t.ws}/metadata/fields?${q('entity_name EQ ^defect^')}`);
    expect(validatorOf(responseSchema(`${ws}/metadata/fields`, 'get', '200'))(meta.body)).toBe(true);
  });
});

describe('the documentation changes no behaviour', () => {
  it("bad parameters and bodies still answer Octane's errors, not Fastify's validation", async () => {
    expectOctaneError(await t.get(`${t.ws}/defects?limit=abc`), 400, 'platform.invalid_paging');
    expectOctaneError(await t.get(`${t.ws}/defects?limit=0`), 400, 'platform.invalid_paging');
    expectOctaneError(await t.post(`${t.ws}/defects`, { data: 'x' }), 400, 'platform.bad_request');
    expectOctaneError(await t.get(`${t.ws}/defects/groups`), 400, 'platform.bad_request');
    const unknown = await t.post(`${t.ws}/defects`, { data: [{ name: 'x', no_such_field: 1 }] });
    expect(unknown.body.errors[0]).toMatchObject({ error_code: 'platform.unknown_field' });
    expectOctaneError(await t.get(`${t.ws}/quality_stories`), 403, 'platform.tech_preview_required');
  });

  it('answers keep fields the schemas do not list (no response serializer drops them)', async () => {
    const udf = await t.post(`${t.ws}/metadata_fields`, { data: [{ name: 'doc_check_udf', entity_type: 'defect', subtype: 'field_metadata_string' }] }, PREVIEW);
    expect(udf.status).toBe(201);
    const [id] = await t.create('defects', { name: 'udf', parent: { type: 'work_item_root', id: 'work_item_root' }, doc_check_udf: 'kept' });
    const res = await t.get(`${t.ws}/defects/${id}?fields=doc_check_udf`);
    expect(res.body).toEqual({ type: 'defect', id, doc_check_udf: 'kept' });
    expect(doc.components.schemas.defect.properties.doc_check_udf).toBeUndefined();
  });
});

describe('Swagger UI and the JSON document', () => {
  it('/api-docs serves the UI without a session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api-docs' });
    expect([200, 302]).toContain(res.statusCode);
    const page = res.statusCode === 302 ? await t.app.inject({ method: 'GET', url: String(res.headers.location).startsWith('/') ? String(res.headers.location) : `/api-docs/${res.headers.location}` }) : res;
    expect(page.statusCode).toBe(200);
    expect(String(page.headers['content-type'])).toContain('text/html');
    expect(page.body).toMatch(/swagger/i);
  });

  it('/api-docs/json is the document, without a session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api-docs/json' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
