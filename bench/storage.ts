// Supabase Storage snapshots (issue #18): a full snapshot of a bucket of N objects / M MB
// (mostly 100 KB–1 MB images, 2 % files of 5–20 MB) against a bare @aws-sdk/client-s3 loop
// (ListObjectsV2 + GetObject to files, the same concurrency) in the same run, target ≤ 1.2×;
// then an incremental snapshot after 1 % of the objects changed, target ≤ 5 % of the full
// snapshot's time. A real s3rver process on loopback (tests/helpers/s3.ts) serves both.
// Rounds alternate bare / platform / app so the neighbours' load falls on all of them; the
// disk is settled (sync, untimed) before each, and the bare loop's own flush is reported.
// "platform" is the app's object-store layer alone (ObjectStore.listObjects + download with
// its sha256 and, by default, an fsync per file) at the same concurrency, so a miss can be
// placed either in the download layer or in the snapshot job around it. Prints one JSON line last.
// Run: npx tsx bench/storage.ts [--objects 2000] [--total-mb 1024] [--rounds 3] [--concurrency 8] [--via-engine]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ObjectStore } from '../src-main/core/platform/objectstore';
import { startLocalS3 } from '../tests/helpers/s3';
import { arg, loadAverage, median, round2 } from './bench-cluster';
import { bareDownloadAll, bareIncremental, bareList, fillBucket, objectMix, pool, sdkClient, timed, type ObjectSpec } from './s3-bench';
import { appSnapshotRunner, type SnapshotRunner } from './storage-app';

const OBJECTS = arg('objects', 2000);
const TOTAL_MB = arg('total-mb', 1024);
const ROUNDS = arg('rounds', 3);
const BUCKET = 'design-assets';

/**
 * Everything written so far pushed to the disk, untimed, before each measured run. Without
 * it the bare loop (which never flushes) leaves its gigabyte dirty, and the kernel writes it
 * back during the next run measured — the app's. Returns how long the flush took.
 */
function settleDisk(): number {
  const t0 = performance.now();
  spawnSync('sync', [], { stdio: 'ignore' });
  return performance.now() - t0;
}

/** The platform layer's loop: what the snapshot job is built on, without the job around it. */
async function platformSnapshot(store: ObjectStore, outDir: string, concurrency: number): Promise<{ objects: number; bytes: number }> {
  const objects = [];
  for await (const o of store.listObjects(BUCKET)) objects.push(o);
  for (const d of new Set(objects.map((o) => path.dirname(path.join(outDir, o.key))))) fs.mkdirSync(d, { recursive: true });
  let bytes = 0;
  await pool(objects, concurrency, async (o) => {
    const r = await store.download(BUCKET, o.key, path.join(outDir, o.key), { expectEtag: o.etag });
    bytes += r.bytes;
  });
  return { objects: objects.length, bytes };
}

/** 1 % of the objects (at least one), a different slice each round. */
function changedSlice(specs: ObjectSpec[], round: number): ObjectSpec[] {
  const n = Math.max(1, Math.round(specs.length / 100));
  return Array.from({ length: n }, (_, i) => specs[((round * n + i) * 97) % specs.length]!);
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const s3 = await startLocalS3([BUCKET]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-storage-'));
  const client = sdkClient(s3.config());
  const store = new ObjectStore(s3.config());
  let app: SnapshotRunner | null = null;
  try {
    app = await appSnapshotRunner({ root, s3, bucket: BUCKET }, process.argv.includes('--via-engine') ? 'engine' : 'op');
    const concurrency = arg('concurrency', app?.concurrency ?? 4);
    const specs = objectMix(OBJECTS, TOTAL_MB * 1024 * 1024);
    const fill = await timed(() => fillBucket(client, BUCKET, specs));
    const listed = await bareList(client, BUCKET);
    const totalBytes = listed.reduce((a, o) => a + o.size, 0);
    console.log(
      `load ${loadBefore.join(' ')}; s3rver ${s3.endpoint}; filled ${listed.length} objects, ${Math.round(totalBytes / 1e6)} MB in ${Math.round(fill.ms / 1000)} s; concurrency ${concurrency}; app: ${app?.describe ?? 'not available'}`,
    );

    const dir = (name: string): string => path.join(root, name);
    // Warm-up (not counted): s3rver's first reads fill the page cache.
    await bareDownloadAll(client, BUCKET, dir('warm'), concurrency);
    fs.rmSync(dir('warm'), { recursive: true, force: true });

    const ms: Record<'bare' | 'bareFlush' | 'platform' | 'app' | 'bareIncremental' | 'appIncremental', number[]> = {
      bare: [],
      bareFlush: [],
      platform: [],
      app: [],
      bareIncremental: [],
      appIncremental: [],
    };
    let changedPerRound = 0;
    let appIncrementalDetail: unknown = null;
    // Where each incremental run's time went (storage-app.ts phaseBreakdown), per round.
    const phaseRounds: Array<Record<string, number>> = [];
    const fullPhaseRounds: Array<Record<string, number>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      settleDisk();
      const bare = await timed(() => bareDownloadAll(client, BUCKET, dir(`bare-${r}`), concurrency));
      ms.bare.push(bare.ms);
      // The bare loop's bytes reach the disk only now (the app flushes its own before publishing).
      ms.bareFlush.push(settleDisk());
      const plat = await timed(() => platformSnapshot(store, dir(`platform-${r}`), concurrency));
      ms.platform.push(plat.ms);
      fs.rmSync(dir(`platform-${r}`), { recursive: true, force: true });
      settleDisk();
      if (app !== null) ms.app.push(await app.full(r));
      const fullPhases = app?.lastFullPhases?.() ?? null;
      if (fullPhases) fullPhaseRounds.push(fullPhases);
      console.log(`round ${r + 1}: bare ${Math.round(bare.ms)} ms, platform ${Math.round(plat.ms)} ms${app ? `, app ${Math.round(ms.app[r]!)} ms` : ''}`);
      if (fullPhases) console.log(`round ${r + 1}: app full phases (ms) ${JSON.stringify(fullPhases)}`);

      // 1 % of the objects change; the previous snapshots are the ones just taken.
      const previous = new Map((await bareList(client, BUCKET)).map((o) => [o.key, o.etag]));
      const changed = changedSlice(specs, r);
      changedPerRound = changed.length;
      await fillBucket(client, BUCKET, changed, r + 1);
      settleDisk();
      const bareInc = await timed(() => bareIncremental(client, BUCKET, previous, dir(`bare-${r}`), dir(`bare-inc-${r}`), concurrency));
      ms.bareIncremental.push(bareInc.ms);
      if (app !== null) {
        settleDisk();
        const inc = await app.incremental(r);
        ms.appIncremental.push(inc.ms);
        appIncrementalDetail = inc.detail;
        const phases = (inc.detail as { phasesMs?: Record<string, number> | null }).phasesMs;
        if (phases) phaseRounds.push(phases);
      }
      console.log(
        `round ${r + 1}: ${changed.length} changed; bare incremental ${Math.round(bareInc.ms)} ms (${bareInc.value.downloaded} downloaded, ${bareInc.value.linked} linked)${app ? `, app incremental ${Math.round(ms.appIncremental[r]!)} ms` : ''}`,
      );
      if (phaseRounds.length > r) console.log(`round ${r + 1}: app incremental phases (ms) ${JSON.stringify(phaseRounds[r])}`);
      for (const d of [`bare-${r}`, `bare-inc-${r}`]) fs.rmSync(dir(d), { recursive: true, force: true });
      await app?.cleanup();
    }

    const m = (xs: number[]): number | null => (xs.length > 0 ? Math.round(median(xs)) : null);
    const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? round2(a / b) : null);
    // Each round's own ratio (its runs are neighbours in time, so they share the machine's load), then their median.
    const paired = (a: number[], b: number[]): number | null => (a.length > 0 && a.length === b.length ? round2(median(a.map((x, i) => x / b[i]!))) : null);
    const medianPhases = (rounds: Array<Record<string, number>>) =>
      rounds.length > 0 ? Object.fromEntries(Object.keys(rounds[0]!).map((k) => [k, round2(median(rounds.map((p) => p[k] ?? 0)))])) : null;
    const out = {
      objects: listed.length,
      totalMb: Math.round(totalBytes / 1e6),
      bigObjects: specs.filter((s) => s.size > 4 * 1024 * 1024).length,
      rounds: ROUNDS,
      concurrency,
      fillSeconds: Math.round(fill.ms / 100) / 10,
      changedPerRound,
      bareMs: m(ms.bare),
      bareFlushMs: m(ms.bareFlush),
      platformMs: m(ms.platform),
      appMs: m(ms.app),
      platformVsBareRatio: ratio(m(ms.platform), m(ms.bare)),
      appVsBareRatio: ratio(m(ms.app), m(ms.bare)),
      appVsBarePaired: paired(ms.app, ms.bare),
      appVsBarePlusFlushRatio: ratio(m(ms.app), (m(ms.bare) ?? 0) + (m(ms.bareFlush) ?? 0)),
      bareIncrementalMs: m(ms.bareIncremental),
      appIncrementalMs: m(ms.appIncremental),
      bareIncrementalVsFull: ratio(m(ms.bareIncremental), m(ms.bare)),
      appIncrementalVsFull: ratio(m(ms.appIncremental), m(ms.app)),
      appIncrementalVsFullPaired: paired(ms.appIncremental, ms.app),
      appIncrementalVsBareIncrementalPaired: paired(ms.appIncremental, ms.bareIncremental),
      // Median per phase of the full runs (as below for the incremental ones).
      appFullPhasesMs: medianPhases(fullPhaseRounds),
      appIncrementalDetail,
      // Median per phase over the rounds: beforeEngine (the start call: first listing page as the
      // key/bucket check, previous manifest, catalog row, audit), the engine's phases, afterEngine.
      appIncrementalPhasesMs: medianPhases(phaseRounds),
      app: app?.describe ?? 'not available: no storage snapshot operation on this commit',
      perRoundMs: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v.map(Math.round)])),
      loadAverage: { before: loadBefore, after: loadAverage() },
      targets: { appVsBareRatio: '<= 1.2', appIncrementalVsFull: '<= 0.05' },
    };
    console.log(JSON.stringify(out));
  } finally {
    await app?.close();
    client.destroy();
    store.destroy();
    await s3.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
