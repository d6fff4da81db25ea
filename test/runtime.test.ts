// The start-up warning for Node releases on which better-sqlite3 12 aborts the process.
import { describe, expect, it } from 'vitest';
import { runtimeWarning } from '../src/runtime.js';

describe('runtimeWarning', () => {
  it('is silent on the Node releases where better-sqlite3 12 runs', () => {
    for (const node of ['20.12.0', '20.20.2', '22.23.5', '24.0.0', '24.18.1', '24.22.0', '24.22.3', '25.9.0', '26.0.0', '26.3.1', '26.12.1']) {
      expect(runtimeWarning(node, '12.11.1'), node).toBeUndefined();
    }
  });

  it('warns on Node 24.19-24.21 with better-sqlite3 12, naming both versions', () => {
    for (const node of ['24.19.0', '24.20.0', '24.21.0', '24.21.9']) {
      const w = runtimeWarning(node, '12.11.1');
      expect(w, node).toContain(`Node.js ${node} with better-sqlite3 12.11.1`);
      expect(w).toContain('Use Node.js 20, 22, or 24.22 or later');
    }
  });

  it('is silent with better-sqlite3 13 or later, and reads the installed version by default', () => {
    expect(runtimeWarning('24.21.0', '13.2.0')).toBeUndefined();
    expect(runtimeWarning('24.21.0')).toContain('with better-sqlite3 12.');
  });
});
