// The parity comparator itself: placeholders, id bindings across a snapshot, declared skips (and
// skips that no longer hide a difference), array modes, extra keys.

import { describe, expect, it } from 'vitest';
import { Comparator, substitute } from './compare.js';

const values = { wid: 1002, sid: 1001 };
const run = (expected: unknown, actual: unknown, o: Partial<ConstructorParameters<typeof Comparator>[0]> = {}) => {
  const c = new Comparator({ bindings: new Map(), values, ...o });
  c.compare(expected, actual);
  return c;
};

describe('placeholders', () => {
  it('ids bind on first sight and must agree afterwards; two placeholders never share a value', () => {
    const bindings = new Map<string, string>();
    expect(run({ id: '<id:1>', ref: { id: '<id:2>' } }, { id: '17', ref: { id: '18' } }, { bindings }).diffs).toEqual([]);
    expect(bindings.get('id:1')).toBe('17');
    expect(run({ id: '<id:1>' }, { id: '19' }, { bindings }).diffs.map((d) => d.message)).toEqual(['id:1 is bound to 17']);
    expect(run({ a: '<id:3>', b: '<id:4>' }, { a: '20', b: '20' }).diffs.map((d) => d.message)).toEqual(['the value is already id:3']);
    // string ids and numeric ids are told apart
    expect(run({ id: '<id:1>' }, { id: 17 }).diffs).toHaveLength(1);
    expect(run({ id: '<#id:1>' }, { id: 17 }).diffs).toEqual([]);
    expect(run({ id: '<#id:1>' }, { id: '17' }).diffs).toHaveLength(1);
  });

  it('dates, correlation ids, the workspace, typed wildcards', () => {
    const ok = { t: '2017-05-02T07:32:38Z', u: '2020-0-28T11:29:51+0000', c: 'o5jp1yvjo54lxbjmo7dxz12v6', w: 1002, s: 'x', n: 3, b: false, a: null };
    const exp = { t: '<date_time>', u: '<date_time>', c: '<correlation_id>', w: '<wid>', s: '<string>', n: '<number>', b: '<boolean>', a: '<any>' };
    expect(run(exp, ok).diffs).toEqual([]);
    const bad = run(exp, { t: 'yesterday', u: 5, c: 'ABC', w: 1003, s: '', n: '3', b: 'no', a: 1 });
    expect(bad.diffs.map((d) => d.path).sort()).toEqual(['$.b', '$.c', '$.n', '$.s', '$.t', '$.u', '$.w']);
  });
});

describe('structure', () => {
  it('values, missing keys, extra keys (unless allowed)', () => {
    const c = run({ a: 1, b: { c: 'x' }, d: [1, 2] }, { a: 2, b: {}, d: [1], e: true });
    expect(c.diffs.map((d) => [d.path, d.message])).toEqual([
      ['$.a', 'value differs'],
      ['$.b.c', 'missing in the response'],
      ['$.d', 'array length differs'],
      ['$.d[1]', 'missing in the response'],
      ['$.e', 'not in the documented example'],
    ]);
    expect(run({ a: 1 }, { a: 1, e: true }, { extraKeys: true }).diffs).toEqual([]);
  });

  it('arrays in order by default; subset and unordered when declared', () => {
    expect(run([1, 2], [2, 1]).diffs).toHaveLength(2);
    expect(run([1, 2], [2, 1], { arrays: { $: { mode: 'unordered', reason: 'order is free' } } }).diffs).toEqual([]);
    expect(run([{ n: 'a' }, { n: 'c' }], [{ n: 'c' }, { n: 'b' }, { n: 'a' }], { arrays: { $: { mode: 'subset', reason: 'more features' } } }).diffs).toEqual([]);
    expect(run([{ n: 'a' }, { n: 'z' }], [{ n: 'a' }], { arrays: { $: { mode: 'subset', reason: 'more features' } } }).diffs).toHaveLength(1);
  });
});

describe('declared skips', () => {
  it('hide a difference (a differing value, an extra key) and are recorded as used', () => {
    const c = run({ a: 1, list: [{ p: 1 }, { p: 2 }] }, { a: 2, extra: 1, list: [{ p: 9 }, { p: 9 }] }, {
      skip: [
        { path: '$.a', reason: 'differs on purpose' },
        { path: '$.extra', reason: 'an extra key' },
        { path: '$.list[*].p', reason: 'every element' },
      ],
    });
    expect(c.diffs).toEqual([]);
    expect([...c.usedSkips].sort()).toEqual(['$.a', '$.extra', '$.list[*].p']);
  });

  it('a skip over equal values is not used (the runner reports it as stale)', () => {
    const c = run({ a: 1 }, { a: 1 }, { skip: [{ path: '$.a', reason: 'no longer differs' }] });
    expect(c.diffs).toEqual([]);
    expect(c.usedSkips.size).toBe(0);
  });
});

describe('request templates', () => {
  it('substitute bound ids and the workspace path; an unbound id is an error', () => {
    const bindings = new Map([['id:1', '42']]);
    const ctx = { ws: '/api/shared_spaces/1001/workspaces/1002', space: '/api/shared_spaces/1001' };
    expect(substitute({ url: '{ws}/defects/<id:1>', n: '<#id:1>', ref: { id: '<id:1>' } }, bindings, ctx)).toEqual({ url: '/api/shared_spaces/1001/workspaces/1002/defects/42', n: 42, ref: { id: '42' } });
    expect(() => substitute({ url: '{space}/x/<id:2>' }, bindings, ctx)).toThrow(/id:2/);
  });
});
