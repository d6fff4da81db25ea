// CI events, as CI plugins send them (PUT .../analytics/ci/events with {server, events}): builds
// start and finish, pipelines run, commits arrive. They become the public entities ci_servers,
// ci_jobs, ci_build, pipelines, pipeline_run and scm_commit.
//
// A root job (a build nobody upstream caused) that no pipeline knows gets one, so that a plugin
// pointed at the emulator shows its builds without any set-up in a UI the emulator does not have.
// A build caused upstream (a job of a phase, a downstream job) joins the pipeline run of the build
// that caused it, directly or through its causes' chain, and its job becomes a node of that
// pipeline under the node of the job that triggered it.

import { errors } from '../errors/catalog.js';
import { parseQuery } from '../query/parser.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import type { HookApi } from '../resources/hooks.js';
import type { ResolvedEntity } from '../resources/registry.js';
import { addPipelineJob, nodeOfJob } from '../resources/hooks/ci.js';
import { formatDateTime } from '../resources/values.js';
import { tableOf } from '../store/schema-sync.js';
import { mentionedItems } from './commit-mentions.js';
import { CiEntities } from './ingest.js';

export interface CiServerInfo {
  instanceId?: string;
  type?: string;
  url?: string;
  version?: string;
}

interface ScmCommit {
  time?: number;
  user?: string;
  userEmail?: string;
  revId?: string;
  parentRevId?: string;
  comment?: string;
  changes?: Array<{ type?: string; file?: string; renamedToFile?: string }>;
}

export interface CiEventCause {
  type?: string;
  user?: string;
  project?: string;
  buildCiId?: string;
  causes?: CiEventCause[];
}

export interface CiEvent {
  eventType?: string;
  buildCiId?: string;
  project?: string;
  projectDisplayName?: string;
  number?: string | number;
  startTime?: number;
  duration?: number;
  result?: string;
  causes?: CiEventCause[];
  parameters?: unknown[];
  /** the job's CI id before a `renamed` event */
  previousProject?: string;
  /** for a job run by another: in one of its phases (`internal`) or after it (`post`) */
  phaseType?: string;
  scmData?: { repository?: { type?: string; url?: string; branch?: string }; builtRevId?: string; commits?: ScmCommit[] };
}

const RESULTS: Record<string, string> = {
  success: 'success',
  failure: 'failure',
  unstable: 'unstable',
  aborted: 'aborted',
};

const MAX_CAUSE_DEPTH = 32;

export class CiEventProcessor {
  private readonly ci: CiEntities;

  constructor(
    private readonly service: EntityService,
    private readonly ctx: RequestContext,
  ) {
    this.ci = new CiEntities(service, ctx);
  }

  private entity(type: string): ResolvedEntity {
    return this.service.registry.entity(type);
  }

  /** The hooks' view of this processor's writes (pipelines, their jobs and nodes), as the pipeline's hooks get it. */
  private get api(): HookApi {
    return (this.hookApi ??= this.service.hookApi(this.ctx, this.entity('pipeline')));
  }

  private hookApi: HookApi | undefined;

  private status(name: string): { type: string; id: number } | null {
    const id = this.ci.listNode(`list_node.pipeline_run_status.${name}`);
    return id === undefined ? null : { type: 'list_node', id };
  }

  private upstreamCauses(event: CiEvent): CiEventCause[] {
    return (event.causes ?? []).filter((c) => c && typeof c === 'object' && (c.type ?? '').toLowerCase() === 'upstream');
  }

  private pipelineRootedAt(serverId: number, jobCiId: string): number | undefined {
    const { sql } = this.service;
    return sql.get<{ id: number }>(
      sql.qb
        .selectFrom(tableOf(this.entity('pipeline').store))
        .select('id')
        .where('workspace_id', '=', this.ctx.workspaceId)
        .where('ci_server', '=', serverId)
        .where('root_job_ci_id', '=', jobCiId)
        // the newest, as its root job is bound to it
        .orderBy('id', 'desc')
        .limit(1),
    )?.id;
  }

  /**
   * The pipeline a root build runs: the one rooted at its job; a job no pipeline knows gets one.
   * A job that is a step of another pipeline, built on its own, runs no pipeline.
   */
  private pipelineFor(server: CiServerInfo, serverId: number, jobId: number, event: CiEvent): number | undefined {
    const rooted = this.pipelineRootedAt(serverId, event.project!);
    if (rooted !== undefined) return rooted;
    if (this.ci.pipelineOfJob(jobId) !== undefined) return undefined;
    const { sql } = this.service;
    const table = tableOf(this.entity('pipeline').store);
    const base = event.projectDisplayName || event.project || 'pipeline';
    let name = base;
    for (let n = 2; sql.get(sql.qb.selectFrom(table).select('id').where('shared_space_id', '=', this.ctx.sharedSpaceId).where('name', '=', name)); n++) name = `${base} (${n})`;
    // the pipeline's hooks bind the job to it and give it its node
    return this.service.createOne(this.ctx, this.entity('pipeline'), {
      name,
      ci_server: { type: 'ci_server', id: serverId },
      server_ci_id: server.instanceId,
      root_job_ci_id: event.project,
      root_job_name: event.projectDisplayName ?? event.project,
      jobs: [{ name: event.projectDisplayName ?? event.project, jobCiId: event.project }],
    });
  }

  private buildRow(buildId: number): { pipeline_run: number | null } | undefined {
    const { sql } = this.service;
    return sql.get<{ pipeline_run: number | null }>(sql.qb.selectFrom(tableOf(this.entity('ci_build').store)).select('pipeline_run').where('id', '=', buildId));
  }

  private pipelineRunOf(buildId: number): number | undefined {
    return this.buildRow(buildId)?.pipeline_run ?? undefined;
  }

  private findJob(serverId: number, ciId: string): number | undefined {
    const { sql } = this.service;
    return sql.get<{ id: number }>(
      sql.qb.selectFrom(tableOf(this.entity('ci_job').store)).select('id').where('workspace_id', '=', this.ctx.workspaceId).where('ci_server', '=', serverId).where('ci_id', '=', ciId).limit(1),
    )?.id;
  }

  private findBuild(jobId: number, buildCiId: string): number | undefined {
    const { sql } = this.service;
    return sql.get<{ id: number }>(
      sql.qb.selectFrom(tableOf(this.entity('ci_build').store)).select('id').where('workspace_id', '=', this.ctx.workspaceId).where('ci_job', '=', jobId).where('build_ci_id', '=', buildCiId).limit(1),
    )?.id;
  }

  /**
   * The pipeline run an upstream-caused build belongs to: that of the nearest build in its causes'
   * chain that has one, with the job of the cause that directly triggered the build.
   */
  private upstreamRun(serverId: number, causes: CiEventCause[]): { run: number; parentJob: number | undefined } | undefined {
    const visit = (list: CiEventCause[], depth: number, direct: number | undefined): { run: number; parentJob: number | undefined } | undefined => {
      if (depth > MAX_CAUSE_DEPTH) return undefined;
      for (const cause of list) {
        if (!cause || typeof cause !== 'object' || (cause.type ?? '').toLowerCase() !== 'upstream' || !cause.project) continue;
        const job = this.findJob(serverId, cause.project);
        const parentJob = direct ?? job;
        const build = job !== undefined && cause.buildCiId ? this.findBuild(job, String(cause.buildCiId)) : undefined;
        const run = build === undefined ? undefined : this.pipelineRunOf(build);
        if (run !== undefined) return { run, parentJob };
        const deeper = visit(Array.isArray(cause.causes) ? cause.causes : [], depth + 1, parentJob);
        if (deeper) return deeper;
      }
      return undefined;
    };
    return visit(causes, 0, undefined);
  }

  /** A build of a sub-job joins its root's pipeline run; its job gets a node in that pipeline. */
  private joinUpstreamRun(serverId: number, jobId: number, buildId: number, event: CiEvent, name: string): void {
    const found = this.upstreamRun(serverId, this.upstreamCauses(event));
    if (!found) return;
    if (this.pipelineRunOf(buildId) !== found.run) {
      this.service.updateOne(this.ctx, this.entity('ci_build'), String(buildId), { pipeline_run: { type: 'pipeline_run', id: found.run } });
    }
    const { sql } = this.service;
    const pipeline = sql.get<{ pipeline: number | null }>(sql.qb.selectFrom(tableOf(this.entity('pipeline_run').store)).select('pipeline').where('id', '=', found.run))?.pipeline;
    if (pipeline === null || pipeline === undefined || nodeOfJob(this.api, pipeline, jobId) !== undefined) return;
    const rootJob = sql.get<{ root_job_ci_id: string | null; ci_server: number | null }>(
      sql.qb.selectFrom(tableOf(this.entity('pipeline').store)).select(['root_job_ci_id', 'ci_server']).where('id', '=', pipeline),
    );
    // under the node of the job that triggered it; else under the root job's node
    let parentNode = found.parentJob === undefined ? undefined : nodeOfJob(this.api, pipeline, found.parentJob);
    if (parentNode === undefined && rootJob?.root_job_ci_id) {
      const root = this.findJob(rootJob.ci_server ?? serverId, rootJob.root_job_ci_id);
      if (root !== undefined) parentNode = nodeOfJob(this.api, pipeline, root);
    }
    // the event says whether the job ran inside its parent's build or after it
    const phase = (event.phaseType ?? '').toLowerCase();
    addPipelineJob(this.api, pipeline, serverId, { ciId: event.project!, name, phaseType: phase === 'post' || phase === 'internal' ? phase : undefined }, parentNode);
  }

  private workspaceUserByEmail(email: string): number | undefined {
    const escaped = email.replace(/[\\^]/g, (c) => `\\${c}`);
    return this.service.ids(this.ctx, this.entity('workspace_user'), parseQuery(`email EQ ^${escaped}^`))[0];
  }

  /** The backlog items a message names, each only if it exists here with the type named. */
  private mentioned(message: string): number[] {
    const mentions = mentionedItems(message);
    if (!mentions.length) return [];
    const { sql } = this.service;
    const rows = sql.all<{ id: number; type: string }>(
      sql.qb
        .selectFrom(tableOf(this.entity('work_item').store))
        .select(['id', 'type'])
        .where('workspace_id', '=', this.ctx.workspaceId)
        .where(
          'id',
          'in',
          mentions.map((m) => m.id),
        ),
    );
    const typeOf = new Map(rows.map((r) => [r.id, r.type]));
    return [...new Set(mentions.filter((m) => typeOf.get(m.id) === m.type).map((m) => m.id))];
  }

  private commits(buildId: number, event: CiEvent): void {
    const scm = event.scmData;
    if (!scm || typeof scm !== 'object' || !Array.isArray(scm.commits)) return;
    const repo = scm.repository && typeof scm.repository === 'object' ? scm.repository : undefined;
    const repository = repo?.url ? { type: repo.type ?? null, url: repo.url, branch: repo.branch ?? null } : undefined;
    for (const c of scm.commits) {
      if (!c || typeof c !== 'object' || !c.revId) continue;
      const existing = this.ci.findBy('scm_commit', 'revision', c.revId);
      if (existing === undefined) {
        const message = typeof c.comment === 'string' ? c.comment : '';
        const changed = (Array.isArray(c.changes) ? c.changes : [])
          .filter((ch) => ch && typeof ch === 'object' && typeof ch.file === 'string' && ch.file !== '')
          .map((ch) => ({ type: typeof ch.type === 'string' ? ch.type.toLowerCase() : null, file: ch.file!, ...(ch.renamedToFile ? { renamed_to_file: ch.renamedToFile } : {}) }));
        const user = c.userEmail ? this.workspaceUserByEmail(c.userEmail) : undefined;
        this.service.createOne(this.ctx, this.entity('scm_commit'), {
          revision: c.revId,
          // Octane keeps the first 255 characters of a message
          comment: message ? message.slice(0, 255) : null,
          user: c.user ?? null,
          email: c.userEmail ?? null,
          workspace_user: user === undefined ? null : { type: 'workspace_user', id: user },
          commit_time: c.time ? formatDateTime(new Date(c.time)) : null,
          parent_revision: c.parentRevId ?? null,
          changed_files: changed,
          repositories: repository ? [repository] : [],
          ci_build: { data: [{ type: 'ci_build', id: buildId }] },
          stories: { data: this.mentioned(message).map((id) => ({ type: 'work_item', id })) },
        });
      } else {
        // the same commit reported by another build (or from another branch): one commit, more links
        this.service.store.addLinks(`${this.entity('scm_commit').store}.ci_build`, existing, [buildId]);
        if (repository) {
          const row = this.service.findRow(this.ctx, this.entity('scm_commit'), String(existing));
          const known = parseJsonList(row.repositories);
          if (!known.some((r) => r.url === repository.url && r.branch === repository.branch)) {
            this.service.updateOne(this.ctx, this.entity('scm_commit'), String(existing), { repositories: [...known, repository] });
          }
        }
      }
    }
  }

  private currentRelease(pipeline: number): { type: string; id: number } | null {
    const { sql } = this.service;
    const release = sql.get<{ current_release: number | null }>(sql.qb.selectFrom(tableOf(this.entity('pipeline').store)).select('current_release').where('id', '=', pipeline))?.current_release;
    return release === null || release === undefined ? null : { type: 'release', id: release };
  }

  /**
   * A job renamed on the CI server (`renamed`, with `previousProject`): the job keeps its builds
   * and pipelines under its new CI id and name.
   */
  private rename(serverId: number, event: CiEvent): void {
    if (!event.previousProject) throw errors.badRequest('A renamed event needs the previousProject it was renamed from');
    const jobId = this.findJob(serverId, event.previousProject);
    if (jobId === undefined) return;
    if (this.findJob(serverId, event.project!) !== undefined) throw errors.badRequest(`The CI server already has a job '${event.project}'`);
    this.service.updateOne(this.ctx, this.entity('ci_job'), String(jobId), { ci_id: event.project, name: event.projectDisplayName || event.project });
    const { sql } = this.service;
    const rooted = sql.all<{ id: number }>(
      sql.qb
        .selectFrom(tableOf(this.entity('pipeline').store))
        .select('id')
        .where('workspace_id', '=', this.ctx.workspaceId)
        .where('ci_server', '=', serverId)
        .where('root_job_ci_id', '=', event.previousProject),
    );
    for (const p of rooted) this.service.updateOne(this.ctx, this.entity('pipeline'), String(p.id), { root_job_ci_id: event.project });
    const nodes = sql.all<{ id: number }>(sql.qb.selectFrom(tableOf(this.entity('pipeline_node').store)).select('id').where('ci_job', '=', jobId));
    for (const n of nodes) this.service.updateOne(this.ctx, this.entity('pipeline_node'), String(n.id), { name: event.projectDisplayName || event.project });
  }

  /**
   * Processes one event as one write: what the hooks of the entities it writes defer
   * (HookApi.defer) runs once, at its end.
   */
  process(rawServer: CiServerInfo, rawEvent: CiEvent): void {
    this.service.write(() => this.processNow(rawServer, rawEvent));
  }

  private processNow(rawServer: CiServerInfo, rawEvent: CiEvent): void {
    const server = checkedServer(rawServer);
    const event = checkedEvent(rawEvent);
    if (!server.instanceId) throw errors.badRequest('The events need server.instanceId');
    if (!event.project) throw errors.badRequest('Each event needs a project (the job CI id)');
    const type = (event.eventType ?? '').toLowerCase();
    const serverId = this.ci.server(server.instanceId, { url: server.url, type: server.type });
    if (type === 'renamed') {
      this.rename(serverId, event);
      return;
    }
    const displayName = event.projectDisplayName || event.project;
    const jobId = this.ci.job(serverId, event.project, event.projectDisplayName);
    const root = this.upstreamCauses(event).length === 0;
    const pipeline = root ? this.pipelineFor(server, serverId, jobId, event) : undefined;
    if (!event.buildCiId) return;
    const buildCiId = String(event.buildCiId);
    const start = event.startTime ? formatDateTime(new Date(event.startTime)) : formatDateTime(this.ctx.now);
    const reported: Record<string, unknown> = {};
    if (Array.isArray(event.parameters)) reported.parameters = event.parameters;
    // the causes as the CI sent them (checked above)
    if (Array.isArray(event.causes)) reported.causes = (rawEvent as { causes?: unknown }).causes;
    let buildId: number;
    switch (type) {
      case 'queued':
      case 'started': {
        const state = type === 'queued' ? 'queued' : 'running';
        buildId = this.ci.build(jobId, buildCiId, {
          name: String(event.number ?? buildCiId),
          build_number: event.number === undefined ? null : String(event.number),
          start_time: start,
          status: this.status(state),
          ...reported,
        }).id;
        if (pipeline !== undefined && this.pipelineRunOf(buildId) === undefined) {
          const run = this.service.createOne(this.ctx, this.entity('pipeline_run'), {
            name: `${displayName} #${event.number ?? buildCiId}`,
            pipeline: { type: 'pipeline', id: pipeline },
            // a run is of the release its pipeline is set to when it starts
            release: this.currentRelease(pipeline),
            status: this.status(state),
            start_time: start,
          });
          this.service.updateOne(this.ctx, this.entity('ci_build'), String(buildId), { pipeline_run: { type: 'pipeline_run', id: run } });
        }
        break;
      }
      case 'finished': {
        const result = RESULTS[(event.result ?? '').toLowerCase()] ?? 'unavailable';
        const end = formatDateTime(new Date((event.startTime ?? this.ctx.now.getTime()) + (event.duration ?? 0)));
        buildId = this.ci.build(jobId, buildCiId, {
          name: String(event.number ?? buildCiId),
          start_time: start,
          end_time: end,
          duration: event.duration ?? null,
          status: this.status(result),
          ...reported,
        }).id;
        const run = this.pipelineRunOf(buildId);
        if (root && run !== undefined) {
          this.service.updateOne(this.ctx, this.entity('pipeline_run'), String(run), { status: this.status(result), end_time: end, duration: event.duration ?? null });
        }
        break;
      }
      case 'scm':
        buildId = this.ci.build(jobId, buildCiId, {}).id;
        break;
      default:
        // other event types (delete, removed, renamed, ...) carry nothing the emulator keeps
        return;
    }
    if (!root) this.joinUpstreamRun(serverId, jobId, buildId, event, displayName);
    // the SCM data usually comes in its own event; some plugins send it with the start
    this.commits(buildId, event);
  }
}

function parseJsonList(v: unknown): Array<Record<string, unknown>> {
  if (typeof v !== 'string') return Array.isArray(v) ? (v as Array<Record<string, unknown>>) : [];
  try {
    const parsed = JSON.parse(v);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

// ---- checking what the plugins send: a value of the wrong JSON type is a 400, never a crash ----

/** A value CI sends as text; numbers are taken as their text. */
function text(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw errors.badRequest(`${what} must be text`);
}

/** Milliseconds since the epoch (times) or a duration, within what a date can hold. */
function millis(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 8.64e15) return v;
  throw errors.badRequest(`${what} must be a number of milliseconds`);
}

function list(v: unknown, what: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw errors.badRequest(`${what} must be a list`);
  return v;
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw errors.badRequest(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/** The server part of an events body, its values checked. */
export function checkedServer(raw: unknown): CiServerInfo {
  const s = object(raw, 'The server');
  return { instanceId: text(s.instanceId, 'server.instanceId'), type: text(s.type, 'server.type'), url: text(s.url, 'server.url'), version: text(s.version, 'server.version') };
}

function checkedCauses(raw: unknown, depth: number): CiEventCause[] | undefined {
  const causes = list(raw, 'The causes of an event');
  if (!causes) return undefined;
  if (depth > MAX_CAUSE_DEPTH) return [];
  return causes.map((c) => {
    const cause = object(c, 'Each cause');
    return {
      ...cause,
      type: text(cause.type, 'cause.type'),
      user: text(cause.user, 'cause.user'),
      project: text(cause.project, 'cause.project'),
      buildCiId: text(cause.buildCiId, 'cause.buildCiId'),
      causes: checkedCauses(cause.causes, depth + 1) ?? [],
    };
  });
}

/** One event of an events body, its values checked (numbers where text is expected become text). */
export function checkedEvent(raw: unknown): CiEvent {
  const e = object(raw, 'Each event');
  const scm = e.scmData === undefined || e.scmData === null ? undefined : object(e.scmData, 'scmData');
  const repo = scm?.repository === undefined || scm?.repository === null ? undefined : object(scm.repository, 'scmData.repository');
  const commits = list(scm?.commits, 'scmData.commits')?.map((c) => {
    const commit = object(c, 'Each commit');
    return {
      time: millis(commit.time, 'commit.time'),
      user: text(commit.user, 'commit.user'),
      userEmail: text(commit.userEmail, 'commit.userEmail'),
      revId: text(commit.revId, 'commit.revId'),
      parentRevId: text(commit.parentRevId, 'commit.parentRevId'),
      comment: text(commit.comment, 'commit.comment'),
      changes: list(commit.changes, 'commit.changes')?.map((ch) => {
        const change = object(ch, 'Each change');
        return { type: text(change.type, 'change.type'), file: text(change.file, 'change.file'), renamedToFile: text(change.renamedToFile, 'change.renamedToFile') };
      }),
    };
  });
  return {
    eventType: text(e.eventType, 'eventType'),
    buildCiId: text(e.buildCiId, 'buildCiId'),
    project: text(e.project, 'project'),
    projectDisplayName: text(e.projectDisplayName, 'projectDisplayName'),
    previousProject: text(e.previousProject, 'previousProject'),
    number: text(e.number, 'number'),
    startTime: millis(e.startTime, 'startTime'),
    duration: millis(e.duration, 'duration'),
    result: text(e.result, 'result'),
    phaseType: text(e.phaseType, 'phaseType'),
    causes: checkedCauses(e.causes, 0),
    parameters: list(e.parameters, 'parameters'),
    scmData: scm ? { repository: repo ? { type: text(repo.type, 'repository.type'), url: text(repo.url, 'repository.url'), branch: text(repo.branch, 'repository.branch') } : undefined, builtRevId: text(scm.builtRevId, 'builtRevId'), commits } : undefined,
  };
}
