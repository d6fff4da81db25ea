// Fills a workspace with realistic planning data, fast: reference data (releases, sprints, users,
// teams) through the entity service, the bulk (defects) straight through the store's bulk insert.

import type { Emulator } from '../../src/emulator.js';
import type { RequestContext } from '../../src/resources/context.js';
import { formatDateTime } from '../../src/resources/values.js';
import { Progress } from './progress.js';

export interface GeneratedData {
  releases: Array<{ id: number; name: string }>;
  defects: number;
}

/** A deterministic pseudo-random generator, so that runs are comparable. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function logicalIds(emulator: Emulator, ctx: RequestContext, type: string, prefix: string): Map<string, number> {
  const e = emulator.registry.entity(type);
  const rows = emulator.service.list(ctx, e, { query: undefined, fields: [{ name: 'logical_name' }], limit: 2000, offset: 0 }).data;
  return new Map(rows.filter((r) => String(r.logical_name ?? '').startsWith(prefix)).map((r) => [String(r.logical_name), Number(r.id)]));
}

export function generateDefects(emulator: Emulator, count: number, seed = 42): GeneratedData {
  const { service, registry, defaults } = emulator;
  const ctx: RequestContext = { ...emulator.systemContext(defaults.sharedSpaceId, defaults.workspaceId), userId: defaults.adminUserId };
  const random = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

  const releases: Array<{ id: number; name: string }> = [];
  const sprints: number[][] = [];
  // 5,000 defects per release: releases R1..R20 hold the first 100,000, further ones are named
  // "Archive n", so that a filter on `R1*` selects the same subset at every size.
  const releaseCount = Math.max(1, Math.ceil(count / 5000));
  for (let r = 1; r <= releaseCount; r++) {
    const name = r <= 20 ? `R${r}` : `Archive ${r}`;
    const start = new Date(Date.UTC(2024, r - 1, 1));
    const end = new Date(Date.UTC(2024, r, 0));
    const id = service.createOne(ctx, registry.entity('release'), { name, start_date: formatDateTime(start), end_date: formatDateTime(end) });
    releases.push({ id, name });
    const rs: number[] = [];
    for (let s = 1; s <= 4; s++) {
      rs.push(service.createOne(ctx, registry.entity('sprint'), { name: `${name} sprint ${s}`, release: { type: 'release', id }, start_date: formatDateTime(start), end_date: formatDateTime(end) }));
    }
    sprints.push(rs);
  }
  const spaceCtx = emulator.systemContext(defaults.sharedSpaceId, null);
  const memberRole = emulator.workspaceRoleId(defaults.sharedSpaceId, defaults.workspaceId, 'role.workspace.team.member');
  const owners: number[] = [defaults.adminUserId];
  for (let u = 1; u < 50; u++) {
    owners.push(
      service.createOne(spaceCtx, registry.entity('user'), {
        name: `user${u}@example.com`,
        email: `user${u}@example.com`,
        first_name: 'User',
        last_name: String(u),
        password: 'Password1',
        workspace_roles: { data: memberRole ? [{ type: 'workspace_role', id: memberRole }] : [] },
      }),
    );
  }
  const phases = [...logicalIds(emulator, ctx, 'phase', 'phase.defect.').values()];
  const severities = [...logicalIds(emulator, ctx, 'list_node', 'list_node.severity.').values()];
  const root = service.ids(ctx, registry.entity('work_item_root'))[0];

  const progress = new Progress(`defects`, count);
  const ids = { next: emulator.service.store.allocateIds(count)[0] };
  const batch = 10_000;
  const base = Date.UTC(2024, 0, 1);
  for (let done = 0; done < count; ) {
    const rows: Array<Record<string, unknown>> = [];
    const n = Math.min(batch, count - done);
    for (let i = 0; i < n; i++) {
      const r = Math.floor((done + i) / 5000) % releases.length;
      const created = formatDateTime(new Date(base + Math.floor(random() * 365 * 24 * 3600 * 1000)));
      rows.push({
        id: ids.next++,
        type: 'defect',
        shared_space_id: defaults.sharedSpaceId,
        workspace_id: defaults.workspaceId,
        creation_time: created,
        last_modified: created,
        version_stamp: 1,
        name: `Defect ${done + i + 1} in ${releases[r].name}`,
        parent: root,
        phase: pick(phases),
        severity: pick(severities),
        release: releases[r].id,
        sprint: pick(sprints[r]),
        owner: pick(owners),
        author: defaults.adminUserId,
      });
    }
    emulator.sql.tx(() => service.store.insertMany(registry.entity('defect').store, rows));
    done += n;
    progress.tick(done);
  }
  emulator.sql.sqlite.exec('ANALYZE');
  emulator.sql.forgetStatements();
  return { releases, defects: count };
}
