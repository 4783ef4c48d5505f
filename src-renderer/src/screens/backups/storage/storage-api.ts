// The one place the Storage snapshots section names the core's operations: the catalog
// reads, the snapshot job (followed by the shared job hook through `storage.progress` and
// the catalog row) and the row actions. The components take these functions, not `api`.
import type {
  StorageManifest,
  StorageRestorePreview,
  StorageRestoreProgressEvent,
  StorageRestoreResult,
  StorageSnapshotDetails,
  StorageSnapshotEntry,
  StorageSnapshotProgress,
  StorageVerifyResult,
} from '@contract/storage';
import type { AppEvent } from '@contract/operations';
import { stageJobIdFor, type CopyResult, type OffsiteProgressEvent } from '@contract/offsite';
import { api } from '../../../shared/api/client';
import type { JobOps } from '../../../shared/components/jobs/useTrackedJob';

export const storageApi = {
  list: async (profileId: string | null): Promise<StorageSnapshotEntry[]> => (await api.listStorageSnapshots(profileId ? { profileId } : {})).snapshots,
  /** The buckets the profile's access key can see: the picker's choices (default all). */
  buckets: async (profileId: string, storageSecret?: string): Promise<string[]> =>
    (await api.testStorageConnection(storageSecret ? { profileId, storageSecret } : { profileId })).buckets,
  /** No `buckets`: every bucket the key lists at run time (a new one included). */
  start: async (input: { profileId: string; buckets: string[]; jobId: string; storageSecret?: string }): Promise<string> =>
    (
      await api.startStorageBackup({
        profileId: input.profileId,
        jobId: input.jobId,
        ...(input.buckets.length > 0 ? { buckets: input.buckets } : {}),
        ...(input.storageSecret ? { storageSecret: input.storageSecret } : {}),
      })
    ).snapshotId,
  verify: (id: string): Promise<StorageVerifyResult> => api.verifyStorageSnapshot({ id }),
  manifest: (id: string): Promise<StorageManifest> => api.getStorageManifest({ id }),
  remove: (id: string, confirmName: string): Promise<unknown> => api.deleteStorageSnapshot({ id, confirmName }),
  reveal: (id: string): Promise<{ revealed: boolean; path: string }> => api.revealStorageSnapshot({ id }),
  /** What a restore into the target would create / overwrite / leave unchanged (HEADs only). */
  previewRestore: (input: RestoreRequest): Promise<StorageRestorePreview> => api.previewStorageRestore(restoreInput(input)),
  /** Uploads, then reads every restored object back; answers with the validation. A job: `onProgress` gets its events, cancelRestore(jobId) stops it. */
  restore: async (
    input: RestoreRequest & { confirmName?: string; jobId: string },
    onProgress: (p: StorageRestoreProgressEvent) => void,
  ): Promise<StorageRestoreResult> => {
    // Subscribed before the call, so the first events are not missed.
    const off = api.onEvent((event) => {
      if (event.type === 'storage.restore.progress' && event.jobId === input.jobId) onProgress(event);
    });
    try {
      return await api.restoreStorageSnapshot({
        ...restoreInput(input),
        jobId: input.jobId,
        ...(input.confirmName ? { confirmName: input.confirmName } : {}),
      });
    } finally {
      off();
    }
  },
  cancelRestore: (jobId: string): Promise<{ cancelled: boolean }> => api.cancelStorageRestore({ jobId }),
  /**
   * A snapshot written straight to an offsite destination: answers when it ended (read back
   * and verified). `onProgress` gets its `storage.progress` events; cancelOffsiteCopy(jobId) stops it.
   */
  startOffsite: async (
    input: { profileId: string; buckets: string[]; jobId: string; storageSecret?: string; destination: string },
    onProgress: (p: StorageSnapshotProgress) => void,
  ): Promise<{ snapshot: StorageSnapshotEntry; copy: CopyResult }> => {
    const off = api.onEvent((event) => {
      if (event.type === 'storage.progress' && event.jobId === input.jobId) onProgress(event);
    });
    try {
      return await api.storageBackupToOffsite({
        profileId: input.profileId,
        destination: input.destination,
        jobId: input.jobId,
        ...(input.buckets.length > 0 ? { buckets: input.buckets } : {}),
        ...(input.storageSecret ? { storageSecret: input.storageSecret } : {}),
      });
    } finally {
      off();
    }
  },
  cancelOffsite: (jobId: string): Promise<{ cancelled: boolean }> => api.cancelOffsiteCopy({ jobId }),
  /** Fetches a snapshot whose folder is not on disk back from its offsite copy (verified), so it can be restored. */
  fetchFromOffsite: async (snapshotId: string, onProgress: (p: OffsiteProgressEvent) => void) => {
    const jobId = stageJobIdFor(snapshotId);
    const off = api.onEvent((event) => {
      if (event.type === 'offsite.progress' && event.jobId === jobId) onProgress(event);
    });
    try {
      return await api.fetchStorageSnapshot({ snapshotId });
    } finally {
      off();
    }
  },
  cancelFetch: (snapshotId: string): Promise<{ cancelled: boolean }> => api.cancelOffsiteCopy({ jobId: stageJobIdFor(snapshotId) }),
};

export interface RestoreRequest {
  snapshotId: string;
  targetProfileId: string;
  /** Empty: each object into its own bucket's name. */
  bucket: string;
  storageSecret?: string;
  /** Absent: the whole snapshot. */
  objects?: Array<{ bucket: string; key: string }>;
}

function restoreInput(input: RestoreRequest) {
  return {
    snapshotId: input.snapshotId,
    targetProfileId: input.targetProfileId,
    ...(input.bucket.trim() ? { bucket: input.bucket.trim() } : {}),
    ...(input.storageSecret ? { storageSecret: input.storageSecret } : {}),
    ...(input.objects ? { objects: input.objects } : {}),
  };
}

function storageProgress(event: AppEvent, jobId: string): { id: string; progress: StorageSnapshotProgress } | null {
  return event.type === 'storage.progress' && event.jobId === jobId ? { id: event.snapshotId, progress: event } : null;
}

export const STORAGE_JOB_OPS: JobOps<StorageSnapshotDetails, StorageSnapshotProgress> = {
  prefix: 'storage',
  progressOf: storageProgress,
  fetch: (id) => api.getStorageSnapshot({ id }),
  cancel: (id) => api.cancelStorageBackup({ id }),
};
