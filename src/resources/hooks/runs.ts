// Runs: the summary `status` follows the native status; a test's `last_runs` hold its newest run
// per context (release, milestone and environment); automated results are kept in the run history
// (previous_runs); a manual run gets its steps from the test's script; planning a suite run plans
// a run for each test of the suite. Suite links get their order.

import { sql as sqlFragment, type ExpressionBuilder } from 'kysely';
import { errors } from '../../errors/catalog.js';
import { tableOf } from '../../store/schema-sync.js';
import { deleteScripts, parseGherkinSteps, parseManualSteps, scriptVersion, type ManualStep } from '../scripts.js';
import { linkKey } from '../../query/to-sql.js';
import { formatDateTime } from '../values.js';
import type { EntityHooks, HookApi, RefValue, Values } from '../hooks.js';
import { idByLogicalName, logicalNameOf } from './lookup.js';

/**
 * A select-list subquery: the comma-separated ids of the environments (taxonomy links stored under
 * `envKey`) of the run aliased `r`, as `envs`. Shared by the queries that compare run contexts.
 */
export function environmentsOfRun(eb: ExpressionBuilder<any, any>, envKey: unknown) {
  return eb
    .selectFrom('entity_link as e')
    .select(sqlFragment<string>`group_concat(e.dst_id)`.as('g'))
    .where('e.field', '=', envKey as string)
    .whereRef('e.src_id', '=', 'r.id')
    .as('envs');
}

/** Native status -> summary status, as Octane summarises runs. */
const SUMMARY: Record<string, string> = {
  passed: 'passed',
  failed: 'failed',
  blocked: 'requires_attention',
  not_completed: 'requires_attention',
  skipped: 'skipped',
  planned: 'planned',
};

/** The summary status (list_node.run_status.*) of a native status. */
export function summaryStatusOf(api: HookApi, nativeId: number | undefined): RefValue | null {
  return summaryOf(api, nativeId);
}

function summaryOf(api: HookApi, nativeId: number | undefined): RefValue | null {
  const native = logicalNameOf(api, 'list_node', nativeId)?.split('.').pop();
  const summary = native ? SUMMARY[native] : undefined;
  const id = summary ? idByLogicalName(api, 'list_node', `list_node.run_status.${summary}`) : undefined;
  return id === undefined ? null : { type: 'list_node', id };
}

function runTable(api: HookApi): string {
  return tableOf(api.registry.entity('run').store);
}

/**
 * Release, milestone and environment: two runs of a test in one context replace each other as
 * "last run", whatever job or pipeline reported them (Octane keeps a last run per release,
 * milestone, program and environment tags; the emulator has no programs).
 */
export function contextOf(release: number | null, milestone: number | null, envs: number[]): string {
  return `${release ?? ''}|${milestone ?? ''}|${[...new Set(envs)].sort((a, b) => a - b).join(',')}`;
}

/** A run among a test's last runs: its id, its context (contextOf) and its link's position. */
export interface LastRun {
  id: number;
  context: string;
  ord: number;
}

/** A test's current last runs with their contexts, as stored (one statement). */
export function lastRunsOf(api: HookApi, testId: number): LastRun[] {
  const { sql } = api.store;
  const lastKey = linkKey(api.registry, api.registry.entity('test'), 'last_runs');
  const envKey = linkKey(api.registry, api.registry.entity('run'), 'taxonomies');
  return sql
    .prepared('lastRunContexts', (p) =>
      sql.qb
        .selectFrom('entity_link as l')
        .innerJoin(`${runTable(api)} as r`, 'r.id', 'l.dst_id')
        .select([
          'r.id as id',
          'r.release as release',
          'r.milestone as milestone',
          'l.ord as ord',
          (eb) => environmentsOfRun(eb, p('envKey')),
        ])
        .where('l.field', '=', p('lastKey'))
        .where('l.src_id', '=', p('test')),
    )
    .all<{ id: number; release: number | null; milestone: number | null; ord: number; envs: string | null }>({ envKey, lastKey, test: testId })
    .map((r) => ({ id: r.id, ord: r.ord, context: contextOf(r.release, r.milestone, r.envs ? r.envs.split(',').map(Number) : []) }));
}

/** A test's last runs computed from all its runs as stored: the newest run of each context, in id order (one statement). */
export function newestRunsByContext(api: HookApi, testId: number): LastRun[] {
  const { sql } = api.store;
  // every run of the test with its environment, newest first
  const runs = sql
    .prepared('lastRunsRecompute', (p) =>
      sql.qb
        .selectFrom(`${runTable(api)} as r`)
        .select([
          'r.id as id',
          'r.release as release',
          'r.milestone as milestone',
          (eb) => environmentsOfRun(eb, p('envKey')),
        ])
        .where('r.test', '=', p('test'))
        .orderBy('r.id', 'desc'),
    )
    .all<{ id: number; release: number | null; milestone: number | null; envs: string | null }>({
      envKey: linkKey(api.registry, api.registry.entity('run'), 'taxonomies'),
      test: testId,
    });
  const newest = new Map<string, number>();
  for (const r of runs) {
    const key = contextOf(r.release, r.milestone, r.envs ? r.envs.split(',').map(Number) : []);
    if (!newest.has(key)) newest.set(key, r.id);
  }
  return [...newest].map(([context, id]) => ({ id, context, ord: 0 })).sort((a, b) => a.id - b.id).map((r, ord) => ({ ...r, ord }));
}

/**
 * The last runs of a test once a new run in `context` is added: it takes the place of the last
 * run of the same context when newer, or joins them. Answers the new list in id order (positions
 * renumbered 0..), or undefined when the test already has a newer run in that context.
 */
export function placeLastRun(current: LastRun[], runId: number, context: string): LastRun[] | undefined {
  const next: Array<{ id: number; context: string }> = [];
  let placed = false;
  for (const r of current) {
    if (r.context !== context) next.push(r);
    else if (r.id > runId) return undefined;
    else if (!placed) {
      next.push({ id: runId, context });
      placed = true;
    }
  }
  if (!placed) next.push({ id: runId, context });
  return next.sort((a, b) => a.id - b.id).map((r, ord) => ({ id: r.id, context: r.context, ord }));
}

/**
 * A new run of a test: it takes the place of the test's last run of the same context when newer,
 * or joins the last runs (the same answer as `recomputeLastRuns`, from the current last runs and
 * their contexts in one query instead of every run of the test). Called by the create hook.
 * `values` holds the run's `release`, `milestone` and `taxonomies`.
 */
export function addLastRun(api: HookApi, testId: number | null | undefined, runId: number, values: Values): void {
  if (testId === null || testId === undefined) return;
  const current = lastRunsOf(api, testId);
  // no last runs yet: the test may have runs from before, so look at all of them (at the end of
  // the write, once however many runs of the test it adds)
  if (!current.length) return markForLastRuns(api, testId);
  const context = contextOf(
    (values.release as RefValue | null | undefined)?.id ?? null,
    (values.milestone as RefValue | null | undefined)?.id ?? null,
    ((values.taxonomies as RefValue[] | undefined) ?? []).map((r) => r.id),
  );
  const next = placeLastRun(current, runId, context);
  if (!next) return;
  const lastKey = linkKey(api.registry, api.registry.entity('test'), 'last_runs');
  // a new context whose run is the newest: when the links are numbered 0.. in id order, as
  // setLinks numbers them, one more at the end is all that changes
  const appended = next.length === current.length + 1 && next[next.length - 1].id === runId;
  if (appended && current.every((r) => r.ord === next.findIndex((n) => n.id === r.id))) {
    api.store.insertLinks(lastKey, testId, [runId], current.length);
    return;
  }
  api.store.setLinks(lastKey, testId, next.map((r) => r.id));
}

/**
 * Marks test `testId` for a recompute of its last_runs at the end of the write: once per test
 * however many of its runs the write moves, changes or deletes, from the runs then stored.
 */
export function markForLastRuns(api: HookApi, testId: number | null | undefined): void {
  if (testId === null || testId === undefined) return;
  api.defer(`lastRuns:test:${testId}`, () => recomputeLastRuns(api, testId));
}

/** Recomputes a test's last_runs from its runs as stored: its newest run in each context. */
function recomputeLastRuns(api: HookApi, testId: number): void {
  const newest = newestRunsByContext(api, testId);
  api.store.setLinks(linkKey(api.registry, api.registry.entity('test'), 'last_runs'), testId, newest.map((r) => r.id));
}

/**
 * One row of run history for a run's current result. History rows are the server's own record,
 * copied from the run row itself, so they go straight to the store.
 */
function recordHistory(api: HookApi, runId: number, created?: Values): void {
  const row = historyRow(api, runId, created);
  if (row) api.store.insert(api.registry.entity('previous_run').store, row);
}

/** The history row of a run's current result (its id allocated), from its values or read back. */
function historyRow(api: HookApi, runId: number, created?: Values): Values | undefined {
  const { sql } = api.store;
  // a run's values as hooks have them (the columns not given are empty); else read back
  const run = created
    ? Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, columnValue(created[c])]))
    : sql.prepared('historyRun', (p) => sql.qb.selectFrom(runTable(api)).selectAll().where('id', '=', p('id'))).get<Values>({ id: runId });
  if (!run) return;
  let buildName: string | null = null;
  if (run.build) {
    const store = api.registry.entity('ci_build').store;
    const memo = api.store.memo(store);
    const key = `name|${String(run.build)}`;
    if (memo?.has(key)) buildName = memo.get(key) as string | null;
    else {
      const builds = tableOf(store);
      buildName = sql.prepared('historyBuild', (p) => sql.qb.selectFrom(builds).select('name').where('id', '=', p('id'))).get<{ name: string | null }>({ id: run.build })?.name ?? null;
      memo?.set(key, buildName);
    }
  }
  const [id] = api.store.allocateIds(1);
  const now = formatDateTime(api.ctx.now);
  return {
    id,
    type: 'previous_run',
    shared_space_id: api.ctx.sharedSpaceId,
    workspace_id: api.ctx.workspaceId,
    creation_time: now,
    last_modified: now,
    version_stamp: 1,
    name: run.name,
    run_id: runId,
    build_id: run.build ?? null,
    build_name: buildName,
    run_native_status: run.native_status ?? null,
    status: run.status ?? null,
    test: run.test ?? null,
    release: run.release ?? null,
    started: run.started ?? null,
    duration: run.duration ?? null,
    url_to_ci: run.url_to_ci ?? null,
    external_report_url: run.url_to_ci ?? null,
  };
}

/**
 * The run history row of a run written without the generic update (test-results ingestion, which
 * inserts such rows many at a time): `run` holds the run's values as they now are (column values
 * or references).
 */
export function runHistoryRow(api: HookApi, runId: number, run: Values): Values {
  return historyRow(api, runId, run)!;
}

/** A hook value of the history columns (references, text, numbers) as its column value. */
function columnValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return typeof v === 'object' ? (v as RefValue).id : v;
}

/** The run columns a history row copies. */
const HISTORY_COLUMNS = ['name', 'build', 'native_status', 'status', 'test', 'release', 'started', 'duration', 'url_to_ci'];

/** Run subtypes reported by CI, whose results are kept in the run history. */
const AUTOMATED = new Set(['run_automated', 'gherkin_automated_run']);

/** The pipeline run a build belongs to, as the run's `pipeline_run` value. */
function pipelineRunOfBuild(api: HookApi, build: RefValue | null | undefined): RefValue | null {
  if (!build) return null;
  const { sql } = api.store;
  const builds = tableOf(api.registry.entity('ci_build').store);
  const row = sql.prepared('runBuildPipelineRun', (p) => sql.qb.selectFrom(builds).select('pipeline_run').where('id', '=', p('id'))).get<{ pipeline_run: number | null }>({ id: build.id });
  return row?.pipeline_run ? { type: 'pipeline_run', id: row.pipeline_run } : null;
}

export const runHooks: EntityHooks = {
  beforeCreate(api, values) {
    values.status = summaryOf(api, (values.native_status as RefValue | undefined)?.id);
    if (values.started === undefined || values.started === null) values.started = formatDateTime(api.ctx.now);
    // a writer that knows the build's pipeline run (test-results ingestion) passes it along
    if (AUTOMATED.has(api.entity.type) && values.pipeline_run === undefined) values.pipeline_run = pipelineRunOfBuild(api, values.build as RefValue | null | undefined);
  },
  afterCreate(api, id, values) {
    addLastRun(api, (values.test as RefValue | undefined)?.id, id, values);
    if (AUTOMATED.has(api.entity.type)) recordHistory(api, id, values);
  },
  beforeUpdate(api, current, changes) {
    if (AUTOMATED.has(api.entity.type) && changes.build !== undefined) changes.pipeline_run = pipelineRunOfBuild(api, changes.build as RefValue | null);
    if (changes.native_status === undefined) return;
    changes.status = summaryOf(api, (changes.native_status as RefValue | null)?.id);
    // a new result is a new execution: it started when it was reported, unless the client says
    const next = (changes.native_status as RefValue | null)?.id ?? null;
    if (next !== current.native_status && changes.started === undefined) changes.started = formatDateTime(api.ctx.now);
  },
  afterUpdate(api, id, current, changes) {
    if (changes.test !== undefined || changes.release !== undefined || changes.milestone !== undefined || changes.taxonomies !== undefined) {
      markForLastRuns(api, current.test as number | null);
      const moved = (changes.test as RefValue | undefined)?.id;
      if (moved !== undefined && moved !== current.test) markForLastRuns(api, moved);
    }
    // the run as it now is: its row before, with the changes (no read back)
    if (AUTOMATED.has(api.entity.type) && (changes.native_status !== undefined || changes.build !== undefined)) recordHistory(api, id, { ...current, ...changes });
  },
  beforeDelete(api, current) {
    // the recompute runs after the rows are gone
    markForLastRuns(api, current.test as number | null);
  },
};

const STEP_TYPES = { step: 'normal', validation: 'validate', feature: 'feature', scenario: 'scenario' } as const;

/** The steps of a manual test, call steps expanded into the called test's steps. */
function expandManual(api: HookApi, testId: number, seen: Set<number>): Array<{ kind: keyof typeof STEP_TYPES; text: string }> {
  if (seen.has(testId) || seen.size > 10) return [];
  seen.add(testId);
  const script = scriptVersion(api.store.sql, testId)?.script ?? '';
  const out: Array<{ kind: keyof typeof STEP_TYPES; text: string }> = [];
  for (const step of parseManualSteps(script) as ManualStep[]) {
    if (step.kind === 'call') out.push(...expandManual(api, step.testId, new Set(seen)));
    else out.push({ kind: step.kind, text: step.text });
  }
  return out;
}

/** A manual run gets one run step per step of its test's script, in order. */
export const manualRunHooks: EntityHooks = {
  afterCreate(api, id, values) {
    const test = values.test as RefValue | undefined;
    if (!test) return;
    const script = scriptVersion(api.store.sql, test.id)?.script ?? '';
    const steps = test.type === 'gherkin_test' ? parseGherkinSteps(script) : expandManual(api, test.id, new Set());
    const planned = idByLogicalName(api, 'list_node', 'list_node.run_native_status.planned');
    const runStep = api.registry.entity('run_step');
    steps.forEach((step, i) => {
      const type = idByLogicalName(api, 'list_node', `list_node.manual_test_run_step_type.${STEP_TYPES[step.kind]}`);
      api.service.createOne({ ...api.ctx, system: true }, runStep, {
        run: { type: 'run_manual', id },
        order: i + 1,
        description: step.text,
        step_type: type === undefined ? null : { type: 'list_node', id: type },
        status: planned === undefined ? null : { type: 'list_node', id: planned },
        result: planned === undefined ? null : { type: 'list_node', id: planned },
      });
    });
  },
};

/** Planning a suite run plans a manual run for each manual or Gherkin test of the suite. */
export const suiteRunHooks: EntityHooks = {
  afterCreate(api, id, values) {
    const suite = values.test as RefValue | undefined;
    if (!suite) return;
    const { sql } = api.store;
    const links = sql.all<{ test: number; include_in_next_run: number | null }>(
      sql.qb
        .selectFrom(tableOf(api.registry.entity('test_suite_link_to_test').store))
        .select(['test', 'include_in_next_run'])
        .where('test_suite', '=', suite.id)
        .orderBy('order')
        .orderBy('id'),
    );
    const testTable = tableOf(api.registry.entity('test').store);
    const manualRun = api.registry.entity('run_manual');
    for (const link of links) {
      if (link.include_in_next_run === 0) continue;
      const test = sql.get<{ id: number; type: string; name: string }>(sql.qb.selectFrom(testTable).select(['id', 'type', 'name']).where('id', '=', link.test));
      if (!test || (test.type !== 'test_manual' && test.type !== 'gherkin_test')) continue;
      api.service.createOne({ ...api.ctx, system: true }, manualRun, {
        name: test.name,
        test: { type: test.type, id: test.id },
        release: values.release ?? null,
        milestone: values.milestone ?? null,
        native_status: values.native_status,
        run_by: values.default_run_by ?? values.run_by ?? null,
        taxonomies: values.default_taxonomies ?? values.taxonomies ?? [],
        parent_suite: { type: 'run_suite', id },
      });
    }
  },
};

/** A run step's `status` and `result` are the same value under Octane's two names for it. */
export const runStepHooks: EntityHooks = {
  beforeUpdate(_api, _current, changes) {
    if (changes.status !== undefined && changes.result === undefined) changes.result = changes.status;
    else if (changes.result !== undefined && changes.status === undefined) changes.status = changes.result;
  },
};

/** A test joins a suite once, at the end of its order unless placed. */
export const suiteLinkHooks: EntityHooks = {
  beforeCreate(api, values) {
    // a missing suite or test is left to the required-field check
    if (!values.test_suite || !values.test) return;
    const suite = (values.test_suite as RefValue).id;
    const test = (values.test as RefValue).id;
    const { sql } = api.store;
    const table = tableOf(api.registry.entity('test_suite_link_to_test').store);
    if (sql.get(sql.qb.selectFrom(table).select('id').where('test_suite', '=', suite).where('test', '=', test))) {
      throw errors.duplicate('test_suite_link_to_test', 'test', test);
    }
    if (values.order === undefined || values.order === null) {
      const last = sql.get<{ n: number | null }>(sql.qb.selectFrom(table).select((eb) => eb.fn.max<number>('order').as('n')).where('test_suite', '=', suite));
      values.order = (last?.n ?? 0) + 1;
    }
    if (values.include_in_next_run === undefined || values.include_in_next_run === null) values.include_in_next_run = true;
  },
};

/** A test's script versions go with the test. */
export const testHooks: EntityHooks = {
  beforeDelete(api, current) {
    deleteScripts(api.store.sql, current.id as number);
  },
};
