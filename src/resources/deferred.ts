// Work that hooks put off to the end of a write (HookApi.defer): values derived from many rows,
// such as a parent's roll-ups, are computed once per write rather than once per row written.

interface Job {
  stage: number;
  run: () => void;
}

/**
 * The jobs deferred during the write in progress. A write is the outermost `within` call: nested
 * calls (the items of a bulk, entities that hooks create) join it. At its end the jobs run, once
 * per key, lower stages first; a job may defer further jobs, which run in the same pass. When the
 * write fails its jobs are dropped (its transaction rolls back). Jobs of items that failed alone
 * (rolled back to their savepoint in a partial write) still run, so a job recomputes from what is
 * stored rather than applying a change.
 */
export class DeferredJobs {
  private readonly pending = new Map<string, Job>();
  private depth = 0;

  /**
   * Runs `job` at the end of the write in progress, unless a job of the same key is already
   * waiting; outside a write it runs at once.
   */
  defer(key: string, job: () => void, stage = 0): void {
    if (this.depth === 0) {
      job();
      return;
    }
    if (!this.pending.has(key)) this.pending.set(key, { stage, run: job });
  }

  /** Runs `write` as a write, or as part of the one in progress. */
  within<T>(write: () => T): T {
    this.depth++;
    let done = false;
    try {
      const out = write();
      if (this.depth === 1) this.runPending();
      done = true;
      return out;
    } finally {
      this.depth--;
      if (!done && this.depth === 0) this.pending.clear();
    }
  }

  private runPending(): void {
    while (this.pending.size) {
      let stage = Infinity;
      for (const job of this.pending.values()) if (job.stage < stage) stage = job.stage;
      // jobs deferred meanwhile at this stage join this pass (a Map visits entries added during iteration)
      for (const [key, job] of this.pending) {
        if (job.stage !== stage) continue;
        this.pending.delete(key);
        job.run();
      }
    }
  }
}
