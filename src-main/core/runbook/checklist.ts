// Runs a checklist's read steps on a profile and judges each against its rule. One short
// connection, one BEGIN READ ONLY transaction (the server refuses any write a step's SQL
// might hide, e.g. in a function it calls), rolled back at the end. Each step runs under a
// savepoint with a statement timeout: a step that fails or times out is UNKNOWN with the
// server's reason and the next step still runs. Write, destructive and manual steps are
// listed, never run.
import Cursor from 'pg-cursor';
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { CheckStatus, ChecklistRunResult, ChecklistStepResult } from '../../contract/runbook';
import type { CoreDeps } from '../app';
import type { AuditNote } from '../dispatch';
import { withClient } from '../postgres/connect';
import { isServerError } from '../postgres/pg-errors';
import { cellTypes, toCell } from '../query/values';
import { BUILTIN_ACTIONS, type Procedure, type Rule, type Step } from './model';
import { judge, thresholdFor, worstStatus } from './thresholds';

export const STEP_TIMEOUT_MS = 15_000;
export const MAX_STEP_ROWS = 50;
const BATCH = 500;
const SAVEPOINT = 'ops_console_checklist_step';

export interface ChecklistRunOptions {
  password?: string | undefined;
  stepTimeoutMs?: number;
  maxRows?: number;
}

type Cell = ChecklistStepResult['rows'][number][number];

/** Folds the rule's column over every row as the cursor delivers them. */
class RuleFold {
  private index = -1;
  private value: number | null = null;
  private seen = false;
  missing = false;

  constructor(private readonly rule: Rule | undefined) {}

  setColumns(columns: string[]): void {
    if (this.rule?.metric.type !== 'column') return;
    this.index = columns.indexOf(this.rule.metric.column);
    this.missing = this.index < 0;
  }

  add(row: Cell[]): void {
    const metric = this.rule?.metric;
    if (metric?.type !== 'column' || this.index < 0) return;
    if (metric.aggregate === 'first' && this.seen) return;
    this.seen = true;
    const cell = row[this.index];
    const n = typeof cell === 'number' ? cell : typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : NaN;
    if (!Number.isFinite(n)) return;
    if (this.value === null || metric.aggregate === 'first') this.value = n;
    else if (metric.aggregate === 'max') this.value = Math.max(this.value, n);
    else if (metric.aggregate === 'min') this.value = Math.min(this.value, n);
    else this.value += n;
  }

  result(rowCount: number): number | null {
    const metric = this.rule?.metric;
    if (!metric) return null;
    if (metric.type === 'rowCount') return rowCount;
    if (rowCount === 0) return metric.empty ?? null;
    return this.value;
  }
}

function readBatch(cursor: Cursor<unknown[]>, count: number): Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (err, rows, result) => (err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] })));
  });
}


// A server error (it has a SQLSTATE: isServerError) leaves the connection usable; anything else does not.

/** The reason a step could not be judged, in a DBA's words. */
export function stepFailure(err: unknown, timeoutMs: number): string {
  if (!isServerError(err)) return `the connection failed during this step: ${err instanceof Error ? err.message : String(err)}`;
  const code = err.code!;
  if (code === '57014') return `stopped after the step's time limit of ${timeoutMs / 1000} s (or cancelled) (SQLSTATE 57014)`;
  if (code === '25006') return `this step tried to write, and a checklist runs in a read-only transaction: ${err.message} (SQLSTATE 25006)`;
  if (code === '42P01' && /pg_stat_statements/.test(err.message)) {
    return 'pg_stat_statements is not installed in this database: it must be in shared_preload_libraries and created with CREATE EXTENSION pg_stat_statements (SQLSTATE 42P01)';
  }
  return `${err.message}${err.hint ? ` (hint: ${err.hint})` : ''} (SQLSTATE ${code})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function notRun(step: Step, status: 'skipped' | 'manual', summary: string): ChecklistStepResult {
  return { id: step.id, title: step.title, kind: step.kind, status, summary, value: null, warn: null, critical: null, columns: [], rows: [], rowCount: 0, durationMs: 0 };
}

/** Why a step is only listed: the person does it, or it changes something. */
function listedOnly(step: Step): ChecklistStepResult | null {
  if (step.run.type === 'manual') return notRun(step, 'manual', step.run.instruction);
  if (step.run.type === 'action') return notRun(step, 'skipped', `Not run by a checklist: ${BUILTIN_ACTIONS[step.run.action]}.`);
  if (step.kind !== 'read') return notRun(step, 'skipped', `Not run by a checklist: this step changes the server (${step.kind}). Run it from the query console after reading it.`);
  return null;
}

function judged(step: Step, fold: RuleFold, rowCount: number): Pick<ChecklistStepResult, 'status' | 'summary' | 'value' | 'warn' | 'critical'> {
  if (!step.rule) return { status: 'ok', summary: `${plural(rowCount, 'row')} to read (no threshold)`, value: null, warn: null, critical: null };
  const threshold = thresholdFor(step.rule.threshold);
  const limits = { warn: threshold.warn, critical: threshold.critical };
  if (fold.missing && step.rule.metric.type === 'column') {
    return { status: 'unknown', summary: `the result has no column "${step.rule.metric.column}" for the rule to judge`, value: null, ...limits };
  }
  const raw = fold.result(rowCount);
  const value = raw === null ? null : raw * (step.rule.scale ?? 1);
  const verdict = judge(value, threshold, step.rule.noun);
  return { status: verdict.status, summary: verdict.summary, value, ...limits };
}

async function runReadStep(client: pg.Client, step: Step & { run: { type: 'sql' } }, maxRows: number): Promise<Omit<ChecklistStepResult, 'durationMs'>> {
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
  return { id: step.id, title: step.title, kind: step.kind, ...judged(step, fold, rowCount), columns: columns ?? [], rows, rowCount };
}

function unknownStep(step: Step, reason: string, durationMs: number): ChecklistStepResult {
  const limits = step.rule ? thresholdFor(step.rule.threshold) : null;
  return { ...notRun(step, 'skipped', ''), status: 'unknown', summary: reason, warn: limits?.warn ?? null, critical: limits?.critical ?? null, durationMs };
}

/** The per-step limit: ours, or the profile's own statement timeout when it is shorter. */
function stepTimeout(profile: Profile, wanted: number): number {
  const own = profile.statementTimeoutMs;
  return own !== null && own > 0 ? Math.min(own, wanted) : wanted;
}

async function runSteps(client: pg.Client, procedure: Procedure, timeoutMs: number, maxRows: number): Promise<ChecklistStepResult[]> {
  const results: ChecklistStepResult[] = [];
  let lost: string | null = null;
  await client.query('BEGIN READ ONLY');
  await client.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
  for (const step of procedure.steps) {
    const listed = listedOnly(step);
    if (listed) {
      results.push(listed);
      continue;
    }
    if (lost !== null) {
      results.push(unknownStep(step, `not run: ${lost}`, 0));
      continue;
    }
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await client.query(`SAVEPOINT ${SAVEPOINT}`);
      const result = await runReadStep(client, step as Step & { run: { type: 'sql' } }, maxRows);
      await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      results.push({ ...result, durationMs: elapsed() });
    } catch (err) {
      results.push(unknownStep(step, stepFailure(err, timeoutMs), elapsed()));
      if (!isServerError(err)) lost = 'the connection was lost in an earlier step';
      else {
        // A failed statement aborts the transaction; undo to the savepoint so the next
        // step can run. If even that fails, the connection is gone.
        await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).catch(() => {
          lost = 'the connection was lost in an earlier step';
        });
      }
    }
  }
  // Nothing to keep: the transaction only read.
  await client.query('ROLLBACK').catch(() => undefined);
  return results;
}

/** Overall status: the worst of the read steps that ran; listed-only steps do not count. */
export function overallStatus(steps: readonly ChecklistStepResult[]): CheckStatus {
  return worstStatus(steps.flatMap((s) => (s.status === 'skipped' || s.status === 'manual' ? [] : [s.status])));
}

function countsLine(steps: readonly ChecklistStepResult[]): string {
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/**
 * Runs `procedure` (a checklist) on `profile`. Connection failures throw (the run did not
 * happen); anything a step does wrong becomes that step's UNKNOWN.
 */
export async function runChecklist(
  deps: Pick<CoreDeps, 'secrets' | 'tunnels'>,
  procedure: Procedure,
  profile: Profile,
  options: ChecklistRunOptions = {},
  audit: AuditNote = {},
): Promise<ChecklistRunResult> {
  audit.profile = profile.name;
  audit.summary = `checklist ${procedure.checklist ?? procedure.id} on ${profile.name}: not run (no connection)`;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const timeoutMs = stepTimeout(profile, options.stepTimeoutMs ?? STEP_TIMEOUT_MS);
  const steps = await withClient(deps, profile, (client) => runSteps(client, procedure, timeoutMs, options.maxRows ?? MAX_STEP_ROWS), {
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  const status = overallStatus(steps);
  audit.summary = `checklist ${procedure.checklist ?? procedure.id} on ${profile.name}: ${status.toUpperCase()} (${countsLine(steps)})`;
  audit.detail = steps.map((s) => `${s.status.toUpperCase()} ${s.id}: ${s.summary}`).join('\n');
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
