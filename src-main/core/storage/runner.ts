// The snapshot job: a catalog row and an audit entry of its own (the start call's entry
// closes when the job is launched), progress as `storage.progress` events at most every
// 250 ms, the end as `job.done`. Cancel aborts the downloads; the engine removes the partial.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { StorageProgressEvent, StorageSnapshotEntry, StorageSnapshotProgress } from '../../contract/storage';
import { JobRegistry } from '../platform/jobs/registry';
import type { CoreDeps } from '../platform/kernel/deps';
import type { ObjectStore } from '../platform/objectstore';
import type { SnapshotCatalog } from './catalog';
import type { BucketListing } from './listing';
import { takeSnapshot, type PreviousSnapshot } from './snapshot';

export interface SnapshotJobInput {
  store: ObjectStore;
  profile: { id: string; name: string };
  folder: string;
  buckets: string[];
  previous: PreviousSnapshot | null;
  /** The buckets' listings, begun by the start call (their first page was its check). */
  listings?: BucketListing[];
  jobId?: string;
  actor: string;
  via: string;
}

export class SnapshotJobs {
  private readonly running = new JobRegistry<StorageSnapshotEntry>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly catalog: SnapshotCatalog,
  ) {}

  start(input: SnapshotJobInput): { snapshotId: string; jobId: string; done: Promise<StorageSnapshotEntry> } {
    const snapshotId = crypto.randomUUID();
    const jobId = input.jobId ?? snapshotId;
    const startedAt = new Date();
    this.catalog.begin({
      id: snapshotId,
      profileId: input.profile.id,
      profileName: input.profile.name,
      path: input.folder,
      buckets: input.buckets,
      startedAt: startedAt.toISOString(),
    });
    const auditId = this.deps.audit.begin({
      actor: input.actor,
      action: 'storage.backup.run',
      profile: input.profile.name,
      summary: `storage snapshot of ${input.profile.name} (${input.buckets.length ? input.buckets.join(', ') : 'all buckets'}) to ${input.folder} (via ${input.via})`,
      detail: null,
    });
    const { done } = this.running.start({ id: snapshotId, jobId }, async (job) => {
      let last = 0;
      const emit = (p: StorageSnapshotProgress, force = false) => {
        if (!force && Date.now() - last < 250) return;
        last = Date.now();
        const event: StorageProgressEvent = { type: 'storage.progress', jobId, snapshotId, ...p };
        // StorageProgressEvent joins AppEvent in operations.ts (a shared file: the lead merges it).
        this.deps.events.emit(event);
      };
      try {
        const result = await takeSnapshot({
          store: input.store,
          folder: input.folder,
          buckets: input.buckets,
          previous: input.previous,
          ...(input.listings ? { listings: input.listings } : {}),
          signal: job.signal,
          onProgress: (p) => emit(p, p.objectsDone === p.objectsTotal),
        });
        this.catalog.finishOk(snapshotId, result);
        const summary = `storage snapshot of ${input.profile.name}: ${result.objects} objects, ${result.bytes} bytes (${result.changedObjects} downloaded, ${result.reusedObjects} linked)${result.warnings.length ? `; ${result.warnings.join(' ')}` : ''}`;
        this.deps.audit.complete(auditId, { outcome: 'ok', durationMs: result.durationMs, summary });
        job.finished = true;
        this.deps.events.emit({ type: 'job.done', jobId, kind: 'storage', ok: true, message: summary, at: new Date().toISOString() });
      } catch (err) {
        const cancelled = job.cancelled || (err instanceof OpsError && err.code === 'CANCELLED');
        const message = cancelled ? (job.cancelReason ?? 'cancelled') : err instanceof Error ? err.message : String(err);
        const code = err instanceof OpsError ? err.code : 'INTERNAL';
        const durationMs = Date.now() - startedAt.getTime();
        this.catalog.finishFailed(snapshotId, cancelled ? 'cancelled' : 'failed', message, durationMs);
        this.deps.audit.complete(auditId, { outcome: 'error', durationMs, error: `${cancelled ? 'CANCELLED' : code}: ${message}` });
        job.finished = true;
        this.deps.events.emit({ type: 'job.done', jobId, kind: 'storage', ok: false, message, at: new Date().toISOString() });
      } finally {
        input.store.destroy();
      }
      return this.catalog.get(snapshotId)!;
    });
    return { snapshotId, jobId, done };
  }

  cancel(id: string, reason: string): boolean {
    return this.running.cancel(id, reason);
  }

  isRunning(id: string): boolean {
    return this.running.isRunning(id);
  }

  disposeAll(): Promise<void> {
    return this.running.disposeAll('the app is closing');
  }
}
