// The job engine: one registry per kind of long-running work (backups, restores, drills,
// VACUUM, exports) and per core. A job is registered when it starts and unregistered when
// its run settles; it is found by either of its ids (the record's id or the caller's job
// id); cancelling it records the first reason, aborts its signal, stops the child process
// it adopted (the whole tree: SIGTERM, then SIGKILL after a grace) and runs the cancel
// hooks it registered. disposeAll, when the core closes, cancels every job and awaits all
// of them, so no job outlives the store it records its outcome in.
import type { ChildProcess } from 'node:child_process';
import { log } from '../kernel/log';
import { stopTree } from './process-tree';

export interface JobIds {
  /** The record's id (backup id, restore id, drill id; the job id where there is no record). */
  id: string;
  /** The caller's id for the job, so it can listen for events before the start answers. */
  jobId: string;
}

/** One running job as its runner sees it; `state` is what the runner keeps on it. */
export class Job<S = undefined> {
  readonly abort = new AbortController();
  /** Why the user (or the app closing) stopped it; null while nobody did. */
  cancelReason: string | null = null;
  /**
   * Set by the runner once the outcome is out (job.done emitted): from then on the job is
   * neither found nor cancelled, though its cleanup may still run (disposeAll awaits it).
   */
  finished = false;
  private adopted: ChildProcess | null = null;
  private readonly hooks: Array<(reason: string) => void> = [];

  constructor(
    readonly id: string,
    readonly jobId: string,
    readonly state: S,
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get cancelled(): boolean {
    return this.cancelReason !== null;
  }

  /** The child process adopted last (null before one was). */
  get child(): ChildProcess | null {
    return this.adopted;
  }

  /** The tool the job runs now: a cancel stops its process tree (at once when already cancelled). */
  adopt(child: ChildProcess): void {
    this.adopted = child;
    if (this.cancelReason !== null) stopTree(child);
  }

  /** Work a cancel must also stop (another job, a server-side statement); run at once when already cancelled. */
  onCancel(hook: (reason: string) => void): void {
    this.hooks.push(hook);
    if (this.cancelReason !== null) hook(this.cancelReason);
  }

  /** The first reason stays; a repeated cancel signals the tree and the hooks again. */
  cancel(reason: string): void {
    this.cancelReason ??= reason;
    this.abort.abort();
    if (this.adopted) stopTree(this.adopted);
    for (const hook of this.hooks) {
      try {
        hook(this.cancelReason);
      } catch (err) {
        log.warn(`a cancel hook of job ${this.jobId} failed`, err instanceof Error ? err.message : String(err));
      }
    }
  }
}

export interface StartedJob<R, S> {
  job: Job<S>;
  /** Settles with the run's outcome; the job is unregistered by then. */
  done: Promise<R>;
}

/** Generic over the record a job's run resolves with (a catalog entry, a restore or drill record, a result). */
export class JobRegistry<R, S = undefined> {
  private readonly running = new Map<Job<S>, Promise<R>>();

  /** Registers the job and starts `run` at once (its synchronous part runs before this returns). */
  start(ids: JobIds, run: (job: Job<S>) => Promise<R>, ...state: undefined extends S ? [state?: S] : [state: S]): StartedJob<R, S> {
    const job = new Job(ids.id, ids.jobId, state[0] as S);
    let settle!: (outcome: Promise<R>) => void;
    const done = new Promise<R>((resolve) => (settle = resolve)).finally(() => this.running.delete(job));
    // Registered before run is called: a cancel prompted by run's first (synchronous) events must find it.
    this.running.set(job, done);
    try {
      settle(run(job));
    } catch (err) {
      settle(Promise.reject(err as Error));
    }
    return { job, done };
  }

  /** By either id; null when it is not running (any more). */
  find(id: string): Job<S> | null {
    for (const job of this.running.keys()) if (!job.finished && (job.id === id || job.jobId === id)) return job;
    return null;
  }

  /** False when it is not running (any more). */
  cancel(id: string, reason: string): boolean {
    const job = this.find(id);
    if (!job) return false;
    job.cancel(reason);
    return true;
  }

  isRunning(id: string): boolean {
    return this.find(id) !== null;
  }

  /** The adopted tool's process id while it runs (tests kill it to simulate a crash). */
  pidOf(id: string): number | null {
    return this.find(id)?.child?.pid ?? null;
  }

  /** Cancels every job with `reason` and awaits all of them, finished ones too (their cleanup must end before the store closes). */
  async disposeAll(reason: string): Promise<void> {
    const all = [...this.running];
    for (const [job] of all) if (!job.finished) job.cancel(reason);
    // A run's failure is its caller's to report (it holds `done`): here it only has to be over.
    await Promise.all(all.map(([, done]) => done.catch(() => undefined)));
    // One turn of the event loop: what awaited a job (the dispatcher writing its audit entry)
    // runs before the caller goes on to close the store.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
