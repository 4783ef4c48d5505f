// Runs a check step (issue #23): a step that names a built-in check (security, capacity,
// upgrade) instead of carrying SQL. The checklist engine (checklist.ts) runs it where it
// runs an SQL step — inside the run's BEGIN READ ONLY transaction, under the step's
// savepoint and statement timeout — so a check can read the catalog but write nothing
// (the server answers 25006). The check judges its own result; this file only maps what it
// answers onto the step result every screen, export and sign-off already knows.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { ChecklistStepResult } from '../../contract/runbook';
import type { StepCheckResult, StepChecks } from '../platform/kernel/step-checks';
import type { Step } from './model';

export type CheckStep = Step & { run: { type: 'check' } };

export interface CheckPass {
  checks: Pick<StepChecks, 'get' | 'names'>;
  profile: Profile;
  /** When the run started: what a check measures "now" from. */
  now: Date;
  maxRows: number;
}

/** Why a check step cannot run in this build: no domain registered its name. */
export function missingCheck(name: string, known: readonly string[]): string {
  const list = known.length > 0 ? ` (this build has: ${known.join(', ')})` : '';
  return `not run: this build has no check named ${name}${list}`;
}

/** Why a check that threw (not the server: the check's own code) could not judge the step. */
export function checkFailure(name: string, err: unknown): string {
  return `the check ${name} failed: ${err instanceof Error ? err.message : String(err)}`;
}

// A check is our own code: a result that breaks the contract is the check's bug, said as
// UNKNOWN rather than a crash of the whole run or a sign-off the schema later refuses.
function malformed(result: StepCheckResult): string | null {
  const statuses = ['ok', 'warning', 'critical', 'unknown', 'not_applicable'];
  if (!statuses.includes(result.status)) return `the check answered an unknown status "${String(result.status)}"`;
  if (!Array.isArray(result.columns) || !Array.isArray(result.rows)) return 'the check answered without columns or rows';
  if (result.rows.some((row) => !Array.isArray(row) || row.length !== result.columns.length)) return 'the check answered rows that do not match its columns';
  return null;
}

/**
 * Calls the check named by `step` with the run's client and maps its answer. A missing
 * registration or a malformed answer comes back as `{ unknown: reason }`; a thrown error
 * propagates, so the caller rolls back to the savepoint and says why, as for an SQL step.
 */
export async function runCheckStep(
  client: pg.ClientBase,
  step: CheckStep,
  pass: CheckPass,
): Promise<Omit<ChecklistStepResult, 'durationMs'> | { unknown: string }> {
  const check = pass.checks.get(step.run.check);
  if (check === undefined) return { unknown: missingCheck(step.run.check, pass.checks.names()) };
  const result = await check({ client, profile: pass.profile, now: pass.now });
  const wrong = malformed(result);
  if (wrong !== null) return { unknown: `check ${step.run.check}: ${wrong}` };
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    status: result.status,
    summary: result.summary,
    value: result.value,
    warn: result.warn,
    critical: result.critical,
    columns: result.columns,
    rows: result.rows.slice(0, pass.maxRows),
    rowCount: result.rows.length,
  };
}
