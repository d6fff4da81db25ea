// `npm run fuzz`: the properties of test/reliability/fuzz.test.ts with FUZZ_RUNS cases each
// (default 100,000) instead of the modest counts of `npm test`. Prints each property's cases,
// accepted and refused answers, and refusals by error code at the end.
//
//   npm run fuzz                          # 100,000 cases per property
//   FUZZ_RUNS=5000 npm run fuzz           # fewer
//   FUZZ_SEED=1234 npm run fuzz           # replay a reported seed
//   npm run fuzz -- -t "multipart"        # one property (arguments go to vitest)

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = process.env.FUZZ_RUNS ?? '100000';
const started = Date.now();
process.stdout.write(`fuzz: ${runs} cases per property (test/reliability/fuzz.test.ts)${process.env.FUZZ_SEED ? `, seed ${process.env.FUZZ_SEED}` : ''}\n`);
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', 'test/reliability/fuzz.test.ts', '--reporter=verbose', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs },
});
child.on('exit', (code, signal) => {
  process.stdout.write(`fuzz: finished in ${((Date.now() - started) / 60_000).toFixed(1)} min (${signal ?? `exit ${code}`})\n`);
  process.exit(code ?? 1);
});
