// The seeded workflow of every entity type with a life cycle: each type's transitions as the
// template seeds them, moves along them accepted, moves without one refused with
// 400 platform.invalid_phase_transition (the defect workflow has its own test in planning.test.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { expectBulkErrors, expectOctaneError, q } from '../helpers/octane.js';
import { freshWorkspace, PHASE, type Workspace } from '../helpers/workspace.js';

let t: TestApp;
let w: Workspace;
beforeAll(async () => {
  t = await makeApp();
  w = await freshWorkspace(t);
});
afterAll(() => t.close());

interface Workflow {
  collection: string;
  entity: string;
  headers?: Record<string, string>;
  /** how many transitions the template seeds for the type */
  transitions: number;
  /** phases (short names) visited in order from the start phase; every step must be allowed */
  path: string[];
  /** moves [from, to] that must be refused; `from` is reached along `path` first */
  refused: Array<[string, string]>;
}

const BACKLOG = (collection: string, entity: string): Workflow => ({
  collection,
  entity,
  transitions: 7,
  path: ['new', 'inprogress', 'intesting', 'done', 'inprogress', 'new', 'inprogress', 'done'],
  refused: [['new', 'done'], ['new', 'intesting'], ['done', 'new'], ['done', 'intesting']],
});
const TEST = (collection: string, entity: string): Workflow => ({
  collection,
  entity,
  transitions: 12,
  path: ['new', 'indesign', 'awaitingreview', 'indesign', 'ready', 'obsolete', 'indesign', 'awaitingreview', 'ready'],
  refused: [['new', 'ready'], ['new', 'awaitingreview'], ['ready', 'new'], ['obsolete', 'ready']],
});

const WORKFLOWS: Workflow[] = [
  BACKLOG('epics', 'epic'),
  BACKLOG('features', 'feature'),
  BACKLOG('stories', 'story'),
  {
    collection: 'quality_stories',
    entity: 'quality_story',
    headers: PREVIEW,
    transitions: 4,
    path: ['new', 'inprogress', 'done', 'inprogress', 'new'],
    refused: [['new', 'done'], ['done', 'new']],
  },
  {
    collection: 'tasks',
    entity: 'task',
    transitions: 5,
    path: ['new', 'inprogress', 'new', 'completed', 'inprogress', 'completed'],
    refused: [['completed', 'new']],
  },
  TEST('manual_tests', 'test_manual'),
  TEST('gherkin_tests', 'gherkin_test'),
  TEST('automated_tests', 'test_automated'),
  TEST('test_suites', 'test_suite'),
  {
    collection: 'requirement_documents',
    entity: 'requirement_document',
    transitions: 18,
    path: ['draft', 'indesign', 'inreview', 'approved', 'accepted', 'indesign', 'deferred', 'draft', 'inreview', 'rejected', 'draft'],
    refused: [['draft', 'accepted'], ['draft', 'approved'], ['accepted', 'draft'], ['rejected', 'approved'], ['deferred', 'accepted']],
  },
];

async function extraFor(collection: string): Promise<Record<string, unknown>> {
  if (collection === 'tasks') return { story: ref('story', await w.add('stories', { name: 'Task holder' })) };
  if (collection === 'requirement_documents') return { parent: ref('requirement_folder', await w.add('requirement_folders', { name: 'Folder' })) };
  return {};
}

describe('every life cycle follows its seeded workflow', () => {
  it('the template seeds a workflow for every type with phases; no type lets every move through', async () => {
    const all = await w.read('transitions?fields=entity,source_phase{logical_name},target_phase{logical_name}&limit=1000');
    const count = new Map<string, number>();
    for (const tr of all.data) count.set(tr.entity, (count.get(tr.entity) ?? 0) + 1);
    expect(Object.fromEntries(count)).toEqual({
      defect: 18,
      ...Object.fromEntries(WORKFLOWS.map((x) => [x.entity, x.transitions])),
    });
    // each transition joins two phases of its own type
    for (const tr of all.data) {
      expect(tr.source_phase.logical_name.startsWith(`phase.${tr.entity}.`), tr.source_phase.logical_name).toBe(true);
      expect(tr.target_phase.logical_name.startsWith(`phase.${tr.entity}.`), tr.target_phase.logical_name).toBe(true);
    }
    // fewer transitions than a full mesh of the type's phases
    const phases = await w.read('phases?fields=entity&limit=1000');
    const perType = new Map<string, number>();
    for (const p of phases.data) perType.set(p.entity, (perType.get(p.entity) ?? 0) + 1);
    for (const [entity, n] of count) expect(n, entity).toBeLessThan(perType.get(entity)! * (perType.get(entity)! - 1));
  });

  for (const flow of WORKFLOWS) {
    it(`${flow.entity}: moves along transitions pass, others are 400 platform.invalid_phase_transition`, async () => {
      const phase = (short: string) => PHASE(`phase.${flow.entity}.${short}`);
      const extra = await extraFor(flow.collection);
      const id = await w.add(flow.collection, { name: `Workflow ${flow.entity}`, ...extra }, flow.headers);
      const phaseOf = async () => (await w.read(`${flow.collection}/${id}?fields=phase{logical_name}`, flow.headers)).phase.logical_name;
      expect(await phaseOf()).toBe(`phase.${flow.entity}.${flow.path[0]}`);
      const refusedFrom = new Map<string, string[]>();
      for (const [from, to] of flow.refused) refusedFrom.set(from, [...(refusedFrom.get(from) ?? []), to]);
      const tryRefused = async (at: string) => {
        for (const to of refusedFrom.get(at) ?? []) {
          const r = await w.put(`${flow.collection}/${id}`, { phase: phase(to) }, flow.headers);
          expectOctaneError(r, 400, 'platform.invalid_phase_transition');
          expect(r.body.properties).toEqual({ entity_type: flow.entity, source_phase: `phase.${flow.entity}.${at}`, target_phase: `phase.${flow.entity}.${to}` });
          expect(await phaseOf()).toBe(`phase.${flow.entity}.${at}`);
        }
        refusedFrom.delete(at);
      };
      await tryRefused(flow.path[0]);
      for (const next of flow.path.slice(1)) {
        const r = await w.put(`${flow.collection}/${id}`, { phase: phase(next) }, flow.headers);
        expect(r.status, `${flow.entity} -> ${next}: ${r.text}`).toBe(200);
        expect(await phaseOf()).toBe(`phase.${flow.entity}.${next}`);
        await tryRefused(next);
      }
      // every refused move was tried from a phase the path visited
      expect([...refusedFrom.keys()]).toEqual([]);
    });
  }

  it('a bulk update with one refused move writes nothing; the transition list says what is allowed', async () => {
    const a = await w.add('stories', { name: 'Bulk A' });
    const b = await w.add('stories', { name: 'Bulk B' });
    const r = await w.put('stories', { data: [{ id: a, phase: PHASE('phase.story.inprogress') }, { id: b, phase: PHASE('phase.story.done') }] });
    expectBulkErrors(r, 400, [{ index: 1, code: 'platform.invalid_phase_transition' }]);
    const phases = await w.read(`stories?${q(`id IN ${a},${b}`)}&fields=phase{logical_name}&order_by=id`);
    expect(phases.data.map((s: any) => s.phase.logical_name)).toEqual(['phase.story.new', 'phase.story.new']);
    const fromNew = await w.read(`transitions?${q('entity EQ ^story^;source_phase EQ {logical_name EQ ^phase.story.new^}')}&fields=target_phase{logical_name},is_primary`);
    expect(fromNew.data.map((x: any) => [x.target_phase.logical_name, x.is_primary])).toEqual([['phase.story.inprogress', true]]);
  });

  it('a new entity may start in any phase of its type (creation is no move)', async () => {
    const id = await w.add('stories', { name: 'Done at once', phase: PHASE('phase.story.done') });
    expect((await w.read(`stories/${id}?fields=phase{logical_name}`)).phase.logical_name).toBe('phase.story.done');
  });
});
