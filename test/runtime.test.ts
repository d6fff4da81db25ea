// The start-up warning for Node releases on which better-sqlite3 12 aborts the process.
import { describe, expect, it } from 'vitest';
import { runtimeWarning } from '../src/runtime.js';

describe('runtimeWarning', () => {
  it('is silent on Node 20, 22 and 24 before 24.19', () => {
    for (const node of ['20.12.0', '20.20.2', '22.23.5', '24.0.0', '24.18.1']) expect(runtimeWarning(node, '12.11.1'), node).toBeUndefined();
  });

  it('warns on Node 24.19 and later with better-sqlite3 12, naming both versions', () => {
    for (const node of ['24.19.0', '24.21.0', '26.1.0']) {
      const w = runtimeWarning(node, '12.11.1');
      expect(w, node).toContain(`Node.js ${node} with better-sqlite3 12.11.1`);
      expect(w).toContain('Use Node.js 20, 22 or 24.0–24.18');
    }
  });

  it('is silent with better-sqlite3 13 or later, and reads the installed version by default', () => {
    expect(runtimeWarning('24.21.0', '13.2.0')).toBeUndefined();
    expect(runtimeWarning('24.21.0')).toContain('with better-sqlite3 12.');
  });
});
