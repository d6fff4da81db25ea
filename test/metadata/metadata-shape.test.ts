// The shapes of `/metadata/entities` and `/metadata/fields` against the examples of protocol.md §9
// (items of real Octane answers, as recorded in the Java SDK's test resources): the envelope, the
// keys of every item, the features, the field types, reference targets and list roots, integer
// bounds; then the values that follow from the resource table for well-known fields.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGER_MAX, INTEGER_MIN } from '../../src/http/metadata-routes.js';
import { makeApp } from '../helpers/app.js';
import { q } from '../helpers/octane.js';

const t = await makeApp();
afterAll(() => t.close());

// protocol.md §9.1: one entity of the example answer
const OCTANE_TEST_SUITE = {
  type: 'entity_metadata',
  name: 'test_suite',
  label: 'Test Suite',
  can_modify_label: false,
  features: [
    { name: 'subtype_of', type: 'test' },
    { name: 'has_comments', relation_name: 'comments_to_test_suite' },
    { name: 'rest', url: 'test_suites', methods: ['DELETE', 'POST', 'GET', 'PUT'] },
    { name: 'has_attachments', relation_name: 'attachments_to_test_suite' },
    { name: 'business_rules' },
  ],
};
// protocol.md §9.1: the hierarchical entity of the example (`theme`, a work item under the root)
const OCTANE_HIERARCHY = { name: 'hierarchical_entity', parent_types: ['work_item_root'], root: { type: 'work_item_root', id: 1001 }, child_types: ['feature'] };

// protocol.md §9.2: field items of the example answer
const OCTANE_CREATION_TIME = {
  type: 'field_metadata',
  entity_name: 'pipeline',
  name: 'creation_time',
  label: 'Creation time',
  field_type: 'date_time',
  editable: false,
  required: false,
  filterable: true,
  sortable: true,
  groupable: false,
  returned_by_default: true,
  is_user_defined: false,
  unique: false,
  final: false,
  auto_generated: false,
  visible_in_ui: true,
  description: '',
  sanitization: 'NONE',
  inBusinessRule: true,
  max_length: null,
  field_features: [{ name: 'supports_standard_storage' }],
};
const OCTANE_CURRENT_RELEASE_TYPE = { field_type: 'reference', field_type_data: { multiple: false, targets: [{ type: 'release' }] } };
const OCTANE_VERSION_STAMP = { name: 'version_stamp', field_type: 'integer', editable: false, returned_by_default: true, visible_in_ui: false };

/** Keys of Octane's field items the emulator leaves out: business rules are not emulated. */
const NOT_EMULATED = ['inBusinessRule'];
const FIELD_TYPES = ['string', 'memo', 'integer', 'float', 'boolean', 'date', 'date_time', 'reference', 'object'];

let entities: any[];
let fields: any[];
let entitiesReply: any;
let fieldsReply: any;
beforeAll(async () => {
  const e = await t.get(`${t.ws}/metadata/entities`);
  const f = await t.get(`${t.ws}/metadata/fields`);
  expect(e.status).toBe(200);
  expect(f.status).toBe(200);
  expect(String(e.headers['content-type'])).toContain('application/json');
  entitiesReply = e.body;
  fieldsReply = f.body;
  entities = e.body.data;
  fields = f.body.data;
});

const entity = (name: string) => entities.find((e) => e.name === name);
const field = (entityName: string, name: string) => fields.find((f) => f.entity_name === entityName && f.name === name);

describe('the envelope', () => {
  it('is {data, total_count}, without exceeds_total_count, for both', () => {
    for (const body of [entitiesReply, fieldsReply]) {
      expect(Object.keys(body)).toEqual(['data', 'total_count']);
      expect(body.total_count).toBe(body.data.length);
    }
    expect(entities.length).toBe(t.app.emulator.registry.entities.length);
    expect(fields.length).toBe(t.app.emulator.registry.entities.reduce((n, e) => n + e.fieldMap.size, 0));
  });
});

describe('entity metadata', () => {
  it('every item has the keys of the example and known features', () => {
    const known = ['rest', 'subtype_of', 'subtypes', 'hierarchical_entity', 'has_comments', 'has_attachments', 'phases', 'user_defined_fields', 'business_rules'];
    for (const e of entities) {
      expect(Object.keys(e).sort()).toEqual(Object.keys(OCTANE_TEST_SUITE).sort());
      expect(e).toMatchObject({ type: 'entity_metadata', can_modify_label: false });
      expect(typeof e.label).toBe('string');
      expect(e.label.length).toBeGreaterThan(0);
      for (const f of e.features) expect(known).toContain(f.name);
      expect(new Set(e.features.map((f: any) => f.name)).size).toBe(e.features.length);
    }
  });

  it('test_suite has the features of the example, in the example\'s shapes', () => {
    const mine = entity('test_suite');
    for (const expected of OCTANE_TEST_SUITE.features) expect(mine.features).toContainEqual(expected);
    // and, beyond the example: its life cycle and user-defined fields
    expect(mine.features.map((f: any) => f.name).sort()).toEqual([...OCTANE_TEST_SUITE.features.map((f) => f.name), 'phases', 'user_defined_fields'].sort());
  });

  it('a work item under the root has the example\'s hierarchical_entity, with the workspace\'s root', async () => {
    const root = await t.get(`${t.ws}/work_item_roots?fields=id`);
    expect(root.body.total_count).toBe(1);
    const tree = entity('epic').features.find((f: any) => f.name === 'hierarchical_entity');
    expect(Object.keys(tree).sort()).toEqual(Object.keys(OCTANE_HIERARCHY).sort());
    expect(tree).toEqual({ ...OCTANE_HIERARCHY, root: { type: 'work_item_root', id: Number(root.body.data[0].id) } });
    expect(typeof tree.root.id).toBe('number');
    // a tree rooted in its own type: the root application module
    const areas = await t.get(`${t.ws}/product_areas?fields=id&${q('parent EQ {null}')}`);
    expect(entity('product_area').features).toContainEqual({
      name: 'hierarchical_entity',
      parent_types: ['product_area'],
      child_types: ['product_area'],
      root: { type: 'product_area', id: Number(areas.body.data[0].id) },
    });
  });

  it('rest: the collection and the methods it allows, for workspace entities only', () => {
    expect(entity('defect').features).toContainEqual({ name: 'rest', url: 'defects', methods: ['DELETE', 'POST', 'GET', 'PUT'] });
    expect(entity('metaphase').features).toContainEqual({ name: 'rest', url: 'metaphases', methods: ['GET'] });
    expect(entity('user_tag').features).toContainEqual({ name: 'rest', url: 'user_tags', methods: ['POST', 'GET'] });
    expect(entity('list_node').features).toContainEqual({ name: 'rest', url: 'list_nodes', methods: ['POST', 'GET', 'PUT'] });
    expect(entity('run_suite').features).toContainEqual({ name: 'rest', url: 'suite_run', methods: ['DELETE', 'POST', 'GET', 'PUT'] });
    // space- and site-level types are listed (fields reference them) without a workspace URL
    for (const name of ['user', 'workspace', 'shared_space', 'workspace_role']) {
      expect(entity(name).features.find((f: any) => f.name === 'rest')).toBeUndefined();
    }
  });

  it('subtypes and subtype_of, comments, attachments, phases', () => {
    expect(entity('work_item').features).toContainEqual({ name: 'subtypes', types: ['work_item_root', 'epic', 'feature', 'story', 'defect', 'quality_story'] });
    expect(entity('test').features).toContainEqual({ name: 'subtypes', types: ['test_manual', 'gherkin_test', 'test_automated', 'test_suite'] });
    expect(entity('story').features).toContainEqual({ name: 'subtype_of', type: 'work_item' });
    expect(entity('defect').features).toContainEqual({ name: 'has_comments', relation_name: 'comments_to_defect' });
    expect(entity('release').features).toContainEqual({ name: 'has_attachments', relation_name: 'attachments_to_release' });
    expect(entity('defect').features).toContainEqual({ name: 'phases' });
    expect(entity('release').features.map((f: any) => f.name)).not.toContain('phases');
    // user-defined fields: workspace entities that are not views of another
    expect(entity('defect').features).toContainEqual({ name: 'user_defined_fields' });
    expect(entity('workspace_user').features.map((f: any) => f.name)).not.toContain('user_defined_fields');
  });

  it('technical-preview entity types are listed without the preview header', () => {
    expect(entity('quality_story').features).toContainEqual({ name: 'rest', url: 'quality_stories', methods: ['DELETE', 'POST', 'GET', 'PUT'] });
    expect(entity('milestone')).toBeDefined();
  });
});

describe('field metadata', () => {
  it('every item has the keys of the example (and field_type_data / integer bounds where they apply)', () => {
    const base = Object.keys(OCTANE_CREATION_TIME).filter((k) => !NOT_EMULATED.includes(k)).sort();
    for (const f of fields) {
      const extra = [...(f.field_type === 'reference' ? ['field_type_data'] : []), ...(f.field_type === 'integer' ? ['max_value', 'min_value'] : [])];
      expect(Object.keys(f).sort(), `${f.entity_name}.${f.name}`).toEqual([...base, ...extra].sort());
      expect(FIELD_TYPES).toContain(f.field_type);
      expect(f).toMatchObject({ type: 'field_metadata', final: false, description: '', sanitization: 'NONE', field_features: [] });
      for (const k of ['required', 'editable', 'filterable', 'sortable', 'groupable', 'returned_by_default', 'is_user_defined', 'unique', 'auto_generated', 'visible_in_ui']) {
        expect(typeof f[k], `${f.entity_name}.${f.name}.${k}`).toBe('boolean');
      }
      expect(f.max_length === null || (Number.isInteger(f.max_length) && f.max_length > 0)).toBe(true);
      if (f.field_type === 'string') expect(f.max_length).toBeGreaterThan(0);
      else expect(f.max_length).toBeNull();
    }
  });

  it('creation_time of pipeline is the example item (but for what is not emulated)', () => {
    const { field_features: _features, ...rest } = OCTANE_CREATION_TIME;
    const expected = Object.fromEntries(Object.entries(rest).filter(([k]) => !NOT_EMULATED.includes(k)));
    expect(field('pipeline', 'creation_time')).toEqual({ ...expected, field_features: [] });
  });

  it('references: field_type_data with multiple and targets; list fields name their list root', () => {
    expect(field('pipeline', 'current_release')).toMatchObject(OCTANE_CURRENT_RELEASE_TYPE);
    expect(field('defect', 'severity')).toMatchObject({ field_type: 'reference', field_type_data: { multiple: false, targets: [{ type: 'list_node', logical_name: 'list_node.severity' }] } });
    expect(field('defect', 'user_tags')).toMatchObject({ field_type_data: { multiple: true, targets: [{ type: 'user_tag' }] }, returned_by_default: false });
    expect(field('defect', 'parent').field_type_data).toEqual({ multiple: false, targets: [{ type: 'work_item_root' }, { type: 'feature' }] });
    // a family target is listed as its concrete types, as Octane lists them
    expect(field('defect', 'linked_items1').field_type_data.targets.map((x: any) => x.type)).toEqual(['work_item_root', 'epic', 'feature', 'story', 'defect', 'quality_story']);
    // inverse references are generated, read-only, not shown
    expect(field('defect', 'children')).toMatchObject({ field_type: 'reference', auto_generated: true, editable: false, visible_in_ui: false, field_type_data: { multiple: true } });
  });

  it('id and version_stamp are integers with the bounds the server accepts', () => {
    expect(field('defect', 'version_stamp')).toMatchObject({ ...OCTANE_VERSION_STAMP, min_value: INTEGER_MIN, max_value: INTEGER_MAX });
    expect(field('defect', 'id')).toMatchObject({ field_type: 'integer', editable: false, unique: true, min_value: Number.MIN_SAFE_INTEGER, max_value: Number.MAX_SAFE_INTEGER });
    expect(field('defect', 'story_points')).toMatchObject({ field_type: 'integer', editable: true, min_value: INTEGER_MIN, max_value: INTEGER_MAX });
  });

  it('the flags of well-known defect fields', () => {
    expect(field('defect', 'name')).toMatchObject({ field_type: 'string', required: true, editable: true, max_length: 255, returned_by_default: true, sortable: true });
    expect(field('defect', 'description')).toMatchObject({ field_type: 'memo', returned_by_default: false, max_length: null });
    expect(field('defect', 'phase')).toMatchObject({ required: true, editable: true, groupable: true });
    expect(field('defect', 'subtype')).toMatchObject({ field_type: 'string', editable: false, sortable: true, groupable: true });
    expect(field('defect', 'closed_on')).toMatchObject({ field_type: 'date', editable: false });
    expect(field('feature', 'wsjf_score')).toMatchObject({ field_type: 'float', editable: false });
    expect(field('defect', 'blocked')).toMatchObject({ field_type: 'boolean', groupable: true });
    expect(field('pipeline', 'jobs')).toMatchObject({ field_type: 'object', filterable: false, sortable: false, returned_by_default: false });
    // secrets are written, never read back
    expect(field('user', 'password')).toMatchObject({ editable: true, returned_by_default: false, visible_in_ui: false, filterable: false });
  });

  it('an aggregate lists the union of its subtypes\' fields: required where every subtype that has it requires it', () => {
    expect(field('work_item', 'severity')).toBeDefined();
    expect(field('work_item', 'parent')).toMatchObject({ required: true });
    expect(field('work_item', 'name')).toMatchObject({ required: true });
    // a manual run needs a release, an automated run does not: not required on runs
    expect(field('run_manual', 'release').required).toBe(true);
    expect(field('run_automated', 'release').required).toBe(false);
    expect(field('run', 'release').required).toBe(false);
    expect(fields.filter((f) => f.entity_name === 'work_item').length).toBe(t.app.emulator.registry.entity('work_item').fieldMap.size);
  });
});
