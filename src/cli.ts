// The command line: `octane-emulator [--port 8080] [--host 0.0.0.0] [--db file|:memory:]`.
// Flags win over environment variables (OCTANE_EMULATOR_*, PORT), which win over defaults.

import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_CONFIG } from './config.js';
import { buildApp } from './http/app.js';

const HELP = `octane-emulator — a local, stateful emulator of the ALM Octane REST API

Usage: octane-emulator [options]

Options (environment variable in brackets):
  --port <n>         port to listen on (default 8080) [OCTANE_EMULATOR_PORT, PORT]
  --host <addr>      address to listen on (default 0.0.0.0) [OCTANE_EMULATOR_HOST]
  --db <file>        SQLite database file, or :memory: (default ${DEFAULT_CONFIG.db}) [OCTANE_EMULATOR_DB]
  --log-level <lvl>  fatal, error, warn, info, debug, trace or silent (default info) [OCTANE_EMULATOR_LOG_LEVEL]
  -h, --help         show this help
`;

export interface CliOptions {
  port: number;
  host: string;
  db: string;
  logLevel: string;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const portText = values.port ?? env.OCTANE_EMULATOR_PORT ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port '${portText}'`);
  return {
    port,
    host: values.host ?? env.OCTANE_EMULATOR_HOST ?? '0.0.0.0',
    db: values.db ?? env.OCTANE_EMULATOR_DB ?? DEFAULT_CONFIG.db,
    logLevel: values['log-level'] ?? env.OCTANE_EMULATOR_LOG_LEVEL ?? 'info',
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
    `  sign in:       POST ${url}/authentication/sign_in {"user":"${config.admin.name}","password":"${config.admin.password}"}`,
    `  API key:       client_id ${config.apiKey.clientId}  client_secret ${config.apiKey.clientSecret}`,
    `  example:       GET ${url}/api/shared_spaces/${defaults.sharedSpaceId}/workspaces/${defaults.workspaceId}/defects`,
    `  database:      ${config.db}`,
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
  const app = await buildApp({ db: options.db, logger: options.logLevel === 'silent' ? false : { level: options.logLevel } });
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
