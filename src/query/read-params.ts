// Parsers of the other read parameters: `fields` (with `ref{a,b}` sub-fields), `order_by` and
// `limit` / `offset`. Each is a small grammar of its own with its own 400.

import { errors } from '../errors/catalog.js';

export interface FieldSelectionItem {
  name: string;
  sub?: FieldSelectionItem[];
}

export const MAX_FIELDS_DEPTH = 3;

/** `fields=name,owner{name,email},release{name}` */
export function parseFields(raw: string): FieldSelectionItem[] {
  let i = 0;
  const fail = (what: string): never => {
    throw errors.badRequest(`Invalid 'fields' parameter at position ${i + 1}: expected ${what}`, { parameter: 'fields', position: i + 1 });
  };
  const ws = () => {
    while (i < raw.length && /\s/.test(raw[i])) i++;
  };
  const list = (depth: number): FieldSelectionItem[] => {
    if (depth > MAX_FIELDS_DEPTH + 1) fail(`at most ${MAX_FIELDS_DEPTH} levels of sub-fields`);
    const items: FieldSelectionItem[] = [];
    for (;;) {
      ws();
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i));
      if (!m) fail('a field name');
      i += m![0].length;
      const item: FieldSelectionItem = { name: m![0] };
      ws();
      if (raw[i] === '{') {
        i++;
        item.sub = list(depth + 1);
        ws();
        if (raw[i] !== '}') fail("'}'");
        i++;
        ws();
      }
      items.push(item);
      if (raw[i] === ',') {
        i++;
        continue;
      }
      return items;
    }
  };
  const items = list(1);
  ws();
  if (i < raw.length) fail("',' or the end of the parameter");
  return items;
}

export interface OrderKey {
  field: string;
  descending: boolean;
}

/** `order_by=-creation_time,name` */
export function parseOrderBy(raw: string): OrderKey[] {
  const keys: OrderKey[] = [];
  for (const part of raw.split(',')) {
    const t = part.trim();
    const m = /^([-+]?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(t);
    if (!m) throw errors.badRequest(`Invalid 'order_by' parameter: '${t}' is not a field name optionally prefixed with '-'`, { parameter: 'order_by' });
    keys.push({ field: m[2], descending: m[1] === '-' });
  }
  return keys;
}

export interface PagingLimits {
  defaultLimit: number;
  maxLimit: number;
}

export function parsePaging(limitRaw: string | undefined, offsetRaw: string | undefined, limits: PagingLimits): { limit: number; offset: number } {
  let limit = limits.defaultLimit;
  let offset = 0;
  if (limitRaw !== undefined && limitRaw !== '') {
    if (!/^-?\d+$/.test(limitRaw.trim())) throw errors.invalidPaging(`The limit '${limitRaw}' is not a whole number`, { limit: limitRaw });
    limit = Number(limitRaw);
    if (limit < 1 || limit > limits.maxLimit) {
      throw errors.invalidPaging(`The limit must be between 1 and ${limits.maxLimit}; got ${limitRaw}`, { limit: limitRaw, max_limit: limits.maxLimit });
    }
  }
  if (offsetRaw !== undefined && offsetRaw !== '') {
    if (!/^-?\d+$/.test(offsetRaw.trim())) throw errors.invalidPaging(`The offset '${offsetRaw}' is not a whole number`, { offset: offsetRaw });
    offset = Number(offsetRaw);
    if (offset < 0 || !Number.isSafeInteger(offset)) throw errors.invalidPaging(`The offset must be zero or more; got ${offsetRaw}`, { offset: offsetRaw });
  }
  return { limit, offset };
}
