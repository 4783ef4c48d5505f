// The runbook's part of the one API contract (issue #5): Markdown import and saved
// runbooks, procedures and checklist runs with their sign-off, write steps, alert
// thresholds per profile, the maintenance calendar and the ops toolkit. Spread into
// `operations` (operations.ts); same rules as everything there.
import { z } from 'zod';
import { byId, empty, op, passwordField } from './op';
import {
  checklistSignOffSchema,
  setThresholdsSchema,
  type ChecklistRunRecord,
  type ChecklistRunResult,
  type ChecklistRunSummary,
  type ChecklistSummary,
  type MaintenanceCalendar,
  type ProcedureInfo,
  type RunbookImportResult,
  type RunbookStepPreview,
  type RunbookStepRunResult,
  type SavedRunbook,
  type SavedRunbookSummary,
  type ThresholdSetting,
  type ToolkitStatus,
} from './runbook';

export const runbookOperations = {
  /** Turn a Markdown runbook into procedures and steps. Executes nothing (issue #5). */
  importRunbook: op<RunbookImportResult & { savedId: string | null }>()({
    input: z.object({ markdown: z.string().max(5_000_000), source: z.string().max(1000).optional(), save: z.boolean().default(false) }).strict(),
    errors: ['INVALID_INPUT'],
    audit: 'runbook.import',
  }),
  listChecklists: op<{ checklists: ChecklistSummary[] }>()({ input: empty, errors: [], audit: null }),
  /** Run the read steps of a checklist on a profile and judge them against its thresholds. */
  runChecklist: op<ChecklistRunResult>()({
    input: z
      .object({
        /** A checklist's run name ("morning") or any procedure's id ("maintenance.weekly"). */
        checklistId: z.string().min(1),
        profileId: z.string().min(1),
        password: passwordField,
        /** Run only these read steps (step by step); the others come back 'skipped', "not run in this pass". */
        stepIds: z.array(z.string().min(1).max(200)).max(200).optional(),
        /** Push a `checklist.step` event as each step finishes. */
        runId: z.string().min(1).max(100).optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'CONNECTION_FAILED', 'PASSWORD_REQUIRED', 'AUTH_FAILED'],
    audit: 'checklist.run',
  }),
  /**
   * Save a checklist run with the operator's decision on every step (done, skipped with a
   * reason, escalated), the result snapshot as shown and an overall note.
   */
  signOffChecklistRun: op<ChecklistRunRecord>()({
    input: checklistSignOffSchema,
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: 'checklist.signoff',
  }),
  /** Signed-off runs, newest first, of one profile or all. */
  listChecklistRuns: op<{ runs: ChecklistRunSummary[] }>()({
    input: z.object({ profileId: z.string().min(1).optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    errors: ['INVALID_INPUT'],
    audit: null,
  }),
  getChecklistRun: op<ChecklistRunRecord>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  /** A signed-off run as a Markdown or HTML report (returned, not written to disk). */
  exportChecklistRun: op<{ content: string; filename: string; format: 'markdown' | 'html' }>()({
    input: z.object({ id: z.string().min(1), format: z.enum(['markdown', 'html']) }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: 'checklist.export',
  }),
  /** What a write or destructive runbook step would change: the exact statement and the rows it would touch (read-only transaction). */
  previewRunbookStep: op<RunbookStepPreview>()({
    input: z.object({ profileId: z.string().min(1), procedureId: z.string().min(1), stepId: z.string().min(1), password: passwordField }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'CONNECTION_FAILED', 'PASSWORD_REQUIRED', 'AUTH_FAILED', 'QUERY_FAILED'],
    audit: 'runbook.preview',
  }),
  /**
   * Run a previewed write step in one transaction; rolled back (CONFLICT) unless it touches
   * exactly `expectedRows` (and, with `token`, the same rows). Refused on read-only profiles;
   * production needs `confirmName`.
   */
  runRunbookStep: op<RunbookStepRunResult>()({
    input: z
      .object({
        profileId: z.string().min(1),
        procedureId: z.string().min(1),
        stepId: z.string().min(1),
        expectedRows: z.number().int().min(0),
        token: z.string().max(200).optional(),
        confirmName: z.string().optional(),
        password: passwordField,
      })
      .strict(),
    errors: [
      'READ_ONLY',
      'CONFIRMATION_REQUIRED',
      'CONFLICT',
      'INVALID_INPUT',
      'NOT_FOUND',
      'CONNECTION_FAILED',
      'PASSWORD_REQUIRED',
      'AUTH_FAILED',
      'QUERY_FAILED',
    ],
    audit: 'runbook.step',
  }),
  /** Which version of the ops toolkit (server functions the runbook calls) a profile has. */
  getToolkitStatus: op<ToolkitStatus>()({
    input: z.object({ profileId: z.string().min(1), password: passwordField }).strict(),
    errors: ['NOT_FOUND', 'CONNECTION_FAILED', 'PASSWORD_REQUIRED', 'AUTH_FAILED'],
    audit: 'toolkit.status',
  }),
  /** Install or upgrade the toolkit (idempotent); production needs `confirmName`; refused on read-only. */
  installToolkit: op<ToolkitStatus>()({
    input: z.object({ profileId: z.string().min(1), confirmName: z.string().optional(), password: passwordField }).strict(),
    errors: ['NOT_FOUND', 'CONFIRMATION_REQUIRED', 'READ_ONLY', 'CONNECTION_FAILED', 'PASSWORD_REQUIRED', 'AUTH_FAILED', 'QUERY_FAILED'],
    audit: 'toolkit.install',
  }),
  /** Every procedure of the built-in runbook with its steps, for the runbook screen. */
  listProcedures: op<{ runbook: { id: string; title: string; source: string }; procedures: ProcedureInfo[] }>()({ input: empty, errors: [], audit: null }),
  /** Markdown runbooks kept after import (importRunbook with save: true), newest first. */
  listRunbooks: op<{ runbooks: SavedRunbookSummary[] }>()({ input: empty, errors: [], audit: null }),
  getRunbook: op<SavedRunbook>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  deleteRunbook: op<{ removed: true }>()({ input: byId, errors: ['NOT_FOUND'], audit: 'runbook.delete' }),
  /** The alert thresholds a profile's checks are judged by: defaults, or the profile's own. */
  getThresholds: op<{ profileId: string; thresholds: ThresholdSetting[] }>()({
    input: z.object({ profileId: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND'],
    audit: null,
  }),
  /** Override thresholds for one profile, or put them back to the defaults. */
  setThresholds: op<{ profileId: string; thresholds: ThresholdSetting[] }>()({
    input: setThresholdsSchema,
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: 'thresholds.update',
  }),
  /** Daily, weekly, monthly and quarterly procedures with their last completion on a profile and whether they are due. */
  getMaintenanceCalendar: op<MaintenanceCalendar>()({
    input: z.object({ profileId: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND'],
    audit: null,
  }),
} as const;
