// A fresh workspace of the test app's shared space (seeded from the workspace template), so that
// counts and id lists in a test are exact: nothing but the seed and what the test creates is there.
// Requests go to `/api/shared_spaces/{sid}/workspaces/{wid}/…` exactly as clients write them.

import { expect } from 'vitest';
import { PREVIEW, ref, type Reply, type TestApp } from './app.js';
import { q } from './octane.js';

export type Ref = { type: string; id: string };

export const PHASE = (logicalName: string): Ref => ref('phase', logicalName);
export const LIST = (logicalName: string): Ref => ref('list_node', logicalName);
export const many = (...refs: Ref[]) => ({ data: refs });

export class Workspace {
  /** the seeded work item root ("Backlog"), requirement root and root application module */
  rootId = '';
  requirementRootId = '';
  productAreaRootId = '';

  constructor(
    readonly t: TestApp,
    /** `/api/shared_spaces/{sid}/workspaces/{wid}` */
    readonly path: string,
    readonly id: string,
  ) {}

  url(rest: string): string {
    return `${this.path}/${rest}`;
  }

  get<T = any>(rest: string, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.t.get(this.url(rest), headers);
  }

  post<T = any>(rest: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.t.post(this.url(rest), body, headers);
  }

  put<T = any>(rest: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.t.put(this.url(rest), body, headers);
  }

  del<T = any>(rest: string, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.t.del(this.url(rest), headers);
  }

  /** POSTs one entity; fails the test unless it is created. Returns its id. */
  async add(collection: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
    const r = await this.post(collection, { data: [body] }, headers);
    if (r.status !== 201) throw new Error(`create ${collection} ${JSON.stringify(body).slice(0, 200)}: ${r.status} ${r.text}`);
    return r.body.data[0].id as string;
  }

  /** A GET that must answer 200; returns the body. */
  async read(rest: string, headers?: Record<string, string>): Promise<any> {
    const r = await this.get(rest, headers);
    expect(r.status, `GET ${rest}: ${r.text}`).toBe(200);
    return r.body;
  }

  /** The ids a collection GET answers, in the answer's order; checks total_count against them. */
  async ids(rest: string, headers?: Record<string, string>): Promise<string[]> {
    const body = await this.read(rest, headers);
    const ids = (body.data as Array<{ id: string }>).map((e) => e.id);
    expect(body.total_count, `total_count of GET ${rest}`).toBe(ids.length);
    return ids;
  }

  /**
   * A user of the shared space holding the team member role in this workspace (users live in the
   * shared space; membership is a workspace role).
   */
  async user(firstName: string, lastName = 'Tester'): Promise<string> {
    const roles = await this.t.get(`${this.t.space}/workspace_roles?${q(`workspace EQ {id EQ ${this.id}};role EQ {logical_name EQ ^role.workspace.team.member^}`)}`);
    expect(roles.status, roles.text).toBe(200);
    expect(roles.body.total_count).toBe(1);
    const email = `${firstName.toLowerCase()}.${lastName.toLowerCase()}.${this.id}@example.com`;
    const r = await this.t.post(
      `${this.t.space}/users`,
      { data: [{ email, first_name: firstName, last_name: lastName, password: 'Welcome1!', workspace_roles: many(ref('workspace_role', roles.body.data[0].id)) }] },
      PREVIEW,
    );
    if (r.status !== 201) throw new Error(`create user ${firstName}: ${r.status} ${r.text}`);
    return r.body.data[0].id as string;
  }

  /** Sets the server clock (entities get creation_time / started from it). */
  freeze(iso: string): void {
    this.t.app.emulator.clock.freeze(new Date(iso));
  }

  unfreeze(): void {
    this.t.app.emulator.clock.reset();
  }

  /** The numeric id of a seeded entity known by its logical name. */
  async idOf(collection: string, logicalName: string): Promise<string> {
    const body = await this.read(`${collection}?${q(`logical_name EQ ^${logicalName}^`)}&fields=id`);
    expect(body.total_count, `${collection} ${logicalName}`).toBe(1);
    return body.data[0].id as string;
  }
}

/** A new workspace in the app's shared space, with its seeded roots looked up. */
export async function freshWorkspace(t: TestApp, name = `ws-${Math.random().toString(36).slice(2, 10)}`): Promise<Workspace> {
  const r = await t.post(`${t.space}/workspaces`, { data: [{ name }] });
  if (r.status !== 201) throw new Error(`create workspace: ${r.status} ${r.text}`);
  const id = r.body.data[0].id as string;
  const w = new Workspace(t, `${t.space}/workspaces/${id}`, id);
  const roots = await w.read('work_item_roots');
  expect(roots.total_count).toBe(1);
  w.rootId = roots.data[0].id;
  const reqRoots = await w.read('requirement_roots');
  expect(reqRoots.total_count).toBe(1);
  w.requirementRootId = reqRoots.data[0].id;
  w.productAreaRootId = await w.idOf('product_areas', 'product_area.root');
  return w;
}

/** Sorted copy, for comparing id sets. */
export const sorted = (xs: readonly string[]): string[] => [...xs].sort((a, b) => Number(a) - Number(b));

/** `query="<statement>"` plus further parameters. */
export function qs(statement: string, extra?: string): string {
  return extra ? `${q(statement)}&${extra}` : q(statement);
}
