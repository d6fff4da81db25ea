// Hostile input, fuzzed with fast-check through the HTTP layer (fastify.inject): read parameters
// of every workspace collection (building on test/query/fuzz.test.ts, which covers the query
// grammar of defects and work items in depth), JSON bodies of POST and PUT (wrong types, huge
// strings, 1000 levels of nesting, lone surrogates and NUL, nulls, arrays where objects belong,
// unknown and read-only fields, references to random ids and types), multipart attachment
// uploads (random part names, missing parts, huge names, binary junk, broken framing) and
// test-results XML (the documented shape, then mutated).
//
// Every answer is a 2xx or a 4xx in Octane's error shape, within QUICK_MS; never a 5xx, a crash
// or a hang. A refused write changes nothing at all in the database; an accepted one changes
// nothing in the other workspace and nothing in the sentinel entities no request can name; and
// `PRAGMA integrity_check` is ok at the end of each property.
//
// Case counts are modest here; `npm run fuzz` runs the same properties with FUZZ_RUNS cases each.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedEntity } from '../../src/resources/registry.js';
import type { FieldDescriptor } from '../../src/resources/types.js';
import { makeApp, PREVIEW, ref, type Reply, type TestApp } from '../helpers/app.js';
import { multipart, raw } from '../helpers/files.js';
import {
  answerProblem,
  changedTables,
  fuzzRuns,
  fuzzSeed,
  integrityCheck,
  LONG_FUZZ,
  quickDigest,
  referencedIds,
  rowsDigest,
  timeoutFor,
  workspaceDigest,
  workspaceIds,
} from '../helpers/reliability.js';
import { testResultXml, type TestRunXml } from '../helpers/test-results.js';
import { freshWorkspace, Workspace } from '../helpers/workspace.js';

/** Slowest acceptable answer to one request, in milliseconds. */
const QUICK_MS = 2_000;
/**
 * In the long mode the digests of workspace 2 and the sentinels run every CHECK_EVERY cases, and
 * the check that a refused write wrote nothing uses the light digest (counts, ids, stamps, links).
 */
const CHECK_EVERY = LONG_FUZZ ? 200 : 1;

let t: TestApp;
let w1: Workspace;
let w2: Workspace;
let w1Id: number;
let w2Id: number;
/** ids of every entity of workspace 2: never to appear in an answer about workspace 1 */
let foreign: Set<string>;
/** entities of workspace 1 that no generated request names: they must never change */
let sentinels: number[] = [];
/** ids and logical names the generators use as values */
const idPool: string[] = [];
/** the defect most PUTs go to */
let target = '';

const db = () => t.app.emulator.sql.sqlite;
const registry = () => t.app.emulator.registry;

/**
 * What the properties found, by signature (property, status, collection, error code): each with
 * how often it occurred and the shortest request that showed it. A property runs all its cases
 * and then fails listing every distinct finding, so that one bug does not hide the others.
 */
const findings = new Map<string, { count: number; example: string }>();
/** A raw reply as the answer checks read it: status, text, headers and the JSON body when there is one. */
function rawAnswer(res: { status: number; bytes: Buffer; headers: Record<string, unknown>; json(): unknown }) {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    body = undefined;
  }
  return { status: res.status, text: res.bytes.toString('utf8'), headers: res.headers, body };
}

function found(signature: string, example: string): void {
  const f = findings.get(signature);
  if (!f) findings.set(signature, { count: 1, example });
  else {
    f.count++;
    if (example.length < f.example.length) f.example = example;
  }
}
function expectNoFindings(property: string): void {
  const mine = [...findings].filter(([k]) => k.startsWith(`${property}:`)).map(([k, v]) => `${k} (x${v.count}) e.g. ${v.example.slice(0, 700)}`);
  expect(mine.join('\n'), `${property}: ${mine.length} distinct problem(s)`).toBe('');
}

/** Counters for docs/reliability.md. */
const stats: Record<string, { cases: number; ok: number; refused: number; codes: Record<string, number> }> = {};
function count(property: string, r: { status: number; body?: any }): void {
  const s = (stats[property] ??= { cases: 0, ok: 0, refused: 0, codes: {} });
  s.cases++;
  if (r.status < 300) s.ok++;
  else {
    s.refused++;
    const code = `${r.status} ${codeOf(r)}`;
    s.codes[code] = (s.codes[code] ?? 0) + 1;
  }
}

// ---- set-up ---------------------------------------------------------------------------------------

async function seed(w: Workspace, suffix: string): Promise<Record<string, string>> {
  const rel = await w.add('releases', { name: `R${suffix}`, start_date: '2024-01-01', end_date: '2024-12-31' });
  const sprint = await w.add('sprints', { name: `S${suffix}`, release: ref('release', rel), start_date: '2024-01-01', end_date: '2024-01-31' });
  const feature = await w.add('features', { name: `F${suffix}`, parent: ref('work_item_root', w.rootId), phase: ref('phase', 'phase.feature.new') });
  const story = await w.add('stories', { name: `St${suffix}`, parent: ref('feature', feature), phase: ref('phase', 'phase.story.new') });
  const defect = await w.add('defects', { name: `D${suffix}`, parent: ref('feature', feature), phase: ref('phase', 'phase.defect.new'), severity: ref('list_node', 'list_node.severity.high') });
  const tag = await w.add('user_tags', { name: `tag${suffix}` });
  const test = await w.add('manual_tests', { name: `MT${suffix}`, phase: ref('phase', 'phase.test_manual.new') });
  const task = await w.add('tasks', { name: `T${suffix}`, story: ref('story', story), phase: ref('phase', 'phase.task.new') });
  const comment = await w.add('comments', { text: `C${suffix}`, owner_work_item: ref('defect', defect) });
  const area = await w.add('product_areas', { name: `PA${suffix}`, parent: ref('product_area', w.productAreaRootId) });
  const run = await w.add('manual_runs', { name: `Run${suffix}`, test: ref('test_manual', test), release: ref('release', rel), native_status: ref('list_node', 'list_node.run_native_status.passed') });
  return { rel, sprint, feature, story, defect, tag, test, task, comment, area, run };
}

beforeAll(async () => {
  t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  w1Id = t.app.emulator.defaults.workspaceId;
  const roots = (await t.get(`${t.ws}/work_item_roots`)).body;
  w1 = new Workspace(t, t.ws, String(w1Id));
  w1.rootId = roots.data[0].id;
  w1.requirementRootId = (await t.get(`${t.ws}/requirement_roots`)).body.data[0].id;
  w1.productAreaRootId = await w1.idOf('product_areas', 'product_area.root');
  w2 = await freshWorkspace(t, 'fuzz-other');
  w2Id = Number(w2.id);

  const mine = await seed(w1, '');
  target = mine.defect;
  const theirs = await seed(w2, '-w2');
  // sentinels: created like the others, then never named by any generator
  const sFeature = await w1.add('features', { name: 'Sentinel feature', parent: ref('work_item_root', w1.rootId), phase: ref('phase', 'phase.feature.new') });
  const sDefect = await w1.add('defects', { name: 'Sentinel defect', parent: ref('feature', sFeature), phase: ref('phase', 'phase.defect.new') });
  const sComment = await w1.add('comments', { text: 'Sentinel comment', owner_work_item: ref('defect', sDefect) });
  const sRelease = await w1.add('releases', { name: 'Sentinel release', start_date: '2023-01-01', end_date: '2023-12-31' });
  sentinels = [sFeature, sDefect, sComment, sRelease].map(Number);

  idPool.push(...Object.values(mine), ...Object.values(theirs), w1.rootId, w2.rootId, String(t.app.emulator.defaults.adminUserId));
  idPool.push('phase.defect.new', 'phase.story.done', 'list_node.severity.high', 'list_node.priority.urgent', 'work_item_root', 'requirement_root', 'product_area.root');
  foreign = workspaceIds(db(), w2Id);
});

afterAll(async () => {
  // eslint-disable-next-line no-console
  if (LONG_FUZZ || process.env.FUZZ_STATS) console.log(`fuzz figures: ${JSON.stringify(stats)}`);
  await t?.close();
});

// ---- invariants ---------------------------------------------------------------------------------------

interface Baseline {
  other: Record<string, string>;
  sentinels: string;
}

function baseline(): Baseline {
  return { other: workspaceDigest(db(), w2Id), sentinels: rowsDigest(db(), sentinels) };
}

function expectUntouched(before: Baseline, what: string): void {
  expect(workspaceDigest(db(), w2Id), `workspace 2 changed after ${what.slice(0, 400)}`).toEqual(before.other);
  expect(rowsDigest(db(), sentinels), `a sentinel entity changed after ${what.slice(0, 400)}`).toBe(before.sentinels);
}

/** A 2xx answer mentions no entity of workspace 2 (references included). */
function expectNoForeign(r: { status: number; body?: any }, what: string): void {
  if (r.status >= 300 || !r.body) return;
  const leaked = referencedIds(r.body).filter((id) => foreign.has(id));
  expect(leaked, `answer to ${what.slice(0, 400)} names entities of workspace 2`).toEqual([]);
}

async function timed<T>(property: string, p: Promise<T>, what: string): Promise<T> {
  const started = performance.now();
  const r = await p;
  const ms = performance.now() - started;
  if (ms >= QUICK_MS) found(`${property}: slow answer`, `${Math.round(ms)} ms: ${what}`);
  return r;
}

/** The error code of an Octane error answer (single or bulk). */
function codeOf(r: { body?: any }): string {
  return String(r.body?.error_code ?? r.body?.errors?.[0]?.error_code ?? '-');
}

/** Records an improper answer (5xx, wrong error shape); true when the answer was fine. */
function checkAnswer(property: string, scope: string, r: { status: number; text: string; headers: Record<string, unknown>; body?: any }, what: string): boolean {
  const problem = answerProblem(r);
  if (!problem) return true;
  found(`${property}: ${r.status} ${r.status >= 500 ? 'server error' : 'badly shaped error'} on ${scope}`, `${what} -> ${problem}`);
  return false;
}

/**
 * One write case: the answer is proper; a refused write leaves the whole database as it was; an
 * accepted one names nothing of workspace 2; every CHECK_EVERY cases, workspace 2 and the
 * sentinels are compared with the baseline.
 */
async function writeCase(property: string, scope: string, before: Baseline, what: string, send: () => Promise<{ status: number; text: string; headers: Record<string, unknown>; body?: any }>) {
  // the test-results worker writes in the background: let it finish what earlier cases queued
  await t.app.emulator.testResults.drained();
  const q0 = quickDigest(db(), undefined, LONG_FUZZ);
  const r = await timed(property, send(), what);
  count(property, r);
  checkAnswer(property, scope, r, what);
  if (r.status >= 400) {
    const changed = changedTables(q0, quickDigest(db(), undefined, LONG_FUZZ));
    if (changed.length) found(`${property}: refused (${r.status} ${codeOf(r)}) but written on ${scope}`, `${what} -> ${r.text.slice(0, 200)}; changed ${changed.join(', ')}`);
  }
  expectNoForeign(r, what);
  if (stats[property].cases % CHECK_EVERY === 0) expectUntouched(before, what);
  return r;
}

function finalChecks(before: Baseline, property: string): void {
  expectUntouched(before, `the ${property} property`);
  expect(integrityCheck(db())).toBe('ok');
  expectNoFindings(property);
}

// ---- generators ------------------------------------------------------------------------------------

const LONE = ['\ud800', '\udfff', 'a\ud83d', '\udc00z', '\u0000', 'nul\u0000inside', '\uffff', '\ufeff', '\u202eevil', '😀', '日本語', 'e\u0301', '\r\n', '\t'];
const SQLISH = ["' OR 1=1 --", '"; DROP TABLE e_work_item; --', '1) UNION SELECT name FROM sqlite_master --', '%', '_', '\\', '^', "'", '*'];

/** Strings a client should never send: junk units, lone surrogates, NUL, huge ones. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(...LONE, ...SQLISH) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...LONE, ...SQLISH, 'x', ' '), { maxLength: 8 }).map((xs) => xs.join('')) },
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 1000, 4000, 70_000, 1_000_001, 2_000_000).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('2024-01-01', '2024-01-01T00:00:00Z', '2024-13-45', 'true', 'null', '1e999', '-0', '0x10', '') },
);

function deepObject(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}
function deepArray(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}
const deep = fc.oneof(fc.constantFrom(10, 100, 1000).map(deepObject), fc.constantFrom(10, 100, 1000).map(deepArray));

const idText = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 200 }).map((i) => idPool[i % idPool.length]) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 5000 }).map(String).filter((s) => !sentinels.includes(Number(s))) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '1.5', '1e3', '99999999999999999999', '-1', '0', "1' OR '1'='1", 'null') },
);
const idValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 6, arbitrary: idText }, { weight: 1, arbitrary: idText.map(Number) }, { weight: 1, arbitrary: fc.constantFrom(null, true, {}, [], 1.5) });

const allTypes = () => registry().entities.map((e) => e.type);

/** A `{type, id}` of a plausible type (one the field admits), or of any type, or malformed. */
function refValue(f: FieldDescriptor | undefined): fc.Arbitrary<unknown> {
  const admitted = f?.targets?.length ? registry().rowTypesOf(f.targets) : [];
  const type = admitted.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...admitted) }, { weight: 1, arbitrary: fc.constantFrom(...allTypes()) }) : fc.constantFrom(...allTypes());
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ type, id: idValue }) },
    { weight: 1, arbitrary: fc.record({ type: fc.oneof(type, hostileString), id: idValue, name: hostileString }) },
    { weight: 1, arbitrary: fc.record({ id: idValue }) },
    { weight: 1, arbitrary: fc.record({ type }) },
  );
}

/** Anything at all in JSON: every wrong type. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, '', [], {}) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.integer().map((n) => n) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.integer(), hostileString, fc.constant(null)), { maxLength: 4 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('data', 'id', 'type', 'name'), hostileString), fc.oneof(fc.integer(), hostileString, fc.constant(null)), { maxKeys: 3 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A value for a field: mostly of its type, often wrong. */
function fieldValue(f: FieldDescriptor): fc.Arbitrary<unknown> {
  let typed: fc.Arbitrary<unknown>;
  switch (f.type) {
    case 'string':
    case 'memo':
      typed = fc.oneof(fc.string({ maxLength: 20 }), hostileString);
      break;
    case 'integer':
      typed = fc.oneof(fc.integer({ min: -10, max: 1000 }), fc.constantFrom(2 ** 31, 2 ** 63, -(2 ** 53), 0.5, '12'));
      break;
    case 'float':
      typed = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('1.5', 1e308));
      break;
    case 'boolean':
      typed = fc.oneof(fc.boolean(), fc.constantFrom('true', 0, 1, 'yes'));
      break;
    case 'date':
      typed = fc.oneof(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), hostileString);
      break;
    case 'date_time':
      typed = fc.oneof(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), hostileString);
      break;
    case 'reference':
      typed = f.multiple
        ? fc.oneof({ weight: 4, arbitrary: fc.array(refValue(f), { maxLength: 3 }).map((data) => ({ data })) }, { weight: 1, arbitrary: fc.array(refValue(f), { maxLength: 2 }) }, { weight: 1, arbitrary: refValue(f) })
        : fc.oneof({ weight: 5, arbitrary: refValue(f) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: refValue(f).map((r) => ({ data: [r] })) });
      break;
    default:
      typed = fc.jsonValue({ maxDepth: 2 });
  }
  return fc.oneof({ weight: 3, arbitrary: typed }, { weight: 1, arbitrary: anyJson });
}

const memoItems = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

/** An item of `entity`: some of its fields (read-only ones included), sometimes unknown ones. */
function item(entity: ResolvedEntity): fc.Arbitrary<Record<string, unknown>> {
  const known = memoItems.get(entity.type);
  if (known) return known;
  const fields = [...entity.fieldMap.values()];
  const entry = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...fields).chain((f) => fieldValue(f).map((v) => [f.name, v] as const)) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constantFrom('nope', 'Name', 'name ', '__proto__x', 'constructor', 'toString', 'zz_udf', 'id', 'type', 'subtype'), hostileString), anyJson) },
  );
  const arb = fc.array(entry, { minLength: 0, maxLength: 6 }).map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) if (k !== '__proto__') o[k] = v;
    return o;
  });
  memoItems.set(entity.type, arb);
  return arb;
}

/** A body for a collection POST / PUT: mostly `{data:[…]}`, sometimes every other shape. */
function body(entity: ResolvedEntity): fc.Arbitrary<unknown> {
  const one = item(entity);
  return fc.oneof(
    { weight: 12, arbitrary: fc.array(one, { minLength: 1, maxLength: 3 }).map((data) => ({ data })) },
    { weight: 1, arbitrary: one },
    { weight: 1, arbitrary: fc.array(one, { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.oneof(anyJson, one.map((x) => ({ data: x })), fc.constant({ data: [] }), deep.map((d) => ({ data: [d] })), deep.map((d) => ({ data: [{ name: d }] }))) },
  );
}

function workspaceEntities(pred: (e: ResolvedEntity) => boolean): ResolvedEntity[] {
  return registry().entities.filter((e) => e.level === 'workspace' && !e.binaryContent && pred(e));
}

/** Collections written most are the ones with the richest rules. */
const FAVOURITES = ['defects', 'stories', 'features', 'work_items', 'releases', 'sprints', 'tasks', 'comments', 'manual_tests', 'manual_runs', 'runs', 'tests', 'requirement_documents', 'product_areas', 'user_tags'];

/** A collection name (not the entity object, so that counterexamples print short). */
function collectionArb(method: 'POST' | 'PUT' | 'GET'): fc.Arbitrary<string> {
  const shape = method === 'PUT' ? 'instance' : 'collection';
  const all = workspaceEntities((e) => (e.methods[shape] as readonly string[]).includes(method)).map((e) => e.collection);
  const fav = all.filter((c) => FAVOURITES.includes(c));
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fav) }, { weight: 1, arbitrary: fc.constantFrom(...all) });
}
const entityOf = (collection: string) => registry().collection('workspace', collection)!;

const headersArb = fc.oneof({ weight: 4, arbitrary: fc.constant(PREVIEW) }, { weight: 1, arbitrary: fc.constant({}) });

/** Sends a JSON body as bytes (so that lone surrogates go out as JSON escapes, as clients send them). */
function sendJson(method: 'POST' | 'PUT', url: string, payload: unknown, headers: Record<string, string>) {
  let text: string;
  try {
    text = JSON.stringify(payload);
  } catch {
    text = '{"data":[{}]}';
  }
  return t.request(method, url, text ?? 'null', { 'content-type': 'application/json', ...headers });
}

/**
 * Percent-encoding of the UTF-8 bytes of a text, as clients send it (a lone surrogate cannot be
 * sent as UTF-8: it goes out as U+FFFD, as Buffer encodes it).
 */
function pct(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const encodeQs = (params: Record<string, string | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${pct(v!)}`)
    .join('&');

/** Raw junk a client may put in a query string: broken escapes, invalid UTF-8, NUL. */
const rawJunk = fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('&%', '&x=%ZZ', '&query=%FF%FE', '&fields=%ED%A0%80', '&limit=%00', '&query=%22id%20EQ%201', '&&&', '&order_by=%C0%AF', '&text_search=%E2%82') });

// ---- read parameters over every collection ---------------------------------------------------------------

function readParams(entity: ResolvedEntity) {
  const fields = [...entity.fieldMap.values()];
  const names = fields.map((f) => f.name);
  const filterable = fields.filter((f) => f.filterable);
  const sortable = fields.filter((f) => f.sortable).map((f) => f.name);
  const badName = fc.oneof(fc.constantFrom('nope', 'ID', 'name;', 'a.b', '', 'x_udf'), hostileString);
  const fieldName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: badName });
  const anyValue = fc.oneof(
    idText.map((v) => (/^\d+$/.test(v) ? v : `^${v.replace(/\^/g, '\\^')}^`)),
    hostileString.map((s) => `^${s}^`),
    hostileString.map((s) => `'${s}'`),
    fc.constantFrom('null', '{null}', 'true', '[current_user]', '{id EQ 1}', '2024-01-01T00:00:00Z', '5', '-1', '1e400'),
  );
  /** A value the field's type takes, so that well-formed queries get answered. */
  const typedValue = (f: FieldDescriptor): fc.Arbitrary<string> => {
    switch (f.type) {
      case 'integer':
      case 'float':
        return fc.integer({ min: -5, max: 3000 }).map(String);
      case 'boolean':
        return fc.constantFrom('true', 'false');
      case 'date':
      case 'date_time':
        return fc.constantFrom('^2024-01-01T00:00:00Z^', '^2030-01-01T00:00:00Z^');
      case 'reference':
        return fc.oneof(fc.constant('{null}'), idText.filter((v) => /^\d+$/.test(v)).map((v) => `{id EQ ${v}}`));
      default:
        return fc.oneof(fc.constantFrom('^D*^', '^*^', '^R^', "'x'"), fc.string({ maxLength: 6 }).map((s) => `^${s.replace(/[\\^]/g, '')}*^`));
    }
  };
  const typed = fc.constantFrom(...filterable).chain((f) => fc.tuple(fc.constant(f.name), fc.constantFrom('EQ', 'LT', 'GT', 'LE', 'GE', '<', '>='), typedValue(f)).map(([n, op, v]) => (f.type === 'reference' ? `${n} EQ ${v}` : `${n} ${op} ${v}`)));
  const loose = fc
    .tuple(fieldName, fc.constantFrom('EQ', 'LT', 'GT', 'LE', 'GE', 'IN', 'BTW', '=', '<', '>', 'NE', 'LIKE'), fc.array(anyValue, { minLength: 1, maxLength: 2 }))
    .map(([f, op, vs]) => (op === 'BTW' ? `${f} BTW ${vs[0]}...${vs[vs.length - 1]}` : op === 'IN' ? `${f} IN ${vs.join(',')}` : `${f} ${op} ${vs[0]}`));
  const comparison = fc.oneof({ weight: 3, arbitrary: typed }, { weight: 1, arbitrary: loose });
  const statement = fc
    .array(fc.tuple(fc.constantFrom('', '', '!'), comparison, fc.constantFrom(';', '||')), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.map(([neg, c, join], i) => `${i ? join : ''}${neg}${neg ? `(${c})` : c}`).join(''));
  const junk = (s: string, cuts: number[]) => cuts.reduce((acc, at) => acc.slice(0, at % (acc.length + 1)) + acc.slice((at % (acc.length + 1)) + 1), s);
  const query = fc.oneof(
    { weight: 6, arbitrary: statement.map((s) => `"${s}"`) },
    { weight: 1, arbitrary: fc.tuple(statement, fc.array(fc.nat(), { minLength: 1, maxLength: 3 })).map(([s, cuts]) => `"${junk(s, cuts)}"`) },
    { weight: 1, arbitrary: hostileString },
  );
  const numberish = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 2000 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('-1', '2001', '', 'abc', '1.5', '99999999999999999999', ' 5', '0x10', '1e3', '1; DROP TABLE e_work_item') });
  const fieldItem = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom('owner{name}', 'parent{parent{name}}', 'a{', '}', 'x{y{z{w{v}}}}') }, { weight: 1, arbitrary: badName });
  const orderKey = fc.oneof({ weight: 6, arbitrary: sortable.length ? fc.constantFrom(...sortable) : fc.constant('id') }, { weight: 1, arbitrary: fieldName });
  const maybe = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
  return fc.record({
    query: maybe(query),
    fields: maybe(fc.array(fieldItem, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(','))),
    order_by: maybe(fc.array(fc.tuple(fc.constantFrom('', '-', '+'), orderKey), { minLength: 1, maxLength: 3 }).map((xs) => xs.map(([s, f]) => s + f).join(','))),
    limit: maybe(numberish),
    offset: maybe(numberish),
    text_search: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('D', 'R', 'Login', 'x').map((text) => JSON.stringify({ type: 'global', text })) }, { weight: 1, arbitrary: hostileString.map((text) => JSON.stringify({ type: 'global', text })) }, { weight: 1, arbitrary: hostileString }), { nil: undefined, freq: 4 }),
    group_by: fields.some((f) => f.groupable) ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fields.filter((f) => f.groupable).map((f) => f.name)) }, { weight: 1, arbitrary: fieldName }) : fieldName,
  });
}

describe('fuzzed reads of every workspace collection', () => {
  const runs = fuzzRuns(150);
  it(`list, instance and groups reads with random query, fields, order_by, limit, offset, text_search (${runs} cases)`, { timeout: timeoutFor(runs, 10) }, async () => {
    const before = baseline();
    const q0 = quickDigest(db());
    const arb = collectionArb('GET').chain((c) =>
      fc.record({ collection: fc.constant(c), params: readParams(entityOf(c)), shape: fc.constantFrom('list', 'list', 'list', 'instance', 'groups'), id: idText, junk: rawJunk, headers: headersArb }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ collection, params, shape, id, junk, headers }) => {
        const base = `${t.ws}/${collection}`;
        const url =
          shape === 'list'
            ? `${base}?${encodeQs({ ...params, group_by: undefined })}${junk}`
            : shape === 'instance'
              ? `${base}/${pct(id)}?${encodeQs({ fields: params.fields })}${junk}`
              : `${base}/groups?${encodeQs({ group_by: params.group_by, query: params.query })}${junk}`;
        const r = await timed('reads', t.get(url, headers), url);
        count('reads', r);
        if (!checkAnswer('reads', `${shape} ${collection}`, r, `GET ${url}`)) return;
        expectNoForeign(r, url);
        if (r.status === 200 && shape === 'list') {
          expect(typeof r.body.total_count).toBe('number');
          expect(Array.isArray(r.body.data)).toBe(true);
          const limit = params.limit === undefined || params.limit.trim() === '' ? 100 : Number(params.limit);
          expect(r.body.data.length).toBeLessThanOrEqual(limit);
          for (const e of r.body.data) expect(foreign.has(e.id), `${url}: ${e.id} of workspace 2`).toBe(false);
        }
        if (r.status === 200 && shape === 'groups') {
          expect(r.body.groups.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBeLessThanOrEqual(workspaceIds(db(), w1Id).size);
        }
      }),
      { numRuns: runs, ...fuzzSeed() },
    );
    // reads write nothing (besides the session's last-seen time)
    expect(changedTables(q0, quickDigest(db()))).toEqual([]);
    finalChecks(before, 'reads');
  });
});

// ---- JSON bodies ---------------------------------------------------------------------------------------------

describe('fuzzed JSON bodies', () => {
  it(`POST to every workspace collection: wrong types, huge and broken strings, deep nesting, unknown and read-only fields (${fuzzRuns(200)} cases)`, { timeout: timeoutFor(fuzzRuns(200), 15) }, async () => {
    const runs = fuzzRuns(200);
    const before = baseline();
    // `fields` on a write names real fields here: an unknown one is the subject of a regression
    // test below (the write happens, then the answer is a 400)
    const arb = collectionArb('POST').chain((c) =>
      fc.record({
        collection: fc.constant(c),
        body: body(entityOf(c)),
        partial: fc.constantFrom(undefined, 'true', 'false'),
        fields: fc.option(fc.subarray([...entityOf(c).fieldMap.keys()], { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')), { nil: undefined }),
        headers: headersArb,
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ collection, body: payload, partial, fields, headers }) => {
        const url = `${t.ws}/${collection}${partial || fields ? `?${encodeQs({ partial, fields })}` : ''}`;
        const what = `POST ${url} ${safeJson(payload)}`;
        const r = await writeCase('post', collection, before, what, () => sendJson('POST', url, payload, headers));
        if (r.status === 201) {
          expect(r.body.total_count, what).toBe(r.body.data.length);
          for (const e of r.body.data) {
            const row = findRow(Number(e.id));
            expect(row, `${what}: created ${e.id} is not in the database`).toBeDefined();
            expect(row!.workspace_id, `${what}: created ${e.id} in workspace ${row!.workspace_id}`).toBe(w1Id);
          }
        }
      }),
      { numRuns: runs, ...fuzzSeed() },
    );
    finalChecks(before, 'POST');
  });

  it(`PUT on an entity, on a collection and by query (${fuzzRuns(200)} cases)`, { timeout: timeoutFor(fuzzRuns(200), 15) }, async () => {
    const runs = fuzzRuns(200);
    const before = baseline();
    const defect = registry().entity('defect');
    const arb = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('defect' as const), collection: fc.constant('defects'), id: fc.oneof({ weight: 4, arbitrary: fc.constant(target) }, { weight: 1, arbitrary: idText }), body: fc.oneof({ weight: 4, arbitrary: item(defect) }, { weight: 1, arbitrary: body(defect) }), stamp: fc.option(fc.oneof(fc.integer({ min: -1, max: 50 }), fc.constantFrom('1', 'x', null)), { nil: undefined }) }) },
      { weight: 2, arbitrary: collectionArb('PUT').chain((c) => fc.record({ kind: fc.constant('instance' as const), collection: fc.constant(c), id: idText, body: item(entityOf(c)), stamp: fc.constant(undefined) })) },
      { weight: 2, arbitrary: collectionArb('PUT').chain((c) => fc.record({ kind: fc.constant('collection' as const), collection: fc.constant(c), id: idText, body: fc.array(fc.tuple(idValue, item(entityOf(c))).map(([id, x]) => ({ ...x, id })), { minLength: 1, maxLength: 3 }).map((data) => ({ data })), stamp: fc.constant(undefined) })) },
      { weight: 1, arbitrary: collectionArb('PUT').chain((c) => fc.record({ kind: fc.constant('query' as const), collection: fc.constant(c), id: idText, body: item(entityOf(c)).map((x) => ({ data: [x] })), stamp: fc.constant(undefined) })) },
    );
    await fc.assert(
      fc.asyncProperty(arb, headersArb, async (c, headers) => {
        const base = `${t.ws}/${c.collection}`;
        const payload = c.stamp === undefined || typeof c.body !== 'object' || c.body === null || Array.isArray(c.body) ? c.body : { ...(c.body as object), version_stamp: c.stamp };
        const url =
          c.kind === 'defect' || c.kind === 'instance'
            ? `${base}/${pct(c.id)}`
            : c.kind === 'query'
              ? `${base}?query=${pct(`"id EQ ${/^\d+$/.test(c.id) && !sentinels.includes(Number(c.id)) ? c.id : target}"`)}`
              : base;
        const what = `PUT ${url} ${safeJson(payload)}`;
        const r = await writeCase('put', `${c.kind} ${c.collection}`, before, what, () => sendJson('PUT', url, payload, headers));
        if (r.status === 200 && c.kind === 'defect' && c.id === target) {
          expect(r.body.id, what).toBe(target);
          expect(findRow(Number(target))!.workspace_id).toBe(w1Id);
        }
      }),
      { numRuns: runs, ...fuzzSeed() },
    );
    finalChecks(before, 'PUT');
  });

  it('raw bodies that are not JSON, or barely: answered 400/415, nothing written', { timeout: timeoutFor(fuzzRuns(100), 10) }, async () => {
    const runs = fuzzRuns(100);
    const before = baseline();
    const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ data: [v] }));
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.tuple(json, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([s, at, junk]) => {
        const b = Buffer.from(s);
        const i = at % (b.length + 1);
        return Buffer.concat([b.subarray(0, i), Buffer.from(junk), b.subarray(i)]);
      }),
      fc.constantFrom('{"data":[{"name":"a"}', '{"data":[{"name":"\\ud800"}]}', '{"data":[{"name":"\\u0000"}]}', '{"data":[{"name":1}]}x', '\ufeff{"data":[]}', '{"__proto__":{"a":1},"data":[]}', '{"data":[{"constructor":{"prototype":{"x":1}}}]}', '[' .repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)).map((s) => Buffer.from(s)),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data', 'image/png', '');
    await fc.assert(
      fc.asyncProperty(bytes, contentType, fc.constantFrom('POST', 'PUT'), fc.constantFrom('defects', 'stories', 'releases', `defects/${target}`), async (payload, type, method, rest) => {
        const url = `${t.ws}/${rest}`;
        const what = `${method} ${url} (${type}) ${JSON.stringify(payload.toString('latin1').slice(0, 200))}`;
        await writeCase('raw', `${method} ${rest.split('/')[0]} (${type || 'no type'})`, before, what, async () => {
          const res = await t.app.inject({ method: method as 'POST', url, cookies: t.cookies, headers: type ? { 'content-type': type } : {}, payload });
          let parsed: unknown;
          try {
            parsed = JSON.parse(res.body);
          } catch {
            parsed = undefined;
          }
          return { status: res.statusCode, text: res.body, headers: res.headers, body: parsed };
        });
      }),
      { numRuns: runs, ...fuzzSeed() },
    );
    finalChecks(before, 'raw bodies');
  });
});

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 400 ? `${s.slice(0, 400)}…(${s.length} chars)` : s;
  } catch {
    return String(v);
  }
}

function findRow(id: number): { workspace_id: number | null; table: string } | undefined {
  for (const { name } of db().prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'e\\_%' ESCAPE '\\'").all() as Array<{ name: string }>) {
    const row = db().prepare(`SELECT workspace_id FROM "${name}" WHERE id = ?`).get(id) as { workspace_id: number | null } | undefined;
    if (row) return { ...row, table: name };
  }
  return undefined;
}

// ---- multipart uploads -----------------------------------------------------------------------------------------

describe('fuzzed attachment uploads', () => {
  it(`multipart bodies: random part names, missing parts, huge and hostile names, junk bytes, broken framing (${fuzzRuns(150)} cases)`, { timeout: timeoutFor(fuzzRuns(150), 15) }, async () => {
    const runs = fuzzRuns(150);
    const before = baseline();
    const ownerField = fc.constantFrom('owner_work_item', 'owner_test', 'owner_run', 'owner_release', 'owner_requirement', 'owner', 'nope');
    const entityPart = fc.oneof(
      { weight: 5, arbitrary: fc.record({ name: fc.oneof(fc.constantFrom('notes.txt', 'shot.png', 'a.log', 'report.pdf', 'x.zip'), hostileString.map((s) => `${s}.txt`), hostileString), field: ownerField, owner: refValue(registry().entity('attachment').fieldMap.get('owner_work_item')) }, { requiredKeys: ['field', 'owner'] }).map((e) => JSON.stringify({ name: e.name, [e.field]: e.owner })) },
      { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{"data":[]}', '{"data":[{},{}]}', '{', 'not json', '"x"') },
      { weight: 1, arbitrary: anyJson.map((v) => safeJson(v)) },
    );
    const part = fc.record(
      {
        name: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('entity', 'content', 'file') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', 'Entity', 'content ', 'blob', 'x'.repeat(10_000)), hostileString) }),
        value: fc.oneof(entityPart, fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.constantFrom(Buffer.alloc(0), Buffer.from('%PDF-1.4 junk'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))),
        filename: fc.option(fc.oneof(fc.constantFrom('blob', 'notes.txt', '../../etc/passwd', 'C:\\boot.ini', 'con.txt', 'a"b.txt', 'x'.repeat(5000) + '.txt'), hostileString), { nil: undefined }),
        contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'image/png', 'x/y; charset=evil', ''), { nil: undefined }),
      },
      { requiredKeys: ['name', 'value'] },
    );
    type Damage = { damaged: boolean; apply: (b: Buffer) => Buffer };
    const damage: fc.Arbitrary<Damage> = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ damaged: false, apply: (b: Buffer) => b }) },
      { weight: 1, arbitrary: fc.nat().map((at) => ({ damaged: true, apply: (b: Buffer) => b.subarray(0, at % (b.length + 1)) })) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, junk]) => ({
          damaged: true,
          apply: (b: Buffer) => {
            const i = at % (b.length + 1);
            return Buffer.concat([b.subarray(0, i), Buffer.from(junk), b.subarray(i)]);
          },
        })),
      },
    );
    const typeHeader = fc.oneof({ weight: 6, arbitrary: fc.constant('keep') }, { weight: 1, arbitrary: fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=nope', 'multipart/mixed; boundary=x', 'application/octet-stream') });
    // the documented upload shape, so that a fair share succeed
    const good = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.constantFrom('notes.txt', 'trace.log', 'dump.xml', 'ünïcødé name.txt', "quote's.txt")).map(([bytes, name]) => ({
      parts: [
        { name: 'entity', value: JSON.stringify({ name, owner_work_item: ref('defect', target) }), filename: 'blob', contentType: 'application/json' },
        { name: 'content', value: Buffer.from(bytes), filename: name, contentType: 'application/octet-stream' },
      ],
      damage: { damaged: false, apply: (b: Buffer) => b } as Damage,
      type: 'keep',
    }));
    const arb = fc.oneof({ weight: 1, arbitrary: good }, { weight: 3, arbitrary: fc.record({ parts: fc.array(part, { maxLength: 4 }), damage, type: typeHeader }) });
    let created = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ({ parts, damage: hurt, type }) => {
        const form = await multipart(parts);
        const payload = hurt.apply(form.body);
        const contentType = type === 'keep' ? form.contentType : type;
        const what = `multipart upload ${safeJson(parts.map((p) => ({ name: p.name.slice(0, 80), filename: p.filename?.slice(0, 80), value: Buffer.isBuffer(p.value) ? `${p.value.length} bytes` : String(p.value).slice(0, 120) })))} (${payload.length} bytes, ${contentType})`;
        const r = await writeCase('multipart', `attachments (${contentType.split(';')[0]})`, before, what, async () => {
          const res = await raw(t, 'POST', `${t.ws}/attachments`, payload, { 'content-type': contentType });
          return rawAnswer(res);
        });
        if (r.status === 201) {
          created++;
          const id = r.body.data[0].id;
          const content = parts.find((p) => p.name === 'content' || p.name === 'file');
          const d = await raw(t, 'GET', `${t.ws}/attachments/${id}`, undefined, { accept: 'application/octet-stream' });
          expect(d.status).toBe(200);
          if (content && !hurt.damaged && parts.filter((p) => p.name === 'content' || p.name === 'file').length === 1) expect(createHash('sha256').update(d.bytes).digest('hex')).toBe(createHash('sha256').update(content.value as Buffer).digest('hex'));
          expect(String(d.headers['content-disposition'] ?? '')).not.toMatch(/[\r\n]/);
          expect(findRow(Number(id))!.workspace_id).toBe(w1Id);
        }
      }),
      { numRuns: runs, ...fuzzSeed() },
    );
    expect(created, 'some uploads of the documented shape succeed').toBeGreaterThan(0);
    finalChecks(before, 'multipart');
  });
});

// ---- test-results XML --------------------------------------------------------------------------------------------

describe('fuzzed test-results XML', () => {
  it(`payloads of the documented shape, then mutated: 202 or 400; every accepted task ends (${fuzzRuns(120)} cases)`, { timeout: timeoutFor(fuzzRuns(120), 30) }, async () => {
    const runs = fuzzRuns(120);
    const before = baseline();
    const plain = fc.string({ unit: fc.constantFrom(...'abcXYZ019 _.-éü日<>&"\''.split('')), minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0);
    const runOf = (text: fc.Arbitrary<string>): fc.Arbitrary<TestRunXml> => fc.record(
      {
        module: text,
        package: text,
        class: text,
        name: text,
        status: fc.constantFrom('Passed', 'Failed', 'Skipped'),
        duration: fc.integer({ min: 0, max: 100_000 }),
        started: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
        error: fc.record({ type: text, message: text, stack: text }),
      },
      { requiredKeys: ['package', 'class', 'name', 'status', 'duration', 'started'] },
    );
    const docOf = (text: fc.Arbitrary<string>) =>
      fc
        .record({ server: text, job: text, build: text, release: fc.option(fc.constantFrom('R', 'no such release', 'R-w2'), { nil: null }), runs: fc.array(runOf(text), { maxLength: 6 }) })
        .map((d) => ({ xml: testResultXml({ serverId: d.server, jobId: d.job, buildId: d.build }, d.release, d.runs), knownRelease: d.release === null || d.release === 'R' }));
    const doc = docOf(plain);
    const hostileDoc = docOf(fc.oneof(plain, hostileString)).map((d) => d.xml);
    const snippets = ['<', '>', '&', '&amp;', '&#0;', '&#xD800;', '&lol;', '<![CDATA[x]]>', '<!--', '<?x', '<?pi ', '?>', '"', "'", '</test_run>', '<test_run name="x" status="Passed"/>', '<x/>', '\u0000', '\ud800', ' status="Bogus"', ' duration="-5"', ' started="1e99"', '<!DOCTYPE x>', '<?xml version="1.0"?>', 'x'.repeat(5000)];
    const mutation = fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace', 'truncate'), fc.nat(), fc.nat({ max: 20 }), fc.constantFrom(...snippets)), { minLength: 1, maxLength: 3 });
    const payload = fc.oneof(
      { weight: 2, arbitrary: doc.map((d) => ({ xml: d.xml, mutated: false, knownRelease: d.knownRelease })) },
      {
        weight: 3,
        arbitrary: fc.tuple(doc, mutation).map(([d, edits]) => {
          let out = d.xml;
          for (const [kind, at, len, s] of edits) {
            const i = out.length ? at % out.length : 0;
            if (kind === 'insert') out = out.slice(0, i) + s + out.slice(i);
            else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + len);
            else if (kind === 'replace') out = out.slice(0, i) + s + out.slice(i + s.length);
            else out = out.slice(0, i);
          }
          return { xml: out, mutated: true, knownRelease: false };
        }),
      },
      { weight: 1, arbitrary: hostileDoc.map((xml) => ({ xml, mutated: true, knownRelease: false })) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((xml) => ({ xml, mutated: true, knownRelease: false })) },
    );
    const accepted: Array<{ id: number; valid: boolean }> = [];
    await fc.assert(
      fc.asyncProperty(payload, fc.boolean(), fc.constantFrom('', '?skip-errors=true', '?skip-errors=false', '?skip-errors=maybe'), fc.constantFrom('application/xml', 'text/xml', 'application/json'), async ({ xml, mutated, knownRelease }, gzip, query, type) => {
        const url = `${t.ws}/test-results${query}`;
        const bytes = gzip ? gzipSync(Buffer.from(xml, 'utf8')) : Buffer.from(xml, 'utf8');
        const what = `POST ${url} (${type}${gzip ? ', gzip' : ''}) ${JSON.stringify(xml.slice(0, 500))}`;
        const r = await writeCase('test-results', `test-results (${type})`, before, what, async () => {
          const res = await raw(t, 'POST', url, bytes, { 'content-type': type, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
          return rawAnswer(res);
        });
        if (!mutated && type !== 'application/json' && query !== '?skip-errors=maybe') expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBe(202);
        if (r.status === 202) {
          expect(typeof r.body.id).toBe('number');
          accepted.push({ id: r.body.id, valid: !mutated && knownRelease });
        }
        // in the long mode, let the worker catch up now and then
        if (accepted.length % 200 === 199) await t.app.emulator.testResults.drained();
      }),
      { numRuns: runs, ...fuzzSeed() },
    );
    await t.app.emulator.testResults.drained();
    const statuses = new Map<string, number>();
    for (const { id, valid } of accepted) {
      const s = await t.get(`${t.ws}/test-results/${id}`);
      expect(s.status).toBe(200);
      const status = String(s.body.status).toLowerCase();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(['success', 'warning', 'failed'], `task ${id}`).toContain(status);
      if (valid) expect(['success', 'warning'], `task ${id} of a valid payload: ${JSON.stringify(s.body.errors)}`).toContain(status);
    }
    expect(accepted.length, 'some payloads are accepted').toBeGreaterThan(0);
    finalChecks(before, 'test-results');
  });
});

// ---- what the properties found, as plain regression tests ---------------------------------------------

describe('findings of the fuzzing, one request each', () => {
  it('POST with `fields` naming an unknown field: the 400 comes before the write (nothing is created)', async () => {
    const name = `fields-probe-${Date.now()}`;
    const r = await t.post(`${t.ws}/defects?fields=nope`, { data: [{ name, phase: ref('phase', 'phase.defect.new') }] });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('platform.unknown_field');
    const after = await t.get(`${t.ws}/defects?query=${pct(`"name EQ ^${name}^"`)}`);
    expect(after.body.total_count, 'a defect was created although the answer was 400').toBe(0);
  });

  const refusedPuts: Array<[string, (id: string) => string, (id: string) => unknown]> = [
    ['PUT on the entity', (id) => `defects/${id}?fields=nope`, () => ({ name: 'renamed by a refused PUT' })],
    ['PUT on the collection', () => 'defects?fields=nope', (id) => ({ data: [{ id, name: 'renamed by a refused PUT' }] })],
    ['PUT by query', (id) => `defects?query=${pct(`"id EQ ${id}"`)}&fields=nope`, () => ({ data: [{ name: 'renamed by a refused PUT' }] })],
    ['PUT on the entity, sub-fields of a plain field', (id) => `defects/${id}?fields=name{x}`, () => ({ name: 'renamed by a refused PUT' })],
  ];
  it.each(refusedPuts)('%s with a `fields` that cannot be rendered: the 400 comes before the update (nothing changes)', async (_label, path, payload) => {
    const [id] = await t.create('defects', { name: 'fields probe', phase: ref('phase', 'phase.defect.new') });
    const before = (await t.get(`${t.ws}/defects/${id}?fields=name,version_stamp`)).body;
    const r = await t.request('PUT', `${t.ws}/${path(id)}`, payload(id));
    expect(r.status).toBe(400);
    const after = (await t.get(`${t.ws}/defects/${id}?fields=name,version_stamp`)).body;
    expect({ name: after.name, version_stamp: after.version_stamp }, 'the defect was updated although the answer was 400').toEqual({ name: before.name, version_stamp: before.version_stamp });
  });

  it.each([
    ['multipart/form-data (no boundary), empty body', 'multipart/form-data', ''],
    ['multipart/form-data (no boundary), some bytes', 'multipart/form-data', 'abc'],
    ['a boundary the body never uses', 'multipart/form-data; boundary=X', 'junk'],
    ['a part cut off before its end', 'multipart/form-data; boundary=X', '--X\r\nContent-Disposition: form-data; name="content"; filename="a.txt"\r\n\r\nab'],
  ])('a malformed multipart upload (%s) is a 400 in Octane\'s error shape, not a 500', async (_label, contentType, payload) => {
    const r = await raw(t, 'POST', `${t.ws}/attachments`, Buffer.from(payload), { 'content-type': contentType });
    expect(r.status, r.bytes.toString()).toBe(400);
    expect(r.json().error_code).toBe('platform.bad_request');
  });

  it.each([
    ['after the root', '<test_result><test_runs/></test_result><?x'],
    ['after the root, with a declaration', '<?xml version="1.0"?><test_result><test_runs/></test_result><?pi'],
    ['as the whole rest', '<x/><?xm'],
    ['in a broken declaration', '<?xml version="<x/> encoding="UTF-8"?>\n<test_result><test_runs></test_runs></test_result>'],
  ])('test-results XML with an unterminated processing instruction (%s) is a 400, not a 500', async (_label, xml) => {
    const r = await t.request('POST', `${t.ws}/test-results`, xml, { 'content-type': 'application/xml' });
    expect(r.status, r.text.slice(0, 200)).toBe(400);
    expect(r.body.error_code).toBe('platform.bad_request');
  });
});
