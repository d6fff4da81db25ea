// Per-resource behaviour: small named hooks attached to a descriptor, called by the generic
// entity service around its create / update / delete steps. They never replace the generic path.

import type { EntityStore } from '../store/entity-store.js';
import type { RequestContext } from './context.js';
import type { EntityService } from './entity-service.js';
import type { Registry, ResolvedEntity } from './registry.js';

/**
 * Field values as hooks see them: scalars in stored form (dates as ISO text, booleans as
 * true/false), single references as `{ type, id }` or null, multi-references as arrays of those.
 */
export type Values = Record<string, unknown>;

export interface RefValue {
  type: string;
  id: number;
}

export interface HookApi {
  ctx: RequestContext;
  /** the concrete entity being written */
  entity: ResolvedEntity;
  registry: Registry;
  service: EntityService;
  store: EntityStore;
  /**
   * Runs `job` once at the end of the write in progress (the request's create, update or delete,
   * or the outermost entity written), inside its transaction and before its answer is rendered,
   * however often it is deferred under the same `key` meanwhile. Jobs of a lower `stage` run first
   * (a job may feed one of a later stage: a feature's roll-up feeds its epic's). A job may also
   * run for an item that failed alone in a partial write, so it recomputes from what is stored.
   */
  defer(key: string, job: () => void, stage?: number): void;
}

export interface EntityHooks {
  /** Fill defaults and check cross-field rules before required fields are checked and the row is written. */
  beforeCreate?(api: HookApi, values: Values): void;
  /** Runs in the same transaction after the row and its links are written. */
  afterCreate?(api: HookApi, id: number, values: Values): void;
  /** `current` holds the stored values; `changes` the validated new values (may be edited). */
  beforeUpdate?(api: HookApi, current: Values, changes: Values): void;
  afterUpdate?(api: HookApi, id: number, current: Values, changes: Values): void;
  beforeDelete?(api: HookApi, current: Values): void;
  /**
   * When present, DELETE calls this instead of removing the row: for a view whose rows belong to
   * another entity, deleting from the view means leaving it (a user leaves a workspace).
   */
  deleteInstead?(api: HookApi, current: Values): void;
}
