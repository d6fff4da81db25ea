// `npm run coverage:octane`: the acceptance coverage of issue 11, from test results, never by hand.
//
// Runs vitest with its JSON reporter over the acceptance folders (test/clients, test/raw,
// test/parity, test/flows) — or reads a results file given with `--results <file>` — and writes
// docs/coverage.md:
//   - every public resource of seed 000 (and the metadata and singleton resources it names) ×
//     method (GET/POST/PUT/DELETE, as the resource table allows) × query feature (filter,
//     cross-filter, order_by, fields, paging, groups, text_search);
//   - every flow of seed 004.
// A cell is ✅ when at least one *passing* test claims it in its title with the tags of
// test/helpers/seeds.ts `tag()`: `[resource:defects][method:GET,POST]`, `[query:cross-filter]`,
// `[refused:DELETE]` (a disallowed method answered 405). A title may hold several groups; each
// `[resource:…]` starts one. A flow is ✅ when its file test/flows/NN-*.test.ts exists, its
// top-level describe is the seed's wording, and all its tests passed. Not applicable cells (a
// method the resource table does not allow, a feature without a field to apply to) are derived
// from the resource table and shown as "—".
//
// Usage: npm run coverage:octane [-- --results results.json] [-- --out docs/coverage.md]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allDescriptors } from '../src/resources/defs/index.js';
import { isStoredColumn, isSubtypeField, Registry, type ResolvedEntity } from '../src/resources/registry.js';
import type { FieldDescriptor } from '../src/resources/types.js';
import { QUERY_FEATURES, SEED_000_RESOURCES, SEED_000_SPECIAL, SEED_004_FLOWS, type QueryFeature } from '../test/helpers/seeds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['test/clients', 'test/raw', 'test/parity', 'test/flows'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  fullName?: string;
  status: string;
}
interface FileResult {
  name: string;
  status?: string;
  assertionResults: AssertionResult[];
}
interface Results {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: FileResult[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runVitest(): Results {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'octane-coverage-')), 'results.json');
  console.log(`running: npx vitest run --reporter=json --outputFile=${out} ${FOLDERS.join(' ')}`);
  const r = spawnSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${out}`, ...FOLDERS], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!fs.existsSync(out)) throw new Error(`vitest wrote no results (exit ${r.status})`);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as Results;
}

// ---- tags ---------------------------------------------------------------------------------------------

interface Claim {
  resources: string[];
  methods: string[];
  refused: string[];
  queries: string[];
}

/** The tag groups of a test title: each `[resource:…]` starts a group. */
export function claimsOf(title: string): Claim[] {
  const claims: Claim[] = [];
  for (const m of title.matchAll(/\[(resource|method|refused|query):([^\]]+)\]/g)) {
    const values = m[2].split(',').map((v) => v.trim()).filter(Boolean);
    if (m[1] === 'resource') {
      claims.push({ resources: values, methods: [], refused: [], queries: [] });
      continue;
    }
    const last = claims[claims.length - 1];
    if (!last) continue;
    if (m[1] === 'method') last.methods.push(...values);
    else if (m[1] === 'refused') last.refused.push(...values);
    else last.queries.push(...values);
  }
  return claims;
}

interface Test {
  file: string;
  folder: string;
  name: string;
  passed: boolean;
  claims: Claim[];
  topDescribe?: string;
}

function testsOf(results: Results): Test[] {
  const tests: Test[] = [];
  for (const f of results.testResults) {
    const file = path.relative(ROOT, f.name).split(path.sep).join('/');
    const folder = FOLDERS.find((d) => file.startsWith(`${d}/`)) ?? path.dirname(file);
    for (const a of f.assertionResults) {
      const name = [...a.ancestorTitles, a.title].join(' > ');
      tests.push({ file, folder, name, passed: a.status === 'passed', claims: claimsOf(name), topDescribe: a.ancestorTitles[0] });
    }
    // a file that failed to load has no assertions: count it as one failed test
    if (!f.assertionResults.length && f.status === 'failed') tests.push({ file, folder, name: '(the file failed to run)', passed: false, claims: [] });
  }
  return tests;
}

// ---- applicability from the resource table -----------------------------------------------------------

const registry = new Registry(allDescriptors);

function entityOf(name: string, level: 'workspace' | 'space'): ResolvedEntity {
  const e = registry.collection(level, name);
  if (!e) throw new Error(`the resource table has no ${level} collection '${name}'`);
  return e;
}

function applicable(e: ResolvedEntity, feature: QueryFeature): boolean {
  const fields: FieldDescriptor[] = [...e.fieldMap.values()];
  switch (feature) {
    case 'cross-filter':
      // a single stored reference, or a multi-reference, that query= accepts (as test/raw/resource-queries.test.ts picks them)
      return fields.some((f) => f.type === 'reference' && f.filterable && f.name !== 'subtype' && (f.multiple ? !f.writeOnly : isStoredColumn(f)));
    case 'groups':
      return fields.some((f) => f.groupable && (isSubtypeField(f) || (isStoredColumn(f) && !['memo', 'object'].includes(f.type))));
    case 'text_search':
      return ['name', 'description'].some((c) => registry.store(e.store).columns.has(c) && e.fieldMap.has(c));
    default:
      return true;
  }
}

// ---- the document ------------------------------------------------------------------------------------

const OK = '✅';
const NO = '❌';
const NA = '—';

function render(results: Results): string {
  const tests = testsOf(results);
  const passing = tests.filter((t) => t.passed);
  const claimed = (pred: (c: Claim) => boolean, among = passing) => among.filter((t) => t.claims.some(pred));
  const has = (resource: string, key: 'methods' | 'refused' | 'queries', value: string, among = passing) => claimed((c) => c.resources.includes(resource) && c[key].includes(value), among).length;
  const touched = (resource: string, folder: string) => passing.some((t) => t.folder === folder && t.claims.some((c) => c.resources.includes(resource)));

  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(
    '# Acceptance coverage (issue 11)',
    '',
    'Generated by `npm run coverage:octane` (scripts/coverage-octane.ts) from the results of',
    `\`vitest run ${FOLDERS.join(' ')}\`. Do not edit by hand: every mark comes from the names of the`,
    'tests that passed. A test claims cells with tags in its title (`[resource:defects][method:POST]`,',
    '`[query:cross-filter]`, `[refused:DELETE]` for a method answered 405); see test/helpers/seeds.ts.',
    '',
    `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numTotalTests} in all.`,
    '',
    `${OK} a passing test covers it (the number of such tests in brackets) · ${NO} no passing test covers it ·`,
    `${NA} not applicable (a method the resource table does not allow, a query feature the resource has no field for) ·`,
    '`405 ✅` a disallowed method shown to be refused with Octane\'s 405.',
    'SDK: touched by the official JS SDK (test/clients). Raw: touched by the raw HTTP client (test/raw).',
    '',
    '## Resources of seed 000 × methods × query features',
    '',
    `| Resource | ${METHODS.join(' | ')} | ${QUERY_FEATURES.join(' | ')} | SDK | Raw | Row |`,
    `|---|${METHODS.map(() => ':-:').join('|')}|${QUERY_FEATURES.map(() => ':-:').join('|')}|:-:|:-:|:-:|`,
  );
  let greenRows = 0;
  const rows = [...SEED_000_RESOURCES.map((r) => ({ name: r.name, level: r.level as 'workspace' | 'space', special: undefined as undefined | readonly string[] })), ...SEED_000_SPECIAL.map((s) => ({ name: s.name, level: 'workspace' as const, special: s.methods }))];
  for (const r of rows) {
    const cells: string[] = [];
    let green = true;
    const e = r.special ? undefined : entityOf(r.name, r.level);
    const allowed = new Set<string>(e ? [...e.methods.collection, ...e.methods.instance] : r.special);
    for (const m of METHODS) {
      if (allowed.has(m)) {
        const n = has(r.name, 'methods', m);
        cells.push(n ? `${OK} (${n})` : NO);
        if (!n) green = false;
      } else {
        const n = has(r.name, 'refused', m);
        cells.push(n ? `405 ${OK}` : NA);
      }
    }
    for (const q of QUERY_FEATURES) {
      if (!e || !applicable(e, q)) {
        cells.push(NA);
        continue;
      }
      const n = has(r.name, 'queries', q);
      cells.push(n ? `${OK} (${n})` : NO);
      if (!n) green = false;
    }
    const sdk = touched(r.name, 'test/clients');
    const raw = touched(r.name, 'test/raw');
    if (!sdk) green = false;
    cells.push(sdk ? OK : NO, raw ? OK : NA);
    if (green) greenRows++;
    const label = r.level === 'space' ? `\`${r.name}\` (shared space)` : `\`${r.name}\``;
    push(`| ${label} | ${cells.join(' | ')} | ${green ? OK : NO} |`);
  }
  push('', `${greenRows} of ${rows.length} rows green.`, '');

  // flows
  push('## Flows of seed 004', '', '| # | Flow | Test file | Tests | Status |', '|--:|---|---|--:|:-:|');
  let greenFlows = 0;
  SEED_004_FLOWS.forEach((flow, i) => {
    const nn = String(i + 1).padStart(2, '0');
    const inFile = tests.filter((t) => t.file.startsWith(`test/flows/${nn}-`));
    const file = inFile[0]?.file;
    const named = inFile.length > 0 && inFile.every((t) => t.topDescribe === flow);
    const passed = inFile.filter((t) => t.passed).length;
    const ok = inFile.length > 0 && named && passed === inFile.length;
    if (ok) greenFlows++;
    const status = ok ? OK : `${NO}${inFile.length && !named ? ' (describe is not the seed\'s wording)' : ''}`;
    push(`| ${i + 1} | ${flow} | ${file ? `\`${file}\`` : NA} | ${passed}/${inFile.length} | ${status} |`);
  });
  push('', `${greenFlows} of ${SEED_004_FLOWS.length} flows green.`, '');

  // per folder, and the failures
  push('## Test files', '', '| Folder | Files | Tests | Passed | Failed |', '|---|--:|--:|--:|--:|');
  for (const folder of FOLDERS) {
    const ts = tests.filter((t) => t.folder === folder);
    push(`| \`${folder}\` | ${new Set(ts.map((t) => t.file)).size} | ${ts.length} | ${ts.filter((t) => t.passed).length} | ${ts.filter((t) => !t.passed).length} |`);
  }
  const failed = tests.filter((t) => !t.passed);
  push('', '## Failing tests', '');
  if (!failed.length) push('None.');
  else {
    push('Each is kept on purpose: it shows a behaviour the emulator does not have yet (see the test\'s comment).', '');
    for (const t of failed) push(`- \`${t.file}\`: ${t.name.replace(/\|/g, '\\|')}`);
  }
  push('');
  return lines.join('\n');
}

const resultsFile = arg('results');
const results = resultsFile ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results) : runVitest();
const outFile = path.resolve(ROOT, arg('out') ?? 'docs/coverage.md');
fs.writeFileSync(outFile, render(results));
console.log(`wrote ${path.relative(ROOT, outFile)} (${results.numPassedTests} passed, ${results.numFailedTests} failed)`);
