// Fixture files: JSON objects whose keys are collection names and whose values are arrays of
// entity bodies as a client would POST them (fixtures/fixture.schema.json). They are written
// through the entity service, so defaults, validation and hooks apply as for any client.

import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-info.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import type { ResolvedEntity } from '../resources/registry.js';

export type FixtureFile = Record<string, unknown>;

/** The package's fixtures/ folder. */
export function fixturesDir(): string {
  return path.join(PACKAGE_ROOT, 'fixtures');
}

const cache = new Map<string, FixtureFile>();

export function readFixture(file: string): FixtureFile {
  const full = path.isAbsolute(file) ? file : path.join(fixturesDir(), file);
  let data = cache.get(full);
  if (!data) {
    data = JSON.parse(fs.readFileSync(full, 'utf8')) as FixtureFile;
    cache.set(full, data);
  }
  return data;
}

/** The collection a fixture key names, at the most specific level the context allows. */
function collectionFor(service: EntityService, ctx: RequestContext, key: string): ResolvedEntity {
  const levels = ctx.workspaceId !== null ? (['workspace', 'space', 'site'] as const) : (['space', 'site'] as const);
  for (const level of levels) {
    const e = service.registry.collection(level, key);
    if (e) return e;
  }
  throw new Error(`fixture: unknown collection '${key}'`);
}

/** Creates every entity of `data` in `ctx` (as system writes); returns how many were created. */
export function loadFixture(service: EntityService, ctx: RequestContext, data: FixtureFile): number {
  const system = { ...ctx, system: true };
  let created = 0;
  for (const [key, items] of Object.entries(data)) {
    if (key.startsWith('$')) continue;
    if (!Array.isArray(items)) throw new Error(`fixture: '${key}' must be an array of entities`);
    const entity = collectionFor(service, system, key);
    for (const item of items) {
      service.createOne(system, entity, item);
      created++;
    }
  }
  return created;
}
