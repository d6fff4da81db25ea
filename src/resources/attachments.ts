// Attachments: an attachment entity plus its bytes, written in one transaction so that a crash
// never leaves one without the other. Names follow Octane's rules (protocol.md §7), on upload and
// on rename alike: trimmed, no leading dot, none of / \ : * ? " < > |, an extension of the
// allow-list, and content that matches the extension where the format has a signature.

import { createHash } from 'node:crypto';
import { sql as kysql } from 'kysely';
import { DEFAULT_ATTACHMENT_EXTENSIONS } from '../config.js';
import { errors } from '../errors/catalog.js';
import type { Sql } from '../store/database.js';
import type { RequestContext } from './context.js';
import type { EntityService } from './entity-service.js';
import type { EntityHooks, Values } from './hooks.js';
import type { ResolvedEntity } from './registry.js';

const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f\u007f]/;
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;

/** Leading bytes of formats that have a signature. */
const SIGNATURES: Record<string, Buffer[]> = {
  png: [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  jpg: [Buffer.from([0xff, 0xd8, 0xff])],
  jpeg: [Buffer.from([0xff, 0xd8, 0xff])],
  bmp: [Buffer.from('BM')],
  pdf: [Buffer.from('%PDF')],
  zip: [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x50, 0x4b, 0x05, 0x06])],
  docx: [Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  xlsx: [Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  pptx: [Buffer.from([0x50, 0x4b, 0x03, 0x04])],
};

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  bmp: 'image/bmp',
  pdf: 'application/pdf',
  zip: 'application/zip',
  txt: 'text/plain',
  log: 'text/plain',
  xml: 'application/xml',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  mp4: 'video/mp4',
  wmv: 'video/x-ms-wmv',
  mkv: 'video/x-matroska',
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function mimeOf(name: string): string {
  return MIME[extensionOf(name)] ?? 'application/octet-stream';
}

/** The attachment name as Octane keeps it, or a 400 saying what is wrong with it. */
export function checkAttachmentName(raw: unknown, allowed: readonly string[]): string {
  const bad = (reason: string): never => {
    throw errors.fieldValidation('attachment', 'name', reason);
  };
  if (typeof raw !== 'string') return bad('the attachment needs a name');
  const name = raw.trim();
  if (!name) bad('the attachment needs a name');
  if (name.length > 255) bad('the name is longer than 255 characters');
  if (name.startsWith('.')) bad('the name cannot start with a dot');
  if (FORBIDDEN.test(name)) bad('the name cannot contain / \\ : * ? " < > | or control characters');
  if (RESERVED.test(name)) bad(`'${name}' is a reserved file name`);
  const ext = extensionOf(name);
  if (!ext || !allowed.map((e) => e.toLowerCase()).includes(ext)) {
    bad(`files of type '${ext || '(none)'}' cannot be attached; allowed: ${allowed.join(', ')}`);
  }
  return name;
}

/** Content must match its extension where the format has a signature. */
export function checkContent(name: string, bytes: Buffer): void {
  const signatures = SIGNATURES[extensionOf(name)];
  if (signatures && !signatures.some((sig) => bytes.length >= sig.length && bytes.subarray(0, sig.length).equals(sig))) {
    throw errors.fieldValidation('attachment', 'content', `the content is not a ${extensionOf(name).toUpperCase()} file`);
  }
}

export interface Upload {
  /** the entity part: name, description, owner_* reference */
  entity: Record<string, unknown>;
  bytes: Buffer;
  contentType?: string;
}

/** Creates the attachment entity and stores its bytes, all or nothing. */
export function storeAttachment(service: EntityService, ctx: RequestContext, entity: ResolvedEntity, upload: Upload, limits: { maxBytes: number; extensions: readonly string[] }): number {
  if (upload.bytes.length > limits.maxBytes) throw errors.requestTooLarge(limits.maxBytes);
  const name = checkAttachmentName(upload.entity.name, limits.extensions);
  checkContent(name, upload.bytes);
  return service.sql.tx(() => {
    const id = service.createOne(ctx, entity, { ...upload.entity, name });
    writeContent(service, entity, id, name, upload.bytes, upload.contentType);
    return id;
  });
}

/** Replaces an attachment's bytes (PUT with a body of content). */
export function replaceContent(service: EntityService, ctx: RequestContext, entity: ResolvedEntity, idText: string, bytes: Buffer, contentType: string | undefined, limits: { maxBytes: number }): number {
  if (bytes.length > limits.maxBytes) throw errors.requestTooLarge(limits.maxBytes);
  return service.sql.tx(() => {
    const row = service.findRow(ctx, entity, idText);
    checkContent(row.name as string, bytes);
    writeContent(service, entity, row.id as number, row.name as string, bytes, contentType);
    service.store.update(entity.store, row.id as number, { last_modified: new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, 'Z'), version_stamp: (row.version_stamp as number) + 1 });
    return row.id as number;
  });
}

function writeContent(service: EntityService, entity: ResolvedEntity, id: number, name: string, bytes: Buffer, contentType: string | undefined): void {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  service.sql.run(
    service.sql.qb
      .insertInto('attachment_content')
      .values({ id, bytes, sha256 })
      .onConflict((oc) => oc.column('id').doUpdateSet({ bytes, sha256 })),
  );
  const type = contentType && contentType !== 'application/octet-stream' ? contentType : mimeOf(name);
  service.store.update(entity.store, id, { size: bytes.length, content_type: type });
}

export function attachmentContent(sql: Sql, id: number): Buffer | undefined {
  return sql.get<{ bytes: Buffer }>(sql.qb.selectFrom('attachment_content').select('bytes').where('id', '=', id))?.bytes;
}

/** The first bytes of an attachment's content: enough for checkContent's signatures. */
function contentHead(sql: Sql, id: number): Buffer | undefined {
  return sql.get<{ head: Buffer }>(sql.qb.selectFrom('attachment_content').select(kysql<Buffer>`substr(bytes, 1, 16)`.as('head')).where('id', '=', id))?.head;
}

/** Comments and attachments belong to exactly one owner. */
function oneOwner(entity: ResolvedEntity, values: Values, current?: Values): void {
  const owners = [...entity.fieldMap.keys()].filter((k) => k.startsWith('owner_'));
  const set = owners.filter((k) => {
    const v = values[k] !== undefined ? values[k] : current?.[k];
    return v !== null && v !== undefined;
  });
  if (set.length !== 1) {
    throw errors.fieldValidation(entity.type, set.length ? set.join(', ') : owners[0], `a ${entity.type} belongs to exactly one owner: set one of ${owners.join(', ')}`);
  }
}

export const ownedHooks: EntityHooks = {
  beforeCreate(api, values) {
    oneOwner(api.entity, values);
  },
  beforeUpdate(api, current, changes) {
    if (Object.keys(changes).some((k) => k.startsWith('owner_'))) oneOwner(api.entity, changes, current);
  },
};

/**
 * Attachments' own behaviour: a rename (`name` in a PUT, on the entity, in a bulk or by query) is
 * held to the rules of the upload — checkAttachmentName with the configured extensions, and content
 * that matches the new extension — and the bytes go with the entity.
 */
export function attachmentHooks(extensions: readonly string[] = DEFAULT_ATTACHMENT_EXTENSIONS): EntityHooks {
  return {
    beforeUpdate(api, current, changes) {
      if (changes.name === undefined) return;
      // internal writes (fixtures) may use any extension, as their uploads do
      const allowed = api.ctx.system && typeof changes.name === 'string' ? [extensionOf(changes.name.trim())] : extensions;
      const name = checkAttachmentName(changes.name, allowed);
      const head = contentHead(api.store.sql, current.id as number);
      if (head) checkContent(name, head);
      changes.name = name;
    },
    beforeDelete(api, current) {
      api.store.sql.run(api.store.sql.qb.deleteFrom('attachment_content').where('id', '=', current.id as number));
    },
  };
}
