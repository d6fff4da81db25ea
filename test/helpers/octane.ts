// Assertions on Octane's wire shapes: the single-error body (protocol.md §6.1) and the bulk
// envelope with per-item errors (§6.2).

import { expect } from 'vitest';
import type { Reply } from './app.js';

/** 25 lowercase alphanumerics, as Octane's correlation ids. */
export const CORRELATION_ID = /^[a-z0-9]{25}$/;

/** The keys of one error object, in any order; `index` only inside bulk envelopes. */
const ERROR_KEYS = ['business_error', 'correlation_id', 'description', 'description_translated', 'error_code', 'properties', 'stack_trace'];

export function expectErrorObject(err: any, code?: string, opts: { index?: number } = {}): void {
  expect(err).toBeTypeOf('object');
  const keys = Object.keys(err).filter((k) => k !== 'index').sort();
  expect(keys).toEqual(ERROR_KEYS);
  if (code !== undefined) expect(err.error_code).toBe(code);
  expect(err.error_code).toMatch(/^[A-Za-z_]+(\.[A-Za-z_]+)*$/);
  expect(err.correlation_id).toMatch(CORRELATION_ID);
  expect(typeof err.description).toBe('string');
  expect(err.description.length).toBeGreaterThan(0);
  expect(err.description_translated).toBe(err.description);
  expect(err.properties === null || (typeof err.properties === 'object' && !Array.isArray(err.properties))).toBe(true);
  expect(typeof err.stack_trace).toBe('string');
  expect(typeof err.business_error).toBe('boolean');
  if (opts.index !== undefined) expect(err.index).toBe(opts.index);
}

/** A single-error response: status, JSON content type, the full error shape, optionally the code. */
export function expectOctaneError(res: Reply, status: number, code?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(String(res.headers['content-type'] ?? '')).toContain('application/json');
  expect(res.body).toBeTypeOf('object');
  expect(res.body.errors).toBeUndefined();
  expectErrorObject(res.body, code);
}

/** A bulk failure: `{total_count:0, data:[], exceeds_total_count:false, errors:[…]}` (§6.2). */
export function expectBulkErrors(res: Reply, status: number, expected: Array<{ index: number; code: string; field?: string }>): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(Object.keys(res.body).sort()).toEqual(['data', 'errors', 'exceeds_total_count', 'total_count']);
  expect(res.body.total_count).toBe(0);
  expect(res.body.data).toEqual([]);
  expect(res.body.exceeds_total_count).toBe(false);
  expect(res.body.errors).toHaveLength(expected.length);
  expected.forEach((x, i) => {
    const err = res.body.errors[i];
    expectErrorObject(err, x.code, { index: x.index });
    if (x.field) expect(err.properties).toMatchObject({ field_name: x.field });
  });
}

/** `query="<statement>"` as clients send it. */
export function q(statement: string): string {
  return `query=${encodeURIComponent(`"${statement}"`)}`;
}
