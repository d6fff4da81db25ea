// The benchmark driver (issue 12): every case against the emulator AND a bare Fastify +
// better-sqlite3 server running the same SQL, side by side in one run, loopback only, bounded in
// time. Prints the tables and writes them, with the goals of the issue, to docs/performance.md.
//
//   npm run bench                                      everything: sizes 10k, 100k, 1M
//   npm run bench -- --cases cross-filter --sizes 100000 --seconds 3
//   npm run bench -- --cases bulk-post,ingest --profile    + CPU profiles of the emulator
//
// Processes: the emulator (bench/lib/emulator-child.ts) and the bare baseline
// (bench/lib/bare-child.ts) each run in a child process, compiled to JavaScript first
// (bench/lib/build.ts); autocannon runs here. The data of each size is made by bench/gen.ts in a
// child of its own. The SQL of a case is captured from one
// emulator request (every statement better-sqlite3 runs, transaction control included) and the
// bare server replays it for each of its requests (bench/lib/replay.ts).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseTestResults } from '../src/ci/test-results-xml.js';
import { ensureBuild, ROOT } from './lib/build.js';
import { ALL_CASES, HTTP_CASES, type CaseContext, type HttpCase } from './lib/cases.js';
import { coldStarts } from './lib/cold-start.js';
import type { CaptureSummary } from './lib/emulator-child.js';
import type { DeletePools, GeneratedData } from './lib/generate.js';
import { load, type LoadOptions, type Measure } from './lib/harness.js';
import { pushAndWait } from './lib/ingest.js';
import { describeMachine, load1 } from './lib/machine.js';
import { formatSummary, readProfile, summarise } from './lib/profile.js';
import { buildReport, writeReport, type RunResults } from './lib/report.js';
import { spawnChild, type Child } from './lib/rpc.js';
import { testResultsPayload } from './lib/test-results-payload.js';

const HELP = `npm run bench -- [options]

  --cases <a,b,…>       cases to run (default all): ${ALL_CASES.join(', ')}
  --sizes <n,…>         defects per workspace for the list cases (default 10000,100000,1000000)
  --main-size <n>       size for the other cases and the ratio goals (default 100000)
  --seconds <n>         load per case and server (default 5)
  --min-requests <n>    a slow case's load lasts long enough for about n responses per server, so that
                        its p99 is not just the slowest two or three answers (default 1000)
  --max-seconds <n>     the longest a load may be stretched for --min-requests (default 30)
  --warmup <n>          warm-up seconds before each load (default 1)
  --connections <n>     concurrent connections (default 10)
  --heavy-requests <n>  requests of bulk-post and delete-query, one connection (default 20)
  --repeat <n>          measure each emulator/bare pair n times, alternating, and keep the best of each
                        (less skew from other jobs on the machine; default 1)
  --runs <n>            test runs in the ingestion payload (default 10000), --tests <n> (default 2000)
  --pushes <n>          repeated pushes of the same tests after the first (default 50): push 1 vs push n
  --cold-runs <n>       cold starts to take the median of (default 3)
  --cold-entry <how>    auto | dist | build | tsx (default auto: dist/ if up to date, else a fresh build)
  --mix <full|defects>  generated data: full (stories, tasks, tests, runs) or defects only (default full)
  --profile             CPU profile of the emulator during each case (not for the published figures)
  --profile-dir <dir>   where profiles go (default <tmp>/octane-emulator-profiles)
  --out <file>          report file (default docs/performance.md; written only for a run of every case
                        unless --out is given)
  --no-doc              do not write the report file
  --keep                keep the databases and captures (printed directory)
  --tsx                 run the children from TypeScript with tsx instead of the compiled build
`;

const { values } = parseArgs({
  options: {
    cases: { type: 'string' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'main-size': { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    'min-requests': { type: 'string', default: '1000' },
    'max-seconds': { type: 'string', default: '30' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '10' },
    'heavy-requests': { type: 'string', default: '20' },
    repeat: { type: 'string', default: '1' },
    runs: { type: 'string', default: '10000' },
    tests: { type: 'string', default: '2000' },
    pushes: { type: 'string', default: '50' },
    'cold-runs': { type: 'string', default: '3' },
    'cold-entry': { type: 'string', default: 'auto' },
    mix: { type: 'string', default: 'full' },
    profile: { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
    out: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const selected = new Set(values.cases ? values.cases.split(',').map((s) => s.trim()).filter(Boolean) : ALL_CASES);
for (const c of selected) if (!ALL_CASES.includes(c)) throw new Error(`unknown case '${c}' (cases: ${ALL_CASES.join(', ')})`);
const mainSize = Number(values['main-size']);
const sizes = [...new Set([...values.sizes!.split(',').map(Number), ...(needsMain() ? [mainSize] : [])])].sort((a, b) => a - b);
const seconds = Number(values.seconds);
const minRequests = Number(values['min-requests']);
const maxSeconds = Math.max(seconds, Number(values['max-seconds']));
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const heavyRequests = Number(values['heavy-requests']);
const repeat = Math.max(1, Number(values.repeat));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-bench-'));
const profileDir = values['profile-dir'] ?? path.join(os.tmpdir(), 'octane-emulator-profiles');
if (values.profile) fs.mkdirSync(profileDir, { recursive: true });
const log = (s: string) => process.stderr.write(`${s}\n`);

function needsMain(): boolean {
  return [...selected].some((c) => c === 'ingest' || c === 'rss' || HTTP_CASES.find((h) => h.name === c && h.kind !== 'list'));
}

const machine = describeMachine();
const results: RunResults = {
  machine,
  settings: { seconds, minRequests, maxSeconds, warmup, connections, heavyRequests, repeat, sizes, mainSize, mix: values.mix!, runs: Number(values.runs), tests: Number(values.tests), profile: values.profile! },
  loadAtStart: os.loadavg(),
  generated: [],
  cases: [],
  ingest: undefined,
  cold: undefined,
  memory: [],
  profiles: [],
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
};

async function generate(size: number): Promise<GeneratedData & { seconds: number; maxRssBytes: number; bytes: number }> {
  const db = path.join(dir, `bench-${size}.db`);
  const json = path.join(dir, `bench-${size}.json`);
  const extra = values.mix === 'defects' ? ['--stories', '0', '--tests', '0'] : [];
  log(`\n== ${size.toLocaleString('en')} defects: generating (${values.mix}) into ${db}`);
  await new Promise<void>((resolve, reject) => {
    const gen = values.tsx ? ['--import', 'tsx', path.join(ROOT, 'bench', 'gen.ts')] : [path.join(ensureBuild(), 'bench', 'gen.js')];
    const child = spawn(process.execPath, [...gen, '--defects', String(size), '--db', db, '--json', json, '--force', ...extra], {
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: ROOT,
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gen exited ${code}`))));
  });
  return JSON.parse(fs.readFileSync(json, 'utf8'));
}

interface Servers {
  emu: Child;
  bare: Child;
  emuUrl: string;
  bareUrl: string;
  cookie: string;
  ws: string;
  size: number;
  data: GeneratedData;
}

async function profiled<T>(servers: Servers, name: string, fn: () => Promise<T>, requests: (out: T) => number | undefined): Promise<T> {
  if (!values.profile) return fn();
  await servers.emu.call('profileStart', {});
  let out: T | undefined;
  try {
    out = await fn();
  } finally {
    const file = path.join(profileDir, `${servers.size}-${name}.cpuprofile`);
    await servers.emu.call('profileStop', { file });
    const n = out === undefined ? undefined : requests(out);
    const text = formatSummary(summarise(readProfile(file)), { top: 20, requests: n, title: `== profile ${file}` });
    results.profiles.push({ case: name, size: servers.size, file, requests: n });
    log(text);
  }
  return out;
}

/** autocannon resolves at the deadline with requests still in flight: let the server finish them. */
const drain = () => new Promise((r) => setTimeout(r, 300));

/** The better of two measures (more requests per second). */
const best = (a: Measure | undefined, b: Measure): Measure => (!a || b.rps > a.rps ? b : a);

const deletePath = (ws: string, release: number) => `${ws}/defects?query=${encodeURIComponent(`"release EQ {id EQ ${release}}"`)}`;

async function runHttpCase(s: Servers, c: HttpCase): Promise<void> {
  const ctx: CaseContext = { data: s.data, ws: s.ws };
  let req = c.request(ctx);
  let pools: DeletePools | undefined;
  if (c.pools) {
    pools = await s.emu.call<DeletePools>('deletePools', { pools: 1 + 2 * heavyRequests, size: 1000 });
    req = { method: 'DELETE', path: deletePath(s.ws, pools.releases[0]) };
  }
  const file = path.join(dir, `${s.size}-${c.name}.capture.json`);
  if (!pools) {
    // one request first, so that the capture holds the steady state (no cache fills of a first call)
    await s.emu.call('request', { request: { method: req.method, url: req.path, payload: req.body, anonymous: req.anonymous } });
  }
  const capture = await s.emu.call<CaptureSummary>('capture', {
    request: { method: req.method, url: req.path, payload: req.body, anonymous: req.anonymous },
    file,
    times: c.captureTwice ? 2 : 1,
    keepBody: true,
  });
  await s.bare.call('script', {
    name: c.name,
    file,
    mode: c.kind === 'write' ? 'write' : 'read',
    fresh: capture.fresh,
    shift: pools ? { lo: pools.lo, hi: pools.hi, stride: pools.stride, first: 1 + heavyRequests } : undefined,
  });
  const headers: Record<string, string> = {};
  if (!req.anonymous) headers.cookie = s.cookie;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const base: LoadOptions = c.heavy
    ? { seconds, connections: 1, amount: heavyRequests, method: req.method, body: req.body, headers }
    : { seconds, connections, method: req.method, body: req.body, headers };
  const emuUrl = `${s.emuUrl}${req.path}`;
  const bareUrl = `${s.bareUrl}/r/${c.name}`;
  const matches = (capture.body as { total_count?: number } | undefined)?.total_count;
  log(`-- ${c.name} @ ${s.size}: ${capture.statements} statements/request (${capture.reads} reads, ${capture.writes} writes, ${capture.transactionControl} tx)${matches !== undefined ? `, total_count ${matches}` : ''}; load ${load1().toFixed(2)}`);
  if (!pools) {
    // one replay first: a baseline that cannot run the SQL says why
    const check = await fetch(bareUrl, { method: req.method, headers, body: req.body });
    if (!check.ok) throw new Error(`bare ${c.name}: ${check.status} ${(await check.text()).slice(0, 500)}`);
  }
  if (!c.heavy && warmup > 0) {
    const e = await load(emuUrl, { ...base, seconds: warmup });
    await drain();
    const b = await load(bareUrl, { ...base, seconds: warmup });
    await drain();
    // a p99 of a few hundred answers is the two or three slowest: stretch a slow case's load (the
    // same for both servers) until the slower of the two gives about minRequests answers
    const needed = Math.ceil(minRequests / Math.max(1e-9, Math.min(e.rps, b.rps)));
    if (needed > base.seconds) base.seconds = Math.min(maxSeconds, needed);
  }
  const loadBefore = load1();
  let emu: Measure | undefined;
  let raw: Measure | undefined;
  // the requests of a case that consumes rows (pools) are numbered across repeats
  let consumed = 0;
  for (let round = 0; round < (pools ? 1 : repeat); round++) {
    const first = consumed;
    const e: Measure = await profiled(
      s,
      c.name,
      () => load(emuUrl, pools ? { ...base, pathOf: (n) => deletePath(s.ws, pools!.releases[1 + first + n]) } : base),
      (m) => m.requests,
    );
    consumed += e.requests;
    await drain();
    const b = await load(bareUrl, base);
    await drain();
    emu = best(emu, e);
    raw = best(raw, b);
  }
  const loadAfter = load1();
  if (!emu || !raw) throw new Error('no measure');
  if (emu.failures || raw.failures) log(`   warning: ${emu.failures} emulator and ${raw.failures} bare requests failed`);
  log(`   emulator ${emu.rps.toFixed(0)} req/s p50 ${emu.p50.toFixed(2)} ms p99 ${emu.p99.toFixed(2)} ms | bare ${raw.rps.toFixed(0)} req/s p50 ${raw.p50.toFixed(2)} ms p99 ${raw.p99.toFixed(2)} ms | ratio ${(emu.rps / raw.rps).toFixed(2)} | load ${loadAfter.toFixed(2)}`);
  results.cases.push({
    case: c.name,
    title: c.title,
    kind: c.kind,
    constantMatches: Boolean(c.constantMatches),
    bare: c.bare,
    size: s.size,
    emu,
    raw,
    connections: base.connections,
    amount: base.amount,
    capture: { statements: capture.statements, reads: capture.reads, writes: capture.writes, transactionControl: capture.transactionControl, byTable: capture.byTable, distinctSql: capture.distinctSql, bytes: capture.bytes },
    matches,
    load: Math.max(loadBefore, loadAfter),
  });
}

async function memory(s: Servers, when: string): Promise<void> {
  const m = await s.emu.call<{ rss: number; heapUsed: number }>('memory', {});
  const b = await s.bare.call<{ rss: number; heapUsed: number }>('memory', {});
  results.memory.push({ size: s.size, when, rss: m.rss, heapUsed: m.heapUsed, bareRss: b.rss });
  log(`   memory ${when}: emulator RSS ${(m.rss / 2 ** 20).toFixed(0)} MB (heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB), bare RSS ${(b.rss / 2 ** 20).toFixed(0)} MB`);
}

interface CpuTimes {
  userMs: number;
  systemMs: number;
}

async function runIngest(s: Servers): Promise<void> {
  const runs = Number(values.runs);
  const tests = Number(values.tests);
  const xml = testResultsPayload({ runs, tests, buildId: `${s.size}-1`, family: `bench${s.size}a` });
  const parses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    parseTestResults(xml);
    parses.push(performance.now() - t0);
  }
  const parseMs = parses.sort((a, b) => a - b)[1];
  const wsUrl = `${s.emuUrl}${s.ws}`;
  let peak = 0;
  const sampler = setInterval(() => {
    s.emu.call<{ rss: number }>('memory', {}).then((m) => (peak = Math.max(peak, m.rss)), () => undefined);
  }, 100);
  const loadBefore = load1();
  let first: Awaited<ReturnType<typeof pushAndWait>>;
  try {
    first = await profiled(s, 'ingest', () => pushAndWait(wsUrl, s.cookie, xml, 10), () => 1);
  } finally {
    clearInterval(sampler);
  }
  log(`-- ingest @ ${s.size}: ${runs} runs over ${tests} tests in ${(first.ms / 1000).toFixed(2)} s (parse alone ${(parseMs / 1000).toFixed(2)} s), load ${load1().toFixed(2)}`);
  // a second push of other tests under capture gives the bare baseline its SQL
  const xml2 = testResultsPayload({ runs, tests, buildId: `${s.size}-2`, family: `bench${s.size}b` });
  await s.emu.call('captureStart');
  const second = await pushAndWait(wsUrl, s.cookie, xml2, 20);
  const file = path.join(dir, `${s.size}-ingest.capture.json`);
  const capture = await s.emu.call<CaptureSummary>('captureStop', { file });
  await s.bare.call('script', { name: 'ingest', file, mode: 'write' });
  const bare = await s.bare.call<{ ms: number }>('run', { name: 'ingest' });
  log(`   captured push ${(second.ms / 1000).toFixed(2)} s, ${capture.statements} statements; bare replay ${(bare.ms / 1000).toFixed(2)} s`);
  // the first push's tests pushed again by later builds: each push updates their runs and adds as
  // many history rows; push n must not be slower than push 1 as the history grows
  const pushes = Number(values.pushes);
  const repeated: number[] = [];
  const refs: number[] = [];
  const cpus: number[] = [];
  // the reference's first calls run slower (~10%) than later ones: warm it up first
  for (let i = 0; i < 3; i++) await s.emu.call<number>('parseOnly', { xml });
  for (let n = 1; n <= pushes; n++) {
    const again = testResultsPayload({ runs, tests, buildId: `${s.size}-r${n}`, family: `bench${s.size}a`, seed: n });
    // the reference: the same payload parsed in the emulator's process just before and just after
    // the push, so that a push is set against what this core could do at that moment (on this
    // shared machine a process can run 1.6x slower for minutes, XML parsing included)
    const refBefore = await s.emu.call<number>('parseOnly', { xml: again });
    const before = await s.emu.call<CpuTimes>('cpu', {});
    const r = await pushAndWait(wsUrl, s.cookie, again, 10);
    const after = await s.emu.call<CpuTimes>('cpu', {});
    const refAfter = await s.emu.call<number>('parseOnly', { xml: again });
    if (r.task.runs_updated !== runs || r.task.runs_created !== 0) throw new Error(`repeated push ${n}: ${JSON.stringify(r.task)}`);
    repeated.push(r.ms);
    refs.push((refBefore + refAfter) / 2);
    cpus.push(after.userMs + after.systemMs - before.userMs - before.systemMs);
  }
  // one push is one sample (a checkpoint or a collection in it moves it by a third): the trend is
  // the median of the first pushes against the median of the last ones, in time and in time per
  // parse of the same payload
  const window = Math.min(5, Math.floor(pushes / 2));
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ends = (xs: number[]) => (window ? [mid(xs.slice(0, window)), mid(xs.slice(-window))] : [xs[0], xs[pushes - 1]]);
  const [firstMedianMs, lastMedianMs] = ends(repeated);
  const [firstRatio, lastRatio] = ends(repeated.map((ms, i) => ms / refs[i]));
  if (pushes) {
    log(`   repeated pushes: push 1 ${(repeated[0] / 1000).toFixed(2)} s, push ${pushes} ${(repeated[pushes - 1] / 1000).toFixed(2)} s; median of the first ${window} ${(firstMedianMs / 1000).toFixed(2)} s, of the last ${window} ${(lastMedianMs / 1000).toFixed(2)} s (${(lastMedianMs / firstMedianMs).toFixed(2)}x)`);
    log(`   per parse of the same payload: first ${window} ${firstRatio.toFixed(2)}x, last ${window} ${lastRatio.toFixed(2)}x (${(lastRatio / firstRatio).toFixed(2)}x)`);
    log(`   every push, ms (emulator CPU ms, parse ms): ${repeated.map((ms, i) => `${ms.toFixed(0)} (${cpus[i].toFixed(0)}, ${refs[i].toFixed(0)})`).join(' ')}`);
  }
  results.ingest = {
    size: s.size,
    runs,
    tests,
    ms: first.ms,
    capturedMs: second.ms,
    parseMs,
    bareMs: bare.ms,
    statements: capture.statements,
    byTable: capture.byTable,
    payloadBytes: Buffer.byteLength(xml),
    peakRss: peak,
    load: Math.max(loadBefore, load1()),
    ...(pushes ? { repeated: { pushes, firstMs: repeated[0], lastMs: repeated[pushes - 1], medianMs: mid(repeated), window, firstMedianMs, lastMedianMs, firstRatio, lastRatio, allMs: repeated, parseMs: refs, cpuMs: cpus } } : {}),
  };
}

// ---- the run ----------------------------------------------------------------------------------------
if (!values.tsx) ensureBuild(log);
log(`octane-emulator bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
log(`cases: ${[...selected].join(', ')}; sizes: ${sizes.join(', ')} (main ${mainSize}); ${seconds} s per load, ${connections} connections; data in ${dir}`);

for (const size of sizes) {
  const atMain = size === mainSize;
  const cases = HTTP_CASES.filter((c) => selected.has(c.name) && (c.kind === 'list' || atMain));
  const other = atMain && (selected.has('ingest') || selected.has('rss'));
  if (!cases.length && !other) continue;
  const data = await generate(size);
  results.generated.push({ size, entities: data.entities, counts: data.counts, seconds: data.seconds, bytes: data.bytes, maxRssBytes: data.maxRssBytes });
  const emu = await spawnChild('emulator-child', ['--expose-gc'], { tsx: values.tsx });
  const bare = await spawnChild('bare-child', [], { tsx: values.tsx });
  try {
    const db = path.join(dir, `bench-${size}.db`);
    const opened = await emu.call<{ url: string; cookie: string; sharedSpaceId: number; workspaceId: number; openMs: number }>('open', { db });
    const bareOpened = await bare.call<{ url: string }>('open', { db });
    const s: Servers = {
      emu,
      bare,
      emuUrl: opened.url,
      bareUrl: bareOpened.url,
      cookie: opened.cookie,
      ws: `/api/shared_spaces/${opened.sharedSpaceId}/workspaces/${opened.workspaceId}`,
      size,
      data,
    };
    await memory(s, 'after start');
    for (const c of cases.filter((c) => c.kind !== 'write')) await runHttpCase(s, c);
    await memory(s, 'after the read cases');
    for (const c of cases.filter((c) => c.kind === 'write')) await runHttpCase(s, c);
    if (atMain && selected.has('ingest')) await runIngest(s);
    if (cases.some((c) => c.kind === 'write') || (atMain && selected.has('ingest'))) await memory(s, 'after the write cases and ingestion');
    await emu.call('close').catch(() => undefined);
    await bare.call('close').catch(() => undefined);
  } finally {
    await emu.exit();
    await bare.exit();
  }
}

if (selected.has('cold-start')) {
  const runs = Number(values['cold-runs']);
  log(`\n== cold start (${runs} runs)`);
  const loadBefore = load1();
  const cold = await coldStarts({ runs, dir, mode: values['cold-entry'] as 'auto', profileDir: values.profile ? profileDir : undefined });
  results.cold = { ...cold, load: Math.max(loadBefore, load1()) };
  if (cold.profile) {
    results.profiles.push({ case: 'cold-start', size: 0, file: cold.profile });
    log(formatSummary(summarise(readProfile(cold.profile)), { top: 20, title: `== profile ${cold.profile} (node --cpu-prof of one more cold start)` }));
  }
  log(`   ${cold.via}${cold.demo ? ' with the demo workspace' : ' without the demo workspace (fixtures/demo.json absent)'}: ${cold.emulator.map((c) => c.ms.toFixed(0)).join(', ')} ms; bare ${cold.bare.map((c) => c.ms.toFixed(0)).join(', ')} ms`);
}

results.loadAtEnd = os.loadavg();
const report = buildReport(results);
process.stdout.write(`\n${report.text}\n`);
const fullRun = !values.cases && !values.profile;
const out = values.out ?? (fullRun ? path.join('docs', 'performance.md') : undefined);
if (out && !values['no-doc']) {
  writeReport(out, report.markdown);
  log(`report written to ${out}`);
}
fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
if (values.keep) log(`databases, captures and results.json kept in ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });

