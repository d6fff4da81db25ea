// Translates a parsed query into an SQL condition, validating it against the resource table on
// the way: unknown fields, operators a field type does not take, and ill-typed values are 400s.
//
// Cross-filters become `IN (subquery)` conditions over the target's table, each subquery carrying
// the scope of the request, so that SQLite can drive them from the indexes on reference columns
// and the link table. Negation is pushed down to the comparisons (De Morgan) so that a negated
// comparison also matches rows whose field is empty, as users expect of "not equal".

import { sql, type RawBuilder } from 'kysely';
import { errors } from '../errors/catalog.js';
import { columnOf, type Registry, type ResolvedEntity } from '../resources/registry.js';
import type { FieldDescriptor } from '../resources/types.js';
import { isIntegerText, parseDate, parseDateTime } from '../resources/values.js';
import { col, scopeCondition, type Scope } from '../store/scope.js';
import { tableOf } from '../store/schema-sync.js';
import type { Sql } from '../store/database.js';
import { type ComparisonOp, type Expr, isWildcard, stringText, type StringValue, type Value } from './ast.js';

type Cond = RawBuilder<boolean>;

const SQL_OPS: Record<ComparisonOp, string> = { EQ: '=', LT: '<', GT: '>', LE: '<=', GE: '>=' };
const NEGATED_OPS: Record<ComparisonOp, string> = { EQ: '<>', LT: '>=', GT: '<=', LE: '>', GE: '<' };

const TRUE: Cond = sql<boolean>`1 = 1`;
const FALSE: Cond = sql<boolean>`1 = 0`;

/**
 * A cross-filter whose target set is at most this many ids is resolved first and inlined as a
 * literal list: SQLite then knows how many ids it faces and picks the most selective index.
 */
export const INLINE_IDS_LIMIT = 500;
/** Total ids one query may inline; later cross-filters stay subqueries (SQLite's parameter limit). */
export const INLINE_IDS_BUDGET = 5000;

export class QueryCompiler {
  private aliasCount = 0;
  private inlined = 0;

  /** `sql` (optional) resolves small cross-filter targets ahead, see INLINE_IDS_LIMIT. */
  constructor(
    private readonly registry: Registry,
    private readonly scope: Scope,
    private readonly sqlRunner?: Sql,
  ) {}

  /** SQL condition for `expr` over `entity`'s table aliased `alias`. */
  compile(entity: ResolvedEntity, alias: string, expr: Expr, negate = false): Cond {
    switch (expr.kind) {
      case 'and':
      case 'or': {
        // NOT (a AND b) = NOT a OR NOT b, and the converse.
        const conjunction = (expr.kind === 'and') !== negate;
        const parts = expr.items.map((e) => this.compile(entity, alias, e, negate));
        return conjunction ? allOf(parts) : anyOf(parts);
      }
      case 'not':
        return this.compile(entity, alias, expr.expr, !negate);
      case 'compare':
        return this.comparison(entity, alias, expr.field, expr.pos, negate, (f) => this.compare(entity, alias, f, expr.op, expr.value, negate));
      case 'in':
        return this.comparison(entity, alias, expr.field, expr.pos, negate, (f) => this.inList(entity, alias, f, expr.values, negate));
      case 'between':
        return this.comparison(entity, alias, expr.field, expr.pos, negate, (f) => this.between(entity, alias, f, expr.low, expr.high, negate));
    }
  }

  private nextAlias(): string {
    return `q${++this.aliasCount}`;
  }

  private comparison(entity: ResolvedEntity, _alias: string, name: string, _pos: number, _negate: boolean, build: (f: FieldDescriptor) => Cond): Cond {
    const field = entity.fieldMap.get(name);
    if (!field) throw errors.unknownField(entity.type, name);
    if (!field.filterable) {
      throw errors.invalidQuery(`The field '${name}' of entity type '${entity.type}' cannot be used in a query`, { entity_type: entity.type, field_name: name });
    }
    return build(field);
  }

  private operatorError(entity: ResolvedEntity, field: FieldDescriptor, op: string): never {
    throw errors.invalidQuery(`The operator ${op} is not supported for the field '${field.name}' of type ${field.type} (entity type '${entity.type}')`, {
      entity_type: entity.type,
      field_name: field.name,
      operator: op,
    });
  }

  private valueError(entity: ResolvedEntity, field: FieldDescriptor, v: Value, expected: string): never {
    throw errors.invalidQuery(`Invalid value at position ${v.pos} for the field '${field.name}' of entity type '${entity.type}': expected ${expected}`, {
      entity_type: entity.type,
      field_name: field.name,
      position: v.pos,
    });
  }

  // ---- comparisons ---------------------------------------------------------------------------

  private compare(entity: ResolvedEntity, alias: string, field: FieldDescriptor, op: ComparisonOp, value: Value, negate: boolean): Cond {
    if (field.source?.kind === 'exists') {
      if (op !== 'EQ') this.operatorError(entity, field, op);
      const wanted = this.scalar(entity, field, value) === 1;
      const inverse = { ...field, type: 'reference' as const, multiple: true, source: { kind: 'inverse' as const, entity: field.source.entity, field: field.source.field } };
      const empty = this.isEmpty(entity, alias, inverse);
      return wanted !== negate ? sql<boolean>`not ${empty}` : empty;
    }
    if (field.type === 'reference') {
      if (op !== 'EQ') this.operatorError(entity, field, op);
      return this.reference(entity, alias, field, [value], negate);
    }
    if (field.name === 'id') return this.idComparison(entity, alias, op, [value], negate);
    this.checkOperator(entity, field, op);
    const column = this.columnOf(field, alias);
    if (value.kind === 'null' || value.kind === 'null_ref') {
      if (op !== 'EQ') this.operatorError(entity, field, `${op} null`);
      return negate ? sql<boolean>`${column} is not null` : sql<boolean>`${column} is null`;
    }
    if (value.kind === 'string' && isWildcard(value) && (field.type === 'string' || field.type === 'memo')) {
      if (op !== 'EQ') this.operatorError(entity, field, `${op} with a wildcard`);
      const like = sql<boolean>`${column} like ${likePattern(value)} escape '\\'`;
      return negate ? sql<boolean>`(${column} is null or not (${like}))` : like;
    }
    const v = this.scalar(entity, field, value);
    if (negate) return sql<boolean>`(${column} is null or ${column} ${sql.raw(NEGATED_OPS[op])} ${v})`;
    return sql<boolean>`${column} ${sql.raw(SQL_OPS[op])} ${v}`;
  }

  private inList(entity: ResolvedEntity, alias: string, field: FieldDescriptor, values: Value[], negate: boolean): Cond {
    if (field.type === 'reference') return this.reference(entity, alias, field, values, negate);
    if (field.name === 'id') return this.idComparison(entity, alias, 'EQ', values, negate);
    if (field.type === 'boolean' || field.type === 'memo' || field.type === 'object') this.operatorError(entity, field, 'IN');
    const column = this.columnOf(field, alias);
    const exact: unknown[] = [];
    const alternatives: Cond[] = [];
    let withNull = false;
    for (const v of values) {
      if (v.kind === 'null' || v.kind === 'null_ref') withNull = true;
      else if (v.kind === 'string' && isWildcard(v) && field.type === 'string') alternatives.push(sql<boolean>`${column} like ${likePattern(v)} escape '\\'`);
      else exact.push(this.scalar(entity, field, v));
    }
    if (exact.length) alternatives.push(sql<boolean>`${column} in (${sql.join(exact)})`);
    if (withNull) alternatives.push(sql<boolean>`${column} is null`);
    const any = anyOf(alternatives);
    if (!negate) return any;
    // "not in the list": an empty field is out only when the list names null.
    return withNull ? sql<boolean>`(${column} is not null and not coalesce(${any}, 0))` : sql<boolean>`(${column} is null or not ${any})`;
  }

  private between(entity: ResolvedEntity, alias: string, field: FieldDescriptor, low: Value, high: Value, negate: boolean): Cond {
    if (field.name === 'id') {
      const lo = this.idValue(low);
      const hi = this.idValue(high);
      if (lo === undefined || hi === undefined) throw errors.invalidQuery(`BTW on 'id' needs numeric bounds (position ${low.pos})`, { field_name: 'id' });
      const c = sql<boolean>`${col(alias, 'id')} between ${lo} and ${hi}`;
      return negate ? sql<boolean>`not ${c}` : c;
    }
    if (!['integer', 'float', 'date', 'date_time'].includes(field.type)) this.operatorError(entity, field, 'BTW');
    const column = this.columnOf(field, alias);
    const c = sql<boolean>`${column} between ${this.scalar(entity, field, low)} and ${this.scalar(entity, field, high)}`;
    return negate ? sql<boolean>`(${column} is null or not ${c})` : c;
  }

  private checkOperator(entity: ResolvedEntity, field: FieldDescriptor, op: ComparisonOp): void {
    switch (field.type) {
      case 'integer':
      case 'float':
      case 'date':
      case 'date_time':
        return;
      case 'string':
      case 'memo':
      case 'boolean':
        if (op !== 'EQ') this.operatorError(entity, field, op);
        return;
      default:
        this.operatorError(entity, field, op);
    }
  }

  private columnOf(field: FieldDescriptor, alias: string): RawBuilder<unknown> {
    return col(alias, columnOf(field));
  }

  /** A literal converted to the stored form of the field's type. */
  private scalar(entity: ResolvedEntity, field: FieldDescriptor, v: Value): unknown {
    switch (field.type) {
      case 'integer':
      case 'float': {
        if (v.kind === 'number') return field.type === 'integer' && !Number.isInteger(v.value) ? this.valueError(entity, field, v, 'an integer') : v.value;
        if (v.kind === 'string' && !isWildcard(v) && /^-?\d+(\.\d+)?$/.test(stringText(v))) return Number(stringText(v));
        return this.valueError(entity, field, v, 'a number');
      }
      case 'boolean':
        if (v.kind === 'boolean') return v.value ? 1 : 0;
        if (v.kind === 'string' && ['true', 'false'].includes(stringText(v).toLowerCase())) return stringText(v).toLowerCase() === 'true' ? 1 : 0;
        return this.valueError(entity, field, v, 'true or false');
      case 'date':
      case 'date_time': {
        const text = v.kind === 'date' ? v.raw : v.kind === 'string' && !isWildcard(v) ? stringText(v) : undefined;
        const parsed = text === undefined ? undefined : field.type === 'date' ? parseDate(text) : parseDateTime(text);
        return parsed ?? this.valueError(entity, field, v, 'an ISO-8601 date or date-time such as ^2024-01-31T00:00:00Z^');
      }
      case 'string':
      case 'memo':
        if (v.kind === 'string') return stringText(v);
        if (v.kind === 'number') return v.raw;
        if (v.kind === 'date') return v.raw;
        if (v.kind === 'boolean') return String(v.value);
        return this.valueError(entity, field, v, 'a string in ^…^');
      default:
        return this.valueError(entity, field, v, 'a value');
    }
  }

  // ---- ids ---------------------------------------------------------------------------------------

  private idValue(v: Value): number | undefined {
    if (v.kind === 'number' && Number.isInteger(v.value)) return v.value;
    if (v.kind === 'string' && !isWildcard(v) && isIntegerText(stringText(v))) return Number(stringText(v));
    if (v.kind === 'macro' && v.name === 'current_user') return this.scope.userId ?? -1;
    return undefined;
  }

  /**
   * `id` compares numerically; a non-numeric id is a logical name (phase.defect.new) for the
   * entities that have one, as client code in the wild uses both forms.
   */
  private idComparison(entity: ResolvedEntity, alias: string, op: ComparisonOp, values: Value[], negate: boolean): Cond {
    const store = this.registry.store(entity.store);
    const ids: number[] = [];
    const names: string[] = [];
    for (const v of values) {
      if (v.kind === 'macro' && v.name !== 'current_user') throw errors.invalidQuery(`Unsupported macro [${v.name}] at position ${v.pos}`, { position: v.pos });
      const id = this.idValue(v);
      if (id !== undefined) ids.push(id);
      else if (v.kind === 'string' && !isWildcard(v)) names.push(stringText(v));
      else if (v.kind === 'number') ids.push(Math.trunc(v.value));
      else throw errors.invalidQuery(`Invalid value at position ${v.pos} for the field 'id': expected an id`, { field_name: 'id', position: v.pos });
    }
    if (op !== 'EQ') {
      if (names.length || ids.length !== 1) throw errors.invalidQuery(`The operator ${op} on 'id' needs one numeric id`, { field_name: 'id' });
      const c = sql<boolean>`${col(alias, 'id')} ${sql.raw(SQL_OPS[op])} ${ids[0]}`;
      return negate ? sql<boolean>`not ${c}` : c;
    }
    const alternatives: Cond[] = [];
    if (ids.length) alternatives.push(sql<boolean>`${col(alias, 'id')} in (${sql.join(ids)})`);
    if (names.length) alternatives.push(store.hasLogicalName ? sql<boolean>`${col(alias, 'logical_name')} in (${sql.join(names)})` : FALSE);
    const any = anyOf(alternatives);
    return negate ? sql<boolean>`not ${any}` : any;
  }

  // ---- references --------------------------------------------------------------------------------

  /**
   * `ref EQ {cross-filter}`, `ref EQ {null}`, `ref IN {…},{…}`, or ids. On a multi-reference,
   * a cross-filter matches when any element matches.
   */
  private reference(entity: ResolvedEntity, alias: string, field: FieldDescriptor, values: Value[], negate: boolean): Cond {
    const alternatives: Cond[] = [];
    const ids: number[] = [];
    const names: string[] = [];
    let wantsNull = false;
    for (const v of values) {
      switch (v.kind) {
        case 'null_ref':
        case 'null':
          wantsNull = true;
          break;
        case 'subquery':
          alternatives.push(this.referenced(entity, alias, field, this.targetIds(field, v.expr)));
          break;
        case 'macro':
          if (v.name !== 'current_user') throw errors.invalidQuery(`Unsupported macro [${v.name}] at position ${v.pos}`, { position: v.pos });
          ids.push(this.scope.userId ?? -1);
          break;
        case 'number':
          if (!Number.isInteger(v.value)) this.valueError(entity, field, v, 'an id or a cross-filter {…}');
          ids.push(v.value);
          break;
        case 'string':
          if (isWildcard(v)) this.valueError(entity, field, v, 'an id or a cross-filter {…}');
          if (isIntegerText(stringText(v))) ids.push(Number(stringText(v)));
          else names.push(stringText(v));
          break;
        default:
          this.valueError(entity, field, v, 'a cross-filter {…}, {null} or an id');
      }
    }
    if (ids.length || names.length) {
      const target = this.registry.targetEntity(field);
      const a = this.nextAlias();
      const byId: Cond[] = [];
      if (ids.length) byId.push(sql<boolean>`${col(a, 'id')} in (${sql.join(ids)})`);
      if (names.length && this.registry.store(target.store).hasLogicalName) byId.push(sql<boolean>`${col(a, 'logical_name')} in (${sql.join(names)})`);
      const cond = byId.length ? anyOf(byId) : FALSE;
      alternatives.push(this.referenced(entity, alias, field, this.targetSelect(field, target, a, cond)));
    }
    if (wantsNull) alternatives.push(this.isEmpty(entity, alias, field));
    const any = anyOf(alternatives);
    if (!negate) return any;
    // An empty single reference compares as NULL; "not" must match it, hence the coalesce.
    return sql<boolean>`not coalesce(${any}, 0)`;
  }

  /** `select a.id from <target table> a where <scope> and <cross-filter>`, or its ids inlined. */
  private targetIds(field: FieldDescriptor, expr: Expr): RawBuilder<unknown> {
    const target = this.registry.targetEntity(field);
    const a = this.nextAlias();
    const select = this.targetSelect(field, target, a, this.compile(target, a, expr));
    if (!this.sqlRunner || this.inlined >= INLINE_IDS_BUDGET) return select;
    const rows = this.sqlRunner.allRaw<{ id: number }>(sql`${select} limit ${INLINE_IDS_LIMIT + 1}`);
    if (rows.length > INLINE_IDS_LIMIT || this.inlined + rows.length > INLINE_IDS_BUDGET) return select;
    this.inlined += rows.length;
    // An empty list matches nothing; NULL keeps `IN (...)` well-formed.
    return rows.length ? sql.join(rows.map((r) => r.id)) : sql`null`;
  }

  private targetSelect(field: FieldDescriptor, target: ResolvedEntity, a: string, cond: Cond): RawBuilder<unknown> {
    const scoped = scopeCondition(this.registry, target, this.scope, a);
    const rowTypes = this.registry.rowTypesOf(field.targets ?? []);
    const typeCond = rowTypes.length < target.rowTypes.length ? sql`and ${col(a, 'type')} in (${sql.join(rowTypes)})` : sql``;
    return sql`select ${col(a, 'id')} from ${sql.table(tableOf(target.store))} as ${sql.ref(a)} where ${scoped} ${typeCond} and ${cond}`;
  }

  /** Rows of `entity` whose `field` points at one of the ids `targets` selects. */
  private referenced(entity: ResolvedEntity, alias: string, field: FieldDescriptor, targets: RawBuilder<unknown>): Cond {
    const source = field.source ?? { kind: 'stored' as const };
    if (source.kind === 'stored') {
      if (!field.multiple) return sql<boolean>`${col(alias, field.name)} in (${targets})`;
      return sql<boolean>`${col(alias, 'id')} in (select l.src_id from entity_link l where l.field = ${linkKey(this.registry, entity, field.name)} and l.dst_id in (${targets}))`;
    }
    const other = this.registry.entity(source.entity);
    const otherField = other.fieldMap.get(source.field)!;
    if (otherField.multiple) {
      return sql<boolean>`${col(alias, 'id')} in (select l.dst_id from entity_link l where l.field = ${linkKey(this.registry, other, source.field)} and l.src_id in (${targets}))`;
    }
    const o = this.nextAlias();
    return sql<boolean>`${col(alias, 'id')} in (select ${col(o, source.field)} from ${sql.table(tableOf(other.store))} as ${sql.ref(o)} where ${col(o, source.field)} is not null and ${col(o, 'id')} in (${targets}))`;
  }

  /** `field EQ {null}`: no value (single) or no element (multi, inverse). */
  private isEmpty(entity: ResolvedEntity, alias: string, field: FieldDescriptor): Cond {
    const source = field.source ?? { kind: 'stored' as const };
    if (source.kind === 'stored') {
      if (!field.multiple) return sql<boolean>`${col(alias, field.name)} is null`;
      return sql<boolean>`${col(alias, 'id')} not in (select l.src_id from entity_link l where l.field = ${linkKey(this.registry, entity, field.name)})`;
    }
    const other = this.registry.entity(source.entity);
    const otherField = other.fieldMap.get(source.field)!;
    if (otherField.multiple) {
      return sql<boolean>`${col(alias, 'id')} not in (select l.dst_id from entity_link l where l.field = ${linkKey(this.registry, other, source.field)})`;
    }
    const o = this.nextAlias();
    return sql<boolean>`${col(alias, 'id')} not in (select ${col(o, source.field)} from ${sql.table(tableOf(other.store))} as ${sql.ref(o)} where ${col(o, source.field)} is not null and ${scopeCondition(this.registry, other, this.scope, o)})`;
  }
}

/**
 * `a or b or …` grouped as a balanced tree: SQLite nests a flat chain of N terms N deep and refuses
 * past 1000, while a balanced grouping is only log2(N) deep.
 */
function balanced(conds: Cond[], op: 'or' | 'and'): Cond {
  if (conds.length === 1) return conds[0];
  if (conds.length <= 8) return sql<boolean>`(${sql.join(conds, op === 'or' ? sql` or ` : sql` and `)})`;
  const mid = Math.ceil(conds.length / 2);
  return sql<boolean>`(${balanced(conds.slice(0, mid), op)} ${sql.raw(op)} ${balanced(conds.slice(mid), op)})`;
}

function anyOf(conds: Cond[]): Cond {
  return balanced(conds, 'or');
}

function allOf(conds: Cond[]): Cond {
  return balanced(conds, 'and');
}

/** Link-table key of a multi-reference: `<store>.<field>`. */
export function linkKey(registry: Registry, entity: ResolvedEntity, field: string): string {
  return `${registry.entity(entity.type).store}.${field}`;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function likePattern(v: StringValue): string {
  return v.segments.map(escapeLike).join('%');
}

export { TRUE as MATCH_ALL };
