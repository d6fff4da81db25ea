// Test results as a CI pipeline reports them: a test-results push with its build context,
// then the task polled over REST until it is final (flows 9, 10).

import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Workspace } from './workspace.js';

export interface PushedRun {
  name: string;
  status: 'Passed' | 'Failed' | 'Skipped';
  /** release name, per run */
  release?: string;
  /** ids of application modules of the test */
  productAreas?: string[];
  /** the failure's stack trace (type and message are derived from the name) */
  stack?: string;
  package?: string;
  className?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The XML of one build's test results. */
export function pipelinePayload(build: { server: string; job: string; build: string }, runs: PushedRun[]): string {
  const lines = runs.map((r) => {
    const attrs = `package="${esc(r.package ?? 'com.acme')}" class="${esc(r.className ?? 'Suite')}" name="${esc(r.name)}" status="${r.status}" duration="100"`;
    const inner = [
      r.stack ? `<error type="java.lang.AssertionError" message="${esc(r.name)} failed">${esc(r.stack)}</error>` : '',
      r.release ? `<release name="${esc(r.release)}"/>` : '',
      r.productAreas?.length ? `<product_areas>${r.productAreas.map((id) => `<product_area_ref id="${id}"/>`).join('')}</product_areas>` : '',
    ].join('');
    return `    <test_run ${attrs}>${inner}</test_run>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<test_result>',
    `  <build server_id="${esc(build.server)}" job_id="${esc(build.job)}" job_name="${esc(build.job)}" build_id="${esc(build.build)}" build_name="${esc(build.job)} #${esc(build.build)}"/>`,
    '  <test_runs>',
    ...lines,
    '  </test_runs>',
    '</test_result>',
  ].join('\n');
}

/** POSTs a build's results and polls GET .../test-results/{id} until the task is final; answers the task. */
export async function pushBuild(w: Workspace, build: { server: string; job: string; build: string }, runs: PushedRun[]): Promise<any> {
  const res = await w.post('test-results', pipelinePayload(build, runs), { 'content-type': 'application/xml' });
  expect(res.status, res.text).toBe(202);
  expect(res.body).toEqual({ status: 'queued', id: expect.any(Number) });
  for (let i = 0; i < 500; i++) {
    const task = await w.read(`test-results/${res.body.id}`);
    if (task.status !== 'queued' && task.status !== 'running') {
      expect(task, JSON.stringify(task.errors)).toMatchObject({ status: 'success', runs_skipped: 0 });
      return task;
    }
    await sleep(5);
  }
  throw new Error(`task ${res.body.id} did not finish`);
}
