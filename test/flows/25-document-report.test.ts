// Flow 25 (flows.md §25; page not yet read, inferred): a document report of a requirement with its
// descendants. Both documented ways are issued: walking the tree with
// `requirements?query="parent EQ {id EQ R}"` level by level, and one request on the materialized
// `path` (`requirement_documents?query="path EQ ^<path of R>*^"`). The report is each descendant's
// name and description, depth first, siblings in `order` order; both ways give the same report.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { freshWorkspace, qs, sorted, type Workspace } from '../helpers/workspace.js';

interface Doc {
  id: string;
  name: string;
  description: string | null;
  order: number | null;
  parent: { id: string };
  path: string;
}

const EXPECTED = [
  '# Payment spec: <p>How customers pay.</p>',
  '## Cards: <p>Credit and debit cards.</p>',
  '### Card validation: <p>Luhn check.</p>',
  '### 3-D Secure: <p>Challenge flow.</p>',
  '## Wallets: <p>Digital wallets.</p>',
  '## Refunds: <p>Money back.</p>',
];

describe('Create a document report with descendants', () => {
  let t: TestApp;
  let w: Workspace;
  let root: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await makeApp();
    w = await freshWorkspace(t);
    const folder = await w.add('requirement_folders', { name: 'Specifications' });
    const doc = async (key: string, parent: { type: string; id: string }, order: number, description: string) =>
      (ids[key] = await w.add('requirement_documents', { name: key, parent, order, description }));
    root = await doc('Payment spec', { type: 'requirement_folder', id: folder }, 1, '<p>How customers pay.</p>');
    const R = { type: 'requirement_document', id: root };
    // created out of order: `order` decides the report's order
    await doc('Refunds', R, 3, '<p>Money back.</p>');
    await doc('Cards', R, 1, '<p>Credit and debit cards.</p>');
    await doc('Wallets', R, 2, '<p>Digital wallets.</p>');
    const cards = { type: 'requirement_document', id: ids.Cards };
    await doc('3-D Secure', cards, 2, '<p>Challenge flow.</p>');
    await doc('Card validation', cards, 1, '<p>Luhn check.</p>');
    // outside the document: a sibling document and its child
    const sibling = await doc('Shipping spec', { type: 'requirement_folder', id: folder }, 2, '<p>Not part of the report.</p>');
    await doc('Carriers', { type: 'requirement_document', id: sibling }, 1, '<p>Not part of the report either.</p>');
  });
  afterAll(() => t.close());

  const line = (d: Doc, depth: number) => `${'#'.repeat(depth)} ${d.name}: ${d.description}`;
  const byOrder = (a: Doc, b: Doc) => (a.order ?? 0) - (b.order ?? 0) || Number(a.id) - Number(b.id);

  it('walking the tree: GET .../requirements?query="parent EQ {id EQ R}", recursively', async () => {
    const top: Doc = await w.read(`requirements/${root}?fields=name,description,order,parent,path`);
    const report = [line(top, 1)];
    const walk = async (id: string, depth: number): Promise<void> => {
      const children: Doc[] = (await w.read(`requirements?${qs(`parent EQ {id EQ ${id}}`)}&fields=name,description,order,parent,path`)).data;
      for (const child of [...children].sort(byOrder)) {
        report.push(line(child, depth));
        await walk(child.id, depth + 1);
      }
    };
    await walk(root, 2);
    expect(report).toEqual(EXPECTED);
  });

  it('in one request: GET .../requirement_documents?query="path EQ ^<path of R>*^"', async () => {
    const rootPath: string = (await w.read(`requirement_documents/${root}?fields=path`)).path;
    const docs: Doc[] = (await w.read(`requirement_documents?${qs(`path EQ ^${rootPath}*^`)}&fields=name,description,order,parent,path&limit=1000`)).data;
    expect(sorted(docs.map((d) => d.id))).toEqual(sorted([root, ids.Cards, ids.Wallets, ids.Refunds, ids['3-D Secure'], ids['Card validation']]));
    // compose the report from the flat list
    const children = new Map<string, Doc[]>();
    for (const d of docs) children.set(d.parent.id, [...(children.get(d.parent.id) ?? []), d]);
    const report: string[] = [];
    const emit = (d: Doc, depth: number) => {
      report.push(line(d, depth));
      for (const c of (children.get(d.id) ?? []).sort(byOrder)) emit(c, depth + 1);
    };
    emit(docs.find((d) => d.id === root)!, 1);
    expect(report).toEqual(EXPECTED);
    // ordering by path gives the depth-first order of the tree (ids, not `order`, decide siblings)
    const byPath = await w.read(`requirement_documents?${qs(`path EQ ^${rootPath}*^`)}&fields=path&order_by=path`);
    expect(byPath.data[0].id).toBe(root);
    expect(byPath.data.map((d: any) => d.path)).toEqual([...byPath.data.map((d: any) => d.path)].sort());
  });
});
