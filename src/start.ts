// startEmulator(): an emulator listening on a free port of 127.0.0.1 with an in-memory database,
// for a test suite to point its Octane client at.

import type { FastifyInstance } from 'fastify';
import type { EmulatorConfig } from './config.js';
import { buildApp } from './http/app.js';
import { readFixture, type FixtureFile, type FixtureResult } from './store/fixtures.js';
import type { Snapshot } from './store/snapshot.js';
import { runtimeWarning } from './runtime.js';

export interface StartOptions extends Partial<EmulatorConfig> {
  /** port to listen on; 0 (default) picks a free one */
  port?: number;
  /** address to listen on (default 127.0.0.1) */
  host?: string;
  /** pino logger options, or false (default) */
  logger?: boolean | Record<string, unknown>;
}

export interface RunningEmulator {
  /** base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  sharedSpaceId: number;
  workspaceId: number;
  credentials: { user: string; password: string; clientId: string; clientSecret: string };
  /** the Fastify instance, for fastify.inject or hooks of your own */
  app: FastifyInstance;
  /** back to the state right after start-up, in milliseconds; sessions stay valid */
  reset(): void;
  /** loads fixtures (objects or file paths) into the default workspace */
  seed(...fixtures: Array<FixtureFile | string>): FixtureResult[];
  snapshot(): Snapshot;
  restore(snapshot: Snapshot): void;
  close(): Promise<void>;
}

let warned = false;
/** A known runtime problem is told once per process, as a Node warning. */
function warnOnce(): void {
  const warning = runtimeWarning();
  if (warning && !warned) process.emitWarning(warning, { code: 'OCTANE_EMULATOR_RUNTIME' });
  warned = true;
}

export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const { port = 0, host = '127.0.0.1', logger = false, ...config } = options;
  warnOnce();
  const app = await buildApp({ db: ':memory:', ...config, logger: logger as never });
  let url: string;
  try {
    url = await app.listen({ port, host });
  } catch (e) {
    await app.close();
    throw e;
  }
  const emulator = app.emulator;
  const { sharedSpaceId, workspaceId } = emulator.defaults;
  return {
    url,
    sharedSpaceId,
    workspaceId,
    credentials: {
      user: emulator.config.siteAdmin.name,
      password: emulator.config.siteAdmin.password,
      clientId: emulator.config.apiKey.clientId,
      clientSecret: emulator.config.apiKey.clientSecret,
    },
    app,
    reset: () => emulator.reset(),
    seed: (...fixtures) => fixtures.map((f) => emulator.loadFixtures(typeof f === 'string' ? readFixture(f) : f)),
    snapshot: () => emulator.takeSnapshot(),
    restore: (snap) => emulator.restoreSnapshot(snap),
    close: () => app.close(),
  };
}
