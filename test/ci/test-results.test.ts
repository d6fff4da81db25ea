// Issue 8: POST .../test-results (protocol.md §8.1-8.2, flows.md flow 15). Each element and
// attribute of the payload is pushed and its effect read back through the REST API (automated
// tests, automated runs, run history, CI builds, environments); plain and gzip bodies;
// skip-errors on and off; duplicate and repeated pushes; bad XML (malformed, schema violations,
// XML bomb, external entity, gzip bomb); the task polled to completion, its counts and its log;
// the XSD; access.

import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testResultsPayload } from '../../bench/lib/test-results-payload.js';
import { makeApp, signIn, type Reply, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';
import { freshWorkspace, PHASE, sorted, type Workspace } from '../helpers/workspace.js';

const XML = { 'content-type': 'application/xml' };
const BODY_LIMIT = 1_000_000;
/** 2025-06-15T15:06:40Z */
const T0 = 1_750_000_000_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({
    ciTaskPollMs: 50,
    bodyLimit: BODY_LIMIT,
    sessionIdleTimeoutMs: 1e13,
    sessionMaxLifetimeMs: 1e13,
    users: [{ name: 'viewer1', password: 'pw', role: 'role.workspace.viewer' }],
  });
});
afterAll(() => t.close());

const drained = () => t.app.emulator.testResults.drained();

/** POSTs a payload (string or bytes) to a workspace's test-results. */
function push(w: Workspace | string, body: string | Buffer, query = '', headers: Record<string, string> = XML): Promise<Reply> {
  const base = typeof w === 'string' ? w : w.path;
  return t.post(`${base}/test-results${query}`, body, headers);
}

/** Pushes, expects 202 queued, waits for the worker and returns the task status. */
async function pushed(w: Workspace, xml: string, query = ''): Promise<any> {
  const res = await push(w, xml, query);
  expect(res.status, res.text).toBe(202);
  expect(res.body).toEqual({ status: 'queued', id: expect.any(Number) });
  await drained();
  return w.read(`test-results/${res.body.id}`);
}

const doc = (inner: string, runs: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<test_result>\n${inner}\n<test_runs>\n${runs}\n</test_runs>\n</test_result>`;

/** `name` of a reference, `logical_name` of a list value. */
const ln = (v: any) => v?.logical_name ?? null;
const names = (multi: any) => (multi?.data ?? []).map((x: any) => x.name).sort();
const idsOf = (multi: any) => sorted((multi?.data ?? []).map((x: any) => x.id));

const RUN_FIELDS =
  'name,test,package,class_name,component,native_status{logical_name},status{logical_name},release,milestone,taxonomies,build,pipeline,duration,started,error_type,error_message,error_details,full_error_details,url_to_ci,description';
const TEST_FIELDS = 'name,package,class_name,component,executable,test_level,test_type,testing_tool_type,framework,product_areas,covered_content,last_runs';

async function runOf(w: Workspace, testName: string): Promise<any> {
  const body = await w.read(`automated_runs?${q(`name EQ ^${testName}^`)}&fields=${RUN_FIELDS}`);
  expect(body.total_count, `automated runs named ${testName}`).toBe(1);
  return body.data[0];
}

async function testOf(w: Workspace, testName: string): Promise<any> {
  const body = await w.read(`automated_tests?${q(`name EQ ^${testName}^`)}&fields=${TEST_FIELDS}`);
  expect(body.total_count, `automated tests named ${testName}`).toBe(1);
  return body.data[0];
}

// ---- elements and attributes ----------------------------------------------------------------------

describe('what each element and attribute of a payload becomes', () => {
  let w: Workspace;
  const id: Record<string, string> = {};
  let task: any;
  const LONG_STACK = Array.from({ length: 40 }, (_, i) => `\tat com.acme.shop.Cart.step${i}(Cart.java:${100 + i})`).join('\n');
  const STACK = `java.lang.AssertionError: expected 3 but was 4\n${LONG_STACK}`;

  beforeAll(async () => {
    w = await freshWorkspace(t);
    w.freeze('2025-07-01T08:00:00Z');
    id.r1 = await w.add('releases', { name: 'R-ci-1', start_date: '2025-01-01', end_date: '2025-12-31' });
    id.r2 = await w.add('releases', { name: 'R-ci-2', start_date: '2025-01-01', end_date: '2025-12-31' });
    id.m1 = await w.add('milestones', { name: 'M-ci-1', date: '2025-05-01' }, { 'ALM-OCTANE-TECH-PREVIEW': 'true' });
    id.pa1 = await w.add('product_areas', { name: 'Checkout' });
    id.pa2 = await w.add('product_areas', { name: 'Payments' });
    id.pa3 = await w.add('product_areas', { name: 'Search' });
    id.story = await w.add('stories', { name: 'Cart story', phase: PHASE('phase.story.new') });
    id.defect = await w.add('defects', { name: 'Cart defect', phase: PHASE('phase.defect.new') });
    id.chrome = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.chrome');
    id.firefox = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.firefox');
    id.os = await w.idOf('taxonomy_category_nodes', 'taxonomy_node.os');
    id.security = await w.idOf('list_nodes', 'list_node.test_type.security');
    const xml = doc(
      `<build server_id="ci-elements" job_id="shop-job" job_name="Shop job" build_id="b-101" build_name="Shop #101" sub_type="multibranch_child"/>
<release id="${id.r1}"/>
<milestone name="M-ci-1"/>
<product_areas><product_area_ref id="${id.pa1}"/><product_area_ref id="${id.pa2}"/></product_areas>
<backlog_items><backlog_item_ref id="${id.story}"/><backlog_item_ref id="${id.defect}"/></backlog_items>
<environment><taxonomy type="Browser" value="Chrome"/><taxonomy type="OS" value="Plan9"/><taxonomy type="Cloud" value="AWS"/><taxonomy_ref id="${id.firefox}"/></environment>
<test_fields><test_field type="Test_Level" value="Integration Test"/><test_field type="Test_Type" value="Regression"/><test_field type="Test_Type" value="Sanity"/><test_field type="Testing_Tool_Type" value="Selenium"/><test_field type="Framework" value="TestNG"/></test_fields>`,
      `<test_run module="shop-web" package="com.acme.shop" class="CartTest" name="addsItem" status="Passed" duration="1234" started="${T0}" run_type="regression" external_report_url="http://ci.example/job/shop/101/testReport/addsItem" external_test_id="ext-t-1" external_run_id="ext-r-1"/>
<test_run module="shop-web" package="com.acme.shop" class="CartTest" name="removesItem" status="Failed" duration="88" started="${T0 + 2000}">
  <error type="java.lang.AssertionError" message="expected 3 but was 4">${STACK}</error>
  <description>Removing the last item empties the cart</description>
</test_run>
<test_run module="shop-web" package="com.acme.shop" class="CartTest" name="skipsItem" status="Skipped"/>
<test_run name="bareTest" status="Passed"/>`,
    );
    task = await pushed(w, xml);
  });
  afterAll(() => w.unfreeze());

  it('the task succeeds and counts what it created', () => {
    expect(task).toMatchObject({ status: 'success', tests_created: 4, runs_created: 4, runs_updated: 0, runs_skipped: 0, errors: [], errorDetails: null, skip_errors: false });
  });

  it('test_run module / package / class / name -> the automated test: component, package, class_name, name (executable)', async () => {
    const a = await testOf(w, 'addsItem');
    expect(a).toMatchObject({ type: 'test_automated', package: 'com.acme.shop', class_name: 'CartTest', component: 'shop-web', executable: true });
    const bare = await testOf(w, 'bareTest');
    expect(bare).toMatchObject({ package: null, class_name: null, component: null });
    expect(sorted(await w.ids('automated_tests'))).toEqual(sorted([a.id, bare.id, (await testOf(w, 'removesItem')).id, (await testOf(w, 'skipsItem')).id]));
  });

  it('test_fields -> test_level, test_type (both values), testing_tool_type, framework, by list value name', async () => {
    const a = await testOf(w, 'addsItem');
    expect(a.test_level).toMatchObject({ type: 'list_node', name: 'Integration Test' });
    expect(names(a.test_type)).toEqual(['Regression', 'Sanity']);
    expect(a.testing_tool_type).toMatchObject({ type: 'list_node', name: 'Selenium' });
    expect(a.framework).toMatchObject({ type: 'list_node', name: 'TestNG' });
    expect(a.test_level.id).toBe(await w.idOf('list_nodes', 'list_node.test_level.integration'));
    expect(a.framework.id).toBe(await w.idOf('list_nodes', 'list_node.je.framework.testng'));
    // the run records the level and framework it ran with
    const run = (await w.read(`automated_runs?${q('name EQ ^addsItem^')}&fields=test_level,test_framework`)).data[0];
    expect(run.test_level).toMatchObject({ type: 'list_node', id: a.test_level.id });
    expect(run.test_framework).toMatchObject({ type: 'list_node', id: a.framework.id });
    // a run without fields of its own takes the payload's global ones, like its test
    const bareTest = await testOf(w, 'bareTest');
    expect(bareTest.test_level).toMatchObject({ type: 'list_node' });
    const bare = (await w.read(`automated_runs?${q('name EQ ^bareTest^')}&fields=test_level,test_framework`)).data[0];
    expect(bare.test_level?.id).toBe(bareTest.test_level?.id);
    expect(bare.test_framework?.id).toBe(bareTest.framework?.id);
  });

  it('product_areas / backlog_items -> the test\'s product_areas and covered_content', async () => {
    for (const name of ['addsItem', 'removesItem', 'bareTest']) {
      const a = await testOf(w, name);
      expect(idsOf(a.product_areas), name).toEqual(sorted([id.pa1, id.pa2]));
      expect(idsOf(a.covered_content), name).toEqual(sorted([id.story, id.defect]));
    }
    // and the reverse side: the application module lists its tests
    const pa = await w.read(`product_areas?${q(`test EQ {name EQ ^addsItem^}`)}&fields=name`);
    expect(sorted(pa.data.map((x: any) => x.id))).toEqual(sorted([id.pa1, id.pa2]));
  });

  it('status -> native_status and summary status (Passed, Failed, Skipped)', async () => {
    const expectStatus = async (name: string, s: string) => {
      const run = await runOf(w, name);
      expect(ln(run.native_status), name).toBe(`list_node.run_native_status.${s}`);
      expect(ln(run.status), name).toBe(`list_node.run_status.${s}`);
    };
    await expectStatus('addsItem', 'passed');
    await expectStatus('removesItem', 'failed');
    await expectStatus('skipsItem', 'skipped');
  });

  it('the run copies module / package / class and links its test; the test\'s last_runs hold it', async () => {
    const run = await runOf(w, 'addsItem');
    const a = await testOf(w, 'addsItem');
    expect(run).toMatchObject({ type: 'run_automated', package: 'com.acme.shop', class_name: 'CartTest', component: 'shop-web', test: { type: 'test_automated', id: a.id } });
    expect(idsOf(a.last_runs)).toEqual([run.id]);
  });

  it('release by id, milestone by name', async () => {
    const run = await runOf(w, 'addsItem');
    expect(run.release).toMatchObject({ type: 'release', id: id.r1, name: 'R-ci-1' });
    expect(run.milestone).toMatchObject({ type: 'milestone', id: id.m1 });
  });

  it('environment: existing values by type/value and by taxonomy_ref id; unknown values and categories are created', async () => {
    const run = await runOf(w, 'addsItem');
    const plan9 = await w.read(`taxonomy_item_nodes?${q('name EQ ^Plan9^')}&fields=name,category`);
    expect(plan9.total_count).toBe(1);
    expect(plan9.data[0].category).toMatchObject({ id: id.os }); // the seeded OS category
    const cloud = await w.read(`taxonomy_category_nodes?${q('name EQ ^Cloud^')}&fields=name`);
    expect(cloud.total_count).toBe(1);
    const aws = await w.read(`taxonomy_item_nodes?${q('name EQ ^AWS^')}&fields=name,category`);
    expect(aws.total_count).toBe(1);
    expect(aws.data[0].category).toMatchObject({ id: cloud.data[0].id });
    expect(idsOf(run.taxonomies)).toEqual(sorted([id.chrome, id.firefox, plan9.data[0].id, aws.data[0].id]));
    // the existing value was not duplicated
    expect((await w.read(`taxonomy_item_nodes?${q('name EQ ^Chrome^')}`)).total_count).toBe(1);
  });

  it('build server_id / job_id / job_name / build_id / build_name -> ci_server, ci_job, ci_build, linked from every run', async () => {
    const builds = await w.read(`ci_builds?${q('build_ci_id EQ ^b-101^')}&fields=name,build_ci_id,ci_job,runs`);
    expect(builds.total_count).toBe(1);
    const build = builds.data[0];
    expect(build).toMatchObject({ type: 'ci_build', name: 'Shop #101', build_ci_id: 'b-101' });
    const runIds = [];
    for (const name of ['addsItem', 'removesItem', 'skipsItem', 'bareTest']) {
      const run = await runOf(w, name);
      expect(run.build, name).toMatchObject({ type: 'ci_build', id: build.id });
      runIds.push(run.id);
    }
    expect(idsOf(build.runs)).toEqual(sorted(runIds));
    const job = await w.read(`ci_jobs/${build.ci_job.id}?fields=name,ci_id,ci_server`, { 'ALM-OCTANE-TECH-PREVIEW': 'true' });
    expect(job).toMatchObject({ name: 'Shop job', ci_id: 'shop-job' });
    const server = await w.read(`ci_servers/${job.ci_server.id}?fields=instance_id`);
    expect(server.instance_id).toBe('ci-elements');
  });

  it('duration (ms) and started (epoch ms -> ISO); without started, the time of ingestion', async () => {
    expect(await runOf(w, 'addsItem')).toMatchObject({ duration: 1234, started: iso(T0) });
    expect(await runOf(w, 'removesItem')).toMatchObject({ duration: 88, started: iso(T0 + 2000) });
    expect(await runOf(w, 'bareTest')).toMatchObject({ duration: null, started: '2025-07-01T08:00:00Z' });
  });

  it('error type / message / stack -> error_type, error_message, error_details (first 512 chars), full_error_details', async () => {
    const run = await runOf(w, 'removesItem');
    expect(STACK.length).toBeGreaterThan(512);
    expect(run).toMatchObject({
      error_type: 'java.lang.AssertionError',
      error_message: 'expected 3 but was 4',
      error_details: STACK.slice(0, 512),
      full_error_details: STACK,
    });
    const ok = await runOf(w, 'addsItem');
    expect(ok).toMatchObject({ error_type: null, error_message: null, error_details: null, full_error_details: null });
  });

  it('external_report_url -> url_to_ci; description -> description', async () => {
    expect((await runOf(w, 'addsItem')).url_to_ci).toBe('http://ci.example/job/shop/101/testReport/addsItem');
    expect((await runOf(w, 'removesItem')).description).toBe('Removing the last item empties the cart');
    expect((await runOf(w, 'addsItem')).description).toBeNull();
  });

  it('run_type / external_run_id -> the run\'s run_type, external_run_id; external_test_id -> the test\'s; each readable and filterable', async () => {
    const run = await w.read(`automated_runs?${q('external_run_id EQ ^ext-r-1^')}&fields=name,run_type,external_run_id,test{name,external_test_id}`);
    expect(run.total_count).toBe(1);
    expect(run.data[0]).toMatchObject({ name: 'addsItem', run_type: 'regression', external_run_id: 'ext-r-1', test: { name: 'addsItem', external_test_id: 'ext-t-1' } });
    const byType = await w.read(`runs?${q('run_type EQ ^regression^')}&fields=name`);
    expect(byType.data.map((r: any) => r.name)).toEqual(['addsItem']);
    const tests = await w.read(`automated_tests?${q('external_test_id EQ ^ext-t-1^')}&fields=name`);
    expect(tests.data.map((x: any) => x.name)).toEqual(['addsItem']);
    const other = await w.read(`automated_runs?${q('name EQ ^removesItem^')}&fields=run_type,external_run_id,test{external_test_id}`);
    expect(other.data[0]).toMatchObject({ run_type: null, external_run_id: null, test: { external_test_id: null } });
  });

  it('build sub_type -> the CI build\'s sub_type', async () => {
    const builds = await w.read(`ci_builds?${q('sub_type EQ ^multibranch_child^')}&fields=build_ci_id,sub_type`);
    expect(builds.data).toEqual([expect.objectContaining({ build_ci_id: 'b-101', sub_type: 'multibranch_child' })]);
  });

  it('run history: one previous_runs row per run, with build id and name, native status id, started, duration, report URL', async () => {
    const run = await runOf(w, 'addsItem');
    const hist = await w.read(`previous_runs?${q(`run_id EQ ${run.id}`)}&fields=name,run_id,build_id,build_name,run_native_status,status,test,release,started,duration,url_to_ci,external_report_url`);
    expect(hist.total_count).toBe(1);
    expect(hist.data[0]).toMatchObject({
      name: 'addsItem',
      run_id: Number(run.id),
      build_id: Number(run.build.id),
      build_name: 'Shop #101',
      run_native_status: Number(await w.idOf('list_nodes', 'list_node.run_native_status.passed')),
      test: { id: run.test.id },
      release: { id: id.r1 },
      started: iso(T0),
      duration: 1234,
      url_to_ci: 'http://ci.example/job/shop/101/testReport/addsItem',
    });
    // previous_runs declares external_report_url: it carries the test_run's external_report_url
    expect(hist.data[0].external_report_url).toBe('http://ci.example/job/shop/101/testReport/addsItem');
  });
});

describe('per-run context overrides the global one; references by name, by id and by logical name', () => {
  let w: Workspace;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    w = await freshWorkspace(t);
    id.r1 = await w.add('releases', { name: 'Global release', start_date: '2025-01-01', end_date: '2025-12-31' });
    id.r2 = await w.add('releases', { name: 'Own release', start_date: '2025-01-01', end_date: '2025-12-31' });
    id.m1 = await w.add('milestones', { name: 'Global milestone', date: '2025-05-01' }, { 'ALM-OCTANE-TECH-PREVIEW': 'true' });
    id.m2 = await w.add('milestones', { name: 'Own milestone', date: '2025-06-01' }, { 'ALM-OCTANE-TECH-PREVIEW': 'true' });
    id.pa1 = await w.add('product_areas', { name: 'Global area' });
    id.pa2 = await w.add('product_areas', { name: 'Own area' });
    id.s1 = await w.add('stories', { name: 'Global story', phase: PHASE('phase.story.new') });
    id.s2 = await w.add('stories', { name: 'Own story', phase: PHASE('phase.story.new') });
    id.linux = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.os.linux');
    id.safari = await w.idOf('taxonomy_item_nodes', 'taxonomy_node.browser.safari');
    id.security = await w.idOf('list_nodes', 'list_node.test_type.security');
    id.junit = await w.idOf('list_nodes', 'list_node.je.framework.junit');
    const task = await pushed(
      w,
      doc(
        `<release name="Global release"/>
<milestone id="${id.m1}"/>
<product_areas><product_area_ref id="${id.pa1}"/></product_areas>
<backlog_items><backlog_item_ref id="${id.s1}"/></backlog_items>
<environment><taxonomy type="OS" value="Linux"/></environment>
<test_fields><test_field type="Test_Level" value="Unit Test"/></test_fields>`,
        `<test_run package="p" class="K" name="usesGlobal" status="Passed"/>
<test_run package="p" class="K" name="usesOwn" status="Failed">
  <release_ref id="${id.r2}"/>
  <milestone_ref name="Own milestone"/>
  <product_areas><product_area_ref id="${id.pa2}"/></product_areas>
  <backlog_items><backlog_item_ref id="${id.s2}"/></backlog_items>
  <environment><taxonomy_ref id="${id.safari}"/></environment>
  <test_fields><test_field_ref id="${id.security}"/><test_field_ref id="list_node.je.framework.junit"/><test_field type="Test_Level" value="System Test"/></test_fields>
</test_run>`,
      ),
    );
    expect(task).toMatchObject({ status: 'success', runs_created: 2 });
  });

  it('a run without its own context takes the global one (release by name, milestone by id)', async () => {
    const run = await runOf(w, 'usesGlobal');
    expect(run.release).toMatchObject({ id: id.r1 });
    expect(run.milestone).toMatchObject({ id: id.m1 });
    expect(idsOf(run.taxonomies)).toEqual([id.linux]);
    const test = await testOf(w, 'usesGlobal');
    expect(idsOf(test.product_areas)).toEqual([id.pa1]);
    expect(idsOf(test.covered_content)).toEqual([id.s1]);
    expect(test.test_level).toMatchObject({ name: 'Unit Test' });
  });

  it('a run\'s own release_ref / milestone_ref / product_areas / backlog_items / environment / test_fields replace the global ones', async () => {
    const run = await runOf(w, 'usesOwn');
    expect(run.release).toMatchObject({ id: id.r2, name: 'Own release' });
    expect(run.milestone).toMatchObject({ id: id.m2 });
    expect(idsOf(run.taxonomies)).toEqual([id.safari]);
    const test = await testOf(w, 'usesOwn');
    expect(idsOf(test.product_areas)).toEqual([id.pa2]);
    expect(idsOf(test.covered_content)).toEqual([id.s2]);
    // test_field_ref by id and by logical name, beside a test_field by value
    expect(test.test_type.data.map((x: any) => x.id)).toEqual([id.security]);
    expect(test.framework).toMatchObject({ id: id.junit });
    expect(test.test_level).toMatchObject({ name: 'System Test' });
  });
});

describe('Gherkin results', () => {
  let w: Workspace;
  const SCRIPT = 'Feature: Checkout\n  Scenario: pay\n    Given a cart\n  Scenario: refund\n    Given a payment';
  const checkout = (status: string, steps: [string, string][], started = T0 + 5000, build = 'g-1') =>
    doc(
      `<build server_id="ci-g" job_id="bdd" build_id="${build}"/>`,
      `<gherkin_test_run name="Checkout feature" status="${status}" duration="4321" started="${started}">
  <feature name="Checkout" path="features/checkout.feature" started="${started}" tag="@smoke">
    <file><![CDATA[${SCRIPT}]]></file>
    <scenarios>
      <scenario name="pay"><steps><step name="Given a cart" status="${steps[0][0]}" duration="12"/></steps></scenario>
      <scenario name="refund" status="${steps[1][1]}"><steps><step name="Given a payment" status="${steps[1][0]}" duration="30"><error_message>expected refund</error_message></step></steps></scenario>
    </scenarios>
  </feature>
</gherkin_test_run>
<gherkin_test_run name="Login feature" status="Passed" duration="10"><feature name="Login" path="features/login.feature"/></gherkin_test_run>`,
    );
  const GHERKIN_TEST_FIELDS = 'name,feature_file_path,automation_status{logical_name},phase,last_runs';
  const STEP_FIELDS = 'order,description,step_type{logical_name},status{logical_name},result{logical_name},duration,actual';
  let first: any;

  beforeAll(async () => {
    w = await freshWorkspace(t);
    first = await pushed(w, checkout('Failed', [['passed', ''], ['failed', 'Failed']]));
  });

  async function gherkinTest(path: string): Promise<any> {
    const body = await w.read(`gherkin_tests?${q(`feature_file_path EQ ^${path}^`)}&fields=${GHERKIN_TEST_FIELDS}`);
    expect(body.total_count, `Gherkin tests of ${path}`).toBe(1);
    return body.data[0];
  }

  async function gherkinRuns(testId: string): Promise<any[]> {
    const body = await w.read(
      `gherkin_automated_runs?${q(`test EQ {id EQ ${testId}}`)}&fields=name,test,native_status{logical_name},status{logical_name},duration,started,build,error_type,run_steps`,
    );
    return body.data;
  }

  it('<gherkin_test_run> -> a Gherkin test per feature file path (automated, its script the feature file) and a Gherkin automated run', async () => {
    expect(first).toMatchObject({ status: 'success', tests_created: 2, runs_created: 2 });
    const test = await gherkinTest('features/checkout.feature');
    expect(test).toMatchObject({ type: 'gherkin_test', name: 'Checkout', feature_file_path: 'features/checkout.feature' });
    expect(ln(test.automation_status)).toBe('list_node.automation_status.automated');
    expect((await w.read(`tests/${test.id}/script`)).script).toBe(SCRIPT);
    // no automated test was made of it
    expect((await w.read('automated_tests')).total_count).toBe(0);
    const runs = await gherkinRuns(test.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ type: 'gherkin_automated_run', name: 'Checkout feature', duration: 4321, started: iso(T0 + 5000), test: { type: 'gherkin_test', id: test.id } });
    expect(ln(runs[0].native_status)).toBe('list_node.run_native_status.failed');
    expect(ln(runs[0].status)).toBe('list_node.run_status.failed');
    expect(idsOf(test.last_runs)).toEqual([runs[0].id]);
    const login = await gherkinTest('features/login.feature');
    expect(login.name).toBe('Login');
    expect(ln((await gherkinRuns(login.id))[0].status)).toBe('list_node.run_status.passed');
  });

  it('the runs are in `runs` as subtype gherkin_automated_run, and in the run history', async () => {
    const test = await gherkinTest('features/checkout.feature');
    const runs = await w.read(`runs?${q("subtype EQ 'gherkin_automated_run'")}&fields=name,subtype&order_by=name`);
    expect(runs.data.map((r: any) => [r.name, r.subtype])).toEqual([
      ['Checkout feature', 'gherkin_automated_run'],
      ['Login feature', 'gherkin_automated_run'],
    ]);
    const run = (await gherkinRuns(test.id))[0];
    const hist = await w.read(`previous_runs?${q(`run_id EQ ${run.id}`)}&fields=run_id,build_id,run_native_status,test`);
    expect(hist.data).toEqual([expect.objectContaining({ run_id: Number(run.id), build_id: Number(run.build.id), run_native_status: Number(await w.idOf('list_nodes', 'list_node.run_native_status.failed')), test: expect.objectContaining({ id: test.id }) })]);
  });

  it('the run\'s steps: each scenario then its steps, with their status, duration and error message', async () => {
    const test = await gherkinTest('features/checkout.feature');
    const run = (await gherkinRuns(test.id))[0];
    const steps = await w.read(`run_steps?${q(`run EQ {id EQ ${run.id}}`)}&fields=${STEP_FIELDS}&order_by=order`);
    expect(
      steps.data.map((s: any) => [s.order, s.description, ln(s.step_type)?.split('.').pop(), ln(s.status)?.split('.').pop(), ln(s.result)?.split('.').pop(), s.duration, s.actual]),
    ).toEqual([
      [1, 'Scenario: pay', 'scenario', 'passed', 'passed', 12, null],
      [2, 'Given a cart', 'normal', 'passed', 'passed', 12, null],
      [3, 'Scenario: refund', 'scenario', 'failed', 'failed', 30, null],
      [4, 'Given a payment', 'normal', 'failed', 'failed', 30, 'expected refund'],
    ]);
    // failed steps can be found by status
    const failed = await w.read(`run_steps?${q(`run EQ {id EQ ${run.id}};status EQ {logical_name EQ ^list_node.run_native_status.failed^}`)}&fields=description`);
    expect(failed.data.map((s: any) => s.description).sort()).toEqual(['Given a payment', 'Scenario: refund']);
  });

  it('a later build of the same feature file: the same test and run, steps replaced, history grows', async () => {
    const test = await gherkinTest('features/checkout.feature');
    const before = (await gherkinRuns(test.id))[0];
    const task = await pushed(w, checkout('Passed', [['passed', ''], ['skipped', 'Skipped']], T0 + 9000, 'g-2'));
    expect(task).toMatchObject({ status: 'success', tests_created: 0, runs_created: 0, runs_updated: 2 });
    const runs = await gherkinRuns(test.id);
    expect(runs.map((r) => r.id)).toEqual([before.id]);
    expect(ln(runs[0].status)).toBe('list_node.run_status.passed');
    const steps = await w.read(`run_steps?${q(`run EQ {id EQ ${before.id}}`)}&fields=${STEP_FIELDS}&order_by=order`);
    expect(steps.data.map((s: any) => [s.description, ln(s.status)?.split('.').pop()])).toEqual([
      ['Scenario: pay', 'passed'],
      ['Given a cart', 'passed'],
      ['Scenario: refund', 'skipped'],
      ['Given a payment', 'skipped'],
    ]);
    expect((await w.read(`previous_runs?${q(`run_id EQ ${before.id}`)}`)).total_count).toBe(2);
    // the script did not change: no new version
    expect((await w.read(`gherkin_tests?${q('feature_file_path EQ ^features/checkout.feature^')}`)).total_count).toBe(1);
  });

  it('a test id tag (@TID<id>REV<version>) names an existing Gherkin test, whatever the path; an unknown one is an error', async () => {
    const phase = await w.idOf('phases', 'phase.gherkin_test.new');
    const mine = await w.add('gherkin_tests', { name: 'Designed in Octane', phase: { type: 'phase', id: phase } });
    const xml = doc(
      '',
      `<gherkin_test_run name="tagged" status="Passed"><feature name="Tagged" path="src/test/resources/tagged.feature" tag="@TID${mine}REV0.2.0"><file>Feature: Tagged</file></feature></gherkin_test_run>
<gherkin_test_run name="ghost" status="Passed"><feature name="Ghost" path="ghost.feature" tag="@TID999999REV0.1.0"/></gherkin_test_run>`,
    );
    const task = await pushed(w, xml);
    expect(task).toMatchObject({ status: 'warning', tests_created: 0, runs_created: 1, runs_skipped: 1 });
    expect(task.errors).toEqual([expect.stringMatching(/^test_run 'ghost' \(line 6\): Gherkin test 999999 \(tag @TID999999REV0\.1\.0\) not found$/)]);
    const test = await w.read(`gherkin_tests/${mine}?fields=${GHERKIN_TEST_FIELDS}`);
    expect(test).toMatchObject({ name: 'Designed in Octane', feature_file_path: 'src/test/resources/tagged.feature' });
    expect(ln(test.automation_status)).toBe('list_node.automation_status.automated');
    expect((await w.read(`tests/${mine}/script`)).script).toBe('Feature: Tagged');
    expect((await gherkinRuns(mine)).map((r) => r.name)).toEqual(['tagged']);
  });
});

// ---- encodings -------------------------------------------------------------------------------------

describe('plain and gzip bodies', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });
  const one = (name: string) => doc('', `<test_run package="enc" class="E" name="${name}" status="Passed" duration="7"/>`);

  it('plain application/xml', async () => {
    expect(await pushed(w, one('plainBody'))).toMatchObject({ status: 'success', runs_created: 1 });
    expect((await runOf(w, 'plainBody')).duration).toBe(7);
  });

  it('text/xml is XML too', async () => {
    const res = await push(w, one('textXmlBody'), '', { 'content-type': 'text/xml' });
    expect(res.status, res.text).toBe(202);
    await drained();
    expect((await runOf(w, 'textXmlBody')).duration).toBe(7);
  });

  it.each([
    ['Content-Encoding: gzip (the CI SDK)', 'gzip', 'gzipBody'],
    ['Content-Encoding: application/gzip (the help page)', 'application/gzip', 'appGzipBody'],
  ])('%s', async (_label, encoding, name) => {
    const res = await push(w, gzipSync(one(name)), '', { ...XML, 'content-encoding': encoding });
    expect(res.status, res.text).toBe(202);
    expect(res.body.status).toBe('queued');
    await drained();
    expect(await w.read(`test-results/${res.body.id}`)).toMatchObject({ status: 'success', runs_created: 1 });
    expect(await runOf(w, name)).toMatchObject({ package: 'enc', class_name: 'E', duration: 7 });
  });

  it('a body that says gzip but is not -> 400', async () => {
    const res = await push(w, Buffer.from(one('notGzip')), '', { ...XML, 'content-encoding': 'gzip' });
    expectOctaneError(res, 400, 'platform.bad_request');
    expect(res.body.description).toMatch(/gzip/i);
  });

  it('gzip bomb: a small body inflating past the body limit -> 413, and nothing is queued', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * BODY_LIMIT, 0x20));
    expect(bomb.length).toBeLessThan(BODY_LIMIT / 10);
    const before = (await w.read('automated_tests')).total_count;
    const res = await push(w, bomb, '', { ...XML, 'content-encoding': 'gzip' });
    expectOctaneError(res, 413, 'platform.request_too_large');
    // a valid payload whose inflated size is over the limit is refused as well
    const big = doc('', Array.from({ length: 16000 }, (_, i) => `<test_run package="big" class="B" name="bigTest${i}" status="Passed" duration="1"/>`).join('\n'));
    expect(big.length).toBeGreaterThan(BODY_LIMIT);
    expect(gzipSync(big).length).toBeLessThan(BODY_LIMIT);
    expectOctaneError(await push(w, gzipSync(big), '', { ...XML, 'content-encoding': 'gzip' }), 413, 'platform.request_too_large');
    await drained();
    expect((await w.read('automated_tests')).total_count).toBe(before);
  });
});

// ---- skip-errors ------------------------------------------------------------------------------------

describe('skip-errors', () => {
  let w: Workspace;
  const id: Record<string, string> = {};
  const payload = (suffix: string) =>
    doc(
      `<release id="${id.rel}"/>`,
      `<test_run package="se" class="S" name="fine${suffix}" status="Passed"/>
<test_run package="se" class="S" name="unknownRelease${suffix}" status="Failed"><release name="No such release"/></test_run>
<test_run package="se" class="S" name="unknownArea${suffix}" status="Passed"><product_areas><product_area_ref id="987654321"/></product_areas></test_run>
<test_run package="se" class="S" name="unknownLevel${suffix}" status="Passed"><test_fields><test_field type="Test_Level" value="Galactic Test"/></test_fields></test_run>`,
    );

  beforeAll(async () => {
    w = await freshWorkspace(t);
    id.rel = await w.add('releases', { name: 'SE release', start_date: '2025-01-01', end_date: '2025-12-31' });
  });

  it('false (the default): each run holding an unknown reference is skipped and listed; the others are kept -> warning', async () => {
    const task = await pushed(w, payload('F'));
    expect(task).toMatchObject({ status: 'warning', skip_errors: false, tests_created: 1, runs_created: 1, runs_skipped: 3 });
    expect(task.errors).toHaveLength(3);
    expect(task.errors[0]).toMatch(/unknownReleaseF.*line 6.*release 'No such release' not found/);
    expect(task.errors[1]).toMatch(/unknownAreaF.*line 7.*987654321/);
    expect(task.errors[2]).toMatch(/unknownLevelF.*line 8.*Galactic Test/);
    expect(task.errorDetails).toBe(task.errors.join('\n'));
    expect(await w.ids(`automated_tests?${q('package EQ ^se^')}`)).toEqual([(await testOf(w, 'fineF')).id]);
    expect((await w.read(`automated_runs?${q('name EQ ^unknown*F^')}`)).total_count).toBe(0);
    const log = await w.get(`test-results/${task.id}/log`);
    expect(log.text).toMatch(/error: test_run 'unknownReleaseF' \(line 6\) skipped/);
  });

  it('explicit skip-errors=false, every run bad -> failed, nothing created', async () => {
    const xml = doc('', `<test_run package="se" class="S" name="allBad1" status="Passed"><release name="nope"/></test_run>\n<test_run package="se" class="S" name="allBad2" status="Passed"><milestone name="nope"/></test_run>`);
    const task = await pushed(w, xml, '?skip-errors=false');
    expect(task).toMatchObject({ status: 'failed', skip_errors: false, runs_created: 0, runs_skipped: 2 });
    expect(task.errors).toEqual([expect.stringContaining("release 'nope' not found"), expect.stringContaining("milestone 'nope' not found")]);
    expect((await w.read(`automated_tests?${q('name EQ ^allBad*^')}`)).total_count).toBe(0);
  });

  it('true: every run is kept, without the unresolved link; the log says what was ignored', async () => {
    const task = await pushed(w, payload('T'), '?skip-errors=true');
    expect(task).toMatchObject({ status: 'success', skip_errors: true, tests_created: 4, runs_created: 4, runs_skipped: 0, errors: [] });
    expect((await runOf(w, 'fineT')).release).toMatchObject({ id: id.rel });
    // the run's own unknown release replaces the global one, and is dropped
    expect((await runOf(w, 'unknownReleaseT')).release).toBeNull();
    expect(ln((await runOf(w, 'unknownReleaseT')).status)).toBe('list_node.run_status.failed');
    expect((await testOf(w, 'unknownAreaT')).product_areas.total_count).toBe(0);
    expect((await testOf(w, 'unknownLevelT')).test_level).toBeNull();
    const log = (await w.get(`test-results/${task.id}/log`)).text;
    expect(log).toContain("warning: release 'No such release' not found; ignored (skip-errors)");
    expect(log).toContain("warning: application module '987654321' not found; ignored (skip-errors)");
    expect(log).toContain("warning: Test_Level 'Galactic Test' not found; ignored (skip-errors)");
  });

  it('skip-errors must be true or false', async () => {
    const res = await push(w, payload('X'), '?skip-errors=maybe');
    expectOctaneError(res, 400, 'platform.bad_request');
    expect(res.body.properties).toEqual({ parameter: 'skip-errors' });
  });
});

// ---- duplicates and repeated pushes ----------------------------------------------------------------------

describe('the same payload twice, a changed payload, and repeated pushes for the same tests', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  const build = (n: number, statuses: string[], env = 'Chrome') =>
    doc(
      `<build server_id="ci-repeat" job_id="nightly" job_name="Nightly" build_id="${n}" build_name="Nightly #${n}"/>\n<environment><taxonomy type="Browser" value="${env}"/></environment>`,
      statuses.map((s, i) => `<test_run package="rep" class="R" name="rep${i}" status="${s}" duration="${n * 10 + i}" started="${T0 + n * 60_000 + i}"/>`).join('\n'),
    );

  it('the same bytes again -> 202 fromOlderPush with the first task\'s id, finish time and status; nothing is processed again', async () => {
    const xml = build(1, ['Passed', 'Failed']);
    const first = await pushed(w, xml);
    expect(first.status).toBe('success');
    const again = await push(w, xml);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ fromOlderPush: 'true', id: first.id, until: first.until, status: 'SUCCESS' });
    await drained();
    expect((await w.read(`previous_runs?${q('name EQ ^rep0^')}`)).total_count).toBe(1);
    // gzip of the same bytes is the same payload
    const gz = await push(w, gzipSync(xml), '', { ...XML, 'content-encoding': 'gzip' });
    expect(gz.body).toMatchObject({ fromOlderPush: 'true', id: first.id });
  });

  it('a changed payload is a new task', async () => {
    const res = await push(w, build(1, ['Passed', 'Passed']));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'queued', id: expect.any(Number) });
    await drained();
    expect((await w.read(`test-results/${res.body.id}`)).status).toBe('success');
  });

  it('the same payload in another workspace is that workspace\'s own task', async () => {
    const other = await freshWorkspace(t);
    const res = await push(other, build(1, ['Passed', 'Failed']));
    expect(res.body).toEqual({ status: 'queued', id: expect.any(Number) });
    await drained();
    expect((await other.read('automated_tests')).total_count).toBe(2);
  });

  it('later builds update the same run per test and context: run history grows, last_runs follow', async () => {
    const before = await runOf(w, 'rep0');
    const runIds = [before.id, (await runOf(w, 'rep1')).id];
    for (const [n, statuses] of [
      [2, ['Failed', 'Passed']],
      [3, ['Passed', 'Failed']],
      [4, ['Failed', 'Failed']],
    ] as const) {
      const task = await pushed(w, build(n, [...statuses]));
      expect(task).toMatchObject({ status: 'success', tests_created: 0, runs_created: 0, runs_updated: 2 });
    }
    expect(sorted(await w.ids(`automated_runs?${q('package EQ ^rep^')}`))).toEqual(sorted(runIds));
    expect((await w.read(`automated_tests?${q('package EQ ^rep^')}`)).total_count).toBe(2);
    const run0 = await runOf(w, 'rep0');
    expect(run0.id).toBe(before.id);
    expect(ln(run0.status)).toBe('list_node.run_status.failed');
    expect(run0).toMatchObject({ duration: 40, started: iso(T0 + 4 * 60_000), build: { name: 'Nightly #4' } });
    // history of rep0: pushes of builds 1 (twice: the changed payload), 2, 3, 4, newest first
    const hist = await w.read(`previous_runs?${q(`run_id EQ ${run0.id}`)}&fields=build_name,run_native_status,started`);
    expect(hist.data.map((h: any) => h.build_name)).toEqual(['Nightly #4', 'Nightly #3', 'Nightly #2', 'Nightly #1', 'Nightly #1']);
    const failed = Number(await w.idOf('list_nodes', 'list_node.run_native_status.failed'));
    const passed = Number(await w.idOf('list_nodes', 'list_node.run_native_status.passed'));
    expect(hist.data.map((h: any) => h.run_native_status)).toEqual([failed, passed, failed, passed, passed]);
    // failed runs of build 3 (flow 17's first query)
    const b3 = await w.read(`ci_builds?${q('build_ci_id EQ ^3^')}`);
    const failedOf3 = await w.read(`previous_runs?${q(`build_id EQ ${b3.data[0].id};run_native_status EQ ${failed}`)}&fields=name`);
    expect(failedOf3.data.map((h: any) => h.name)).toEqual(['rep1']);
    // last_runs: one run per context, the same run
    const test0 = await testOf(w, 'rep0');
    expect(idsOf(test0.last_runs)).toEqual([run0.id]);
  });

  it('another environment is another context: a second run, and last_runs holds both', async () => {
    const task = await pushed(w, build(5, ['Passed', 'Passed'], 'Firefox'));
    expect(task).toMatchObject({ status: 'success', tests_created: 0, runs_created: 2, runs_updated: 0 });
    const runs = await w.read(`automated_runs?${q('name EQ ^rep0^')}&fields=taxonomies,status{logical_name}`);
    expect(runs.total_count).toBe(2);
    const test0 = await testOf(w, 'rep0');
    expect(idsOf(test0.last_runs)).toEqual(sorted(runs.data.map((r: any) => r.id)));
  });
});

// ---- bad XML -----------------------------------------------------------------------------------------

describe('bad payloads: 400 with the line and the reason, nothing queued', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  async function refused(xml: string, pattern: RegExp, line?: number): Promise<Reply> {
    const res = await push(w, xml);
    expectOctaneError(res, 400, 'platform.bad_request');
    expect(res.body.description).toMatch(pattern);
    if (line !== undefined) expect(res.body.properties).toMatchObject({ line });
    return res;
  }

  afterAll(async () => {
    await drained();
    // none of the refused payloads left a test behind
    expect((await w.read('automated_tests')).total_count).toBe(0);
  });

  it('malformed: line and column of the fault', async () => {
    const res = await refused(doc('', '<test_run name="a" status="Passed">\n<test_run name="b" status="Passed"/>'), /line 7, column \d+/, 7);
    expect(res.body.properties.column).toEqual(expect.any(Number));
    await refused('<test_result><test_runs><test_run name="a" status="Passed"></test_runs></test_result>', /^Invalid test results XML at line 1, column \d+: .*closing tag/);
    await refused('not xml at all', /Invalid test results XML at line 1/);
  });

  it('an unknown attribute: the line of its element', async () => {
    await refused(doc('', '<test_run name="a" status="Passed"/>\n<test_run name="b" status="Passed" colour="red"/>'), /line 6: attribute 'colour' is not allowed in <test_run>/, 6);
    await refused(doc('<build server_id="s" flavour="x"/>', '<test_run name="a" status="Passed"/>'), /line 3: attribute 'flavour' is not allowed in <build>/, 3);
  });

  // the line named is the unknown element's own line, not the line of its parent
  it('an unknown element: its own line', async () => {
    await refused(doc('', '<test_run name="a" status="Passed"/>\n<unknown_thing/>'), /line 6: element 'unknown_thing' is not allowed in <test_runs>/, 6);
    await refused(doc('<sprint id="1"/>', '<test_run name="a" status="Passed"/>'), /line 3: element 'sprint' is not allowed in <test_result>/, 3);
  });

  it('a test_run without a name, with a bad status, with a negative duration, with started not a number', async () => {
    await refused(doc('', '<test_run name="ok" status="Passed"/>\n<test_run status="Passed"/>'), /line 6: <test_run> needs the attribute 'name'/, 6);
    await refused(doc('', '<test_run name="a" status="Broken"/>'), /line 5: attribute 'status' of <test_run> must be one of Passed, Failed, Skipped, got 'Broken'/, 5);
    await refused(doc('', '<test_run name="a" status="Passed"/>\n\n<test_run name="b" status="Passed" duration="-5"/>'), /line 7: attribute 'duration' of <test_run> must be a non-negative whole number, got '-5'/, 7);
    await refused(doc('', '<test_run name="a" status="Passed" started="yesterday"/>'), /line 5: attribute 'started'/, 5);
  });

  it('bad context: test field of an unknown type, taxonomy without a value, a release with neither id nor name', async () => {
    await refused(doc('<test_fields><test_field type="Colour" value="Red"/></test_fields>', '<test_run name="a" status="Passed"/>'), /line 3: attribute 'type' of <test_field> must be one of Test_Level, Test_Type, Testing_Tool_Type, Framework, got 'Colour'/, 3);
    await refused(doc('<environment>\n<taxonomy type="OS"/></environment>', '<test_run name="a" status="Passed"/>'), /line 4: <taxonomy> needs the attribute 'value'/, 4);
    await refused(doc('<release/>', '<test_run name="a" status="Passed"/>'), /<release> needs an id or a name/, 3);
  });

  it('the root must be <test_result> holding <test_runs>', async () => {
    await refused('<?xml version="1.0"?>\n<results><test_runs/></results>', /root element must be <test_result>/);
    await refused('<?xml version="1.0"?>\n<test_result>\n</test_result>', /<test_result> needs a <test_runs> element/);
  });

  it('XML bomb (billion laughs through a DOCTYPE) -> 400 at once, no expansion', async () => {
    const lols = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)];
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lols.join('\n')}\n]>\n<test_result><test_runs><test_run name="&lol9;" status="Passed"/></test_runs></test_result>`;
    const started = performance.now();
    const res = await refused(bomb, /line 2: DTDs and entity declarations are not allowed/, 2);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.text.length).toBeLessThan(2000);
  });

  it('external entity (SYSTEM file:///etc/passwd, and a local file) -> 400, and no file is opened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-xxe-'));
    const secret = path.join(dir, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-MARKER-8d1c');
    const spies = (['readFileSync', 'openSync', 'readFile', 'open', 'createReadStream'] as const).map((name) => vi.spyOn(fs, name));
    const promiseSpies = (['readFile', 'open'] as const).map((name) => vi.spyOn(fs.promises, name));
    syncBuiltinESMExports();
    try {
      for (const target of ['file:///etc/passwd', `file://${secret}`]) {
        const xml = `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "${target}">]>\n<test_result><test_runs><test_run name="&xxe;" status="Passed"><description>&xxe;</description></test_run></test_runs></test_result>`;
        const res = await refused(xml, /DTDs and entity declarations are not allowed/, 2);
        expect(res.text).not.toContain('root:');
        expect(res.text).not.toContain('TOP-SECRET-MARKER');
      }
      const touched = [...spies, ...promiseSpies].flatMap((s) => s.mock.calls.map((c) => String(c[0])));
      expect(touched.filter((p) => p.includes('passwd') || p.includes('secret.txt'))).toEqual([]);
    } finally {
      for (const s of [...spies, ...promiseSpies]) s.mockRestore();
      syncBuiltinESMExports();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await drained();
    expect((await w.read(`automated_runs?${q('description EQ ^*TOP-SECRET*^')}`)).total_count).toBe(0);
  });

  it('a body that is not XML at all: JSON -> 415', async () => {
    const res = await t.post(`${w.path}/test-results`, { test_runs: [] });
    expectOctaneError(res, 415, 'platform.web_application');
  });
});

// ---- the task -------------------------------------------------------------------------------------

describe('the task: polled to completion, its counts and its log', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it('GET .../test-results/{id} goes queued -> running -> success as a client polls it', async () => {
    w.freeze('2025-08-01T10:00:00Z');
    // 1,200 runs over 400 tests: the worker takes several slices, so the task is seen running
    const xml = testResultsPayload({ runs: 1200, tests: 400, buildId: 'poll-1' });
    const res = await push(w, xml);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'queued', id: expect.any(Number) });
    const seen: string[] = [];
    let last: any;
    for (let i = 0; i < 2000; i++) {
      const r = await w.get(`test-results/${res.body.id}`);
      expect(r.status).toBe(200);
      last = r.body;
      seen.push(last.status);
      if (!['queued', 'running'].includes(last.status)) break;
      await sleep(5);
    }
    w.unfreeze();
    expect(seen[0]).toBe('queued');
    expect(seen).toContain('running');
    expect(seen.at(-1)).toBe('success');
    // statuses only move forward
    const order = ['queued', 'running', 'success'];
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort((a, b) => a - b));
    expect(last).toEqual({
      id: res.body.id,
      status: 'success',
      received: '2025-08-01T10:00:00Z',
      started: '2025-08-01T10:00:00Z',
      until: '2025-08-01T10:00:00Z',
      skip_errors: false,
      tests_created: 400,
      tests_updated: expect.any(Number),
      runs_created: 1200,
      runs_updated: 0,
      runs_skipped: 0,
      errors: [],
      errorDetails: null,
    });
    expect((await w.read('automated_tests')).total_count).toBe(400);
    expect((await w.read('automated_runs?limit=1')).total_count).toBe(1200);
    // a fifth of the runs failed, with their stack traces
    const failed = await w.read(`automated_runs?${q('status EQ {logical_name EQ ^list_node.run_status.failed^}')}&limit=1&fields=error_type,full_error_details`);
    expect(failed.total_count).toBe(240);
    expect(failed.data[0].error_type).toBe('java.lang.AssertionError');
    expect(failed.data[0].full_error_details).toMatch(/^java\.lang\.AssertionError: expected \d+\n\tat com\.example/);

    const log = await w.get(`test-results/${res.body.id}/log`);
    expect(log.status).toBe(200);
    expect(String(log.headers['content-type'])).toMatch(/^text\/plain/);
    const lines = log.text.split('\n');
    expect(lines[0]).toBe(`2025-08-01T10:00:00Z task ${res.body.id}: 1200 test runs, skip-errors false`);
    expect(lines.at(-1)).toMatch(/^\S+ done: 400 tests created, \d+ updated; 1200 runs created, 0 updated; 0 skipped$/);
  });

  it('an unknown task id -> 404; a task id that is not a number -> 404', async () => {
    expectOctaneError(await w.get('test-results/99999999'), 404, 'platform.entity_not_found');
    expectOctaneError(await w.get('test-results/99999999/log'), 404, 'platform.entity_not_found');
    expectOctaneError(await w.get('test-results/abc'), 404, 'platform.entity_not_found');
  });

  it('the singleton accepts only POST; a task only GET', async () => {
    expect((await w.get('test-results')).status).toBe(405);
    const res = await push(w, doc('', '<test_run name="methods" status="Passed"/>'));
    await drained();
    expect((await w.del(`test-results/${res.body.id}`)).status).toBe(405);
  });
});

// ---- the XSD -------------------------------------------------------------------------------------

describe('GET .../test-results/xsd', () => {
  it('returns an XML schema declaring test_result, test_run and its attributes', async () => {
    const res = await t.get(`${t.ws}/test-results/xsd`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^application\/xml/);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['xs:element', 'xs:attribute', 'xs:complexType'].includes(name) });
    const xsd = parser.parse(res.text);
    const schema = xsd['xs:schema'];
    expect(schema).toBeDefined();
    expect(schema['xs:element'].map((e: any) => e['@name'])).toEqual(['test_result']);
    // every element declaration, wherever nested
    const elements: any[] = [];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries(n)) {
        if (k === 'xs:element') elements.push(...(v as any[]));
        walk(v);
      }
    };
    walk(schema);
    const testRun = elements.find((e) => e['@name'] === 'test_run');
    expect(testRun).toBeDefined();
    const type = schema['xs:complexType'].find((c: any) => c['@name'] === testRun['@type']);
    expect(type).toBeDefined();
    const attrs = Object.fromEntries(type['xs:attribute'].map((a: any) => [a['@name'], a]));
    expect(Object.keys(attrs).sort()).toEqual(['class', 'duration', 'external_report_url', 'external_run_id', 'external_test_id', 'module', 'name', 'package', 'run_type', 'started', 'status'].sort());
    expect(attrs.name['@use']).toBe('required');
    expect(attrs.status['@use']).toBe('required');
    expect(elements.map((e) => e['@name'])).toEqual(expect.arrayContaining(['build', 'test_runs', 'gherkin_test_run', 'release', 'product_areas', 'environment', 'test_fields', 'error', 'description']));
  });
});

// ---- access ------------------------------------------------------------------------------------------

describe('access', () => {
  it('a viewer cannot push test results (403), but reads the XSD', async () => {
    const jar = await signIn(t.app, 'viewer1', 'pw');
    const res = await t.app.inject({ method: 'POST', url: `${t.ws}/test-results`, cookies: jar, headers: XML, payload: doc('', '<test_run name="byViewer" status="Passed"/>') });
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).error_code).toBe('platform.forbidden');
    const xsd = await t.app.inject({ method: 'GET', url: `${t.ws}/test-results/xsd`, cookies: jar });
    expect(xsd.statusCode).toBe(200);
    await drained();
    expect((await t.get(`${t.ws}/automated_tests?${q('name EQ ^byViewer^')}`)).body.total_count).toBe(0);
  });

  it('without a session -> 401', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${t.ws}/test-results`, headers: XML, payload: doc('', '<test_run name="anon" status="Passed"/>') });
    expect(res.statusCode).toBe(401);
  });

  it('another workspace\'s task id -> 404, status and log', async () => {
    const w = await freshWorkspace(t);
    const res = await push(w, doc('', '<test_run name="mine" status="Passed"/>'));
    expect(res.status).toBe(202);
    await drained();
    expect((await w.get(`test-results/${res.body.id}`)).status).toBe(200);
    expectOctaneError(await t.get(`${t.ws}/test-results/${res.body.id}`), 404, 'platform.entity_not_found');
    expectOctaneError(await t.get(`${t.ws}/test-results/${res.body.id}/log`), 404, 'platform.entity_not_found');
  });

  it('an unknown workspace -> 404', async () => {
    const res = await push(`${t.space}/workspaces/987654`, doc('', '<test_run name="nowhere" status="Passed"/>'));
    expect(res.status).toBe(404);
  });
});
