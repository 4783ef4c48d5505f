// The app's side of the offsite benchmark: a backup copied to an S3 destination through the
// core (createCore with a temporary home, the offsite domain's operations through dispatch).
// Kept apart from offsite.ts so the bare upload and the file stay the same while the copy
// job's shape settles.
import type { LocalS3 } from '../tests/helpers/s3';

export interface CopyRunner {
  describe: string;
  /** The app's part size and parts in flight (the bare upload uses the same). */
  partSize: number;
  concurrency: number;
  /** One copy of the file (encrypted or not), verified as the app verifies it; wall ms. */
  copy(round: number, encrypted: boolean): Promise<{ ms: number; detail: unknown }>;
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export interface CopySetup {
  root: string;
  s3: LocalS3;
  bucket: string;
  file: string;
  sha256: string;
}

/** The runner, or null while the app has no offsite copy operation to call. */
export async function appCopyRunner(setup: CopySetup): Promise<CopyRunner | null> {
  void setup;
  return null;
}
