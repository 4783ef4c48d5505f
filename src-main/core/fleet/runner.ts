// The bounded fleet runner (issue #22): runs one piece of work per profile, at most
// `concurrency` at once, each with its own timeout and AbortSignal. One target's failure,
// hang or timeout never touches the others; results come back in input order.
//
// A target that times out (or is cancelled) has its signal aborted, which ends every database
// connection it opened (platform/postgres/abort-scope.ts: its pending query fails at once). Its slot is held until the
// work settles, up to SETTLE_GRACE_MS, so the bound counts connections really open, not just
// promises we stopped waiting for: an abandoned target could otherwise keep a connection
// while a new one opens in its place.
import type { ErrorCode } from '../../contract/errors';
import { FLEET_DEFAULT_CONCURRENCY, FLEET_MAX_CONCURRENCY } from '../../contract/fleet-screen';
import type { Profile } from '../../contract/models';
import { log } from '../platform/kernel/log';
import { toApiError } from '../platform/kernel/dispatch';
import { withAbortScope } from '../platform/postgres/abort-scope';

// One pair of bounds for the screen's refresh, the CLI and the runner.
export { FLEET_DEFAULT_CONCURRENCY, FLEET_MAX_CONCURRENCY };
/** How long a timed-out or cancelled target may take to let go (close its connection) before its slot is given up anyway. */
export const SETTLE_GRACE_MS = 3000;

/** A per-target failure: an app error code, or TIMEOUT when the target ran past its time. */
export interface FleetTargetError {
  code: ErrorCode | 'TIMEOUT';
  message: string;
}

export type FleetResult<T> =
  | { profile: string; profileId: string; ok: true; value: T; durationMs: number }
  | { profile: string; profileId: string; ok: false; error: FleetTargetError; durationMs: number };

export interface FleetRunOptions<T> {
  /** How many targets run at once: 1..64, default 8. */
  concurrency?: number;
  /** Per target, from its start (not from the run's). */
  timeoutMs: number;
  /** Cancels the whole run: running targets are aborted, those not started end as CANCELLED. */
  signal?: AbortSignal;
  /** Called as each target finishes, in finishing order (results are returned in input order). */
  onResult?: (result: FleetResult<T>) => void;
  /** Watches the number of targets in flight (tests assert the bound with it). */
  onInFlight?: (inFlight: number) => void;
}

export type FleetWork<T> = (profile: Profile, signal: AbortSignal) => Promise<T>;

function checkOptions(concurrency: number, timeoutMs: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > FLEET_MAX_CONCURRENCY) {
    throw new RangeError(`concurrency must be a whole number between 1 and ${FLEET_MAX_CONCURRENCY}, got ${concurrency}`);
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Resolves when `p` settles or after `ms`, whichever is first; never rejects. */
function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

async function runOne<T>(profile: Profile, timeoutMs: number, outer: AbortSignal | undefined, fn: FleetWork<T>): Promise<FleetResult<T>> {
  const started = Date.now();
  const base = { profile: profile.name, profileId: profile.id };
  const done = (r: { ok: true; value: T } | { ok: false; error: FleetTargetError }): FleetResult<T> => ({ ...base, ...r, durationMs: Date.now() - started });
  if (outer?.aborted) return done({ ok: false, error: { code: 'CANCELLED', message: 'The fleet run was cancelled before this target started.' } });

  const controller = new AbortController();
  // Which of the two stopped it, decided once: the first reason wins.
  let stoppedBy: FleetTargetError | null = null;
  const stop = (error: FleetTargetError) => {
    if (stoppedBy) return;
    stoppedBy = error;
    controller.abort(new Error(error.message));
  };
  const timer = setTimeout(
    () => stop({ code: 'TIMEOUT', message: `No answer within ${seconds(timeoutMs)} (the per-target timeout); the connection was closed.` }),
    timeoutMs,
  );
  const onOuterAbort = () => stop({ code: 'CANCELLED', message: 'The fleet run was cancelled while this target ran.' });
  outer?.addEventListener('abort', onOuterAbort, { once: true });

  // fn may throw synchronously; make it a promise either way. The abort scope ends every
  // connection the work opened when its signal aborts, even code that never looks at the signal.
  const work = withAbortScope(controller.signal, () => Promise.resolve().then(() => fn(profile, controller.signal)));
  const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    const first = await Promise.race([
      work.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      aborted.then(() => null),
    ]);
    if (first !== null && stoppedBy === null) {
      return 'error' in first ? done({ ok: false, error: toApiError(first.error) }) : done({ ok: true, value: first.value });
    }
    // Stopped: give the work a moment to close what it opened, so the slot is really free.
    const settled = await settledWithin(work, SETTLE_GRACE_MS);
    if (!settled) log.warn(`fleet: ${profile.name} did not stop within ${SETTLE_GRACE_MS} ms of being aborted; its slot is released anyway`);
    return done({ ok: false, error: stoppedBy! });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
    // Whatever the work still holds after its result is in (a hanging end()), it is told to stop.
    if (!controller.signal.aborted) controller.abort(new Error('the target finished'));
    // A late rejection after a timeout is expected (the abort) and must not go unhandled.
    work.catch(() => undefined);
  }
}

/**
 * Runs `fn` for every target, at most `concurrency` at once, each bounded by `timeoutMs`.
 * Never rejects because of a target: each one's outcome is in its result. Rejects only on
 * bad options (a programming error: callers validate user input first).
 */
export async function runFleet<T>(targets: readonly Profile[], options: FleetRunOptions<T>, fn: FleetWork<T>): Promise<FleetResult<T>[]> {
  const concurrency = options.concurrency ?? FLEET_DEFAULT_CONCURRENCY;
  checkOptions(concurrency, options.timeoutMs);
  const results = new Array<FleetResult<T>>(targets.length);
  let next = 0;
  let inFlight = 0;
  // Workers pull the next index: the bound is the number of workers, whatever the timings.
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      inFlight++;
      options.onInFlight?.(inFlight);
      let result: FleetResult<T>;
      try {
        result = await runOne(targets[index]!, options.timeoutMs, options.signal, fn);
      } finally {
        inFlight--;
        options.onInFlight?.(inFlight);
      }
      results[index] = result;
      try {
        options.onResult?.(result);
      } catch (err) {
        // A listener's bug must not stop the other targets.
        log.error('fleet: onResult failed', err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return results;
}
