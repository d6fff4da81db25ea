// Test scripts at `{collection}/{id}/script`: GET answers the latest version (or `?version=n`),
// PUT saves a new version with its revision type (Minor / Major) and comment.

import type { FastifyInstance } from 'fastify';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import { saveScript, scriptVersion, type ScriptVersion } from '../resources/scripts.js';
import { formatDateTime } from '../resources/values.js';
import { basePath, collectionNames, routeContext, routeEachMethod } from './entity-routes.js';

const SCRIPTED = new Set(['test_manual', 'gherkin_test']);
const MAX_SCRIPT = 1_000_000;

function shape(v: ScriptVersion | undefined, created: string): Record<string, unknown> {
  return {
    script: v?.script ?? '',
    creation_time: created,
    last_modified: v?.creation_time ?? created,
    version: v?.version ?? 0,
    revision_type: v?.revision_type ?? null,
    comment: v?.comment ?? null,
  };
}

export function registerScriptRoutes(app: FastifyInstance, emulator: Emulator): void {
  const { service } = emulator;
  for (const entity of emulator.registry.entities) {
    if (!entity.hasScript) continue;
    for (const name of collectionNames(entity)) {
      routeEachMethod(app, {
        url: `${basePath(entity.level)}/${name}/:id/script`,
        handler: async (request) => {
          const ctx = routeContext(emulator, entity, name, ['GET', 'PUT'], request);
          const { id } = request.params as { id: string };
          const row = service.findRow(ctx, entity, id);
          if (!SCRIPTED.has(row.type as string)) {
            throw errors.badRequest(`A ${String(row.type)} has no script; scripts belong to manual and Gherkin tests`, { entity_type: row.type, entity_id: id });
          }
          const testId = row.id as number;
          const first = scriptVersion(emulator.sql, testId, 1);
          if (request.method === 'GET' || request.method === 'HEAD') {
            const versionText = (request.query as Record<string, string | undefined>).version;
            const version = versionText === undefined ? undefined : Number(versionText);
            if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw errors.badRequest(`The version '${versionText}' is not a script version number`);
            const v = scriptVersion(emulator.sql, testId, version);
            if (version !== undefined && !v) throw errors.entityNotFound('test_script', `${id}/${version}`);
            return shape(v, first?.creation_time ?? (row.creation_time as string));
          }
          const body = request.body as Record<string, unknown> | undefined;
          if (!body || typeof body !== 'object' || typeof body.script !== 'string') throw errors.badRequest('Expected {"script":"…","comment":"…","revision_type":"Minor"}');
          if (body.script.length > MAX_SCRIPT) throw errors.badRequest(`The script is longer than ${MAX_SCRIPT} characters`);
          const revision = body.revision_type === undefined || body.revision_type === null ? 'Minor' : String(body.revision_type);
          if (!/^(minor|major)$/i.test(revision)) throw errors.badRequest(`The revision_type '${revision}' is not Minor or Major`, { revision_type: revision });
          if (body.comment !== undefined && body.comment !== null && typeof body.comment !== 'string') throw errors.badRequest('The comment must be a string');
          const saved = emulator.sql.tx(() => {
            const v = saveScript(emulator.sql, {
              test_id: testId,
              script: body.script as string,
              revision_type: revision.charAt(0).toUpperCase() + revision.slice(1).toLowerCase(),
              comment: (body.comment as string | undefined) ?? null,
              author_id: ctx.userId,
              creation_time: formatDateTime(ctx.now),
            });
            // Saving a script changes the test.
            service.store.update(entity.store, testId, { last_modified: formatDateTime(ctx.now), version_stamp: (row.version_stamp as number) + 1 });
            return v;
          });
          return shape(saved, first?.creation_time ?? saved.creation_time);
        },
      });
    }
  }
}
