// Shared by the benchmarks that need a throwaway PostgreSQL holding ~1 GB (backup.ts,
// restore.ts): argument parsing, medians, timed child processes, dispatch through a core,
// following a job's events until `job.done`, waiting for the machine to calm down, and
// growing the database with pgbench -i (plus optional generated rows that do not compress
// to nothing).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { BackupEntry, BackupProgressEvent } from '../src-main/contract/backup';
import type { Envelope } from '../src-main/contract/errors';
import type { AppEvent } from '../src-main/contract/operations';
import type { Core } from '../src-main/core/app';
import { LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries, type ServerBinaries } from '../src-main/core/platform/postgres/server-binaries';

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const round2 = (n: number): number => Math.round(n * 100) / 100;

export function loadAverage(): number[] {
  return os.loadavg().map(round2);
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      resolve({ ms: performance.now() - started, stdout });
    });
  });
}

export async function call<T>(core: Core, name: string, input: unknown): Promise<T> {
  const env = (await core.dispatch(name, input, { actor: 'bench', via: 'test' })) as Envelope<T>;
  if (!env.ok) throw new Error(`${name} failed: ${env.error.code} ${env.error.message}`);
  return env.value;
}

export interface JobTrace {
  /** performance.now() at dispatch and at `job.done`. */
  t0: number;
  end: number;
  ms: number;
  ok: boolean;
  message: string;
  /** Every event carrying the job's id except `job.done`, stamped as it arrived. */
  events: Array<{ at: number; event: AppEvent }>;
}

/** Starts a job through dispatch (a fresh jobId added to `input`) and waits for its `job.done`. */
export async function followJob<T>(core: Core, op: string, input: Record<string, unknown>): Promise<{ value: T; trace: JobTrace }> {
  const jobId = crypto.randomUUID();
  const events: JobTrace['events'] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<{ ok: boolean; message: string; at: number }>((resolve) => {
    unsubscribe = core.events.subscribe((e: AppEvent) => {
      if (!('jobId' in e) || e.jobId !== jobId) return;
      if (e.type === 'job.done') resolve({ ok: e.ok, message: e.message, at: performance.now() });
      else events.push({ at: performance.now(), event: e });
    });
  });
  const t0 = performance.now();
  try {
    const value = await call<T>(core, op, { ...input, jobId });
    const end = await done;
    return { value, trace: { t0, end: end.at, ms: end.at - t0, ok: end.ok, message: end.message, events } };
  } finally {
    unsubscribe();
  }
}

/** Events per second over the whole job and the longest silence from dispatch to the last event. */
export function eventStats(t0: number, ms: number, stamps: number[]): { events: number; eventsPerSec: number; maxGapMs: number } {
  const all = [t0, ...stamps];
  const gaps = all.slice(1).map((at, i) => at - all[i]!);
  return { events: stamps.length, eventsPerSec: stamps.length / (ms / 1000), maxGapMs: gaps.length > 0 ? Math.max(...gaps) : ms };
}

export interface CoreBackupRun {
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

/** startBackup (custom format) through dispatch, timed until job.done. */
export async function backupThroughCore(core: Core, profileId: string, outDir: string): Promise<CoreBackupRun> {
  const { value, trace } = await followJob<{ backupId: string }>(core, 'startBackup', { profileId, outDir, format: 'custom' });
  const entry = await call<BackupEntry>(core, 'getBackup', { id: value.backupId });
  if (!trace.ok) throw new Error(`backup failed: ${entry.error ?? trace.message}`);
  const progress = trace.events.flatMap(({ at, event }) => (event.type === 'backup.progress' ? [{ at, phase: event.phase }] : []));
  const at = (phase: BackupProgressEvent['phase']) => progress.find((e) => e.phase === phase)?.at ?? NaN;
  return {
    ms: trace.ms,
    entry,
    ...eventStats(
      trace.t0,
      trace.ms,
      progress.map((e) => e.at),
    ),
    startMs: at('preparing') - trace.t0,
    dumpMs: at('verifying') - at('preparing'),
    verifyMs: at('done') - at('verifying'),
  };
}

export function removeBackup(file: string): void {
  for (const f of [file, `${file}.manifest.json`]) fs.rmSync(f, { force: true, recursive: true });
}

export interface BenchCluster {
  root: string;
  /** A folder (0700) under the root, created on first use. */
  dir(name: string): string;
  binaries: ServerBinaries;
  cluster: LocalCluster;
  port: number;
  /** Stops the cluster and removes the root; never throws. */
  destroy(): Promise<void>;
}

/** A throwaway cluster (trust on loopback, fsync off) under a fresh temp root. */
export async function startBenchCluster(label: string): Promise<BenchCluster> {
  const binaries = await pickServerBinaries();
  const root = path.join(os.tmpdir(), `ops-console-bench-${label}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries, auth: { method: 'trust' }, durable: false });
  const destroy = async (): Promise<void> => {
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await cluster.init();
    const { port } = await cluster.start();
    const dir = (name: string): string => {
      const d = path.join(root, name);
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      return d;
    };
    return { root, dir, binaries, cluster, port, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

export interface GrowOptions {
  database: string;
  scale: number;
  /** Rows of md5 text that compress about 2:1 (pgbench's blank-padded rows shrink ~40×, so its dump is tiny). */
  generatedRows: number;
}

/** createdb, pgbench -i -s SCALE, optional generated table, ANALYZE; returns the size and a table summary. */
export async function growDatabase(binDir: string, port: number, o: GrowOptions): Promise<{ ms: number; dbBytes: number; tables: string }> {
  const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  await run(path.join(binDir, 'createdb'), [...conn, o.database]);
  const started = performance.now();
  await run(path.join(binDir, 'pgbench'), ['-i', '-q', '-s', String(o.scale), ...conn, o.database], { LC_MESSAGES: 'C' });
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: o.database });
  await client.connect();
  try {
    if (o.generatedRows > 0) {
      await client.query(
        `CREATE TABLE bench_events AS SELECT g::bigint AS id, now() - g * interval '1 second' AS at, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, ${Math.floor(o.generatedRows)}) g`,
      );
      await client.query('ALTER TABLE bench_events ADD PRIMARY KEY (id)');
    }
    await client.query('ANALYZE');
    const size = await client.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
    const rows = await client.query<{ name: string; mb: string; est: string }>(
      `SELECT relname AS name, round(pg_table_size(oid) / 1e6) AS mb, reltuples::bigint AS est FROM pg_class WHERE relname LIKE ANY (ARRAY['pgbench_%', 'bench_%']) AND relkind = 'r' ORDER BY 1`,
    );
    return {
      ms: performance.now() - started,
      dbBytes: Number(size.rows[0]!.b),
      tables: rows.rows.map((t) => `${t.name} ${t.mb} MB ~${t.est} rows`).join(', '),
    };
  } finally {
    await client.end();
  }
}

/**
 * Polls the 1-minute load average until it drops below `threshold` or `maxMs` passes (a
 * shared 2-core machine: other sessions' builds and tests skew every wall time).
 */
export async function waitForQuietLoad(threshold: number, maxMs: number, pollMs: number): Promise<{ waitedMs: number; load: number[]; quiet: boolean }> {
  const started = performance.now();
  for (;;) {
    const load = loadAverage();
    const waitedMs = performance.now() - started;
    if (load[0]! < threshold) return { waitedMs, load, quiet: true };
    if (waitedMs + pollMs > maxMs) return { waitedMs, load, quiet: false };
    console.log(`load average ${load.join(' ')} ≥ ${threshold}; waiting (${Math.round(waitedMs / 1000)} s so far)…`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
