// Backups (issue #6): the wrapper's wall time against bare `pg_dump -Fc -f FILE` on the same
// ~1 GB database in the same run (target ≤ 1.05), and progress events per second during
// the wrapper's run (≥ 1). The wrapper is measured twice: startBackup through
// core.dispatch (until job.done) and the CLI `ops-console backup … --format custom --json`
// (Node start-up included). Rounds alternate bare / core / CLI so neighbours' load falls
// on all three. After each core round the verification steps the wrapper adds are timed
// on their own (plan, pg_restore --list, sha256, count(*) in one snapshot) so a miss can
// be traced. Its own throwaway cluster grown with pgbench -i; prints one JSON line last.
// Run: npx tsx bench/backup.ts [--scale 65] [--generated-rows 0] [--rounds 3] [--no-cli]
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { BackupEntry, BackupPlan, BackupProgressEvent, ClientTool } from '../src-main/contract/backup';
import type { Envelope } from '../src-main/contract/errors';
import type { Profile } from '../src-main/contract/models';
import type { AppEvent } from '../src-main/contract/operations';
import { createCore, type Core } from '../src-main/core/app';
import { hashBackup, listArchive } from '../src-main/core/backup/verify';
import { LocalCluster } from '../src-main/core/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/postgres/server-binaries';
import { MemorySecretStore } from '../src-main/core/secrets/memory-secret-store';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'ops-console.cjs');
/** The lock builds take (exclusively); held shared around each CLI run so out/ is not rebuilt under it. */
const BUILD_LOCK = '/tmp/ops-build.lock';
const DB = 'bench';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SCALE = arg('scale', 65);
/** Rows of md5 text that compress about 2:1 (pgbench's blank-padded rows shrink ~40×, so its dump is tiny). */
const GENERATED_ROWS = arg('generated-rows', 0);
const ROUNDS = arg('rounds', 3);
const WITH_CLI = !process.argv.includes('--no-cli');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      resolve({ ms: performance.now() - started, stdout });
    });
  });
}

async function call<T>(core: Core, name: string, input: unknown): Promise<T> {
  const env = (await core.dispatch(name, input, { actor: 'bench', via: 'test' })) as Envelope<T>;
  if (!env.ok) throw new Error(`${name} failed: ${env.error.code} ${env.error.message}`);
  return env.value;
}

function loadAverage(): number[] {
  return os.loadavg().map(round2);
}

interface WrapperRun {
  ms: number;
  entry: BackupEntry;
  events: number;
  eventsPerSec: number;
  maxGapMs: number;
  /** dispatch → first event (plan, catalog, audit), pg_dump phase, verification phase. */
  startMs: number;
  dumpMs: number;
  verifyMs: number;
}

/** startBackup through dispatch, timed until job.done; events stamped as they arrive. */
async function wrapperBackup(core: Core, profileId: string, outDir: string): Promise<WrapperRun> {
  const jobId = crypto.randomUUID();
  const events: Array<{ at: number; phase: BackupProgressEvent['phase'] }> = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
    unsubscribe = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'backup.progress' && e.jobId === jobId) events.push({ at: performance.now(), phase: e.phase });
      if (e.type === 'job.done' && e.jobId === jobId) resolve({ ok: e.ok, message: e.message });
    });
  });
  const t0 = performance.now();
  const started = await call<{ backupId: string }>(core, 'startBackup', { profileId, outDir, jobId, format: 'custom' });
  const end = await done.finally(() => unsubscribe());
  const ms = performance.now() - t0;
  const entry = await call<BackupEntry>(core, 'getBackup', { id: started.backupId });
  if (!end.ok) throw new Error(`backup failed: ${entry.error ?? end.message}`);
  const stamps = [t0, ...events.map((e) => e.at)];
  const gaps = stamps.slice(1).map((at, i) => at - stamps[i]!);
  const at = (phase: BackupProgressEvent['phase']) => events.find((e) => e.phase === phase)?.at ?? NaN;
  return {
    ms,
    entry,
    events: events.length,
    eventsPerSec: events.length / (ms / 1000),
    maxGapMs: Math.max(...gaps),
    startMs: at('preparing') - t0,
    dumpMs: at('verifying') - at('preparing'),
    verifyMs: at('done') - at('verifying'),
  };
}

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

function removeBackup(file: string): void {
  for (const f of [file, `${file}.manifest.json`]) fs.rmSync(f, { force: true, recursive: true });
}

async function growDatabase(binDir: string, port: number): Promise<{ ms: number; dbBytes: number; tables: string }> {
  const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  await run(path.join(binDir, 'createdb'), [...conn, DB]);
  const started = performance.now();
  await run(path.join(binDir, 'pgbench'), ['-i', '-q', '-s', String(SCALE), ...conn, DB], { LC_MESSAGES: 'C' });
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB });
  await client.connect();
  try {
    if (GENERATED_ROWS > 0) {
      await client.query(
        `CREATE TABLE bench_events AS SELECT g::bigint AS id, now() - g * interval '1 second' AS at, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, ${GENERATED_ROWS}) g`,
      );
      await client.query('ALTER TABLE bench_events ADD PRIMARY KEY (id)');
    }
    await client.query('ANALYZE');
    const size = await client.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
    const rows = await client.query<{ name: string; mb: string; est: string }>(
      `SELECT relname AS name, round(pg_table_size(oid) / 1e6) AS mb, reltuples::bigint AS est FROM pg_class WHERE relname LIKE ANY (ARRAY['pgbench_%', 'bench_%']) AND relkind = 'r' ORDER BY 1`,
    );
    return { ms: performance.now() - started, dbBytes: Number(size.rows[0]!.b), tables: rows.rows.map((t) => `${t.name} ${t.mb} MB ~${t.est} rows`).join(', ') };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const binaries = await pickServerBinaries();
  const tag = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const root = path.join(os.tmpdir(), `ops-console-bench-backup-${tag}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const dirs = { core: 'home-core', cli: 'home-cli', bare: 'out-bare', coreOut: 'out-core', cliOut: 'out-cli' };
  const at = (d: string) => path.join(root, d);
  for (const d of Object.values(dirs)) fs.mkdirSync(at(d), { mode: 0o700 });
  const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries, auth: { method: 'trust' }, durable: false });
  let core: Core | null = null;
  const loadBefore = loadAverage();
  try {
    await cluster.init();
    const { port } = await cluster.start();
    console.log(`load average before: ${loadBefore.join(' ')}; growing "${DB}" with pgbench -i -s ${SCALE}${GENERATED_ROWS ? ` and ${GENERATED_ROWS} generated rows` : ''}…`);
    const grown = await growDatabase(binaries.binDir, port);
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
      await underSharedBuildLock(() => run(process.execPath, [BIN, '--home', at(dirs.cli), 'profile', 'add', DB, '--url', url, '--env', 'development', '--read-write', '--json']));
    }

    const bareFile = path.join(at(dirs.bare), 'bare.dump');
    const bare = () => run(pgDump, ['-Fc', '-f', bareFile, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', DB], { LC_MESSAGES: 'C' });
    // Warm-up (not counted): the first read of the tables fills the page cache.
    const warm = await bare();
    console.log(`warm-up pg_dump -Fc: ${Math.round(warm.ms)} ms`);
    fs.rmSync(bareFile, { force: true });

    const bareMs: number[] = [];
    const cliMs: number[] = [];
    const wrapperRuns: WrapperRun[] = [];
    const costs: Costs[] = [];
    let dumpBytes = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const b = await bare();
      dumpBytes = fs.statSync(bareFile).size;
      bareMs.push(b.ms);
      fs.rmSync(bareFile, { force: true });
      console.log(`round ${i} bare pg_dump -Fc: ${Math.round(b.ms)} ms, ${round1(dumpBytes / 1e6)} MB`);

      const w = await wrapperBackup(core, profile.id, at(dirs.coreOut));
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
      costsMs: { plan: costMedian('planMs'), pgRestoreList: costMedian('pgRestoreListMs'), sha256: costMedian('sha256Ms'), countExact: costMedian('countExactMs'), countAll: costMedian('countAllMs') },
      exactCountTables: exact,
      perRoundMs: { bare: bareMs.map(Math.round), wrapper: wrapperRuns.map((w) => Math.round(w.ms)), cli: cliMs.map(Math.round) },
      loadAverage: { before: loadBefore, after: loadAverage() },
      targets: { wrapperVsBareRatio: '<= 1.05', eventsPerSec: '>= 1' },
    };
    console.log(JSON.stringify(result));
  } finally {
    await core?.close().catch(() => undefined);
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
