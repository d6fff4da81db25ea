// Injection and traversal. SQL-looking text goes into every parameter a client controls — query
// values and field names, cross-filter field names, `fields`, `order_by`, `group_by`, `limit`,
// `offset`, `text_search`, ids in URLs, unknown parameter names, JSON body keys and values,
// query-based updates and deletes, test-results XML — and is either refused with a 4xx in
// Octane's error shape or stored and read back as plain data; the database keeps every table and
// every row it had. Attachment names with `../`, NUL, absolute paths, Windows reserved names and
// CR/LF are refused (upload and rename); names that are allowed reach the Content-Disposition of
// a download only quoted and encoded (checked on the raw header bytes of a real HTTP answer).

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type Reply, type TestApp } from '../helpers/app.js';
import { attachmentForm, raw } from '../helpers/files.js';
import { changedTables, expectAnswered, integrityCheck, quickDigest, workspaceDigest } from '../helpers/reliability.js';
import { testResultXml } from '../helpers/test-results.js';
import { freshWorkspace, type Workspace } from '../helpers/workspace.js';

const SQL = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '"; DROP TABLE e_work_item; --',
  "'; DROP TABLE session; --",
  '1) UNION SELECT name, sql FROM sqlite_master --',
  '1 UNION SELECT 1,2,3 --',
  "x') OR ('1'='1",
  '1; DELETE FROM e_work_item',
  "' || (SELECT group_concat(name) FROM sqlite_master) || '",
  '*/ OR 1=1 /*',
  '%\' --',
  "\\'; ATTACH DATABASE '/tmp/evil.db' AS evil; --",
  'id) --',
  '`name`',
  '[name]',
];

let t: TestApp;
let other: Workspace;
let otherId: number;
let defect = '';
let release = '';
const db = () => t.app.emulator.sql.sqlite;
const tableNames = () => (db().prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
const pct = (s: string) => encodeURIComponent(s);
/** A `^…^` literal of the query language with `\` and `^` escaped. */
const lit = (s: string) => `^${s.replace(/[\\^]/g, (c) => `\\${c}`)}^`;

beforeAll(async () => {
  t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  other = await freshWorkspace(t, 'injection-other');
  otherId = Number(other.id);
  await other.add('defects', { name: 'other workspace defect', phase: ref('phase', 'phase.defect.new') });
  [release] = await t.create('releases', { name: 'Injection release', start_date: '2025-01-01', end_date: '2025-12-31' });
  [defect] = await t.create('defects', { name: 'Injection target', phase: ref('phase', 'phase.defect.new'), release: ref('release', release) });
});
afterAll(() => t?.close());

/** Read requests carrying `p` in every place a client controls, and the statuses each may get. */
function readCases(p: string): Array<{ what: string; url: string; ok: number[]; rows?: 0 }> {
  const ws = t.ws;
  return [
    { what: 'query value', url: `${ws}/defects?query=${pct(`"name EQ ${lit(p)}"`)}`, ok: [200], rows: 0 },
    { what: 'query value in IN', url: `${ws}/defects?query=${pct(`"name IN ${lit(p)},${lit(`${p}2`)}"`)}`, ok: [200], rows: 0 },
    { what: 'query value, single quotes', url: `${ws}/defects?query=${pct(`"name EQ '${p.replace(/[\\']/g, (c) => `\\${c}`)}'"`)}`, ok: [200], rows: 0 },
    { what: 'query value, unescaped', url: `${ws}/defects?query=${pct(`"name EQ ^${p}^"`)}`, ok: [200, 400] },
    { what: 'query value on a reference', url: `${ws}/defects?query=${pct(`"release EQ {name EQ ${lit(p)}}"`)}`, ok: [200], rows: 0 },
    { what: 'query value as id', url: `${ws}/defects?query=${pct(`"id EQ ${p}"`)}`, ok: [400, 200], rows: 0 },
    { what: 'query field name', url: `${ws}/defects?query=${pct(`"${p} EQ 1"`)}`, ok: [400] },
    { what: 'cross-filter field name', url: `${ws}/defects?query=${pct(`"release EQ {${p} EQ 1}"`)}`, ok: [400] },
    { what: 'cross-filter reference name', url: `${ws}/defects?query=${pct(`"${p} EQ {id EQ 1}"`)}`, ok: [400] },
    { what: 'whole query', url: `${ws}/defects?query=${pct(p)}`, ok: [400] },
    { what: 'fields', url: `${ws}/defects?fields=${pct(p)}`, ok: [400] },
    { what: 'fields, sub-field', url: `${ws}/defects?fields=${pct(`release{${p}}`)}`, ok: [400] },
    { what: 'order_by', url: `${ws}/defects?order_by=${pct(p)}`, ok: [400] },
    { what: 'order_by, descending', url: `${ws}/defects?order_by=${pct(`-${p}`)}`, ok: [400] },
    { what: 'limit', url: `${ws}/defects?limit=${pct(p)}`, ok: [400] },
    { what: 'offset', url: `${ws}/defects?offset=${pct(p)}`, ok: [400] },
    { what: 'text_search', url: `${ws}/defects?text_search=${pct(JSON.stringify({ type: 'global', text: p }))}`, ok: [200], rows: 0 },
    { what: 'text_search, bare', url: `${ws}/defects?text_search=${pct(p)}`, ok: [200, 400] },
    { what: 'group_by', url: `${ws}/defects/groups?group_by=${pct(p)}`, ok: [400] },
    { what: 'groups query value', url: `${ws}/defects/groups?group_by=severity&query=${pct(`"name EQ ${lit(p)}"`)}`, ok: [200] },
    { what: 'id in the URL', url: `${ws}/defects/${pct(p)}`, ok: [404, 400] },
    { what: 'id in the URL with fields', url: `${ws}/defects/${pct(p)}?fields=name`, ok: [404, 400] },
    { what: 'workspace id in the URL', url: `/api/shared_spaces/1001/workspaces/${pct(p)}/defects`, ok: [404, 400] },
    { what: 'shared space id in the URL', url: `/api/shared_spaces/${pct(p)}/workspaces/1002/defects`, ok: [404, 400] },
    { what: 'collection name in the URL', url: `${ws}/${pct(p)}`, ok: [404] },
    { what: 'unknown parameter name', url: `${ws}/defects?${pct(p)}=1&limit=1`, ok: [200] },
    { what: 'metadata entity name', url: `${ws}/metadata/fields?query=${pct(`"entity_name EQ ${lit(p)}"`)}`, ok: [200, 400] },
    { what: 'test-results task id', url: `${ws}/test-results/${pct(p)}`, ok: [404, 400] },
    { what: 'attachment download by id', url: `${ws}/attachments/${pct(p)}/x.txt`, ok: [404, 400] },
  ];
}

describe('SQL-looking text in every parameter', () => {
  it.each(SQL.map((p) => [p]))('%s: reads are refused (4xx) or find nothing; the database is unchanged', async (p) => {
    const tables = tableNames();
    const before = quickDigest(db());
    for (const c of readCases(p)) {
      const r = await t.get(c.url, PREVIEW);
      expectAnswered(r, `${c.what}: GET ${c.url}`);
      expect(c.ok, `${c.what}: GET ${c.url} -> ${r.status} ${r.text.slice(0, 300)}`).toContain(r.status);
      if (r.status === 200 && c.rows === 0) expect(r.body.total_count, `${c.what}: ${c.url}`).toBe(0);
    }
    expect(tableNames()).toEqual(tables);
    expect(changedTables(before, quickDigest(db()))).toEqual([]);
  });

  it.each(SQL.map((p) => [p]))('%s: refused writes (keys, ids, references, numbers, stamps, queries) change nothing', async (p) => {
    const tables = tableNames();
    const before = quickDigest(db());
    const ws = t.ws;
    const phase = ref('phase', 'phase.defect.new');
    const writes: Array<{ what: string; method: 'POST' | 'PUT' | 'DELETE'; url: string; body?: unknown; ok: number[] }> = [
      { what: 'body key', method: 'POST', url: `${ws}/defects`, body: { data: [{ name: 'k', phase, [p]: 'x' }] }, ok: [400] },
      { what: 'body key on update', method: 'PUT', url: `${ws}/defects/${defect}`, body: { [p]: 1 }, ok: [400] },
      { what: 'reference id', method: 'POST', url: `${ws}/defects`, body: { data: [{ name: 'r', phase, release: { type: 'release', id: p } }] }, ok: [400, 404] },
      { what: 'reference type', method: 'POST', url: `${ws}/defects`, body: { data: [{ name: 'r', phase, release: { type: p, id: release } }] }, ok: [400] },
      { what: 'integer value', method: 'PUT', url: `${ws}/defects/${defect}`, body: { story_points: p }, ok: [400] },
      { what: 'version_stamp', method: 'PUT', url: `${ws}/defects/${defect}`, body: { name: 'v', version_stamp: p }, ok: [400] },
      { what: 'id in the body', method: 'PUT', url: `${ws}/defects`, body: { data: [{ id: p, name: 'x' }] }, ok: [400, 404] },
      { what: 'id in the URL (update)', method: 'PUT', url: `${ws}/defects/${pct(p)}`, body: { name: 'x' }, ok: [400, 404] },
      { what: 'id in the URL (delete)', method: 'DELETE', url: `${ws}/defects/${pct(p)}`, ok: [400, 404] },
      { what: 'subtype', method: 'POST', url: `${ws}/work_items`, body: { data: [{ name: 's', subtype: p }] }, ok: [400] },
      { what: 'query of an update by query', method: 'PUT', url: `${ws}/defects?query=${pct(`"${p}"`)}`, body: { data: [{ name: 'q' }] }, ok: [400] },
      { what: 'query of a delete by query', method: 'DELETE', url: `${ws}/defects?query=${pct(`"${p}"`)}`, ok: [400] },
      { what: 'field name of a delete by query', method: 'DELETE', url: `${ws}/defects?query=${pct(`"${p} EQ 1"`)}`, ok: [400] },
    ];
    for (const w of writes) {
      const r = await t.request(w.method, w.url, w.body, w.method === 'DELETE' ? {} : undefined);
      expectAnswered(r, `${w.what}: ${w.method} ${w.url}`);
      expect(w.ok, `${w.what}: ${w.method} ${w.url} ${JSON.stringify(w.body)} -> ${r.status} ${r.text.slice(0, 300)}`).toContain(r.status);
    }
    // deletes and updates by a query whose value is the text match nothing and change nothing
    for (const [method, body] of [['PUT', { data: [{ name: 'should not happen' }] }], ['DELETE', undefined]] as const) {
      const r = await t.request(method, `${ws}/defects?query=${pct(`"name EQ ${lit(p)}"`)}`, body);
      expect(r.status, r.text).toBe(200);
      expect(r.body.total_count).toBe(0);
    }
    expect(tableNames()).toEqual(tables);
    expect(changedTables(before, quickDigest(db()))).toEqual([]);
  });

  it('stored as plain data: names, descriptions, comments, tags, test-results and attachment names read back exactly, and find themselves', async () => {
    const tables = tableNames();
    const otherBefore = workspaceDigest(db(), otherId);
    const count = (table: string) => (db().prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const workItems = count('e_work_item');
    const created: string[] = [];
    for (const [i, p] of SQL.entries()) {
      const r = await t.post(`${t.ws}/defects`, { data: [{ name: p, description: `<p>${p}</p>`, phase: ref('phase', 'phase.defect.new'), release: ref('release', release) }] });
      expect(r.status, r.text).toBe(201);
      const id = r.body.data[0].id;
      created.push(id);
      // back exactly as sent
      const back = await t.get(`${t.ws}/defects/${id}?fields=name,description`);
      expect(back.body.name).toBe(p);
      expect(back.body.description).toBe(`<p>${p}</p>`);
      // the exact filter finds it and nothing else; the text search finds it
      const byName = await t.get(`${t.ws}/defects?query=${pct(`"name EQ ${lit(p)}"`)}&fields=name`);
      expect(byName.body.data.map((e: any) => e.id), `name EQ ${lit(p)}`).toEqual([id]);
      const search = await t.get(`${t.ws}/defects?text_search=${pct(JSON.stringify({ type: 'global', text: p }))}&fields=name`);
      expect(search.status, search.text).toBe(200);
      expect(search.body.data.map((e: any) => e.id)).toContain(id);
      for (const e of search.body.data) expect(`${e.name}`.toLowerCase()).toContain(p.toLowerCase());
      // in other kinds of entity
      const c = await t.post(`${t.ws}/comments`, { data: [{ text: p, owner_work_item: ref('defect', id) }] });
      expect(c.status, c.text).toBe(201);
      expect((await t.get(`${t.ws}/comments/${c.body.data[0].id}?fields=text`)).body.text).toBe(p);
      const tag = await t.post(`${t.ws}/user_tags`, { data: [{ name: `${p} #${i}` }] });
      expect(tag.status, tag.text).toBe(201);
      expect((await t.get(`${t.ws}/user_tags/${tag.body.data[0].id}?fields=name`)).body.name).toBe(`${p} #${i}`);
      // as an attachment name (a double quote is not allowed in file names: that one is refused)
      const name = `${p}.txt`;
      const up = await raw(t, 'POST', `${t.ws}/attachments?name=${pct(name)}&owner_work_item=${pct(JSON.stringify(ref('defect', id)))}`, Buffer.from(p), { 'content-type': 'application/octet-stream' });
      if (/["/\\*:?<>|]/.test(name)) {
        expect(up.status, up.bytes.toString()).toBe(400);
      } else {
        expect(up.status, up.bytes.toString()).toBe(201);
        expect(up.json().data[0].name).toBe(name);
      }
    }
    // test results with SQL-looking names: tests and runs named exactly so
    const xml = testResultXml({ serverId: "ci'; DROP TABLE e_run; --", jobId: '1) UNION SELECT 1 --', buildId: "' OR 1=1 --" }, null, SQL.map((p, i) => ({ package: p, class: `C${i}`, name: p, status: 'Passed' as const, duration: 1, started: 1_750_000_000_000 })));
    const pushed = await t.request('POST', `${t.ws}/test-results`, xml, { 'content-type': 'application/xml' });
    expect(pushed.status, pushed.text).toBe(202);
    await t.app.emulator.testResults.drained();
    const task = await t.get(`${t.ws}/test-results/${pushed.body.id}`);
    expect(task.body.status.toLowerCase(), JSON.stringify(task.body)).toBe('success');
    for (const p of SQL) {
      const runs = await t.get(`${t.ws}/runs?query=${pct(`"name EQ ${lit(p)}"`)}&fields=name,package`);
      expect(runs.body.total_count, `run ${p}`).toBe(1);
      expect(runs.body.data[0].package).toBe(p);
    }
    expect(tableNames()).toEqual(tables);
    expect(count('e_work_item')).toBe(workItems + SQL.length);
    expect(workspaceDigest(db(), otherId)).toEqual(otherBefore);
    expect(integrityCheck(db())).toBe('ok');
  });
});

// ---- attachment names and downloads ----------------------------------------------------------------------

const REFUSED_NAMES = [
  '../escape.txt',
  '..\\escape.txt',
  '../../../../etc/passwd.txt',
  '/etc/passwd.txt',
  '/absolute.log',
  'C:\\Windows\\win.ini.txt',
  'c:relative.txt',
  '\\\\server\\share\\x.txt',
  '~/.ssh/id_rsa.txt',
  'nul\u0000byte.txt',
  'evil.txt\u0000.png',
  'con.txt',
  'CON.txt',
  'prn.log',
  'aux.txt',
  'NUL.txt',
  'com1.txt',
  'COM9.log',
  'lpt1.txt',
  'LPT9.xml',
  'con',
  'line\r\nbreak.txt',
  'line\nSet-Cookie: evil=1.txt',
  'carriage\rreturn.txt',
  'quote".txt',
  'tab\there.txt',
  '.',
  '..',
  '.htaccess.txt',
  'x.txt.',
  'x.exe',
  '',
  '   ',
  'a'.repeat(300) + '.txt',
];

describe('attachment names: traversal, NUL, absolute paths, reserved names, CR/LF', () => {
  let owner = '';
  beforeAll(async () => {
    [owner] = await t.create('defects', { name: 'Attachment owner', phase: ref('phase', 'phase.defect.new') });
  });
  const ownerRef = () => pct(JSON.stringify(ref('defect', owner)));
  const attachments = () => (db().prepare('SELECT count(*) AS n FROM e_attachment').get() as { n: number }).n;

  it.each(REFUSED_NAMES.map((n) => [JSON.stringify(n), n]))('%s is refused with 400 in both upload forms; nothing is stored', async (_label, name) => {
    const before = attachments();
    const octet = await raw(t, 'POST', `${t.ws}/attachments?name=${pct(name)}&owner_work_item=${ownerRef()}`, Buffer.from('x'), { 'content-type': 'application/octet-stream' });
    expect(octet.status, `octet-stream ${JSON.stringify(name)}: ${octet.bytes.toString().slice(0, 300)}`).toBe(400);
    expect(octet.json().error_code).toBe('platform.field_validation_error');
    const form = await attachmentForm({ name, owner_work_item: ref('defect', owner) }, Buffer.from('x'), 'upload.txt');
    const multi = await raw(t, 'POST', `${t.ws}/attachments`, form.body, { 'content-type': form.contentType });
    expect(multi.status, `multipart ${JSON.stringify(name)}: ${multi.bytes.toString().slice(0, 300)}`).toBe(400);
    expect(attachments()).toBe(before);
  });

  it('a path in the multipart file name is never kept: at most its last segment is', async () => {
    for (const filename of ['../x.txt', '..\\y.txt', '/etc/z.txt', 'C:\\dir\\w.txt', '../../con.txt', '/..']) {
      const body = `--B\r\nContent-Disposition: form-data; name="entity"\r\n\r\n${JSON.stringify({ owner_work_item: ref('defect', owner) })}\r\n--B\r\nContent-Disposition: form-data; name="content"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n`;
      const r = await raw(t, 'POST', `${t.ws}/attachments`, Buffer.from(body), { 'content-type': 'multipart/form-data; boundary=B' });
      expect([201, 400], `${filename}: ${r.bytes.toString().slice(0, 200)}`).toContain(r.status);
      if (r.status === 201) {
        const stored: string = r.json().data[0].name;
        expect(stored, filename).toBe(filename.split(/[\\/]/).pop());
        expect(stored).not.toMatch(/[\\/]|\.\./);
      }
    }
  });

  it('renaming an attachment (PUT name) is held to the upload rules: each refused name is a 400 and the name stays', async () => {
    const up = await raw(t, 'POST', `${t.ws}/attachments?name=rename-me.txt&owner_work_item=${ownerRef()}`, Buffer.from('x'), { 'content-type': 'application/octet-stream' });
    expect(up.status).toBe(201);
    const id = up.json().data[0].id;
    const accepted: string[] = [];
    for (const name of REFUSED_NAMES.filter((n) => n.trim() !== '')) {
      const r = await t.put(`${t.ws}/attachments/${id}`, { name });
      expectAnswered(r, `rename to ${JSON.stringify(name)}`);
      if (r.status !== 400) accepted.push(`${JSON.stringify(name)} -> ${r.status}`);
      // put the name back for the next one
      if (r.status === 200) expect((await t.put(`${t.ws}/attachments/${id}`, { name: 'rename-me.txt' })).status).toBe(200);
    }
    expect(accepted, `renames the upload would refuse but PUT accepted (${accepted.length} of ${REFUSED_NAMES.length - 2})`).toEqual([]);
    expect((await t.get(`${t.ws}/attachments/${id}?fields=name`)).body.name).toBe('rename-me.txt');
  });

  describe('the raw Content-Disposition of a download over real HTTP', () => {
    let base = '';
    let port = 0;
    beforeAll(async () => {
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = Number(new URL(base).port);
    });

    /** The raw header block of `GET path`, as bytes on the wire. */
    function rawHeaders(path: string): Promise<string> {
      const cookie = Object.entries(t.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
      return new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nAccept: application/octet-stream\r\nConnection: close\r\n\r\n`);
        });
        let data = Buffer.alloc(0);
        socket.on('data', (d) => {
          data = Buffer.concat([data, d]);
        });
        socket.on('end', () => {
          const text = data.toString('latin1');
          resolve(text.slice(0, text.indexOf('\r\n\r\n')));
        });
        socket.on('error', reject);
      });
    }

    /** Names an upload accepts that carry quotes, separators, non-ASCII, percent signs. */
    const ALLOWED = ["it's.txt", 'semi; colon.txt', 'a; filename=evil.exe.txt', 'equals=sign.txt', 'ünïcødé ñame.txt', '日本語.log', 'per%20cent%0D%0A.txt', 'back`tick.txt', 'comma,name.txt', "quote'n'.log", 'emoji 😀.txt', 'spaces   inside.txt'];

    it.each(ALLOWED.map((n) => [n]))('%s: stored exactly; the header quotes an ASCII fallback and encodes the rest; no header is injected', async (name) => {
      const up = await raw(t, 'POST', `${t.ws}/attachments?name=${pct(name)}&owner_work_item=${ownerRef()}`, Buffer.from('payload'), { 'content-type': 'application/octet-stream' });
      expect(up.status, up.bytes.toString()).toBe(201);
      const id = up.json().data[0].id;
      expect((await t.get(`${t.ws}/attachments/${id}?fields=name`)).body.name).toBe(name);
      for (const path of [`${t.ws}/attachments/${id}`, `${t.ws}/attachments/${id}/${pct(name)}`]) {
        const head = await rawHeaders(path);
        expect(head).toMatch(/^HTTP\/1\.1 200 /);
        const lines = head.split('\r\n');
        const dispositions = lines.filter((l) => /^content-disposition:/i.test(l));
        expect(dispositions, head).toHaveLength(1);
        // only printable ASCII on the wire, in exactly the expected form
        expect(dispositions[0]).toMatch(/^content-disposition: attachment; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%'*()]*$/i);
        const star = /filename\*=UTF-8''(.*)$/.exec(dispositions[0])![1];
        expect(decodeURIComponent(star)).toBe(name);
        // nothing else appeared: every line is a header of the server's own
        expect(lines.some((l) => /^set-cookie:\s*evil/i.test(l))).toBe(false);
      }
    });

    it('whatever name a rename leaves stored, a download never puts CR, LF or a bare quote in the header', async () => {
      const up = await raw(t, 'POST', `${t.ws}/attachments?name=plain.txt&owner_work_item=${ownerRef()}`, Buffer.from('x'), { 'content-type': 'application/octet-stream' });
      const id = up.json().data[0].id;
      for (const name of ['a\r\nSet-Cookie: evil=1.txt', 'quote".txt', 'x\r\n\r\n<html>.txt', '../../etc/passwd.txt']) {
        const r = await t.put(`${t.ws}/attachments/${id}`, { name });
        expectAnswered(r, `rename to ${JSON.stringify(name)}`);
        const stored = (await t.get(`${t.ws}/attachments/${id}?fields=name`)).body.name;
        const head = await rawHeaders(`${t.ws}/attachments/${id}`);
        const lines = head.split('\r\n');
        expect(lines.filter((l) => /^content-disposition:/i.test(l)), head).toHaveLength(1);
        expect(lines.some((l) => /^set-cookie:\s*evil/i.test(l)), head).toBe(false);
        expect(lines.some((l) => l.startsWith('<html>')), head).toBe(false);
        const line = lines.find((l) => /^content-disposition:/i.test(l))!;
        const quoted = /filename="([^"]*)"/.exec(line)![1];
        expect(line.startsWith(`content-disposition: attachment; filename="${quoted}"; filename*=UTF-8''`)).toBe(true);
        expect(decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(line)![1])).toBe(stored);
      }
    });
  });
});

describe('path traversal in URLs', () => {
  it.each([
    '/api/shared_spaces/1001/workspaces/1002/../../../../etc/passwd',
    '/api/shared_spaces/1001/workspaces/1002/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/api/shared_spaces/1001/workspaces/1002/attachments/..%2F..%2F..%2Fetc%2Fpasswd',
    '/api/shared_spaces/1001/workspaces/1002/attachments/1/..%2F..%2Fetc%2Fpasswd',
    '/api/shared_spaces/1001/workspaces/1002/defects/..%2F..%2Fpackage.json',
    '/..%2F..%2Fpackage.json',
    '/api/..;/..;/package.json',
    '/%2e%2e%2f%2e%2e%2fpackage.json',
    '/api/shared_spaces/1001/workspaces/1002/test-results/..%2F..%2F..%2Fpackage.json',
  ])('%s: an Octane 4xx, never a file of the host', async (url) => {
    const r: Reply = await t.get(url);
    expectAnswered(r, url);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.text).not.toMatch(/"name":\s*"octane-emulator"|root:x:0:0/);
  });
});
