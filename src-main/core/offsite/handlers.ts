// The offsite domain's operations: destinations (audited; secrets in, never out), the test
// probe, and copying a backup offsite.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import { stageJobIdFor, type CreatedDestination } from '../../contract/offsite';
import type { StorageProgressEvent } from '../../contract/storage';
import type { offsiteOperations } from '../../contract/operations-offsite';
import type { Handlers } from '../platform/kernel/dispatch';
import { formatKey, generateKey, keyId, parseKey } from '../platform/crypto';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import type { SecretCipher } from '../platform/secrets/encrypted-secret-store';
import { CopyRepo } from './copies';
import { CopyJobs } from './copy-job';
import { DestinationRepo } from './destinations';
import { backupStraightOffsite } from './direct';
import { snapshotStraightOffsite } from './direct-snapshot';
import { stageSnapshot } from './stage-snapshot';
import { sweepInterruptedCopies } from './interrupted';
import { JobRegistry } from '../platform/jobs/registry';
import { progressEmitter } from './copy-job';
import { pruneDestination } from './prune';
import { OffsiteSecrets } from './secrets';

export type OffsiteOps = keyof typeof offsiteOperations;

/** Shown with a new encrypting destination's key (the CLI prints it too). */
export const KEY_WARNING =
  'Lose this key and every encrypted copy on this destination is unreadable: nobody, Ops Console included, can recover it. ' +
  'Store it in your password manager now; it is not shown again. Later CLI runs need it in OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY.';

export interface OffsiteDomain {
  handlers: Pick<Handlers, OffsiteOps>;
  destinations: DestinationRepo;
  copies: CopyRepo;
  secrets: OffsiteSecrets;
  /** Stages a backup's newest ok copy for a restore or drill, as a cancellable job with progress (jobId stageJobIdFor(backupId)). */
  stage(backupId: string): Promise<string>;
  /** Cancels running copies and awaits them (the core closing). */
  dispose(): Promise<void>;
}

/** `cipher`: the desktop's keychain cipher to save secrets with; without one they stay in memory. */
export function offsiteHandlers(deps: CoreDeps, cipher: SecretCipher | null = null): OffsiteDomain {
  const secrets = new OffsiteSecrets(deps.store.db, cipher);
  const destinations = new DestinationRepo(deps.store.db, secrets);
  const copies = new CopyRepo(deps.store.db);
  const copyJobs = new CopyJobs(deps, { destinations, copies, secrets });
  // What a process that died mid-copy left running: its rows failed now, a direct copy's unfinished upload aborted in the background.
  const sweepStop = new AbortController();
  const swept = sweepInterruptedCopies(deps, { destinations, copies }, sweepStop.signal).catch(() => undefined);
  // Backups written straight offsite: id = the backup id, jobId = the caller's.
  const directJobs = new JobRegistry<Awaited<ReturnType<typeof backupStraightOffsite>>>();
  // Storage snapshots written straight offsite (id = the snapshot id) and fetched back (jobId stageJobIdFor(snapshot id)).
  const snapshotJobs = new JobRegistry<Awaited<ReturnType<typeof snapshotStraightOffsite>>>();
  const fetchJobs = new JobRegistry<Awaited<ReturnType<typeof stageSnapshot>>>();

  const handlers: Pick<Handlers, OffsiteOps> = {
    listOffsiteDestinations: () => ({ destinations: destinations.list() }),
    getOffsiteDestination: (input) => destinations.get(input.id),
    createOffsiteDestination: (input, ctx) => {
      const { secretAccessKey, encrypt, encryptionKey, ...settings } = input;
      if (!encrypt && encryptionKey !== undefined)
        throw new OpsError('INVALID_INPUT', 'An encryption key is given only with encrypt: true.', { field: 'encryptionKey' });
      // Parsed before anything is saved, so a mistyped key leaves no half-made destination.
      const key = encrypt ? (encryptionKey !== undefined ? parseKey(encryptionKey) : generateKey()) : null;
      const d = destinations.create(settings, encrypt, key === null ? null : keyId(key));
      try {
        if (key !== null) secrets.set(d.id, 'encryption', formatKey(key));
        if (secretAccessKey !== undefined && secretAccessKey !== '') secrets.set(d.id, 'access', secretAccessKey);
      } catch (err) {
        destinations.remove(d.id);
        throw err;
      }
      // The summary names the key's id only: the key itself is in no audit entry.
      ctx.audit.summary = `offsite destination ${d.name}: ${d.endpoint} bucket ${d.bucket}${d.prefix ? ` prefix ${d.prefix}` : ''}${
        key !== null ? `, encrypted with key ${d.keyId}${encryptionKey === undefined ? ' (generated)' : ''}` : ''
      }`;
      const created: CreatedDestination = destinations.get(d.id);
      if (key === null) return created;
      return {
        ...created,
        ...(encryptionKey === undefined ? { generatedKey: formatKey(key) } : {}),
        keyWarning: KEY_WARNING,
      };
    },
    updateOffsiteDestination: (input, ctx) => {
      const { id, secretAccessKey, encryptionKey, ...patch } = input;
      if (encryptionKey !== undefined) destinations.saveEncryptionKey(destinations.get(id), encryptionKey);
      const d = destinations.update(id, patch);
      if (secretAccessKey === '') secrets.delete(d.id, 'access');
      else if (secretAccessKey !== undefined) secrets.set(d.id, 'access', secretAccessKey);
      const changed = [secretAccessKey !== undefined ? 'secret access key changed' : '', encryptionKey !== undefined ? `encryption key ${d.keyId} saved` : '']
        .filter((s) => s !== '')
        .join(', ');
      ctx.audit.summary = `offsite destination ${d.name} updated${changed ? ` (${changed})` : ''}`;
      return destinations.get(d.id);
    },
    deleteOffsiteDestination: (input, ctx) => {
      const d = destinations.remove(input.id);
      ctx.audit.summary = `offsite destination ${d.name} forgotten (objects in ${d.bucket} kept)`;
      return { removed: true };
    },
    testOffsiteDestination: async (input, ctx) => {
      const started = Date.now();
      const d = destinations.get(input.id);
      const store = new ObjectStore(destinations.storeConfig(d));
      const probeKey = [d.prefix, `.ops-console-probe-${crypto.randomUUID()}`].filter((s) => s !== '').join('/');
      ctx.audit.summary = `test offsite destination ${d.name} (${d.endpoint} bucket ${d.bucket})`;
      try {
        await store.checkBucket(d.bucket);
        await store.putBody(d.bucket, probeKey, 'ops-console write probe; safe to delete\n', { contentType: 'text/plain' });
        await store.remove(d.bucket, probeKey);
      } finally {
        store.destroy();
      }
      return { ok: true, endpoint: d.endpoint, bucket: d.bucket, probeKey, durationMs: Date.now() - started };
    },
    listBackupCopies: (input) => {
      const destinationId = input.destination !== undefined ? destinations.get(input.destination).id : undefined;
      return { copies: copies.list({ ...(input.backupId !== undefined ? { backupId: input.backupId } : {}), ...(destinationId ? { destinationId } : {}) }) };
    },
    copyBackupOffsite: async (input, ctx) => {
      ctx.audit.summary = `copy backup ${input.backupId} to ${input.destination}`;
      const result = await copyJobs.run(input.backupId, input.destination, input.jobId);
      const what = result.kind === 'storage' ? `storage snapshot ${result.backupId}` : `backup ${result.backupId}`;
      const sent = result.kind === 'storage' ? `, ${result.uploadedObjects ?? 0} of ${result.objects ?? 0} objects sent` : '';
      ctx.audit.summary = `copy ${what} to ${result.destination}: ${result.key} (${result.bytes} bytes, sha256 ${result.sha256}${sent})${result.alreadyThere ? ', already there' : ', verified'}`;
      return result;
    },
    backupToOffsite: async (input, ctx) => {
      const { jobId = crypto.randomUUID(), ...options } = input;
      const profile = deps.profiles.require(options.profileId);
      ctx.audit.profile = profile.name;
      ctx.audit.summary = `backup of ${profile.name} (${options.kind}, ${options.format}) straight to offsite ${options.destination}`;
      const { done } = directJobs.start({ id: crypto.randomUUID(), jobId }, async (job) => {
        const onProgress = progressEmitter(deps.events, jobId);
        try {
          // While pg_dump streams the total is unknown: it grows with what was sent (one event a part).
          return await backupStraightOffsite(deps, { destinations, copies }, options, job, (p) =>
            onProgress({ ...p, bytesTotal: p.bytesTotal ?? p.bytesDone }),
          );
        } finally {
          job.finished = true;
        }
      });
      const result = await done;
      ctx.audit.detail = result.backup.command;
      ctx.audit.summary = `backup ${result.backup.id} of ${profile.name} (${result.backup.kind}, ${result.backup.format}) straight to ${result.copy.destination}: s3 key ${result.copy.key}, ${result.copy.bytes} bytes, sha256 ${result.copy.sha256}, read back and verified`;
      return result;
    },
    storageBackupToOffsite: async (input, ctx) => {
      const { jobId = crypto.randomUUID(), ...options } = input;
      const profile = deps.profiles.require(options.profileId);
      ctx.audit.profile = profile.name;
      const which = options.buckets?.length ? options.buckets.join(', ') : 'all buckets';
      ctx.audit.summary = `storage snapshot of ${profile.name} (${which}) straight to offsite ${options.destination}`;
      const { done } = snapshotJobs.start({ id: crypto.randomUUID(), jobId }, async (job) => {
        try {
          return await snapshotStraightOffsite(deps, { destinations, copies }, options, job, (p) => {
            const event: StorageProgressEvent = { type: 'storage.progress', jobId, ...p };
            deps.events.emit(event);
          });
        } finally {
          job.finished = true;
        }
      });
      const { snapshot, copy } = await done;
      ctx.audit.summary = `storage snapshot ${snapshot.id} of ${profile.name} straight to ${copy.destination}: ${copy.key}, ${snapshot.objects} objects, ${snapshot.bytes} bytes (${copy.uploadedObjects ?? 0} sent, ${snapshot.reusedObjects} unchanged since the previous copy there), each read back and verified${snapshot.error ? `; ${snapshot.error}` : ''}`;
      return { snapshot, copy };
    },
    fetchStorageSnapshot: async (input, ctx) => {
      const jobId = stageJobIdFor(input.snapshotId);
      ctx.audit.summary = `fetch storage snapshot ${input.snapshotId} back from offsite for a restore`;
      // One fetch per snapshot at a time: a second call waits for the first's and reuses its folder.
      while (fetchJobs.isRunning(jobId)) await new Promise((resolve) => setTimeout(resolve, 100));
      const { done } = fetchJobs.start({ id: jobId, jobId }, async (job) => {
        const onProgress = progressEmitter(deps.events, jobId, { backupId: input.snapshotId });
        try {
          return await stageSnapshot(deps, { destinations, copies, secrets }, input.snapshotId, {
            signal: job.signal,
            onProgress: (p) => onProgress({ phase: 'download', ...p }),
          });
        } finally {
          job.finished = true;
        }
      });
      const r = await done;
      ctx.audit.summary = `fetched storage snapshot ${r.snapshotId} from ${r.destination} (${r.key}): ${r.objects} objects, ${r.bytes} bytes downloaded, every sha256 verified → ${r.path}`;
      return r;
    },
    cancelOffsiteCopy: (input, ctx) => {
      const reason = `cancelled by ${ctx.actor}`;
      const cancelled =
        copyJobs.cancel(input.jobId, reason) ||
        directJobs.cancel(input.jobId, reason) ||
        snapshotJobs.cancel(input.jobId, reason) ||
        fetchJobs.cancel(input.jobId, reason);
      ctx.audit.summary = cancelled ? `offsite copy ${input.jobId} cancelled` : `offsite copy ${input.jobId} was not running`;
      return { cancelled };
    },
    setOffsiteRetention: (input, ctx) => {
      const d = destinations.setRetention(input.id, input.policy);
      ctx.audit.summary = `offsite destination ${d.name}: retention ${input.policy === null ? 'removed' : JSON.stringify(input.policy)}`;
      return d;
    },
    pruneOffsite: async (input, ctx) => {
      const r = await pruneDestination(deps, { destinations, copies }, input.destination, { dryRun: input.dryRun, confirmName: input.confirmName });
      ctx.audit.summary = r.dryRun
        ? `prune preview on ${r.destination}: ${r.prune.length} to delete, ${r.keep.length} kept`
        : `pruned ${r.destination}: deleted ${r.deletedKeys.join(', ') || 'nothing'}`;
      return r;
    },
  };
  return {
    handlers,
    destinations,
    copies,
    secrets,
    stage: (backupId) => copyJobs.stage(backupId),
    dispose: async () => {
      sweepStop.abort();
      await swept;
      await directJobs.disposeAll('the app is closing');
      await snapshotJobs.disposeAll('the app is closing');
      await fetchJobs.disposeAll('the app is closing');
      await copyJobs.disposeAll();
    },
  };
}
