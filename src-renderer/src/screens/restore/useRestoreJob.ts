// Restores and drills in flight, the plans and inspections asked for on the way.
// Inspect: read a source once per source (it touches no server). Plans: planRestore is
// audited, so each distinct set of options is asked once and remembered. Jobs: subscribe to
// events first (a small dump can finish before start answers), start with our own jobId,
// follow `restore.progress`, and take the outcome from get* on `job.done` — or from polling,
// should the event stream drop it. Restores and drills share that machinery.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackupContents, RestoreOptionsInput, RestorePlan, RestoreProgressEvent, RestoreStatus } from '../../../../src-main/contract/restore';
import { api, OpsError } from '../../api/client';
import { toShownError, type ShownError } from '../../state/errors';
import { isFinished, planKey } from './restore-model';

export type DetailedError = ShownError & { detail?: unknown };

function detailed(err: unknown): DetailedError {
  return { ...toShownError(err), detail: err instanceof OpsError ? err.detail : undefined };
}

export type InspectAnswer = { contents: BackupContents; error: null } | { contents: null; error: DetailedError };

export function useInspect(source: string | null) {
  const [answers, setAnswers] = useState<Record<string, InspectAnswer>>({});
  const [pending, setPending] = useState<string | null>(null);
  const asked = useRef(new Set<string>());

  const inspect = useCallback(async (what: string, force = false) => {
    if (asked.current.has(what) && !force) return;
    asked.current.add(what);
    setPending(what);
    let answer: InspectAnswer;
    try {
      answer = { contents: await api.inspectBackup({ source: what }), error: null };
    } catch (err) {
      answer = { contents: null, error: detailed(err) };
      asked.current.delete(what);
    }
    setAnswers((all) => ({ ...all, [what]: answer }));
    setPending((p) => (p === what ? null : p));
  }, []);

  const answer = source ? (answers[source] ?? null) : null;
  const inspecting = source !== null && pending === source;
  const state: 'pending' | 'ok' | 'error' | null = !source ? null : inspecting ? 'pending' : answer ? (answer.contents ? 'ok' : 'error') : null;
  return { inspect, answer, inspecting, state };
}

export type PlanAnswer = { plan: RestorePlan; error: null } | { plan: null; error: DetailedError };

export function useRestorePlans() {
  const [answers, setAnswers] = useState<Record<string, PlanAnswer>>({});
  const [pending, setPending] = useState<string | null>(null);
  const asked = useRef(new Set<string>());

  const request = useCallback(async (options: RestoreOptionsInput, force = false) => {
    const key = planKey(options);
    if (asked.current.has(key) && !force) return;
    asked.current.add(key);
    setPending(key);
    let answer: PlanAnswer;
    try {
      answer = { plan: await api.planRestore(options), error: null };
    } catch (err) {
      answer = { plan: null, error: detailed(err) };
      asked.current.delete(key);
    }
    setAnswers((all) => ({ ...all, [key]: answer }));
    setPending((p) => (p === key ? null : p));
  }, []);

  const answerFor = useCallback((options: RestoreOptionsInput | null): PlanAnswer | null => (options ? (answers[planKey(options)] ?? null) : null), [answers]);
  const isPending = useCallback((options: RestoreOptionsInput | null) => options !== null && pending === planKey(options), [pending]);
  /** Any plan already answered reports conflicts for this source and target (the clean option shows then). */
  const conflictsKnown = useCallback(
    (options: RestoreOptionsInput | null) => {
      if (!options) return false;
      return Object.values(answers).some((a) => a.plan !== null && a.plan.conflicts.length > 0 && samePlace(a.plan, options));
    },
    [answers],
  );
  const forget = useCallback(() => {
    asked.current.clear();
    setAnswers({});
  }, []);
  return { request, answerFor, isPending, conflictsKnown, forget };
}

function samePlace(plan: RestorePlan, options: RestoreOptionsInput): boolean {
  return plan.target.kind === options.target.kind && (plan.contents.backupId === options.source || plan.contents.path === options.source);
}

export interface TrackedJob<R, S> {
  jobId: string;
  id: string | null;
  /** What start answered besides the id (the restore's plan). */
  started: S | null;
  progress: RestoreProgressEvent | null;
  result: R | null;
  /** start refused (versions, confirmation, conflicts…): nothing ran. */
  startError: DetailedError | null;
  starting: boolean;
  cancelling: boolean;
  cancelError: ShownError | null;
}

export interface JobOps<R> {
  prefix: string;
  fetch(id: string): Promise<R>;
  cancel(id: string): Promise<unknown>;
}

export const RESTORE_OPS: JobOps<Awaited<ReturnType<typeof api.getRestore>>> = {
  prefix: 'restore',
  fetch: (id) => api.getRestore({ id }),
  cancel: (id) => api.cancelRestore({ id }),
};

export const DRILL_OPS: JobOps<Awaited<ReturnType<typeof api.getDrill>>> = {
  prefix: 'drill',
  fetch: (id) => api.getDrill({ id }),
  cancel: (id) => api.cancelDrill({ id }),
};

function newJobId(prefix: string): string {
  return typeof crypto.randomUUID === 'function' ? `${prefix}-${crypto.randomUUID()}` : `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const POLL_MS = 2_000;

export function useTrackedJob<R extends { status: RestoreStatus }, S>(ops: JobOps<R>, onFinished?: (record: R) => void) {
  const [job, setJob] = useState<TrackedJob<R, S> | null>(null);
  const stop = useRef<(() => void) | null>(null);
  // Refs, not state: event callbacks and polls must see the current job at once.
  const current = useRef<{ jobId: string; id: string | null; done: boolean; finished: boolean } | null>(null);
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;

  useEffect(() => () => stop.current?.(), []);

  const patch = useCallback((jobId: string, change: Partial<TrackedJob<R, S>>) => {
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
      const jobId = newJobId(ops.prefix);
      const mine = { jobId, id: null as string | null, done: false, finished: false };
      current.current = mine;
      setJob({ jobId, id: null, started: null, progress: null, result: null, startError: null, starting: true, cancelling: false, cancelError: null });
      const unsubscribe = api.onEvent((event) => {
        if (event.type === 'restore.progress' && event.jobId === jobId) {
          mine.id ??= event.restoreId;
          patch(jobId, { progress: event, id: mine.id });
        } else if (event.type === 'job.done' && event.jobId === jobId) {
          mine.done = true;
          void fetchResult();
        }
      });
      stop.current = unsubscribe;
      // Progress is a nicety: a stream that cannot connect must not stop the restore.
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

  // The outcome also comes from the store: a dropped `job.done` must not leave the screen spinning.
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
