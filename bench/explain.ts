// Prints every SQL statement the emulator runs for one filtered list request, with its time and
// SQLite's query plan, over a generated workspace.
//
//   npx tsx bench/explain.ts ['<query statement>']        (ROWS=1000000 for a bigger workspace)

import { buildApp } from '../src/http/app.js';
import { generateDefects } from './lib/generate.js';
import { captureSql, tempDb } from './lib/harness.js';
const app = await buildApp({ db: tempDb('plan'), logger: false });
generateDefects(app.emulator, Number(process.env.ROWS ?? 100000));
const si = await app.inject({ method: 'POST', url: '/authentication/sign_in', payload: { user: 'sa@nga', password: 'Welcome1' } });
const cookies = Object.fromEntries(si.cookies.map((c) => [c.name, c.value]));
const Q = process.argv[2] ?? 'release EQ {name EQ ^R1*^};phase EQ {logical_name EQ ^phase.defect.opened^};severity EQ {id EQ ^list_node.severity.high^}';
const url = `/api/shared_spaces/1001/workspaces/1002/defects?query=${encodeURIComponent(`"${Q}"`)}&order_by=-creation_time&limit=50`;
const st = await captureSql(app.emulator.sql, async () => { await app.inject({ url, cookies }); });
for (const s of st) {
  if (!s.reader) {
    console.log('(write)', s.sql.slice(0, 400));
    continue;
  }
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) app.emulator.sql.sqlite.prepare(s.sql).all(...(s.params as any[]));
  const ms = (performance.now() - t0) / 20;
  console.log(ms.toFixed(2), 'ms', s.sql.slice(0, 400));
  console.log(app.emulator.sql.sqlite.prepare('EXPLAIN QUERY PLAN ' + s.sql).all(...(s.params as any[])).map((r: any) => '   ' + r.detail).join('\n'));
}
await app.close();
