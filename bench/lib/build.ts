// The benchmark runs compiled JavaScript, as `npm start` does: the emulator and baseline processes
// are not slowed or enlarged by a TypeScript loader (tsx keeps a loader thread of ~35 MB). src/,
// migrations/ and bench/ are compiled with tsc into node_modules/.cache/octane-emulator-bench/
// build-<newest source mtime>, once per run.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (bench/lib/../..), from source or from the build alike. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bench', 'tsconfig.build.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export const ROOT = findRoot();
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'octane-emulator-bench');

export function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(ts|json|mjs)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function sourcesMtime(): number {
  return Math.max(...['src', 'migrations', 'bench'].map((d) => newestMtime(path.join(ROOT, d))));
}

let built: string | undefined;

/**
 * Compiles the sources once per process, into a folder named after their newest modification time,
 * so that a run keeps using the build it started with while files change (others edit src/ during
 * a run) and two runs never delete each other's build. Type errors elsewhere do not stop the emit.
 */
export function ensureBuild(log: (s: string) => void = () => undefined): string {
  if (built) return built;
  const stamp = Math.floor(sourcesMtime());
  const target = path.join(CACHE, `build-${stamp}`);
  if (!fs.existsSync(path.join(target, '.built'))) {
    log(`compiling src/, migrations/ and bench/ into ${path.relative(ROOT, target)} …`);
    const tmp = `${target}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'bench', 'tsconfig.build.json'), '--outDir', tmp], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    if (!fs.existsSync(path.join(tmp, 'src', 'main.js')) || !fs.existsSync(path.join(tmp, 'bench', 'lib', 'emulator-child.js'))) {
      throw new Error('compiling for the benchmark failed: run npx tsc -p bench/tsconfig.build.json --noEmit');
    }
    fs.writeFileSync(path.join(tmp, '.built'), '');
    try {
      fs.renameSync(tmp, target);
    } catch {
      // another run made the same build meanwhile
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  // builds of older sources, a day old
  for (const name of fs.readdirSync(CACHE)) {
    // (the folder of this build is in use from now on)
    const full = path.join(CACHE, name);
    if (full !== target && /^build/.test(name) && Date.now() - fs.statSync(full).mtimeMs > 86_400_000) fs.rmSync(full, { recursive: true, force: true });
  }
  built = target;
  return target;
}
