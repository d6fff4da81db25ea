// The bundled command line (scripts/bundle.mjs, what `npm start` and the container run): built
// into a scratch folder inside the package, started on a loopback port, signed in to, read from,
// and stopped with SIGTERM.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.join(import.meta.dirname, '..');
const dir = path.join(ROOT, 'node_modules', '.cache', `octane-emulator-bundle-test-${process.pid}`);
const bundle = path.join(dir, 'cli.mjs');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the bundled CLI', () => {
  it('builds into one module that keeps only the native and documentation packages external', () => {
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), bundle], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const text = fs.readFileSync(bundle, 'utf8');
    const imported = [...text.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]).filter((m) => !m.startsWith('node:'));
    expect([...new Set(imported)].sort()).toEqual(['@fastify/swagger', '@fastify/swagger-ui', 'better-sqlite3']);
  });

  it('starts, answers a signed-in request, serves the API docs and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bundle, '--port', '0', '--host', '127.0.0.1', '--db', ':memory:', '--no-demo', '--log-level', 'silent'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL line: ${out}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /URL:\s+(\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const signIn = await fetch(`${url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const phases = await fetch(`${url}/api/shared_spaces/1001/workspaces/1002/phases?limit=1`, { headers: { cookie } });
      expect(phases.status).toBe(200);
      expect(((await phases.json()) as { total_count: number }).total_count).toBeGreaterThan(10);
      const docs = await fetch(`${url}/api-docs/json`);
      expect(docs.status).toBe(200);
      expect(Object.keys(((await docs.json()) as { paths: object }).paths).length).toBeGreaterThan(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
