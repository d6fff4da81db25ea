// The translator on compiled SQL: a few shapes that matter for correctness and for the indexes
// (behaviour.test.ts carries the weight of what the SQL returns). Each case compiles a parsed query
// over a resource of the real resource table into a kysely select and checks SQL and parameters.

import { afterAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/parser.js';
import { QueryCompiler } from '../../src/query/to-sql.js';
import { buildRegistry } from '../../src/resources/catalog.js';
import { OctaneError } from '../../src/errors/octane-error.js';
import { openSqlite, Sql } from '../../src/store/database.js';
import { tableOf } from '../../src/store/schema-sync.js';
import type { Scope } from '../../src/store/scope.js';

const registry = buildRegistry();
const db = new Sql(openSqlite(':memory:'));
afterAll(() => db.close());

const SCOPE: Scope = { sharedSpaceId: 1001, workspaceId: 1002, userId: 77 };

/** `select t.id from <table of type> as t where <compiled query>` */
function compile(type: string, query: string, scope: Scope = SCOPE): { sql: string; parameters: readonly unknown[] } {
  const entity = registry.entity(type);
  const compiler = new QueryCompiler(registry, scope);
  const c = db.qb.selectFrom(`${tableOf(entity.store)} as t`).select('t.id').where(compiler.compile(entity, 't', parseQuery(query))).compile();
  return { sql: c.sql, parameters: c.parameters };
}

const where = (type: string, query: string, scope?: Scope) => {
  const c = compile(type, query, scope);
  const prefix = `select "t"."id" from "${tableOf(registry.entity(type).store)}" as "t" where `;
  expect(c.sql.startsWith(prefix)).toBe(true);
  return { sql: c.sql.slice(prefix.length).replace(/\s+/g, ' '), parameters: c.parameters };
};

/** The cross-filter scope of a workspace-level target aliased `a`. */
const wsScope = (a: string) => `("${a}"."workspace_id" = ?)`;

describe('scalar comparisons', () => {
  it.each([
    ['name EQ ^abc^', '"t"."name" = ?', ['abc']],
    ['story_points LT 3', '"t"."story_points" < ?', [3]],
    ['story_points GT 3', '"t"."story_points" > ?', [3]],
    ['story_points <= 3', '"t"."story_points" <= ?', [3]],
    ['story_points GE -2', '"t"."story_points" >= ?', [-2]],
    ['is_draft EQ true', '"t"."is_draft" = ?', [1]],
    ['is_draft EQ false', '"t"."is_draft" = ?', [0]],
    // dates are compared in their stored form, whatever form the literal had
    ['creation_time GT ^2024-01-31T10:00:00.123Z^', '"t"."creation_time" > ?', ['2024-01-31T10:00:00Z']],
    ['creation_time GE 2024-01-31T12:00:00+02:00', '"t"."creation_time" >= ?', ['2024-01-31T10:00:00Z']],
    ['closed_on EQ 2024-01-31', '"t"."closed_on" = ?', ['2024-01-31T00:00:00Z']],
    ['story_points IN 1,2,3', '"t"."story_points" in (?, ?, ?)', [1, 2, 3]],
    ['story_points BTW 1...5', '"t"."story_points" between ? and ?', [1, 5]],
    ['creation_time BTW 2024-01-01...^2024-02-01T10:00:00Z^', '"t"."creation_time" between ? and ?', ['2024-01-01T00:00:00Z', '2024-02-01T10:00:00Z']],
    ['name EQ null', '"t"."name" is null', []],
  ] as const)('%s', (q, sql, parameters) => {
    expect(where('work_item', q)).toEqual({ sql, parameters });
  });

  it('a wildcard becomes LIKE with an escape character, and LIKE metacharacters are escaped', () => {
    expect(where('work_item', 'name EQ ^941*^')).toEqual({ sql: `"t"."name" like ? escape '\\'`, parameters: ['941%'] });
    expect(where('work_item', 'name EQ ^*log*in*^')).toEqual({ sql: `"t"."name" like ? escape '\\'`, parameters: ['%log%in%'] });
    // % and _ are literal in Octane's language; \* is a literal star
    expect(where('work_item', 'name EQ ^50%_off\\*\\\\*^')).toEqual({ sql: `"t"."name" like ? escape '\\'`, parameters: ['50\\%\\_off*\\\\%'] });
    // no wildcard: plain equality, even with % and _ in the text
    expect(where('work_item', 'name EQ ^50%_off^')).toEqual({ sql: '"t"."name" = ?', parameters: ['50%_off'] });
  });

  it('IN mixes exact values and wildcards', () => {
    expect(where('work_item', 'name IN ^a^,^b*^')).toEqual({ sql: `("t"."name" like ? escape '\\' or "t"."name" in (?))`, parameters: ['b%', 'a'] });
  });
});

describe('negation', () => {
  it('a negated comparison also matches rows without a value (NULL)', () => {
    expect(where('work_item', '!name EQ ^a^')).toEqual({ sql: '("t"."name" is null or "t"."name" <> ?)', parameters: ['a'] });
    expect(where('work_item', '!story_points GT 3')).toEqual({ sql: '("t"."story_points" is null or "t"."story_points" <= ?)', parameters: [3] });
    expect(where('work_item', '!story_points BTW 1...5')).toEqual({ sql: '("t"."story_points" is null or not "t"."story_points" between ? and ?)', parameters: [1, 5] });
    expect(where('work_item', '!name EQ ^a*^')).toEqual({ sql: `("t"."name" is null or not ("t"."name" like ? escape '\\'))`, parameters: ['a%'] });
    expect(where('work_item', '!name EQ null')).toEqual({ sql: '"t"."name" is not null', parameters: [] });
  });

  it('is pushed through AND / OR (De Morgan)', () => {
    expect(where('work_item', '!(story_points EQ 1;name EQ ^a^)')).toEqual({
      sql: '(("t"."story_points" is null or "t"."story_points" <> ?) or ("t"."name" is null or "t"."name" <> ?))',
      parameters: [1, 'a'],
    });
    expect(where('work_item', '!(story_points EQ 1||!name EQ ^a^)')).toEqual({
      sql: '(("t"."story_points" is null or "t"."story_points" <> ?) and "t"."name" = ?)',
      parameters: [1, 'a'],
    });
  });

  it('a negated cross-filter matches an empty reference (coalesce of the NULL membership)', () => {
    expect(where('work_item', '!release EQ {name EQ ^R1^}')).toEqual({
      sql: `not coalesce("t"."release" in (select "q1"."id" from "e_release" as "q1" where ${wsScope('q1')} and "q1"."name" = ?), 0)`,
      parameters: [1002, 'R1'],
    });
  });
});

describe('references', () => {
  it('a cross-filter is an IN (select …) over the target, carrying the scope of the request', () => {
    expect(where('work_item', 'release EQ {name EQ ^941*^}')).toEqual({
      sql: `"t"."release" in (select "q1"."id" from "e_release" as "q1" where ${wsScope('q1')} and "q1"."name" like ? escape '\\')`,
      parameters: [1002, '941%'],
    });
    // another workspace, another parameter: the scope is the request's, not a constant
    expect(where('work_item', 'release EQ {name EQ ^R1^}', { ...SCOPE, workspaceId: 2002 }).parameters).toEqual([2002, 'R1']);
  });

  it('nested cross-filters nest the subqueries, each one scoped', () => {
    const { sql, parameters } = where('work_item', 'release EQ {sprints EQ {name EQ ^S1^}}');
    expect(sql).toBe(
      `"t"."release" in (select "q1"."id" from "e_release" as "q1" where ${wsScope('q1')} and "q1"."id" in ` +
        `(select "q3"."release" from "e_sprint" as "q3" where "q3"."release" is not null and "q3"."id" in ` +
        `(select "q2"."id" from "e_sprint" as "q2" where ${wsScope('q2')} and "q2"."name" = ?)))`,
    );
    expect(parameters).toEqual([1002, 1002, 'S1']);
  });

  it('ids and logical names as ids', () => {
    expect(where('work_item', 'release IN 5,6')).toEqual({
      sql: `"t"."release" in (select "q1"."id" from "e_release" as "q1" where ${wsScope('q1')} and "q1"."id" in (?, ?))`,
      parameters: [1002, 5, 6],
    });
    expect(where('work_item', 'phase EQ {id EQ ^phase.defect.new^}')).toEqual({
      sql: `"t"."phase" in (select "q1"."id" from "e_phase" as "q1" where ${wsScope('q1')} and "q1"."logical_name" in (?))`,
      parameters: [1002, 'phase.defect.new'],
    });
    // a list field: the target type list_node has logical names too
    expect(where('work_item', 'severity EQ ^list_node.severity.high^').parameters).toEqual([1002, 'list_node.severity.high']);
    // an entity without logical names matches nothing by a non-numeric id
    expect(where('release', 'id EQ ^phase.defect.new^')).toEqual({ sql: '1 = 0', parameters: [] });
  });

  it('{null} on a single reference is IS NULL; on a multi-reference, no link', () => {
    expect(where('work_item', 'release EQ {null}')).toEqual({ sql: '"t"."release" is null', parameters: [] });
    expect(where('work_item', 'user_tags EQ {null}')).toEqual({
      sql: '"t"."id" not in (select l.src_id from entity_link l where l.field = ?)',
      parameters: ['work_item.user_tags'],
    });
  });

  it('a multi-reference cross-filter is an entity_link subquery ("any element matches")', () => {
    expect(where('work_item', 'user_tags EQ {name EQ ^red^}')).toEqual({
      sql: `"t"."id" in (select l.src_id from entity_link l where l.field = ? and l.dst_id in (select "q1"."id" from "e_user_tag" as "q1" where ${wsScope('q1')} and "q1"."name" = ?))`,
      parameters: ['work_item.user_tags', 1002, 'red'],
    });
  });

  it('an inverse field is a subquery on the other table (single) or on the links (multi)', () => {
    // feature.children is the inverse of work_item.parent (a single reference on the other rows)
    expect(where('feature', 'children EQ {name EQ ^x^}')).toEqual({
      sql:
        `"t"."id" in (select "q2"."parent" from "e_work_item" as "q2" where "q2"."parent" is not null and "q2"."id" in ` +
        `(select "q1"."id" from "e_work_item" as "q1" where ${wsScope('q1')} and "q1"."name" = ?))`,
      parameters: [1002, 'x'],
    });
    // product_area.test is the inverse of test.product_areas (a multi-reference)
    expect(where('product_area', 'test EQ {name EQ ^x^}')).toEqual({
      sql: `"t"."id" in (select l.dst_id from entity_link l where l.field = ? and l.src_id in (select "q1"."id" from "e_test" as "q1" where ${wsScope('q1')} and "q1"."name" = ?))`,
      parameters: ['test.product_areas', 1002, 'x'],
    });
    // no element: scoped, so that another workspace's rows cannot hide this one's
    expect(where('story', 'child_task EQ {null}')).toEqual({
      sql: `"t"."id" not in (select "q1"."story" from "e_task" as "q1" where "q1"."story" is not null and ${wsScope('q1')})`,
      parameters: [1002],
    });
  });

  it('a reference to some subtypes of a family restricts the cross-filter to their rows', () => {
    // run_manual.test targets test_manual and gherkin_test only
    const { sql, parameters } = where('run_manual', 'test EQ {name EQ ^x^}');
    expect(sql).toBe(`"t"."test" in (select "q1"."id" from "e_test" as "q1" where ${wsScope('q1')} and "q1"."type" in (?, ?) and "q1"."name" = ?)`);
    expect(parameters).toEqual([1002, 'test_manual', 'gherkin_test', 'x']);
  });

  it('[current_user] is the signed-in user of the scope; users are seen through workspace membership', () => {
    const { sql, parameters } = where('work_item', 'owner EQ {id EQ [current_user]}');
    expect(sql).toMatch(/^"t"\."owner" in \(select "q1"\."id" from "e_user" as "q1" where \("q1"\."shared_space_id" = \? and "q1"\."id" in \(select l\.src_id from entity_link l join "e_workspace_role" wr/);
    expect(sql.endsWith('and "q1"."id" in (?))')).toBe(true);
    // the membership condition is scope.ts's: it names the space and the workspace; the user comes last
    expect(parameters[0]).toBe(1001);
    expect(parameters).toContain(1002);
    expect(parameters[parameters.length - 1]).toBe(77);
  });
});

describe('subtypes and ids', () => {
  it('subtype compares the row type column', () => {
    expect(where('work_item', 'subtype IN ^defect^,^story^')).toEqual({ sql: '"t"."type" in (?, ?)', parameters: ['defect', 'story'] });
    expect(where('test', 'subtype EQ ^test_manual^')).toEqual({ sql: '"t"."type" = ?', parameters: ['test_manual'] });
  });

  it('id compares numerically, and by logical name for entities that have one', () => {
    expect(where('work_item', 'id EQ 1001')).toEqual({ sql: '"t"."id" in (?)', parameters: [1001] });
    expect(where('work_item', 'id IN 1001,^1002^')).toEqual({ sql: '"t"."id" in (?, ?)', parameters: [1001, 1002] });
    expect(where('work_item', 'id GT 1001')).toEqual({ sql: '"t"."id" > ?', parameters: [1001] });
    expect(where('phase', 'id EQ ^phase.defect.new^')).toEqual({ sql: '"t"."logical_name" in (?)', parameters: ['phase.defect.new'] });
    expect(where('phase', 'id IN 5,^phase.defect.new^')).toEqual({ sql: '("t"."id" in (?) or "t"."logical_name" in (?))', parameters: [5, 'phase.defect.new'] });
  });
});

describe('validation while translating', () => {
  const refused = (type: string, q: string): OctaneError => {
    try {
      compile(type, q);
    } catch (e) {
      expect(e).toBeInstanceOf(OctaneError);
      return e as OctaneError;
    }
    throw new Error(`expected ${q} to be refused`);
  };

  it.each([
    ['name LT ^a^', 'name', 'LT'],
    ['is_draft BTW true...false', 'is_draft', 'BTW'],
    ['is_draft GT true', 'is_draft', 'GT'],
    ['release GT 5', 'release', 'GT'],
    ['user_tags LE {name EQ ^a^}', 'user_tags', 'LE'],
    ['name BTW ^a^...^b^', 'name', 'BTW'],
  ])('%s is a 400 naming the field and the operator', (q, field, op) => {
    const e = refused('defect', q);
    expect(e.status).toBe(400);
    expect(e.code).toBe('platform.invalid_query');
    expect(e.message).toContain(field);
    expect(e.message).toContain(op);
    expect(e.properties).toMatchObject({ entity_type: 'defect', field_name: field, operator: op });
  });

  it('an unknown field is platform.unknown_field, with the target type inside a cross-filter', () => {
    const top = refused('defect', 'nope EQ 1');
    expect([top.status, top.code, top.properties]).toEqual([400, 'platform.unknown_field', { entity_type: 'defect', field_name: 'nope' }]);
    const inner = refused('defect', 'release EQ {sprints EQ {nope EQ 1}}');
    expect([inner.status, inner.code, inner.properties]).toEqual([400, 'platform.unknown_field', { entity_type: 'sprint', field_name: 'nope' }]);
  });
});
