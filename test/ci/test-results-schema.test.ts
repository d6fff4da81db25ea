// The test-results payload is checked against the same schema description the served XSD is
// generated from (src/ci/test-results-xsd.ts). Element by element: a payload using every element
// and attribute the schema declares is accepted; an undeclared attribute, an undeclared child,
// a child out of its place, a missing required attribute or element, a value outside its type and
// text where none is allowed are each a 400 naming the line and the reason.

import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseTestResults } from '../../src/ci/test-results-xml.js';
import { TEST_RESULT, TEST_RESULTS_XSD, type ElementDef, type Particle } from '../../src/ci/test-results-xsd.js';
import { OctaneError } from '../../src/errors/octane-error.js';

/** Every element of the payload and every attribute, on a line of its own. */
const FULL = `<?xml version="1.0" encoding="UTF-8"?>
<test_result>
  <build server_id="srv" job_id="job" job_name="Job" build_id="7" build_name="#7" sub_type="multibranch"/>
  <release id="1001" name="R0"/>
  <milestone id="6000" name="M1"/>
  <product_areas>
    <product_area_ref id="2001"/>
  </product_areas>
  <backlog_items>
    <backlog_item_ref id="3001"/>
  </backlog_items>
  <environment>
    <taxonomy type="OS" value="Linux"/>
    <taxonomy_ref id="4001"/>
  </environment>
  <test_fields>
    <test_field type="Test_Level" value="Unit Test"/>
    <test_field_ref id="5001"/>
  </test_fields>
  <test_runs>
    <test_run module="m" package="p" class="C" name="t1" status="Failed" duration="5" started="1750000000000" run_type="regression" external_report_url="http://ci/1" external_test_id="ext-t1" external_run_id="ext-r1">
      <error type="E" message="boom">stack</error>
      <description>what it checks</description>
      <release_ref id="1002" name="R2"/>
      <milestone_ref id="6001" name="M2"/>
      <product_areas>
        <product_area_ref id="2002"/>
      </product_areas>
      <backlog_items>
        <backlog_item_ref id="3002"/>
      </backlog_items>
      <environment>
        <taxonomy type="Browser" value="Chrome"/>
      </environment>
      <test_fields>
        <test_field type="Framework" value="JUnit"/>
      </test_fields>
    </test_run>
    <gherkin_test_run name="g1" status="Passed" duration="9" started="1750000000001">
      <feature name="Cart" path="features/cart.feature" started="1750000000001" tag="@TID1REV0.1.0">
        <file><![CDATA[Feature: Cart]]></file>
        <scenarios>
          <scenario name="add" status="passed" outlineIndex="1">
            <steps>
              <step name="Given a cart" status="failed" duration="3">
                <error_message>expected 1</error_message>
              </step>
            </steps>
          </scenario>
        </scenarios>
      </feature>
      <error type="E" message="m">trace</error>
      <description>gherkin</description>
      <release name="R1"/>
    </gherkin_test_run>
  </test_runs>
</test_result>`;

/** Each element declared by the schema, once, with its declaration. */
function declaredElements(): ElementDef[] {
  const out = new Map<string, ElementDef>();
  const walk = (e: ElementDef) => {
    if (out.has(e.name)) return;
    out.set(e.name, e);
    if (e.type.content) particles(e.type.content);
  };
  const particles = (p: Particle) => {
    if ('element' in p) walk(p.element);
    else for (const item of 'sequence' in p ? p.sequence : p.choice) particles(item);
  };
  walk(TEST_RESULT);
  return [...out.values()];
}

const LINES = FULL.split('\n');
/** Line (1-based) of the first `<name` start tag in FULL. */
const lineOf = (name: string) => LINES.findIndex((l) => new RegExp(`<${name}[\\s/>]`).test(l)) + 1;

/** The 400 of a payload: its description and line. */
function refusal(xml: string): { description: string; line: number } {
  try {
    parseTestResults(xml);
  } catch (e) {
    expect(e).toBeInstanceOf(OctaneError);
    const err = e as OctaneError;
    expect(err.status).toBe(400);
    return { description: err.message, line: (err.properties as { line: number }).line };
  }
  throw new Error('the payload was accepted');
}

/** FULL with `text` inserted right after the name of the first `<name` start tag. */
function withAttr(name: string, text: string): string {
  const line = lineOf(name) - 1;
  const lines = [...LINES];
  lines[line] = lines[line].replace(new RegExp(`<${name}(?=[\\s/>])`), `<${name} ${text}`);
  return lines.join('\n');
}

/** `line` with `inner` put right after the start tag of `name` (a self-closing tag is opened). */
function insideOf(line: string, name: string, inner: string): string {
  return line.replace(new RegExp(`<${name}(\\s[^>]*?)?(/?)>`), (_m, attrs = '', selfClosing) => `<${name}${attrs}>${inner}${selfClosing ? `</${name}>` : ''}`);
}

describe('a payload with every element and attribute of the schema', () => {
  const elements = declaredElements();

  it('uses every declared element and attribute (the fixture covers the schema)', () => {
    expect(elements.length).toBe(28);
    for (const e of elements) {
      expect(lineOf(e.name), `<${e.name}>`).toBeGreaterThan(0);
      for (const a of e.type.attributes ?? []) expect(FULL, `${e.name}@${a.name}`).toMatch(new RegExp(`<${e.name}\\s[^>]*\\b${a.name}="`));
    }
  });

  it('is accepted, each value read', () => {
    const p = parseTestResults(FULL);
    expect(p.build).toEqual({ serverId: 'srv', jobId: 'job', jobName: 'Job', buildId: '7', buildName: '#7', subType: 'multibranch' });
    expect(p.context).toEqual({
      release: { id: '1001', name: 'R0' },
      milestone: { id: '6000', name: 'M1' },
      productAreas: ['2001'],
      backlogItems: ['3001'],
      environment: [{ type: 'OS', value: 'Linux' }, { id: '4001' }],
      testFields: [{ type: 'Test_Level', value: 'Unit Test' }, { id: '5001' }],
    });
    expect(p.runs).toHaveLength(2);
    expect(p.runs[0]).toMatchObject({
      kind: 'test',
      module: 'm',
      package: 'p',
      className: 'C',
      name: 't1',
      status: 'Failed',
      duration: 5,
      started: 1750000000000,
      runType: 'regression',
      externalReportUrl: 'http://ci/1',
      externalTestId: 'ext-t1',
      externalRunId: 'ext-r1',
      error: { type: 'E', message: 'boom', stackTrace: 'stack' },
      description: 'what it checks',
      line: lineOf('test_run'),
    });
    expect(p.runs[0].context).toEqual({
      release: { id: '1002', name: 'R2' },
      milestone: { id: '6001', name: 'M2' },
      productAreas: ['2002'],
      backlogItems: ['3002'],
      environment: [{ type: 'Browser', value: 'Chrome' }],
      testFields: [{ type: 'Framework', value: 'JUnit' }],
    });
    expect(p.runs[1]).toMatchObject({
      kind: 'gherkin',
      name: 'g1',
      status: 'Passed',
      duration: 9,
      started: 1750000000001,
      error: { type: 'E', message: 'm', stackTrace: 'trace' },
      description: 'gherkin',
      feature: {
        name: 'Cart',
        path: 'features/cart.feature',
        started: 1750000000001,
        tag: '@TID1REV0.1.0',
        script: 'Feature: Cart',
        scenarios: [{ name: 'add', status: 'passed', outlineIndex: 1, steps: [{ name: 'Given a cart', status: 'failed', duration: 3, errorMessage: 'expected 1' }] }],
      },
      line: lineOf('gherkin_test_run'),
    });
    expect(p.runs[1].context.release).toEqual({ id: undefined, name: 'R1' });
  });

  it('the served XSD declares exactly these elements and, per element, these attributes', () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: () => true });
    const xsd = parser.parse(TEST_RESULTS_XSD);
    const declared: string[] = [];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries(n)) {
        if (k === 'xs:element') for (const e of v as any[]) declared.push(e['@name'][0] ?? e['@name']);
        walk(v);
      }
    };
    walk(xsd);
    expect([...new Set(declared)].sort()).toEqual(elements.map((e) => e.name).sort());
    for (const e of elements) for (const a of e.type.attributes ?? []) expect(TEST_RESULTS_XSD).toContain(`<xs:attribute name="${a.name}"`);
  });

  describe.each(declaredElements().map((e) => [e.name, e] as const))('<%s>', (name, def) => {
    it('an undeclared attribute -> 400 at its line', () => {
      expect(refusal(withAttr(name, 'bogus="1"'))).toEqual({
        description: `Test results do not match the schema at line ${lineOf(name)}: attribute 'bogus' is not allowed in <${name}>`,
        line: lineOf(name),
      });
    });

    it('an undeclared child element -> 400 at the child\'s line', () => {
      const lines = [...LINES];
      const at = lineOf(name) - 1;
      // a child of its own on the next line: a self-closing tag is opened for it
      lines[at] = insideOf(lines[at], name, '\n<bogus/>');
      const r = refusal(lines.join('\n'));
      expect(r).toEqual({ description: `Test results do not match the schema at line ${lineOf(name) + 1}: element 'bogus' is not allowed in <${name}>`, line: lineOf(name) + 1 });
    });

    const required = (def.type.attributes ?? []).filter((a) => a.required);
    if (required.length) {
      it(`without ${required.map((a) => a.name).join(', ')} -> 400 naming it`, () => {
        for (const a of required) {
          const lines = [...LINES];
          const at = lineOf(name) - 1;
          lines[at] = lines[at].replace(new RegExp(`\\s${a.name}="[^"]*"`), '');
          expect(refusal(lines.join('\n'))).toEqual({ description: `Test results do not match the schema at line ${at + 1}: <${name}> needs the attribute '${a.name}'`, line: at + 1 });
        }
      });
    }

    if (!def.type.text) {
      it('text inside -> 400', () => {
        const lines = [...LINES];
        const at = lineOf(name) - 1;
        lines[at] = insideOf(lines[at], name, 'words');
        expect(refusal(lines.join('\n'))).toMatchObject({ description: expect.stringContaining(`text is not allowed in <${name}>`) });
      });
    }
  });
});

describe('values and order', () => {
  const at = (n: string) => lineOf(n);

  it('status outside Passed / Failed / Skipped (case counts, as in the XSD enumeration)', () => {
    for (const bad of ['passed', 'Broken', '']) {
      const xml = FULL.replace('name="t1" status="Failed"', `name="t1" status="${bad}"`);
      expect(refusal(xml)).toEqual({
        description: `Test results do not match the schema at line ${at('test_run')}: attribute 'status' of <test_run> must be one of Passed, Failed, Skipped, got '${bad}'`,
        line: at('test_run'),
      });
    }
  });

  it('whole numbers: duration, started, step duration, outlineIndex', () => {
    expect(refusal(FULL.replace('duration="5"', 'duration="-5"')).description).toContain(`line ${at('test_run')}: attribute 'duration' of <test_run> must be a non-negative whole number, got '-5'`);
    expect(refusal(FULL.replace('started="1750000000000"', 'started="yesterday"')).description).toContain(`attribute 'started' of <test_run> must be a non-negative whole number, got 'yesterday'`);
    expect(refusal(FULL.replace('duration="3"', 'duration="1.5"')).description).toContain(`line ${at('step')}: attribute 'duration' of <step>`);
    expect(refusal(FULL.replace('outlineIndex="1"', 'outlineIndex="x"')).description).toContain(`line ${at('scenario')}: attribute 'outlineIndex' of <scenario>`);
  });

  it('an empty test name; a test field type outside the enumeration', () => {
    expect(refusal(FULL.replace('name="t1"', 'name=""')).description).toContain(`line ${at('test_run')}: attribute 'name' of <test_run> must not be empty`);
    expect(refusal(FULL.replace('type="Framework"', 'type="Colour"')).description).toContain(
      "attribute 'type' of <test_field> must be one of Test_Level, Test_Type, Testing_Tool_Type, Framework, got 'Colour'",
    );
  });

  it('children out of their order: the first one out of place is named', () => {
    // <description> before <error>
    const swapped = FULL.replace('      <error type="E" message="boom">stack</error>\n      <description>what it checks</description>', '      <description>what it checks</description>\n      <error type="E" message="boom">stack</error>');
    expect(refusal(swapped)).toEqual({ description: `Test results do not match the schema at line ${at('test_run') + 2}: element 'error' is not allowed here in <test_run>`, line: at('test_run') + 2 });
    // <build> after <release>
    const late = FULL.replace(/ {2}<build [^\n]*\n {2}<release id="1001" name="R0"\/>/, '  <release id="1001"/>\n  <build server_id="srv"/>');
    expect(refusal(late).description).toBe(`Test results do not match the schema at line 4: element 'build' is not allowed here in <test_result>: expected <test_runs>`);
    // two releases
    expect(refusal(FULL.replace('<release id="1001" name="R0"/>', '<release id="1001" name="R0"/><release_ref id="9"/>')).description).toContain("element 'release_ref' is not allowed here in <test_result>");
  });

  it('a required element missing: <test_runs>, the refs of <product_areas>, the steps of <steps>', () => {
    expect(refusal('<?xml version="1.0"?>\n<test_result>\n<build server_id="s"/>\n</test_result>')).toEqual({ description: 'Test results do not match the schema at line 2: <test_result> needs a <test_runs> element', line: 2 });
    expect(refusal(FULL.replace(/<product_areas>\s*<product_area_ref id="2001"\/>\s*<\/product_areas>/, '<product_areas></product_areas>')).description).toBe(
      `Test results do not match the schema at line ${at('product_areas')}: <product_areas> needs a <product_area_ref> element`,
    );
    expect(refusal(FULL.replace(/<steps>[\s\S]*<\/steps>/, '<steps/>')).description).toContain(`line ${at('steps')}: <steps> needs a <step> element`);
  });

  it('the root must be <test_result>', () => {
    expect(refusal('<?xml version="1.0"?>\n<results><test_runs/></results>')).toEqual({ description: 'Test results do not match the schema at line 2: the root element must be <test_result>, got <results>', line: 2 });
  });

  it('comments and CDATA holding tags do not shift the lines reported', () => {
    const xml = FULL.replace('<test_runs>', '<!-- <test_run name="x"/>\n -->\n  <test_runs>').replace('name="t1"', 'name="t1" bogus="1"');
    expect(refusal(xml).line).toBe(at('test_run') + 2);
    const cdata = FULL.replace('<![CDATA[Feature: Cart]]>', '<![CDATA[Feature: <step>\n<scenario>]]>').replace('outlineIndex="1"', 'outlineIndex="1" bogus="1"');
    expect(refusal(cdata).line).toBe(at('scenario') + 1);
  });

  it('an empty <test_runs> and a payload of only the required parts are accepted', () => {
    expect(parseTestResults('<test_result><test_runs/></test_result>').runs).toEqual([]);
    expect(parseTestResults('<test_result><test_runs><test_run name="a" status="Skipped"/></test_runs></test_result>').runs[0]).toMatchObject({ name: 'a', status: 'Skipped' });
    expect(parseTestResults('<test_result><test_runs><gherkin_test_run name="g" status="Passed"/></test_runs></test_result>').runs[0]).toMatchObject({ kind: 'gherkin', feature: undefined });
  });
});
