// Every kind of user-defined field end to end (hooks/user-fields.ts): declared through
// metadata_fields, then written, read, filtered, ordered, listed in metadata, and refused when a
// value does not fit. Boolean, string and list fields are covered in planning.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';
import { freshWorkspace, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
let w: Workspace;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t);
  ids.r1 = await w.add('releases', { name: 'Alpha release', start_date: '2024-01-01', end_date: '2024-03-31' });
  ids.r2 = await w.add('releases', { name: 'Beta release', start_date: '2024-04-01', end_date: '2024-06-30' });
  ids.t1 = await w.add('teams', { name: 'Apollo' });
  ids.t2 = await w.add('teams', { name: 'Zephyr' });
  ids.u1 = await w.user('Ada', 'Adams');
  ids.u2 = await w.user('Zoe', 'Zimmer');
});
afterAll(() => t.close());

interface Kind {
  subtype: string;
  name: string;
  /** two values that sort a < b, and how each reads back */
  values: () => [unknown, unknown];
  read: (v: any) => unknown;
  expected: () => [unknown, unknown];
  /** a query that matches the first value only */
  match: () => string;
  /** values the field refuses */
  bad: () => unknown[];
  metadata: Record<string, unknown>;
  /** order_by on the field: ascending gives [a, b] (memo: not sortable) */
  sortable: boolean;
}

const refTo = (type: string) => (v: any) => (v === null ? null : { type: v.type, id: v.id, name: v.name });
const LONG = 'x'.repeat(3000);

const KINDS: Kind[] = [
  {
    subtype: 'field_metadata_long',
    name: 'effort_udf',
    // 5 < 12 as numbers (as text "12" would sort first)
    values: () => [5, '12'],
    read: (v) => v,
    expected: () => [5, 12],
    match: () => 'effort_udf LT 10',
    bad: () => ['lots', 1.5, 2 ** 60, true],
    metadata: { field_type: 'integer', sortable: true },
    sortable: true,
  },
  {
    subtype: 'field_metadata_date_time',
    name: 'due_udf',
    values: () => ['2024-05-01T10:00:00Z', '2024-05-02T08:30:00+02:00'],
    read: (v) => v,
    expected: () => ['2024-05-01T10:00:00Z', '2024-05-02T06:30:00Z'],
    match: () => 'due_udf LT ^2024-05-02T00:00:00Z^',
    bad: () => ['tomorrow', 12, true],
    metadata: { field_type: 'date_time', sortable: true, filterable: true },
    sortable: true,
  },
  {
    subtype: 'field_metadata_long_string',
    name: 'notes_udf',
    values: () => [`A ${LONG}`, 'B short'],
    read: (v) => v,
    expected: () => [`A ${LONG}`, 'B short'],
    match: () => 'notes_udf EQ ^A x*^',
    // numbers and booleans are taken as their text, as for every string field
    bad: () => ['y'.repeat(4001), { text: 'no' }, ['a']],
    metadata: { field_type: 'string', max_length: 4000 },
    sortable: true,
  },
  {
    subtype: 'field_metadata_memo',
    name: 'analysis_udf',
    values: () => ['<p>Root cause: <b>cache</b></p>', '<p>Unknown</p>'],
    read: (v) => v,
    expected: () => ['<p>Root cause: <b>cache</b></p>', '<p>Unknown</p>'],
    match: () => 'analysis_udf EQ ^*cache*^',
    bad: () => [{ html: '<p/>' }, ['a'], 'nul \u0000 inside'],
    metadata: { field_type: 'memo', sortable: false },
    sortable: false,
  },
  {
    subtype: 'field_metadata_ref_to_release',
    name: 'target_release_udf',
    values: () => [ref('release', ids.r1), ref('release', ids.r2)],
    read: refTo('release'),
    expected: () => [
      { type: 'release', id: ids.r1, name: 'Alpha release' },
      { type: 'release', id: ids.r2, name: 'Beta release' },
    ],
    match: () => 'target_release_udf EQ {name EQ ^Alpha*^}',
    bad: () => [ref('team', ids.t1), ref('release', '999999'), 'Alpha release'],
    metadata: { field_type: 'reference', field_type_data: { multiple: false, targets: [{ type: 'release' }] } },
    sortable: true,
  },
  {
    subtype: 'field_metadata_ref_to_team',
    name: 'owning_team_udf',
    values: () => [ref('team', ids.t1), ref('team', ids.t2)],
    read: refTo('team'),
    expected: () => [
      { type: 'team', id: ids.t1, name: 'Apollo' },
      { type: 'team', id: ids.t2, name: 'Zephyr' },
    ],
    match: () => `owning_team_udf EQ {id EQ ${ids.t1}}`,
    bad: () => [ref('release', ids.r1), ref('team', '999999'), 5],
    metadata: { field_type: 'reference', field_type_data: { multiple: false, targets: [{ type: 'team' }] } },
    sortable: true,
  },
  {
    subtype: 'field_metadata_ref_to_user',
    name: 'reviewer_udf',
    values: () => [ref('workspace_user', ids.u1), ref('workspace_user', ids.u2)],
    read: (v) => ({ type: v.type, id: v.id }),
    expected: () => [
      { type: 'workspace_user', id: ids.u1 },
      { type: 'workspace_user', id: ids.u2 },
    ],
    match: () => `reviewer_udf EQ {id EQ ${ids.u1}}`,
    bad: () => [ref('team', ids.t1), ref('workspace_user', '999999'), 'ada'],
    metadata: { field_type: 'reference', field_type_data: { multiple: false, targets: [{ type: 'workspace_user' }] } },
    sortable: true,
  },
];

describe('user-defined fields of every kind', () => {
  for (const kind of KINDS) {
    it(`${kind.subtype}: declared, written, read, filtered, ordered, listed, bad values refused`, async () => {
      const r = await w.post('metadata_fields', { data: [{ type: 'field_metadata', entity_type: 'defect', name: kind.name, label: `Label ${kind.name}`, subtype: kind.subtype }] }, PREVIEW);
      expect(r.status, r.text).toBe(201);
      expect(r.body.data[0]).toMatchObject({ name: kind.name, subtype: kind.subtype, entity_type: 'defect', is_user_defined: true });

      const [va, vb] = kind.values();
      const a = await w.add('defects', { name: `A ${kind.name}`, [kind.name]: va });
      const b = await w.add('defects', { name: `B ${kind.name}`, [kind.name]: vb });
      const none = await w.add('defects', { name: `None ${kind.name}` });

      // read back: not by default, exactly when asked
      expect((await w.read(`defects/${a}`))[kind.name]).toBeUndefined();
      const [ea, eb] = kind.expected();
      expect(kind.read((await w.read(`defects/${a}?fields=${kind.name}`))[kind.name])).toEqual(ea);
      expect(kind.read((await w.read(`defects/${b}?fields=${kind.name}`))[kind.name])).toEqual(eb);
      expect((await w.read(`defects/${none}?fields=${kind.name}`))[kind.name]).toBeNull();

      // filtered, also through the aggregate
      expect(await w.ids(`defects?${q(kind.match())}`)).toEqual([a]);
      expect(await w.ids(`work_items?${q(kind.match())}`)).toEqual([a]);
      const empty = kind.metadata.field_type === 'reference' ? '{null}' : 'null';
      expect(await w.ids(`defects?${q(`id IN ${a},${b},${none};${kind.name} EQ ${empty}`)}`)).toEqual([none]);

      // ordered (nulls first ascending)
      if (kind.sortable) {
        expect(await w.ids(`defects?${q(`id IN ${a},${b},${none}`)}&order_by=${kind.name},id`)).toEqual([none, a, b]);
        expect(await w.ids(`defects?${q(`id IN ${a},${b}`)}&order_by=-${kind.name}`)).toEqual([b, a]);
      } else {
        expectOctaneError(await w.get(`defects?order_by=${kind.name}`), 400);
      }

      // updated and cleared
      expect((await w.put(`defects/${none}`, { [kind.name]: vb })).status).toBe(200);
      expect(kind.read((await w.read(`defects/${none}?fields=${kind.name}`))[kind.name])).toEqual(eb);
      expect((await w.put(`defects/${none}`, { [kind.name]: null })).status).toBe(200);
      expect((await w.read(`defects/${none}?fields=${kind.name}`))[kind.name]).toBeNull();

      // listed in metadata like a built-in field
      const meta = await w.read(`metadata/fields?${q(`entity_name EQ ^defect^;name EQ ^${kind.name}^`)}`);
      expect(meta.data).toHaveLength(1);
      expect(meta.data[0]).toMatchObject({ name: kind.name, label: `Label ${kind.name}`, is_user_defined: true, editable: true, required: false, ...kind.metadata });

      // values that do not fit are a 400 naming the field; nothing changes
      for (const bad of kind.bad()) {
        const put = await w.put(`defects/${a}`, { [kind.name]: bad });
        expect(put.status, `${kind.name} = ${JSON.stringify(bad).slice(0, 60)}: ${put.text.slice(0, 300)}`).toBe(400);
        expect(['platform.field_validation_error', 'platform.entity_not_found']).toContain(put.body.error_code);
        if (put.body.properties?.field_name !== undefined) expect(put.body.properties.field_name).toBe(kind.name);
        const post = await w.post('defects', { data: [{ name: 'Bad', [kind.name]: bad }] });
        expect(post.status).toBe(400);
      }
      expect(kind.read((await w.read(`defects/${a}?fields=${kind.name}`))[kind.name])).toEqual(ea);
    });
  }
});
