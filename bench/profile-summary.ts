// Summarises V8 CPU profiles (.cpuprofile from `node --cpu-prof` or `npm run bench -- --profile`):
// self time by category, inclusive time of groups (SQLite, kysely, compiler, renderer, JSON, …),
// and the top functions by self and inclusive time.
//
//   npx tsx bench/profile-summary.ts <file.cpuprofile>… [--top 30] [--requests N]

import { parseArgs } from 'node:util';
import { formatSummary, readProfile, summarise } from './lib/profile.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, requests: { type: 'string' } },
});
if (!positionals.length) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile>… [--top 30] [--requests N]\n');
  process.exit(2);
}
for (const file of positionals) {
  const s = summarise(readProfile(file));
  process.stdout.write(`${formatSummary(s, { top: Number(values.top), requests: values.requests ? Number(values.requests) : undefined, title: `== ${file}` })}\n\n`);
}
