#!/usr/bin/env node
// The `octane-emulator` command: the bundled CLI (dist/octane-emulator.mjs, see scripts/bundle.mjs),
// or the compiled modules in dist/src when there is no bundle.
import fs from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps compiled code of the modules on disk, so later starts skip most parsing.
module.enableCompileCache?.();
const bundle = new URL('../dist/octane-emulator.mjs', import.meta.url);
await import(fs.existsSync(bundle) ? bundle.href : '../dist/src/main.js');
