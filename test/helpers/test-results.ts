// Test results as CI tools push them (protocol.md §8): the XML payload, the asynchronous POST
// to `.../test-results`, and polling the task until it is done.

import { expect } from 'vitest';
import type { Workspace } from './workspace.js';

export interface TestRunXml {
  module?: string;
  package: string;
  class: string;
  name: string;
  status: 'Passed' | 'Failed' | 'Skipped';
  duration: number;
  /** epoch milliseconds */
  started: number;
  error?: { type: string; message: string; stack: string };
}

export interface BuildXml {
  serverId: string;
  jobId: string;
  buildId: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A `<test_result>` document with a build context, a release by name and the runs. */
export function testResultXml(build: BuildXml, release: string | null, runs: TestRunXml[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<test_result>'];
  lines.push(`  <build server_id="${esc(build.serverId)}" job_id="${esc(build.jobId)}" job_name="${esc(build.jobId)}" build_id="${esc(build.buildId)}" build_name="${esc(build.buildId)}"/>`);
  if (release) lines.push(`  <release name="${esc(release)}"/>`);
  lines.push('  <test_runs>');
  for (const r of runs) {
    const attrs = `module="${esc(r.module ?? 'core')}" package="${esc(r.package)}" class="${esc(r.class)}" name="${esc(r.name)}" status="${r.status}" duration="${r.duration}" started="${r.started}"`;
    if (r.error) {
      lines.push(`    <test_run ${attrs}>`);
      lines.push(`      <error type="${esc(r.error.type)}" message="${esc(r.error.message)}">${esc(r.error.stack)}</error>`);
      lines.push('    </test_run>');
    } else {
      lines.push(`    <test_run ${attrs}/>`);
    }
  }
  lines.push('  </test_runs>', '</test_result>');
  return lines.join('\n');
}

/** POST .../test-results: 202 with {status:"queued", id}. */
export async function pushTestResults(w: Workspace, xml: string): Promise<{ status: number; body: any }> {
  const r = await w.t.request('POST', w.url('test-results'), xml, { 'content-type': 'application/xml' });
  return { status: r.status, body: r.body };
}

/** Polls GET .../test-results/{id} until the task is neither queued nor running; returns the last status body. */
export async function waitForTask(w: Workspace, id: string | number, timeoutMs = 5000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await w.get(`test-results/${id}`);
    expect(r.status, r.text).toBe(200);
    const status = String(r.body.status ?? '').toLowerCase();
    if (status && status !== 'queued' && status !== 'running') return r.body;
    if (Date.now() > until) throw new Error(`test-results task ${id} still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Pushes and waits: the task must succeed. */
export async function ingest(w: Workspace, xml: string): Promise<string> {
  const pushed = await pushTestResults(w, xml);
  expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
  const done = await waitForTask(w, pushed.body.id);
  expect(String(done.status).toLowerCase()).toBe('success');
  return String(pushed.body.id);
}
