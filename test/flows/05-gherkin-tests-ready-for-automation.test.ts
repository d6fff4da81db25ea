// Flow 5 (flows.md §5, Scenario_MyGherkinAutomateUpdate.htm): my Gherkin tests that are ready for
// automation (steps 1-3 verified), then the update part (inferred): mark them automated (single
// PUT and bulk PUT) and update a script; every write is checked with a fresh read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, LIST, qs, sorted, type Workspace } from '../helpers/workspace.js';

const READY = 'automation_status EQ {logical_name EQ ^list_node.automation_status.ready_for_automation^}';

describe('Get and update Gherkin tests that are ready for automation', () => {
  let t: TestApp;
  let w: Workspace;
  let me: string;
  const g: Record<string, string> = {};
  const feature = 'Feature: Search\n  Scenario: By title\n    Given a catalogue\n    When I search "REST"\n    Then I see 3 books\n';

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    me = await w.user('Me');
    const other = await w.user('Other');
    const gherkin = async (label: string, owner: string | null, status: string | null) => {
      g[label] = await w.add('gherkin_tests', {
        name: `Gherkin ${label}`,
        ...(owner ? { owner: ref('workspace_user', owner) } : {}),
        ...(status ? { automation_status: LIST(`list_node.automation_status.${status}`) } : {}),
      });
    };
    await gherkin('G1', me, 'ready_for_automation'); // match
    await gherkin('G2', me, 'not_automated');
    await gherkin('G3', other, 'ready_for_automation');
    await gherkin('G4', me, 'ready_for_automation'); // match
    await gherkin('G5', me, null);
    await gherkin('G6', null, 'ready_for_automation');
    await w.put(`tests/${g.G1}/script`, { script: feature, revision_type: 'Minor' });
    // a manual test with the same owner and status is not a Gherkin test
    await w.add('manual_tests', { name: 'Manual', owner: ref('workspace_user', me), automation_status: LIST('list_node.automation_status.ready_for_automation') });
  });
  afterAll(() => t.close());

  it('1. GET .../gherkin_tests', async () => {
    expect(sorted(await w.ids('gherkin_tests'))).toEqual(sorted(Object.values(g)));
  });

  it('2. GET .../gherkin_tests?query="owner EQ {id EQ me}"', async () => {
    expect(sorted(await w.ids(`gherkin_tests?${qs(`owner EQ {id EQ ${me}}`)}`))).toEqual(sorted([g.G1, g.G2, g.G4, g.G5]));
  });

  it('3. ... that are ready for automation', async () => {
    const body = await w.read(`gherkin_tests?${qs(`owner EQ {id EQ ${me}};${READY}`)}&fields=name,automation_status{logical_name}`);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([g.G1, g.G4]));
    expect(body.data.every((e: any) => e.automation_status.logical_name === 'list_node.automation_status.ready_for_automation')).toBe(true);
  });

  it('4. their script is read and updated through tests/{id}/script', async () => {
    const script = await w.read(`tests/${g.G1}/script`);
    expect(script).toMatchObject({ script: feature, version: 1 });
    const tagged = `@automated\n${feature}`;
    const r = await w.put(`tests/${g.G1}/script`, { script: tagged, comment: 'tagged for automation', revision_type: 'Minor' });
    expect(r.status, r.text).toBe(200);
    expect(await w.read(`tests/${g.G1}/script`)).toMatchObject({ script: tagged, version: 2, comment: 'tagged for automation' });
  });

  it('4. PUT .../gherkin_tests/{id} and the bulk PUT .../gherkin_tests mark them automated', async () => {
    const automated = { type: 'list_node', id: 'list_node.automation_status.automated' };
    let r = await w.put(`gherkin_tests/${g.G1}`, { automation_status: automated });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ type: 'gherkin_test', id: g.G1 });
    r = await w.put('gherkin_tests', { data: [{ id: g.G4, automation_status: automated }] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.total_count).toBe(1);
    expect(r.body.data[0].id).toBe(g.G4);
    // fresh reads: nothing of mine is ready any more; both are automated; the others are untouched
    expect(await w.ids(`gherkin_tests?${qs(`owner EQ {id EQ ${me}};${READY}`)}`)).toEqual([]);
    expect(sorted(await w.ids(`gherkin_tests?${qs('automation_status EQ {logical_name EQ ^list_node.automation_status.automated^}')}`))).toEqual(sorted([g.G1, g.G4]));
    expect(sorted(await w.ids(`gherkin_tests?${qs(READY)}`))).toEqual(sorted([g.G3, g.G6]));
  });
});
