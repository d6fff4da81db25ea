// Field-by-field comparison of a response with a normalised parity fixture (LocalStack's
// snapshot scheme, architecture.md point 12). A fixture holds the vendor's documented example with
// its volatile values replaced by placeholders:
//
//   <id:N>            an entity id as a JSON string ("1008"); the same N is the same id across the
//                     whole snapshot (bound on first sight, then substituted into later requests)
//   <#id:N>           the same, as a JSON number (test-results task ids: "id":1103)
//   <date_time>       an ISO-8601 date-time ("2017-05-02T07:32:38Z", also "+0000" offsets)
//   <correlation_id>  25 lowercase letters and digits
//   <wid>, <sid>      the workspace / shared space the request addressed, as a number
//   <string>, <token> any non-empty string;  <number> any number;  <boolean>;  <any> any value
//
// Declared differences: `skip` paths (JSON paths, `[*]` for any index) are not compared, each with
// its reason; a skip that no longer hides a difference is itself reported, so the list stays true.
// Arrays compare in order unless declared `subset` (every documented element is there, in any order)
// or `unordered`. Keys the fixture does not have are a difference unless the interaction allows
// extra keys (with a reason).

export interface SkipRule {
  path: string;
  reason: string;
}

export interface ArrayRule {
  mode: 'subset' | 'unordered';
  reason: string;
}

export interface CompareOptions {
  bindings: Map<string, string>;
  values: { wid: number; sid: number };
  skip?: readonly SkipRule[];
  arrays?: Readonly<Record<string, ArrayRule>>;
  /** keys of the response the fixture does not have are allowed */
  extraKeys?: boolean;
}

export interface Diff {
  path: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

const DATE_TIME = /^\d{4}-\d{1,2}-\d{1,2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const CORRELATION = /^[a-z0-9]{25}$/;
const ABSENT = Symbol('absent');

/** A JSON path pattern (`$.data[*].phase.name`) as a regular expression over concrete paths. */
function pathRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\\\[\\\*\\\]/g, '\\[\\d+\\]')}$`);
}

function matchesPath(pattern: string, path: string): boolean {
  return pathRegex(pattern).test(path);
}

export class Comparator {
  readonly diffs: Diff[] = [];
  /** skip paths that hid at least one difference */
  readonly usedSkips = new Set<string>();

  constructor(private readonly o: CompareOptions) {}

  private skipFor(path: string): SkipRule | undefined {
    return this.o.skip?.find((s) => matchesPath(s.path, path));
  }

  private arrayRule(path: string): ArrayRule | undefined {
    const entry = Object.entries(this.o.arrays ?? {}).find(([p]) => matchesPath(p, path));
    return entry?.[1];
  }

  /** Compares without recording: does `actual` match `expected` (bindings are committed only on success)? */
  private tryMatch(expected: unknown, actual: unknown, path: string): boolean {
    const probe = new Comparator({ ...this.o, bindings: new Map(this.o.bindings) });
    probe.compare(expected, actual, path);
    if (probe.diffs.length) return false;
    for (const [k, v] of (probe as any).o.bindings as Map<string, string>) this.o.bindings.set(k, v);
    for (const s of probe.usedSkips) this.usedSkips.add(s);
    return true;
  }

  compare(expected: unknown, actual: unknown | typeof ABSENT, path = '$'): void {
    const skip = this.skipFor(path);
    if (skip) {
      // a declared difference: not compared, but it must still be one
      const probe = new Comparator({ ...this.o, skip: this.o.skip?.filter((s) => s !== skip), bindings: new Map(this.o.bindings) });
      probe.compare(expected, actual, path);
      if (probe.diffs.length) this.usedSkips.add(skip.path);
      return;
    }
    if (actual === ABSENT) {
      this.diffs.push({ path, expected, actual: undefined, message: 'missing in the response' });
      return;
    }
    if (typeof expected === 'string' && /^<[#a-z_:0-9]+>$/.test(expected)) {
      this.placeholder(expected, actual, path);
      return;
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) {
        this.diffs.push({ path, expected, actual, message: 'expected an array' });
        return;
      }
      const rule = this.arrayRule(path);
      if (!rule) {
        if (actual.length !== expected.length) this.diffs.push({ path, expected: expected.length, actual: actual.length, message: 'array length differs' });
        expected.forEach((e, i) => this.compare(e, i < actual.length ? actual[i] : ABSENT, `${path}[${i}]`));
        return;
      }
      if (rule.mode === 'unordered' && actual.length !== expected.length) this.diffs.push({ path, expected: expected.length, actual: actual.length, message: 'array length differs' });
      const free = actual.map((_, i) => i);
      expected.forEach((e, i) => {
        const at = free.findIndex((j) => this.tryMatch(e, actual[j], `${path}[${j}]`));
        if (at < 0) this.diffs.push({ path: `${path}[${i}]`, expected: e, actual, message: `no element of the response matches (${rule.mode})` });
        else free.splice(at, 1);
      });
      return;
    }
    if (expected !== null && typeof expected === 'object') {
      if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
        this.diffs.push({ path, expected, actual, message: 'expected an object' });
        return;
      }
      const a = actual as Record<string, unknown>;
      for (const [k, v] of Object.entries(expected)) this.compare(v, k in a ? a[k] : ABSENT, `${path}.${k}`);
      for (const k of Object.keys(a)) {
        if (k in (expected as object)) continue;
        const p = `${path}.${k}`;
        const s = this.skipFor(p);
        if (s) this.usedSkips.add(s.path);
        else if (!this.o.extraKeys) this.diffs.push({ path: p, expected: undefined, actual: a[k], message: 'not in the documented example' });
      }
      return;
    }
    if (!Object.is(expected, actual)) this.diffs.push({ path, expected, actual, message: 'value differs' });
  }

  private placeholder(p: string, actual: unknown, path: string): void {
    const fail = (message: string): void => {
      this.diffs.push({ path, expected: p, actual, message });
    };
    const bind = (key: string, value: string): void => {
      const bound = this.o.bindings.get(key);
      if (bound !== undefined) {
        if (bound !== value) fail(`${key} is bound to ${bound}`);
        return;
      }
      for (const [k, v] of this.o.bindings) if (v === value && k.startsWith('id:')) return fail(`the value is already ${k}`);
      this.o.bindings.set(key, value);
    };
    const id = /^<(#?)id:(\d+)>$/.exec(p);
    if (id) {
      if (id[1] === '#') {
        if (typeof actual !== 'number' || !Number.isInteger(actual)) return fail('expected a numeric id');
      } else if (typeof actual !== 'string' || !/^\d+$/.test(actual)) return fail('expected an id as a string of digits');
      return bind(`id:${id[2]}`, String(actual));
    }
    switch (p) {
      case '<date_time>':
        if (typeof actual !== 'string' || !DATE_TIME.test(actual)) fail('expected an ISO-8601 date-time');
        return;
      case '<correlation_id>':
        if (typeof actual !== 'string' || !CORRELATION.test(actual)) fail('expected 25 lowercase alphanumerics');
        return;
      case '<wid>':
      case '<sid>':
        if (actual !== this.o.values[p === '<wid>' ? 'wid' : 'sid']) fail(`expected ${p}`);
        return;
      case '<string>':
      case '<token>':
        if (typeof actual !== 'string' || actual === '') fail('expected a non-empty string');
        return;
      case '<number>':
        if (typeof actual !== 'number') fail('expected a number');
        return;
      case '<boolean>':
        if (typeof actual !== 'boolean') fail('expected a boolean');
        return;
      case '<any>':
        return;
      default:
        fail(`unknown placeholder ${p}`);
    }
  }
}

/** Replaces `<id:N>` / `<#id:N>` / `{ws}` / `{space}` in a request template. */
export function substitute<T>(template: T, bindings: Map<string, string>, values: { ws: string; space: string }): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^<#id:(\d+)>$/.exec(v);
      if (whole) return Number(need(`id:${whole[1]}`));
      return v
        .replace(/\{ws\}/g, values.ws)
        .replace(/\{space\}/g, values.space)
        .replace(/<#?id:(\d+)>/g, (_, n) => need(`id:${n}`));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const need = (key: string) => {
    const b = bindings.get(key);
    if (b === undefined) throw new Error(`the request uses ${key} before a response bound it`);
    return b;
  };
  return walk(template) as T;
}
