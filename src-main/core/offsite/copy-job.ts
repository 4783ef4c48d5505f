// A copy offsite (of a backup, or of a storage snapshot when the id is one) as a job: registered (by its copy's jobId) so cancelOffsiteCopy and the core
// closing can abort it, and reporting `offsite.progress` events at most every 250 ms (plus
// each phase's first and last step). The call itself still answers with the CopyResult.
import crypto from 'node:crypto';
import type { CopyResult, OffsiteProgressEvent } from '../../contract/offsite';
import { JobRegistry } from '../platform/jobs/registry';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CopyRepo } from './copies';
import { copyBackup, type CopyProgress } from './copy';
import type { DestinationRepo } from './destinations';
import { copySnapshot, isStorageSnapshot } from './snapshot-copy';

export class CopyJobs {
  private readonly running = new JobRegistry<CopyResult>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly repos: { destinations: DestinationRepo; copies: CopyRepo },
  ) {}

  run(backupId: string, destination: string, jobId: string = crypto.randomUUID()): Promise<CopyResult> {
    const { done } = this.running.start({ id: jobId, jobId }, async (job) => {
      let last = 0;
      let phase: CopyProgress['phase'] | null = null;
      let phaseStarted = Date.now();
      const onProgress = (p: CopyProgress) => {
        const now = Date.now();
        const newPhase = p.phase !== phase;
        if (newPhase) {
          phase = p.phase;
          phaseStarted = now;
        }
        if (!newPhase && p.bytesDone < p.bytesTotal && now - last < 250) return;
        last = now;
        const elapsed = (now - phaseStarted) / 1000;
        const rate = elapsed > 0.5 && p.bytesDone > 0 ? p.bytesDone / elapsed : 0;
        const event: OffsiteProgressEvent = {
          type: 'offsite.progress',
          jobId,
          copyId: p.copyId,
          phase: p.phase,
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          etaSeconds: p.bytesDone >= p.bytesTotal ? 0 : rate > 0 ? Math.round((p.bytesTotal - p.bytesDone) / rate) : null,
        };
        this.deps.events.emit(event);
      };
      try {
        const copy = isStorageSnapshot(this.deps, backupId) ? copySnapshot : copyBackup;
        return await copy(this.deps, this.repos, backupId, destination, { signal: job.signal, onProgress });
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
