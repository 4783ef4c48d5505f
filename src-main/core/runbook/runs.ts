// Signed-off checklist runs: the run's result as the operator saw it, their decision on
// every step and an overall note, kept in the local store (table checklist_runs) so a run
// can be reopened and exported later. The audit trail records the sign-off itself; this
// table is the readable report behind it.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CheckStatus, ChecklistRunRecord, ChecklistRunResult, ChecklistRunSummary, ChecklistStepDecision, StepDecision } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import { findProcedure } from './builtin';
import { overallStatus } from './checklist';

export interface SignOffInput {
  result: ChecklistRunResult;
  decisions: ChecklistStepDecision[];
  note: string;
}

interface RunRow {
  id: string;
  profile_id: string;
  profile_name: string;
  checklist_id: string;
  title: string;
  status: CheckStatus;
  actor: string;
  started_at: string;
  signed_at: string;
  result_json: string;
  decisions_json: string;
  note: string;
}

const SUMMARY_COLUMNS = 'id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, decisions_json, note';

function countDecisions(decisions: readonly ChecklistStepDecision[]): Record<StepDecision, number> {
  const counts: Record<StepDecision, number> = { done: 0, skipped: 0, escalated: 0 };
  for (const d of decisions) counts[d.decision] += 1;
  return counts;
}

function parseDecisions(json: string): ChecklistStepDecision[] {
  return JSON.parse(json) as ChecklistStepDecision[];
}

function toSummary(row: Omit<RunRow, 'result_json'>): ChecklistRunSummary {
  return {
    id: row.id,
    profileId: row.profile_id,
    profileName: row.profile_name,
    checklistId: row.checklist_id,
    title: row.title,
    status: row.status,
    actor: row.actor,
    startedAt: row.started_at,
    signedAt: row.signed_at,
    note: row.note,
    decisions: countDecisions(parseDecisions(row.decisions_json)),
  };
}

function toRecord(row: RunRow): ChecklistRunRecord {
  return { ...toSummary(row), result: JSON.parse(row.result_json) as ChecklistRunResult, stepDecisions: parseDecisions(row.decisions_json) };
}

/**
 * The snapshot comes back from the screen, so check it is a run of this checklist on this
 * profile before putting a signature under it: the same steps in the same order, the
 * profile's name, and an overall status that follows from the steps.
 */
function checkSnapshot(profile: Profile, result: ChecklistRunResult): void {
  const procedure = findProcedure(result.checklist);
  const expected = procedure.steps.map((s) => s.id);
  const got = result.steps.map((s) => s.id);
  if (expected.join('\n') !== got.join('\n')) {
    throw new OpsError(
      'INVALID_INPUT',
      `This result does not match the "${result.checklist}" checklist's steps (${expected.join(', ')}); run the checklist again and sign off that run.`,
      {
        fields: [{ field: 'result.steps', message: 'the steps are not those of the checklist' }],
      },
    );
  }
  if (result.profile !== profile.name) {
    throw new OpsError('INVALID_INPUT', `This run was made on profile "${result.profile}", not on "${profile.name}": sign it off for the profile it ran on.`, {
      fields: [{ field: 'profileId', message: `the run is from profile "${result.profile}"` }],
    });
  }
  const status = overallStatus(result.steps);
  if (status !== result.status) {
    throw new OpsError('INVALID_INPUT', `The run's overall status ${result.status.toUpperCase()} does not follow from its steps (${status.toUpperCase()}).`, {
      fields: [{ field: 'result.status', message: `the steps give ${status}` }],
    });
  }
}

/** Saves the signed-off run; decisions are stored in the checklist's step order. */
export function signOffRun(deps: Pick<CoreDeps, 'store'>, profile: Profile, actor: string, input: SignOffInput, now = new Date()): ChecklistRunRecord {
  checkSnapshot(profile, input.result);
  const byStep = new Map(input.decisions.map((d) => [d.stepId, d]));
  const decisions: ChecklistStepDecision[] = input.result.steps.map((step) => {
    const d = byStep.get(step.id)!;
    return { stepId: d.stepId, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}), ...(d.note ? { note: d.note } : {}) };
  });
  const row: RunRow = {
    id: crypto.randomUUID(),
    profile_id: profile.id,
    profile_name: profile.name,
    checklist_id: input.result.checklist,
    title: input.result.title,
    status: input.result.status,
    actor,
    started_at: input.result.startedAt,
    signed_at: now.toISOString(),
    result_json: JSON.stringify(input.result),
    decisions_json: JSON.stringify(decisions),
    note: input.note,
  };
  deps.store.db
    .prepare(
      `INSERT INTO checklist_runs (id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json, note)
       VALUES (@id, @profile_id, @profile_name, @checklist_id, @title, @status, @actor, @started_at, @signed_at, @result_json, @decisions_json, @note)`,
    )
    .run(row);
  return toRecord(row);
}

/** Newest first (rowid breaks ties between runs signed in the same millisecond). */
export function listRuns(deps: Pick<CoreDeps, 'store'>, query: { profileId?: string | undefined; limit: number }): ChecklistRunSummary[] {
  const where = query.profileId === undefined ? '' : 'WHERE profile_id = ?';
  const params: unknown[] = query.profileId === undefined ? [] : [query.profileId];
  const rows = deps.store.db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM checklist_runs ${where} ORDER BY signed_at DESC, rowid DESC LIMIT ?`)
    .all(...params, query.limit) as Array<Omit<RunRow, 'result_json'>>;
  return rows.map(toSummary);
}

export function getRun(deps: Pick<CoreDeps, 'store'>, id: string): ChecklistRunRecord {
  const row = deps.store.db.prepare('SELECT * FROM checklist_runs WHERE id = ?').get(id) as RunRow | undefined;
  if (!row) throw new OpsError('NOT_FOUND', `There is no saved checklist run with id "${id}". The checklist history lists the saved runs.`);
  return toRecord(row);
}
