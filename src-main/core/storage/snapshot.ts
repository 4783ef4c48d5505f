// One storage snapshot: list the buckets' objects, take each one (download, or hard-link it
// from the previous snapshot when its bucket, key, ETag and size are the same), write the
// manifest, verify every file against it and publish — the same partial → verify → rename
// protocol as database backups, so nothing half-written ever looks like a snapshot.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import {
  skippedWarning,
  type StorageManifest,
  type StorageManifestObject,
  type StorageSkippedObject,
  type StorageSnapshotProgress,
  type StorageSnapshotResult,
} from '../../contract/storage';
import type { ObjectStore } from '../platform/objectstore';
import { FlushQueue } from '../platform/fs/flush-queue';
import { syncDirectory, syncFolders } from '../platform/fs/sync-folders';
import { readListings, type BucketListing } from './listing';
import { isObjectFileOf, objectFile, objectPath } from './paths';
import { diskError, fetchOne, linkInto, type Listed } from './snapshot-files';
import { verifyFiles } from './verify';

export const MANIFEST = 'manifest.json';

export interface PreviousSnapshot {
  folder: string;
  manifest: StorageManifest;
}

export interface SnapshotOptions {
  store: ObjectStore;
  /** The folder to publish; `<folder>.partial` is written first. Must not exist. */
  folder: string;
  /** Empty or absent: every bucket the key can list. */
  buckets?: string[];
  previous?: PreviousSnapshot | null;
  concurrency?: number;
  /** Listings the start call began (their first page was its check of the key and the buckets); the others are begun here. */
  listings?: BucketListing[];
  /** Objects per listing page (the store's default when absent); tests make pages small. */
  listPageSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: StorageSnapshotProgress) => void;
  /** Test seam: runs between the listing and the first download (not exposed as an operation). */
  afterListing?: () => Promise<void>;
}

const MIB = 1024 * 1024;
/** Hard links made per turn of the event loop (each a link and a stat, tens of microseconds). */
const LINKS_PER_TURN = 100;

const index = (bucket: string, key: string) => `${bucket}\u0000${key}`;

/** Milliseconds from the start of takeSnapshot at which each phase ended (the storage bench prints them). */
export type SnapshotPhases = Record<'setup' | 'listed' | 'downloaded' | 'manifest' | 'flushed' | 'checked' | 'published', number>;
type PhaseObserver = (phases: SnapshotPhases, startedAt: number) => void;
let phaseObserver: PhaseObserver | null = null;
/** Bench seam: called with each successful snapshot's phase ends and its start on performance.now()'s clock (null: none). */
export function observeSnapshotPhases(fn: PhaseObserver | null): void {
  phaseObserver = fn;
}

export async function takeSnapshot(options: SnapshotOptions): Promise<StorageSnapshotResult> {
  const started = Date.now();
  const t0 = performance.now();
  const phases: Partial<SnapshotPhases> = {};
  const mark = (phase: keyof SnapshotPhases) => void (phases[phase] = Math.round((performance.now() - t0) * 10) / 10);
  const { store, folder, signal } = options;
  const partial = `${folder}.partial`;
  if (fs.existsSync(folder)) throw new OpsError('IO_FAILED', `${folder} already exists; a snapshot never replaces one.`);
  fs.rmSync(partial, { recursive: true, force: true });
  const flushing = new FlushQueue();
  try {
    fs.mkdirSync(path.join(partial, 'tmp'), { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(partial, 'objects'), { mode: 0o700 }); // every download's and link's folder (paths.ts)
    const buckets = options.buckets?.length ? [...options.buckets] : (await store.listBuckets(signal)).map((b) => b.name);
    const previous = new Map<string, StorageManifestObject>();
    mark('setup');
    for (const o of options.previous?.manifest.objects ?? []) previous.set(index(o.bucket, o.key), o);

    // Totals grow while the listing runs; progress is reported once they are whole.
    const progress: StorageSnapshotProgress = { objectsDone: 0, objectsTotal: 0, bytesDone: 0, bytesTotal: 0, etaSeconds: null };
    let listingDone = false;
    const report = () => {
      if (!listingDone) return;
      const secs = (Date.now() - started) / 1000;
      progress.etaSeconds = progress.bytesDone > 0 && secs > 0 ? Math.round((progress.bytesTotal - progress.bytesDone) / (progress.bytesDone / secs)) : null;
      options.onProgress?.({ ...progress });
    };

    const listed: Listed[] = [];
    const results: Array<StorageManifestObject | StorageSkippedObject> = [];
    const toFetch: number[] = [];
    let next = 0;
    let tmpSeq = 0;
    // Files whose sha256 is already known from their bytes: downloaded ones were hashed as
    // they were written, hard-linked ones are the previous snapshot's checked bytes. The
    // check before publishing proves their presence and size only (the verify operation
    // re-hashes everything); re-reading them would double a full snapshot's time (the
    // storage bench) and make an incremental one read the whole bucket. A file copied where
    // a link was refused is hashed again.
    const linked = new Set<string>();
    // Reused files whose presence and size were checked as they were linked: the check
    // before publishing skips them (the previous snapshot's sha256 vouches for their bytes).
    const checkedAtLink = new Set<string>();
    const made = new Set<string>();
    // A previous file modified after its snapshot was published (a later mtime; 1 s of slack for
    // coarse file system clocks) is not its verified file any more: downloaded again, not linked.
    const trustedUntil = Date.parse(options.previous?.manifest.finishedAt ?? '') + 1000;
    // The listing, the links and the downloads overlap: each object is taken as its listing
    // page arrives (a changed one queued for the download workers at once, an unchanged one
    // hard-linked right after its page's downloads were asked for — a metadata write of
    // microseconds, done synchronously since 2,000 awaited calls cost more than the bare
    // incremental loop), so an incremental run costs about its listing and a full one starts
    // receiving after the first page.
    const take = (item: Listed) => {
      const i = listed.push(item) - 1;
      progress.objectsTotal++;
      progress.bytesTotal += item.size;
      const before = previous.get(index(item.bucket, item.key));
      const reuse = before && options.previous && before.etag === item.etag && before.size === item.size ? before : null;
      if (reuse === null) {
        toFetch.push(i);
        wakeWorkers();
        return;
      }
      // Linked on the next turn of the event loop: a page's downloads are asked for before its links are made.
      toLink.push([i, item, reuse]);
      linking ??= setImmediate(linkPending);
    };
    const toLink: Array<[number, Listed, StorageManifestObject]> = [];
    let linking: NodeJS.Immediate | null = null;
    // Links are made LINKS_PER_TURN at a time, one batch per turn of the event loop: the last
    // page's 1,000 links in one go would hold back its changed objects' downloads (their file
    // opens and requests wait for the loop) for the whole batch, on the incremental run's
    // critical path; in batches the downloads start after the first one.
    const linksIdle: Array<() => void> = [];
    const linkPending = () => {
      linking = null;
      try {
        for (const [i, item, reuse] of toLink.splice(0, LINKS_PER_TURN)) if (!halt.signal.aborted) linkOne(i, item, reuse);
      } catch (err) {
        stopAll(err);
      }
      if (toLink.length > 0 && !halt.signal.aborted) linking = setImmediate(linkPending);
      else for (const idle of linksIdle.splice(0)) idle();
    };
    const linkOne = (i: number, item: Listed, reuse: StorageManifestObject) => {
      const refetch = () => {
        toFetch.push(i);
        wakeWorkers();
      };
      // The previous snapshot's file is still what it verified: its size, and not modified after
      // the snapshot was published (a later mtime; 1 s of slack for coarse clocks).
      const trusted = (st: fs.Stats) => st.size === reuse.size && st.mtimeMs <= trustedUntil;
      // An entry whose file is not its own sha256's address, or whose sha256 is not one (an
      // edited or corrupt manifest), is never linked from: its bytes would land under another
      // content's name for every key. The object is downloaded instead.
      if (!isObjectFileOf(reuse.file, reuse.sha256)) return refetch();
      // Today's name for the bytes: a previous snapshot in the older fan-out layout is linked from, not copied as laid out.
      const file = objectFile(reuse.sha256);
      const target = path.join(partial, file);
      let isLink: boolean;
      try {
        const source = objectPath(options.previous!.folder, reuse.file);
        const how = linkInto(source, target, made);
        isLink = how === 'linked';
        if (how === 'copied') {
          // The previous snapshot is on another file system: its file is held to the link's test
          // (an edited one would fail every later run's check), and the copy is new bytes on this
          // disk, flushed as a download is.
          if (!trusted(fs.statSync(source))) {
            fs.unlinkSync(target);
            return refetch();
          }
          flushing.add(target);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // The previous snapshot lost this file (removed outside the app): the object is downloaded again.
        return refetch();
      }
      if (isLink && !checkedAtLink.has(file)) {
        // The link is the previous file's inode: one stat checks it here, in the shadow of the next listing page.
        if (!trusted(fs.statSync(target))) {
          fs.unlinkSync(target);
          return refetch();
        }
        checkedAtLink.add(file);
      }
      if (isLink) linked.add(file);
      const { changedDuring: _c, ...kept } = reuse;
      void _c;
      results[i] = { ...kept, file, lastModified: item.lastModified || reuse.lastModified, reused: true };
      progress.bytesDone += item.size;
      progress.objectsDone++;
    };
    const waiting: Array<() => void> = [];
    const wakeWorkers = () => {
      for (const wake of waiting.splice(0)) wake();
    };
    // One failure stops the rest: the others' downloads are aborted, not left to finish.
    const halt = new AbortController();
    const stopAll = (err: unknown) => {
      firstError ??= err;
      halt.abort();
      wakeWorkers();
    };
    let firstError: unknown = null;
    const onAbort = () => stopAll(new OpsError('CANCELLED', 'Cancelled.'));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    let seam: Promise<void> | null = null;
    const worker = async () => {
      while (!halt.signal.aborted) {
        if (next >= toFetch.length) {
          if (listingDone) return;
          await new Promise<void>((resolve) => waiting.push(resolve));
          continue;
        }
        // Claimed before any await, so no two workers take the same object.
        const i = toFetch[next++]!;
        const item = listed[i]!;
        // The test seam runs once, before the first download (after the first listing page).
        await (seam ??= Promise.resolve(options.afterListing?.()));
        if (halt.signal.aborted) return;
        results[i] = await fetchOne(
          store,
          item,
          partial,
          () => `tmp/${tmpSeq++}`,
          (d) => {
            // A big object reports as it goes: one event per MiB crossed, not per chunk.
            const before = Math.floor(progress.bytesDone / MIB);
            progress.bytesDone += d;
            if (Math.floor(progress.bytesDone / MIB) > before) report();
          },
          halt.signal,
          // Every time, even for content already there: the rename put a new inode in place.
          (file, handle) => flushing.add(file, handle),
        );
        const got = results[i];
        if (got !== undefined && 'file' in got) {
          linked.add(got.file);
          // Downloaded over a link of the same content: a new inode, checked as a download is.
          checkedAtLink.delete(got.file);
        }
        progress.objectsDone++;
        report();
      }
    };
    const workers = Array.from({ length: Math.max(1, options.concurrency ?? 8) }, () => worker().catch(stopAll));
    try {
      // No HEAD of the bucket first: a missing one fails the listing as no-bucket all the same.
      await readListings(store, buckets, options.listings ?? [], (info, bucket) => take({ ...info, bucket }), halt.signal, options.listPageSize);
      // Every link made (or its object queued for download) before the workers may stop.
      while (toLink.length > 0 && !halt.signal.aborted)
        await new Promise<void>((resolve) => {
          linksIdle.push(resolve);
          linking ??= setImmediate(linkPending);
        });
      await (seam ??= Promise.resolve(options.afterListing?.()));
      listingDone = true;
      mark('listed');
      report();
    } catch (err) {
      stopAll(err);
    }
    wakeWorkers();
    await Promise.all(workers);
    signal?.removeEventListener('abort', onAbort);
    if (firstError !== null) throw firstError;
    mark('downloaded');

    const objects = results.filter((r): r is StorageManifestObject => 'file' in r);
    const skipped = results.filter((r): r is StorageSkippedObject => !('file' in r));
    const manifest: StorageManifest = {
      format: 'ops-console-storage-snapshot/1',
      endpoint: store.config.endpoint,
      buckets,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      objects,
      skipped,
    };
    const text = JSON.stringify(manifest, null, 2);
    fs.writeFileSync(path.join(partial, MANIFEST), text, { mode: 0o600 });
    fs.rmSync(path.join(partial, 'tmp'), { recursive: true, force: true });
    // Every byte on disk before the snapshot is published: the downloads' files were handed
    // to the flush queue as they finished (platform/fs/flush-queue.ts says why not each in
    // its own download); the manifest joins them last.
    mark('manifest');
    flushing.add(path.join(partial, MANIFEST));
    await flushing.drain();
    // The files' names too: after a crash the published snapshot must hold every file it lists.
    await syncFolders(partial, 1); // the folder and objects/ (paths.ts)
    mark('flushed');

    const check = await verifyFiles(partial, manifest, signal, linked, checkedAtLink);
    if (!check.ok) {
      const p = check.problems[0]!;
      throw new OpsError('IO_FAILED', `The snapshot failed its check before publishing: ${p.bucket}/${p.key} (${p.problem}).`);
    }
    mark('checked');
    if (fs.existsSync(folder)) throw new OpsError('IO_FAILED', `${folder} appeared while the snapshot ran; it is not replaced.`);
    fs.renameSync(partial, folder);
    await syncDirectory(path.dirname(folder));
    mark('published');
    phaseObserver?.(phases as SnapshotPhases, t0);

    return snapshotSummary(
      { path: folder, manifestPath: path.join(folder, MANIFEST), manifestSha256: crypto.createHash('sha256').update(text).digest('hex'), buckets },
      objects,
      skipped,
      Date.now() - started,
    );
  } catch (err) {
    // Every file closed before the folder is removed (Windows and some file systems refuse to delete an open file).
    await flushing.abandon();
    fs.rmSync(partial, { recursive: true, force: true });
    throw diskError(err, folder);
  }
}

/** A finished snapshot's result from its manifest's entries: shared with snapshots written straight offsite. */
export function snapshotSummary(
  where: Pick<StorageSnapshotResult, 'path' | 'manifestPath' | 'manifestSha256' | 'buckets'>,
  objects: StorageManifestObject[],
  skipped: StorageSkippedObject[],
  durationMs: number,
): StorageSnapshotResult {
  return {
    ...where,
    objects: objects.length,
    bytes: objects.reduce((n, o) => n + o.size, 0),
    changedObjects: objects.filter((o) => !o.reused).length,
    reusedObjects: objects.filter((o) => o.reused).length,
    changedDuring: objects.filter((o) => o.changedDuring).map((o) => ({ bucket: o.bucket, key: o.key })),
    skipped,
    warnings: skipped.map(skippedWarning),
    durationMs,
  };
}
