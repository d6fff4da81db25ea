// The life cycle of every entity with a phase: a new entity starts in its type's start phase
// unless one is given; a phase must belong to the entity's type; and a phase change must follow a
// transition of the workspace's workflow (400 platform.invalid_phase_transition otherwise).

import { errors } from '../../errors/catalog.js';
import { tableOf } from '../../store/schema-sync.js';
import type { EntityHooks, HookApi, RefValue } from '../hooks.js';

function phaseTable(api: HookApi): string {
  return tableOf(api.registry.entity('phase').store);
}

function startPhase(api: HookApi): RefValue | undefined {
  const { sql } = api.store;
  // within a write batch, asked once per workspace and type (until a phase is written)
  const memo = api.store.memo(api.registry.entity('phase').store, true);
  const key = `start|${api.ctx.workspaceId}|${api.entity.type}`;
  if (memo?.has(key)) return memo.get(key) as RefValue | undefined;
  const row = sql.get<{ id: number }>(
    sql.qb
      .selectFrom(phaseTable(api))
      .select('id')
      .where('workspace_id', '=', api.ctx.workspaceId)
      .where('entity', '=', api.entity.type)
      .where('is_start_phase', '=', 1)
      .orderBy('index')
      .orderBy('id')
      .limit(1),
  );
  const start = row ? { type: 'phase', id: row.id } : undefined;
  memo?.set(key, start);
  return start;
}

function phaseInfo(api: HookApi, id: number): { entity: string | null; logical_name: string | null; name: string | null } | undefined {
  const { sql } = api.store;
  const memo = api.store.memo(api.registry.entity('phase').store);
  const hit = memo?.get(`phase|${id}`) as ReturnType<typeof phaseInfo>;
  if (hit) return hit;
  const info = sql.get<{ entity: string | null; logical_name: string | null; name: string | null }>(
    sql.qb.selectFrom(phaseTable(api)).select(['entity', 'logical_name', 'name']).where('id', '=', id),
  );
  if (info) memo?.set(`phase|${id}`, info);
  return info;
}

function checkPhaseOf(api: HookApi, phase: RefValue): void {
  const info = phaseInfo(api, phase.id);
  if (info && info.entity !== api.entity.type) {
    throw errors.fieldValidation(api.entity.type, 'phase', `the phase '${info.logical_name ?? phase.id}' belongs to ${info.entity}, not to ${api.entity.type}`);
  }
}

function checkTransition(api: HookApi, from: number, to: number): void {
  const { sql } = api.store;
  const table = tableOf(api.registry.entity('transition').store);
  const scoped = sql.qb.selectFrom(table).where('workspace_id', '=', api.ctx.workspaceId).where('entity', '=', api.entity.type);
  // A workspace without a workflow for this type lets every move through.
  const any = sql.get(scoped.select('id').limit(1));
  if (!any) return;
  const allowed = sql.get(scoped.select('id').where('source_phase', '=', from).where('target_phase', '=', to).limit(1));
  if (allowed) return;
  const name = (id: number) => phaseInfo(api, id)?.logical_name ?? String(id);
  throw errors.invalidPhaseTransition(api.entity.type, name(from), name(to));
}

export const lifecycleHooks: EntityHooks = {
  beforeCreate(api, values) {
    const phase = values.phase as RefValue | null | undefined;
    if (phase === undefined || phase === null) {
      const start = startPhase(api);
      if (start) values.phase = start;
      return;
    }
    checkPhaseOf(api, phase);
  },
  beforeUpdate(api, current, changes) {
    const next = changes.phase as RefValue | null | undefined;
    if (!next) return;
    checkPhaseOf(api, next);
    const from = current.phase as number | null;
    if (from !== null && from !== next.id && !api.ctx.system) checkTransition(api, from, next.id);
  },
};

/** The logical name of a phase, for hooks that react to particular phases. */
export function phaseLogicalName(api: HookApi, id: number | null | undefined): string | undefined {
  if (id === null || id === undefined) return undefined;
  return phaseInfo(api, id)?.logical_name ?? undefined;
}
