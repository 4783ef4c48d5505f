// The app's side of the storage benchmark: a Supabase Storage snapshot through the core
// (createCore with a temporary home, the storage domain's operations through dispatch).
// Kept apart from storage.ts so the bare loops and the data stay the same while the
// snapshot job's shape settles.
import type { LocalS3 } from '../tests/helpers/s3';

export interface SnapshotRunner {
  /** What is measured, for the JSON line (operation, options). */
  describe: string;
  /** Objects the app's snapshot downloads at once (the bare loop uses the same). */
  concurrency: number;
  /** A full snapshot of the bucket; its wall time in ms. */
  full(round: number): Promise<number>;
  /** An incremental snapshot after the last one; wall time and what it reported. */
  incremental(round: number): Promise<{ ms: number; detail: unknown }>;
  /** Removes this round's snapshots. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export interface AppSetup {
  root: string;
  s3: LocalS3;
  bucket: string;
}

/** The runner, or null while the app has no snapshot operation to call. */
export async function appSnapshotRunner(setup: AppSetup): Promise<SnapshotRunner | null> {
  void setup;
  return null;
}
