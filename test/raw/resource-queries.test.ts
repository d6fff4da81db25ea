// The query features on every public resource of seed 000, through a raw fetch client (the
// documented URLs: `query="…"`, `fields=`, `order_by=`, `limit` / `offset`, `…/groups?group_by=`,
// `text_search={"type":"global","text":…}`): filter, cross-filter, order_by, fields, paging,
// groups and text search, one test each per resource. A workspace of this file's own is filled
// with a few entities of every resource (varied references, so that filters have entities that
// must not match); each test reads the whole collection once and derives the exact expected answer
// from it. Which fields are used comes from the resource table the server runs (filterable single
// references for cross-filters, groupable stored fields for groups, name/description for text
// search); a feature that a resource has no field for is not applicable to it (roles and
// workspaces have no reference, a few types have no groupable field or no text).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoredColumn, isSubtypeField, type ResolvedEntity } from '../../src/resources/registry.js';
import type { FieldDescriptor } from '../../src/resources/types.js';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { attachmentForm } from '../helpers/files.js';
import { query, RawClient } from '../helpers/raw-client.js';
import { listen } from '../helpers/sdk.js';
import { SEED_000_RESOURCES, tag, type SeedResource } from '../helpers/seeds.js';
import { ingest, testResultXml } from '../helpers/test-results.js';
import { freshWorkspace, LIST, many, PHASE, type Workspace } from '../helpers/workspace.js';

type Entity = Record<string, any>;

const t: TestApp = await makeApp();
const registry = t.app.emulator.registry;
let w: Workspace;
let c: RawClient;
let sid: number;

afterAll(() => t.close());

/** Entities of every resource, with references that differ from one entity to the next. */
async function fill(w: Workspace): Promise<void> {
  const A = (collection: string, body: Entity, headers?: Record<string, string>) => w.add(collection, body, headers);
  const me = String(t.app.emulator.defaults.adminUserId);
  const ann = await w.user('Ann', 'Query');
  const bob = await w.user('Bob', 'Query');
  const users = [me, ann, bob];
  const rel = [];
  for (const [i, name] of ['QR alpha', 'QR beta', 'QR gamma'].entries()) rel.push(await A('releases', { name, start_date: `2025-0${i + 1}-01`, end_date: `2025-0${i + 1}-28`, description: `<p>release ${name}</p>` }));
  const spr = [];
  for (const [i, [r, start, end]] of [
    [rel[0], '2025-01-01', '2025-01-07'],
    [rel[0], '2025-01-08', '2025-01-14'],
    [rel[1], '2025-02-01', '2025-02-10'],
  ].entries()) {
    spr.push(await A('sprints', { name: `QS sprint ${i}`, release: ref('release', r), start_date: start, end_date: end }));
  }
  const epic = await A('epics', { name: 'QE epic one' });
  await A('epics', { name: 'QE epic two', owner: ref('workspace_user', ann) });
  await A('epics', { name: 'QE epic three', owner: ref('workspace_user', bob) });
  const feat = [await A('features', { name: 'QF feature one', parent: ref('epic', epic) }), await A('features', { name: 'QF feature two', release: ref('release', rel[1]) }), await A('features', { name: 'QF feature three', owner: ref('workspace_user', ann) })];
  const story = [
    await A('stories', { name: 'QST story one', parent: ref('feature', feat[0]), release: ref('release', rel[0]), sprint: ref('sprint', spr[0]), owner: ref('workspace_user', ann) }),
    await A('stories', { name: 'QST story two', release: ref('release', rel[1]), phase: PHASE('phase.story.inprogress') }),
    await A('stories', { name: 'QST story three', parent: ref('feature', feat[1]), owner: ref('workspace_user', bob) }),
  ];
  const defect = [
    await A('defects', { name: 'QD defect one', severity: LIST('list_node.severity.high'), release: ref('release', rel[0]), description: '<p>crash on save</p>' }),
    await A('defects', { name: 'QD defect two', severity: LIST('list_node.severity.low'), parent: ref('feature', feat[2]), owner: ref('workspace_user', bob) }),
    await A('defects', { name: 'QD defect three', phase: PHASE('phase.defect.opened'), release: ref('release', rel[2]) }),
  ];
  for (const [i, s] of [story[0], story[0], defect[1]].entries()) await A('tasks', { name: `QT task ${i}`, story: ref(i === 2 ? 'defect' : 'story', s), owner: ref('workspace_user', users[i]), item_type: LIST(i ? 'list_node.task_item_type.test' : 'list_node.task_item_type.develop') });
  const area = await A('product_areas', { name: 'QA area one' });
  await A('product_areas', { name: 'QA area two', parent: ref('product_area', area) });
  await A('product_areas', { name: 'QA area three' });
  const team = [await A('teams', { name: 'QTM team one', team_lead: ref('workspace_user', ann) }), await A('teams', { name: 'QTM team two', team_lead: ref('workspace_user', bob) }), await A('teams', { name: 'QTM team three' })];
  await A('team_sprints', { team: ref('team', team[0]), sprint: ref('sprint', spr[0]), expected_velocity: 10 });
  await A('team_sprints', { team: ref('team', team[0]), sprint: ref('sprint', spr[1]), expected_velocity: 12 });
  await A('team_sprints', { team: ref('team', team[1]), sprint: ref('sprint', spr[0]), expected_velocity: 7 });
  for (const name of ['q-tag-ui', 'q-tag-api', 'q-tag-perf']) await A('user_tags', { name });
  const manual = [await A('manual_tests', { name: 'QM manual one', owner: ref('workspace_user', ann) }), await A('manual_tests', { name: 'QM manual two' }), await A('manual_tests', { name: 'QM manual three', owner: ref('workspace_user', bob), description: '<p>checks the crash</p>' })];
  await w.put(`tests/${manual[0]}/script`, { script: '- Open\n- Act\n- ?Check' });
  await w.put(`tests/${manual[1]}/script`, { script: '- Only step' });
  const gherkin = [await A('gherkin_tests', { name: 'QG gherkin one', automation_status: LIST('list_node.automation_status.ready_for_automation') }), await A('gherkin_tests', { name: 'QG gherkin two', owner: ref('workspace_user', ann) }), await A('gherkin_tests', { name: 'QG gherkin three' })];
  const auto = [await A('automated_tests', { name: 'qAutoOne' }), await A('automated_tests', { name: 'qAutoTwo', owner: ref('workspace_user', bob) }), await A('automated_tests', { name: 'qAutoThree' })];
  const suite = [await A('test_suites', { name: 'QSU suite one' }), await A('test_suites', { name: 'QSU suite two', owner: ref('workspace_user', ann) }), await A('test_suites', { name: 'QSU suite three' })];
  const link = (s: string, type: string, id: string, extra: Entity = {}) => A('test_suite_link_to_tests', { test_suite: ref('test_suite', s), test: ref(type, id), ...extra });
  await link(suite[0], 'test_manual', manual[0]);
  await link(suite[0], 'test_manual', manual[1], { include_in_next_run: false });
  await link(suite[1], 'test_manual', manual[0]);
  await link(suite[0], 'gherkin_test', gherkin[0]);
  await link(suite[1], 'gherkin_test', gherkin[1]);
  await link(suite[1], 'gherkin_test', gherkin[2], { include_in_next_run: false });
  await link(suite[0], 'test_automated', auto[0]);
  await link(suite[1], 'test_automated', auto[1]);
  await link(suite[2], 'test_automated', auto[2]);
  const native = (s: string) => LIST(`list_node.run_native_status.${s}`);
  await A('manual_runs', { name: 'QMR run one', test: ref('test_manual', manual[0]), release: ref('release', rel[0]), native_status: native('passed'), run_by: ref('workspace_user', ann) });
  await A('manual_runs', { name: 'QMR run two', test: ref('test_manual', manual[1]), release: ref('release', rel[1]), native_status: native('failed') });
  await A('manual_runs', { name: 'QMR run three', test: ref('gherkin_test', gherkin[0]), release: ref('release', rel[0]), native_status: native('planned') });
  await A('suite_run', { name: 'QSR suite run one', test: ref('test_suite', suite[0]), release: ref('release', rel[0]), native_status: native('planned') });
  await A('suite_run', { name: 'QSR suite run two', test: ref('test_suite', suite[1]), release: ref('release', rel[1]), native_status: native('planned'), default_run_by: ref('workspace_user', bob) });
  await A('suite_run', { name: 'QSR suite run three', test: ref('test_suite', suite[1]), release: ref('release', rel[2]), native_status: native('not_completed') });
  await A('automated_runs', { name: 'QAR run one', test: ref('test_automated', auto[0]), release: ref('release', rel[0]), native_status: native('passed') });
  await A('automated_runs', { name: 'QAR run two', test: ref('test_automated', auto[1]), native_status: native('failed') });
  await A('automated_runs', { name: 'QAR run three', test: ref('test_automated', auto[2]), release: ref('release', rel[2]), native_status: native('skipped') });
  // CI: two servers and pipelines, pushed results (builds, run history), pipeline runs, commits
  await A('ci_servers', { name: 'QCI server one', instance_id: 'q-ci-1', url: 'http://ci-1' });
  await A('ci_servers', { name: 'QCI server two', instance_id: 'q-ci-2', url: 'http://ci-2' });
  await A('ci_servers', { name: 'QCI server three' });
  const pipe = [
    await A('pipelines', { name: 'QP pipeline one', server_ci_id: 'q-ci-1', root_job_ci_id: 'q-root-1', jobs: [{ name: 'q-root-1', jobCiId: 'q-root-1' }, { name: 'q-child-1', jobCiId: 'q-child-1' }] }),
    await A('pipelines', { name: 'QP pipeline two', server_ci_id: 'q-ci-2', root_job_ci_id: 'q-root-2', jobs: [{ name: 'q-root-2', jobCiId: 'q-root-2' }] }),
  ];
  await A('pipelines', { name: 'QP pipeline three', server_ci_id: 'q-ci-2', root_job_ci_id: 'q-root-3', jobs: [{ name: 'q-root-3', jobCiId: 'q-root-3' }] });
  const started = Date.parse('2025-06-01T08:00:00Z');
  for (const [build, job, server, status] of [
    ['11', 'q-root-1', 'q-ci-1', 'Passed'],
    ['12', 'q-root-1', 'q-ci-1', 'Failed'],
    ['21', 'q-root-2', 'q-ci-2', 'Passed'],
  ] as const) {
    await ingest(w, testResultXml({ serverId: server, jobId: job, buildId: build }, 'QR alpha', [
      { package: 'com.q', class: 'QTest', name: `testOne${job}`, status, duration: 10, started },
      { package: 'com.q', class: 'QTest', name: `testTwo${job}`, status: 'Passed', duration: 10, started: started + 1000 },
    ]));
  }
  await A('ci_build', { name: 'QB manual build' });
  // a pipeline run's pipeline is set by the server, not by a client
  expect(pipe).toHaveLength(2);
  for (const i of [0, 1, 2]) await A('pipeline_run', { name: `QPR run ${i}`, release: i < 2 ? ref('release', rel[i]) : null });
  for (const [i, rev] of ['aaa111', 'bbb222', 'ccc333'].entries()) await A('scm_commit', { revision: rev, comment: `QC commit ${i}`, user: i ? 'ann' : 'bob', stories: many(ref('story', story[i])) });
  // planning configuration, My Work, collaboration
  await A('phases', { name: 'QPH review', entity: 'defect' });
  await A('transitions', { name: 'QTR shortcut', entity: 'defect' });
  await A('list_nodes', { name: 'QLN blocker', list_root: LIST('list_node.severity') });
  const cat = await A('taxonomy_category_nodes', { name: 'QTX device' });
  await A('taxonomy_item_nodes', { name: 'QTX phone', category: ref('taxonomy_category_node', cat) });
  await A('user_items', { user: ref('workspace_user', ann), origin: 1, entity_type: 'work_item', my_follow_items_work_item: ref('story', story[0]) });
  await A('user_items', { user: ref('workspace_user', bob), origin: 1, entity_type: 'work_item', my_follow_items_work_item: ref('defect', defect[1]) });
  await A('user_items', { user: ref('workspace_user', ann), origin: 0, entity_type: 'test', my_follow_items_test: ref('test_manual', manual[2]) });
  await A('comments', { text: '<p>QCM first</p>', owner_work_item: ref('defect', defect[0]) });
  await A('comments', { text: '<p>QCM second</p>', owner_work_item: ref('story', story[1]) });
  await A('comments', { text: '<p>QCM third</p>', owner_test: ref('test_manual', manual[0]) });
  for (const [i, owner] of [{ owner_work_item: ref('work_item', defect[0]) }, { owner_work_item: ref('work_item', story[2]) }, { owner_test: ref('test', manual[1]) }].entries()) {
    const form = await attachmentForm({ name: `q-file-${i}.txt`, ...owner }, Buffer.from(`file ${i}`), `q-file-${i}.txt`, 'text/plain');
    const r = await t.app.inject({ method: 'POST', url: w.url('attachments'), cookies: t.cookies, headers: { 'content-type': form.contentType }, payload: form.body });
    expect(r.statusCode, r.body).toBe(201);
  }
  const folder = [await A('requirement_folders', { name: 'QRF folder one' }), await A('requirement_folders', { name: 'QRF folder two' })];
  await A('requirement_folders', { name: 'QRF folder three', parent: ref('requirement_folder', folder[0]) });
  await A('requirement_documents', { name: 'QRD doc one', parent: ref('requirement_folder', folder[0]), description: '<p>the crash spec</p>' });
  await A('requirement_documents', { name: 'QRD doc two', parent: ref('requirement_folder', folder[1]), owner: ref('workspace_user', ann) });
  await A('requirement_documents', { name: 'QRD doc three', parent: ref('requirement_folder', folder[1]), phase: PHASE('phase.requirement_document.inreview') });
  // space level: two more workspaces; and, last, two more roots of each tree
  await t.post(`${t.space}/workspaces`, { data: [{ name: 'QW workspace one', description: 'first extra' }] });
  await t.post(`${t.space}/workspaces`, { data: [{ name: 'QW workspace two' }] });
  for (const name of ['QRoot one', 'QRoot two']) {
    await A('work_item_roots', { name, owner: ref('workspace_user', ann) });
    await A('requirement_roots', { name });
  }
}

beforeAll(async () => {
  w = await freshWorkspace(t, 'raw-resource-queries');
  await fill(w);
  const { server } = await listen(t);
  sid = t.app.emulator.defaults.sharedSpaceId;
  c = new RawClient(server, { Accept: 'application/json' });
  expect((await c.signIn({ user: 'sa@nga', password: 'Welcome1' })).status).toBe(200);
}, 60_000);

// ---- field choices from the resource table -------------------------------------------------------------

function entityOf(r: SeedResource): ResolvedEntity {
  const e = registry.collection(r.level, r.name);
  if (!e) throw new Error(`no resource ${r.level}:${r.name}`);
  return e;
}

const fieldsOf = (e: ResolvedEntity) => [...e.fieldMap.values()];
const isSingleRef = (f: FieldDescriptor) => f.type === 'reference' && !f.multiple && f.filterable && isStoredColumn(f) && f.name !== 'subtype';
const isMultiRef = (f: FieldDescriptor) => f.type === 'reference' && !!f.multiple && f.filterable && !f.writeOnly;
const isGroupable = (f: FieldDescriptor) => f.groupable && (isSubtypeField(f) || (isStoredColumn(f) && !['memo', 'object'].includes(f.type)));
const textColumns = (e: ResolvedEntity) => ['name', 'description'].filter((c) => registry.store(e.store).columns.has(c) && e.fieldMap.has(c));
/** a string field to filter on with EQ */
const stringField = (e: ResolvedEntity) => fieldsOf(e).find((f) => ['name', 'revision', 'email'].includes(f.name) && f.filterable && f.type === 'string' && isStoredColumn(f));
/** a field to order by besides id */
const sortField = (e: ResolvedEntity) => fieldsOf(e).find((f) => f.sortable && f.type === 'string' && isStoredColumn(f) && f.name !== 'logical_name');

const urlOf = (r: SeedResource) => (r.level === 'space' ? `/api/shared_spaces/${sid}/${r.name}` : `${w.path}/${r.name}`);

interface Listing {
  entity: ResolvedEntity;
  url: string;
  data: Entity[];
  refs: FieldDescriptor[];
  multis: FieldDescriptor[];
  groupables: FieldDescriptor[];
  text: string[];
  str?: FieldDescriptor;
  sort?: FieldDescriptor;
}

const listings = new Map<string, Listing>();

/** The whole collection, once per resource, with the fields the tests look at. */
async function listing(r: SeedResource): Promise<Listing> {
  const cached = listings.get(r.name);
  if (cached) return cached;
  const entity = entityOf(r);
  const refs = fieldsOf(entity).filter(isSingleRef);
  const multis = fieldsOf(entity).filter(isMultiRef);
  const groupables = fieldsOf(entity).filter(isGroupable);
  const text = textColumns(entity);
  const str = stringField(entity);
  const sort = sortField(entity);
  const fields = [...new Set([...refs, ...multis, ...groupables].map((f) => f.name).concat(text, str ? [str.name] : [], sort ? [sort.name] : []))];
  const url = urlOf(r);
  const res = await c.get(`${url}?limit=2000&order_by=id${fields.length ? `&fields=${fields.join(',')}` : ''}`);
  expect(res.status, `${r.name}: ${res.text.slice(0, 300)}`).toBe(200);
  expect(res.body.total_count).toBe(res.body.data.length);
  const l = { entity, url, data: res.body.data as Entity[], refs, multis, groupables, text, str, sort };
  listings.set(r.name, l);
  return l;
}

/** ids of a GET, checking the envelope */
async function idsOf(path: string): Promise<string[]> {
  const res = await c.get(path);
  expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBe(200);
  expect(res.body.exceeds_total_count).toBe(false);
  expect(res.body.total_count).toBe(res.body.data.length);
  return res.body.data.map((e: Entity) => e.id);
}

const byId = (a: string, b: string) => Number(a) - Number(b);
const sortIds = (xs: string[]) => [...xs].sort(byId);
const refId = (v: any): string | null => (v && typeof v === 'object' && 'id' in v ? String(v.id) : null);

/** For a cross-filter: the single reference with the most distinct values, and one of them. */
function crossFilterChoice(l: Listing): { field: FieldDescriptor; target: string; multiple: boolean } | undefined {
  let best: { field: FieldDescriptor; target: string; multiple: boolean; score: number } | undefined;
  for (const f of l.refs) {
    const values = l.data.map((e) => refId(e[f.name]));
    const distinct = new Set(values.filter((v): v is string => v !== null));
    if (!distinct.size) continue;
    // a value that some entities have and others do not
    const target = [...distinct][0];
    const matches = values.filter((v) => v === target).length;
    const score = distinct.size * 10 + (matches < l.data.length ? 5 : 0);
    if (!best || score > best.score) best = { field: f, target, multiple: false, score };
  }
  if (best) return best;
  for (const f of l.multis) {
    for (const e of l.data) {
      const first = e[f.name]?.data?.[0];
      if (first) return { field: f, target: String(first.id), multiple: true };
    }
  }
  return undefined;
}

// ---- the matrix -------------------------------------------------------------------------------------------

for (const r of SEED_000_RESOURCES) {
  describe(`${r.level === 'space' ? '/api/shared_spaces/{sid}' : '…/workspaces/{wid}'}/${r.name}`, () => {
    it(`filter: id IN, and EQ on a string field ${tag({ resource: r.name, query: 'filter' })}`, async () => {
      const l = await listing(r);
      expect(l.data.length, `${r.name} has entities`).toBeGreaterThanOrEqual(2);
      const all = l.data.map((e) => e.id);
      const pick = all.length >= 3 ? [all[0], all[2]] : [all[0]];
      expect(sortIds(await idsOf(`${l.url}?${query(`id IN ${pick.join(',')}`)}&limit=2000`))).toEqual(sortIds(pick));
      expect(await idsOf(`${l.url}?${query(`id EQ ${all[1]}`)}`)).toEqual([all[1]]);
      if (l.str) {
        const f = l.str.name;
        const value = l.data.find((e) => typeof e[f] === 'string' && !/[*^\\]/.test(e[f]))?.[f];
        expect(value, `${r.name}.${f} has a value`).toBeDefined();
        const expected = l.data.filter((e) => typeof e[f] === 'string' && e[f].toLowerCase() === value.toLowerCase()).map((e) => e.id);
        expect(expected.length).toBeLessThan(l.data.length);
        expect(sortIds(await idsOf(`${l.url}?${query(`${f} EQ ^${value}^`)}&limit=2000`))).toEqual(sortIds(expected));
      }
    });

    const e = entityOf(r);
    const hasRef = fieldsOf(e).some((f) => isSingleRef(f) || isMultiRef(f));
    if (hasRef) {
      it(`cross-filter: a reference filtered by its target's id, and its negation ${tag({ resource: r.name, query: 'cross-filter' })}`, async () => {
        const l = await listing(r);
        const choice = crossFilterChoice(l);
        expect(choice, `${r.name}: an entity with a reference value`).toBeDefined();
        const { field, target, multiple } = choice!;
        const has = (x: Entity) => (multiple ? (x[field.name]?.data ?? []).some((v: any) => String(v.id) === target) : refId(x[field.name]) === target);
        const expected = l.data.filter(has).map((x) => x.id);
        expect(expected.length).toBeGreaterThan(0);
        expect(sortIds(await idsOf(`${l.url}?${query(`${field.name} EQ {id EQ ${target}}`)}&limit=2000`))).toEqual(sortIds(expected));
        // the negation: every other entity (those with no value included)
        const rest = l.data.filter((x) => !has(x)).map((x) => x.id);
        expect(sortIds(await idsOf(`${l.url}?${query(`!${field.name} EQ {id EQ ${target}}`)}&limit=2000`))).toEqual(sortIds(rest));
      });
    }

    it(`order_by: -id, and a text field with id as the tie-breaker ${tag({ resource: r.name, query: 'order_by' })}`, async () => {
      const l = await listing(r);
      const ids = l.data.map((x) => x.id);
      expect(await idsOf(`${l.url}?order_by=-id&limit=2000`)).toEqual(sortIds(ids).reverse());
      if (l.sort) {
        const f = l.sort.name;
        const key = (x: Entity) => (x[f] === null || x[f] === undefined ? null : String(x[f]).toLowerCase());
        const expected = [...l.data]
          .sort((a, b) => {
            const ka = key(a);
            const kb = key(b);
            if (ka !== kb) return ka === null ? -1 : kb === null ? 1 : ka < kb ? -1 : 1;
            return byId(a.id, b.id);
          })
          .map((x) => x.id);
        expect(await idsOf(`${l.url}?order_by=${f}&fields=${f}&limit=2000`)).toEqual(expected);
        expect(await idsOf(`${l.url}?order_by=-${f},-id&fields=${f}&limit=2000`)).toEqual([...expected].reverse());
      }
    });

    it(`fields: only the named field, besides id and type ${tag({ resource: r.name, query: 'fields' })}`, async () => {
      const l = await listing(r);
      const f = l.str?.name ?? l.refs[0]?.name ?? 'creation_time';
      const res = await c.get(`${l.url}?fields=${f}&limit=3&order_by=id`);
      expect(res.status, res.text).toBe(200);
      for (const x of res.body.data) {
        expect(Object.keys(x).sort()).toEqual(['id', f, 'type'].sort());
        expect(typeof x.id).toBe('string');
      }
      expect(res.body.data.map((x: Entity) => x.id)).toEqual(l.data.slice(0, 3).map((x) => x.id));
    });

    it(`paging: limit and offset over the ordered list, total_count of all ${tag({ resource: r.name, query: 'paging' })}`, async () => {
      const l = await listing(r);
      const ids = l.data.map((x) => x.id);
      const page = await c.get(`${l.url}?order_by=id&limit=2&offset=1&fields=id`);
      expect(page.status).toBe(200);
      expect(page.body.total_count).toBe(ids.length);
      expect(page.body.data.map((x: Entity) => x.id)).toEqual(ids.slice(1, 3));
      const past = await c.get(`${l.url}?order_by=id&limit=2&offset=${ids.length}&fields=id`);
      expect(past.body).toEqual({ total_count: ids.length, data: [], exceeds_total_count: false });
      const bad = await c.get(`${l.url}?limit=0`);
      expect(bad.status).toBe(400);
    });

    if (fieldsOf(e).some(isGroupable)) {
      it(`groups: counts per value of a groupable field ${tag({ resource: r.name, query: 'groups' })}`, async () => {
        const l = await listing(r);
        // the groupable field with the most distinct values
        const keyOf = (f: FieldDescriptor, v: any) => (f.type === 'reference' ? (refId(v) ?? 'null') : JSON.stringify(v ?? null));
        const tally = (f: FieldDescriptor) => {
          const m = new Map<string, number>();
          for (const x of l.data) m.set(keyOf(f, x[f.name]), (m.get(keyOf(f, x[f.name])) ?? 0) + 1);
          return m;
        };
        const f = [...l.groupables].sort((a, b) => tally(b).size - tally(a).size)[0];
        const expected = tally(f);
        const res = await c.get(`${l.url}/groups?group_by=${f.name}`);
        expect(res.status, res.text).toBe(200);
        expect(res.body.groupsTotalCount).toBe(expected.size);
        const got = new Map<string, number>(res.body.groups.map((g: Entity) => [f.type === 'reference' ? (refId(g.value) ?? 'null') : JSON.stringify(g.value ?? null), g.count]));
        expect(got).toEqual(expected);
        // a filter narrows the groups
        const first = l.data[0].id;
        const one = await c.get(`${l.url}/groups?group_by=${f.name}&${query(`id EQ ${first}`)}`);
        expect(one.body.groupsTotalCount).toBe(1);
        expect(one.body.groups[0].count).toBe(1);
      });
    }

    if (textColumns(e).length) {
      it(`text_search: the entities whose ${textColumns(e).join(' or ')} contain the text ${tag({ resource: r.name, query: 'text_search' })}`, async () => {
        const l = await listing(r);
        const haystack = (x: Entity) => l.text.map((c2) => String(x[c2] ?? '')).join('\n').toLowerCase();
        // a word of an entity's text that not every entity has
        const words = l.data.flatMap((x) => haystack(x).replace(/<[^>]+>/g, ' ').split(/[^a-z0-9]+/)).filter((s) => s.length >= 3);
        const word = words.find((s) => l.data.some((x) => !haystack(x).includes(s.toLowerCase()))) ?? words[0];
        expect(word, `${r.name} has a text to search`).toBeDefined();
        const expected = l.data.filter((x) => haystack(x).includes(word.toLowerCase())).map((x) => x.id);
        const res = await c.get(`${l.url}?limit=2000&fields=${l.text.join(',')}&text_search=${encodeURIComponent(JSON.stringify({ type: 'global', text: word }))}`);
        expect(res.status, res.text).toBe(200);
        expect(sortIds(res.body.data.map((x: Entity) => x.id))).toEqual(sortIds(expected));
        for (const x of res.body.data) expect(Object.values(x.global_text_search_result ?? {}).join(' ').toLowerCase()).toContain(word.toLowerCase());
      });
    }
  });
}
