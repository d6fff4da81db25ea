// Several hook sets on one entity run in order: generic behaviour first (life cycle, My Work),
// then the entity's own.

import type { EntityHooks } from '../hooks.js';

const STEPS = ['beforeCreate', 'afterCreate', 'beforeUpdate', 'afterUpdate', 'beforeDelete', 'deleteInstead'] as const;

export function composeHooks(...sets: Array<EntityHooks | undefined>): EntityHooks | undefined {
  const present = sets.filter((s): s is EntityHooks => s !== undefined);
  if (present.length <= 1) return present[0];
  const out: EntityHooks = {};
  for (const step of STEPS) {
    const fns = present.map((s) => s[step]).filter((f): f is NonNullable<typeof f> => f !== undefined);
    if (!fns.length) continue;
    (out as Record<string, unknown>)[step] = (...args: unknown[]) => {
      for (const fn of fns) (fn as (...a: unknown[]) => void)(...args);
    };
  }
  return out;
}
