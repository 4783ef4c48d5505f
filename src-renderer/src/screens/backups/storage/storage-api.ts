// The one place the Storage snapshots section names the core's operations: the catalog
// reads, the snapshot job (followed by the shared job hook through `storage.progress` and
// the catalog row) and the row actions. The components take these functions, not `api`.
import type { StorageManifest, StorageSnapshotDetails, StorageSnapshotEntry, StorageSnapshotProgress, StorageVerifyResult } from '@contract/storage';
import type { AppEvent } from '@contract/operations';
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
};

function storageProgress(event: AppEvent, jobId: string): { id: string; progress: StorageSnapshotProgress } | null {
  return event.type === 'storage.progress' && event.jobId === jobId ? { id: event.snapshotId, progress: event } : null;
}

export const STORAGE_JOB_OPS: JobOps<StorageSnapshotDetails, StorageSnapshotProgress> = {
  prefix: 'storage',
  progressOf: storageProgress,
  fetch: (id) => api.getStorageSnapshot({ id }),
  cancel: (id) => api.cancelStorageBackup({ id }),
};
