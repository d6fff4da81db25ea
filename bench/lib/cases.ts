// The HTTP cases of bench/run.ts: what request each sends to the emulator, and how the bare
// baseline replays the SQL captured from it.

import type { GeneratedData } from './generate.js';

export interface CaseContext {
  data: GeneratedData;
  /** /api/shared_spaces/<sid>/workspaces/<wid> */
  ws: string;
}

export interface CaseRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
  /** no session cookie (sign-in) */
  anonymous?: boolean;
}

export interface HttpCase {
  name: string;
  title: string;
  /** list cases run at every size (growth); the others at the main size only */
  kind: 'list' | 'read' | 'write';
  /** the list case selects the same rows at every size >= 100,000 (indexed growth goal) */
  constantMatches?: boolean;
  request(ctx: CaseContext): CaseRequest;
  /** how the bare baseline gets its SQL */
  bare: string;
  /** capture the request twice to find per-request values (tokens, times) */
  captureTwice?: boolean;
  /** one connection and a fixed number of requests: each request consumes prepared rows or is heavy */
  heavy?: boolean;
  /** DELETE by query: requests address blocks of prepared rows */
  pools?: boolean;
}

const q = (query: string) => encodeURIComponent(`"${query}"`);
export const CROSS_FILTER =
  'release EQ {name EQ ^R1*^};phase EQ {logical_name EQ ^phase.defect.opened^};severity EQ {id EQ ^list_node.severity.high^}';

const release = (ctx: CaseContext, name: string) => {
  const r = ctx.data.releases.find((x) => x.name === name);
  if (!r) throw new Error(`no release ${name}`);
  return r.id;
};

function defectBody(ctx: CaseContext, i: number): Record<string, unknown> {
  const d = ctx.data;
  return {
    name: `Bench defect ${i}: export fails`,
    description: '<p>Created by the benchmark.</p>',
    parent: { type: 'work_item_root', id: String(d.root) },
    phase: { type: 'phase', id: String(d.phases['phase.defect.new']) },
    severity: { type: 'list_node', id: String(d.listNodes['list_node.severity.high']) },
    release: { type: 'release', id: String(release(ctx, 'R1')) },
    owner: { type: 'workspace_user', id: String(d.users[3]) },
  };
}

const READ = 'captured SQL, replayed as is';
const WRITE = 'captured SQL; ids from the sequence, fresh per request';

export const HTTP_CASES: HttpCase[] = [
  {
    name: 'get-by-id',
    title: 'GET defects/{id} (default fields)',
    kind: 'read',
    bare: READ,
    request: (ctx) => ({ method: 'GET', path: `${ctx.ws}/defects/${ctx.data.sample.defect}` }),
  },
  {
    name: 'list',
    title: 'GET defects, release filter, fields=6, limit=50 (5,000 matches)',
    kind: 'list',
    constantMatches: true,
    bare: READ,
    request: (ctx) => ({
      method: 'GET',
      path: `${ctx.ws}/defects?fields=name,phase,severity,owner,release,creation_time&limit=50&query=${q(`release EQ {id EQ ${release(ctx, 'R1')}}`)}`,
    }),
  },
  {
    name: 'cross-filter',
    title: 'GET defects, cross-filter of issue 4, order_by=-creation_time, limit=50',
    kind: 'list',
    constantMatches: true,
    bare: READ,
    request: (ctx) => ({ method: 'GET', path: `${ctx.ws}/defects?query=${q(CROSS_FILTER)}&order_by=-creation_time&limit=50` }),
  },
  {
    name: 'work-items-subtype',
    title: 'GET work_items, subtype EQ ^story^, fields=4, limit=50',
    kind: 'list',
    bare: READ,
    request: (ctx) => ({ method: 'GET', path: `${ctx.ws}/work_items?fields=name,subtype,phase,owner&limit=50&query=${q('subtype EQ ^story^')}` }),
  },
  {
    name: 'total-count',
    title: 'GET defects, total_count of release EQ {name EQ ^R*^} (100,000 matches), limit=1',
    kind: 'list',
    constantMatches: true,
    bare: READ,
    request: (ctx) => ({ method: 'GET', path: `${ctx.ws}/defects?fields=id&limit=1&query=${q('release EQ {name EQ ^R*^}')}` }),
  },
  {
    name: 'list-all',
    title: 'GET defects, no filter, fields=3, limit=50 (total_count of every defect)',
    kind: 'list',
    bare: READ,
    request: (ctx) => ({ method: 'GET', path: `${ctx.ws}/defects?fields=name,phase,severity&limit=50` }),
  },
  {
    name: 'put',
    title: 'PUT defects/{id} (name, severity)',
    kind: 'write',
    bare: 'captured SQL, replayed as is (same row)',
    request: (ctx) => ({
      method: 'PUT',
      path: `${ctx.ws}/defects/${ctx.data.sample.defect}`,
      body: JSON.stringify({ name: 'Renamed by the benchmark', severity: { type: 'list_node', id: String(ctx.data.listNodes['list_node.severity.urgent']) } }),
    }),
  },
  {
    name: 'post',
    title: 'POST defects, one defect',
    kind: 'write',
    captureTwice: true,
    bare: WRITE,
    request: (ctx) => ({ method: 'POST', path: `${ctx.ws}/defects`, body: JSON.stringify({ data: [defectBody(ctx, 1)] }) }),
  },
  {
    name: 'bulk-post',
    title: 'POST defects, 1,000 defects in one request',
    kind: 'write',
    heavy: true,
    bare: WRITE,
    request: (ctx) => ({ method: 'POST', path: `${ctx.ws}/defects`, body: JSON.stringify({ data: Array.from({ length: 1000 }, (_, i) => defectBody(ctx, i)) }) }),
  },
  {
    name: 'delete-query',
    title: 'DELETE defects?query=release EQ {id EQ …} (1,000 rows each)',
    kind: 'write',
    heavy: true,
    pools: true,
    bare: 'captured SQL of one block, ids shifted to the next block per request',
    // the path is replaced per request (bench/run.ts): each request deletes another block
    request: () => ({ method: 'DELETE', path: '' }),
  },
  {
    name: 'sign-in',
    title: 'POST /authentication/sign_in',
    kind: 'write',
    captureTwice: true,
    bare: 'captured SQL; a fresh session token per request (no password hash)',
    request: () => ({ method: 'POST', path: '/authentication/sign_in', anonymous: true, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) }),
  },
];

/** Cases that are not HTTP load: ingestion, cold start, memory. */
export const OTHER_CASES = ['ingest', 'cold-start', 'rss'] as const;

export const ALL_CASES = [...HTTP_CASES.map((c) => c.name), ...OTHER_CASES];
