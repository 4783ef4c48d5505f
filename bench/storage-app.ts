// The app's side of the storage benchmark: the storage domain's snapshot engine
// (takeSnapshot, exported by core/storage for the tests and this bench) called in-process
// on the same s3rver, full and then incremental against the previous snapshot. The
// snapshot operation adds the catalog row, the audit entries and the job's events around
// the same call. After each incremental run the final check (verifyFiles: every file
// re-read and hashed against the manifest) is timed alone, since it reads linked files too.
import fs from 'node:fs';
import path from 'node:path';
import { ObjectStore } from '../src-main/core/platform/objectstore';
import { readManifest, takeSnapshot, verifyFiles } from '../src-main/core/storage';
import type { LocalS3 } from '../tests/helpers/s3';

/** takeSnapshot's default (core/storage/snapshot.ts): objects downloaded at once. */
const APP_CONCURRENCY = 8;

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

export async function appSnapshotRunner(setup: AppSetup): Promise<SnapshotRunner | null> {
  const store = new ObjectStore(setup.s3.config());
  const made: string[] = [];
  let last: string | null = null;
  const snapshot = async (name: string, previous: string | null) => {
    const folder = path.join(setup.root, name);
    made.push(folder);
    const t0 = performance.now();
    const result = await takeSnapshot({
      store,
      folder,
      buckets: [setup.bucket],
      previous: previous === null ? null : { folder: previous, manifest: readManifest(previous) },
      concurrency: APP_CONCURRENCY,
    });
    const ms = performance.now() - t0;
    last = folder;
    return { ms, result };
  };
  return {
    describe: `takeSnapshot (core/storage) in-process, concurrency ${APP_CONCURRENCY}, manifest + verify + publish included; catalog/audit/job events of the operation not included`,
    concurrency: APP_CONCURRENCY,
    async full(round) {
      return (await snapshot(`app-full-${round}`, null)).ms;
    },
    async incremental(round) {
      const { ms, result } = await snapshot(`app-inc-${round}`, last);
      const v0 = performance.now();
      const check = await verifyFiles(result.path, readManifest(result.path));
      const verifyMs = Math.round(performance.now() - v0);
      if (!check.ok) throw new Error(`incremental snapshot failed its check: ${JSON.stringify(check.problems[0])}`);
      return { ms, detail: { changedObjects: result.changedObjects, reusedObjects: result.reusedObjects, verifyAloneMs: verifyMs } };
    },
    async cleanup() {
      for (const f of made.splice(0)) fs.rmSync(f, { recursive: true, force: true });
      last = null;
    },
    async close() {
      store.destroy();
    },
  };
}
