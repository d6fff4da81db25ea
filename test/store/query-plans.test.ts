// Query plans of the main shapes the engine emits (issue 12): over a small generated workspace
// (a few thousand rows in 20 releases, ANALYZEd, so that SQLite prefers index plans), every read
// statement a request runs is put through EXPLAIN QUERY PLAN, and none may SCAN a table that holds
// the bulk of the data (work items, tasks, tests, runs, links) nor skip-scan one of its indexes
// (`ANY(column)`, a scan in disguise). Scans are allowed on small reference tables only (users,
// phases, list nodes, sprints, teams, the id sequence), where SQLite rightly finds a scan cheapest.
// The SQL is captured from the requests themselves (bench/lib/harness.ts captureSql), so the test
// follows whatever the compiler emits.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { generateWorkspace, type GeneratedData } from '../../bench/lib/generate.js';
import { captureSql, type CapturedStatement } from '../../bench/lib/harness.js';

/** A table with at least this many rows may not be scanned. */
const BIG = 1000;

let app: FastifyInstance;
let data: GeneratedData;
let cookies: Record<string, string>;
let ws: string;
let ci: ReportedCi;
const rowCounts = new Map<string, number>();

beforeAll(async () => {
  app = await buildApp({ db: ':memory:', logger: false });
  data = generateWorkspace(app.emulator, { defects: 4000, stories: 1000, tests: 400, perRelease: 200, progress: false });
  const si = await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: 'sa@nga', password: 'Welcome1' } });
  cookies = Object.fromEntries(si.cookies.map((c) => [c.name, c.value]));
  const { sharedSpaceId, workspaceId } = app.emulator.defaults;
  ws = `/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}`;
  ci = await reportPipeline();
  const sqlite = app.emulator.sql.sqlite;
  for (const { name } of sqlite.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{ name: string }>) {
    rowCounts.set(name, (sqlite.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n);
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** What a CI server reported: a pipeline run of two builds, their runs and the runs' history. */
interface ReportedCi {
  pipelineRun: number;
  build: number;
  run: number;
}

/** Runs per test-results push: two pushes make the runs and the run history big tables. */
const CI_RUNS = 1200;

async function inject(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await app.inject({ method, url, cookies, headers, ...(payload === undefined ? {} : { payload: payload as string }) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? JSON.parse(res.body) : undefined;
}

/**
 * A pipeline whose root job's builds #1 and #2 each report CI_RUNS results (a fifth failing), as a
 * CI plugin does: events start the build (and its pipeline run), then the test results follow.
 */
async function reportPipeline(): Promise<ReportedCi> {
  const space = `/internal-api/shared_spaces/${app.emulator.defaults.sharedSpaceId}/analytics/ci`;
  await inject('POST', `${ws}/ci_servers`, { data: [{ name: 'Plans CI', instance_id: 'plans-ci', server_type: 'jenkins' }] });
  const jobs = [{ jobCiId: 'plans-root', name: 'Root', phasesInternal: [], phasesPostBuild: [] }];
  await inject('POST', `${ws}/pipelines`, { data: [{ name: 'Plans pipeline', server_ci_id: 'plans-ci', root_job_ci_id: 'plans-root', jobs }] });
  for (const build of ['1', '2']) {
    const event = { eventType: 'started', project: 'plans-root', projectDisplayName: 'plans-root', buildCiId: build, number: build, startTime: 1_750_000_000_000 };
    await inject('PUT', `${space}/events`, { server: { instanceId: 'plans-ci', type: 'jenkins', url: 'http://plans-ci.local' }, events: [event] });
    const runs = Array.from({ length: CI_RUNS }, (_, i) =>
      i % 5 ? `<test_run package="plans" class="C${i % 40}" name="t${i}" status="Passed" duration="3"/>` : `<test_run package="plans" class="C${i % 40}" name="t${i}" status="Failed" duration="3"><error type="E" message="m">stack</error></test_run>`,
    );
    const xml = `<test_result><build server_id="plans-ci" job_id="plans-root" build_id="${build}"/><test_runs>${runs.join('')}</test_runs></test_result>`;
    const task = await inject('POST', `${ws}/test-results`, xml, { 'content-type': 'application/xml' });
    for (let waited = 0; ; waited += 50) {
      const status = String((await inject('GET', `${ws}/test-results/${task.id}`)).status).toLowerCase();
      if (status === 'success') break;
      if (status !== 'queued' && status !== 'running') throw new Error(`test results task ${task.id}: ${status}`);
      if (waited > 30_000) throw new Error(`test results task ${task.id} still ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const builds = await inject('GET', `${ws}/ci_builds?query=${q('build_ci_id EQ ^2^')}&fields=pipeline_run`, undefined, { 'ALM-OCTANE-TECH-PREVIEW': 'true' });
  const run = await inject('GET', `${ws}/automated_runs?query=${q('name EQ ^t0^')}&fields=id`);
  return { pipelineRun: Number(builds.data[0].pipeline_run.id), build: Number(builds.data[0].id), run: Number(run.data[0].id) };
}

const KEYWORDS = new Set(['where', 'inner', 'left', 'join', 'on', 'order', 'group', 'limit', 'union', 'as', 'and', 'or', 'set', 'values']);

/** alias -> table, from the FROM and JOIN clauses of a statement. */
function aliases(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:from|join)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    const table = m[1];
    out.set(table, table);
    if (m[2] && !KEYWORDS.has(m[2].toLowerCase())) out.set(m[2], table);
  }
  return out;
}

interface PlanLine {
  sql: string;
  detail: string;
  table: string;
}

/** The plan lines of every reading statement of a request, and the scans of big tables among them. */
async function plansOf(url: string): Promise<{ status: number; statements: CapturedStatement[]; plans: PlanLine[]; bigScans: PlanLine[] }> {
  let status = 0;
  const statements = await captureSql(null, async () => {
    status = (await app.inject({ url, cookies })).statusCode;
  });
  const sqlite = app.emulator.sql.sqlite;
  const plans: PlanLine[] = [];
  for (const s of statements) {
    if (!s.reader || !/^\s*select\b/i.test(s.sql)) continue;
    const names = aliases(s.sql);
    for (const p of sqlite.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(s.params as unknown[])) as Array<{ detail: string }>) {
      const target = /^(?:SCAN|SEARCH)\s+"?(\w+)"?/.exec(p.detail)?.[1] ?? '';
      plans.push({ sql: s.sql, detail: p.detail, table: names.get(target) ?? target });
    }
  }
  // a skip-scan (`SEARCH t USING INDEX x (ANY(a) AND b=?)`) walks the index like a scan does
  const isScan = (d: string) => (/^SCAN\s/.test(d) && !/^SCAN CONSTANT ROW/.test(d)) || /\(ANY\(/.test(d);
  const bigScans = plans.filter((p) => isScan(p.detail) && (rowCounts.get(p.table) ?? 0) >= BIG);
  return { status, statements, plans, bigScans };
}

const q = (query: string) => encodeURIComponent(`"${query}"`);

/** Describes the scans for a failure message. */
const explain = (scans: PlanLine[]) => scans.map((s) => `${s.detail} on ${s.table} (${rowCounts.get(s.table)} rows) in: ${s.sql.slice(0, 300)}`).join('\n');

describe('query plans of the main shapes (no scan of a big table)', () => {
  it('the generated workspace is big enough for the check to mean something', () => {
    expect(rowCounts.get('e_work_item')).toBeGreaterThan(4000);
    expect(rowCounts.get('e_task')).toBeGreaterThan(BIG);
    expect(rowCounts.get('entity_link')).toBeGreaterThan(BIG);
    expect(rowCounts.get('e_run')).toBeGreaterThan(100);
    expect(data.releases.length).toBe(20);
    // the CI report: runs and their history are big tables too
    expect(rowCounts.get('e_run')).toBeGreaterThan(BIG);
    expect(rowCounts.get('e_previous_run')).toBeGreaterThanOrEqual(2 * CI_RUNS);
  });

  const shapes: Array<[string, () => string, (r: Awaited<ReturnType<typeof plansOf>>) => void]> = [
    ['list by workspace (fields, limit)', () => `${ws}/defects?fields=name,phase,owner,release&limit=50`, () => undefined],
    [
      'cross-filter on references (small target sets, inlined)',
      () => `${ws}/defects?query=${q('release EQ {name EQ ^R3^};phase EQ {logical_name EQ ^phase.defect.opened^}')}&limit=50`,
      (r) => expect(r.plans.some((p) => p.table === 'e_work_item' && /^SEARCH .*\b(release|phase)\b/.test(p.detail))).toBe(true),
    ],
    [
      'cross-filter on a reference (large target set, subquery)',
      () => `${ws}/tasks?query=${q('story EQ {release EQ {name EQ ^R1*^}}')}&fields=name,story&limit=50`,
      () => undefined,
    ],
    [
      'cross-filter of the query-language issue with order_by',
      () => `${ws}/defects?query=${q('release EQ {name EQ ^R1*^};phase EQ {logical_name EQ ^phase.defect.opened^};severity EQ {id EQ ^list_node.severity.high^}')}&order_by=-creation_time&limit=50`,
      () => undefined,
    ],
    [
      'multi-reference filter through entity_link',
      () => `${ws}/defects?query=${q('user_tags EQ {name EQ ^regression^}')}&fields=name,user_tags&limit=50`,
      (r) => expect(r.plans.some((p) => p.table === 'entity_link' && /^SEARCH/.test(p.detail))).toBe(true),
    ],
    [
      'inverse field (tasks of a story)',
      () => `${ws}/stories?query=${q('child_task EQ {phase EQ {logical_name EQ ^phase.task.new^}}')}&fields=name,child_task&limit=50`,
      () => undefined,
    ],
    ['inverse of a multi-reference (tests covering a story)', () => `${ws}/stories?query=${q('test EQ {name EQ ^Verify*^}')}&fields=name,test&limit=50`, () => undefined],
    [
      'order by creation_time with a limit',
      () => `${ws}/defects?order_by=-creation_time&fields=name,creation_time&limit=50`,
      (r) => expect(r.plans.some((p) => p.table === 'e_work_item' && /USING INDEX e_work_item__created/.test(p.detail))).toBe(true),
    ],
    [
      'id lookup (default fields: references, multi-references, inverses)',
      () => `${ws}/defects/${data.sample.defect}`,
      (r) => expect(r.plans.some((p) => p.table === 'e_work_item' && /USING INTEGER PRIMARY KEY/.test(p.detail))).toBe(true),
    ],
    [
      'logical-name lookup',
      () => `${ws}/phases/phase.defect.new`,
      (r) => expect(r.plans.some((p) => p.table === 'e_phase' && /logical_name|PRIMARY KEY/.test(p.detail))).toBe(true),
    ],
    [
      'count (total_count of a filter)',
      () => `${ws}/defects?query=${q('severity EQ {id EQ ^list_node.severity.high^}')}&fields=id&limit=1`,
      (r) => expect(r.statements.some((s) => /count\(\*\)/i.test(s.sql))).toBe(true),
    ],
    ['work_items with a subtype filter', () => `${ws}/work_items?query=${q('subtype EQ ^story^')}&fields=name,subtype&limit=50`, () => undefined],
    ['runs of one test', () => `${ws}/runs?query=${q(`test EQ {id EQ ${data.sample.test}}`)}&fields=name,status,test&limit=50`, () => undefined],
    // run history (flow 17): a run's results, and the failed results of a build
    [
      'run history of a run',
      () => `${ws}/previous_runs?query=${q(`run_id EQ ${ci.run}`)}&fields=name,build_name,run_native_status,started`,
      (r) => expect(r.plans.some((p) => p.table === 'e_previous_run' && /^SEARCH .*\brun_id\b/.test(p.detail))).toBe(true),
    ],
    [
      'failed results of a build in the run history',
      () => `${ws}/previous_runs?query=${q(`build_id EQ ${ci.build};run_native_status EQ 1077`)}&fields=name&limit=50`,
      (r) => expect(r.plans.some((p) => p.table === 'e_previous_run' && /^SEARCH .*\bbuild_id\b/.test(p.detail))).toBe(true),
    ],
    // the runs of a pipeline run and of a build (inverses of the runs' pipeline_run and build)
    [
      'runs of a pipeline run',
      () => `${ws}/pipeline_runs/${ci.pipelineRun}?fields=name,runs`,
      (r) => expect(r.plans.some((p) => p.table === 'e_run' && /^SEARCH .*\bpipeline_run\b/.test(p.detail))).toBe(true),
    ],
    ['runs of a build', () => `${ws}/ci_build/${ci.build}?fields=name,runs`, (r) => expect(r.plans.some((p) => p.table === 'e_run' && /^SEARCH .*\bbuild\b/.test(p.detail))).toBe(true)],
    ['runs filtered by their pipeline run', () => `${ws}/runs?query=${q(`pipeline_run EQ {id EQ ${ci.pipelineRun}}`)}&fields=name,pipeline_run&limit=50`, () => undefined],
    ['pipeline runs filtered by their runs', () => `${ws}/pipeline_runs?query=${q(`runs EQ {id EQ ${ci.run}}`)}&fields=name`, () => undefined],
    [
      'pipeline runs with a failed run',
      () => `${ws}/pipeline_runs?query=${q('runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^}}')}&fields=name`,
      () => undefined,
    ],
  ];

  it.each(shapes)('%s', async (_name, url, extra) => {
    const r = await plansOf(url());
    expect(r.status).toBe(200);
    expect(r.plans.length).toBeGreaterThan(0);
    expect(r.bigScans, explain(r.bigScans)).toEqual([]);
    extra(r);
  });
});
