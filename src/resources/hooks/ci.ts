// CI entities created over REST: a CI server gets an instance id when the caller gives none (the
// id CI plugins identify themselves with later) and the type "unknown"; a pipeline is bound to the
// CI server its server_ci_id names, and its jobs become ci_jobs of that server.

import { randomUUID } from 'node:crypto';
import { errors } from '../../errors/catalog.js';
import { tableOf } from '../../store/schema-sync.js';
import type { EntityHooks, HookApi, RefValue } from '../hooks.js';

export const ciServerHooks: EntityHooks = {
  beforeCreate(_api, values) {
    if (typeof values.instance_id !== 'string' || values.instance_id.trim() === '') values.instance_id = randomUUID();
    if (values.server_type === undefined || values.server_type === null || values.server_type === '') values.server_type = 'unknown';
  },
};

/**
 * A build that joins a pipeline run (a sub-job's build joining the root's run, often after its
 * tests were reported) takes the runs reported for it along: their pipeline_run follows the build's.
 */
export const ciBuildHooks: EntityHooks = {
  afterUpdate(api, id, current, changes) {
    if (changes.pipeline_run === undefined) return;
    const next = (changes.pipeline_run as RefValue | null)?.id ?? null;
    if (next === (current.pipeline_run ?? null)) return;
    const { sql } = api.store;
    const runs = tableOf(api.registry.entity('run').store);
    sql.prepared('buildRunsPipelineRun', (p) => sql.qb.updateTable(runs).set({ pipeline_run: p('run') }).where('build', '=', p('build'))).run({ run: next, build: id });
  },
};

function serverByInstanceId(api: HookApi, instanceId: string): number | undefined {
  const { sql } = api.store;
  return sql.get<{ id: number }>(
    sql.qb
      .selectFrom(tableOf(api.registry.entity('ci_server').store))
      .select('id')
      .where('workspace_id', '=', api.ctx.workspaceId)
      .where('instance_id', '=', instanceId)
      .limit(1),
  )?.id;
}

/** A job of a pipeline's structure, with its place in the tree. */
export interface PipelineJob {
  ciId: string;
  name: string;
  /** the CI id of the job whose phase runs this one; none for the root job */
  parentCiId?: string;
  phaseName?: string;
  phaseType?: 'internal' | 'post';
}

const MAX_DEPTH = 64;

function jobCiIdOf(j: Record<string, unknown>): unknown {
  return j.jobCiId ?? j.job_ci_id ?? j.ci_id;
}

/**
 * The jobs of a pipeline, parents before children. `jobs` is a list of jobs; each may carry the
 * CI plugins' structure below it: `phasesInternal` / `phasesPostBuild`, lists of phases
 * `{name, blocking, jobs:[…]}` whose jobs nest the same way. A top-level job other than the root
 * is a child of the root job. A job that appears twice keeps its first place.
 */
export function jobsOf(values: Record<string, unknown>): PipelineJob[] {
  const raw = values.jobs;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : undefined;
  if (!list) throw errors.fieldValidation('pipeline', 'jobs', 'expected a list of jobs such as [{"name":"build","jobCiId":"build"}]');
  const root = typeof values.root_job_ci_id === 'string' ? values.root_job_ci_id : undefined;
  const out: PipelineJob[] = [];
  const seen = new Set<string>();
  const walk = (spec: unknown, parent: Omit<PipelineJob, 'ciId' | 'name'>, depth: number): void => {
    if (depth > MAX_DEPTH) throw errors.fieldValidation('pipeline', 'jobs', `the structure nests deeper than ${MAX_DEPTH} levels`);
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw errors.fieldValidation('pipeline', 'jobs', 'each job must be an object such as {"name":"build","jobCiId":"build"}');
    const j = spec as Record<string, unknown>;
    const ciId = jobCiIdOf(j);
    if (typeof ciId !== 'string' || ciId === '') throw errors.fieldValidation('pipeline', 'jobs', 'each job needs its jobCiId');
    if (!seen.has(ciId)) {
      seen.add(ciId);
      out.push({ ciId, name: typeof j.name === 'string' && j.name ? j.name : ciId, ...parent });
    }
    for (const [key, phaseType] of [
      ['phasesInternal', 'internal'],
      ['phasesPostBuild', 'post'],
    ] as const) {
      const phases = j[key];
      if (phases === undefined || phases === null) continue;
      if (!Array.isArray(phases)) throw errors.fieldValidation('pipeline', 'jobs', `${key} of job '${ciId}' must be a list of phases`);
      for (const phase of phases as Array<Record<string, unknown>>) {
        const jobs = phase?.jobs ?? [];
        if (!Array.isArray(jobs)) throw errors.fieldValidation('pipeline', 'jobs', `the jobs of a phase of job '${ciId}' must be a list`);
        const phaseName = typeof phase.name === 'string' ? phase.name : undefined;
        for (const child of jobs) walk(child, { parentCiId: ciId, phaseName, phaseType }, depth + 1);
      }
    }
  };
  // the root job first, so that every other job finds its parent already placed
  const ordered = [...list].sort((a, b) => Number(jobCiIdOf(b as Record<string, unknown>) === root) - Number(jobCiIdOf(a as Record<string, unknown>) === root));
  for (const spec of ordered) {
    const isRoot = spec && typeof spec === 'object' && jobCiIdOf(spec as Record<string, unknown>) === root;
    walk(spec, isRoot || root === undefined ? {} : { parentCiId: root }, 0);
  }
  return out;
}

export const pipelineHooks: EntityHooks = {
  beforeCreate(api, values) {
    // the required fields first, so that a missing one is reported as missing
    for (const required of ['name', 'server_ci_id', 'root_job_ci_id', 'jobs']) {
      const v = values[required];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) throw errors.missingRequiredField('pipeline', required);
    }
    const instanceId = values.server_ci_id as string;
    const server = serverByInstanceId(api, instanceId);
    if (server === undefined) throw errors.fieldValidation('pipeline', 'server_ci_id', `no CI server with instance id '${instanceId}' in this workspace`);
    const given = values.ci_server as RefValue | null | undefined;
    if (given && given.id !== server) throw errors.fieldValidation('pipeline', 'ci_server', 'ci_server and server_ci_id name different CI servers');
    values.ci_server = { type: 'ci_server', id: server };
    const jobs = jobsOf(values);
    if (!jobs.some((j) => j.ciId === values.root_job_ci_id)) {
      throw errors.fieldValidation('pipeline', 'jobs', `the jobs must include the root job '${String(values.root_job_ci_id)}'`);
    }
    if (values.root_job_name === undefined || values.root_job_name === null) values.root_job_name = jobs.find((j) => j.ciId === values.root_job_ci_id)!.name;
  },
  afterCreate(api, id, values) {
    const server = (values.ci_server as RefValue).id;
    const nodes = new Map<string, number>();
    for (const job of jobsOf(values)) {
      const parent = job.parentCiId === undefined ? undefined : nodes.get(job.parentCiId);
      nodes.set(job.ciId, addPipelineJob(api, id, server, job, parent).node);
    }
  },
};

/**
 * A job of a pipeline: its ci_job (found or created, and bound to the pipeline unless another one
 * holds it) and the pipeline node that shows it, under the node of its parent job.
 */
export function addPipelineJob(
  api: Pick<HookApi, 'ctx' | 'registry' | 'service' | 'store'>,
  pipeline: number,
  server: number,
  job: Pick<PipelineJob, 'ciId' | 'name' | 'phaseName' | 'phaseType'>,
  parentNode: number | undefined,
): { job: number; node: number } {
  const { sql } = api.store;
  const system = { ...api.ctx, system: true };
  const jobs = tableOf(api.registry.entity('ci_job').store);
  const existing = sql.get<{ id: number; pipeline: number | null }>(
    sql.qb.selectFrom(jobs).select(['id', 'pipeline']).where('workspace_id', '=', api.ctx.workspaceId).where('ci_server', '=', server).where('ci_id', '=', job.ciId).limit(1),
  );
  let jobId: number;
  if (existing) {
    jobId = existing.id;
    // a root job belongs to the newest pipeline it roots; a step shared by pipelines stays with
    // the first one (the new pipeline still gets its node)
    if (existing.pipeline === null || parentNode === undefined) api.service.updateOne(system, api.registry.entity('ci_job'), String(jobId), { pipeline: { type: 'pipeline', id: pipeline } });
  } else {
    jobId = api.service.createOne(system, api.registry.entity('ci_job'), { name: job.name, ci_id: job.ciId, ci_server: { type: 'ci_server', id: server }, pipeline: { type: 'pipeline', id: pipeline } });
  }
  const nodes = tableOf(api.registry.entity('pipeline_node').store);
  const node = sql.get<{ id: number }>(sql.qb.selectFrom(nodes).select('id').where('pipeline_root_node', '=', pipeline).where('ci_job', '=', jobId).limit(1));
  if (node) return { job: jobId, node: node.id };
  const id = api.service.createOne(system, api.registry.entity('pipeline_node'), {
    name: job.name,
    pipeline_root_node: { type: 'pipeline', id: pipeline },
    ci_job: { type: 'ci_job', id: jobId },
    parent: parentNode === undefined ? null : { type: 'pipeline_node', id: parentNode },
    phase_name: job.phaseName ?? null,
    phase_type: job.phaseType ?? null,
    is_hidden: false,
    is_manual: false,
  });
  return { job: jobId, node: id };
}

/** The pipeline node of a job in a pipeline, if the pipeline has one. */
export function nodeOfJob(api: Pick<HookApi, 'registry' | 'store'>, pipeline: number, jobId: number): number | undefined {
  const { sql } = api.store;
  const nodes = tableOf(api.registry.entity('pipeline_node').store);
  return sql.get<{ id: number }>(sql.qb.selectFrom(nodes).select('id').where('pipeline_root_node', '=', pipeline).where('ci_job', '=', jobId).limit(1))?.id;
}
