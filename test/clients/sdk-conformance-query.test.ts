// Conformance of the official JS SDK's builder client: every construct its `Query` builder
// (dist/lib/query.js) can produce, sent the way the SDK sends it (`query="` +
// encodeURIComponent(statement) + `"`, urlBuilder.js), with exact id sets, the entities that must
// not match included; paging (limit / offset), ordering (orderBy with '-'), fields (with
// expansion), bulk create / update / update by query / delete by query, and the errors the SDK
// surfaces. Data: ten defects in a workspace of this file's own, created through the SDK with the
// server clock frozen so that dates are exact.
//
// The statements the builder produces (asserted below, so a change in the SDK shows up here):
//   equal: `f EQ 5`, `f EQ true`, `f EQ ^s^`, `f EQ ^<ISO with ms>^`, `f EQ null` (Query.NULL),
//          `f EQ {null}` (Query.NULL_REFERENCE / NONE), `f EQ {<sub-query>}` (cross-filter)
//   notX:  `!f EQ v`, `!f LT v`, … (negation of the comparison)
//   less/greater/lessEqual/greaterEqual: `f LT 5` / `f GT ^date^` … (numbers and dates only)
//   between: `f BTW 1...3`, `f BTW ^d1^...^d2^`;  inComparison: `f IN 1,2`, `f IN ^a^,^b^`,
//          `f IN ^d1^,^d2^`, `f IN {q1},{q2}`
//   group: `(q)`, not: `!q`, and: `a;b`, or: `a||b`; `.and().field(…)` chains (DelayQuery)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { listen, Octane, Query, rejection, sdkClient, type SdkClient } from '../helpers/sdk.js';
import { tag } from '../helpers/seeds.js';
import { freshWorkspace, sorted, type Workspace } from '../helpers/workspace.js';

type Entity = Record<string, any>;

let t: TestApp;
let w: Workspace;
let c: SdkClient;
const D = Octane.entityTypes.defects;
const d: Record<string, string> = {};
const r: Record<string, string> = {};
const tags: Record<string, string> = {};
/** creation times of D1..D10, one hour apart */
const T0 = Date.parse('2025-03-01T10:00:00Z');
const at = (i: number) => new Date(T0 + (i - 1) * 3600_000);

/**
 *        points severity  release  blocked  tags        name
 *   D1   1      high      R1       true     ui          Login fails
 *   D2   2      medium    R1       false    ui, perf    Login slow
 *   D3   3      low       R2       false    -           Logout hangs
 *   D4   4      high      -        true     perf        Search crashes
 *   D5   5      -         R2       false    -           Search slow
 *   D6   -      medium    R1       false    -           Export empty
 *   D7   8      high      R3       false    -           Export wrong
 *   D8   13     low       R3       true     ui          Import fails
 *   D9   21     -         -        false    -           Import slow
 *   D10  -      high      R2       false    perf        Print blank
 */
const ROWS: Array<[string, number | null, string | null, string | null, boolean, string[], string]> = [
  ['D1', 1, 'high', 'R1', true, ['ui'], 'Login fails'],
  ['D2', 2, 'medium', 'R1', false, ['ui', 'perf'], 'Login slow'],
  ['D3', 3, 'low', 'R2', false, [], 'Logout hangs'],
  ['D4', 4, 'high', null, true, ['perf'], 'Search crashes'],
  ['D5', 5, null, 'R2', false, [], 'Search slow'],
  ['D6', null, 'medium', 'R1', false, [], 'Export empty'],
  ['D7', 8, 'high', 'R3', false, [], 'Export wrong'],
  ['D8', 13, 'low', 'R3', true, ['ui'], 'Import fails'],
  ['D9', 21, null, null, false, [], 'Import slow'],
  ['D10', null, 'high', 'R2', false, ['perf'], 'Print blank'],
];

beforeAll(async () => {
  t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  w = await freshWorkspace(t, 'sdk-conformance-query');
  const { server } = await listen(t);
  c = sdkClient({ server, sharedSpace: t.app.emulator.defaults.sharedSpaceId, workspace: Number(w.id), user: 'sa@nga', password: 'Welcome1' });
  await c.octane.authenticate();
  for (const [name, start] of [
    ['R1', '2025-01-01'],
    ['R2', '2025-04-01'],
    ['R3', '2025-07-01'],
  ]) {
    r[name] = (await c.octane.create(Octane.entityTypes.releases, { name: `Q-${name}`, start_date: start, end_date: start.replace(/-01$/, '-28') }).execute()).data[0].id;
  }
  // bulk create through the SDK: an array body is sent as {"data":[…]}
  const created = await c.octane.create(Octane.entityTypes.userTags, [{ name: 'q-ui' }, { name: 'q-perf' }]).execute();
  tags.ui = created.data[0].id;
  tags.perf = created.data[1].id;
  for (const [i, [label, points, severity, release, blocked, tagNames, name]] of ROWS.entries()) {
    t.app.emulator.clock.freeze(at(i + 1));
    const body: Entity = { name, blocked };
    if (points !== null) body.story_points = points;
    if (severity) body.severity = ref('list_node', `list_node.severity.${severity}`);
    if (release) body.release = ref('release', r[release]);
    if (tagNames.length) body.user_tags = { data: tagNames.map((x) => ref('user_tag', tags[x])) };
    d[label] = (await c.octane.create(D, body).execute()).data[0].id;
  }
  t.app.emulator.clock.reset();
});
afterAll(() => t.close());

const ALL = () => ROWS.map(([label]) => d[label]);
const ids = (...labels: string[]) => sorted(labels.map((l) => d[l]));

/** The ids the SDK gets for a query (sorted), checking total_count and the statement it sent. */
async function found(q: Query, statement?: string): Promise<string[]> {
  const built = q.build();
  if (statement !== undefined) expect(built).toBe(statement);
  const res = await c.octane.get(D).query(built).fields('name').execute();
  expect(res.total_count).toBe(res.data.length);
  // the statement went out wrapped in double quotes, URL-encoded inside
  const sent = c.log[c.log.length - 1].url;
  expect(sent).toContain(`query="${encodeURIComponent(built)}"`);
  return sorted(res.data.map((e: Entity) => e.id));
}

const F = Query.field;

describe('comparisons', () => {
  it(`equal: number, string, wildcard string, boolean, date ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').equal(3), 'story_points EQ 3')).toEqual(ids('D3'));
    expect(await found(F('name').equal('Search slow'), 'name EQ ^Search slow^')).toEqual(ids('D5'));
    expect(await found(F('name').equal('Import*'))).toEqual(ids('D8', 'D9'));
    expect(await found(F('name').equal('*slow'))).toEqual(ids('D2', 'D5', 'D9'));
    expect(await found(F('blocked').equal(true), 'blocked EQ true')).toEqual(ids('D1', 'D4', 'D8'));
    expect(await found(F('blocked').equal(false))).toEqual(ids('D2', 'D3', 'D5', 'D6', 'D7', 'D9', 'D10'));
    // Date values go out as ISO strings with milliseconds
    expect(await found(F('creation_time').equal(at(4)), `creation_time EQ ^${at(4).toISOString()}^`)).toEqual(ids('D4'));
  });

  it(`equal(Query.NULL) on a number and on a reference; equal(Query.NULL_REFERENCE) ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').equal(Query.NULL), 'story_points EQ null')).toEqual(ids('D6', 'D10'));
    expect(await found(F('release').equal(Query.NULL), 'release EQ null')).toEqual(ids('D4', 'D9'));
    expect(await found(F('release').equal(Query.NULL_REFERENCE), 'release EQ {null}')).toEqual(ids('D4', 'D9'));
    expect(await found(F('severity').equal(Query.NONE), 'severity EQ {null}')).toEqual(ids('D5', 'D9'));
  });

  it(`notEqual: the negated comparison, which also matches an empty field ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').notEqual(3), '!story_points EQ 3')).toEqual(sorted(ALL().filter((x) => x !== d.D3)));
    expect(await found(F('name').notEqual('Login*'))).toEqual(ids('D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'D9', 'D10'));
    expect(await found(F('release').notEqual(Query.NULL_REFERENCE), '!release EQ {null}')).toEqual(ids('D1', 'D2', 'D3', 'D5', 'D6', 'D7', 'D8', 'D10'));
  });

  it(`less, greater, lessEqual, greaterEqual on numbers; empty values never compare ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').less(3), 'story_points LT 3')).toEqual(ids('D1', 'D2'));
    expect(await found(F('story_points').lessEqual(3), 'story_points LE 3')).toEqual(ids('D1', 'D2', 'D3'));
    expect(await found(F('story_points').greater(8), 'story_points GT 8')).toEqual(ids('D8', 'D9'));
    expect(await found(F('story_points').greaterEqual(8), 'story_points GE 8')).toEqual(ids('D7', 'D8', 'D9'));
    expect(await found(F('id').greater(Number(d.D8)))).toEqual(ids('D9', 'D10'));
  });

  it(`notLess, notGreater, notLessEqual, notGreaterEqual ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').notLess(5), '!story_points LT 5')).toEqual(ids('D5', 'D6', 'D7', 'D8', 'D9', 'D10'));
    expect(await found(F('story_points').notGreater(5), '!story_points GT 5')).toEqual(ids('D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D10'));
    expect(await found(F('story_points').notLessEqual(13), '!story_points LE 13')).toEqual(ids('D6', 'D9', 'D10'));
    expect(await found(F('story_points').notGreaterEqual(2), '!story_points GE 2')).toEqual(ids('D1', 'D6', 'D10'));
  });

  it(`comparisons on dates (Date objects) ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('creation_time').less(at(3)), `creation_time LT ^${at(3).toISOString()}^`)).toEqual(ids('D1', 'D2'));
    expect(await found(F('creation_time').lessEqual(at(3)))).toEqual(ids('D1', 'D2', 'D3'));
    expect(await found(F('creation_time').greater(at(8)))).toEqual(ids('D9', 'D10'));
    expect(await found(F('creation_time').greaterEqual(at(8)))).toEqual(ids('D8', 'D9', 'D10'));
    expect(await found(F('creation_time').notGreaterEqual(at(2)))).toEqual(ids('D1'));
  });

  it(`between: numbers and dates, both ends included ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').between(3, 8), 'story_points BTW 3...8')).toEqual(ids('D3', 'D4', 'D5', 'D7'));
    expect(await found(F('creation_time').between(at(2), at(4)), `creation_time BTW ^${at(2).toISOString()}^...^${at(4).toISOString()}^`)).toEqual(ids('D2', 'D3', 'D4'));
  });

  it(`inComparison: numbers, strings (ids as strings too, as the SDK's own tests send them), dates ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    expect(await found(F('story_points').inComparison([1, 13, 99]), 'story_points IN 1,13,99')).toEqual(ids('D1', 'D8'));
    expect(await found(F('name').inComparison(['Login fails', 'Print blank']), 'name IN ^Login fails^,^Print blank^')).toEqual(ids('D1', 'D10'));
    expect(await found(F('id').inComparison([d.D2, d.D7]), `id IN ^${d.D2}^,^${d.D7}^`)).toEqual(ids('D2', 'D7'));
    expect(await found(F('creation_time').inComparison([at(5), at(6)]))).toEqual(ids('D5', 'D6'));
  });
});

describe('cross-filters and grouping', () => {
  it(`field(…).equal(Query.field(…)…): a reference filtered by its target's fields ${tag({ resource: 'defects', query: 'cross-filter' })}`, async () => {
    expect(await found(F('release').equal(F('name').equal('Q-R1')), 'release EQ {name EQ ^Q-R1^}')).toEqual(ids('D1', 'D2', 'D6'));
    expect(await found(F('severity').equal(F('logical_name').equal('list_node.severity.high')))).toEqual(ids('D1', 'D4', 'D7', 'D10'));
    expect(await found(F('release').equal(F('id').equal(Number(r.R3))))).toEqual(ids('D7', 'D8'));
    // a multi-reference matches when any of its targets does
    expect(await found(F('user_tags').equal(F('name').equal('q-perf')))).toEqual(ids('D2', 'D4', 'D10'));
    // two levels: defects of a release whose own fields are filtered by date
    expect(await found(F('release').equal(F('start_date').greaterEqual(new Date('2025-04-01T00:00:00Z'))))).toEqual(ids('D3', 'D5', 'D7', 'D8', 'D10'));
    // the cross-filter itself combined inside braces
    expect(await found(F('release').equal(F('name').equal('Q-R1').or(F('name').equal('Q-R3'))), 'release EQ {name EQ ^Q-R1^||name EQ ^Q-R3^}')).toEqual(ids('D1', 'D2', 'D6', 'D7', 'D8'));
  });

  it(`inComparison with sub-queries: any of several cross-filters ${tag({ resource: 'defects', query: 'cross-filter' })}`, async () => {
    expect(await found(F('release').inComparison([F('name').equal('Q-R2'), F('name').equal('Q-R3')]), 'release IN {name EQ ^Q-R2^},{name EQ ^Q-R3^}')).toEqual(ids('D3', 'D5', 'D7', 'D8', 'D10'));
  });

  it(`and, or, not, group, and the DelayQuery chains; ';' binds tighter than '||' ${tag({ resource: 'defects', query: ['filter', 'cross-filter'] })}`, async () => {
    const high = F('severity').equal(F('logical_name').equal('list_node.severity.high'));
    const blocked = F('blocked').equal(true);
    expect(await found(high.and(blocked))).toEqual(ids('D1', 'D4'));
    expect(await found(high.or(blocked))).toEqual(ids('D1', 'D4', 'D7', 'D8', 'D10'));
    expect(await found(high.not())).toEqual(ids('D2', 'D3', 'D5', 'D6', 'D8', 'D9'));
    // a || b ; c  =  a || (b ; c)
    const a = F('story_points').equal(1);
    const b = F('story_points').greater(10);
    const cc = F('blocked').equal(true);
    expect(await found(a.or(b).and(cc), 'story_points EQ 1||story_points GT 10;blocked EQ true')).toEqual(ids('D1', 'D8'));
    // (a || b) ; c
    expect(await found(a.or(b).group().and(cc), '(story_points EQ 1||story_points GT 10);blocked EQ true')).toEqual(ids('D1', 'D8'));
    expect(await found(a.or(F('story_points').greater(20)).group().and(cc))).toEqual(ids('D1'));
    // !( … ) of a group
    expect(await found(F('story_points').lessEqual(2).or(F('story_points').greaterEqual(5)).group().not(), '!(story_points LE 2||story_points GE 5)')).toEqual(ids('D3', 'D4', 'D6', 'D10'));
    // .and().field(…) and .or().field(…)
    expect(await found(F('blocked').equal(false).and().field('story_points').between(2, 5), 'blocked EQ false;story_points BTW 2...5')).toEqual(ids('D2', 'D3', 'D5'));
    expect(await found(F('name').equal('Print*').or().field('name').equal('Logout*'))).toEqual(ids('D3', 'D10'));
  });
});

describe('paging, ordering, fields', () => {
  it(`limit and offset: pages of the ordered list, total_count of all matches ${tag({ resource: 'defects', query: 'paging' })}`, async () => {
    const page = async (limit: number, offset: number) => {
      const res = await c.octane.get(D).orderBy('id').limit(limit).offset(offset).fields('id').execute();
      expect(res.total_count).toBe(10);
      expect(res.exceeds_total_count).toBe(false);
      return res.data.map((e: Entity) => e.id);
    };
    expect(await page(3, 0)).toEqual([d.D1, d.D2, d.D3]);
    expect(await page(3, 3)).toEqual([d.D4, d.D5, d.D6]);
    expect(await page(3, 9)).toEqual([d.D10]);
    expect(await page(5, 10)).toEqual([]);
    expect(c.log[c.log.length - 1].url).toMatch(/[?&]limit=5&offset=10/);
    // paging a filtered list
    const res = await c.octane.get(D).query(F('blocked').equal(false).build()).orderBy('-id').limit(2).offset(1).execute();
    expect(res.total_count).toBe(7);
    expect(res.data.map((e: Entity) => e.id)).toEqual([d.D9, d.D7]);
    // limit beyond the maximum page size: Octane's error
    const tooMany = await rejection(c.octane.get(D).limit(100000).execute());
    expect(tooMany.status).toBe(400);
  });

  it(`orderBy: ascending, descending with '-', several keys, by a reference (its name) ${tag({ resource: 'defects', query: 'order_by' })}`, async () => {
    const order = async (...keys: string[]) => (await c.octane.get(D).orderBy(...keys).fields('name').execute()).data.map((e: Entity) => e.name);
    expect(await order('name')).toEqual(['Export empty', 'Export wrong', 'Import fails', 'Import slow', 'Login fails', 'Login slow', 'Logout hangs', 'Print blank', 'Search crashes', 'Search slow']);
    expect(await order('-creation_time')).toEqual(ROWS.map((x) => x[6]).reverse());
    const byPoints = (await c.octane.get(D).orderBy('-story_points', 'name').fields('story_points').execute()).data.map((e: Entity) => e.id);
    expect(byPoints.slice(0, 8)).toEqual([d.D9, d.D8, d.D7, d.D5, d.D4, d.D3, d.D2, d.D1]);
    expect(sorted(byPoints.slice(8))).toEqual(ids('D6', 'D10'));
    const byRelease = (await c.octane.get(D).query(F('release').notEqual(Query.NULL_REFERENCE).build()).orderBy('-release', 'id').fields('release').execute()).data.map((e: Entity) => e.release.name);
    expect(byRelease).toEqual(['Q-R3', 'Q-R3', 'Q-R2', 'Q-R2', 'Q-R2', 'Q-R1', 'Q-R1', 'Q-R1']);
    expect(c.log[c.log.length - 1].url).toContain('order_by=-release,id');
  });

  it(`fields: only the named fields (id and type always), expansion of references, on a single entity too ${tag({ resource: 'defects', query: 'fields' })}`, async () => {
    const res = await c.octane.get(D).query(F('id').equal(Number(d.D2)).build()).fields('name', 'story_points').execute();
    expect(res.data).toEqual([{ type: 'defect', id: d.D2, name: 'Login slow', story_points: 2 }]);
    const one = await c.octane.get(D).at(Number(d.D2)).fields('release{name,start_date}', 'severity{logical_name}', 'user_tags{name}').execute();
    expect(one).toMatchObject({
      type: 'defect',
      id: d.D2,
      release: { type: 'release', id: r.R1, name: 'Q-R1', start_date: '2025-01-01T00:00:00Z' },
      severity: { type: 'list_node', logical_name: 'list_node.severity.medium' },
    });
    expect(one.user_tags.data.map((x: Entity) => x.name).sort()).toEqual(['q-perf', 'q-ui']);
    expect(Object.keys(one).sort()).toEqual(['id', 'release', 'severity', 'type', 'user_tags']);
    const unknown = await rejection(c.octane.get(D).fields('no_such_field').execute());
    expect(unknown).toMatchObject({ status: 400, errorCode: 'platform.unknown_field' });
    expect(unknown.body.properties).toMatchObject({ entity_type: 'defect', field_name: 'no_such_field' });
  });
});

describe('bulk operations', () => {
  let bulk: string[];

  it(`create with an array: one request, the items in order, distinct ids ${tag({ resource: 'defects', method: 'POST' })}`, async () => {
    const before = c.log.length;
    const res = await c.octane.create(D, [1, 2, 3, 4, 5].map((i) => ({ name: `Bulk ${i}`, story_points: 100 + i }))).execute();
    expect(c.log.length - before).toBe(1);
    expect(res.total_count).toBe(5);
    expect(res.data.map((e: Entity) => e.name)).toEqual(['Bulk 1', 'Bulk 2', 'Bulk 3', 'Bulk 4', 'Bulk 5']);
    bulk = res.data.map((e: Entity) => e.id);
    expect(new Set(bulk).size).toBe(5);
    expect(await found(F('story_points').greater(100))).toEqual(sorted(bulk));
  });

  it(`a failing item fails the whole create: the errors envelope, nothing written ${tag({ resource: 'defects', method: 'POST' })}`, async () => {
    const res = await rejection(c.octane.create(D, [{ name: 'Bulk ok' }, { name: 'Bulk bad', no_such_field: 1 }]).execute());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ total_count: 0, data: [], exceeds_total_count: false });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0]).toMatchObject({ error_code: 'platform.unknown_field', index: 1 });
    expect(await found(F('name').equal('Bulk ok'))).toEqual([]);
  });

  it(`updateBulk: PUT on the collection with {"data":[{id,…},…]}, checked by a fresh read ${tag({ resource: 'defects', method: 'PUT' })}`, async () => {
    const res = await c.octane.updateBulk(D, bulk.map((id, i) => ({ id, name: `Bulk ${i + 1} renamed` }))).execute();
    expect(res.total_count).toBe(5);
    expect(res.data.map((e: Entity) => e.id)).toEqual(bulk);
    const fresh = await c.octane.get(D).query(F('id').inComparison(bulk.map(Number)).build()).orderBy('id').fields('name', 'version_stamp').execute();
    expect(fresh.data.map((e: Entity) => [e.name, e.version_stamp])).toEqual([1, 2, 3, 4, 5].map((i) => [`Bulk ${i} renamed`, 2]));
  });

  it(`update with a query: the bare body applied to every match ${tag({ resource: 'defects', method: 'PUT' })}`, async () => {
    const res = await c.octane.update(D, { blocked: true }).query(F('story_points').greater(103).build()).execute();
    expect(res.total_count).toBe(2);
    expect(c.log[c.log.length - 1]).toMatchObject({ method: 'PUT', collection: 'defects', shape: 'collection' });
    expect(await found(F('story_points').greater(100).and(F('blocked').equal(true)))).toEqual(sorted(bulk.slice(3)));
  });

  it(`delete with a query (the SDK's own integration test): the deleted entities come back ${tag({ resource: 'defects', method: 'DELETE' })}`, async () => {
    const res = await c.octane.delete(D).query(F('id').inComparison(bulk).build()).execute();
    expect(res.total_count).toBe(5);
    expect(sorted(res.data.map((e: Entity) => e.id))).toEqual(sorted(bulk));
    expect(await found(F('story_points').greater(100))).toEqual([]);
    // the ten defects of the scenarios are untouched
    expect(await found(F('id').greater(0))).toEqual(sorted(ALL()));
  });
});

describe('errors the SDK surfaces', () => {
  it(`an invalid statement: 400 platform.invalid_query; an unknown field: 400 platform.unknown_field ${tag({ resource: 'defects', query: 'filter' })}`, async () => {
    const invalid = await rejection(c.octane.get(D).query('story_points EQ').execute());
    expect(invalid).toMatchObject({ status: 400, errorCode: 'platform.invalid_query' });
    const unknown = await rejection(c.octane.get(D).query(F('no_such_field').equal(1).build()).execute());
    expect(unknown).toMatchObject({ status: 400, errorCode: 'platform.unknown_field' });
    // the SDK does not retry a 400 (only a 401 makes it sign in again)
    expect(c.log.slice(-2).map((e) => e.status)).toEqual([400, 400]);
  });
});
