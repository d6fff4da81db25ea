// One emulator instance without its HTTP face: database, resource table, entity service,
// sessions and clock, and the defaults a fresh database starts with.

import fs from 'node:fs';
import path from 'node:path';
import { Migrator } from 'kysely';
import { migrationProvider } from '../migrations/index.js';
import { Sessions } from './auth/sessions.js';
import { TestResultTasks } from './ci/tasks.js';
import { resolveConfig, type EmulatorConfig } from './config.js';
import { buildRegistry } from './resources/catalog.js';
import type { RequestContext } from './resources/context.js';
import { EntityService } from './resources/entity-service.js';
import { readUserFields } from './resources/hooks/user-fields.js';
import type { Registry } from './resources/registry.js';
import { openSqlite, Sql } from './store/database.js';
import { fixtureFiles, fixtureSize, fixturesDir, loadFixture, readFixture, type FixtureFile, type FixtureResult } from './store/fixtures.js';
import { Progress } from './progress.js';
import { syncEntityTables, tableOf } from './store/schema-sync.js';
import { Snapshots, type Snapshot } from './store/snapshot.js';
import { clearLookupCaches } from './resources/hooks/lookup.js';

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

  /** Time runs again from the frozen moment. */
  unfreeze(): void {
    if (this.frozenAt === null) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = null;
  }

  isFrozen(): boolean {
    return this.frozenAt !== null;
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
  readonly testResults: TestResultTasks;
  readonly snapshots: Snapshots;
  defaults!: DefaultTenant;
  /** the state right after start-up, which reset() returns to */
  private startup?: Snapshot;
  private readonly closers: Array<() => void> = [];

  private constructor(config: EmulatorConfig) {
    this.config = config;
    if (config.reset && config.db !== ':memory:') {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${config.db}${suffix}`, { force: true });
    }
    this.sql = new Sql(openSqlite(config.db));
    this.snapshots = new Snapshots(this.sql);
    this.registry = buildRegistry({ attachmentExtensions: config.attachmentExtensions });
    this.service = new EntityService(this.sql, this.registry);
    this.service.userFields = (ctx) => readUserFields(this.service, ctx);
    this.sessions = new Sessions(this.sql, { idleMs: config.sessionIdleTimeoutMs, maxLifetimeMs: config.sessionMaxLifetimeMs });
    this.testResults = new TestResultTasks(this.service, () => this.clock.now());
  }

  static async open(partial: Partial<EmulatorConfig> = {}): Promise<Emulator> {
    const emulator = new Emulator(resolveConfig(partial));
    try {
      await emulator.migrate();
      syncEntityTables(emulator.sql, emulator.registry);
      const fresh = emulator.bootstrap();
      if (fresh) emulator.loadStartFixtures();
      emulator.startup = emulator.snapshots.take();
      emulator.testResults.resume();
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
  private bootstrap(): boolean {
    const { registry, service } = this;
    const existing = service.ids(this.systemContext(null, null), registry.entity('shared_space'));
    this.defaults = existing.length > 0 ? this.findDefaults() : this.createDefaults();
    this.sql.tx(() => this.ensureCredentials(this.defaults));
    return existing.length === 0;
  }

  /** A fresh database gets the configured fixture files, then the demo workspace if asked. */
  private loadStartFixtures(): void {
    const files = this.config.fixtures.flatMap((f) => fixtureFiles(f));
    if (this.config.demo) files.push(path.join(fixturesDir(), 'demo.json'));
    for (const file of files) {
      const data = readFixture(file);
      const size = fixtureSize(data);
      // a large fixture shows its progress (a bar on a terminal, lines in logs)
      const progress = size >= 1000 && this.config.showProgress ? new Progress(`loading ${path.basename(file)}`, size) : undefined;
      this.loadFixtures(data, undefined, undefined, progress ? (n) => progress.tick(n) : undefined);
    }
  }

  /** Loads a fixture into a workspace (default: the default one), as the site admin. */
  loadFixtures(data: FixtureFile, workspaceId = this.defaults.workspaceId, sharedSpaceId = this.defaults.sharedSpaceId, onProgress?: (done: number) => void): FixtureResult {
    const ctx = { ...this.systemContext(sharedSpaceId, workspaceId), userId: this.defaults.adminUserId };
    return this.sql.tx(() => loadFixture(this.service, ctx, data, onProgress));
  }

  /** Back to the state right after start-up (sessions stay valid). */
  reset(): void {
    if (!this.startup) throw new Error('the emulator has not finished starting');
    this.restoreSnapshot(this.startup);
  }

  takeSnapshot(): Snapshot {
    return this.snapshots.take();
  }

  restoreSnapshot(snap: Snapshot): void {
    this.testResults.forget();
    this.snapshots.restore(snap);
    // what was derived from the data before is no longer true
    this.service.userFieldsVersion++;
    clearLookupCaches(this.sql);
    this.testResults.resume();
  }

  /** Users and API keys asked for by configuration (--user, --api-key) exist after start. */
  private ensureCredentials(d: DefaultTenant): void {
    const { service, registry, config } = this;
    const spaceCtx = this.systemContext(d.sharedSpaceId, null);
    const userStore = tableOf(registry.entity('user').store);
    for (const u of config.users) {
      const found = this.sql.get(this.sql.qb.selectFrom(userStore).select('id').where('name', '=', u.name).where('shared_space_id', '=', d.sharedSpaceId));
      if (found) continue;
      const role = this.workspaceRoleId(d.sharedSpaceId, d.workspaceId, u.role ?? 'role.workspace.admin');
      if (role === undefined) throw new Error(`unknown role '${u.role}' for user '${u.name}'`);
      service.createOne(spaceCtx, registry.entity('user'), {
        name: u.name,
        email: u.name.includes('@') ? u.name : `${u.name}@octane-emulator.local`,
        first_name: u.name.split('@')[0],
        last_name: 'User',
        password: u.password,
        workspace_roles: { data: [{ type: 'workspace_role', id: role }] },
      });
    }
    const keyStore = tableOf(registry.entity('api_access').store);
    for (const k of config.apiKeys) {
      const found = this.sql.get(this.sql.qb.selectFrom(keyStore).select('id').where('client_id', '=', k.clientId));
      if (found) continue;
      const role = this.workspaceRoleId(d.sharedSpaceId, d.workspaceId, 'role.workspace.admin');
      service.createOne(spaceCtx, registry.entity('api_access'), {
        name: k.clientId,
        client_id: k.clientId,
        client_secret: k.clientSecret,
        workspace_roles: { data: role === undefined ? [] : [{ type: 'workspace_role', id: role }] },
      });
    }
  }

  private createDefaults(): DefaultTenant {
    const { config, service, registry } = this;
    const spaceEntity = registry.entity('shared_space');
    return this.sql.tx(() => {
      service.store.reserveId(Math.max(config.sharedSpaceId, config.workspaceId));
      service.createOne(this.systemContext(null, null), spaceEntity, { id: config.sharedSpaceId, name: 'default_shared_space' });
      const spaceCtx = this.systemContext(config.sharedSpaceId, null);
      service.createOne(spaceCtx, registry.entity('workspace'), { id: config.workspaceId, name: config.workspaceName });
      const spaceAdmin = this.workspaceRoleId(config.sharedSpaceId, null, 'role.shared.space.admin');
      const adminRole = this.workspaceRoleId(config.sharedSpaceId, config.workspaceId, 'role.workspace.admin');
      const adminUserId = service.createOne(spaceCtx, registry.entity('user'), {
        name: config.siteAdmin.name,
        email: config.siteAdmin.name.includes('@') ? config.siteAdmin.name : `${config.siteAdmin.name}@octane-emulator.local`,
        first_name: 'Site',
        last_name: 'Admin',
        password: config.siteAdmin.password,
        workspace_roles: { data: [spaceAdmin, adminRole].filter((x) => x !== undefined).map((id) => ({ type: 'workspace_role', id })) },
      });
      this.sql.run(this.sql.qb.insertInto('site_admin').values({ user_id: adminUserId }));
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
      this.sql.qb.selectFrom(tableOf(userStore)).select(['id', 'shared_space_id']).where('name', '=', this.config.siteAdmin.name).orderBy('id').limit(1),
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

  /** Id of the workspace_role giving `roleLogicalName` in a workspace (null: space-wide role). */
  workspaceRoleId(sharedSpaceId: number, workspaceId: number | null, roleLogicalName: string): number | undefined {
    const wr = this.registry.entity('workspace_role');
    const role = this.registry.entity('role');
    const row = this.sql.get<{ id: number }>(
      this.sql.qb
        .selectFrom(`${tableOf(wr.store)} as wr`)
        .innerJoin(`${tableOf(role.store)} as r`, 'r.id', 'wr.role')
        .select('wr.id')
        .where('wr.shared_space_id', '=', sharedSpaceId)
        .where('wr.workspace', workspaceId === null ? 'is' : '=', workspaceId)
        .where('r.logical_name', '=', roleLogicalName),
    );
    return row?.id;
  }

  /** Called when the emulator starts closing (long polls stop waiting). */
  onClose(fn: () => void): void {
    if (this.closing) fn();
    else this.closers.push(fn);
  }

  private closing = false;

  get isClosing(): boolean {
    return this.closing;
  }

  /** Stops background work and releases waiting requests, before in-flight requests drain. */
  beginClose(): void {
    this.closing = true;
    this.testResults.close();
    for (const fn of this.closers.splice(0)) fn();
  }

  close(): void {
    this.beginClose();
    this.snapshots.close();
    // session activity is written to the table lazily: keep it across a restart
    if (this.sql.sqlite.open) this.sessions.flush();
    this.sql.close();
  }
}
