// The benchmark's goals table (bench/lib/report.ts): how the repeated test-results pushes are judged.

import { describe, expect, it } from 'vitest';
import { goals, type RunResults } from '../../bench/lib/report.js';

type Repeated = NonNullable<NonNullable<RunResults['ingest']>['repeated']>;

function results(repeated: Repeated): RunResults {
  return {
    machine: {} as RunResults['machine'],
    settings: { seconds: 5, warmup: 1, connections: 10, heavyRequests: 20, sizes: [100000], mainSize: 100000, mix: 'full', runs: 10000, tests: 2000, profile: false },
    loadAtStart: [0, 0, 0],
    generated: [],
    cases: [],
    ingest: { size: 100000, runs: 10000, tests: 2000, ms: 1400, capturedMs: 1100, parseMs: 330, bareMs: 500, statements: 5000, byTable: {}, payloadBytes: 2e6, peakRss: 2e8, load: 1, repeated },
    memory: [],
    profiles: [],
    command: 'npm run bench',
  };
}

const repeatedGoal = (r: RunResults) => goals(r).find((g) => g.goal.startsWith('test-results: repeated pushes'))!;

describe('repeated pushes goal', () => {
  const base = { pushes: 50, firstMs: 1000, lastMs: 1500, medianMs: 1100, window: 5, firstMedianMs: 950, lastMedianMs: 1400 };

  it('is judged per parse of the same payload when the run measured it', () => {
    // the core ran slower at the end: raw times rose 1.47x, times per parse did not
    const g = repeatedGoal(results({ ...base, firstRatio: 3.6, lastRatio: 3.8 }));
    expect(g.ok).toBe(true);
    expect(g.measured).toContain('median of pushes 1-5 0.95 s, of pushes 46-50 1.40 s (1.47x)');
    expect(g.measured).toContain('per parse of the same payload 3.60x → 3.80x (1.06x)');
  });

  it('fails when the time per parse grows by more than a quarter', () => {
    const g = repeatedGoal(results({ ...base, lastMedianMs: 1000, firstRatio: 3.0, lastRatio: 3.9 }));
    expect(g.ok).toBe(false);
    expect(g.measured).toContain('(1.30x)');
  });

  it('falls back to the raw medians for results without the reference', () => {
    expect(repeatedGoal(results(base)).ok).toBe(false);
    expect(repeatedGoal(results({ ...base, lastMedianMs: 1150 })).ok).toBe(true);
    expect(repeatedGoal(results(base)).measured).not.toContain('per parse');
  });
});
