// Flow 18 (flows.md §18, Scenario_CreateManualTestRun.htm; calls inferred): the steps of a manual
// test live in tests/{id}/script; a manual run created for the test gets its run steps; each step
// gets its status; then the run gets its native status. Every write is read back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, qs, type Workspace } from '../helpers/workspace.js';

describe('Create a manual test run', () => {
  let t: TestApp;
  let w: Workspace;
  let test: string;
  let otherTest: string;
  let release: string;
  let run: string;
  let steps: any[];
  const script = '- Open the shop\n- Put a book in the cart\n- ?The cart shows 1 item';

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    release = await w.add('releases', { name: 'Release 1', start_date: '2024-01-01', end_date: '2024-12-31' });
    test = await w.add('manual_tests', { name: 'Buy a book' });
    otherTest = await w.add('manual_tests', { name: 'Other test' });
    await w.put(`tests/${test}/script`, { script, revision_type: 'Minor', comment: 'steps' });
    await w.put(`tests/${otherTest}/script`, { script: '- Something else' });
    // another run with steps of its own, which must not show up
    await w.add('manual_runs', { name: 'Other run', test: { type: 'test_manual', id: otherTest }, release: { type: 'release', id: release }, native_status: { type: 'list_node', id: 'list_node.run_native_status.planned' } });
  });
  afterAll(() => t.close());

  it('the test\'s steps: GET .../tests/{id}/script', async () => {
    expect(await w.read(`tests/${test}/script`)).toMatchObject({ script, version: 1 });
  });

  it('POST .../manual_runs with test, release and the planned native status', async () => {
    const r = await w.post('manual_runs', {
      data: [
        {
          name: 'Run 1',
          test: { type: 'test_manual', id: test },
          release: { type: 'release', id: release },
          native_status: { type: 'list_node', id: 'list_node.run_native_status.planned' },
        },
      ],
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data[0]).toMatchObject({ type: 'run_manual', name: 'Run 1', test: { type: 'test_manual', id: test }, status: { name: 'Planned' } });
    run = r.body.data[0].id;
  });

  it('GET .../run_steps?query="run EQ {id EQ <run>}": one step per step of the script', async () => {
    const body = await w.read(`run_steps?${qs(`run EQ {id EQ ${run}}`)}&fields=order,description,step_type{logical_name},status{logical_name}&order_by=order`);
    expect(body.total_count).toBe(3);
    expect(body.data.map((s: any) => [s.order, s.description, s.step_type.logical_name, s.status.logical_name])).toEqual([
      [1, 'Open the shop', 'list_node.manual_test_run_step_type.normal', 'list_node.run_native_status.planned'],
      [2, 'Put a book in the cart', 'list_node.manual_test_run_step_type.normal', 'list_node.run_native_status.planned'],
      [3, 'The cart shows 1 item', 'list_node.manual_test_run_step_type.validate', 'list_node.run_native_status.planned'],
    ]);
    steps = body.data;
  });

  it('PUT .../run_steps/{id} with status / result for each step', async () => {
    expect((await w.put(`run_steps/${steps[0].id}`, { status: { type: 'list_node', id: 'list_node.run_native_status.passed' } })).status).toBe(200);
    expect((await w.put(`run_steps/${steps[1].id}`, { result: { type: 'list_node', id: 'list_node.run_native_status.passed' } })).status).toBe(200);
    expect((await w.put(`run_steps/${steps[2].id}`, { status: { type: 'list_node', id: 'list_node.run_native_status.passed' }, actual: 'The cart shows 1 item' })).status).toBe(200);
    const body = await w.read(`run_steps?${qs(`run EQ {id EQ ${run}}`)}&fields=status{logical_name},result{logical_name},actual&order_by=order`);
    expect(body.data.map((s: any) => [s.status.logical_name, s.result.logical_name])).toEqual([
      ['list_node.run_native_status.passed', 'list_node.run_native_status.passed'],
      ['list_node.run_native_status.passed', 'list_node.run_native_status.passed'],
      ['list_node.run_native_status.passed', 'list_node.run_native_status.passed'],
    ]);
    expect(body.data[2].actual).toBe('The cart shows 1 item');
  });

  it('PUT .../manual_runs/{id} {"native_status": passed}: the run passed', async () => {
    const r = await w.put(`manual_runs/${run}`, { native_status: { type: 'list_node', id: 'list_node.run_native_status.passed' } });
    expect(r.status, r.text).toBe(200);
    const e = await w.read(`runs/${run}?fields=native_status{logical_name},status{logical_name},run_steps`);
    expect(e.native_status.logical_name).toBe('list_node.run_native_status.passed');
    expect(e.status.logical_name).toBe('list_node.run_status.passed');
    expect(e.run_steps.total_count).toBe(3);
    // the test's last run
    expect((await w.read(`manual_tests/${test}?fields=last_runs`)).last_runs.data.map((x: any) => x.id)).toEqual([run]);
  });
});
