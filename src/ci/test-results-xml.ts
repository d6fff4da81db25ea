// The test-results payload: XML read with fast-xml-parser (no DTDs, so no entity expansion and no
// external entities) and checked against the schema description of test-results-xsd.ts, the one the
// served XSD is generated from. A payload that is not well-formed or breaks the schema is a 400
// naming the line and the reason.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errors } from '../errors/catalog.js';
import { TEST_RESULT, type ElementDef, type Particle, type SimpleType } from './test-results-xsd.js';

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
  feature?: ParsedFeature;
  context: RunContext;
  /** line of the element in the payload, for error messages */
  line: number;
}

export interface ParsedStep {
  name: string;
  /** Cucumber's status as reported (passed, failed, skipped, pending, undefined, ...) */
  status?: string;
  /** milliseconds */
  duration?: number;
  errorMessage?: string;
}

export interface ParsedScenario {
  name: string;
  status?: string;
  outlineIndex?: number;
  steps: ParsedStep[];
}

/** A Gherkin feature run: its file path, the script and the outcome of each scenario and step. */
export interface ParsedFeature {
  name?: string;
  path?: string;
  /** epoch milliseconds */
  started?: number;
  tag?: string;
  script?: string;
  scenarios: ParsedScenario[];
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

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  preserveOrder: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

const STATUSES: Record<string, RunStatus> = { Passed: 'Passed', Failed: 'Failed', Skipped: 'Skipped' };

class SchemaError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** An element of the payload once checked: its attributes, child elements and text, and its line. */
interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
  line: number;
}

/**
 * Lines of the start tags of the payload, in document order (comments, CDATA sections,
 * processing instructions and declarations skipped): the n-th element met walking the parsed
 * tree depth first is the n-th start tag here.
 */
function startTagLines(xml: string): number[] {
  const out: number[] = [];
  let line = 1;
  let at = 0;
  const advance = (to: number) => {
    for (let i = at; i < to; i++) if (xml.charCodeAt(i) === 10) line++;
    at = to;
  };
  for (let i = xml.indexOf('<'); i !== -1; i = xml.indexOf('<', i + 1)) {
    const next = xml.charCodeAt(i + 1);
    if (next === 33 /* ! */) {
      const end = xml.startsWith('<!--', i) ? xml.indexOf('-->', i + 4) : xml.startsWith('<![CDATA[', i) ? xml.indexOf(']]>', i + 9) : xml.indexOf('>', i);
      if (end === -1) break;
      i = end;
    } else if (next === 63 /* ? */) {
      const end = xml.indexOf('?>', i + 2);
      if (end === -1) break;
      i = end;
    } else if (next !== 47 /* / */) {
      advance(i);
      out.push(line);
    }
  }
  return out;
}

function checkSimple(value: string, type: SimpleType, what: string, line: number): void {
  if (type.base === 'nonNegativeInteger' && !/^\s*\+?\d{1,16}\s*$/.test(value)) {
    throw new SchemaError(line, `${what} must be a non-negative whole number, got '${value.slice(0, 40)}'`);
  }
  if (type.minLength !== undefined && value.length < type.minLength) throw new SchemaError(line, `${what} must not be empty`);
  if (type.enumeration && !type.enumeration.includes(value)) {
    throw new SchemaError(line, `${what} must be one of ${type.enumeration.join(', ')}, got '${value.slice(0, 40)}'`);
  }
}

type Ordered = Record<string, unknown>;

interface Kid {
  name: string;
  line: number;
  node?: XNode;
}

const firstsMemo = new WeakMap<Particle, Set<string>>();

/** Element names a particle can start with (whatever its own minOccurs). */
function firsts(p: Particle): Set<string> {
  let known = firstsMemo.get(p);
  if (!known) firstsMemo.set(p, (known = firstsOf(p)));
  return known;
}

function firstsOf(p: Particle): Set<string> {
  if ('element' in p) return new Set([p.element.name]);
  const items = 'sequence' in p ? p.sequence : p.choice;
  const out = new Set<string>();
  for (const item of items) {
    for (const n of firsts(item)) out.add(n);
    if ('sequence' in p && !nullable(item)) break;
  }
  return out;
}

/** Whether a particle may match nothing. */
function nullable(p: Particle): boolean {
  return (p.min ?? 1) === 0 || innerNullable(p);
}

/** Whether one occurrence of a particle may be empty. */
function innerNullable(p: Particle): boolean {
  if ('element' in p) return false;
  return 'sequence' in p ? p.sequence.every(nullable) : p.choice.some(nullable);
}

const names = (set: Set<string>) => [...set].map((n) => `<${n}>`).join(', ');

/** Checks the payload tree against the schema description while turning it into XNodes. */
class Checker {
  private tag = 0;

  constructor(private readonly lines: number[]) {}

  nextLine(): number {
    return this.lines[this.tag++] ?? 1;
  }

  /** One element: its line, attributes, text and content (children checked in document order). */
  element(def: ElementDef, raw: Ordered, line: number): XNode {
    const type = def.type;
    const where = `<${def.name}>`;
    const attrs: Record<string, string> = {};
    const given = (raw[':@'] as Record<string, unknown> | undefined) ?? {};
    const allowed = type.attributes ?? [];
    for (const [k, v] of Object.entries(given)) {
      const a = allowed.find((x) => x.name === k);
      if (!a) throw new SchemaError(line, `attribute '${k}' is not allowed in ${where}`);
      const value = String(v);
      checkSimple(value, a.type, `attribute '${k}' of ${where}`, line);
      attrs[k] = value;
    }
    for (const a of allowed) if (a.required && attrs[a.name] === undefined) throw new SchemaError(line, `${where} needs the attribute '${a.name}'`);
    const node: XNode = { name: def.name, attrs, children: [], text: '', line };
    const kids: Kid[] = [];
    let text = '';
    for (const child of (raw[def.name] as Ordered[]) ?? []) {
      const key = Object.keys(child).find((k) => k !== ':@')!;
      if (key === '#text') {
        text += String(child[key]);
        continue;
      }
      if (key.startsWith('?') || key.startsWith('!')) continue;
      // a child's descendants follow it in document order: it is read before its next sibling
      const kid: Kid = { name: key, line: this.nextLine() };
      const decl = type.content ? findElement(type.content, key) : undefined;
      if (decl) kid.node = this.element(decl, child, kid.line);
      else this.skip(child, key);
      kids.push(kid);
    }
    if (type.text) {
      checkSimple(text, type.text, `the text of ${where}`, line);
      node.text = text;
    } else if (text.trim() !== '') {
      throw new SchemaError(line, `text is not allowed in ${where}`);
    }
    if (type.content) this.content(type.content, kids, where, line);
    else if (kids.length) throw new SchemaError(kids[0].line, `element '${kids[0].name}' is not allowed in ${where}`);
    node.children = kids.map((k) => k.node!);
    return node;
  }

  /** Counts the start tags of an element that is not declared, so later lines stay right. */
  private skip(raw: Ordered, key: string): void {
    for (const child of (raw[key] as Ordered[]) ?? []) {
      const k = Object.keys(child).find((x) => x !== ':@')!;
      if (k === '#text' || k.startsWith('?') || k.startsWith('!')) continue;
      this.tag++;
      this.skip(child, k);
    }
  }

  /** Matches the children against the content model; the first child out of place is the error. */
  private content(model: Particle, kids: Array<{ name: string; line: number }>, where: string, line: number): void {
    let pos = 0;
    const once = (p: Particle): void => {
      if ('element' in p) pos++;
      else if ('sequence' in p) for (const item of p.sequence) match(item);
      else match(p.choice.find((c) => firsts(c).has(kids[pos].name))!);
    };
    const match = (p: Particle): void => {
      const min = p.min ?? 1;
      const max = p.max ?? 1;
      let count = 0;
      while (count < max) {
        const here = kids[pos];
        if (!here || !firsts(p).has(here.name)) break;
        const before = pos;
        once(p);
        count++;
        if (pos === before) break;
      }
      if (count < min && !innerNullable(p)) {
        // a sequence names the element it is missing: the first required one not there
        if ('sequence' in p) return once(p);
        const here = kids[pos];
        if (!here) throw new SchemaError(line, `${where} needs ${'element' in p ? `a <${p.element.name}> element` : `one of ${names(firsts(p))}`}`);
        if (!allNames(model).has(here.name)) throw new SchemaError(here.line, `element '${here.name}' is not allowed in ${where}`);
        throw new SchemaError(here.line, `element '${here.name}' is not allowed here in ${where}: expected ${names(firsts(p))}`);
      }
    };
    match(model);
    if (pos < kids.length) {
      const k = kids[pos];
      throw new SchemaError(k.line, allNames(model).has(k.name) ? `element '${k.name}' is not allowed here in ${where}` : `element '${k.name}' is not allowed in ${where}`);
    }
  }
}

function findElement(p: Particle, name: string): ElementDef | undefined {
  if ('element' in p) return p.element.name === name ? p.element : undefined;
  for (const item of 'sequence' in p ? p.sequence : p.choice) {
    const found = findElement(item, name);
    if (found) return found;
  }
  return undefined;
}

function allNames(p: Particle, out = new Set<string>()): Set<string> {
  if ('element' in p) out.add(p.element.name);
  else for (const item of 'sequence' in p ? p.sequence : p.choice) allNames(item, out);
  return out;
}

// ---- from the checked tree to the parsed payload ----------------------------------------------------

const child = (n: XNode, name: string) => n.children.find((c) => c.name === name);
const childrenNamed = (n: XNode, name: string) => n.children.filter((c) => c.name === name);
const int = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v.trim()));
const optional = (v: string | undefined) => (v === undefined ? undefined : v);

function reference(n: XNode): Reference {
  const ref = { id: n.attrs.id || undefined, name: n.attrs.name || undefined };
  // the schema lets both go; a reference to nothing is refused all the same
  if (!ref.id && !ref.name) throw new SchemaError(n.line, `<${n.name}> needs an id or a name`);
  return ref;
}

function context(n: XNode): RunContext {
  const ctx: RunContext = { productAreas: [], backlogItems: [], environment: [], testFields: [] };
  const release = child(n, 'release') ?? child(n, 'release_ref');
  if (release) ctx.release = reference(release);
  const milestone = child(n, 'milestone') ?? child(n, 'milestone_ref');
  if (milestone) ctx.milestone = reference(milestone);
  const areas = child(n, 'product_areas');
  if (areas) ctx.productAreas = areas.children.map((c) => c.attrs.id);
  const items = child(n, 'backlog_items');
  if (items) ctx.backlogItems = items.children.map((c) => c.attrs.id);
  const env = child(n, 'environment');
  if (env) ctx.environment = env.children.map((c) => (c.name === 'taxonomy' ? { type: c.attrs.type, value: c.attrs.value } : { id: c.attrs.id }));
  const fields = child(n, 'test_fields');
  if (fields) ctx.testFields = fields.children.map((c) => (c.name === 'test_field' ? { type: c.attrs.type, value: c.attrs.value } : { id: c.attrs.id }));
  return ctx;
}

function errorOf(n: XNode): ParsedRun['error'] {
  const e = child(n, 'error');
  return e ? { type: optional(e.attrs.type), message: optional(e.attrs.message), stackTrace: e.text.trim() || undefined } : undefined;
}

function descriptionOf(n: XNode): string | undefined {
  const d = child(n, 'description');
  return d ? d.text.trim() : undefined;
}

function testRun(n: XNode): ParsedRun {
  const a = n.attrs;
  return {
    kind: 'test',
    module: a.module,
    package: a.package,
    className: a.class,
    name: a.name,
    status: STATUSES[a.status],
    duration: int(a.duration),
    started: int(a.started),
    runType: a.run_type,
    externalReportUrl: a.external_report_url,
    externalTestId: a.external_test_id,
    externalRunId: a.external_run_id,
    error: errorOf(n),
    description: descriptionOf(n),
    context: context(n),
    line: n.line,
  };
}

function gherkinRun(n: XNode): ParsedRun {
  const a = n.attrs;
  const f = child(n, 'feature');
  let feature: ParsedFeature | undefined;
  if (f) {
    const scenarios = childrenNamed(child(f, 'scenarios') ?? ({ children: [] } as unknown as XNode), 'scenario').map((s) => ({
      name: s.attrs.name ?? '',
      status: s.attrs.status,
      outlineIndex: int(s.attrs.outlineIndex),
      steps: childrenNamed(child(s, 'steps') ?? ({ children: [] } as unknown as XNode), 'step').map((st) => ({
        name: st.attrs.name ?? '',
        status: st.attrs.status,
        duration: int(st.attrs.duration),
        errorMessage: child(st, 'error_message')?.text.trim() || undefined,
      })),
    }));
    const file = child(f, 'file');
    feature = { name: f.attrs.name, path: f.attrs.path, started: int(f.attrs.started), tag: f.attrs.tag, script: file ? file.text.replace(/^\r?\n/, '') : undefined, scenarios };
  }
  return {
    kind: 'gherkin',
    name: a.name,
    status: STATUSES[a.status],
    duration: int(a.duration),
    started: int(a.started) ?? feature?.started,
    feature,
    error: errorOf(n),
    description: descriptionOf(n),
    context: context(n),
    line: n.line,
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
  let doc: Ordered[];
  try {
    doc = parser.parse(xml) as Ordered[];
  } catch (e) {
    // what the validator lets through and the parser cannot read (an unterminated processing
    // instruction after the root) is as malformed as what the validator refuses
    throw errors.badRequest(`Invalid test results XML: ${(e as Error).message}`);
  }
  try {
    const lines = startTagLines(xml);
    const roots = doc.filter((n) => {
      const k = Object.keys(n).find((x) => x !== ':@')!;
      return !k.startsWith('?') && k !== '#text';
    });
    const rootName = roots.length ? Object.keys(roots[0]).find((x) => x !== ':@')! : '';
    if (roots.length !== 1 || rootName !== TEST_RESULT.name) throw new SchemaError(lines[0] ?? 1, `the root element must be <test_result>, got <${rootName}>`);
    const checker = new Checker(lines);
    const root = checker.element(TEST_RESULT, roots[0], checker.nextLine());
    const b = child(root, 'build');
    const build: BuildContext | undefined = b
      ? { serverId: b.attrs.server_id, jobId: b.attrs.job_id, jobName: b.attrs.job_name, buildId: b.attrs.build_id, buildName: b.attrs.build_name, subType: b.attrs.sub_type }
      : undefined;
    const runs = child(root, 'test_runs')!.children.map((r) => (r.name === 'test_run' ? testRun(r) : gherkinRun(r)));
    return { build, context: context(root), runs };
  } catch (e) {
    if (e instanceof SchemaError) throw errors.badRequest(`Test results do not match the schema at line ${e.line}: ${e.message}`, { line: e.line });
    throw e;
  }
}
