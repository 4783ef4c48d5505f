// A storage restore as a job: registered by the caller's jobId, so cancelStorageRestore and
// the core closing can abort it, and reporting `storage.restore.progress` events at most
// every 250 ms plus each phase's first and last step (a phase's ETA is from its own rate).
// The call itself still answers with the result; the dispatcher's audit entry around it is
// the restore's start and end (handlers.ts enriches it).
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { StorageRestoreProgressEvent, StorageRestoreResult } from '../../contract/storage';
import { JobRegistry, type Job } from '../platform/jobs/registry';
import type { CoreDeps } from '../platform/kernel/deps';
import type { RestoreProgress } from './restore';

const EVERY_MS = 250;

export class StorageRestoreJobs {
  private readonly running = new JobRegistry<StorageRestoreResult>();

  constructor(private readonly deps: CoreDeps) {}

  run(jobId: string | undefined, work: (job: Job, onProgress: (p: RestoreProgress) => void) => Promise<StorageRestoreResult>): Promise<StorageRestoreResult> {
    const id = jobId ?? crypto.randomUUID();
    const { done } = this.running.start({ id, jobId: id }, async (job) => {
      let last = 0;
      let phase: RestoreProgress['phase'] | null = null;
      let phaseStarted = Date.now();
      const onProgress = (p: RestoreProgress) => {
        const now = Date.now();
        const newPhase = p.phase !== phase;
        if (newPhase) {
          phase = p.phase;
          phaseStarted = now;
        }
        const end = p.objectsDone >= p.objectsTotal && p.bytesDone >= p.bytesTotal;
        if (!newPhase && !end && now - last < EVERY_MS) return;
        last = now;
        const secs = (now - phaseStarted) / 1000;
        const rate = secs > 0.5 && p.bytesDone > 0 ? p.bytesDone / secs : 0;
        const event: StorageRestoreProgressEvent = {
          type: 'storage.restore.progress',
          jobId: id,
          ...p,
          etaSeconds: end ? 0 : rate > 0 ? Math.round((p.bytesTotal - p.bytesDone) / rate) : null,
        };
        this.deps.events.emit(event);
      };
      try {
        return await work(job, onProgress);
      } catch (err) {
        // Cancelled before the uploads began (listing the target, checking the files): nothing was written.
        if (job.cancelled && !(err instanceof OpsError && err.code === 'CANCELLED'))
          throw new OpsError('CANCELLED', `Storage restore stopped (${job.cancelReason ?? 'cancelled'}); nothing was written.`);
        throw err;
      } finally {
        job.finished = true;
      }
    });
    return done;
  }

  cancel(jobId: string, reason: string): boolean {
    return this.running.cancel(jobId, reason);
  }

  disposeAll(): Promise<void> {
    return this.running.disposeAll('the app is closing');
  }
}
