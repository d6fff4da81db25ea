// Build artifacts reported by CI: coverage reports (LCOV, JaCoCo XML, Sonar generic coverage) and
// build logs. They are kept per build with a short summary, listed, and served back as sent.

import { XMLParser } from 'fast-xml-parser';
import { errors } from '../errors/catalog.js';
import type { RequestContext } from '../resources/context.js';
import type { EntityService } from '../resources/entity-service.js';
import { formatDateTime } from '../resources/values.js';

export type ArtifactKind = 'coverage' | 'log';

export const COVERAGE_TYPES = ['LCOV', 'JACOCOXML', 'SONAR'] as const;

interface ArtifactRow {
  id: number;
  workspace_id: number;
  kind: ArtifactKind;
  build_id: number;
  file_type: string | null;
  name: string | null;
  summary: string | null;
  content: Buffer;
  created_at: string;
}

export interface CoverageSummary {
  lines_covered: number;
  lines_total: number;
  files: number;
}

/** LCOV: sums of LH (lines hit) and LF (lines found) over its records. */
function lcovSummary(text: string): CoverageSummary {
  let covered = 0;
  let total = 0;
  let files = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('SF:')) files++;
    else if (line.startsWith('LH:')) covered += Number(line.slice(3)) || 0;
    else if (line.startsWith('LF:')) total += Number(line.slice(3)) || 0;
  }
  if (files === 0 && total === 0) throw errors.badRequest('The report is not an LCOV trace file (no SF/LF/LH records)');
  return { lines_covered: covered, lines_total: total, files };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false, parseAttributeValue: false });

/**
 * A coverage report's XML, or a 400: no DTD or entity declaration (nothing is expanded or fetched),
 * and what the parser cannot read (unterminated markup) is the client's to fix.
 */
function parseReport(text: string, format: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw errors.badRequest('DTDs and entity declarations are not allowed in coverage reports');
  try {
    return xml.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw errors.badRequest(`The report is not well-formed ${format} XML: ${(e as Error).message}`);
  }
}

/** JaCoCo XML: the report-level LINE counter. */
function jacocoSummary(text: string): CoverageSummary {
  // JaCoCo's own DOCTYPE (an external DTD nobody fetches) is the one allowed
  const doc = parseReport(text.replace(/<!DOCTYPE report PUBLIC "-\/\/JACOCO\/\/DTD Report 1\.1\/\/EN" "report\.dtd">/, ''), 'JaCoCo') as { report?: { counter?: unknown; package?: unknown } };
  if (!doc.report) throw errors.badRequest('The report is not a JaCoCo XML report (no <report>)');
  const counters = ([] as Array<Record<string, string>>).concat((doc.report.counter as Array<Record<string, string>>) ?? []);
  const line = counters.find((c) => c['@type'] === 'LINE');
  const packages = ([] as unknown[]).concat(doc.report.package ?? []);
  const missed = Number(line?.['@missed'] ?? 0);
  const covered = Number(line?.['@covered'] ?? 0);
  return { lines_covered: covered, lines_total: covered + missed, files: packages.length };
}

/** Sonar generic coverage: <coverage><file path><lineToCover lineNumber covered/></file></coverage> */
function sonarSummary(text: string): CoverageSummary {
  const doc = parseReport(text, 'Sonar generic coverage') as { coverage?: { file?: unknown } };
  if (!doc.coverage) throw errors.badRequest('The report is not a Sonar generic coverage report (no <coverage>)');
  const files = ([] as Array<Record<string, unknown>>).concat((doc.coverage.file as Array<Record<string, unknown>>) ?? []);
  let covered = 0;
  let total = 0;
  for (const f of files) {
    for (const l of ([] as Array<Record<string, string>>).concat((f.lineToCover as Array<Record<string, string>>) ?? [])) {
      total++;
      if (l['@covered'] === 'true') covered++;
    }
  }
  return { lines_covered: covered, lines_total: total, files: files.length };
}

export function coverageSummary(fileType: string, content: Buffer): CoverageSummary {
  const text = content.toString('utf8');
  switch (fileType) {
    case 'LCOV':
      return lcovSummary(text);
    case 'JACOCOXML':
      return jacocoSummary(text);
    case 'SONAR':
      return sonarSummary(text);
  }
  throw errors.badRequest(`The file type '${fileType}' is not one of ${COVERAGE_TYPES.join(', ')}`);
}

export function storeArtifact(service: EntityService, ctx: RequestContext, a: { kind: ArtifactKind; buildId: number; fileType?: string; name?: string; content: Buffer }): Record<string, unknown> {
  const summary = a.kind === 'coverage' ? coverageSummary(a.fileType ?? '', a.content) : { lines: a.content.toString('utf8').split(/\r?\n/).length, bytes: a.content.length };
  const id = service.store.allocateIds(1)[0];
  service.sql.run(
    service.sql.qb.insertInto('ci_artifact').values({
      id,
      shared_space_id: ctx.sharedSpaceId,
      workspace_id: ctx.workspaceId,
      kind: a.kind,
      build_id: a.buildId,
      file_type: a.fileType ?? null,
      name: a.name ?? null,
      summary: JSON.stringify(summary),
      content: a.content,
      created_at: formatDateTime(ctx.now),
    }),
  );
  return describe({ id, workspace_id: ctx.workspaceId!, kind: a.kind, build_id: a.buildId, file_type: a.fileType ?? null, name: a.name ?? null, summary: JSON.stringify(summary), content: a.content, created_at: formatDateTime(ctx.now) });
}

function describe(r: ArtifactRow): Record<string, unknown> {
  return {
    type: r.kind === 'coverage' ? 'coverage' : 'log',
    id: String(r.id),
    build: { type: 'ci_build', id: String(r.build_id) },
    file_type: r.file_type,
    name: r.name,
    size: r.content.length,
    creation_time: r.created_at,
    ...(r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : {}),
  };
}

export function listArtifacts(service: EntityService, ctx: RequestContext, kind: ArtifactKind, buildId?: number): { total_count: number; data: Record<string, unknown>[] } {
  let q = service.sql.qb.selectFrom('ci_artifact').selectAll().where('workspace_id', '=', ctx.workspaceId).where('kind', '=', kind);
  if (buildId !== undefined) q = q.where('build_id', '=', buildId);
  const data = service.sql.all<ArtifactRow>(q.orderBy('id')).map(describe);
  return { total_count: data.length, data };
}

export function artifact(service: EntityService, ctx: RequestContext, kind: ArtifactKind, idText: string): ArtifactRow {
  const row = /^\d{1,15}$/.test(idText)
    ? service.sql.get<ArtifactRow>(service.sql.qb.selectFrom('ci_artifact').selectAll().where('id', '=', Number(idText)).where('workspace_id', '=', ctx.workspaceId).where('kind', '=', kind))
    : undefined;
  if (!row) throw errors.entityNotFound(kind, idText);
  return row;
}
