// Fault injection for the admin API: requests that match a rule (method, URL pattern) are slowed
// down, answered with an error in Octane's shape, dropped, or get their session expired — at a
// rate or a given number of times — so that clients' retry and re-login paths can be tested.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/authentication.js';
import type { Emulator } from '../emulator.js';
import { errors } from '../errors/catalog.js';
import { OctaneError } from '../errors/octane-error.js';
import { sendError } from './error-handler.js';

export interface FaultRule {
  id: number;
  /** HTTP method to match (any when absent) */
  method?: string;
  /** substring of the URL path, or a regular expression written /…/ */
  url?: string;
  /** delay before the request is handled, in milliseconds */
  latency_ms?: number;
  /** answer with this status and an Octane error body instead of handling the request */
  status?: number;
  error_code?: string;
  description?: string;
  /** close the connection without an answer */
  drop?: boolean;
  /** end the caller's session and answer 401 VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT */
  expire_session?: boolean;
  /** share of matching requests affected (0..1, default 1) */
  rate?: number;
  /** affect only this many matching requests, then stop (default: unlimited) */
  count?: number;
  /** how many requests the rule has affected */
  hits: number;
}

const KINDS = ['latency_ms', 'status', 'drop', 'expire_session'] as const;

export class Faults {
  private rules: FaultRule[] = [];
  private next = 1;

  list(): FaultRule[] {
    return [...this.rules];
  }

  /** Validates and adds a rule (400 on a bad rule). */
  add(body: unknown): FaultRule {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Expected a fault rule object');
    const b = body as Record<string, unknown>;
    const rule: FaultRule = { id: this.next++, hits: 0 };
    if (b.method !== undefined) {
      if (typeof b.method !== 'string' || !/^[A-Za-z]+$/.test(b.method)) throw errors.badRequest("'method' must be an HTTP method");
      rule.method = b.method.toUpperCase();
    }
    if (b.url !== undefined) {
      if (typeof b.url !== 'string' || !b.url) throw errors.badRequest("'url' must be a non-empty string");
      if (b.url.startsWith('/') && b.url.endsWith('/') && b.url.length > 2) {
        try {
          new RegExp(b.url.slice(1, -1));
        } catch {
          throw errors.badRequest(`'url' is not a valid regular expression`);
        }
      }
      rule.url = b.url;
    }
    if (b.latency_ms !== undefined) {
      if (typeof b.latency_ms !== 'number' || b.latency_ms < 0 || b.latency_ms > 600_000) throw errors.badRequest("'latency_ms' must be between 0 and 600000");
      rule.latency_ms = b.latency_ms;
    }
    if (b.status !== undefined) {
      if (typeof b.status !== 'number' || !Number.isInteger(b.status) || b.status < 400 || b.status > 599) throw errors.badRequest("'status' must be an error status (400..599)");
      rule.status = b.status;
      if (b.error_code !== undefined && typeof b.error_code !== 'string') throw errors.badRequest("'error_code' must be a string");
      if (b.description !== undefined && typeof b.description !== 'string') throw errors.badRequest("'description' must be a string");
      rule.error_code = b.error_code as string | undefined;
      rule.description = b.description as string | undefined;
    }
    if (b.drop !== undefined) rule.drop = b.drop === true;
    if (b.expire_session !== undefined) rule.expire_session = b.expire_session === true;
    if (b.rate !== undefined) {
      if (typeof b.rate !== 'number' || b.rate < 0 || b.rate > 1) throw errors.badRequest("'rate' must be between 0 and 1");
      rule.rate = b.rate;
    }
    if (b.count !== undefined) {
      if (typeof b.count !== 'number' || !Number.isInteger(b.count) || b.count < 1) throw errors.badRequest("'count' must be a positive whole number");
      rule.count = b.count;
    }
    if (!KINDS.some((k) => rule[k] !== undefined && rule[k] !== false)) {
      throw errors.badRequest(`A fault needs one of ${KINDS.join(', ')}`);
    }
    this.rules.push(rule);
    return rule;
  }

  remove(id?: number): number {
    const before = this.rules.length;
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
    return before - this.rules.length;
  }

  private matches(rule: FaultRule, request: FastifyRequest): boolean {
    if (rule.count !== undefined && rule.hits >= rule.count) return false;
    if (rule.method && rule.method !== request.method) return false;
    if (rule.url) {
      const path = request.url.split('?')[0];
      const re = rule.url.startsWith('/') && rule.url.endsWith('/') && rule.url.length > 2 ? new RegExp(rule.url.slice(1, -1)) : undefined;
      if (re ? !re.test(path) : !path.includes(rule.url)) return false;
    }
    return rule.rate === undefined || Math.random() < rule.rate;
  }

  /** Applies the matching rules to the API and sign-in requests. */
  attach(app: FastifyInstance, emulator: Emulator): void {
    // a callback hook that returns at once when no rule is set (no promise per request)
    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      if (!this.rules.length || request.url.startsWith('/__admin')) return done();
      this.apply(emulator, request, reply).then((answered) => {
        if (!answered) done();
      }, done);
    });
  }

  /** Applies the rules to one request; true when the request was answered or dropped here. */
  private async apply(emulator: Emulator, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    for (const rule of this.rules) {
      if (!this.matches(rule, request)) continue;
      rule.hits++;
      if (rule.latency_ms) await new Promise((r) => setTimeout(r, rule.latency_ms));
      if (rule.drop) {
        request.raw.socket.destroy();
        reply.hijack();
        return true;
      }
      if (rule.expire_session) {
        const token = request.cookies[SESSION_COOKIE];
        if (token) emulator.sessions.end(token);
        sendError(reply, errors.sessionExpired('VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT'));
        return true;
      }
      if (rule.status) {
        sendError(
          reply,
          new OctaneError({
            status: rule.status,
            code: rule.error_code ?? (rule.status === 503 ? 'platform.service_unavailable' : 'platform.general_error'),
            description: rule.description ?? `Fault injected by the emulator's admin API (rule ${rule.id})`,
          }),
        );
        return true;
      }
    }
    return false;
  }
}
