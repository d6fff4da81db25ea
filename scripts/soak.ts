// `npm run soak`: an emulator on 127.0.0.1 (port 0, a file database in a temporary folder) under
// mixed traffic — reads with filters, single and bulk writes, updates, deletes, attachment
// uploads and downloads, test-results pushes — for SOAK_MINUTES (default 10). The traffic comes
// from a separate process (this script with --client), so that the memory sampled every
// SOAK_SAMPLE_SECONDS (default 10) is the server's alone: RSS, and the V8 heap after a full GC.
// Prints a table, then first / last / max and the slope of each over the run after a one-minute
// warm-up; exits 1 when the heap grows (slope above SOAK_MAX_SLOPE_MB, default 0.5 MB/min) or
// when any request got a 5xx or no answer.
//
//   npm run soak                       # 10 minutes
//   SOAK_MINUTES=1 npm run soak        # a quick look
//   SOAK_CLIENTS=16 npm run soak       # more concurrent clients (default 8)

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What fetch takes as a body. */
type FetchBody = NonNullable<Parameters<typeof fetch>[1]>['body'];

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 8);
const MAX_SLOPE = Number(process.env.SOAK_MAX_SLOPE_MB ?? 0.5);
const WARMUP_MIN = Math.min(1, MINUTES / 5);

const MB = 1024 * 1024;
const WS = '/api/shared_spaces/1001/workspaces/1002';

// ---- the traffic (child process) ---------------------------------------------------------------------

interface ClientReport {
  requests: number;
  byOp: Record<string, number>;
  serverErrors: number;
  failures: number;
  examples: string[];
}

async function client(base: string, until: number): Promise<void> {
  const report: ClientReport = { requests: 0, byOp: {}, serverErrors: 0, failures: 0, examples: [] };
  const signIn = async () => {
    const res = await fetch(`${base}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) });
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const request = async (op: string, cookie: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    report.requests++;
    report.byOp[op] = (report.byOp[op] ?? 0) + 1;
    const h: Record<string, string> = { cookie, ...headers };
    let payload: FetchBody;
    if (Buffer.isBuffer(body) || typeof body === 'string') payload = body as FetchBody;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    try {
      const res = await fetch(`${base}${url}`, { method, headers: h, body: payload, signal: AbortSignal.timeout(30_000) });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status >= 500) {
        report.serverErrors++;
        if (report.examples.length < 10) report.examples.push(`${res.status} ${method} ${url}: ${bytes.toString().slice(0, 200)}`);
      }
      const json = String(res.headers.get('content-type') ?? '').includes('json') && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
      return { status: res.status, json, bytes };
    } catch (e) {
      report.failures++;
      if (report.examples.length < 10) report.examples.push(`no answer: ${method} ${url}: ${String(e)}`);
      return { status: 0, json: undefined, bytes: Buffer.alloc(0) };
    }
  };
  const cookie0 = await signIn();
  const root = (await request('setup', cookie0, 'GET', `${WS}/work_item_roots`)).json.data[0].id;
  const parent = { type: 'work_item_root', id: root };
  const phase = { type: 'phase', id: 'phase.defect.new' };
  const severities = ['list_node.severity.low', 'list_node.severity.medium', 'list_node.severity.high'];
  const release = (await request('setup', cookie0, 'POST', `${WS}/releases`, { data: [{ name: `soak release ${process.pid}`, start_date: '2025-01-01', end_date: '2025-12-31' }] })).json.data[0].id;
  const q = (s: string) => `query=${encodeURIComponent(`"${s}"`)}`;

  const worker = async (w: number) => {
    const cookie = await signIn();
    const mine: string[] = [];
    let n = 0;
    while (Date.now() < until) {
      n++;
      const tag = `soak-w${w}-n${n}`;
      const pick = n % 20;
      if (pick < 8) {
        // reads with filters, fields, order and paging
        const reads = [
          `${WS}/defects?${q(`severity EQ {logical_name EQ ^${severities[n % 3]}^};name EQ ^soak*^`)}&fields=name,severity,owner,story_points&order_by=-id&limit=50`,
          `${WS}/work_items?${q('subtype IN ^defect^,^story^')}&fields=name,phase{name}&limit=100&offset=${n % 200}`,
          `${WS}/defects/groups?group_by=severity&${q('name EQ ^soak*^')}`,
          `${WS}/defects?text_search=${encodeURIComponent(JSON.stringify({ type: 'global', text: `w${w}` }))}&fields=name&limit=20`,
          `${WS}/runs?${q('native_status EQ {id EQ ^list_node.run_native_status.failed^}')}&fields=name,test{name}&limit=50`,
          `${WS}/metadata/fields?${q('entity_name EQ ^defect^')}`,
          `${WS}/attachments?fields=name,size&order_by=-id&limit=20`,
          `${WS}/releases/${release}?fields=name,sprints`,
        ];
        await request('read', cookie, 'GET', reads[n % reads.length]);
      } else if (pick < 11) {
        const r = await request('create', cookie, 'POST', `${WS}/defects`, { data: [{ name: `${tag} single`, parent, phase, severity: { type: 'list_node', id: severities[n % 3] }, story_points: n % 13, description: `<p>${randomBytes(64).toString('hex')}</p>`, release: { type: 'release', id: release } }] });
        if (r.status === 201) mine.push(r.json.data[0].id);
      } else if (pick < 13 && mine.length) {
        const id = mine[n % mine.length];
        const cur = await request('read', cookie, 'GET', `${WS}/defects/${id}?fields=version_stamp`);
        if (cur.status === 200) await request('update', cookie, 'PUT', `${WS}/defects/${id}`, { story_points: n % 21, version_stamp: cur.json.version_stamp });
      } else if (pick === 13) {
        const r = await request('bulk', cookie, 'POST', `${WS}/defects`, { data: Array.from({ length: 20 }, (_, i) => ({ name: `${tag} bulk ${i}`, parent, phase })) });
        if (r.status === 201) await request('delete-query', cookie, 'DELETE', `${WS}/defects?${q(`name EQ ^${tag} bulk*^`)}`);
      } else if (pick === 14 || pick === 15) {
        const owner = mine[n % Math.max(1, mine.length)];
        if (!owner) continue;
        const bytes = randomBytes(1024 + ((n * 7919) % (100 * 1024)));
        const up = await request('upload', cookie, 'POST', `${WS}/attachments?name=${tag}.log&owner_work_item=${encodeURIComponent(JSON.stringify({ type: 'defect', id: owner }))}`, bytes, { 'content-type': 'application/octet-stream' });
        if (up.status === 201) {
          const id = up.json.data[0].id;
          const d = await request('download', cookie, 'GET', `${WS}/attachments/${id}`, undefined, { accept: 'application/octet-stream' });
          if (createHash('sha256').update(d.bytes).digest('hex') !== createHash('sha256').update(bytes).digest('hex')) {
            report.failures++;
            report.examples.push(`attachment ${id}: bytes differ`);
          }
          if (n % 3 === 0) await request('delete', cookie, 'DELETE', `${WS}/attachments/${id}`);
        }
      } else if (pick === 16) {
        // test results: a rotating set of builds and tests, so that the data stays bounded
        const build = `b${n % 25}`;
        const runs = Array.from({ length: 20 }, (_, i) => `    <test_run module="soak" package="pkg${w}" class="C${i % 4}" name="t${i}" status="${(n + i) % 5 ? 'Passed' : 'Failed'}" duration="${i * 3}" started="${Date.now()}"/>`).join('\n');
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<test_result>\n  <build server_id="soak" job_id="job${w}" job_name="job${w}" build_id="${build}-${n}" build_name="${build}"/>\n  <test_runs>\n${runs}\n  </test_runs>\n</test_result>`;
        const r = await request('test-results', cookie, 'POST', `${WS}/test-results`, xml, { 'content-type': 'application/xml' });
        if (r.status === 202) await request('read', cookie, 'GET', `${WS}/test-results/${r.json.id}`);
      } else if (mine.length > 40) {
        // keep the data bounded: delete the oldest of this worker's defects
        const id = mine.shift()!;
        await request('delete', cookie, 'DELETE', `${WS}/defects/${id}`);
      } else {
        await request('read', cookie, 'GET', `${WS}/defects?${q(`id EQ ${mine[0] ?? 0}`)}&fields=name,attachments,comments`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---- the server and the sampling (main process) --------------------------------------------------------------

interface Sample {
  minute: number;
  rss: number;
  heap: number;
  external: number;
  requests: number;
  dbBytes: number;
}

function fit(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const fmt = (n: number, d = 1) => n.toFixed(d).padStart(8);

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) process.stderr.write('note: run with node --expose-gc (npm run soak does) for heap figures after a full GC\n');
  const { buildApp } = await import('../src/http/app.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-soak-'));
  const db = path.join(dir, 'soak.db');
  const app = await buildApp({ db, sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  let requests = 0;
  let serverErrors = 0;
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  // counted on the HTTP server (the app is sealed once built)
  app.server.on('request', (_req, res) => {
    res.on('finish', () => {
      requests++;
      if (res.statusCode >= 500) serverErrors++;
    });
  });
  const until = Date.now() + MINUTES * 60_000;
  process.stdout.write(`soak: ${MINUTES} min of mixed traffic from ${CLIENTS} clients against ${base} (database ${db}), sampling every ${SAMPLE_S} s\n\n`);
  process.stdout.write(`  minute   rss MB  heap MB   ext MB  requests    req/s    db MB\n`);

  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client', base, String(until)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let childOut = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (childOut += d));
  const childDone = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  const samples: Sample[] = [];
  const started = Date.now();
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    const dbBytes = ['', '-wal'].reduce((n, s) => n + (fs.existsSync(db + s) ? fs.statSync(db + s).size : 0), 0);
    const s: Sample = { minute: (Date.now() - started) / 60_000, rss: m.rss / MB, heap: m.heapUsed / MB, external: (m.external + m.arrayBuffers) / MB, requests, dbBytes };
    const prev = samples[samples.length - 1];
    samples.push(s);
    const rps = prev ? (s.requests - prev.requests) / ((s.minute - prev.minute) * 60) : 0;
    process.stdout.write(`${fmt(s.minute, 2)} ${fmt(s.rss)} ${fmt(s.heap)} ${fmt(s.external)} ${String(s.requests).padStart(9)} ${fmt(rps, 0)} ${fmt(s.dbBytes / MB)}\n`);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_S * 1000);
  await childDone;
  clearInterval(timer);
  await app.emulator.testResults.drained();
  sample();
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });

  let report: ClientReport | undefined;
  try {
    report = JSON.parse(childOut.trim().split('\n').pop() ?? '') as ClientReport;
  } catch {
    report = undefined;
  }
  const steady = samples.filter((s) => s.minute >= WARMUP_MIN);
  const summary = (key: 'rss' | 'heap') => {
    const first = steady[0]?.[key] ?? samples[0][key];
    const last = samples[samples.length - 1][key];
    const max = Math.max(...samples.map((s) => s[key]));
    const slope = fit(steady.map((s) => s.minute), steady.map((s) => s[key]));
    return { first, last, max, slope };
  };
  const rss = summary('rss');
  const heap = summary('heap');
  const minutes = samples[samples.length - 1].minute;
  process.stdout.write(`\n${requests} requests in ${minutes.toFixed(1)} min (${Math.round(requests / (minutes * 60))}/s); by kind: ${JSON.stringify(report?.byOp ?? {})}\n`);
  process.stdout.write(`5xx answers: ${serverErrors} (server) / ${report?.serverErrors ?? '?'} (client); requests without an answer: ${report?.failures ?? '?'}\n`);
  for (const e of report?.examples ?? []) process.stdout.write(`  ${e}\n`);
  process.stdout.write(`\nafter the ${WARMUP_MIN}-minute warm-up:          first     last      max   slope (MB/min)\n`);
  process.stdout.write(`  RSS (MB)                          ${fmt(rss.first)} ${fmt(rss.last)} ${fmt(rss.max)} ${fmt(rss.slope, 3)}\n`);
  process.stdout.write(`  heap after GC (MB)                ${fmt(heap.first)} ${fmt(heap.last)} ${fmt(heap.max)} ${fmt(heap.slope, 3)}\n`);
  const flat = heap.slope <= MAX_SLOPE;
  const clean = serverErrors === 0 && (report?.failures ?? 1) === 0;
  process.stdout.write(`\n${flat ? 'PASS' : 'FAIL'}: heap slope ${heap.slope.toFixed(3)} MB/min (limit ${MAX_SLOPE}); ${clean ? 'PASS' : 'FAIL'}: no 5xx, every request answered\n`);
  process.exitCode = flat && clean ? 0 : 1;
}

if (process.argv[2] === '--client') {
  client(process.argv[3], Number(process.argv[4])).catch((e) => {
    process.stderr.write(`soak client: ${String(e)}\n`);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    process.stderr.write(`soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
