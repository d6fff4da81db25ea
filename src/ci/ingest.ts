// What a test-results payload becomes: the CI server, job and build of its build context; for each
// test_run, the automated test (found by module + package + class + name, as Octane matches, or
// created) and its automated run in that context (release, milestone, environment, job), updated
// push after push so that run history (previous_runs) and the tests' last_runs follow. Failed runs keep
// their error type, message and stack trace.
//
// skip-errors: with true, a reference that cannot be resolved is dropped and the run is kept;
// with false (the default), the run that holds it is skipped and reported.

import { contextOf, environmentsOfRun, lastRunsOf, newestRunsByContext, placeLastRun, runHistoryRow, summaryStatusOf, type LastRun } from '../resources/hooks/runs.js';
import { linkKey } from '../query/to-sql.js';
import { parseQuery } from '../query/parser.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import type { HookApi, RefValue } from '../resources/hooks.js';
import type { ResolvedEntity } from '../resources/registry.js';
import { formatDateTime, isIntegerText } from '../resources/values.js';
import { saveScript, scriptVersion } from '../resources/scripts.js';
import { tableOf } from '../store/schema-sync.js';
import type { BuildContext, ParsedRun, ParsedTestResult, Reference, RunContext, TypedValue } from './test-results-xml.js';

export interface IngestOutcome {
  status: 'success' | 'warning' | 'failed';
  tests_created: number;
  tests_updated: number;
  runs_created: number;
  runs_updated: number;
  runs_skipped: number;
  errors: string[];
}

const TEST_FIELD_LISTS: Record<string, { field: string; list: string }> = {
  test_level: { field: 'test_level', list: 'list_node.test_level' },
  test_type: { field: 'test_type', list: 'list_node.test_type' },
  testing_tool_type: { field: 'testing_tool_type', list: 'list_node.testing_tool_type' },
  framework: { field: 'framework', list: 'list_node.je.framework' },
};

const NATIVE: Record<ParsedRun['status'], string> = {
  Passed: 'list_node.run_native_status.passed',
  Failed: 'list_node.run_native_status.failed',
  Skipped: 'list_node.run_native_status.skipped',
};

class Unresolved extends Error {}

/** A run whose test and context are resolved, waiting to be written (TestResultsIngester.writeRun). */
interface PreparedRun {
  run: ParsedRun;
  release: number | undefined;
  milestone: number | undefined;
  /** its environment (taxonomy item ids, each once) */
  envs: number[];
  testValues: Record<string, unknown>;
  testId: number;
}

/** A test's last runs as an ingestion keeps them until the slice is written. */
interface LastRunsState {
  runs: LastRun[];
  /** the links stored for the test, as far as known (undefined: maybe some, replace them all) */
  stored: LastRun[] | undefined;
  /** changed since read or written */
  dirty: boolean;
}

/** Cucumber step and scenario statuses -> run native status. */
const GHERKIN_STATUS: Record<string, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  pending: 'skipped',
  undefined: 'skipped',
  ambiguous: 'failed',
};

/** Finds or creates CI entities by their CI-side identities. */
export class CiEntities {
  constructor(
    private readonly service: EntityService,
    private readonly ctx: RequestContext,
  ) {}

  private entity(type: string): ResolvedEntity {
    return this.service.registry.entity(type);
  }

  /** The one row of `type` whose `field` equals `value` in the workspace, if any. */
  findBy(type: string, field: string, value: string | number, rowType?: string): number | undefined {
    const store = this.entity(type).store;
    const { sql } = this.service;
    return sql
      .prepared(`ciFindBy:${store}:${field}:${rowType ?? ''}`, (p) => {
        let q = sql.qb.selectFrom(tableOf(store)).select('id').where('workspace_id', '=', p('ws')).where(field, '=', p('value'));
        if (rowType) q = q.where('type', '=', rowType);
        return q.orderBy('id').limit(1);
      })
      .get<{ id: number }>({ ws: this.ctx.workspaceId, value })?.id;
  }

  server(instanceId: string, info: { url?: string; type?: string; name?: string } = {}): number {
    const found = this.findBy('ci_server', 'instance_id', instanceId);
    if (found !== undefined) return found;
    // Server names are unique in the shared space: fall back to the instance id, then number it.
    let name = info.name ?? info.url ?? instanceId;
    const { sql } = this.service;
    const table = tableOf(this.entity('ci_server').store);
    for (let n = 2; sql.get(sql.qb.selectFrom(table).select('id').where('shared_space_id', '=', this.ctx.sharedSpaceId).where('name', '=', name)); n++) {
      name = `${info.name ?? info.url ?? instanceId} (${n})`;
    }
    return this.service.createOne(this.ctx, this.entity('ci_server'), { name, instance_id: instanceId, url: info.url ?? null, server_type: info.type ?? 'unknown' });
  }

  job(serverId: number, ciId: string, name?: string): number {
    const { sql } = this.service;
    const table = tableOf(this.entity('ci_job').store);
    const found = sql.get<{ id: number }>(sql.qb.selectFrom(table).select('id').where('workspace_id', '=', this.ctx.workspaceId).where('ci_server', '=', serverId).where('ci_id', '=', ciId).limit(1));
    if (found) return found.id;
    return this.service.createOne(this.ctx, this.entity('ci_job'), { name: name || ciId, ci_id: ciId, ci_server: { type: 'ci_server', id: serverId } });
  }

  build(jobId: number, buildCiId: string, fields: Record<string, unknown> = {}): { id: number; created: boolean } {
    const { sql } = this.service;
    const table = tableOf(this.entity('ci_build').store);
    const found = sql.get<{ id: number }>(sql.qb.selectFrom(table).select('id').where('workspace_id', '=', this.ctx.workspaceId).where('ci_job', '=', jobId).where('build_ci_id', '=', buildCiId).limit(1));
    if (found) {
      if (Object.keys(fields).length) this.service.updateOne(this.ctx, this.entity('ci_build'), String(found.id), fields);
      return { id: found.id, created: false };
    }
    const id = this.service.createOne(this.ctx, this.entity('ci_build'), { name: buildCiId, ...fields, build_ci_id: buildCiId, ci_job: { type: 'ci_job', id: jobId } });
    return { id, created: true };
  }

  /** The pipeline a job belongs to (as root or member), if any. */
  pipelineOfJob(jobId: number): number | undefined {
    const { sql } = this.service;
    const row = sql.get<{ pipeline: number | null }>(sql.qb.selectFrom(tableOf(this.entity('ci_job').store)).select('pipeline').where('id', '=', jobId));
    return row?.pipeline ?? undefined;
  }

  /** The pipeline run a build belongs to, if any. */
  pipelineRunOfBuild(buildId: number): number | undefined {
    const { sql } = this.service;
    const row = sql.get<{ pipeline_run: number | null }>(sql.qb.selectFrom(tableOf(this.entity('ci_build').store)).select('pipeline_run').where('id', '=', buildId));
    return row?.pipeline_run ?? undefined;
  }

  private readonly listNodes = new Map<string, number | undefined>();

  listNode(logicalName: string): number | undefined {
    if (!this.listNodes.has(logicalName)) this.listNodes.set(logicalName, this.findBy('list_node', 'logical_name', logicalName));
    return this.listNodes.get(logicalName);
  }
}

export class TestResultsIngester {
  private readonly ci: CiEntities;
  private readonly listByName = new Map<string, number>();
  private readonly refCache = new Map<string, number | null>();
  private readonly testByKey = new Map<string, number>();
  private readonly runByContext = new Map<string, number>();
  /** name and version stamp of the runs in runByContext, for updates without a read */
  private readonly runInfo = new Map<number, { name: string; version: number }>();
  /** test id -> the payload's test values last compared with (or written to) it */
  private readonly testValuesSeen = new Map<number, string>();
  /** log lines of a slice tried in one go, kept until it commits */
  private pendingLog: string[] | undefined;
  /** tests whose runs are all in runByContext (read once, or created by this ingestion) */
  private readonly runsRead = new Set<number>();
  private readonly outcome: IngestOutcome = { status: 'success', tests_created: 0, tests_updated: 0, runs_created: 0, runs_updated: 0, runs_skipped: 0, errors: [] };

  /** link keys of a run's environment and of a test's last runs */
  private readonly keys: { taxonomies: string; lastRuns: string };
  /** the ingestion's time, as stored (creation and modification times of what it writes) */
  private readonly now: string;

  constructor(
    private readonly service: EntityService,
    private readonly ctx: RequestContext,
    private readonly skipErrors: boolean,
    private readonly log: (line: string) => void,
  ) {
    this.ci = new CiEntities(service, ctx);
    this.keys = { taxonomies: linkKey(service.registry, this.entity('run'), 'taxonomies'), lastRuns: linkKey(service.registry, this.entity('test'), 'last_runs') };
    this.now = formatDateTime(ctx.now);
  }

  private entity(type: string): ResolvedEntity {
    return this.service.registry.entity(type);
  }

  // ---- reference resolution ------------------------------------------------------------------------

  private cached(key: string, find: () => number | undefined): number | undefined {
    if (!this.refCache.has(key)) this.refCache.set(key, find() ?? null);
    return this.refCache.get(key) ?? undefined;
  }

  private byIdOrName(type: string, ref: Reference): number | undefined {
    return this.cached(`${type}:${ref.id ?? ''}:${ref.name ?? ''}`, () => {
      if (ref.id && isIntegerText(ref.id)) {
        const e = this.entity(type);
        const { sql } = this.service;
        return sql.get<{ id: number }>(sql.qb.selectFrom(tableOf(e.store)).select('id').where('id', '=', Number(ref.id)).where('workspace_id', '=', this.ctx.workspaceId).where('type', 'in', e.rowTypes as string[]))?.id;
      }
      if (ref.name) return this.ci.findBy(type, 'name', ref.name);
      return undefined;
    });
  }

  private listValue(kind: string, value: string): number | undefined {
    const spec = TEST_FIELD_LISTS[kind.toLowerCase()];
    if (!spec) return undefined;
    const key = `${spec.list}|${value.toLowerCase()}`;
    if (this.listByName.has(key)) return this.listByName.get(key);
    const found = this.service.list(this.ctx, this.entity('list_node'), {
      query: parseQuery(`list_root EQ {logical_name EQ ^${spec.list.replace(/[\\^*]/g, (c) => `\\${c}`)}^}`),
      fields: [{ name: 'name' }, { name: 'logical_name' }],
      limit: 2000,
      offset: 0,
    });
    for (const n of found.data) {
      for (const k of [String(n.name ?? ''), String(n.logical_name ?? '').split('.').pop() ?? '']) this.listByName.set(`${spec.list}|${k.toLowerCase()}`, Number(n.id));
    }
    if (!this.listByName.has(key)) this.listByName.set(key, undefined as unknown as number);
    return this.listByName.get(key);
  }

  /** A test field value given by id or logical name, with the test field its list feeds. */
  private listNodeById(idText: string): { id: number; field: string } | undefined {
    const { sql } = this.service;
    const table = tableOf(this.entity('list_node').store);
    const node = sql.get<{ id: number; list_root: number | null }>(
      sql.qb
        .selectFrom(table)
        .select(['id', 'list_root'])
        .where('workspace_id', '=', this.ctx.workspaceId)
        .where(isIntegerText(idText) ? 'id' : 'logical_name', '=', isIntegerText(idText) ? Number(idText) : idText),
    );
    if (!node?.list_root) return undefined;
    const root = sql.get<{ logical_name: string | null }>(sql.qb.selectFrom(table).select('logical_name').where('id', '=', node.list_root));
    const spec = Object.values(TEST_FIELD_LISTS).find((s) => s.list === root?.logical_name);
    return spec ? { id: node.id, field: spec.field } : undefined;
  }

  /** An environment value by category and item name; unknown values are added, as Octane does. */
  private taxonomy(v: TypedValue): number | undefined {
    if (v.id) {
      return this.cached(`taxonomy_item_node:${v.id}`, () => (isIntegerText(v.id!) ? this.byIdOrName('taxonomy_item_node', { id: v.id }) : this.ci.findBy('taxonomy_item_node', 'logical_name', v.id!)));
    }
    return this.cached(`taxonomy:${v.type!.toLowerCase()}:${v.value!.toLowerCase()}`, () => {
      let category = this.ci.findBy('taxonomy_node', 'name', v.type!, 'taxonomy_category_node');
      if (category === undefined) category = this.service.createOne(this.ctx, this.entity('taxonomy_category_node'), { name: v.type });
      const { sql } = this.service;
      const table = tableOf(this.entity('taxonomy_node').store);
      const item = sql.get<{ id: number }>(sql.qb.selectFrom(table).select('id').where('workspace_id', '=', this.ctx.workspaceId).where('type', '=', 'taxonomy_item_node').where('category', '=', category).where('name', '=', v.value!).limit(1));
      if (item) return item.id;
      return this.service.createOne(this.ctx, this.entity('taxonomy_item_node'), { name: v.value, category: { type: 'taxonomy_category_node', id: category } });
    });
  }

  /** Resolves or reports one reference; with skip-errors an unresolved one is dropped. */
  private resolve<T>(what: string, value: T | undefined): T | undefined {
    if (value !== undefined) return value;
    if (this.skipErrors) {
      this.note(`warning: ${what} not found; ignored (skip-errors)`);
      return undefined;
    }
    throw new Unresolved(`${what} not found`);
  }

  // ---- runs ----------------------------------------------------------------------------------------

  private merged(global: RunContext, own: RunContext): RunContext {
    return {
      release: own.release ?? global.release,
      milestone: own.milestone ?? global.milestone,
      productAreas: own.productAreas.length ? own.productAreas : global.productAreas,
      backlogItems: own.backlogItems.length ? own.backlogItems : global.backlogItems,
      environment: own.environment.length ? own.environment : global.environment,
      testFields: own.testFields.length ? own.testFields : global.testFields,
    };
  }

  private testKey(run: ParsedRun): string {
    return [run.module ?? '', run.package ?? '', run.className ?? '', run.name].join('\u0001');
  }

  private findTest(run: ParsedRun): number | undefined {
    const key = this.testKey(run);
    if (this.testByKey.has(key)) return this.testByKey.get(key);
    const { sql } = this.service;
    const e = this.entity('test_automated');
    // an attribute left out matches a test that has no value there (one statement per such shape)
    const empty = (v: string | undefined) => v === undefined || v === '';
    const given = { package: run.package, class_name: run.className, component: run.module };
    const shape = Object.values(given).map((v) => (empty(v) ? 0 : 1)).join('');
    const row = sql
      .prepared(`ingestFindTest:${shape}`, (p) => {
        let q = sql.qb.selectFrom(tableOf(e.store)).select('id').where('workspace_id', '=', p('ws')).where('type', '=', 'test_automated').where('name', '=', p('name'));
        for (const [col, v] of Object.entries(given)) q = q.where((eb: any) => (empty(v) ? eb.or([eb(col, 'is', null), eb(col, '=', '')]) : eb(col, '=', p(col))));
        return q.orderBy('id').limit(1);
      })
      .get<{ id: number }>({ ws: this.ctx.workspaceId, name: run.name, ...given });
    if (row) this.testByKey.set(key, row.id);
    return row?.id;
  }

  /** Test characteristics and links of a run, as entity field values. */
  private testValues(run: ParsedRun, context: RunContext): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    const types: RefValue[] = [];
    const set = (field: string, id: number) => {
      if (field === 'test_type') types.push({ type: 'list_node', id });
      else values[field] = { type: 'list_node', id };
    };
    for (const tf of context.testFields) {
      if (tf.id) {
        const node = this.resolve(`test field '${tf.id}'`, this.listNodeById(tf.id));
        if (node) set(node.field, node.id);
        continue;
      }
      const kind = tf.type!.toLowerCase();
      const id = this.resolve(`${tf.type} '${tf.value}'`, this.listValue(kind, tf.value!));
      if (id !== undefined) set(TEST_FIELD_LISTS[kind].field, id);
    }
    if (types.length) values.test_type = { data: types };
    const areas = context.productAreas.map((id) => this.resolve(`application module '${id}'`, this.byIdOrName('product_area', { id }))).filter((x): x is number => x !== undefined);
    if (areas.length) values.product_areas = { data: areas.map((id) => ({ type: 'product_area', id })) };
    const items = context.backlogItems.map((id) => this.resolve(`backlog item '${id}'`, this.byIdOrName('work_item', { id }))).filter((x): x is number => x !== undefined);
    if (items.length) values.covered_content = { data: items.map((id) => ({ type: 'work_item', id })) };
    if (run.externalTestId) values.external_test_id = run.externalTestId.slice(0, 255);
    return values;
  }

  private upsertTest(run: ParsedRun, context: RunContext, values = this.testValues(run, context)): number {
    const existing = this.findTest(run);
    // a test recurs in a payload (once per environment, say): the same values need no second look
    const seen = existing === undefined ? undefined : JSON.stringify(values);
    if (existing !== undefined && this.testValuesSeen.get(existing) === seen) return existing;
    if (existing !== undefined) {
      this.testValuesSeen.set(existing, seen!);
      // Links from the payload are added to the test's; its characteristics follow the payload.
      const patch: Record<string, unknown> = { ...values };
      const { sql } = this.service;
      const row = sql.prepared('ingestTestRow', (p) => sql.qb.selectFrom(tableOf(this.entity('test').store)).selectAll().where('id', '=', p('id'))).get<Record<string, unknown>>({ id: existing });
      for (const [k, v] of Object.entries(patch)) {
        const single = v && typeof v === 'object' && 'id' in (v as object) ? (v as RefValue).id : v;
        if (row && !(v && typeof v === 'object' && 'data' in (v as object)) && row[k] === single) delete patch[k];
      }
      for (const multi of ['product_areas', 'covered_content', 'test_type'] as const) {
        if (!patch[multi]) continue;
        const key = `${this.entity('test').store}.${multi}`;
        const have = this.service.store.links(key, [existing]).map((l) => l.dst_id);
        const add = (patch[multi] as { data: RefValue[] }).data.filter((r) => !have.includes(r.id));
        if (!add.length) delete patch[multi];
        else patch[multi] = { data: [...have.map((id) => ({ id })), ...add] };
      }
      if (Object.keys(patch).length) {
        this.service.updateOne(this.ctx, this.entity('test_automated'), String(existing), patch);
        this.outcome.tests_updated++;
      }
      return existing;
    }
    const id = this.service.createOne(this.ctx, this.entity('test_automated'), {
      name: run.name,
      package: run.package ?? null,
      class_name: run.className ?? null,
      component: run.module ?? null,
      executable: true,
      ...values,
    });
    this.testByKey.set(this.testKey(run), id);
    this.testValuesSeen.set(id, JSON.stringify(values));
    this.runsRead.add(id);
    // a new test has no runs, so no last runs to read
    this.lastRuns.set(id, { runs: [], stored: [], dirty: false });
    this.outcome.tests_created++;
    return id;
  }

  private runContextKey(testId: number, job: number | undefined, release: number | undefined, milestone: number | undefined, envs: number[]): string {
    // a test is automated or Gherkin, never both: its id alone says which runs it has
    return `${testId}|${job ?? ''}|${release ?? ''}|${milestone ?? ''}|${[...envs].sort((a, b) => a - b).join(',')}`;
  }

  /**
   * The automated run of a test in this context (job, release, milestone, environment), if one
   * exists. The milestone is part of it as it is of the test's last-run context, so a run updated
   * by a later result never leaves the last-run context it holds.
   */
  private findRun(testId: number, job: number | undefined, release: number | undefined, milestone: number | undefined, envs: number[]): number | undefined {
    const key = this.runContextKey(testId, job, release, milestone, envs);
    if (this.runByContext.has(key) || this.runsRead.has(testId)) return this.runByContext.get(key);
    const { sql } = this.service;
    // every automated run of the test with its job and environment, in one statement
    const runs = sql
      .prepared('ingestRunsOfTest', (p) =>
        sql.qb
          .selectFrom(`${tableOf(this.entity('run').store)} as r`)
          .leftJoin(`${tableOf(this.entity('ci_build').store)} as b`, 'b.id', 'r.build')
          .select([
            'r.id as id',
            'r.name as name',
            'r.version_stamp as version',
            'r.release as release',
            'r.milestone as milestone',
            'b.ci_job as job',
            (eb) => environmentsOfRun(eb, p('envKey')),
          ])
          .where('r.workspace_id', '=', p('ws'))
          .where('r.type', 'in', ['run_automated', 'gherkin_automated_run'])
          .where('r.test', '=', p('test'))
          .orderBy('r.id'),
      )
      .all<{ id: number; name: string; version: number; release: number | null; milestone: number | null; job: number | null; envs: string | null }>({
        envKey: `${this.entity('run').store}.taxonomies`,
        ws: this.ctx.workspaceId,
        test: testId,
      });
    for (const r of runs) {
      this.runInfo.set(r.id, { name: r.name, version: r.version });
      const runEnvs = r.envs ? r.envs.split(',').map(Number) : [];
      this.runByContext.set(this.runContextKey(testId, r.job ?? undefined, r.release ?? undefined, r.milestone ?? undefined, runEnvs), r.id);
    }
    // the runs of this test made from now on are added to runByContext as they are created
    this.runsRead.add(testId);
    return this.runByContext.get(key);
  }

  // ---- Gherkin ---------------------------------------------------------------------------------------

  /**
   * The Gherkin test a feature's results belong to: the one its test id tag names
   * (@TID<id>REV<version>), else the one with its feature file path, else a new one. Its script
   * follows the feature file, and a test with results is automated.
   */
  private upsertGherkinTest(run: ParsedRun, testValues: Record<string, unknown>): number {
    const f = run.feature;
    const path = f?.path ?? run.name;
    const key = `gherkin\u0001${path}\u0001${f?.tag ?? ''}`;
    const e = this.entity('gherkin_test');
    // only the test characteristics a Gherkin test has
    const values: Record<string, unknown> = Object.fromEntries(Object.entries(testValues).filter(([k]) => e.fieldMap.has(k)));
    const automated = this.ci.listNode('list_node.automation_status.automated');
    if (automated !== undefined) values.automation_status = { type: 'list_node', id: automated };
    let id = this.testByKey.get(key);
    if (id === undefined) {
      const tagged = /@TID(\d+)REV/i.exec(f?.tag ?? '')?.[1];
      const { sql } = this.service;
      const table = tableOf(e.store);
      const row = tagged
        ? sql.get<{ id: number }>(sql.qb.selectFrom(table).select('id').where('id', '=', Number(tagged)).where('workspace_id', '=', this.ctx.workspaceId).where('type', '=', 'gherkin_test'))
        : sql.get<{ id: number }>(sql.qb.selectFrom(table).select('id').where('workspace_id', '=', this.ctx.workspaceId).where('type', '=', 'gherkin_test').where('feature_file_path', '=', path).orderBy('id').limit(1));
      if (tagged && !row) throw new Unresolved(`Gherkin test ${tagged} (tag ${f!.tag}) not found`);
      id = row?.id;
    }
    if (id === undefined) {
      id = this.service.createOne(this.ctx, e, { name: f?.name || run.name, feature_file_path: path, ...values });
      this.runsRead.add(id);
      this.outcome.tests_created++;
    } else {
      const current = this.service.store.rowsById(e.store, [id])[0] as Record<string, unknown> | undefined;
      const patch: Record<string, unknown> = {};
      if (current?.feature_file_path !== path) patch.feature_file_path = path;
      if (automated !== undefined && current?.automation_status !== automated) patch.automation_status = values.automation_status;
      for (const [k, v] of Object.entries(values)) if (k !== 'automation_status' && v && typeof v === 'object' && 'id' in v && current?.[k] !== (v as RefValue).id) patch[k] = v;
      if (Object.keys(patch).length) {
        this.service.updateOne(this.ctx, e, String(id), patch);
        this.outcome.tests_updated++;
      }
    }
    this.testByKey.set(key, id);
    // the script follows the feature file the results were run from
    if (f?.script !== undefined && scriptVersion(this.service.sql, id)?.script !== f.script) {
      saveScript(this.service.sql, { test_id: id, script: f.script, revision_type: null, comment: 'from test results', author_id: this.ctx.userId, creation_time: formatDateTime(this.ctx.now) });
    }
    return id;
  }

  /** A Gherkin run's steps: each scenario, then its steps, with their outcomes; replaced on each result. */
  private gherkinSteps(runId: number, run: ParsedRun, replace: boolean): void {
    const stepEntity = this.entity('run_step');
    if (replace) {
      const { sql } = this.service;
      const old = sql.all<{ id: number }>(sql.qb.selectFrom(tableOf(stepEntity.store)).select('id').where('run', '=', runId));
      for (const s of old) this.service.delete(this.ctx, stepEntity, String(s.id));
    }
    const status = (raw: string | undefined) => {
      const id = this.ci.listNode(`list_node.run_native_status.${GHERKIN_STATUS[(raw ?? '').toLowerCase()] ?? 'skipped'}`);
      return id === undefined ? null : { type: 'list_node', id };
    };
    const type = (kind: string) => {
      const id = this.ci.listNode(`list_node.manual_test_run_step_type.${kind}`);
      return id === undefined ? null : { type: 'list_node', id };
    };
    let order = 0;
    const add = (values: Record<string, unknown>) =>
      this.service.createOne(this.ctx, stepEntity, { run: { type: 'gherkin_automated_run', id: runId }, order: ++order, ...values, result: values.status });
    for (const sc of run.feature?.scenarios ?? []) {
      // a scenario without its own status failed if a step failed, was skipped if every step was
      const scenarioStatus = sc.status ?? (sc.steps.some((st) => st.status?.toLowerCase() === 'failed') ? 'failed' : sc.steps.length && sc.steps.every((st) => GHERKIN_STATUS[(st.status ?? '').toLowerCase()] === 'skipped') ? 'skipped' : 'passed');
      add({
        description: `Scenario: ${sc.name}${sc.outlineIndex !== undefined ? ` (example ${sc.outlineIndex})` : ''}`,
        step_type: type('scenario'),
        status: status(scenarioStatus),
        duration: sc.steps.reduce((sum, st) => sum + (st.duration ?? 0), 0),
      });
      for (const st of sc.steps) add({ description: st.name, step_type: type('normal'), status: status(st.status), duration: st.duration ?? null, actual: st.errorMessage ?? null });
    }
  }

  /**
   * The first half of a run's ingestion: its context resolved and its test found, created or
   * updated (through the entity service). Nothing of the run is written yet.
   */
  private prepareRun(run: ParsedRun, global: RunContext): PreparedRun {
    const context = this.merged(global, run.context);
    const release = context.release ? this.resolve(`release '${context.release.id ?? context.release.name}'`, this.byIdOrName('release', context.release)) : undefined;
    const milestone = context.milestone ? this.resolve(`milestone '${context.milestone.id ?? context.milestone.name}'`, this.byIdOrName('milestone', context.milestone)) : undefined;
    const envs = [...new Set(context.environment.map((v) => this.resolve(`environment '${v.id ?? `${v.type}: ${v.value}`}'`, this.taxonomy(v))).filter((x): x is number => x !== undefined))];
    const testValues = this.testValues(run, context);
    const gherkin = run.kind === 'gherkin';
    const testId = gherkin ? this.upsertGherkinTest(run, testValues) : this.upsertTest(run, context, testValues);
    return { run, release, milestone, envs, testValues, testId };
  }

  /**
   * The second half: the run of the test in its context created or updated. Automated runs are
   * written to the pending rows (flushPending); Gherkin runs go through the entity service.
   */
  private writeRun(prepared: PreparedRun, build: { id: number; job: number; pipeline?: number; pipelineRun?: number } | undefined): void {
    const { run, release, milestone, envs, testValues, testId } = prepared;
    const gherkin = run.kind === 'gherkin';
    // the entity service reads and writes the store itself: nothing may be pending meanwhile
    if (gherkin) this.flushPending();
    const native = this.ci.listNode(NATIVE[run.status]);
    const started = run.started !== undefined ? formatDateTime(new Date(run.started)) : this.now;
    const errorDetails = run.error?.stackTrace ?? null;
    const values: Record<string, unknown> = {
      native_status: native === undefined ? null : { type: 'list_node', id: native },
      build: build ? { type: 'ci_build', id: build.id } : null,
      pipeline: build?.pipeline ? { type: 'pipeline', id: build.pipeline } : null,
      // the build's pipeline run, as the runs' hook would take it from the build
      pipeline_run: build?.pipelineRun ? { type: 'pipeline_run', id: build.pipelineRun } : null,
      release: release === undefined ? null : { type: 'release', id: release },
      milestone: milestone === undefined ? null : { type: 'milestone', id: milestone },
      taxonomies: { data: envs.map((id) => ({ type: 'taxonomy_item_node', id })) },
      started,
      duration: run.duration ?? null,
      error_type: run.error?.type?.slice(0, 255) ?? null,
      error_message: run.error?.message?.slice(0, 255) ?? null,
      error_details: errorDetails ? errorDetails.slice(0, 512) : null,
      full_error_details: errorDetails,
      url_to_ci: run.externalReportUrl?.slice(0, 255) ?? null,
      external_run_id: run.externalRunId?.slice(0, 255) ?? null,
      run_type: run.runType?.slice(0, 255) ?? null,
      description: run.description ?? null,
    };
    if (!gherkin) {
      // the run records the test level and framework it ran with, beside the test's own
      values.test_level = testValues.test_level ?? null;
      values.test_framework = testValues.framework ?? null;
    }
    const existing = this.findRun(testId, build?.job, release, milestone, envs);
    if (existing !== undefined) {
      this.updateRun(existing, gherkin ? 'gherkin_automated_run' : 'run_automated', testId, values);
      if (gherkin) this.gherkinSteps(existing, run, true);
      this.outcome.runs_updated++;
      return;
    }
    if (gherkin) {
      const id = this.service.createOne(this.ctx, this.entity('gherkin_automated_run'), { name: run.name, test: { type: 'gherkin_test', id: testId }, ...values });
      this.gherkinSteps(id, run, false);
      this.runByContext.set(this.runContextKey(testId, build?.job, release, milestone, envs), id);
      this.runInfo.set(id, { name: run.name, version: 1 });
      this.outcome.runs_created++;
      return;
    }
    const id = this.createRun(testId, run, values, envs);
    this.runByContext.set(this.runContextKey(testId, build?.job, release, milestone, envs), id);
    this.runInfo.set(id, { name: run.name, version: 1 });
    this.outcome.runs_created++;
  }

  /**
   * A new automated run, written as the server's own create: every value is one this ingestion
   * resolved (the test, list values, build, release, environment), so the row goes in with one
   * statement, and the run's hooks are applied here: the summary status, the author, the test's
   * last runs and a run history row.
   */
  private createRun(testId: number, run: ParsedRun, values: Record<string, unknown>, envs: number[]): number {
    const { store } = this.service;
    const [id] = store.allocateIds(1);
    const now = this.now;
    const native = (values.native_status as RefValue | null)?.id ?? null;
    const row: Record<string, unknown> = {
      id,
      type: 'run_automated',
      shared_space_id: this.ctx.sharedSpaceId,
      workspace_id: this.ctx.workspaceId,
      creation_time: now,
      last_modified: now,
      version_stamp: 1,
      name: run.name,
      test: testId,
      package: run.package ?? null,
      class_name: run.className ?? null,
      component: run.module ?? null,
      author: this.ctx.userId,
    };
    for (const [k, v] of Object.entries(values)) {
      if (k === 'taxonomies') continue;
      row[k] = v !== null && typeof v === 'object' ? (v as RefValue).id : v;
    }
    row.status = native === null ? null : this.summaryStatus(native);
    this.pendingRuns.push(row);
    envs.forEach((env, ord) => this.pendingLinks.push([this.keys.taxonomies, id, env, ord]));
    // the test's last runs, kept here until the slice is written (placeLastRun, as the runs' hook)
    const last = this.lastRunsState(testId);
    const next = placeLastRun(last.runs, id, contextOf((values.release as RefValue | null)?.id ?? null, (values.milestone as RefValue | null)?.id ?? null, envs));
    if (next) {
      last.runs = next;
      last.dirty = true;
    }
    this.history.push(runHistoryRow(this.historyApi(), id, row));
    return id;
  }

  /**
   * The last runs of a test as this ingestion keeps them: read once (or computed from its runs
   * when it has none, as the runs' hook does), then updated in memory and written at the end of
   * the slice. A test created by this ingestion starts with none.
   */
  private lastRunsState(testId: number): LastRunsState {
    let state = this.lastRuns.get(testId);
    if (!state) {
      const api = this.historyApi();
      const current = lastRunsOf(api, testId);
      // no last runs: links to runs that are gone may be left, so they are replaced
      state = current.length ? { runs: current, stored: current, dirty: false } : { runs: newestRunsByContext(api, testId), stored: undefined, dirty: true };
      this.lastRuns.set(testId, state);
    }
    return state;
  }

  /** Runs, environment links, last runs and history rows kept for the slice, written many per statement. */
  private readonly pendingRuns: Array<Record<string, unknown>> = [];
  private readonly pendingLinks: Array<[string, number, number, number]> = [];
  private readonly lastRuns = new Map<number, LastRunsState>();

  /** Writes what is pending; called before the entity service is used and before a slice commits. */
  private flushPending(): void {
    const { store } = this.service;
    if (this.pendingRuns.length) store.insertMany(this.entity('run_automated').store, this.pendingRuns.splice(0));
    const links = this.pendingLinks.splice(0);
    for (const [testId, state] of this.lastRuns) {
      if (!state.dirty) continue;
      // the usual change is a run of a new context after the others: its link is added; else
      // the test's links are replaced
      const kept = state.stored?.every((r) => state.runs[r.ord]?.id === r.id);
      if (!kept) store.clearLinks(this.keys.lastRuns, testId);
      for (const r of state.runs.slice(kept ? state.stored!.length : 0)) links.push([this.keys.lastRuns, testId, r.id, r.ord]);
      state.stored = state.runs;
      state.dirty = false;
    }
    store.insertLinkRows(links);
    this.flushHistory();
  }

  /** Drops what is pending (the transaction that would have written it rolled back). */
  private dropPending(): void {
    this.pendingRuns.length = 0;
    this.pendingLinks.length = 0;
    this.history = [];
    this.lastRuns.clear();
  }

  /**
   * A new result for the run of its context, written as the server's own update: every value is
   * one this ingestion resolved, so the row is written in one statement, without a read, and the
   * run's hooks are applied here: the summary status follows the native status, and the run
   * history gets a row. The context (test, release, environment) is the run's already: its links
   * and the test's last runs stay as they are.
   */
  private updateRun(id: number, type: 'run_automated' | 'gherkin_automated_run', testId: number, values: Record<string, unknown>): void {
    const info = this.runInfo.get(id);
    if (!info) throw new Error(`run ${id} was not read`);
    const native = (values.native_status as RefValue | null)?.id ?? null;
    const status = native === null ? null : this.summaryStatus(native);
    const columns: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      if (k === 'release' || k === 'taxonomies') continue;
      columns[k] = v !== null && typeof v === 'object' ? (v as RefValue).id : v;
    }
    columns.status = status;
    columns.last_modified = this.now;
    columns.version_stamp = info.version + 1;
    const e = this.entity(type);
    this.service.store.update(e.store, id, columns);
    info.version++;
    this.history.push(runHistoryRow(this.historyApi(), id, { ...columns, name: info.name, test: testId, release: (values.release as RefValue | null)?.id ?? null }));
  }

  /** History rows of created and updated runs, inserted many per statement (flushHistory). */
  private history: Array<Record<string, unknown>> = [];

  /** Inserts the history rows kept so far; called before the transaction that made them ends. */
  private flushHistory(): void {
    const rows = this.history;
    if (!rows.length) return;
    this.history = [];
    this.service.store.insertMany(this.entity('previous_run').store, rows);
  }

  private readonly summaries = new Map<number, number | null>();

  /** The summary status of a native status, as the runs' hook derives it. */
  private summaryStatus(native: number): number | null {
    if (!this.summaries.has(native)) this.summaries.set(native, summaryStatusOf(this.historyApi(), native)?.id ?? null);
    return this.summaries.get(native)!;
  }

  /** What the runs hook's helpers are handed: the hooks' view of this ingestion's writes of runs. */
  private historyApi(): HookApi {
    this.hookApi ??= this.service.hookApi(this.ctx, this.entity('run_automated'));
    return this.hookApi;
  }

  private hookApi: HookApi | undefined;

  private buildOf(b: BuildContext | undefined): { id: number; job: number; pipeline?: number; pipelineRun?: number } | undefined {
    if (!b || !b.serverId || !b.jobId || !b.buildId) return undefined;
    const server = this.ci.server(b.serverId);
    const job = this.ci.job(server, b.jobId, b.jobName);
    // the build's name and kind (sub_type) as the payload's build element gives them
    const build = this.ci.build(job, b.buildId, { ...(b.buildName ? { name: b.buildName } : {}), ...(b.subType ? { sub_type: b.subType } : {}) });
    return { id: build.id, job, pipeline: this.ci.pipelineOfJob(job), pipelineRun: build.created ? undefined : this.ci.pipelineRunOfBuild(build.id) };
  }

  private build: { id: number; job: number; pipeline?: number; pipelineRun?: number } | undefined;
  private total = 0;
  /** the database's change stamp when the last slice ended (see ingest) */
  private stampAfterSlice: string | undefined;

  /** Forgets the ids kept about tests, runs and referenced entities. */
  private forgetFound(): void {
    this.lastRuns.clear();
    this.testByKey.clear();
    this.runByContext.clear();
    this.runInfo.clear();
    this.runsRead.clear();
    this.refCache.clear();
    this.testValuesSeen.clear();
  }

  private note(line: string): void {
    if (this.pendingLog) this.pendingLog.push(line);
    else this.log(line);
  }

  /**
   * Ingests a parsed payload, or a slice of its runs (`first` / `last` mark the ends of a task
   * fed in slices). Each run is its own transaction, so one bad run spoils nothing else.
   */
  ingest(payload: ParsedTestResult, onProgress?: (done: number) => void, first = true, last = true): IngestOutcome {
    const { sql } = this.service;
    if (first) this.build = sql.tx(() => this.buildOf(payload.build));
    // between two slices of a task other requests run: if anything was written meanwhile (a test
    // or run created or deleted over REST), what this ingester found before may no longer hold
    else if (this.stampAfterSlice !== sql.stamp()) {
      this.forgetFound();
      // the build may have joined a pipeline run meanwhile (its events came in)
      if (this.build) this.build.pipelineRun = this.ci.pipelineRunOfBuild(this.build.id);
    }
    this.total += payload.runs.length;
    // one transaction per slice (a bad run rolls back alone, see ingestRuns); ids are reserved
    // for the slice (about three per run: the run, its history row, maybe its test). A slice is
    // one write: what hooks defer meanwhile (HookApi.defer) runs once, at its end.
    sql.tx(() => this.service.store.batch(Math.min(payload.runs.length * 3, 4096), () => this.service.write(() => this.ingestRuns(payload, onProgress))));
    this.stampAfterSlice = sql.stamp();
    if (last) {
      const o = this.outcome;
      o.status = o.runs_skipped === 0 ? 'success' : o.runs_skipped === this.total && this.total > 0 ? 'failed' : 'warning';
      this.log(`done: ${o.tests_created} tests created, ${o.tests_updated} updated; ${o.runs_created} runs created, ${o.runs_updated} updated; ${o.runs_skipped} skipped`);
    }
    return this.outcome;
  }

  /**
   * The runs of a slice. They are tried in one go, without a savepoint per run; when a run fails,
   * that attempt is rolled back and the slice is redone with a savepoint per run, so that the bad
   * run is skipped alone.
   */
  private ingestRuns(payload: ParsedTestResult, onProgress?: (done: number) => void): void {
    const { sql, store } = this.service;
    const before = { ...this.outcome, errors: [...this.outcome.errors] };
    const mark = store.idMark();
    this.pendingLog = [];
    try {
      sql.tx(() => {
        // every test first (through the entity service), then the runs, written many at a time
        const prepared = payload.runs.map((run) => this.prepareRun(run, payload.context));
        for (const p of prepared) this.writeRun(p, this.build);
        this.flushPending();
      });
      const lines = this.pendingLog;
      this.pendingLog = undefined;
      for (const line of lines) this.log(line);
      onProgress?.(payload.runs.length);
      return;
    } catch {
      this.pendingLog = undefined;
      this.dropPending();
      Object.assign(this.outcome, before);
      store.restoreIds(mark);
      this.forgetFound();
    }
    payload.runs.forEach((run, i) => {
      const runMark = store.idMark();
      const counts = { ...this.outcome, errors: this.outcome.errors };
      try {
        sql.tx(() => {
          this.writeRun(this.prepareRun(run, payload.context), this.build);
          this.flushPending();
        });
      } catch (e) {
        this.dropPending();
        // what the run's transaction counted (a test it created, say) was rolled back with it
        Object.assign(this.outcome, counts);
        store.restoreIds(runMark);
        const message = e instanceof Error ? e.message : String(e);
        this.outcome.runs_skipped++;
        this.outcome.errors.push(`test_run '${run.name}' (line ${run.line}): ${message}`);
        this.log(`error: test_run '${run.name}' (line ${run.line}) skipped: ${message}`);
        // a failed run may have left cached ids of rolled-back rows behind
        this.forgetFound();
      }
      onProgress?.(i + 1);
    });
  }
}
