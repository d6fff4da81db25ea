// Flow 17 (flows.md §17, Scenario_RunHistory.htm, verified): failed runs from the run history,
// `previous_runs`, whose run_id and build_id are plain integers: all runs of a build, then the
// history of one run, its failed entries (run_native_status = numeric id of the Failed native
// status), and (inferred) those of the last days. Three builds of the same job are pushed; an
// automated run is the latest result of its test and its earlier results are its history.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { ingest, testResultXml, type TestRunXml } from '../helpers/test-results.js';
import { freshWorkspace, qs, sorted, type Workspace } from '../helpers/workspace.js';

const NOW = Date.parse('2025-06-10T12:00:00Z');
const hoursAgo = (h: number) => NOW - h * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('Get failed runs by checking the run history', () => {
  let t: TestApp;
  let w: Workspace;
  const build: Record<string, string> = {};
  let runA: string;
  let failedNative: string;
  const err = { type: 'java.lang.AssertionError', message: 'boom', stack: 'java.lang.AssertionError: boom' };

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: 'Jenkins', instance_id: 'jenkins-history', url: 'http://jenkins:8080' });
    await w.add('pipelines', { name: 'Nightly', server_ci_id: 'jenkins-history', root_job_ci_id: 'nightly', jobs: [{ name: 'nightly', jobCiId: 'nightly' }] });
    const push = (buildId: string, started: number, a: TestRunXml['status'], b: TestRunXml['status']) =>
      ingest(
        w,
        testResultXml({ serverId: 'jenkins-history', jobId: 'nightly', buildId }, null, [
          { package: 'com.acme', class: 'NightlyTest', name: 'testA', status: a, duration: 100, started, ...(a === 'Failed' ? { error: err } : {}) },
          { package: 'com.acme', class: 'NightlyTest', name: 'testB', status: b, duration: 100, started: started + 1000, ...(b === 'Failed' ? { error: err } : {}) },
        ]),
      );
    await push('1033', hoursAgo(72), 'Failed', 'Passed');
    await push('1034', hoursAgo(48), 'Passed', 'Passed');
    await push('1035', hoursAgo(2), 'Failed', 'Failed');
    for (const b of ['1033', '1034', '1035']) {
      const found = await w.read(`ci_build?${qs(`build_ci_id EQ ^${b}^`)}`);
      expect(found.total_count).toBe(1);
      build[b] = found.data[0].id;
    }
    const runs = await w.ids(`automated_runs?${qs('test EQ {name EQ ^testA^}')}`);
    expect(runs).toHaveLength(1);
    runA = runs[0];
    failedNative = await w.idOf('list_nodes', 'list_node.run_native_status.failed');
  });
  afterAll(() => t.close());

  it('all failed runs of a build: GET .../previous_runs?query="build_id EQ <build>"', async () => {
    const body = await w.read(`previous_runs?${qs(`build_id EQ ${build['1035']}`)}&fields=run_id,build_id,run_native_status,test{name}`);
    expect(body.data.map((p: any) => p.test.name).sort()).toEqual(['testA', 'testB']);
    expect(body.data.every((p: any) => p.build_id === Number(build['1035']) && p.run_native_status === Number(failedNative))).toBe(true);
    // the build before passed everything
    const before = await w.read(`previous_runs?${qs(`build_id EQ ${build['1034']}`)}&fields=run_native_status`);
    expect(before.total_count).toBe(2);
    expect(before.data.some((p: any) => p.run_native_status === Number(failedNative))).toBe(false);
  });

  it('the history of one run: GET .../previous_runs?query="run_id EQ <run>"', async () => {
    const body = await w.read(`previous_runs?${qs(`run_id EQ ${runA}`)}&fields=run_id,build_id,started&order_by=-started`);
    expect(body.data.map((p: any) => [p.run_id, p.build_id, p.started])).toEqual([
      [Number(runA), Number(build['1035']), iso(hoursAgo(2))],
      [Number(runA), Number(build['1034']), iso(hoursAgo(48))],
      [Number(runA), Number(build['1033']), iso(hoursAgo(72))],
    ]);
  });

  it('... its failed entries: ;run_native_status EQ <Failed>', async () => {
    const body = await w.read(`previous_runs?${qs(`run_id EQ ${runA};run_native_status EQ ${failedNative}`)}&fields=build_id`);
    expect(sorted(body.data.map((p: any) => String(p.build_id)))).toEqual(sorted([build['1033'], build['1035']]));
  });

  it('... of the last days: ;started GT ^…^', async () => {
    const body = await w.read(`previous_runs?${qs(`run_id EQ ${runA};run_native_status EQ ${failedNative};started GT ^${iso(hoursAgo(24))}^`)}&fields=build_id,started`);
    expect(body.data.map((p: any) => [p.build_id, p.started])).toEqual([[Number(build['1035']), iso(hoursAgo(2))]]);
  });
});
