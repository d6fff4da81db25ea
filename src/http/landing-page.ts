// The page at `/`: what this server is, a link to the API docs, and, for a signed-in caller, the
// workspaces it may enter with their collections and how many entities each holds. It loads
// without a session; signed out, it says how to sign in (and offers a small sign-in form).
// Everything printed is escaped: entity names come from users.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessOf } from '../auth/access.js';
import { authenticate, type Caller } from '../auth/authentication.js';
import type { Emulator } from '../emulator.js';
import { PACKAGE_VERSION } from '../package-info.js';
import type { RequestContext } from '../resources/context.js';
import type { ResolvedEntity } from '../resources/registry.js';
import { tableOf } from '../store/schema-sync.js';
import { OCTANE_VERSION } from './admin-routes.js';
import { basePath } from './entity-routes.js';
import { DOCS_PREFIX } from './openapi.js';

/** Workspaces listed with their collections; more are only counted. */
export const MAX_LISTED_WORKSPACES = 20;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The caller of the request if it carries a valid session or credentials; otherwise nobody. */
function callerOf(emulator: Emulator, request: FastifyRequest): Caller | undefined {
  try {
    return authenticate(emulator, request);
  } catch {
    return undefined;
  }
}

/** The caller's name as the server knows it (not the OCTANE_USER cookie, which the client holds). */
function displayName(emulator: Emulator, caller: Caller): string {
  const { sql, registry } = emulator;
  const key = caller.principal.startsWith('api_key:');
  const row = sql.get<{ name: string | null; client_id?: string | null }>(
    sql.qb
      .selectFrom(tableOf(registry.entity(key ? 'api_access' : 'user').store))
      .select(key ? ['name', 'client_id'] : ['name'])
      .where('id', '=', caller.userId),
  );
  if (!row) return caller.name;
  return key ? `API key ${row.client_id ?? ''} (${row.name ?? ''})` : (row.name ?? caller.name);
}

interface WorkspaceSummary {
  sharedSpace: { id: string; name: string };
  workspace: { id: string; name: string };
  collections: Array<{ name: string; count: number; preview: boolean }>;
}

/** The workspaces the caller may enter, each with the count of every workspace collection. */
function workspacesOf(emulator: Emulator, caller: Caller): { listed: WorkspaceSummary[]; more: number } {
  const { service, registry } = emulator;
  const access = accessOf(emulator, caller);
  const base: RequestContext = {
    sharedSpaceId: -1,
    workspaceId: null,
    userId: caller.principal.startsWith('user:') ? caller.userId : null,
    now: emulator.clock.now(),
    system: false,
    visible: { spaces: access.spaces(), workspaces: null },
  };
  const page = { limit: 1000, offset: 0, fields: [{ name: 'name' }] };
  const collections = registry.entities.filter((e): e is ResolvedEntity => e.level === 'workspace' && e.methods.collection.includes('GET'));
  const listed: WorkspaceSummary[] = [];
  let more = 0;
  for (const space of service.list(base, registry.entity('shared_space'), page).data) {
    const sid = Number(space.id);
    const spaceCtx: RequestContext = { ...base, sharedSpaceId: sid, visible: { spaces: access.spaces(), workspaces: access.workspaces(sid) } };
    for (const ws of service.list(spaceCtx, registry.entity('workspace'), page).data) {
      if (listed.length >= MAX_LISTED_WORKSPACES) {
        more++;
        continue;
      }
      const wsCtx: RequestContext = { ...spaceCtx, workspaceId: Number(ws.id) };
      listed.push({
        sharedSpace: { id: String(space.id), name: String(space.name ?? '') },
        workspace: { id: String(ws.id), name: String(ws.name ?? '') },
        collections: collections.map((e) => ({ name: e.collection, count: service.count(wsCtx, e), preview: e.preview === true })),
      });
    }
  }
  return { listed, more };
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}code{background:#f3f3f3;padding:0 .2em}
table{border-collapse:collapse}td{padding:.1rem .8rem .1rem 0}td.n{text-align:right}.p{color:#888;font-size:.85em}
form{display:flex;gap:.5rem;flex-wrap:wrap}input{padding:.3rem}`;

// Static script (no data from the server in it): signs in or out with fetch, then reloads.
const SCRIPT = `document.getElementById('sign-in')?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  const res = await fetch('/authentication/sign_in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: f.user.value, password: f.password.value }) });
  if (res.ok) location.reload(); else document.getElementById('sign-in-error').textContent = 'Sign-in failed (' + res.status + ')';
});
document.getElementById('sign-out')?.addEventListener('click', async () => {
  await fetch('/authentication/sign_out', { method: 'POST' });
  location.reload();
});`;

export function renderLandingPage(emulator: Emulator, caller: Caller | undefined): string {
  const out: string[] = [];
  out.push(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>octane-emulator</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>${STYLE}</style></head><body>`,
    '<h1>octane-emulator</h1>',
    `<p>A local, stateful emulator of the ALM Octane (ValueEdge) REST API, following Octane ${escapeHtml(OCTANE_VERSION)} (octane-emulator ${escapeHtml(PACKAGE_VERSION)}).</p>`,
    `<p><a href="${DOCS_PREFIX}">API documentation and client (Swagger UI)</a> · <a href="${DOCS_PREFIX}/json">OpenAPI document</a></p>`,
  );
  if (!caller) {
    out.push(
      '<h2>Not signed in</h2>',
      '<p>Sign in with <code>POST /authentication/sign_in</code> and <code>{"user":"…","password":"…"}</code> (an API key signs in as <code>{"client_id":"…","client_secret":"…"}</code>); the server sets the <code>LWSSO_COOKIE_KEY</code> cookie. API clients may send HTTP Basic credentials instead.</p>',
      '<form id="sign-in"><input name="user" placeholder="user" autocomplete="username" required><input name="password" type="password" placeholder="password" autocomplete="current-password" required><button type="submit">Sign in</button><span id="sign-in-error"></span></form>',
    );
  } else {
    const { listed, more } = workspacesOf(emulator, caller);
    out.push(`<p>Signed in as <strong id="user">${escapeHtml(displayName(emulator, caller))}</strong> <button id="sign-out" type="button">Sign out</button></p>`);
    if (!listed.length) out.push('<p>You are not a member of any workspace.</p>');
    for (const w of listed) {
      const base = basePath('workspace').replace(':sid', encodeURIComponent(w.sharedSpace.id)).replace(':wid', encodeURIComponent(w.workspace.id));
      out.push(
        `<h2>${escapeHtml(w.workspace.name)} <span class="p">workspace ${escapeHtml(w.workspace.id)} in shared space ${escapeHtml(w.sharedSpace.name)} (${escapeHtml(w.sharedSpace.id)})</span></h2>`,
        `<table>`,
        ...w.collections.map(
          (c) =>
            `<tr><td><a href="${escapeHtml(`${base}/${encodeURIComponent(c.name)}`)}">${escapeHtml(c.name)}</a>${c.preview ? ' <span class="p">technical preview</span>' : ''}</td><td class="n">${c.count}</td></tr>`,
        ),
        '</table>',
      );
    }
    if (more) out.push(`<p>… and ${more} more workspace(s).</p>`);
  }
  out.push(`<script>${SCRIPT}</script></body></html>`);
  return out.join('\n');
}

export function registerLandingPage(app: FastifyInstance, emulator: Emulator): void {
  app.get('/', async (request, reply) => {
    const html = renderLandingPage(emulator, callerOf(emulator, request));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
}
