// The one error type of the emulator. Everything that fails on purpose throws an OctaneError; the
// root error handler turns it into Octane's error JSON. See catalog.ts for the named constructors.

import { randomBytes } from 'node:crypto';

export interface OctaneErrorBody {
  error_code: string;
  correlation_id: string;
  description: string;
  description_translated: string;
  properties: Record<string, unknown> | null;
  stack_trace: string;
  business_error: boolean;
  /** position of the failed item in a bulk request */
  index?: number;
}

export class OctaneError extends Error {
  readonly status: number;
  readonly code: string;
  readonly properties: Record<string, unknown> | null;
  readonly businessError: boolean;
  /** extra headers the response must carry (e.g. Allow on 405) */
  readonly headers: Record<string, string>;
  /** per-item errors of a bulk request (answered with the multi-error envelope) */
  readonly itemErrors?: OctaneError[];
  /** input position of this error inside a bulk request */
  index?: number;
  /** server exception class name shown in stack_trace, as Octane does */
  readonly exception: string;

  constructor(init: {
    status: number;
    code: string;
    description: string;
    properties?: Record<string, unknown> | null;
    businessError?: boolean;
    headers?: Record<string, string>;
    itemErrors?: OctaneError[];
    exception?: string;
  }) {
    super(init.description);
    this.name = 'OctaneError';
    this.status = init.status;
    this.code = init.code;
    this.properties = init.properties ?? null;
    this.businessError = init.businessError ?? false;
    this.headers = init.headers ?? {};
    this.itemErrors = init.itemErrors;
    this.exception = init.exception ?? 'com.hp.mqm.rest.exception.RestException';
  }

  toBody(correlationId = newCorrelationId()): OctaneErrorBody {
    const body: OctaneErrorBody = {
      error_code: this.code,
      correlation_id: correlationId,
      description: this.message,
      description_translated: this.message,
      properties: this.properties,
      stack_trace: `${this.exception}: ${this.message}`,
      business_error: this.businessError,
    };
    if (this.index !== undefined) body.index = this.index;
    return body;
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const ID_LENGTH = 25;
/** random bytes for many ids at once: one call into the CSPRNG per 160 requests, not per request */
let pool = Buffer.alloc(0);
let used = 0;

/** 25 lowercase alphanumerics, the shape of Octane's correlation ids. */
export function newCorrelationId(): string {
  if (used + ID_LENGTH > pool.length) {
    pool = randomBytes(ID_LENGTH * 160);
    used = 0;
  }
  let out = '';
  for (let i = used; i < used + ID_LENGTH; i++) out += ALPHABET[pool[i] % ALPHABET.length];
  used += ID_LENGTH;
  return out;
}
