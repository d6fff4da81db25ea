// Sessions behind the LWSSO_COOKIE_KEY cookie: a random token, the signed-in principal, and the
// times that decide idle and absolute expiry.

import { randomBytes } from 'node:crypto';
import type { Sql } from '../store/database.js';

export interface Principal {
  /** the user row (a user, or the user an API key acts as) */
  userId: number;
  /** 'user:<id>' or 'api_key:<id>' */
  principal: string;
}

export type SessionCheck =
  | { ok: true; session: Principal & { token: string } }
  | { ok: false; reason: 'unknown' | 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT' | 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT' };

export interface SessionTimeouts {
  idleMs: number;
  maxLifetimeMs: number;
}

interface SessionRow {
  token: string;
  user_id: number;
  principal: string;
  created_at: number;
  last_seen_at: number;
}

export class Sessions {
  constructor(
    private readonly sql: Sql,
    private readonly timeouts: SessionTimeouts,
  ) {}

  create(p: Principal, nowMs: number): string {
    const token = randomBytes(32).toString('base64url');
    this.sql.run(
      this.sql.qb.insertInto('session').values({ token, user_id: p.userId, principal: p.principal, created_at: nowMs, last_seen_at: nowMs }),
    );
    return token;
  }

  /** Validates a token and records the activity (idle time restarts). */
  check(token: string, nowMs: number): SessionCheck {
    const row = this.sql.get<SessionRow>(this.sql.qb.selectFrom('session').selectAll().where('token', '=', token));
    if (!row) return { ok: false, reason: 'unknown' };
    if (nowMs - row.created_at > this.timeouts.maxLifetimeMs) {
      this.end(token);
      return { ok: false, reason: 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT' };
    }
    if (nowMs - row.last_seen_at > this.timeouts.idleMs) {
      this.end(token);
      return { ok: false, reason: 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT' };
    }
    this.sql.run(this.sql.qb.updateTable('session').set({ last_seen_at: nowMs }).where('token', '=', token));
    return { ok: true, session: { token, userId: row.user_id, principal: row.principal } };
  }

  end(token: string): void {
    this.sql.run(this.sql.qb.deleteFrom('session').where('token', '=', token));
  }

  endAllOf(principal: string): void {
    this.sql.run(this.sql.qb.deleteFrom('session').where('principal', '=', principal));
  }
}

/** Ends every session of a principal (`user:<id>` / `api_key:<id>`): revoked keys, deleted users. */
export function endSessionsOf(sql: Sql, principal: string): void {
  sql.run(sql.qb.deleteFrom('session').where('principal', '=', principal));
}
