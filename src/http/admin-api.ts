// The emulator's own admin API under /__admin/, off the Octane namespace and without an Octane
// session: health, reset to the start-up state, snapshots, fixtures, the request journal, fault
// injection and the server clock. It can be disabled, or protected by a token
// (`X-Admin-Token: <token>` or `Authorization: Bearer <token>`).

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { errors } from '../errors/catalog.js';
import { OctaneError } from '../errors/octane-error.js';
import { PACKAGE_VERSION } from '../package-info.js';
import { parseDateTime } from '../resources/values.js';
import type { FixtureFile } from '../store/fixtures.js';
import { OCTANE_VERSION } from './admin-routes.js';
import type { Faults } from './faults.js';
import type { RequestJournal } from './journal.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90000`, `"-2h"`, `"1d"`, `"30m"` -> milliseconds */
function duration(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const m = typeof v === 'string' ? /^([+-]?\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v.trim()) : null;
  if (!m) throw errors.badRequest(`'shift' must be milliseconds or a duration such as "2h", "-1d", "30m"`);
  return Number(m[1]) * UNITS[m[2]];
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-admin-token'];
  if (typeof header === 'string') return header;
  return /^bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function registerAdminApi(app: FastifyInstance, emulator: Emulator, journal: RequestJournal, faults: Faults): void {
  const { config } = emulator;
  if (!config.admin.enabled) return;
  const started = Date.now();

  app.register(async (admin) => {
    admin.addHook('onRequest', async (request) => {
      // health stays open for container health checks; it tells nothing secret
      if (!config.admin.token || request.url.split('?')[0] === '/__admin/health') return;
      const given = tokenOf(request);
      if (!given || !sameSecret(given, config.admin.token)) {
        throw new OctaneError({ status: 401, code: 'platform.authentication_failed', description: 'The admin API needs its token (X-Admin-Token or Authorization: Bearer)' });
      }
    });

    admin.get('/health', async () => ({
      status: 'ok',
      version: PACKAGE_VERSION,
      octane_version: OCTANE_VERSION,
      uptime_s: Math.round((Date.now() - started) / 1000),
      database: config.db,
      shared_space_id: emulator.defaults.sharedSpaceId,
      workspace_id: emulator.defaults.workspaceId,
    }));

    admin.post('/reset', async () => {
      const t0 = performance.now();
      emulator.reset();
      return { reset: true, duration_ms: Math.round((performance.now() - t0) * 10) / 10 };
    });

    admin.post('/snapshot', async (_request, reply) => {
      const snap = emulator.takeSnapshot();
      return reply.code(201).send({ id: snap.id, created_at: snap.createdAt });
    });

    admin.post('/restore', async (request) => {
      const id = (request.body as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'string') throw errors.badRequest('Expected {"id":"<snapshot id>"} from POST /__admin/snapshot');
      const snap = emulator.snapshots.find(id);
      if (!snap) throw errors.entityNotFound('snapshot', id);
      const t0 = performance.now();
      emulator.restoreSnapshot(snap);
      return { restored: id, duration_ms: Math.round((performance.now() - t0) * 10) / 10 };
    });

    admin.post('/fixtures', async (request, reply) => {
      const body = request.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Expected a fixture: a JSON object of collections (fixtures/fixture.schema.json)');
      const q = request.query as Record<string, string | undefined>;
      const ws = q.workspace ? Number(q.workspace) : emulator.defaults.workspaceId;
      const space = q.shared_space ? Number(q.shared_space) : emulator.defaults.sharedSpaceId;
      if (!Number.isInteger(ws) || !Number.isInteger(space)) throw errors.badRequest("'workspace' and 'shared_space' must be ids");
      try {
        return reply.code(201).send(emulator.loadFixtures(body as FixtureFile, ws, space));
      } catch (e) {
        if (e instanceof OctaneError) throw e;
        throw errors.badRequest((e as Error).message);
      }
    });

    admin.get('/requests', async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const status = q.status === undefined ? undefined : Number(q.status);
      const limit = q.limit === undefined ? undefined : Number(q.limit);
      if ((status !== undefined && !Number.isInteger(status)) || (limit !== undefined && (!Number.isInteger(limit) || limit < 1))) {
        throw errors.badRequest("'status' and 'limit' must be whole numbers");
      }
      return journal.list({ method: q.method, url: q.url, status, limit });
    });
    admin.delete('/requests', async () => ({ cleared: journal.clear() }));

    admin.get('/faults', async () => ({ total_count: faults.list().length, data: faults.list() }));
    admin.post('/faults', async (request, reply) => reply.code(201).send(faults.add(request.body)));
    admin.delete('/faults', async () => ({ removed: faults.remove() }));
    admin.delete('/faults/:id', async (request) => {
      const id = Number((request.params as { id: string }).id);
      const removed = Number.isInteger(id) ? faults.remove(id) : 0;
      if (!removed) throw errors.entityNotFound('fault', (request.params as { id: string }).id);
      return { removed };
    });

    const clockState = () => ({ now: emulator.clock.now().toISOString(), frozen: emulator.clock.isFrozen() });
    admin.get('/clock', async () => clockState());
    admin.post('/clock', async (request) => {
      const b = (request.body ?? {}) as Record<string, unknown>;
      if (typeof b !== 'object' || Array.isArray(b)) throw errors.badRequest('Expected {"freeze":"<ISO time>"|"now"}, {"shift":"2h"} or {"reset":true}');
      if (b.reset === true) emulator.clock.reset();
      if (b.freeze !== undefined) {
        if (b.freeze === 'now' || b.freeze === true) emulator.clock.freeze(emulator.clock.now());
        else {
          const at = typeof b.freeze === 'string' ? parseDateTime(b.freeze) : undefined;
          if (!at) throw errors.badRequest("'freeze' must be an ISO-8601 time or \"now\"");
          emulator.clock.freeze(new Date(at));
        }
      }
      if (b.unfreeze === true) emulator.clock.unfreeze();
      if (b.shift !== undefined) emulator.clock.shift(duration(b.shift));
      if (b.reset !== true && b.freeze === undefined && b.shift === undefined && b.unfreeze !== true) {
        throw errors.badRequest('Expected {"freeze":"<ISO time>"|"now"}, {"shift":"2h"}, {"unfreeze":true} or {"reset":true}');
      }
      return clockState();
    });
  }, { prefix: '/__admin' });
}
