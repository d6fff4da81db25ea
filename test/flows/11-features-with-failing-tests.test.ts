// Flow 11 (flows.md §11, Scenario_FailingTestBacklogFeature.htm, first 2 steps verified): features
// whose own tests, or the tests of their children (stories, defects), recently failed: two
// criteria OR'd at the top level (the inferred final call).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, many, qs, sorted, type Workspace } from '../helpers/workspace.js';

const NOW = Date.parse('2025-06-10T12:00:00Z');
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const FAILED_RECENTLY = `last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^${at(24)}^}`;

describe('Get features whose automated tests recently failed', () => {
  let t: TestApp;
  let w: Workspace;
  const f: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
    w = await freshWorkspace(t);
    for (const label of ['F1', 'F2', 'F3', 'F4', 'F5', 'F6']) f[label] = await w.add('features', { name: `Feature ${label}` });
    const child = (collection: string, label: string, feature: string) => w.add(collection, { name: label, parent: ref('feature', f[feature]) });
    const s2 = await child('stories', 'S2', 'F2');
    const s3 = await child('stories', 'S3', 'F3');
    const d6 = await child('defects', 'D6', 'F6');
    await child('stories', 'S5', 'F5');
    const auto = async (name: string, covered: Array<[string, string]>, status: string, hoursAgo: number) => {
      const id = await w.add('automated_tests', { name, covered_content: many(...covered.map(([type, id]) => ref(type, id))) });
      w.freeze(at(hoursAgo));
      await w.add('automated_runs', { name: `${name} run`, test: ref('test_automated', id), native_status: LIST(`list_node.run_native_status.${status}`) });
      return id;
    };
    await auto('a1', [['feature', f.F1], ['defect', d6]], 'failed', 2); // F1 directly, F6 through its defect
    await auto('a2', [['story', s2]], 'failed', 3); // F2 through its story
    await auto('a3', [['story', s3]], 'passed', 1); // F3: passing
    await auto('a4', [['feature', f.F4]], 'failed', 30); // F4: failed too long ago
    // F5: a child without tests
    w.freeze(at(0));
  });
  afterAll(() => {
    w.unfreeze();
    return t.close();
  });

  it('1. GET .../features', async () => {
    expect(sorted(await w.ids('features'))).toEqual(sorted(Object.values(f)));
  });

  it('2. final: test EQ {last_runs …} || children EQ {test EQ {last_runs …}}', async () => {
    const body = await w.read(`features?${qs(`test EQ {${FAILED_RECENTLY}}||children EQ {test EQ {${FAILED_RECENTLY}}}`)}&fields=name`);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([f.F1, f.F2, f.F6]));
    // each criterion alone
    expect(await w.ids(`features?${qs(`test EQ {${FAILED_RECENTLY}}`)}`)).toEqual([f.F1]);
    expect(sorted(await w.ids(`features?${qs(`children EQ {test EQ {${FAILED_RECENTLY}}}`)}`))).toEqual(sorted([f.F2, f.F6]));
  });
});
