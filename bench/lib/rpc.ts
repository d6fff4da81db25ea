// A minimal request/answer protocol over the IPC channel of a forked child (bench/lib/*-child.ts).

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ensureBuild, ROOT } from './build.js';

type Handler = (args: any) => unknown | Promise<unknown>;

/** In the child: answers the parent's calls with the handlers. */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', async (msg: { id: number; cmd: string; args: unknown }) => {
    try {
      const handler = handlers[msg.cmd];
      if (!handler) throw new Error(`unknown command ${msg.cmd}`);
      const result = await handler(msg.args);
      process.send!({ id: msg.id, ok: true, result });
    } catch (e) {
      process.send!({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
  process.send!({ ready: true });
}

export interface Child {
  call<T = any>(cmd: string, args?: unknown): Promise<T>;
  pid: number;
  process: ChildProcess;
  exit(): Promise<void>;
}

/**
 * Forks a child of bench/lib/ (`name` without extension) and waits until it is ready: the compiled
 * JavaScript of the benchmark build (bench/lib/build.ts), or with `tsx` the TypeScript source.
 */
export async function spawnChild(name: string, execArgv: string[] = [], opts: { tsx?: boolean } = {}): Promise<Child> {
  const file = opts.tsx ? path.join(ROOT, 'bench', 'lib', `${name}.ts`) : path.join(ensureBuild(), 'bench', 'lib', `${name}.js`);
  const proc = fork(file, [], {
    execArgv: [...(opts.tsx ? ['--import', 'tsx'] : []), ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: ROOT,
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = true;
      for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean }) => {
      if (m?.ready) {
        proc.off('message', onMessage);
        resolve();
      }
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`${name} exited before it was ready (${code})`)));
  });
  proc.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  return {
    pid: proc.pid!,
    process: proc,
    call(cmd, args) {
      if (exited) return Promise.reject(new Error(`${name} has exited`));
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        proc.send({ id, cmd, args });
      });
    },
    async exit() {
      if (exited) return;
      proc.kill('SIGTERM');
      await exitPromise;
    },
  };
}
