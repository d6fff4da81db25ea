// The real server as a separate process (the CLI entry, src/main.ts, through tsx) on an ephemeral
// loopback port, and a small HTTP client that signs in and keeps the session cookie. Used where a
// test must kill the process (crash safety) or talk real HTTP.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What fetch takes as a body. */
type FetchBody = NonNullable<Parameters<typeof fetch>[1]>['body'];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** Starts `octane-emulator --port 0 --host 127.0.0.1 --db <file>` and waits for its banner. */
export async function startServer(db: string, extraArgs: string[] = [], timeoutMs = 15_000): Promise<ServerProcess> {
  // no PORT / OCTANE_EMULATOR_* from the outer environment; no demo data (a bare database)
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'PORT' && !k.startsWith('OCTANE_EMULATOR_'))), OCTANE_EMULATOR_DEMO: 'false' };
  const args = ['--import', 'tsx', 'src/main.ts', '--port', '0', '--host', '127.0.0.1', '--db', db, '--log-level', 'silent', ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)), timeoutMs);
    const check = () => {
      const m = /URL:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before its banner; stderr: ${err}`));
    });
    check();
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

/** SIGKILL, and wait until the process is gone. */
export async function killServer(s: ServerProcess): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await s.exited;
}

/** Kills every server this module started that is still running (afterAll). */
export function killAllServers(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export interface HttpReply {
  status: number;
  text: string;
  body: any;
  headers: Headers;
  bytes: Buffer;
}

/** An HTTP client of one server, signed in as a user (session cookie). */
export class HttpClient {
  private cookie = '';

  constructor(readonly base: string) {}

  async signIn(user = 'sa@nga', password = 'Welcome1'): Promise<this> {
    const res = await fetch(`${this.base}/authentication/sign_in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
    if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
    this.cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return this;
  }

  /** A request; rejects when the connection fails (the server died). */
  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<HttpReply> {
    const h: Record<string, string> = { cookie: this.cookie, ...headers };
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(body) || typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.base}${url}`, { method, headers: h, body: payload as FetchBody, signal: AbortSignal.timeout(timeoutMs) });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let parsed: unknown;
    if (String(res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, text, body: parsed, headers: res.headers, bytes };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, undefined, headers);
  }

  post(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', url, body, headers);
  }

  put(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('PUT', url, body, headers);
  }
}
