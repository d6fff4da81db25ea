// A second, independent client: plain `fetch` calls in the style of the vendor's documentation
// (what `curl` examples and CI tools send), against the emulator listening on 127.0.0.1. Headers are
// set by hand (`Content-Type`, `Accept`, `HPECLIENTTYPE`, `ALM-OCTANE-TECH-PREVIEW`), bodies may be
// gzip-compressed with `Content-Encoding: gzip`, and cookies are kept by hand from `Set-Cookie`:
// every cookie the server sends replaces the one held, one whose expiry is past removes it
// (Cookies.htm: "return all cookies sent by the server in the preceding response").

import { gzipSync } from 'node:zlib';

export const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' } as const;
export const PREVIEW_HEADER = { 'ALM-OCTANE-TECH-PREVIEW': 'true' } as const;
export const UI_CLIENT = { HPECLIENTTYPE: 'HPE_MQM_UI' } as const;
export const CI_CLIENT = { HPECLIENTTYPE: 'HPE_CI_CLIENT' } as const;

export interface RawResponse {
  status: number;
  headers: Headers;
  /** the Set-Cookie headers of this response, one per cookie */
  setCookies: string[];
  bytes: Buffer;
  text: string;
  /** the JSON body (undefined when the body is empty or not JSON) */
  body: any;
}

export interface RawOptions {
  headers?: Record<string, string>;
  /** a JSON body: sent with Content-Type / Accept application/json */
  json?: unknown;
  /** a raw body */
  body?: string | Buffer;
  /** compress the body, `Content-Encoding: gzip` (or the value given) */
  gzip?: boolean | string;
  /** do not send the cookies held */
  noCookies?: boolean;
}

export interface Cookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(header: string): Cookie {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    if (i < 0) attributes[a.trim().toLowerCase()] = true;
    else attributes[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

function expired(c: Cookie): boolean {
  if (c.attributes['max-age'] !== undefined && Number(c.attributes['max-age']) <= 0) return true;
  const exp = c.attributes.expires;
  return typeof exp === 'string' && Date.parse(exp) <= Date.now();
}

export class RawClient {
  /** cookie name -> value, as the server last set them */
  readonly jar = new Map<string, string>();
  readonly log: Array<{ method: string; path: string; status: number }> = [];

  constructor(
    /** `http://127.0.0.1:<port>` */
    readonly server: string,
    /** headers sent with every request */
    readonly defaults: Record<string, string> = {},
  ) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, o: RawOptions = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { ...this.defaults };
    let body: Buffer | string | undefined = o.body;
    if (o.json !== undefined) {
      Object.assign(headers, JSON_HEADERS);
      body = JSON.stringify(o.json);
    }
    Object.assign(headers, o.headers ?? {});
    if (body !== undefined && o.gzip) {
      body = gzipSync(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
      headers['Content-Encoding'] = typeof o.gzip === 'string' ? o.gzip : 'gzip';
    }
    if (!o.noCookies && this.jar.size) headers.Cookie = this.cookieHeader();
    const res = await fetch(`${this.server}${path}`, { method, headers, body: body as RequestInit['body'], redirect: 'manual' });
    const bytes = Buffer.from(await res.arrayBuffer());
    const setCookies = res.headers.getSetCookie();
    for (const h of setCookies) {
      const c = parseSetCookie(h);
      if (expired(c) || c.value === '') this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const text = bytes.toString('utf8');
    let parsed: unknown;
    if (text && String(res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    this.log.push({ method, path: path.split('?')[0], status: res.status });
    return { status: res.status, headers: res.headers, setCookies, bytes, text, body: parsed };
  }

  get(path: string, o?: RawOptions) {
    return this.request('GET', path, { ...o, headers: { Accept: 'application/json', ...o?.headers } });
  }
  post(path: string, json: unknown, o?: RawOptions) {
    return this.request('POST', path, { ...o, json });
  }
  put(path: string, json: unknown, o?: RawOptions) {
    return this.request('PUT', path, { ...o, json });
  }
  del(path: string, o?: RawOptions) {
    return this.request('DELETE', path, { ...o, headers: { Accept: 'application/json', ...o?.headers } });
  }

  /** `POST /authentication/sign_in` with `{"user","password"}` (or an API key's client id and secret). */
  async signIn(credentials: { user: string; password: string } | { client_id: string; client_secret: string }): Promise<RawResponse> {
    // a sign-in may fail while valid cookies are held: start clean, as the Java SDK does
    this.jar.clear();
    return this.request('POST', '/authentication/sign_in', { json: credentials, noCookies: true });
  }

  signOut(): Promise<RawResponse> {
    return this.request('POST', '/authentication/sign_out', { headers: { Accept: 'application/json' } });
  }
}

/** `query="<statement>"` as the vendor's examples write it (the statement URL-encoded inside the quotes). */
export function query(statement: string): string {
  return `query=${encodeURIComponent(`"${statement}"`)}`;
}
