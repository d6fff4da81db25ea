// One emulator instance without its HTTP face: database, resource table, entity service,
// sessions and clock, and the defaults a fresh database starts with.

import { Migrator } from 'kysely';
import { migrationProvider } from '../migrations/index.js';
import { Sessions } from './auth/sessions.js';
import { resolveConfig, type EmulatorConfig } from './config.js';
import { buildRegistry } from './resources/catalog.js';
import type { RequestContext } from './resources/context.js';
import { EntityService } from './resources/entity-service.js';
import type { Registry } from './resources/registry.js';
import { openSqlite, Sql } from './store/database.js';
import { syncEntityTables, tableOf } from './store/schema-sync.js';

/** The server clock: real time, optionally shifted or frozen (admin API). */
export class Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  nowMs(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  freeze(at: Date): void {
    this.frozenAt = at.getTime();
  }

  shift(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = null;
  }
}

export interface DefaultTenant {
  sharedSpaceId: number;
  workspaceId: number;
  adminUserId: number;
}

export class Emulator {
  readonly config: EmulatorConfig;
  readonly sql: Sql;
  readonly registry: Registry;
  readonly service: EntityService;
  readonly sessions: Sessions;
  readonly clock = new Clock();
  defaults!: DefaultTenant;

  private constructor(config: EmulatorConfig) {
    this.config = config;
    this.sql = new Sql(openSqlite(config.db));
    this.registry = buildRegistry();
    this.service = new EntityService(this.sql, this.registry);
    this.sessions = new Sessions(this.sql, { idleMs: config.sessionIdleTimeoutMs, maxLifetimeMs: config.sessionMaxLifetimeMs });
  }

  static async open(partial: Partial<EmulatorConfig> = {}): Promise<Emulator> {
    const emulator = new Emulator(resolveConfig(partial));
    try {
      await emulator.migrate();
      syncEntityTables(emulator.sql, emulator.registry);
      emulator.defaults = emulator.bootstrap();
    } catch (e) {
      emulator.close();
      throw e;
    }
    return emulator;
  }

  private async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.sql.qb, provider: migrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed) throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
    this.sql.forgetStatements();
  }

  /** A context for internal writes. */
  systemContext(sharedSpaceId: number | null, workspaceId: number | null): RequestContext {
    return { sharedSpaceId: sharedSpaceId ?? -1, workspaceId, userId: null, now: this.clock.now(), system: true };
  }

  /**
   * A fresh database gets the default shared space and workspace, the site admin and one API key;
   * an existing one is left as it is and its defaults are looked up.
   */
  private bootstrap(): DefaultTenant {
    const { config, service, registry } = this;
    const spaceEntity = registry.entity('shared_space');
    const existing = service.ids(this.systemContext(null, null), spaceEntity);
    if (existing.length > 0) return this.findDefaults();
    return this.sql.tx(() => {
      service.store.reserveId(Math.max(config.sharedSpaceId, config.workspaceId));
      service.createOne(this.systemContext(null, null), spaceEntity, { id: config.sharedSpaceId, name: 'default_shared_space' });
      const spaceCtx = this.systemContext(config.sharedSpaceId, null);
      service.createOne(spaceCtx, registry.entity('workspace'), { id: config.workspaceId, name: config.workspaceName });
      const adminRole = this.workspaceRoleId(config.sharedSpaceId, config.workspaceId, 'role.workspace.admin');
      const adminUserId = service.createOne(spaceCtx, registry.entity('user'), {
        name: config.admin.name,
        email: config.admin.name.includes('@') ? config.admin.name : `${config.admin.name}@octane-emulator.local`,
        first_name: 'Site',
        last_name: 'Admin',
        password: config.admin.password,
        workspace_roles: { data: adminRole ? [{ type: 'workspace_role', id: adminRole }] : [] },
      });
      service.createOne(spaceCtx, registry.entity('api_access'), {
        name: 'octane-emulator default API key',
        client_id: config.apiKey.clientId,
        client_secret: config.apiKey.clientSecret,
        workspace_roles: { data: adminRole ? [{ type: 'workspace_role', id: adminRole }] : [] },
      });
      return { sharedSpaceId: config.sharedSpaceId, workspaceId: config.workspaceId, adminUserId };
    });
  }

  private findDefaults(): DefaultTenant {
    const userStore = this.registry.entity('user').store;
    const row = this.sql.get<{ id: number; shared_space_id: number }>(
      this.sql.qb.selectFrom(tableOf(userStore)).select(['id', 'shared_space_id']).where('name', '=', this.config.admin.name).orderBy('id').limit(1),
    );
    const ws = this.sql.get<{ id: number; shared_space_id: number }>(
      this.sql.qb.selectFrom(tableOf(this.registry.entity('workspace').store)).select(['id', 'shared_space_id']).orderBy('id').limit(1),
    );
    return {
      sharedSpaceId: ws?.shared_space_id ?? this.config.sharedSpaceId,
      workspaceId: ws?.id ?? this.config.workspaceId,
      adminUserId: row?.id ?? -1,
    };
  }

  /** Id of the workspace_role giving `roleLogicalName` in a workspace. */
  workspaceRoleId(sharedSpaceId: number, workspaceId: number, roleLogicalName: string): number | undefined {
    const wr = this.registry.entity('workspace_role');
    const role = this.registry.entity('role');
    const row = this.sql.get<{ id: number }>(
      this.sql.qb
        .selectFrom(`${tableOf(wr.store)} as wr`)
        .innerJoin(`${tableOf(role.store)} as r`, 'r.id', 'wr.role')
        .select('wr.id')
        .where('wr.shared_space_id', '=', sharedSpaceId)
        .where('wr.workspace', '=', workspaceId)
        .where('r.logical_name', '=', roleLogicalName),
    );
    return row?.id;
  }

  close(): void {
    this.sql.close();
  }
}
