// Follows one long job of the core (a backup, a restore, a drill) from start to outcome.
// Subscribe to events first (a small job can finish before start answers), start with our
// own jobId, follow its progress events, and take the outcome from the record (get*) on
// `job.done` — or from polling, should the event stream drop it. Cancel asks the core to stop
// it; the outcome still comes from the record.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppEvent } from '@contract/operations';
import { api } from '../../api/client';
import { toShownError, type ShownError } from '../../state/errors';
import { detailed, type DetailedError } from './useAskOnce';
import { randomId } from '../../ids';

export interface TrackedJob<R, S, P> {
  jobId: string;
  /** The record's id (backupId, restoreId, drillId), from the first event or start's answer. */
  id: string | null;
  /** What start answered besides the id (a backup's or restore's plan). */
  started: S | null;
  progress: P | null;
  result: R | null;
  /** start refused (versions, folder, confirmation, password…): nothing ran. */
  startError: DetailedError | null;
  starting: boolean;
  cancelling: boolean;
  cancelError: ShownError | null;
}

export interface JobOps<R, P> {
  /** Prefix of the jobIds this client makes ("backup", "restore", "drill"). */
  prefix: string;
  /** This job's progress event and the record id it names, or null for any other event. */
  progressOf(event: AppEvent, jobId: string): { id: string; progress: P } | null;
  fetch(id: string): Promise<R>;
  cancel(id: string): Promise<unknown>;
}

function isFinished(record: { status: string }): boolean {
  return record.status !== 'running';
}

const POLL_MS = 2_000;

/** `ops` must be stable (a module-level constant). */
export function useTrackedJob<R extends { status: string }, S, P>(ops: JobOps<R, P>, onFinished?: (record: R) => void) {
  const [job, setJob] = useState<TrackedJob<R, S, P> | null>(null);
  const stop = useRef<(() => void) | null>(null);
  // Refs, not state: event callbacks and polls must see the current job at once.
  const current = useRef<{ jobId: string; id: string | null; done: boolean; finished: boolean } | null>(null);
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;

  useEffect(() => () => stop.current?.(), []);

  const patch = useCallback((jobId: string, change: Partial<TrackedJob<R, S, P>>) => {
    setJob((j) => (j && j.jobId === jobId ? { ...j, ...change } : j));
  }, []);

  const fetchResult = useCallback(async () => {
    const mine = current.current;
    if (!mine?.id || mine.finished) return;
    try {
      const record = await ops.fetch(mine.id);
      if (!isFinished(record) || current.current !== mine || mine.finished) return;
      mine.finished = true;
      stop.current?.();
      stop.current = null;
      patch(mine.jobId, { result: record, cancelling: false });
      finishedRef.current?.(record);
    } catch {
      // The next poll asks again.
    }
  }, [ops, patch]);

  const start = useCallback(
    async (run: (jobId: string) => Promise<{ id: string; started: S | null }>) => {
      stop.current?.();
      const jobId = `${ops.prefix}-${randomId()}`;
      const mine = { jobId, id: null as string | null, done: false, finished: false };
      current.current = mine;
      setJob({ jobId, id: null, started: null, progress: null, result: null, startError: null, starting: true, cancelling: false, cancelError: null });
      const unsubscribe = api.onEvent((event) => {
        const progress = ops.progressOf(event, jobId);
        if (progress) {
          mine.id ??= progress.id;
          patch(jobId, { progress: progress.progress, id: mine.id });
        } else if (event.type === 'job.done' && event.jobId === jobId) {
          mine.done = true;
          void fetchResult();
        }
      });
      stop.current = unsubscribe;
      // Progress is a nicety: a stream that cannot connect must not stop the job.
      await api.eventsReady().catch(() => undefined);
      try {
        const answer = await run(jobId);
        mine.id = answer.id;
        patch(jobId, { id: answer.id, started: answer.started, starting: false });
        if (mine.done) void fetchResult();
      } catch (err) {
        unsubscribe();
        stop.current = null;
        patch(jobId, { starting: false, startError: detailed(err) });
      }
    },
    [ops, fetchResult, patch],
  );

  // The outcome also comes from the record: a dropped `job.done` must not leave the screen spinning.
  const polling = Boolean(job?.id && !job.result);
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => void fetchResult(), POLL_MS);
    return () => clearInterval(timer);
  }, [polling, fetchResult]);

  const cancel = useCallback(async () => {
    const mine = current.current;
    if (!mine?.id || mine.finished) return;
    patch(mine.jobId, { cancelling: true, cancelError: null });
    try {
      await ops.cancel(mine.id);
      void fetchResult();
    } catch (err) {
      patch(mine.jobId, { cancelling: false, cancelError: toShownError(err) });
    }
  }, [ops, fetchResult, patch]);

  const reset = useCallback(() => {
    stop.current?.();
    stop.current = null;
    current.current = null;
    setJob(null);
  }, []);

  return { job, start, cancel, reset };
}
