// The backups part of the one API contract (issue #6): client tools, the plan shown for
// review, the backup job and the catalog. Spread into `operations` (operations.ts).
// A backup runs as a job: startBackup answers at once with its ids, progress comes as
// `backup.progress` events and the end as `job.done`; getBackup reads the outcome.
import { z } from 'zod';
import { backupFileNameSchema, backupOptionsSchema, type BackupEntry, type BackupPlan, type BackupVerifyResult, type ClientToolsReport } from './backup';
import { byId, CONNECT_ERRORS, empty, op } from './op';

export const backupOperations = {
  /** pg_dump, pg_dumpall, pg_restore and psql of every major version installed here. */
  listClientTools: op<ClientToolsReport>()({ input: empty, errors: [], audit: null }),
  /** Folders searched first for client tools (Settings); an empty list removes them. */
  setClientToolPaths: op<ClientToolsReport>()({
    input: z.object({ paths: z.array(z.string().min(1).max(4096)).max(20) }).strict(),
    errors: ['INVALID_INPUT'],
    audit: 'settings.client-tools',
  }),
  /** Check the server and the tools and return what would run; starts nothing. */
  planBackup: op<BackupPlan>()({
    input: backupOptionsSchema,
    errors: [...CONNECT_ERRORS, 'TOOL_VERSION_MISMATCH', 'IO_FAILED'],
    audit: 'backup.plan',
  }),
  /**
   * Plan again (versions checked before launch) and start; answers when pg_dump has started.
   * `fileName` is the name the review showed (plan.fileName): written exactly, or refused
   * (INVALID_INPUT for a name the core would not choose, CONFLICT when it is taken by now);
   * without it the core picks a free name as at review.
   */
  startBackup: op<{ backupId: string; jobId: string; plan: BackupPlan }>()({
    input: backupOptionsSchema.extend({ jobId: z.string().min(1).max(100).optional(), fileName: backupFileNameSchema.optional() }),
    errors: [...CONNECT_ERRORS, 'TOOL_VERSION_MISMATCH', 'IO_FAILED', 'BACKUP_FAILED', 'CONFLICT'],
    audit: 'backup.start',
  }),
  /** Stop a running backup: its process tree is killed and its partial output deleted. */
  cancelBackup: op<{ cancelled: boolean }>()({ input: byId, errors: ['NOT_FOUND'], audit: 'backup.cancel' }),
  listBackups: op<{ backups: BackupEntry[] }>()({
    input: z.object({ profileId: z.string().min(1).optional(), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    errors: ['INVALID_INPUT'],
    audit: null,
  }),
  getBackup: op<BackupEntry>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  /** Checksum against the manifest, and pg_restore --list (custom/directory) or the completion marker (plain). */
  verifyBackup: op<BackupVerifyResult>()({ input: byId, errors: ['NOT_FOUND', 'TOOL_VERSION_MISMATCH'], audit: 'backup.verify' }),
  /**
   * Show the backup in the system's file manager (desktop: the window's shell; browser mode
   * and CLI: the platform's opener when there is one). `revealed: false` when nothing could
   * open it; the path is returned either way.
   */
  revealBackup: op<{ revealed: boolean; path: string }>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  /** Delete the backup's files and its catalog entry; `confirmName` must be the backup's file name. */
  deleteBackup: op<{ removed: true }>()({
    input: z.object({ id: z.string().min(1), confirmName: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND', 'CONFIRMATION_REQUIRED', 'CONFLICT', 'IO_FAILED'],
    audit: 'backup.delete',
  }),
} as const;
