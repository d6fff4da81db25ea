// Benchmark of test-results ingestion (issue 8): a payload of 10,000 test runs over 2,000 distinct
// tests (a fifth failing with stack traces) is POSTed to the emulator listening on loopback (file
// database in a temp dir); the task is polled at GET .../test-results/{id} until it is final.
// Printed beside it, in the same run: the time to only parse the same XML (parseTestResults).
// Then 50 more pushes for the same tests (other build ids) show whether ingestion slows down as
// run history grows: push 1 vs push 50.
//
//   npm run bench:test-results
//   npm run bench:test-results -- --runs 10000 --tests 2000 --pushes 50

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseTestResults } from '../src/ci/test-results-xml.js';
import { buildApp } from '../src/http/app.js';
import { table, tempDb } from './lib/harness.js';
import { pushAndWait, type IngestTask } from './lib/ingest.js';
import { testResultsPayload } from './lib/test-results-payload.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    tests: { type: 'string', default: '2000' },
    pushes: { type: 'string', default: '50' },
    'poll-ms': { type: 'string', default: '10' },
  },
});
const RUNS = Number(values.runs);
const TESTS = Number(values.tests);
const PUSHES = Number(values.pushes);
const POLL_MS = Number(values['poll-ms']);

const dbFile = tempDb('test-results');
const app = await buildApp({ db: dbFile, logger: false, bodyLimit: 200 * 1024 * 1024 });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
if (!new URL(base).hostname.match(/^(127\.0\.0\.1|localhost)$/)) throw new Error('benchmarks only send traffic to loopback');

const signIn = await fetch(`${base}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) });
if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status}`);
const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const { sharedSpaceId, workspaceId } = app.emulator.defaults;
const ws = `${base}/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}`;

/** POSTs a payload and polls its task until final; returns the wall time, peak RSS and the task. */
async function ingest(xml: string): Promise<{ ms: number; peakRss: number; task: IngestTask }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  try {
    const { ms, task } = await pushAndWait(ws, cookie, xml, POLL_MS);
    return { ms, peakRss: Math.max(peakRss, process.memoryUsage().rss), task };
  } finally {
    clearInterval(sampler);
  }
}

const mb = (bytes: number) => bytes / (1024 * 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- the parse alone, in this run ----------------------------------------------------------------
const xml = testResultsPayload({ runs: RUNS, tests: TESTS, buildId: '1' });
const parses: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const parsed = parseTestResults(xml);
  parses.push(performance.now() - t0);
  if (parsed.runs.length !== RUNS) throw new Error(`parsed ${parsed.runs.length} runs`);
}
const parseMs = median(parses);

// ---- the first push: every test and run is created -------------------------------------------------
const rssBefore = process.memoryUsage().rss;
const first = await ingest(xml);
if (first.task.runs_created !== RUNS || first.task.tests_created !== TESTS) throw new Error(`unexpected counts: ${JSON.stringify(first.task)}`);
const failing = xml.split('<error ').length - 1;

process.stdout.write(
  `\ntest-results ingestion: ${RUNS.toLocaleString('en')} runs over ${TESTS.toLocaleString('en')} tests (${failing.toLocaleString('en')} failing with stack traces), payload ${mb(Buffer.byteLength(xml)).toFixed(1)} MB, file database\n\n`,
);
process.stdout.write(
  `${table([
    {
      measure: 'first push (creates tests and runs)',
      'ingestion s': first.ms / 1000,
      'runs/s': Math.round(RUNS / (first.ms / 1000)),
      'peak RSS MB': Math.round(mb(first.peakRss)),
      'RSS before MB': Math.round(mb(rssBefore)),
      'parse only s': parseMs / 1000,
      'ingestion / parse': first.ms / parseMs,
    },
  ])}\n`,
);
process.stdout.write(`goal: ingestion <= 3 s and <= 5x the parse: ${first.ms <= 3000 ? 'time met' : 'time NOT met'}, ${first.ms / parseMs <= 5 ? 'ratio met' : 'ratio NOT met'}\n\n`);

// ---- repeated pushes: the same tests, later builds -----------------------------------------------------
const repeated: Array<{ ms: number; peakRss: number }> = [];
for (let n = 1; n <= PUSHES; n++) {
  const payload = testResultsPayload({ runs: RUNS, tests: TESTS, buildId: String(n + 1), seed: n });
  const r = await ingest(payload);
  if (r.task.runs_updated !== RUNS || r.task.runs_created !== 0) throw new Error(`push ${n}: unexpected counts ${JSON.stringify(r.task)}`);
  repeated.push({ ms: r.ms, peakRss: r.peakRss });
  process.stderr.write(`push ${n}/${PUSHES}: ${(r.ms / 1000).toFixed(2)} s\n`);
}
if (repeated.length) {
  const rows = [1, Math.ceil(PUSHES / 2), PUSHES].filter((n, i, a) => a.indexOf(n) === i).map((n) => ({
    push: n,
    'history rows before': (n * RUNS).toLocaleString('en'),
    'ingestion s': repeated[n - 1].ms / 1000,
    'runs/s': Math.round(RUNS / (repeated[n - 1].ms / 1000)),
    'peak RSS MB': Math.round(mb(repeated[n - 1].peakRss)),
  }));
  process.stdout.write(`repeated pushes for the same tests (other build ids), ${PUSHES} pushes:\n\n${table(rows)}\n`);
  const last = repeated[PUSHES - 1].ms;
  const firstRepeat = repeated[0].ms;
  process.stdout.write(`push ${PUSHES} / push 1: ${(last / firstRepeat).toFixed(2)}x; median push ${(median(repeated.map((r) => r.ms)) / 1000).toFixed(2)} s\n`);
}

await app.close();
fs.rmSync(path.dirname(dbFile), { recursive: true, force: true });
