// Open and closed lists. Users extend most lists (a new severity, a new task type) and create
// lists of their own, but a few system lists hold values the server itself acts on: run states,
// pipeline outcomes, scrum/kanban, run modes, step types, comment audiences. Those are closed:
// no value is added to them and their names stay as seeded. A value never moves to another list,
// and lists are one level deep: a value's list_root is a list, never another value.

import { errors } from '../../errors/catalog.js';
import { tableOf } from '../../store/schema-sync.js';
import type { EntityHooks, HookApi, RefValue } from '../hooks.js';
import { logicalNameOf } from './lookup.js';

/** Logical names of the system lists whose values are fixed. */
export const CLOSED_LISTS: ReadonlySet<string> = new Set([
  'list_node.run_native_status',
  'list_node.pipeline_run_status',
  'list_node.release_agile_type',
  'list_node.run_mode',
  'list_node.manual_test_run_step_type',
  'list_node.visible_to_roles',
]);

/** Whether list node `id` is itself a value of a list (lists are one level deep). */
function isValue(api: HookApi, id: number): boolean {
  const { sql } = api.store;
  const store = api.registry.entity('list_node').store;
  const row = sql.prepared(`listRootOf:${store}`, (p) => sql.qb.selectFrom(tableOf(store)).select('list_root').where('id', '=', p('id'))).get<{ list_root: number | null }>({ id });
  return row !== undefined && row.list_root !== null;
}

function closedList(api: HookApi, rootId: number | null | undefined): string | undefined {
  const name = logicalNameOf(api, 'list_node', rootId);
  return name !== undefined && CLOSED_LISTS.has(name) ? name : undefined;
}

export const listNodeHooks: EntityHooks = {
  beforeCreate(api, values) {
    // the template itself seeds the closed lists
    if (api.ctx.system) return;
    const root = (values.list_root as RefValue | null | undefined)?.id;
    if (root !== undefined && isValue(api, root)) throw errors.fieldValidation('list_node', 'list_root', 'a value belongs to a list (a node without list_root), not to another value');
    const closed = closedList(api, root);
    if (closed) throw errors.fieldValidation('list_node', 'list_root', `'${closed}' is a closed system list: values cannot be added to it`);
  },
  beforeUpdate(api, current, changes) {
    if (api.ctx.system) return;
    const root = current.list_root as number | null;
    if (changes.list_root !== undefined && (changes.list_root as RefValue | null)?.id !== (root ?? undefined) && !(changes.list_root === null && root === null)) {
      throw errors.fieldValidation('list_node', 'list_root', 'a list value cannot move to another list, nor a list become a value');
    }
    if (changes.name === undefined || changes.name === current.name) return;
    const closed = closedList(api, root ?? (current.id as number));
    if (closed) throw errors.fieldValidation('list_node', 'name', `'${closed}' is a closed system list: its values cannot be renamed`);
  },
};
