// Part of `npm run build`: the command line as one ES module (dist/octane-emulator.mjs), so that a
// start loads one file instead of several hundred modules (the query builder alone has hundreds).
// better-sqlite3 (native) and the API documentation plugins (they serve files from their own
// folders) stay ordinary dependencies. bin/octane-emulator.js runs the bundle when it exists.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.resolve(root, process.argv[2] ?? 'dist/octane-emulator.mjs');

await build({
  entryPoints: [path.join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', '@fastify/swagger', '@fastify/swagger-ui'],
  // bundled CommonJS packages call require(): give the module one
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
