// The CLI's one way of showing a job's progress and cancelling it on Ctrl-C: only the job's
// own events, plain lines throttled without a terminal (but never the last one lost), nothing
// with --json when the command says so, and the signal handlers gone after, even on failure.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { Io } from '../../src-main/cli/io';
import { followJob, linesOf, showProgress, withProgress, type ProgressContext } from '../../src-main/cli/job-progress';
import { EventBus } from '../../src-main/core/platform/kernel/events';

function context(json = false): { ctx: ProgressContext; bus: EventBus; lines: string[] } {
  const bus = new EventBus();
  const lines: string[] = [];
  const io: Io = { json, isTerminal: false, out: () => undefined, err: (t) => lines.push(t) };
  return { ctx: { io, core: () => ({ events: bus }) }, bus, lines };
}

function download(jobId: string, bytesDone: number, bytesTotal = 100): AppEvent {
  return { type: 'offsite.progress', jobId, phase: 'download', bytesDone, bytesTotal, etaSeconds: null } as AppEvent;
}

const line = (jobId: string) => linesOf('offsite.progress', jobId, (e) => `${e.bytesDone}/${e.bytesTotal}`);

afterEach(() => {
  vi.useRealTimers();
});

describe('job progress on the CLI', () => {
  it('shows only its own job’s events, at most one plain line per period, and a line whenever the key changes', () => {
    vi.useFakeTimers();
    const { ctx, bus, lines } = context();
    const stop = showProgress(ctx, {
      line: line('a'),
      plain: { everyMs: 3000, key: (e) => (e.type === 'offsite.progress' && e.bytesDone >= e.bytesTotal ? 'done' : '') },
    });
    bus.emit(download('a', 10));
    bus.emit(download('b', 20));
    bus.emit(download('a', 30));
    vi.advanceTimersByTime(3001);
    bus.emit(download('a', 60));
    bus.emit(download('a', 100));
    stop();
    stop();
    bus.emit(download('a', 100));
    expect(lines).toEqual(['10/100', '60/100', '100/100']);
  });

  it('prints nothing without a terminal unless plain lines were asked for, and nothing with --json when quiet', () => {
    const none = context();
    showProgress(none.ctx, { line: line('a') });
    none.bus.emit(download('a', 10));
    expect(none.lines).toEqual([]);

    const json = context(true);
    showProgress(json.ctx, { line: line('a'), plain: { everyMs: 0 }, quietWithJson: true });
    json.bus.emit(download('a', 10));
    expect(json.lines).toEqual([]);
    showProgress(json.ctx, { line: line('a'), plain: { everyMs: 0 } });
    json.bus.emit(download('a', 20));
    expect(json.lines).toEqual(['20/100']);
  });

  it('followJob resolves at its own job’s end only', async () => {
    const { ctx, bus } = context();
    const watcher = followJob(ctx, 'a', { line: line('a') });
    let ended = false;
    void watcher.done.then(() => (ended = true));
    bus.emit({ type: 'job.done', jobId: 'b', kind: 'backup', ok: true, message: '', at: '' });
    await Promise.resolve();
    expect(ended).toBe(false);
    bus.emit({ type: 'job.done', jobId: 'a', kind: 'backup', ok: true, message: '', at: '' });
    await watcher.done;
    expect(ended).toBe(true);
  });

  it('withProgress cancels on SIGINT while the call runs, and removes its handlers after a failure', async () => {
    const { ctx } = context();
    const before = process.listenerCount('SIGINT');
    const beforeTerm = process.listenerCount('SIGTERM');
    let cancelled = 0;
    let fail!: (e: Error) => void;
    const running = withProgress(
      ctx,
      { line: line('a') },
      () => {
        cancelled += 1;
        return Promise.reject(new Error('cancel refused'));
      },
      () => new Promise<never>((_, reject) => (fail = reject)),
    );
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBe(beforeTerm + 1);
    process.emit('SIGINT', 'SIGINT');
    expect(cancelled).toBe(1);
    fail(new Error('CANCELLED'));
    await expect(running).rejects.toThrow('CANCELLED');
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(process.listenerCount('SIGTERM')).toBe(beforeTerm);
  });
});
