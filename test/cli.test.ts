// The real server through the CLI entry (src/main.ts): it listens on an ephemeral loopback port,
// prints its URL in the banner, serves sign-in and entities over HTTP, and exits 0 on SIGTERM.
// Also `--help` (exit 0) and a bad `--port` (exit 2).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = ['--import', 'tsx', 'src/main.ts'];
const SERVE = [...ENTRY, '--port', '0', '--host', '127.0.0.1', '--db', ':memory:', '--log-level', 'silent'];

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcessWithoutNullStreams[] = [];

function run(args: string[]): Run {
  // no PORT / OCTANE_EMULATOR_* from the outer environment
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'PORT' && !k.startsWith('OCTANE_EMULATOR_')));
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the URL printed in the banner, or rejects when the process exits or times out. */
function bannerUrl(r: Run, timeoutMs = 8000): Promise<string> {
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

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('octane-emulator CLI', () => {
  it('serves on port 0 of 127.0.0.1, signs in over HTTP, reads defects, and exits 0 on SIGTERM', async () => {
    const r = run(SERVE);
    const url = await bannerUrl(r);
    const port = Number(new URL(url).port);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(8080);
    // the banner names the defaults and the credentials
    const banner = r.stdout();
    expect(banner).toMatch(/shared space:\s+1001/);
    expect(banner).toMatch(/workspace:\s+1002/);
    expect(banner).toContain('"user":"sa@nga","password":"Welcome1"');
    expect(banner).toContain('octane_emulator_client');

    // no session yet
    const anon = await fetch(`${url}/api/shared_spaces/1001/workspaces/1002/defects`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error_code: string }).error_code).toBe('platform.authentication_failed');

    const signIn = await fetch(`${url}/authentication/sign_in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }),
    });
    expect(signIn.status).toBe(200);
    const setCookies = signIn.headers.getSetCookie();
    const lwsso = setCookies.find((c) => c.startsWith('LWSSO_COOKIE_KEY='));
    expect(lwsso).toBeDefined();
    expect(lwsso).toMatch(/HttpOnly/i);
    const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');

    const defects = await fetch(`${url}/api/shared_spaces/1001/workspaces/1002/defects`, { headers: { cookie } });
    expect(defects.status).toBe(200);
    expect(defects.headers.get('content-type')).toContain('application/json');
    expect(await defects.json()).toEqual({ total_count: 0, data: [], exceeds_total_count: false });

    const phases = await fetch(`${url}/api/shared_spaces/1001/workspaces/1002/phases?fields=logical_name&limit=1&order_by=id`, { headers: { cookie } });
    expect(phases.status).toBe(200);
    expect(((await phases.json()) as { total_count: number }).total_count).toBeGreaterThan(0);

    expect(r.child.kill('SIGTERM')).toBe(true);
    const exit = await withTimeout(r.exited, 8000, 'SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // the port is free again
    await expect(fetch(`${url}/api/shared_spaces`)).rejects.toThrow();
  });

  it('--help prints the usage and exits 0', async () => {
    const r = run([...ENTRY, '--help']);
    const exit = await withTimeout(r.exited, 8000, '--help');
    expect(exit.code).toBe(0);
    expect(r.stdout()).toContain('Usage: octane-emulator');
    expect(r.stdout()).toContain('--port');
    expect(r.stdout()).not.toContain('octane-emulator is ready');
  });

  it('a bad --port exits 2 with a message on stderr', async () => {
    const r = run([...ENTRY, '--port', 'abc', '--db', ':memory:']);
    const exit = await withTimeout(r.exited, 8000, '--port abc');
    expect(exit.code).toBe(2);
    expect(r.stderr()).toContain("invalid port 'abc'");
    expect(r.stdout()).not.toContain('octane-emulator is ready');
  });

  it('an unknown flag exits 2', async () => {
    const r = run([...ENTRY, '--no-such-flag']);
    const exit = await withTimeout(r.exited, 8000, '--no-such-flag');
    expect(exit.code).toBe(2);
    expect(r.stderr()).toContain('Usage: octane-emulator');
  });
});
