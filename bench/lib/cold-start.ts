// Cold start: from spawning the command line on a fresh database file (the demo tenant is created
// at start, with the demo workspace when the CLI offers --demo) to the first 200 of a signed-in GET.
// Runs the compiled CLI: dist/ when it is newer than every source file, otherwise a fresh build of
// src/ into node_modules/.cache/octane-emulator-bench/build (the code `npm start` would run).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuild, newestMtime, ROOT } from './build.js';

/** The CLI entry to run: [node args…] and how it was chosen. */
export function cliEntry(mode: 'auto' | 'dist' | 'build' | 'tsx' = 'auto'): { args: string[]; via: string } {
  const dist = path.join(ROOT, 'dist', 'src', 'main.js');
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'migrations')));
  if (mode === 'tsx') return { args: ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')], via: 'node --import tsx src/main.ts (TypeScript compiled on load)' };
  if (mode === 'dist' || (mode === 'auto' && fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= sources)) {
    return { args: [path.join(ROOT, 'bin', 'octane-emulator.js')], via: 'bin/octane-emulator.js (dist/, up to date)' };
  }
  return { args: [path.join(ensureBuild(), 'src', 'main.js')], via: 'node src/main.js compiled by tsc (dist/ is older than src/)' };
}

/**
 * The flags that give the demo workspace when its fixture exists (the CLI's default, or --demo on
 * CLIs that make it optional), or that start without it when the file is absent.
 */
export function demoFlags(entry: string[]): { flags: string[]; demo: boolean } {
  const help = spawnSync(process.execPath, [...entry, '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout ?? '';
  const file = fs.existsSync(path.join(ROOT, 'fixtures', 'demo.json'));
  if (file && /--demo\b/.test(help)) return { flags: ['--demo'], demo: true };
  if (file && /--no-demo\b/.test(help)) return { flags: [], demo: true };
  if (/--no-demo\b/.test(help)) return { flags: ['--no-demo'], demo: false };
  return { flags: [], demo: false };
}

export interface ColdStart {
  ms: number;
  /** spawn -> banner printed (listening) */
  listeningMs: number;
}

/** Spawns `node <args>`, waits for the "URL:" line, signs in (when `signIn`) and GETs `path` until 200. */
export async function coldStartOnce(nodeArgs: string[], opts: { path: string; signIn: boolean; timeoutMs?: number }): Promise<ColdStart> {
  const t0 = performance.now();
  const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL line within ${opts.timeoutMs ?? 30000} ms: ${out} ${stderr}`)), opts.timeoutMs ?? 30000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /URL:\s+(\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
    });
    const listeningMs = performance.now() - t0;
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error('cold start must listen on loopback');
    for (;;) {
      let cookie = '';
      if (opts.signIn) {
        const si = await fetch(`${url}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) });
        if (!si.ok) continue;
        cookie = si.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      }
      const res = await fetch(`${url}${opts.path}`, { headers: cookie ? { cookie } : {} });
      await res.arrayBuffer();
      if (res.status === 200) return { ms: performance.now() - t0, listeningMs };
      if (performance.now() - t0 > (opts.timeoutMs ?? 30000)) throw new Error(`no 200 from ${opts.path}: ${res.status}`);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

export async function coldStarts(opts: { runs: number; dir: string; mode?: 'auto' | 'dist' | 'build' | 'tsx'; profileDir?: string }) {
  const entry = cliEntry(opts.mode);
  const { flags, demo } = demoFlags(entry.args);
  const emulator: ColdStart[] = [];
  const bare: ColdStart[] = [];
  const cli = (db: string) => [...entry.args, '--port', '0', '--host', '127.0.0.1', '--db', db, '--log-level', 'silent', ...flags];
  const signedIn = { path: '/api/shared_spaces/1001/workspaces/1002/defects?limit=1', signIn: true };
  for (let i = 0; i < opts.runs; i++) {
    emulator.push(await coldStartOnce(cli(path.join(opts.dir, `cold-${process.pid}-${i}.db`)), signedIn));
    const bareDb = path.join(opts.dir, `cold-bare-${process.pid}-${i}.db`);
    bare.push(await coldStartOnce([path.join(ROOT, 'bench', 'lib', 'bare-cold.mjs'), bareDb], { path: '/q', signIn: false }));
  }
  let profile: string | undefined;
  if (opts.profileDir) {
    // one more start under `node --cpu-prof` (written when the process exits)
    const before = new Set(fs.readdirSync(opts.profileDir));
    await coldStartOnce(['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, '--cpu-prof-interval', '200', ...cli(path.join(opts.dir, `cold-${process.pid}-profiled.db`))], signedIn);
    const made = fs.readdirSync(opts.profileDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (made.length) {
      profile = path.join(opts.profileDir, 'cold-start.cpuprofile');
      fs.renameSync(path.join(opts.profileDir, made[0]), profile);
    }
  }
  return { via: entry.via, demo, emulator, bare, profile };
}
