// The query service: guards, the console sessions, execution and cancel. The runQuery
// handler (audited by the dispatcher) and the CLI's streaming `query` command (audited
// here, with the same action name and fields) both come through `run`, so the guards and
// the audit trail cannot differ between the app and a terminal.
import { OpsError } from '../../contract/errors';
import type { Profile, QueryRunResult, StatementResult } from '../../contract/models';
import type { CoreDeps } from '../app';
import { toApiError, type AuditNote, type CallContext } from '../dispatch';
import { withClient } from '../postgres/connect';
import { planScript, summarizePlan, type PlannedStatement, type ScriptPlan } from './classify';
import { executeStatements, type ResultSink } from './run';
import { SessionManager, type SessionManagerOptions } from './session';

export interface RunInput {
  profileId: string;
  sql: string;
  /** null: stream everything (the CLI without --max-rows). */
  maxRows: number | null;
  confirmName?: string | undefined;
  override: boolean;
  password?: string | undefined;
}

export interface RunOptions {
  /** false: rows go only to the sink (constant memory), results carry no rows. */
  collect: boolean;
  sink?: ResultSink;
}

export const QUERY_AUDIT_ACTION = 'query.run';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

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

  async plan(profileId: string, sql: string): Promise<ScriptPlan> {
    const profile = this.profile(profileId);
    return summarizePlan(await planScript(sql), profile.env === 'production');
  }

  /** Guards, then runs the script on the profile's session. Fills `audit` as it learns. */
  async run(input: RunInput, audit: AuditNote, options: RunOptions): Promise<QueryRunResult> {
    const profile = this.profile(input.profileId);
    audit.profile = profile.name;
    audit.detail = input.sql;
    const plans = await planScript(input.sql);
    const plan = summarizePlan(plans, profile.env === 'production');
    const list = (items: Array<{ index: number; reason: string }>) => items.map((b) => `${b.reason} (statement ${b.index + 1})`).join(', ');
    if (plan.blocked.length > 0 && !input.override) {
      audit.summary = `blocked: ${list(plan.blocked)}`;
      throw new OpsError(
        'CONFIRMATION_REQUIRED',
        `Blocked: ${list(plan.blocked)}. This is refused unless explicitly overridden (the override is audited).`,
        { ...plan, reason: 'blocked' },
      );
    }
    if (plan.needsConfirmation && input.confirmName !== profile.name) {
      audit.summary = `refused: production change not confirmed with the profile name`;
      throw new OpsError(
        'CONFIRMATION_REQUIRED',
        `"${profile.name}" is a production profile and this script changes the server: confirm by typing the profile name.`,
        { ...plan, reason: 'production' },
      );
    }
    const overrides = input.override ? plan.blocked.map((b) => b.reason) : [];

    const { session, lostTransaction } = await this.sessions.acquire(profile, input.password);
    if (lostTransaction) {
      // Running on would apply the next statements outside the transaction the user believes
      // is open (and COMMIT would commit nothing): stop and say so.
      audit.summary = 'refused: the transaction was lost with its connection';
      throw new OpsError(
        'CONNECTION_FAILED',
        `The connection of "${profile.name}" died while a transaction was open: that transaction was rolled back by the server and nothing of it was kept. Nothing was run now; a new connection is ready, so run again (with BEGIN if needed).`,
      );
    }
    if (session.busy) throw new OpsError('CONFLICT', `A query is already running on the console session of "${profile.name}": wait for it or cancel it.`);
    session.busy = true;
    session.cancelRequested = false;
    this.sessions.touch(session, true);
    let results: StatementResult[];
    try {
      results = await executeStatements(session, plans, { maxRows: input.maxRows, collect: options.collect, sink: options.sink, readOnly: profile.readOnly, profileName: profile.name });
    } finally {
      session.busy = false;
      session.cancelRequested = false;
      if (session.dead) await this.sessions.close(profile.id);
      else this.sessions.touch(session, false);
    }
    audit.summary = describeRun(results, plans, overrides);
    const failed = results.find((r) => r.error);
    if (failed?.error) audit.failed = `${failed.error.sqlstate ?? 'ERROR'}: ${failed.error.message}`;
    audit.rowsAffected = results.reduce((sum, r, i) => sum + (plans[i]!.kind === 'write' ? (r.rowCount ?? 0) : 0), 0);
    return { statements: results, transactionOpen: !session.dead && session.transactionOpen };
  }

  /**
   * The CLI's entry: the same `run`, audited here exactly as the dispatcher audits runQuery
   * (begin before, complete after), since the CLI streams rows instead of taking a result.
   */
  async runAudited(input: RunInput, via: CallContext['via'], options: RunOptions): Promise<QueryRunResult> {
    const audit: AuditNote = {};
    const started = Date.now();
    const entryId = this.deps.audit.begin({ actor: this.deps.actor, action: QUERY_AUDIT_ACTION, profile: null, summary: `${QUERY_AUDIT_ACTION} (via ${via})`, detail: null });
    try {
      const result = await this.run(input, audit, options);
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
    const ok = await withClient(this.deps, profile, async (client) => {
      const res = await client.query<{ ok: boolean }>('SELECT pg_cancel_backend($1) AS ok', [session.pid]);
      return res.rows[0]?.ok === true;
    }, session.password === undefined ? {} : { password: session.password });
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
