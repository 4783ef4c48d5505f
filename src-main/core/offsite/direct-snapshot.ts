// A Supabase Storage snapshot written straight to an offsite destination, never to a local
// folder (issue #18): the buckets are listed, every object is streamed from the source to its
// content address at the destination and read back (direct-objects.ts), then the copy
// manifest — the snapshot's manifest and the copy's facts, exactly what a copied snapshot
// has (snapshot-copy.ts) — is written last: until then nothing names the objects, so nothing
// half-done looks like a snapshot.
//
// Incremental by manifest reference: the newest ok snapshot copy of the profile at this
// destination (copied or direct) is read; an object whose bucket, key, ETag and size are the
// same there, and whose content address the destination still holds at the right stored
// size, is named again by the new manifest without being read from the source or sent. No
// server-side copy is needed for those: the address is shared by every snapshot of the
// profile there.
//
// The catalog gets a storage snapshot row whose `path` is the folder it would have had (it
// never exists: readers see `folderGone` and fetch the copy back, stage-snapshot.ts) and a
// `backup_copies` row of kind storage marked direct. A failure or cancel fails both rows and
// removes this run's temporary keys; content objects it sent stay unnamed (a retry does not
// send them again; prune's sweep removes them after its grace) — the same as a failed copy.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { CopyResult } from '../../contract/offsite';
import type { StorageManifest, StorageManifestObject, StorageSkippedObject, StorageSnapshotEntry, StorageSnapshotProgress } from '../../contract/storage';
import type { Job } from '../platform/jobs/registry';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import { storageConfigFor } from '../profiles';
import { SnapshotCatalog, plannedSnapshotFolder, snapshotSummary } from '../storage';
import type { CopyRepo } from './copies';
import { listSizes, storedSizeOf } from './copy-files';
import { readCopyManifest } from './copy-manifest';
import type { DestinationRepo } from './destinations';
import { contentKey, transferObject, type DirectObjectsContext, type Listed } from './direct-objects';
import { snapshotKeys, type SnapshotCopyManifest } from './snapshot-copy';

export interface DirectSnapshotInput {
  profileId: string;
  destination: string;
  buckets?: string[] | undefined;
  storageSecret?: string | undefined;
}

export interface DirectSnapshotOptions {
  /** Objects from this size up are streamed through a temporary key (default 8 MiB). */
  bufferBelow?: number;
  concurrency?: number;
}

export interface DirectSnapshotResult {
  snapshot: StorageSnapshotEntry;
  copy: CopyResult;
}

type Repos = { destinations: DestinationRepo; copies: CopyRepo };

const index = (bucket: string, key: string) => `${bucket}\u0000${key}`;

/** The newest ok snapshot copy of the profile at the destination whose manifest reads and hashes to what it says. */
async function previousAt(deps: CoreDeps, repos: Repos, store: ObjectStore, destinationId: string, bucket: string, profileId: string, signal: AbortSignal) {
  const catalog = new SnapshotCatalog(deps.store.db);
  for (const c of repos.copies.list({ destinationId })) {
    if (c.kind !== 'storage' || c.status !== 'ok' || catalog.get(c.backupId)?.profileId !== profileId) continue;
    const m = (await readCopyManifest(store, bucket, c.key, signal)) as unknown as SnapshotCopyManifest | null;
    if (m === null || !Array.isArray(m.snapshot?.objects)) return null;
    const sha = crypto
      .createHash('sha256')
      .update(JSON.stringify(m.snapshot, null, 2))
      .digest('hex');
    return sha === m.copy.sha256 ? m : null;
  }
  return null;
}

export async function snapshotStraightOffsite(
  deps: CoreDeps,
  repos: Repos,
  input: DirectSnapshotInput,
  job: Job,
  onProgress: (p: StorageSnapshotProgress & { snapshotId: string }) => void = () => undefined,
  options: DirectSnapshotOptions = {},
): Promise<DirectSnapshotResult> {
  const started = Date.now();
  const d = repos.destinations.get(input.destination);
  // The key is checked against the destination's keyId before anything is read.
  const encryptionKey = d.encrypt ? repos.destinations.encryptionKey(d) : null;
  const keyIdOf = encryptionKey !== null ? d.keyId : null;
  const profile = deps.profiles.require(input.profileId);
  const source = new ObjectStore(storageConfigFor(deps, profile.id, input.storageSecret));
  const dest = new ObjectStore(repos.destinations.storeConfig(d));
  const catalog = new SnapshotCatalog(deps.store.db);
  const signal = job.signal;
  try {
    // Checked before any row is written: a refused key or a missing bucket is this call's error.
    const buckets = input.buckets?.length ? [...input.buckets] : (await source.listBuckets(signal)).map((b) => b.name);
    if (input.buckets?.length) for (const b of buckets) await source.checkListable(b, signal);
    await dest.checkBucket(d.bucket, signal);
    const folder = plannedSnapshotFolder(deps.home, profile.name, new Date(started));
    const { objectsPrefix, manifestKey } = snapshotKeys(d, { profileName: profile.name, path: folder });
    if ((await dest.head(d.bucket, manifestKey, signal)) !== null)
      throw new OpsError('CONFLICT', `${manifestKey} already exists in ${d.bucket} at ${d.endpoint}; an offsite object is never replaced.`);

    const snapshotId = job.id;
    const copyId = crypto.randomUUID();
    catalog.begin({ id: snapshotId, profileId: profile.id, profileName: profile.name, path: folder, buckets, startedAt: new Date(started).toISOString() });
    repos.copies.insertRunning({
      id: copyId,
      backupId: snapshotId,
      destinationId: d.id,
      destination: d.name,
      key: manifestKey,
      encrypted: keyIdOf !== null,
      keyId: keyIdOf,
      kind: 'storage',
      direct: true,
    });
    const ctx: DirectObjectsContext = {
      source,
      dest,
      bucket: d.bucket,
      objectsPrefix,
      tmpPrefix: `${objectsPrefix}tmp/${snapshotId}/`,
      encryptionKey,
      present: new Map(),
      sent: new Set(),
      temps: new Set(),
      bufferBelow: options.bufferBelow ?? 8 * 1024 * 1024,
      signal,
      onBytes: () => undefined,
    };
    try {
      const previous = await previousAt(deps, repos, dest, d.id, d.bucket, profile.id, signal);
      ctx.present = await listSizes(dest, d.bucket, objectsPrefix, signal);
      const listed: Listed[] = [];
      for (const bucket of buckets) for await (const info of source.listObjects(bucket, '', signal)) listed.push({ ...info, bucket });

      const progress: StorageSnapshotProgress = {
        objectsDone: 0,
        objectsTotal: listed.length,
        bytesDone: 0,
        bytesTotal: listed.reduce((n, o) => n + o.size, 0),
        etaSeconds: null,
      };
      let last = 0;
      const report = (force = false) => {
        const now = Date.now();
        if (!force && now - last < 250) return;
        last = now;
        const secs = (now - started) / 1000;
        progress.etaSeconds =
          progress.bytesDone > 0 && secs > 0
            ? Math.round((progress.bytesTotal - progress.bytesDone) / (progress.bytesDone / secs))
            : progress.bytesTotal === 0
              ? 0
              : null;
        onProgress({ snapshotId, ...progress });
      };
      ctx.onBytes = (delta) => {
        progress.bytesDone += delta;
        report();
      };
      report(true);

      const before = new Map<string, StorageManifestObject>();
      for (const o of previous?.snapshot.objects ?? []) before.set(index(o.bucket, o.key), o);
      const results: Array<StorageManifestObject | StorageSkippedObject> = new Array(listed.length);
      const toSend: number[] = [];
      listed.forEach((item, i) => {
        const was = before.get(index(item.bucket, item.key));
        const there = was !== undefined && ctx.present.get(contentKey(ctx, was.sha256)) === storedSizeOf(was.size, encryptionKey !== null);
        if (!was || !there || was.etag !== item.etag || was.size !== item.size) return void toSend.push(i);
        const { changedDuring: _c, ...kept } = was;
        void _c;
        results[i] = { ...kept, lastModified: item.lastModified || was.lastModified, reused: true };
        progress.objectsDone++;
        progress.bytesDone += item.size;
      });
      report(true);
      let next = 0;
      let failed = false;
      const worker = async () => {
        while (next < toSend.length && !failed) {
          ctx.signal.throwIfAborted();
          const i = toSend[next++]!;
          results[i] = await transferObject(ctx, listed[i]!, i);
          progress.objectsDone++;
          report(progress.objectsDone === progress.objectsTotal);
        }
      };
      // The first failure stops the others (no new object, the ones in flight aborted rather
      // than retried against a dead store); all have ended before the cleanup below runs.
      const stop = new AbortController();
      ctx.signal = AbortSignal.any([signal, stop.signal]);
      let first: { error: unknown } | null = null;
      await Promise.all(
        Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, toSend.length)) }, () =>
          worker().catch((err: unknown) => {
            first ??= { error: err };
            failed = true;
            stop.abort();
          }),
        ),
      );
      const failure = first as { error: unknown } | null;
      if (failure !== null) throw failure.error;
      signal.throwIfAborted();

      const objects = results.filter((r): r is StorageManifestObject => 'file' in r);
      const skipped = results.filter((r): r is StorageSkippedObject => !('file' in r));
      const finishedAt = new Date().toISOString();
      const manifest: StorageManifest = {
        format: 'ops-console-storage-snapshot/1',
        endpoint: source.config.endpoint,
        buckets,
        startedAt: new Date(started).toISOString(),
        finishedAt,
        objects,
        skipped,
      };
      // The text a local snapshot's manifest.json would hold: its sha256 is the catalog's, and staging writes it back byte for byte.
      const manifestSha256 = crypto
        .createHash('sha256')
        .update(JSON.stringify(manifest, null, 2))
        .digest('hex');
      const storedBytes = [...new Map(objects.map((o) => [o.sha256, o.size])).values()].reduce((n, s) => n + storedSizeOf(s, encryptionKey !== null), 0);
      const body: SnapshotCopyManifest = {
        copy: {
          id: copyId,
          snapshotId,
          key: manifestKey,
          sha256: manifestSha256,
          bytes: storedBytes,
          encrypted: keyIdOf !== null,
          keyId: keyIdOf,
          copiedAt: finishedAt,
          objectsPrefix,
        },
        snapshot: manifest,
      };
      // Last: until it is there, the objects sent are no snapshot.
      await dest.putBody(d.bucket, manifestKey, JSON.stringify(body, null, 2), { contentType: 'application/json', signal });
      const durationMs = Date.now() - started;
      catalog.finishOk(
        snapshotId,
        snapshotSummary({ path: folder, manifestPath: `s3://${d.bucket}/${manifestKey}`, manifestSha256, buckets }, objects, skipped, durationMs),
      );
      repos.copies.finishOk(copyId, storedBytes, manifestSha256, finishedAt);
      return {
        snapshot: catalog.get(snapshotId)!,
        copy: {
          ok: true,
          id: copyId,
          backupId: snapshotId,
          destination: d.name,
          key: manifestKey,
          bytes: storedBytes,
          sha256: manifestSha256,
          encrypted: keyIdOf !== null,
          keyId: keyIdOf,
          durationMs,
          verified: true,
          kind: 'storage',
          objects: objects.length,
          uploadedObjects: ctx.sent.size,
          uploadedBytes: [...ctx.sent].reduce((n, k) => n + (ctx.present.get(k) ?? 0), 0),
        },
      };
    } catch (err) {
      const cancelled = job.cancelReason !== null || (err instanceof OpsError && err.code === 'CANCELLED');
      const message = cancelled ? `Storage snapshot cancelled: ${job.cancelReason ?? 'cancelled'}.` : err instanceof Error ? err.message : String(err);
      // A big object's temporary key is this run's alone: removed (best effort: the store may be the thing that failed).
      for (const key of ctx.temps) await dest.remove(d.bucket, key).catch(() => undefined);
      catalog.finishFailed(snapshotId, cancelled ? 'cancelled' : 'failed', message, Date.now() - started);
      repos.copies.finishFailed(copyId, cancelled ? 'cancelled' : 'failed', message);
      if (cancelled) throw new OpsError('CANCELLED', `${message} Nothing was published; no manifest names what was sent.`);
      throw err;
    }
  } finally {
    source.destroy();
    dest.destroy();
  }
}
