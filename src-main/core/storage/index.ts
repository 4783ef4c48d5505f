// The storage domain's public face: Supabase Storage snapshots (issue #18): back up a project's buckets into local snapshot folders, incrementally, check them against storage.objects and restore them into a bucket. Nothing outside core/storage/ imports a file of it but
// this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { storageHandlers, type StorageOps } from './handlers';

export type { StorageOps };
/** The snapshot engine and its check, for the integration tests and the bench. */
export { takeSnapshot, MANIFEST, observeSnapshotPhases, type SnapshotOptions, type PreviousSnapshot, type SnapshotPhases } from './snapshot';
export { readManifest, verifyFiles } from './verify';
/** The snapshot catalog, for the offsite domain's copies of snapshots. */
export { SnapshotCatalog } from './catalog';
/** For the offsite domain: snapshots written straight offsite (their folder never exists) and staged back for a restore. */
export { isObjectFileOf, objectFile, objectPath } from './paths';
export { plannedSnapshotFolder, removeStagedSnapshot, stagedSnapshotFolder } from './staged';
export { snapshotSummary } from './snapshot';

export function storageModule(deps: CoreDeps): DomainModule<StorageOps> {
  const { handlers, jobs, restoreJobs } = storageHandlers(deps);
  return { handlers, dispose: async () => void (await Promise.all([jobs.disposeAll(), restoreJobs.disposeAll()])) };
}
