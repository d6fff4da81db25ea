// Known problems of the Node.js runtime the emulator runs on, told at start instead of discovered
// as a crash.

import { createRequire } from 'node:module';

/** The installed better-sqlite3 version, or undefined when it cannot be read. */
function betterSqliteVersion(): string | undefined {
  try {
    return (createRequire(import.meta.url)('better-sqlite3/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Node releases on which better-sqlite3 12 (the last major that supports Node 20; it wraps its
 * objects in Node's raw ObjectWrap) aborts the process when a garbage-collected prepared statement
 * is destroyed outside a JavaScript context: `[major, first minor, last minor]`. Measured with the
 * addon built for the release that runs it, as `npm ci` builds it: 24.19.0, 24.20.0 and 24.21.0
 * abort within seconds of starting; 24.18, 24.22, 25 and 26 releases do not (docs/decisions.md
 * lists each release and build).
 */
const AFFECTED: ReadonlyArray<readonly [number, number, number]> = [[24, 19, 21]];

/** A warning for a Node release on which better-sqlite3 12 aborts (better-sqlite3 13, on Node-API, does not). */
export function runtimeWarning(node = process.versions.node, addon = betterSqliteVersion()): string | undefined {
  const [major, minor] = node.split('.').map(Number);
  const affected = AFFECTED.some(([m, first, last]) => major === m && minor >= first && minor <= last);
  const addonMajor = Number(addon?.split('.')[0]);
  if (!affected || !(addonMajor < 13)) return undefined;
  return (
    `Node.js ${node} with better-sqlite3 ${addon}: this combination can abort the process when a prepared ` +
    'statement is garbage collected (Assertion failed: (env) != nullptr). Use Node.js 20, 22, or 24.22 or later.'
  );
}
