// What changed between two signed-off runs of the same checklist on the same profile, for
// the report of a run whose steps list findings (the security audit, issue #23): a finding
// is a row of a step whose columns include `object` and `severity`, and two runs' findings
// compare by (check, object) — the step id, or the `check` column of a step that merges
// several checks (security.audit). Only steps judged in both runs compare: a check that
// was N/A or UNKNOWN found nothing, which is not the same as its findings being resolved.
import type { ChecklistRunRecord, ChecklistStepResult } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import { getRun } from './runs';

export interface FindingRef {
  check: string;
  object: string;
  severity: string;
  finding: string;
  /** The step that listed it. */
  stepId: string;
}

export interface FindingsDiff {
  /** The previous signed-off run compared with, or null when this is the first. */
  previous: { id: string; signedAt: string } | null;
  added: FindingRef[];
  resolved: FindingRef[];
}

const JUDGED = new Set(['ok', 'warning', 'critical']);

/** The findings of a run, by check; null when no step of it lists findings. */
function findingsOf(run: ChecklistRunRecord): Map<string, FindingRef> | null {
  let listsFindings = false;
  const out = new Map<string, FindingRef>();
  const add = (step: ChecklistStepResult) => {
    const col = (name: string) => step.columns.indexOf(name);
    const [object, severity, finding, check] = [col('object'), col('severity'), col('finding'), col('check')];
    if (object < 0 || severity < 0) return;
    listsFindings = true;
    if (!JUDGED.has(step.status)) return;
    for (const row of step.rows) {
      const ref: FindingRef = {
        check: check >= 0 ? String(row[check]) : step.id,
        object: String(row[object]),
        severity: String(row[severity]),
        finding: finding >= 0 ? String(row[finding]) : '',
        stepId: step.id,
      };
      out.set(`${ref.check}\u0000${ref.object}`, ref);
    }
  };
  for (const step of run.result.steps) add(step);
  return listsFindings ? out : null;
}

/** The signed-off run of the same checklist and profile just before `run`, if any. */
export function previousRunId(deps: Pick<CoreDeps, 'store'>, run: ChecklistRunRecord): string | null {
  const row = deps.store.db
    .prepare(
      `SELECT id FROM checklist_runs
        WHERE profile_id = ? AND checklist_id = ? AND id <> ?
          AND (signed_at < ? OR (signed_at = ? AND rowid < (SELECT rowid FROM checklist_runs WHERE id = ?)))
        ORDER BY signed_at DESC, rowid DESC LIMIT 1`,
    )
    .pluck()
    .get(run.profileId, run.checklistId, run.id, run.signedAt, run.signedAt, run.id) as string | undefined;
  return row ?? null;
}

/** Null when the run lists no findings (a morning checklist): its report has no such section. */
export function findingsDiff(deps: Pick<CoreDeps, 'store'>, run: ChecklistRunRecord): FindingsDiff | null {
  const current = findingsOf(run);
  if (current === null) return null;
  const previousId = previousRunId(deps, run);
  if (previousId === null) return { previous: null, added: [...current.values()], resolved: [] };
  const previousRun = getRun(deps, previousId);
  const before = findingsOf(previousRun) ?? new Map<string, FindingRef>();
  // Resolved only where this run judged the same step (a step N/A or UNKNOWN now found nothing).
  const judgedNow = new Set(run.result.steps.filter((s) => JUDGED.has(s.status)).map((s) => s.id));
  return {
    previous: { id: previousRun.id, signedAt: previousRun.signedAt },
    added: [...current].filter(([key]) => !before.has(key)).map(([, ref]) => ref),
    resolved: [...before].filter(([key, ref]) => !current.has(key) && judgedNow.has(ref.stepId)).map(([, ref]) => ref),
  };
}
