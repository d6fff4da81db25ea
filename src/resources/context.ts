// What a service call knows about the request it serves.

import type { Scope } from '../store/scope.js';

export interface RequestContext extends Scope {
  /** the server clock at the start of the request (frozen or shifted by the admin API) */
  now: Date;
  /** internal writes (fixtures, hooks): read-only fields may be set and the author is not forced */
  system: boolean;
  /** the caller administers the shared space (or the site) */
  spaceAdmin?: boolean;
  /**
   * Values shown once in the answer to this request and never again, by entity id (the clear
   * secret of an API key the server generated).
   */
  revealed?: Map<number, Record<string, unknown>>;
}
