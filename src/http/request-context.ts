// From an HTTP request to the service's RequestContext: the shared space and workspace of the URL
// (404 when they do not exist), the caller, the clock; and the technical-preview rule.

import type { FastifyRequest } from 'fastify';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import type { Caller } from '../auth/authentication.js';
import type { RequestContext } from '../resources/context.js';
import type { ResolvedEntity } from '../resources/registry.js';
import type { Level } from '../resources/types.js';
import { isIntegerText } from '../resources/values.js';
import { tableOf } from '../store/schema-sync.js';
import { accessOf, authorize, type Access } from '../auth/access.js';

interface ScopeParams {
  sid?: string;
  wid?: string;
}

/**
 * The context of an API request at `level`: the space and workspace of the URL must exist (404)
 * and the caller must be allowed there (403: not a member, or a read-only role for a write).
 */
/**
 * Workspace 500 in a URL is the shared space's internal workspace: entities that a space shares
 * with all its workspaces (user-defined fields) are created and read there.
 */
export const SHARED_SPACE_WORKSPACE = '500';

export function requestContext(emulator: Emulator, request: FastifyRequest, level: Level, entity?: ResolvedEntity): RequestContext {
  const params = request.params as ScopeParams;
  const caller = request.caller;
  if (!caller) throw errors.authenticationFailed();
  const tenancy = tenancyOf(emulator);
  const grants = tenancy.grantsOf(caller);
  const access = grants.access;
  const reading = request.method === 'GET' || request.method === 'HEAD';
  const op = reading ? 'read' : entity?.writeAccess === 'admin' ? 'admin' : 'write';
  const ctx: RequestContext = {
    sharedSpaceId: -1,
    workspaceId: null,
    userId: caller.principal.startsWith('user:') ? caller.userId : null,
    now: emulator.clock.now(),
    system: false,
    visible: { spaces: grants.spaces, workspaces: null },
    spaceAdmin: false,
    preview: sendsPreviewHeader(request),
  };
  if (level === 'site') {
    authorize(access, op, null, null);
    return ctx;
  }
  const sid = params.sid ?? '';
  if (!isIntegerText(sid) || !tenancy.exists('shared_space', Number(sid))) throw errors.spaceNotFound(sid);
  ctx.sharedSpaceId = Number(sid);
  const inSpace = grants.inSpace(ctx.sharedSpaceId);
  ctx.visible = { spaces: grants.spaces, workspaces: inSpace.workspaces };
  ctx.spaceAdmin = inSpace.spaceAdmin;
  if (level === 'space') {
    authorize(access, op, ctx.sharedSpaceId, null);
    return ctx;
  }
  const wid = params.wid ?? '';
  if (wid === SHARED_SPACE_WORKSPACE && entity?.scope === 'inherit-space') {
    authorize(access, op, ctx.sharedSpaceId, null);
    return ctx;
  }
  if (!isIntegerText(wid) || !tenancy.exists('workspace', Number(wid), ctx.sharedSpaceId)) throw errors.workspaceNotFound(wid);
  ctx.workspaceId = Number(wid);
  authorize(access, op, ctx.sharedSpaceId, ctx.workspaceId);
  return ctx;
}

/** A caller's grants and what the request context derives from them (read-only: shared by requests). */
class Grants {
  readonly spaces: number[] | null;
  private readonly spaceAnswers = new Map<number, { workspaces: number[] | null; spaceAdmin: boolean }>();

  constructor(readonly access: Access) {
    this.spaces = access.spaces();
  }

  inSpace(sharedSpaceId: number): { workspaces: number[] | null; spaceAdmin: boolean } {
    let a = this.spaceAnswers.get(sharedSpaceId);
    if (!a) {
      a = { workspaces: this.access.workspaces(sharedSpaceId), spaceAdmin: this.access.isSpaceAdmin(sharedSpaceId) };
      this.spaceAnswers.set(sharedSpaceId, a);
    }
    return a;
  }
}

/**
 * The tenancy answers of requests (the caller's roles, whether a space or workspace exists), kept
 * while the data stays the same (Sql.stamp: any write, a restore, a commit by another connection),
 * per emulator.
 */
class Tenancy {
  /** principal -> user id -> grants (no key string built per request) */
  private readonly grants = new Map<string, Map<number, Grants>>();
  /** type -> id -> shared space (-1: any) -> found */
  private readonly found = new Map<string, Map<number, Map<number, boolean>>>();

  constructor(
    private readonly emulator: Emulator,
    readonly stamp: string,
  ) {}

  grantsOf(caller: Caller): Grants {
    let byUser = this.grants.get(caller.principal);
    if (!byUser) this.grants.set(caller.principal, (byUser = new Map()));
    let g = byUser.get(caller.userId);
    if (!g) {
      g = new Grants(accessOf(this.emulator, caller));
      byUser.set(caller.userId, g);
    }
    return g;
  }

  exists(type: 'shared_space' | 'workspace', id: number, sharedSpaceId?: number): boolean {
    let byId = this.found.get(type);
    if (!byId) this.found.set(type, (byId = new Map()));
    let bySpace = byId.get(id);
    if (!bySpace) byId.set(id, (bySpace = new Map()));
    let found = bySpace.get(sharedSpaceId ?? -1);
    if (found === undefined) {
      found = exists(this.emulator, type, id, sharedSpaceId);
      bySpace.set(sharedSpaceId ?? -1, found);
    }
    return found;
  }
}

const tenancies = new WeakMap<Emulator, Tenancy>();

function tenancyOf(emulator: Emulator): Tenancy {
  const { sql } = emulator;
  // inside a transaction the answers could be rolled back: read them afresh, keep nothing
  if (sql.sqlite.inTransaction) return new Tenancy(emulator, '');
  const stamp = sql.stamp();
  let tenancy = tenancies.get(emulator);
  if (!tenancy || tenancy.stamp !== stamp) {
    tenancy = new Tenancy(emulator, stamp);
    tenancies.set(emulator, tenancy);
  }
  return tenancy;
}

function exists(emulator: Emulator, type: string, id: number, sharedSpaceId?: number): boolean {
  const { sql, registry } = emulator;
  const table = tableOf(registry.entity(type).store);
  const inSpace = sharedSpaceId !== undefined;
  const q = sql.prepared(`exists:${type}:${inSpace}`, (p) => {
    const base = sql.qb.selectFrom(table).select('id').where('id', '=', p('id')).where('type', '=', type);
    return inSpace ? base.where('shared_space_id', '=', p('space')) : base;
  });
  return q.get({ id, space: sharedSpaceId ?? null }) !== undefined;
}

/**
 * Technical-preview resources answer only with the preview header: `ALM-OCTANE-TECH-PREVIEW: true`,
 * or the older forms `ALM_OCTANE_TECH_PREVIEW: true` and `HPECLIENTTYPE: HPE_REST_API_TECH_PREVIEW`
 * (also `ALM_OCTANE_TECH_PREVIEW` as HPECLIENTTYPE value, and the UI's own client type).
 */
export function sendsPreviewHeader(request: FastifyRequest): boolean {
  const h = request.headers;
  if (isTrueHeader(h['alm-octane-tech-preview']) || isTrueHeader(h['alm_octane_tech_preview'])) return true;
  const clientType = h['hpeclienttype'];
  return clientType !== undefined && PREVIEW_CLIENT_TYPES.has(String(clientType).trim().toUpperCase());
}

const PREVIEW_CLIENT_TYPES = new Set(['HPE_REST_API_TECH_PREVIEW', 'ALM_OCTANE_TECH_PREVIEW', 'HPE_MQM_UI']);

function isTrueHeader(v: string | string[] | undefined): boolean {
  return v !== undefined && String(Array.isArray(v) ? v[0] : v).trim().toLowerCase() === 'true';
}

export function checkPreview(entity: ResolvedEntity, request: FastifyRequest, name: string): void {
  if (!entity.preview || sendsPreviewHeader(request)) return;
  if (entity.preview === 'writes' && (request.method === 'GET' || request.method === 'HEAD')) return;
  throw errors.techPreviewRequired(name);
}
