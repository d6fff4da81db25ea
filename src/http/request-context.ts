// From an HTTP request to the service's RequestContext: the shared space and workspace of the URL
// (404 when they do not exist), the caller, the clock; and the technical-preview rule.

import type { FastifyRequest } from 'fastify';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import type { RequestContext } from '../resources/context.js';
import type { ResolvedEntity } from '../resources/registry.js';
import type { Level } from '../resources/types.js';
import { isIntegerText } from '../resources/values.js';
import { tableOf } from '../store/schema-sync.js';
import { accessOf, authorize } from '../auth/access.js';

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
  const access = accessOf(emulator, caller);
  const reading = request.method === 'GET' || request.method === 'HEAD';
  const op = reading ? 'read' : entity?.writeAccess === 'admin' ? 'admin' : 'write';
  const ctx: RequestContext = {
    sharedSpaceId: -1,
    workspaceId: null,
    userId: caller.principal.startsWith('user:') ? caller.userId : null,
    now: emulator.clock.now(),
    system: false,
    visible: { spaces: access.spaces(), workspaces: null },
    spaceAdmin: false,
    preview: sendsPreviewHeader(request),
  };
  if (level === 'site') {
    authorize(access, op, null, null);
    return ctx;
  }
  const sid = params.sid ?? '';
  if (!isIntegerText(sid) || !exists(emulator, 'shared_space', Number(sid))) throw errors.spaceNotFound(sid);
  ctx.sharedSpaceId = Number(sid);
  ctx.visible = { spaces: access.spaces(), workspaces: access.workspaces(ctx.sharedSpaceId) };
  ctx.spaceAdmin = access.isSpaceAdmin(ctx.sharedSpaceId);
  if (level === 'space') {
    authorize(access, op, ctx.sharedSpaceId, null);
    return ctx;
  }
  const wid = params.wid ?? '';
  if (wid === SHARED_SPACE_WORKSPACE && entity?.scope === 'inherit-space') {
    authorize(access, op, ctx.sharedSpaceId, null);
    return ctx;
  }
  if (!isIntegerText(wid) || !exists(emulator, 'workspace', Number(wid), ctx.sharedSpaceId)) throw errors.workspaceNotFound(wid);
  ctx.workspaceId = Number(wid);
  authorize(access, op, ctx.sharedSpaceId, ctx.workspaceId);
  return ctx;
}

function exists(emulator: Emulator, type: string, id: number, sharedSpaceId?: number): boolean {
  const { sql, registry } = emulator;
  let q = sql.qb.selectFrom(tableOf(registry.entity(type).store)).select('id').where('id', '=', id).where('type', '=', type);
  if (sharedSpaceId !== undefined) q = q.where('shared_space_id', '=', sharedSpaceId);
  return sql.get(q) !== undefined;
}

/**
 * Technical-preview resources answer only with the preview header: `ALM-OCTANE-TECH-PREVIEW: true`,
 * or the older forms `ALM_OCTANE_TECH_PREVIEW: true` and `HPECLIENTTYPE: HPE_REST_API_TECH_PREVIEW`
 * (also `ALM_OCTANE_TECH_PREVIEW` as HPECLIENTTYPE value, and the UI's own client type).
 */
export function sendsPreviewHeader(request: FastifyRequest): boolean {
  const h = request.headers;
  const flag = (v: string | string[] | undefined) => String(Array.isArray(v) ? v[0] : (v ?? '')).trim().toLowerCase() === 'true';
  if (flag(h['alm-octane-tech-preview']) || flag(h['alm_octane_tech_preview'])) return true;
  const clientType = String(h['hpeclienttype'] ?? '').trim().toUpperCase();
  return ['HPE_REST_API_TECH_PREVIEW', 'ALM_OCTANE_TECH_PREVIEW', 'HPE_MQM_UI'].includes(clientType);
}

export function checkPreview(entity: ResolvedEntity, request: FastifyRequest, name: string): void {
  if (!entity.preview || sendsPreviewHeader(request)) return;
  if (entity.preview === 'writes' && (request.method === 'GET' || request.method === 'HEAD')) return;
  throw errors.techPreviewRequired(name);
}
