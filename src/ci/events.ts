// CI events, as CI plugins send them (PUT .../analytics/ci/events with {server, events}): builds
// start and finish, pipelines run, commits arrive. They become the public entities ci_servers,
// ci_jobs, ci_build, pipelines, pipeline_run and scm_commit.
//
// A root job (a build nobody upstream caused) that no pipeline knows gets one, so that a plugin
// pointed at the emulator shows its builds without any set-up in a UI the emulator does not have.

import { errors } from '../errors/catalog.js';
import { parseQuery } from '../query/parser.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import type { ResolvedEntity } from '../resources/registry.js';
import { formatDateTime } from '../resources/values.js';
import { tableOf } from '../store/schema-sync.js';
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
  comment?: string;
  changes?: Array<{ type?: string; file?: string }>;
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
  causes?: Array<{ type?: string; project?: string; buildCiId?: string }>;
  scmData?: { repository?: { url?: string; branch?: string }; builtRevId?: string; commits?: ScmCommit[] };
}

const RESULTS: Record<string, string> = {
  success: 'success',
  failure: 'failure',
  unstable: 'unstable',
  aborted: 'aborted',
};

/** Work item ids a commit message mentions: "defect #1234", "user story #1234", "#1234". */
export function mentionedIds(message: string): number[] {
  const ids = new Set<number>();
  const re = /(?:defect|user story|story|quality story|feature|epic|US|QS|DF|D|S|F|E)?\s*#(\d{1,12})\b/gi;
  for (let m = re.exec(message); m; m = re.exec(message)) ids.add(Number(m[1]));
  return [...ids];
}

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

  private status(name: string): { type: string; id: number } | null {
    const id = this.ci.listNode(`list_node.pipeline_run_status.${name}`);
    return id === undefined ? null : { type: 'list_node', id };
  }

  private isRoot(event: CiEvent): boolean {
    return !(event.causes ?? []).some((c) => (c.type ?? '').toLowerCase() === 'upstream');
  }

  /** The pipeline of a root job, created on first sight. */
  private pipelineFor(server: CiServerInfo, serverId: number, jobId: number, event: CiEvent): number {
    const existing = this.ci.pipelineOfJob(jobId);
    if (existing !== undefined) return existing;
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

  private pipelineRunOf(buildId: number): number | undefined {
    const { sql } = this.service;
    return sql.get<{ pipeline_run: number | null }>(sql.qb.selectFrom(tableOf(this.entity('ci_build').store)).select('pipeline_run').where('id', '=', buildId))?.pipeline_run ?? undefined;
  }

  private commits(buildId: number, event: CiEvent): void {
    for (const c of event.scmData?.commits ?? []) {
      if (!c.revId) continue;
      const named = mentionedIds(c.comment ?? '');
      const mentioned = named.length ? this.service.ids(this.ctx, this.entity('work_item'), parseQuery(`id IN ${named.join(',')}`)) : [];
      const existing = this.ci.findBy('scm_commit', 'revision', c.revId);
      const values = {
        comment: c.comment?.slice(0, 255) ?? null,
        user: c.user ?? null,
        email: c.userEmail ?? null,
        commit_time: c.time ? formatDateTime(new Date(c.time)) : null,
      };
      if (existing === undefined) {
        this.service.createOne(this.ctx, this.entity('scm_commit'), {
          revision: c.revId,
          ...values,
          ci_build: { data: [{ type: 'ci_build', id: buildId }] },
          stories: { data: mentioned.map((id) => ({ type: 'work_item', id })) },
        });
      } else {
        const key = `${this.entity('scm_commit').store}.ci_build`;
        this.service.store.addLinks(key, existing, [buildId]);
      }
    }
  }

  process(server: CiServerInfo, event: CiEvent): void {
    if (!server.instanceId) throw errors.badRequest('The events need server.instanceId');
    if (!event.project) throw errors.badRequest('Each event needs a project (the job CI id)');
    const type = (event.eventType ?? '').toLowerCase();
    const serverId = this.ci.server(server.instanceId, { url: server.url, type: server.type });
    const jobId = this.ci.job(serverId, event.project, event.projectDisplayName);
    const root = this.isRoot(event);
    const pipeline = root ? this.pipelineFor(server, serverId, jobId, event) : undefined;
    if (!event.buildCiId) return;
    const start = event.startTime ? formatDateTime(new Date(event.startTime)) : formatDateTime(this.ctx.now);
    switch (type) {
      case 'queued':
      case 'started': {
        const build = this.ci.build(jobId, event.buildCiId, {
          name: String(event.number ?? event.buildCiId),
          build_number: event.number === undefined ? null : String(event.number),
          start_time: start,
          status: this.status(type === 'queued' ? 'queued' : 'running'),
        });
        if (root && pipeline !== undefined && this.pipelineRunOf(build.id) === undefined) {
          const run = this.service.createOne(this.ctx, this.entity('pipeline_run'), {
            name: `${event.projectDisplayName ?? event.project} #${event.number ?? event.buildCiId}`,
            pipeline: { type: 'pipeline', id: pipeline },
            status: this.status(type === 'queued' ? 'queued' : 'running'),
            start_time: start,
          });
          this.service.updateOne(this.ctx, this.entity('ci_build'), String(build.id), { pipeline_run: { type: 'pipeline_run', id: run } });
        }
        return;
      }
      case 'finished': {
        const result = RESULTS[(event.result ?? '').toLowerCase()] ?? 'unavailable';
        const end = formatDateTime(new Date((event.startTime ?? this.ctx.now.getTime()) + (event.duration ?? 0)));
        const build = this.ci.build(jobId, event.buildCiId, {
          name: String(event.number ?? event.buildCiId),
          start_time: start,
          end_time: end,
          duration: event.duration ?? null,
          status: this.status(result),
        });
        const run = this.pipelineRunOf(build.id);
        if (root && run !== undefined) {
          this.service.updateOne(this.ctx, this.entity('pipeline_run'), String(run), { status: this.status(result), end_time: end, duration: event.duration ?? null });
        }
        return;
      }
      case 'scm': {
        const build = this.ci.build(jobId, event.buildCiId, {});
        this.commits(build.id, event);
        return;
      }
      default:
        // other event types (delete, removed, ...) carry nothing the emulator keeps
        return;
    }
  }
}
