// The app's side of the storage benchmark, on the same s3rver: by default the snapshot
// operation through the core (startStorageBackup through dispatch until job.done); with
// --via-engine, or while the operation is missing, the storage domain's engine alone
// (takeSnapshot, exported by core/storage for the tests and this bench) in-process. Each
// round takes a full snapshot, then an incremental one from it. After each incremental run
// the final check (verifyFiles: every file re-read and hashed against the manifest) is
// timed alone, since it reads the hard-linked files too.
import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../src-main/contract/models';
import { createCore } from '../src-main/core/app';
import { ObjectStore } from '../src-main/core/platform/objectstore';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { observeSnapshotPhases, readManifest, takeSnapshot, verifyFiles, type SnapshotPhases } from '../src-main/core/storage';
import type { LocalS3 } from '../tests/helpers/s3';
import { call, followJob } from './bench-cluster';

/** takeSnapshot's default (core/storage/snapshot.ts): objects downloaded at once. */
const APP_CONCURRENCY = 8;

export interface SnapshotRunner {
  /** What is measured, for the JSON line (operation, options). */
  describe: string;
  /** Objects the app's snapshot downloads at once (the bare loop uses the same). */
  concurrency: number;
  /** A full snapshot of the bucket; its wall time in ms. */
  full(round: number): Promise<number>;
  /** Where the last full snapshot's time went (phaseBreakdown), when measured through the operation. */
  lastFullPhases?: () => Record<string, number> | null;
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

/**
 * The snapshot operation through dispatch (startStorageBackup until its job.done): a core
 * with a temporary home, one profile per round carrying the s3rver connection (its
 * PostgreSQL side is never reached), so each round's first snapshot is full and its second
 * is incremental from it, as the operation picks the profile's latest ok snapshot.
 * Null when this commit has no such operation.
 */
export async function opSnapshotRunner(setup: AppSetup): Promise<SnapshotRunner | null> {
  const core = createCore({ home: path.join(setup.root, 'home'), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
  const cfg = setup.s3.config();
  const profileFor = async (round: number) =>
    call<Profile>(core, 'createProfile', {
      profile: {
        name: `bench-${round}`,
        host: '127.0.0.1',
        port: 5432,
        database: 'postgres',
        user: 'postgres',
        sslmode: 'disable',
        env: 'development',
        readOnly: false,
        storage: { endpoint: cfg.endpoint, region: cfg.region, accessKeyId: cfg.accessKeyId, forcePathStyle: true },
      },
      storageSecret: cfg.secretAccessKey,
    });
  let probe: Profile;
  try {
    probe = await profileFor(-1);
    await call(core, 'listStorageSnapshots', { profileId: probe.id });
  } catch (err) {
    console.error(`the storage snapshot operation is not measured: ${err instanceof Error ? err.message : String(err)}`);
    await core.close().catch(() => undefined);
    return null;
  }
  void probe;
  const profiles = new Map<number, string>();
  let fullPhases: Record<string, number> | null = null;
  let engine: { phases: SnapshotPhases; startedAt: number } | null = null;
  observeSnapshotPhases((phases, startedAt) => void (engine = { phases, startedAt }));
  const snapshot = async (round: number) => {
    const t0 = performance.now();
    engine = null;
    const { value, trace } = await followJob<{ snapshotId: string; path: string }>(core, 'startStorageBackup', {
      profileId: profiles.get(round)!,
      buckets: [setup.bucket],
      outDir: path.join(setup.root, 'op-snapshots'),
      storageSecret: cfg.secretAccessKey,
    });
    const ms = performance.now() - t0;
    if (!trace.ok) throw new Error(`storage snapshot failed: ${trace.message}`);
    const details = await call<{ changedObjects?: number; reusedObjects?: number }>(core, 'getStorageSnapshot', { id: value.snapshotId });
    return { ms, events: trace.events.length, path: value.path, details, phases: phaseBreakdown(engine, t0, trace.end) };
  };
  return {
    describe: `startStorageBackup through dispatch until job.done (catalog row, audit, progress events, manifest, verify, publish), engine default concurrency ${APP_CONCURRENCY}`,
    concurrency: APP_CONCURRENCY,
    async full(round) {
      profiles.set(round, (await profileFor(round)).id);
      const r = await snapshot(round);
      fullPhases = r.phases;
      return r.ms;
    },
    lastFullPhases: () => fullPhases,
    async incremental(round) {
      const r = await snapshot(round);
      const v0 = performance.now();
      const check = await verifyFiles(r.path, readManifest(r.path));
      const verifyMs = Math.round(performance.now() - v0);
      if (!check.ok) throw new Error(`incremental snapshot failed its check: ${JSON.stringify(check.problems[0])}`);
      const { changedObjects, reusedObjects } = r.details;
      return { ms: r.ms, detail: { changedObjects, reusedObjects, progressEvents: r.events, verifyAloneMs: verifyMs, phasesMs: r.phases } };
    },
    async cleanup() {
      fs.rmSync(path.join(setup.root, 'op-snapshots'), { recursive: true, force: true });
    },
    async close() {
      await core.close().catch(() => undefined);
    },
  };
}

/**
 * Where one snapshot's time went, in ms: before the engine (the start call: key check,
 * previous manifest read, catalog row, audit entries), the engine's phases (each the time
 * since the one before), after it (catalog row, audit completion, job.done).
 */
export function phaseBreakdown(engine: { phases: SnapshotPhases; startedAt: number } | null, t0: number, end: number): Record<string, number> | null {
  if (engine === null) return null;
  const out: Record<string, number> = { beforeEngine: Math.round(engine.startedAt - t0) };
  let last = 0;
  for (const [phase, at] of Object.entries(engine.phases)) {
    out[phase] = Math.round((at - last) * 10) / 10;
    last = at;
  }
  out.afterEngine = Math.round(end - engine.startedAt - last);
  return out;
}

/** The engine alone (takeSnapshot in-process), for `--via engine` or when the operation is missing. */
export async function appSnapshotRunner(setup: AppSetup, via: 'op' | 'engine'): Promise<SnapshotRunner | null> {
  return (via === 'op' ? await opSnapshotRunner(setup) : null) ?? engineSnapshotRunner(setup);
}

export async function engineSnapshotRunner(setup: AppSetup): Promise<SnapshotRunner | null> {
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
