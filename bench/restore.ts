// Restores (issue #7): the app's restore of a ~1 GB database's custom dump with
// `pg_restore --jobs 2` against bare pg_restore on the same file in the same run (target
// ≤ 1.05), and against a plain-SQL restore through psql. One throwaway cluster grown with
// pgbench -i; one custom dump made by the app's startBackup (so it has a manifest, which
// the validation compares with) and a plain script converted from it (`pg_restore -f`,
// same snapshot). Rounds alternate (a) bare pg_restore, (b) startRestore through
// core.dispatch into a new database until job.done, (c) bare psql, each into a fresh
// database (CREATE before and DROP after are not timed for the bare runs; the app creates
// its own). The app's time is split into prepare (dispatch → first event: inspect, tool and
// target checks), the pg_restore phase (CREATE DATABASE + pg_restore) and validation; the
// validation is also timed alone on the restored copy. Before the timed rounds it waits
// (up to --wait-max s) for the 1-minute load to drop below --quiet-load. JSON last.
// Run: npx tsx bench/restore.ts [--scale 65] [--rounds 3] [--jobs 2] [--quiet-load 1.5] [--wait-max 600]
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Profile } from '../src-main/contract/models';
import type { BackupContents, RestorePlan, RestoreProgressEvent, RestoreRecord } from '../src-main/contract/restore';
import { createCore, type Core } from '../src-main/core/app';
import { validateRestore } from '../src-main/core/restore/validate';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import {
  arg,
  backupThroughCore,
  call,
  eventStats,
  followJob,
  growDatabase,
  loadAverage,
  median,
  round1,
  round2,
  run,
  startBenchCluster,
  waitForQuietLoad,
} from './bench-cluster';

const DB = 'bench';
const SCALE = arg('scale', 65);
const ROUNDS = arg('rounds', 3);
const JOBS = arg('jobs', 2);
const QUIET_LOAD = arg('quiet-load', 1.5);
const WAIT_MAX_MS = arg('wait-max', 600) * 1000;
const C_MESSAGES = { LC_MESSAGES: 'C' };

interface AppRun {
  ms: number;
  record: RestoreRecord;
  events: number;
  eventsPerSec: number;
  maxGapMs: number;
  /** dispatch → 'preparing' (prepareRestore: inspect, tools, target facts; audit; restores row). */
  prepareMs: number;
  /** 'preparing' → 'validating': CREATE DATABASE and pg_restore. */
  restorePhaseMs: number;
  /** dispatch → 'validating': everything but the validation. */
  throughRestoreMs: number;
  /** 'validating' → 'done': validation, the record, the audit completion. */
  validatePhaseMs: number;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function appRestore(core: Core, profileId: string, source: string, database: string): Promise<AppRun> {
  const { value, trace } = await followJob<{ restoreId: string }>(core, 'startRestore', {
    source,
    target: { kind: 'new-database', profileId, database },
    jobs: JOBS,
  });
  const record = await call<RestoreRecord>(core, 'getRestore', { id: value.restoreId });
  if (!trace.ok) throw new Error(`restore failed: ${record.error ?? trace.message}`);
  const progress = trace.events.flatMap(({ at, event }) => (event.type === 'restore.progress' ? [{ at, phase: event.phase }] : []));
  const at = (phase: RestoreProgressEvent['phase']) => progress.find((e) => e.phase === phase)?.at ?? NaN;
  return {
    ms: trace.ms,
    record,
    ...eventStats(
      trace.t0,
      trace.ms,
      progress.map((e) => e.at),
    ),
    prepareMs: at('preparing') - trace.t0,
    restorePhaseMs: at('validating') - at('preparing'),
    throughRestoreMs: at('validating') - trace.t0,
    validatePhaseMs: at('done') - at('validating'),
  };
}

/** validateRestore alone on the restored copy (the same checks the job ran). */
async function validationAlone(port: number, database: string, contents: BackupContents): Promise<{ ms: number; checks: number; ok: boolean }> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
  await client.connect();
  try {
    const t0 = performance.now();
    const report = await validateRestore(client, contents);
    return { ms: performance.now() - t0, checks: report.checks.length, ok: report.ok };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const loadStart = loadAverage();
  const bench = await startBenchCluster('restore');
  const { binaries, port } = bench;
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  let core: Core | null = null;
  try {
    await admin.connect();
    const createDb = async (name: string) => {
      const t0 = performance.now();
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
      return performance.now() - t0;
    };
    const dropDb = (name: string) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);

    console.log(`load average at start: ${loadStart.join(' ')}; growing "${DB}" with pgbench -i -s ${SCALE}…`);
    const grown = await growDatabase(binaries.binDir, port, { database: DB, scale: SCALE, generatedRows: 0 });
    console.log(`grown in ${Math.round(grown.ms / 1000)} s: ${Math.round(grown.dbBytes / 1e6)} MB (${grown.tables})`);

    core = createCore({ home: bench.dir('home'), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
    const profile = await call<Profile>(core, 'createProfile', {
      profile: { name: DB, host: '127.0.0.1', port, database: DB, user: 'postgres', sslmode: 'disable', env: 'development', readOnly: false },
    });
    const backup = await backupThroughCore(core, profile.id, bench.dir('backups'));
    const dumpFile = backup.entry.path;
    console.log(`custom dump by startBackup: ${round1((backup.entry.bytes ?? 0) / 1e6)} MB in ${Math.round(backup.ms)} ms (${dumpFile})`);

    const plan = await call<RestorePlan>(core, 'planRestore', {
      source: backup.entry.id,
      target: { kind: 'new-database', profileId: profile.id, database: 'plan_probe' },
      jobs: JOBS,
    });
    const pgRestore = plan.tool.path;
    const psql = path.join(path.dirname(pgRestore), 'psql');
    console.log(`app command: ${plan.command}`);
    const contents = await call<BackupContents>(core, 'inspectBackup', { source: backup.entry.id });

    const plainFile = path.join(bench.dir('plain'), 'plain.sql');
    const converted = await run(pgRestore, ['--no-owner', '--no-privileges', '-f', plainFile, dumpFile], C_MESSAGES);
    const plainBytes = fs.statSync(plainFile).size;
    console.log(`plain script (pg_restore -f from the custom dump): ${round1(plainBytes / 1e6)} MB in ${Math.round(converted.ms)} ms`);

    const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
    const bareRestore = (db: string) =>
      run(pgRestore, ['--jobs', String(JOBS), '--no-owner', '--no-privileges', '--exit-on-error', ...conn, '-d', db, dumpFile], C_MESSAGES);
    const bareScript = (db: string) => run(psql, ['-X', '-v', 'ON_ERROR_STOP=1', '--single-transaction', ...conn, '-d', db, '-f', plainFile], C_MESSAGES);

    const wait = await waitForQuietLoad(QUIET_LOAD, WAIT_MAX_MS, 30_000);
    console.log(
      `load average before the timed rounds: ${wait.load.join(' ')} (${wait.quiet ? 'below' : 'still not below'} ${QUIET_LOAD} after ${Math.round(wait.waitedMs / 1000)} s)`,
    );

    const bareMs: number[] = [];
    const createMs: number[] = [];
    const plainMs: number[] = [];
    const appRuns: AppRun[] = [];
    const aloneMs: number[] = [];
    let validation = { checks: 0, ok: false };
    for (let i = 1; i <= ROUNDS; i++) {
      const bareDb = `bare_r${i}`;
      createMs.push(await createDb(bareDb));
      const b = await bareRestore(bareDb);
      bareMs.push(b.ms);
      await dropDb(bareDb);
      console.log(`round ${i} bare pg_restore --jobs ${JOBS}: ${Math.round(b.ms)} ms`);

      const appDb = `app_r${i}`;
      const a = await appRestore(core, profile.id, backup.entry.id, appDb);
      appRuns.push(a);
      const alone = await validationAlone(port, appDb, contents);
      aloneMs.push(alone.ms);
      validation = { checks: alone.checks, ok: alone.ok && a.record.validation?.ok === true };
      await dropDb(appDb);
      console.log(
        `round ${i} app (dispatch → job.done): ${Math.round(a.ms)} ms (prepare ${Math.round(a.prepareMs)}, create + pg_restore ${Math.round(a.restorePhaseMs)}, ` +
          `validate ${Math.round(a.validatePhaseMs)}; validation alone ${Math.round(alone.ms)} ms, ${alone.checks} checks, ok ${alone.ok}), ` +
          `${a.events} events (${round2(a.eventsPerSec)}/s, max gap ${Math.round(a.maxGapMs)} ms)`,
      );

      const plainDb = `plain_r${i}`;
      await createDb(plainDb);
      const p = await bareScript(plainDb);
      plainMs.push(p.ms);
      await dropDb(plainDb);
      console.log(`round ${i} bare psql --single-transaction -f plain.sql: ${Math.round(p.ms)} ms`);
    }

    const bare = median(bareMs);
    const app = (k: keyof Omit<AppRun, 'record'>) => median(appRuns.map((r) => r[k]));
    const paired = (k: 'ms' | 'throughRestoreMs' | 'restorePhaseMs') => round2(median(appRuns.map((r, i) => r[k] / bareMs[i]!)));
    const result = {
      scale: SCALE,
      dbMb: Math.round(grown.dbBytes / 1e6),
      dumpMb: round1((backup.entry.bytes ?? 0) / 1e6),
      plainMb: round1(plainBytes / 1e6),
      rounds: ROUNDS,
      jobs: JOBS,
      pgRestore: plan.tool.version,
      bareMs: Math.round(bare),
      appThroughRestoreMs: Math.round(app('throughRestoreMs')),
      appRestorePhaseMs: Math.round(app('restorePhaseMs')),
      appWholeJobMs: Math.round(app('ms')),
      restoreVsBareRatio: round2(app('throughRestoreMs') / bare),
      restorePhaseVsBareRatio: round2(app('restorePhaseMs') / bare),
      wholeJobVsBareRatio: round2(app('ms') / bare),
      // Each round's app run over the bare pg_restore just before it: steadier when the load drifts.
      pairedRatios: { restore: paired('throughRestoreMs'), restorePhase: paired('restorePhaseMs'), wholeJob: paired('ms') },
      appPhasesMs: { prepare: Math.round(app('prepareMs')), createAndRestore: Math.round(app('restorePhaseMs')), validate: Math.round(app('validatePhaseMs')) },
      validationAloneMs: Math.round(median(aloneMs)),
      validation,
      createDatabaseMs: Math.round(median(createMs)),
      plainPsqlMs: Math.round(median(plainMs)),
      plainVsPgRestoreRatio: round2(median(plainMs) / bare),
      eventsPerSec: round2(app('eventsPerSec')),
      minEventsPerSec: round2(Math.min(...appRuns.map((r) => r.eventsPerSec))),
      maxEventGapMs: Math.round(Math.max(...appRuns.map((r) => r.maxGapMs))),
      perRoundMs: { bare: bareMs.map(Math.round), app: appRuns.map((r) => Math.round(r.ms)), plain: plainMs.map(Math.round) },
      loadAverage: { start: loadStart, beforeRounds: wait.load, waitedS: Math.round(wait.waitedMs / 1000), quiet: wait.quiet, end: loadAverage() },
      targets: { restoreVsBareRatio: '<= 1.05' },
    };
    console.log(JSON.stringify(result));
  } finally {
    await core?.close().catch(() => undefined);
    await admin.end().catch(() => undefined);
    await bench.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
