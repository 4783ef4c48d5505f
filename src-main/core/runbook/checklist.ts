// Runs a checklist's read steps on a profile and judges each against its rule. One short
// connection, one BEGIN READ ONLY transaction (the server refuses any write a step's SQL
// might hide, e.g. in a function it calls), rolled back at the end. Each step runs under a
// savepoint with a statement timeout: a step that fails or times out is UNKNOWN with the
// server's reason and the next step still runs; a step reading a table this database does
// not have is not applicable (applicability.ts), asked of the catalog before it runs, and
// never worsens the run. A check step (check-steps.ts) runs the same way and is judged by
// its check. Write, destructive and manual steps are listed, never run. Any procedure runs
// this way, not only checklists; a pass may run only some read steps (step by step from the
// screen), and when no step needs the server no connection is opened at all.
import Cursor from 'pg-cursor';
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { OpsError } from '../../contract/errors';
import { stepStatusLabel, type CheckStatus, type ChecklistRunResult, type ChecklistStepResult, type StepStatus } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote } from '../platform/kernel/dispatch';
import { withClient } from '../platform/postgres/connect';
import { isServerError } from '../platform/postgres/pg-errors';
import { readOnlyViolation } from '../platform/guard/rules';
import { catalogEffects } from '../platform/guard/statements/catalog-effects';
import { planScript, type PlannedStatement } from '../platform/guard/statements/classify';
import { applicabilityRefs, missingRelations, notApplicableSummary } from './applicability';
import { cellTypes, toCell } from '../query';
import { BUILTIN_ACTIONS, type Procedure, type Step } from './model';
import { checkFailure, runCheckStep, type CheckPass, type CheckStep } from './check-steps';
import { judged, RuleFold } from './rule-fold';
import { TOOLKIT_FUNCTION_NAMES, TOOLKIT_SCHEMA } from '../toolkit';
import { thresholdFor, worstStatus, type Threshold, type ThresholdKey } from './thresholds';
import { plural } from '../platform/text/plural';

export const STEP_TIMEOUT_MS = 15_000;
export const MAX_STEP_ROWS = 50;
const BATCH = 500;
const SAVEPOINT = 'ops_console_checklist_step';

export const NOT_IN_THIS_PASS = 'Not run in this pass';

export interface ChecklistRunOptions {
  password?: string | undefined;
  stepTimeoutMs?: number;
  maxRows?: number;
  /** Run only these read steps; the other read steps come back skipped, "Not run in this pass". */
  stepIds?: readonly string[] | undefined;
  /** The thresholds that judge the steps (a profile's own); the runbook's defaults otherwise. */
  thresholds?: (key: ThresholdKey) => Threshold;
  /** Called as each step's result is known, in the procedure's order (progress events). */
  onStep?: (index: number, total: number, step: ChecklistStepResult) => void;
}

type Thresholds = (key: ThresholdKey) => Threshold;

type Cell = ChecklistStepResult['rows'][number][number];

function readBatch(cursor: Cursor<unknown[]>, count: number): Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (err, rows, result) => (err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] })));
  });
}

// A server error (it has a SQLSTATE: isServerError) leaves the connection usable; anything else does not.

/**
 * The toolkit function a failed step missed: an undefined function (42883) named like one
 * of the toolkit's, or the ops_toolkit schema itself missing (3F000) for a qualified call.
 */
export function missingToolkitFunction(err: unknown): string | null {
  if (!isServerError(err)) return null;
  if (err.code === '42883') return TOOLKIT_FUNCTION_NAMES.find((name) => new RegExp(`\\b${name}\\b`).test(err.message)) ?? null;
  if (err.code === '3F000' && err.message.includes(TOOLKIT_SCHEMA)) return TOOLKIT_SCHEMA;
  return null;
}

/** The reason a step could not be judged, in a DBA's words. */
export function stepFailure(err: unknown, timeoutMs: number): string {
  if (!isServerError(err)) return `the connection failed during this step: ${err instanceof Error ? err.message : String(err)}`;
  const code = err.code!;
  if (code === '57014') return `stopped after the step's time limit of ${timeoutMs / 1000} s (or cancelled) (SQLSTATE 57014)`;
  if (code === '25006') return `this step tried to write, and a checklist runs in a read-only transaction: ${err.message} (SQLSTATE 25006)`;
  if (missingToolkitFunction(err) !== null) {
    return `the ops toolkit is not installed on this database: install it (Toolkit) to run this step. The server said: ${err.message} (SQLSTATE ${code})`;
  }
  if (code === '42P01' && /pg_stat_statements/.test(err.message)) {
    return 'pg_stat_statements is not installed in this database: it must be in shared_preload_libraries and created with CREATE EXTENSION pg_stat_statements (SQLSTATE 42P01)';
  }
  return `${err.message}${err.hint ? ` (hint: ${err.hint})` : ''} (SQLSTATE ${code})`;
}

function notRun(step: Step, status: 'skipped' | 'manual', summary: string): ChecklistStepResult {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    status,
    summary,
    value: null,
    warn: null,
    critical: null,
    columns: [],
    rows: [],
    rowCount: 0,
    durationMs: 0,
  };
}

/** Why a step is only listed: the person does it, or it changes something. */
function listedOnly(step: Step): ChecklistStepResult | null {
  if (step.run.type === 'manual') return notRun(step, 'manual', step.run.instruction);
  if (step.run.type === 'action') return notRun(step, 'skipped', `Not run by a checklist: ${BUILTIN_ACTIONS[step.run.action]}.`);
  if (step.kind !== 'read')
    return notRun(step, 'skipped', `Not run by a checklist: this step changes the server (${step.kind}). Run it from the query console after reading it.`);
  return null;
}

interface PassOptions {
  timeoutMs: number;
  maxRows: number;
  thresholds: Thresholds;
  /** The read steps this pass runs; null: all of them. */
  selected: ReadonlySet<string> | null;
  onStep: (index: number, step: ChecklistStepResult) => void;
  /** What a check step is called with (the registry, the profile, the run's start). */
  check: CheckPass;
}

async function runReadStep(client: pg.Client, step: Step & { run: { type: 'sql' } }, pass: PassOptions): Promise<Omit<ChecklistStepResult, 'durationMs'>> {
  const { maxRows, thresholds } = pass;
  const cursor = client.query(new Cursor<unknown[]>(step.run.sql, [], { rowMode: 'array', types: cellTypes }));
  const fold = new RuleFold(step.rule);
  const rows: Cell[][] = [];
  let columns: string[] | null = null;
  let rowCount = 0;
  for (;;) {
    const batch = await readBatch(cursor, BATCH);
    if (columns === null) {
      columns = batch.fields.map((f) => f.name);
      fold.setColumns(columns);
    }
    for (const raw of batch.rows) {
      const row = raw.map(toCell);
      fold.add(row);
      if (rows.length < maxRows) rows.push(row);
    }
    rowCount += batch.rows.length;
    if (batch.rows.length < BATCH) break;
  }
  // Only after success: a cursor that failed has already been synced by pg-cursor, and
  // closing it then would wait for a readyForQuery that never comes.
  await cursor.close();
  return { id: step.id, title: step.title, kind: step.kind, ...judged(step, fold, rowCount, thresholds), columns: columns ?? [], rows, rowCount };
}

function unknownStep(step: Step, reason: string, durationMs: number, thresholds: Thresholds, needsToolkit = false): ChecklistStepResult {
  const limits = step.rule ? thresholds(step.rule.threshold) : null;
  const result: ChecklistStepResult = {
    ...notRun(step, 'skipped', ''),
    status: 'unknown',
    summary: reason,
    warn: limits?.warn ?? null,
    critical: limits?.critical ?? null,
    durationMs,
  };
  return needsToolkit ? { ...result, needsToolkit: true } : result;
}

/** A step this pass does not run: listed only, or a read step left for another pass. */
function notRunHere(step: Step, selected: ReadonlySet<string> | null): ChecklistStepResult | null {
  const listed = listedOnly(step);
  if (listed) return listed;
  if (selected !== null && !selected.has(step.id)) return notRun(step, 'skipped', NOT_IN_THIS_PASS);
  return null;
}

/** The per-step limit: ours, or the profile's own statement timeout when it is shorter. */
function stepTimeout(profile: Profile, wanted: number): number {
  const own = profile.statementTimeoutMs;
  return own !== null && own > 0 ? Math.min(own, wanted) : wanted;
}

/** A read step's one statement as the guard plans it, or why it cannot be planned so. */
async function planStep(sql: string): Promise<{ plan: PlannedStatement } | { refusal: string }> {
  let plans;
  try {
    plans = await planScript(sql);
  } catch (err) {
    return { refusal: err instanceof Error ? err.message : String(err) };
  }
  if (plans.length !== 1) return { refusal: `a read step runs exactly one statement; this one has ${plans.length}` };
  const plan = plans[0]!;
  if (plan.pinnedChange) return { refusal: plan.pinnedChange };
  return { plan };
}

/**
 * Why a read step's SQL may not run as a read, by the same judgement as the console's:
 * one statement, judged from the parse tree and the catalog (volatile functions, directly
 * or through views), and nothing the read-only rule refuses. Null: it only observes.
 */
async function readStepRefusal(client: pg.Client, plan: PlannedStatement): Promise<{ reason: string; needsToolkit: boolean } | null> {
  // A function the catalog does not know cannot appear within one statement: the server
  // fails it (42883), which is how a missing toolkit function is offered for install.
  const { volatile } = await catalogEffects(client, plan.refs);
  const why = readOnlyViolation({ ...plan, effects: volatile, kind: volatile.length > 0 && plan.kind !== 'ddl' ? 'write' : plan.kind });
  if (why === null) return null;
  // A toolkit older than 1.1.0 declared its read functions VOLATILE: offer the update.
  const oldToolkit = volatile.length > 0 && volatile.every((v) => TOOLKIT_FUNCTION_NAMES.some((name) => v.includes(`.${name}(`)));
  if (oldToolkit)
    return {
      reason:
        'the ops toolkit installed here is older than 1.1.0 (its read functions are not marked STABLE, so the guard counts them as possible writes): update the toolkit',
      needsToolkit: true,
    };
  return { reason: `the guard does not judge it a plain read: ${why}`, needsToolkit: false };
}

function notApplicable(step: Step, missing: string[], durationMs: number): ChecklistStepResult {
  return { ...notRun(step, 'skipped', notApplicableSummary(missing)), status: 'not_applicable', durationMs, missingTables: missing };
}

/**
 * What to push for a step before it runs: a refusal (UNKNOWN), not applicable (a table it
 * reads is missing), or null when it may run. Inside the step's savepoint.
 */
async function preflight(client: pg.Client, step: Step, sql: string, elapsed: () => number, thresholds: Thresholds): Promise<ChecklistStepResult | null> {
  const planned = await planStep(sql);
  if ('refusal' in planned) return unknownStep(step, `not run: ${planned.refusal}`, elapsed(), thresholds);
  const missing = await missingRelations(client, applicabilityRefs(planned.plan.refs.relations, planned.plan.tree));
  if (missing.length > 0) return notApplicable(step, missing, elapsed());
  const refusal = await readStepRefusal(client, planned.plan);
  return refusal === null ? null : unknownStep(step, `not run: ${refusal.reason}`, elapsed(), thresholds, refusal.needsToolkit);
}

async function runSteps(client: pg.Client, procedure: Procedure, pass: PassOptions): Promise<ChecklistStepResult[]> {
  const results: ChecklistStepResult[] = [];
  const push = (result: ChecklistStepResult) => {
    pass.onStep(results.length, result);
    results.push(result);
  };
  let lost: string | null = null;
  await client.query('BEGIN READ ONLY');
  // The pinned reading of statements (query/effects.ts), whatever the role's defaults say.
  await client.query(`SET LOCAL statement_timeout = ${Math.round(pass.timeoutMs)}; SET LOCAL standard_conforming_strings = on`);
  for (const step of procedure.steps) {
    const listed = notRunHere(step, pass.selected);
    if (listed) {
      push(listed);
      continue;
    }
    if (lost !== null) {
      push(unknownStep(step, `not run: ${lost}`, 0, pass.thresholds));
      continue;
    }
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await client.query(`SAVEPOINT ${SAVEPOINT}`);
      if (step.run.type === 'check') {
        const checked = await runCheckStep(client, step as CheckStep, pass.check);
        await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        push('unknown' in checked ? unknownStep(step, checked.unknown, elapsed(), pass.thresholds) : { ...checked, durationMs: elapsed() });
        continue;
      }
      // The one rule (core/platform/guard): a read step runs only what the guard judges a plain read;
      // and only where it applies (the tables it reads exist).
      const early = await preflight(client, step, (step as Step & { run: { type: 'sql' } }).run.sql, elapsed, pass.thresholds);
      if (early !== null) {
        await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        push(early);
        continue;
      }
      const result = await runReadStep(client, step as Step & { run: { type: 'sql' } }, pass);
      await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      push({ ...result, durationMs: elapsed() });
    } catch (err) {
      // A check is code of ours: what it throws is its own failure, not a lost connection
      // (if the connection is gone, the rollback below finds out).
      const checkBug = step.run.type === 'check' && !isServerError(err) ? checkFailure(step.run.check, err) : null;
      push(unknownStep(step, checkBug ?? stepFailure(err, pass.timeoutMs), elapsed(), pass.thresholds, missingToolkitFunction(err) !== null));
      if (!isServerError(err) && checkBug === null) lost = 'the connection was lost in an earlier step';
      else {
        // A failed statement aborts the transaction; undo to the savepoint so the next
        // step can run. If even that fails, the connection is gone.
        await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).catch(() => {
          lost = 'the connection was lost in an earlier step';
        });
      }
    }
  }
  // The transaction only read, so COMMIT keeps nothing; it ends it without counting in
  // pg_stat_database.xact_rollback, which the evening checklist reads as its failure rate.
  await client.query('COMMIT').catch(() => undefined);
  return results;
}

/** The pass's read steps; unknown ids are refused before anything connects. */
function selectedSteps(procedure: Procedure, stepIds: readonly string[] | undefined): ReadonlySet<string> | null {
  if (stepIds === undefined) return null;
  const known = new Set(procedure.steps.map((s) => s.id));
  const unknown = stepIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new OpsError('INVALID_INPUT', `"${procedure.title}" has no step ${unknown.map((id) => `"${id}"`).join(', ')}. Its steps: ${[...known].join(', ')}.`, {
      fields: [{ field: 'stepIds', message: `unknown step ${unknown.join(', ')}` }],
    });
  }
  return new Set(stepIds);
}

/** A status that was judged (counts towards the run); listed-only and not-applicable steps were not. */
export function isJudged(status: StepStatus): status is CheckStatus {
  return status !== 'skipped' && status !== 'manual' && status !== 'not_applicable';
}

/**
 * Overall status: the worst of the read steps that ran. Listed-only steps do not count, nor
 * do not-applicable ones: a database without the shop's tables is not a worse database.
 */
export function overallStatus(steps: readonly ChecklistStepResult[]): CheckStatus {
  return worstStatus(steps.flatMap((s) => (isJudged(s.status) ? [s.status] : [])));
}

function countsLine(steps: readonly ChecklistStepResult[]): string {
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** How the audit trail names the run: "checklist morning" or "procedure maintenance.weekly". */
function runName(procedure: Procedure): string {
  return procedure.checklist !== undefined ? `checklist ${procedure.checklist}` : `procedure ${procedure.id}`;
}

/**
 * Runs `procedure` (a checklist or any procedure) on `profile`. Connection failures throw
 * (the run did not happen); anything a step does wrong becomes that step's UNKNOWN.
 */
export async function runChecklist(
  deps: Pick<CoreDeps, 'secrets' | 'tunnels' | 'stepChecks'>,
  procedure: Procedure,
  profile: Profile,
  options: ChecklistRunOptions = {},
  audit: AuditNote = {},
): Promise<ChecklistRunResult> {
  const selected = selectedSteps(procedure, options.stepIds);
  const name = runName(procedure);
  const partial = selected !== null ? ` (this pass: ${plural(selected.size, 'step')} of ${procedure.steps.length})` : '';
  audit.profile = profile.name;
  audit.summary = `${name} on ${profile.name}: not run (no connection)`;
  const startDate = new Date();
  const startedAt = startDate.toISOString();
  const started = performance.now();
  const total = procedure.steps.length;
  const pass: PassOptions = {
    timeoutMs: stepTimeout(profile, options.stepTimeoutMs ?? STEP_TIMEOUT_MS),
    maxRows: options.maxRows ?? MAX_STEP_ROWS,
    thresholds: options.thresholds ?? thresholdFor,
    selected,
    onStep: (index, step) => options.onStep?.(index, total, step),
    check: { checks: deps.stepChecks, profile, now: startDate, maxRows: options.maxRows ?? MAX_STEP_ROWS },
  };
  // Manual, action and write steps, and read steps left for another pass, need no server.
  const needsServer = procedure.steps.some((step) => notRunHere(step, selected) === null);
  const steps = needsServer
    ? await withClient(deps, profile, (client) => runSteps(client, procedure, pass), {
        ...(options.password !== undefined ? { password: options.password } : {}),
      })
    : procedure.steps.map((step, index) => {
        const result = notRunHere(step, selected)!;
        pass.onStep(index, result);
        return result;
      });
  const status = overallStatus(steps);
  audit.summary = `${name} on ${profile.name}: ${status.toUpperCase()} (${countsLine(steps)})${partial}`;
  audit.detail = steps.map((s) => `${stepStatusLabel(s.status)} ${s.id}: ${s.summary}`).join('\n');
  return {
    checklist: procedure.checklist ?? procedure.id,
    title: procedure.title,
    profile: profile.name,
    status,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    steps,
  };
}
