// What the Storage snapshots section shows, computed from the contract's shapes: the
// progress figures (objects, bytes, ETA), the result summary's lines, the per-bucket
// summary of a manifest and the empty state's advice. Pure, so the wording is tested once.
import type { StorageManifest, StorageSnapshotEntry, StorageSnapshotProgress, StorageSnapshotStatus } from '@contract/storage';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatTime } from '../../../shared/format/time';

export const SNAPSHOT_STATUS_COLORS: Record<StorageSnapshotStatus, string> = { ok: 'green', failed: 'red', cancelled: 'gray', running: 'blue' };
export const SNAPSHOT_STATUS_LABELS: Record<StorageSnapshotStatus, string> = { ok: 'OK', failed: 'FAILED', cancelled: 'CANCELLED', running: 'RUNNING' };

/** The folder's last path segment: what a row and its dialogs call the snapshot. */
export function snapshotName(entry: Pick<StorageSnapshotEntry, 'path'>): string {
  const parts = entry.path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? entry.path;
}

/** A good snapshot was verified when it was made (published only after its files were hashed). */
export function snapshotVerificationText(entry: Pick<StorageSnapshotEntry, 'verifiedAt' | 'verifiedOk' | 'status' | 'finishedAt'>): string {
  if (!entry.verifiedAt) return entry.status === 'ok' && entry.finishedAt ? `OK at creation ${formatTime(entry.finishedAt)}` : 'never';
  return `${entry.verifiedOk ? 'OK' : 'FAILED'} ${formatTime(entry.verifiedAt)}`;
}

export function bucketsText(buckets: string[]): string {
  if (buckets.length === 0) return '—';
  return buckets.length <= 3 ? buckets.join(', ') : `${buckets.slice(0, 3).join(', ')} +${buckets.length - 3}`;
}

function etaText(seconds: number | null): string {
  if (seconds === null) return '…';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface SnapshotProgressView {
  headline: string;
  /** Null while the listing has not given totals yet. */
  percent: number | null;
  objects: string;
  bytes: string;
  eta: string;
}

/** Bytes drive the bar (a bucket of photos is mostly bytes); objects are shown beside it. */
export function describeSnapshotProgress(progress: StorageSnapshotProgress | null, result: StorageSnapshotEntry | null): SnapshotProgressView {
  if (result) {
    const headline = result.status === 'ok' ? 'Storage backup finished' : result.status === 'cancelled' ? 'Storage backup cancelled' : 'Storage backup failed';
    return {
      headline,
      percent: result.status === 'ok' ? 100 : progress && progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : 0,
      objects: formatCount(result.objects),
      bytes: formatBytes(result.bytes),
      eta: '—',
    };
  }
  if (!progress) return { headline: 'Listing the buckets…', percent: null, objects: '—', bytes: '—', eta: '…' };
  const percent =
    progress.bytesTotal > 0
      ? (100 * progress.bytesDone) / progress.bytesTotal
      : progress.objectsTotal > 0
        ? (100 * progress.objectsDone) / progress.objectsTotal
        : null;
  return {
    headline: `Downloading objects: ${formatCount(progress.objectsDone)} of ${formatCount(progress.objectsTotal)}`,
    percent: percent === null ? null : Math.min(100, percent),
    objects: `${formatCount(progress.objectsDone)} / ${formatCount(progress.objectsTotal)}`,
    bytes: `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`,
    eta: etaText(progress.etaSeconds),
  };
}

export interface BucketSummary {
  bucket: string;
  objects: number;
  bytes: number;
  changedDuring: number;
  reused: number;
  skipped: number;
}

/** One line per bucket the snapshot asked for, empty buckets included. */
export function bucketSummaries(manifest: StorageManifest): BucketSummary[] {
  const byBucket = new Map<string, BucketSummary>();
  const row = (bucket: string) => {
    let found = byBucket.get(bucket);
    if (!found) {
      found = { bucket, objects: 0, bytes: 0, changedDuring: 0, reused: 0, skipped: 0 };
      byBucket.set(bucket, found);
    }
    return found;
  };
  for (const bucket of manifest.buckets) row(bucket);
  for (const object of manifest.objects) {
    const r = row(object.bucket);
    r.objects += 1;
    r.bytes += object.size;
    if (object.changedDuring) r.changedDuring += 1;
    if (object.reused) r.reused += 1;
  }
  for (const skipped of manifest.skipped) row(skipped.bucket).skipped += 1;
  return [...byBucket.values()];
}

/** Why the list is empty, and the next step. */
export function emptyStateText(hasStorageConnection: boolean | null, profileName: string | null): string {
  if (hasStorageConnection === false)
    return `${profileName ?? 'This profile'} has no storage connection yet: add one in Profiles (edit the profile, Storage: the S3 endpoint, region, access key id and secret from the Supabase dashboard, Storage → S3 Connection), then run a storage backup here.`;
  return 'No storage snapshots yet: run a storage backup to copy the buckets into a local snapshot folder.';
}
