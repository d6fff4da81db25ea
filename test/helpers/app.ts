// Test helpers: an emulator on an in-memory database, signed in as the site admin, driven with
// fastify.inject. One app per test file is the usual pattern (seeding a workspace takes ~0.2 s).

import type { FastifyInstance, InjectOptions } from 'fastify';
import { vi } from 'vitest';
import { buildApp, type AppOptions } from '../../src/http/app.js';

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface TestApp {
  app: FastifyInstance;
  /** `/api/shared_spaces/1001/workspaces/1002` */
  ws: string;
  /** `/api/shared_spaces/1001` */
  space: string;
  cookies: Record<string, string>;
  request<T = any>(method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  get<T = any>(url: string, headers?: Record<string, string>): Promise<Reply<T>>;
  post<T = any>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  put<T = any>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  del<T = any>(url: string, headers?: Record<string, string>): Promise<Reply<T>>;
  /** Creates entities through POST and returns their ids (fails the test on any error). */
  create(collection: string, ...items: Record<string, unknown>[]): Promise<string[]>;
  close(): Promise<void>;
}

export const PREVIEW = { 'ALM-OCTANE-TECH-PREVIEW': 'true' };

export async function signIn(app: FastifyInstance, user = 'sa@nga', password = 'Welcome1'): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
}

export async function makeApp(options: AppOptions = {}): Promise<TestApp> {
  const app = await buildApp({ db: ':memory:', ...options });
  const cookies = await signIn(app);
  const { sharedSpaceId, workspaceId } = app.emulator.defaults;
  const request = async (method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method, url, cookies, headers, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
    let body: unknown = undefined;
    if (res.body && String(res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(res.body);
    return { status: res.statusCode, body, text: res.body, headers: res.headers } as Reply;
  };
  const t: TestApp = {
    app,
    ws: `/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}`,
    space: `/api/shared_spaces/${sharedSpaceId}`,
    cookies,
    request,
    get: (url, headers) => request('GET', url, undefined, headers),
    post: (url, payload, headers) => request('POST', url, payload, headers),
    put: (url, payload, headers) => request('PUT', url, payload, headers),
    del: (url, headers) => request('DELETE', url, undefined, headers),
    async create(collection, ...items) {
      const url = collection.startsWith('/') ? collection : `${t.ws}/${collection}`;
      const res = await request('POST', url, { data: items });
      if (res.status !== 201) throw new Error(`create ${collection} failed: ${res.status} ${res.text}`);
      return (res.body.data as Array<{ id: string }>).map((e) => e.id);
    },
    close: () => app.close(),
  };
  return t;
}

/** Reference helper: `ref('phase', 'phase.defect.new')` */
export function ref(type: string, id: string | number): { type: string; id: string } {
  return { type, id: String(id) };
}

/**
 * How many statements of a prepared shape `fn` runs: the store's prepared statements whose key
 * passes `match` (a roll-up's sum, a last-runs recompute), counted while `fn` runs.
 */
export async function preparedRuns(t: TestApp, match: (key: string) => boolean, fn: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(t.app.emulator.sql, 'prepared');
  try {
    await fn();
    return spy.mock.calls.filter(([key]) => match(key)).length;
  } finally {
    spy.mockRestore();
  }
}
