// User-defined fields: a field_metadata row declares a `*_udf` field on an entity type. The field
// gets a column in the type's table at once and, from then on, is validated, stored, filtered,
// sorted and listed like a built-in field in the workspaces that see the declaration.

import { errors } from '../../errors/catalog.js';
import { tableOf } from '../../store/schema-sync.js';
import type { RequestContext } from '../context.js';
import type { EntityService } from '../entity-service.js';
import { USER_FIELD_KINDS } from '../defs/metadata.js';
import { f } from '../fields.js';
import type { EntityHooks, HookApi, RefValue } from '../hooks.js';
import { sqlTypeOf } from '../registry.js';
import type { FieldDescriptor } from '../types.js';

type Kind = (typeof USER_FIELD_KINDS)[number];

/** The field a declaration describes. */
function describe(name: string, kind: Kind, label: string, list?: string): FieldDescriptor {
  const o = { label, userDefined: true, returnedByDefault: false };
  switch (kind) {
    case 'field_metadata_boolean':
      return f.boolean(name, o);
    case 'field_metadata_date_time':
      return f.dateTime(name, o);
    case 'field_metadata_list':
      return f.list(name, list ?? '', o);
    case 'field_metadata_long':
      return f.integer(name, o);
    case 'field_metadata_long_string':
      return f.string(name, { ...o, maxLength: 4000 });
    case 'field_metadata_memo':
      return f.memo(name, o);
    case 'field_metadata_ref_to_release':
      return f.ref(name, ['release'], o);
    case 'field_metadata_ref_to_team':
      return f.ref(name, ['team'], o);
    case 'field_metadata_ref_to_user':
      return f.ref(name, ['workspace_user'], o);
    case 'field_metadata_string':
      return f.string(name, o);
  }
}

const NAME = /^[a-z][a-z0-9_]{0,58}_udf$/;

function fieldTable(api: HookApi): string {
  return tableOf(api.registry.entity('field_metadata').store);
}

/** The logical name of a list root, given its id. */
function listLogicalName(service: EntityService, id: number | null): string | undefined {
  if (id === null) return undefined;
  const { sql, registry } = service;
  return sql.get<{ logical_name: string | null }>(sql.qb.selectFrom(tableOf(registry.entity('list_node').store)).select('logical_name').where('id', '=', id))?.logical_name ?? undefined;
}

/** The user-defined fields a workspace (with its shared space) sees, by entity type. */
export function readUserFields(service: EntityService, ctx: RequestContext): Map<string, FieldDescriptor[]> {
  const out = new Map<string, FieldDescriptor[]>();
  if (ctx.workspaceId === null) return out;
  const { sql, registry } = service;
  const rows = sql.all<{ name: string; entity_type: string; subtype: Kind; label: string | null; list: number | null }>(
    sql.qb
      .selectFrom(tableOf(registry.entity('field_metadata').store))
      .select(['name', 'entity_type', 'subtype', 'label', 'list'])
      .where('shared_space_id', '=', ctx.sharedSpaceId)
      .where((eb) => eb.or([eb('workspace_id', '=', ctx.workspaceId), eb('workspace_id', 'is', null)]))
      .orderBy('id'),
  );
  for (const r of rows) {
    if (!USER_FIELD_KINDS.includes(r.subtype)) continue;
    const list = out.get(r.entity_type) ?? [];
    if (!list.some((x) => x.name === r.name)) list.push(describe(r.name, r.subtype, r.label ?? r.name, listLogicalName(service, r.list)));
    out.set(r.entity_type, list);
  }
  return out;
}

export const fieldMetadataHooks: EntityHooks = {
  beforeCreate(api, values) {
    for (const required of ['name', 'entity_type', 'subtype']) {
      if (values[required] === undefined || values[required] === null || values[required] === '') throw errors.missingRequiredField('field_metadata', required);
    }
    const name = String(values.name ?? '');
    const entityType = String(values.entity_type ?? '');
    const kind = values.subtype as Kind;
    const bad = (field: string, reason: string): never => {
      throw errors.fieldValidation('field_metadata', field, reason);
    };
    if (!NAME.test(name)) bad('name', `'${name}' is not a user-defined field name: lowercase letters, digits and _, ending with _udf`);
    const target = api.registry.findEntity(entityType);
    if (!target || target.level !== 'workspace' || target.viewOf) bad('entity_type', `'${entityType}' is not an entity type that takes user-defined fields`);
    if (!USER_FIELD_KINDS.includes(kind)) bad('subtype', `'${String(kind)}' is not one of ${USER_FIELD_KINDS.join(', ')}`);
    const list = values.list as RefValue | null | undefined;
    if (kind === 'field_metadata_list' && !list) throw errors.missingRequiredField('field_metadata', 'list');
    if (kind !== 'field_metadata_list' && list) bad('list', 'only a list field takes a list');
    if (target!.fieldMap.has(name)) throw errors.duplicate(entityType, 'name', name);
    // The same name on the same entity type in this scope (or the shared space) is a duplicate.
    const { sql } = api.store;
    const clash = sql.get(
      sql.qb
        .selectFrom(fieldTable(api))
        .select('id')
        .where('shared_space_id', '=', api.ctx.sharedSpaceId)
        .where('name', '=', name)
        .where((eb) =>
          eb.and([
            eb.or([eb('workspace_id', '=', api.ctx.workspaceId ?? -1), eb('workspace_id', 'is', null), ...(api.ctx.workspaceId === null ? [eb.lit(true)] : [])]),
            eb.or([eb('entity_type', '=', entityType), ...(target!.subtypeOf ? [eb('entity_type', '=', target!.subtypeOf)] : []), ...(target!.subtypes ?? []).map((s) => eb('entity_type', '=', s))]),
          ]),
        ),
    );
    if (clash) throw errors.duplicate('field_metadata', 'name', name);
    // One column per name in a table: another workspace may use the name only with the same type.
    const wanted = sqlTypeOf(describe(name, kind, name, 'x'));
    const existing = (sql.exec(`PRAGMA table_info("${tableOf(target!.store)}")`) as Array<{ name: string; type: string }>).find((c) => c.name === name);
    if (existing && existing.type.toUpperCase() !== wanted) {
      bad('subtype', `another workspace already uses '${name}' on ${target!.store} with another type`);
    }
    values.is_user_defined = true;
    if (values.label === undefined || values.label === null || values.label === '') values.label = name.replace(/_udf$/, '');
  },
  afterCreate(api, _id, values) {
    const target = api.registry.entity(String(values.entity_type));
    const name = String(values.name);
    const table = tableOf(target.store);
    const { sql } = api.store;
    const columns = sql.exec(`PRAGMA table_info("${table}")`) as Array<{ name: string }>;
    if (!columns.some((c) => c.name === name)) {
      const field = describe(name, values.subtype as Kind, name, 'x');
      sql.sqlite.exec(`ALTER TABLE "${table}" ADD COLUMN "${name}" ${sqlTypeOf(field)}${field.type === 'string' ? ' COLLATE NOCASE' : ''}`);
      sql.forgetStatements();
    }
    api.service.userFieldsVersion++;
  },
  beforeUpdate(_api, _current, changes) {
    for (const fixed of ['name', 'entity_type', 'subtype', 'list']) {
      if (changes[fixed] !== undefined) throw errors.fieldValidation('field_metadata', fixed, 'cannot change once the field exists');
    }
  },
  afterUpdate(api) {
    api.service.userFieldsVersion++;
  },
};
