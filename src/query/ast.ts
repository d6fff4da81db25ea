// The typed AST of Octane's query language. Plain objects, discriminated by `kind`, so that the
// SQL translator is one switch.

export type ComparisonOp = 'EQ' | 'LT' | 'GT' | 'LE' | 'GE';

/** A string literal split at its unescaped `*` wildcards: `^941*^` is ['941', '']. */
export interface StringValue {
  kind: 'string';
  segments: string[];
  pos: number;
}

export type Value =
  | { kind: 'number'; value: number; raw: string; pos: number }
  | StringValue
  | { kind: 'date'; raw: string; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'null_ref'; pos: number }
  | { kind: 'macro'; name: string; pos: number }
  | { kind: 'subquery'; expr: Expr; pos: number };

export type Expr =
  | { kind: 'and'; items: Expr[] }
  | { kind: 'or'; items: Expr[] }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; field: string; op: ComparisonOp; value: Value; pos: number }
  | { kind: 'in'; field: string; values: Value[]; pos: number }
  | { kind: 'between'; field: string; low: Value; high: Value; pos: number };

export function isWildcard(v: StringValue): boolean {
  return v.segments.length > 1;
}

/** The literal text of a string without wildcards, or with `*` where they were. */
export function stringText(v: StringValue): string {
  return v.segments.join('*');
}
