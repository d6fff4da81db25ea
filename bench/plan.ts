// Times and explains the statements of a captured request (a *.capture.json of `npm run bench --
// --keep`) against its database: every SELECT slower than --min-ms, with SQLite's query plan.
//
//   npx tsx bench/plan.ts <dir>/100000-cross-filter.capture.json <dir>/bench-100000.db [--min-ms 0.5]

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import type { CapturedStatement } from './lib/harness.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'min-ms': { type: 'string', default: '0.5' }, repeat: { type: 'string', default: '3' } } });
const [captureFile, dbFile] = positionals;
if (!captureFile || !dbFile) {
  process.stderr.write('usage: npx tsx bench/plan.ts <capture.json> <database> [--min-ms 0.5] [--repeat 3]\n');
  process.exit(2);
}
const db = new BetterSqlite3(dbFile, { readonly: true });
const statements = JSON.parse(fs.readFileSync(captureFile, 'utf8')) as CapturedStatement[];
let total = 0;
for (const s of statements) {
  if (!s.reader || !/^\s*select\b/i.test(s.sql)) continue;
  const stmt = db.prepare(s.sql);
  let best = Infinity;
  let rows = 0;
  for (let i = 0; i < Number(values.repeat); i++) {
    const t0 = performance.now();
    rows = stmt.all(...(s.params as unknown[])).length;
    best = Math.min(best, performance.now() - t0);
  }
  total += best;
  if (best < Number(values['min-ms'])) continue;
  process.stdout.write(`${best.toFixed(2)} ms, ${rows} rows: ${s.sql.slice(0, 800)}\n   params ${JSON.stringify(s.params).slice(0, 300)}\n`);
  for (const p of db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(s.params as unknown[])) as Array<{ detail: string }>) process.stdout.write(`      ${p.detail}\n`);
}
process.stdout.write(`${statements.length} statements, reads ${total.toFixed(2)} ms in all (best of ${values.repeat})\n`);
