// Sessions behind the LWSSO_COOKIE_KEY cookie: a random token, the signed-in principal, and the
// times that decide idle and absolute expiry.
//
// The session table is the record; the sessions in use are also held in memory, so that checking
// one on every request reads and writes nothing. Activity (last_seen_at) is exact in memory and
// written to the table at most every PERSIST_EVERY_MS (less for short idle timeouts). A commit by
// another connection to the same database file (Sql.externalVersion, looked at every 250 ms)
// makes the next check re-read the row.

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

interface LiveSession {
  session: Principal & { token: string };
  createdAt: number;
  /** the last activity (exact) */
  lastSeen: number;
  /** last_seen_at as written in the table */
  persisted: number;
  /** data_version when the row was last read or written; another value means re-read it */
  version: number;
}

/** Activity is written to the table at most this often (and at most every tenth of the idle timeout). */
const PERSIST_EVERY_MS = 5000;
/** Sessions held in memory; past this, the pending activity is written and the memory starts afresh. */
const LIVE_LIMIT = 10_000;

/** The Sessions of each database connection, for endSessionsOf. */
const byConnection = new WeakMap<Sql, Set<Sessions>>();

export class Sessions {
  private readonly live = new Map<string, LiveSession>();
  private readonly persistEveryMs: number;

  constructor(
    private readonly sql: Sql,
    private readonly timeouts: SessionTimeouts,
  ) {
    this.persistEveryMs = Math.max(0, Math.min(PERSIST_EVERY_MS, Math.floor(timeouts.idleMs / 10)));
    let set = byConnection.get(sql);
    if (!set) byConnection.set(sql, (set = new Set()));
    set.add(this);
  }

  create(p: Principal, nowMs: number): string {
    const token = randomBytes(32).toString('base64url');
    this.insertStatement().run({ token, user_id: p.userId, principal: p.principal, created_at: nowMs, last_seen_at: nowMs });
    // version -1: the first check reads the row back (and learns the data version)
    this.remember(token, { session: { token, userId: p.userId, principal: p.principal }, createdAt: nowMs, lastSeen: nowMs, persisted: nowMs, version: -1 });
    return token;
  }

  /** Validates a token and records the activity (idle time restarts). */
  check(token: string, nowMs: number): SessionCheck {
    const version = this.sql.externalVersion();
    let s = this.live.get(token);
    if (!s || s.version !== version) {
      const row = this.sql.prepared('session:select', (p) => this.sql.qb.selectFrom('session').selectAll().where('token', '=', p('token'))).get<SessionRow>({ token });
      if (!row) {
        this.live.delete(token);
        return { ok: false, reason: 'unknown' };
      }
      // activity held in memory is newer than the table's unless another connection wrote it
      const lastSeen = s && s.persisted === row.last_seen_at ? s.lastSeen : row.last_seen_at;
      s = { session: { token, userId: row.user_id, principal: row.principal }, createdAt: row.created_at, lastSeen, persisted: row.last_seen_at, version };
      this.remember(token, s);
    }
    if (nowMs - s.createdAt > this.timeouts.maxLifetimeMs) {
      this.end(token);
      return { ok: false, reason: 'VALIDATION_TOKEN_EXPIRED_GLOBAL_TIME_OUT' };
    }
    if (nowMs - s.lastSeen > this.timeouts.idleMs) {
      this.end(token);
      return { ok: false, reason: 'VALIDATION_TOKEN_EXPIRED_IDLE_TIME_OUT' };
    }
    s.lastSeen = nowMs;
    if (Math.abs(nowMs - s.persisted) >= this.persistEveryMs) this.persist(s);
    return { ok: true, session: s.session };
  }

  end(token: string): void {
    this.live.delete(token);
    this.sql.prepared('session:delete', (p) => this.sql.qb.deleteFrom('session').where('token', '=', p('token'))).run({ token });
  }

  endAllOf(principal: string): void {
    endSessionsOf(this.sql, principal);
  }

  /** Writes the activity held in memory to the table. */
  flush(): void {
    for (const s of this.live.values()) if (s.lastSeen !== s.persisted) this.persist(s);
  }

  /** Forgets the sessions of a principal held in memory (their rows are being deleted). */
  forgetPrincipal(principal: string): void {
    for (const [token, s] of this.live) if (s.session.principal === principal) this.live.delete(token);
  }

  private persist(s: LiveSession): void {
    this.sql.prepared('session:touch', (p) => this.sql.qb.updateTable('session').set({ last_seen_at: p('last_seen_at') }).where('token', '=', p('token'))).run({ token: s.session.token, last_seen_at: s.lastSeen });
    s.persisted = s.lastSeen;
  }

  private remember(token: string, s: LiveSession): void {
    if (this.live.size >= LIVE_LIMIT && !this.live.has(token)) {
      this.flush();
      this.live.clear();
    }
    this.live.set(token, s);
  }

  private insertStatement() {
    const { sql } = this;
    return sql.prepared('session:insert', (p) =>
      sql.qb.insertInto('session').values({ token: p('token'), user_id: p('user_id'), principal: p('principal'), created_at: p('created_at'), last_seen_at: p('last_seen_at') }),
    );
  }
}

/** Ends every session of a principal (`user:<id>` / `api_key:<id>`): revoked keys, deleted users. */
export function endSessionsOf(sql: Sql, principal: string): void {
  for (const s of byConnection.get(sql) ?? []) s.forgetPrincipal(principal);
  sql.prepared('session:deletePrincipal', (p) => sql.qb.deleteFrom('session').where('principal', '=', p('principal'))).run({ principal });
}
