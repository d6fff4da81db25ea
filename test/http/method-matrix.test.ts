// The method matrix, generated from the resource table the running app serves: every entity ×
// every collection name and alias × GET/POST/PUT/DELETE/PATCH × collection and instance URI.
// Allowed methods reach the generic service (never 404/405); disallowed ones answer Octane's 405
// with an Allow header. The preview header is sent everywhere; gating is tested in preview.test.ts.

import { afterAll, describe, expect, it } from 'vitest';
import { basePath } from '../../src/http/entity-routes.js';
import type { ResolvedEntity } from '../../src/resources/registry.js';
import { makeApp, PREVIEW, type Reply } from '../helpers/app.js';
import { expectOctaneError } from '../helpers/octane.js';

const t = await makeApp();
afterAll(() => t.close());

const { sharedSpaceId, workspaceId } = t.app.emulator.defaults;
const entities = t.app.emulator.registry.entities;
const MISSING_ID = '987654321';
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
type HttpMethod = (typeof METHODS)[number];
type Shape = 'collection' | 'instance';

function urlOf(entity: ResolvedEntity, name: string, shape: Shape): string {
  const base = basePath(entity.level).replace(':sid', String(sharedSpaceId)).replace(':wid', String(workspaceId));
  return shape === 'collection' ? `${base}/${name}` : `${base}/${name}/${MISSING_ID}`;
}

function bodyFor(method: HttpMethod, shape: Shape): unknown {
  if (method === 'POST' || (method === 'PUT' && shape === 'collection')) return { data: [] };
  if (method === 'PUT') return {};
  return undefined;
}

function send(entity: ResolvedEntity, name: string, shape: Shape, method: HttpMethod): Promise<Reply> {
  return t.request(method, urlOf(entity, name, shape), bodyFor(method, shape), PREVIEW);
}

function namesOf(entity: ResolvedEntity): string[] {
  return [entity.collection, ...(entity.aliases ?? [])];
}

/** What an allowed method answers on each URI shape (spec/README.md, "Writes"). */
function expectAllowed(res: Reply, entity: ResolvedEntity, method: HttpMethod, shape: Shape): void {
  // never the router's "no such route" nor "method not allowed"
  expect(res.status).not.toBe(405);
  expect(res.body?.error_code).not.toBe('platform.web_application');
  if (shape === 'instance') {
    // GET / PUT / DELETE of an id that does not exist
    expectOctaneError(res, 404, 'platform.entity_not_found');
    expect(res.body.properties).toMatchObject({ entity_id: MISSING_ID });
    return;
  }
  switch (method) {
    case 'GET':
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ exceeds_total_count: false });
      expect(Array.isArray(res.body.data)).toBe(true);
      expect(typeof res.body.total_count).toBe('number');
      expect(res.body.total_count).toBeGreaterThanOrEqual(res.body.data.length);
      for (const e of res.body.data) {
        expect(typeof e.id).toBe('string');
        expect(typeof e.type).toBe('string');
      }
      break;
    case 'POST':
      if (entity.binaryContent) {
        // entities with content are created by uploading it (multipart or octet-stream), not from JSON
        expectOctaneError(res, 400, 'platform.bad_request');
        expect(res.body.description).toMatch(/multipart\/form-data/);
        break;
      }
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ total_count: 0, data: [] });
      break;
    case 'PUT':
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ total_count: 0, data: [] });
      break;
    case 'DELETE':
      // a collection DELETE without `query` is refused
      expectOctaneError(res, 400);
      break;
    default:
      throw new Error(`unexpected allowed method ${method}`);
  }
}

function expectNotAllowed(res: Reply, allowed: readonly string[]): void {
  expectOctaneError(res, 405, 'platform.web_application');
  expect(res.body.description).toBe('HTTP 405 Method Not Allowed');
  const allow = String(res.headers.allow ?? '');
  expect(allow).not.toBe('');
  expect(allow.split(',').map((m) => m.trim()).sort()).toEqual([...allowed].sort());
}

describe('the matrix covers the whole resource table', () => {
  it('is generated from a non-trivial table with every level', () => {
    expect(entities.length).toBeGreaterThan(40);
    expect(new Set(entities.map((e) => e.level))).toEqual(new Set(['workspace', 'space', 'site']));
    // collection names are unique per level, aliases included
    const keys = entities.flatMap((e) => namesOf(e).map((n) => `${e.level}:${n}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every entity allows GET on both shapes, POST never on the instance, PATCH nowhere', () => {
    for (const e of entities) {
      expect(e.methods.collection, e.type).toContain('GET');
      expect(e.methods.instance, e.type).toContain('GET');
      expect(e.methods.instance, e.type).not.toContain('POST');
      expect([...e.methods.collection, ...e.methods.instance], e.type).not.toContain('PATCH');
    }
  });
});

for (const entity of entities) {
  for (const name of namesOf(entity)) {
    describe(`${entity.level} ${name} (${entity.type})`, () => {
      for (const shape of ['collection', 'instance'] as const) {
        const allowed = entity.methods[shape] as readonly string[];
        for (const method of METHODS) {
          const ok = allowed.includes(method);
          it(`${method} ${shape} -> ${ok ? 'served' : '405'}`, async () => {
            const res = await send(entity, name, shape, method);
            if (ok) expectAllowed(res, entity, method, shape);
            else expectNotAllowed(res, allowed);
          });
        }
      }
    });
  }
}

describe('the method rules the seed states', () => {
  const ws = t.ws;

  it('metaphases: GET only, on both shapes', async () => {
    const e = t.app.emulator.registry.collection('workspace', 'metaphases')!;
    expect(e.methods.collection).toEqual(['GET']);
    expect(e.methods.instance).toEqual(['GET']);
    const list = await t.get(`${ws}/metaphases`);
    expect(list.status).toBe(200);
    expect(list.body.total_count).toBeGreaterThan(0);
    const id = list.body.data[0].id;
    expect((await t.get(`${ws}/metaphases/${id}`)).status).toBe(200);
    for (const [method, url, body] of [
      ['POST', `${ws}/metaphases`, { data: [{ name: 'x' }] }],
      ['PUT', `${ws}/metaphases`, { data: [{ id, name: 'x' }] }],
      ['DELETE', `${ws}/metaphases?query=%22id%20EQ%20${id}%22`, undefined],
      ['PUT', `${ws}/metaphases/${id}`, { name: 'x' }],
      ['DELETE', `${ws}/metaphases/${id}`, undefined],
      ['POST', `${ws}/metaphases/${id}`, { data: [] }],
    ] as const) {
      const res = await t.request(method, url, body);
      expectNotAllowed(res, ['GET']);
    }
    // nothing changed
    const again = await t.get(`${ws}/metaphases/${id}`);
    expect(again.body.name).toBe(list.body.data[0].name);
  });

  it('user_tags: GET and POST only', async () => {
    const e = t.app.emulator.registry.collection('workspace', 'user_tags')!;
    expect([...e.methods.collection].sort()).toEqual(['GET', 'POST']);
    expect(e.methods.instance).toEqual(['GET']);
    const created = await t.post(`${ws}/user_tags`, { data: [{ name: 'matrix-seed-tag' }] });
    expect(created.status).toBe(201);
    const id = created.body.data[0].id;
    expect((await t.get(`${ws}/user_tags/${id}`)).body.name).toBe('matrix-seed-tag');
    expectNotAllowed(await t.put(`${ws}/user_tags`, { data: [{ id, name: 'x' }] }), ['GET', 'POST']);
    expectNotAllowed(await t.del(`${ws}/user_tags?query=%22id%20EQ%20${id}%22`), ['GET', 'POST']);
    expectNotAllowed(await t.put(`${ws}/user_tags/${id}`, { name: 'x' }), ['GET']);
    expectNotAllowed(await t.del(`${ws}/user_tags/${id}`), ['GET']);
    expect((await t.get(`${ws}/user_tags/${id}`)).body.name).toBe('matrix-seed-tag');
  });

  it('a 405 wins over a missing id: the method is checked before the entity is looked up', async () => {
    expectNotAllowed(await t.del(`${ws}/metaphases/${MISSING_ID}`), ['GET']);
  });
});
