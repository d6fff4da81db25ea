// The package's programmatic API.

export { buildApp, type AppOptions } from './http/app.js';
export { DEFAULT_CONFIG, type EmulatorConfig } from './config.js';
export { Emulator } from './emulator.js';
