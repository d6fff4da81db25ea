// Summaries of V8 CPU profiles (.cpuprofile, as written by `node --cpu-prof` or the inspector):
// self and inclusive time per function, and time per category (SQLite, kysely, Fastify, JSON
// serialisation, GC, the emulator's own files).

import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  key: string;
  category: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** time not idle: everything but (idle) */
  busyMs: number;
  functions: FunctionTime[];
  categories: Array<{ category: string; selfMs: number }>;
  /** inclusive time of a few groups (a function counted once per stack) */
  inclusive: Array<{ group: string; totalMs: number }>;
}

const SQLITE_NATIVE = new Set(['all', 'get', 'run', 'iterate', 'exec', 'prepare', 'pluck', 'raw', 'bind', 'transaction', 'pragma']);

/** The benchmark's compiled build (bench/lib/build.ts) stands for the sources it was built from. */
const BUILD = /\/octane-emulator-bench\/build[^/]*\/(.*)$/;

function shortUrl(url: string): string {
  if (!url) return '';
  const built = BUILD.exec(url);
  if (built) return built[1].replace(/\.js$/, '.ts');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /\/(src|bench|migrations)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return url.replace(/^file:\/\//, '');
}

/** Whether a native frame is a better-sqlite3 statement call (a native `run` may also be, say, a crypto job's). */
function isSqliteNative(frame: CallFrame, parent?: CallFrame): boolean {
  return !frame.url && SQLITE_NATIVE.has(frame.functionName) && !(parent?.url ?? '').startsWith('node:');
}

export function categoryOf(frame: CallFrame, parent?: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'program (V8, native)';
  if (!url) {
    if (isSqliteNative(frame, parent)) return 'SQLite (better-sqlite3 native)';
    if (parent?.url.startsWith('node:')) return `node: ${parent.url.slice(5).split('/').slice(-1)[0]} (native)`;
    if (/stringify|JSON/i.test(functionName)) return 'JSON serialisation';
    return 'native / builtins';
  }
  const built = BUILD.exec(url);
  if (built) return built[1].replace(/\.js$/, '.ts');
  if (url.includes('node_modules/kysely')) return 'kysely (build + compile)';
  if (url.includes('node_modules/better-sqlite3')) return 'better-sqlite3 (JS)';
  if (url.includes('fast-json-stringify') || url.includes('node_modules/fastify/lib/reply') && /serial/i.test(functionName)) return 'JSON serialisation';
  if (/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-querystring|content-type|secure-json-parse|toad-cache|process-warning)/.test(url)) return 'Fastify';
  if (url.includes('node_modules/autocannon')) return 'autocannon';
  if (url.includes('node_modules/')) return `other: ${shortUrl(url).split('/')[0]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const m = /\/(src|bench)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return 'other';
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
}

/** Groups whose inclusive time is shown: a frame belongs to a group when its category or key matches. */
const GROUPS: Array<[string, (f: CallFrame, key: string, parent?: CallFrame) => boolean]> = [
  ['SQLite statements (native all/get/run)', (f, _k, parent) => isSqliteNative(f, parent)],
  ['kysely (build + compile)', (f) => f.url.includes('node_modules/kysely')],
  ['Sql.all/get/run/prepared (src/store/database.ts)', (f) => /\/src\/store\/database\./.test(f.url)],
  ['EntityStore (src/store/entity-store.ts)', (f) => /\/src\/store\/entity-store\./.test(f.url)],
  ['QueryCompiler (src/query/to-sql.ts)', (f) => /\/src\/query\/to-sql\./.test(f.url)],
  ['query parser (src/query/parser.ts, lexer.ts)', (f) => /\/src\/query\/(parser|lexer)\./.test(f.url)],
  ['Renderer (src/resources/render.ts)', (f) => /\/src\/resources\/render\./.test(f.url)],
  ['input parsing + validation (src/resources/input.ts)', (f) => /\/src\/resources\/input\./.test(f.url)],
  ['hooks (src/resources/hooks/)', (f) => /\/src\/resources\/hooks\//.test(f.url)],
  ['scope conditions (src/store/scope.ts)', (f) => /\/src\/store\/scope\./.test(f.url)],
  ['authentication + sessions (src/auth/)', (f) => /\/src\/auth\//.test(f.url)],
  ['request context + access (src/http/request-context.ts)', (f) => /\/src\/http\/request-context\./.test(f.url)],
  ['request journal (src/http/journal.ts)', (f) => /\/src\/http\/journal\./.test(f.url)],
  ['test-results ingestion (src/ci/)', (f) => /\/src\/ci\//.test(f.url)],
  ['scrypt (password check)', (f) => /scrypt/i.test(f.functionName) || f.url.includes('crypto/scrypt')],
  ['JSON.stringify / serialisers', (f) => (!f.url && /stringify/i.test(f.functionName)) || f.url.includes('fast-json-stringify') || (f.url.includes('fastify/lib/reply') && /^serialize$/.test(f.functionName))],
  ['JSON.parse (bodies)', (f) => (!f.url && f.functionName === 'parse') || f.url.includes('secure-json-parse')],
  ['GC', (f) => f.functionName === '(garbage collector)'],
];

export function summarise(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const self = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const keyOf = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  const fn = new Map<string, FunctionTime>();
  const groups = new Map<string, number>();
  const total = new Map<number, number>();
  // inclusive time per node (children first)
  const order: ProfileNode[] = [];
  const stack: ProfileNode[] = [profile.nodes[0]];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.children ?? []) stack.push(byId.get(c)!);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    let t = self.get(n.id) ?? 0;
    for (const c of n.children ?? []) t += total.get(c) ?? 0;
    total.set(n.id, t);
  }
  // walk again with the keys and groups on the stack, so that recursion counts once
  const walk = (n: ProfileNode, keysOnStack: Set<string>, groupsOnStack: Set<string>, parent?: CallFrame) => {
    const key = keyOf(n.callFrame);
    let entry = fn.get(key);
    if (!entry) fn.set(key, (entry = { key, category: categoryOf(n.callFrame, parent), selfMs: 0, totalMs: 0 }));
    entry.selfMs += self.get(n.id) ?? 0;
    const addKey = !keysOnStack.has(key);
    if (addKey) entry.totalMs += total.get(n.id) ?? 0;
    const added: string[] = [];
    for (const [g, test] of GROUPS) {
      if (!groupsOnStack.has(g) && test(n.callFrame, key, parent)) {
        groups.set(g, (groups.get(g) ?? 0) + (total.get(n.id) ?? 0));
        groupsOnStack.add(g);
        added.push(g);
      }
    }
    if (addKey) keysOnStack.add(key);
    for (const c of n.children ?? []) walk(byId.get(c)!, keysOnStack, groupsOnStack, n.callFrame);
    if (addKey) keysOnStack.delete(key);
    for (const g of added) groupsOnStack.delete(g);
  };
  walk(profile.nodes[0], new Set(), new Set());
  const functions = [...fn.values()];
  const cats = new Map<string, number>();
  for (const f of functions) cats.set(f.category, (cats.get(f.category) ?? 0) + f.selfMs);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const idle = cats.get('idle') ?? 0;
  return {
    totalMs,
    busyMs: totalMs - idle,
    functions,
    categories: [...cats.entries()].map(([category, selfMs]) => ({ category, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    inclusive: [...groups.entries()].map(([group, totalMs]) => ({ group, totalMs })).sort((a, b) => b.totalMs - a.totalMs),
  };
}

/** A text report: categories, groups (inclusive), top functions by self and by inclusive time. */
export function formatSummary(s: ProfileSummary, opts: { top?: number; requests?: number; title?: string } = {}): string {
  const top = opts.top ?? 25;
  const pct = (ms: number) => `${((ms / Math.max(s.busyMs, 1e-9)) * 100).toFixed(1).padStart(5)}%`;
  const perReq = (ms: number) => (opts.requests ? `${((ms * 1000) / opts.requests).toFixed(1).padStart(8)} µs/req` : '');
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  lines.push(`profile ${s.totalMs.toFixed(0)} ms, busy ${s.busyMs.toFixed(0)} ms${opts.requests ? `, ${opts.requests} requests, ${((s.busyMs * 1000) / opts.requests).toFixed(0)} µs busy per request` : ''} (percentages of busy time)`);
  lines.push('', 'self time by category:');
  for (const c of s.categories.filter((c) => c.category !== 'idle').slice(0, 20)) lines.push(`  ${pct(c.selfMs)} ${c.selfMs.toFixed(0).padStart(7)} ms ${perReq(c.selfMs)}  ${c.category}`);
  lines.push('', 'inclusive time of groups (callees included):');
  for (const g of s.inclusive) lines.push(`  ${pct(g.totalMs)} ${g.totalMs.toFixed(0).padStart(7)} ms ${perReq(g.totalMs)}  ${g.group}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const f of [...s.functions].filter((f) => f.category !== 'idle').sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) {
    lines.push(`  ${pct(f.selfMs)} ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.key}`);
  }
  lines.push('', `top ${top} functions by inclusive time (emulator code and libraries):`);
  for (const f of [...s.functions]
    .filter((f) => !['idle', 'program (V8, native)', 'GC'].includes(f.category) && !/^\((root|anonymous)\)/.test(f.key) && f.key.trim() !== '')
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top)) {
    lines.push(`  ${pct(f.totalMs)} ${f.totalMs.toFixed(0).padStart(7)} ms  ${f.key}`);
  }
  return lines.join('\n');
}
