// The backup in flight, and the plans asked for on the way to it.
// Plans: planBackup connects and is audited, so each distinct set of options is asked once
// and remembered (the Destination step's default-folder plan serves the Review too).
// Job: subscribe to events first (a small database can finish before startBackup answers),
// start with our own jobId, follow `backup.progress`, and take the outcome from getBackup
// on `job.done` — or from polling, should the event stream drop it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackupEntry, BackupOptionsInput, BackupPlan, BackupProgressEvent } from '../../../../src-main/contract/backup';
import { api, OpsError } from '../../api/client';
import { toShownError, type ShownError } from '../../state/errors';
import { isFinished, planKey } from './backup-wizard-model';

export type PlanAnswer = { plan: BackupPlan; error: null } | { plan: null; error: ShownError & { detail?: unknown } };

export function usePlans() {
  const [answers, setAnswers] = useState<Record<string, PlanAnswer>>({});
  const [pending, setPending] = useState<string | null>(null);
  const asked = useRef(new Set<string>());

  const request = useCallback(async (options: BackupOptionsInput, force = false) => {
    const key = planKey(options);
    if (asked.current.has(key) && !force) return;
    asked.current.add(key);
    setPending(key);
    let answer: PlanAnswer;
    try {
      answer = { plan: await api.planBackup(options), error: null };
    } catch (err) {
      answer = { plan: null, error: { ...toShownError(err), detail: err instanceof OpsError ? err.detail : undefined } };
      // An answer that asks for a password, or failed, is asked again next time.
      asked.current.delete(key);
    }
    setAnswers((all) => ({ ...all, [key]: answer }));
    setPending((p) => (p === key ? null : p));
  }, []);

  const answerFor = useCallback((options: BackupOptionsInput): PlanAnswer | null => answers[planKey(options)] ?? null, [answers]);
  const isPending = useCallback((options: BackupOptionsInput) => pending === planKey(options), [pending]);
  const forget = useCallback(() => {
    asked.current.clear();
    setAnswers({});
  }, []);
  return { request, answerFor, isPending, forget };
}

export interface BackupJob {
  jobId: string;
  backupId: string | null;
  plan: BackupPlan | null;
  progress: BackupProgressEvent | null;
  result: BackupEntry | null;
  /** startBackup refused (versions, folder, password…): nothing ran. */
  startError: (ShownError & { detail?: unknown }) | null;
  starting: boolean;
  cancelling: boolean;
  cancelError: ShownError | null;
}

function newJobId(): string {
  return typeof crypto.randomUUID === 'function' ? `backup-${crypto.randomUUID()}` : `backup-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const POLL_MS = 2_000;

export function useBackupJob(onFinished: (entry: BackupEntry) => void) {
  const [job, setJob] = useState<BackupJob | null>(null);
  const stop = useRef<(() => void) | null>(null);
  // Refs, not state: event callbacks and polls must see the current job at once.
  const current = useRef<{ jobId: string; backupId: string | null; done: boolean; finished: boolean } | null>(null);
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;

  useEffect(() => () => stop.current?.(), []);

  const patch = useCallback((jobId: string, change: Partial<BackupJob>) => {
    setJob((j) => (j && j.jobId === jobId ? { ...j, ...change } : j));
  }, []);

  const fetchResult = useCallback(async () => {
    const mine = current.current;
    if (!mine?.backupId || mine.finished) return;
    try {
      const entry = await api.getBackup({ id: mine.backupId });
      if (!isFinished(entry) || current.current !== mine || mine.finished) return;
      mine.finished = true;
      stop.current?.();
      stop.current = null;
      patch(mine.jobId, { result: entry, cancelling: false });
      finishedRef.current(entry);
    } catch {
      // The next poll asks again.
    }
  }, [patch]);

  const start = useCallback(
    async (options: BackupOptionsInput) => {
      stop.current?.();
      const jobId = newJobId();
      const mine = { jobId, backupId: null as string | null, done: false, finished: false };
      current.current = mine;
      setJob({ jobId, backupId: null, plan: null, progress: null, result: null, startError: null, starting: true, cancelling: false, cancelError: null });
      const unsubscribe = api.onEvent((event) => {
        if (event.type === 'backup.progress' && event.jobId === jobId) {
          mine.backupId ??= event.backupId;
          patch(jobId, { progress: event, backupId: mine.backupId });
        } else if (event.type === 'job.done' && event.jobId === jobId) {
          mine.done = true;
          void fetchResult();
        }
      });
      stop.current = unsubscribe;
      // Progress is a nicety: a stream that cannot connect must not stop the backup.
      await api.eventsReady().catch(() => undefined);
      try {
        const answer = await api.startBackup({ ...options, jobId });
        mine.backupId = answer.backupId;
        patch(jobId, { backupId: answer.backupId, plan: answer.plan, starting: false });
        if (mine.done) void fetchResult();
      } catch (err) {
        unsubscribe();
        stop.current = null;
        patch(jobId, { starting: false, startError: { ...toShownError(err), detail: err instanceof OpsError ? err.detail : undefined } });
      }
    },
    [fetchResult, patch],
  );

  // The outcome also comes from the catalog: a dropped `job.done` must not leave the screen spinning.
  const polling = Boolean(job?.backupId && !job.result);
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => void fetchResult(), POLL_MS);
    return () => clearInterval(timer);
  }, [polling, fetchResult]);

  const cancel = useCallback(async () => {
    const mine = current.current;
    if (!mine?.backupId || mine.finished) return;
    patch(mine.jobId, { cancelling: true, cancelError: null });
    try {
      await api.cancelBackup({ id: mine.backupId });
      void fetchResult();
    } catch (err) {
      patch(mine.jobId, { cancelling: false, cancelError: toShownError(err) });
    }
  }, [fetchResult, patch]);

  const reset = useCallback(() => {
    stop.current?.();
    stop.current = null;
    current.current = null;
    setJob(null);
  }, []);

  return { job, start, cancel, reset };
}
