// The run flow, as a state machine the screen renders: plan → (blocked? override) →
// (production write? typed name) → run → result; cancel at any time while running.
// The core re-checks every guard (runQuery answers CONFIRMATION_REQUIRED), so this is the
// preview the user sees, never the only protection.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorDetail } from '@contract/errors';
import type { Profile, QueryFailure, QueryRunResult, StatementPlan } from '@contract/models';
import { api, OpsError } from '../../shared/api/client';
import { toShownError, type ShownError } from '../../shared/state/errors';
import type { BlockedItem } from './GuardModals';
import { frameThrottle, LiveRun, STALL_MS } from './live-results';
import { needsNameConfirmation, writingStatements, type RunTarget } from './query-tools';
import { randomId } from '../../shared/ids';
import { needsElevation } from '../../shared/state/elevation';

type Plan = Awaited<ReturnType<typeof api.planQuery>>;

interface RunOptions {
  target: RunTarget;
  plan: Plan;
  override: boolean;
  confirmName?: string;
  password?: string;
}

export type Guard =
  | { kind: 'blocked'; items: BlockedItem[]; options: RunOptions }
  | { kind: 'confirm'; statements: StatementPlan[]; options: RunOptions }
  | { kind: 'password'; options: RunOptions }
  /** A write on a read-only production profile: elevate first (issue #19), then it runs. */
  | { kind: 'elevate'; refusal: { index: number; reason: string }; statement: StatementPlan | undefined; options: RunOptions };

export interface RunOutcome {
  result: QueryRunResult;
  target: RunTarget;
}

/** The script did not parse: nothing ran; PostgreSQL's parser says where it stopped. */
export interface ParseFailure {
  failure: QueryFailure;
  target: RunTarget;
}

/** planQuery answers a syntax error as INVALID_INPUT with `{ position, sqlstate }` in its detail. */
function parseFailureOf(err: unknown, target: RunTarget): ParseFailure | null {
  const detail = errorDetail(err, 'INVALID_INPUT');
  if (!(err instanceof OpsError) || detail?.position === undefined) return null;
  // The core prefixes "Syntax error at line L, column C: "; the screen says where itself.
  const message = err.message.replace(/^Syntax error at line \d+, column \d+: /, '');
  return { failure: { sqlstate: detail.sqlstate ?? null, message, position: detail.position }, target };
}

function blockedReason(err: OpsError): boolean {
  return errorDetail(err, 'CONFIRMATION_REQUIRED')?.reason === 'blocked';
}

function blockedItems(plan: Plan): BlockedItem[] {
  return plan.blocked.map((b) => ({ index: b.index, reason: b.reason, statement: plan.statements.find((s) => s.index === b.index) }));
}

export interface QueryRunner {
  running: boolean;
  /** performance.now() when the running statement (or fetch) started; null when idle. */
  startedAt: number | null;
  /** The streamed rows of the latest run; subscribe with useLiveVersion to follow them. */
  live: LiveRun | null;
  fetchingMore: boolean;
  parseFailure: ParseFailure | null;
  cancelling: boolean;
  guard: Guard | null;
  outcome: RunOutcome | null;
  error: ShownError | null;
  run(target: RunTarget): Promise<void>;
  cancel(): Promise<void>;
  /** Continue the last statement past its row limit (its cursor is still open). */
  fetchMore(): Promise<void>;
  /** Let go of a result kept open for Fetch more. */
  closeResult(): Promise<void>;
  forgetHeld(): void;
  dismissGuard(): void;
  override(): void;
  confirm(name: string): void;
  /** After the elevation dialog: run what was refused, with the typed name. */
  elevated: (name: string) => void;
  withPassword(password: string): void;
  clearError(): void;
}

export function useQueryRunner(
  profile: Profile | null,
  maxRows: number,
  onResult: (outcome: RunOutcome) => void,
  onParseFailure: (parse: ParseFailure) => void,
): QueryRunner {
  const [running, setRunningState] = useState(false);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const setRunning = useCallback((next: boolean) => {
    setRunningState(next);
    setStartedAt(next ? performance.now() : null);
  }, []);
  const [parseFailure, setParseFailure] = useState<ParseFailure | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [guard, setGuard] = useState<Guard | null>(null);
  const [outcome, setOutcome] = useState<RunOutcome | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [live, setLive] = useState<LiveRun | null>(null);
  const [fetchingMore, setFetchingMore] = useState(false);
  // A run answered after the user switched profiles must not land on the new one's screen.
  const profileRef = useRef(profile);
  profileRef.current = profile;
  // The current run's event subscription: kept after runQuery answers, since rows pushed
  // just before the answer may still be on their way.
  const stopListening = useRef<(() => void) | null>(null);
  useEffect(() => () => stopListening.current?.(), []);

  const startLive = useCallback(async (): Promise<LiveRun> => {
    stopListening.current?.();
    const next = new LiveRun(randomId());
    const throttle = frameThrottle(() => next.touch());
    const unsubscribe = api.onEvent((event) => {
      if (!next.apply(event)) return;
      if (!next.completes(event.index)) return throttle.schedule();
      // The statement's last rows: shown now, not after the throttle's pause.
      throttle.cancel();
      next.touch();
    });
    stopListening.current = () => {
      unsubscribe();
      throttle.cancel();
    };
    setLive(next);
    await api.eventsReady();
    return next;
  }, []);

  const execute = useCallback(
    async (options: RunOptions) => {
      if (!profile) return;
      setGuard(null);
      setRunning(true);
      setCancelling(false);
      setError(null);
      try {
        const stream = await startLive();
        setOutcome(null);
        const result = await api.runQuery({
          profileId: profile.id,
          sql: options.target.sql,
          runId: stream.runId,
          maxRows,
          override: options.override,
          ...(options.confirmName !== undefined ? { confirmName: options.confirmName } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
        });
        if (profileRef.current?.id !== profile.id) return;
        const next = { result, target: options.target };
        for (const s of result.statements) if (s.columns.length > 0 && s.rowCount !== null) stream.expectRows(s.index, s.rowCount);
        setOutcome(next);
        onResult(next);
        // Look again once rows still on their way would have come: missing ones are then lost.
        setTimeout(() => stream.touch(), STALL_MS + 100);
      } catch (err) {
        if (err instanceof OpsError && err.code === 'CONFIRMATION_REQUIRED' && blockedReason(err)) {
          setGuard({ kind: 'blocked', items: blockedItems(options.plan), options });
        } else if (err instanceof OpsError && err.code === 'CONFIRMATION_REQUIRED') {
          const writes = writingStatements(options.plan.statements);
          setGuard({ kind: 'confirm', statements: writes.length > 0 ? writes : options.plan.statements, options });
        } else if (err instanceof OpsError && err.code === 'PASSWORD_REQUIRED') {
          setGuard({ kind: 'password', options });
        } else {
          setError(toShownError(err));
        }
      } finally {
        setRunning(false);
        setCancelling(false);
      }
    },
    [profile, maxRows, onResult, startLive, setRunning],
  );

  const afterOverride = useCallback(
    (options: RunOptions) => {
      if (!profile) return;
      if (needsNameConfirmation(profile, options.plan)) {
        setGuard({ kind: 'confirm', statements: writingStatements(options.plan.statements), options });
      } else {
        void execute(options);
      }
    },
    [profile, execute],
  );

  const run = useCallback(
    async (target: RunTarget) => {
      if (!profile || running || target.sql.trim() === '') return;
      setError(null);
      setParseFailure(null);
      let plan: Plan;
      try {
        plan = await api.planQuery({ profileId: profile.id, sql: target.sql });
      } catch (err) {
        const parse = parseFailureOf(err, target);
        if (parse) {
          setOutcome(null);
          setParseFailure(parse);
          onParseFailure(parse);
        } else {
          setError(toShownError(err));
        }
        return;
      }
      const options: RunOptions = { target, plan, override: false };
      // A read-only production profile: offer the elevation up front, never a dialog that
      // ends in a refusal. The core still decides (the elevation and the typed name).
      if (plan.readOnlyRefusal && needsElevation(profile)) {
        const refusal = plan.readOnlyRefusal;
        setGuard({ kind: 'elevate', refusal, statement: plan.statements.find((s) => s.index === refusal.index), options });
        return;
      }
      // A read-only profile's refusal or a block: sent anyway, so the core refuses and
      // audits the attempt (no dialog that could only lead to a refusal).
      if (plan.readOnlyRefusal || plan.blocked.length > 0) {
        // Sent anyway, without the override: the core refuses it and audits the attempt,
        // and its refusal opens the override dialog.
        void execute(options);
        return;
      }
      afterOverride(options);
    },
    [profile, running, afterOverride, execute, onParseFailure],
  );

  const cancel = useCallback(async () => {
    if (!profile || !running) return;
    setCancelling(true);
    try {
      await api.cancelQuery({ profileId: profile.id });
    } catch (err) {
      setError(toShownError(err));
      setCancelling(false);
    }
  }, [profile, running]);

  const fetchMore = useCallback(async () => {
    const current = outcome;
    if (!profile || !live || running || !current) return;
    setRunning(true);
    setFetchingMore(true);
    setError(null);
    try {
      const fetched = await api.fetchMoreRows({ profileId: profile.id, runId: live.runId, count: maxRows });
      if (profileRef.current?.id !== profile.id) return;
      const statements = current.result.statements.map((s) =>
        s.resumable ? { ...s, rowCount: (s.rowCount ?? 0) + fetched.rows, truncated: !fetched.done, resumable: !fetched.done } : s,
      );
      setOutcome({ ...current, result: { ...current.result, statements } });
    } catch (err) {
      // The cursor is gone either way: say so on the result, keep the rows that came. A lost
      // connection took any open transaction with it (the next run says so too).
      const statements = current.result.statements.map((s) => (s.resumable ? { ...s, resumable: false, rowCount: live.received(s.index) } : s));
      const lost = err instanceof OpsError && err.code === 'CONNECTION_FAILED';
      setOutcome({ ...current, result: { ...current.result, statements, transactionOpen: current.result.transactionOpen && !lost } });
      setError(toShownError(err));
    } finally {
      setRunning(false);
      setFetchingMore(false);
      setCancelling(false);
    }
  }, [profile, live, running, outcome, maxRows, setRunning]);

  const closeResult = useCallback(async () => {
    const current = outcome;
    if (!profile || !current) return;
    try {
      if (live) await api.closeResult({ profileId: profile.id, runId: live.runId });
    } catch (err) {
      setError(toShownError(err));
    }
    setOutcome({ ...current, result: { ...current.result, statements: current.result.statements.map((s) => (s.resumable ? { ...s, resumable: false } : s)) } });
  }, [profile, outcome, live]);

  /** Anything else that ran on the session (an EXPLAIN) closed a result kept for Fetch more. */
  const forgetHeld = useCallback(() => {
    setOutcome((current) =>
      current && current.result.statements.some((s) => s.resumable)
        ? { ...current, result: { ...current.result, statements: current.result.statements.map((s) => (s.resumable ? { ...s, resumable: false } : s)) } }
        : current,
    );
  }, []);

  return {
    forgetHeld,
    running,
    startedAt,
    live,
    fetchingMore,
    fetchMore,
    closeResult,
    parseFailure,
    cancelling,
    guard,
    outcome,
    error,
    run,
    cancel,
    dismissGuard: () => setGuard(null),
    override: () => {
      if (guard?.kind === 'blocked') afterOverride({ ...guard.options, override: true });
    },
    confirm: (name: string) => {
      if (guard?.kind === 'confirm') void execute({ ...guard.options, confirmName: name });
    },
    elevated: (name: string) => {
      if (guard?.kind === 'elevate') void execute({ ...guard.options, confirmName: name });
    },
    withPassword: (password: string) => {
      if (guard?.kind === 'password') void execute({ ...guard.options, password });
    },
    clearError: () => setError(null),
  };
}
