// The query service: guards, the console sessions, execution and cancel. The runQuery
// handler (audited by the dispatcher) and the CLI's streaming `query` command (audited
// here, with the same action name and fields) both come through `run`, so the guards and
// the audit trail cannot differ between the app and a terminal.
import { OpsError } from '../../contract/errors';
import type { Profile, QueryHistoryOutcome, QueryRunResult, StatementResult } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { toApiError, type AuditNote, type CallContext } from '../platform/kernel/dispatch';
import { withClient } from '../platform/postgres/connect';
import { log } from '../platform/kernel/log';
import { recordHistory } from './history';
import { planScript, summarizePlan, type PlannedStatement, type ScriptPlan } from '../platform/guard/statements/classify';
import { enforceGuards, judgeOnSession, refusePinnedChanges, withReadOnlyRefusal } from './session-guards';
import { executeStatements, fetchHeld, releaseHeld, toFailure, type ResultSink } from './run';
import { SessionManager, type QuerySession, type SessionManagerOptions } from './session';
import { copyCsvText, executeCopyCsv } from './copy-csv';
import { plural } from '../platform/text/plural';

export interface RunInput {
  profileId: string;
  sql: string;
  /** null: stream everything (the CLI without --max-rows). */
  maxRows: number | null;
  confirmName?: string | undefined;
  override: boolean;
  password?: string | undefined;
  /** Stream rows as `query.rows` events with this id (the app's grid); see runQuery. */
  runId?: string | undefined;
  /** The audit entry of this execution, linked from its history entry. */
  auditId?: number | undefined;
}

export interface RunOptions {
  /** false: rows go only to the sink (constant memory), results carry no rows. */
  collect: boolean;
  sink?: ResultSink;
}

export const QUERY_AUDIT_ACTION = 'query.run';

/**
 * How long a result stays open for "Fetch more". Its cursor holds a snapshot (and so holds
 * back VACUUM, like an idle transaction), so it is closed well before the session's own
 * idle close.
 */
export const HELD_RESULT_TTL_MS = 5 * 60_000;

/** "2 statements, 15 rows, ok; override: DELETE without WHERE" */
function describeRun(results: StatementResult[], plans: PlannedStatement[], overrides: string[]): string {
  const rows = results.reduce((sum, r) => sum + (r.rowCount ?? 0), 0);
  const failed = results.find((r) => r.error);
  const outcome = failed
    ? failed.cancelled
      ? `cancelled at statement ${failed.index + 1}`
      : `failed at statement ${failed.index + 1} (${failed.error?.sqlstate ?? 'no SQLSTATE'}: ${failed.error?.message ?? ''})`
    : 'ok';
  const ran = results.length < plans.length ? `${results.length} of ${plural(plans.length, 'statement')}` : plural(plans.length, 'statement');
  const note = overrides.length > 0 ? `; override: ${overrides.join(', ')}` : '';
  return `${ran}, ${plural(rows, 'row')}, ${outcome}${note}`;
}

/**
 * The CSV fast path applies to a sink that writes CSV, everything asked for (no --max-rows),
 * exactly one statement that is a plain read, outside a transaction (it opens its own
 * BEGIN READ ONLY) and that COPY can wrap (copy-csv.ts); otherwise the rows are streamed.
 */
function csvCopyFor(
  session: QuerySession,
  plans: PlannedStatement[],
  input: RunInput,
  sink: ResultSink | undefined,
): { text: string; sink: ResultSink & Required<Pick<ResultSink, 'copyCsv'>> } | null {
  const copyCsv = sink?.copyCsv;
  if (!sink || !copyCsv || input.runId !== undefined || input.maxRows !== null || plans.length !== 1 || session.txStatus !== 'I' || session.held) return null;
  const text = copyCsvText(plans[0]!);
  return text === null ? null : { text, sink: { ...sink, copyCsv } };
}

export class QueryService {
  readonly sessions: SessionManager;

  constructor(
    private readonly deps: CoreDeps,
    options: SessionManagerOptions = {},
  ) {
    this.sessions = new SessionManager(deps, options);
  }

  private profile(profileId: string): Profile {
    return this.deps.profiles.require(profileId);
  }

  /**
   * The guard's judgement of a script on the session that would run it: the parse tree,
   * the session's prepared statements and cursors, and the catalog. Syntax errors and
   * pinned settings are refused before connecting.
   */
  async plan(profileId: string, sql: string, options: { password?: string | undefined; strict?: boolean } = {}): Promise<ScriptPlan> {
    const profile = this.profile(profileId);
    const structural = await planScript(sql);
    refusePinnedChanges(structural, {});
    try {
      const plans = await this.exclusive(profile, options.password, {}, (session) => judgeOnSession(session, sql));
      return withReadOnlyRefusal(profile, plans, summarizePlan(plans, profile.env === 'production'));
    } catch (err) {
      // The app's preview may go without the catalog when no session can be had now (no
      // password yet, server down, a query running): the run judges again on its session
      // with the catalog, and refuses there. The CLI asks for the strict answer.
      const code = err instanceof OpsError ? err.code : null;
      if (options.strict || !(code === 'PASSWORD_REQUIRED' || code === 'CONNECTION_FAILED' || code === 'AUTH_FAILED' || code === 'CONFLICT')) throw err;
      return withReadOnlyRefusal(profile, structural, summarizePlan(structural, profile.env === 'production'));
    }
  }

  /**
   * Guards, then runs the script on the profile's session. Fills `audit` as it learns and
   * records the execution in the history (a refused production write is a prompt, not an
   * execution, so it is not; a blocked statement is).
   */
  async run(input: RunInput, audit: AuditNote, options: RunOptions): Promise<QueryRunResult> {
    const profile = this.profile(input.profileId);
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const record = (outcome: QueryHistoryOutcome, rows: number | null, error: string | null) => {
      // History is a convenience: a store error must not turn a run that happened into a failure.
      try {
        recordHistory(this.deps, {
          profileId: profile.id,
          profileName: profile.name,
          sql: input.sql,
          startedAt,
          durationMs: performance.now() - started,
          rows,
          outcome,
          error,
          auditId: input.auditId ?? null,
        });
      } catch (err) {
        log.warn(`query history not recorded: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    try {
      const result = await this.guardedRun(profile, input, audit, options);
      const failed = result.statements.find((r) => r.error);
      const rows = result.statements.reduce((sum, r) => sum + (r.rowCount ?? 0), 0);
      record(
        failed ? (failed.cancelled ? 'cancelled' : 'error') : 'ok',
        rows,
        failed?.error ? `${failed.error.sqlstate ?? 'ERROR'}: ${failed.error.message}` : null,
      );
      return result;
    } catch (err) {
      const apiError = toApiError(err);
      const reason = (apiError.detail as { reason?: string } | undefined)?.reason;
      if (!(apiError.code === 'CONFIRMATION_REQUIRED' && reason === 'production')) {
        record(reason === 'blocked' ? 'blocked' : 'error', null, `${apiError.code}: ${apiError.message}`);
      }
      throw err;
    }
  }

  private async guardedRun(profile: Profile, input: RunInput, audit: AuditNote, options: RunOptions): Promise<QueryRunResult> {
    audit.profile = profile.name;
    audit.detail = input.sql;
    // Syntax errors and pinned settings need no connection.
    refusePinnedChanges(await planScript(input.sql), audit);
    let overrides: string[] = [];
    let judged: PlannedStatement[] = [];
    const results = await this.exclusive(
      profile,
      input.password,
      audit,
      async (session) => {
        const plans = await judgeOnSession(session, input.sql);
        judged = plans;
        overrides = enforceGuards(profile, plans, input, audit);
        const sink = input.runId === undefined ? options.sink : this.eventSink(input.runId);
        // An elevated session (issue #19) is not put back in read-only mode before each statement.
        const readOnly = profile.readOnly && session.elevationId === null;
        const copy = csvCopyFor(session, plans, input, sink);
        const ran = copy
          ? [await executeCopyCsv(session, plans[0]!, copy.text, copy.sink, { readOnly, profileName: profile.name })]
          : await executeStatements(session, plans, {
              maxRows: input.maxRows,
              collect: input.runId === undefined && options.collect,
              sink,
              readOnly,
              profileName: profile.name,
              ...(input.runId !== undefined ? { holdFor: input.runId } : {}),
            });
        this.armHeld(session);
        return { ran, transactionOpen: !session.dead && session.transactionOpen };
        // A run is the action an elevation covers: its session is the elevated connection.
      },
      { elevated: true },
    );
    audit.summary = describeRun(results.ran, judged, overrides);
    const failed = results.ran.find((r) => r.error);
    if (failed?.error) audit.failed = `${failed.error.sqlstate ?? 'ERROR'}: ${failed.error.message}`;
    audit.rowsAffected = results.ran.reduce((sum, r, i) => sum + (judged[i]!.kind === 'write' ? (r.rowCount ?? 0) : 0), 0);
    return { statements: results.ran, transactionOpen: results.transactionOpen };
  }

  /**
   * The CLI's entry: the same `run`, audited here exactly as the dispatcher audits runQuery
   * (begin before, complete after), since the CLI streams rows instead of taking a result.
   */
  async runAudited(input: RunInput, via: CallContext['via'], options: RunOptions): Promise<QueryRunResult> {
    const audit: AuditNote = {};
    const started = Date.now();
    const entryId = this.deps.audit.begin({
      actor: this.deps.actor,
      action: QUERY_AUDIT_ACTION,
      profile: null,
      summary: `${QUERY_AUDIT_ACTION} (via ${via})`,
      detail: null,
    });
    try {
      const result = await this.run({ ...input, auditId: entryId }, audit, options);
      const { failed, ...note } = audit;
      this.deps.audit.complete(entryId, { outcome: failed ? 'error' : 'ok', durationMs: Date.now() - started, ...note, ...(failed ? { error: failed } : {}) });
      return result;
    } catch (err) {
      const apiError = toApiError(err);
      const { failed: _failed, ...note } = audit;
      this.deps.audit.complete(entryId, { outcome: 'error', durationMs: Date.now() - started, ...note, error: `${apiError.code}: ${apiError.message}` });
      throw err;
    }
  }

  /**
   * Runs `work` alone on the profile's console session (runQuery, explainQuery). Refused
   * after a transaction died with its connection (running on would apply statements outside
   * the transaction the user believes open, and COMMIT would commit nothing) and while
   * another call uses the session; a result held for "Fetch more" ends first.
   */
  async exclusive<T>(
    profile: Profile,
    password: string | undefined,
    audit: AuditNote,
    work: (session: QuerySession) => Promise<T>,
    options: { elevated?: boolean } = {},
  ): Promise<T> {
    const { session, lostTransaction } = await this.sessions.acquire(profile, password, options);
    if (lostTransaction) {
      audit.summary = 'refused: the transaction was lost with its connection';
      throw new OpsError(
        'CONNECTION_FAILED',
        `The connection of "${profile.name}" died while a transaction was open: that transaction was rolled back by the server and nothing of it was kept. Nothing ran now; a new connection is ready, so run again (with BEGIN if needed).`,
      );
    }
    return this.whileBusy(profile, session, async () => {
      await releaseHeld(session);
      return work(session);
    });
  }

  /**
   * Marks the session busy for `work` (no second call, no idle close), then frees it: a
   * connection that died meanwhile is closed, a live one starts its idle countdown again.
   */
  private async whileBusy<T>(profile: Profile, session: QuerySession, work: () => Promise<T>): Promise<T> {
    if (session.busy) throw new OpsError('CONFLICT', `A query is already running on the console session of "${profile.name}": wait for it or cancel it.`);
    session.busy = true;
    session.cancelRequested = false;
    this.sessions.touch(session, true);
    try {
      return await work();
    } finally {
      session.busy = false;
      session.cancelRequested = false;
      if (session.dead) await this.sessions.close(profile.id);
      else this.sessions.touch(session, false);
    }
  }

  /** Rows to the app as `query.rows` events: the grid paints the first page at once. */
  private eventSink(runId: string): ResultSink {
    const events = this.deps.events;
    return {
      columns: (index, columns) => events.emitAndWait({ type: 'query.rows', runId, index, columns, rows: [] }),
      rows: (index, rows) => events.emitAndWait({ type: 'query.rows', runId, index, rows }),
    };
  }

  private armHeld(session: QuerySession): void {
    const held = session.held;
    if (!held) return;
    if (held.timer) clearTimeout(held.timer);
    held.timer = setTimeout(() => {
      if (!session.busy && session.held === held) void releaseHeld(session);
    }, HELD_RESULT_TTL_MS);
    held.timer.unref();
  }

  /** "Fetch more": continues the result kept open by a streamed run that hit its row limit. */
  async fetchMore(profileId: string, runId: string, count: number, audit: AuditNote): Promise<{ rows: number; done: boolean }> {
    const profile = this.profile(profileId);
    audit.profile = profile.name;
    const session = this.sessions.current(profile.id);
    const held = session?.held;
    if (!session || !held || held.runId !== runId) {
      audit.summary = 'refused: that result is no longer open';
      throw new OpsError(
        'CONFLICT',
        `That result is no longer open on "${profile.name}" (another statement ran, it was closed, or it stayed unused for ${HELD_RESULT_TTL_MS / 60_000} minutes): run the query again.`,
      );
    }
    const from = held.delivered;
    return this.whileBusy(profile, session, async () => {
      try {
        const fetched = await fetchHeld(session, count, this.eventSink(runId));
        audit.summary = `fetched rows ${from + 1}–${from + fetched.rows} of statement ${held.index + 1}${fetched.done ? ' (end of result)' : ''}`;
        this.armHeld(session);
        return fetched;
      } catch (err) {
        // Read before whileBusy resets cancelRequested: it tells a cancel from a failure.
        const failure = toFailure(err, { index: held.index, offset: 0 }, session, { readOnly: profile.readOnly, profileName: profile.name });
        audit.summary = `fetch failed after ${held.delivered - from} rows`;
        throw new OpsError(session.dead ? 'CONNECTION_FAILED' : 'QUERY_FAILED', failure.failure.message, { ...failure.failure, cancelled: failure.cancelled });
      }
    });
  }

  /** Closes a result kept open for "Fetch more", freeing the session's snapshot. */
  async closeResult(profileId: string, runId: string, audit: AuditNote): Promise<{ closed: boolean }> {
    const profile = this.profile(profileId);
    audit.profile = profile.name;
    const session = this.sessions.current(profile.id);
    // Only the run's own result: another window may hold the session's current one.
    if (!session?.held || session.held.runId !== runId || session.busy) {
      audit.summary = 'nothing to close: that result is no longer open';
      return { closed: false };
    }
    const rows = session.held.delivered;
    await releaseHeld(session);
    audit.summary = `closed the result kept open after ${rows} rows`;
    return { closed: true };
  }

  /** pg_cancel_backend for the exact pid of the session, from a second, short connection. */
  async cancel(profileId: string, audit: AuditNote): Promise<{ cancelled: boolean; pid: number | null }> {
    const profile = this.profile(profileId);
    audit.profile = profile.name;
    const session = this.sessions.current(profile.id);
    if (!session || !session.busy) {
      audit.summary = 'nothing running on the console session';
      return { cancelled: false, pid: session?.pid ?? null };
    }
    session.cancelRequested = true;
    audit.detail = `SELECT pg_cancel_backend(${session.pid})`;
    const ok = await withClient(
      this.deps,
      profile,
      async (client) => {
        const res = await client.query<{ ok: boolean }>('SELECT pg_cancel_backend($1) AS ok', [session.pid]);
        return res.rows[0]?.ok === true;
      },
      session.password === undefined ? {} : { password: session.password },
    );
    audit.summary = ok ? `cancel sent to backend ${session.pid}` : `backend ${session.pid} could not be signalled`;
    return { cancelled: ok, pid: session.pid };
  }

  close(): Promise<void> {
    return this.sessions.closeAll();
  }
}

const services = new WeakMap<CoreDeps, QueryService>();

/** The one query service of a core (the CLI reaches it through `core.deps`). */
export function queryServiceFor(deps: CoreDeps, options?: SessionManagerOptions): QueryService {
  let service = services.get(deps);
  if (!service) {
    service = new QueryService(deps, options);
    services.set(deps, service);
  }
  return service;
}
