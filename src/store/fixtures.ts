// Fixture files: JSON objects whose keys are collection names and whose values are arrays of
// entity bodies as a client would POST them (fixtures/fixture.schema.json). They are written
// through the entity service, so defaults, validation and hooks apply as for any client.
//
// Beyond plain bodies, an item may carry:
//   "@key": "r1"          a name other items use to reference it: {"type":"release","id":"@r1"}
//   "@script": "- step"   the script of a manual or Gherkin test (a first version)
//   "@content": "text"    the content of an attachment (or "@content_base64" for bytes)
//   "@steps": [...]       on a manual or Gherkin run: the outcome of its steps in order ("passed",
//                         "failed", "blocked", "skipped", "not_completed", "planned"; a single
//                         string sets every step); steps past the list stay as created (Planned)
// and the key "@test_results" holds test-results payloads ({"xml": "…", "skip_errors": false}),
// ingested in order once the entities above them exist.
// The key "@me" is predefined: the user the fixture is loaded for (ctx.userId, the site admin at
// start-up), so that "my" items of a fixture belong to whoever signs in as that user.
// A workspace role is referenced by the logical name of its role ({"type":"workspace_role","id":
// "role.workspace.viewer"}): that role in the fixture's workspace, or the space-wide one (e.g.
// role.shared.space.admin), so that users and API keys of a fixture get their roles.

import fs from 'node:fs';
import path from 'node:path';
import { TestResultsIngester } from '../ci/ingest.js';
import { parseTestResults } from '../ci/test-results-xml.js';
import { PACKAGE_ROOT } from '../package-info.js';
import { storeAttachment } from '../resources/attachments.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import type { ResolvedEntity } from '../resources/registry.js';
import { saveScript } from '../resources/scripts.js';
import { parseQuery } from '../query/parser.js';
import { formatDateTime } from '../resources/values.js';

export type FixtureFile = Record<string, unknown>;

/** The package's fixtures/ folder. */
export function fixturesDir(): string {
  return path.join(PACKAGE_ROOT, 'fixtures');
}

const cache = new Map<string, FixtureFile>();

/** A fixture file, by path or by name inside the package's fixtures/ folder. */
export function readFixture(file: string): FixtureFile {
  const full = path.isAbsolute(file) || fs.existsSync(file) ? path.resolve(file) : path.join(fixturesDir(), file);
  let data = cache.get(full);
  if (!data) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (e) {
      throw new Error(`fixture ${full}: ${(e as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`fixture ${full}: expected a JSON object of collections`);
    data = parsed as FixtureFile;
    cache.set(full, data);
  }
  return data;
}

/** The fixture files a path names: the file itself, or the .json files of a folder in name order. */
export function fixtureFiles(p: string): string[] {
  const full = path.resolve(p);
  if (!fs.existsSync(full)) throw new Error(`fixtures: no such file or folder ${p}`);
  if (!fs.statSync(full).isDirectory()) return [full];
  return fs
    .readdirSync(full)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => path.join(full, f));
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

/** Replaces `"@key"` ids in references with the ids the keyed items got, and workspace roles named by their role. */
function resolveKeys(value: unknown, keys: Map<string, number>, workspaceRole: (role: string) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveKeys(v, keys, workspaceRole));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'id' && typeof v === 'string' && v.startsWith('@')) {
      const id = keys.get(v.slice(1));
      if (id === undefined) throw new Error(`fixture: reference to unknown key '${v}' (keys must be defined before use)`);
      out.id = id;
    } else if (k === 'id' && typeof v === 'string' && obj.type === 'workspace_role' && !/^\d+$/.test(v)) {
      out.id = workspaceRole(v);
    } else {
      out[k] = resolveKeys(v, keys, workspaceRole);
    }
  }
  return out;
}

/** The workspace_role of `role` (a role's logical name) in the context's workspace, else the space-wide one. */
function workspaceRoleFinder(service: EntityService, ctx: RequestContext): (role: string) => number {
  const entity = service.registry.entity('workspace_role');
  const quoted = (text: string) => `^${text.replace(/[\\^]/g, (c) => `\\${c}`)}^`;
  return (role) => {
    const where = [ctx.workspaceId !== null ? `workspace EQ {id EQ ${ctx.workspaceId}}` : undefined, 'workspace EQ {null}'].filter((w): w is string => w !== undefined);
    for (const scope of where) {
      const [id] = service.ids({ ...ctx, workspaceId: null }, entity, parseQuery(`role EQ {logical_name EQ ${quoted(role)}};${scope}`));
      if (id !== undefined) return id;
    }
    throw new Error(`fixture: no workspace role '${role}' in this workspace or space`);
  };
}

export interface FixtureResult {
  created: number;
  /** ids of the keyed items */
  keys: Record<string, number>;
}

/** How many items a fixture holds (for progress reports). */
export function fixtureSize(data: FixtureFile): number {
  return Object.entries(data).reduce((n, [k, v]) => n + (!k.startsWith('$') && Array.isArray(v) ? v.length : 0), 0);
}

/**
 * Creates every entity of `data` in `ctx` (as system writes), as one write: what hooks derive from
 * many entities (a feature's roll-ups) is computed once at the end, not once per entity.
 */
export function loadFixture(service: EntityService, ctx: RequestContext, data: FixtureFile, onProgress?: (done: number) => void): FixtureResult {
  return service.write(() => createAll(service, ctx, data, onProgress));
}

function createAll(service: EntityService, ctx: RequestContext, data: FixtureFile, onProgress?: (done: number) => void): FixtureResult {
  const system = { ...ctx, system: true };
  const keys = new Map<string, number>();
  if (ctx.userId !== null) keys.set('me', ctx.userId);
  const workspaceRole = workspaceRoleFinder(service, system);
  let created = 0;
  for (const [key, items] of Object.entries(data)) {
    if (key === '@test_results') {
      ingestResults(service, system, items);
      continue;
    }
    if (key.startsWith('$')) continue;
    if (!Array.isArray(items)) throw new Error(`fixture: '${key}' must be an array of entities`);
    const entity = collectionFor(service, system, key);
    for (const raw of items) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`fixture: the items of '${key}' must be objects`);
      const { '@key': itemKey, '@script': script, '@content': content, '@content_base64': content64, '@steps': steps, ...body } = raw as Record<string, unknown>;
      const resolved = resolveKeys(body, keys, workspaceRole) as Record<string, unknown>;
      let id: number;
      if (entity.binaryContent) {
        const bytes = typeof content64 === 'string' ? Buffer.from(content64, 'base64') : Buffer.from(typeof content === 'string' ? content : '', 'utf8');
        id = storeAttachment(service, system, entity, { entity: resolved, bytes }, { maxBytes: Number.MAX_SAFE_INTEGER, extensions: [String(resolved.name ?? '').split('.').pop() ?? ''] });
      } else {
        id = service.createOne(system, entity, resolved);
      }
      if (typeof script === 'string') {
        saveScript(service.sql, { test_id: id, script, revision_type: 'Major', comment: 'fixture', author_id: ctx.userId, creation_time: formatDateTime(ctx.now) });
      }
      if (steps !== undefined) setStepOutcomes(service, system, id, steps);
      if (typeof itemKey === 'string') keys.set(itemKey, id);
      created++;
      onProgress?.(created);
    }
    if (key === '@test_results') onProgress?.(created);
  }
  return { created, keys: Object.fromEntries([...keys].filter(([k, id]) => k !== 'me' || id !== ctx.userId)) };
}

const STEP_OUTCOMES = new Set(['passed', 'failed', 'blocked', 'skipped', 'not_completed', 'planned']);

/** Sets the status of a run's steps (created from its test's script) to the outcomes given. */
function setStepOutcomes(service: EntityService, ctx: RequestContext, runId: number, steps: unknown): void {
  const runStep = service.registry.entity('run_step');
  const stepIds = service.ids(ctx, runStep, parseQuery(`run EQ {id EQ ${runId}}`));
  const outcomes = typeof steps === 'string' ? stepIds.map(() => steps) : steps;
  if (!Array.isArray(outcomes)) throw new Error('fixture: "@steps" must be a status or an array of statuses');
  if (outcomes.length > stepIds.length) throw new Error(`fixture: "@steps" has ${outcomes.length} outcomes for a run with ${stepIds.length} steps`);
  outcomes.forEach((outcome, i) => {
    if (typeof outcome !== 'string' || !STEP_OUTCOMES.has(outcome)) {
      throw new Error(`fixture: unknown step outcome ${JSON.stringify(outcome)} (one of ${[...STEP_OUTCOMES].join(', ')})`);
    }
    service.updateOne(ctx, runStep, String(stepIds[i]), { status: { type: 'list_node', id: `list_node.run_native_status.${outcome}` } });
  });
}

function ingestResults(service: EntityService, ctx: RequestContext, items: unknown): void {
  if (!Array.isArray(items)) throw new Error("fixture: '@test_results' must be an array of {\"xml\": \"…\"}");
  for (const item of items) {
    const xml = (item as { xml?: unknown })?.xml;
    if (typeof xml !== 'string') throw new Error("fixture: each '@test_results' item needs an \"xml\" string");
    const outcome = new TestResultsIngester(service, ctx, Boolean((item as { skip_errors?: unknown }).skip_errors), () => undefined).ingest(parseTestResults(xml));
    if (outcome.status !== 'success') throw new Error(`fixture: test results not ingested: ${outcome.errors.join('; ')}`);
  }
}
