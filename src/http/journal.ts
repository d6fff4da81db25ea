// The request journal of the admin API: the last N API requests (a ring buffer), with secrets
// redacted, so a test can assert what its client really sent.

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface JournalEntry {
  id: number;
  time: string;
  method: string;
  url: string;
  status: number;
  duration_ms: number;
  headers: Record<string, string>;
  body_sha256: string | null;
  body_bytes: number;
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'x-admin-token', 'proxy-authorization']);
const SECRET_PARAMS = /^(password|client_secret|secret|token|access_token)$/i;

/** A URL with secret query parameters blanked. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of [...params.keys()]) {
    if (SECRET_PARAMS.test(key)) {
      params.set(key, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

function redactHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** The digest of a request body as the server received it (after parsing). */
function digest(body: unknown): { sha256: string | null; bytes: number } {
  if (body === undefined || body === null) return { sha256: null, bytes: 0 };
  let buf: Buffer;
  if (Buffer.isBuffer(body)) buf = body;
  else if (typeof body === 'string') buf = Buffer.from(body, 'utf8');
  else {
    // secrets in JSON bodies (sign-in, users, API keys) never reach the digest input in clear
    buf = Buffer.from(JSON.stringify(body, (k, v) => (SECRET_PARAMS.test(k) ? '[redacted]' : v)), 'utf8');
  }
  return { sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}

export interface JournalFilter {
  method?: string;
  url?: string;
  status?: number;
  limit?: number;
}

/**
 * What is kept of a request: the raw parts, made into a JournalEntry (time formatted, URL and
 * headers redacted) only when the journal is read, so that recording costs little per request.
 */
interface Recorded {
  id: number;
  timeMs: number;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  headers: FastifyRequest['headers'];
  body: { sha256: string | null; bytes: number };
}

const NO_BODY = { sha256: null, bytes: 0 };

function entryOf(r: Recorded): JournalEntry {
  return {
    id: r.id,
    time: new Date(r.timeMs).toISOString(),
    method: r.method,
    url: redactUrl(r.url),
    status: r.status,
    duration_ms: Math.round(r.durationMs * 1000) / 1000,
    headers: redactHeaders(r.headers),
    body_sha256: r.body.sha256,
    body_bytes: r.body.bytes,
  };
}

export class RequestJournal {
  /** a ring: once full, each entry overwrites the oldest (no array shifting per request) */
  private readonly ring: Recorded[] = [];
  private head = 0;
  private next = 1;

  constructor(private readonly size: number) {}

  private record(entry: Recorded): void {
    if (this.ring.length < this.size) this.ring.push(entry);
    else {
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.size;
    }
  }

  /** The entries, oldest first. */
  private get entries(): JournalEntry[] {
    const ordered = this.head === 0 ? this.ring : [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
    return ordered.map(entryOf);
  }

  list(f: JournalFilter = {}): { total_count: number; data: JournalEntry[] } {
    let data = this.entries;
    if (f.method) data = data.filter((e) => e.method === f.method!.toUpperCase());
    if (f.url) data = data.filter((e) => e.url.includes(f.url!));
    if (f.status !== undefined) data = data.filter((e) => e.status === f.status);
    const limit = f.limit ?? data.length;
    return { total_count: data.length, data: data.slice(Math.max(0, data.length - limit)) };
  }

  clear(): number {
    const n = this.ring.length;
    this.ring.length = 0;
    this.head = 0;
    return n;
  }

  /** Records every request but the admin API's own. */
  attach(app: FastifyInstance): void {
    if (this.size <= 0) return;
    app.addHook('onResponse', (request, reply, done) => {
      if (!request.url.startsWith('/__admin')) {
        this.record({
          id: this.next++,
          timeMs: Date.now(),
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          durationMs: reply.elapsedTime,
          headers: request.headers,
          // the body's digest now: the parsed body is not kept
          body: request.body === undefined || request.body === null ? NO_BODY : digest(request.body),
        });
      }
      done();
    });
  }
}
