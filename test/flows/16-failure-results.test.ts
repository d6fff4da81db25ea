// Flow 16 (flows.md §16; vendor page not found, taken as the failed-`test_run` part of the
// test-results topic): a failed test_run carries `<error type message>stack trace</error>`; the run
// keeps error_type / error_message / error_details, its native status is Failed and its status
// Failed. Passed and skipped runs carry no error.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { ingest, testResultXml } from '../helpers/test-results.js';
import { freshWorkspace, qs, type Workspace } from '../helpers/workspace.js';

describe('Failure results', () => {
  let t: TestApp;
  let w: Workspace;
  const stack = 'java.lang.AssertionError: expected:<200> but was:<500>\n\tat org.junit.Assert.fail(Assert.java:88)\n\tat com.acme.api.OrdersTest.testCreate(OrdersTest.java:57)';

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    await w.add('releases', { name: '2025.2', start_date: '2025-01-01', end_date: '2025-12-31' });
    const server = await w.add('ci_servers', { name: 'Jenkins', instance_id: 'jenkins-failures', url: 'http://jenkins:8080', server_type: 'jenkins' });
    expect(server).toMatch(/^\d+$/);
    await w.add('pipelines', { name: 'Orders pipeline', server_ci_id: 'jenkins-failures', root_job_ci_id: 'orders', jobs: [{ name: 'orders', jobCiId: 'orders' }] });
    const started = Date.parse('2025-06-10T08:00:00Z');
    await ingest(
      w,
      testResultXml({ serverId: 'jenkins-failures', jobId: 'orders', buildId: '101' }, '2025.2', [
        { package: 'com.acme.api', class: 'OrdersTest', name: 'testCreate', status: 'Failed', duration: 950, started, error: { type: 'java.lang.AssertionError', message: 'expected:<200> but was:<500>', stack } },
        { package: 'com.acme.api', class: 'OrdersTest', name: 'testList', status: 'Passed', duration: 120, started: started + 1000 },
        { package: 'com.acme.api', class: 'OrdersTest', name: 'testDelete', status: 'Skipped', duration: 0, started: started + 2000 },
      ]),
    );
  });
  afterAll(() => t.close());

  it('the failed run keeps the error type, message and stack trace; its statuses are Failed', async () => {
    const body = await w.read(
      `automated_runs?${qs('status EQ {logical_name EQ ^list_node.run_status.failed^}')}&fields=test{name},native_status{logical_name},status{logical_name},error_type,error_message,error_details`,
    );
    expect(body.total_count).toBe(1);
    expect(body.data[0]).toMatchObject({
      test: { name: 'testCreate' },
      native_status: { logical_name: 'list_node.run_native_status.failed' },
      status: { logical_name: 'list_node.run_status.failed' },
      error_type: 'java.lang.AssertionError',
      error_message: 'expected:<200> but was:<500>',
    });
    expect(body.data[0].error_details).toBe(stack);
  });

  it('passed and skipped runs carry no error', async () => {
    const body = await w.read(`automated_runs?${qs('!status EQ {logical_name EQ ^list_node.run_status.failed^}')}&fields=test{name},status{logical_name},error_type,error_message,error_details&order_by=id`);
    expect(body.data.map((r: any) => [r.test.name, r.status.logical_name, r.error_type, r.error_message, r.error_details])).toEqual([
      ['testList', 'list_node.run_status.passed', null, null, null],
      ['testDelete', 'list_node.run_status.skipped', null, null, null],
    ]);
  });

  it('the failing test is found through its last run, and a defect can be opened from the failed run', async () => {
    expect((await w.read(`automated_tests?${qs('last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^}}')}&fields=name`)).data.map((x: any) => x.name)).toEqual(['testCreate']);
    const run = (await w.read(`automated_runs?${qs('test EQ {name EQ ^testCreate^}')}`)).data[0].id;
    const defect = await w.add('defects', { name: 'Creating an order answers 500', run: { data: [{ type: 'run_automated', id: run }] } });
    expect(await w.ids(`defects?${qs('run EQ {error_type EQ ^java.lang.AssertionError^}')}`)).toEqual([defect]);
  });
});
