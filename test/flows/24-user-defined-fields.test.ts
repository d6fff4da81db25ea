// Flow 24 (flows.md §24, Create_UDF.htm, first part verified): a space-wide boolean UDF through the
// internal workspace 500, a workspace list UDF, both listed with is_user_defined=true, then (inferred)
// read, written and filtered like any field. Writes to metadata_fields are technical preview.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, type TestApp } from '../helpers/app.js';
import { freshWorkspace, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('User-defined fields', () => {
  let t: TestApp;
  let w: Workspace;
  let other: Workspace;
  let space500: string;

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    other = await freshWorkspace(t);
    space500 = `${t.space}/workspaces/500`;
  });
  afterAll(() => t.close());

  it('POST .../workspaces/500/metadata_fields: a space-wide boolean UDF on defects', async () => {
    const r = await t.post(
      `${space500}/metadata_fields`,
      { data: [{ entity_type: 'defect', label: 'Post Release', subtype: 'field_metadata_boolean', type: 'field_metadata', name: 'post_release_udf' }] },
      PREVIEW,
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'field_metadata', name: 'post_release_udf', entity_type: 'defect', label: 'Post Release', subtype: 'field_metadata_boolean', is_user_defined: true });
  });

  it('POST .../workspaces/{wid}/metadata_fields: a workspace list UDF on manual tests', async () => {
    const r = await w.post(
      'metadata_fields',
      { data: [{ subtype: 'field_metadata_list', entity_type: 'test_manual', name: 'mypriority_udf', label: 'mypriority', list: { type: 'list_node', id: 'list_node.priority' } }] },
      PREVIEW,
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ name: 'mypriority_udf', entity_type: 'test_manual', subtype: 'field_metadata_list', is_user_defined: true, list: { type: 'list_node' } });
  });

  it('GET .../metadata_fields?query="is_user_defined=true" in the workspace and in workspace 500', async () => {
    const ws = await w.read(`metadata_fields?${qs('is_user_defined=true')}&fields=name,entity_type,is_user_defined`);
    expect(ws.data.map((x: any) => x.name).sort()).toEqual(['mypriority_udf', 'post_release_udf']);
    const shared = await t.get(`${space500}/metadata_fields?${qs('is_user_defined=true')}`);
    expect(shared.status).toBe(200);
    expect(shared.body.data.map((x: any) => x.name)).toEqual(['post_release_udf']);
    // the other workspace inherits the space-wide field only
    expect((await other.read(`metadata_fields?${qs('is_user_defined=true')}`)).data.map((x: any) => x.name)).toEqual(['post_release_udf']);
  });

  it('the UDFs are written, read (fields=…) and filtered (query=…) like any field', async () => {
    const d1 = await w.add('defects', { name: 'Found after release', post_release_udf: true });
    const d2 = await w.add('defects', { name: 'Found before release', post_release_udf: false });
    await w.add('defects', { name: 'Not said' });
    expect((await w.read(`defects/${d1}?fields=post_release_udf`)).post_release_udf).toBe(true);
    expect(await w.ids(`defects?${qs('post_release_udf EQ true')}`)).toEqual([d1]);
    expect((await w.put(`defects/${d2}`, { post_release_udf: true })).status).toBe(200);
    expect(sorted(await w.ids(`defects?fields=post_release_udf&${qs('post_release_udf EQ true')}`))).toEqual(sorted([d1, d2]));

    const m1 = await w.add('manual_tests', { name: 'Urgent test', mypriority_udf: { type: 'list_node', id: 'list_node.priority.urgent' } });
    await w.add('manual_tests', { name: 'Low test', mypriority_udf: { type: 'list_node', id: 'list_node.priority.low' } });
    const body = await w.read(`manual_tests?${qs('mypriority_udf EQ {logical_name EQ ^list_node.priority.urgent^}')}&fields=name,mypriority_udf`);
    expect(body.data.map((x: any) => x.id)).toEqual([m1]);
    expect(body.data[0].mypriority_udf).toMatchObject({ type: 'list_node', name: 'Urgent' });

    // the space-wide field works in the other workspace too; the workspace field does not exist there
    const o1 = await other.add('defects', { name: 'Elsewhere', post_release_udf: true });
    expect(await other.ids(`defects?${qs('post_release_udf EQ true')}`)).toEqual([o1]);
    expect((await other.get(`manual_tests?fields=mypriority_udf`)).status).toBe(400);
  });

  it('the label is updated with PUT; DELETE is not supported over REST', async () => {
    const id = (await w.read(`metadata_fields?${qs('name EQ ^mypriority_udf^')}`)).data[0].id;
    const r = await w.put(`metadata_fields/${id}`, { label: 'My priority' }, PREVIEW);
    expect(r.status, r.text).toBe(200);
    expect((await w.read(`metadata_fields/${id}`)).label).toBe('My priority');
    expect((await w.del(`metadata_fields/${id}`, PREVIEW)).status).toBe(405);
  });
});
