// CI endpoints: the public test-results singleton of a workspace (push, task status, task log,
// XSD), the technical-preview `coverage` and `logs` of builds, and the internal API CI plugins
// call under /internal-api/shared_spaces/{sid}/analytics/ci/.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkedEvent, checkedServer, CiEventProcessor, type CiEvent, type CiServerInfo } from '../ci/events.js';
import { artifact, COVERAGE_TYPES, listArtifacts, storeArtifact, type ArtifactKind } from '../ci/artifacts.js';
import { CiEntities } from '../ci/ingest.js';
import type { BuildContext } from '../ci/test-results-xml.js';
import { TEST_RESULTS_XSD } from '../ci/test-results-xsd.js';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import { OCTANE_VERSION } from './admin-routes.js';
import type { RequestContext } from '../resources/context.js';
import { isIntegerText } from '../resources/values.js';
import { tableOf } from '../store/schema-sync.js';
import { requestContext, sendsPreviewHeader } from './request-context.js';

const WS = '/api/shared_spaces/:sid/workspaces/:wid';
const INTERNAL = '/internal-api/shared_spaces/:sid/analytics/ci';
const ALL = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

type Query = Record<string, string | string[] | undefined>;

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function only(request: FastifyRequest, allowed: string[]): void {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (!allowed.includes(method)) throw errors.methodNotAllowed(request.method, allowed);
}

function xmlBody(request: FastifyRequest): string {
  const body = request.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  throw errors.unsupportedMediaType(String(request.headers['content-type'] ?? ''));
}

function skipErrors(q: Query): boolean {
  const v = one(q, 'skip-errors') ?? one(q, 'skip_errors');
  if (v === undefined || v === '') return false;
  if (!/^(true|false)$/i.test(v)) throw errors.badRequest(`The parameter 'skip-errors' must be true or false, got '${v}'`, { parameter: 'skip-errors' });
  return v.toLowerCase() === 'true';
}

/** A system context for CI writes in a workspace, acting for the caller. */
function ciContext(ctx: RequestContext, workspaceId: number): RequestContext {
  return { ...ctx, workspaceId, system: true };
}

/**
 * The workspaces a CI plugin's data goes to: those whose pipelines or jobs know this CI server
 * and job; else those that know the server; else the shared space's first workspace.
 */
function ciWorkspaces(emulator: Emulator, sharedSpaceId: number, instanceId: string | undefined, jobCiId: string | undefined): number[] {
  const { sql, registry } = emulator;
  const servers = tableOf(registry.entity('ci_server').store);
  const jobs = tableOf(registry.entity('ci_job').store);
  if (instanceId) {
    if (jobCiId) {
      const withJob = sql.all<{ w: number }>(
        sql.qb
          .selectFrom(`${jobs} as j`)
          .innerJoin(`${servers} as s`, 's.id', 'j.ci_server')
          .select('j.workspace_id as w')
          .distinct()
          .where('s.shared_space_id', '=', sharedSpaceId)
          .where('s.instance_id', '=', instanceId)
          .where('j.ci_id', '=', jobCiId),
      );
      if (withJob.length) return withJob.map((r) => r.w);
    }
    const withServer = sql.all<{ w: number }>(sql.qb.selectFrom(servers).select('workspace_id as w').distinct().where('shared_space_id', '=', sharedSpaceId).where('instance_id', '=', instanceId));
    if (withServer.length) return withServer.map((r) => r.w);
  }
  const first = sql.get<{ id: number }>(sql.qb.selectFrom(tableOf(registry.entity('workspace').store)).select('id').where('shared_space_id', '=', sharedSpaceId).orderBy('id').limit(1));
  return first ? [first.id] : [];
}

/** The build an artifact belongs to: `build=<ci_build id>` or the CI identities of the build. */
function artifactBuild(emulator: Emulator, ctx: RequestContext, q: Query): number {
  const build = one(q, 'build') ?? one(q, 'build-id');
  if (build !== undefined) {
    if (!isIntegerText(build)) throw errors.badRequest(`The parameter 'build' must be the id of a ci_build`);
    emulator.service.findRow(ctx, emulator.registry.entity('ci_build'), build);
    return Number(build);
  }
  const server = one(q, 'ci-server-identity');
  const job = one(q, 'ci-job-id');
  const buildCi = one(q, 'ci-build-id');
  if (!server || !job || !buildCi) {
    throw errors.badRequest("Name the build: 'build=<ci_build id>', or 'ci-server-identity', 'ci-job-id' and 'ci-build-id'");
  }
  return emulator.sql.tx(() => {
    const ci = new CiEntities(emulator.service, ciContext(ctx, ctx.workspaceId!));
    const serverId = ci.server(server);
    const jobId = ci.job(serverId, job);
    return ci.build(jobId, buildCi).id;
  });
}

function artifactRoutes(app: FastifyInstance, emulator: Emulator, name: string, kind: ArtifactKind): void {
  const upload = (request: FastifyRequest, ctx: RequestContext) => {
    const q = request.query as Query;
    const body = request.body;
    const content = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body, 'utf8') : undefined;
    if (!content || content.length === 0) throw errors.badRequest(`The ${kind} content is missing`);
    let fileType: string | undefined;
    if (kind === 'coverage') {
      fileType = (one(q, 'file-type') ?? one(q, 'file_type') ?? '').toUpperCase();
      if (!(COVERAGE_TYPES as readonly string[]).includes(fileType)) throw errors.badRequest(`The parameter 'file-type' must be one of ${COVERAGE_TYPES.join(', ')}`, { parameter: 'file-type' });
    }
    const buildId = artifactBuild(emulator, ctx, q);
    return storeArtifact(emulator.service, ctx, { kind, buildId, fileType, name: one(q, 'name'), content });
  };
  const preview = (request: FastifyRequest) => {
    if (!sendsPreviewHeader(request)) throw errors.techPreviewRequired(name);
  };
  app.route({
    method: [...ALL],
    url: `${WS}/${name}`,
    handler: async (request, reply) => {
      const ctx = requestContext(emulator, request, 'workspace');
      preview(request);
      only(request, ['GET', 'POST', 'PUT']);
      if (request.method === 'GET' || request.method === 'HEAD') {
        const build = one(request.query as Query, 'build');
        if (build !== undefined && !isIntegerText(build)) throw errors.badRequest("The parameter 'build' must be the id of a ci_build");
        return listArtifacts(emulator.service, ctx, kind, build === undefined ? undefined : Number(build));
      }
      return reply.code(201).send(upload(request, ctx));
    },
  });
  app.route({
    method: [...ALL],
    url: `${WS}/${name}/:id`,
    handler: async (request, reply) => {
      const ctx = requestContext(emulator, request, 'workspace');
      preview(request);
      only(request, ['GET']);
      const row = artifact(emulator.service, ctx, kind, (request.params as { id: string }).id);
      const type = kind === 'log' ? 'text/plain; charset=utf-8' : row.file_type === 'LCOV' ? 'text/plain; charset=utf-8' : 'application/xml';
      return reply.header('content-type', type).send(row.content);
    },
  });
}

/** The workspace a pipeline context names; it must be one of the shared space's. */
function contextWorkspace(emulator: Emulator, sharedSpaceId: number, value: unknown): number {
  const text = value === undefined || value === null ? '' : String(value);
  if (!isIntegerText(text)) throw errors.badRequest("The pipeline context needs the 'workspaceId' of a workspace of this shared space");
  const { sql, registry } = emulator;
  const found = sql.get(sql.qb.selectFrom(tableOf(registry.entity('workspace').store)).select('id').where('id', '=', Number(text)).where('shared_space_id', '=', sharedSpaceId));
  if (!found) throw errors.workspaceNotFound(text);
  return Number(text);
}

/** releaseId / milestoneId of a pipeline context as the pipeline's fields; -1 or null clears them. */
function contextReleaseFields(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field, type] of [
    ['releaseId', 'current_release', 'release'],
    ['milestoneId', 'current_milestone', 'milestone'],
  ] as const) {
    if (!(key in body)) continue;
    const v = body[key];
    out[field] = v === null || v === -1 || v === '-1' ? null : { type, id: String(v) };
  }
  return out;
}

/** The pipelines a job roots or is a node of, on one CI server, as the plugins' PipelineContext. */
function pipelineContexts(emulator: Emulator, sharedSpaceId: number, instanceId: string, jobCiId: string): Array<Record<string, unknown>> {
  const { sql, registry } = emulator;
  const pipelines = tableOf(registry.entity('pipeline').store);
  const rows = sql.all<{ id: number; name: string; workspace_id: number; current_release: number | null; current_milestone: number | null; root_job_ci_id: string | null }>(
    sql.qb
      .selectFrom(`${pipelines} as p`)
      .select(['p.id', 'p.name', 'p.workspace_id', 'p.current_release', 'p.current_milestone', 'p.root_job_ci_id'])
      .where('p.shared_space_id', '=', sharedSpaceId)
      .where('p.server_ci_id', '=', instanceId)
      .where((eb) =>
        eb.or([
          eb('p.root_job_ci_id', '=', jobCiId),
          eb(
            'p.id',
            'in',
            eb
              .selectFrom(`${tableOf(registry.entity('pipeline_node').store)} as n`)
              .innerJoin(`${tableOf(registry.entity('ci_job').store)} as j`, 'j.id', 'n.ci_job')
              .select('n.pipeline_root_node')
              .where('j.ci_id', '=', jobCiId),
          ),
        ]),
      )
      .orderBy('p.id'),
  );
  return rows.map((r) => ({
    contextEntityType: 'pipeline',
    contextEntityId: r.id,
    contextEntityName: r.name,
    workspaceId: r.workspace_id,
    releaseId: r.current_release,
    milestoneId: r.current_milestone,
    pipelineRoot: r.root_job_ci_id === jobCiId,
    ignoreTests: false,
    taxonomies: [],
    listFields: {},
  }));
}

export function registerCiRoutes(app: FastifyInstance, emulator: Emulator): void {
  const tasks = emulator.testResults;

  // ---- public: the test-results singleton ------------------------------------------------------------
  app.route({
    method: [...ALL],
    url: `${WS}/test-results`,
    handler: async (request, reply) => {
      only(request, ['POST']);
      const ctx = requestContext(emulator, request, 'workspace');
      const answer = tasks.submit(ctx, xmlBody(request), skipErrors(request.query as Query));
      return reply.code(202).send(answer);
    },
  });
  app.route({
    method: [...ALL],
    url: `${WS}/test-results/xsd`,
    handler: async (request, reply) => {
      only(request, ['GET']);
      requestContext(emulator, request, 'workspace');
      return reply.header('content-type', 'application/xml; charset=utf-8').send(TEST_RESULTS_XSD);
    },
  });
  app.route({
    method: [...ALL],
    url: `${WS}/test-results/:id`,
    handler: async (request) => {
      only(request, ['GET']);
      const ctx = requestContext(emulator, request, 'workspace');
      return tasks.status(ctx, (request.params as { id: string }).id);
    },
  });
  app.route({
    method: [...ALL],
    url: `${WS}/test-results/:id/log`,
    handler: async (request, reply) => {
      only(request, ['GET']);
      const ctx = requestContext(emulator, request, 'workspace');
      return reply.header('content-type', 'text/plain; charset=utf-8').send(tasks.logOf(ctx, (request.params as { id: string }).id));
    },
  });

  // ---- technical preview: coverage reports and build logs -------------------------------------------
  artifactRoutes(app, emulator, 'coverage', 'coverage');
  artifactRoutes(app, emulator, 'logs', 'log');

  // ---- internal API of the CI plugins -------------------------------------------------------------
  const internal = (path: string, methods: string[], handler: (request: FastifyRequest, reply: FastifyReply, ctx: RequestContext) => unknown) =>
    app.route({
      method: [...ALL],
      url: `${INTERNAL}${path}`,
      handler: async (request, reply) => {
        only(request, methods);
        const ctx = requestContext(emulator, request, 'space');
        return handler(request, reply, ctx);
      },
    });

  internal('/servers/connectivity/status', ['GET'], () => ({ supportedSdkVersion: '2.0.0', octaneVersion: OCTANE_VERSION }));

  // Plugins long-poll for tasks to run on their CI server; the emulator has none to give.
  internal('/servers/:instanceId/tasks', ['GET'], async (_request, reply) => {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, emulator.config.ciTaskPollMs);
      emulator.onClose(() => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    return reply.code(204).send();
  });

  internal('/servers/:instanceId/pipeline-roots', ['GET'], (request, _reply, ctx) => {
    const { instanceId } = request.params as { instanceId: string };
    const { sql, registry } = emulator;
    const rows = sql.all<{ root: string | null }>(
      sql.qb
        .selectFrom(`${tableOf(registry.entity('pipeline').store)} as p`)
        .select('p.root_job_ci_id as root')
        .distinct()
        .where('p.shared_space_id', '=', ctx.sharedSpaceId)
        .where('p.server_ci_id', '=', instanceId),
    );
    return rows.map((r) => r.root).filter((r): r is string => Boolean(r));
  });

  // Before pushing a build's test results, the CI plugins ask whether the server wants them: only
  // for a job that belongs to a pipeline (the plain text `true` or `false`). The job id may come
  // base64-encoded (`isBase64=true`); `rootJobId` names the pipeline's root job when the job is a
  // step inside it.
  internal('/servers/:instanceId/jobs/:jobId/tests-result-preflight', ['GET'], (request, reply, ctx) => {
    const { instanceId, jobId } = request.params as { instanceId: string; jobId: string };
    const query = request.query as { isBase64?: string; rootJobId?: string };
    const decode = (id: string) => (query.isBase64 === 'true' ? Buffer.from(id, 'base64').toString('utf8') : id);
    const { sql, registry } = emulator;
    const inPipeline = (ciId: string) =>
      sql.get(
        sql.qb
          .selectFrom(`${tableOf(registry.entity('ci_job').store)} as j`)
          .innerJoin(`${tableOf(registry.entity('ci_server').store)} as s`, 's.id', 'j.ci_server')
          .select('j.id')
          .where('j.shared_space_id', '=', ctx.sharedSpaceId)
          .where('s.instance_id', '=', instanceId)
          .where('j.ci_id', '=', ciId)
          .where('j.pipeline', 'is not', null)
          .limit(1),
      ) !== undefined;
    const wanted = inPipeline(decode(jobId)) || (query.rootJobId !== undefined && inPipeline(decode(query.rootJobId)));
    return reply.type('text/plain').send(String(wanted));
  });

  // A job's pipeline configuration, as the CI plugins read and write it from the CI server's UI
  // (PipelineContext DTOs): GET lists the pipelines the job roots or takes part in, across the
  // workspaces of the space; POST creates a pipeline rooted at the job from the structure the
  // plugin reports (201); PUT renames it or changes its release and milestone (200).
  internal('/servers/:instanceId/jobs/:jobId/configuration', ['GET', 'POST', 'PUT'], (request, reply, ctx) => {
    const { instanceId, jobId } = request.params as { instanceId: string; jobId: string };
    if (request.method === 'GET' || request.method === 'HEAD') return { data: pipelineContexts(emulator, ctx.sharedSpaceId, instanceId, jobId) };
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Expected a pipeline context {"contextEntityName":…,"workspaceId":…}');
    if (request.method === 'POST') {
      const ws = contextWorkspace(emulator, ctx.sharedSpaceId, body.workspaceId);
      const wctx = ciContext(ctx, ws);
      emulator.sql.tx(() => {
        const server = body.server === undefined || body.server === null ? {} : checkedServer(body.server);
        const serverId = new CiEntities(emulator.service, wctx).server(instanceId, { url: server.url, type: server.type });
        const structure = body.structure && typeof body.structure === 'object' ? (body.structure as Record<string, unknown>) : { jobCiId: jobId, name: jobId };
        emulator.service.createOne(wctx, emulator.registry.entity('pipeline'), {
          ...(body.contextEntityName === undefined ? {} : { name: body.contextEntityName }),
          ci_server: { type: 'ci_server', id: serverId },
          server_ci_id: instanceId,
          root_job_ci_id: jobId,
          jobs: [{ ...structure, jobCiId: structure.jobCiId ?? jobId }],
          ...contextReleaseFields(body),
        });
      });
      return reply.code(201).send({ data: pipelineContexts(emulator, ctx.sharedSpaceId, instanceId, jobId) });
    }
    const items = Array.isArray(body.data) ? (body.data as Array<Record<string, unknown>>) : [body];
    emulator.sql.tx(() => {
      for (const item of items) {
        if (!item || typeof item !== 'object') throw errors.badRequest('Each pipeline context must be an object');
        const ws = contextWorkspace(emulator, ctx.sharedSpaceId, item.workspaceId);
        const id = item.contextEntityId;
        if (typeof id !== 'number' && !(typeof id === 'string' && isIntegerText(id))) throw errors.badRequest("A pipeline context to update needs its 'contextEntityId'");
        const changes: Record<string, unknown> = { ...contextReleaseFields(item) };
        if (typeof item.contextEntityName === 'string') changes.name = item.contextEntityName;
        emulator.service.updateOne(ciContext(ctx, ws), emulator.registry.entity('pipeline'), String(id), changes);
      }
    });
    return { data: pipelineContexts(emulator, ctx.sharedSpaceId, instanceId, jobId) };
  });

  // Before pushing a build's log, the CI plugins ask which workspaces want it: those where the job
  // belongs to a pipeline of that server (a JSON list of workspace ids as text).
  internal('/servers/:instanceId/jobs/:jobId/workspaceId', ['GET'], (request, _reply, ctx) => {
    const { instanceId, jobId } = request.params as { instanceId: string; jobId: string };
    const job = one(request.query as Query, 'isBase64') === 'true' ? Buffer.from(jobId, 'base64').toString('utf8') : jobId;
    const { sql, registry } = emulator;
    const rows = sql.all<{ w: number }>(
      sql.qb
        .selectFrom(`${tableOf(registry.entity('ci_job').store)} as j`)
        .innerJoin(`${tableOf(registry.entity('ci_server').store)} as s`, 's.id', 'j.ci_server')
        .select('j.workspace_id as w')
        .distinct()
        .where('j.shared_space_id', '=', ctx.sharedSpaceId)
        .where('s.instance_id', '=', instanceId)
        .where('j.ci_id', '=', job)
        .where('j.pipeline', 'is not', null)
        .orderBy('j.workspace_id'),
    );
    return rows.map((r) => String(r.w));
  });

  // The log of a build, pushed to each workspace the preflight above named (200).
  app.route({
    method: [...ALL],
    url: '/internal-api/shared_spaces/:sid/workspaces/:wid/analytics/ci/:instanceId/:jobId/:buildId/logs',
    handler: async (request, reply) => {
      only(request, ['POST', 'PUT']);
      const ctx = requestContext(emulator, request, 'workspace');
      const { instanceId, jobId, buildId } = request.params as { instanceId: string; jobId: string; buildId: string };
      const body = request.body;
      const content = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.alloc(0);
      const stored = emulator.sql.tx(() => {
        const ci = new CiEntities(emulator.service, ciContext(ctx, ctx.workspaceId!));
        const build = ci.build(ci.job(ci.server(instanceId), jobId), buildId).id;
        return storeArtifact(emulator.service, ctx, { kind: 'log', buildId: build, content });
      });
      return reply.code(200).send(stored);
    },
  });

  internal('/events', ['PUT', 'POST'], (request, reply, ctx) => {
    const body = request.body as { server?: CiServerInfo; events?: CiEvent[] } | undefined;
    if (!body || typeof body !== 'object' || !Array.isArray(body.events) || !body.server || typeof body.server !== 'object') {
      throw errors.badRequest('Expected {"server":{"instanceId":…},"events":[…]}');
    }
    const server = checkedServer(body.server);
    emulator.sql.tx(() => {
      for (const event of body.events!) {
        // checked before its project routes it to workspaces
        const { project } = checkedEvent(event);
        for (const ws of ciWorkspaces(emulator, ctx.sharedSpaceId, server.instanceId, project)) {
          new CiEventProcessor(emulator.service, ciContext(ctx, ws)).process(server, event);
        }
      }
    });
    return reply.code(200).send();
  });

  // SCM data of a build through the REST API the CI plugins use with current Octane versions
  // instead of an `scm` event: PUT /api/shared_spaces/{sid}/scm-commits?instance-id=…&job-ci-id=…
  // &build-ci-id=… with the build's SCM data (repository, builtRevId, commits) as the body; the job
  // id may come base64-encoded (isBase64=true). Processed as the `scm` event would be.
  app.route({
    method: [...ALL],
    url: '/api/shared_spaces/:sid/scm-commits',
    handler: async (request, reply) => {
      only(request, ['PUT', 'POST']);
      const ctx = requestContext(emulator, request, 'space');
      const q = request.query as Query;
      const instanceId = one(q, 'instance-id');
      const rawJob = one(q, 'job-ci-id');
      const buildCiId = one(q, 'build-ci-id');
      if (!instanceId || !rawJob || !buildCiId) throw errors.badRequest("Name the build: 'instance-id', 'job-ci-id' and 'build-ci-id'");
      const jobCiId = one(q, 'isBase64') === 'true' ? Buffer.from(rawJob, 'base64').toString('utf8') : rawJob;
      const body = request.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Expected the SCM data {"repository":…,"commits":[…]}');
      const event = checkedEvent({ eventType: 'scm', project: jobCiId, buildCiId, number: buildCiId, causes: [{ type: 'scm' }], scmData: body });
      emulator.sql.tx(() => {
        for (const ws of ciWorkspaces(emulator, ctx.sharedSpaceId, instanceId, jobCiId)) {
          new CiEventProcessor(emulator.service, ciContext(ctx, ws)).process({ instanceId }, event);
        }
      });
      return reply.code(200).send();
    },
  });

  internal('/test-results', ['POST'], (request, reply, ctx) => {
    const q = request.query as Query;
    const build: BuildContext = { serverId: one(q, 'instance-id'), jobId: one(q, 'job-ci-id'), buildId: one(q, 'build-ci-id') };
    const xml = xmlBody(request);
    const answers = ciWorkspaces(emulator, ctx.sharedSpaceId, build.serverId, build.jobId).map((ws) =>
      tasks.submit({ ...ctx, workspaceId: ws }, xml, skipErrors(q), build.serverId && build.jobId && build.buildId ? build : undefined),
    );
    return reply.code(202).send(answers[0] ?? { status: 'failed', id: null });
  });

  for (const [path, kind] of [
    ['/coverage', 'coverage'],
    ['/logs', 'log'],
  ] as const) {
    internal(path, ['PUT', 'POST'], (request, reply, ctx) => {
      const q = request.query as Query;
      const workspaces = ciWorkspaces(emulator, ctx.sharedSpaceId, one(q, 'ci-server-identity'), one(q, 'ci-job-id'));
      const body = request.body;
      const content = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body, 'utf8') : undefined;
      if (!content || content.length === 0) throw errors.badRequest(`The ${kind} content is missing`);
      const fileType = kind === 'coverage' ? (one(q, 'file-type') ?? '').toUpperCase() : undefined;
      if (kind === 'coverage' && !(COVERAGE_TYPES as readonly string[]).includes(fileType!)) throw errors.badRequest(`The parameter 'file-type' must be one of ${COVERAGE_TYPES.join(', ')}`);
      const stored = workspaces.map((ws) => {
        const wctx = { ...ctx, workspaceId: ws };
        return storeArtifact(emulator.service, wctx, { kind, buildId: artifactBuild(emulator, wctx, q), fileType, content });
      });
      return reply.code(201).send({ total_count: stored.length, data: stored });
    });
  }
}
