// Fills a workspace with realistic planning and quality data, fast: reference data (releases,
// sprints, users, teams, tags, epics, features) through the entity service with its hooks, the bulk
// (defects, stories, tasks, tests, runs and their multi-reference links) straight through the
// store's bulk insert and link writes.
//
// Shape (all deterministic for a seed, so that runs are comparable):
// - releases: one per 5,000 defects, R1..R20 then "Archive n", so that a filter on `R1*` or on one
//   release selects the same rows at every size >= 100,000; 4 sprints per release
// - 50 users (the admin and user1..user49) owning work with a skewed (Zipf-like) distribution;
//   8 teams of 6 members; 40 user tags, 40% of items carry 1-3 of them
// - epics and features (5 per epic) above the backlog; 30% of defects and 70% of stories sit
//   under a feature, the rest under the backlog root
// - defects (5,000 per release) with weighted phases and severities, priority, team, sprint, QA
//   owner, detected-by; stories (a quarter of the defects, 1,250 per release) with 0-4 tasks each
//   and their hours rolled up; tests (a tenth of the defects; 60% manual, 40% automated) with
//   test types, backlog coverage and tags, and runs: 0-3 manual runs per manual test, 3 automated
//   runs per automated test, the newest in the test's last_runs

import type { Emulator } from '../../src/emulator.js';
import { linkKey } from '../../src/query/to-sql.js';
import type { RequestContext } from '../../src/resources/context.js';
import { formatDateTime } from '../../src/resources/values.js';
import { Progress } from '../../src/progress.js';

export interface GenerateOptions {
  defects: number;
  /** default: a quarter of the defects */
  stories?: number;
  /** average tasks per story (0..2×avg uniformly); default 2 */
  tasksPerStory?: number;
  /** default: a tenth of the defects */
  tests?: number;
  seed?: number;
  /** defects per release (default 5,000; stories: a quarter of it) */
  perRelease?: number;
  /** progress bars / lines on stderr (default true) */
  progress?: boolean;
}

export interface GeneratedData {
  releases: Array<{ id: number; name: string }>;
  sprints: number[][];
  users: number[];
  teams: number[];
  tags: number[];
  epics: number[];
  features: number[];
  /** rows created per entity type */
  counts: Record<string, number>;
  /** total entities created by the generator (reference data and bulk) */
  entities: number;
  /** ids of some rows to address in benchmarks */
  sample: { defect: number; story: number; task: number; test: number; run: number };
  /** logical name -> id of phases and list nodes */
  phases: Record<string, number>;
  listNodes: Record<string, number>;
  root: number;
  ms: number;
  /** kept for bench/query.ts */
  defects: number;
}

/** A deterministic pseudo-random generator, so that runs are comparable. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Weighted<T> = Array<[T, number]>;

function weightedPicker<T>(random: () => number, items: Weighted<T>): () => T {
  const slots: T[] = [];
  const total = items.reduce((n, [, w]) => n + w, 0);
  for (const [item, w] of items) for (let i = 0; i < Math.round((w / total) * 1000); i++) slots.push(item);
  return () => slots[Math.floor(random() * slots.length)];
}

/** Zipf-like skew: the first items are picked much more often than the last. */
function skewedPicker<T>(random: () => number, items: T[], exponent = 0.9): () => T {
  return weightedPicker(
    random,
    items.map((x, i) => [x, 1 / (i + 1) ** exponent] as [T, number]),
  );
}

function byLogicalName(emulator: Emulator, ctx: RequestContext, type: string): Record<string, number> {
  const e = emulator.registry.entity(type);
  const rows = emulator.service.list(ctx, e, { query: undefined, fields: [{ name: 'logical_name' }], limit: 2000, offset: 0 }).data;
  const out: Record<string, number> = {};
  for (const r of rows) if (r.logical_name) out[String(r.logical_name)] = Number(r.id);
  return out;
}

const TAG_NAMES = [
  'regression', 'customer', 'security', 'performance', 'ui', 'api', 'backend', 'mobile', 'accessibility', 'tech-debt',
  'hotfix', 'documentation', 'i18n', 'flaky', 'upgrade', 'billing', 'search', 'reporting', 'onboarding', 'sso',
  'export', 'import', 'sync', 'notifications', 'dashboard', 'audit', 'compliance', 'gdpr', 'cloud', 'on-prem',
  'beta', 'ga', 'partner', 'legacy', 'migration', 'ux', 'design', 'infra', 'ci', 'release-blocker',
];
const WORDS = ['login', 'report', 'export', 'sync', 'dashboard', 'search', 'upload', 'invoice', 'profile', 'settings', 'cart', 'checkout', 'filter', 'grid', 'chart', 'audit', 'token', 'session', 'cache', 'backup'];
const VERBS = ['fails', 'hangs', 'is slow', 'shows wrong data', 'crashes', 'times out', 'loses focus', 'renders blank', 'double-submits', 'ignores locale'];

export function generateWorkspace(emulator: Emulator, opts: GenerateOptions): GeneratedData {
  const t0 = performance.now();
  const { service, registry, defaults, sql } = emulator;
  const store = service.store;
  const ctx: RequestContext = { ...emulator.systemContext(defaults.sharedSpaceId, defaults.workspaceId), userId: defaults.adminUserId };
  const seed = opts.seed ?? 42;
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const chance = (p: number) => random() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const showProgress = opts.progress !== false;
  const counts: Record<string, number> = {};
  const count = (type: string, n = 1) => (counts[type] = (counts[type] ?? 0) + n);

  const defectsN = opts.defects;
  const storiesN = opts.stories ?? Math.floor(defectsN / 4);
  const testsN = opts.tests ?? Math.floor(defectsN / 10);
  const tasksAvg = opts.tasksPerStory ?? 2;

  const phases = byLogicalName(emulator, ctx, 'phase');
  const listNodes = byLogicalName(emulator, ctx, 'list_node');
  const root = service.ids(ctx, registry.entity('work_item_root'))[0];
  const ph = (name: string) => {
    const id = phases[name];
    if (id === undefined) throw new Error(`no phase ${name}`);
    return id;
  };
  const ln = (name: string) => {
    const id = listNodes[name];
    if (id === undefined) throw new Error(`no list node ${name}`);
    return id;
  };

  // ---- reference data, through the entity service ---------------------------------------------
  const releases: Array<{ id: number; name: string; start: number; end: number }> = [];
  const sprints: number[][] = [];
  const perRelease = opts.perRelease ?? 5000;
  const releaseCount = Math.max(1, Math.ceil(Math.max(defectsN, 1) / perRelease));
  sql.tx(() => {
    for (let r = 1; r <= releaseCount; r++) {
      const name = r <= 20 ? `R${r}` : `Archive ${r}`;
      const start = new Date(Date.UTC(2024, r - 1, 1));
      const end = new Date(Date.UTC(2024, r, 0));
      const id = service.createOne(ctx, registry.entity('release'), { name, start_date: formatDateTime(start), end_date: formatDateTime(end) });
      count('release');
      releases.push({ id, name, start: start.getTime(), end: end.getTime() + 86_399_000 });
      const rs: number[] = [];
      for (let s = 1; s <= 4; s++) {
        // four one-week sprints, back to back (sprints of a release may not overlap)
        const sStart = new Date(start.getTime() + (s - 1) * 7 * 86_400_000);
        const sEnd = new Date(sStart.getTime() + 6 * 86_400_000);
        rs.push(service.createOne(ctx, registry.entity('sprint'), { name: `${name} sprint ${s}`, release: { type: 'release', id }, start_date: formatDateTime(sStart), end_date: formatDateTime(sEnd) }));
        count('sprint');
      }
      sprints.push(rs);
    }
  });

  const spaceCtx = emulator.systemContext(defaults.sharedSpaceId, null);
  const memberRole = emulator.workspaceRoleId(defaults.sharedSpaceId, defaults.workspaceId, 'role.workspace.team.member');
  const users: number[] = [defaults.adminUserId];
  const teams: number[] = [];
  const tags: number[] = [];
  const epics: number[] = [];
  const features: number[] = [];
  sql.tx(() => {
    for (let u = 1; u < 50; u++) {
      users.push(
        service.createOne(spaceCtx, registry.entity('user'), {
          name: `user${u}@example.com`,
          email: `user${u}@example.com`,
          first_name: 'User',
          last_name: String(u),
          password: 'Password1',
          workspace_roles: { data: memberRole ? [{ type: 'workspace_role', id: memberRole }] : [] },
        }),
      );
      count('user');
    }
    for (let t = 0; t < 8; t++) {
      const members = users.slice(1 + t * 6, 1 + t * 6 + 6);
      teams.push(
        service.createOne(ctx, registry.entity('team'), {
          name: `Team ${String.fromCharCode(65 + t)}`,
          team_lead: { type: 'workspace_user', id: members[0] },
          members: { data: members.map((id) => ({ type: 'workspace_user', id })) },
          releases: { data: releases.slice(0, 20).map((r) => ({ type: 'release', id: r.id })) },
          estimated_velocity: 20 + t * 3,
        }),
      );
      count('team');
    }
    for (const name of TAG_NAMES) {
      tags.push(service.createOne(ctx, registry.entity('user_tag'), { name }));
      count('user_tag');
    }
    const epicCount = Math.min(100, Math.max(2, Math.ceil((defectsN + storiesN) / 12_500)));
    for (let e = 1; e <= epicCount; e++) {
      const epic = service.createOne(ctx, registry.entity('epic'), { name: `Epic ${e}`, parent: { type: 'work_item_root', id: root }, phase: { type: 'phase', id: ph('phase.epic.inprogress') } });
      epics.push(epic);
      count('epic');
      for (let f = 1; f <= 5; f++) {
        features.push(
          service.createOne(ctx, registry.entity('feature'), {
            name: `Feature ${e}.${f}`,
            parent: { type: 'epic', id: epic },
            phase: { type: 'phase', id: ph(pick(['phase.feature.new', 'phase.feature.inprogress', 'phase.feature.inprogress', 'phase.feature.done'])) },
            release: { type: 'release', id: pick(releases).id },
          }),
        );
        count('feature');
      }
    }
  });

  // ---- pickers ----------------------------------------------------------------------------------
  const owner = skewedPicker(random, users);
  const maybeOwner = () => (chance(0.1) ? null : owner());
  const tag = skewedPicker(random, tags, 1.1);
  const tagsOf = (): number[] => (chance(0.6) ? [] : [...new Set(Array.from({ length: int(1, 3) }, tag))]);
  const defectPhase = weightedPicker(random, [
    [ph('phase.defect.closed'), 40], [ph('phase.defect.new'), 12], [ph('phase.defect.opened'), 18], [ph('phase.defect.fixed'), 10],
    [ph('phase.defect.proposeclose'), 6], [ph('phase.defect.deferred'), 6], [ph('phase.defect.duplicate'), 5], [ph('phase.defect.rejected'), 3],
  ]);
  const closedPhases = new Set([ph('phase.defect.closed'), ph('phase.defect.duplicate'), ph('phase.defect.rejected')]);
  const severity = weightedPicker(random, [
    [ln('list_node.severity.low'), 25], [ln('list_node.severity.medium'), 40], [ln('list_node.severity.high'), 22],
    [ln('list_node.severity.very_high'), 9], [ln('list_node.severity.urgent'), 4],
  ]);
  const priority = weightedPicker<number | null>(random, [
    [null, 20], [ln('list_node.priority.low'), 20], [ln('list_node.priority.medium'), 35], [ln('list_node.priority.high'), 20], [ln('list_node.priority.urgent'), 5],
  ]);
  const storyPhase = weightedPicker(random, [[ph('phase.story.new'), 20], [ph('phase.story.inprogress'), 25], [ph('phase.story.intesting'), 15], [ph('phase.story.done'), 40]]);
  const taskPhase = weightedPicker(random, [[ph('phase.task.new'), 30], [ph('phase.task.inprogress'), 30], [ph('phase.task.completed'), 40]]);
  const taskType = () => ln(pick(['list_node.task_item_type.research', 'list_node.task_item_type.develop', 'list_node.task_item_type.develop', 'list_node.task_item_type.document', 'list_node.task_item_type.test']));
  const testPhase = (kind: 'test_manual' | 'test_automated') =>
    ph(`phase.${kind}.${pick(['new', 'indesign', 'awaitingreview', 'ready', 'ready', 'ready', 'ready', 'obsolete'])}`);
  const testTypes = ['acceptance', 'end_to_end', 'regression', 'sanity', 'security', 'performance', 'gui', 'api'].map((t) => ln(`list_node.test_type.${t}`));
  const nativeStatus = weightedPicker(random, [['passed', 70], ['failed', 15], ['blocked', 4], ['not_completed', 4], ['skipped', 7]] as Weighted<string>);
  const SUMMARY: Record<string, string> = { passed: 'passed', failed: 'failed', blocked: 'requires_attention', not_completed: 'requires_attention', skipped: 'skipped' };
  const dateIn = (r: { start: number; end: number }) => r.start + Math.floor(random() * (r.end - r.start));

  const keys = {
    workItemTags: linkKey(registry, registry.entity('defect'), 'user_tags'),
    testTags: linkKey(registry, registry.entity('test_manual'), 'user_tags'),
    testTypes: linkKey(registry, registry.entity('test_manual'), 'test_type'),
    covered: linkKey(registry, registry.entity('test_manual'), 'covered_content'),
    lastRuns: linkKey(registry, registry.entity('test_manual'), 'last_runs'),
  };
  const stores = {
    workItem: registry.entity('defect').store,
    task: registry.entity('task').store,
    test: registry.entity('test').store,
    run: registry.entity('run').store,
  };
  const { sharedSpaceId, workspaceId, adminUserId } = defaults;
  const base = (id: number, type: string, created: number) => {
    const c = formatDateTime(new Date(created));
    const m = formatDateTime(new Date(created + Math.floor(random() * 20 * 86_400_000)));
    return { id, type, shared_space_id: sharedSpaceId, workspace_id: workspaceId, creation_time: c, last_modified: m, version_stamp: 1 };
  };
  const BATCH = 10_000;

  // ---- defects -----------------------------------------------------------------------------------
  const sample = { defect: 0, story: 0, task: 0, test: 0, run: 0 };
  {
    const progress = showProgress ? new Progress('defects', defectsN) : undefined;
    for (let done = 0; done < defectsN; ) {
      const n = Math.min(BATCH, defectsN - done);
      let next = store.allocateIds(n)[0];
      const rows: Array<Record<string, unknown>> = [];
      const links: Array<[number, number[]]> = [];
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const r = Math.floor(k / perRelease) % releases.length;
        const rel = releases[r];
        const created = dateIn(rel);
        const phase = defectPhase();
        const id = next++;
        if (k === Math.floor(defectsN / 2)) sample.defect = id;
        rows.push({
          ...base(id, 'defect', created),
          name: `Defect ${k + 1} in ${rel.name}: ${pick(WORDS)} ${pick(VERBS)}`,
          description: chance(0.5) ? `<p>Steps: open the ${pick(WORDS)} page, then the ${pick(WORDS)} ${pick(VERBS)}.</p>` : null,
          parent: chance(0.3) ? pick(features) : root,
          phase,
          severity: severity(),
          priority: priority(),
          release: rel.id,
          sprint: pick(sprints[r]),
          team: chance(0.8) ? pick(teams) : null,
          owner: maybeOwner(),
          qa_owner: chance(0.5) ? owner() : null,
          detected_by: owner(),
          detected_in_release: rel.id,
          author: adminUserId,
          story_points: chance(0.3) ? pick([1, 2, 3, 5, 8]) : null,
          blocked: chance(0.03) ? 1 : 0,
          closed_on: closedPhases.has(phase) ? formatDateTime(new Date(created + 86_400_000 * int(1, 30))).slice(0, 10) + 'T00:00:00Z' : null,
        });
        const t = tagsOf();
        if (t.length) links.push([id, t]);
      }
      sql.tx(() => {
        store.insertMany(stores.workItem, rows);
        for (const [id, t] of links) store.setLinks(keys.workItemTags, id, t);
      });
      count('defect', n);
      count('entity_link', links.reduce((s, [, t]) => s + t.length, 0));
      done += n;
      progress?.tick(done);
    }
  }

  // ---- stories with tasks ------------------------------------------------------------------------
  const storyIds: number[] = [];
  if (storiesN > 0) {
    const progress = showProgress ? new Progress('stories + tasks', storiesN) : undefined;
    const storiesPerRelease = Math.max(1, Math.floor(perRelease / 4));
    for (let done = 0; done < storiesN; ) {
      const n = Math.min(BATCH / 2, storiesN - done);
      let next = store.allocateIds(n)[0];
      const rows: Array<Record<string, unknown>> = [];
      const taskRows: Array<Record<string, unknown>> = [];
      const links: Array<[number, number[]]> = [];
      const taskCounts = Array.from({ length: n }, () => int(0, tasksAvg * 2));
      let nextTask = store.allocateIds(Math.max(1, taskCounts.reduce((a, b) => a + b, 0)))[0];
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const r = Math.floor(k / storiesPerRelease) % releases.length;
        const rel = releases[r];
        const created = dateIn(rel);
        const id = next++;
        storyIds.push(id);
        if (k === Math.floor(storiesN / 2)) sample.story = id;
        const storyOwner = maybeOwner();
        let est = 0;
        let inv = 0;
        let rem = 0;
        for (let t = 0; t < taskCounts[i]; t++) {
          const e = int(1, 16);
          const phase = taskPhase();
          const done_ = phase === ph('phase.task.completed');
          const invested = done_ ? e : int(0, e);
          est += e;
          inv += invested;
          rem += done_ ? 0 : e - invested;
          const taskId = nextTask++;
          if (!sample.task) sample.task = taskId;
          taskRows.push({
            ...base(taskId, 'task', created + t * 3_600_000),
            name: `Task ${t + 1} of story ${k + 1}`,
            story: id,
            phase,
            item_type: taskType(),
            owner: chance(0.8) ? (storyOwner ?? owner()) : owner(),
            author: adminUserId,
            estimated_hours: e,
            invested_hours: invested,
            remaining_hours: done_ ? 0 : e - invested,
            order: t + 1,
          });
        }
        rows.push({
          ...base(id, 'story', created),
          name: `Story ${k + 1}: as a user I can ${pick(WORDS)} the ${pick(WORDS)}`,
          description: chance(0.7) ? `<p>Acceptance: the ${pick(WORDS)} works with ${pick(WORDS)}.</p>` : null,
          parent: chance(0.7) ? pick(features) : root,
          phase: storyPhase(),
          priority: priority(),
          release: rel.id,
          sprint: pick(sprints[r]),
          team: chance(0.9) ? pick(teams) : null,
          owner: storyOwner,
          author: adminUserId,
          story_points: pick([1, 2, 3, 3, 5, 5, 8, 13]),
          estimated_hours: taskCounts[i] ? est : null,
          invested_hours: taskCounts[i] ? inv : null,
          remaining_hours: taskCounts[i] ? rem : null,
          blocked: 0,
        });
        const t = tagsOf();
        if (t.length) links.push([id, t]);
      }
      sql.tx(() => {
        store.insertMany(stores.workItem, rows);
        if (taskRows.length) store.insertMany(stores.task, taskRows);
        for (const [id, t] of links) store.setLinks(keys.workItemTags, id, t);
      });
      count('story', n);
      count('task', taskRows.length);
      count('entity_link', links.reduce((s, [, t]) => s + t.length, 0));
      done += n;
      progress?.tick(done);
    }
  }

  // ---- tests with runs ---------------------------------------------------------------------------
  if (testsN > 0) {
    const progress = showProgress ? new Progress('tests + runs', testsN) : undefined;
    for (let done = 0; done < testsN; ) {
      const n = Math.min(BATCH / 2, testsN - done);
      let next = store.allocateIds(n)[0];
      const rows: Array<Record<string, unknown>> = [];
      const runRows: Array<Record<string, unknown>> = [];
      const links: Array<[string, number, number[]]> = [];
      const plans = Array.from({ length: n }, () => {
        const automated = chance(0.4);
        return { automated, runs: automated ? 3 : int(0, 3) };
      });
      let nextRun = store.allocateIds(Math.max(1, plans.reduce((a, p) => a + p.runs, 0)))[0];
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const { automated, runs } = plans[i];
        const kind = automated ? 'test_automated' : 'test_manual';
        const rel = releases[Math.floor(random() * Math.min(releases.length, 20))];
        const created = dateIn(rel);
        const id = next++;
        if (k === Math.floor(testsN / 2)) sample.test = id;
        const pkg = `com.example.${pick(WORDS)}`;
        const cls = `${pick(WORDS)[0].toUpperCase()}${pick(WORDS).slice(1)}Test`;
        rows.push({
          ...base(id, kind, created),
          name: automated ? `test_${pick(WORDS)}_${k + 1}` : `Verify ${pick(WORDS)} ${k + 1}`,
          description: automated ? null : `<p>Check that the ${pick(WORDS)} does not ${pick(VERBS)}.</p>`,
          phase: testPhase(kind),
          owner: maybeOwner(),
          designer: owner(),
          author: adminUserId,
          testing_tool_type: automated ? ln(pick(['list_node.testing_tool_type.selenium', 'list_node.testing_tool_type.uft'])) : ln('list_node.testing_tool_type.manual'),
          estimated_duration: automated ? null : int(5, 60),
          is_draft: 0,
          automation_status: automated ? null : ln(pick(['list_node.automation_status.not_automated', 'list_node.automation_status.not_automated', 'list_node.automation_status.ready_for_automation', 'list_node.automation_status.automated'])),
          package: automated ? pkg : null,
          class_name: automated ? cls : null,
          component: automated ? `module-${int(1, 7)}` : null,
          executable: automated ? 1 : null,
          test_level: automated ? ln(pick(['list_node.test_level.unit', 'list_node.test_level.unit', 'list_node.test_level.integration', 'list_node.test_level.system'])) : null,
          framework: automated ? ln(pick(['list_node.je.framework.junit', 'list_node.je.framework.testng', 'list_node.je.framework.mocha'])) : null,
        });
        links.push([keys.testTypes, id, [...new Set([pick(testTypes), ...(chance(0.3) ? [pick(testTypes)] : [])])]]);
        const t = tagsOf();
        if (t.length) links.push([keys.testTags, id, t]);
        if (!automated && storyIds.length && chance(0.5)) links.push([keys.covered, id, [pick(storyIds)]]);
        let last = 0;
        for (let r = 0; r < runs; r++) {
          const runId = nextRun++;
          if (!sample.run) sample.run = runId;
          last = runId;
          const native = nativeStatus();
          const started = created + (r + 1) * 86_400_000;
          runRows.push({
            ...base(runId, automated ? 'run_automated' : 'run_manual', started),
            name: automated ? `test_${k + 1}` : `Verify ${k + 1}`,
            native_status: ln(`list_node.run_native_status.${native}`),
            status: ln(`list_node.run_status.${SUMMARY[native]}`),
            release: rel.id,
            run_by: automated ? null : owner(),
            author: adminUserId,
            draft_run: 0,
            started: formatDateTime(new Date(started)),
            duration: automated ? int(10, 5000) : int(60_000, 1_800_000),
            test: id,
            package: automated ? pkg : null,
            class_name: automated ? cls : null,
            component: automated ? `module-${int(1, 7)}` : null,
            error_type: automated && native === 'failed' ? 'java.lang.AssertionError' : null,
            error_message: automated && native === 'failed' ? `expected ${int(1, 9)} but was ${int(1, 9)}` : null,
          });
        }
        if (last) links.push([keys.lastRuns, id, [last]]);
      }
      sql.tx(() => {
        store.insertMany(stores.test, rows);
        if (runRows.length) store.insertMany(stores.run, runRows);
        for (const [key, id, dst] of links) store.setLinks(key, id, dst);
      });
      for (const p of plans) count(p.automated ? 'test_automated' : 'test_manual');
      for (const r of runRows) count(String(r.type));
      count('entity_link', links.reduce((s, [, , d]) => s + d.length, 0));
      done += n;
      progress?.tick(done);
    }
  }

  sql.sqlite.exec('ANALYZE');
  sql.forgetStatements();
  const entities = Object.entries(counts)
    .filter(([k]) => k !== 'entity_link')
    .reduce((s, [, n]) => s + n, 0);
  return {
    releases: releases.map(({ id, name }) => ({ id, name })),
    sprints,
    users,
    teams,
    tags,
    epics,
    features,
    counts,
    entities,
    sample,
    phases,
    listNodes,
    root,
    ms: performance.now() - t0,
    defects: defectsN,
  };
}

/** Defects only (and the reference data they need), as bench/query.ts and bench/explain.ts use. */
export function generateDefects(emulator: Emulator, count: number, seed = 42): GeneratedData {
  return generateWorkspace(emulator, { defects: count, stories: 0, tests: 0, seed });
}

export interface DeletePools {
  /** the first block's ids are [lo, hi); block k is the same layout shifted by k * stride */
  lo: number;
  hi: number;
  stride: number;
  /** release id of each block: `release EQ {id EQ <it>}` selects the block's defects */
  releases: number[];
  size: number;
}

/**
 * Rows for DELETE-by-query cases: `pools` blocks, each a release "Pool k" holding `size` defects
 * (every third with a tag link), laid out identically so that block k's ids are block 0's shifted
 * by k * stride (the bare baseline replays the captured DELETE of one block on another).
 */
export function generateDeletePools(emulator: Emulator, pools: number, size: number): DeletePools {
  const { service, registry, defaults, sql } = emulator;
  const store = service.store;
  const ctx: RequestContext = { ...emulator.systemContext(defaults.sharedSpaceId, defaults.workspaceId), userId: defaults.adminUserId };
  const phases = byLogicalName(emulator, ctx, 'phase');
  const listNodes = byLogicalName(emulator, ctx, 'list_node');
  const root = service.ids(ctx, registry.entity('work_item_root'))[0];
  const tag = service.ids(ctx, registry.entity('user_tag'))[0];
  const stride = size + 1;
  const lo = store.allocateIds(pools * stride)[0];
  const created = formatDateTime(new Date(Date.UTC(2025, 0, 1)));
  const common = { shared_space_id: defaults.sharedSpaceId, workspace_id: defaults.workspaceId, creation_time: created, last_modified: created, version_stamp: 1 };
  const key = linkKey(registry, registry.entity('defect'), 'user_tags');
  const releases: number[] = [];
  sql.tx(() => {
    for (let k = 0; k < pools; k++) {
      const rid = lo + k * stride;
      releases.push(rid);
      store.insertMany(registry.entity('release').store, [{ id: rid, type: 'release', ...common, name: `Pool ${rid}`, start_date: '2025-01-01T00:00:00Z', end_date: '2025-01-31T00:00:00Z' }]);
      const rows: Array<Record<string, unknown>> = [];
      for (let i = 1; i <= size; i++) {
        rows.push({
          id: rid + i,
          type: 'defect',
          ...common,
          name: `Pool ${rid} defect ${i}`,
          parent: root,
          phase: phases['phase.defect.new'],
          severity: listNodes['list_node.severity.medium'],
          release: rid,
          owner: defaults.adminUserId,
          author: defaults.adminUserId,
        });
      }
      store.insertMany(registry.entity('defect').store, rows);
      if (tag !== undefined) for (let i = 3; i <= size; i += 3) store.setLinks(key, rid + i, [tag]);
    }
  });
  return { lo, hi: lo + stride, stride, releases, size };
}
