// Pushing a test-results payload and waiting for its task (bench/test-results.ts, bench/run.ts).

import { setTimeout as sleep } from 'node:timers/promises';

export interface IngestTask {
  id: number;
  status: string;
  runs_created: number;
  runs_updated: number;
  runs_skipped: number;
  tests_created: number;
}

/**
 * POSTs `xml` to `{ws}/test-results` and polls the task at `{ws}/test-results/{id}` every `pollMs`
 * until it is final; answers the wall time from the POST to the final answer, and the task.
 */
export async function pushAndWait(ws: string, cookie: string, xml: string, pollMs = 10): Promise<{ ms: number; task: IngestTask }> {
  const host = new URL(ws).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error('benchmarks only send traffic to loopback');
  const t0 = performance.now();
  const res = await fetch(`${ws}/test-results`, { method: 'POST', headers: { cookie, 'content-type': 'application/xml' }, body: xml });
  if (res.status !== 202) throw new Error(`push: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: number };
  let task: IngestTask;
  for (;;) {
    const r = await fetch(`${ws}/test-results/${id}`, { headers: { cookie } });
    task = (await r.json()) as IngestTask;
    if (task.status !== 'queued' && task.status !== 'running') break;
    await sleep(pollMs);
  }
  const ms = performance.now() - t0;
  if (task.status !== 'success') throw new Error(`task ${id} ended ${task.status}: ${JSON.stringify(task)}`);
  return { ms, task };
}
