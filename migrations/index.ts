// The migration list, as a static import map so that the same list works from source, from the
// compiled package and in the Docker image (no directory scanning).

import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_site_admin.js';
import * as m0003 from './0003_test_scripts.js';
import * as m0004 from './0004_ci.js';

const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_site_admin': m0002,
  '0003_test_scripts': m0003,
  '0004_ci': m0004,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
