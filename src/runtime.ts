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
 * better-sqlite3 12 (the last major that supports Node 20) wraps its objects in Node's raw
 * ObjectWrap; from Node 24.19 on, destroying one outside a JavaScript context (a garbage-collected
 * prepared statement) fails an assertion and aborts the process. Node 20, 22 and 24.0–24.18 are
 * unaffected, as is better-sqlite3 13 (Node-API).
 */
export function runtimeWarning(node = process.versions.node, addon = betterSqliteVersion()): string | undefined {
  const [major, minor] = node.split('.').map(Number);
  const affected = major > 24 || (major === 24 && minor >= 19);
  const addonMajor = Number(addon?.split('.')[0]);
  if (!affected || !(addonMajor < 13)) return undefined;
  return (
    `Node.js ${node} with better-sqlite3 ${addon}: this combination can abort the process when a prepared ` +
    'statement is garbage collected (Assertion failed: (env) != nullptr). Use Node.js 20, 22 or 24.0–24.18.'
  );
}
