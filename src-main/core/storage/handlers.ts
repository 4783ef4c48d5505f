// The storage domain's operations: start / cancel a snapshot, and the catalog's reads,
// verify, reveal and delete.
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { OpsError } from '../../contract/errors';
import type { StorageManifest, StorageSnapshotDetails, StorageSnapshotEntry } from '../../contract/storage';
import type { Profile } from '../../contract/models';
import type { storageOperations } from '../../contract/operations-storage';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import { makeFolderDurably } from '../platform/fs/sync-folders';
import { log } from '../platform/kernel/log';
import { ObjectStore } from '../platform/objectstore';
import { refuseReadOnlyUnconfirmed } from '../platform/guard/rules';
import { storageConfigFor } from '../profiles';
import { SnapshotCatalog } from './catalog';
import { checkStorage } from './check';
import { BucketListing } from './listing';
import { planRestore, previewOf, runRestore, selectObjects, toUpload, type RestoreOptions } from './restore';
import { readTargetRules } from './target-rules';
import { StorageRestoreJobs } from './restore-job';
import { snapshotName } from './paths';
import { SnapshotJobs } from './runner';
import { folderSafe, readableFolder, removeStagedSnapshot } from './staged';
import { readManifest, verifyFiles } from './verify';

export type StorageOps = keyof typeof storageOperations;

export function storageHandlers(deps: CoreDeps): { handlers: Pick<Handlers, StorageOps>; jobs: SnapshotJobs; restoreJobs: StorageRestoreJobs } {
  const catalog = new SnapshotCatalog(deps.store.db);
  const interrupted = catalog.markInterrupted();
  if (interrupted > 0) log.warn(`${interrupted} storage snapshot(s) were left running by a process that stopped; marked failed`);
  const jobs = new SnapshotJobs(deps, catalog);
  const restoreJobs = new StorageRestoreJobs(deps);

  const require = (id: string): StorageSnapshotEntry => {
    const entry = catalog.find(id) ?? catalog.find(path.resolve(id));
    if (!entry) throw new OpsError('NOT_FOUND', `No storage snapshot ${id}.`, { id });
    return entry;
  };
  const requireOk = (id: string): StorageSnapshotEntry => {
    const entry = require(id);
    if (entry.status !== 'ok')
      throw new OpsError('NOT_FOUND', `Storage snapshot ${entry.id} is ${entry.status}: there is no snapshot folder.`, { id: entry.id });
    if (!fs.existsSync(entry.path))
      throw new OpsError('NOT_FOUND', `${entry.path} is not on disk any more (moved or deleted outside the app).`, { path: entry.path });
    return entry;
  };
  /**
   * An ok snapshot's folder to read from: its own, else its staged offsite copy (a snapshot
   * written straight offsite, or whose folder was removed: fetchStorageSnapshot stages it).
   */
  const requireReadable = (id: string): { entry: StorageSnapshotEntry; folder: string; staged: boolean } => {
    const entry = require(id);
    if (entry.status !== 'ok')
      throw new OpsError('NOT_FOUND', `Storage snapshot ${entry.id} is ${entry.status}: there is no snapshot folder.`, { id: entry.id });
    const readable = readableFolder(deps.home, entry);
    if (readable === null)
      throw new OpsError(
        'NOT_FOUND',
        `${entry.path} is not on disk (a snapshot written straight offsite, or moved or deleted outside the app): fetch it back from its offsite copy first (fetchStorageSnapshot; the restore dialog and ops-console storage-restore do it).`,
        { path: entry.path },
      );
    return { entry, ...readable };
  };
  const manifestOf = (entry: StorageSnapshotEntry, folder = entry.path) => {
    try {
      return readManifest(folder);
    } catch (err) {
      throw new OpsError('IO_FAILED', `The manifest of ${entry.path} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  /** The snapshot, its manifest, the target profile and a store on it, for preview and restore. */
  const restoreSetup = (input: { snapshotId: string; targetProfileId: string; storageSecret?: string | undefined }) => {
    const { entry, folder, staged } = requireReadable(input.snapshotId);
    const manifest = manifestOf(entry, folder);
    const profile = deps.profiles.require(input.targetProfileId);
    return { entry, folder, staged, manifest, profile, store: new ObjectStore(storageConfigFor(deps, profile.id, input.storageSecret)) };
  };

  /**
   * The restore's plan for preview and restore alike: the objects the input picks, judged against
   * the target buckets' rules (Supabase Storage's key, size and type checks), and the rules' note.
   */
  const planFor = async (
    input: { bucket?: string | undefined; keys?: string[] | undefined; objects?: Array<{ bucket: string; key: string }> | undefined },
    setup: { folder: string; manifest: StorageManifest; profile: Profile; store: ObjectStore },
    signal?: AbortSignal,
  ) => {
    const options: RestoreOptions = {
      ...(input.bucket ? { bucket: input.bucket } : {}),
      ...(input.keys ? { keys: input.keys } : {}),
      ...(input.objects ? { objects: input.objects } : {}),
      ...(signal ? { signal } : {}),
    };
    const buckets = [...new Set(selectObjects(setup.manifest, options).map((p) => p.bucket))];
    const rules = await readTargetRules(deps, setup.profile, setup.store.endpoint, buckets);
    return { items: await planRestore(setup.store, setup.folder, setup.manifest, { ...options, rules }), rulesNote: rules.note };
  };

  /** The new snapshot's folder (not created: the engine writes `<folder>.partial`) and the previous snapshot to link from. */
  const prepareFolder = async (profile: { id: string; name: string }, outDir: string | undefined) => {
    const base = outDir ? path.resolve(outDir) : path.join(deps.home, 'storage-snapshots', folderSafe(profile.name));
    await makeFolderDurably(base);
    const folder = path.join(base, snapshotName(new Date()));
    const prev = catalog.latestOk(profile.id);
    let previous = null;
    if (prev) {
      try {
        previous = { folder: prev.path, manifest: readManifest(prev.path) };
      } catch (err) {
        log.warn(`the previous snapshot ${prev.path} is unreadable; taking a full one`, err instanceof Error ? err.message : String(err));
      }
    }
    return { folder, previous };
  };

  const handlers: Pick<Handlers, StorageOps> = {
    startStorageBackup: async (input, ctx) => {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      const store = new ObjectStore(storageConfigFor(deps, profile.id, input.storageSecret));
      // The key and the buckets are checked before the job starts: a refused key or a missing
      // bucket is this call's error, not a failed catalog row. The check of a chosen bucket is
      // its listing's first page; the listing goes on for the job (listing.ts), and the folder
      // and the previous manifest are prepared while the first page is on its way.
      const chosen = input.buckets ?? [];
      const listings: BucketListing[] = [];
      const checking = (async () => {
        if (chosen.length === 0) await store.listBuckets();
        for (const b of chosen) listings.push(new BucketListing(store, b));
        // In order: the first bucket that fails is the one the error names.
        for (const l of listings) await l.firstPage;
      })();
      // Awaited below; a refusal that arrives during the turns before is not an unhandled one meanwhile.
      checking.catch(() => undefined);
      try {
        // The folder and the previous manifest (a read and a parse of every entry: 5–15 ms for
        // 2,000 objects) come two turns of the event loop later: the SDK hands the first request
        // to a new connection in the first turn, which connects and writes it in the second.
        // Done at once, they held the request back while the store sat idle (storage bench).
        await setImmediate();
        await setImmediate();
        let prepared;
        try {
          prepared = await prepareFolder(profile, input.outDir);
        } catch (err) {
          await checking; // a failed check is the error to report, as when it ran first
          throw err;
        }
        await checking;
        const { folder, previous } = prepared;
        const started = jobs.start({
          store,
          profile,
          folder,
          buckets: chosen,
          previous,
          listings,
          actor: ctx.actor,
          via: ctx.via,
          ...(input.jobId ? { jobId: input.jobId } : {}),
        });
        ctx.audit.summary = `storage snapshot ${started.snapshotId} of ${profile.name} started → ${folder}${previous ? ` (incremental from ${previous.folder})` : ''}`;
        return { snapshotId: started.snapshotId, jobId: started.jobId, path: folder };
      } catch (err) {
        for (const l of listings) l.close();
        store.destroy();
        if ((err as NodeJS.ErrnoException).code && !(err instanceof OpsError))
          throw new OpsError('IO_FAILED', `Cannot create the snapshot folder: ${(err as Error).message}`);
        throw err;
      }
    },
    cancelStorageBackup: (input, ctx) => {
      if (jobs.cancel(input.id, `cancelled by ${ctx.actor}`)) {
        ctx.audit.summary = `storage snapshot ${input.id} cancelled`;
        return { cancelled: true };
      }
      const entry = require(input.id);
      ctx.audit.summary = `storage snapshot ${entry.id} was not running (${entry.status})`;
      return { cancelled: false };
    },
    listStorageSnapshots: (input) => {
      if (input.profileId === undefined) return { snapshots: catalog.list(undefined, input.limit) };
      const profile = deps.profiles.get(input.profileId) ?? deps.profiles.getByName(input.profileId);
      return { snapshots: catalog.list(profile?.id ?? input.profileId, input.limit) };
    },
    getStorageSnapshot: (input) => {
      const entry = require(input.id);
      const details: StorageSnapshotDetails = { ...entry, perBucket: null, changedDuring: [], skipped: [] };
      if (entry.status !== 'ok') return details;
      try {
        const manifest = readManifest(readableFolder(deps.home, entry)?.folder ?? entry.path);
        const per = new Map<string, { bucket: string; objects: number; bytes: number }>(manifest.buckets.map((b) => [b, { bucket: b, objects: 0, bytes: 0 }]));
        for (const o of manifest.objects) {
          const b = per.get(o.bucket) ?? { bucket: o.bucket, objects: 0, bytes: 0 };
          b.objects++;
          b.bytes += o.size;
          per.set(o.bucket, b);
        }
        details.perBucket = [...per.values()];
        details.changedDuring = manifest.objects.filter((o) => o.changedDuring).map((o) => ({ bucket: o.bucket, key: o.key }));
        details.skipped = manifest.skipped;
      } catch {
        // The folder is gone or damaged: the row still reads; verify says what is wrong.
      }
      return details;
    },
    getStorageManifest: (input) => {
      const { entry, folder } = requireReadable(input.id);
      return manifestOf(entry, folder);
    },
    verifyStorageSnapshot: async (input, ctx) => {
      const entry = requireOk(input.id);
      ctx.audit.profile = entry.profileName;
      const result = await verifyFiles(entry.path, manifestOf(entry));
      catalog.setVerified(entry.id, result.ok);
      ctx.audit.summary = `verify storage snapshot ${entry.path}: ${result.ok ? `ok (${result.objects} objects)` : `FAILED (${result.problems.length} problems)`}`;
      if (!result.ok)
        ctx.audit.failed = result.problems
          .slice(0, 20)
          .map((p) => `${p.bucket}/${p.key}: ${p.problem}`)
          .join('; ');
      return result;
    },
    revealStorageSnapshot: async (input) => {
      const entry = requireOk(input.id);
      return { revealed: await deps.revealPath(entry.path), path: entry.path };
    },
    deleteStorageSnapshot: async (input, ctx) => {
      const entry = require(input.id);
      ctx.audit.profile = entry.profileName;
      const name = path.basename(entry.path);
      if (input.confirmName !== name)
        throw new OpsError('CONFIRMATION_REQUIRED', `Type the snapshot's folder name (${name}) to delete it.`, { expected: name });
      if (entry.status === 'running' || jobs.isRunning(entry.id)) throw new OpsError('CONFLICT', `Storage snapshot ${name} is still running: cancel it first.`);
      try {
        // Unlinks this folder's names only: a file hard-linked into another snapshot keeps its bytes there.
        await fs.promises.rm(entry.path, { recursive: true, force: true });
      } catch (err) {
        throw new OpsError('IO_FAILED', `Cannot delete ${entry.path}: ${err instanceof Error ? err.message : String(err)}`);
      }
      removeStagedSnapshot(deps.home, entry.id);
      catalog.remove(entry.id);
      ctx.audit.summary = `deleted storage snapshot ${entry.path} (${entry.status})`;
      return { removed: true as const };
    },
    checkStorage: async (input, ctx) => {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      const store = new ObjectStore(storageConfigFor(deps, profile.id, input.storageSecret));
      try {
        const r = await checkStorage(deps, profile, store, {
          ...(input.buckets ? { buckets: input.buckets } : {}),
          ...(input.password !== undefined ? { password: input.password } : {}),
        });
        ctx.audit.summary = `storage check of ${profile.name}: ${r.ok ? 'ok' : 'DIFFERENCES'} (${r.databaseObjects} rows, ${r.bucketObjects} objects; ${r.missingInBucket.length} missing in the bucket, ${r.missingInDatabase.length} without a row, ${r.sizeMismatches.length} size mismatches)`;
        return r;
      } finally {
        store.destroy();
      }
    },
    previewStorageRestore: async (input) => {
      const setup = restoreSetup(input);
      try {
        const { items, rulesNote } = await planFor(input, setup);
        return previewOf(items, setup.profile.name, input.bucket ?? null, rulesNote);
      } finally {
        setup.store.destroy();
      }
    },
    restoreStorageSnapshot: async (input, ctx) => {
      const setup = restoreSetup(input);
      const { entry, folder, staged, manifest, profile, store } = setup;
      ctx.audit.profile = profile.name;
      const into = input.bucket ?? manifest.buckets.join(', ');
      try {
        // A read-only profile only observes, whatever it reaches (the shared rule); production
        // asks for its name.
        refuseReadOnlyUnconfirmed(profile, `restoring storage snapshot ${entry.id} into ${into}`, input.confirmName, ctx.audit);
        const chosen = input.objects?.length ?? input.keys?.length;
        const picked = chosen !== undefined ? `${chosen} chosen object(s) of ` : '';
        ctx.audit.summary = `storage restore of ${picked}snapshot ${entry.id} into ${profile.name} (${into}) started`;
        const r = await restoreJobs.run(input.jobId, async (job, onProgress) => {
          const { items } = await planFor(input, setup, job.signal);
          // The files of the objects to upload are verified before the first upload: a tampered
          // snapshot writes nothing.
          const todo = new Set(toUpload(items).map((i) => i.source));
          const checkBytes = [...todo].reduce((n, o) => n + o.size, 0);
          onProgress({ phase: 'check', objectsDone: 0, objectsTotal: todo.size, bytesDone: 0, bytesTotal: checkBytes });
          const verified = await verifyFiles(folder, { ...manifest, objects: manifest.objects.filter((o) => todo.has(o)) }, job.signal);
          if (!verified.ok) {
            const first = verified.problems[0]!;
            ctx.audit.summary = `refused: storage snapshot ${entry.id} failed verification (${verified.problems.length} problems); nothing uploaded to ${profile.name}`;
            throw new OpsError(
              'STORAGE_FAILED',
              `The snapshot ${entry.path} failed verification (${verified.problems.length} object file(s) missing or changed, e.g. ${first.bucket}/${first.key}: ${first.problem}): nothing was uploaded.`,
              { reason: 'integrity', endpoint: store.endpoint, bucket: first.bucket, key: first.key },
            );
          }
          onProgress({ phase: 'check', objectsDone: todo.size, objectsTotal: todo.size, bytesDone: checkBytes, bytesTotal: checkBytes });
          return runRestore(store, folder, items, {
            target: profile.name,
            bucket: input.bucket ?? null,
            signal: job.signal,
            onProgress,
            cancelReason: () => job.cancelReason,
          });
        });
        // A staged offsite copy has served its restore (a failed one keeps it for the retry).
        if (staged && r.validation.ok) removeStagedSnapshot(deps.home, entry.id);
        ctx.audit.summary = `storage restore of ${picked}${staged ? 'offsite-only ' : ''}snapshot ${entry.id} into ${profile.name} (${into}): ${r.created} created, ${r.overwritten} overwritten, ${r.unchanged} unchanged, ${r.refused} refused by the target, ${r.skipped} skipped, ${r.bytes} bytes; validation ${r.validation.ok ? 'ok' : 'FAILED'}`;
        if (!r.validation.ok)
          ctx.audit.failed = r.validation.checks
            .filter((c) => !c.ok)
            .map((c) => `${c.name}: ${c.detail}`)
            .join('; ');
        return r;
      } finally {
        store.destroy();
      }
    },
    cancelStorageRestore: (input, ctx) => {
      const cancelled = restoreJobs.cancel(input.jobId, `cancelled by ${ctx.actor}`);
      ctx.audit.summary = cancelled ? `storage restore ${input.jobId} cancelled` : `storage restore ${input.jobId} was not running`;
      return { cancelled };
    },
  };
  return { handlers, jobs, restoreJobs };
}
