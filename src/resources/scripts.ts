// Test scripts: manual test steps in Octane's step notation, or a Gherkin feature; every save is
// a new version.
//
// Manual step notation, one step per line:
//   - <text>              a step
//   - ?<text>             a validation step
//   - @<test id> <name>   a call to another manual test's steps

import type { Sql } from '../store/database.js';

export interface ScriptVersion {
  test_id: number;
  version: number;
  script: string;
  revision_type: string | null;
  comment: string | null;
  author_id: number | null;
  creation_time: string;
}

export function scriptVersions(sql: Sql, testId: number): ScriptVersion[] {
  return sql.all<ScriptVersion>(sql.qb.selectFrom('test_script').selectAll().where('test_id', '=', testId).orderBy('version'));
}

export function scriptVersion(sql: Sql, testId: number, version?: number): ScriptVersion | undefined {
  let q = sql.qb.selectFrom('test_script').selectAll().where('test_id', '=', testId);
  q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
  return sql.get<ScriptVersion>(q);
}

export function saveScript(sql: Sql, v: Omit<ScriptVersion, 'version'>): ScriptVersion {
  const last = scriptVersion(sql, v.test_id);
  const row: ScriptVersion = { ...v, version: (last?.version ?? 0) + 1 };
  sql.run(sql.qb.insertInto('test_script').values({ ...row }));
  return row;
}

export function deleteScripts(sql: Sql, testId: number): void {
  sql.run(sql.qb.deleteFrom('test_script').where('test_id', '=', testId));
}

export type ManualStep = { kind: 'step' | 'validation'; text: string } | { kind: 'call'; testId: number; text: string };

export function parseManualSteps(script: string): ManualStep[] {
  const steps: ManualStep[] = [];
  for (const raw of script.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.startsWith('- ?')) steps.push({ kind: 'validation', text: line.slice(3).trim() });
    else if (line.startsWith('- @')) {
      const m = /^- @(\d+)\s*(.*)$/.exec(line);
      if (m) steps.push({ kind: 'call', testId: Number(m[1]), text: m[2] });
    } else if (line.startsWith('- ')) steps.push({ kind: 'step', text: line.slice(2).trim() });
  }
  return steps;
}

export type GherkinStep = { kind: 'feature' | 'scenario' | 'step'; text: string };

/** The lines of a feature a run walks through: the feature, each scenario, each step. */
export function parseGherkinSteps(script: string): GherkinStep[] {
  const steps: GherkinStep[] = [];
  for (const raw of script.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^Feature:/i.test(line)) steps.push({ kind: 'feature', text: line });
    else if (/^Scenario( Outline)?:/i.test(line) || /^Example:/i.test(line)) steps.push({ kind: 'scenario', text: line });
    else if (/^(Given|When|Then|And|But|\*)\s/i.test(line)) steps.push({ kind: 'step', text: line });
  }
  return steps;
}
