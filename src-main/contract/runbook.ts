// Runbooks, checklists and the ops toolkit (issue #5): the shapes that cross the contract.
// Pure types and zod, like the rest of the contract.
import { z } from 'zod';
import type { RunbookImportResult } from './runbook-import';

export type StepKind = 'read' | 'write' | 'destructive';
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'unknown';
/**
 * A step's result: a judged CheckStatus, or a step that was not judged — listed only
 * (skipped, manual) or not applicable to this database (a table it reads is not there).
 * Only CheckStatus values count towards a run's overall status.
 */
export type StepStatus = CheckStatus | 'skipped' | 'manual' | 'not_applicable';

/** How a step status is written in text (CLI, exports, badges): "N/A" for not_applicable. */
export function stepStatusLabel(status: StepStatus): string {
  return status === 'not_applicable' ? 'N/A' : status.toUpperCase();
}

// Imported Markdown runbooks (issue #5, #16): their own module, re-exported here.
export type { ImportedProcedure, ImportedSection, ImportedStep, RunbookImportResult } from './runbook-import';

export interface ChecklistSummary {
  id: string;
  title: string;
  description: string;
  steps: number;
}

export interface ChecklistStepResult {
  id: string;
  title: string;
  kind: StepKind;
  status: StepStatus;
  /** One line with the value and the thresholds: "7 items low on stock (warning above 5, critical above 10)"; for UNKNOWN and not_applicable, the reason. */
  summary: string;
  value: number | null;
  warn: number | null;
  critical: number | null;
  columns: string[];
  /** The first rows only (50 by default); `rowCount` says how many the statement returned. */
  rows: Array<Array<string | number | boolean | null>>;
  rowCount: number;
  durationMs: number;
  /**
   * The step calls an ops-toolkit function the server does not have (SQLSTATE 42883):
   * the screen offers to install the toolkit (getToolkitStatus / installToolkit).
   */
  needsToolkit?: boolean;
  /**
   * not_applicable: the tables the step reads that this database does not have (as the
   * step names them, e.g. "orders"), found in the catalog before the step runs.
   */
  missingTables?: string[];
}

export interface ChecklistRunResult {
  /** The checklist's run name ("morning"). */
  checklist: string;
  title: string;
  /** The profile's name. */
  profile: string;
  /** Worst of the read steps: CRITICAL, else UNKNOWN if one could not run, else WARNING, else OK. Not-applicable steps never count. */
  status: CheckStatus;
  startedAt: string;
  durationMs: number;
  steps: ChecklistStepResult[];
}

export interface ToolkitStatus {
  installed: boolean;
  /** Installed version (null when absent), and the version this app ships. */
  version: string | null;
  latest: string;
  /**
   * Each runbook function: present when ops_toolkit has it and the public wrapper the
   * runbook calls is the toolkit's; conflict when a public function of that name is not.
   */
  functions: Array<{ name: string; present: boolean; conflict?: string }>;
  /** The exact SQL install would run, to show before installing. */
  sql: string;
}

// ── Checklist sign-off (issue #5) ────────────────────────────────────────────────────
// The operator's verdict on each step of a run, and the saved run with its snapshot.

export type StepDecision = 'done' | 'skipped' | 'escalated';

export interface ChecklistStepDecision {
  stepId: string;
  decision: StepDecision;
  /** Why the step was skipped (required for 'skipped'). */
  reason?: string | undefined;
  note?: string | undefined;
}

/** A signed-off run as listed in the history (without its snapshot). */
export interface ChecklistRunSummary {
  id: string;
  profileId: string;
  profileName: string;
  checklistId: string;
  title: string;
  status: CheckStatus;
  /** Who signed it off, and when the checks ran and when they were signed. */
  actor: string;
  startedAt: string;
  signedAt: string;
  note: string;
  decisions: Record<StepDecision, number>;
}

/** A signed-off run as saved: every step's result as it was shown, and each decision. */
export interface ChecklistRunRecord extends ChecklistRunSummary {
  result: ChecklistRunResult;
  stepDecisions: ChecklistStepDecision[];
}

const MAX_TEXT = 10_000;
const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const checkStatusSchema = z.enum(['ok', 'warning', 'critical', 'unknown']);

const stepResultSchema = z
  .object({
    id: z.string().min(1).max(200),
    title: z.string().max(500),
    kind: z.enum(['read', 'write', 'destructive']),
    status: z.enum(['ok', 'warning', 'critical', 'unknown', 'skipped', 'manual', 'not_applicable']),
    summary: z.string().max(MAX_TEXT),
    value: z.number().nullable(),
    warn: z.number().nullable(),
    critical: z.number().nullable(),
    columns: z.array(z.string().max(1000)).max(1000),
    // A run keeps the first 50 rows of a step; room to spare, not room for a table dump.
    rows: z.array(z.array(cellSchema).max(1000)).max(200),
    rowCount: z.number().int().min(0),
    durationMs: z.number().min(0),
    needsToolkit: z.boolean().optional(),
    missingTables: z.array(z.string().max(400)).max(100).optional(),
  })
  .strict();

/** What runChecklist returned, sent back unchanged with the sign-off. */
export const checklistRunResultSchema = z
  .object({
    checklist: z.string().min(1).max(200),
    title: z.string().max(500),
    profile: z.string().max(500),
    status: checkStatusSchema,
    startedAt: z.string().min(1).max(100),
    durationMs: z.number().min(0),
    steps: z.array(stepResultSchema).min(1).max(200),
  })
  .strict();

export const stepDecisionSchema = z
  .object({
    stepId: z.string().min(1).max(200),
    decision: z.enum(['done', 'skipped', 'escalated']),
    reason: z.string().trim().max(MAX_TEXT).optional(),
    note: z.string().trim().max(MAX_TEXT).optional(),
  })
  .strict();

/**
 * Sign-off input. Every step of the result needs exactly one decision, and a skipped step
 * needs its reason: checked here so the answer names the field (`decisions.3.reason`).
 */
export const checklistSignOffSchema = z
  .object({
    profileId: z.string().min(1),
    result: checklistRunResultSchema,
    decisions: z.array(stepDecisionSchema).max(200),
    note: z.string().trim().max(MAX_TEXT).default(''),
  })
  .strict()
  .superRefine(function checkDecisions(input, ctx) {
    const stepIds = new Set(input.result.steps.map((s) => s.id));
    const decided = new Set<string>();
    input.decisions.forEach((d, i) => {
      if (!stepIds.has(d.stepId)) ctx.addIssue({ code: 'custom', path: ['decisions', i, 'stepId'], message: `step "${d.stepId}" is not a step of this run` });
      else if (decided.has(d.stepId))
        ctx.addIssue({ code: 'custom', path: ['decisions', i, 'stepId'], message: `step "${d.stepId}" has more than one decision` });
      decided.add(d.stepId);
      if (d.decision === 'skipped' && !d.reason)
        ctx.addIssue({ code: 'custom', path: ['decisions', i, 'reason'], message: `skipping "${d.stepId}" needs a reason` });
    });
    for (const step of input.result.steps) {
      if (!decided.has(step.id))
        ctx.addIssue({
          code: 'custom',
          path: ['decisions'],
          message: `step "${step.title}" (${step.id}) has no decision: mark it done, skipped (with a reason) or escalated`,
        });
    }
  });

/**
 * What a write or destructive runbook step would change, read before it runs
 * (previewRunbookStep). Nothing is changed by a preview.
 */
export interface RunbookStepPreview {
  procedureId: string;
  stepId: string;
  title: string;
  kind: StepKind;
  /** The profile's name: on production, the run needs it typed as `confirmName`. */
  profile: string;
  confirmationRequired: boolean;
  /** The exact statement the run executes. */
  statement: string;
  /** The SELECT that lists exactly the rows (or sessions) the statement will touch. */
  previewSql: string;
  /** How many rows the statement would touch now: pass it as the run's `expectedRows`. */
  rowCount: number;
  columns: string[];
  /** The first rows only (200); `rowCount` counts them all. */
  rows: Array<Array<string | number | boolean | null>>;
  /** Fingerprint of the statement and the previewed rows' keys: pass it to the run to refuse when other rows would be touched. */
  token: string;
  /** True when the effect cannot be rolled back (ending sessions). */
  immediate: boolean;
}

export interface RunbookStepRunResult {
  procedureId: string;
  stepId: string;
  title: string;
  kind: StepKind;
  profile: string;
  statement: string;
  /** Rows the statement changed (for a SELECT that ends sessions, the sessions it returned). */
  rowsAffected: number;
  durationMs: number;
}

// ── Procedures, thresholds, the maintenance calendar, saved runbooks (issue #5) ────────

export type Cadence = 'daily' | 'weekly' | 'monthly' | 'quarterly';

/** One step of a procedure as the runbook screen shows it (listProcedures). */
export interface ProcedureStepInfo {
  id: string;
  title: string;
  explanation: string;
  kind: StepKind;
  type: 'sql' | 'action' | 'manual' | 'check';
  /** The statement of an SQL step. */
  sql?: string;
  /** A check step: the name of the built-in check that runs and judges it ("security.audit"). */
  check?: string;
  /** A write/destructive SQL step that previewRunbookStep can preview and runRunbookStep run. */
  previewable?: boolean;
  /** An action step: which of the app's tools it hands over to, and its label. */
  action?: string;
  actionLabel?: string;
  /** A manual step's instruction. */
  instruction?: string;
  /** Where the runbook document is wrong for current PostgreSQL, and what this step does instead. */
  correction?: string;
  /** The threshold key (see getThresholds) that judges a read step's result. */
  threshold?: string;
}

export interface ProcedureInfo {
  id: string;
  title: string;
  section: string;
  description: string;
  /** The short run name of a checklist ("morning"); null for other procedures. */
  checklist: string | null;
  /** How often the maintenance calendar expects it done; null when it is run on demand. */
  cadence: Cadence | null;
  steps: ProcedureStepInfo[];
}

/** A progress push while runChecklist runs with a runId: one per step, in order. */
export interface ChecklistStepEvent {
  type: 'checklist.step';
  runId: string;
  /** 0-based position of the step in the procedure, and how many steps it has. */
  index: number;
  total: number;
  step: ChecklistStepResult;
}

export type ThresholdUnitName = 'count' | 'bytes' | 'seconds' | 'hours' | 'percent';

/** One alert threshold as a profile uses it: the default, and the profile's own values. */
export interface ThresholdSetting {
  key: string;
  metric: string;
  unit: ThresholdUnitName;
  /** 'above': a value above warn is a WARNING; 'below': a value below it is. */
  direction: 'above' | 'below';
  warn: number;
  /** Null: never CRITICAL on its own. */
  critical: number | null;
  defaultWarn: number;
  defaultCritical: number | null;
  action: string;
  /** 'runbook': the document's alert table; 'ops-console': ours, with a rationale. */
  source: 'runbook' | 'ops-console';
  rationale: string | null;
  overridden: boolean;
}

export const thresholdValueSchema = z
  .object({
    key: z.string().min(1).max(100),
    warn: z.number().finite().min(0),
    critical: z.number().finite().min(0).nullable(),
  })
  .strict();

/** `values` override thresholds for one profile; `reset` puts keys back to their defaults. */
export const setThresholdsSchema = z
  .object({
    profileId: z.string().min(1),
    values: z.array(thresholdValueSchema).max(100).default([]),
    reset: z.array(z.string().min(1).max(100)).max(100).default([]),
  })
  .strict();

/**
 * A maintenance-calendar item (a procedure with a cadence) for one profile.
 * done: completed in the current period · upcoming: a daily item not yet at its time ·
 * due: in its window · overdue: past its window.
 */
export interface CalendarItem {
  procedureId: string;
  checklist: string | null;
  title: string;
  cadence: Cadence;
  /** Local time of day a daily item is due ("09:00"); null for the others. */
  dueTime: string | null;
  /** The last signed-off run of this procedure on the profile. */
  lastDoneAt: string | null;
  lastStatus: CheckStatus | null;
  lastRunId: string | null;
  /** When it is (or was) next due, ISO. */
  dueAt: string;
  state: 'done' | 'upcoming' | 'due' | 'overdue';
}

export interface MaintenanceCalendar {
  profileId: string;
  /** The time the states were computed for, ISO. */
  now: string;
  items: CalendarItem[];
}

/** A Markdown runbook kept in the app after import (importRunbook with save). */
export interface SavedRunbookSummary {
  id: string;
  title: string;
  source: string | null;
  importedAt: string;
  procedures: number;
  steps: number;
  sqlSteps: number;
}

export interface SavedRunbook extends SavedRunbookSummary {
  runbook: RunbookImportResult;
}
