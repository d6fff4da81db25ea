// Test-results tasks: a push is checked, stored (compressed) and answered 202 at once; a worker
// then ingests queued tasks in the background, a slice of runs at a time so the server keeps
// answering. Tasks live in the database: one accepted before a crash is processed after restart.
// A payload already pushed to the same workspace is recognised by its hash and not processed again.

import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { errors } from '../errors/catalog.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import { formatDateTime } from '../resources/values.js';
import { TestResultsIngester, type IngestOutcome } from './ingest.js';
import { parseTestResults, type BuildContext, type ParsedTestResult } from './test-results-xml.js';

export type TaskStatus = 'queued' | 'running' | 'success' | 'warning' | 'failed';

interface TaskRow {
  id: number;
  shared_space_id: number;
  workspace_id: number | null;
  hash: string;
  status: TaskStatus;
  skip_errors: number;
  context: string | null;
  payload: Buffer;
  user_id: number | null;
  received_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: string | null;
  log: string | null;
}

/** Runs ingested per slice before the worker yields to other requests. */
const SLICE = 250;

export class TestResultTasks {
  private busy = false;
  private closed = false;
  /** payloads parsed at submission, so the worker need not parse them again */
  private readonly parsed = new Map<number, ParsedTestResult>();
  private wakeups = 0;
  /** resolves when the queue is empty (tests and shutdown wait on it) */
  private idle: Array<() => void> = [];

  constructor(
    private readonly service: EntityService,
    private readonly now: () => Date,
    private readonly log?: Logger,
  ) {}

  private get sql() {
    return this.service.sql;
  }

  /** Accepts a payload: 400 if it is not valid, else 202 with the task (or the earlier one). */
  submit(ctx: RequestContext, xml: string, skipErrors: boolean, build?: BuildContext): Record<string, unknown> {
    if (ctx.workspaceId === null) throw errors.badRequest('Test results are pushed to a workspace');
    // the same bytes with the same build context and skip-errors are the same push
    const hash = createHash('sha256').update(JSON.stringify({ build: build ?? null, skipErrors })).update('\u0000').update(xml).digest('hex');
    const earlier = this.sql.get<TaskRow>(
      this.sql.qb
        .selectFrom('test_result_task')
        .selectAll()
        .where('shared_space_id', '=', ctx.sharedSpaceId)
        .where('workspace_id', '=', ctx.workspaceId)
        .where('hash', '=', hash)
        .orderBy('id', 'desc')
        .limit(1),
    );
    if (earlier) {
      return { fromOlderPush: 'true', id: earlier.id, until: earlier.finished_at ?? earlier.received_at, status: earlier.status.toUpperCase() };
    }
    const parsed = parseTestResults(xml);
    const id = this.service.store.allocateIds(1)[0];
    this.sql.run(
      this.sql.qb.insertInto('test_result_task').values({
        id,
        shared_space_id: ctx.sharedSpaceId,
        workspace_id: ctx.workspaceId,
        hash,
        status: 'queued',
        skip_errors: skipErrors ? 1 : 0,
        context: build ? JSON.stringify(build) : null,
        // kept to take the task up again after a restart; the fastest level: it is on the request
        payload: gzipSync(Buffer.from(xml, 'utf8'), { level: 1 }),
        user_id: ctx.userId,
        received_at: formatDateTime(ctx.now),
      }),
    );
    this.parsed.set(id, parsed);
    this.schedule();
    return { status: 'queued', id };
  }

  /** A task as its status and log show it: clients poll it, so the payload is not read. */
  private row(ctx: RequestContext, idText: string, withLog = false): Omit<TaskRow, 'payload' | 'hash' | 'context' | 'user_id'> {
    const columns = ['id', 'shared_space_id', 'workspace_id', 'status', 'skip_errors', 'received_at', 'started_at', 'finished_at', 'result', ...(withLog ? ['log'] : [])];
    const row = /^\d{1,15}$/.test(idText)
      ? this.sql.get<TaskRow>(
          this.sql.qb.selectFrom('test_result_task').select(columns).where('id', '=', Number(idText)).where('shared_space_id', '=', ctx.sharedSpaceId).where('workspace_id', '=', ctx.workspaceId),
        )
      : undefined;
    if (!row) throw errors.entityNotFound('test_result_task', idText);
    return row;
  }

  /** The task's status, counts and errors. */
  status(ctx: RequestContext, idText: string): Record<string, unknown> {
    const row = this.row(ctx, idText);
    const result = row.result ? (JSON.parse(row.result) as IngestOutcome) : undefined;
    return {
      id: row.id,
      status: row.status,
      received: row.received_at,
      started: row.started_at,
      until: row.finished_at,
      skip_errors: row.skip_errors === 1,
      tests_created: result?.tests_created ?? 0,
      tests_updated: result?.tests_updated ?? 0,
      runs_created: result?.runs_created ?? 0,
      runs_updated: result?.runs_updated ?? 0,
      runs_skipped: result?.runs_skipped ?? 0,
      errors: result?.errors ?? [],
      errorDetails: result?.errors.length ? result.errors.join('\n') : null,
    };
  }

  /** The task's processing log, as text. */
  logOf(ctx: RequestContext, idText: string): string {
    return this.row(ctx, idText, true).log ?? '';
  }

  /** Tasks interrupted by a stop are taken up again. */
  resume(): void {
    this.sql.run(this.sql.qb.updateTable('test_result_task').set({ status: 'queued', started_at: null }).where('status', '=', 'running'));
    this.schedule();
  }

  /** Resolves once every queued task has been processed. */
  drained(): Promise<void> {
    if (!this.busy && !this.next()) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops what the worker holds in memory (the tasks were replaced by a snapshot restore). */
  forget(): void {
    this.parsed.clear();
  }

  close(): void {
    this.closed = true;
    for (const r of this.idle.splice(0)) r();
  }

  private next(): TaskRow | undefined {
    return this.sql.get<TaskRow>(this.sql.qb.selectFrom('test_result_task').selectAll().where('status', '=', 'queued').orderBy('id').limit(1));
  }

  private schedule(): void {
    if (this.busy || this.closed) return;
    this.busy = true;
    this.wakeups++;
    setImmediate(() => this.work());
  }

  /** Processes the oldest queued task, a slice of runs per turn of the event loop. */
  private work(): void {
    if (this.closed) return;
    const task = this.next();
    if (!task) {
      this.busy = false;
      for (const r of this.idle.splice(0)) r();
      return;
    }
    const lines: string[] = [];
    const log = (line: string) => lines.push(`${formatDateTime(this.now())} ${line}`);
    const started = formatDateTime(this.now());
    this.sql.run(this.sql.qb.updateTable('test_result_task').set({ status: 'running', started_at: started }).where('id', '=', task.id));
    this.checkpointLess(true);
    const ctx: RequestContext = { sharedSpaceId: task.shared_space_id, workspaceId: task.workspace_id, userId: task.user_id, now: this.now(), system: true };
    let outcome: IngestOutcome;
    let payload;
    try {
      payload = this.parsed.get(task.id) ?? parseTestResults(gunzipSync(task.payload).toString('utf8'));
      this.parsed.delete(task.id);
      if (task.context) payload.build = { ...payload.build, ...(JSON.parse(task.context) as BuildContext) };
    } catch (e) {
      this.finish(task.id, { status: 'failed', tests_created: 0, tests_updated: 0, runs_created: 0, runs_updated: 0, runs_skipped: 0, errors: [(e as Error).message] }, lines);
      setImmediate(() => this.work());
      return;
    }
    log(`task ${task.id}: ${payload.runs.length} test runs, skip-errors ${task.skip_errors === 1}`);
    const ingester = new TestResultsIngester(this.service, ctx, task.skip_errors === 1, log);
    const runs = payload.runs;
    let offset = 0;
    const slice = () => {
      if (this.closed) return;
      try {
        outcome = ingester.ingest({ ...payload, runs: runs.slice(offset, offset + SLICE) }, undefined, offset === 0, offset + SLICE >= runs.length);
      } catch (e) {
        this.log?.error({ err: e, task: task.id }, 'test results task failed');
        this.finish(task.id, { status: 'failed', tests_created: 0, tests_updated: 0, runs_created: 0, runs_updated: 0, runs_skipped: runs.length, errors: [(e as Error).message] }, lines);
        setImmediate(() => this.work());
        return;
      }
      offset += SLICE;
      if (offset < runs.length) {
        setImmediate(slice);
        return;
      }
      this.finish(task.id, outcome, lines);
      setImmediate(() => this.work());
    };
    slice();
  }

  private finish(id: number, outcome: IngestOutcome, lines: string[]): void {
    this.sql.run(
      this.sql.qb
        .updateTable('test_result_task')
        .set({ status: outcome.status, finished_at: formatDateTime(this.now()), result: JSON.stringify(outcome), log: lines.join('\n') })
        .where('id', '=', id),
    );
    this.checkpointLess(false);
  }

  /**
   * While a task ingests, the WAL is checkpointed every 10,000 pages instead of 1,000: its slices
   * rewrite the same index pages one after the other, and a checkpoint copies each page once
   * however often it was written since the last one (a push of 10,000 runs to a test history of
   * 500,000 rows: 1.6× the time of the first push with checkpoints every 1,000 pages). When the
   * task is done the WAL is checkpointed and the usual interval comes back, so that reads do not
   * go through a large WAL (the cross-filter's slowest requests did).
   */
  private checkpointLess(ingesting: boolean): void {
    if (this.closed) return;
    const db = this.sql.sqlite;
    db.pragma(`wal_autocheckpoint = ${ingesting ? 10000 : 1000}`);
    if (!ingesting) db.pragma('wal_checkpoint(PASSIVE)');
  }
}
