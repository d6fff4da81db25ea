// Flow 1 (flows.md §1, Scenario_MyWorkStoriesNewRelease.htm): my new user stories of the 941*
// releases. Steps 1-3 are verified vendor requests, step 4 (owner) is the inferred final call.
// "My" user 1001 of the vendor example is a user this test creates.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, PHASE, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get my new user stories for a release', () => {
  let t: TestApp;
  let w: Workspace;
  let me: string;
  const s: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    me = await w.user('Me');
    const other = await w.user('Other');
    const rel = async (name: string, start: string) => ref('release', await w.add('releases', { name, start_date: start, end_date: `${start.slice(0, 8)}28` }));
    const r9411 = await rel('941.1', '2024-01-01');
    const r9412 = await rel('941.2', '2024-02-01');
    const r1941 = await rel('1941', '2024-03-01');
    const rX = await rel('X941', '2024-04-01');
    const story = async (label: string, release: unknown, phase: string, owner?: string) => {
      s[label] = await w.add('stories', { name: `Story ${label}`, ...(release ? { release } : {}), phase: PHASE(phase), ...(owner ? { owner: ref('workspace_user', owner) } : {}) });
    };
    await story('S1', r9411, 'phase.story.new', me); // the answer
    await story('S2', r9412, 'phase.story.new', other); // someone else's
    await story('S3', r9411, 'phase.story.inprogress', me); // not new any more
    await story('S4', r1941, 'phase.story.new', me); // release name contains but does not start with 941
    await story('S5', undefined, 'phase.story.new', me); // no release
    await story('S6', r9412, 'phase.story.new', me); // the answer, second 941 release
    await story('S7', r9411, 'phase.story.new'); // nobody's
    await story('S8', rX, 'phase.story.new', me);
    // a defect with everything right is not a story
    await w.add('defects', { name: 'Defect', release: r9411, phase: PHASE('phase.defect.new'), owner: ref('workspace_user', me) });
  });
  afterAll(() => t.close());

  it('1. GET .../stories lists all stories with their default fields', async () => {
    const body = await w.read('stories');
    expect(body.total_count).toBe(8);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted(Object.values(s)));
    const s1 = body.data.find((e: any) => e.id === s.S1);
    expect(s1).toMatchObject({ type: 'story', name: 'Story S1', phase: { type: 'phase', name: 'New' }, release: { type: 'release', name: '941.1' }, owner: { type: 'workspace_user', id: me } });
  });

  it('2. the stories of the releases whose name starts with 941', async () => {
    expect(sorted(await w.ids(`stories?${qs('release EQ {name EQ ^941*^}')}`))).toEqual(sorted([s.S1, s.S2, s.S3, s.S6, s.S7]));
  });

  it('3. ... that are new', async () => {
    expect(sorted(await w.ids(`stories?${qs('release EQ {name EQ ^941*^};phase EQ {logical_name EQ ^phase.story.new^}')}`))).toEqual(sorted([s.S1, s.S2, s.S6, s.S7]));
  });

  it('4. ... that are mine (final call)', async () => {
    const body = await w.read(`stories?${qs(`release EQ {name EQ ^941*^};phase EQ {logical_name EQ ^phase.story.new^};owner EQ {id EQ ${me}}`)}`);
    expect(body.total_count).toBe(2);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([s.S1, s.S6]));
    expect(body.data.every((e: any) => e.owner.id === me && e.phase.name === 'New' && e.release.name.startsWith('941'))).toBe(true);
  });
});
