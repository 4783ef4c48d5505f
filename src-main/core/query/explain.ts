// EXPLAIN as a tree (issue #4). Runs on the profile's console session, so the plan sees
// the user's open transaction (its uncommitted rows, its locks, its SET). EXPLAIN ANALYZE
// really executes the statement: a writing one runs inside BEGIN … ROLLBACK, or inside a
// savepoint rolled back when the user already has a transaction open, and on production
// it still needs the profile name typed (triggers fire, sequences advance, locks are taken).
import { errorDetail, OpsError } from '../../contract/errors';
import type { ExplainResult, Profile } from '../../contract/models';
import type { OpParsed } from '../../contract/operations';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote, Handlers } from '../platform/kernel/dispatch';
import { refuseReadOnlyStatements } from '../platform/guard/rules';
import { extended } from '../platform/postgres/extended';
import { planScript, summarizePlan, type PlannedStatement } from '../platform/guard/statements/classify';
import { convertExplainJson } from './explain-tree';
import { toFailure } from './run';
import { judgeOnSession, refusePinnedChanges } from './session-guards';
import type { QueryService } from './service';
import type { QuerySession } from './session';

const SAVEPOINT = 'ops_console_explain';

/** What PostgreSQL accepts after EXPLAIN (the command tags classify.ts gives them). */
const EXPLAINABLE = new Set([
  'SELECT',
  'SELECT INTO',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'EXECUTE',
  'DECLARE CURSOR',
  'CREATE TABLE AS',
  'CREATE MATERIALIZED VIEW',
]);

/**
 * none: a plain EXPLAIN or a read outside a transaction. transaction: BEGIN … ROLLBACK.
 * savepoint: inside the user's transaction, so neither the statement's changes nor its
 * failure (which would abort the whole transaction) leak into it.
 */
type Wrap = 'none' | 'transaction' | 'savepoint';

type ExplainInput = OpParsed<'explainQuery'>;

function singleStatement(plans: PlannedStatement[]): PlannedStatement {
  const [plan] = plans;
  if (plans.length !== 1 || !plan) {
    throw new OpsError(
      'INVALID_INPUT',
      `EXPLAIN takes exactly one statement and this SQL has ${plans.length}: select the statement to explain (or put the cursor in it).`,
      { statements: plans.length },
    );
  }
  if (plan.command === 'EXPLAIN')
    throw new OpsError('INVALID_INPUT', 'The statement is already an EXPLAIN: give the statement itself and the plan view adds EXPLAIN.');
  if (!EXPLAINABLE.has(plan.command)) {
    throw new OpsError(
      'INVALID_INPUT',
      `${plan.command} has no plan: PostgreSQL can explain SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE, DECLARE, CREATE TABLE AS and CREATE MATERIALIZED VIEW.`,
      { command: plan.command },
    );
  }
  return plan;
}

function explainPrefix(analyze: boolean): string {
  return analyze ? 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' : 'EXPLAIN (FORMAT JSON) ';
}

/** A failure as QUERY_FAILED, its position moved from the text sent to the user's SQL. */
function queryFailed(err: unknown, plan: PlannedStatement, prefixLength: number, session: QuerySession, profile: Profile): OpsError {
  const shifted = { ...plan, offset: plan.offset - prefixLength };
  const { failure } = toFailure(err, shifted, session, { readOnly: profile.readOnly, profileName: profile.name });
  const detail: { sqlstate: string | null; detail?: string; hint?: string; position?: number } = { sqlstate: failure.sqlstate };
  if (failure.detail) detail.detail = failure.detail;
  if (failure.hint) detail.hint = failure.hint;
  // A position inside the EXPLAIN words we added means nothing in the user's text.
  if (failure.position !== undefined && failure.position > plan.offset) detail.position = failure.position;
  return new OpsError('QUERY_FAILED', failure.message, detail);
}

type WrapOutcome = { ok: true; value: unknown } | { ok: false; error: unknown; undoFailed: boolean };

/** Runs the EXPLAIN inside its wrap and always undoes the wrap, even when EXPLAIN failed. */
async function explainWrapped(session: QuerySession, text: string, wrap: Wrap): Promise<WrapOutcome> {
  const client = session.client;
  if (wrap === 'none') {
    try {
      const res = await client.query<Record<string, unknown>>(extended({ text }));
      return { ok: true, value: res.rows[0]?.['QUERY PLAN'] };
    } catch (error) {
      return { ok: false, error, undoFailed: false };
    }
  }
  try {
    await client.query(wrap === 'savepoint' ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN');
  } catch (error) {
    return { ok: false, error, undoFailed: false };
  }
  let outcome: WrapOutcome;
  try {
    const res = await client.query<Record<string, unknown>>(extended({ text }));
    outcome = { ok: true, value: res.rows[0]?.['QUERY PLAN'] };
  } catch (error) {
    outcome = { ok: false, error, undoFailed: false };
  }
  try {
    if (wrap === 'savepoint') {
      await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    } else {
      await client.query('ROLLBACK');
    }
  } catch (error) {
    // The statement's effects may still be pending in this transaction. Ending the
    // connection makes the server discard them; that is the only safe way out.
    session.dead = true;
    session.deadReason ??= `the rollback after EXPLAIN ANALYZE failed: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, error, undoFailed: true };
  }
  return outcome;
}

function explainFailure(
  outcome: Extract<WrapOutcome, { ok: false }>,
  plan: PlannedStatement,
  prefixLength: number,
  session: QuerySession,
  profile: Profile,
  wrap: Wrap,
): OpsError {
  const failure = queryFailed(outcome.error, plan, prefixLength, session, profile);
  if (!outcome.undoFailed) return failure;
  return new OpsError(
    'QUERY_FAILED',
    `Could not roll back after EXPLAIN ANALYZE (${failure.message}). The console connection of "${profile.name}" was closed so the server discarded the statement's changes${wrap === 'savepoint' ? ', and with them the transaction that was open' : ''}.`,
    errorDetail(failure, 'QUERY_FAILED'),
  );
}

/** "EXPLAIN ANALYZE (rolled back) UPDATE": every ANALYZE is rolled back. */
function heading(analyze: boolean, command: string): string {
  return `${analyze ? 'EXPLAIN ANALYZE (rolled back)' : 'EXPLAIN'} ${command}`;
}

function describe(analyze: boolean, command: string, result: { executionMs: number | null; totalCost: number }): string {
  const head = heading(analyze, command);
  return analyze && result.executionMs !== null ? `${head}: ${result.executionMs} ms` : `${head}: estimated cost ${result.totalCost}`;
}

async function explainQuery(deps: CoreDeps, service: QueryService, input: ExplainInput, audit: AuditNote): Promise<ExplainResult> {
  const profile = deps.profiles.require(input.profileId);
  audit.profile = profile.name;
  const analyze = input.analyze;
  // Syntax, shape and pinned settings need no connection.
  const structural = await planScript(input.sql);
  refusePinnedChanges(structural, audit);
  const prefix = explainPrefix(analyze);
  audit.detail = `${prefix}${singleStatement(structural).sql}`;

  const { outcome, failure, plan } = await service.exclusive(profile, input.password, audit, async (session) => {
    // The held "Fetch more" result is closed by now, so the transaction status is current.
    if (session.txStatus === 'E') {
      audit.summary = 'refused: the open transaction has failed';
      throw new OpsError(
        'QUERY_FAILED',
        `The transaction open on the console session of "${profile.name}" has failed: the server ignores every command until it ends. Run ROLLBACK (or ROLLBACK TO a savepoint) first.`,
        { sqlstate: '25P02' },
      );
    }
    // Judged like the console judges it (parse tree, session names, catalog).
    const plans = await judgeOnSession(session, input.sql);
    const judged = singleStatement(plans);
    const writes = analyze && judged.kind !== 'read';
    // ANALYZE executes: on a read-only profile only what observes may be analyzed.
    if (analyze) refuseReadOnlyStatements(profile, plans, audit);
    if (writes && profile.env === 'production' && input.confirmName !== profile.name) {
      audit.summary = 'refused: EXPLAIN ANALYZE of a change on production not confirmed with the profile name';
      throw new OpsError(
        'CONFIRMATION_REQUIRED',
        `"${profile.name}" is a production profile and EXPLAIN ANALYZE really executes this ${judged.command} (triggers fire, sequences advance, locks are taken) before rolling it back: confirm by typing the profile name, or use EXPLAIN without ANALYZE.`,
        { ...summarizePlan(plans, true), reason: 'production' },
      );
    }
    // Every ANALYZE is undone, reads included: a SELECT may call a function that writes.
    const wrap: Wrap = session.transactionOpen ? 'savepoint' : analyze ? 'transaction' : 'none';
    const done = await explainWrapped(session, `${prefix}${judged.sql}`, wrap);
    // Built here, before the session is released: toFailure reads cancelRequested to tell a cancel.
    return { plan: judged, outcome: done, failure: done.ok ? null : explainFailure(done, judged, prefix.length, session, profile, wrap) };
  });
  if (!outcome.ok) {
    const sqlstate = (failure?.detail as { sqlstate?: string | null } | undefined)?.sqlstate;
    audit.summary = `${heading(analyze, plan.command)} failed (${sqlstate ?? 'no SQLSTATE'})`;
    throw failure ?? new OpsError('QUERY_FAILED', 'EXPLAIN failed');
  }

  const converted = convertExplainJson(outcome.value);
  audit.summary = describe(analyze, plan.command, { executionMs: converted.executionMs, totalCost: converted.plan.totalCost });
  return {
    statement: plan.sql,
    analyzed: analyze,
    rolledBack: analyze,
    planningMs: converted.planningMs,
    executionMs: converted.executionMs,
    plan: converted.plan,
    json: converted.json,
  };
}

export function explainHandlers(deps: CoreDeps, service: QueryService): Pick<Handlers, 'explainQuery'> {
  return {
    explainQuery: (input, ctx) => explainQuery(deps, service, input, ctx.audit),
  };
}
