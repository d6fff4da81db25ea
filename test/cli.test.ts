// The real server through the CLI entry (src/main.ts), spawned on an ephemeral loopback port: every
// flag and its OCTANE_EMULATOR_* variable, as a client sees its effect over HTTP; the banner; the
// database file kept across restarts and --reset; graceful stop on SIGTERM and SIGINT with a request
// in flight; --help and bad input (exit 2).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = ['--import', 'tsx', 'src/main.ts'];
const LOOPBACK = ['--port', '0', '--host', '127.0.0.1'];
const WS = '/api/shared_spaces/1001/workspaces/1002';
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-cli-'));

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcessWithoutNullStreams[] = [];

function run(args: string[], extraEnv: Record<string, string> = {}): Run {
  // no PORT / OCTANE_EMULATOR_* from the outer environment
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'PORT' && !k.startsWith('OCTANE_EMULATOR_'))), ...extraEnv };
  const child = spawn(process.execPath, [...ENTRY, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the URL printed in the banner, or rejects when the process exits or times out. */
function bannerUrl(r: Run, timeoutMs = 15000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after ${timeoutMs} ms; stdout: ${r.stdout()} stderr: ${r.stderr()}`)), timeoutMs);
    const check = () => {
      const m = /URL:\s+(http:\/\/127\.0\.0\.1:(\d+))/.exec(r.stdout());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    r.child.stdout.on('data', check);
    r.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before the banner; stderr: ${r.stderr()}`));
    });
    check();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms))]);
}

async function stop(r: Run, signal: NodeJS.Signals = 'SIGTERM') {
  r.child.kill(signal);
  return withTimeout(r.exited, 8000, signal);
}

/** Signs in with a JSON body ({user,password} or {client_id,client_secret}); the cookie header, or the failed status. */
async function signIn(url: string, body: Record<string, string>): Promise<{ status: number; cookie: string }> {
  const res = await fetch(`${url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
}

async function getJson(url: string, cookie: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, headers: { cookie, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const admin = { user: 'sa@nga', password: 'Welcome1' };

/** A fixture file with `n` defects named `prefix 1..n`. */
function defectFixture(file: string, prefix: string, n: number): string {
  const defects = Array.from({ length: n }, (_, i) => ({ name: `${prefix} ${i + 1}`, phase: { type: 'phase', id: 'phase.defect.new' } }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ defects }));
  return file;
}

async function defectNames(url: string, cookie: string): Promise<string[]> {
  const r = await getJson(`${url}${WS}/defects?fields=name&order_by=name&limit=200`, cookie);
  expect(r.status).toBe(200);
  return (r.body.data as Array<{ name: string }>).map((d) => d.name);
}

const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/demo.json'), 'utf8')) as { defects: unknown[] };

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(TMP, { recursive: true, force: true });
});

describe('octane-emulator CLI', () => {
  it('by default serves the demo workspace, prints the banner, and exits 0 on SIGTERM', async () => {
    const r = run([...LOOPBACK, '--db', ':memory:', '--log-level', 'silent']);
    const url = await bannerUrl(r);
    const port = Number(new URL(url).port);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(8080);
    // the banner names the defaults, the credentials and the docs
    const banner = r.stdout();
    expect(banner).toMatch(/shared space:\s+1001/);
    expect(banner).toMatch(/workspace:\s+1002/);
    expect(banner).toContain('"user":"sa@nga","password":"Welcome1"');
    expect(banner).toContain('octane_emulator_client');
    expect(banner).toContain(`${url}/api-docs`);
    expect(banner).toContain(`${url}/__admin/health`);
    expect(banner).toContain('demo workspace data');

    // no session yet
    const anon = await fetch(`${url}${WS}/defects`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error_code: string }).error_code).toBe('platform.authentication_failed');

    const signInRes = await fetch(`${url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    expect(signInRes.status).toBe(200);
    const setCookies = signInRes.headers.getSetCookie();
    const lwsso = setCookies.find((c) => c.startsWith('LWSSO_COOKIE_KEY='));
    expect(lwsso).toMatch(/HttpOnly/i);
    const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');

    const defects = await getJson(`${url}${WS}/defects?fields=name`, cookie);
    expect(defects.status).toBe(200);
    expect(defects.body.total_count).toBe(demo.defects.length);
    expect(defects.body.data.length).toBe(demo.defects.length);

    // the page size defaults (100 and 2000)
    const phases = await getJson(`${url}${WS}/list_nodes?fields=id`, cookie);
    expect(phases.body.data.length).toBe(Math.min(100, phases.body.total_count));
    expect((await getJson(`${url}${WS}/list_nodes?limit=2001`, cookie)).status).toBe(400);
    expect((await getJson(`${url}${WS}/list_nodes?limit=2000`, cookie)).status).toBe(200);

    expect(await stop(r)).toEqual({ code: 0, signal: null });
    // the port is free again
    await expect(fetch(`${url}/api/shared_spaces`)).rejects.toThrow();
  });

  // Each flag and its variable, the same checks: what a client sees of it.
  const fixtureFile = defectFixture(path.join(TMP, 'one.json'), 'From file', 2);
  const fixtureDir = path.dirname(defectFixture(path.join(TMP, 'dir', 'a.json'), 'From dir a', 1));
  defectFixture(path.join(TMP, 'dir', 'b.json'), 'From dir b', 1);
  fs.writeFileSync(path.join(TMP, 'dir', 'notes.txt'), 'not a fixture');

  const asFlags = (db: string) => [
    ...LOOPBACK,
    '--db', db,
    '--log-level', 'info',
    '--session-timeout', '1.5s',
    '--page-size-default', '2',
    '--page-size-max', '3',
    '--user', 'vera:Viewer1:role.workspace.viewer',
    '--user', 'walt:Walt1',
    '--api-key', 'ci_key:ci-secret',
    '--fixtures', fixtureFile,
    '--fixtures', fixtureDir,
    '--no-demo',
    '--admin-token', 'adm1n',
  ];
  const asEnv = (db: string): Record<string, string> => ({
    OCTANE_EMULATOR_PORT: '0',
    OCTANE_EMULATOR_HOST: '127.0.0.1',
    OCTANE_EMULATOR_DB: db,
    OCTANE_EMULATOR_LOG_LEVEL: 'info',
    OCTANE_EMULATOR_SESSION_TIMEOUT: '1.5s',
    OCTANE_EMULATOR_PAGE_SIZE_DEFAULT: '2',
    OCTANE_EMULATOR_PAGE_SIZE_MAX: '3',
    OCTANE_EMULATOR_USERS: 'vera:Viewer1:role.workspace.viewer, walt:Walt1',
    OCTANE_EMULATOR_API_KEYS: 'ci_key:ci-secret',
    OCTANE_EMULATOR_FIXTURES: `${fixtureFile},${fixtureDir}`,
    OCTANE_EMULATOR_DEMO: 'false',
    OCTANE_EMULATOR_ADMIN_TOKEN: 'adm1n',
  });

  for (const [how, args, env] of [
    ['flags', (db: string) => asFlags(db), () => ({})],
    ['environment variables', () => [], (db: string) => asEnv(db)],
  ] as const) {
    it(`every setting given as ${how} takes effect`, async () => {
      const db = path.join(TMP, `${how.replace(/ /g, '-')}.db`);
      const r = run(args(db), env(db));
      const url = await bannerUrl(r);
      expect(new URL(url).hostname).toBe('127.0.0.1');
      // --db: the file exists; the banner names it
      expect(fs.existsSync(db)).toBe(true);
      expect(r.stdout()).toContain(`database:      ${db}`);
      expect(r.stdout()).toContain('(token required)');
      expect(r.stdout()).toMatch(/user:\s+vera \(role\.workspace\.viewer\)/);

      const sa = await signIn(url, admin);
      expect(sa.status).toBe(200);
      // --fixtures (a file, and a folder's .json files in name order) with --no-demo: only those defects
      const all = await getJson(`${url}${WS}/defects?fields=name&order_by=name&limit=3`, sa.cookie);
      expect(all.body.total_count).toBe(4);
      // --page-size-default 2, --page-size-max 3
      const page = await getJson(`${url}${WS}/defects?fields=name&order_by=name`, sa.cookie);
      expect(page.body.data.map((d: { name: string }) => d.name)).toEqual(['From dir a 1', 'From dir b 1']);
      const rest = await getJson(`${url}${WS}/defects?fields=name&order_by=name&offset=2&limit=3`, sa.cookie);
      expect(rest.body.data.map((d: { name: string }) => d.name)).toEqual(['From file 1', 'From file 2']);
      const tooBig = await getJson(`${url}${WS}/defects?limit=4`, sa.cookie);
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.description).toContain('between 1 and 3');

      // --user with a viewer role: signs in, reads, cannot write; --user without a role: workspace admin
      const vera = await signIn(url, { user: 'vera', password: 'Viewer1' });
      expect(vera.status).toBe(200);
      expect((await getJson(`${url}${WS}/defects?limit=1`, vera.cookie)).status).toBe(200);
      const refused = await getJson(`${url}${WS}/defects`, vera.cookie, { method: 'POST', body: JSON.stringify({ data: [{ name: 'x', phase: { type: 'phase', id: 'phase.defect.new' } }] }) });
      expect(refused.status).toBe(403);
      const walt = await signIn(url, { user: 'walt', password: 'Walt1' });
      const created = await getJson(`${url}${WS}/defects`, walt.cookie, { method: 'POST', body: JSON.stringify({ data: [{ name: 'by walt', phase: { type: 'phase', id: 'phase.defect.new' } }] }) });
      expect(created.status).toBe(201);
      expect(created.body.data[0].author.name).toBe('walt');
      // --api-key
      const key = await signIn(url, { client_id: 'ci_key', client_secret: 'ci-secret' });
      expect(key.status).toBe(200);
      expect((await getJson(`${url}${WS}/defects?limit=1`, key.cookie)).status).toBe(200);
      expect((await signIn(url, { client_id: 'ci_key', client_secret: 'wrong' })).status).toBe(401);

      // --admin-token: the admin API wants it; health stays open
      expect((await fetch(`${url}/__admin/health`)).status).toBe(200);
      expect((await fetch(`${url}/__admin/requests`)).status).toBe(401);
      expect((await fetch(`${url}/__admin/requests`, { headers: { 'x-admin-token': 'adm1n' } })).status).toBe(200);

      // --session-timeout 1.5s: idle for longer, the session is gone
      await new Promise((res) => setTimeout(res, 1800));
      const expired = await getJson(`${url}${WS}/defects?limit=1`, sa.cookie);
      expect(expired.status).toBe(401);
      expect(expired.body.error_code).toBe('VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT');

      expect(await stop(r)).toEqual({ code: 0, signal: null });
      // --log-level info: pino's JSON lines, requests included
      const logLines = r.stdout().split('\n').filter((l) => l.startsWith('{'));
      expect(logLines.length).toBeGreaterThan(5);
      expect(logLines.some((l) => JSON.parse(l).msg === 'request completed')).toBe(true);
    });
  }

  it('flags win over environment variables; --log-level silent prints no log lines', async () => {
    const r = run([...LOOPBACK, '--db', ':memory:', '--log-level', 'silent', '--page-size-default', '1'], {
      OCTANE_EMULATOR_PORT: '1', // would need root: the flag must win
      OCTANE_EMULATOR_LOG_LEVEL: 'debug',
      OCTANE_EMULATOR_PAGE_SIZE_DEFAULT: '7',
      OCTANE_EMULATOR_DEMO: 'false',
    });
    const url = await bannerUrl(r);
    const sa = await signIn(url, admin);
    const nodes = await getJson(`${url}${WS}/list_nodes?fields=id`, sa.cookie);
    expect(nodes.body.data.length).toBe(1);
    // OCTANE_EMULATOR_DEMO=false applied (no flag said otherwise)
    expect((await getJson(`${url}${WS}/defects?limit=1`, sa.cookie)).body.total_count).toBe(0);
    expect(await stop(r)).toEqual({ code: 0, signal: null });
    expect(r.stdout().split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
  });

  it('--no-admin and OCTANE_EMULATOR_ADMIN=false turn the admin API off', async () => {
    for (const [args, env] of [[['--no-admin'], {}], [[], { OCTANE_EMULATOR_ADMIN: 'false' }]] as const) {
      const r = run([...LOOPBACK, '--db', ':memory:', '--log-level', 'silent', '--no-demo', ...args], env);
      const url = await bannerUrl(r);
      expect(r.stdout()).toContain('admin API:     off');
      const res = await fetch(`${url}/__admin/health`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error_code: string }).error_code).toBeTypeOf('string');
      expect(await stop(r)).toEqual({ code: 0, signal: null });
    }
  });

  it('a database file keeps its data across restarts; fixtures load only into a fresh one; --reset and OCTANE_EMULATOR_RESET start empty', async () => {
    const db = path.join(TMP, 'kept.db');
    const base = [...LOOPBACK, '--db', db, '--log-level', 'silent', '--no-demo', '--fixtures', fixtureFile];

    let r = run(base);
    let url = await bannerUrl(r);
    let sa = await signIn(url, admin);
    const post = await getJson(`${url}${WS}/defects`, sa.cookie, { method: 'POST', body: JSON.stringify({ data: [{ name: 'Kept across restarts', phase: { type: 'phase', id: 'phase.defect.new' } }] }) });
    expect(post.status).toBe(201);
    expect(await stop(r)).toEqual({ code: 0, signal: null });

    // again on the same file: the new defect is there and the fixture was not loaded twice
    r = run(base);
    url = await bannerUrl(r);
    sa = await signIn(url, admin);
    expect(await defectNames(url, sa.cookie)).toEqual(['From file 1', 'From file 2', 'Kept across restarts']);
    expect(await stop(r, 'SIGINT')).toEqual({ code: 0, signal: null });

    // --reset: a fresh database, so the fixture is loaded again and nothing else is there
    r = run([...base, '--reset']);
    url = await bannerUrl(r);
    sa = await signIn(url, admin);
    expect(await defectNames(url, sa.cookie)).toEqual(['From file 1', 'From file 2']);
    await getJson(`${url}${WS}/defects`, sa.cookie, { method: 'POST', body: JSON.stringify({ data: [{ name: 'Gone after reset', phase: { type: 'phase', id: 'phase.defect.new' } }] }) });
    expect(await stop(r)).toEqual({ code: 0, signal: null });

    r = run(base, { OCTANE_EMULATOR_RESET: 'true' });
    url = await bannerUrl(r);
    sa = await signIn(url, admin);
    expect(await defectNames(url, sa.cookie)).toEqual(['From file 1', 'From file 2']);
    expect(await stop(r)).toEqual({ code: 0, signal: null });
  });

  it('a request in flight finishes before a SIGTERM or SIGINT stop, and the stop is prompt', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const r = run([...LOOPBACK, '--db', ':memory:', '--log-level', 'silent', '--no-demo']);
      const url = await bannerUrl(r);
      const sa = await signIn(url, admin);
      // make the next defects read take 600 ms
      const fault = await fetch(`${url}/__admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: '/defects', latency_ms: 600, count: 1 }) });
      expect(fault.status).toBe(201);
      const inFlight = getJson(`${url}${WS}/defects?limit=1`, sa.cookie);
      await new Promise((res) => setTimeout(res, 150));
      const t0 = Date.now();
      r.child.kill(signal);
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.body.total_count).toBe(0);
      expect(await withTimeout(r.exited, 8000, signal)).toEqual({ code: 0, signal: null });
      // the stop waited for the request (~450 ms left of it), and not much longer
      expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });

  it('--help prints the usage with every flag and its variable, and exits 0', async () => {
    const r = run(['--help']);
    const exit = await withTimeout(r.exited, 8000, '--help');
    expect(exit.code).toBe(0);
    const help = r.stdout();
    expect(help).toContain('Usage: octane-emulator');
    for (const flag of ['--port', '--host', '--db', '--fixtures', '--reset', '--log-level', '--session-timeout', '--session-lifetime', '--page-size-default', '--page-size-max', '--user', '--api-key', '--no-demo', '--admin-token', '--no-admin']) {
      expect(help).toContain(flag);
    }
    for (const variable of ['PORT', 'HOST', 'DB', 'FIXTURES', 'RESET', 'LOG_LEVEL', 'SESSION_TIMEOUT', 'SESSION_LIFETIME', 'PAGE_SIZE_DEFAULT', 'PAGE_SIZE_MAX', 'USERS', 'API_KEYS', 'DEMO', 'ADMIN_TOKEN', 'ADMIN']) {
      expect(help).toContain(`OCTANE_EMULATOR_${variable}`);
    }
    expect(help).not.toContain('octane-emulator is ready');
  });

  // The absolute lifetime: a session kept busy (never idle) still ends when it is reached, with
  // the global time-out code, as a flag and as a variable.
  for (const [how, args, env] of [
    ['--session-lifetime', ['--session-lifetime', '2s'], {}],
    ['OCTANE_EMULATOR_SESSION_LIFETIME', [], { OCTANE_EMULATOR_SESSION_LIFETIME: '2s' }],
  ] as const) {
    it(`${how} ends a busy session after its lifetime`, async () => {
      const r = run([...LOOPBACK, '--db', ':memory:', '--no-demo', '--log-level', 'silent', '--session-timeout', '1h', ...args], { ...env });
      const url = await bannerUrl(r);
      const sa = await signIn(url, { user: 'sa@nga', password: 'Welcome1' });
      expect(sa.status).toBe(200);
      const t0 = Date.now();
      let last = await getJson(`${url}${WS}/defects?limit=1`, sa.cookie);
      while (last.status === 200 && Date.now() - t0 < 8000) {
        await new Promise((res) => setTimeout(res, 250));
        last = await getJson(`${url}${WS}/defects?limit=1`, sa.cookie);
      }
      expect(last.status).toBe(401);
      expect(last.body.error_code).toBe('VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
      expect(await stop(r)).toEqual({ code: 0, signal: null });
    });
  }

  for (const [what, args, env, message] of [
    ['a bad --port', ['--port', 'abc'], {}, "invalid port 'abc'"],
    ['a bad OCTANE_EMULATOR_PORT', [], { OCTANE_EMULATOR_PORT: '70000' }, "invalid port '70000'"],
    ['a bad --session-timeout', ['--session-timeout', 'soon'], {}, '--session-timeout must be a positive number'],
    ['a bad OCTANE_EMULATOR_SESSION_LIFETIME', [], { OCTANE_EMULATOR_SESSION_LIFETIME: '-5' }, '--session-lifetime must be a positive number'],
    ['--page-size-default over --page-size-max', ['--page-size-default', '50', '--page-size-max', '10'], {}, 'cannot exceed'],
    ['a bad --user', ['--user', 'nopassword'], {}, 'expected name:password[:role]'],
    ['a bad OCTANE_EMULATOR_RESET', [], { OCTANE_EMULATOR_RESET: 'maybe' }, 'OCTANE_EMULATOR_RESET must be true or false'],
    ['a missing --fixtures file', ['--fixtures', path.join(TMP, 'missing.json'), '--port', '0', '--host', '127.0.0.1', '--db', ':memory:', '--log-level', 'silent'], {}, 'no such file or folder'],
    ['an unknown flag', ['--no-such-flag'], {}, 'Usage: octane-emulator'],
  ] as const) {
    it(`${what} exits non-zero with a message on stderr`, async () => {
      const r = run([...args], { ...env });
      const exit = await withTimeout(r.exited, 15000, what);
      expect(exit.code).not.toBe(0);
      expect(r.stderr()).toContain(message);
      expect(r.stdout()).not.toContain('octane-emulator is ready');
    });
  }
});
