// The Storage snapshots section's wording: progress driven by bytes (objects beside it), the
// finished figures from the catalog row, the per-bucket manifest summary (empty buckets and
// left-out objects included) and the empty state that says what to do next.
import { describe, expect, it } from 'vitest';
import type { StorageManifest } from '../../src-main/contract/storage';
import {
  bucketSummaries,
  bucketsText,
  describeSnapshotProgress,
  emptyStateText,
  snapshotName,
  snapshotVerificationText,
} from '../../src-renderer/src/screens/backups/storage/storage-model';

const row = {
  id: 's1',
  profileId: 'p1',
  profileName: 'shop',
  path: '/home/me/backups/storage/shop-2026-12-06T15-00-00Z',
  status: 'ok' as const,
  buckets: ['images', 'photos'],
  objects: 12,
  bytes: 4096,
  changedObjects: 2,
  reusedObjects: 10,
  manifestSha256: 'ab',
  startedAt: '2026-12-06T15:00:00.000Z',
  finishedAt: '2026-12-06T15:01:00.000Z',
  durationMs: 60_000,
  error: null,
  verifiedAt: null,
  verifiedOk: null,
};

describe('storage snapshot model', () => {
  it('drives the bar by bytes and shows objects and ETA', () => {
    const view = describeSnapshotProgress({ objectsDone: 5, objectsTotal: 20, bytesDone: 750, bytesTotal: 1000, etaSeconds: 90 }, null);
    expect(view.percent).toBe(75);
    expect(view.objects).toBe('5 / 20');
    expect(view.eta).toBe('1 min 30 s');
    expect(view.headline).toContain('5 of 20');
  });

  it('falls back to objects when there are no bytes, and waits for the listing', () => {
    expect(describeSnapshotProgress({ objectsDone: 1, objectsTotal: 4, bytesDone: 0, bytesTotal: 0, etaSeconds: null }, null).percent).toBe(25);
    const listing = describeSnapshotProgress(null, null);
    expect(listing.percent).toBeNull();
    expect(listing.headline).toBe('Listing the buckets…');
  });

  it('takes the finished figures from the catalog row', () => {
    const done = describeSnapshotProgress(null, row);
    expect(done.percent).toBe(100);
    expect(done.headline).toBe('Storage backup finished');
    expect(describeSnapshotProgress(null, { ...row, status: 'cancelled' }).headline).toBe('Storage backup cancelled');
  });

  it('names a snapshot by its folder and shortens long bucket lists', () => {
    expect(snapshotName(row)).toBe('shop-2026-12-06T15-00-00Z');
    expect(snapshotName({ path: 'C:\\b\\snap-1\\' })).toBe('snap-1');
    expect(bucketsText(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c +2');
    expect(bucketsText([])).toBe('—');
  });

  it('says a good snapshot was verified at creation until verified again', () => {
    expect(snapshotVerificationText(row)).toMatch(/^OK at creation /);
    expect(snapshotVerificationText({ ...row, status: 'failed', finishedAt: null })).toBe('never');
    expect(snapshotVerificationText({ ...row, verifiedAt: '2026-12-06T16:00:00.000Z', verifiedOk: false })).toMatch(/^FAILED /);
  });

  it('sums a manifest per bucket, empty buckets and left-out objects included', () => {
    const object = { etag: 'e', contentType: null, lastModified: null, sha256: 'x', file: 'objects/xx/x' };
    const manifest: StorageManifest = {
      format: 'ops-console-storage-snapshot/1',
      endpoint: 'http://127.0.0.1:1',
      buckets: ['images', 'empty'],
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      objects: [
        { ...object, bucket: 'images', key: 'a.png', size: 10, reused: true },
        { ...object, bucket: 'images', key: 'b.png', size: 5, changedDuring: true },
      ],
      skipped: [{ bucket: 'images', key: 'c.png', reason: 'deleted' }],
    };
    expect(bucketSummaries(manifest)).toEqual([
      { bucket: 'images', objects: 2, bytes: 15, changedDuring: 1, reused: 1, skipped: 1 },
      { bucket: 'empty', objects: 0, bytes: 0, changedDuring: 0, reused: 0, skipped: 0 },
    ]);
  });

  it('tells a profile without a storage connection to add one', () => {
    expect(emptyStateText(false, 'shop')).toMatch(/^shop has no storage connection yet: add one in Profiles/);
    expect(emptyStateText(true, 'shop')).toMatch(/run a storage backup/);
  });
});
