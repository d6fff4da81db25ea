// Signing in and out, and recognising the caller of every API request: the LWSSO_COOKIE_KEY
// session cookie, HTTP Basic (user or API key), or a bearer token (a session token).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors/catalog.js';
import type { Emulator } from '../emulator.js';
import { tableOf } from '../store/schema-sync.js';
import { verifySecret } from './passwords.js';
import type { Principal } from './sessions.js';

export const SESSION_COOKIE = 'LWSSO_COOKIE_KEY';
export const USER_COOKIE = 'OCTANE_USER';

export interface Caller extends Principal {
  /** login name shown in OCTANE_USER */
  name: string;
  /** the session token when the caller came with one */
  token?: string;
}

/** Checks a user name / password or an API key's client id / secret. */
export function verifyCredentials(emulator: Emulator, user: string, secret: string): Caller | undefined {
  const { sql, registry } = emulator;
  const users = sql
    .prepared('signIn:users', (p) => sql.qb.selectFrom(tableOf(registry.entity('user').store)).select(['id', 'name', 'password']).where('name', '=', p('name')).orderBy('id'))
    .all<{ id: number; name: string; password: string | null }>({ name: user });
  for (const u of users) {
    if (verifySecret(secret, u.password)) return { userId: u.id, principal: `user:${u.id}`, name: u.name };
  }
  const keys = sql
    .prepared('signIn:apiKeys', (p) =>
      sql.qb.selectFrom(tableOf(registry.entity('api_access').store)).select(['id', 'client_id', 'client_secret', 'enabled']).where('client_id', '=', p('client')),
    )
    .all<{ id: number; client_id: string; client_secret: string | null; enabled: number | null }>({ client: user });
  for (const k of keys) {
    if (k.enabled !== 0 && verifySecret(secret, k.client_secret)) return { userId: k.id, principal: `api_key:${k.id}`, name: k.client_id };
  }
  return undefined;
}

function readBasic(header: string | undefined): { user: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Who is calling: a session (cookie or bearer), Basic credentials, or nobody (401). */
export function authenticate(emulator: Emulator, request: FastifyRequest): Caller {
  const authorization = request.headers.authorization;
  const bearer = authorization ? /^bearer (.+)$/i.exec(authorization)?.[1]?.trim() : undefined;
  const token = request.cookies[SESSION_COOKIE] || bearer;
  const nowMs = emulator.clock.nowMs();
  if (token) {
    const check = emulator.sessions.check(token, nowMs);
    if (check.ok) return { ...check.session, name: request.cookies[USER_COOKIE] ?? '' };
    const basicAlso = readBasic(authorization);
    if (!basicAlso) {
      if (check.reason === 'unknown') throw errors.authenticationFailed('The session is not valid; sign in again');
      throw errors.sessionExpired(check.reason);
    }
  }
  const basic = readBasic(authorization);
  if (basic) {
    const caller = verifyCredentials(emulator, basic.user, basic.secret);
    if (!caller) throw errors.authenticationFailed('Invalid user name or password');
    return caller;
  }
  throw errors.authenticationFailed('Authentication required: sign in at /authentication/sign_in');
}

function setSessionCookies(reply: FastifyReply, token: string, name: string): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax' });
  reply.setCookie(USER_COOKIE, name, { path: '/' });
}

export function registerAuthRoutes(app: FastifyInstance, emulator: Emulator): void {
  app.post('/authentication/sign_in', async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Expected {"user","password"} or {"client_id","client_secret"}');
    const user = body.user ?? body.client_id;
    const secret = body.password ?? body.client_secret;
    if (typeof user !== 'string' || typeof secret !== 'string') {
      throw errors.authenticationFailed('Expected {"user","password"} or {"client_id","client_secret"}');
    }
    const caller = verifyCredentials(emulator, user, secret);
    if (!caller) throw errors.authenticationFailed('Invalid user name or password');
    // A stale cookie sent along is simply replaced by the new session.
    const stale = request.cookies[SESSION_COOKIE];
    if (stale) emulator.sessions.end(stale);
    const token = emulator.sessions.create(caller, emulator.clock.nowMs());
    setSessionCookies(reply, token, caller.name);
    return reply.code(200).send();
  });

  app.post('/authentication/sign_out', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) emulator.sessions.end(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(USER_COOKIE, { path: '/' });
    return reply.code(200).send();
  });
}

/** Every /api/ request carries a caller; anything else passes through. */
export function registerAuthentication(app: FastifyInstance, emulator: Emulator): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith('/api/') && request.url !== '/api' && !request.url.startsWith('/internal-api/')) return done();
    // a refused caller is an OctaneError, answered by the error handler
    try {
      request.caller = authenticate(emulator, request);
    } catch (e) {
      return done(e as Error);
    }
    done();
  });
  // Real servers re-issue the session cookie on responses; clients replace theirs with it. The
  // header is the one reply.setCookie would write (no /api route sets cookies of its own), kept
  // per token rather than serialised again on every response.
  const reissued = new Map<string, string>();
  app.addHook('onSend', (request, reply, payload, done) => {
    const caller = request.caller;
    if (caller?.token && reply.statusCode < 400 && !reply.getHeader('set-cookie')) {
      let header = reissued.get(caller.token);
      if (header === undefined) {
        if (reissued.size >= 1000) reissued.clear();
        header = app.serializeCookie(SESSION_COOKIE, caller.token, { sameSite: 'lax', path: '/', httpOnly: true });
        reissued.set(caller.token, header);
      }
      reply.header('set-cookie', header);
    }
    done(null, payload);
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
    correlationId: string;
  }
}
