#!/usr/bin/env node
// The `octane-emulator` command: the compiled CLI in dist/.
import module from 'node:module';

// Node 22.1+ keeps compiled code of the modules on disk, so later starts skip most parsing.
module.enableCompileCache?.();
await import('../dist/src/main.js');
