// Flow 7 (flows.md §7, Scenario_GetResultsReleaseEnv.htm, first 3 steps verified): the
// environments (taxonomies) of the runs of the 732.* releases, then (inferred) only those with a
// browser environment.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, many, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get the environments for test results for specific releases', () => {
  let t: TestApp;
  let w: Workspace;
  const r: Record<string, string> = {};
  const env: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    for (const [key, logical] of [
      ['chrome', 'taxonomy_node.browser.chrome'],
      ['firefox', 'taxonomy_node.browser.firefox'],
      ['linux', 'taxonomy_node.os.linux'],
    ]) {
      env[key] = await w.idOf('taxonomy_item_nodes', logical);
    }
    const rel = async (name: string, start: string) => ref('release', await w.add('releases', { name, start_date: start, end_date: `${start.slice(0, 8)}28` }));
    const r1 = await rel('732.1', '2024-01-01');
    const r2 = await rel('732.2', '2024-02-01');
    const r3 = await rel('7321', '2024-03-01'); // no dot after 732
    const r4 = await rel('733.1', '2024-04-01');
    const test = ref('test_manual', await w.add('manual_tests', { name: 'Checkout' }));
    const run = async (label: string, release: unknown, envs: string[]) => {
      r[label] = await w.add('manual_runs', {
        name: `Run ${label}`,
        test,
        release,
        native_status: LIST('list_node.run_native_status.passed'),
        taxonomies: many(...envs.map((e) => ref('taxonomy_item_node', env[e]))),
      });
    };
    await run('X1', r1, ['chrome', 'linux']); // final
    await run('X2', r2, ['firefox']); // final
    await run('X3', r1, ['linux']); // no browser
    await run('X4', r3, ['chrome']); // release 7321
    await run('X5', r4, ['chrome']); // release 733.1
    await run('X6', r2, []); // no environment
  });
  afterAll(() => t.close());

  it('1. GET .../runs', async () => {
    expect(sorted(await w.ids('runs'))).toEqual(sorted(Object.values(r)));
  });

  it('2. GET .../runs?fields=taxonomies: exactly id, type and the environments', async () => {
    const body = await w.read('runs?fields=taxonomies');
    expect(body.total_count).toBe(6);
    const x1 = body.data.find((e: any) => e.id === r.X1);
    expect(Object.keys(x1).sort()).toEqual(['id', 'taxonomies', 'type']);
    expect(x1.taxonomies.total_count).toBe(2);
    expect(x1.taxonomies.data.map((x: any) => [x.type, x.name]).sort()).toEqual([
      ['taxonomy_item_node', 'Chrome'],
      ['taxonomy_item_node', 'Linux'],
    ]);
    expect(body.data.find((e: any) => e.id === r.X6).taxonomies).toEqual({ total_count: 0, data: [] });
  });

  it('3. GET .../runs?fields=taxonomies&query="release EQ {name EQ ^732.*^}"', async () => {
    expect(sorted(await w.ids(`runs?fields=taxonomies&${qs('release EQ {name EQ ^732.*^}')}`))).toEqual(sorted([r.X1, r.X2, r.X3, r.X6]));
  });

  it('4. ... with a browser environment (taxonomies EQ {category EQ {name EQ ^Browser^}})', async () => {
    const body = await w.read(`runs?fields=taxonomies&${qs('release EQ {name EQ ^732.*^};taxonomies EQ {category EQ {name EQ ^Browser^}}')}`);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([r.X1, r.X2]));
    // the other form: one environment by name
    expect(await w.ids(`runs?fields=taxonomies&${qs('release EQ {name EQ ^732.*^};taxonomies EQ {name EQ ^Chrome^}')}`)).toEqual([r.X1]);
  });
});
