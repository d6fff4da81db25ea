// Issue 8: scm_commit as CI plugins report it in a build's SCM data (revision, parent revision,
// author, message, the changed files, the repository and branch), linked to the builds that report
// it, to the workspace user with the committer's email, and to the backlog items its message names
// by type ("defect #12", "user story 45", "US#45", "quality story #7"). docs/decisions.md "CI and
// test results".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionedItems } from '../../src/ci/commit-mentions.js';
import { PREVIEW, type TestApp } from '../helpers/app.js';
import { expectOctaneError, q } from '../helpers/octane.js';
import { idsOf, iso, makeCiApp, T0 } from '../helpers/ci.js';
import { freshWorkspace, PHASE, sorted, type Workspace } from '../helpers/workspace.js';


let t: TestApp;
let internal: string;
beforeAll(async () => {
  ({ t, internal } = await makeCiApp());
});
afterAll(() => t.close());

const COMMIT_FIELDS = 'revision,parent_revision,comment,user,email,workspace_user,commit_time,changed_files,repositories,stories,ci_build';

async function scmEvent(buildCiId: string, commits: unknown[], repository: Record<string, unknown> = { type: 'git', url: 'git@example.com:shop.git', branch: 'main' }): Promise<void> {
  const res = await t.put(`${internal}/events`, {
    server: { instanceId: 'scm-ci', type: 'jenkins', url: 'http://scm-ci.local' },
    events: [{ eventType: 'scm', project: 'scm-job', projectDisplayName: 'scm-job', buildCiId, number: buildCiId, scmData: { repository, builtRevId: 'head', commits } }],
  });
  expect(res.status, res.text).toBe(200);
}

async function commit(w: Workspace, revision: string): Promise<any> {
  const body = await w.read(`scm_commits?${q(`revision EQ ^${revision}^`)}&fields=${COMMIT_FIELDS}`);
  expect(body.total_count, revision).toBe(1);
  return body.data[0];
}

async function buildId(w: Workspace, buildCiId: string): Promise<string> {
  const body = await w.read(`ci_builds?${q(`ci_job EQ {ci_id EQ ^scm-job^};build_ci_id EQ ^${buildCiId}^`)}`, PREVIEW);
  expect(body.total_count).toBe(1);
  return body.data[0].id;
}

describe('SCM data of a build -> scm_commit', () => {
  let w: Workspace;
  let defect: string;
  let story: string;
  let qstory: string;
  let committer: string;
  beforeAll(async () => {
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: `SCM CI ${w.id}`, instance_id: 'scm-ci', server_type: 'jenkins' });
    defect = await w.add('defects', { name: 'Cart total wrong', phase: PHASE('phase.defect.new') });
    story = await w.add('stories', { name: 'Checkout', phase: PHASE('phase.story.new') });
    qstory = await w.add('quality_stories', { name: 'Cart perf', phase: PHASE('phase.quality_story.new') }, PREVIEW);
    committer = await w.user('Carol', 'Committer');
  });

  it('changed files, parent revision, author, time and repository are stored and served', async () => {
    const email = `carol.committer.${w.id}@example.com`;
    await scmEvent('1', [
      {
        revId: 'c1-rev',
        parentRevId: 'c0-rev',
        user: 'carol',
        userEmail: email,
        time: T0 - 60_000,
        comment: 'Cart: round totals',
        changes: [
          { type: 'edit', file: 'src/cart.ts', addedLines: [{ start: 3, end: 4 }] },
          { type: 'add', file: 'src/round.ts' },
          { type: 'delete', file: 'src/old.ts', renamedToFile: 'src/round.ts' },
          { type: 'edit' },
        ],
      },
    ]);
    const c = await commit(w, 'c1-rev');
    expect(c).toMatchObject({
      revision: 'c1-rev',
      parent_revision: 'c0-rev',
      comment: 'Cart: round totals',
      user: 'carol',
      email,
      commit_time: iso(T0 - 60_000),
      workspace_user: { type: 'workspace_user', id: committer },
    });
    // a change without a file carries nothing to show
    expect(c.changed_files).toEqual([
      { type: 'edit', file: 'src/cart.ts' },
      { type: 'add', file: 'src/round.ts' },
      { type: 'delete', file: 'src/old.ts', renamed_to_file: 'src/round.ts' },
    ]);
    expect(c.repositories).toEqual([{ type: 'git', url: 'git@example.com:shop.git', branch: 'main' }]);
    expect(idsOf(c.ci_build)).toEqual([await buildId(w, '1')]);
  });

  it('changed_files and repositories are not returned by default (object fields), but are listed in metadata', async () => {
    const c = await commit(w, 'c1-rev');
    const plain = await w.read(`scm_commits/${c.id}`);
    expect(plain.changed_files).toBeUndefined();
    expect(plain.revision).toBe('c1-rev');
    const meta = await w.read(`metadata/fields?${q("entity_name EQ 'scm_commit'")}`);
    const byName = Object.fromEntries(meta.data.map((f: any) => [f.name, f]));
    for (const name of ['changed_files', 'repositories', 'parent_revision']) {
      expect(byName[name], name).toMatchObject({ editable: false });
    }
  });

  it('the message links the backlog items it names by type; an id of another type or a bare "#id" links nothing', async () => {
    await scmEvent('2', [
      { revId: 'c2-rev', comment: `fixing defect #${defect} for user story ${story}, see #${story}`, time: T0 },
      { revId: 'c3-rev', comment: `QS#${qstory} and US#${story}; defect #${story} is not a defect`, time: T0 },
      { revId: 'c4-rev', comment: `bare #${defect} and user story #987654321 (missing)`, time: T0 },
    ]);
    expect(idsOf((await commit(w, 'c2-rev')).stories)).toEqual(sorted([defect, story]));
    expect(idsOf((await commit(w, 'c3-rev')).stories)).toEqual(sorted([qstory, story]));
    expect((await commit(w, 'c4-rev')).stories).toMatchObject({ total_count: 0, data: [] });
    // the backlog item lists its commits
    const commits = await w.read(`scm_commits?${q(`stories EQ {id EQ ${story}}`)}&fields=revision&order_by=revision`);
    expect(commits.data.map((c: any) => c.revision)).toEqual(['c2-rev', 'c3-rev']);
  });

  it('a message over 255 characters is kept to its first 255', async () => {
    const long = `defect #${defect} ${'x'.repeat(400)}`;
    await scmEvent('3', [{ revId: 'c5-rev', comment: long, time: T0 }]);
    const c = await commit(w, 'c5-rev');
    expect(c.comment).toBe(long.slice(0, 255));
    expect(idsOf(c.stories)).toEqual([defect]);
  });

  it('the same commit in another build and branch: one commit, linked to both builds, with both repositories', async () => {
    await scmEvent('4', [{ revId: 'c1-rev', comment: 'Cart: round totals', time: T0 - 60_000, changes: [{ type: 'edit', file: 'ignored.ts' }] }], { type: 'git', url: 'git@example.com:shop.git', branch: 'release/1' });
    const c = await commit(w, 'c1-rev');
    expect(idsOf(c.ci_build)).toEqual(sorted([await buildId(w, '1'), await buildId(w, '4')]));
    expect(c.repositories).toEqual([
      { type: 'git', url: 'git@example.com:shop.git', branch: 'main' },
      { type: 'git', url: 'git@example.com:shop.git', branch: 'release/1' },
    ]);
    // the files of a commit do not change
    expect(c.changed_files).toHaveLength(3);
    expect(idsOf((await w.read(`ci_builds/${await buildId(w, '4')}?fields=commits`)).commits)).toEqual([c.id]);
  });

  it('SCM data sent with a started event is stored too', async () => {
    const res = await t.put(`${internal}/events`, {
      server: { instanceId: 'scm-ci' },
      events: [{ eventType: 'started', project: 'scm-job', buildCiId: '5', number: '5', startTime: T0, scmData: { commits: [{ revId: 'c6-rev', comment: 'started with scm', changes: [{ type: 'add', file: 'a.txt' }] }] } }],
    });
    expect(res.status).toBe(200);
    const c = await commit(w, 'c6-rev');
    expect(c.changed_files).toEqual([{ type: 'add', file: 'a.txt' }]);
    expect(c.repositories).toEqual([]);
    expect(idsOf(c.ci_build)).toEqual([await buildId(w, '5')]);
  });

  it('CI-reported commit fields are read-only: PUT changed_files / repositories / parent_revision -> 400', async () => {
    const c = await commit(w, 'c1-rev');
    for (const [field, value] of [
      ['changed_files', []],
      ['repositories', []],
      ['parent_revision', 'x'],
    ] as const) {
      const res = await w.put(`scm_commits/${c.id}`, { [field]: value });
      expectOctaneError(res, 400, 'platform.field_validation_error');
      expect(res.body.properties, field).toMatchObject({ entity_type: 'scm_commit', field_name: field });
    }
    expect((await commit(w, 'c1-rev')).changed_files).toHaveLength(3);
  });
});

describe('PUT /api/shared_spaces/{sid}/scm-commits (the plugins\' SCM data REST API)', () => {
  let w: Workspace;
  let story: string;
  const url = (query: string) => `/api/shared_spaces/${t.app.emulator.defaults.sharedSpaceId}/scm-commits?${query}`;
  const SCM = (rev: string, comment: string) => ({
    repository: { type: 'git', url: 'https://git.example.com/rest.git', branch: 'main' },
    builtRevId: rev,
    commits: [{ revId: rev, parentRevId: `${rev}-parent`, user: 'erin', userEmail: 'erin@example.com', time: T0, comment, changes: [{ type: 'edit', file: 'rest/api.ts' }] }],
  });
  beforeAll(async () => {
    w = await freshWorkspace(t);
    await w.add('ci_servers', { name: `REST SCM CI ${w.id}`, instance_id: 'rest-scm-ci' });
    await w.add('pipelines', { name: `REST SCM ${w.id}`, server_ci_id: 'rest-scm-ci', root_job_ci_id: 'folder/rest job', jobs: [{ jobCiId: 'folder/rest job' }] });
    story = await w.add('stories', { name: 'REST commits', phase: PHASE('phase.story.new') });
  });

  it('the build\'s SCM data becomes commits of that build, in the workspace of its job (200)', async () => {
    const res = await t.put(url(`instance-id=rest-scm-ci&job-ci-id=${encodeURIComponent('folder/rest job')}&build-ci-id=8`), SCM('rest-1', `user story #${story}`));
    expect(res.status, res.text).toBe(200);
    const c = await w.read(`scm_commits?${q('revision EQ ^rest-1^')}&fields=parent_revision,changed_files,repositories,stories,ci_build{build_ci_id,ci_job}`);
    expect(c.total_count).toBe(1);
    expect(c.data[0]).toMatchObject({ parent_revision: 'rest-1-parent', changed_files: [{ type: 'edit', file: 'rest/api.ts' }], repositories: [{ url: 'https://git.example.com/rest.git', branch: 'main' }] });
    expect(idsOf(c.data[0].stories)).toEqual([story]);
    expect(c.data[0].ci_build.data.map((b: any) => b.build_ci_id)).toEqual(['8']);
  });

  it('a base64-encoded job id (isBase64=true) names the same job', async () => {
    const job = Buffer.from('folder/rest job').toString('base64');
    const res = await t.put(url(`instance-id=rest-scm-ci&job-ci-id=${encodeURIComponent(job)}&build-ci-id=8&isBase64=true`), SCM('rest-2', 'more'));
    expect(res.status, res.text).toBe(200);
    const c = await w.read(`scm_commits?${q('revision EQ ^rest-2^')}&fields=ci_build`);
    const first = await w.read(`scm_commits?${q('revision EQ ^rest-1^')}&fields=ci_build`);
    expect(idsOf(c.data[0].ci_build)).toEqual(idsOf(first.data[0].ci_build));
    expect((await w.read(`ci_jobs?${q('ci_id EQ ^folder/rest job^')}`, PREVIEW)).total_count).toBe(1);
  });

  it('no build named, a body that is not SCM data or of the wrong types -> 400; GET -> 405; no session -> 401', async () => {
    expectOctaneError(await t.put(url('instance-id=rest-scm-ci&job-ci-id=x'), SCM('r', 'c')), 400, 'platform.bad_request');
    expectOctaneError(await t.put(url('instance-id=rest-scm-ci&job-ci-id=x&build-ci-id=1'), [1]), 400, 'platform.bad_request');
    expectOctaneError(await t.put(url('instance-id=rest-scm-ci&job-ci-id=x&build-ci-id=1'), { commits: 'none' }), 400, 'platform.bad_request');
    expect((await t.get(url('instance-id=rest-scm-ci&job-ci-id=x&build-ci-id=1'))).status).toBe(405);
    const anonymous = await t.app.inject({ method: 'PUT', url: url('instance-id=rest-scm-ci&job-ci-id=x&build-ci-id=1'), payload: SCM('r', 'c') });
    expect(anonymous.statusCode).toBe(401);
    expect((await w.read(`ci_jobs?${q('ci_id EQ ^x^')}`, PREVIEW)).total_count).toBe(0);
  });
});

describe('commit message mentions', () => {
  const m = (message: string) => mentionedItems(message).map((x) => `${x.type}:${x.id}`);

  it('spelled-out types, with or without "#", any case, lists of ids', () => {
    expect(m('Fixing defect #12')).toEqual(['defect:12']);
    expect(m('DEFECT 12, user story #45 and Quality Story 7')).toEqual(['defect:12', 'story:45', 'quality_story:7']);
    expect(m('user stories #1, #2 and #3')).toEqual(['story:1', 'story:2', 'story:3']);
    expect(m('defects: 4, 5')).toEqual(['defect:4', 'defect:5']);
    expect(m('story 8 / bug #9')).toEqual(['story:8', 'defect:9']);
  });

  it('short forms need the "#"', () => {
    expect(m('US#45, QS #7, D#12')).toEqual(['story:45', 'quality_story:7', 'defect:12']);
    expect(m('US 45 and D 12 are not mentions; neither is ID #4')).toEqual([]);
  });

  it('a bare "#id" or a number without a type is no mention; each mention counts once', () => {
    expect(m('#123 fixes the build, see 456')).toEqual([]);
    expect(m('defect #3 ... defect 3 again, DEFECT #3')).toEqual(['defect:3']);
  });
});
