// The landing page at `/`: it loads without a session and says how to sign in; signed in, it
// shows the user and each workspace the caller may enter with its collections and their counts.
// Everything it prints is escaped.

import { afterAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/http/landing-page.js';
import { makeApp, PREVIEW, signIn } from '../helpers/app.js';

const t = await makeApp();
afterAll(() => t.close());

const page = async (cookies?: Record<string, string>, headers: Record<string, string> = {}) => {
  const res = await t.app.inject({ method: 'GET', url: '/', cookies, headers });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  return res.body;
};

/** The count printed next to a collection link of a workspace. */
function countOf(html: string, wsUrl: string, collection: string): number | undefined {
  const m = new RegExp(`<a href="${wsUrl}/${collection}">${collection}</a>[^<]*(?:<span[^>]*>[^<]*</span>)?</td><td class="n">(\\d+)</td>`).exec(html);
  return m ? Number(m[1]) : undefined;
}

describe('signed out', () => {
  it('says what this is, links to the API docs, and how to sign in; lists no workspace', async () => {
    const html = await page();
    expect(html).toContain('<h1>octane-emulator</h1>');
    expect(html).toContain('href="/api-docs"');
    expect(html).toContain('Not signed in');
    expect(html).toContain('POST /authentication/sign_in');
    expect(html).toContain('<form id="sign-in">');
    expect(html).not.toContain(t.ws);
  });

  it('an invalid or expired session cookie is just "signed out", not a 401', async () => {
    const html = await page({ LWSSO_COOKIE_KEY: 'not-a-session' });
    expect(html).toContain('Not signed in');
  });
});

describe('signed in', () => {
  it('shows the user and every collection of the workspace with its count', async () => {
    const [a] = await t.create('defects', { name: 'landing 1', parent: { type: 'work_item_root', id: 'work_item_root' } });
    expect(a).toBeDefined();
    const html = await page(t.cookies);
    expect(html).toContain('Signed in as <strong id="user">sa@nga</strong>');
    expect(html).toContain('default_workspace');
    const defects = await t.get(`${t.ws}/defects?limit=1`);
    const phases = await t.get(`${t.ws}/phases?limit=1`);
    const quality = await t.get(`${t.ws}/quality_stories?limit=1`, PREVIEW);
    expect(countOf(html, t.ws, 'defects')).toBe(defects.body.total_count);
    expect(countOf(html, t.ws, 'phases')).toBe(phases.body.total_count);
    expect(phases.body.total_count).toBeGreaterThan(10);
    expect(countOf(html, t.ws, 'quality_stories')).toBe(quality.body.total_count);
    expect(html).toMatch(/quality_stories<\/a> <span class="p">technical preview<\/span>/);
    for (const e of t.app.emulator.registry.entities.filter((x) => x.level === 'workspace' && x.methods.collection.includes('GET'))) {
      expect(countOf(html, t.ws, e.collection), e.collection).toBeTypeOf('number');
    }
  });

  it('HTTP Basic works as well as the session', async () => {
    const html = await page(undefined, { authorization: `Basic ${Buffer.from('sa@nga:Welcome1').toString('base64')}` });
    expect(html).toContain('Signed in as <strong id="user">sa@nga</strong>');
  });

  it('lists only the workspaces the caller may enter', async () => {
    const user = await t.post(`${t.space}/users`, { data: [{ name: 'landing-outsider@example.com', email: 'landing-outsider@example.com', first_name: 'L', last_name: 'O', password: 'Landing-1' }] }, PREVIEW);
    expect(user.status).toBe(201);
    const html = await page(await signIn(t.app, 'landing-outsider@example.com', 'Landing-1'));
    expect(html).toContain('landing-outsider@example.com');
    expect(html).toContain('You are not a member of any workspace.');
    expect(html).not.toContain(t.ws);
  });

  it('escapes what it prints: a workspace named with HTML shows as text', async () => {
    const evil = `<img src=x onerror="alert(1)">'&`;
    const ws = await t.post(`${t.space}/workspaces`, { data: [{ name: evil }] });
    expect(ws.status).toBe(201);
    const html = await page(t.cookies);
    expect(html).not.toContain(evil);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;');
    expect(escapeHtml(`<a href="x">'&</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&lt;/a&gt;');
    // the new workspace is listed with its own collections
    expect(countOf(html, `${t.space}/workspaces/${ws.body.data[0].id}`, 'defects')).toBe(0);
  });
});
