// Flow 4 (flows.md §4, Create_an_Attachment.htm): upload a file as multipart (an `entity` JSON part
// and a `content` part) for a manual test, then reference it from a step with a PUT of the script.
// The octet-stream form (technical preview per the page) is the alternative.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { attachmentForm, makePng, raw } from '../helpers/files.js';
import { freshWorkspace, qs, type Workspace } from '../helpers/workspace.js';

describe('Add an attachment to a manual test script', () => {
  let t: TestApp;
  let w: Workspace;
  let test: string;
  let other: string;
  let attachment: string;
  const png = makePng(32, 20);

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    test = await w.add('manual_tests', { name: 'Logo is shown' });
    other = await w.add('manual_tests', { name: 'Other test' });
    await w.put(`tests/${test}/script`, { script: '- Open the home page\n- ?The logo is shown', revision_type: 'Minor' });
  });
  afterAll(() => t.close());

  it('1-2. the file is posted as multipart/form-data: 201 with {"data":[{"type":"attachment","id":…}]}', async () => {
    const form = await attachmentForm({ name: 'pic.png', owner_test: { type: 'test', id: test } }, png, 'pic.png');
    expect(form.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const r = await raw(t, 'POST', w.url('attachments'), form.body, { 'content-type': form.contentType, accept: 'application/json' });
    expect(r.status, r.bytes.toString()).toBe(201);
    const body = r.json();
    expect(body.total_count).toBe(1);
    expect(body.data[0]).toMatchObject({ type: 'attachment', name: 'pic.png' });
    attachment = body.data[0].id;
    // bulk creation is not supported
    const bulkForm = await attachmentForm({ data: [{ name: 'a.png', owner_test: ref('test', test) }, { name: 'b.png', owner_test: ref('test', test) }] }, png, 'a.png');
    const bulk = await raw(t, 'POST', w.url('attachments'), bulkForm.body, { 'content-type': bulkForm.contentType });
    expect(bulk.status).toBe(400);
    expect(bulk.json().error_code).toBe('platform.bad_request');
    expect(await w.ids(`attachments?${qs(`owner_test EQ {id EQ ${test}}`)}`)).toEqual([attachment]);
  });

  it('3. PUT .../tests/{id}/script references the attachment in a step', async () => {
    const script = `- Open the home page\n- ?The logo looks like the attached pic.png (attachment ${attachment})`;
    const r = await w.put(`tests/${test}/script`, { script, comment: 'compare with the attached picture', revision_type: 'Minor' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ script, version: 2 });
    // read back
    expect(await w.read(`tests/${test}/script`)).toMatchObject({ script, version: 2, comment: 'compare with the attached picture' });
    // the test owns the attachment; the other test has none
    expect(await w.ids(`attachments?${qs(`owner_test EQ {id EQ ${test}}`)}`)).toEqual([attachment]);
    expect(await w.ids(`attachments?${qs(`owner_test EQ {id EQ ${other}}`)}`)).toEqual([]);
    expect((await w.read(`manual_tests/${test}?fields=attachments`)).attachments.data.map((a: any) => a.id)).toEqual([attachment]);
    // and the picture comes back as it went in
    const d = await raw(t, 'GET', w.url(`attachments/${attachment}`), undefined, { accept: 'application/octet-stream' });
    expect(d.status).toBe(200);
    expect(Buffer.compare(d.bytes, png)).toBe(0);
  });

  it('alternative: octet-stream body with name and owner in the query string', async () => {
    const owner = JSON.stringify({ type: 'test', id: test });
    const r = await raw(t, 'POST', w.url(`attachments?name=pic2.png&owner_test=${encodeURIComponent(owner)}`), png, { 'content-type': 'application/octet-stream' });
    expect(r.status, r.bytes.toString()).toBe(201);
    const id = r.json().data[0].id;
    expect((await w.read(`attachments/${id}?fields=name,owner_test`))).toMatchObject({ name: 'pic2.png', owner_test: { type: 'test_manual', id: test } });
    expect((await w.ids(`attachments?${qs(`owner_test EQ {id EQ ${test}}`)}`)).sort()).toEqual([attachment, id].sort());
  });
});
