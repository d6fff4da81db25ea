// Property-based tests of the read parameters through the HTTP layer: random queries built from the
// grammar over the real fields of `defects` and `work_items` (cross-filters into the real targets),
// mutated queries with junk characters, random `fields`, `order_by`, `limit` and `offset`.
// Every answer is a 200 or a 4xx in Octane's error shape, never a 5xx, and comes quickly; and no
// query against workspace 1 returns or counts an entity of workspace 2.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../../src/resources/catalog.js';
import type { ResolvedEntity } from '../../src/resources/registry.js';
import type { FieldDescriptor } from '../../src/resources/types.js';
import { tableOf } from '../../src/store/schema-sync.js';
import { makeApp, ref, type Reply, type TestApp } from '../helpers/app.js';

const registry = buildRegistry();
const COLLECTIONS = ['defects', 'work_items'] as const;
type CollectionName = (typeof COLLECTIONS)[number];
const ENTITY: Record<CollectionName, ResolvedEntity> = { defects: registry.entity('defect'), work_items: registry.entity('work_item') };

/** Slowest acceptable answer to a single request, in milliseconds. */
const QUICK_MS = 1_500;

let t: TestApp;
let ws2Path: string;
/** ids of the workspace-1 rows each collection may answer, read directly from the database */
const visible: Record<CollectionName, Set<string>> = { defects: new Set(), work_items: new Set() };
/** the other workspace's entities: never to be seen through workspace 1 */
const foreign = new Set<string>();
/** ids and logical names the generator uses as values */
const idPool: string[] = [];

// ---- data ------------------------------------------------------------------------------------------

async function seed(path: string, suffix: string): Promise<string[]> {
  const create = async (collection: string, body: Record<string, unknown>) => {
    const r = await t.post(`${path}/${collection}`, { data: [body] });
    if (r.status !== 201) throw new Error(`${collection}: ${r.status} ${r.text}`);
    return r.body.data[0].id as string;
  };
  const rel = await create('releases', { name: 'R1', start_date: '2024-01-01', end_date: '2024-03-31' });
  const sprint = await create('sprints', { name: 'Sprint 1', release: ref('release', rel), start_date: '2024-01-01', end_date: '2024-01-31' });
  const tag = await create('user_tags', { name: `red${suffix}` });
  const pa = await create('product_areas', { name: 'Login', parent: ref('product_area', 'product_area.root') });
  const feature = await create('features', { name: 'Login feature', parent: ref('work_item_root', 'work_item_root'), phase: ref('phase', 'phase.feature.new'), release: ref('release', rel) });
  const created = [rel, sprint, tag, pa, feature];
  const severities = ['high', 'low', 'medium'];
  for (let i = 0; i < 6; i++) {
    created.push(
      await create('defects', {
        name: ['Login fails', "weird ^*' name", 'Crash 941'][i % 3],
        parent: i % 2 ? ref('feature', feature) : ref('work_item_root', 'work_item_root'),
        phase: ref('phase', i % 2 ? 'phase.defect.new' : 'phase.defect.opened'),
        severity: ref('list_node', `list_node.severity.${severities[i % 3]}`),
        release: i % 3 ? ref('release', rel) : null,
        sprint: i % 3 === 1 ? ref('sprint', sprint) : null,
        story_points: i % 4 ? i * 2 : null,
        is_draft: i % 2 === 0,
        user_tags: { data: i % 2 ? [ref('user_tag', tag)] : [] },
        product_areas: { data: i % 3 === 2 ? [ref('product_area', pa)] : [] },
      }),
    );
  }
  created.push(await create('stories', { name: 'Login page', parent: ref('feature', feature), phase: ref('phase', 'phase.story.new'), release: ref('release', rel), story_points: 3 }));
  return created;
}

function directIds(workspaceId: number, rowTypes: readonly string[]): Set<string> {
  const { sql } = t.app.emulator;
  const rows = sql.all<{ id: number }>(
    sql.qb.selectFrom(tableOf('work_item')).select('id').where('workspace_id', '=', workspaceId).where('type', 'in', [...rowTypes]),
  );
  return new Set(rows.map((r) => String(r.id)));
}

beforeAll(async () => {
  t = await makeApp();
  const ws1Ids = await seed(t.ws, '');
  const r = await t.post(`${t.space}/workspaces`, { data: [{ name: 'ws2' }] });
  if (r.status !== 201) throw new Error(`workspace: ${r.status} ${r.text}`);
  const ws2 = Number(r.body.data[0].id);
  ws2Path = `${t.space}/workspaces/${ws2}`;
  // the same shapes and names in workspace 2, so that any leak would match
  const ws2Ids = await seed(ws2Path, '2');
  for (const id of ws2Ids) foreign.add(id);
  const ws1 = t.app.emulator.defaults.workspaceId;
  for (const c of COLLECTIONS) visible[c] = directIds(ws1, ENTITY[c].rowTypes);
  for (const c of COLLECTIONS) for (const id of directIds(ws2, ENTITY[c].rowTypes)) foreign.add(id);
  idPool.push(...ws1Ids, ...ws2Ids, String(t.app.emulator.defaults.adminUserId), 'phase.defect.new', 'list_node.severity.high', 'work_item_root');
});

afterAll(async () => {
  await t?.close();
});

// ---- generators --------------------------------------------------------------------------------------

const SPECIAL = ['^', "'", '*', '\\', '%', '_', ';', '|', '!', '(', ')', '{', '}', '[', ']', ',', '.', '"', ' ', '=', '<', '>', '-', '&', '#', '\t', 'é', '日', '\u0000'];
const charArb = fc.oneof(fc.constantFrom(...'abcLogin941 '.split('')), fc.constantFrom(...SPECIAL));

/** Texts that occur in the data, so that well-typed queries also find something. */
const KNOWN_TEXTS = ['Login fails', 'Login*', '*weird*', "weird ^*' name", '*941', 'R1', 'Sprint 1', '*', 'red', 'Login', 'phase.defect.new', 'list_node.severity.high'];

/** A string literal. Strict: quotes and backslashes escaped, texts mostly from the data. */
function stringLit(strict: boolean): fc.Arbitrary<string> {
  const body = strict ? fc.oneof(fc.constantFrom(...KNOWN_TEXTS), fc.string({ unit: charArb, maxLength: 10 })) : fc.string({ unit: charArb, maxLength: 10 });
  return fc
    .tuple(fc.constantFrom('^', "'"), body, fc.boolean(), fc.constantFrom('', '', '*'), fc.constantFrom('', '', '*'))
    .map(([q, text, escape, pre, post]) => {
      const inner = strict || escape ? text.replace(/[\\^']/g, (c) => (c === '\\' || c === q ? `\\${c}` : c)) : text;
      return `${q}${pre}${inner}${post}${q}`;
    });
}

const idText = fc.integer({ min: 0, max: 60 }).map((i) => {
  const v = idPool[i % Math.max(idPool.length, 1)] ?? '1';
  return /^\d+$/.test(v) ? v : `^${v}^`;
});

/** Integers; loose also gives decimals, exponents and malformed numbers. */
function numberLit(strict: boolean): fc.Arbitrary<string> {
  const ints = fc.oneof(fc.integer({ min: -5, max: 20 }).map(String), fc.constantFrom('0', '-1', '99999999999999999999'), idText.filter((v) => !v.startsWith('^')));
  return strict ? ints : fc.oneof(ints, fc.constantFrom('3.5', '1e400', '-1e400', '0.0000001', '2.', '1.2.3', '--1'));
}

function dateLit(strict: boolean): fc.Arbitrary<string> {
  const forms = strict ? (['bare', 'quoted', 'day'] as const) : (['bare', 'quoted', 'day', 'junk'] as const);
  return fc
    .tuple(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(...forms))
    .map(([d, form]) => {
      const iso = d.toISOString();
      if (form === 'bare') return iso;
      if (form === 'quoted') return `^${iso}^`;
      if (form === 'day') return iso.slice(0, 10);
      return '^2024-13-45T99:99:99Z^';
    });
}

const idLit = fc.oneof(fc.constantFrom('0', '-1', '1001', '^not.a.logical.name^'), idText, idText);

const anyValue: fc.Arbitrary<string> = fc.oneof(
  stringLit(false),
  numberLit(false),
  dateLit(false),
  fc.constantFrom('true', 'false', 'null', '{null}', '[current_user]', '[current_release]', '[nope]', '{}', '{id EQ 1'),
);
const OPS = ['EQ', 'LT', 'GT', 'LE', 'GE', '=', '<', '>', '<=', '>='] as const;
const opArb = fc.constantFrom(...OPS);

function filterable(e: ResolvedEntity): FieldDescriptor[] {
  return [...e.fieldMap.values()].filter((f) => f.filterable);
}

function list(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(fc.array(value, { minLength: 1, maxLength: 3 }), fc.constantFrom(',', ', ', ' , ')).map(([vs, sep]) => vs.join(sep));
}

/**
 * One comparison on a real field of `e`. Strict: well-typed (what the field type accepts); loose:
 * also ill-typed operators and values, unknown fields, and random BTW bounds.
 */
function comparison(e: ResolvedEntity, depth: number, strict: boolean): fc.Arbitrary<string> {
  const fields = filterable(e);
  const typed = fc.constantFrom(...fields).chain((f) => typedComparison(f, depth, strict));
  if (strict) return typed;
  return fc.oneof(
    { weight: 12, arbitrary: typed },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...fields.map((f) => f.name), 'nope', 'zz_udf', 'ID', 'Name'), opArb, anyValue).map(([f, op, v]) => `${f} ${op} ${v}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fields.map((f) => f.name)), anyValue, anyValue).map(([f, a, b]) => `${f} BTW ${a}...${b}`) },
  );
}

function typedComparison(f: FieldDescriptor, depth: number, strict: boolean): fc.Arbitrary<string> {
  const n = f.name;
  const str = stringLit(strict);
  const num = numberLit(strict);
  const date = dateLit(strict);
  switch (f.type) {
    case 'reference': {
      const target = registry.targetEntity(f);
      const options: fc.Arbitrary<string>[] = [
        fc.constant(`${n} EQ {null}`),
        idLit.map((v) => `${n} EQ ${v}`),
        list(idLit).map((v) => `${n} IN ${v}`),
        fc.constant(`${n} EQ [current_user]`),
        fc.constant(`${n} EQ {id EQ [current_user]}`),
      ];
      if (!strict) options.push(opArb.map((op) => `${n} ${op} 1`), str.map((v) => `${n} EQ ${v}`));
      if (depth > 0) {
        const inner = expression(target, depth - 1, strict);
        options.push(inner.map((x) => `${n} EQ {${x}}`), inner.map((x) => `${n} EQ { ${x} }`), fc.tuple(inner, inner).map(([a, b]) => `${n} IN {${a}},{${b}}`));
      }
      return fc.oneof(...options);
    }
    case 'integer':
    case 'float': {
      const options = [
        fc.tuple(opArb, num).map(([op, v]) => `${n} ${op} ${v}`),
        fc.tuple(num, num).map(([a, b]) => `${n} BTW ${a}...${b}`),
        list(num).map((v) => `${n} IN ${v}`),
      ];
      if (!strict || n !== 'id') options.push(fc.constant(`${n} EQ null`));
      return fc.oneof(...options);
    }
    case 'date':
    case 'date_time':
      return fc.oneof(fc.tuple(opArb, date).map(([op, v]) => `${n} ${op} ${v}`), fc.tuple(date, date).map(([a, b]) => `${n} BTW ${a}...${b}`));
    case 'boolean':
      return strict
        ? fc.constantFrom('true', 'false', 'null', 'TRUE').map((v) => `${n} EQ ${v}`)
        : fc.oneof(fc.constantFrom('true', 'false', 'null', '^true^', '1').map((v) => `${n} EQ ${v}`), fc.constant(`${n} BTW true...false`));
    default: {
      const options = [
        { weight: 4, arbitrary: str.map((v) => `${n} EQ ${v}`) },
        { weight: 1, arbitrary: fc.constant(`${n} EQ null`) },
      ];
      // IN lists are for strings; memo (rich text) takes EQ with wildcards only
      if (!strict || f.type === 'string') options.push({ weight: 2, arbitrary: list(str).map((v) => `${n} IN ${v}`) });
      if (!strict) options.push({ weight: 1, arbitrary: fc.tuple(opArb, str).map(([op, v]) => `${n} ${op} ${v}`) });
      return fc.oneof(...options);
    }
  }
}

const memo = new Map<string, fc.Arbitrary<string>>();

/** A statement over `e`: comparisons, possibly negated or parenthesised, joined by ; and ||. */
function expression(e: ResolvedEntity, depth: number, strict: boolean): fc.Arbitrary<string> {
  const key = `${e.type}/${depth}/${strict}`;
  const known = memo.get(key);
  if (known) return known;
  const factor = fc
    .tuple(comparison(e, depth, strict), fc.constantFrom('', '', '!'), fc.boolean())
    .map(([c, neg, paren]) => (paren ? `${neg}(${c})` : `${neg}${c}`));
  const arb = fc
    .tuple(fc.array(factor, { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom(';', '||', '; ', ' || '), { minLength: 2, maxLength: 2 }), fc.boolean())
    .map(([fs, joins, group]) => {
      const s = fs.reduce((acc, f, i) => (i === 0 ? f : `${acc}${joins[i % joins.length]}${f}`), '');
      return group && fs.length > 1 ? `(${s})` : s;
    });
  memo.set(key, arb);
  return arb;
}

/** Damage a string: insertions of junk, deletions, duplications, truncation. */
const mutated = (source: fc.Arbitrary<string>) =>
  fc
    .tuple(
      source,
      fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace', 'duplicate', 'truncate'), fc.nat(), fc.nat({ max: 6 }), charArb), { minLength: 1, maxLength: 4 }),
    )
    .map(([s, edits]) => {
      let out = s;
      for (const [kind, at, len, ch] of edits) {
        const i = out.length ? at % out.length : 0;
        if (kind === 'insert') out = out.slice(0, i) + ch + out.slice(i);
        else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + len);
        else if (kind === 'replace') out = out.slice(0, i) + ch + out.slice(i + 1);
        else if (kind === 'duplicate') out = out.slice(0, i + len) + out.slice(i);
        else out = out.slice(0, i);
      }
      return out;
    });

const collectionArb = fc.constantFrom(...COLLECTIONS);

// ---- checks ------------------------------------------------------------------------------------------

async function timedGet(url: string): Promise<Reply> {
  const started = performance.now();
  const r = await t.get(url);
  const elapsed = performance.now() - started;
  expect(elapsed, `slow answer (${Math.round(elapsed)} ms) to ${url.slice(0, 300)}`).toBeLessThan(QUICK_MS);
  return r;
}

/** 200, or a 4xx in Octane's error shape; never a 5xx. */
function expectWellFormed(r: Reply, what: string): void {
  expect(r.status < 500, `${r.status} for ${what}: ${r.text.slice(0, 500)}`).toBe(true);
  if (r.status === 200) {
    expect(typeof r.body.total_count, what).toBe('number');
    expect(Array.isArray(r.body.data), what).toBe(true);
    return;
  }
  expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(typeof r.body?.error_code, `${what}: ${r.text.slice(0, 300)}`).toBe('string');
  expect(r.body.correlation_id, what).toMatch(/^[a-z0-9]{25}$/);
  expect(typeof r.body.description, what).toBe('string');
  expect(r.body.description.length, what).toBeGreaterThan(0);
}

/** A full listing (no paging) of workspace 1 never shows or counts another workspace's rows. */
function expectIsolated(r: Reply, collection: CollectionName, what: string): void {
  if (r.status !== 200) return;
  const ids: string[] = r.body.data.map((e: { id: string }) => e.id);
  expect(r.body.total_count, what).toBe(ids.length);
  for (const id of ids) {
    expect(foreign.has(id), `${what} answered ${id} of workspace 2`).toBe(false);
    expect(visible[collection].has(id), `${what} answered ${id}, not a ${collection} row of workspace 1`).toBe(true);
  }
  expect(r.body.total_count, what).toBeLessThanOrEqual(visible[collection].size);
}

const url = (collection: string, params: Record<string, string | undefined>) => {
  const qs = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
  return `${t.ws}/${collection}${qs ? `?${qs}` : ''}`;
};

// ---- properties ------------------------------------------------------------------------------------------

describe('random queries through HTTP', () => {
  it('grammar-built queries: 200 or an Octane 4xx; a 200 lists only workspace-1 rows, all of them counted', async () => {
    const query = fc
      .tuple(collectionArb, fc.boolean())
      .chain(([c, strict]) => fc.tuple(fc.constant(c), fc.constant(strict), expression(ENTITY[c], 2, strict), fc.boolean()));
    let strictRuns = 0;
    let strictOk = 0;
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(query, async ([collection, strict, statement, quoted]) => {
        const what = `${collection} ${statement}`;
        const r = await timedGet(url(collection, { query: quoted ? `"${statement}"` : statement, fields: 'id', limit: '2000' }));
        expectWellFormed(r, what);
        expectIsolated(r, collection, what);
        if (strict) strictRuns++;
        if (strict && r.status === 200) strictOk++;
        if (r.status === 200 && r.body.total_count > 0) nonEmpty++;
      }),
      { numRuns: 130 },
    );
    // well-typed queries are answered (or the test proves little): almost all of them with a 200,
    // and a fair share of them with rows
    expect(strictOk).toBeGreaterThanOrEqual(Math.floor(strictRuns * 0.9));
    expect(nonEmpty).toBeGreaterThan(10);
  });

  it('mutated queries and junk: never a 5xx, never a leak', async () => {
    const query = collectionArb.chain((c) =>
      fc.tuple(fc.constant(c), fc.oneof({ weight: 4, arbitrary: mutated(expression(ENTITY[c], 1, false)) }, { weight: 1, arbitrary: fc.string({ unit: charArb, maxLength: 40 }) })),
    );
    await fc.assert(
      fc.asyncProperty(query, async ([collection, statement]) => {
        const what = `${collection} ${JSON.stringify(statement)}`;
        const r = await timedGet(url(collection, { query: `"${statement}"`, fields: 'id', limit: '2000' }));
        expectWellFormed(r, what);
        expectIsolated(r, collection, what);
      }),
      { numRuns: 100 },
    );
  });

  it('random fields, order_by, limit and offset (with a query): 200 or an Octane 4xx, paging within bounds', async () => {
    const names = (c: CollectionName) => [...ENTITY[c].fieldMap.keys()];
    const fieldItem = (c: CollectionName) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...names(c)) },
        { weight: 1, arbitrary: fc.constantFrom('nope', 'owner{name,email}', 'release{name,sprints{name}}', 'parent{parent{parent{parent{name}}}}', 'name{x}', 'phase{', '', ' ', 'a b') },
      );
    const orderItem = (c: CollectionName) =>
      fc.tuple(fc.constantFrom('', '-', '+', '--'), fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...names(c)) }, { weight: 1, arbitrary: fc.constantFrom('nope', '', 'name desc', 'x.y') })).map(([s, f]) => s + f);
    const numberish = fc.oneof(fc.integer({ min: -3, max: 3000 }).map(String), fc.constantFrom('', 'abc', '1.5', '99999999999999999999', ' 5', '0x10'));
    const request = collectionArb.chain((c) =>
      fc.record({
        collection: fc.constant(c),
        query: fc.option(expression(ENTITY[c], 1, true), { nil: undefined }),
        fields: fc.option(fc.array(fieldItem(c), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(',')), { nil: undefined }),
        order_by: fc.option(fc.array(orderItem(c), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')), { nil: undefined }),
        limit: fc.option(numberish, { nil: undefined }),
        offset: fc.option(numberish, { nil: undefined }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, async (p) => {
        const params = { query: p.query === undefined ? undefined : `"${p.query}"`, fields: p.fields, order_by: p.order_by, limit: p.limit, offset: p.offset };
        const what = JSON.stringify(p);
        const r = await timedGet(url(p.collection, params));
        expectWellFormed(r, what);
        if (r.status !== 200) return;
        const limit = p.limit === undefined || p.limit === '' ? 100 : Number(p.limit);
        expect(r.body.data.length, what).toBeLessThanOrEqual(limit);
        expect(r.body.total_count, what).toBeLessThanOrEqual(visible[p.collection].size);
        for (const e of r.body.data) {
          expect(foreign.has(e.id), what).toBe(false);
          expect(visible[p.collection].has(e.id), what).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe('pathological statements through HTTP', () => {
  const chain = (term: string, n: number, sep: string) => Array(n).fill(term).join(sep);
  let nested = 'id EQ 1';
  for (let i = 0; i < 31; i++) nested = `parent EQ {${nested}}`;

  it.each([
    // long flat chains stay under the length limit; SQLite must not be handed an expression tree it refuses
    ['1,000 comparisons joined by ||', chain('id EQ 1', 1_000, '||')],
    ['2,400 comparisons joined by ;', chain('id EQ 1', 2_400, ';')],
    ['1,100 negated comparisons joined by ;', chain('!name EQ ^a^', 1_100, ';')],
    ['900 cross-filters joined by ||', chain('release EQ {id EQ 1}', 900, '||')],
    ['an IN list of 6,000 values', `id IN ${chain('1', 6_000, ',')}`],
    ['an IN list of 1,200 wildcard strings', `name IN ${chain('^a*^', 1_200, ',')}`],
    ['a negated IN list of 1,200 wildcard strings', `!name IN ${chain('^*a^', 1_200, ',')}`],
    ['an IN list of 1,000 logical names', `phase IN ${chain('^phase.defect.new^', 1_000, ',')}`],
    ['an IN list of 1,500 {null}', `release IN ${chain('{null}', 1_500, ',')}`],
    // each cross-filter matches the 124 seeded list nodes: 37,200 ids in all
    ['300 cross-filters over the list nodes', `severity IN ${chain('{id GT 0}', 300, ',')}`],
    ['250 cross-filters over the list nodes joined by ||', chain('severity EQ {id GT 0}', 250, '||')],
    ['31 nested cross-filters', nested],
    ['19,000 opening parentheses', '('.repeat(19_000)],
    ['a statement over the length limit', `name EQ ^${'a'.repeat(20_000)}^`],
  ])('%s: a 200 or an Octane 4xx, quickly', async (_what, statement) => {
    const r = await timedGet(url('defects', { query: `"${statement}"`, fields: 'id' }));
    expectWellFormed(r, `${_what} (${statement.length} characters)`);
  });
});

describe('isolation of workspaces', () => {
  it('workspace 1 sees exactly its own rows, and so does workspace 2', async () => {
    for (const c of COLLECTIONS) {
      const r = await t.get(url(c, { fields: 'id', limit: '2000' }));
      expect(r.status).toBe(200);
      expect(new Set(r.body.data.map((e: { id: string }) => e.id))).toEqual(visible[c]);
      expect(r.body.total_count).toBe(visible[c].size);
    }
    const r2 = await t.get(`${ws2Path}/defects?fields=id&limit=2000`);
    expect(r2.status).toBe(200);
    expect(r2.body.total_count).toBe(6);
    for (const e of r2.body.data) expect(foreign.has(e.id)).toBe(true);
  });

  it('ids, names and cross-filters that designate workspace-2 rows find nothing in workspace 1', async () => {
    const ws2Defects = (await t.get(`${ws2Path}/defects?fields=id&limit=2000`)).body.data.map((e: { id: string }) => e.id);
    const ws2Release = (await t.get(`${ws2Path}/releases?fields=id`)).body.data[0].id;
    const ws2Tag = (await t.get(`${ws2Path}/user_tags?fields=id`)).body.data[0].id;
    for (const statement of [
      `id IN ${ws2Defects.join(',')}`,
      `release EQ {id EQ ${ws2Release}}`,
      `release EQ ${ws2Release}`,
      `user_tags EQ {id EQ ${ws2Tag}}`,
      'user_tags EQ {name EQ ^red2^}',
      `parent EQ {release EQ {id EQ ${ws2Release}}}`,
    ]) {
      const r = await t.get(url('defects', { query: `"${statement}"`, fields: 'id' }));
      expect(r.status, `${statement}: ${r.text}`).toBe(200);
      expect(r.body.total_count, statement).toBe(0);
    }
    // while the same statements by name find workspace 1's own rows
    const own = await t.get(url('defects', { query: '"release EQ {name EQ ^R1^};name EQ ^weird*^"', fields: 'id' }));
    expect(own.body.total_count).toBeGreaterThan(0);
    for (const e of own.body.data) expect(visible.defects.has(e.id)).toBe(true);
  });
});
