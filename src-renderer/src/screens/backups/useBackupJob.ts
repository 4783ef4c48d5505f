// The backup in flight, and the plans asked for on the way to it.
// Plans: planBackup connects and is audited, so each distinct set of options is asked once
// and remembered (the Destination step's default-folder plan serves the Review too).
// Job: followed by the shared job hook, through `backup.progress` and getBackup.
import { useCallback } from 'react';
import type { BackupEntry, BackupOptionsInput, BackupPlan, BackupProgressEvent } from '@contract/backup';
import type { AppEvent } from '@contract/operations';
import { api } from '../../shared/api/client';
import { useAskOnce, type DetailedError } from '../../shared/components/jobs/useAskOnce';
import { useTrackedJob, type JobOps, type TrackedJob } from '../../shared/components/jobs/useTrackedJob';
import { planKey } from './backup-wizard-model';

export type PlanAnswer = { plan: BackupPlan; error: null } | { plan: null; error: DetailedError };

async function askPlan(options: BackupOptionsInput): Promise<PlanAnswer> {
  return { plan: await api.planBackup(options), error: null };
}

function planFailed(error: DetailedError): PlanAnswer {
  return { plan: null, error };
}

export function usePlans() {
  return useAskOnce(planKey, askPlan, planFailed);
}

/** The backup job: `id` is the backupId, `started` the plan startBackup answered. */
export type BackupJob = TrackedJob<BackupEntry, BackupPlan, BackupProgressEvent>;

function backupProgress(event: AppEvent, jobId: string) {
  return event.type === 'backup.progress' && event.jobId === jobId ? { id: event.backupId, progress: event } : null;
}

const BACKUP_OPS: JobOps<BackupEntry, BackupProgressEvent> = {
  prefix: 'backup',
  progressOf: backupProgress,
  fetch: (id) => api.getBackup({ id }),
  cancel: (id) => api.cancelBackup({ id }),
};

export function useBackupJob(onFinished: (entry: BackupEntry) => void) {
  const { job, start: startJob, cancel, reset } = useTrackedJob<BackupEntry, BackupPlan, BackupProgressEvent>(BACKUP_OPS, onFinished);
  // The file name shown at review is the one written: the core refuses rather than renames.
  const start = useCallback(
    (options: BackupOptionsInput, fileName: string) =>
      startJob(async (jobId) => {
        const answer = await api.startBackup({ ...options, jobId, fileName });
        return { id: answer.backupId, started: answer.plan };
      }),
    [startJob],
  );
  return { job, start, cancel, reset };
}
