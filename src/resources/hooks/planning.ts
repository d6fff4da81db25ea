// Planning rules: release and sprint dates, sprints generated from a release's sprint duration,
// task hours (and the progress they give) rolled up onto their work item, and the dates a defect
// was fixed and closed.

import { errors } from '../../errors/catalog.js';
import { tableOf } from '../../store/schema-sync.js';
import { formatDateTime } from '../values.js';
import type { EntityHooks, HookApi, RefValue, Values } from '../hooks.js';
import { phaseLogicalName } from './lifecycle.js';
import { percent } from './rollups.js';

const DAY = 24 * 3600 * 1000;

function merged(current: Values, changes: Values, field: string): unknown {
  return changes[field] !== undefined ? changes[field] : current[field];
}

function checkDates(entity: string, start: unknown, end: unknown): void {
  if (typeof start === 'string' && typeof end === 'string' && end < start) {
    throw errors.fieldValidation(entity, 'end_date', `the end date ${end.slice(0, 10)} is before the start date ${start.slice(0, 10)}`);
  }
}

/** Consecutive sprints of `days` days from the release's start to its end (the last one shorter). */
function generateSprints(api: HookApi, releaseId: number, start: string, end: string, days: number): void {
  const sprint = api.registry.entity('sprint');
  const last = Date.parse(end);
  let from = Date.parse(start);
  for (let n = 1; from <= last && n <= 1000; n++) {
    const to = Math.min(from + (days - 1) * DAY, last);
    api.service.createOne({ ...api.ctx, system: true }, sprint, {
      name: `Sprint ${n}`,
      release: { type: 'release', id: releaseId },
      start_date: formatDateTime(new Date(from)),
      end_date: formatDateTime(new Date(to)),
    });
    from = to + DAY;
  }
}

export const releaseHooks: EntityHooks = {
  beforeCreate(_api, values) {
    checkDates('release', values.start_date, values.end_date);
  },
  afterCreate(api, id, values) {
    const days = values.sprint_duration;
    if (typeof days === 'number' && days > 0) generateSprints(api, id, values.start_date as string, values.end_date as string, days);
  },
  beforeUpdate(api, current, changes) {
    const start = merged(current, changes, 'start_date') as string;
    const end = merged(current, changes, 'end_date') as string;
    checkDates('release', start, end);
    if (changes.start_date === undefined && changes.end_date === undefined) return;
    // the release cannot leave one of its sprints outside it
    const { sql } = api.store;
    const outside = sql.get<{ name: string; start_date: string; end_date: string }>(
      sql.qb
        .selectFrom(tableOf(api.registry.entity('sprint').store))
        .select(['name', 'start_date', 'end_date'])
        .where('release', '=', current.id as number)
        .where((eb) => eb.or([eb('start_date', '<', start), eb('end_date', '>', end)]))
        .limit(1),
    );
    if (outside) {
      throw errors.fieldValidation('release', changes.start_date !== undefined ? 'start_date' : 'end_date', `the sprint '${outside.name}' (${outside.start_date.slice(0, 10)} to ${outside.end_date.slice(0, 10)}) would fall outside the release`);
    }
  },
};

/** A sprint lies within its release and does not overlap the release's other sprints. */
function checkSprint(api: HookApi, id: number | null, release: number, start: string, end: string): void {
  checkDates('sprint', start, end);
  const { sql } = api.store;
  const rel = sql.get<{ start_date: string; end_date: string; name: string }>(
    sql.qb.selectFrom(tableOf(api.registry.entity('release').store)).select(['start_date', 'end_date', 'name']).where('id', '=', release),
  );
  if (rel && (start < rel.start_date || end > rel.end_date)) {
    throw errors.fieldValidation('sprint', 'start_date', `the sprint (${start.slice(0, 10)} to ${end.slice(0, 10)}) must lie within release '${rel.name}' (${rel.start_date.slice(0, 10)} to ${rel.end_date.slice(0, 10)})`);
  }
  let q = sql.qb
    .selectFrom(tableOf(api.registry.entity('sprint').store))
    .select(['id', 'name'])
    .where('release', '=', release)
    .where('start_date', '<=', end)
    .where('end_date', '>=', start);
  if (id !== null) q = q.where('id', '!=', id);
  const clash = sql.get<{ id: number; name: string }>(q.limit(1));
  if (clash) throw errors.fieldValidation('sprint', 'start_date', `the sprint overlaps sprint '${clash.name}' of the same release`);
}

/**
 * A sprint moved to another release keeps its name, which must be free there (the descriptor's
 * uniqueness check sees only a name that is written).
 */
function checkSprintName(api: HookApi, id: number, release: number, name: string): void {
  const { sql } = api.store;
  const clash = sql.get(
    sql.qb.selectFrom(tableOf(api.registry.entity('sprint').store)).select('id').where('release', '=', release).where('name', '=', name).where('id', '!=', id).limit(1),
  );
  if (clash) throw errors.duplicate('sprint', 'name', name);
}

export const sprintHooks: EntityHooks = {
  beforeCreate(api, values) {
    // a missing field is left to the required-field check
    if (!values.release || !values.start_date || !values.end_date) return;
    checkSprint(api, null, (values.release as RefValue).id, values.start_date as string, values.end_date as string);
  },
  beforeUpdate(api, current, changes) {
    if (changes.release === undefined && changes.start_date === undefined && changes.end_date === undefined) return;
    if (changes.release === null) return;
    const release = changes.release !== undefined ? (changes.release as RefValue).id : (current.release as number);
    if (changes.name === undefined && release !== current.release) checkSprintName(api, current.id as number, release, current.name as string);
    checkSprint(api, current.id as number, release, merged(current, changes, 'start_date') as string, merged(current, changes, 'end_date') as string);
  },
};

/**
 * Marks work item `itemId` for a recompute of its hours at the end of the write: once per item
 * however many of its tasks the write touches. The hours feed nothing else (a feature's roll-ups
 * come from its children's story points), so every item goes in the first stage.
 */
function markForHours(api: HookApi, itemId: number | null | undefined): void {
  if (itemId === null || itemId === undefined) return;
  api.defer(`hours:item:${itemId}`, () => rollUpHours(api, itemId));
}

/**
 * The estimated, invested and remaining hours of work item `itemId` are the sums over its tasks as
 * stored; its progress is the invested share of invested plus remaining hours. An item that is
 * gone (deleted with its tasks) is left alone: the update finds no row.
 */
function rollUpHours(api: HookApi, itemId: number): void {
  const { sql } = api.store;
  const tasks = api.registry.entity('task').store;
  const sums = sql
    .prepared(`hours:sums:${tasks}`, (p) =>
      sql.qb
        .selectFrom(tableOf(tasks))
        .select((eb) => [
          eb.fn.sum<number>('estimated_hours').as('estimated_hours'),
          eb.fn.sum<number>('invested_hours').as('invested_hours'),
          eb.fn.sum<number>('remaining_hours').as('remaining_hours'),
        ])
        .where('story', '=', p('item')),
    )
    .get<{ estimated_hours: number | null; invested_hours: number | null; remaining_hours: number | null }>({ item: itemId });
  const invested = sums?.invested_hours ?? null;
  const remaining = sums?.remaining_hours ?? null;
  api.store.update(api.registry.entity('work_item').store, itemId, {
    estimated_hours: sums?.estimated_hours ?? null,
    invested_hours: invested,
    remaining_hours: remaining,
    progress: percent(invested ?? 0, (invested ?? 0) + (remaining ?? 0)),
  });
}

const HOURS = ['estimated_hours', 'invested_hours', 'remaining_hours'] as const;

/**
 * Each write marks the items whose tasks it adds, changes, moves or removes; their hours are
 * recomputed from the stored tasks at the end of the write (a bulk of many tasks of one item
 * recomputes it once, and a delete by query sees every deleted task gone).
 */
export const taskHooks: EntityHooks = {
  afterCreate(api, _id, values) {
    markForHours(api, (values.story as RefValue | undefined)?.id);
  },
  afterUpdate(api, _id, current, changes) {
    const next = changes.story as RefValue | null | undefined;
    const moved = next !== undefined && next?.id !== current.story;
    if (!moved && HOURS.every((h) => changes[h] === undefined)) return;
    markForHours(api, current.story as number | null);
    if (moved) markForHours(api, next?.id);
  },
  beforeDelete(api, current) {
    // the recompute runs after the rows are gone
    markForHours(api, current.story as number | null);
  },
};

/** A defect remembers the day it was fixed and the day it was closed. */
export const defectHooks: EntityHooks = {
  beforeUpdate(api, current, changes) {
    const next = (changes.phase as RefValue | undefined)?.id;
    if (next === undefined || next === current.phase) return;
    const name = phaseLogicalName(api, next);
    const today = `${formatDateTime(api.ctx.now).slice(0, 10)}T00:00:00Z`;
    if (name === 'phase.defect.fixed') changes.fixed_on = today;
    if (name === 'phase.defect.closed') changes.closed_on = today;
  },
};
