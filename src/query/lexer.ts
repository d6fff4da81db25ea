// Lexer of Octane's query language: turns the statement into tokens with their positions.

import { errors } from '../errors/catalog.js';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'and'
  | 'or'
  | 'not'
  | 'comma'
  | 'range'
  | 'op'
  | 'ident'
  | 'number'
  | 'date'
  | 'string'
  | 'macro'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** operator name (EQ, LT, ..., IN, BTW) for `op`; identifier; raw number/date text; macro name */
  text: string;
  /** string tokens: the value split at unescaped wildcards */
  segments?: string[];
  /** 1-based character position in the statement */
  pos: number;
}

const SYMBOL_OPS: Record<string, string> = { '<=': 'LE', '>=': 'GE', '=': 'EQ', '<': 'LT', '>': 'GT' };
const WORD_OPS = new Set(['EQ', 'LT', 'GT', 'LE', 'GE', 'IN', 'BTW']);
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;
const MACRO_RE = /^\[([A-Za-z_]+)\]/;

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (k: TokenKind, text: string, start: number, extra?: Partial<Token>) =>
    tokens.push({ kind: k, text, pos: start + 1, ...extra });

  while (i < input.length) {
    const ch = input[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const start = i;
    const rest = input.slice(i);
    switch (ch) {
      case '(':
        at('lparen', ch, start);
        i++;
        continue;
      case ')':
        at('rparen', ch, start);
        i++;
        continue;
      case '{':
        at('lbrace', ch, start);
        i++;
        continue;
      case '}':
        at('rbrace', ch, start);
        i++;
        continue;
      case ';':
        at('and', ch, start);
        i++;
        continue;
      case ',':
        at('comma', ch, start);
        i++;
        continue;
      case '!':
        at('not', ch, start);
        i++;
        continue;
      case '|':
        if (input[i + 1] !== '|') throw errors.invalidQuery(`Unexpected '|' at position ${start + 1}: expected '||'`, { position: start + 1 });
        at('or', '||', start);
        i += 2;
        continue;
      case '^':
      case "'": {
        const { segments, end } = readString(input, i, ch);
        at('string', input.slice(start, end), start, { segments });
        i = end;
        continue;
      }
      case '.':
        if (rest.startsWith('...')) {
          at('range', '...', start);
          i += 3;
          continue;
        }
        break;
      case '<':
      case '>':
      case '=': {
        const two = rest.slice(0, 2);
        const sym = SYMBOL_OPS[two] ? two : ch;
        at('op', SYMBOL_OPS[sym], start);
        i += sym.length;
        continue;
      }
      case '[': {
        const m = MACRO_RE.exec(rest);
        if (!m) throw errors.invalidQuery(`Unexpected '[' at position ${start + 1}: expected a macro such as [current_user]`, { position: start + 1 });
        at('macro', m[1].toLowerCase(), start);
        i += m[0].length;
        continue;
      }
    }
    const date = DATE_RE.exec(rest);
    if (date) {
      at('date', date[0], start);
      i += date[0].length;
      continue;
    }
    const num = NUMBER_RE.exec(rest);
    if (num) {
      at('number', num[0], start);
      i += num[0].length;
      continue;
    }
    const ident = IDENT_RE.exec(rest);
    if (ident) {
      const word = ident[0];
      if (WORD_OPS.has(word.toUpperCase())) at('op', word.toUpperCase(), start);
      else at('ident', word, start);
      i += word.length;
      continue;
    }
    throw errors.invalidQuery(`Unexpected character '${ch}' at position ${start + 1}: expected a field name, an operator, a value, ';', '||', '!' or parentheses`, { position: start + 1 });
  }
  tokens.push({ kind: 'eof', text: '', pos: input.length + 1 });
  return tokens;
}

/** Reads a `^…^` or `'…'` literal starting at `start`; a backslash makes the next character literal. */
function readString(input: string, start: number, quote: string): { segments: string[]; end: number } {
  const segments: string[] = [];
  let current = '';
  let i = start + 1;
  while (i < input.length) {
    const ch = input[i];
    if (ch === '\\' && i + 1 < input.length) {
      current += input[i + 1];
      i += 2;
      continue;
    }
    if (ch === quote) {
      segments.push(current);
      return { segments, end: i + 1 };
    }
    if (ch === '*') {
      segments.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  throw errors.invalidQuery(`Unterminated string starting at position ${start + 1}: expected a closing ${quote}`, { position: start + 1 });
}
