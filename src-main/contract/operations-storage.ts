// The storage part of the one API contract: Supabase Storage snapshots (issue #18). Spread
// into `operations`. A snapshot runs as a job: startStorageBackup answers once the listing
// can start (the key and the buckets were checked) with its ids; progress comes as
// `storage.progress` events (contract/storage.ts StorageProgressEvent), the end as `job.done`
// (kind 'storage'); getStorageSnapshot reads the outcome. The storage secret access key is
// `storageSecret` when given, else the profile's saved one (PASSWORD_REQUIRED, detail
// secret 'storage', without either).
import { z } from 'zod';
import type {
  StorageCheckResult,
  StorageManifest,
  StorageRestorePreview,
  StorageRestoreResult,
  StorageSnapshotDetails,
  StorageSnapshotEntry,
  StorageVerifyResult,
} from './storage';
import { byId, CONNECT_ERRORS, op, passwordField } from './op';

const bucketName = z.string().min(1).max(255);

const objectKey = z.string().min(1).max(4096);

/**
 * A snapshot (catalog id or folder path) into a profile's buckets: all into `bucket`, else each
 * object into its own bucket's name. `keys` picks objects by key (in whichever snapshot bucket
 * holds them); `objects` picks them by snapshot bucket and key (the restore dialog's choice).
 */
const restoreInput = {
  snapshotId: z.string().min(1),
  targetProfileId: z.string().min(1),
  bucket: bucketName.optional(),
  keys: z.array(objectKey).min(1).max(10_000).optional(),
  objects: z
    .array(z.object({ bucket: bucketName, key: objectKey }).strict())
    .min(1)
    .max(10_000)
    .optional(),
  storageSecret: passwordField,
};

export const storageOperations = {
  /** Snapshot the profile's buckets (all it can list, or `buckets`) into `<home>/storage-snapshots/<profile>/<UTC time>/` or `outDir/<UTC time>/`. */
  startStorageBackup: op<{ snapshotId: string; jobId: string; path: string }>()({
    input: z
      .object({
        profileId: z.string().min(1),
        storageSecret: passwordField,
        buckets: z.array(bucketName).max(100).optional(),
        outDir: z.string().min(1).max(4096).optional(),
        jobId: z.string().min(1).max(100).optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED', 'IO_FAILED'],
    audit: 'storage.backup.start',
  }),
  /** Stop a running snapshot: its partial folder is removed, nothing is published. */
  cancelStorageBackup: op<{ cancelled: boolean }>()({ input: byId, errors: ['NOT_FOUND'], audit: 'storage.backup.cancel' }),
  listStorageSnapshots: op<{ snapshots: StorageSnapshotEntry[] }>()({
    input: z.object({ profileId: z.string().min(1).optional(), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    errors: ['INVALID_INPUT'],
    audit: null,
  }),
  /** By catalog id or folder path. */
  getStorageSnapshot: op<StorageSnapshotDetails>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  getStorageManifest: op<StorageManifest>()({ input: byId, errors: ['NOT_FOUND', 'IO_FAILED'], audit: null }),
  /** Re-hash every object file against the manifest; the result is kept on the row (verifiedAt/verifiedOk). */
  verifyStorageSnapshot: op<StorageVerifyResult>()({ input: byId, errors: ['NOT_FOUND', 'IO_FAILED'], audit: 'storage.snapshot.verify' }),
  revealStorageSnapshot: op<{ revealed: boolean; path: string }>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  /** Remove the folder and the row; `confirmName` is the folder's name. Files hard-linked into other snapshots stay there. */
  deleteStorageSnapshot: op<{ removed: true }>()({
    input: z.object({ id: z.string().min(1), confirmName: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND', 'CONFIRMATION_REQUIRED', 'CONFLICT', 'IO_FAILED'],
    audit: 'storage.snapshot.delete',
  }),
  /** storage.objects (read only, from the profile's database) against the buckets' listing: missing either side, size mismatches. */
  checkStorage: op<StorageCheckResult>()({
    input: z
      .object({ profileId: z.string().min(1), password: passwordField, storageSecret: passwordField, buckets: z.array(bucketName).max(100).optional() })
      .strict(),
    errors: [...CONNECT_ERRORS, 'INVALID_INPUT', 'STORAGE_FAILED'],
    audit: 'storage.check',
  }),
  /** Reads only: HEAD of every object in the target, counted as create / overwrite / unchanged. */
  previewStorageRestore: op<StorageRestorePreview>()({
    input: z.object(restoreInput).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED', 'IO_FAILED'],
    audit: null,
  }),
  /**
   * Uploads the objects the preview counts as create / overwrite (with their content type),
   * after the snapshot's files were verified, then reads them back (HEAD, sha256 of a fresh
   * download). Runs as a job keyed by `jobId` (the caller's, so it can listen first):
   * `storage.restore.progress` events, cancelStorageRestore stops it; the call answers with
   * the result when the validation is done. A failure or cancel part-way says in its message
   * (and the audit entry) which objects were already written.
   * A production target needs `confirmName` = its profile name.
   */
  restoreStorageSnapshot: op<StorageRestoreResult>()({
    input: z.object({ ...restoreInput, confirmName: z.string().optional(), jobId: z.string().min(1).max(200).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED', 'IO_FAILED', 'READ_ONLY', 'CONFIRMATION_REQUIRED', 'CANCELLED'],
    audit: 'storage.restore',
  }),
  /** Stop a running storage restore (by its jobId): uploads are aborted, the call answers CANCELLED naming what was written. */
  cancelStorageRestore: op<{ cancelled: boolean }>()({
    input: z.object({ jobId: z.string().min(1).max(200) }).strict(),
    errors: [],
    audit: 'storage.restore.cancel',
  }),
} as const;
