// Parity with the vendor's documented examples (architecture.md point 12): every
// `test/parity/<feature>.snapshot.json` holds requests and the documented responses, normalised
// (ids, times, correlation ids as placeholders, see compare.ts), recorded from protocol.md and
// flows.md with their sources. Each interaction is replayed against the emulator over HTTP
// (127.0.0.1, port 0) and its answer compared field by field; the differences the emulator knowingly
// has are declared as skip paths with a reason (and listed in docs/decisions.md, "Parity with the
// vendor's examples"). Where a fixture carries the vendor's raw example (`documented`), the fixture
// is first checked against it, so a fixture cannot drift from the documentation it claims to be.
//
// These fixtures are not vitest snapshots: nothing rewrites them (`vitest -u` leaves them alone).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { parseSetCookie, query, RawClient, type RawResponse } from '../helpers/raw-client.js';
import { listen } from '../helpers/sdk.js';
import { tag } from '../helpers/seeds.js';
import { freshWorkspace, type Workspace } from '../helpers/workspace.js';
import { Comparator, substitute, type ArrayRule, type SkipRule } from './compare.js';

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  value: unknown;
}

interface Interaction {
  name: string;
  source: string;
  /** the client that sends it: "session" (signed in as the site admin) or any other name (a new client without cookies) */
  client?: string;
  request: {
    method: string;
    url: string;
    query?: string;
    headers?: Record<string, string>;
    json?: unknown;
    body?: string;
    gzip?: boolean;
    multipart?: Part[];
  };
  /** repeat the request while the body's field has one of these values */
  poll?: { field: string; while: string[] };
  /** the vendor's raw example, and where it sits in the expected body */
  documented?: { at: string; body: unknown };
  response: {
    status: number;
    content_type?: string;
    cookies?: Record<string, string>;
    body?: unknown;
    text?: string;
    text_contains?: string[];
  };
  extra_keys?: { allowed: true; reason: string };
  arrays?: Record<string, ArrayRule>;
  skip?: SkipRule[];
  notes?: string[];
  coverage?: { resource: string | string[]; method?: string | string[]; query?: string | string[] };
}

interface Snapshot {
  feature: string;
  title: string;
  interactions: Interaction[];
}

const DIR = path.dirname(fileURLToPath(import.meta.url));
const SNAPSHOTS: Array<{ file: string; snapshot: Snapshot }> = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.snapshot.json'))
  .sort()
  .map((file) => ({ file, snapshot: JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Snapshot }));

/** The vendor examples use shared space 1001 and workspace 1002. */
const VENDOR = { sid: 1001, wid: 1002 };

let t: TestApp;
let server: string;

beforeAll(async () => {
  t = await makeApp();
  ({ server } = await listen(t));
});
afterAll(() => t.close());

/** The value at a simple JSON path (`$`, `$.data[0].features`). */
function at(value: unknown, p: string): unknown {
  let v: any = value;
  for (const m of p.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) v = m[1] !== undefined ? v?.[m[1]] : v?.[Number(m[2])];
  return v;
}

function multipartBody(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = '----ParityBoundaryQ7w3yJ9k';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    const value = typeof p.value === 'string' ? p.value : JSON.stringify(p.value);
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** docs/decisions.md, the section that lists the parity differences */
function decisionsSection(): string {
  const text = fs.readFileSync(path.resolve(DIR, '../../docs/decisions.md'), 'utf8');
  const start = text.indexOf("## Parity with the vendor's examples");
  expect(start, "docs/decisions.md has a section \"Parity with the vendor's examples\"").toBeGreaterThanOrEqual(0);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('the fixtures', () => {
  it('every declared difference (skip path, subset array) is listed in docs/decisions.md', () => {
    const section = decisionsSection();
    const unlisted: string[] = [];
    for (const { snapshot } of SNAPSHOTS) {
      for (const i of snapshot.interactions) {
        for (const p of [...(i.skip ?? []).map((s) => s.path), ...Object.keys(i.arrays ?? {})]) {
          // listed with the fixture's feature name and the path, each in backticks
          if (!section.includes(`\`${snapshot.feature}\``) || !section.includes(`\`${p}\``)) unlisted.push(`${snapshot.feature} ${p}`);
        }
      }
    }
    expect(unlisted).toEqual([]);
  });


  it('there are parity fixtures, each with interactions that name their source', () => {
    expect(SNAPSHOTS.length).toBeGreaterThanOrEqual(5);
    for (const { file, snapshot } of SNAPSHOTS) {
      expect(file).toBe(`${snapshot.feature}.snapshot.json`);
      expect(snapshot.interactions.length, file).toBeGreaterThan(0);
      for (const i of snapshot.interactions) {
        expect(i.source, `${file}: ${i.name}`).toMatch(/\S/);
        for (const s of i.skip ?? []) expect(s.reason, `${file}: ${i.name}: ${s.path}`).toMatch(/^.{10,}$/);
        for (const [p, r] of Object.entries(i.arrays ?? {})) expect(r.reason, `${file}: ${i.name}: ${p}`).toMatch(/^.{10,}$/);
        if (i.extra_keys) expect(i.extra_keys.reason).toMatch(/^.{10,}$/);
      }
    }
  });
});

for (const { file, snapshot } of SNAPSHOTS) {
  describe(`${snapshot.title} (${file})`, () => {
    let w: Workspace;
    const clients = new Map<string, RawClient>();
    const bindings = new Map<string, string>();
    let values: { ws: string; space: string; wid: number; sid: number };

    beforeAll(async () => {
      w = await freshWorkspace(t, `parity-${snapshot.feature}`);
      const session = new RawClient(server);
      expect((await session.signIn({ user: 'sa@nga', password: 'Welcome1' })).status).toBe(200);
      clients.set('session', session);
      const sid = t.app.emulator.defaults.sharedSpaceId;
      values = { ws: w.path, space: `/api/shared_spaces/${sid}`, wid: Number(w.id), sid };
    });

    for (const i of snapshot.interactions) {
      const title = `${i.name}${i.coverage ? ` ${tag(i.coverage)}` : ''}`;
      it(title, async () => {
        // the fixture is the vendor's example, normalised
        if (i.documented) {
          const fixture = new Comparator({ bindings: new Map(), values: VENDOR });
          fixture.compare(at(i.response.body, i.documented.at), i.documented.body, i.documented.at);
          expect(fixture.diffs, 'the fixture differs from the documented example').toEqual([]);
        }

        let client = clients.get(i.client ?? 'session');
        if (!client) {
          client = new RawClient(server);
          clients.set(i.client!, client);
        }
        const req = substitute(i.request, bindings, values);
        let url = req.url;
        if (req.query !== undefined) url += `${url.includes('?') ? '&' : '?'}${query(req.query)}`;
        const send = (): Promise<RawResponse> => {
          if (req.multipart) {
            const form = multipartBody(req.multipart);
            return client!.request(req.method, url, { body: form.body, headers: { 'Content-Type': form.contentType, ...req.headers } });
          }
          if (req.json !== undefined) return client!.request(req.method, url, { json: req.json, headers: req.headers, gzip: req.gzip });
          return client!.request(req.method, url, { body: req.body, headers: { Accept: 'application/json', ...req.headers }, gzip: req.gzip });
        };
        let res = await send();
        for (let n = 0; i.poll && res.body && i.poll.while.includes(String(res.body[i.poll.field])) && n < 250; n++) {
          await new Promise((r) => setTimeout(r, 20));
          res = await send();
        }

        expect(res.status, `${req.method} ${url}: ${res.text.slice(0, 500)}`).toBe(i.response.status);
        if (i.response.content_type) expect(res.headers.get('content-type') ?? '').toMatch(new RegExp(`^${i.response.content_type.replace(/[/+.]/g, '\\$&')}`));
        if (i.response.cookies) {
          const set = Object.fromEntries(res.setCookies.map(parseSetCookie).map((c) => [c.name, c]));
          for (const [name, expected] of Object.entries(i.response.cookies)) {
            expect(set[name], `Set-Cookie ${name}`).toBeDefined();
            const cookie = set[name];
            if (expected === '') expect(cookie.value === '' || Date.parse(String(cookie.attributes.expires)) < Date.now(), `${name} is cleared`).toBe(true);
            else if (expected === '<token>') expect(cookie.value.length, name).toBeGreaterThan(0);
            else expect(cookie.value, name).toBe(expected);
          }
        }
        if (i.response.text !== undefined) expect(res.text).toBe(i.response.text);
        for (const s of i.response.text_contains ?? []) expect(res.text).toContain(s);
        if (i.response.body !== undefined) {
          const cmp = new Comparator({ bindings, values, skip: i.skip, arrays: i.arrays, extraKeys: Boolean(i.extra_keys?.allowed) });
          cmp.compare(i.response.body, res.body);
          expect(cmp.diffs, `${req.method} ${url} answered ${res.text.slice(0, 800)}`).toEqual([]);
          // every declared difference is still one (remove a skip once the emulator matches)
          expect((i.skip ?? []).map((s) => s.path).filter((p) => !cmp.usedSkips.has(p)), 'skip paths that hide no difference').toEqual([]);
        }
      });
    }
  });
}
