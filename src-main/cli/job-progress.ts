// A long job's progress on the CLI and Ctrl-C cancelling it, in one place for every command
// that runs one (backup, restore, drill, storage backup and restore, offsite copy and fetch).
// Progress goes to stderr only, so stdout stays the result (one JSON document with --json):
// redrawn in place when the CLI runs on a terminal; without one, only commands that ask for
// it print plain lines, at most one every few seconds so a CI log is not flooded.
import type { AppEvent } from '../contract/operations';
import type { EventBus } from '../core/platform/kernel/events';
import type { Io } from './io';

/** What these need of the CLI context: the terminal and the core's event bus. */
export interface ProgressContext {
  io: Io;
  core(): { events: Pick<EventBus, 'subscribe'> };
}

type JobEventType = Extract<AppEvent, { jobId: string }>['type'];

export interface ProgressLines {
  /** This job's status line for an event, or null for every other event. */
  line(e: AppEvent): string | null;
  /** Without a terminal: a line at most every `everyMs`, and whenever `key` changes (a new phase, the last line); omitted, nothing then. */
  plain?: { everyMs: number; key?(e: AppEvent): string };
  /** Not shown at all with --json (the command's progress is of no use beside a document). */
  quietWithJson?: boolean;
}

/** The line-maker for one event type of one job: `format` sees only that job's events of that type. */
export function linesOf<T extends JobEventType>(
  type: T,
  jobId: string,
  format: (e: Extract<AppEvent, { type: T }>) => string | null,
): (e: AppEvent) => string | null {
  return (e) => (e.type === type && (e as { jobId: string }).jobId === jobId ? format(e as Extract<AppEvent, { type: T }>) : null);
}

/** Shows the job's lines until the returned stop() (idempotent), which ends the in-place line. */
export function showProgress(ctx: ProgressContext, lines: ProgressLines): () => void {
  if (lines.quietWithJson && ctx.io.json) return () => undefined;
  const terminal = ctx.io.isTerminal && process.stderr.isTTY === true;
  let drawn = false;
  let lastAt = 0;
  let lastKey: string | null = null;
  const unsubscribe = ctx.core().events.subscribe((e: AppEvent) => {
    const text = lines.line(e);
    if (text === null) return;
    if (terminal) {
      process.stderr.write(`\r\x1b[K${text}`);
      drawn = true;
      return;
    }
    if (!lines.plain) return;
    const key = lines.plain.key?.(e) ?? null;
    if (key === lastKey && Date.now() - lastAt < lines.plain.everyMs) return;
    lastKey = key;
    lastAt = Date.now();
    ctx.io.err(text);
  });
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    if (drawn) process.stderr.write('\n');
  };
}

/** A job started by a start* call that answers at once: its progress, and `done` at its `job.done` event. */
export function followJob(ctx: ProgressContext, jobId: string, lines: ProgressLines): { done: Promise<void>; stop(): void } {
  const stopProgress = showProgress(ctx, lines);
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const unsubscribe = ctx.core().events.subscribe((e: AppEvent) => {
    if (e.type === 'job.done' && e.jobId === jobId) {
      stopProgress();
      finish();
    }
  });
  const stop = (): void => {
    stopProgress();
    unsubscribe();
  };
  return { done: done.finally(stop), stop };
}

/** Ctrl-C (or SIGTERM) while a job runs: `cancel` it (the job cleans up and ends CANCELLED), then let the command report. */
export function cancelOnSignal(cancel: () => void): () => void {
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  return () => {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  };
}

/** Runs a call that answers when its job ended, with its progress shown and Ctrl-C cancelling it; both undone after, whatever happens. */
export async function withProgress<T>(ctx: ProgressContext, lines: ProgressLines, cancel: () => Promise<unknown>, run: () => Promise<T>): Promise<T> {
  const stopProgress = showProgress(ctx, lines);
  const release = cancelOnSignal(() => void cancel().catch(() => undefined));
  try {
    return await run();
  } finally {
    stopProgress();
    release();
  }
}
