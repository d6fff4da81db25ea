// Flow 2 (flows.md §2; vendor page not found, request inferred): the opened defects of the
// "Sprint 3" sprints whose QA owner is me.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get opened defects that I must test for a sprint', () => {
  let t: TestApp;
  let w: Workspace;
  let me: string;
  const d: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    me = await w.user('Me');
    const other = await w.user('Other');
    // two releases with generated two-week sprints (Sprint 1..5 and Sprint 1..3), one with "Sprint 30"
    const r1 = await w.add('releases', { name: 'R1', start_date: '2024-01-01', end_date: '2024-03-10', sprint_duration: 14 });
    const r2 = await w.add('releases', { name: 'R2', start_date: '2024-04-01', end_date: '2024-05-12', sprint_duration: 14 });
    const r3 = await w.add('releases', { name: 'R3', start_date: '2024-06-01', end_date: '2024-06-30' });
    const sprint = async (release: string, name: string) => (await w.ids(`sprints?${qs(`release EQ {id EQ ${release}};name EQ ^${name}^`)}`))[0];
    const r1s3 = await sprint(r1, 'Sprint 3');
    const r1s2 = await sprint(r1, 'Sprint 2');
    const r2s3 = await sprint(r2, 'Sprint 3');
    const r3s30 = await w.add('sprints', { name: 'Sprint 30', release: ref('release', r3), start_date: '2024-06-01', end_date: '2024-06-14' });
    const r3s13 = await w.add('sprints', { name: 'Sprint 13', release: ref('release', r3), start_date: '2024-06-15', end_date: '2024-06-28' });
    const defect = async (label: string, release: string, sprintId: string | null, phase: string, qa: string | null, owner?: string) => {
      d[label] = await w.add('defects', {
        name: `Defect ${label}`,
        release: ref('release', release),
        ...(sprintId ? { sprint: ref('sprint', sprintId) } : {}),
        phase: PHASE(phase),
        ...(qa ? { qa_owner: ref('workspace_user', qa) } : {}),
        ...(owner ? { owner: ref('workspace_user', owner) } : {}),
      });
    };
    await defect('D1', r1, r1s3, 'phase.defect.opened', me); // match
    await defect('D2', r1, r1s3, 'phase.defect.new', me); // not opened
    await defect('D3', r1, r1s3, 'phase.defect.opened', other); // someone else tests it
    await defect('D4', r1, r1s2, 'phase.defect.opened', me); // another sprint
    await defect('D5', r2, r2s3, 'phase.defect.opened', me); // match: Sprint 3 of the other release
    await defect('D6', r3, r3s30, 'phase.defect.opened', me); // match: "Sprint 30" starts with "Sprint 3"
    await defect('D7', r1, null, 'phase.defect.opened', me); // no sprint
    await defect('D8', r1, r1s3, 'phase.defect.opened', other, me); // I own it but do not test it
    await defect('D9', r3, r3s13, 'phase.defect.opened', me); // "Sprint 13"
    await defect('D10', r1, r1s3, 'phase.defect.fixed', me); // fixed already
    // a story in the sprint, owned and tested by me: not a defect
    await w.add('stories', { name: 'Story', sprint: ref('sprint', r1s3), qa_owner: ref('workspace_user', me) });
  });
  afterAll(() => t.close());

  it('GET .../defects?query="sprint EQ {name EQ ^Sprint 3*^};phase EQ {…opened…};qa_owner EQ {id EQ me}"', async () => {
    const body = await w.read(`defects?${qs(`sprint EQ {name EQ ^Sprint 3*^};phase EQ {logical_name EQ ^phase.defect.opened^};qa_owner EQ {id EQ ${me}}`)}&fields=name,sprint,phase,qa_owner`);
    expect(body.total_count).toBe(3);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([d.D1, d.D5, d.D6]));
    for (const e of body.data) {
      expect(e.sprint.name).toMatch(/^Sprint 3/);
      expect(e.phase.name).toBe('Opened');
      expect(e.qa_owner.id).toBe(me);
    }
  });
});
