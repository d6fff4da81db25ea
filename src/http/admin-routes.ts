// Server-level resources outside the API namespace that clients probe: the version.

import type { FastifyInstance } from 'fastify';
import { PACKAGE_VERSION } from '../package-info.js';

/** The Octane release whose API this emulator follows, reported to clients that check it. */
export const OCTANE_VERSION = '25.1.0.0';

export function registerAdminRoutes(app: FastifyInstance): void {
  app.get('/admin/version', async () => ({
    version: OCTANE_VERSION,
    build_date: '2025-01-01T00:00:00Z',
    build_revision: `octane-emulator-${PACKAGE_VERSION}`,
    build_number: OCTANE_VERSION.split('.').pop(),
    display_version: `${OCTANE_VERSION.split('.').slice(0, 2).join('.')} (octane-emulator ${PACKAGE_VERSION})`,
  }));
}
