// The routes of every resource, derived from the resource table: a collection URI and an instance
// URI per level whose collection segment is looked up in the table, every HTTP method on both, so
// that a method the descriptor does not allow answers Octane's 405 (Fastify alone would answer 404).

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import type { Expr } from '../query/ast.js';
import { parseQuery } from '../query/parser.js';
import { parseFields, parseOrderBy, parsePaging, type FieldSelectionItem } from '../query/read-params.js';
import type { BulkResult } from '../resources/entity-service.js';
import type { ResolvedEntity } from '../resources/registry.js';
import type { Level, Method } from '../resources/types.js';
import { isOctetStream, replaceAttachment, sendContent, uploadAttachment, wantsBytes } from './attachment-routes.js';
import { checkPreview, requestContext } from './request-context.js';

const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/**
 * Registers a handler at a URL for every HTTP method, one route per method: a method the resource
 * does not allow still reaches the handler (which answers Octane's 405), and the OpenAPI document
 * (http/openapi.ts) can describe each method on its own.
 */
export function routeEachMethod(app: FastifyInstance, route: { url: string; handler: RouteHandlerMethod }): void {
  for (const method of ROUTE_METHODS) app.route({ method, url: route.url, handler: route.handler });
}

export function basePath(level: Level): string {
  switch (level) {
    case 'workspace':
      return '/api/shared_spaces/:sid/workspaces/:wid';
    case 'space':
      return '/api/shared_spaces/:sid';
    case 'site':
      return '/api';
  }
}

type Query = Record<string, string | string[] | undefined>;

/** One value of a query parameter; repeated list parameters are joined, a repeated query is refused. */
function param(q: Query, name: string, joinable = false): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) {
    if (!joinable) throw errors.badRequest(`The parameter '${name}' is given more than once`, { parameter: name });
    return v.join(',');
  }
  return v;
}

function queryOf(q: Query): Expr | undefined {
  const raw = param(q, 'query');
  if (raw === undefined || raw.trim() === '' || raw.trim() === '""') return undefined;
  return parseQuery(raw);
}

function fieldsOf(q: Query): FieldSelectionItem[] | undefined {
  const raw = param(q, 'fields', true);
  return raw === undefined || raw.trim() === '' ? undefined : parseFields(raw);
}

/** `text_search={"type":"global","text":"…"}` (a bare string is taken as the text). */
function textSearchOf(q: Query): string | undefined {
  const raw = param(q, 'text_search');
  if (raw === undefined || raw.trim() === '') return undefined;
  let text: unknown = raw;
  if (raw.trim().startsWith('{')) {
    try {
      text = (JSON.parse(raw) as { text?: unknown }).text;
    } catch {
      throw errors.badRequest(`The parameter 'text_search' is not valid JSON: expected {"type":"global","text":"…"}`, { parameter: 'text_search' });
    }
  }
  if (typeof text !== 'string' || text.trim() === '') throw errors.badRequest(`The parameter 'text_search' needs a non-empty "text"`, { parameter: 'text_search' });
  if (text.length > 1000) throw errors.badRequest(`The 'text_search' text is longer than 1000 characters`, { parameter: 'text_search' });
  return text.trim();
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['true', '1', ''].includes(v.toLowerCase());
}

/** The items of a `{"data":[…]}` body. */
function dataItems(body: unknown, what: string): unknown[] {
  if (body && typeof body === 'object' && !Array.isArray(body) && Array.isArray((body as { data?: unknown }).data)) {
    return (body as { data: unknown[] }).data;
  }
  throw errors.badRequest(`Expected a body of the form {"data":[…]} to ${what}`);
}

function sendBulk(reply: FastifyReply, status: number, result: BulkResult): FastifyReply {
  const body: Record<string, unknown> = { total_count: result.data.length, data: result.data };
  if (result.errors.length) {
    body.errors = result.errors.map((e) => e.toBody(reply.request.correlationId));
  }
  return reply.code(status).send(body);
}

/**
 * The checks every resource route makes before its handler: the space and workspace exist and the
 * caller may act there, the preview header for preview resources, and the allowed methods.
 */
export function routeContext(emulator: Emulator, entity: ResolvedEntity, name: string, allowed: readonly Method[], request: FastifyRequest) {
  const ctx = requestContext(emulator, request, entity.level, entity);
  checkPreview(entity, request, name);
  const method = (request.method === 'HEAD' ? 'GET' : request.method) as Method;
  if (!allowed.includes(method)) throw errors.methodNotAllowed(request.method, allowed);
  return ctx;
}

/** Every collection name of an entity: its own and its aliases. */
export function collectionNames(entity: ResolvedEntity): string[] {
  return [entity.collection, ...(entity.aliases ?? [])];
}

/** The entities of one level by every collection name they answer to. */
function collectionsByName(entities: readonly ResolvedEntity[], level: Level): Map<string, ResolvedEntity> {
  const byName = new Map<string, ResolvedEntity>();
  for (const entity of entities) {
    if (entity.level !== level) continue;
    for (const name of collectionNames(entity)) byName.set(name, entity);
  }
  return byName;
}

type Resolved = { entity: ResolvedEntity; name: string };

/**
 * The handler of a collection URL (list, create, update and delete by query, upload for entities
 * with content), for the entity and name `resolve` finds for a request.
 */
function collectionHandler(emulator: Emulator, resolve: (request: FastifyRequest) => Resolved): RouteHandlerMethod {
  const { service, config } = emulator;
  const limits = { defaultLimit: config.pageSizeDefault, maxLimit: config.pageSizeMax };
  return async (request, reply) => {
    const { entity, name } = resolve(request);
    const ctx = routeContext(emulator, entity, name, entity.methods.collection, request);
    const q = request.query as Query;
    switch (request.method) {
      case 'GET':
      case 'HEAD': {
        const { limit, offset } = parsePaging(param(q, 'limit'), param(q, 'offset'), limits);
        const orderRaw = param(q, 'order_by', true);
        return service.list(ctx, entity, {
          query: queryOf(q),
          fields: fieldsOf(q),
          orderBy: orderRaw ? parseOrderBy(orderRaw) : undefined,
          limit,
          offset,
          textSearch: textSearchOf(q),
        });
      }
      case 'POST': {
        if (entity.binaryContent) return uploadAttachment(emulator, ctx, entity, request, reply, fieldsOf(q));
        const items = dataItems(request.body, `create ${name}`);
        const result = service.create(ctx, entity, items, { fields: fieldsOf(q), partial: isTrue(param(q, 'partial')) });
        return sendBulk(reply, 201, result);
      }
      case 'PUT': {
        const query = queryOf(q);
        if (query) {
          const body = request.body as Record<string, unknown> | undefined;
          const patch = body && Array.isArray(body.data) ? (body.data.length === 1 ? body.data[0] : undefined) : body;
          if (!patch || typeof patch !== 'object') throw errors.badRequest('Expected the changes as {"data":[{…}]} for an update by query');
          return service.updateByQuery(ctx, entity, query, patch, fieldsOf(q));
        }
        const items = dataItems(request.body, `update ${name}`);
        return sendBulk(reply, 200, service.updateMany(ctx, entity, items, { fields: fieldsOf(q), partial: isTrue(param(q, 'partial')) }));
      }
      case 'DELETE': {
        const query = queryOf(q);
        if (!query) throw errors.badRequest(`A DELETE on the collection '${name}' needs a query that selects what to delete`);
        return service.deleteByQuery(ctx, entity, query);
      }
    }
    throw errors.methodNotAllowed(request.method, entity.methods.collection);
  };
}

/**
 * Three parametric URL shapes per level (collection, groups, instance) instead of a route per
 * collection name: the router stays small, so start-up does not pay for hundreds of routes, and the
 * collection is looked up in the resource table. Static routes registered elsewhere (metadata,
 * scripts, attachments' downloads, test results, the collections that take uploads) take
 * precedence in the router.
 */
export function registerEntityRoutes(app: FastifyInstance, emulator: Emulator): void {
  const { service } = emulator;

  for (const level of ['site', 'space', 'workspace'] as const) {
    const byName = collectionsByName(emulator.registry.entities, level);
    if (byName.size === 0) continue;
    const base = basePath(level);
    /** The entity a URL names; an unknown collection is the same 404 as any unknown URL. */
    const resolve = (request: FastifyRequest): Resolved => {
      const { collection } = request.params as { collection: string };
      const entity = byName.get(collection);
      if (!entity) throw errors.notFoundUrl(request.url.split('?')[0]);
      return { entity, name: collection };
    };
    const guard = (entity: ResolvedEntity, name: string, shape: 'collection' | 'instance', request: FastifyRequest) =>
      routeContext(emulator, entity, name, entity.methods[shape], request);

    routeEachMethod(app, { url: `${base}/:collection`, handler: collectionHandler(emulator, resolve) });

    // Counts per value of a field: `GET {collection}/groups?group_by=severity&query=…`
    routeEachMethod(app, {
      url: `${base}/:collection/groups`,
      handler: async (request) => {
        const { entity, name } = resolve(request);
        const ctx = routeContext(emulator, entity, name, entity.methods.collection.includes('GET') ? ['GET'] : [], request);
        const q = request.query as Query;
        const groupBy = param(q, 'group_by');
        if (!groupBy) throw errors.badRequest(`The parameter 'group_by' names the field to group by`, { parameter: 'group_by' });
        return service.groups(ctx, entity, groupBy.trim(), queryOf(q));
      },
    });

    routeEachMethod(app, {
      url: `${base}/:collection/:id`,
      handler: async (request, reply) => {
        const { entity, name } = resolve(request);
        const ctx = guard(entity, name, 'instance', request);
        const { id } = request.params as { id: string };
        const q = request.query as Query;
        switch (request.method) {
          case 'GET':
          case 'HEAD':
            if (entity.binaryContent && wantsBytes(request)) return sendContent(emulator, ctx, entity, id, reply);
            return service.get(ctx, entity, id, fieldsOf(q));
          case 'PUT': {
            if (entity.binaryContent && isOctetStream(request)) return replaceAttachment(emulator, ctx, entity, id, request, fieldsOf(q));
            let body = request.body;
            // Tolerate the collection form {"data":[{…}]} for a single update.
            if (body && typeof body === 'object' && !Array.isArray(body) && Array.isArray((body as { data?: unknown }).data) && Object.keys(body).length === 1) {
              const data = (body as { data: unknown[] }).data;
              if (data.length === 1) body = data[0];
            }
            return service.update(ctx, entity, id, body, fieldsOf(q));
          }
          case 'DELETE':
            service.delete(ctx, entity, id);
            return reply.code(200).send();
        }
        throw errors.methodNotAllowed(request.method, entity.methods.instance);
      },
    });
  }
}

/**
 * The collection URLs of entities with content (attachments), whose POST takes a multipart upload:
 * a static route per collection name, registered in the context that reads multipart bodies (see
 * buildApp), with the same handler as every other collection.
 */
export function registerUploadCollections(app: FastifyInstance, emulator: Emulator): void {
  for (const entity of emulator.registry.entities) {
    if (!entity.binaryContent) continue;
    for (const name of collectionNames(entity)) {
      const resolved: Resolved = { entity, name };
      routeEachMethod(app, { url: `${basePath(entity.level)}/${name}`, handler: collectionHandler(emulator, () => resolved) });
    }
  }
}
