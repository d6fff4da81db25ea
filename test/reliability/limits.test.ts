// Resource limits: body size limits of JSON, multipart, octet-stream and XML bodies (an app with a
// small bodyLimit and attachmentMaxBytes) answered 413 before anything is written; gzip bombs
// measured after decompression, quickly and without inflating in memory; XML entity expansion
// and external entities refused (test results, coverage reports); bounded page sizes, query
// nesting, length and comparisons, sub-field depth and text-search length; oversized request
// lines over real HTTP; and the admin API's request journal holding at most its configured size.

import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type Reply, type TestApp } from '../helpers/app.js';
import { attachmentForm, multipart, raw, type RawReply } from '../helpers/files.js';
import { expectOctaneError } from '../helpers/octane.js';
import { answerProblem, changedTables, expectAnswered, quickDigest } from '../helpers/reliability.js';
import { HttpClient, killAllServers, startServer, type ServerProcess } from '../helpers/server.js';
import { testResultXml } from '../helpers/test-results.js';

const BODY_LIMIT = 64 * 1024;
const FILE_LIMIT = 16 * 1024;
const PAGE_MAX = 50;
const JOURNAL = 40;

let t: TestApp;
let owner = '';
const db = () => t.app.emulator.sql.sqlite;
const pct = encodeURIComponent;
const ownerRef = () => pct(JSON.stringify(ref('defect', owner)));

/** A raw reply in the shape the reliability helpers check. */
const asReply = (r: RawReply): Reply => {
  let body: any;
  try {
    body = r.json();
  } catch {
    body = undefined;
  }
  return { status: r.status, body, text: r.bytes.toString('utf8'), headers: r.headers };
};

beforeAll(async () => {
  t = await makeApp({ bodyLimit: BODY_LIMIT, attachmentMaxBytes: FILE_LIMIT, pageSizeMax: PAGE_MAX, pageSizeDefault: 20, journalSize: JOURNAL });
  [owner] = await t.create('defects', { name: 'Limits owner', phase: ref('phase', 'phase.defect.new') });
});
afterAll(() => t?.close());

/** Runs `send`, expects a 413 in Octane's shape and an unchanged database. */
async function expectTooLarge(what: string, send: () => Promise<Reply>): Promise<Reply> {
  await t.app.emulator.testResults.drained();
  const before = quickDigest(db());
  const started = performance.now();
  const r = await send();
  expect(performance.now() - started, `${what}: answered slowly`).toBeLessThan(2000);
  expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBe(413);
  expectOctaneError(r, 413, 'platform.request_too_large');
  expect(changedTables(before, quickDigest(db())), `${what} wrote something`).toEqual([]);
  return r;
}

describe(`body size limits (bodyLimit ${BODY_LIMIT}, attachmentMaxBytes ${FILE_LIMIT})`, () => {
  it('JSON: over the limit 413, nothing created; just under it 201', async () => {
    const body = (n: number) => JSON.stringify({ data: [{ name: 'big', description: 'x'.repeat(n), phase: ref('phase', 'phase.defect.new') }] });
    const over = body(BODY_LIMIT);
    expect(Buffer.byteLength(over)).toBeGreaterThan(BODY_LIMIT);
    await expectTooLarge('JSON over the limit', () => t.request('POST', `${t.ws}/defects`, over, { 'content-type': 'application/json' }));
    await expectTooLarge('JSON PUT over the limit', () => t.request('PUT', `${t.ws}/defects/${owner}`, JSON.stringify({ description: 'y'.repeat(BODY_LIMIT) }), { 'content-type': 'application/json' }));
    const under = body(BODY_LIMIT - 200);
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(BODY_LIMIT);
    expect((await t.request('POST', `${t.ws}/defects`, under, { 'content-type': 'application/json' })).status).toBe(201);
  });

  it('test-results XML: over the limit 413 and no task queued', async () => {
    const runs = Array.from({ length: 600 }, (_, i) => ({ package: 'p', class: 'C', name: `a_fairly_long_test_name_number_${i}`, status: 'Passed' as const, duration: 1, started: 1_750_000_000_000 }));
    const xml = testResultXml({ serverId: 's', jobId: 'j', buildId: 'b' }, null, runs);
    expect(Buffer.byteLength(xml)).toBeGreaterThan(BODY_LIMIT);
    const tasks = () => (db().prepare('SELECT count(*) AS n FROM test_result_task').get() as { n: number }).n;
    const before = tasks();
    await expectTooLarge('XML over the limit', () => t.request('POST', `${t.ws}/test-results`, xml, { 'content-type': 'application/xml' }));
    expect(tasks()).toBe(before);
  });

  it('attachments as octet-stream: over attachmentMaxBytes 413, at the limit 201; replacing content over it 413, bytes kept', async () => {
    await expectTooLarge('octet-stream upload', async () => asReply(await raw(t, 'POST', `${t.ws}/attachments?name=big.txt&owner_work_item=${ownerRef()}`, Buffer.alloc(FILE_LIMIT + 1, 0x61), { 'content-type': 'application/octet-stream' })));
    const ok = await raw(t, 'POST', `${t.ws}/attachments?name=fits.txt&owner_work_item=${ownerRef()}`, Buffer.alloc(FILE_LIMIT, 0x62), { 'content-type': 'application/octet-stream' });
    expect(ok.status).toBe(201);
    const id = ok.json().data[0].id;
    await expectTooLarge('octet-stream replacement', async () => asReply(await raw(t, 'PUT', `${t.ws}/attachments/${id}`, Buffer.alloc(FILE_LIMIT + 1, 0x63), { 'content-type': 'application/octet-stream' })));
    const d = await raw(t, 'GET', `${t.ws}/attachments/${id}`, undefined, { accept: 'application/octet-stream' });
    expect(d.bytes.equals(Buffer.alloc(FILE_LIMIT, 0x62))).toBe(true);
  });

  it('attachments as multipart: a file over attachmentMaxBytes 413, a body over bodyLimit 413, at the limit 201', async () => {
    const file = await attachmentForm({ name: 'big.txt', owner_work_item: ref('defect', owner) }, Buffer.alloc(FILE_LIMIT + 1, 0x61), 'big.txt');
    expect(file.body.length).toBeLessThan(BODY_LIMIT);
    await expectTooLarge('multipart file over attachmentMaxBytes', async () => asReply(await raw(t, 'POST', `${t.ws}/attachments`, file.body, { 'content-type': file.contentType })));
    const body = await attachmentForm({ name: 'huge.txt', owner_work_item: ref('defect', owner) }, Buffer.alloc(BODY_LIMIT * 2, 0x61), 'huge.txt');
    await expectTooLarge('multipart body over bodyLimit', async () => asReply(await raw(t, 'POST', `${t.ws}/attachments`, body.body, { 'content-type': body.contentType })));
    const ok = await attachmentForm({ name: 'fits.txt', owner_work_item: ref('defect', owner) }, Buffer.alloc(FILE_LIMIT, 0x61), 'fits.txt');
    expect((await raw(t, 'POST', `${t.ws}/attachments`, ok.body, { 'content-type': ok.contentType })).status).toBe(201);
  });

  it('multipart with too many parts, or an oversized entity field: a 4xx, nothing stored', async () => {
    const before = quickDigest(db());
    const many = await multipart(Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, value: 'x' })));
    const r1 = asReply(await raw(t, 'POST', `${t.ws}/attachments`, many.body, { 'content-type': many.contentType }));
    expectAnswered(r1, 'too many parts');
    expect(r1.status).toBe(400);
    const field = Buffer.concat([Buffer.from('--B\r\nContent-Disposition: form-data; name="entity"\r\n\r\n'), Buffer.alloc(BODY_LIMIT / 2, 0x61), Buffer.from('\r\n--B--\r\n')]);
    const r2 = asReply(await raw(t, 'POST', `${t.ws}/attachments`, field, { 'content-type': 'multipart/form-data; boundary=B' }));
    expectAnswered(r2, 'oversized entity field');
    expect(r2.status).toBeGreaterThanOrEqual(400);
    expect(changedTables(before, quickDigest(db()))).toEqual([]);
  });

  it('CI text artifacts (coverage) over the limit: 413', async () => {
    await expectTooLarge('LCOV over the limit', () => t.request('POST', `${t.ws}/coverage?file-type=LCOV&ci-server-identity=s&ci-job-id=j&ci-build-id=b`, 'SF:a\nLF:1\nLH:1\n'.repeat(BODY_LIMIT / 10), { 'content-type': 'text/plain', ...PREVIEW }));
  });

  it('a 413 names the limit that applied (attachmentMaxBytes for files, not bodyLimit)', async () => {
    const octet = asReply(await raw(t, 'POST', `${t.ws}/attachments?name=big.txt&owner_work_item=${ownerRef()}`, Buffer.alloc(FILE_LIMIT + 1), { 'content-type': 'application/octet-stream' }));
    const form = await attachmentForm({ name: 'big.txt', owner_work_item: ref('defect', owner) }, Buffer.alloc(FILE_LIMIT + 1), 'big.txt');
    const multi = asReply(await raw(t, 'POST', `${t.ws}/attachments`, form.body, { 'content-type': form.contentType }));
    for (const [what, r] of [['octet-stream', octet], ['multipart', multi]] as const) {
      expect(r.status).toBe(413);
      expect({ what, limit: r.body.properties?.limit, description: r.body.description }).toEqual({ what, limit: FILE_LIMIT, description: `The request body exceeds the limit of ${FILE_LIMIT} bytes` });
    }
  });
});

describe('gzip bombs are measured after decompression', () => {
  /** Runs a bomb: 413, quickly, without inflating it in memory. */
  async function bomb(what: string, send: () => Promise<Reply>): Promise<void> {
    const rss = process.memoryUsage().rss;
    await expectTooLarge(what, send);
    expect(process.memoryUsage().rss - rss, `${what}: memory grew`).toBeLessThan(64 * 1024 * 1024);
  }
  const zeros = gzipSync(Buffer.alloc(256 * 1024 * 1024, 0x20), { level: 9 });

  it(`JSON: ${Math.round(zeros.length / 1024)} KiB of gzip inflating to 256 MiB -> 413`, async () => {
    const json = gzipSync(Buffer.concat([Buffer.from('{"data":[{"name":"'), Buffer.alloc(64 * 1024 * 1024, 0x61), Buffer.from('"}]}')]), { level: 9 });
    await bomb('JSON bomb', () => t.request('POST', `${t.ws}/defects`, json, { 'content-type': 'application/json', 'content-encoding': 'gzip' }));
    await bomb('JSON bomb of spaces', () => t.request('POST', `${t.ws}/defects`, zeros, { 'content-type': 'application/json', 'content-encoding': 'gzip' }));
  });

  it('test-results XML -> 413, no task', async () => {
    await bomb('XML bomb', () => t.request('POST', `${t.ws}/test-results`, zeros, { 'content-type': 'application/xml', 'content-encoding': 'gzip' }));
  });

  it('octet-stream attachment -> 413', async () => {
    await bomb('octet-stream bomb', async () => asReply(await raw(t, 'POST', `${t.ws}/attachments?name=bomb.txt&owner_work_item=${ownerRef()}`, zeros, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' })));
  });

  // A multipart upload with Content-Encoding: gzip runs against a separate server process: the
  // emulator reads multipart bodies from the raw request, not from the inflated stream, and a
  // client that gives up on such an upload takes the process down (so not in this test worker).
  describe('gzip multipart uploads, against a server process of their own', () => {
    let server: ServerProcess;
    let client: HttpClient;
    const WS = '/api/shared_spaces/1001/workspaces/1002';
    let defect = '';
    beforeAll(async () => {
      // default limits: 50 MB of body and of attachment
      server = await startServer(':memory:');
      client = await new HttpClient(server.url).signIn();
      const root = (await client.get(`${WS}/work_item_roots`)).body.data[0].id;
      defect = (await client.post(`${WS}/defects`, { data: [{ name: 'gzip owner', phase: ref('phase', 'phase.defect.new'), parent: ref('work_item_root', root) }] })).body.data[0].id;
    });
    afterAll(() => killAllServers());

    const send = async (bytes: Buffer, contentType: string, timeoutMs: number) => {
      try {
        const r = await client.request('POST', `${WS}/attachments`, gzipSync(bytes), { 'content-type': contentType, 'content-encoding': 'gzip' }, timeoutMs);
        return { status: r.status, text: r.text, headers: Object.fromEntries(r.headers), body: r.body };
      } catch (e) {
        return { status: 0, text: `no answer within ${timeoutMs} ms (${String(e)})`, headers: {}, body: undefined };
      }
    };

    it('a small gzip multipart upload is stored (or refused with a 4xx), never a 500', async () => {
      const small = await attachmentForm({ name: 'zipped.txt', owner_work_item: ref('defect', defect) }, Buffer.from('hello'), 'zipped.txt');
      const r = await send(small.body, small.contentType, 5000);
      expect(answerProblem(r), `small gzip multipart: ${r.text.slice(0, 200)}`).toBe('');
    });

    it('a gzip multipart bomb (64 MiB inflated, over the 50 MB limits) is answered at once; the client giving up does not kill the server', async () => {
      const big = await attachmentForm({ name: 'bomb.txt', owner_work_item: ref('defect', defect) }, Buffer.alloc(64 * 1024 * 1024), 'bomb.txt');
      const r = await send(big.body, big.contentType, 3000);
      // the client has given up by now if no answer came: the server must still be there
      await new Promise((resolve) => setTimeout(resolve, 300));
      const alive = server.child.exitCode === null && server.child.signalCode === null;
      expect({ alive, stderr: alive ? '' : server.stderr().slice(0, 400) }).toEqual({ alive: true, stderr: '' });
      expect(r.status, r.text.slice(0, 300)).not.toBe(0);
      expect(answerProblem(r), r.text.slice(0, 300)).toBe('');
      expect([400, 413, 415]).toContain(r.status);
    });
  });
});

describe('XML: no entity expansion, no external entities', () => {
  const lols = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
  const payloads: Array<[string, (root: string, inner: string) => string]> = [
    ['billion laughs', (root, inner) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [\n${lols}\n]>\n${inner.replace(/ENTITY_REF/g, '&lol9;')}`],
    ['external entity (file)', (root, inner) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${inner.replace(/ENTITY_REF/g, '&xxe;')}`],
    ['external entity (http)', (root, inner) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">]>\n${inner.replace(/ENTITY_REF/g, '&xxe;')}`],
    ['parameter entity', (root, inner) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n${inner.replace(/ENTITY_REF/g, 'x')}`],
    ['external DTD', (root, inner) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} SYSTEM "file:///etc/passwd">\n${inner.replace(/ENTITY_REF/g, 'x')}`],
  ];
  const testResults = '<test_result><test_runs><test_run name="ENTITY_REF" status="Passed"><description>ENTITY_REF</description></test_run></test_runs></test_result>';
  const sonar = '<coverage version="1"><file path="ENTITY_REF"><lineToCover lineNumber="1" covered="true"/></file></coverage>';
  const jacoco = '<report name="ENTITY_REF"><counter type="LINE" missed="1" covered="2"/></report>';

  it.each(payloads)('test results with %s: 400 at once, nothing queued', async (_label, make) => {
    const before = quickDigest(db());
    const started = performance.now();
    const r = await t.request('POST', `${t.ws}/test-results`, make('test_result', testResults), { 'content-type': 'application/xml' });
    expect(performance.now() - started).toBeLessThan(1000);
    expectOctaneError(r, 400, 'platform.bad_request');
    expect(changedTables(before, quickDigest(db()))).toEqual([]);
  });

  it.each(payloads.flatMap(([label, make]) => [[`Sonar coverage with ${label}`, 'SONAR', make('coverage', sonar)] as const, [`JaCoCo coverage with ${label}`, 'JACOCOXML', make('report', jacoco)] as const]))('%s: refused with a 4xx, or stored unexpanded; never a 500', async (_label, type, xml) => {
    const started = performance.now();
    const r = await t.request('POST', `${t.ws}/coverage?file-type=${type}&ci-server-identity=s&ci-job-id=j&ci-build-id=b`, xml, { 'content-type': 'application/xml', ...PREVIEW });
    expect(performance.now() - started).toBeLessThan(1000);
    expectAnswered(r, `${type} ${xml.slice(0, 200)}`);
    expect(r.text).not.toMatch(/root:|lollollol/);
    if (r.status === 201) {
      // stored as the bytes sent, summarised without expanding anything
      expect(r.body.size).toBe(Buffer.byteLength(xml));
      const back = await raw(t, 'GET', `${t.ws}/coverage/${r.body.id}`, undefined, { accept: 'application/octet-stream', ...PREVIEW });
      expect(back.bytes.toString('utf8')).not.toMatch(/root:|lollollol/);
    }
  });
});

describe('page sizes', () => {
  beforeAll(async () => {
    await t.create('user_tags', ...Array.from({ length: PAGE_MAX + 10 }, (_, i) => ({ name: `page-${i}` })));
  });

  it(`limit above the maximum (${PAGE_MAX}) is 400 platform.invalid_paging; at it, a full page`, async () => {
    for (const limit of [PAGE_MAX + 1, 1_000_000, 2 ** 53]) expectOctaneError(await t.get(`${t.ws}/user_tags?limit=${limit}`), 400, 'platform.invalid_paging');
    const full = await t.get(`${t.ws}/user_tags?limit=${PAGE_MAX}`);
    expect(full.status).toBe(200);
    expect(full.body.data).toHaveLength(PAGE_MAX);
    expect(full.body.total_count).toBeGreaterThan(PAGE_MAX);
  });

  it('without a limit, the default page; a huge offset is an empty page, not an error', async () => {
    const r = await t.get(`${t.ws}/user_tags`);
    expect(r.body.data).toHaveLength(20);
    const far = await t.get(`${t.ws}/user_tags?offset=9007199254740991`);
    expect(far.status).toBe(200);
    expect(far.body.data).toEqual([]);
    expectOctaneError(await t.get(`${t.ws}/user_tags?offset=9007199254740993`), 400, 'platform.invalid_paging');
  });
});

describe('query size and shape', () => {
  const get = (statement: string) => t.get(`${t.ws}/defects?query=${pct(`"${statement}"`)}&fields=id`);

  it('nesting: 32 levels answered, 33 refused (parentheses, negations, cross-filters)', async () => {
    const parens = (n: number) => `${'('.repeat(n)}id EQ 1${')'.repeat(n)}`;
    const negations = (n: number) => `${'!('.repeat(n)}id EQ 1${')'.repeat(n)}`;
    const cross = (n: number) => {
      let s = 'id EQ 1';
      for (let i = 0; i < n; i++) s = `parent EQ {${s}}`;
      return s;
    };
    // a negation with its parentheses is two levels
    for (const [make, ok, refused] of [[parens, 31, 33], [negations, 15, 17], [cross, 31, 33]] as const) {
      const answered = await get(make(ok));
      expect(answered.status, `${make(ok).slice(0, 80)}: ${answered.text.slice(0, 200)}`).toBe(200);
      expectOctaneError(await get(make(refused)), 400, 'platform.invalid_query');
      // far beyond: refused just as fast, no stack overflow
      const started = performance.now();
      expectOctaneError(await get(make(5000)), 400, 'platform.invalid_query');
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('length: a 19,000-character query answered, 20,001 refused', async () => {
    const ok = await get(`name EQ ^${'x'.repeat(19_000)}^`);
    expect(ok.status).toBe(200);
    expect(ok.body.total_count).toBe(0);
    expectOctaneError(await get(`name EQ ^${'x'.repeat(20_001)}^`), 400, 'platform.invalid_query');
  });

  it('comparisons: 500 answered, 501 refused', async () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `id EQ ${i}`).join('||');
    expect((await get(chain(500))).status).toBe(200);
    expectOctaneError(await get(chain(501)), 400, 'platform.invalid_query');
  });

  it('sub-field depth of `fields` and the text-search length are bounded', async () => {
    expect((await t.get(`${t.ws}/defects?fields=parent{parent{parent{name}}}`)).status).toBe(200);
    expectOctaneError(await t.get(`${t.ws}/defects?fields=parent{parent{parent{parent{parent{name}}}}}`), 400, 'platform.bad_request');
    expect((await t.get(`${t.ws}/defects?text_search=${pct(JSON.stringify({ type: 'global', text: 'x'.repeat(1000) }))}`)).status).toBe(200);
    expectOctaneError(await t.get(`${t.ws}/defects?text_search=${pct(JSON.stringify({ type: 'global', text: 'x'.repeat(1001) }))}`), 400, 'platform.bad_request');
  });

  it('over real HTTP, a request line or header block past the server limit is a 4xx in Octane\'s error shape', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const cookie = Object.entries(t.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    for (const [what, init, url] of [
      ['a 100 KB URL', { headers: { cookie } }, `${base}${t.ws}/defects?query=${'a'.repeat(100_000)}`],
      ['a 40 KB header', { headers: { cookie, 'x-big': 'a'.repeat(40_000) } }, `${base}${t.ws}/defects`],
    ] as const) {
      const res = await fetch(url, init);
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
      expect(answerProblem({ status: res.status, text, headers: Object.fromEntries(res.headers), body }), `${what}: ${text.slice(0, 200)}`).toBe('');
    }
  });
});

describe('the request journal of the admin API', () => {
  it(`keeps at most journalSize (${JOURNAL}) entries, the newest, with body digests rather than bodies`, async () => {
    await t.del('/__admin/requests');
    const big = JSON.stringify({ data: [{ name: 'journal', description: 'z'.repeat(BODY_LIMIT - 200), phase: ref('phase', 'phase.defect.new') }] });
    for (let i = 0; i < JOURNAL * 3; i++) {
      if (i % 10 === 0) expect((await t.request('POST', `${t.ws}/defects?i=${i}`, big, { 'content-type': 'application/json' })).status).toBe(201);
      else await t.get(`${t.ws}/defects?limit=1&i=${i}`);
    }
    const r = await t.get(`/__admin/requests`);
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect(r.body.total_count).toBe(JOURNAL);
    expect(r.body.data).toHaveLength(JOURNAL);
    // the newest ones, in order
    const is = r.body.data.map((e: { url: string }) => Number(/[?&]i=(\d+)/.exec(e.url)?.[1]));
    expect(is).toEqual(Array.from({ length: JOURNAL }, (_, k) => JOURNAL * 2 + k));
    // large bodies are kept as a digest: the whole journal stays small
    const posts = r.body.data.filter((e: { method: string }) => e.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const e of posts) {
      expect(e.body_bytes).toBeGreaterThan(BODY_LIMIT / 2);
      expect(e.body_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(r.text.length).toBeLessThan(JOURNAL * 2048);
    // limit within the journal
    expect((await t.get('/__admin/requests?limit=5')).body.data).toHaveLength(5);
  });
});
