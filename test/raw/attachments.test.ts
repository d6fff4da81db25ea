// Attachments with a hand-written HTTP client (Create_an_Attachment.htm, Attachments.htm):
// multipart/form-data uploads with an `entity` JSON part and a `content` part, written byte by byte
// as the SDKs and `curl -F` put them on the wire; the octet-stream variant (name and owner in the
// query string); the download with `Accept: application/octet-stream`, the entity with
// `Accept: application/json`, the `…/{id}/{filename}` download; update and delete.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { makePng } from '../helpers/files.js';
import { query, RawClient } from '../helpers/raw-client.js';
import { listen } from '../helpers/sdk.js';
import { tag } from '../helpers/seeds.js';
import { freshWorkspace, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
let w: Workspace;
let c: RawClient;
let ws: string;
let defect: string;
let test: string;

beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t, 'raw-attachments');
  const { server } = await listen(t);
  ws = `/api/shared_spaces/${t.app.emulator.defaults.sharedSpaceId}/workspaces/${w.id}`;
  c = new RawClient(server);
  await c.signIn({ user: 'sa@nga', password: 'Welcome1' });
  defect = (await c.post(`${ws}/defects`, { data: [{ name: 'Defect with files' }] })).body.data[0].id;
  test = (await c.post(`${ws}/manual_tests`, { data: [{ name: 'Test with files' }] })).body.data[0].id;
});
afterAll(() => t.close());

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  value: string | Buffer;
}

/** A multipart/form-data body written out byte by byte (CRLF line ends, the boundary as given). */
function multipartBody(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

async function upload(parts: Part[], boundary = '----OctaneBoundary7MA4YWxkTrZu0gW') {
  return c.request('POST', `${ws}/attachments`, { body: multipartBody(boundary, parts), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, Accept: 'application/json' } });
}

describe('multipart upload', () => {
  it(`the SDKs' form: entity part as a file named "blob" (application/json), content part with the file name: 201 {"total_count":1,"data":[…]} ${tag({ resource: 'attachments', method: 'POST' })}`, async () => {
    const png = makePng(20, 10);
    const r = await upload([
      { name: 'entity', filename: 'blob', contentType: 'application/json', value: JSON.stringify({ name: 'screen.png', owner_work_item: { type: 'work_item', id: defect } }) },
      { name: 'content', filename: 'screen.png', contentType: 'image/png', value: png },
    ]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.total_count).toBe(1);
    expect(r.body.data[0]).toMatchObject({ type: 'attachment', name: 'screen.png' });
    const id = r.body.data[0].id;
    const entity = await c.get(`${ws}/attachments/${id}?fields=name,size,owner_work_item`);
    expect(entity.body).toMatchObject({ type: 'attachment', id, name: 'screen.png', size: png.length, owner_work_item: { type: 'defect', id: defect } });
    const bytes = await c.request('GET', `${ws}/attachments/${id}`, { headers: { Accept: 'application/octet-stream' } });
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toMatch(/^(image\/png|application\/octet-stream)/);
    expect(Buffer.compare(bytes.bytes, png)).toBe(0);
  });

  it(`curl -F "entity=@entity.json;type=application/json" -F "content=@report.txt" ${tag({ resource: 'attachments', method: 'POST' })}`, async () => {
    const text = Buffer.from('line 1\nline 2\n');
    const r = await upload(
      [
        { name: 'entity', filename: 'entity.json', contentType: 'application/json', value: JSON.stringify({ name: 'report.txt', owner_test: { type: 'test', id: test } }) },
        { name: 'content', filename: 'report.txt', contentType: 'text/plain', value: text },
      ],
      '------------------------d74496d66958873e',
    );
    expect(r.status, r.text).toBe(201);
    const id = r.body.data[0].id;
    expect((await c.get(`${ws}/attachments?fields=name&${query(`owner_test EQ {id EQ ${test}}`)}`)).body.data.map((a: any) => a.id)).toEqual([id]);
    expect(Buffer.compare((await c.request('GET', `${ws}/attachments/${id}`, { headers: { Accept: 'application/octet-stream' } })).bytes, text)).toBe(0);
  });

  // `curl -F 'entity={…};type=application/json'` and the SDK's routes-based client send the entity
  // as a plain field with Content-Type application/json, which the multipart parser hands over
  // already parsed: it is taken as the entity, as when it comes as a file part.
  it(`curl -F 'entity={"name":…};type=application/json': the entity as a plain field with a content type ${tag({ resource: 'attachments', method: 'POST' })}`, async () => {
    const r = await upload([
      { name: 'entity', contentType: 'application/json', value: JSON.stringify({ name: 'inline.txt', owner_work_item: { type: 'work_item', id: defect } }) },
      { name: 'content', filename: 'inline.txt', contentType: 'text/plain', value: 'inline entity' },
    ]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'attachment', name: 'inline.txt' });
  });

  it('the entity as a plain field without a content type (a browser form) is read as JSON too', async () => {
    const r = await upload([
      { name: 'entity', value: JSON.stringify({ name: 'form.txt', owner_work_item: { type: 'work_item', id: defect } }) },
      { name: 'content', filename: 'form.txt', contentType: 'text/plain', value: 'from a form' },
    ]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'attachment', name: 'form.txt' });
  });

  it('bulk creation is not supported: an entity part with two items in data[] is a 400', async () => {
    const r = await upload([
      { name: 'entity', filename: 'blob', contentType: 'application/json', value: JSON.stringify({ data: [{ name: 'a.txt', owner_work_item: { type: 'work_item', id: defect } }, { name: 'b.txt', owner_work_item: { type: 'work_item', id: defect } }] }) },
      { name: 'content', filename: 'a.txt', contentType: 'text/plain', value: 'a' },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('platform.bad_request');
    expect((await c.get(`${ws}/attachments?${query('name IN ^a.txt^,^b.txt^')}`)).body.total_count).toBe(0);
  });

  it('a name the allow-list refuses, or one with a forbidden character: 400', async () => {
    for (const name of ['tool.exe', 'a:b.txt', '.hidden.txt']) {
      const r = await upload([
        { name: 'entity', filename: 'blob', contentType: 'application/json', value: JSON.stringify({ name, owner_work_item: { type: 'work_item', id: defect } }) },
        { name: 'content', filename: 'x.txt', contentType: 'text/plain', value: 'x' },
      ]);
      expect(r.status, name).toBe(400);
      expect(r.body.error_code, name).toMatch(/^platform\./);
    }
  });
});

describe('octet-stream upload (technical preview per the help), download, update, delete', () => {
  let id: string;

  it(`POST …/attachments?name=…&owner_work_item={…} with application/octet-stream ${tag({ resource: 'attachments', method: 'POST' })}`, async () => {
    const owner = encodeURIComponent(JSON.stringify({ type: 'work_item', id: defect }));
    const r = await c.request('POST', `${ws}/attachments?name=log.txt&owner_work_item=${owner}`, { body: Buffer.from('octet stream body'), headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' } });
    expect(r.status, r.text).toBe(201);
    id = r.body.data[0].id;
    expect(r.body.data[0]).toMatchObject({ type: 'attachment', name: 'log.txt' });
  });

  it('?fields= shapes the answer of an upload and of a content replacement; an unknown field stores nothing', async () => {
    const owner = encodeURIComponent(JSON.stringify({ type: 'work_item', id: defect }));
    const octet = { 'Content-Type': 'application/octet-stream', Accept: 'application/json' };
    const up = await c.request('POST', `${ws}/attachments?name=fields.txt&owner_work_item=${owner}&fields=name,size,owner_work_item`, { body: Buffer.from('12345'), headers: octet });
    expect(up.status, up.text).toBe(201);
    const created = up.body.data[0];
    expect(Object.keys(created).sort()).toEqual(['id', 'name', 'owner_work_item', 'size', 'type']);
    expect(created).toMatchObject({ name: 'fields.txt', size: 5, owner_work_item: { type: 'defect', id: defect } });
    const replaced = await c.request('PUT', `${ws}/attachments/${created.id}?fields=size`, { body: Buffer.from('1234567'), headers: octet });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body).toEqual({ type: 'attachment', id: created.id, size: 7 });
    const before = (await c.get(`${ws}/attachments?query=${encodeURIComponent(`"owner_work_item EQ {id EQ ${defect}}"`)}&limit=1`)).body.total_count;
    const bad = await c.request('POST', `${ws}/attachments?name=never.txt&owner_work_item=${owner}&fields=no_such_field`, { body: Buffer.from('x'), headers: octet });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('platform.unknown_field');
    expect((await c.get(`${ws}/attachments?query=${encodeURIComponent(`"owner_work_item EQ {id EQ ${defect}}"`)}&limit=1`)).body.total_count).toBe(before);
  });

  it(`GET with Accept: application/json is the entity; …/{id}/{filename} with octet-stream is the content ${tag({ resource: 'attachments', method: 'GET' })}`, async () => {
    const entity = await c.request('GET', `${ws}/attachments/${id}`, { headers: { Accept: 'application/json' } });
    expect(entity.headers.get('content-type')).toMatch(/application\/json/);
    expect(entity.body).toMatchObject({ type: 'attachment', id, name: 'log.txt' });
    const file = await c.request('GET', `${ws}/attachments/${id}/log.txt`, { headers: { Accept: 'application/octet-stream' } });
    expect(file.status).toBe(200);
    expect(file.text).toBe('octet stream body');
  });

  it(`PUT renames it; DELETE removes it (404 after) ${tag({ resource: 'attachments', method: ['PUT', 'DELETE'] })}`, async () => {
    expect((await c.put(`${ws}/attachments/${id}`, { name: 'build.log', description: 'renamed' })).status).toBe(200);
    expect((await c.get(`${ws}/attachments/${id}?fields=name,description`)).body).toMatchObject({ name: 'build.log', description: 'renamed' });
    const del = await c.del(`${ws}/attachments/${id}`);
    expect(del.status).toBe(200);
    expect((await c.get(`${ws}/attachments/${id}`)).status).toBe(404);
    expect((await c.request('GET', `${ws}/attachments/${id}`, { headers: { Accept: 'application/octet-stream' } })).status).toBe(404);
  });
});
