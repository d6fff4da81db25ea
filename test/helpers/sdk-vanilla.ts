// The official JS SDK's older, routes-based client (`OctaneVanilla`): its route generator
// (scripts/generate_default_routes.js in the package) run unchanged against the emulator, with its
// file write captured instead of landing in node_modules, and a promise wrapper for the client's
// callback functions.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const requireHere = createRequire(import.meta.url);
const SDK_ROOT = path.resolve(path.dirname(requireHere.resolve('@microfocus/alm-octane-js-rest-sdk')), '..');
const GENERATOR = path.join(SDK_ROOT, 'scripts', 'generate_default_routes.js');

// The package configures log4js to log at debug level when it loads; configure the very log4js
// instance it loaded to log nothing.
const requireFromSdk = createRequire(requireHere.resolve('@microfocus/alm-octane-js-rest-sdk'));
(requireFromSdk('log4js') as { configure(c: unknown): unknown }).configure({ appenders: { out: { type: 'stdout' } }, categories: { default: { appenders: ['out'], level: 'off' } } });

export type Callback = (err: any, result?: any) => void;
export type RouteFn = (msg: Record<string, unknown> | Array<Record<string, unknown>>, cb: Callback) => void;

/** Calls one of the client's generated functions. */
export function call(fn: RouteFn, msg: Record<string, unknown> | Array<Record<string, unknown>>): Promise<any> {
  return new Promise((resolve, reject) => fn(msg, (err, result) => (err ? reject(err) : resolve(result))));
}

/**
 * Runs the SDK's route generator as it ships, with `fs.writeFileSync` of its routes file captured
 * and its console output kept aside. Resolves with the routes it would have saved.
 */
export async function generateRoutes(config: object, credentials: Record<string, string>): Promise<{ routes: any; log: string[] }> {
  const requireFromGenerator = createRequire(GENERATOR);
  let written: string | undefined;
  const capturedFs = {
    ...fs,
    writeFileSync(file: string, data: string) {
      if (!file.endsWith(path.join('routes', 'default.json'))) throw new Error(`unexpected write to ${file}`);
      written = data;
    },
  };
  const log: string[] = [];
  const quiet = { log: (...a: unknown[]) => log.push(a.join(' ')), info: (...a: unknown[]) => log.push(a.join(' ')), error: (...a: unknown[]) => log.push(a.join(' ')) };
  const module = { exports: {} as { generateDefaultRoutes(c: unknown): Promise<void> } };
  const run = vm.compileFunction(fs.readFileSync(GENERATOR, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname', 'console'], { filename: GENERATOR });
  run(module.exports, (id: string) => (id === 'fs' ? capturedFs : requireFromGenerator(id)), module, GENERATOR, path.dirname(GENERATOR), quiet);
  await module.exports.generateDefaultRoutes({ config, options: credentials });
  if (!written) throw new Error(`the generator wrote no routes: ${log.join('\n')}`);
  return { routes: JSON.parse(written), log };
}
