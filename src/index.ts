// The package's programmatic API.

export { startEmulator, type RunningEmulator, type StartOptions } from './start.js';
export { buildApp, type AppOptions } from './http/app.js';
export { DEFAULT_CONFIG, type EmulatorConfig } from './config.js';
export { Emulator } from './emulator.js';
export type { FixtureFile, FixtureResult } from './store/fixtures.js';
export type { Snapshot } from './store/snapshot.js';
