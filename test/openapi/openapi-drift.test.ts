// openapi/openapi.json is the document the server generates: this test builds the app, generates
// the document and fails when the committed file differs (run `npm run openapi` to update it). It
// also checks that the document is valid OpenAPI 3.1 and that every $ref resolves.

import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { OPENAPI_FILE, openApiText } from '../../src/http/openapi.js';

const app = await buildApp({ db: ':memory:' });
afterAll(() => app.close());
const generated = await openApiText(app);

/** The first line where two texts differ, with both versions of it. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  committed: ${x[i] ?? '(end of file)'}\n  generated: ${y[i] ?? '(end of file)'}`;
  }
  return 'no difference';
}

describe('openapi/openapi.json', () => {
  it('is what the server generates (run `npm run openapi` after changing routes or descriptors)', () => {
    expect(fs.existsSync(OPENAPI_FILE), `${OPENAPI_FILE} is missing: run \`npm run openapi\``).toBe(true);
    const committed = fs.readFileSync(OPENAPI_FILE, 'utf8');
    if (committed !== generated) {
      expect.fail(`openapi/openapi.json is out of date: run \`npm run openapi\` and commit the result.\nFirst difference at ${firstDifference(committed, generated)}`);
    }
  });

  it('is generated the same way every time (no ports, times or random ids)', async () => {
    const again = await buildApp({ db: ':memory:', pageSizeDefault: 100 });
    try {
      expect(await openApiText(again)).toBe(generated);
    } finally {
      await again.close();
    }
    expect(generated).not.toMatch(/127\.0\.0\.1|localhost|"servers"/);
  });

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(generated));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('every $ref points at a component that exists', () => {
    const doc = JSON.parse(generated);
    const missing: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(v) ?? [];
          if (!section || !doc.components?.[section]?.[name]) missing.push(v);
        } else walk(v);
      }
    };
    walk(doc);
    expect([...new Set(missing)]).toEqual([]);
  });
});
