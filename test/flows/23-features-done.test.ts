// Flow 23 (flows.md §23, Scenario-FeaturesMarkDone.htm; intro verified, calls inferred): "If all
// stories are done for a feature that is in testing, set the feature to done." Features in testing
// with their children; per feature, the children not done/closed; PUT the feature done when there
// are none; verified with a fresh read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Mark features done if stories are completed', () => {
  let t: TestApp;
  let w: Workspace;
  const f: Record<string, string> = {};
  const c: Record<string, string> = {};
  let inTesting: any[];
  const marked: string[] = [];

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const feature = (label: string, phase: string) => w.add('features', { name: `Feature ${label}`, phase: PHASE(`phase.feature.${phase}`) }).then((id) => (f[label] = id));
    const child = (label: string, collection: string, parent: string, phase: string) =>
      w.add(collection, { name: label, parent: { type: 'feature', id: f[parent] }, phase: PHASE(phase) }).then((id) => (c[label] = id));
    await feature('F1', 'intesting'); // all children done/closed -> done
    await child('S11', 'stories', 'F1', 'phase.story.done');
    await child('D12', 'defects', 'F1', 'phase.defect.closed');
    await feature('F2', 'intesting'); // one story still in progress
    await child('S21', 'stories', 'F2', 'phase.story.done');
    await child('S22', 'stories', 'F2', 'phase.story.inprogress');
    await feature('F3', 'inprogress'); // all done but not in testing
    await child('S31', 'stories', 'F3', 'phase.story.done');
    await feature('F4', 'intesting'); // an open defect
    await child('S41', 'stories', 'F4', 'phase.story.done');
    await child('D42', 'defects', 'F4', 'phase.defect.fixed');
  });
  afterAll(() => t.close());

  it('GET .../features?query="phase EQ {logical_name EQ ^phase.feature.intesting^}"&fields=children', async () => {
    const body = await w.read(`features?${qs('phase EQ {logical_name EQ ^phase.feature.intesting^}')}&fields=children`);
    inTesting = body.data;
    expect(sorted(inTesting.map((e) => e.id))).toEqual(sorted([f.F1, f.F2, f.F4]));
    expect(sorted(inTesting.find((e) => e.id === f.F1).children.data.map((x: any) => x.id))).toEqual(sorted([c.S11, c.D12]));
  });

  it('per feature: GET .../work_items?query="parent EQ {id EQ F};!phase EQ {logical_name IN ^phase.story.done^,^phase.defect.closed^}", then PUT the done ones', async () => {
    const open: Record<string, string[]> = {};
    for (const feature of inTesting) {
      open[feature.id] = await w.ids(`work_items?${qs(`parent EQ {id EQ ${feature.id}};!phase EQ {logical_name IN ^phase.story.done^,^phase.defect.closed^}`)}`);
      if (open[feature.id].length === 0) {
        const r = await w.put(`features/${feature.id}`, { phase: { type: 'phase', id: 'phase.feature.done' } });
        expect(r.status, r.text).toBe(200);
        marked.push(feature.id);
      }
    }
    expect(open).toEqual({ [f.F1]: [], [f.F2]: [c.S22], [f.F4]: [c.D42] });
    expect(marked).toEqual([f.F1]);
  });

  it('a fresh read: only F1 is done', async () => {
    const after = await w.read('features?fields=phase{logical_name}');
    expect(Object.fromEntries(after.data.map((e: any) => [e.id, e.phase.logical_name]))).toEqual({
      [f.F1]: 'phase.feature.done',
      [f.F2]: 'phase.feature.intesting',
      [f.F3]: 'phase.feature.inprogress',
      [f.F4]: 'phase.feature.intesting',
    });
    expect(await w.ids(`features?${qs('phase EQ {logical_name EQ ^phase.feature.intesting^}')}`)).toEqual(sorted([f.F2, f.F4]));
  });
});
