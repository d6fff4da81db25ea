// Issue 7, the quality domain, rule by rule through HTTP: the test family, scripts and their
// versions, suites and their ordered links, runs (status from native status, run steps from the
// script, suite runs planning their child runs, last_runs, run history), defects linked to runs,
// user tags, comments, and attachments (byte-exact round trips, name rules, size limit, the
// official JS SDK).

import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Octane } from '@microfocus/alm-octane-js-rest-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, preparedRuns, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { attachmentForm, makePng, multipart, raw } from '../helpers/files.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';
import { freshWorkspace, LIST, many, PHASE, sorted, type Workspace } from '../helpers/workspace.js';

// The SDK logs through log4js at debug level; silence the instance it loaded.
const requireFromSdk = createRequire(createRequire(import.meta.url).resolve('@microfocus/alm-octane-js-rest-sdk'));
const log4js = requireFromSdk('log4js') as { configure(c: unknown): unknown };
log4js.configure({ appenders: { out: { type: 'stdout' } }, categories: { default: { appenders: ['out'], level: 'off' } } });

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
});
afterAll(() => t.close());

const NATIVE = (s: string) => LIST(`list_node.run_native_status.${s}`);
const descriptionOf = (r: { body: any }) => String(r.body.errors?.[0]?.description ?? r.body.description);

// ---- the test family --------------------------------------------------------------------------

describe('tests: one family, seen through tests and each subtype', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('tests lists every subtype with `subtype`; one id per test whatever the collection', async () => {
    const m = await w.add('manual_tests', { name: 'Manual' });
    const g = await w.add('gherkin_tests', { name: 'Gherkin' });
    const a = await w.add('automated_tests', { name: 'testLogin', package: 'com.acme', class_name: 'LoginTest' });
    const s = await w.add('test_suites', { name: 'Suite' });
    const m2 = await w.add('tests', { name: 'Manual through the aggregate', subtype: 'test_manual' });
    const all = await w.read('tests?fields=subtype,name&order_by=id');
    expect(all.data.map((x: any) => [x.id, x.type, x.subtype])).toEqual([
      [m, 'test', 'test_manual'],
      [g, 'test', 'gherkin_test'],
      [a, 'test', 'test_automated'],
      [s, 'test', 'test_suite'],
      [m2, 'test', 'test_manual'],
    ]);
    expect(await w.ids('manual_tests')).toEqual([m, m2]);
    expect(await w.ids('gherkin_tests')).toEqual([g]);
    expect(await w.ids('automated_tests')).toEqual([a]);
    expect(await w.ids('test_suites')).toEqual([s]);
    expect(await w.ids(`tests?${q('subtype EQ ^test_automated^')}`)).toEqual([a]);
    expect((await w.read(`manual_tests/${m2}`)).type).toBe('test_manual');
    expect((await w.read(`tests/${g}?fields=name,subtype`))).toMatchObject({ type: 'test', subtype: 'gherkin_test', id: g, name: 'Gherkin' });
    // a test is not found through another subtype's collection
    expectOctaneError(await w.get(`gherkin_tests/${m}`), 404, 'platform.entity_not_found');
    // the aggregate needs the subtype to create
    expectBulkErrors(await w.post('tests', { data: [{ name: 'Which kind?' }] }), 400, [{ index: 0, code: 'platform.missing_required_field', field: 'subtype' }]);
    expectBulkErrors(await w.post('tests', { data: [{ name: 'Odd', subtype: 'story' }] }), 400, [{ index: 0, code: 'platform.field_validation_error', field: 'subtype' }]);
    // deleting through the aggregate
    expect((await w.del(`tests/${m2}`)).status).toBe(200);
    expectOctaneError(await w.get(`manual_tests/${m2}`), 404, 'platform.entity_not_found');
  });

  it('coverage, application modules, owner/designer and the test lists', async () => {
    const tester = await w.user('Tess');
    const feature = await w.add('features', { name: 'Covered feature' });
    const story = await w.add('stories', { name: 'Covered story', parent: ref('feature', feature) });
    const other = await w.add('stories', { name: 'Story covered from its side' });
    const module = await w.add('product_areas', { name: 'Checkout' });
    const m = await w.add('manual_tests', {
      name: 'Checkout works',
      owner: ref('workspace_user', tester),
      designer: ref('workspace_user', tester),
      covered_content: many(ref('story', story), ref('feature', feature)),
      product_areas: many(ref('product_area', module)),
      test_type: many(LIST('list_node.test_type.gui'), LIST('list_node.test_type.regression')),
      automation_status: LIST('list_node.automation_status.not_automated'),
      testing_tool_type: LIST('list_node.testing_tool_type.manual'),
    });
    const a = await w.add('automated_tests', { name: 'checkoutApi', test_level: LIST('list_node.test_level.integration'), framework: LIST('list_node.je.framework.junit') });
    // the backlog sees its tests; writable from the backlog side too
    expect((await w.read(`stories/${story}?fields=test`)).test.data.map((x: any) => x.id)).toEqual([m]);
    expect((await w.read(`features/${feature}?fields=test`)).test.data.map((x: any) => x.id)).toEqual([m]);
    expect((await w.put(`stories/${other}`, { test: many(ref('test_automated', a)) })).status).toBe(200);
    expect((await w.read(`automated_tests/${a}?fields=covered_content`)).covered_content.data.map((x: any) => x.id)).toEqual([other]);
    // modules see their tests
    expect((await w.read(`product_areas/${module}?fields=test`)).test.data.map((x: any) => x.id)).toEqual([m]);
    const e = await w.read(`manual_tests/${m}?fields=owner,designer,test_type{logical_name},automation_status{logical_name}`);
    expect(e.owner).toMatchObject({ type: 'workspace_user', id: tester });
    expect(e.designer).toMatchObject({ id: tester });
    expect(e.test_type.data.map((x: any) => x.logical_name).sort()).toEqual(['list_node.test_type.gui', 'list_node.test_type.regression']);
    expect(e.automation_status.logical_name).toBe('list_node.automation_status.not_automated');
    expect((await w.read(`automated_tests/${a}?fields=test_level{logical_name}`)).test_level.logical_name).toBe('list_node.test_level.integration');
    // filters through coverage
    expect(await w.ids(`tests?${q(`covered_content EQ {id EQ ${feature}}`)}`)).toEqual([m]);
    expect(await w.ids(`features?${q(`test EQ {owner EQ {id EQ ${tester}}}`)}`)).toEqual([feature]);
  });
});

// ---- scripts ----------------------------------------------------------------------------------

describe('test scripts (tests/{id}/script)', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('manual steps: every PUT is a new version with its revision type and comment; old versions stay readable', async () => {
    const m = await w.add('manual_tests', { name: 'Scripted' });
    let r = await w.get(`tests/${m}/script`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ script: '', version: 0 });
    const v1 = '- Open the login page\n- ?The login form is shown';
    r = await w.put(`tests/${m}/script`, { script: v1, comment: 'first draft', revision_type: 'Minor' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ script: v1, version: 1, revision_type: 'Minor', comment: 'first draft' });
    const v2 = `${v1}\n- Enter the credentials\n- ?The dashboard is shown`;
    r = await w.put(`manual_tests/${m}/script`, { script: v2, comment: 'complete', revision_type: 'Major' });
    expect(r.body).toMatchObject({ script: v2, version: 2, revision_type: 'Major', comment: 'complete' });
    // latest by default, under every collection of the test
    for (const path of [`tests/${m}/script`, `manual_tests/${m}/script`]) {
      expect((await w.read(path))).toMatchObject({ script: v2, version: 2 });
    }
    expect(await w.read(`tests/${m}/script?version=1`)).toMatchObject({ script: v1, version: 1, revision_type: 'Minor', comment: 'first draft' });
    expectOctaneError(await w.get(`tests/${m}/script?version=3`), 404, 'platform.entity_not_found');
    // revision type defaults to Minor and is case-insensitive
    r = await w.put(`tests/${m}/script`, { script: v2 });
    expect(r.body).toMatchObject({ version: 3, revision_type: 'Minor' });
    r = await w.put(`tests/${m}/script`, { script: v2, revision_type: 'major' });
    expect(r.body).toMatchObject({ version: 4, revision_type: 'Major' });
  });

  it('Gherkin tests keep their feature text', async () => {
    const g = await w.add('gherkin_tests', { name: 'Login feature' });
    const feature = 'Feature: Login\n  Scenario: Good password\n    Given a user\n    When she logs in\n    Then she sees the dashboard\n';
    const r = await w.put(`gherkin_tests/${g}/script`, { script: feature, comment: 'written', revision_type: 'Minor' });
    expect(r.status, r.text).toBe(200);
    expect(await w.read(`tests/${g}/script`)).toMatchObject({ script: feature, version: 1 });
  });

  it('automated tests and suites have no script (400); a bad body or revision type is 400', async () => {
    const a = await w.add('automated_tests', { name: 'noScript' });
    const s = await w.add('test_suites', { name: 'Suite' });
    const m = await w.add('manual_tests', { name: 'Target' });
    expectOctaneError(await w.get(`tests/${a}/script`), 400);
    expectOctaneError(await w.put(`tests/${a}/script`, { script: '- x' }), 400);
    expectOctaneError(await w.get(`tests/${s}/script`), 400);
    expectOctaneError(await w.put(`tests/${m}/script`, { script: '- x', revision_type: 'Huge' }), 400);
    expectOctaneError(await w.put(`tests/${m}/script`, { comment: 'no script' }), 400);
    expectOctaneError(await w.put(`tests/${m}/script`, { script: 42 }), 400);
    expectOctaneError(await w.del(`tests/${m}/script`), 405, 'platform.web_application');
    // nothing was saved
    expect(await w.read(`tests/${m}/script`)).toMatchObject({ script: '', version: 0 });
  });
});

// ---- suites -----------------------------------------------------------------------------------

describe('test suites and their links', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('links hold the order of the tests; the aggregate infers the subtype from the test (flow 19 shape)', async () => {
    const suite = await w.add('test_suites', { name: 'My suite', phase: PHASE('phase.test_suite.new') });
    const m1 = await w.add('manual_tests', { name: 'M1' });
    const m2 = await w.add('manual_tests', { name: 'M2' });
    const g1 = await w.add('gherkin_tests', { name: 'G1' });
    const a1 = await w.add('automated_tests', { name: 'A1' });
    const S = ref('test_suite', suite);
    let r = await w.post('test_suite_link_to_tests', {
      data: [
        { test_suite: S, test: ref('test_manual', m1) },
        { test_suite: S, test: ref('gherkin_test', g1) },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data.map((l: any) => [l.type, l.subtype, l.order, l.include_in_next_run, l.test.id])).toEqual([
      ['test_suite_link_to_test', 'test_suite_link_to_manual', 1, true, m1],
      ['test_suite_link_to_test', 'test_suite_link_to_gherkin', 2, true, g1],
    ]);
    const la = await w.add('test_suite_link_to_automated_tests', { test_suite: S, test: ref('test_automated', a1) });
    const lm2 = await w.add('test_suite_link_to_manual_tests', { test_suite: S, test: ref('test_manual', m2), include_in_next_run: false });
    const links = await w.read(`test_suite_link_to_tests?${q(`test_suite EQ {id EQ ${suite}}`)}&fields=order,test,include_in_next_run,subtype&order_by=order`);
    expect(links.data.map((l: any) => [l.order, l.test.id, l.include_in_next_run])).toEqual([
      [1, m1, true],
      [2, g1, true],
      [3, a1, true],
      [4, m2, false],
    ]);
    expect(links.data[2]).toMatchObject({ id: la, subtype: 'test_suite_link_to_automated' });
    expect(links.data[3].id).toBe(lm2);
    // a test is in a suite once
    r = await w.post('test_suite_link_to_tests', { data: [{ test_suite: S, test: ref('test_manual', m1) }] });
    expectBulkErrors(r, 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    // the subtype collections take their own kind of test only
    r = await w.post('test_suite_link_to_manual_tests', { data: [{ test_suite: S, test: ref('gherkin_test', g1) }] });
    expectBulkErrors(r, 400, [{ index: 0, code: 'platform.field_validation_error', field: 'test' }]);
    // order is the server's
    expectOctaneError(await w.put(`test_suite_link_to_tests/${la}`, { order: 9 }), 400, 'platform.field_validation_error');
    // both sides see the links
    expect((await w.read(`test_suites/${suite}?fields=link_to_test_suite`)).link_to_test_suite.total_count).toBe(4);
    expect((await w.read(`manual_tests/${m1}?fields=link_to_test`)).link_to_test.total_count).toBe(1);
    // a second suite starts its own order
    const other = await w.add('test_suites', { name: 'Other suite' });
    const first = await w.post('test_suite_link_to_tests', { data: [{ test_suite: ref('test_suite', other), test: ref('test_manual', m1) }] });
    expect(first.body.data[0].order).toBe(1);
    // deleting a test removes it from its suites
    expect((await w.del(`gherkin_tests/${g1}`)).status).toBe(200);
    expect((await w.read(`test_suite_link_to_tests?${q(`test_suite EQ {id EQ ${suite}}`)}`)).total_count).toBe(3);
  });
});

// ---- runs -------------------------------------------------------------------------------------

describe('runs', () => {
  let w: Workspace;
  let release: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    release = await w.add('releases', { name: 'R1', start_date: '2024-01-01', end_date: '2024-12-31' });
  });

  it('`status` is derived from `native_status` (on create and update) and is read-only', async () => {
    const m = await w.add('manual_tests', { name: 'Status test' });
    const expected: Record<string, string> = {
      passed: 'passed',
      failed: 'failed',
      blocked: 'requires_attention',
      not_completed: 'requires_attention',
      skipped: 'skipped',
      planned: 'planned',
    };
    for (const [native, summary] of Object.entries(expected)) {
      const id = await w.add('manual_runs', { name: `Run ${native}`, test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE(native) });
      const e = await w.read(`runs/${id}?fields=status{logical_name},native_status{logical_name}`);
      expect([e.native_status.logical_name, e.status.logical_name]).toEqual([`list_node.run_native_status.${native}`, `list_node.run_status.${summary}`]);
    }
    const id = await w.add('manual_runs', { name: 'Moving run', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('planned') });
    expect((await w.put(`manual_runs/${id}`, { native_status: NATIVE('blocked') })).status).toBe(200);
    expect((await w.read(`runs/${id}?fields=status{logical_name}`)).status.logical_name).toBe('list_node.run_status.requires_attention');
    expect((await w.put(`runs/${id}`, { native_status: NATIVE('passed') })).status).toBe(200);
    expect((await w.read(`runs/${id}?fields=status{logical_name}`)).status.logical_name).toBe('list_node.run_status.passed');
    expectOctaneError(await w.put(`runs/${id}`, { status: LIST('list_node.run_status.failed') }), 400, 'platform.field_validation_error');
    // native status comes from its own list
    expectBulkErrors(
      await w.post('manual_runs', { data: [{ name: 'x', test: ref('test_manual', m), release: ref('release', release), native_status: LIST('list_node.run_status.passed') }] }),
      400,
      [{ index: 0, code: 'platform.field_validation_error', field: 'native_status' }],
    );
    // manual runs need a release and a manual or Gherkin test
    expectBulkErrors(await w.post('manual_runs', { data: [{ name: 'x', test: ref('test_manual', m), native_status: NATIVE('planned') }] }), 400, [{ index: 0, code: 'platform.missing_required_field', field: 'release' }]);
    const a = await w.add('automated_tests', { name: 'auto' });
    expectBulkErrors(await w.post('manual_runs', { data: [{ name: 'x', test: ref('test_automated', a), release: ref('release', release), native_status: NATIVE('planned') }] }), 400, [{ index: 0, code: 'platform.field_validation_error', field: 'test' }]);
  });

  it('a manual run gets run steps from its test\'s script, call steps expanded; step status and result stay equal', async () => {
    const called = await w.add('manual_tests', { name: 'Open the app' });
    await w.put(`tests/${called}/script`, { script: '- Start the app\n- ?The app is open' });
    const m = await w.add('manual_tests', { name: 'Log in' });
    await w.put(`tests/${m}/script`, { script: `- Go to the login page\n- @${called} Open the app\n- Type the password\n- ?The dashboard is shown` });
    const run = await w.add('manual_runs', { name: 'Login run', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('planned') });
    const steps = await w.read(`run_steps?${q(`run EQ {id EQ ${run}}`)}&fields=order,description,step_type{logical_name},status{logical_name},result{logical_name},run&order_by=order`);
    expect(steps.data.map((s: any) => [s.order, s.description, s.step_type.logical_name.split('.').pop(), s.status.logical_name, s.result.logical_name])).toEqual([
      [1, 'Go to the login page', 'normal', 'list_node.run_native_status.planned', 'list_node.run_native_status.planned'],
      [2, 'Start the app', 'normal', 'list_node.run_native_status.planned', 'list_node.run_native_status.planned'],
      [3, 'The app is open', 'validate', 'list_node.run_native_status.planned', 'list_node.run_native_status.planned'],
      [4, 'Type the password', 'normal', 'list_node.run_native_status.planned', 'list_node.run_native_status.planned'],
      [5, 'The dashboard is shown', 'validate', 'list_node.run_native_status.planned', 'list_node.run_native_status.planned'],
    ]);
    expect(steps.data.every((s: any) => s.run.id === run)).toBe(true);
    expect((await w.read(`manual_runs/${run}?fields=run_steps`)).run_steps.total_count).toBe(5);
    const [s1, s2] = steps.data.map((s: any) => s.id);
    // status written, result follows; result written, status follows
    expect((await w.put(`run_steps/${s1}`, { status: NATIVE('passed'), actual: 'as expected' })).status).toBe(200);
    expect((await w.put(`run_steps/${s2}`, { result: NATIVE('failed') })).status).toBe(200);
    const after = await w.read(`run_steps?${q(`id IN ${s1},${s2}`)}&fields=status{logical_name},result{logical_name},actual&order_by=order`);
    expect(after.data.map((s: any) => [s.status.logical_name, s.result.logical_name])).toEqual([
      ['list_node.run_native_status.passed', 'list_node.run_native_status.passed'],
      ['list_node.run_native_status.failed', 'list_node.run_native_status.failed'],
    ]);
    expect(after.data[0].actual).toBe('as expected');
    // steps are the server's: no POST, no DELETE, text read-only
    expectOctaneError(await w.post('run_steps', { data: [{ run: ref('run_manual', run) }] }), 405, 'platform.web_application');
    expectOctaneError(await w.del(`run_steps/${s1}`), 405, 'platform.web_application');
    expectOctaneError(await w.put(`run_steps/${s1}`, { description: 'changed' }), 400, 'platform.field_validation_error');
    // a test without a script gives a run without steps
    const bare = await w.add('manual_tests', { name: 'No script' });
    const bareRun = await w.add('manual_runs', { name: 'Bare run', test: ref('test_manual', bare), release: ref('release', release), native_status: NATIVE('planned') });
    expect(await w.ids(`run_steps?${q(`run EQ {id EQ ${bareRun}}`)}`)).toEqual([]);
    // deleting the run deletes its steps
    expect((await w.del(`manual_runs/${run}`)).status).toBe(200);
    expect(await w.ids(`run_steps?${q(`id IN ${s1},${s2}`)}`)).toEqual([]);
  });

  it('a Gherkin run walks the feature: feature, scenarios, steps', async () => {
    const g = await w.add('gherkin_tests', { name: 'Cart' });
    await w.put(`tests/${g}/script`, { script: 'Feature: Cart\n  Scenario: Add\n    Given an empty cart\n    When I add a book\n    Then the cart holds 1 item\n  Scenario: Remove\n    Given a cart with a book\n    When I remove it\n    Then the cart is empty\n' });
    const run = await w.add('manual_runs', { name: 'Cart run', test: ref('gherkin_test', g), release: ref('release', release), native_status: NATIVE('planned') });
    const steps = await w.read(`run_steps?${q(`run EQ {id EQ ${run}}`)}&fields=description,step_type{logical_name}&order_by=order`);
    expect(steps.data.map((s: any) => [s.step_type.logical_name.split('.').pop(), s.description])).toEqual([
      ['feature', 'Feature: Cart'],
      ['scenario', 'Scenario: Add'],
      ['normal', 'Given an empty cart'],
      ['normal', 'When I add a book'],
      ['normal', 'Then the cart holds 1 item'],
      ['scenario', 'Scenario: Remove'],
      ['normal', 'Given a cart with a book'],
      ['normal', 'When I remove it'],
      ['normal', 'Then the cart is empty'],
    ]);
  });

  it('planning a suite run plans a manual run per manual / Gherkin test of the suite, with parent_suite and the defaults', async () => {
    const runner = await w.user('Rita', 'Runner');
    const chrome = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.chrome');
    const linux = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.os.linux');
    const suite = await w.add('test_suites', { name: 'Regression suite' });
    const m1 = await w.add('manual_tests', { name: 'Suite manual' });
    await w.put(`tests/${m1}/script`, { script: '- one\n- ?two' });
    const g1 = await w.add('gherkin_tests', { name: 'Suite gherkin' });
    const a1 = await w.add('automated_tests', { name: 'Suite automated' });
    const skipped = await w.add('manual_tests', { name: 'Not next time' });
    const S = ref('test_suite', suite);
    await w.add('test_suite_link_to_tests', { test_suite: S, test: ref('test_manual', m1) });
    await w.add('test_suite_link_to_tests', { test_suite: S, test: ref('test_automated', a1) });
    await w.add('test_suite_link_to_tests', { test_suite: S, test: ref('gherkin_test', g1) });
    await w.add('test_suite_link_to_tests', { test_suite: S, test: ref('test_manual', skipped), include_in_next_run: false });

    const r = await w.post('suite_run', {
      data: [
        {
          name: 'Suite run',
          test: S,
          release: ref('release', release),
          native_status: NATIVE('planned'),
          default_run_by: ref('workspace_user', runner),
          default_taxonomies: many(ref('taxonomy_item_node', chrome), ref('taxonomy_item_node', linux)),
        },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'run_suite', subtype: 'run_suite' });
    const suiteRun = r.body.data[0].id;
    const children = await w.read(
      `runs?${q(`parent_suite EQ {id EQ ${suiteRun}}`)}&fields=subtype,name,test,release,run_by,taxonomies,parent_suite,native_status{logical_name},status{logical_name}&order_by=id`,
    );
    expect(children.total_count).toBe(2);
    expect(children.data.map((c: any) => [c.subtype, c.test.type, c.test.id])).toEqual([
      ['run_manual', 'test_manual', m1],
      ['run_manual', 'gherkin_test', g1],
    ]);
    for (const c of children.data) {
      expect(c.release).toMatchObject({ type: 'release', id: release });
      expect(c.run_by).toMatchObject({ type: 'workspace_user', id: runner });
      expect(sorted(c.taxonomies.data.map((x: any) => x.id))).toEqual(sorted([chrome, linux]));
      expect(c.parent_suite).toMatchObject({ type: 'run_suite', id: suiteRun });
      expect(c.native_status.logical_name).toBe('list_node.run_native_status.planned');
      expect(c.status.logical_name).toBe('list_node.run_status.planned');
    }
    // the suite run lists them; the manual one has its steps
    const sr = await w.read(`suite_run/${suiteRun}?fields=runs_in_suite,default_taxonomies,status{logical_name}`);
    expect(sr.runs_in_suite.total_count).toBe(2);
    expect(sr.status.logical_name).toBe('list_node.run_status.planned');
    expect((await w.read(`run_steps?${q(`run EQ {id EQ ${children.data[0].id}}`)}`)).total_count).toBe(2);
    // suite runs need a suite
    expectBulkErrors(
      await w.post('suite_run', { data: [{ name: 'x', test: ref('test_manual', m1), release: ref('release', release), native_status: NATIVE('planned') }] }),
      400,
      [{ index: 0, code: 'platform.field_validation_error', field: 'test' }],
    );
  });

  it('a test\'s last_runs hold its newest run per context (release and environment)', async () => {
    const a = await w.add('automated_tests', { name: 'contextual' });
    const r2 = await w.add('releases', { name: 'R2', start_date: '2025-01-01', end_date: '2025-12-31' });
    const chrome = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.chrome');
    const A = ref('test_automated', a);
    const run = (name: string, extra: Record<string, unknown>) => w.add('automated_runs', { name, test: A, native_status: NATIVE('passed'), ...extra });
    const lastRuns = async () => sorted((await w.read(`automated_tests/${a}?fields=last_runs`)).last_runs.data.map((x: any) => x.id));
    const x1 = await run('x1', { release: ref('release', release) });
    expect(await lastRuns()).toEqual([x1]);
    const x2 = await run('x2', { release: ref('release', release), taxonomies: many(ref('taxonomy_item_node', chrome)) });
    expect(await lastRuns()).toEqual(sorted([x1, x2]));
    // a newer run in x1's context replaces it
    const x3 = await run('x3', { release: ref('release', release) });
    expect(await lastRuns()).toEqual(sorted([x2, x3]));
    const x4 = await run('x4', { release: ref('release', r2) });
    expect(await lastRuns()).toEqual(sorted([x2, x3, x4]));
    // the run knows it is a last run
    expect((await w.read(`runs/${x3}?fields=test_of_last_run`)).test_of_last_run.data.map((x: any) => x.id)).toEqual([a]);
    expect((await w.read(`runs/${x1}?fields=test_of_last_run`)).test_of_last_run.total_count).toBe(0);
    // deleting the newest brings the one before back
    expect((await w.del(`automated_runs/${x3}`)).status).toBe(200);
    expect(await lastRuns()).toEqual(sorted([x1, x2, x4]));
    // moving a run to another context
    expect((await w.put(`automated_runs/${x1}`, { release: ref('release', r2) })).status).toBe(200);
    expect(await lastRuns()).toEqual(sorted([x2, x4]));
    // last_runs is the server's
    expectOctaneError(await w.put(`automated_tests/${a}`, { last_runs: many(ref('run', x1)) }), 400, 'platform.field_validation_error');
  });

  it('a delete by query and a bulk PUT of several runs of a test leave it its newest run per context of the runs that are left', async () => {
    const [a, b] = await t.create(w.url('automated_tests'), { name: 'bulk last runs a' }, { name: 'bulk last runs b' });
    const r2 = await w.add('releases', { name: 'R bulk', start_date: '2024-01-01', end_date: '2024-12-31' });
    const chrome = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.chrome');
    const lastRuns = async (test: string) => sorted((await w.read(`automated_tests/${test}?fields=last_runs`)).last_runs.data.map((x: any) => x.id));
    const runs = await t.create(
      w.url('automated_runs'),
      ...[1, 2, 3, 4, 5].map((i) => ({ name: `a${i}`, test: ref('test_automated', a), release: ref('release', release), native_status: NATIVE('passed') })),
      { name: 'a6', test: ref('test_automated', a), release: ref('release', release), taxonomies: many(ref('taxonomy_item_node', chrome)), native_status: NATIVE('passed') },
    );
    expect(await lastRuns(a)).toEqual(sorted([runs[4], runs[5]]));
    // the three newest of the release's context, by query: the second one is its last run now
    const r = await w.del(`automated_runs?${q(`id IN ${runs.slice(2, 5).join(',')}`)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.total_count).toBe(3);
    expect(await lastRuns(a)).toEqual(sorted([runs[1], runs[5]]));
    // one PUT: a2 moves to test b without a release, a6 to another release
    const [b1] = await t.create(w.url('automated_runs'), { name: 'b1', test: ref('test_automated', b), release: ref('release', release), native_status: NATIVE('passed') });
    const u = await w.put('automated_runs', { data: [{ id: runs[1], test: ref('test_automated', b), release: null }, { id: runs[5], release: ref('release', r2) }] });
    expect(u.status, u.text).toBe(200);
    expect(await lastRuns(a)).toEqual(sorted([runs[0], runs[5]]));
    expect(await lastRuns(b)).toEqual(sorted([runs[1], b1]));
  });

  it('300 runs of one test: each write recomputes its last runs once', async () => {
    const a = await w.add('automated_tests', { name: 'many runs' });
    const r2 = await w.add('releases', { name: 'R many', start_date: '2024-01-01', end_date: '2024-12-31' });
    const lastRuns = async () => (await w.read(`automated_tests/${a}?fields=last_runs`)).last_runs.data.map((x: any) => x.id);
    const recomputesOf = (fn: () => Promise<void>) => preparedRuns(t, (key) => key === 'lastRunsRecompute', fn);
    let ids: string[] = [];
    expect(
      await recomputesOf(async () => {
        const r = await w.post('automated_runs', { data: Array.from({ length: 300 }, (_, i) => ({ name: `m${i}`, test: ref('test_automated', a), native_status: NATIVE('passed') })) });
        expect(r.status, r.text).toBe(201);
        ids = r.body.data.map((e: { id: string }) => e.id);
      }),
    ).toBe(1);
    expect(await lastRuns()).toEqual([ids[299]]);
    expect(
      await recomputesOf(async () => {
        const r = await w.put('automated_runs', { data: ids.slice(0, 200).map((id) => ({ id, release: ref('release', r2) })) });
        expect(r.status, r.text).toBe(200);
      }),
    ).toBe(1);
    expect(sorted(await lastRuns())).toEqual(sorted([ids[199], ids[299]]));
    expect(
      await recomputesOf(async () => {
        const r = await w.del(`automated_runs?${q(`test EQ {id EQ ${a}};release EQ {id EQ ${r2}}`)}`);
        expect(r.status, r.text).toBe(200);
        expect(r.body.total_count).toBe(200);
      }),
    ).toBe(1);
    expect(await lastRuns()).toEqual([ids[299]]);
  });

  it('automated runs write the run history (previous_runs): read-only, newest first', async () => {
    const a = await w.add('automated_tests', { name: 'historic' });
    const A = ref('test_automated', a);
    w.freeze('2024-03-01T10:00:00Z');
    const h1 = await w.add('automated_runs', { name: 'h1', test: A, release: ref('release', release), native_status: NATIVE('passed') });
    w.freeze('2024-03-02T10:00:00Z');
    const h2 = await w.add('automated_runs', { name: 'h2', test: A, native_status: NATIVE('failed') });
    w.freeze('2024-03-03T10:00:00Z');
    const h3 = await w.add('automated_runs', { name: 'h3', test: A, native_status: NATIVE('skipped') });
    w.unfreeze();
    const fields = 'fields=run_id,run_native_status,status{logical_name},test,release,started';
    const byStarted = await w.read(`previous_runs?${q(`test EQ {id EQ ${a}}`)}&order_by=-started&${fields}`);
    expect(byStarted.data.map((p: any) => [p.run_id, p.started, p.status.logical_name])).toEqual([
      [Number(h3), '2024-03-03T10:00:00Z', 'list_node.run_status.skipped'],
      [Number(h2), '2024-03-02T10:00:00Z', 'list_node.run_status.failed'],
      [Number(h1), '2024-03-01T10:00:00Z', 'list_node.run_status.passed'],
    ]);
    // run_native_status is the numeric id of the native status node
    const failedId = await w.idOf('list_nodes', 'list_node.run_native_status.failed');
    expect(byStarted.data[1].run_native_status).toBe(Number(failedId));
    expect(await w.ids(`previous_runs?${q(`run_native_status EQ ${failedId};test EQ {id EQ ${a}}`)}`)).toHaveLength(1);
    expect(byStarted.data[2].release).toMatchObject({ type: 'release', id: release });
    // manual runs are not run history
    const m = await w.add('manual_tests', { name: 'manual' });
    const mr = await w.add('manual_runs', { name: 'mr', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('passed') });
    expect(await w.ids(`previous_runs?${q(`run_id EQ ${mr}`)}`)).toEqual([]);
    // read-only resource
    expectOctaneError(await w.post('previous_runs', { data: [{ name: 'forged' }] }), 405, 'platform.web_application');
    expectOctaneError(await w.put(`previous_runs/${byStarted.data[0].id}`, { name: 'x' }), 405, 'platform.web_application');
  });

  it('a new result of an automated run adds to its history; without order_by the history is newest first', async () => {
    const a = await w.add('automated_tests', { name: 'rerun' });
    w.freeze('2024-04-01T10:00:00Z');
    const h1 = await w.add('automated_runs', { name: 'h1', test: ref('test_automated', a), native_status: NATIVE('passed') });
    w.freeze('2024-04-02T10:00:00Z');
    const h2 = await w.add('automated_runs', { name: 'h2', test: ref('test_automated', a), native_status: NATIVE('passed') });
    w.freeze('2024-04-03T10:00:00Z');
    expect((await w.put(`automated_runs/${h1}`, { native_status: NATIVE('failed') })).status).toBe(200);
    w.unfreeze();
    const fields = 'fields=run_id,status{logical_name}';
    expect((await w.read(`previous_runs?${q(`run_id EQ ${h1}`)}&${fields}`)).total_count).toBe(2);
    expect((await w.read(`previous_runs?${q(`run_id EQ ${h1};run_native_status EQ ${await w.idOf('list_nodes', 'list_node.run_native_status.failed')}`)}&${fields}`)).total_count).toBe(1);
    // issue 7: "previous_runs (run history) read-only, newest first": the failed re-run of h1 is
    // the newest entry, then h2, then h1's first (passed) result
    const history = await w.read(`previous_runs?${q(`test EQ {id EQ ${a}}`)}&${fields}`);
    expect(history.data.map((p: any) => [p.run_id, p.status.logical_name])).toEqual([
      [Number(h1), 'list_node.run_status.failed'],
      [Number(h2), 'list_node.run_status.passed'],
      [Number(h1), 'list_node.run_status.passed'],
    ]);
    // each entry is one execution: the re-run's entry starts when it was reported, so ordering by
    // `started` gives the same order
    const byStarted = await w.read(`previous_runs?${q(`test EQ {id EQ ${a}}`)}&order_by=-started&fields=run_id,started`);
    expect(byStarted.data.map((p: any) => [p.run_id, p.started])).toEqual([
      [Number(h1), '2024-04-03T10:00:00Z'],
      [Number(h2), '2024-04-02T10:00:00Z'],
      [Number(h1), '2024-04-01T10:00:00Z'],
    ]);
  });

  it('defects link to the runs and run steps they were found in; both sides read and filter', async () => {
    const m = await w.add('manual_tests', { name: 'Defect finder' });
    await w.put(`tests/${m}/script`, { script: '- step a\n- step b' });
    const run = await w.add('manual_runs', { name: 'Finding run', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('failed') });
    const [stepA] = await w.ids(`run_steps?${q(`run EQ {id EQ ${run}}`)}&order_by=order`);
    const d1 = await w.add('defects', { name: 'Found in run', run: many(ref('run_manual', run)), run_step: many(ref('run_step', stepA)) });
    const d2 = await w.add('defects', { name: 'Found elsewhere' });
    expect((await w.read(`runs/${run}?fields=defect`)).defect.data.map((x: any) => x.id)).toEqual([d1]);
    expect((await w.read(`run_steps/${stepA}?fields=defect`)).defect.data.map((x: any) => x.id)).toEqual([d1]);
    expect(await w.ids(`defects?${q(`run EQ {test EQ {id EQ ${m}}}`)}`)).toEqual([d1]);
    expect(await w.ids(`defects?${q(`run_step EQ {id EQ ${stepA}}`)}`)).toEqual([d1]);
    // linked from the run's side
    expect((await w.put(`manual_runs/${run}`, { defect: many(ref('defect', d1), ref('defect', d2)) })).status).toBe(200);
    expect(sorted(await w.ids(`defects?${q(`run EQ {id EQ ${run}}`)}`))).toEqual(sorted([d1, d2]));
    expect(await w.ids(`runs?${q(`defect EQ {id EQ ${d2}}`)}`)).toEqual([run]);
    // only runs and run steps
    expectBulkErrors(await w.post('defects', { data: [{ name: 'x', run: many(ref('story', d2)) }] }), 400, [{ index: 0, code: 'platform.field_validation_error', field: 'run' }]);
  });
});

// ---- user tags and comments -----------------------------------------------------------------------

describe('user tags', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('GET and POST only; names unique per workspace; work items and tests carry them', async () => {
    const security = await w.add('user_tags', { name: 'security' });
    const perf = await w.add('user_tags', { name: 'performance' });
    expectBulkErrors(await w.post('user_tags', { data: [{ name: 'security' }] }), 409, [{ index: 0, code: 'platform.duplicate_entity_error' }]);
    expectOctaneError(await w.put(`user_tags/${security}`, { name: 'sec' }), 405, 'platform.web_application');
    expectOctaneError(await w.del(`user_tags/${security}`), 405, 'platform.web_application');
    expectOctaneError(await w.put(`user_tags?${q(`id EQ ${security}`)}`, { data: [{ name: 'sec' }] }), 405, 'platform.web_application');
    expect((await w.read(`user_tags/${security}?fields=name,author`))).toMatchObject({ name: 'security', author: { type: 'workspace_user' } });
    // another workspace has its own tags
    const w2 = await freshWorkspace(t);
    await w2.add('user_tags', { name: 'security' });

    const story = await w.add('stories', { name: 'Tagged story', user_tags: many(ref('user_tag', security)) });
    await w.add('stories', { name: 'Other story', user_tags: many(ref('user_tag', perf)) });
    const test = await w.add('automated_tests', { name: 'tagged', user_tags: many(ref('user_tag', security), ref('user_tag', perf)) });
    await w.add('automated_tests', { name: 'untagged' });
    expect(await w.ids(`stories?${q('user_tags EQ {name EQ ^security^}')}`)).toEqual([story]);
    expect(await w.ids(`automated_tests?${q('user_tags EQ {name EQ ^security^}')}`)).toEqual([test]);
    expect(await w.ids(`tests?${q(`user_tags EQ {id EQ ${perf}}`)}`)).toEqual([test]);
    // retagging replaces the set
    expect((await w.put(`stories/${story}`, { user_tags: many(ref('user_tag', perf)) })).status).toBe(200);
    expect(await w.ids(`stories?${q('user_tags EQ {name EQ ^security^}')}`)).toEqual([]);
    const tags = (await w.read(`automated_tests/${test}?fields=user_tags`)).user_tags;
    expect(tags.total_count).toBe(2);
    expect(tags.data.map((x: any) => x.name).sort()).toEqual(['performance', 'security']);
  });
});

describe('comments', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('a comment has exactly one owner (test, work item, run or requirement) and the caller as author', async () => {
    const release = await w.add('releases', { name: 'R', start_date: '2024-01-01', end_date: '2024-12-31' });
    const m = await w.add('manual_tests', { name: 'Commented test' });
    const story = await w.add('stories', { name: 'Commented story' });
    const run = await w.add('manual_runs', { name: 'Commented run', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('passed') });
    const doc = await w.add('requirement_documents', { name: 'Commented doc', parent: ref('requirement_folder', await w.add('requirement_folders', { name: 'F' })) });
    const c1 = await w.add('comments', { text: '<p>Looks good</p>', owner_test: ref('test_manual', m) });
    const c2 = await w.add('comments', { text: 'Needs work', owner_work_item: ref('story', story) });
    const c3 = await w.add('comments', { text: 'Flaky', owner_run: ref('run_manual', run) });
    const c4 = await w.add('comments', { text: 'Approved', owner_requirement: ref('requirement_document', doc) });
    const admin = String(t.app.emulator.defaults.adminUserId);
    const e = await w.read(`comments/${c1}?fields=text,author,owner_test`);
    expect(e).toMatchObject({ text: '<p>Looks good</p>', author: { type: 'workspace_user', id: admin }, owner_test: { type: 'test_manual', id: m } });
    expect(await w.ids(`comments?${q(`owner_test EQ {id EQ ${m}}`)}`)).toEqual([c1]);
    expect(await w.ids(`comments?${q(`owner_work_item EQ {id EQ ${story}}`)}`)).toEqual([c2]);
    expect(await w.ids(`comments?${q(`owner_run EQ {id EQ ${run}}`)}`)).toEqual([c3]);
    expect(await w.ids(`comments?${q(`owner_requirement EQ {id EQ ${doc}}`)}`)).toEqual([c4]);
    expect((await w.read(`stories/${story}?fields=comments`)).comments.data.map((x: any) => x.id)).toEqual([c2]);
    expect((await w.read(`tests/${m}?fields=comments`)).comments.data.map((x: any) => x.id)).toEqual([c1]);
    // two owners, or none
    expectBulkErrors(await w.post('comments', { data: [{ text: 'Two', owner_test: ref('test_manual', m), owner_work_item: ref('story', story) }] }), 400, [{ index: 0, code: 'platform.field_validation_error' }]);
    expectBulkErrors(await w.post('comments', { data: [{ text: 'None' }] }), 400, [{ index: 0, code: 'platform.field_validation_error' }]);
    expectOctaneError(await w.put(`comments/${c1}`, { owner_work_item: ref('story', story) }), 400, 'platform.field_validation_error');
    // the author is the server's
    expectBulkErrors(await w.post('comments', { data: [{ text: 'Forged', owner_test: ref('test_manual', m), author: ref('workspace_user', admin) }] }), 400, [{ index: 0, code: 'platform.field_validation_error', field: 'author' }]);
    // comments go with their owner
    expect((await w.del(`stories/${story}`)).status).toBe(200);
    expectOctaneError(await w.get(`comments/${c2}`), 404, 'platform.entity_not_found');
  });
});

// ---- attachments ------------------------------------------------------------------------------

describe('attachments', () => {
  let w: Workspace;
  let defect: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    defect = await w.add('defects', { name: 'Has attachments' });
  });

  const upload = async (entity: Record<string, unknown>, bytes: Buffer, filename: string) => {
    const form = await attachmentForm(entity, bytes, filename);
    return raw(t, 'POST', w.url('attachments'), form.body, { 'content-type': form.contentType });
  };
  const download = (id: string, suffix = '') => raw(t, 'GET', w.url(`attachments/${id}${suffix}`), undefined, { accept: 'application/octet-stream' });

  it('a PNG uploaded as multipart comes back byte for byte, with its type and file name', async () => {
    const png = makePng(7, 5);
    const r = await upload({ name: 'screen shot.png', owner_work_item: ref('defect', defect) }, png, 'screen shot.png');
    expect(r.status, r.bytes.toString()).toBe(201);
    const created = r.json();
    expect(created.total_count).toBe(1);
    expect(created.data[0]).toMatchObject({ type: 'attachment', name: 'screen shot.png' });
    const id = created.data[0].id;
    const d = await download(id);
    expect(d.status).toBe(200);
    expect(d.headers['content-type']).toBe('image/png');
    expect(String(d.headers['content-disposition'])).toBe(`attachment; filename="screen shot.png"; filename*=UTF-8''screen%20shot.png`);
    expect(Buffer.compare(d.bytes, png)).toBe(0);
    // the same at attachments/{id}/{file name}
    const byName = await raw(t, 'GET', w.url(`attachments/${id}/${encodeURIComponent('screen shot.png')}`));
    expect(byName.status).toBe(200);
    expect(Buffer.compare(byName.bytes, png)).toBe(0);
    // JSON otherwise: the entity with its size and owner
    const e = await w.read(`attachments/${id}?fields=name,size,owner_work_item,author`);
    expect(e).toMatchObject({ name: 'screen shot.png', size: png.length, owner_work_item: { type: 'defect', id: defect } });
    expect((await w.read(`defects/${defect}?fields=attachments`)).attachments.data.map((x: any) => x.id)).toContain(id);
    expect(await w.ids(`attachments?${q(`owner_work_item EQ {id EQ ${defect}};name EQ ^screen*^`)}`)).toEqual([id]);
  });

  it('a 5 MB random file uploaded as octet-stream comes back byte for byte', async () => {
    const bytes = randomBytes(5 * 1024 * 1024);
    const owner = encodeURIComponent(JSON.stringify(ref('defect', defect)));
    const r = await raw(t, 'POST', w.url(`attachments?name=dump.log&owner_work_item=${owner}`), bytes, { 'content-type': 'application/octet-stream' });
    expect(r.status, r.bytes.subarray(0, 500).toString()).toBe(201);
    const id = r.json().data[0].id;
    const d = await download(id);
    expect(d.status).toBe(200);
    expect(d.bytes.length).toBe(bytes.length);
    expect(Buffer.compare(d.bytes, bytes)).toBe(0);
    expect((await w.read(`attachments/${id}?fields=size`)).size).toBe(bytes.length);
    // the owner JSON exactly as the JS SDK sends it, not URL-encoded
    const sdkStyle = await raw(t, 'POST', w.url(`attachments?name=notes.txt&owner_work_item={"type":"defect","id":"${defect}"}`), Buffer.from('plain notes'), { 'content-type': 'application/octet-stream' });
    expect(sdkStyle.status, sdkStyle.bytes.toString()).toBe(201);
    expect((await download(sdkStyle.json().data[0].id)).bytes.toString()).toBe('plain notes');
  });

  it('multipart variants: entity part as a plain field; name taken from the file; owners of every kind', async () => {
    const release = await w.add('releases', { name: 'Att release', start_date: '2024-01-01', end_date: '2024-12-31' });
    const m = await w.add('manual_tests', { name: 'Att test' });
    const run = await w.add('manual_runs', { name: 'Att run', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('passed') });
    const doc = await w.add('requirement_documents', { name: 'Att doc', parent: ref('requirement_folder', await w.add('requirement_folders', { name: 'Att folder' })) });
    const owners: Array<[string, { type: string; id: string }, string]> = [
      ['owner_test', ref('test_manual', m), `manual_tests/${m}`],
      ['owner_run', ref('run_manual', run), `runs/${run}`],
      ['owner_requirement', ref('requirement_document', doc), `requirement_documents/${doc}`],
      ['owner_release', ref('release', release), `releases/${release}`],
    ];
    for (const [field, owner, path] of owners) {
      const form = await multipart([
        { name: 'entity', value: JSON.stringify({ [field]: owner }) },
        { name: 'content', value: Buffer.from(`for ${field}`), filename: `${field}.txt`, contentType: 'text/plain' },
      ]);
      const r = await raw(t, 'POST', w.url('attachments'), form.body, { 'content-type': form.contentType });
      expect(r.status, r.bytes.toString()).toBe(201);
      const a = r.json().data[0];
      expect(a.name).toBe(`${field}.txt`);
      expect((await download(a.id)).bytes.toString()).toBe(`for ${field}`);
      expect((await w.read(`${path}?fields=attachments`)).attachments.data.map((x: any) => x.id)).toEqual([a.id]);
    }
    // one at a time, and one owner
    const two = await multipart([
      { name: 'entity', value: JSON.stringify({ data: [{ name: 'a.txt', owner_test: ref('test_manual', m) }, { name: 'b.txt', owner_test: ref('test_manual', m) }] }) },
      { name: 'content', value: Buffer.from('x'), filename: 'a.txt' },
    ]);
    expect((await raw(t, 'POST', w.url('attachments'), two.body, { 'content-type': two.contentType })).status).toBe(400);
    const noOwner = await upload({ name: 'orphan.txt' }, Buffer.from('x'), 'orphan.txt');
    expect(noOwner.status).toBe(400);
    expect(noOwner.json().error_code ?? noOwner.json().errors?.[0]?.error_code).toBe('platform.field_validation_error');
    const noContent = await multipart([{ name: 'entity', value: JSON.stringify({ name: 'x.txt', owner_test: ref('test_manual', m) }) }]);
    expect((await raw(t, 'POST', w.url('attachments'), noContent.body, { 'content-type': noContent.contentType })).status).toBe(400);
  });

  it('names and extensions are checked (400 with the reason); nothing is stored for a refused upload', async () => {
    const before = (await w.read('attachments')).total_count;
    const owner = JSON.stringify(ref('defect', defect));
    const bad: Array<[string, Buffer]> = [
      ['.hidden.txt', Buffer.from('x')],
      ['../escape.txt', Buffer.from('x')],
      ['a/b.txt', Buffer.from('x')],
      ['a\\b.txt', Buffer.from('x')],
      ['c:evil.txt', Buffer.from('x')],
      ['what?.txt', Buffer.from('x')],
      ['nul\u0000byte.txt', Buffer.from('x')],
      ['con.txt', Buffer.from('x')],
      ['LPT1.log', Buffer.from('x')],
      ['virus.exe', Buffer.from('MZ')],
      ['noextension', Buffer.from('x')],
      ['fake.png', Buffer.from('not a png at all')],
      ['fake.pdf', makePng()],
      ['   ', Buffer.from('x')],
    ];
    for (const [name, bytes] of bad) {
      const r = await raw(t, 'POST', w.url(`attachments?name=${encodeURIComponent(name)}&owner_work_item=${encodeURIComponent(owner)}`), bytes, { 'content-type': 'application/octet-stream' });
      expect(r.status, `octet-stream ${JSON.stringify(name)}: ${r.bytes.toString()}`).toBe(400);
      const body = r.json();
      expect(body.error_code, JSON.stringify(name)).toBe('platform.field_validation_error');
      expect(body.description.length).toBeGreaterThan(20);
      // and the same through multipart
      const m = await upload({ name, owner_work_item: ref('defect', defect) }, bytes, 'upload.bin');
      expect(m.status, `multipart ${JSON.stringify(name)}: ${m.bytes.toString()}`).toBe(400);
    }
    expect((await w.read('attachments')).total_count).toBe(before);
    // a name is trimmed
    const ok = await upload({ name: '  spaced.txt  ', owner_work_item: ref('defect', defect) }, Buffer.from('x'), 'x.txt');
    expect(ok.status).toBe(201);
    expect(ok.json().data[0].name).toBe('spaced.txt');
  });

  it('deleting the owner deletes its attachments and their bytes', async () => {
    const owner = await w.add('stories', { name: 'Temporary owner' });
    const r = await upload({ name: 'doomed.txt', owner_work_item: ref('story', owner) }, Buffer.from('bye'), 'doomed.txt');
    const id = r.json().data[0].id;
    expect((await download(id)).status).toBe(200);
    expect((await w.del(`stories/${owner}`)).status).toBe(200);
    expectOctaneError(await w.get(`attachments/${id}`), 404, 'platform.entity_not_found');
    expect((await download(id)).status).toBe(404);
    // and deleting the attachment itself
    const r2 = await upload({ name: 'single.txt', owner_work_item: ref('defect', defect) }, Buffer.from('x'), 'single.txt');
    const id2 = r2.json().data[0].id;
    expect((await w.del(`attachments/${id2}`)).status).toBe(200);
    expect((await download(id2)).status).toBe(404);
  });
});

describe('attachment size limit', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await makeApp({ attachmentMaxBytes: 1024 });
  });
  afterAll(() => small.close());

  it('an upload over the configured limit is 413 platform.request_too_large, in both forms; at the limit it passes', async () => {
    const [d] = await small.create('defects', { name: 'Limited' });
    const owner = encodeURIComponent(JSON.stringify(ref('defect', d)));
    const big = raw(small, 'POST', `${small.ws}/attachments?name=big.txt&owner_work_item=${owner}`, Buffer.alloc(2048, 0x61), { 'content-type': 'application/octet-stream' });
    let r = await big;
    expect(r.status).toBe(413);
    expect(r.json().error_code).toBe('platform.request_too_large');
    const form = await attachmentForm({ name: 'big.txt', owner_work_item: ref('defect', d) }, Buffer.alloc(2048, 0x61), 'big.txt');
    r = await raw(small, 'POST', `${small.ws}/attachments`, form.body, { 'content-type': form.contentType });
    expect(r.status).toBe(413);
    expect(r.json().error_code).toBe('platform.request_too_large');
    r = await raw(small, 'POST', `${small.ws}/attachments?name=fits.txt&owner_work_item=${owner}`, Buffer.alloc(1024, 0x62), { 'content-type': 'application/octet-stream' });
    expect(r.status).toBe(201);
    const list = await small.get(`${small.ws}/attachments?fields=name`);
    expect(list.body.data.map((a: any) => a.name)).toEqual(['fits.txt']);
  });
});

describe('the official JS SDK uploads and downloads an attachment', () => {
  let s: TestApp;
  let server: string;
  beforeAll(async () => {
    s = await makeApp();
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    server = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => s.close());

  it('uploadAttachment on a defect, then getAttachmentContent: the same bytes', async () => {
    const [defect] = await s.create('defects', { name: 'SDK defect' });
    const octane = new Octane({ server, sharedSpace: s.app.emulator.defaults.sharedSpaceId, workspace: s.app.emulator.defaults.workspaceId, user: 'sa@nga', password: 'Welcome1' });
    const png = makePng(16, 16);
    const created = await octane.uploadAttachment('sdk.png', png, 'owner_work_item', { type: 'defect', id: defect }).execute();
    expect(created.total_count).toBe(1);
    expect(created.data[0]).toMatchObject({ type: 'attachment', name: 'sdk.png' });
    const id = created.data[0].id;
    const content = await octane.get(Octane.entityTypes.attachments).at(id).getAttachmentContent().execute();
    expect(Buffer.compare(Buffer.from(content), png)).toBe(0);
    // and the entity, as the SDK reads it
    const entity = await octane.get(Octane.entityTypes.attachments).at(id).fields('name', 'owner_work_item', 'size').execute();
    expect(entity).toMatchObject({ id, name: 'sdk.png', size: png.length, owner_work_item: { type: 'defect', id: defect } });
    await octane.signOut();
  });
});

// ---- owners and links the sections above do not reach -----------------------------------------

describe('attachments of run steps and milestones; runs of a milestone; tests covering defects', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  const attach = async (entity: Record<string, unknown>, name: string) => {
    const form = await attachmentForm(entity, Buffer.from(`content of ${name}`), name);
    const r = await raw(t, 'POST', w.url('attachments'), form.body, { 'content-type': form.contentType });
    expect(r.status, r.bytes.toString()).toBe(201);
    return r.json().data[0].id as string;
  };

  it('an attachment owned by a run step, and one owned by a milestone (technical preview)', async () => {
    const release = await w.add('releases', { name: 'Owners release', start_date: '2024-01-01', end_date: '2024-12-31' });
    const m = await w.add('manual_tests', { name: 'Owners test' });
    expect((await w.put(`tests/${m}/script`, { script: '- open the page\n- validation: the page shows' })).status).toBe(200);
    const run = await w.add('manual_runs', { name: 'Owners run', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('planned') });
    const steps = await w.ids(`run_steps?${q(`run EQ {id EQ ${run}}`)}&order_by=id`);
    expect(steps).toHaveLength(2);
    const forStep = await attach({ name: 'step.txt', owner_run_step: ref('run_step', steps[1]) }, 'step.txt');
    expect((await w.read(`run_steps/${steps[1]}?fields=attachments`)).attachments.data.map((a: any) => a.id)).toEqual([forStep]);
    expect((await w.read(`run_steps/${steps[0]}?fields=attachments`)).attachments.data).toEqual([]);
    expect(await w.ids(`attachments?${q(`owner_run_step EQ {id EQ ${steps[1]}}`)}`)).toEqual([forStep]);

    const created = await w.post('milestones', { data: [{ name: 'Owners GA', date: '2024-06-30', releases: many(ref('release', release)) }] }, PREVIEW);
    expect(created.status, created.text).toBe(201);
    const milestone = created.body.data[0].id as string;
    const forMilestone = await attach({ name: 'plan.txt', owner_milestone: ref('milestone', milestone) }, 'plan.txt');
    expect((await w.read(`milestones/${milestone}?fields=attachments`, PREVIEW)).attachments.data.map((a: any) => a.id)).toEqual([forMilestone]);
    expect((await w.read(`attachments/${forMilestone}?fields=owner_milestone`)).owner_milestone).toMatchObject({ type: 'milestone', id: milestone });
  });

  it('a run of a milestone is found by the milestone, and only that run', async () => {
    const release = await w.add('releases', { name: 'Milestone release', start_date: '2024-01-01', end_date: '2024-12-31' });
    const milestone = (await w.post('milestones', { data: [{ name: 'Beta', date: '2024-03-31', releases: many(ref('release', release)) }] }, PREVIEW)).body.data[0].id as string;
    const m = await w.add('manual_tests', { name: 'Milestone test' });
    const inMilestone = await w.add('manual_runs', { name: 'In beta', test: ref('test_manual', m), release: ref('release', release), milestone: ref('milestone', milestone), native_status: NATIVE('passed') });
    await w.add('manual_runs', { name: 'No milestone', test: ref('test_manual', m), release: ref('release', release), native_status: NATIVE('passed') });
    expect((await w.read(`runs/${inMilestone}?fields=milestone`)).milestone).toMatchObject({ type: 'milestone', id: milestone });
    expect(await w.ids(`runs?${q(`milestone EQ {id EQ ${milestone}}`)}`)).toEqual([inMilestone]);
  });

  it('tests cover defects through covered_content, as they cover stories and features', async () => {
    const defect = await w.add('defects', { name: 'Covered defect' });
    const other = await w.add('defects', { name: 'Uncovered defect' });
    const covering = await w.add('manual_tests', { name: 'Covers the defect', covered_content: many(ref('defect', defect)) });
    await w.add('manual_tests', { name: 'Covers nothing' });
    expect((await w.read(`tests/${covering}?fields=covered_content`)).covered_content.data.map((x: any) => x.id)).toEqual([defect]);
    expect(await w.ids(`tests?${q(`covered_content EQ {id EQ ${defect}}`)}`)).toEqual([covering]);
    expect(await w.ids(`tests?${q(`covered_content EQ {id EQ ${other}}`)}`)).toEqual([]);
  });
});
