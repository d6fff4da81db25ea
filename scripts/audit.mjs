// `npm run audit` (run by .ci/run): the runtime dependencies must have no known vulnerability of
// high or critical severity. Fails on such a finding; when the registry's audit service cannot be
// reached (offline mirrors and proxies often refuse its POST), says so and passes, since there is
// nothing to check against.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report;
try {
  report = JSON.parse(run.stdout || '{}');
} catch {
  console.error(`audit: npm audit printed no JSON (exit ${run.status}):\n${run.stderr}`);
  process.exit(1);
}

const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.message ?? report.error?.summary ?? (run.error ? String(run.error) : `exit ${run.status}`);
  console.log(`audit: skipped, the registry's audit service is not available here (${why})`);
  process.exit(0);
}

const serious = (counts.high ?? 0) + (counts.critical ?? 0);
const summary = Object.entries(counts)
  .filter(([k]) => k !== 'total')
  .map(([k, v]) => `${k} ${v}`)
  .join(', ');
console.log(`audit: runtime dependencies: ${summary}`);
if (serious > 0) {
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity === 'high' || v.severity === 'critical') console.log(`  ${v.severity}: ${name} ${v.range ?? ''}`);
  }
  process.exit(1);
}
