// What the checklists screen decides without React: status colours and words, and when a
// run may be signed off (every step decided, every skip with its reason) — the same rules
// the core enforces, checked here so the button says why it is not ready yet; and for a run
// of any procedure, how a step run on its own changes the run and where action steps lead.
import type {
  CheckStatus,
  ChecklistRunResult,
  ChecklistStepDecision,
  ChecklistStepResult,
  ProcedureInfo,
  ProcedureStepInfo,
  StepDecision,
  StepKind,
} from '@contract/runbook';
import type { ScreenId } from '../../shared/state/screens';
import { plural } from '../../shared/format/text';

export type StepStatus = ChecklistStepResult['status'];

export const STATUS_COLORS: Record<StepStatus, string> = {
  ok: 'green',
  warning: 'yellow',
  critical: 'red',
  unknown: 'gray',
  skipped: 'gray',
  manual: 'blue',
  not_applicable: 'gray',
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

// ── Any procedure, step by step (issue #5) ─────────────────────────────────────────────

export const KIND_LABELS: Record<StepKind, string> = { read: 'READ', write: 'WRITE', destructive: 'DESTRUCTIVE' };
export const KIND_COLORS: Record<StepKind, string> = { read: 'gray', write: 'orange', destructive: 'red' };

// Monitoring order, as the core judges it: an unknown result hides more than a warning says.
const SEVERITY: Record<CheckStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/**
 * A read step that was judged in this pass (listed-only and not-yet-run steps were not, nor
 * a step not applicable to this database: it never worsens the run).
 */
export function hasRun(step: ChecklistStepResult): step is ChecklistStepResult & { status: CheckStatus } {
  return step.status !== 'skipped' && step.status !== 'manual' && step.status !== 'not_applicable';
}

/**
 * The run's overall status: the worst of the steps that ran (CRITICAL > UNKNOWN > WARNING >
 * OK); OK when none has run yet. The core checks the same rule at sign-off.
 */
export function overallStatus(steps: readonly ChecklistStepResult[]): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const step of steps) if (hasRun(step) && SEVERITY[step.status] > SEVERITY[worst]) worst = step.status;
  return worst;
}

/** The run with one step's fresh result in its place, and the overall status that follows. */
export function replaceStep(result: ChecklistRunResult, fresh: ChecklistStepResult): ChecklistRunResult {
  if (!result.steps.some((s) => s.id === fresh.id)) return result;
  const steps = result.steps.map((s) => (s.id === fresh.id ? fresh : s));
  return { ...result, steps, status: overallStatus(steps) };
}

/** "Step 3 of 11: Low stock items": the step running now, given how many have finished. */
export function progressLabel(titles: readonly string[], finished: number, total: number): string {
  if (total > 0 && finished >= total) return `All ${total} steps finished`;
  const title = titles[finished];
  return `Step ${Math.min(finished + 1, Math.max(total, 1))} of ${total}${title ? `: ${title}` : ''}`;
}

/** Where an action step hands over: one of the app's screens, or the toolkit panel here. */
export type ActionTarget = { type: 'screen'; screen: ScreenId; label: string } | { type: 'toolkit'; label: string };

const ACTION_SCREENS: Record<string, { screen: ScreenId; label: string }> = {
  backup: { screen: 'backups', label: 'Go to Backups' },
  'verify-backup': { screen: 'backups', label: 'Go to Backups' },
  restore: { screen: 'restore', label: 'Go to Restore' },
  'restore-drill': { screen: 'restore', label: 'Go to Restore' },
  'cancel-session': { screen: 'activity', label: 'Go to Activity' },
  'terminate-session': { screen: 'activity', label: 'Go to Activity' },
  'sessions-cleanup': { screen: 'activity', label: 'Go to Activity' },
};

export function actionTarget(action: string | undefined): ActionTarget | null {
  if (action === undefined) return null;
  if (action === 'install-toolkit') return { type: 'toolkit', label: 'Install the ops toolkit…' };
  const found = ACTION_SCREENS[action];
  return found ? { type: 'screen', ...found } : null;
}

/** The procedure a choice names: a checklist's run name ("morning") or a procedure id. */
export function findProcedure(procedures: readonly ProcedureInfo[], choice: string): ProcedureInfo | undefined {
  return procedures.find((p) => p.checklist === choice || p.id === choice);
}

/** Checklists are remembered by their run name (what the one-click control shows), the rest by id. */
export function choiceFor(procedure: ProcedureInfo): string {
  return procedure.checklist ?? procedure.id;
}

/** Select data: every procedure under its runbook section, sections in runbook order. */
export function groupProcedures(procedures: readonly ProcedureInfo[]): Array<{ group: string; items: Array<{ value: string; label: string }> }> {
  const groups = new Map<string, Array<{ value: string; label: string }>>();
  for (const p of procedures) {
    const items = groups.get(p.section) ?? [];
    items.push({ value: p.id, label: p.title });
    groups.set(p.section, items);
  }
  return [...groups].map(([group, items]) => ({ group, items }));
}

/** What a write step did, in the words its note gets: "Ran: 3 rows changed". */
export function ranLine(rowsAffected: number, immediate: boolean): string {
  return `Ran: ${immediate ? `${plural(rowsAffected, 'session')} ended` : `${plural(rowsAffected, 'row')} changed`}`;
}

/** A note with a line added, the operator's own text kept. */
export function appendNote(note: string, line: string): string {
  const trimmed = note.trim();
  return trimmed === '' ? line : `${trimmed}; ${line}`;
}

/** The draft after a write step ran: its note says so, and it is done unless already decided. */
export function draftAfterWrite(draft: DraftDecision, line: string, markDone: boolean): DraftDecision {
  return { ...draft, note: appendNote(draft.note, line), decision: draft.decision ?? (markDone ? 'done' : null) };
}

/**
 * The line shown under a step's title. A write step the runbook can preview is listed by the
 * core as "not run by a checklist … use the query console"; on this screen it runs from its
 * preview, so say that instead (the saved snapshot keeps the core's words).
 */
export function shownSummary(step: ChecklistStepResult, info: ProcedureStepInfo | undefined): string {
  if (info?.previewable && step.kind !== 'read' && step.status === 'skipped') {
    return `Changes the server (${step.kind}): preview what it would change, then run it from the preview.`;
  }
  return step.summary;
}
