// The test-results payload: XML read with fast-xml-parser (no DTDs, so no entity expansion and no
// external entities) and checked against the schema served at test-results/xsd. A payload that is
// not well-formed or breaks the schema is a 400 naming the line and the reason.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errors } from '../errors/catalog.js';

export interface Reference {
  id?: string;
  name?: string;
}

export interface TypedValue {
  /** by value: a taxonomy category / test field kind and its value */
  type?: string;
  value?: string;
  /** by reference: the id of an existing taxonomy item / list node */
  id?: string;
}

/** Links that apply to every run of the payload, or to one run. */
export interface RunContext {
  release?: Reference;
  milestone?: Reference;
  productAreas: string[];
  backlogItems: string[];
  environment: TypedValue[];
  testFields: TypedValue[];
}

export type RunStatus = 'Passed' | 'Failed' | 'Skipped';

export interface ParsedRun {
  kind: 'test' | 'gherkin';
  module?: string;
  package?: string;
  className?: string;
  name: string;
  status: RunStatus;
  /** milliseconds */
  duration?: number;
  /** epoch milliseconds */
  started?: number;
  runType?: string;
  externalReportUrl?: string;
  externalTestId?: string;
  externalRunId?: string;
  error?: { type?: string; message?: string; stackTrace?: string };
  description?: string;
  /** the Gherkin feature: its path and its scenario / step outcomes */
  feature?: { name?: string; path?: string; script?: string; scenarios: Array<{ name: string; status?: string; steps: Array<{ name: string; status?: string; duration?: number }> }> };
  context: RunContext;
  /** line of the element in the payload, for error messages */
  line: number;
}

export interface BuildContext {
  serverId?: string;
  jobId?: string;
  jobName?: string;
  buildId?: string;
  buildName?: string;
  subType?: string;
}

export interface ParsedTestResult {
  build?: BuildContext;
  context: RunContext;
  runs: ParsedRun[];
}

const ARRAYS = new Set([
  'test_run',
  'gherkin_test_run',
  'product_area_ref',
  'backlog_item_ref',
  'taxonomy',
  'taxonomy_ref',
  'test_field',
  'test_field_ref',
  'scenario',
  'step',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => ARRAYS.has(name),
});

const TEST_FIELD_TYPES = ['test_level', 'test_type', 'testing_tool_type', 'framework'];
const STATUSES: Record<string, RunStatus> = { passed: 'Passed', failed: 'Failed', skipped: 'Skipped' };

type Node = Record<string, unknown>;

class SchemaError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Line numbers of the n-th occurrences of an element, found in the raw text. */
class Lines {
  private readonly starts: number[] = [0];
  private readonly seen = new Map<string, number>();

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  private lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line of the first occurrence of `<tag` at or after line `from`. */
  first(tag: string, from: number): number {
    const re = new RegExp(`<${tag}[\\s/>]`, 'g');
    re.lastIndex = this.starts[Math.max(0, from - 1)] ?? 0;
    const m = re.exec(this.text);
    return m ? this.lineAt(m.index) : from;
  }

  /** Line of the next not yet reported occurrence of `<tag`. */
  next(tag: string): number {
    const re = new RegExp(`<${tag}[\\s/>]`, 'g');
    re.lastIndex = this.seen.get(tag) ?? 0;
    const m = re.exec(this.text);
    if (!m) return 1;
    this.seen.set(tag, m.index + 1);
    return this.lineAt(m.index);
  }
}

function attr(node: Node, name: string): string | undefined {
  const v = node[`@${name}`];
  return v === undefined || v === null ? undefined : String(v);
}

function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  if (typeof node === 'object') {
    const t = (node as Node)['#text'];
    return t === undefined ? undefined : String(t);
  }
  return String(node);
}

/** Refuses attributes and elements the schema does not have; an element is reported at its own line. */
function onlyKeys(node: Node, allowed: string[], where: string, line: number, lines?: Lines): void {
  for (const key of Object.keys(node)) {
    const name = key.startsWith('@') ? key.slice(1) : key;
    if (key === '#text') continue;
    if (!allowed.includes(key)) {
      const at = !key.startsWith('@') && lines ? lines.first(name, line) : line;
      throw new SchemaError(at, `${key.startsWith('@') ? 'attribute' : 'element'} '${name}' is not allowed in <${where}>`);
    }
  }
}

function integerAttr(node: Node, name: string, where: string, line: number): number | undefined {
  const raw = attr(node, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw.trim())) throw new SchemaError(line, `attribute '${name}' of <${where}> must be a non-negative whole number, got '${raw.slice(0, 40)}'`);
  return Number(raw);
}

function asNode(v: unknown): Node {
  return v && typeof v === 'object' ? (v as Node) : {};
}

function reference(node: unknown, where: string, line: number): Reference {
  const n = asNode(node);
  onlyKeys(n, ['@id', '@name'], where, line);
  const ref = { id: attr(n, 'id'), name: attr(n, 'name') ?? (typeof node === 'string' && node ? node : undefined) };
  if (!ref.id && !ref.name) throw new SchemaError(line, `<${where}> needs an id or a name`);
  return ref;
}

function idList(node: unknown, child: string, where: string, lines: Lines): string[] {
  const n = asNode(node);
  onlyKeys(n, [child], where, lines.next(where), lines);
  return ((n[child] as unknown[]) ?? []).map((c) => {
    const line = lines.next(child);
    const cn = asNode(c);
    onlyKeys(cn, ['@id'], child, line);
    const id = attr(cn, 'id');
    if (!id) throw new SchemaError(line, `<${child}> needs an id`);
    return id;
  });
}

function typedValues(node: unknown, byValue: string, byRef: string, where: string, lines: Lines, validTypes?: string[]): TypedValue[] {
  const n = asNode(node);
  onlyKeys(n, [byValue, byRef], where, lines.next(where), lines);
  const out: TypedValue[] = [];
  for (const c of (n[byValue] as unknown[]) ?? []) {
    const line = lines.next(byValue);
    const cn = asNode(c);
    onlyKeys(cn, ['@type', '@value'], byValue, line);
    const type = attr(cn, 'type');
    const value = attr(cn, 'value');
    if (!type || value === undefined) throw new SchemaError(line, `<${byValue}> needs a type and a value`);
    if (validTypes && !validTypes.includes(type.toLowerCase())) {
      throw new SchemaError(line, `test field type '${type}' is not one of Test_Level, Test_Type, Testing_Tool_Type, Framework`);
    }
    out.push({ type, value });
  }
  for (const c of (n[byRef] as unknown[]) ?? []) {
    const line = lines.next(byRef);
    const cn = asNode(c);
    onlyKeys(cn, ['@id'], byRef, line);
    const id = attr(cn, 'id');
    if (!id) throw new SchemaError(line, `<${byRef}> needs an id`);
    out.push({ id });
  }
  return out;
}

const CONTEXT_ELEMENTS = ['release', 'release_ref', 'milestone', 'milestone_ref', 'product_areas', 'backlog_items', 'environment', 'test_fields'];

function context(node: Node, lines: Lines): RunContext {
  const ctx: RunContext = { productAreas: [], backlogItems: [], environment: [], testFields: [] };
  const release = node.release ?? node.release_ref;
  if (release !== undefined) ctx.release = reference(release, node.release !== undefined ? 'release' : 'release_ref', lines.next(node.release !== undefined ? 'release' : 'release_ref'));
  const milestone = node.milestone ?? node.milestone_ref;
  if (milestone !== undefined) ctx.milestone = reference(milestone, node.milestone !== undefined ? 'milestone' : 'milestone_ref', lines.next(node.milestone !== undefined ? 'milestone' : 'milestone_ref'));
  if (node.product_areas !== undefined) ctx.productAreas = idList(node.product_areas, 'product_area_ref', 'product_areas', lines);
  if (node.backlog_items !== undefined) ctx.backlogItems = idList(node.backlog_items, 'backlog_item_ref', 'backlog_items', lines);
  if (node.environment !== undefined) ctx.environment = typedValues(node.environment, 'taxonomy', 'taxonomy_ref', 'environment', lines);
  if (node.test_fields !== undefined) ctx.testFields = typedValues(node.test_fields, 'test_field', 'test_field_ref', 'test_fields', lines, TEST_FIELD_TYPES);
  return ctx;
}

function status(node: Node, where: string, line: number): RunStatus {
  const raw = attr(node, 'status');
  const s = raw ? STATUSES[raw.toLowerCase()] : undefined;
  if (!s) throw new SchemaError(line, `attribute 'status' of <${where}> must be Passed, Failed or Skipped${raw ? `, got '${raw.slice(0, 40)}'` : ''}`);
  return s;
}

function testRun(node: unknown, lines: Lines): ParsedRun {
  const line = lines.next('test_run');
  const n = asNode(node);
  onlyKeys(n, ['@module', '@package', '@class', '@name', '@status', '@duration', '@started', '@run_type', '@external_report_url', '@external_test_id', '@external_run_id', 'error', 'description', ...CONTEXT_ELEMENTS], 'test_run', line, lines);
  const name = attr(n, 'name');
  if (!name) throw new SchemaError(line, "<test_run> needs a non-empty 'name'");
  let error: ParsedRun['error'];
  if (n.error !== undefined) {
    const en = asNode(n.error);
    onlyKeys(en, ['@type', '@message'], 'error', lines.next('error'));
    error = { type: attr(en, 'type'), message: attr(en, 'message'), stackTrace: text(n.error) };
  }
  return {
    kind: 'test',
    module: attr(n, 'module'),
    package: attr(n, 'package'),
    className: attr(n, 'class'),
    name,
    status: status(n, 'test_run', line),
    duration: integerAttr(n, 'duration', 'test_run', line),
    started: integerAttr(n, 'started', 'test_run', line),
    runType: attr(n, 'run_type'),
    externalReportUrl: attr(n, 'external_report_url'),
    externalTestId: attr(n, 'external_test_id'),
    externalRunId: attr(n, 'external_run_id'),
    error,
    description: text(n.description),
    context: context(n, lines),
    line,
  };
}

/** The Gherkin variant: a run of a feature file with its scenarios and steps. */
function gherkinRun(node: unknown, lines: Lines): ParsedRun {
  const line = lines.next('gherkin_test_run');
  const n = asNode(node);
  onlyKeys(n, ['@name', '@status', '@duration', '@started', 'feature', 'error', 'description', ...CONTEXT_ELEMENTS], 'gherkin_test_run', line, lines);
  const name = attr(n, 'name');
  if (!name) throw new SchemaError(line, "<gherkin_test_run> needs a non-empty 'name'");
  const f = asNode(n.feature);
  const scenarios = ((asNode(f.scenarios).scenario as unknown[]) ?? []).map((s) => {
    const sn = asNode(s);
    return {
      name: attr(sn, 'name') ?? '',
      status: attr(sn, 'status'),
      steps: ((asNode(sn.steps).step as unknown[]) ?? []).map((st) => {
        const stn = asNode(st);
        return { name: attr(stn, 'name') ?? '', status: attr(stn, 'status'), duration: integerAttr(stn, 'duration', 'step', line) };
      }),
    };
  });
  let error: ParsedRun['error'];
  if (n.error !== undefined) {
    const en = asNode(n.error);
    error = { type: attr(en, 'type'), message: attr(en, 'message'), stackTrace: text(n.error) };
  }
  return {
    kind: 'gherkin',
    name,
    status: status(n, 'gherkin_test_run', line),
    duration: integerAttr(n, 'duration', 'gherkin_test_run', line),
    started: integerAttr(n, 'started', 'gherkin_test_run', line),
    feature: n.feature === undefined ? undefined : { name: attr(f, 'name'), path: attr(f, 'path'), script: text(f.file), scenarios },
    error,
    description: text(n.description),
    context: context(n, lines),
    line,
  };
}

/** Parses and checks a test-results payload; a 400 names the line and the reason. */
export function parseTestResults(xml: string): ParsedTestResult {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    const line = xml.slice(0, xml.search(/<!(DOCTYPE|ENTITY)/i)).split('\n').length;
    throw errors.badRequest(`Invalid test results at line ${line}: DTDs and entity declarations are not allowed`, { line });
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw errors.badRequest(`Invalid test results XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, { line: valid.err.line, column: valid.err.col });
  }
  const lines = new Lines(xml);
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    // what the validator lets through and the parser cannot read (an unterminated processing
    // instruction after the root) is as malformed as what the validator refuses
    throw errors.badRequest(`Invalid test results XML: ${(e as Error).message}`);
  }
  try {
    const roots = Object.keys(doc).filter((k) => !k.startsWith('?'));
    if (roots.length !== 1 || roots[0] !== 'test_result') {
      throw new SchemaError(lines.next(roots[0] ?? 'x'), `the root element must be <test_result>, got <${roots[0] ?? ''}>`);
    }
    const root = asNode(doc.test_result);
    onlyKeys(root, ['build', 'test_runs', ...CONTEXT_ELEMENTS], 'test_result', lines.next('test_result'), lines);
    if (root.test_runs === undefined) throw new SchemaError(lines.next('test_result'), '<test_result> needs a <test_runs> element');
    let build: BuildContext | undefined;
    if (root.build !== undefined) {
      const line = lines.next('build');
      const b = asNode(root.build);
      onlyKeys(b, ['@server_id', '@job_id', '@job_name', '@build_id', '@build_name', '@sub_type'], 'build', line);
      build = { serverId: attr(b, 'server_id'), jobId: attr(b, 'job_id'), jobName: attr(b, 'job_name'), buildId: attr(b, 'build_id'), buildName: attr(b, 'build_name'), subType: attr(b, 'sub_type') };
    }
    const ctx = context(root, lines);
    const runsNode = asNode(root.test_runs);
    onlyKeys(runsNode, ['test_run', 'gherkin_test_run'], 'test_runs', lines.next('test_runs'), lines);
    const runs = [
      ...((runsNode.test_run as unknown[]) ?? []).map((r) => testRun(r, lines)),
      ...((runsNode.gherkin_test_run as unknown[]) ?? []).map((r) => gherkinRun(r, lines)),
    ];
    return { build, context: ctx, runs };
  } catch (e) {
    if (e instanceof SchemaError) throw errors.badRequest(`Test results do not match the schema at line ${e.line}: ${e.message}`, { line: e.line });
    throw e;
  }
}
