// Shared pieces of the CI tests: an app whose test-results tasks are polled quickly and whose
// sessions outlast a long suite, the base URL of the CI plugins' internal API, and the shapes of
// the build events a Jenkins plugin sends.

import { makeApp, type TestApp } from './app.js';
import { sorted } from './workspace.js';

/** 2025-06-15T15:06:40Z */
export const T0 = 1_750_000_000_000;
/** Octane's date-time format (no milliseconds). */
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const ln = (v: any) => v?.logical_name ?? null;
/** The ids of a multi-reference value, in id order. */
export const idsOf = (multi: any) => sorted((multi?.data ?? []).map((x: any) => x.id));

/** The test app for CI tests and `/internal-api/shared_spaces/{sid}/analytics/ci` of its shared space. */
export async function makeCiApp(): Promise<{ t: TestApp; internal: string }> {
  const t = await makeApp({ ciTaskPollMs: 50, sessionIdleTimeoutMs: 1e13, sessionMaxLifetimeMs: 1e13 });
  return { t, internal: `/internal-api/shared_spaces/${t.app.emulator.defaults.sharedSpaceId}/analytics/ci` };
}

/** The cause of a build started by another job's build. */
export const upstream = (project: string, buildCiId: string, causes: unknown[] = []) => ({ type: 'upstream', project, buildCiId, causes });

/** A build event (`started`, `finished`, …) of job `project`; a finished build succeeded after 1 s. */
export const ciEvent = (eventType: string, project: string, buildCiId: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  project,
  projectDisplayName: project,
  buildCiId,
  number: buildCiId,
  startTime: T0,
  ...(eventType === 'finished' ? { duration: 1000, result: 'success' } : {}),
  ...extra,
});
