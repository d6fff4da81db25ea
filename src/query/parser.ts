// Parser of Octane's query language (the `query=` statement).
//
//   statement  := expr EOF
//   expr       := term ( "||" term )*                  OR, rank 4 (lowest)
//   term       := factor ( ";" factor )*               AND, rank 3
//   factor     := "!" factor | "(" expr ")" | comparison   NOT rank 2, parentheses rank 1
//   comparison := IDENT op value
//               | IDENT "IN" value ( "," value )*
//               | IDENT "BTW" value "..." value
//   op         := EQ | LT | GT | LE | GE | "=" | "<" | ">" | "<=" | ">="
//   value      := NUMBER | DATE | STRING | true | false | null | "[" macro "]"
//               | "{" "null" "}" | "{" expr "}"
//   STRING     := "^" chars "^" | "'" chars "'"     (backslash escapes; unescaped * is a wildcard)
//
// The statement may arrive wrapped in double quotes, as clients send it (`query="..."`).

import { errors } from '../errors/catalog.js';
import type { ComparisonOp, Expr, Value } from './ast.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';

export const MAX_QUERY_LENGTH = 20_000;
export const MAX_QUERY_DEPTH = 32;
/** SQLite nests a chain of N conditions N deep; more than this many comparisons is refused. */
export const MAX_COMPARISONS = 500;

const DESCRIBE: Record<TokenKind, string> = {
  lparen: "'('",
  rparen: "')'",
  lbrace: "'{'",
  rbrace: "'}'",
  and: "';'",
  or: "'||'",
  not: "'!'",
  comma: "','",
  range: "'...'",
  op: 'an operator',
  ident: 'a field name',
  number: 'a number',
  date: 'a date',
  string: 'a string',
  macro: 'a macro',
  eof: 'the end of the query',
};

/** Strips the double quotes that wrap the statement on the wire. */
export function unwrapQuery(raw: string): string {
  const t = raw.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  return t;
}

export function parseQuery(raw: string): Expr {
  if (raw.length > MAX_QUERY_LENGTH) {
    throw errors.invalidQuery(`The query is longer than ${MAX_QUERY_LENGTH} characters`, { length: raw.length });
  }
  const statement = unwrapQuery(raw);
  if (statement === '') throw errors.invalidQuery('The query is empty: expected a field name at position 1', { position: 1 });
  return new Parser(tokenize(statement)).parseStatement();
}

class Parser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;

  constructor(private readonly tokens: Token[]) {}

  parseStatement(): Expr {
    const e = this.expr();
    this.expect('eof');
    return e;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private fail(expected: string, t = this.peek()): never {
    const found = t.kind === 'eof' ? 'the end of the query' : `'${t.text}'`;
    throw errors.invalidQuery(`Invalid query at position ${t.pos}: expected ${expected} but found ${found}`, { position: t.pos, expected });
  }

  private expect(kind: TokenKind): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(DESCRIBE[kind]);
    return this.next();
  }

  private enter(): void {
    if (++this.depth > MAX_QUERY_DEPTH) {
      const pos = this.peek().pos;
      throw errors.invalidQuery(`The query nests deeper than ${MAX_QUERY_DEPTH} levels at position ${pos}: expected at most ${MAX_QUERY_DEPTH} levels of parentheses, cross-filters and negations`, { position: pos });
    }
  }

  private expr(): Expr {
    this.enter();
    const items = [this.term()];
    while (this.peek().kind === 'or') {
      this.next();
      items.push(this.term());
    }
    this.depth--;
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private term(): Expr {
    const items = [this.factor()];
    while (this.peek().kind === 'and') {
      this.next();
      items.push(this.factor());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private factor(): Expr {
    const t = this.peek();
    if (t.kind === 'not') {
      this.next();
      this.enter();
      const inner = this.factor();
      this.depth--;
      return { kind: 'not', expr: inner };
    }
    if (t.kind === 'lparen') {
      this.next();
      const inner = this.expr();
      this.expect('rparen');
      return inner;
    }
    if (t.kind === 'ident') return this.comparison();
    return this.fail("a field name, '!' or '('");
  }

  private comparison(): Expr {
    const fieldTok = this.next();
    if (++this.comparisons > MAX_COMPARISONS) {
      throw errors.invalidQuery(`The query has more than ${MAX_COMPARISONS} comparisons at position ${fieldTok.pos}: expected at most ${MAX_COMPARISONS} (use IN for long lists of values)`, { position: fieldTok.pos });
    }
    const field = fieldTok.text;
    const opTok = this.peek();
    if (opTok.kind !== 'op') this.fail('an operator (EQ, LT, GT, LE, GE, IN, BTW, =, <, >, <=, >=)');
    this.next();
    const pos = fieldTok.pos;
    if (opTok.text === 'IN') {
      const values = [this.value()];
      while (this.peek().kind === 'comma') {
        this.next();
        values.push(this.value());
      }
      return { kind: 'in', field, values, pos };
    }
    if (opTok.text === 'BTW') {
      const low = this.value();
      this.expect('range');
      const high = this.value();
      return { kind: 'between', field, low, high, pos };
    }
    return { kind: 'compare', field, op: opTok.text as ComparisonOp, value: this.value(), pos };
  }

  private value(): Value {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'number', value: Number(t.text), raw: t.text, pos: t.pos };
      case 'date':
        this.next();
        return { kind: 'date', raw: t.text, pos: t.pos };
      case 'string':
        this.next();
        return { kind: 'string', segments: t.segments!, pos: t.pos };
      case 'macro':
        this.next();
        return { kind: 'macro', name: t.text, pos: t.pos };
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'true' || word === 'false') {
          this.next();
          return { kind: 'boolean', value: word === 'true', pos: t.pos };
        }
        if (word === 'null') {
          this.next();
          return { kind: 'null', pos: t.pos };
        }
        return this.fail('a value (number, string in ^…^, true, false, null or {…})');
      }
      case 'lbrace': {
        this.next();
        const inner = this.peek();
        if (inner.kind === 'ident' && inner.text.toLowerCase() === 'null' && this.tokens[this.i + 1]?.kind === 'rbrace') {
          this.next();
          this.next();
          return { kind: 'null_ref', pos: t.pos };
        }
        const expr = this.expr();
        this.expect('rbrace');
        return { kind: 'subquery', expr, pos: t.pos };
      }
      default:
        return this.fail('a value (number, string in ^…^, true, false, null or {…})');
    }
  }
}
