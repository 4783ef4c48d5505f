// The offsite part of the one API contract (issue #18): named S3-compatible destinations,
// verified copies of backups there. Spread into `operations` (operations.ts).
// Secrets go in (secretAccessKey) and never come out: results say `hasSecret` only.
import { z } from 'zod';
import { byId, CONNECT_ERRORS, empty, op, passwordField } from './op';
import { backupFileNameSchema, backupOptionsSchema, type BackupEntry } from './backup';
import type { StorageSnapshotEntry } from './storage';
import {
  copyBackupSchema,
  createDestinationSchema,
  updateDestinationSchema,
  type BackupCopy,
  type CopyResult,
  type CreatedDestination,
  type DestinationTestResult,
  type OffsiteDestination,
  type PruneResult,
  retentionInputSchema,
} from './offsite';

export const offsiteOperations = {
  listOffsiteDestinations: op<{ destinations: OffsiteDestination[] }>()({ input: empty, errors: [], audit: null }),
  /** By id or name. */
  getOffsiteDestination: op<OffsiteDestination>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  /** With `encrypt` and no `encryptionKey`: a key is generated and returned once (`generatedKey`). */
  createOffsiteDestination: op<CreatedDestination>()({
    input: createDestinationSchema,
    errors: ['CONFLICT', 'SECRET_STORE_UNAVAILABLE'],
    audit: 'offsite.destination.create',
  }),
  updateOffsiteDestination: op<OffsiteDestination>()({
    input: updateDestinationSchema,
    errors: ['NOT_FOUND', 'CONFLICT', 'SECRET_STORE_UNAVAILABLE', 'DECRYPT_FAILED'],
    audit: 'offsite.destination.update',
  }),
  /** Forgets the destination and its secrets; the objects in the bucket stay. */
  deleteOffsiteDestination: op<{ removed: true }>()({ input: byId, errors: ['NOT_FOUND'], audit: 'offsite.destination.delete' }),
  /** HeadBucket, then write and delete a probe object; failures name the endpoint (STORAGE_FAILED). */
  testOffsiteDestination: op<DestinationTestResult>()({
    input: byId,
    errors: ['NOT_FOUND', 'PASSWORD_REQUIRED', 'STORAGE_FAILED'],
    audit: 'offsite.destination.test',
  }),
  /** Copies of backups, newest first; by backup or destination (id or name). */
  listBackupCopies: op<{ copies: BackupCopy[] }>()({
    input: z.object({ backupId: z.string().min(1).optional(), destination: z.string().min(1).optional() }).strict(),
    errors: [],
    audit: null,
  }),
  /**
   * Copy a verified-ok local backup to a destination: multipart upload resumable after a
   * dropped connection (run it again), then the object streamed back and its sha256 compared
   * with the catalog's (mismatch: STORAGE_FAILED reason 'integrity', the copy failed).
   */
  copyBackupOffsite: op<CopyResult>()({
    input: copyBackupSchema,
    errors: ['NOT_FOUND', 'CONFLICT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED', 'IO_FAILED', 'CANCELLED', 'TOOL_VERSION_MISMATCH', 'DECRYPT_FAILED'],
    audit: 'offsite.copy',
  }),
  /**
   * A database backup written straight to a destination, never to a local file (custom or
   * plain format; directory is INVALID_INPUT): streamed, read back and checked (sha256, and
   * pg_restore --list for custom) before anything counts. Answers when it ended: the catalog
   * entry (its dump lives only offsite; restore and drill stage it) and the ok copy.
   * Progress comes as `offsite.progress` events (upload, then verify; bytes so far, the total
   * unknown while pg_dump streams) carrying `jobId`; cancelOffsiteCopy takes it.
   */
  backupToOffsite: op<{ backup: BackupEntry; copy: CopyResult }>()({
    input: backupOptionsSchema.extend({
      destination: z.string().min(1, 'destination is required'),
      jobId: z.string().min(1).max(200).optional(),
      /** The name the review showed (plan.fileName): the object is named after exactly it. */
      fileName: backupFileNameSchema.optional(),
    }),
    errors: [...CONNECT_ERRORS, 'INVALID_INPUT', 'CONFLICT', 'STORAGE_FAILED', 'BACKUP_FAILED', 'TOOL_VERSION_MISMATCH', 'IO_FAILED', 'CANCELLED'],
    audit: 'backup.offsite',
  }),
  /**
   * A storage snapshot written straight to a destination, never to a local folder: each
   * object streamed from the profile's buckets (all it can list, or `buckets`), hashed,
   * encrypted when the destination encrypts, stored under its content address and read
   * back; the copy manifest last. Incremental: objects unchanged (bucket, key, ETag, size)
   * since the profile's newest snapshot copy at that destination are named again, not sent.
   * Answers when it ended: the catalog entry (`folderGone`: restore fetches it back with
   * fetchStorageSnapshot) and the ok copy (direct). Progress comes as `storage.progress`
   * events (objects, bytes, ETA) carrying `jobId` and the snapshot's id; cancelOffsiteCopy
   * takes the jobId. The storage secret as for startStorageBackup.
   */
  storageBackupToOffsite: op<{ snapshot: StorageSnapshotEntry; copy: CopyResult }>()({
    input: z
      .object({
        profileId: z.string().min(1),
        destination: z.string().min(1, 'destination is required'),
        storageSecret: passwordField,
        buckets: z.array(z.string().min(1).max(255)).max(100).optional(),
        jobId: z.string().min(1).max(200).optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'CONFLICT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED', 'IO_FAILED', 'CANCELLED', 'DECRYPT_FAILED'],
    audit: 'storage.backup.offsite',
  }),
  /**
   * Fetches a storage snapshot's newest ok offsite copy into the staging folder so it can be
   * restored (its own folder is not on disk: `folderGone`): every object downloaded
   * (decrypted when encrypted — a wrong key is refused before the first download), checked
   * against the manifest, the manifest against the catalog. Progress: `offsite.progress`
   * events, phase 'download', jobId stageJobIdFor(snapshotId); cancelOffsiteCopy takes it.
   * previewStorageRestore / restoreStorageSnapshot then read the staged folder; a restore
   * that succeeds removes it.
   */
  fetchStorageSnapshot: op<{ snapshotId: string; path: string; objects: number; bytes: number; destination: string; key: string }>()({
    input: z.object({ snapshotId: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED', 'IO_FAILED', 'CANCELLED', 'DECRYPT_FAILED'],
    audit: 'offsite.fetch',
  }),
  /** Stops a running copy by its jobId: the upload is aborted on the store, the copy row cancelled, the copy call CANCELLED. */
  cancelOffsiteCopy: op<{ cancelled: boolean }>()({
    input: z.object({ jobId: z.string().min(1) }).strict(),
    errors: [],
    audit: 'offsite.copy.cancel',
  }),
  /** The destination's retention policy (null removes it: prune then refuses). */
  setOffsiteRetention: op<OffsiteDestination>()({
    input: z.object({ id: z.string().min(1), policy: retentionInputSchema.nullable() }).strict(),
    errors: ['NOT_FOUND'],
    audit: 'offsite.retention.set',
  }),
  /**
   * Preview (dryRun) or apply the destination's retention over its ok copies grouped by
   * profile + kind. Refuses without a policy (CONFLICT); deleting a copy of a production
   * profile's backup needs `confirmName` = the destination's name (CONFIRMATION_REQUIRED).
   */
  pruneOffsite: op<PruneResult>()({
    input: z.object({ destination: z.string().min(1), dryRun: z.boolean().default(true), confirmName: z.string().optional() }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'CONFIRMATION_REQUIRED', 'PASSWORD_REQUIRED', 'STORAGE_FAILED'],
    audit: 'offsite.prune',
  }),
} as const;
