// The command line: `octane-emulator [--port 8080] [--host 0.0.0.0] [--db file|:memory:]`.
// Flags win over environment variables (OCTANE_EMULATOR_*, PORT), which win over defaults.

import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_CONFIG, parseApiKeySeed, parseUserSeed, type EmulatorConfig } from './config.js';
import { buildApp } from './http/app.js';
import { runtimeWarning } from './runtime.js';

const HELP = `octane-emulator — a local, stateful emulator of the ALM Octane REST API

Usage: octane-emulator [options]

Options (environment variable in brackets):
  --port <n>         port to listen on (default 8080) [OCTANE_EMULATOR_PORT, PORT]
  --host <addr>      address to listen on (default 0.0.0.0) [OCTANE_EMULATOR_HOST]
  --db <file>        SQLite database file, or :memory: (default ${DEFAULT_CONFIG.db}) [OCTANE_EMULATOR_DB]
  --log-level <lvl>  fatal, error, warn, info, debug, trace or silent (default info) [OCTANE_EMULATOR_LOG_LEVEL]
  --user <name:password[:role]>
                     add a user to the default workspace (repeatable; role is a role logical name,
                     default role.workspace.admin) [OCTANE_EMULATOR_USERS, comma-separated]
  --api-key <client_id:secret>
                     add an API key with the workspace admin role (repeatable) [OCTANE_EMULATOR_API_KEYS]
  --session-timeout <minutes|duration>
                     idle time after which a session expires: minutes (decimals allowed) or a
                     duration such as 90s, 30m, 2h (default 180 minutes) [OCTANE_EMULATOR_SESSION_TIMEOUT]
  --session-lifetime <minutes|duration>
                     the longest a session lives however active it is, in the same units
                     (default 24h) [OCTANE_EMULATOR_SESSION_LIFETIME]
  --page-size-default <n>, --page-size-max <n>
                     default and largest page size, the limit parameter (default 100 and 2000)
                     [OCTANE_EMULATOR_PAGE_SIZE_DEFAULT, OCTANE_EMULATOR_PAGE_SIZE_MAX]
  --fixtures <file|dir>
                     load a fixture file, or every .json file of a folder, into the default
                     workspace of a fresh database (repeatable) [OCTANE_EMULATOR_FIXTURES, comma-separated]
  --no-demo          start without the demo workspace data [OCTANE_EMULATOR_DEMO=false]
  --reset            start from an empty database even if the file exists [OCTANE_EMULATOR_RESET=true]
  --admin-token <t>  protect the admin API (/__admin/) with this token [OCTANE_EMULATOR_ADMIN_TOKEN]
  --no-admin         turn the admin API off [OCTANE_EMULATOR_ADMIN=false]
  -h, --help         show this help

The admin API (/__admin/health, reset, snapshot, restore, fixtures, requests, faults, clock) is
described in the README. Fixtures and the demo are loaded only into a fresh database.
`;

export interface CliOptions {
  port: number;
  host: string;
  db: string;
  logLevel: string;
  config: Partial<EmulatorConfig>;
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got '${text}'`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30` (minutes), `0.5`, `90s`, `2h` -> milliseconds */
function minutesOrDuration(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 'm'] : NaN;
  if (!(ms >= 1)) throw new Error(`${name} must be a positive number of minutes or a duration such as 90s or 2h, got '${text}'`);
  return Math.round(ms);
}

function boolEnv(text: string | undefined, name: string): boolean | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new Error(`${name} must be true or false, got '${text}'`);
}

function isTrue(text: string | undefined, name: string): boolean {
  return boolEnv(text, name) === true;
}

function isFalse(text: string | undefined, name: string): boolean {
  return boolEnv(text, name) === false;
}

function list(flag: string[] | undefined, env: string | undefined): string[] {
  if (flag && flag.length) return flag;
  return env ? env.split(',').map((x) => x.trim()).filter(Boolean) : [];
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'log-level': { type: 'string' },
      user: { type: 'string', multiple: true },
      'api-key': { type: 'string', multiple: true },
      'session-timeout': { type: 'string' },
      'session-lifetime': { type: 'string' },
      'page-size-default': { type: 'string' },
      'page-size-max': { type: 'string' },
      fixtures: { type: 'string', multiple: true },
      'no-demo': { type: 'boolean' },
      reset: { type: 'boolean' },
      'admin-token': { type: 'string' },
      'no-admin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const portText = values.port ?? env.OCTANE_EMULATOR_PORT ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port '${portText}'`);
  const adminToken = values['admin-token'] ?? env.OCTANE_EMULATOR_ADMIN_TOKEN;
  const config: Partial<EmulatorConfig> = {
    showProgress: true,
    users: list(values.user, env.OCTANE_EMULATOR_USERS).map(parseUserSeed),
    apiKeys: list(values['api-key'], env.OCTANE_EMULATOR_API_KEYS).map(parseApiKeySeed),
    fixtures: list(values.fixtures, env.OCTANE_EMULATOR_FIXTURES),
    demo: values['no-demo'] ? false : !isFalse(env.OCTANE_EMULATOR_DEMO, 'OCTANE_EMULATOR_DEMO'),
    reset: values.reset === true || isTrue(env.OCTANE_EMULATOR_RESET, 'OCTANE_EMULATOR_RESET'),
    admin: { enabled: values['no-admin'] ? false : !isFalse(env.OCTANE_EMULATOR_ADMIN, 'OCTANE_EMULATOR_ADMIN'), ...(adminToken ? { token: adminToken } : {}) },
  };
  const timeout = minutesOrDuration('--session-timeout', values['session-timeout'] ?? env.OCTANE_EMULATOR_SESSION_TIMEOUT);
  if (timeout !== undefined) config.sessionIdleTimeoutMs = timeout;
  const lifetime = minutesOrDuration('--session-lifetime', values['session-lifetime'] ?? env.OCTANE_EMULATOR_SESSION_LIFETIME);
  if (lifetime !== undefined) config.sessionMaxLifetimeMs = lifetime;
  const pageDefault = positiveInt('--page-size-default', values['page-size-default'] ?? env.OCTANE_EMULATOR_PAGE_SIZE_DEFAULT);
  const pageMax = positiveInt('--page-size-max', values['page-size-max'] ?? env.OCTANE_EMULATOR_PAGE_SIZE_MAX);
  if (pageDefault !== undefined) config.pageSizeDefault = pageDefault;
  if (pageMax !== undefined) config.pageSizeMax = pageMax;
  if ((config.pageSizeDefault ?? DEFAULT_CONFIG.pageSizeDefault) > (config.pageSizeMax ?? DEFAULT_CONFIG.pageSizeMax)) {
    throw new Error('--page-size-default cannot exceed --page-size-max');
  }
  return {
    port,
    host: values.host ?? env.OCTANE_EMULATOR_HOST ?? '0.0.0.0',
    db: values.db ?? env.OCTANE_EMULATOR_DB ?? DEFAULT_CONFIG.db,
    logLevel: values['log-level'] ?? env.OCTANE_EMULATOR_LOG_LEVEL ?? 'info',
    config,
  };
}

export function banner(app: FastifyInstance, url: string): string {
  const { config, defaults } = app.emulator;
  return [
    '',
    'octane-emulator is ready',
    `  URL:           ${url}`,
    `  shared space:  ${defaults.sharedSpaceId}`,
    `  workspace:     ${defaults.workspaceId}`,
    `  sign in:       POST ${url}/authentication/sign_in {"user":"${config.siteAdmin.name}","password":"${config.siteAdmin.password}"}`,
    `  API key:       client_id ${config.apiKey.clientId}  client_secret ${config.apiKey.clientSecret}`,
    ...config.users.map((u) => `  user:          ${u.name} (${u.role ?? 'role.workspace.admin'})`),
    ...config.apiKeys.map((k) => `  API key:       client_id ${k.clientId}`),
    `  example:       GET ${url}/api/shared_spaces/${defaults.sharedSpaceId}/workspaces/${defaults.workspaceId}/defects`,
    `  database:      ${config.db}${config.demo ? ' (demo workspace data on a fresh database)' : ''}`,
    `  API docs:      ${url}/api-docs`,
    config.admin.enabled ? `  admin API:     ${url}/__admin/health${config.admin.token ? ' (token required)' : ''}` : '  admin API:     off',
    '',
  ].join('\n');
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<FastifyInstance | undefined> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv, env);
  } catch (e) {
    process.stderr.write(`octane-emulator: ${(e as Error).message}\n\n${HELP}`);
    process.exitCode = 2;
    return undefined;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return undefined;
  }
  const warning = runtimeWarning();
  if (warning) process.stderr.write(`octane-emulator: warning: ${warning}\n`);
  const app = await buildApp({ ...options.config, db: options.db, logger: options.logLevel === 'silent' ? false : { level: options.logLevel } });
  const address = await app.listen({ port: options.port, host: options.host });
  const shown = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  process.stdout.write(banner(app, shown));

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // In-flight requests finish; the database closes in the onClose hook.
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return app;
}
