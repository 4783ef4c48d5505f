// Running a procedure's read steps: all at once (with a progress line fed by the core's
// `checklist.step` events) or step by step (a pass that runs nothing, then one step per
// call whose result replaces that step in the pending run). Asks for a password when the
// profile has none saved, and keeps the one that worked for the rest of this run only.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Profile } from '@contract/models';
import type { ChecklistRunResult, ChecklistStepResult } from '@contract/runbook';
import { api, OpsError } from '../../shared/api/client';
import { asksForPassword } from '../../shared/hooks/usePassword';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { replaceStep } from './checklist-model';
import { randomId } from '../../shared/ids';

export interface PendingRun {
  profileId: string;
  /** What runChecklist was called with (a checklist's run name or a procedure id): a single step runs the same way. */
  checklistId: string;
  /** Step by step: the run started with no step run, each runs on request. */
  stepwise: boolean;
  result: ChecklistRunResult;
}

/** A full run in flight: the steps the core has reported so far, in order. */
export interface RunProgress {
  checklistId: string;
  total: number;
  finished: ChecklistStepResult[];
}

export function useChecklistRun(profile: Profile) {
  const [pending, setPending] = useState<PendingRun | null>(null);
  const [running, setRunning] = useState<'all' | 'stepwise' | null>(null);
  const [stepRunning, setStepRunning] = useState<string | null>(null);
  const [progress, setProgress] = useState<RunProgress | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [stepError, setStepError] = useState<{ stepId: string; error: ShownError } | null>(null);
  const [askPassword, setAskPassword] = useState(false);
  const [password, setPassword] = useState('');
  /** The password the last successful call used: later calls of this run reuse it. */
  const usedPassword = useRef<string | undefined>(undefined);
  const stopListening = useRef<(() => void) | null>(null);

  useEffect(() => () => stopListening.current?.(), []);

  const secret = useCallback((): { password?: string } => {
    const value = askPassword && password ? password : usedPassword.current;
    return value !== undefined ? { password: value } : {};
  }, [askPassword, password]);

  /** After a call: a password that worked is kept for this run; PASSWORD_REQUIRED asks for one. */
  const settle = useCallback(
    (err: unknown, onOther: (shown: ShownError) => void) => {
      if (err instanceof OpsError && asksForPassword(err, askPassword)) {
        setAskPassword(true);
        if (err.code === 'AUTH_FAILED') onOther(toShownError(err));
      } else {
        onOther(toShownError(err));
      }
    },
    [askPassword],
  );

  const passwordWorked = useCallback(() => {
    if (askPassword && password) usedPassword.current = password;
    setAskPassword(false);
    setPassword('');
  }, [askPassword, password]);

  /** Every read step at once; progress comes as events, the answer is the whole run. */
  const runAll = useCallback(
    async (checklistId: string) => {
      setRunning('all');
      setError(null);
      setStepError(null);
      const runId = randomId();
      setProgress({ checklistId, total: 0, finished: [] });
      stopListening.current?.();
      const unsubscribe = api.onEvent((event) => {
        if (event.type !== 'checklist.step' || event.runId !== runId) return;
        setProgress((p) => (p ? { ...p, total: event.total, finished: [...p.finished.filter((s) => s.id !== event.step.id), event.step] } : p));
      });
      stopListening.current = unsubscribe;
      try {
        // Progress is a nicety: a stream that cannot connect must not stop the checks.
        await api.eventsReady().catch(() => undefined);
        const result = await api.runChecklist({ checklistId, profileId: profile.id, runId, ...secret() });
        passwordWorked();
        setPending({ profileId: profile.id, checklistId, stepwise: false, result });
      } catch (err) {
        settle(err, setError);
      } finally {
        unsubscribe();
        stopListening.current = null;
        setProgress(null);
        setRunning(null);
      }
    },
    [profile.id, secret, passwordWorked, settle],
  );

  /** A pass that runs nothing: the core does not connect and lists every step as not run yet. */
  const startStepwise = useCallback(
    async (checklistId: string) => {
      setRunning('stepwise');
      setError(null);
      setStepError(null);
      try {
        const result = await api.runChecklist({ checklistId, profileId: profile.id, stepIds: [] });
        setPending({ profileId: profile.id, checklistId, stepwise: true, result });
      } catch (err) {
        settle(err, setError);
      } finally {
        setRunning(null);
      }
    },
    [profile.id, settle],
  );

  /** One read step of the pending run; its result takes the step's place, the status follows. */
  const runStep = useCallback(
    async (stepId: string) => {
      if (!pending) return;
      setStepRunning(stepId);
      setStepError(null);
      try {
        const answer = await api.runChecklist({ checklistId: pending.checklistId, profileId: pending.profileId, stepIds: [stepId], ...secret() });
        passwordWorked();
        const fresh = answer.steps.find((s) => s.id === stepId);
        if (!fresh) throw new OpsError('NOT_FOUND', `The run came back without the step "${stepId}".`);
        setPending((current) =>
          current && current.result.startedAt === pending.result.startedAt ? { ...current, result: replaceStep(current.result, fresh) } : current,
        );
      } catch (err) {
        settle(err, (shown) => setStepError({ stepId, error: shown }));
        // The password field is at the top of the screen: say so next to the step.
        if (err instanceof OpsError && err.code === 'PASSWORD_REQUIRED') {
          setStepError({
            stepId,
            error: { code: err.code, message: 'This profile has no saved password: type it in the password field above, then run the step again.' },
          });
        }
      } finally {
        setStepRunning(null);
      }
    },
    [pending, secret, passwordWorked, settle],
  );

  return {
    pending,
    discard: () => setPending(null),
    running,
    stepRunning,
    progress,
    error,
    clearError: () => setError(null),
    stepError,
    clearStepError: () => setStepError(null),
    askPassword,
    password,
    setPassword,
    /** The password for other calls of this run (previews, write steps, the toolkit), when the profile has none saved. */
    runPassword: askPassword && password ? password : usedPassword.current,
    runAll,
    startStepwise,
    runStep,
  };
}
