// The bytes of entities that carry content (attachments): upload as multipart/form-data (an
// `entity` JSON part and a `content` file part) or as application/octet-stream with the name and
// owner in the query string, as the official JS SDK sends it; download with
// `Accept: application/octet-stream` or at `{collection}/{id}/{file name}`.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors/catalog.js';
import { OctaneError } from '../errors/octane-error.js';
import type { Emulator } from '../emulator.js';
import { attachmentContent, mimeOf, replaceContent, storeAttachment, type Upload } from '../resources/attachments.js';
import type { FieldSelectionItem } from '../query/read-params.js';
import type { RequestContext } from '../resources/context.js';
import type { ResolvedEntity } from '../resources/registry.js';
import { basePath, collectionNames, routeContext, routeEachMethod } from './entity-routes.js';

function isMultipart(request: FastifyRequest): boolean {
  return String(request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

export function isOctetStream(request: FastifyRequest): boolean {
  return String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/octet-stream');
}

/** The client asks for the bytes rather than the entity JSON. */
export function wantsBytes(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '').toLowerCase();
  return accept.includes('application/octet-stream') && !accept.includes('application/json');
}

function parseEntityJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw errors.invalidJson(`the 'entity' part: ${(e as Error).message}`);
  }
  return entityObject(parsed);
}

/**
 * The attachment described by the `entity` part: an object, or `{"data":[object]}`. A plain form
 * field comes as text; one declared `Content-Type: application/json` (`curl -F
 * 'entity={…};type=application/json'`) arrives already parsed by the multipart plugin.
 */
function entityOf(value: unknown): Record<string, unknown> {
  return typeof value === 'string' ? parseEntityJson(value) : entityObject(value);
}

function entityObject(parsed: unknown): Record<string, unknown> {
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Array.isArray((parsed as { data?: unknown }).data)) {
    const data = (parsed as { data: unknown[] }).data;
    if (data.length !== 1) throw errors.badRequest('Attachments are uploaded one at a time');
    parsed = data[0];
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw errors.badRequest("The 'entity' part must be a JSON object with the attachment's name and owner");
  return parsed as Record<string, unknown>;
}

async function readMultipart(request: FastifyRequest): Promise<Upload> {
  let entity: Record<string, unknown> | undefined;
  let bytes: Buffer | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const buffer = await part.toBuffer();
        if (part.fieldname === 'entity') entity = parseEntityJson(buffer.toString('utf8'));
        else if (part.fieldname === 'content' || part.fieldname === 'file') {
          bytes = buffer;
          filename = part.filename;
          contentType = part.mimetype;
        }
      } else if (part.fieldname === 'entity') {
        entity = entityOf(part.value);
      }
    }
  } catch (e) {
    throw multipartFailure(e);
  }
  if (!bytes) throw errors.badRequest("The upload has no 'content' part with the file");
  entity ??= {};
  if (entity.name === undefined && filename) entity.name = filename;
  return { entity, bytes, contentType };
}

/**
 * A failure while reading a multipart body. Ours (OctaneError) and the plugin's own (FST_* codes:
 * limits, a file too large, a field of bad JSON) go to the error handler as they are; anything
 * else comes from the multipart parser reading bytes that are not the multipart body they claim to
 * be (no boundary, a boundary never used, a part cut short): a 400.
 */
function multipartFailure(e: unknown): unknown {
  if (e instanceof OctaneError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('FST_')) return e;
  const detail = e instanceof Error && e.message ? `: ${e.message}` : '';
  return errors.badRequest(`The multipart body is malformed${detail}`);
}

/** Octet-stream upload: `?name=…&owner_work_item={"type":"defect","id":"1001"}` (raw JSON). */
function readOctetStream(request: FastifyRequest): Upload {
  const q = request.query as Record<string, string | string[] | undefined>;
  const entity: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(q)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    if (key.startsWith('owner_')) {
      try {
        entity[key] = JSON.parse(value);
      } catch {
        throw errors.badRequest(`The parameter '${key}' must be a JSON reference such as {"type":"defect","id":"1001"}`, { parameter: key });
      }
    } else if (key === 'name' || key === 'description') {
      entity[key] = value;
    }
  }
  const body = request.body;
  if (!Buffer.isBuffer(body)) throw errors.badRequest('The upload has no content');
  return { entity, bytes: body };
}

/** Creates an attachment; the answer holds the `fields` asked for (checked before anything is stored). */
export async function uploadAttachment(emulator: Emulator, ctx: RequestContext, entity: ResolvedEntity, request: FastifyRequest, reply: FastifyReply, fields?: FieldSelectionItem[]): Promise<FastifyReply> {
  emulator.service.checkFields(ctx, entity, fields);
  let upload: Upload;
  if (isMultipart(request)) upload = await readMultipart(request);
  else if (isOctetStream(request)) upload = readOctetStream(request);
  else throw errors.badRequest('Upload the attachment as multipart/form-data (an entity part and a content part) or as application/octet-stream with ?name=…&owner_…={…}');
  const limits = { maxBytes: emulator.config.attachmentMaxBytes, extensions: emulator.config.attachmentExtensions };
  const id = storeAttachment(emulator.service, ctx, entity, upload, limits);
  const data = emulator.service.renderIds(ctx, entity, [id], fields);
  return reply.code(201).send({ total_count: data.length, data });
}

export function replaceAttachment(emulator: Emulator, ctx: RequestContext, entity: ResolvedEntity, idText: string, request: FastifyRequest, fields?: FieldSelectionItem[]): Record<string, unknown> {
  emulator.service.checkFields(ctx, entity, fields);
  const body = request.body;
  if (!Buffer.isBuffer(body)) throw errors.badRequest('The new content is missing');
  const id = replaceContent(emulator.service, ctx, entity, idText, body, undefined, { maxBytes: emulator.config.attachmentMaxBytes });
  return emulator.service.renderIds(ctx, entity, [id], fields)[0];
}

/** A file name fit for Content-Disposition: ASCII fallback plus the RFC 5987 UTF-8 form. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function sendContent(emulator: Emulator, ctx: RequestContext, entity: ResolvedEntity, idText: string, reply: FastifyReply): FastifyReply {
  const row = emulator.service.findRow(ctx, entity, idText);
  const bytes = attachmentContent(emulator.sql, row.id as number) ?? Buffer.alloc(0);
  const name = String(row.name ?? 'attachment');
  return reply
    .code(200)
    .header('content-type', (row.content_type as string | null) ?? mimeOf(name))
    .header('content-disposition', disposition(name))
    .send(bytes);
}

/** Registers the octet-stream body parser and the `{id}/{file name}` download route. */
export function registerAttachmentRoutes(app: FastifyInstance, emulator: Emulator): void {
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: emulator.config.attachmentMaxBytes }, (_request, body, done) => done(null, body));
  for (const entity of emulator.registry.entities) {
    if (!entity.binaryContent) continue;
    for (const name of collectionNames(entity)) {
      routeEachMethod(app, {
        url: `${basePath(entity.level)}/${name}/:id/:filename`,
        handler: async (request, reply) => {
          const ctx = routeContext(emulator, entity, name, ['GET'], request);
          return sendContent(emulator, ctx, entity, (request.params as { id: string }).id, reply);
        },
      });
    }
  }
}
