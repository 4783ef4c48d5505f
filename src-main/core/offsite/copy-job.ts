// Offsite transfers as jobs, so cancelOffsiteCopy and the core closing can abort them, each
// reporting `offsite.progress` events at most every 250 ms (plus each phase's first and last
// step): a copy (of a backup, or of a storage snapshot when the id is one) by the caller's
// jobId, and the staging of a copy for a restore or drill (phase 'download') by
// stageJobIdFor(backupId), which the restore screens and the CLI know without being told.
import crypto from 'node:crypto';
import { stageJobIdFor, type CopyResult, type OffsiteProgressEvent } from '../../contract/offsite';
import { JobRegistry } from '../platform/jobs/registry';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CopyRepo } from './copies';
import { copyBackup, type CopyProgress } from './copy';
import type { DestinationRepo } from './destinations';
import type { OffsiteSecrets } from './secrets';
import { copySnapshot, isStorageSnapshot } from './snapshot-copy';
import { stageOffsiteCopy } from './stage';

type Step = { phase: OffsiteProgressEvent['phase']; bytesDone: number; bytesTotal: number; copyId?: string };

/** Throttled `offsite.progress` events of one job, with an ETA from the current phase's rate. */
export function progressEmitter(events: CoreDeps['events'], jobId: string, extra: Partial<OffsiteProgressEvent> = {}): (p: Step) => void {
  let last = 0;
  let phase: Step['phase'] | null = null;
  let phaseStarted = Date.now();
  return (p) => {
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
    events.emit({
      ...extra,
      type: 'offsite.progress',
      jobId,
      ...(p.copyId !== undefined ? { copyId: p.copyId } : {}),
      phase: p.phase,
      bytesDone: p.bytesDone,
      bytesTotal: p.bytesTotal,
      etaSeconds: p.bytesDone >= p.bytesTotal ? 0 : rate > 0 ? Math.round((p.bytesTotal - p.bytesDone) / rate) : null,
    });
  };
}

export class CopyJobs {
  private readonly running = new JobRegistry<CopyResult>();
  private readonly staging = new JobRegistry<string>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly repos: { destinations: DestinationRepo; copies: CopyRepo; secrets: OffsiteSecrets },
  ) {}

  run(backupId: string, destination: string, jobId: string = crypto.randomUUID()): Promise<CopyResult> {
    const { done } = this.running.start({ id: jobId, jobId }, async (job) => {
      const onProgress = progressEmitter(this.deps.events, jobId);
      try {
        const copy = isStorageSnapshot(this.deps, backupId) ? copySnapshot : copyBackup;
        return await copy(this.deps, this.repos, backupId, destination, { signal: job.signal, onProgress: (p: CopyProgress) => onProgress(p) });
      } finally {
        job.finished = true;
      }
    });
    return done;
  }

  /** Fetches the backup's newest ok copy into the staging folder as a cancellable job (see stage.ts). */
  stage(backupId: string): Promise<string> {
    const jobId = stageJobIdFor(backupId);
    // One download per backup at a time: a second restore of it waits for the first's.
    const running = this.staging.find(jobId);
    if (running !== null) return this.stageAfter(backupId, jobId);
    const { done } = this.staging.start({ id: jobId, jobId }, async (job) => {
      const onProgress = progressEmitter(this.deps.events, jobId, { backupId });
      try {
        return await stageOffsiteCopy(this.deps, this.repos, backupId, { signal: job.signal, onProgress: (p) => onProgress({ phase: 'download', ...p }) });
      } finally {
        job.finished = true;
      }
    });
    return done;
  }

  private async stageAfter(backupId: string, jobId: string): Promise<string> {
    while (this.staging.isRunning(jobId)) await new Promise((resolve) => setTimeout(resolve, 100));
    return this.stage(backupId);
  }

  cancel(jobId: string, reason: string): boolean {
    return this.running.cancel(jobId, reason) || this.staging.cancel(jobId, reason);
  }

  async disposeAll(): Promise<void> {
    await this.running.disposeAll('the app is closing');
    await this.staging.disposeAll('the app is closing');
  }
}
