// What a caller may do, from the workspace roles it holds: site admins and shared-space admins
// reach everything in their scope; other users reach the workspaces where they hold a role, and
// may write there unless their only role there is the viewer's.

import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import { tableOf } from '../store/schema-sync.js';
import type { Caller } from './authentication.js';

/** Roles that only read. Every other role writes (custom roles included). */
const READ_ONLY_ROLES = new Set(['role.workspace.viewer']);
export const SPACE_ADMIN_ROLE = 'role.shared.space.admin';
export const WORKSPACE_ADMIN_ROLE = 'role.workspace.admin';

interface Grant {
  sharedSpaceId: number;
  workspaceId: number | null;
  role: string;
}

export class Access {
  constructor(
    readonly siteAdmin: boolean,
    private readonly grants: Grant[],
  ) {}

  isSpaceAdmin(sharedSpaceId: number): boolean {
    return this.siteAdmin || this.grants.some((g) => g.sharedSpaceId === sharedSpaceId && g.role === SPACE_ADMIN_ROLE);
  }

  /** Workspaces of a space the caller may enter; null = all of them. */
  workspaces(sharedSpaceId: number): number[] | null {
    if (this.isSpaceAdmin(sharedSpaceId)) return null;
    return [...new Set(this.grants.filter((g) => g.sharedSpaceId === sharedSpaceId && g.workspaceId !== null).map((g) => g.workspaceId!))];
  }

  /** Shared spaces the caller belongs to; null = all of them. */
  spaces(): number[] | null {
    if (this.siteAdmin) return null;
    return [...new Set(this.grants.map((g) => g.sharedSpaceId))];
  }

  canEnterSpace(sharedSpaceId: number): boolean {
    return this.siteAdmin || this.grants.some((g) => g.sharedSpaceId === sharedSpaceId);
  }

  canRead(sharedSpaceId: number, workspaceId: number): boolean {
    return this.isSpaceAdmin(sharedSpaceId) || this.grants.some((g) => g.workspaceId === workspaceId);
  }

  /** Manages the workspace's users and settings. */
  isWorkspaceAdmin(sharedSpaceId: number, workspaceId: number): boolean {
    return this.isSpaceAdmin(sharedSpaceId) || this.grants.some((g) => g.workspaceId === workspaceId && g.role === WORKSPACE_ADMIN_ROLE);
  }

  canWrite(sharedSpaceId: number, workspaceId: number): boolean {
    return this.isSpaceAdmin(sharedSpaceId) || this.grants.some((g) => g.workspaceId === workspaceId && !READ_ONLY_ROLES.has(g.role));
  }
}

/** The grants of a caller (user or API key): its workspace roles with their workspaces. */
export function accessOf(emulator: Emulator, caller: Caller): Access {
  const { sql, registry } = emulator;
  const isKey = caller.principal.startsWith('api_key:');
  const holder = registry.entity(isKey ? 'api_access' : 'user');
  const wr = registry.entity('workspace_role');
  const role = registry.entity('role');
  const rows = sql.all<{ shared_space_id: number; workspace: number | null; logical_name: string | null }>(
    sql.qb
      .selectFrom('entity_link as l')
      .innerJoin(`${tableOf(wr.store)} as wr`, 'wr.id', 'l.dst_id')
      .innerJoin(`${tableOf(role.store)} as r`, 'r.id', 'wr.role')
      .select(['wr.shared_space_id', 'wr.workspace', 'r.logical_name'])
      .where('l.field', '=', `${holder.store}.workspace_roles`)
      .where('l.src_id', '=', caller.userId),
  );
  const siteAdmin = !isKey && sql.get(sql.qb.selectFrom('site_admin').select('user_id').where('user_id', '=', caller.userId)) !== undefined;
  return new Access(
    siteAdmin,
    rows.map((r) => ({ sharedSpaceId: r.shared_space_id, workspaceId: r.workspace, role: r.logical_name ?? '' })),
  );
}

/** `admin`: a write that only the workspace's (or space's) admins may make. */
export type Operation = 'read' | 'write' | 'admin';

/** 403 unless the caller may do `op` at this level of this space / workspace. */
export function authorize(access: Access, op: Operation, sharedSpaceId: number | null, workspaceId: number | null): void {
  if (workspaceId !== null && sharedSpaceId !== null) {
    if (!access.canRead(sharedSpaceId, workspaceId)) throw errors.forbidden(`You are not a member of workspace ${workspaceId}`, { workspace_id: workspaceId });
    if (op !== 'read' && !access.canWrite(sharedSpaceId, workspaceId)) {
      throw errors.forbidden(`Your role in workspace ${workspaceId} does not allow changes`, { workspace_id: workspaceId });
    }
    if (op === 'admin' && !access.isWorkspaceAdmin(sharedSpaceId, workspaceId)) {
      throw errors.forbidden(`Only an admin of workspace ${workspaceId} may do this`, { workspace_id: workspaceId });
    }
    return;
  }
  if (sharedSpaceId !== null) {
    if (!access.canEnterSpace(sharedSpaceId)) throw errors.forbidden(`You are not a member of shared space ${sharedSpaceId}`, { shared_space_id: sharedSpaceId });
    if (op !== 'read' && !access.isSpaceAdmin(sharedSpaceId)) {
      throw errors.forbidden(`Only a shared space admin may change shared space ${sharedSpaceId}`, { shared_space_id: sharedSpaceId });
    }
    return;
  }
  if (op !== 'read' && !access.siteAdmin) throw errors.forbidden('Only a site admin may change shared spaces');
}
