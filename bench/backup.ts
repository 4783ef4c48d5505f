// Backups (issue #6, #21): the CLI `ops-console backup … --format custom --json` (the whole
// process: Node start-up, plan, dump, verification, manifest, exit) against bare
// `pg_dump -Fc -f FILE` on the same ~1.1 GB database in the same run — the headline, target
// ≤ 1.05 — plus startBackup through core.dispatch (until job.done) and progress events per
// second during it (≥ 1). Rounds alternate bare / core / CLI so neighbours' load falls on all
// three; medians and per-round (paired) ratios. After each core round the verification steps
// the wrapper adds are timed on their own (plan, pg_restore --list, sha256, count(*) in one
// snapshot), and each round times the CLI's start-up (`--help` vs `node -e 0`) and the CLI's
// time outside the job (start-up, plan, exit) so a miss can be traced. The CLI runs from a
// copy of the build taken at start, so another build of out/ cannot change it mid-run. Its
// own throwaway cluster grown with pgbench -i and generated md5 rows (the issue's database:
// -s 43 plus 3M rows ≈ 1.1 GB by pg_database_size); prints one JSON line last.
// Run: npx tsx bench/backup.ts [--scale 43] [--generated-rows 3000000] [--rounds 5] [--no-cli] [--no-core]
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
const DB = 'bench';

const SCALE = arg('scale', 43);
/** Rows of md5 text that compress about 2:1 (pgbench's blank-padded rows shrink ~40×, so its dump is small). */
const GENERATED_ROWS = arg('generated-rows', 3_000_000);
const ROUNDS = arg('rounds', 5);
const WITH_CLI = !process.argv.includes('--no-cli');
/** The core wrapper pass (startBackup → job.done, its events and the costs of its steps alone); --no-core leaves more rounds for the headline. */
const WITH_CORE = !process.argv.includes('--no-core');
const GNU_TIME = '/usr/bin/time';
/** --cli-build DIR: a folder holding bin/ops-console.cjs and out/main/ copied earlier (say, right after a build under the build lock). */
const CLI_BUILD = ((i) => (i >= 0 ? path.resolve(process.argv[i + 1]!) : null))(process.argv.indexOf('--cli-build'));
/** --cli-compare DIR: another build (say, the one before a change) run in every round too, so a change is judged against it in the same run. */
const CLI_COMPARE = ((i) => (i >= 0 ? path.resolve(process.argv[i + 1]!) : null))(process.argv.indexOf('--cli-compare'));

interface Timed {
  ms: number;
  stdout: string;
  /** user + system CPU of the process and the children it waited for (pg_dump, pg_restore); null without GNU time. */
  cpuMs: number | null;
}

/**
 * Wall time plus the CPU the process tree used: a figure the neighbours' load barely moves,
 * so the wrapper's own extra work shows even when wall times swing by a third.
 */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, scratch: string): Promise<Timed> {
  if (!fs.existsSync(GNU_TIME)) return { ...(await run(cmd, args, env)), cpuMs: null };
  const out = path.join(scratch, `time-${process.pid}.txt`);
  const r = await run(GNU_TIME, ['-f', '%U %S', '-o', out, cmd, ...args], env);
  const [user, sys] = fs.readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { ...r, cpuMs: Math.round(((user ?? NaN) + (sys ?? NaN)) * 1000) };
}

/**
 * A private copy of the built CLI (bin/ + out/main/) under the bench's root: other sessions
 * rebuild out/ while this runs, and a CLI swapped mid-run would measure someone else's code
 * (or fail while out/ is half written). Dependencies still resolve from ROOT/node_modules.
 */
function snapshotCli(into: string, from: string = CLI_BUILD ?? ROOT): { bin: string; env: NodeJS.ProcessEnv } {
  const built = path.join(from, 'out', 'main', 'cli.js');
  if (!fs.existsSync(built)) throw new Error('out/main/cli.js is missing: build first (npm run bench -- backup builds)');
  fs.cpSync(path.join(from, 'out', 'main'), path.join(into, 'out', 'main'), { recursive: true });
  fs.mkdirSync(path.join(into, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(from, 'bin', 'ops-console.cjs'), path.join(into, 'bin', 'ops-console.cjs'));
  return { bin: path.join(into, 'bin', 'ops-console.cjs'), env: { NODE_PATH: path.join(ROOT, 'node_modules') } };
}

interface CliRun {
  ms: number;
  cpuMs: number | null;
  path: string;
  bytes: number;
  /** The job's own duration (catalog durationMs): the rest of `ms` is start-up, plan and exit. */
  jobMs: number;
}

async function cliBackup(cli: { bin: string; env: NodeJS.ProcessEnv }, home: string, outDir: string): Promise<CliRun> {
  const r = await timed(process.execPath, [cli.bin, '--home', home, 'backup', DB, '--format', 'custom', '--out', outDir, '--json'], cli.env, home);
  const out = JSON.parse(r.stdout) as { ok: boolean; path: string; bytes: number; durationMs: number };
  if (!out.ok) throw new Error(`ops-console backup failed: ${r.stdout}`);
  return { ms: r.ms, cpuMs: r.cpuMs, path: out.path, bytes: out.bytes, jobMs: out.durationMs };
}

/** The CLI's own start-up: `ops-console --help` (loads the bundle, opens nothing) against `node -e 0`. */
async function startupCost(cli: { bin: string; env: NodeJS.ProcessEnv }): Promise<{ helpMs: number; nodeMs: number }> {
  const node = await run(process.execPath, ['-e', '0']);
  const help = await run(process.execPath, [cli.bin, '--help'], cli.env);
  return { helpMs: help.ms, nodeMs: node.ms };
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
    // Taken first: the build this run measures is the one present when it started.
    const cli = WITH_CLI ? snapshotCli(at('cli-build')) : null;
    const other = WITH_CLI && CLI_COMPARE ? snapshotCli(at('cli-compare'), CLI_COMPARE) : null;
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
    const url = `postgres://postgres@127.0.0.1:${port}/${DB}?sslmode=disable`;
    for (const [c, home] of [
      [cli, at(dirs.cli)],
      [other, at('home-compare')],
    ] as const) {
      if (c) await run(process.execPath, [c.bin, '--home', home, 'profile', 'add', DB, '--url', url, '--env', 'development', '--read-write', '--json'], c.env);
    }

    const bareFile = path.join(at(dirs.bare), 'bare.dump');
    const bareArgs = ['-Fc', '-f', bareFile, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', DB];
    const bare = () => timed(pgDump, bareArgs, { LC_MESSAGES: 'C' }, at(dirs.bare));
    // Warm-up (not counted): the first read of the tables fills the page cache.
    const warm = await bare();
    console.log(`warm-up pg_dump -Fc: ${Math.round(warm.ms)} ms`);
    fs.rmSync(bareFile, { force: true });

    const bareRuns: Timed[] = [];
    const cliRuns: CliRun[] = [];
    const startups: Array<{ helpMs: number; nodeMs: number }> = [];
    const roundLoad: number[] = [];
    const wrapperRuns: CoreBackupRun[] = [];
    const costs: Costs[] = [];
    let dumpBytes = 0;
    const bareRound = async (i: number): Promise<Timed> => {
      const b = await bare();
      dumpBytes = fs.statSync(bareFile).size;
      fs.rmSync(bareFile, { force: true });
      console.log(`round ${i} bare pg_dump -Fc: ${Math.round(b.ms)} ms (CPU ${b.cpuMs} ms), ${round1(dumpBytes / 1e6)} MB`);
      return b;
    };
    const otherRuns: CliRun[] = [];
    const cliRound = async (i: number, which: 'this' | 'compare' = 'this'): Promise<CliRun> => {
      const r = which === 'this' ? await cliBackup(cli!, at(dirs.cli), at(dirs.cliOut)) : await cliBackup(other!, at('home-compare'), at('out-compare'));
      removeBackup(r.path);
      console.log(
        `round ${i} CLI${which === 'compare' ? ' (compared build)' : ''} ops-console backup --json: ${Math.round(r.ms)} ms (CPU ${r.cpuMs} ms; job ${Math.round(r.jobMs)} ms, outside the job ${Math.round(r.ms - r.jobMs)} ms)`,
      );
      return r;
    };
    for (let i = 1; i <= ROUNDS; i++) {
      roundLoad.push(loadAverage()[0]!);
      // Odd rounds dump bare first, even rounds the CLI first: a drift in the neighbours' load
      // does not always fall on the same side of the pair.
      if (cli && i % 2 === 0) {
        if (other) otherRuns.push(await cliRound(i, 'compare'));
        cliRuns.push(await cliRound(i));
        bareRuns.push(await bareRound(i));
      } else {
        bareRuns.push(await bareRound(i));
        if (cli) cliRuns.push(await cliRound(i));
        if (other) otherRuns.push(await cliRound(i, 'compare'));
      }
      if (cli) {
        const st = await startupCost(cli);
        startups.push(st);
        const r = cliRuns[i - 1]!;
        const b = bareRuns[i - 1]!;
        console.log(
          `round ${i}: CLI/bare ${round2(r.ms / b.ms)} (CPU ${r.cpuMs !== null && b.cpuMs !== null ? `+${r.cpuMs - b.cpuMs} ms` : 'n/a'}); ` +
            `--help ${Math.round(st.helpMs)} ms vs node -e 0 ${Math.round(st.nodeMs)} ms; load ${roundLoad[i - 1]}`,
        );
      }

      if (!WITH_CORE) continue;
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
    }
    const bareMs = bareRuns.map((b) => b.ms);

    const bareMedian = median(bareMs);
    const cliMs = cliRuns.map((r) => r.ms);
    const cliMedian = cli ? median(cliMs) : null;
    const cpu = (runs: Array<{ cpuMs: number | null }>) => (runs.every((r) => r.cpuMs !== null) && runs.length > 0 ? median(runs.map((r) => r.cpuMs!)) : null);
    const wrapperMedian = WITH_CORE ? median(wrapperRuns.map((w) => w.ms)) : null;
    const costMedian = (k: keyof Costs) => Math.round(median(costs.map((c) => c[k])));
    const result = {
      scale: SCALE,
      generatedRows: GENERATED_ROWS,
      dbMb: Math.round(grown.dbBytes / 1e6),
      dumpMb: round1(dumpBytes / 1e6),
      rounds: ROUNDS,
      pgDump: plan.tool.version,
      // The headline (issue #21): the whole CLI process against bare pg_dump -Fc -f FILE.
      cliMs: cliMedian === null ? null : Math.round(cliMedian),
      bareMs: Math.round(bareMedian),
      cliVsBareRatio: cliMedian === null ? null : round2(cliMedian / bareMedian),
      // Each round's CLI over the bare dump of the same round: steadier when the neighbours' load drifts.
      pairedCliVsBareRatio: cli ? round2(median(cliMs.map((ms, i) => ms / bareMs[i]!))) : null,
      pairedCliVsBareRatios: cliMs.map((ms, i) => round2(ms / bareMs[i]!)),
      /** CPU (user + system) of the CLI's process tree — pg_dump and pg_restore included — and of bare pg_dump; the server's side is not in either. */
      cliCpuMs: cpu(cliRuns),
      bareCpuMs: cpu(bareRuns),
      /** Per round, the CLI tree's CPU minus bare pg_dump's: the wrapper's own work, load or not. */
      cliExtraCpuMs: cpu(cliRuns.map((r, i) => ({ cpuMs: r.cpuMs === null || bareRuns[i]!.cpuMs === null ? null : r.cpuMs - bareRuns[i]!.cpuMs }))),
      /** CLI wall time minus the job's own duration: Node start-up, bundle load, store open, plan, exit. */
      cliOutsideJobMs: cli ? Math.round(median(cliRuns.map((r) => r.ms - r.jobMs))) : null,
      compared: other
        ? {
            build: CLI_COMPARE,
            ms: Math.round(median(otherRuns.map((r) => r.ms))),
            vsBareRatio: round2(median(otherRuns.map((r) => r.ms)) / bareMedian),
            pairedVsBareRatio: round2(median(otherRuns.map((r, i) => r.ms / bareMs[i]!))),
            /** This build over the compared one, round by round (below 1: this build is faster). */
            pairedThisVsCompared: round2(median(cliRuns.map((r, i) => r.ms / otherRuns[i]!.ms))),
            cpuMs: cpu(otherRuns),
            extraCpuVsBareMs: cpu(otherRuns.map((r, i) => ({ cpuMs: r.cpuMs === null || bareRuns[i]!.cpuMs === null ? null : r.cpuMs - bareRuns[i]!.cpuMs }))),
            outsideJobMs: Math.round(median(otherRuns.map((r) => r.ms - r.jobMs))),
          }
        : null,
      cliStartupMs: cli ? { help: Math.round(median(startups.map((st) => st.helpMs))), nodeE0: Math.round(median(startups.map((st) => st.nodeMs))) } : null,
      core: WITH_CORE
        ? {
            wrapperMs: Math.round(wrapperMedian!),
            wrapperVsBareRatio: round2(wrapperMedian! / bareMedian),
            pairedWrapperVsBareRatio: round2(median(wrapperRuns.map((w, i) => w.ms / bareMs[i]!))),
            eventsPerSec: round2(median(wrapperRuns.map((w) => w.eventsPerSec))),
            minEventsPerSec: round2(Math.min(...wrapperRuns.map((w) => w.eventsPerSec))),
            maxEventGapMs: Math.round(Math.max(...wrapperRuns.map((w) => w.maxGapMs))),
            phasesMs: {
              start: Math.round(median(wrapperRuns.map((w) => w.startMs))),
              pgDump: Math.round(median(wrapperRuns.map((w) => w.dumpMs))),
              verify: Math.round(median(wrapperRuns.map((w) => w.verifyMs))),
            },
            /** Time the wrapper spends outside pg_dump's phase (plan, catalog, audit, verification, manifest, rename). */
            fixedOverheadMs: Math.round(median(wrapperRuns.map((w) => w.startMs + w.verifyMs))),
            costsAloneMs: {
              plan: costMedian('planMs'),
              pgRestoreList: costMedian('pgRestoreListMs'),
              sha256: costMedian('sha256Ms'),
              countExact: costMedian('countExactMs'),
              countAll: costMedian('countAllMs'),
            },
            exactCountTables: wrapperRuns[0]!.entry.manifest?.tables.filter((t) => t.exact).map((t) => t.name) ?? [],
          }
        : null,
      perRoundMs: {
        bare: bareMs.map(Math.round),
        cli: cliMs.map(Math.round),
        compared: otherRuns.map((r) => Math.round(r.ms)),
        wrapper: wrapperRuns.map((w) => Math.round(w.ms)),
      },
      loadAverage: { before: loadBefore, perRound: roundLoad, after: loadAverage() },
      targets: { cliVsBareRatio: '<= 1.05', wrapperVsBareRatio: '<= 1.05', eventsPerSec: '>= 1' },
    };
    if (cliMedian !== null)
      console.log(
        `headline: CLI backup ${Math.round(cliMedian)} ms vs bare pg_dump -Fc ${Math.round(bareMedian)} ms = ${result.cliVsBareRatio} (paired ${result.pairedCliVsBareRatio}; target ≤ 1.05)`,
      );
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
