// The fixture loader's item keys beyond plain bodies, as a test suite uses them through seed():
// "@key" references, "@script" and "@steps" (the outcomes of a run's steps), and the errors a bad
// item gets, which leave nothing of the fixture behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/index.js';

let e: RunningEmulator;
beforeAll(async () => {
  e = await startEmulator();
});
afterAll(() => e.close());

async function get(url: string) {
  const auth = `Basic ${Buffer.from(`${e.credentials.user}:${e.credentials.password}`).toString('base64')}`;
  const r = await fetch(`${e.url}/api/shared_spaces/${e.sharedSpaceId}/workspaces/${e.workspaceId}/${url}`, { headers: { authorization: auth } });
  expect(r.status).toBe(200);
  return (await r.json()) as { total_count: number; data: Array<Record<string, any>> };
}
const q = (query: string) => `query=${encodeURIComponent(`"${query}"`)}`;
const stepOutcomes = async (run: number) =>
  (await get(`run_steps?${q(`run EQ {id EQ ${run}}`)}&fields=status{logical_name}&order_by=id`)).data.map((s) => s.status.logical_name.replace('list_node.run_native_status.', ''));

const release = (name = 'Fixture release') => ({ '@key': 'release', name, start_date: '2026-01-01T00:00:00Z', end_date: '2026-03-31T00:00:00Z' });
const test = (key: string, steps: number) => ({
  '@key': key,
  '@script': Array.from({ length: steps }, (_, i) => `- step ${i + 1}`).join('\n'),
  name: `Manual test ${key}`,
  phase: { type: 'phase', id: 'phase.test_manual.new' },
});
const run = (key: string, testKey: string, status: string, steps?: unknown) => ({
  '@key': key,
  ...(steps === undefined ? {} : { '@steps': steps }),
  name: `Run ${key}`,
  test: { type: 'test_manual', id: `@${testKey}` },
  release: { type: 'release', id: '@release' },
  native_status: { type: 'list_node', id: `list_node.run_native_status.${status}` },
});

describe('fixture "@steps"', () => {
  it('sets the outcome of each step in order; a single status sets them all; the rest stay planned', async () => {
    const [result] = e.seed({
      releases: [release()],
      manual_tests: [test('t', 4)],
      manual_runs: [run('partial', 't', 'failed', ['passed', 'failed']), run('all', 't', 'passed', 'passed'), run('none', 't', 'planned')],
    });
    const { partial, all, none } = result.keys;
    expect(await stepOutcomes(partial)).toEqual(['passed', 'failed', 'planned', 'planned']);
    expect(await stepOutcomes(all)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(await stepOutcomes(none)).toEqual(['planned', 'planned', 'planned', 'planned']);
    expect(((await get(`runs/${partial}?fields=status{logical_name}`)) as unknown as { status: { logical_name: string } }).status.logical_name).toBe('list_node.run_status.failed');
  });

  it('refuses an unknown outcome or more outcomes than steps, leaving nothing of the fixture', async () => {
    const before = (await get('manual_tests?fields=id')).total_count;
    expect(() => e.seed({ releases: [release('Release u')], manual_tests: [test('u', 2)], manual_runs: [run('r', 'u', 'failed', ['passed', 'exploded'])] })).toThrow(/unknown step outcome "exploded"/);
    expect(() => e.seed({ releases: [release('Release v')], manual_tests: [test('v', 2)], manual_runs: [run('r', 'v', 'failed', ['passed', 'passed', 'failed'])] })).toThrow(/3 outcomes for a run with 2 steps/);
    expect(() => e.seed({ releases: [release('Release w')], manual_tests: [test('w', 2)], manual_runs: [run('r', 'w', 'failed', { first: 'passed' })] })).toThrow(/must be a status or an array/);
    expect((await get('manual_tests?fields=id')).total_count).toBe(before);
  });
});
