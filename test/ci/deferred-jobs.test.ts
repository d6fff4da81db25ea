// What hooks defer (HookApi.defer) while CI data comes in: a slice of a test-results ingestion and
// a CI event are each one write, so a job deferred by the hooks of the entities they write runs
// once, at the end, and sees everything the slice or event wrote.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestResultsIngester } from '../../src/ci/ingest.js';
import { parseTestResults } from '../../src/ci/test-results-xml.js';
import type { HookApi, Values } from '../../src/resources/hooks.js';
import { ciBuildHooks } from '../../src/resources/hooks/ci.js';
import { tableOf } from '../../src/store/schema-sync.js';
import { PREVIEW, type TestApp } from '../helpers/app.js';
import { ciEvent, idsOf, makeCiApp } from '../helpers/ci.js';
import { q } from '../helpers/octane.js';
import { freshWorkspace, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
let internal: string;
beforeAll(async () => {
  ({ t, internal } = await makeCiApp());
});
afterAll(() => t.close());

/** How many rows of `type`'s table belong to workspace `ws`, read while a write is in progress. */
function storedCount(type: string, ws: string): number {
  const { emulator } = t.app;
  const table = tableOf(emulator.registry.entity(type).store);
  return (emulator.sql.sqlite.prepare(`select count(*) as n from "${table}" where workspace_id = ?`).get(Number(ws)) as { n: number }).n;
}

describe('deferred hook jobs during test-results ingestion', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
  });

  it("a new Gherkin test's last runs, deferred by its run's hook, are computed once at the end of the slice, when all its runs are stored", async () => {
    const { emulator } = t.app;
    const ctx = { ...emulator.systemContext(emulator.defaults.sharedSpaceId, Number(w.id)), userId: emulator.defaults.adminUserId };
    // a Gherkin run first (written through the entity service: its hook marks its new test), then
    // three automated runs (written by the ingester itself when the slice ends)
    const payload = parseTestResults(`<test_result><build server_id="deferred-ci" job_id="deferred-job" build_id="1"/><test_runs>
<gherkin_test_run name="Cart feature" status="Passed" duration="10"><feature name="Cart" path="features/cart.feature"/></gherkin_test_run>
<gherkin_test_run name="Pay feature" status="Failed" duration="20"><feature name="Pay" path="features/pay.feature"/></gherkin_test_run>
<test_run package="p" class="Deferred" name="one" status="Passed"/>
<test_run package="p" class="Deferred" name="two" status="Passed"/>
<test_run package="p" class="Deferred" name="three" status="Failed"/>
</test_runs></test_result>`);
    const runsSeen: number[] = [];
    const prepared = emulator.sql.prepared.bind(emulator.sql);
    const spy = vi.spyOn(emulator.sql, 'prepared').mockImplementation((key, build) => {
      if (key === 'lastRunsRecompute') runsSeen.push(storedCount('run', w.id));
      return prepared(key, build);
    });
    let outcome;
    try {
      outcome = new TestResultsIngester(emulator.service, ctx, false, () => undefined).ingest(payload);
    } finally {
      spy.mockRestore();
    }
    expect(outcome).toMatchObject({ status: 'success', tests_created: 5, runs_created: 5, runs_skipped: 0 });
    // one recompute per Gherkin test, each after the slice's five runs were written
    expect(runsSeen).toEqual([5, 5]);
    for (const path of ['features/cart.feature', 'features/pay.feature']) {
      const test = (await w.read(`gherkin_tests?${q(`feature_file_path EQ ^${path}^`)}&fields=last_runs`)).data[0];
      const runs = await w.read(`gherkin_automated_runs?${q(`test EQ {id EQ ${test.id}}`)}`);
      expect(runs.total_count).toBe(1);
      expect(idsOf(test.last_runs)).toEqual([runs.data[0].id]);
    }
  });
});

describe('deferred hook jobs during CI events', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: `Deferred CI ${w.id}`, instance_id: 'deferred-events-ci', server_type: 'jenkins' });
  });

  it('a job a build hook defers while an event is processed runs once, after the rest of the event (its commits) is written', async () => {
    const original = ciBuildHooks.afterUpdate!;
    const seen: Array<{ build: number; commits: number }> = [];
    // the build's hook as it is, plus a job deferred twice under one key
    const spy = vi.spyOn(ciBuildHooks, 'afterUpdate').mockImplementation((api: HookApi, id: number, current: Values, changes: Values) => {
      original(api, id, current, changes);
      for (let i = 0; i < 2; i++) api.defer(`test:build:${id}`, () => seen.push({ build: id, commits: storedCount('scm_commit', w.id) }));
    });
    try {
      // a root build starts (its pipeline run is set on the build: the build's update) and
      // reports its commits in the same event (written after the build)
      const res = await t.put(`${internal}/events`, {
        server: { instanceId: 'deferred-events-ci', type: 'jenkins', url: 'http://deferred.local' },
        events: [
          ciEvent('started', 'deferred-root', '1', {
            scmData: { repository: { type: 'git', url: 'git@example.com:deferred.git', branch: 'main' }, commits: [{ revId: 'deferred-1', comment: 'first' }, { revId: 'deferred-2', comment: 'second' }] },
          }),
        ],
      });
      expect(res.status, res.text).toBe(200);
    } finally {
      spy.mockRestore();
    }
    const build = (await w.read(`ci_builds?${q('build_ci_id EQ ^1^;ci_job EQ {ci_id EQ ^deferred-root^}')}&fields=pipeline_run`, PREVIEW)).data[0];
    expect(build.pipeline_run).toMatchObject({ type: 'pipeline_run' });
    expect(seen).toEqual([{ build: Number(build.id), commits: 2 }]);
  });
});
