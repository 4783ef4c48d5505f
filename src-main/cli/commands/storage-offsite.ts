// `ops-console storage-backup PROFILE --offsite DEST`: the snapshot written straight to an
// offsite destination, never to a local folder (core/offsite/direct-snapshot.ts). The call
// answers when the snapshot ended; progress (objects, bytes, ETA) on stderr when it is a
// terminal; Ctrl-C cancels (nothing published). The JSON keeps storage-backup's fields:
// `path` and `manifestPath` name the copy manifest object (s3://bucket/key), `offsite` says
// where and how it was stored.
// Also the fetch a restore of an offsite-only snapshot needs first (storage-restore).
import crypto from 'node:crypto';
import { stageJobIdFor } from '../../contract/offsite';
import type { Profile } from '../../contract/models';
import { skippedWarning, type StorageSnapshotEntry } from '../../contract/storage';
import { formatMegabytes } from '../../core/platform/text/bytes';
import type { CliContext } from '../context';
import { EXIT, printJson } from '../io';
import { linesOf, withProgress } from '../job-progress';
import { withStorageSecret } from '../storage-secret';

export async function storageBackupOffsite(ctx: CliContext, profile: Profile, buckets: string[], destination: string): Promise<number> {
  const jobId = crypto.randomUUID();
  const line = linesOf('storage.progress', jobId, (e) => {
    const eta = e.etaSeconds === null ? '' : `  ETA ${e.etaSeconds} s`;
    return `objects ${e.objectsDone}/${e.objectsTotal}  ${formatMegabytes(e.bytesDone)} / ${formatMegabytes(e.bytesTotal)}${eta}`;
  });
  if (!ctx.io.json) ctx.io.err(`Snapshotting the storage of ${profile.name} straight to offsite destination ${destination}`);
  const r = await withProgress(
    ctx,
    { line, quietWithJson: true },
    () => ctx.call('cancelOffsiteCopy', { jobId }),
    () =>
      withStorageSecret(ctx, profile.name, (storageSecret) =>
        ctx.call('storageBackupToOffsite', {
          profileId: profile.id,
          destination,
          jobId,
          ...(buckets.length ? { buckets } : {}),
          ...(storageSecret !== undefined ? { storageSecret } : {}),
        }),
      ),
  );
  const { snapshot: entry, copy } = r;
  const d = await ctx.call('getOffsiteDestination', { id: copy.destination });
  const manifestPath = `s3://${d.bucket}/${copy.key}`;
  const details = await ctx.call('getStorageSnapshot', { id: entry.id });
  const warnings = details.skipped.map(skippedWarning);
  if (ctx.io.json)
    printJson(ctx.io, {
      ok: true,
      id: entry.id,
      path: manifestPath,
      objects: entry.objects,
      bytes: entry.bytes,
      changedObjects: entry.changedObjects,
      reusedObjects: entry.reusedObjects,
      manifestPath,
      manifestSha256: entry.manifestSha256,
      buckets: entry.buckets,
      changedDuring: details.changedDuring,
      skipped: details.skipped,
      warnings,
      durationMs: entry.durationMs,
      offsite: {
        destination: copy.destination,
        endpoint: d.endpoint,
        bucket: d.bucket,
        key: copy.key,
        copyId: copy.id,
        storedBytes: copy.bytes,
        uploadedObjects: copy.uploadedObjects ?? 0,
        uploadedBytes: copy.uploadedBytes ?? 0,
        encrypted: copy.encrypted,
        keyId: copy.keyId,
        verified: copy.verified,
      },
    });
  else {
    for (const w of warnings) ctx.io.err(`warning: ${w}`);
    ctx.io.out(
      `${manifestPath}\n${entry.objects} objects, ${formatMegabytes(entry.bytes)} (${entry.changedObjects} sent, ${entry.reusedObjects} unchanged since the previous snapshot there), ${((entry.durationMs ?? 0) / 1000).toFixed(1)} s, each read back and verified${copy.encrypted ? `, encrypted (key ${copy.keyId ?? '?'})` : ''}`,
    );
  }
  return EXIT.ok;
}

/** A snapshot whose folder is not on disk is fetched back from offsite first (progress on stderr; Ctrl-C cancels). */
export async function fetchIfOffsiteOnly(ctx: CliContext, entry: StorageSnapshotEntry): Promise<void> {
  if (!entry.folderGone) return;
  const jobId = stageJobIdFor(entry.id);
  const line = linesOf('offsite.progress', jobId, (e) => `fetching from offsite ${formatMegabytes(e.bytesDone)} / ${formatMegabytes(e.bytesTotal)}`);
  ctx.io.err(`${entry.path} is not on disk: fetching storage snapshot ${entry.id} back from its offsite copy`);
  const r = await withProgress(
    ctx,
    { line, quietWithJson: true },
    () => ctx.call('cancelOffsiteCopy', { jobId }),
    () => ctx.call('fetchStorageSnapshot', { snapshotId: entry.id }),
  );
  ctx.io.err(`fetched ${r.objects} objects from ${r.destination} (${formatMegabytes(r.bytes)}), every sha256 verified`);
}
