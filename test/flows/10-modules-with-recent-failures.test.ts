// Flow 10 (flows.md §10, Scenario_GetAppModsRecentFails.htm, first 2 steps verified): application
// modules whose tests' last runs failed in the last 24 hours, through the reverse field `test`
// (the inferred final call nests three levels from the outermost clause). The first part builds
// its data over REST; the second gets it from a pipeline's test-results pushes, the application
// modules given per test_run, and runs the same queries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { pushBuild } from '../helpers/pipeline-push.js';
import { freshWorkspace, LIST, many, qs, sorted, type Workspace } from '../helpers/workspace.js';

const NOW = Date.parse('2025-06-10T12:00:00Z');
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('Get application modules whose tests recently failed', () => {
  let t: TestApp;
  let w: Workspace;
  const pa: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
    w = await freshWorkspace(t);
    const release = ref('release', await w.add('releases', { name: 'R', start_date: '2025-01-01', end_date: '2025-12-31' }));
    for (const name of ['Billing', 'Search', 'Reports', 'Admin', 'Export', 'Docs']) pa[name] = await w.add('product_areas', { name });
    const test = async (collection: string, name: string, areas: string[]) =>
      w.add(collection, { name, product_areas: many(...areas.map((x) => ref('product_area', pa[x]))) });
    const run = async (collection: string, type: string, testId: string, status: string, hoursAgo: number) => {
      w.freeze(at(hoursAgo));
      await w.add(collection, { name: `run ${status}`, test: ref(type, testId), release, native_status: LIST(`list_node.run_native_status.${status}`) });
    };
    const a1 = await test('automated_tests', 'billingTest', ['Billing']);
    await run('automated_runs', 'test_automated', a1, 'failed', 2); // Billing: final
    const a2 = await test('automated_tests', 'searchTest', ['Search']);
    await run('automated_runs', 'test_automated', a2, 'failed', 5);
    await run('automated_runs', 'test_automated', a2, 'passed', 1); // Search: last run passed
    const a3 = await test('automated_tests', 'reportsTest', ['Reports']);
    await run('automated_runs', 'test_automated', a3, 'failed', 40); // Reports: failed too long ago
    // Admin: no tests
    const a4 = await test('automated_tests', 'exportOk', ['Export']);
    await run('automated_runs', 'test_automated', a4, 'passed', 1);
    const a5 = await test('automated_tests', 'exportBroken', ['Export']);
    await run('automated_runs', 'test_automated', a5, 'failed', 3); // Export: final (one failing test of two is enough)
    // the query asks for tests of any kind: a manual test's failed run counts too
    const m1 = await test('manual_tests', 'docsManual', ['Docs']);
    await run('manual_runs', 'test_manual', m1, 'failed', 4); // Docs: final
    w.freeze(at(0));
  });
  afterAll(() => {
    w.unfreeze();
    return t.close();
  });

  it('1. GET .../product_areas', async () => {
    expect(sorted(await w.ids('product_areas'))).toEqual(sorted([w.productAreaRootId, ...Object.values(pa)]));
  });

  it('2. final: product_areas?query="test EQ {last_runs EQ {status EQ {…failed…};creation_time GT ^<24h ago>^}}"', async () => {
    const body = await w.read(`product_areas?${qs(`test EQ {last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^${at(24)}^}}`)}&fields=name`);
    expect(body.data.map((e: any) => e.name).sort()).toEqual(['Billing', 'Docs', 'Export']);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([pa.Billing, pa.Docs, pa.Export]));
  });
});

describe('Get application modules whose tests recently failed, from pipeline test-results pushes', () => {
  let t: TestApp;
  let w: Workspace;
  const pa: Record<string, string> = {};
  const build = (n: number) => ({ server: 'jenkins-flow10', job: 'main', build: String(n) });

  beforeAll(async () => {
    t = await makeApp({ ciTaskPollMs: 20, sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
    w = await freshWorkspace(t);
    await w.add('releases', { name: 'R', start_date: '2025-01-01', end_date: '2025-12-31' });
    for (const name of ['Billing', 'Search', 'Reports', 'Admin', 'Export', 'Payments']) pa[name] = await w.add('product_areas', { name });
    const run = (name: string, status: 'Passed' | 'Failed', ...areas: string[]) => ({
      name,
      status,
      release: 'R',
      productAreas: areas.map((x) => pa[x]),
      ...(status === 'Failed' ? { stack: `java.lang.AssertionError\n\tat com.acme.Suite.${name}(Suite.java:1)` } : {}),
    });
    w.freeze(at(40));
    await pushBuild(w, build(1), [run('reportsTest', 'Failed', 'Reports'), run('paymentsTest', 'Passed', 'Payments')]); // Reports: failed too long ago
    w.freeze(at(5));
    await pushBuild(w, build(2), [run('searchTest', 'Failed', 'Search')]);
    w.freeze(at(3));
    await pushBuild(w, build(3), [run('exportOk', 'Passed', 'Export'), run('exportBroken', 'Failed', 'Export')]); // Export: final (one failing test of two)
    w.freeze(at(2));
    await pushBuild(w, build(4), [
      run('billingTest', 'Failed', 'Billing'), // Billing: final
      run('paymentsTest', 'Failed', 'Payments'), // Payments: its run was created 40 hours ago, so not "recent"
    ]);
    w.freeze(at(1));
    await pushBuild(w, build(5), [run('searchTest', 'Passed', 'Search')]); // Search: last run passed
    // Admin: no tests
    w.freeze(at(0));
  });
  afterAll(() => {
    w.unfreeze();
    return t.close();
  });

  it('the pushes made the tests with their application modules', async () => {
    const tests = await w.read(`automated_tests?fields=name,product_areas&order_by=name`);
    expect(tests.data.map((x: any) => [x.name, x.product_areas.data.map((p: any) => p.id)])).toEqual([
      ['billingTest', [pa.Billing]],
      ['exportBroken', [pa.Export]],
      ['exportOk', [pa.Export]],
      ['paymentsTest', [pa.Payments]],
      ['reportsTest', [pa.Reports]],
      ['searchTest', [pa.Search]],
    ]);
  });

  it('1. GET .../product_areas', async () => {
    expect(sorted(await w.ids('product_areas'))).toEqual(sorted([w.productAreaRootId, ...Object.values(pa)]));
  });

  it('2. final: product_areas?query="test EQ {last_runs EQ {status EQ {…failed…};creation_time GT ^<24h ago>^}}"', async () => {
    const body = await w.read(`product_areas?${qs(`test EQ {last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^${at(24)}^}}`)}&fields=name`);
    expect(body.data.map((e: any) => e.name).sort()).toEqual(['Billing', 'Export']);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([pa.Billing, pa.Export]));
    // without the time clause, Payments (failed in a run created 40 hours ago) and Reports count too
    const anyTime = await w.read(`product_areas?${qs('test EQ {last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^}}}')}&fields=name`);
    expect(sorted(anyTime.data.map((e: any) => e.id))).toEqual(sorted([pa.Billing, pa.Export, pa.Payments, pa.Reports]));
  });
});
