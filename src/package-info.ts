// The package's own metadata and root folder, found by walking up from this file so that it works
// from source (src/) and from the compiled package (dist/src/) alike.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && (JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string }).name === 'octane-emulator') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('octane-emulator package root not found');
}

export const PACKAGE_ROOT = findRoot();
export const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
