// The data generator as a command: fills the default workspace of a fresh database with realistic
// planning and quality data (see bench/lib/generate.ts for the shape), then prints what it made.
//
//   npm run gen -- --defects 100000                      -> data/bench-100000.db
//   npm run gen -- --defects 1000000 --db /tmp/big.db --force
//   npm run gen -- --defects 50000 --stories 0 --tests 0  (defects only)
//
// Then: npm start -- --db data/bench-100000.db  (or node bin/octane-emulator.js --db …)

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/http/app.js';
import { generateWorkspace } from './lib/generate.js';

const HELP = `npm run gen -- --defects <n> [--db <file>] [--stories <n>] [--tasks-per-story <n>] [--tests <n>] [--seed <n>] [--force]

  --defects <n>          defects to create (5,000 per release), default 100000
  --stories <n>          user stories (default: defects / 4), each with 0..2x tasks
  --tasks-per-story <n>  average tasks per story (default 2)
  --tests <n>            tests (default: defects / 10; 60% manual, 40% automated) with runs
  --db <file>            database file (default data/bench-<defects>.db); must not exist unless --force
  --seed <n>             random seed (default 42)
  --force                replace an existing file
  --json <file>          also write what was generated (ids, counts, timings) as JSON
`;

const { values } = parseArgs({
  options: {
    defects: { type: 'string', default: '100000' },
    stories: { type: 'string' },
    'tasks-per-story': { type: 'string' },
    tests: { type: 'string' },
    db: { type: 'string' },
    seed: { type: 'string', default: '42' },
    force: { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`gen: --${name} must be a whole number, got '${v}'\n\n${HELP}`);
    process.exit(2);
  }
  return n;
};
const defects = num('defects', values.defects)!;
const db = values.db ?? path.join('data', `bench-${defects}.db`);
if (db !== ':memory:' && fs.existsSync(db)) {
  if (!values.force) {
    process.stderr.write(`gen: ${db} exists; pass --force to replace it\n`);
    process.exit(2);
  }
  for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
}

const t0 = performance.now();
const app = await buildApp({ db, logger: false });
const data = generateWorkspace(app.emulator, {
  defects,
  stories: num('stories', values.stories),
  tasksPerStory: num('tasks-per-story', values['tasks-per-story']),
  tests: num('tests', values.tests),
  seed: num('seed', values.seed),
});
const { sharedSpaceId, workspaceId } = app.emulator.defaults;
app.emulator.sql.sqlite.pragma('wal_checkpoint(TRUNCATE)');
await app.close();
const seconds = (performance.now() - t0) / 1000;
const size = db === ':memory:' ? 0 : fs.statSync(db).size;
if (values.json) {
  // maxRSS: kilobytes on Linux
  fs.writeFileSync(values.json, JSON.stringify({ ...data, db, seconds, bytes: size, maxRssBytes: process.resourceUsage().maxRSS * 1024, sharedSpaceId, workspaceId }));
}
process.stdout.write(
  [
    `generated ${data.entities.toLocaleString('en')} entities in ${seconds.toFixed(1)} s into ${db} (${(size / 1024 / 1024).toFixed(0)} MB)`,
    ...Object.entries(data.counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, n]) => `  ${type.padEnd(16)} ${n.toLocaleString('en').padStart(12)}`),
    `sample ids: defect ${data.sample.defect}, story ${data.sample.story}, task ${data.sample.task}, test ${data.sample.test}, run ${data.sample.run}`,
    `serve it: npm start -- --db ${db}   (shared space ${sharedSpaceId}, workspace ${workspaceId}, sa@nga / Welcome1)`,
    '',
  ].join('\n'),
);
