// Backups (issue #6): the wrapper's wall time against bare `pg_dump -Fc -f FILE` on the same
// ~1 GB database in the same run (target ≤ 1.05), and progress events per second during
// the wrapper's run (≥ 1). The wrapper is measured twice: startBackup through
// core.dispatch (until job.done) and the CLI `ops-console backup … --format custom --json`
// (Node start-up included). Rounds alternate bare / core / CLI so neighbours' load falls
// on all three. After each core round the verification steps the wrapper adds are timed
// on their own (plan, pg_restore --list, sha256, count(*) in one snapshot) so a miss can
// be traced. Its own throwaway cluster grown with pgbench -i; prints one JSON line last.
// Run: npx tsx bench/backup.ts [--scale 65] [--generated-rows 0] [--rounds 3] [--no-cli]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { BackupEntry, BackupPlan, ClientTool } from '../src-main/contract/backup';
import type { Profile } from '../src-main/contract/models';
import { createCore, type Core } from '../src-main/core/app';
import { hashBackup, listArchive } from '../src-main/core/platform/tools/archive';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import {
  arg,
  backupThroughCore,
  call,
  growDatabase,
  loadAverage,
  median,
  removeBackup,
  round1,
  round2,
  run,
  startBenchCluster,
  type CoreBackupRun,
} from './bench-cluster';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'ops-console.cjs');
/** The lock builds take (exclusively); held shared around each CLI run so out/ is not rebuilt under it. */
const BUILD_LOCK = '/tmp/ops-build.lock';
const DB = 'bench';

const SCALE = arg('scale', 65);
/** Rows of md5 text that compress about 2:1 (pgbench's blank-padded rows shrink ~40×, so its dump is tiny). */
const GENERATED_ROWS = arg('generated-rows', 0);
const ROUNDS = arg('rounds', 3);
const WITH_CLI = !process.argv.includes('--no-cli');

/** Runs `fn` holding the build lock shared (builders take it exclusively); waiting is not timed. */
async function underSharedBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  if (!fs.existsSync(BUILD_LOCK)) return fn();
  const holder = spawn('flock', ['-s', BUILD_LOCK, 'sh', '-c', 'echo locked; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', reject);
    void exited.then(() => reject(new Error('flock exited before taking the build lock')));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}

async function cliBackup(home: string, outDir: string): Promise<{ ms: number; path: string; bytes: number }> {
  return underSharedBuildLock(async () => {
    const r = await run(process.execPath, [BIN, '--home', home, 'backup', DB, '--format', 'custom', '--out', outDir, '--json']);
    const out = JSON.parse(r.stdout) as { ok: boolean; path: string; bytes: number };
    if (!out.ok) throw new Error(`ops-console backup failed: ${r.stdout}`);
    return { ms: r.ms, path: out.path, bytes: out.bytes };
  });
}

interface Costs {
  planMs: number;
  pgRestoreListMs: number;
  sha256Ms: number;
  /** count(*) of the tables the manifest counted exactly, in one REPEATABLE READ snapshot (what the wrapper does). */
  countExactMs: number;
  /** count(*) of every table: what exact counts would cost if the big table were counted too. */
  countAllMs: number;
}

/** The wrapper's extra steps, each timed alone on the file the wrapper just wrote. */
async function measureCosts(core: Core, profileId: string, outDir: string, entry: BackupEntry, pgRestore: ClientTool, port: number): Promise<Costs> {
  const p0 = performance.now();
  await call<BackupPlan>(core, 'planBackup', { profileId, outDir, format: 'custom' });
  const planMs = performance.now() - p0;
  const l0 = performance.now();
  await listArchive(pgRestore, entry.path);
  const pgRestoreListMs = performance.now() - l0;
  const h0 = performance.now();
  await hashBackup(entry.path);
  const sha256Ms = performance.now() - h0;
  const tables = entry.manifest?.tables ?? [];
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB });
  await client.connect();
  try {
    const countIn = async (list: typeof tables) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const c0 = performance.now();
      for (const t of list) await client.query(`SELECT count(*) FROM "${t.schema.replace(/"/g, '""')}"."${t.name.replace(/"/g, '""')}"`);
      const ms = performance.now() - c0;
      await client.query('COMMIT');
      return ms;
    };
    const countExactMs = await countIn(tables.filter((t) => t.exact));
    const countAllMs = await countIn(tables);
    return { planMs, pgRestoreListMs, sha256Ms, countExactMs, countAllMs };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const bench = await startBenchCluster('backup');
  const { binaries, port } = bench;
  const dirs = { core: 'home-core', cli: 'home-cli', bare: 'out-bare', coreOut: 'out-core', cliOut: 'out-cli' };
  const at = (d: string) => bench.dir(d);
  let core: Core | null = null;
  try {
    console.log(
      `load average before: ${loadBefore.join(' ')}; growing "${DB}" with pgbench -i -s ${SCALE}${GENERATED_ROWS ? ` and ${GENERATED_ROWS} generated rows` : ''}…`,
    );
    const grown = await growDatabase(binaries.binDir, port, { database: DB, scale: SCALE, generatedRows: GENERATED_ROWS });
    console.log(`grown in ${Math.round(grown.ms / 1000)} s: ${Math.round(grown.dbBytes / 1e6)} MB (${grown.tables})`);

    core = createCore({ home: at(dirs.core), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
    const profile = await call<Profile>(core, 'createProfile', {
      profile: { name: DB, host: '127.0.0.1', port, database: DB, user: 'postgres', sslmode: 'disable', env: 'development', readOnly: false },
    });
    const plan = await call<BackupPlan>(core, 'planBackup', { profileId: profile.id, outDir: at(dirs.coreOut), format: 'custom' });
    const pgDump = plan.tool.path;
    const pgRestore: ClientTool = { ...plan.tool, name: 'pg_restore', path: path.join(path.dirname(pgDump), 'pg_restore') };
    console.log(`wrapper command: ${plan.command}`);
    if (WITH_CLI) {
      const url = `postgres://postgres@127.0.0.1:${port}/${DB}?sslmode=disable`;
      await underSharedBuildLock(() =>
        run(process.execPath, [BIN, '--home', at(dirs.cli), 'profile', 'add', DB, '--url', url, '--env', 'development', '--read-write', '--json']),
      );
    }

    const bareFile = path.join(at(dirs.bare), 'bare.dump');
    const bare = () => run(pgDump, ['-Fc', '-f', bareFile, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', DB], { LC_MESSAGES: 'C' });
    // Warm-up (not counted): the first read of the tables fills the page cache.
    const warm = await bare();
    console.log(`warm-up pg_dump -Fc: ${Math.round(warm.ms)} ms`);
    fs.rmSync(bareFile, { force: true });

    const bareMs: number[] = [];
    const cliMs: number[] = [];
    const wrapperRuns: CoreBackupRun[] = [];
    const costs: Costs[] = [];
    let dumpBytes = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const b = await bare();
      dumpBytes = fs.statSync(bareFile).size;
      bareMs.push(b.ms);
      fs.rmSync(bareFile, { force: true });
      console.log(`round ${i} bare pg_dump -Fc: ${Math.round(b.ms)} ms, ${round1(dumpBytes / 1e6)} MB`);

      const w = await backupThroughCore(core, profile.id, at(dirs.coreOut));
      wrapperRuns.push(w);
      console.log(
        `round ${i} wrapper (dispatch → job.done): ${Math.round(w.ms)} ms (start ${Math.round(w.startMs)}, pg_dump ${Math.round(w.dumpMs)}, verify ${Math.round(w.verifyMs)}), ` +
          `${w.events} events (${round2(w.eventsPerSec)}/s, max gap ${Math.round(w.maxGapMs)} ms), ${round1((w.entry.bytes ?? 0) / 1e6)} MB`,
      );
      const c = await measureCosts(core, profile.id, at(dirs.coreOut), w.entry, pgRestore, port);
      costs.push(c);
      console.log(
        `round ${i} costs alone: plan ${Math.round(c.planMs)} ms, pg_restore --list ${Math.round(c.pgRestoreListMs)} ms, sha256 ${Math.round(c.sha256Ms)} ms, ` +
          `count(*) exact tables ${Math.round(c.countExactMs)} ms, all tables ${Math.round(c.countAllMs)} ms`,
      );
      removeBackup(w.entry.path);

      if (WITH_CLI) {
        const cli = await cliBackup(at(dirs.cli), at(dirs.cliOut));
        cliMs.push(cli.ms);
        removeBackup(cli.path);
        console.log(`round ${i} CLI ops-console backup --json: ${Math.round(cli.ms)} ms`);
      }
    }

    const bareMedian = median(bareMs);
    const wrapperMedian = median(wrapperRuns.map((w) => w.ms));
    const cliMedian = WITH_CLI ? median(cliMs) : null;
    const costMedian = (k: keyof Costs) => Math.round(median(costs.map((c) => c[k])));
    const exact = wrapperRuns[0]!.entry.manifest?.tables.filter((t) => t.exact).map((t) => t.name) ?? [];
    const result = {
      scale: SCALE,
      generatedRows: GENERATED_ROWS,
      dbMb: Math.round(grown.dbBytes / 1e6),
      dumpMb: round1(dumpBytes / 1e6),
      rounds: ROUNDS,
      pgDump: plan.tool.version,
      bareMs: Math.round(bareMedian),
      wrapperMs: Math.round(wrapperMedian),
      wrapperVsBareRatio: round2(wrapperMedian / bareMedian),
      // Each round's wrapper over the bare dump just before it: steadier when the neighbours' load drifts.
      pairedWrapperVsBareRatio: round2(median(wrapperRuns.map((w, i) => w.ms / bareMs[i]!))),
      cliMs: cliMedian === null ? null : Math.round(cliMedian),
      cliVsBareRatio: cliMedian === null ? null : round2(cliMedian / bareMedian),
      pairedCliVsBareRatio: WITH_CLI ? round2(median(cliMs.map((ms, i) => ms / bareMs[i]!))) : null,
      eventsPerSec: round2(median(wrapperRuns.map((w) => w.eventsPerSec))),
      minEventsPerSec: round2(Math.min(...wrapperRuns.map((w) => w.eventsPerSec))),
      maxEventGapMs: Math.round(Math.max(...wrapperRuns.map((w) => w.maxGapMs))),
      wrapperPhasesMs: {
        start: Math.round(median(wrapperRuns.map((w) => w.startMs))),
        pgDump: Math.round(median(wrapperRuns.map((w) => w.dumpMs))),
        verify: Math.round(median(wrapperRuns.map((w) => w.verifyMs))),
      },
      /** Time the wrapper spends outside pg_dump's phase (plan, catalog, audit, verification, manifest, rename). */
      wrapperFixedOverheadMs: Math.round(median(wrapperRuns.map((w) => w.startMs + w.verifyMs))),
      costsMs: {
        plan: costMedian('planMs'),
        pgRestoreList: costMedian('pgRestoreListMs'),
        sha256: costMedian('sha256Ms'),
        countExact: costMedian('countExactMs'),
        countAll: costMedian('countAllMs'),
      },
      exactCountTables: exact,
      perRoundMs: { bare: bareMs.map(Math.round), wrapper: wrapperRuns.map((w) => Math.round(w.ms)), cli: cliMs.map(Math.round) },
      loadAverage: { before: loadBefore, after: loadAverage() },
      targets: { wrapperVsBareRatio: '<= 1.05', eventsPerSec: '>= 1' },
    };
    console.log(JSON.stringify(result));
  } finally {
    await core?.close().catch(() => undefined);
    await bench.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
