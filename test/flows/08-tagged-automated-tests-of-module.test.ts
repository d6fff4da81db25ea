// Flow 8 (flows.md §8, Scenario_ReportAutoTestTagAM.htm, first 2 steps verified): automated tests
// tagged "security", then (inferred) of application modules whose name starts with "Messag".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, ref, type TestApp } from '../helpers/app.js';
import { freshWorkspace, many, qs, sorted, type Workspace } from '../helpers/workspace.js';

describe('Get tagged automated tests associated with an application module', () => {
  let t: TestApp;
  let w: Workspace;
  const a: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const security = ref('user_tag', await w.add('user_tags', { name: 'security' }));
    const perf = ref('user_tag', await w.add('user_tags', { name: 'performance' }));
    const sec2 = ref('user_tag', await w.add('user_tags', { name: 'security-review' }));
    const messaging = ref('product_area', await w.add('product_areas', { name: 'Messaging' }));
    const archive = ref('product_area', await w.add('product_areas', { name: 'Messages archive', parent: messaging }));
    const login = ref('product_area', await w.add('product_areas', { name: 'Login' }));
    const myMessaging = ref('product_area', await w.add('product_areas', { name: 'My Messaging' }));
    const auto = async (label: string, tags: unknown[], areas: unknown[]) => {
      a[label] = await w.add('automated_tests', { name: `test${label}`, user_tags: { data: tags }, product_areas: { data: areas } });
    };
    await auto('A1', [security], [messaging]); // final
    await auto('A2', [security], [login]); // tagged, other module
    await auto('A3', [perf], [messaging]); // other tag
    await auto('A4', [perf, security], [archive]); // final: "Messages archive" starts with Messag
    await auto('A5', [], [messaging]); // no tag
    await auto('A6', [sec2], [messaging]); // "security-review" is not "security"
    await auto('A7', [security], [myMessaging]); // "My Messaging" does not start with Messag
    await auto('A8', [security], [login, messaging]); // final: one of its modules
    // a manual test with the tag and the module is not automated
    await w.add('manual_tests', { name: 'manual', user_tags: many(security), product_areas: many(messaging) });
  });
  afterAll(() => t.close());

  it('1. GET .../automated_tests', async () => {
    expect(sorted(await w.ids('automated_tests'))).toEqual(sorted(Object.values(a)));
  });

  it('2. GET .../automated_tests?query="user_tags EQ {name EQ ^security^}"', async () => {
    expect(sorted(await w.ids(`automated_tests?${qs('user_tags EQ {name EQ ^security^}')}`))).toEqual(sorted([a.A1, a.A2, a.A4, a.A7, a.A8]));
  });

  it('3. ... of the application modules that start with "Messag"', async () => {
    const body = await w.read(`automated_tests?${qs('user_tags EQ {name EQ ^security^};product_areas EQ {name EQ ^Messag*^}')}&fields=name,user_tags,product_areas`);
    expect(sorted(body.data.map((e: any) => e.id))).toEqual(sorted([a.A1, a.A4, a.A8]));
    for (const e of body.data) {
      expect(e.type).toBe('test_automated');
      expect(e.user_tags.data.map((x: any) => x.name)).toContain('security');
      expect(e.product_areas.data.some((x: any) => x.name.startsWith('Messag'))).toBe(true);
    }
  });
});
