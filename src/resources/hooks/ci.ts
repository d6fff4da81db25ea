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

interface JobSpec {
  name?: unknown;
  jobCiId?: unknown;
  job_ci_id?: unknown;
  ci_id?: unknown;
}

function jobsOf(values: Record<string, unknown>): Array<{ ciId: string; name: string }> {
  const raw = values.jobs;
  if (!Array.isArray(raw)) throw errors.fieldValidation('pipeline', 'jobs', 'expected a list of jobs such as [{"name":"build","jobCiId":"build"}]');
  return raw.map((j: JobSpec) => {
    const ciId = j?.jobCiId ?? j?.job_ci_id ?? j?.ci_id;
    if (typeof ciId !== 'string' || ciId === '') throw errors.fieldValidation('pipeline', 'jobs', 'each job needs its jobCiId');
    return { ciId, name: typeof j.name === 'string' && j.name ? j.name : ciId };
  });
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
    for (const job of jobsOf(values)) addPipelineJob(api, id, server, job.ciId, job.name);
  },
};

/** A job of a pipeline: its ci_job (found or created) and the pipeline node that shows it. */
export function addPipelineJob(api: HookApi, pipeline: number, server: number, ciId: string, name: string): number {
  const { sql } = api.store;
  const system = { ...api.ctx, system: true };
  const jobs = tableOf(api.registry.entity('ci_job').store);
  const existing = sql.get<{ id: number }>(sql.qb.selectFrom(jobs).select('id').where('workspace_id', '=', api.ctx.workspaceId).where('ci_server', '=', server).where('ci_id', '=', ciId).limit(1));
  let job: number;
  if (existing) {
    job = existing.id;
    api.service.updateOne(system, api.registry.entity('ci_job'), String(job), { pipeline: { type: 'pipeline', id: pipeline } });
  } else {
    job = api.service.createOne(system, api.registry.entity('ci_job'), { name, ci_id: ciId, ci_server: { type: 'ci_server', id: server }, pipeline: { type: 'pipeline', id: pipeline } });
  }
  const nodes = tableOf(api.registry.entity('pipeline_node').store);
  const node = sql.get(sql.qb.selectFrom(nodes).select('id').where('pipeline_root_node', '=', pipeline).where('ci_job', '=', job).limit(1));
  if (!node) {
    api.service.createOne(system, api.registry.entity('pipeline_node'), {
      name,
      pipeline_root_node: { type: 'pipeline', id: pipeline },
      ci_job: { type: 'ci_job', id: job },
      is_hidden: false,
      is_manual: false,
    });
  }
  return job;
}
