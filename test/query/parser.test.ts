// Parser of the query language: input -> typed AST, table-driven, over every construct of
// protocol.md §4 and flows.md §0, the vendor's own examples verbatim, and every malformed input
// with the position and the expectation its 400 must name.
//
// The tables compare ASTs without their `pos` fields (builders below); positions have their own
// table, so that a change of position bookkeeping shows up in one place.

import { describe, expect, it } from 'vitest';
import type { ComparisonOp, Expr } from '../../src/query/ast.js';
import { MAX_COMPARISONS, MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, parseQuery, unwrapQuery } from '../../src/query/parser.js';
import { OctaneError } from '../../src/errors/octane-error.js';

// ---- AST builders (positions left out) ------------------------------------------------------------

/** builder results: AST nodes without `pos` */
type V = Record<string, unknown>;
type E = Record<string, unknown>;

const num = (raw: string): V => ({ kind: 'number', value: Number(raw), raw });
/** A string literal; pass several segments for a wildcard (`^941*^` is str('941', '')). */
const str = (...segments: string[]): V => ({ kind: 'string', segments });
const date = (raw: string): V => ({ kind: 'date', raw });
const bool = (value: boolean): V => ({ kind: 'boolean', value });
const NULL: V = { kind: 'null' };
const NULL_REF: V = { kind: 'null_ref' };
const macro = (name: string): V => ({ kind: 'macro', name });
const sub = (expr: E): V => ({ kind: 'subquery', expr });

const cmp = (field: string, op: ComparisonOp, value: V): E => ({ kind: 'compare', field, op, value });
const eq = (field: string, value: V): E => cmp(field, 'EQ', value);
const inList = (field: string, ...values: V[]): E => ({ kind: 'in', field, values });
const btw = (field: string, low: V, high: V): E => ({ kind: 'between', field, low, high });
const and = (...items: E[]): E => ({ kind: 'and', items });
const or = (...items: E[]): E => ({ kind: 'or', items });
const not = (expr: E): E => ({ kind: 'not', expr });
/** `field EQ {expr}` */
const cross = (field: string, expr: E): E => eq(field, sub(expr));

/** The AST without `pos`, for comparison with the builders. */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'pos') out[k] = strip(v);
    return out;
  }
  return node;
}

const parse = (q: string) => strip(parseQuery(q));

/** The OctaneError a malformed query throws. */
function failure(q: string): OctaneError {
  try {
    parseQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(OctaneError);
    return e as OctaneError;
  }
  throw new Error(`expected ${JSON.stringify(q.slice(0, 80))} to be refused`);
}

function table(rows: ReadonlyArray<readonly [string, E]>) {
  return rows.map(([input, expected]) => ({ input, expected }));
}

// ---- comparisons and values -----------------------------------------------------------------------

describe('comparisons', () => {
  it.each(
    table([
      ['id EQ 1001', eq('id', num('1001'))],
      ['id LT 1001', cmp('id', 'LT', num('1001'))],
      ['id GT 1001', cmp('id', 'GT', num('1001'))],
      ['id LE 1001', cmp('id', 'LE', num('1001'))],
      ['id GE 1001', cmp('id', 'GE', num('1001'))],
      // symbol forms, with and without spaces (C# QueryBuilder comment, PPM connector)
      ['id=1001', eq('id', num('1001'))],
      ['id<1001', cmp('id', 'LT', num('1001'))],
      ['id>1001', cmp('id', 'GT', num('1001'))],
      ['id<=1001', cmp('id', 'LE', num('1001'))],
      ['id>=1001', cmp('id', 'GE', num('1001'))],
      ['id = 1001', eq('id', num('1001'))],
      ['id >= 1001', cmp('id', 'GE', num('1001'))],
      // word operators are not case-sensitive
      ['id eq 1001', eq('id', num('1001'))],
      ['id Ge 1001', cmp('id', 'GE', num('1001'))],
      // IN lists
      ['id IN 1,2,3', inList('id', num('1'), num('2'), num('3'))],
      ['id IN 7', inList('id', num('7'))],
      ['id IN 1 , 2 ,3', inList('id', num('1'), num('2'), num('3'))],
      ['subtype IN ^defect^,^story^', inList('subtype', str('defect'), str('story'))],
      ["subtype IN 'defect','story'", inList('subtype', str('defect'), str('story'))],
      ['id IN [current_user],1001', inList('id', macro('current_user'), num('1001'))],
      ['release IN {null},{name EQ ^R1^}', inList('release', NULL_REF, sub(eq('name', str('R1'))))],
      ['name IN ^a*^,null', inList('name', str('a', ''), NULL)],
      // BTW, inclusive, numbers and dates
      ['id BTW 1...4', btw('id', num('1'), num('4'))],
      ['id BTW 1 ... 4', btw('id', num('1'), num('4'))],
      ['story_points BTW 1.5...2.25', btw('story_points', num('1.5'), num('2.25'))],
      ['rank BTW -10...-2', btw('rank', num('-10'), num('-2'))],
      ['start_date BTW 2024-01-01...2024-02-01', btw('start_date', date('2024-01-01'), date('2024-02-01'))],
      [
        'creation_time BTW 2020-01-01T00:00:00Z...2020-02-01T00:00:00Z',
        btw('creation_time', date('2020-01-01T00:00:00Z'), date('2020-02-01T00:00:00Z')),
      ],
      [
        'creation_time BTW ^2020-01-01T00:00:00Z^...^2020-02-01T00:00:00Z^',
        btw('creation_time', str('2020-01-01T00:00:00Z'), str('2020-02-01T00:00:00Z')),
      ],
    ]),
  )('$input', ({ input, expected }) => {
    expect(parse(input)).toEqual(expected);
  });
});

describe('values', () => {
  it.each(
    table([
      // numbers
      ['story_points EQ 0', eq('story_points', num('0'))],
      ['story_points EQ 42', eq('story_points', num('42'))],
      ['wsjf_score EQ 3.75', eq('wsjf_score', num('3.75'))],
      ['rank EQ -5', eq('rank', num('-5'))],
      ['rank GT -0.5', cmp('rank', 'GT', num('-0.5'))],
      // booleans, in any case
      ['is_draft EQ true', eq('is_draft', bool(true))],
      ['is_draft EQ false', eq('is_draft', bool(false))],
      ['is_draft EQ TRUE', eq('is_draft', bool(true))],
      ['is_draft=false', eq('is_draft', bool(false))],
      // null for plain fields, {null} for references (JS SDK test/query.ts "null query")
      ['description EQ null', eq('description', NULL)],
      ['description EQ NULL', eq('description', NULL)],
      ['release EQ {null}', eq('release', NULL_REF)],
      ['release EQ { null }', eq('release', NULL_REF)],
      ['parent_suite={null}', eq('parent_suite', NULL_REF)],
      // strings in ^…^ and '…'
      ['name EQ ^test^', eq('name', str('test'))],
      ["name EQ 'test'", eq('name', str('test'))],
      ['name EQ ^^', eq('name', str(''))],
      ['name EQ ^two words^', eq('name', str('two words'))],
      ["name EQ ^it's^", eq('name', str("it's"))],
      ["name EQ 'a^b'", eq('name', str('a^b'))],
      ['name EQ ^a;b||c(d){e}!^', eq('name', str('a;b||c(d){e}!'))],
      // backslash escapes
      ['name EQ ^a\\^b^', eq('name', str('a^b'))],
      ["name EQ 'it\\'s'", eq('name', str("it's"))],
      ['name EQ ^a\\*b^', eq('name', str('a*b'))],
      ['name EQ ^a\\\\b^', eq('name', str('a\\b'))],
      ['name EQ ^ends with backslash\\\\^', eq('name', str('ends with backslash\\'))],
      ['name EQ ^\\^\\*\\\'^', eq('name', str("^*'"))],
      // wildcards split the literal into segments
      ['name EQ ^941*^', eq('name', str('941', ''))],
      ['name EQ ^*login^', eq('name', str('', 'login'))],
      ['name EQ ^*login*^', eq('name', str('', 'login', ''))],
      ['name EQ ^log*in^', eq('name', str('log', 'in'))],
      ['name EQ ^a*b*c^', eq('name', str('a', 'b', 'c'))],
      ['name EQ ^*^', eq('name', str('', ''))],
      ['name EQ ^732.*^', eq('name', str('732.', ''))],
      ['name EQ ^2\\*3*^', eq('name', str('2*3', ''))],
      // bare ISO dates and date-times
      ['start_date EQ 2024-01-31', eq('start_date', date('2024-01-31'))],
      ['creation_time GT 2017-05-24T00:00:00Z', cmp('creation_time', 'GT', date('2017-05-24T00:00:00Z'))],
      ['creation_time LT 2024-01-01T00:00:00.000Z', cmp('creation_time', 'LT', date('2024-01-01T00:00:00.000Z'))],
      ['creation_time GE 2024-01-01T10:20:30+02:00', cmp('creation_time', 'GE', date('2024-01-01T10:20:30+02:00'))],
      ['creation_time LE 2024-01-01T10:20', cmp('creation_time', 'LE', date('2024-01-01T10:20'))],
      // dates in strings stay strings; the translator converts them for date fields
      ['creation_time GT ^2017-05-24T00:00:00Z^', cmp('creation_time', 'GT', str('2017-05-24T00:00:00Z'))],
      // macros
      ['owner EQ [current_user]', eq('owner', macro('current_user'))],
      ['owner EQ [CURRENT_USER]', eq('owner', macro('current_user'))],
      ['owner EQ {id EQ [current_user]}', cross('owner', eq('id', macro('current_user')))],
    ]),
  )('$input', ({ input, expected }) => {
    expect(parse(input)).toEqual(expected);
  });

  it('keeps the raw text of numbers and dates', () => {
    const e = parseQuery('wsjf_score EQ 3.50') as Extract<Expr, { kind: 'compare' }>;
    expect(e.value).toMatchObject({ kind: 'number', value: 3.5, raw: '3.50' });
  });
});

// ---- logic: AND, OR, NOT, parentheses, precedence ------------------------------------------------

describe('logic and precedence: () > ! > ; > ||', () => {
  const a = eq('a', num('1'));
  const b = eq('b', num('2'));
  const c = eq('c', num('3'));
  const d = eq('d', num('4'));

  it.each(
    table([
      ['a EQ 1;b EQ 2', and(a, b)],
      ['a EQ 1||b EQ 2', or(a, b)],
      ['!a EQ 1', not(a)],
      ['(a EQ 1)', a],
      ['((a EQ 1))', a],
      // n-ary, left to right
      ['a EQ 1;b EQ 2;c EQ 3', and(a, b, c)],
      ['a EQ 1||b EQ 2||c EQ 3', or(a, b, c)],
      // ; binds tighter than ||
      ['a EQ 1;b EQ 2||c EQ 3', or(and(a, b), c)],
      ['a EQ 1||b EQ 2;c EQ 3', or(a, and(b, c))],
      ['a EQ 1;b EQ 2||c EQ 3;d EQ 4', or(and(a, b), and(c, d))],
      // ! binds tighter than ; and ||
      ['!a EQ 1;b EQ 2', and(not(a), b)],
      ['a EQ 1;!b EQ 2', and(a, not(b))],
      ['!a EQ 1||b EQ 2', or(not(a), b)],
      ['!!a EQ 1', not(not(a))],
      // parentheses override
      ['a EQ 1;(b EQ 2||c EQ 3)', and(a, or(b, c))],
      ['(a EQ 1||b EQ 2);c EQ 3', and(or(a, b), c)],
      ['!(a EQ 1;b EQ 2)', not(and(a, b))],
      ['!(a EQ 1||b EQ 2);c EQ 3', and(not(or(a, b)), c)],
      ['(a EQ 1;(b EQ 2||(c EQ 3;!d EQ 4)))', and(a, or(b, and(c, not(d))))],
      // inside a cross-filter the same rules hold
      ['r EQ {a EQ 1;b EQ 2||c EQ 3}', cross('r', or(and(a, b), c))],
      ['r EQ {!a EQ 1;b EQ 2}', cross('r', and(not(a), b))],
      ['!r EQ {a EQ 1}', not(cross('r', a))],
      ['!r EQ {a EQ 1};b EQ 2', and(not(cross('r', a)), b)],
    ]),
  )('$input', ({ input, expected }) => {
    expect(parse(input)).toEqual(expected);
  });
});

describe('cross-filters', () => {
  it.each(
    table([
      ['release EQ {name EQ ^941*^}', cross('release', eq('name', str('941', '')))],
      ['detected_in_release EQ {id EQ 1004}', cross('detected_in_release', eq('id', num('1004')))],
      ['detected_in_release EQ {sprints EQ {id EQ 1006}}', cross('detected_in_release', cross('sprints', eq('id', num('1006'))))],
      // three and four levels
      ['a EQ {b EQ {c EQ {id EQ 1}}}', cross('a', cross('b', cross('c', eq('id', num('1')))))],
      ['a EQ {b EQ {c EQ {d EQ {name EQ ^x^}}}}', cross('a', cross('b', cross('c', cross('d', eq('name', str('x'))))))],
      // several comparisons at each level
      [
        'a EQ {x EQ 1;b EQ {y EQ 2||c EQ {z EQ 3}};w EQ 4}',
        cross('a', and(eq('x', num('1')), cross('b', or(eq('y', num('2')), cross('c', eq('z', num('3'))))), eq('w', num('4')))),
      ],
      // negated inside and outside
      ['!child_task EQ {!phase EQ {logical_name EQ ^phase.task.completed^}}', not(cross('child_task', not(cross('phase', eq('logical_name', str('phase.task.completed'))))))],
      // symbol form
      ["metaphase={logical_name='metaphase.work_item.done'}", cross('metaphase', eq('logical_name', str('metaphase.work_item.done')))],
      // IN over cross-filters
      ['owner IN {id EQ 1},{name EQ ^bob^}', inList('owner', sub(eq('id', num('1'))), sub(eq('name', str('bob'))))],
    ]),
  )('$input', ({ input, expected }) => {
    expect(parse(input)).toEqual(expected);
  });
});

describe('whitespace and the double quotes of the wire form', () => {
  const expected = and(eq('a', num('1')), eq('b', str('x')));
  it.each([
    'a EQ 1;b EQ ^x^',
    'a EQ 1; b EQ ^x^',
    'a EQ 1 ; b EQ ^x^',
    '  a   EQ   1 ;\tb\nEQ\r\n^x^  ',
    '(a EQ 1);(b EQ ^x^)',
    '"a EQ 1;b EQ ^x^"',
    ' "a EQ 1; b EQ ^x^" ',
  ])('%j', (input) => {
    expect(parse(input)).toEqual(expected);
  });

  it('keeps the spaces inside string literals', () => {
    expect(parse('"name EQ ^  padded  ^"')).toEqual(eq('name', str('  padded  ')));
  });

  it('strips only one pair of wrapping quotes', () => {
    expect(unwrapQuery('"a EQ 1"')).toBe('a EQ 1');
    expect(unwrapQuery('  "a EQ 1"  ')).toBe('a EQ 1');
    expect(unwrapQuery('a EQ 1')).toBe('a EQ 1');
  });

  it('tolerates whitespace inside braces', () => {
    expect(parse('release EQ {  name EQ ^R1^  }')).toEqual(cross('release', eq('name', str('R1'))));
  });
});

describe('positions', () => {
  it('records the 1-based position of each comparison (its field) and of each value', () => {
    //            1234567890123456789012345678
    const e = parseQuery('a EQ 1;bb GT ^x^||c IN 5,66') as any;
    expect(e).toMatchObject({
      kind: 'or',
      items: [
        {
          kind: 'and',
          items: [
            { kind: 'compare', field: 'a', pos: 1, value: { pos: 6 } },
            { kind: 'compare', field: 'bb', pos: 8, value: { pos: 14 } },
          ],
        },
        { kind: 'in', field: 'c', pos: 19, values: [{ pos: 24 }, { pos: 26 }] },
      ],
    });
  });

  it('records the position of a cross-filter at its brace', () => {
    //            12345678901234567890
    const e = parseQuery('release EQ {id EQ 7}') as any;
    expect(e).toMatchObject({ pos: 1, value: { kind: 'subquery', pos: 12, expr: { field: 'id', pos: 13, value: { pos: 19 } } } });
  });

  it('counts positions in the statement inside the wire quotes', () => {
    // Decision: the statement is what the user wrote; the quotes are transport.
    const e = parseQuery('"a EQ 1;b EQ 2"') as any;
    expect(e.items[1].pos).toBe(8);
  });
});

// ---- the vendor's examples, verbatim ---------------------------------------------------------------

describe('examples of protocol.md §4, verbatim', () => {
  it.each(
    table([
      ['id IN 1,2,3', inList('id', num('1'), num('2'), num('3'))],
      ['id IN [current_user],1001', inList('id', macro('current_user'), num('1001'))],
      ['id BTW 1...4', btw('id', num('1'), num('4'))],
      ['date BTW ^2020-01-01T00:00:00Z^...^2020-02-01T00:00:00Z^', btw('date', str('2020-01-01T00:00:00Z'), str('2020-02-01T00:00:00Z'))],
      ['id EQ 5', eq('id', num('5'))],
      ['name EQ ^test^', eq('name', str('test'))],
      [
        "id>100;status='open';(rank>10||rank<20)",
        and(cmp('id', 'GT', num('100')), eq('status', str('open')), or(cmp('rank', 'GT', num('10')), cmp('rank', 'LT', num('20')))),
      ],
      [
        "(entity='defect'||entity='story'||entity='quality_story');metaphase={logical_name='metaphase.work_item.done'}",
        and(
          or(eq('entity', str('defect')), eq('entity', str('story')), eq('entity', str('quality_story'))),
          cross('metaphase', eq('logical_name', str('metaphase.work_item.done'))),
        ),
      ],
      ['name EQ ^*login*^', eq('name', str('', 'login', ''))],
      ['creation_time LT ^2024-01-01T00:00:00.000Z^', cmp('creation_time', 'LT', str('2024-01-01T00:00:00.000Z'))],
      ['field EQ null', eq('field', NULL)],
      ['field EQ {null}', eq('field', NULL_REF)],
      ['!id GE 5028;!name EQ ^test^', and(not(cmp('id', 'GE', num('5028'))), not(eq('name', str('test'))))],
      ['!(id GE 5028)', not(cmp('id', 'GE', num('5028')))],
      ['detected_in_release EQ {id EQ 1004}', cross('detected_in_release', eq('id', num('1004')))],
      ['detected_in_release EQ {sprints EQ {id EQ 1006}}', cross('detected_in_release', cross('sprints', eq('id', num('1006'))))],
      ['user_tags EQ {id EQ 1001}||user_tags EQ {null}', or(cross('user_tags', eq('id', num('1001'))), eq('user_tags', NULL_REF))],
      ['severity EQ {id EQ 1003}', cross('severity', eq('id', num('1003')))],
      // parses; the translator refuses it for a list field (Cross_filtering_relations.htm)
      ["severity EQ 'High'", eq('severity', str('High'))],
      ["subtype IN 'defect','story'", inList('subtype', str('defect'), str('story'))],
      ['subtype EQ ^defect^', eq('subtype', str('defect'))],
      ["name IN 'defect','story'", inList('name', str('defect'), str('story'))],
      ['entity_name EQ ^defect^', eq('entity_name', str('defect'))],
      ["entity_name EQ 'defect'", eq('entity_name', str('defect'))],
      ['owner_work_item EQ {id EQ 1002}', cross('owner_work_item', eq('id', num('1002')))],
      ['id IN 1001,1002', inList('id', num('1001'), num('1002'))],
    ]),
  )('$input', ({ input, expected }) => {
    expect(parse(input)).toEqual(expected);
    // clients send the statement in double quotes
    expect(parse(`"${input}"`)).toEqual(expected);
  });
});

describe('flow queries of flows.md, verbatim (placeholder ids replaced by numbers)', () => {
  const failed = cross('status', eq('logical_name', str('list_node.run_status.failed')));
  const recent = cmp('creation_time', 'GT', str('2017-06-01T00:00:00Z'));
  const lastRunsFailed = cross('last_runs', and(failed, recent));

  it.each(
    table([
      // 1
      ['release EQ {name EQ ^941*^}', cross('release', eq('name', str('941', '')))],
      [
        'release EQ {name EQ ^941*^};phase EQ {logical_name EQ ^phase.story.new^}',
        and(cross('release', eq('name', str('941', ''))), cross('phase', eq('logical_name', str('phase.story.new')))),
      ],
      [
        'release EQ {name EQ ^941*^};phase EQ {logical_name EQ ^phase.story.new^};owner EQ {id EQ 1001}',
        and(
          cross('release', eq('name', str('941', ''))),
          cross('phase', eq('logical_name', str('phase.story.new'))),
          cross('owner', eq('id', num('1001'))),
        ),
      ],
      // 2
      [
        'sprint EQ {name EQ ^Sprint 3*^};phase EQ {logical_name EQ ^phase.defect.opened^};qa_owner EQ {id EQ 1001}',
        and(
          cross('sprint', eq('name', str('Sprint 3', ''))),
          cross('phase', eq('logical_name', str('phase.defect.opened'))),
          cross('qa_owner', eq('id', num('1001'))),
        ),
      ],
      // 3
      [
        'owner_test EQ {subtype EQ ^test_manual^;owner EQ {id EQ 1001}}',
        cross('owner_test', and(eq('subtype', str('test_manual')), cross('owner', eq('id', num('1001'))))),
      ],
      ['owner EQ {id EQ 1001}', cross('owner', eq('id', num('1001')))],
      ['owner_test EQ {id IN 1001,1002}', cross('owner_test', inList('id', num('1001'), num('1002')))],
      // 5
      [
        'owner EQ {id EQ 1001};automation_status EQ {logical_name EQ ^list_node.automation_status.ready_for_automation^}',
        and(cross('owner', eq('id', num('1001'))), cross('automation_status', eq('logical_name', str('list_node.automation_status.ready_for_automation')))),
      ],
      // 6
      ["status EQ {logical_name EQ 'list_node.run_status.planned'}", cross('status', eq('logical_name', str('list_node.run_status.planned')))],
      [
        "status EQ {logical_name EQ 'list_node.run_status.planned'};test EQ {subtype EQ 'test_manual'||subtype EQ 'gherkin_test' || subtype EQ 'test_suite'}",
        and(
          cross('status', eq('logical_name', str('list_node.run_status.planned'))),
          cross('test', or(eq('subtype', str('test_manual')), eq('subtype', str('gherkin_test')), eq('subtype', str('test_suite')))),
        ),
      ],
      // 7
      ['release EQ {name EQ ^732.*^}', cross('release', eq('name', str('732.', '')))],
      [
        'release EQ {name EQ ^732.*^};taxonomies EQ {category EQ {name EQ ^Browser^}}',
        and(cross('release', eq('name', str('732.', ''))), cross('taxonomies', cross('category', eq('name', str('Browser'))))),
      ],
      ['taxonomies EQ {name EQ ^Chrome^}', cross('taxonomies', eq('name', str('Chrome')))],
      // 8
      ['user_tags EQ {name EQ ^security^}', cross('user_tags', eq('name', str('security')))],
      [
        'user_tags EQ {name EQ ^security^};product_areas EQ {name EQ ^Messag*^}',
        and(cross('user_tags', eq('name', str('security'))), cross('product_areas', eq('name', str('Messag', '')))),
      ],
      // 9
      [
        'last_runs EQ {release EQ {name EQ ^236.2^};status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^2017-06-01T00:00:00Z^}',
        cross('last_runs', and(cross('release', eq('name', str('236.2'))), failed, recent)),
      ],
      // 10
      [
        'test EQ {last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^2017-06-01T00:00:00Z^}}',
        cross('test', lastRunsFailed),
      ],
      // 11 ("{...same...}" written out)
      [
        'test EQ {last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^2017-06-01T00:00:00Z^}}||children EQ {test EQ {last_runs EQ {status EQ {logical_name EQ ^list_node.run_status.failed^};creation_time GT ^2017-06-01T00:00:00Z^}}}',
        or(cross('test', lastRunsFailed), cross('children', cross('test', lastRunsFailed))),
      ],
      // 12, with the space after ';' of the vendor text
      ['product_areas EQ {name EQ ^*^}', cross('product_areas', eq('name', str('', '')))],
      [
        'product_areas EQ {name EQ ^*^}; phase EQ {logical_name EQ ^phase.defect.opened^}',
        and(cross('product_areas', eq('name', str('', ''))), cross('phase', eq('logical_name', str('phase.defect.opened')))),
      ],
      [
        'product_areas EQ {name EQ ^*^}; phase EQ {logical_name EQ ^phase.defect.opened^};severity EQ {logical_name EQ ^list_node.severity.high^}',
        and(
          cross('product_areas', eq('name', str('', ''))),
          cross('phase', eq('logical_name', str('phase.defect.opened'))),
          cross('severity', eq('logical_name', str('list_node.severity.high'))),
        ),
      ],
      // 13, 14
      ['phase EQ {logical_name EQ ^phase.defect.closed^}', cross('phase', eq('logical_name', str('phase.defect.closed')))],
      [
        'phase EQ {logical_name EQ ^phase.defect.closed^};run EQ {test EQ {id EQ 1113};status EQ {logical_name EQ ^list_node.run_status.failed^}}',
        and(cross('phase', eq('logical_name', str('phase.defect.closed'))), cross('run', and(cross('test', eq('id', num('1113'))), failed))),
      ],
      [
        'phase EQ {logical_name EQ ^phase.defect.fixed^};run EQ {test EQ {id EQ 1113};status EQ {logical_name EQ ^list_node.run_status.passed^}}',
        and(
          cross('phase', eq('logical_name', str('phase.defect.fixed'))),
          cross('run', and(cross('test', eq('id', num('1113'))), cross('status', eq('logical_name', str('list_node.run_status.passed'))))),
        ),
      ],
      // 17
      ['build_id EQ 1035', eq('build_id', num('1035'))],
      ['run_id EQ 1000;run_native_status EQ 1077', and(eq('run_id', num('1000')), eq('run_native_status', num('1077')))],
      // 18, 19, 20
      ['run EQ {id EQ 5001}', cross('run', eq('id', num('5001')))],
      ['test_suite EQ {id EQ 3001}', cross('test_suite', eq('id', num('3001')))],
      ['parent_suite EQ {id EQ 4001}', cross('parent_suite', eq('id', num('4001')))],
      // 21
      [
        'subtype IN ^story^,^defect^,^quality_story^;release EQ {id EQ 1001};!child_task EQ {item_type EQ {logical_name EQ ^list_node.task_item_type.test^}}',
        and(
          inList('subtype', str('story'), str('defect'), str('quality_story')),
          cross('release', eq('id', num('1001'))),
          not(cross('child_task', cross('item_type', eq('logical_name', str('list_node.task_item_type.test'))))),
        ),
      ],
      // 22
      [
        '!child_task EQ {!phase EQ {logical_name EQ ^phase.task.completed^}}',
        not(cross('child_task', not(cross('phase', eq('logical_name', str('phase.task.completed')))))),
      ],
      ['story EQ {id EQ 2001}', cross('story', eq('id', num('2001')))],
      // 23
      ['phase EQ {logical_name EQ ^phase.feature.intesting^}', cross('phase', eq('logical_name', str('phase.feature.intesting')))],
      [
        'parent EQ {id EQ 2002};!phase EQ {logical_name IN ^phase.story.done^,^phase.defect.closed^}',
        and(cross('parent', eq('id', num('2002'))), not(cross('phase', inList('logical_name', str('phase.story.done'), str('phase.defect.closed'))))),
      ],
      // 24
      ['is_user_defined=true', eq('is_user_defined', bool(true))],
      ['post_release_udf EQ true', eq('post_release_udf', bool(true))],
      // 25
      ['parent EQ {id EQ 2003}', cross('parent', eq('id', num('2003')))],
      ['path EQ ^<root path>*^', eq('path', str('<root path>', ''))],
      // flow 9's placeholder form parses as a string; the translator decides it is no date
      ['creation_time GT ^<now-24h ISO>^', cmp('creation_time', 'GT', str('<now-24h ISO>'))],
    ]),
  )('$input', ({ input, expected }) => {
    expect(parse(input)).toEqual(expected);
    expect(parse(`"${input}"`)).toEqual(expected);
  });
});

// ---- errors ----------------------------------------------------------------------------------------

describe('malformed queries: 400 platform.invalid_query with position and expectation', () => {
  const cases: ReadonlyArray<{ what: string; q: string; position: number; expected: RegExp }> = [
    { what: 'unterminated ^ string', q: 'name EQ ^abc', position: 9, expected: /expected a closing \^/ },
    { what: "unterminated ' string", q: "name EQ 'abc", position: 9, expected: /expected a closing '/ },
    { what: 'string ended by an escaped quote', q: 'name EQ ^abc\\^', position: 9, expected: /expected a closing \^/ },
    { what: 'missing operator', q: 'name ^abc^', position: 6, expected: /expected an operator/ },
    { what: 'field alone', q: 'name', position: 5, expected: /expected an operator/ },
    { what: 'missing value at the end', q: 'name EQ', position: 8, expected: /expected a value/ },
    { what: 'missing value before ;', q: 'name EQ ;b EQ 1', position: 9, expected: /expected a value/ },
    { what: 'a bare word as value', q: 'name EQ abc', position: 9, expected: /expected a value/ },
    { what: 'missing IN value', q: 'id IN 1,', position: 9, expected: /expected a value/ },
    { what: 'BTW without ...', q: 'id BTW 1', position: 9, expected: /expected '\.\.\.'/ },
    { what: 'BTW without upper bound', q: 'id BTW 1...', position: 12, expected: /expected a value/ },
    { what: 'dangling ;', q: 'a EQ 1;', position: 8, expected: /expected a field name/ },
    { what: 'double ;', q: 'a EQ 1;;b EQ 2', position: 8, expected: /expected a field name/ },
    { what: 'dangling ||', q: 'a EQ 1||', position: 9, expected: /expected a field name/ },
    { what: 'leading ;', q: ';a EQ 1', position: 1, expected: /expected a field name/ },
    { what: '! alone', q: '!', position: 2, expected: /expected a field name/ },
    { what: 'unclosed parenthesis', q: '(a EQ 1', position: 8, expected: /expected '\)'/ },
    { what: 'unopened parenthesis', q: 'a EQ 1)', position: 7, expected: /expected the end of the query/ },
    { what: 'empty parentheses', q: '()', position: 2, expected: /expected a field name/ },
    { what: 'unclosed brace', q: 'release EQ {name EQ ^a^', position: 24, expected: /expected '\}'/ },
    { what: 'unopened brace', q: 'release EQ {id EQ 1}}', position: 21, expected: /expected the end of the query/ },
    { what: 'empty braces', q: 'release EQ {}', position: 13, expected: /expected a field name/ },
    { what: 'brace where a field is due', q: '{id EQ 1}', position: 1, expected: /expected a field name/ },
    { what: '| alone', q: 'a EQ 1|b EQ 2', position: 7, expected: /expected '\|\|'/ },
    { what: 'two comparisons without ;', q: 'a EQ ^x^ b EQ 1', position: 10, expected: /expected the end of the query/ },
    { what: 'unknown character &', q: 'a EQ 1 & b EQ 2', position: 8, expected: /\bexpected\b/ },
    { what: 'unknown character #', q: 'a EQ #1', position: 6, expected: /\bexpected\b/ },
    { what: 'unknown character in a field name', q: 'na-me EQ 1', position: 3, expected: /\bexpected\b/ },
    { what: 'unfinished macro', q: 'owner EQ [current_user', position: 10, expected: /expected a macro/ },
    { what: 'empty query', q: '', position: 1, expected: /expected a field name/ },
    { what: 'blank query', q: '   ', position: 1, expected: /expected a field name/ },
    { what: 'empty quoted query', q: '""', position: 1, expected: /expected a field name/ },
  ];

  it.each(cases)('$what: $q', ({ q, position, expected }) => {
    const e = failure(q);
    expect(e.status).toBe(400);
    expect(e.code).toBe('platform.invalid_query');
    expect(e.message).toMatch(new RegExp(`position ${position}\\b`));
    expect(e.message).toMatch(expected);
    expect(e.properties).toMatchObject({ position });
  });

  it('refuses nesting deeper than the limit, naming where (parentheses)', () => {
    const q = `${'('.repeat(MAX_QUERY_DEPTH + 8)}id EQ 1${')'.repeat(MAX_QUERY_DEPTH + 8)}`;
    const e = failure(q);
    expect(e.status).toBe(400);
    expect(e.code).toBe('platform.invalid_query');
    expect(e.message).toMatch(new RegExp(`${MAX_QUERY_DEPTH}`));
    // the (MAX+1)-th level opens at the (MAX+1)-th parenthesis
    expect(e.properties).toMatchObject({ position: MAX_QUERY_DEPTH + 1 });
    expect(e.message).toMatch(new RegExp(`position ${MAX_QUERY_DEPTH + 1}\\b`));
  });

  it('refuses nesting deeper than the limit (cross-filters and negations)', () => {
    let braces = 'id EQ 1';
    for (let i = 0; i < MAX_QUERY_DEPTH + 2; i++) braces = `parent EQ {${braces}}`;
    const nots = `${'!'.repeat(MAX_QUERY_DEPTH + 2)}id EQ 1`;
    for (const q of [braces, nots]) {
      const e = failure(q);
      expect(e.status).toBe(400);
      expect(e.code).toBe('platform.invalid_query');
      expect(e.message).toMatch(/position \d+/);
    }
  });

  it('accepts nesting up to the limit', () => {
    let q = 'id EQ 1';
    for (let i = 0; i < MAX_QUERY_DEPTH - 1; i++) q = `parent EQ {${q}}`;
    expect(() => parseQuery(q)).not.toThrow();
  });

  it('refuses a query longer than the limit (the description names the limit)', () => {
    const q = `name EQ ^${'a'.repeat(MAX_QUERY_LENGTH)}^`;
    const e = failure(q);
    expect(e.status).toBe(400);
    expect(e.code).toBe('platform.invalid_query');
    expect(e.message).toContain(String(MAX_QUERY_LENGTH));
    // no position: the whole statement is at fault; the properties carry its length
    expect(e.properties).toMatchObject({ length: q.length });
  });

  it('refuses more comparisons than the limit, naming the first one too many', () => {
    // `id EQ 1;` is 8 characters: comparison k starts at 8(k-1)+1
    const q = Array(MAX_COMPARISONS + 1).fill('id EQ 1').join(';');
    const e = failure(q);
    expect(e.status).toBe(400);
    expect(e.code).toBe('platform.invalid_query');
    const position = 8 * MAX_COMPARISONS + 1;
    expect(e.message).toMatch(new RegExp(`position ${position}\\b`));
    expect(e.message).toMatch(/\bexpected\b/);
    expect(e.properties).toMatchObject({ position });
    // comparisons inside cross-filters count too
    expect(() => parseQuery(`release EQ {${Array(MAX_COMPARISONS).fill('id EQ 1').join('||')}}`)).toThrow(OctaneError);
  });

  it('accepts up to the limit of comparisons, and long IN lists (one comparison)', () => {
    const q = Array(MAX_COMPARISONS).fill('id EQ 1').join('||');
    expect((parse(q) as { items: unknown[] }).items).toHaveLength(MAX_COMPARISONS);
    expect((parse(`id IN ${Array(3000).fill('7').join(',')}`) as { values: unknown[] }).values).toHaveLength(3000);
  });

  it('accepts a query of exactly the limit', () => {
    const q = `name EQ ^${'a'.repeat(MAX_QUERY_LENGTH - 10)}^`;
    expect(q.length).toBe(MAX_QUERY_LENGTH);
    expect(parse(q)).toEqual(eq('name', str('a'.repeat(MAX_QUERY_LENGTH - 10))));
  });

  it('fails fast on pathological input', () => {
    const started = performance.now();
    for (const q of ['('.repeat(19_000), '!'.repeat(19_000), 'a EQ 1;'.repeat(2_500), `name EQ ^${'\\'.repeat(19_000)}`]) {
      expect(() => parseQuery(q)).toThrow(OctaneError);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
