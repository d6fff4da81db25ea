#!/usr/bin/env node
// The `octane-emulator` command: the compiled CLI in dist/.
import '../dist/src/main.js';
