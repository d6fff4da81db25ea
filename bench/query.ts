// Benchmark of the query language (issue 4): the cross-filter query over N defects, the emulator
// against a bare Fastify + better-sqlite3 server running the same SQL, side by side in one run.
//
//   npm run bench:query                       100,000 defects, 10 s per case
//   npm run bench:query -- --sizes 100000,1000000 --seconds 5

import { parseArgs } from 'node:util';
import { buildApp } from '../src/http/app.js';
import { generateDefects } from './lib/generate.js';
import { bareServer, captureSql, load, table, tempDb } from './lib/harness.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const QUERY =
  'release EQ {name EQ ^R1*^};phase EQ {logical_name EQ ^phase.defect.opened^};severity EQ {id EQ ^list_node.severity.high^}';

const rows: Array<Record<string, string | number>> = [];
const p50s = new Map<number, number>();
for (const size of sizes) {
  const dbFile = tempDb(`query-${size}`);
  const app = await buildApp({ db: dbFile, logger: false });
  const emulator = app.emulator;
  const t0 = Date.now();
  generateDefects(emulator, size);
  process.stderr.write(`generated ${size} defects in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const signIn = await fetch(`${base}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { sharedSpaceId, workspaceId } = emulator.defaults;
  const url = `${base}/api/shared_spaces/${sharedSpaceId}/workspaces/${workspaceId}/defects?query=${encodeURIComponent(`"${QUERY}"`)}&order_by=-creation_time&limit=50`;
  let sample: { total_count?: number } = {};
  const statements = await captureSql(emulator.sql, async () => {
    sample = (await (await fetch(url, { headers: { cookie } })).json()) as { total_count?: number };
  });
  const bare = await bareServer(dbFile, statements);
  const emu = await load(url, { seconds, connections, headers: { cookie } });
  const raw = await load(`${bare.url}/q`, { seconds, connections });
  p50s.set(size, emu.p50);
  rows.push({
    defects: size,
    matches: sample.total_count ?? -1,
    'emulator req/s': emu.rps,
    'bare req/s': raw.rps,
    'req/s ratio': emu.rps / raw.rps,
    'emulator p50 ms': emu.p50,
    'emulator p99 ms': emu.p99,
    'bare p50 ms': raw.p50,
    'bare p99 ms': raw.p99,
  });
  await bare.app.close();
  await app.close();
}
process.stdout.write(`\nGET defects?query="${QUERY}"&order_by=-creation_time&limit=50\n${seconds} s per case, ${connections} connections, loopback\n\n`);
process.stdout.write(`${table(rows)}\n`);
if (sizes.length > 1) {
  const first = p50s.get(sizes[0])!;
  const last = p50s.get(sizes[sizes.length - 1])!;
  process.stdout.write(`\nemulator p50 growth ${sizes[0]} -> ${sizes[sizes.length - 1]}: ${(last / Math.max(first, 0.001)).toFixed(2)}x\n`);
}
