// The restore part of the one API contract (issue #7): what a backup holds, the plan shown
// for review, the restore job with its validation, and offline restore drills. Spread into
// `operations` (operations.ts). Restores and drills run as jobs: start* answers at once,
// progress comes as `restore.progress` events, the end as `job.done`; get* reads the outcome.
import { z } from 'zod';
import { byId, CONNECT_ERRORS, op } from './op';
import { drillOptionsSchema, restoreOptionsSchema, type BackupContents, type DrillRecord, type RestorePlan, type RestoreRecord } from './restore';

const listInput = z.object({ profileId: z.string().min(1).optional(), limit: z.number().int().min(1).max(10_000).default(200) }).strict();

/** A catalog backup whose local file is gone is fetched back from its offsite copy: that can fail too. */
// CANCELLED: the download was stopped (cancelOffsiteCopy with stageJobIdFor(backupId)).
const OFFSITE_FETCH_ERRORS = ['STORAGE_FAILED', 'DECRYPT_FAILED', 'PASSWORD_REQUIRED', 'CANCELLED'] as const;

export const restoreOperations = {
  /** Read a catalog backup or a dump file/folder: manifest, or pg_restore --list / the plain header. Touches no server. */
  inspectBackup: op<BackupContents>()({
    input: z.object({ source: z.string().min(1).max(4096) }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'BACKUP_FAILED', 'TOOL_VERSION_MISMATCH', ...OFFSITE_FETCH_ERRORS],
    audit: null,
  }),
  /** Check the source, the target, the tools and the conflicts; returns what would run and starts nothing. */
  planRestore: op<RestorePlan>()({
    input: restoreOptionsSchema,
    errors: [...CONNECT_ERRORS, 'READ_ONLY', 'TOOL_VERSION_MISMATCH', 'BACKUP_FAILED', 'SANDBOX_FAILED', 'BINARIES_NOT_FOUND', ...OFFSITE_FETCH_ERRORS],
    audit: 'restore.plan',
  }),
  /** Plan again, enforce the safety rules (read-only, typed name, conflicts), then start. */
  startRestore: op<{ restoreId: string; jobId: string; plan: RestorePlan }>()({
    input: restoreOptionsSchema.extend({ jobId: z.string().min(1).max(100).optional() }),
    errors: [
      ...CONNECT_ERRORS,
      'READ_ONLY',
      'CONFIRMATION_REQUIRED',
      'CONFLICT',
      'TOOL_VERSION_MISMATCH',
      'BACKUP_FAILED',
      'SANDBOX_FAILED',
      'BINARIES_NOT_FOUND',
      ...OFFSITE_FETCH_ERRORS,
    ],
    audit: 'restore.start',
  }),
  cancelRestore: op<{ cancelled: boolean }>()({ input: byId, errors: ['NOT_FOUND'], audit: 'restore.cancel' }),
  getRestore: op<RestoreRecord>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  listRestores: op<{ restores: RestoreRecord[] }>()({ input: listInput, errors: ['INVALID_INPUT'], audit: null }),
  /** Restore a backup into a fresh local scratch cluster, validate, time it against the RTO/RPO targets, drop the cluster. */
  startDrill: op<{ drillId: string; jobId: string }>()({
    input: drillOptionsSchema,
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'TOOL_VERSION_MISMATCH', 'BACKUP_FAILED', 'SANDBOX_FAILED', 'BINARIES_NOT_FOUND', ...OFFSITE_FETCH_ERRORS],
    audit: 'drill.start',
  }),
  cancelDrill: op<{ cancelled: boolean }>()({ input: byId, errors: ['NOT_FOUND'], audit: 'drill.cancel' }),
  getDrill: op<DrillRecord>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  listDrills: op<{ drills: DrillRecord[] }>()({ input: listInput, errors: ['INVALID_INPUT'], audit: null }),
  exportDrillReport: op<{ content: string; filename: string; format: 'markdown' | 'html' }>()({
    input: z.object({ id: z.string().min(1), format: z.enum(['markdown', 'html']) }).strict(),
    errors: ['NOT_FOUND'],
    audit: 'drill.export',
  }),
} as const;
