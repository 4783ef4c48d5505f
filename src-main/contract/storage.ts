// Supabase Storage snapshots (issue #18): the shapes the storage domain answers with and the
// manifest it writes into every snapshot folder. A snapshot folder holds `manifest.json`
// and `objects/<sha256>` (`objects/<sha256[0:2]>/<sha256>` before 2026-12-07, still read):
// bytes are stored by content, so an object's key
// (any unicode, `../`, a leading `/`, 2,000 bytes) never becomes a local path.

/** One object of a snapshot, as listed and as written. */
export interface StorageManifestObject {
  bucket: string;
  key: string;
  size: number;
  /** Without quotes, as S3 lists it. */
  etag: string;
  contentType: string | null;
  lastModified: string | null;
  /** Of the bytes written into the snapshot. */
  sha256: string;
  /** Relative to the snapshot folder: `objects/<sha256>`, or `objects/ab/ab…` in older snapshots (never derived from the key). */
  file: string;
  /** Taken again at a newer version: it was replaced between the listing and its download. */
  changedDuring?: true;
  /** Hard-linked (or copied) from the previous snapshot instead of downloaded. */
  reused?: true;
}

/** An object left out: it changed again while it was taken a second time, or was deleted after the listing. */
export interface StorageSkippedObject {
  bucket: string;
  key: string;
  reason: 'changed-twice' | 'deleted';
}

/** The warning a snapshot gives for an object it could not take (core, CLI and screens word it once). */
export function skippedWarning(s: StorageSkippedObject): string {
  return `${s.bucket}/${s.key} ${s.reason === 'deleted' ? 'was deleted' : 'changed twice'} while it was taken; it is not in this snapshot.`;
}

/** manifest.json. */
export interface StorageManifest {
  format: 'ops-console-storage-snapshot/1';
  endpoint: string;
  buckets: string[];
  startedAt: string;
  finishedAt: string;
  objects: StorageManifestObject[];
  skipped: StorageSkippedObject[];
}

export interface StorageSnapshotProgress {
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Seconds left at the rate so far; null until there is a rate. */
  etaSeconds: number | null;
}

/** What one snapshot run produced (also the CLI's `storage-backup --json` body, with `ok` and `id`). */
export interface StorageSnapshotResult {
  path: string;
  manifestPath: string;
  manifestSha256: string;
  buckets: string[];
  objects: number;
  bytes: number;
  /** Downloaded this time: new, or changed since the previous snapshot. */
  changedObjects: number;
  /** Hard-linked from the previous snapshot. */
  reusedObjects: number;
  changedDuring: Array<{ bucket: string; key: string }>;
  skipped: StorageSkippedObject[];
  /** Human-readable notes (skipped objects); empty when the snapshot is complete. */
  warnings: string[];
  durationMs: number;
}

export type StorageSnapshotStatus = 'running' | 'ok' | 'failed' | 'cancelled';

/** A catalog row (storage_snapshots). */
export interface StorageSnapshotEntry {
  id: string;
  profileId: string;
  profileName: string;
  path: string;
  status: StorageSnapshotStatus;
  buckets: string[];
  objects: number;
  bytes: number;
  changedObjects: number;
  reusedObjects: number;
  manifestSha256: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  verifiedAt: string | null;
  verifiedOk: boolean | null;
  /**
   * An ok snapshot whose folder is not on disk: one written straight to an offsite
   * destination (its folder never existed; `path` is the one it would have had), or one
   * removed outside the app. It is restored by fetching its offsite copy first
   * (fetchStorageSnapshot); "Show in folder" and verify do not apply.
   */
  folderGone?: true;
}

/** Re-hash of every object file against the manifest. */
export interface StorageVerifyResult {
  ok: boolean;
  objects: number;
  /** Manifest entries whose file is missing, of another size or another sha256. */
  problems: Array<{ bucket: string; key: string; file: string; problem: 'missing' | 'size' | 'sha256' }>;
}

/** A running snapshot's progress (an AppEvent): after every object and every MiB of a big one. */
export interface StorageProgressEvent extends StorageSnapshotProgress {
  type: 'storage.progress';
  jobId: string;
  snapshotId: string;
}

/**
 * A running storage restore's progress (an AppEvent), at most about four a second plus each
 * phase's first and last step: 'check' (the snapshot's files to upload re-hashed), 'upload'
 * (objects and bytes sent), 'verify' (objects read back and hashed).
 */
export interface StorageRestoreProgressEvent {
  type: 'storage.restore.progress';
  jobId: string;
  phase: 'check' | 'upload' | 'verify';
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Seconds left in this phase at its rate so far; null until it can be told. */
  etaSeconds: number | null;
}

/** getStorageSnapshot: the catalog row and, when the folder's manifest reads, counts per bucket. */
export interface StorageSnapshotDetails extends StorageSnapshotEntry {
  perBucket: Array<{ bucket: string; objects: number; bytes: number }> | null;
  changedDuring: Array<{ bucket: string; key: string }>;
  skipped: StorageSkippedObject[];
}

/** checkStorage: storage.objects (the database's idea of the buckets) against the buckets' listing. */
export interface StorageCheckResult {
  ok: boolean;
  buckets: string[];
  databaseObjects: number;
  bucketObjects: number;
  /** Rows in storage.objects whose object the bucket lacks. */
  missingInBucket: Array<{ bucket: string; key: string; size: number | null }>;
  /** Objects in a bucket with no storage.objects row. */
  missingInDatabase: Array<{ bucket: string; key: string; size: number }>;
  sizeMismatches: Array<{ bucket: string; key: string; databaseSize: number; bucketSize: number }>;
  /** True when a list was cut at 1,000 entries (the counts are whole). */
  truncated: boolean;
}

/** One object of a restore plan: absent in the target (create), there with another size/ETag (overwrite), or the same (unchanged, skipped). */
export type StorageRestoreAction = 'create' | 'overwrite' | 'unchanged';

/** previewStorageRestore: what a restore would do, read from the target's HEADs only. */
export interface StorageRestorePreview {
  /** The target profile's name. */
  target: string;
  /** The one bucket everything goes into, or null (each object into its own bucket's name). */
  bucket: string | null;
  /** The target buckets written to. */
  buckets: string[];
  objects: number;
  create: number;
  overwrite: number;
  unchanged: number;
  /** Bytes to upload (create + overwrite). */
  bytes: number;
  /** The first 200 overwritten objects as `bucket/key`. */
  overwritten: string[];
  /** Objects the target will refuse (a Supabase Storage bucket's key, size or type rules): not uploaded. */
  refused: number;
  /** The first 200 of them as `bucket/key: why`. */
  refusedObjects: string[];
  /** Objects left out with nothing lost (an empty folder marker Supabase Storage has no place for): not a failure. */
  skipped: number;
  /** The first 200 of them as `bucket/key: why`. */
  skippedObjects: string[];
  /** Why the target's rules could not all be checked (null when they were, or there are none). */
  rulesNote: string | null;
}

/** restoreStorageSnapshot's outcome (also the CLI's `storage-restore --json` body). */
export interface StorageRestoreResult {
  ok: boolean;
  target: string;
  bucket: string | null;
  created: number;
  overwritten: number;
  unchanged: number;
  /** Not uploaded: the target refuses them (the preview's refusedObjects); validation fails when any is. */
  refused: number;
  /** Left out with nothing lost (the preview's skippedObjects); not a failure. */
  skipped: number;
  /** Bytes uploaded. */
  bytes: number;
  durationMs: number;
  /** Every restored object read back: present (HEAD), of its size, and of the manifest's sha256 (downloaded again). */
  validation: { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
}
