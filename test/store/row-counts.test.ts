// The maintained row counts (src/store/schema-sync.ts ROW_COUNT_TABLE) that answer total_count of
// unfiltered and subtype-only lists: after every write path (single and bulk POST, PUT, DELETE by
// id and by query, rolled-back bulks and transactions, test-results ingestion, fixtures, the
// generator's bulk insert, snapshot restore, another connection's writes) the table equals a
// count of the rows, and lists answer the same total_count as a filtered count does.

import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testResultsPayload } from '../../bench/lib/test-results-payload.js';
import { generateDefects } from '../../bench/lib/generate.js';
import { Emulator } from '../../src/emulator.js';
import { ROW_COUNT_TABLE } from '../../src/store/schema-sync.js';
import { readFixture } from '../../src/store/fixtures.js';
import { makeApp, PREVIEW, type TestApp } from '../helpers/app.js';
import { q } from '../helpers/octane.js';
import { freshWorkspace, PHASE, type Workspace } from '../helpers/workspace.js';

type Db = BetterSqlite3.Database;

/** Differences between the maintained counts and a count of every entity table's rows. */
function drift(db: Db): string[] {
  const maintained = new Map<string, number>();
  for (const r of db.prepare(`select key, n from ${ROW_COUNT_TABLE} where n <> 0`).all() as Array<{ key: string; n: number }>) maintained.set(r.key, r.n);
  const actual = new Map<string, number>();
  const tables = db.prepare(`select name from sqlite_master where type = 'table' and name like 'e\\_%' escape '\\'`).all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const store = name.slice(2);
    const rows = db.prepare(`select shared_space_id s, workspace_id w, type, count(*) n from "${name}" group by 1, 2, 3`).all() as Array<{ s: number | null; w: number | null; type: string; n: number }>;
    for (const r of rows) actual.set(`${store}:${r.s ?? ''}:${r.w ?? ''}:${r.type}`, r.n);
  }
  const out: string[] = [];
  for (const key of new Set([...maintained.keys(), ...actual.keys()])) {
    if (maintained.get(key) !== actual.get(key)) out.push(`${key}: kept ${maintained.get(key)}, counted ${actual.get(key)}`);
  }
  return out;
}

let t: TestApp;
let w: Workspace;
const db = () => t.app.emulator.sql.sqlite;
const exact = () => expect(drift(db())).toEqual([]);

/** total_count of a list, from the maintained counts where the list allows it. */
async function total(rest: string, headers?: Record<string, string>): Promise<number> {
  const r = await w.get(rest, headers);
  expect(r.status, r.text).toBe(200);
  return r.body.total_count;
}

/** The same list with a filter that always holds (id GT 0), which makes the count a real count. */
function counted(collection: string, query?: string, headers?: Record<string, string>): Promise<number> {
  return total(`${collection}?limit=1&${q(query ? `(${query});id GT 0` : 'id GT 0')}`, headers);
}

beforeAll(async () => {
  t = await makeApp({ ciTaskPollMs: 20 });
  w = await freshWorkspace(t);
});
afterAll(() => t.close());

const defect = (name: string) => ({ name, parent: { type: 'work_item_root', id: w.rootId }, phase: PHASE('phase.defect.new') });
const story = (name: string) => ({ name, parent: { type: 'work_item_root', id: w.rootId }, phase: PHASE('phase.story.new') });

describe('row counts kept by the store', () => {
  it('are exact right after start and seeding a workspace', () => {
    exact();
    const n = (db().prepare(`select count(*) n from ${ROW_COUNT_TABLE}`).get() as { n: number }).n;
    expect(n).toBeGreaterThan(10);
  });

  it('follow single and bulk POST, PUT, DELETE by id and by query', async () => {
    const before = await total('defects?limit=1');
    expect(before).toBe(0);
    const ids = await t.create(`${w.path}/defects`, ...Array.from({ length: 12 }, (_, i) => defect(`d${i}`)));
    await t.create(`${w.path}/stories`, story('s1'), story('s2'), story('s3'));
    exact();
    expect(await total('defects?limit=1')).toBe(12);
    expect(await total('stories?limit=1')).toBe(3);
    expect((await w.put(`defects/${ids[0]}`, { name: 'renamed' })).status).toBe(200);
    expect((await w.del(`defects/${ids[1]}`)).status).toBe(200);
    exact();
    expect(await total('defects?limit=1')).toBe(11);
    const byQuery = await w.del(`defects?${q(`id IN ${ids.slice(2, 6).join(',')}`)}`);
    expect(byQuery.status, byQuery.text).toBe(200);
    expect(byQuery.body.total_count).toBe(4);
    exact();
    expect(await total('defects?limit=1')).toBe(7);
    expect(await counted('defects')).toBe(7);
  });

  it('answer unfiltered and subtype-only lists of an aggregate as a real count does', async () => {
    const wi = await counted('work_items');
    expect(await total('work_items?limit=1')).toBe(wi);
    for (const query of ['subtype EQ ^story^', 'subtype EQ ^defect^', 'subtype IN ^story^,^defect^', '!subtype EQ ^story^', 'subtype EQ ^st*^', 'subtype EQ ^defect^||subtype EQ ^epic^']) {
      const expected = await counted('work_items', query);
      expect(await total(`work_items?limit=1&${q(query)}`), query).toBe(expected);
    }
    expect(await total(`work_items?limit=1&${q('subtype EQ ^story^')}`)).toBe(3);
    expect(await total(`work_items?limit=1&${q('subtype EQ ^defect^')}`)).toBe(7);
    // with and without the technical-preview header (preview subtypes hidden without it)
    expect(await total('work_items?limit=1', PREVIEW)).toBe(await counted('work_items', undefined, PREVIEW));
    // the other workspace's rows are not counted here
    expect(await t.get(`${t.ws}/defects?limit=1`).then((r) => r.body.total_count)).toBe(0);
  });

  it('are what unfiltered and subtype-only lists read (a filtered list still counts rows)', async () => {
    const bump = (by: number) =>
      db().prepare(`update ${ROW_COUNT_TABLE} set n = n + ? where store = 'work_item' and workspace_id = ? and type = 'defect'`).run(by, Number(w.id));
    bump(1000);
    try {
      expect(await total('defects?limit=1')).toBe(1007);
      expect(await total(`work_items?limit=1&${q('subtype EQ ^defect^')}`)).toBe(1007);
      expect(await counted('defects')).toBe(7);
      expect(await total(`defects?limit=1&text_search=${encodeURIComponent(JSON.stringify({ type: 'global', text: 'd' }))}`)).toBe(7);
    } finally {
      bump(-1000);
    }
    exact();
  });

  it('answer an offset past the end and a page as before', async () => {
    const r = await w.get('defects?offset=100&limit=5');
    expect(r.body).toMatchObject({ total_count: 7, data: [] });
    const page = await w.get('defects?limit=3&order_by=id');
    expect(page.body.total_count).toBe(7);
    expect(page.body.data).toHaveLength(3);
  });

  it('roll back with a failed all-or-nothing bulk and a failed partial item', async () => {
    const before = await total('defects?limit=1');
    const bad = await w.post('defects', { data: [defect('ok1'), { name: 'no parent', phase: PHASE('phase.story.new') }] });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    exact();
    expect(await total('defects?limit=1')).toBe(before);
    const partial = await w.post('defects?partial=true', { data: [defect('ok2'), { name: 'bad', phase: PHASE('phase.story.new') }] });
    expect(partial.body.data).toHaveLength(1);
    exact();
    expect(await total('defects?limit=1')).toBe(before + 1);
  });

  it('roll back with a transaction that throws', () => {
    const emulator = t.app.emulator;
    const before = drift(db());
    const wid = Number(w.id);
    expect(() =>
      emulator.sql.tx(() => {
        generateRows(emulator, wid, 5);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(drift(db())).toEqual(before);
    exact();
  });

  it('follow test-results ingestion', async () => {
    const before = await total('runs?limit=1');
    const xml = testResultsPayload({ runs: 60, tests: 20, buildId: 'counts-1' });
    const r = await w.post('test-results', xml, { 'content-type': 'application/xml' });
    expect(r.status, r.text).toBe(202);
    await t.app.emulator.testResults.drained();
    exact();
    expect(await total('runs?limit=1')).toBe(before + 60);
    expect(await total('tests?limit=1')).toBe(await counted('tests'));
    expect(await total(`tests?limit=1&${q('subtype EQ ^test_automated^')}`)).toBe(20);
  });

  it('follow fixtures and the generator, and come back with a snapshot restore', async () => {
    const emulator = t.app.emulator;
    const snap = emulator.takeSnapshot();
    const before = await total('defects?limit=1');
    emulator.loadFixtures(readFixture(path.join(import.meta.dirname, '..', '..', 'fixtures', 'demo.json')), Number(w.id));
    exact();
    generateDefects(emulator, 300);
    exact();
    expect(await t.get(`${t.ws}/defects?limit=1`).then((r) => r.body.total_count)).toBeGreaterThanOrEqual(300);
    expect(await total('defects?limit=1')).toBeGreaterThan(before);
    emulator.restoreSnapshot(snap);
    exact();
    expect(await total('defects?limit=1')).toBe(before);
    expect(await t.get(`${t.ws}/defects?limit=1`).then((r) => r.body.total_count)).toBe(0);
    emulator.reset();
    exact();
  });
});

/** Inserts `n` bare defects through the store (the generator's path), inside the caller's transaction. */
function generateRows(emulator: Emulator, workspaceId: number, n: number): void {
  const store = emulator.registry.entity('defect').store;
  const ids = emulator.service.store.allocateIds(n);
  emulator.service.store.insertMany(
    store,
    ids.map((id) => ({ id, type: 'defect', shared_space_id: emulator.defaults.sharedSpaceId, workspace_id: workspaceId, name: `g${id}` })),
  );
}

describe('row counts on a database file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-counts-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('are rebuilt for a database made without them, and follow another connection', async () => {
    const file = path.join(dir, 'old.db');
    let e = await Emulator.open({ db: file });
    generateRows(e, e.defaults.workspaceId, 40);
    e.close();
    // a database of an earlier version: no counts table, no triggers
    const raw = new BetterSqlite3(file);
    for (const { name } of raw.prepare(`select name from sqlite_master where type = 'trigger'`).all() as Array<{ name: string }>) raw.exec(`drop trigger "${name}"`);
    raw.exec(`drop table ${ROW_COUNT_TABLE}`);
    raw.close();
    e = await Emulator.open({ db: file });
    try {
      expect(drift(e.sql.sqlite)).toEqual([]);
      // another connection writes to the same file: the triggers are part of the schema
      const other = new BetterSqlite3(file);
      other.prepare(`delete from e_work_item where type = 'defect' and name like 'g%' and id in (select id from e_work_item where type = 'defect' and name like 'g%' limit 15)`).run();
      other.close();
      expect(drift(e.sql.sqlite)).toEqual([]);
      const row = e.sql.sqlite.prepare(`select n from ${ROW_COUNT_TABLE} where store = 'work_item' and workspace_id = ? and type = 'defect'`).get(e.defaults.workspaceId) as { n: number };
      expect(row.n).toBe(25);
    } finally {
      e.close();
    }
  });

  it('replace the upsert triggers of an earlier version, keep exact counts and insert a first count', async () => {
    const file = path.join(dir, 'upsert.db');
    let e = await Emulator.open({ db: file });
    generateRows(e, e.defaults.workspaceId, 10);
    e.close();
    // the earlier insert trigger: one upsert per row
    const raw = new BetterSqlite3(file);
    raw.exec(`drop trigger "e_work_item__count_insert"`);
    raw.exec(
      `create trigger "e_work_item__count_insert" after insert on "e_work_item" begin insert into ${ROW_COUNT_TABLE} (key, store, shared_space_id, workspace_id, type, n) values ('work_item:' || coalesce(new.shared_space_id, '') || ':' || coalesce(new.workspace_id, '') || ':' || new.type, 'work_item', new.shared_space_id, new.workspace_id, new.type, 1) on conflict (key) do update set n = n + 1; end`,
    );
    raw.close();
    e = await Emulator.open({ db: file });
    try {
      const triggers = e.sql.sqlite.prepare(`select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'e_work_item'`).all() as Array<{ name: string; sql: string }>;
      expect(triggers.map((t) => t.name).sort()).toEqual(['e_work_item__count_delete', 'e_work_item__count_insert', 'e_work_item__count_update']);
      expect(triggers.find((t) => t.name === 'e_work_item__count_insert')!.sql).toContain('changes() = 0');
      expect(triggers.find((t) => t.name === 'e_work_item__count_insert')!.sql).not.toContain('ON CONFLICT');
      generateRows(e, e.defaults.workspaceId, 7);
      expect(drift(e.sql.sqlite)).toEqual([]);
      // a type no row had before: its count row is created by the insert
      const before = e.sql.sqlite.prepare(`select count(*) n from ${ROW_COUNT_TABLE} where store = 'work_item' and type = 'quality_story'`).get() as { n: number };
      expect(before.n).toBe(0);
      const ws = e.defaults.workspaceId;
      e.sql.sqlite.prepare(`insert into e_work_item (id, type, shared_space_id, workspace_id, name) values (?, 'quality_story', ?, ?, 'q1'), (?, 'quality_story', ?, ?, 'q2')`).run(990001, e.defaults.sharedSpaceId, ws, 990002, e.defaults.sharedSpaceId, ws);
      const after = e.sql.sqlite.prepare(`select n from ${ROW_COUNT_TABLE} where store = 'work_item' and workspace_id = ? and type = 'quality_story'`).get(ws) as { n: number };
      expect(after.n).toBe(2);
      // the statement's own change count is not the trigger's
      const changed = e.sql.sqlite.prepare(`update e_work_item set type = 'defect' where id in (990001, 990002)`).run();
      expect(changed.changes).toBe(2);
      expect(drift(e.sql.sqlite)).toEqual([]);
    } finally {
      e.close();
    }
  });
});
