// Binary helpers for attachment tests: a valid PNG built from scratch, multipart bodies built by
// the platform's own FormData serializer, and raw requests that keep the response bytes.

import { deflateSync } from 'node:zlib';
import type { InjectOptions } from 'fastify';
import type { TestApp } from './app.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of `width` x `height` pixels (signature, IHDR, IDAT, IEND with real CRCs). */
export function makePng(width = 4, height = 3): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 60) & 0xff;
      row[2 + x * 3] = (y * 80) & 0xff;
      row[3 + x * 3] = 0x90;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface MultipartPart {
  name: string;
  value: string | Buffer;
  /** a file part when given */
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body as browsers and fetch() send it. */
export async function multipart(parts: MultipartPart[]): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const p of parts) {
    if (p.filename !== undefined) form.append(p.name, new Blob([p.value], { type: p.contentType ?? 'application/octet-stream' }), p.filename);
    else form.append(p.name, typeof p.value === 'string' ? p.value : p.value.toString('utf8'));
  }
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! };
}

/** The documented upload: an `entity` JSON part (as a file part named "blob") and a `content` part. */
export function attachmentForm(entity: Record<string, unknown>, bytes: Buffer, filename: string, contentType = 'application/octet-stream') {
  return multipart([
    { name: 'entity', value: JSON.stringify(entity), filename: 'blob', contentType: 'application/json' },
    { name: 'content', value: bytes, filename, contentType },
  ]);
}

export interface RawReply {
  status: number;
  bytes: Buffer;
  headers: Record<string, string | string[] | number | undefined>;
  json(): any;
}

/** A request through the app's session that keeps the response as bytes. */
export async function raw(t: TestApp, method: InjectOptions['method'], url: string, payload?: Buffer | string, headers: Record<string, string> = {}): Promise<RawReply> {
  const res = await t.app.inject({ method, url, cookies: t.cookies, headers, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, bytes: res.rawPayload, headers: res.headers, json: () => JSON.parse(res.body) };
}
