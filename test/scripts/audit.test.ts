// scripts/audit.mjs decides CI's dependency check: it must fail on high or critical findings,
// pass on lower ones, and pass with a notice when the audit service cannot be reached. A fake
// `npm` first on PATH plays each answer of `npm audit --json`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.join(import.meta.dirname, '..', '..', 'scripts', 'audit.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runWith(answer: object, exitCode: number) {
  fs.writeFileSync(path.join(dir, 'answer.json'), JSON.stringify(answer));
  const fake = path.join(dir, 'npm');
  fs.writeFileSync(fake, `#!/bin/sh\ncat "${path.join(dir, 'answer.json')}"\nexit ${exitCode}\n`, { mode: 0o755 });
  return spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` } });
}

const counts = (high: number, critical: number) => ({ info: 0, low: 2, moderate: 1, high, critical, total: 3 + high + critical });

describe.skipIf(process.platform === 'win32')('scripts/audit.mjs', () => {
  it('fails on a high finding and names the package', () => {
    const r = runWith({ vulnerabilities: { 'some-lib': { severity: 'high', range: '<1.2.3' } }, metadata: { vulnerabilities: counts(1, 0) } }, 1);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('high: some-lib <1.2.3');
  });

  it('fails on a critical finding', () => {
    const r = runWith({ vulnerabilities: { other: { severity: 'critical' } }, metadata: { vulnerabilities: counts(0, 1) } }, 1);
    expect(r.status).toBe(1);
  });

  it('passes when only low and moderate findings remain', () => {
    const r = runWith({ vulnerabilities: {}, metadata: { vulnerabilities: counts(0, 0) } }, 1);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('low 2, moderate 1, high 0, critical 0');
  });

  it('passes with a notice when the audit service refuses the request', () => {
    const r = runWith({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405, error: { summary: '' } }, 1);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('skipped');
    expect(r.stdout).toContain('405 Method Not Allowed');
  });
});
