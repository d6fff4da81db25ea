// Technical-preview gating: resources outside the public list answer 403
// platform.tech_preview_required unless one of the preview header forms is sent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, PREVIEW, ref, type TestApp } from '../helpers/app.js';
import { expectOctaneError } from '../helpers/octane.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(() => t.close());

const HEADER_FORMS: Array<[string, Record<string, string>]> = [
  ['ALM-OCTANE-TECH-PREVIEW: true', { 'ALM-OCTANE-TECH-PREVIEW': 'true' }],
  ['ALM_OCTANE_TECH_PREVIEW: true', { ALM_OCTANE_TECH_PREVIEW: 'true' }],
  ['HPECLIENTTYPE: HPE_REST_API_TECH_PREVIEW', { HPECLIENTTYPE: 'HPE_REST_API_TECH_PREVIEW' }],
  ['lower-case header name', { 'alm-octane-tech-preview': 'true' }],
];

/** Preview collections: [level, collection]. */
const PREVIEW_RESOURCES: Array<['workspace' | 'space', string]> = [
  ['workspace', 'milestones'],
  ['workspace', 'quality_stories'],
  ['workspace', 'ci_jobs'],
  ['space', 'users'],
  ['space', 'api_accesses'],
];
const at = (level: 'workspace' | 'space', name: string) => `${level === 'workspace' ? t.ws : t.space}/${name}`;

describe('preview resources', () => {
  it('the resource table marks the preview resources, and the public ones are not', () => {
    const reg = t.app.emulator.registry;
    expect(reg.collection('workspace', 'milestones')?.preview).toBe(true);
    expect(reg.collection('workspace', 'quality_stories')?.preview).toBe(true);
    expect(reg.collection('space', 'users')?.preview).toBe(true);
    expect(reg.collection('space', 'api_accesses')?.preview).toBe(true);
    for (const [level, name] of PREVIEW_RESOURCES) expect(reg.collection(level, name)?.preview, name).toBe(true);
    for (const name of ['defects', 'stories', 'work_items', 'users', 'workspace_users', 'releases', 'phases', 'metaphases', 'user_tags', 'list_nodes']) {
      expect(reg.collection('workspace', name)?.preview, name).toBeFalsy();
    }
    expect(reg.collection('space', 'workspaces')?.preview).toBeFalsy();
  });

  it.each(PREVIEW_RESOURCES)('%s %s: GET without the header -> 403 platform.tech_preview_required naming the header', async (level, name) => {
    const res = await t.get(at(level, name));
    expectOctaneError(res, 403, 'platform.tech_preview_required');
    expect(res.body.description).toContain('ALM-OCTANE-TECH-PREVIEW');
  });

  it.each(PREVIEW_RESOURCES)('%s %s: GET with the header -> 200', async (level, name) => {
    const res = await t.get(at(level, name), PREVIEW);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.data)).toBe(true);
  });

  it.each(HEADER_FORMS)('milestones with %s -> 200', async (_name, headers) => {
    const res = await t.get(`${t.ws}/milestones`, headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ exceeds_total_count: false });
  });

  it.each(HEADER_FORMS)('space users with %s -> 200', async (_name, headers) => {
    const res = await t.get(`${t.space}/users`, headers);
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: { name: string }) => u.name)).toContain('sa@nga');
  });

  it.each([
    ['ALM-OCTANE-TECH-PREVIEW: false', { 'ALM-OCTANE-TECH-PREVIEW': 'false' }],
    ['ALM-OCTANE-TECH-PREVIEW empty', { 'ALM-OCTANE-TECH-PREVIEW': '' }],
    ['HPECLIENTTYPE: HPE_CI_CLIENT', { HPECLIENTTYPE: 'HPE_CI_CLIENT' }],
  ])('a header that does not ask for the preview (%s) -> 403', async (_name, headers) => {
    expectOctaneError(await t.get(`${t.ws}/milestones`, headers), 403, 'platform.tech_preview_required');
  });

  it('every method and URI shape is gated, and nothing is written without the header', async () => {
    const body = { data: [{ name: 'preview-ms-1', date: '2025-05-01' }] };
    expectOctaneError(await t.post(`${t.ws}/milestones`, body), 403, 'platform.tech_preview_required');
    expect((await t.get(`${t.ws}/milestones`, PREVIEW)).body.total_count).toBe(0);
    const created = await t.post(`${t.ws}/milestones`, body, PREVIEW);
    expect(created.status).toBe(201);
    const id = created.body.data[0].id;
    expectOctaneError(await t.get(`${t.ws}/milestones/${id}`), 403, 'platform.tech_preview_required');
    expectOctaneError(await t.put(`${t.ws}/milestones/${id}`, { name: 'x' }), 403, 'platform.tech_preview_required');
    expectOctaneError(await t.del(`${t.ws}/milestones/${id}`), 403, 'platform.tech_preview_required');
    expectOctaneError(await t.put(`${t.ws}/milestones`, { data: [{ id, name: 'x' }] }), 403, 'platform.tech_preview_required');
    const read = await t.get(`${t.ws}/milestones/${id}`, PREVIEW);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: 'preview-ms-1', date: '2025-05-01T00:00:00Z', version_stamp: 1 });
  });

  it('a quality story is written and read with the header, and is a work item only with it', async () => {
    const body = { data: [{ name: 'preview-qs-1', phase: ref('phase', 'phase.quality_story.new'), parent: ref('work_item_root', 'work_item_root') }] };
    expectOctaneError(await t.post(`${t.ws}/quality_stories`, body), 403, 'platform.tech_preview_required');
    const created = await t.post(`${t.ws}/quality_stories`, body, PREVIEW);
    expect(created.status).toBe(201);
    const id = created.body.data[0].id;
    // through the public work_items collection it is still a preview entity (issue 6: "quality
    // stories behind the preview header"): 403 without the header, the work item with it
    expectOctaneError(await t.get(`${t.ws}/work_items/${id}?fields=name,subtype`), 403, 'platform.tech_preview_required');
    const wi = await t.get(`${t.ws}/work_items/${id}?fields=name,subtype`, PREVIEW);
    expect(wi.status).toBe(200);
    expect(wi.body).toMatchObject({ subtype: 'quality_story', name: 'preview-qs-1' });
    const listed = await t.get(`${t.ws}/work_items?query=%22id%20EQ%20${id}%22`);
    expect(listed.body.total_count).toBe(0);
  });

  it('the preview check comes before the method check: no 405 leaks without the header', async () => {
    expectOctaneError(await t.request('PATCH', `${t.ws}/milestones`), 403, 'platform.tech_preview_required');
    expectOctaneError(await t.request('PATCH', `${t.ws}/milestones`, undefined, PREVIEW), 405, 'platform.web_application');
  });
});

describe('public resources need no header', () => {
  it.each([
    ['defects', () => `${t.ws}/defects`],
    ['work_items', () => `${t.ws}/work_items`],
    ['workspace-level users', () => `${t.ws}/users`],
    ['workspace_users', () => `${t.ws}/workspace_users`],
    ['metaphases', () => `${t.ws}/metaphases`],
    ['builds', () => `${t.ws}/builds`],
    ['workspaces', () => `${t.space}/workspaces`],
    ['roles', () => `${t.space}/roles`],
  ])('%s -> 200 without a header', async (_name, path) => {
    const res = await t.get(path());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ exceeds_total_count: false });
  });

  it('a public resource still answers 200 when the header is sent', async () => {
    expect((await t.get(`${t.ws}/defects`, PREVIEW)).status).toBe(200);
  });

  it('every non-preview resource of the table answers its collection GET without a header', async () => {
    const bases = { workspace: t.ws, space: t.space, site: '/api' } as const;
    const publicOnes = t.app.emulator.registry.entities.filter((e) => !e.preview);
    expect(publicOnes.length).toBeGreaterThan(40);
    for (const e of publicOnes) {
      const res = await t.get(`${bases[e.level]}/${e.collection}`);
      expect(res.status, `${e.level} ${e.collection}`).toBe(200);
    }
  });
});
