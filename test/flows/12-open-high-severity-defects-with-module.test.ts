// Flow 12 (flows.md §12, Scenario_ReportOpenCriticalDefectAM.htm, 3 steps verified): defects with
// any application module (`{name EQ ^*^}` = has a value), opened, then (inferred) of high severity.
// Step 3 keeps the vendor text's space after `;`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, many, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get open, high-severity defects associated with any application module', () => {
  let t: TestApp;
  let w: Workspace;
  const d: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const login = ref('product_area', await w.add('product_areas', { name: 'Login' }));
    const billing = ref('product_area', await w.add('product_areas', { name: 'Billing' }));
    const defect = async (label: string, areas: Array<{ type: string; id: string }>, phase: string, severity: string) => {
      d[label] = await w.add('defects', { name: `Defect ${label}`, product_areas: many(...areas), phase: PHASE(`phase.defect.${phase}`), severity: LIST(`list_node.severity.${severity}`) });
    };
    await defect('D1', [login], 'opened', 'high'); // final
    await defect('D2', [], 'opened', 'high'); // no module
    await defect('D3', [login], 'new', 'high'); // not opened
    await defect('D4', [login], 'opened', 'low'); // low
    await defect('D5', [login, billing], 'opened', 'high'); // final
    await defect('D6', [billing], 'opened', 'urgent'); // critical is not "high"
    await defect('D7', [billing], 'closed', 'high');
    // a story with a module is not a defect
    await w.add('stories', { name: 'Story', product_areas: many(login) });
  });
  afterAll(() => t.close());

  it('1. GET .../defects', async () => {
    expect(sorted(await w.ids('defects'))).toEqual(sorted(Object.values(d)));
  });

  it('2. GET .../defects?query="product_areas EQ {name EQ ^*^}"', async () => {
    expect(sorted(await w.ids(`defects?${qs('product_areas EQ {name EQ ^*^}')}`))).toEqual(sorted([d.D1, d.D3, d.D4, d.D5, d.D6, d.D7]));
  });

  it('3. ... ; phase EQ {logical_name EQ ^phase.defect.opened^}', async () => {
    expect(sorted(await w.ids(`defects?${qs('product_areas EQ {name EQ ^*^}; phase EQ {logical_name EQ ^phase.defect.opened^}')}`))).toEqual(sorted([d.D1, d.D4, d.D5, d.D6]));
  });

  it('4. ... ;severity EQ {logical_name EQ ^list_node.severity.high^}', async () => {
    const body = await w.read(
      `defects?${qs('product_areas EQ {name EQ ^*^}; phase EQ {logical_name EQ ^phase.defect.opened^};severity EQ {logical_name EQ ^list_node.severity.high^}')}&fields=name,severity,phase,product_areas`,
    );
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([d.D1, d.D5]));
    expect(body.data.every((e: any) => e.severity.name === 'High' && e.phase.name === 'Opened' && e.product_areas.total_count > 0)).toBe(true);
  });
});
