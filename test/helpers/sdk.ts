// The official JS SDK (`@microfocus/alm-octane-js-rest-sdk`, builder client `Octane`) against the
// emulator listening on 127.0.0.1, port 0. Every HTTP exchange the SDK makes is recorded from its
// own axios instance (method, URL, status, the collection it addressed), so tests can assert what
// went over the wire and the conformance suite can tell which resources the SDK really touched.

import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Octane } from '@microfocus/alm-octane-js-rest-sdk';
import { expect } from 'vitest';
import type { TestApp } from './app.js';

// The SDK logs every sign-in at debug level through log4js (`logger.level = 'debug'` at load);
// configure the very log4js instance it loaded to log nothing.
const requireFromSdk = createRequire(createRequire(import.meta.url).resolve('@microfocus/alm-octane-js-rest-sdk'));
(requireFromSdk('log4js') as { configure(c: unknown): unknown }).configure({ appenders: { out: { type: 'stdout' } }, categories: { default: { appenders: ['out'], level: 'off' } } });

export { Octane };
export { Query } from '@microfocus/alm-octane-js-rest-sdk';

export interface Exchange {
  method: string;
  /** the URL as the SDK sent it (path and query string, relative to the server) */
  url: string;
  /** path only, decoded */
  path: string;
  status: number | undefined;
  /** `workspace` or `space` collection (with its name), or another URL (sign-in, …) */
  level?: 'workspace' | 'space';
  collection?: string;
  /** collection, instance (`…/{id}`), or a sub-resource (`…/{id}/script`) */
  shape?: 'collection' | 'instance' | 'sub';
  errorCode?: string;
  /** headers the SDK sent */
  headers: Record<string, string>;
}

/** The collection a URL addresses, as Octane lays URLs out (protocol.md §1). */
export function parseOctanePath(path: string): Pick<Exchange, 'level' | 'collection' | 'shape'> {
  const seg = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  if (seg[0] !== 'api' || seg[1] !== 'shared_spaces' || seg.length < 4) return {};
  if (seg[3] === 'workspaces' && seg.length >= 6) {
    const rest = seg.slice(5);
    if (rest[0] === 'metadata' && rest.length >= 2) return { level: 'workspace', collection: `metadata/${rest[1]}`, shape: 'collection' };
    return { level: 'workspace', collection: rest[0], shape: rest.length === 1 ? 'collection' : rest.length === 2 ? 'instance' : 'sub' };
  }
  const rest = seg.slice(3);
  return { level: 'space', collection: rest[0], shape: rest.length === 1 ? 'collection' : rest.length === 2 ? 'instance' : 'sub' };
}

export interface Listening {
  server: string;
  port: number;
}

/** Starts the test app's HTTP server on 127.0.0.1, a free port. */
export async function listen(t: TestApp): Promise<Listening> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address() as AddressInfo;
  expect(address.address).toBe('127.0.0.1');
  return { server: `http://127.0.0.1:${address.port}`, port: address.port };
}

export interface SdkClient {
  octane: Octane;
  /** every exchange, in order */
  log: Exchange[];
  /** the cookies the SDK's jar holds for a URL */
  cookie(url?: string): string;
}

export interface SdkOptions {
  server: string;
  sharedSpace: number | string;
  workspace: number | string;
  user: string;
  password: string;
  headers?: Record<string, string | boolean>;
}

function headerRecord(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const src = h && typeof (h as any).toJSON === 'function' ? (h as any).toJSON() : (h ?? {});
  for (const [k, v] of Object.entries(src as Record<string, unknown>)) if (v !== undefined && v !== null && typeof v !== 'object') out[k.toLowerCase()] = String(v);
  return out;
}

/** A builder client whose HTTP exchanges are recorded (statuses as the server answered them). */
export function sdkClient(o: SdkOptions): SdkClient {
  const octane = new Octane({ server: o.server, sharedSpace: Number(o.sharedSpace), workspace: Number(o.workspace), user: o.user, password: o.password, ...(o.headers ? { headers: o.headers } : {}) });
  const log: Exchange[] = [];
  // internal: the axios instance and cookie jar of its RequestHandler (dist/lib/root/requestHandler.js)
  const handler = (octane as any)._requestHandler;
  const entry = (config: any, status: number | undefined, data: any): Exchange => {
    const url = String(config?.url ?? '');
    const path = url.split('?')[0];
    let errorCode: string | undefined;
    if (data && typeof data === 'object' && !Buffer.isBuffer(data) && typeof data.error_code === 'string') errorCode = data.error_code;
    return { method: String(config?.method ?? '').toUpperCase(), url, path, status, ...parseOctanePath(path), ...(errorCode ? { errorCode } : {}), headers: headerRecord(config?.headers) };
  };
  handler._requestor.interceptors.response.use(
    (res: any) => {
      log.push(entry(res.config, res.status, res.data));
      return res;
    },
    (err: any) => {
      log.push(entry(err.config, err.response?.status, err.response?.data));
      // readable failures: the server's answer in the message (the error object is unchanged otherwise)
      if (err?.response) {
        const data = err.response.data;
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : JSON.stringify(data);
        err.message = `${err.message}: ${String(err.config?.method).toUpperCase()} ${err.config?.url} -> ${text?.slice(0, 400)}`;
      }
      throw err;
    },
  );
  return { octane, log, cookie: (url = '/api/') => handler._cookieJar.getCookieStringSync(`${o.server}${url}`) };
}

/** `METHOD path status` lines without the workspace prefix, for compact assertions. */
export function wire(log: readonly Exchange[]): string[] {
  return log.map((e) => `${e.method} ${e.path.replace(/^\/api\/shared_spaces\/\d+\/workspaces\/\d+/, '').replace(/^\/api\/shared_spaces\/\d+/, '~')} ${e.status}`);
}

/** What the SDK rejected with: the server's status and Octane error code. */
export async function rejection(p: Promise<unknown>): Promise<{ status: number | undefined; errorCode: string | undefined; body: any }> {
  try {
    await p;
  } catch (err: any) {
    return { status: err?.response?.status, errorCode: err?.response?.data?.error_code, body: err?.response?.data };
  }
  throw new Error('expected the SDK call to fail, it succeeded');
}
