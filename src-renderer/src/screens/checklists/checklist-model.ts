// What the checklists screen decides without React: status colours and words, and when a
// run may be signed off (every step decided, every skip with its reason) — the same rules
// the core enforces, checked here so the button says why it is not ready yet.
import type { ChecklistStepDecision, ChecklistStepResult, StepDecision } from '../../../../src-main/contract/runbook';

export type StepStatus = ChecklistStepResult['status'];

export const STATUS_COLORS: Record<StepStatus, string> = {
  ok: 'green',
  warning: 'yellow',
  critical: 'red',
  unknown: 'gray',
  skipped: 'gray',
  manual: 'blue',
};

export const DECISION_LABELS: Record<StepDecision, string> = { done: 'Done', skipped: 'Skipped', escalated: 'Escalated' };
export const DECISION_COLORS: Record<StepDecision, string> = { done: 'green', skipped: 'gray', escalated: 'orange' };

/** The operator's choices while filling in a run, per step id. */
export interface DraftDecision {
  decision: StepDecision | null;
  reason: string;
  note: string;
}

export type Drafts = Record<string, DraftDecision>;

export const EMPTY_DRAFT: DraftDecision = { decision: null, reason: '', note: '' };

/** Steps still blocking the sign-off, with what each one lacks. */
export function missingDecisions(steps: readonly ChecklistStepResult[], drafts: Drafts): Array<{ step: ChecklistStepResult; lacks: 'decision' | 'reason' }> {
  const out: Array<{ step: ChecklistStepResult; lacks: 'decision' | 'reason' }> = [];
  for (const step of steps) {
    const d = drafts[step.id];
    if (!d?.decision) out.push({ step, lacks: 'decision' });
    else if (d.decision === 'skipped' && d.reason.trim() === '') out.push({ step, lacks: 'reason' });
  }
  return out;
}

/** The decisions as the core takes them (blank texts left out; an undecided step is left for the core to name). */
export function toDecisions(steps: readonly ChecklistStepResult[], drafts: Drafts): ChecklistStepDecision[] {
  return steps.flatMap((step) => {
    const d = drafts[step.id] ?? EMPTY_DRAFT;
    if (!d.decision) return [];
    const reason = d.reason.trim();
    const note = d.note.trim();
    return [{ stepId: step.id, decision: d.decision, ...(d.decision === 'skipped' && reason ? { reason } : {}), ...(note ? { note } : {}) }];
  });
}

export function cellText(cell: ChecklistStepResult['rows'][number][number]): string {
  return cell === null ? 'NULL' : String(cell);
}
