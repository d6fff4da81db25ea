// Open and closed lists (hooks/lists.ts), and the comment field that reads one of the closed
// lists (`visible_to`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';
import { freshWorkspace, LIST, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
let w: Workspace;
beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t);
});
afterAll(() => t.close());

const CLOSED = [
  'list_node.run_native_status',
  'list_node.pipeline_run_status',
  'list_node.release_agile_type',
  'list_node.run_mode',
  'list_node.manual_test_run_step_type',
  'list_node.visible_to_roles',
];

describe('open and closed lists', () => {
  it('a value added to a closed system list is a 400 naming the list; nothing is written', async () => {
    for (const list of CLOSED) {
      const before = await w.ids(`list_nodes?${q(`list_root EQ {logical_name EQ ^${list}^}`)}`);
      expect(before.length, list).toBeGreaterThan(0);
      const r = await w.post('list_nodes', { data: [{ name: 'Extra', list_root: LIST(list) }] });
      expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'list_root' }]);
      expect(r.body.errors[0].description).toContain(list);
      expect(await w.ids(`list_nodes?${q(`list_root EQ {logical_name EQ ^${list}^}`)}`)).toEqual(before);
    }
  });

  it('open system lists and user lists take new values (the vendor example extends run_status)', async () => {
    for (const list of ['list_node.severity', 'list_node.priority', 'list_node.task_item_type', 'list_node.run_status', 'list_node.test_type']) {
      const id = await w.add('list_nodes', { name: `Custom ${list}`, list_root: LIST(list) });
      const node = await w.read(`list_nodes/${id}?fields=name,list_root{logical_name}`);
      expect(node.list_root.logical_name).toBe(list);
    }
    const colors = await w.add('list_nodes', { name: 'colors' });
    const blue = await w.add('list_nodes', { name: 'blue', list_root: ref('list_node', colors) });
    expect(await w.ids(`list_nodes?${q(`list_root EQ {id EQ ${colors}}`)}`)).toEqual([blue]);
    // lists are one level deep: a value under a value is refused
    for (const parent of [ref('list_node', blue), LIST('list_node.severity.high')]) {
      const r = await w.post('list_nodes', { data: [{ name: 'nested', list_root: parent }] });
      expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'list_root' }]);
    }
  });

  it('values of closed lists keep their names; open ones are renamed; no value moves to another list', async () => {
    const inProgress = await w.idOf('list_nodes', 'list_node.run_native_status.not_completed');
    let r = await w.put(`list_nodes/${inProgress}`, { name: 'Running' });
    expectOctaneError(r, 400, 'platform.field_validation_error');
    expect(r.body.properties).toEqual({ entity_type: 'list_node', field_name: 'name' });
    expect((await w.read(`list_nodes/${inProgress}?fields=name`)).name).toBe('In Progress');
    // the root of a closed list too
    const root = await w.idOf('list_nodes', 'list_node.run_mode');
    expectOctaneError(await w.put(`list_nodes/${root}`, { name: 'Modes' }), 400, 'platform.field_validation_error');
    // other fields of a closed list's value stay writable
    r = await w.put(`list_nodes/${inProgress}`, { index: 9 });
    expect(r.status, r.text).toBe(200);
    // an open list's value is renamed
    const low = await w.idOf('list_nodes', 'list_node.severity.low');
    r = await w.put(`list_nodes/${low}`, { name: 'Minor' });
    expect(r.status, r.text).toBe(200);
    expect((await w.read(`list_nodes/${low}?fields=name,logical_name`)).logical_name).toBe('list_node.severity.low');
    // moving a value out of its list is refused, into a closed one as well
    for (const target of ['list_node.priority', 'list_node.run_mode']) {
      r = await w.put(`list_nodes/${low}`, { list_root: LIST(target) });
      expectOctaneError(r, 400, 'platform.field_validation_error');
      expect(r.body.properties.field_name).toBe('list_root');
    }
    // naming the list it is already in is no move
    expect((await w.put(`list_nodes/${low}`, { list_root: LIST('list_node.severity') })).status).toBe(200);
    // values are retired, never deleted
    expectOctaneError(await w.del(`list_nodes/${inProgress}`), 405, 'platform.web_application');
  });
});

describe('comment visible_to', () => {
  it('a comment names its audience from list_node.visible_to_roles; empty by default; other lists are 400', async () => {
    const story = await w.add('stories', { name: 'Commented' });
    const open = await w.add('comments', { text: '<p>For everyone</p>', owner_work_item: ref('story', story) });
    const support = await w.add('comments', { text: '<p>Support only</p>', owner_work_item: ref('story', story), visible_to: LIST('list_node.visible_to_roles.support') });
    const c = await w.read(`comments/${support}?fields=visible_to{logical_name,name}`);
    expect(c.visible_to).toMatchObject({ type: 'list_node', logical_name: 'list_node.visible_to_roles.support' });
    expect((await w.read(`comments/${open}?fields=visible_to`)).visible_to).toBeNull();
    expect(await w.ids(`comments?${q('visible_to EQ {logical_name EQ ^list_node.visible_to_roles.support^}')}`)).toEqual([support]);
    expect(await w.ids(`comments?${q('visible_to EQ {null}')}`)).toEqual([open]);
    // changed and cleared like any list field
    expect((await w.put(`comments/${open}`, { visible_to: LIST('list_node.visible_to_roles.rnd') })).status).toBe(200);
    expect((await w.read(`comments/${open}?fields=visible_to{logical_name}`)).visible_to.logical_name).toBe('list_node.visible_to_roles.rnd');
    const r = await w.post('comments', { data: [{ text: 'x', owner_work_item: ref('story', story), visible_to: LIST('list_node.severity.high') }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'visible_to' }]);
    // listed in metadata as a list field of that list
    const meta = await w.read(`metadata/fields?${q('entity_name EQ ^comment^;name EQ ^visible_to^')}`);
    expect(meta.data).toHaveLength(1);
    expect(meta.data[0]).toMatchObject({ field_type: 'reference', editable: true, required: false });
    expect(meta.data[0].field_type_data.targets[0]).toMatchObject({ type: 'list_node', logical_name: 'list_node.visible_to_roles' });
  });
});
