// The schema of the test-results payload, as data. One description serves twice: the XSD text
// served at GET .../test-results/xsd is generated from it, and parseTestResults
// (test-results-xml.ts) checks payloads against the same description, so what the XSD allows is
// accepted and what it forbids is a 400.

/** A simple type of attribute values and text: a built-in XSD type, maybe restricted. */
export interface SimpleType {
  /** named types are declared once at the top of the XSD */
  name?: string;
  base: 'string' | 'nonNegativeInteger';
  enumeration?: readonly string[];
  minLength?: number;
}

export interface AttributeDef {
  name: string;
  type: SimpleType;
  required?: boolean;
  /** an XSD comment above the declaration */
  note?: string;
}

export interface ComplexType {
  /** named types are declared once at the top level and referred to by name */
  name?: string;
  /** child elements, in order */
  content?: Particle;
  attributes?: readonly AttributeDef[];
  /** text content of this simple type (simpleContent); without it only whitespace may appear */
  text?: SimpleType;
  note?: string;
}

export interface ElementDef {
  name: string;
  type: ComplexType;
}

/** A particle of a content model: an element, a sequence or a choice, each with its occurrences. */
export type Particle =
  | { element: ElementDef; min?: number; max?: number }
  | { sequence: readonly Particle[]; min?: number; max?: number; group?: string; note?: string }
  | { choice: readonly Particle[]; min?: number; max?: number };

export const UNBOUNDED = Number.POSITIVE_INFINITY;

// ---- types ---------------------------------------------------------------------------------------

const STRING: SimpleType = { base: 'string' };
const COUNT: SimpleType = { base: 'nonNegativeInteger' };
const NON_EMPTY: SimpleType = { name: 'nonEmptyString', base: 'string', minLength: 1 };
const STATUS: SimpleType = { name: 'statusType', base: 'string', enumeration: ['Passed', 'Failed', 'Skipped'] };
const TEST_FIELD_TYPE: SimpleType = { name: 'testFieldKind', base: 'string', enumeration: ['Test_Level', 'Test_Type', 'Testing_Tool_Type', 'Framework'] };

const attr = (name: string, type: SimpleType = STRING, more: Partial<AttributeDef> = {}): AttributeDef => ({ name, type, ...more });
const el = (name: string, type: ComplexType, min = 1, max = 1): Particle => ({ element: { name, type }, min, max });
const TEXT: ComplexType = { text: STRING };

const BUILD: ComplexType = {
  name: 'buildType',
  note: 'the CI build the runs belong to: CI server instance id, job, build; sub_type is the job kind the CI reports',
  attributes: ['server_id', 'job_id', 'job_name', 'build_id', 'build_name', 'sub_type'].map((n) => attr(n)),
};

const REF: ComplexType = { name: 'refType', note: 'a release or milestone by id, or by name', attributes: [attr('id'), attr('name')] };
const ID_REF: ComplexType = { name: 'idRefType', attributes: [attr('id', STRING, { required: true })] };
const TYPED_VALUE: ComplexType = {
  name: 'typedValueType',
  note: 'an environment value: type is the category (OS, Browser, DB, ...), value the item',
  attributes: [attr('type', STRING, { required: true }), attr('value', STRING, { required: true })],
};
const TEST_FIELD: ComplexType = { name: 'testFieldType', attributes: [attr('type', TEST_FIELD_TYPE, { required: true }), attr('value', STRING, { required: true })] };

const CONTEXT: Particle = {
  sequence: [
    { choice: [el('release', REF), el('release_ref', REF)], min: 0 },
    { choice: [el('milestone', REF), el('milestone_ref', REF)], min: 0 },
    el('product_areas', { content: el('product_area_ref', ID_REF, 1, UNBOUNDED) }, 0),
    el('backlog_items', { content: el('backlog_item_ref', ID_REF, 1, UNBOUNDED) }, 0),
    el('environment', { content: { choice: [el('taxonomy', TYPED_VALUE), el('taxonomy_ref', ID_REF)], max: UNBOUNDED } }, 0),
    el('test_fields', { content: { choice: [el('test_field', TEST_FIELD), el('test_field_ref', ID_REF)], max: UNBOUNDED } }, 0),
  ],
  group: 'contextGroup',
  note: 'links of the runs: for all runs of the payload, or per run inside test_run',
};

const ERROR: ComplexType = { name: 'errorType', text: STRING, attributes: [attr('type'), attr('message')], note: 'the text is the stack trace' };

const TEST_RUN: ComplexType = {
  name: 'testRunType',
  content: { sequence: [el('error', ERROR, 0), el('description', TEXT, 0), CONTEXT] },
  attributes: [
    attr('module', STRING, { note: 'an automated test is identified by module + package + class + name' }),
    attr('package'),
    attr('class'),
    attr('name', NON_EMPTY, { required: true }),
    attr('status', STATUS, { required: true }),
    attr('duration', COUNT, { note: 'milliseconds' }),
    attr('started', COUNT, { note: 'epoch milliseconds' }),
    attr('run_type'),
    attr('external_report_url'),
    attr('external_test_id'),
    attr('external_run_id'),
  ],
};

// Gherkin results, as the CI plugins' Cucumber formatters write them: the feature file with its
// scenarios and their steps, each step with its outcome (Cucumber's lower-case statuses)
const STEP: ComplexType = {
  content: el('error_message', TEXT, 0),
  attributes: [attr('name'), attr('status'), attr('duration', COUNT, { note: 'milliseconds' })],
};
const SCENARIO: ComplexType = {
  content: el('steps', { content: el('step', STEP, 1, UNBOUNDED) }, 0),
  attributes: [attr('name'), attr('status'), attr('outlineIndex', COUNT, { note: 'the example row of a scenario outline' })],
};
const FEATURE: ComplexType = {
  content: { sequence: [el('file', TEXT, 0), el('scenarios', { content: el('scenario', SCENARIO, 1, UNBOUNDED) }, 0)] },
  attributes: [
    attr('name'),
    attr('path', STRING, { note: 'the feature file path: it identifies the Gherkin test' }),
    attr('started', COUNT, { note: 'epoch milliseconds' }),
    attr('tag', STRING, { note: 'the test id tag (@TID<id>REV<version>) names the Gherkin test it runs' }),
  ],
};
const GHERKIN_TEST_RUN: ComplexType = {
  name: 'gherkinTestRunType',
  content: { sequence: [el('feature', FEATURE, 0), el('error', ERROR, 0), el('description', TEXT, 0), CONTEXT] },
  attributes: [attr('name', NON_EMPTY, { required: true }), attr('status', STATUS, { required: true }), attr('duration', COUNT), attr('started', COUNT)],
};

const TEST_RUNS: ComplexType = {
  name: 'testRunsType',
  content: { choice: [el('test_run', TEST_RUN), el('gherkin_test_run', GHERKIN_TEST_RUN)], min: 0, max: UNBOUNDED },
};

/** The root element of a payload. */
export const TEST_RESULT: ElementDef = {
  name: 'test_result',
  type: { content: { sequence: [el('build', BUILD, 0), CONTEXT, el('test_runs', TEST_RUNS)] } },
};

// ---- the XSD text --------------------------------------------------------------------------------

function occurs(min = 1, max = 1): string {
  return `${min !== 1 ? ` minOccurs="${min}"` : ''}${max !== 1 ? ` maxOccurs="${max === UNBOUNDED ? 'unbounded' : max}"` : ''}`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/--/g, '- -');

class XsdWriter {
  private readonly named: string[] = [];
  private readonly done = new Set<string>();

  private simpleBody(t: SimpleType, pad: string): string {
    const facets = [
      ...(t.minLength !== undefined ? [`${pad}  <xs:minLength value="${t.minLength}"/>`] : []),
      ...(t.enumeration ?? []).map((v) => `${pad}  <xs:enumeration value="${esc(v)}"/>`),
    ];
    return `${pad}<xs:restriction base="xs:${t.base}">\n${facets.join('\n')}\n${pad}</xs:restriction>`;
  }

  /** `type="…"` for a named or built-in type; undefined when it must be declared inline */
  private simpleRef(t: SimpleType): string | undefined {
    if (t.name) {
      if (!this.done.has(t.name)) {
        this.done.add(t.name);
        this.named.push(`  <xs:simpleType name="${t.name}">\n${this.simpleBody(t, '    ')}\n  </xs:simpleType>`);
      }
      return t.name;
    }
    return t.enumeration || t.minLength !== undefined ? undefined : `xs:${t.base}`;
  }

  private attribute(a: AttributeDef, pad: string): string {
    const note = a.note ? `${pad}<!-- ${esc(a.note)} -->\n` : '';
    const use = a.required ? ' use="required"' : '';
    const ref = this.simpleRef(a.type);
    if (ref) return `${note}${pad}<xs:attribute name="${a.name}" type="${ref}"${use}/>`;
    return `${note}${pad}<xs:attribute name="${a.name}"${use}>\n${pad}  <xs:simpleType>\n${this.simpleBody(a.type, `${pad}    `)}\n${pad}  </xs:simpleType>\n${pad}</xs:attribute>`;
  }

  private particle(p: Particle, pad: string): string {
    if ('element' in p) {
      const { name, type } = p.element;
      const o = occurs(p.min, p.max);
      if (type === TEXT) return `${pad}<xs:element name="${name}" type="xs:string"${o}/>`;
      if (type.name) return `${pad}<xs:element name="${name}" type="${this.complexRef(type)}"${o}/>`;
      return `${pad}<xs:element name="${name}"${o}>\n${this.complexBody(type, `${pad}  `, true)}\n${pad}</xs:element>`;
    }
    if ('sequence' in p && p.group) {
      if (!this.done.has(p.group)) {
        this.done.add(p.group);
        const note = p.note ? `  <!-- ${esc(p.note)} -->\n` : '';
        this.named.push(`${note}  <xs:group name="${p.group}">\n    <xs:sequence>\n${p.sequence.map((c) => this.particle(c, '      ')).join('\n')}\n    </xs:sequence>\n  </xs:group>`);
      }
      return `${pad}<xs:group ref="${p.group}"${occurs(p.min, p.max)}/>`;
    }
    const [tag, items] = 'sequence' in p ? ['sequence', p.sequence] : ['choice', p.choice];
    return `${pad}<xs:${tag}${occurs(p.min, p.max)}>\n${items.map((c) => this.particle(c, `${pad}  `)).join('\n')}\n${pad}</xs:${tag}>`;
  }

  private complexRef(t: ComplexType): string {
    const name = t.name!;
    if (!this.done.has(name)) {
      this.done.add(name);
      const at = this.named.length;
      const body = this.complexBody({ ...t, name: undefined }, '  ', false, name);
      this.named.splice(at, 0, body);
    }
    return name;
  }

  /** The complexType element of `t` (anonymous when inline) */
  private complexBody(t: ComplexType, pad: string, inline: boolean, name?: string): string {
    const open = inline ? `${pad}<xs:complexType>` : `${t.note ? `${pad}<!-- ${esc(t.note)} -->\n` : ''}${pad}<xs:complexType name="${name}">`;
    const attrs = (t.attributes ?? []).map((a) => this.attribute(a, `${pad}    `));
    if (t.text) {
      const base = this.simpleRef(t.text) ?? 'xs:string';
      return `${open}\n${pad}  <xs:simpleContent>\n${pad}    <xs:extension base="${base}">\n${attrs.map((a) => `  ${a.replace(/\n/g, '\n  ')}`).join('\n')}\n${pad}    </xs:extension>\n${pad}  </xs:simpleContent>\n${pad}</xs:complexType>`;
    }
    const content = t.content ? this.particle('element' in t.content ? { sequence: [t.content] } : t.content, `${pad}  `) : '';
    const attrLines = (t.attributes ?? []).map((a) => this.attribute(a, `${pad}  `));
    return [open, ...(content ? [content] : []), ...attrLines, `${pad}</xs:complexType>`].join('\n');
  }

  write(root: ElementDef): string {
    const rootText = `  <xs:element name="${root.name}">\n${this.complexBody(root.type, '    ', true)}\n  </xs:element>`;
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!-- Test results payload accepted by octane-emulator at POST .../test-results -->',
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">',
      '',
      rootText,
      '',
      this.named.join('\n\n'),
      '</xs:schema>',
      '',
    ].join('\n');
  }
}

export const TEST_RESULTS_XSD = new XsdWriter().write(TEST_RESULT);
