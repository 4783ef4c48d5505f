// Monitoring (issue #9, issue #21): the cost of a full dashboard refresh on a database with
// 2,000 generated tables and 5,000 indexes (target < 500 ms wall) and on one ten times as
// large — 20,000 tables, 50,000 indexes — where the cost must grow no faster than the
// catalog (≤ 10× the small figure). Both databases live in one throwaway cluster
// (bench/monitoring-db.ts: pg_stat_statements preloaded, planning tracked, the logging
// collector on so the overview takes its server-log path, as a superuser's would), and the
// refreshes alternate small, large, small, large… so both sizes see the same machine load;
// the growth ratio is taken per pair and as the ratio of the medians.
// "Full refresh" = the five reports the Performance screen can hold — getOverview,
// getTopQueries (total, 50: the Queries tab's call), getIndexReport, getTableReport,
// getAppMetrics — sent in parallel through core.dispatch. (The screen itself mounts only the
// open tab, so what it loads at once is the overview plus one tab: each call's time alone is
// recorded too.) Statements are counted server-side per size: the profile connects as its
// own role, pg_stat_statements is reset, one refresh runs, and the role's calls are summed
// (utility statements — BEGIN, SET, SAVEPOINT, COMMIT — included); connections from
// pg_stat_database.sessions. Baseline in the same run: bare `SELECT count(*) FROM pg_class`
// on an open connection, per database. Prints one JSON line last.
// Run: npx tsx bench/monitoring.ts [--tables 2000] [--indexes 5000] [--scale 10] [--rows 5] [--refreshes 10] [--alone 5]
//   (--scale 0: the small database only.)
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Profile } from '../src-main/contract/models';
import type { AppMetrics, IndexReport, Overview, TableReport, TopQueries } from '../src-main/contract/monitoring';
import { createCore, type Core } from '../src-main/core/app';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { arg, call, loadAverage, median, round1, round2 } from './bench-cluster';
import { INDEXES_SQL } from '../src-main/core/monitoring/indexes';
import { OVERVIEW_SQL } from '../src-main/core/monitoring/overview';
import { SEQUENCES_SQL, TABLES_SQL } from '../src-main/core/monitoring/tables';
import { countStatements, explain, generate, ROLE, serverCost, startCluster, type Generated, type Shape, type Statements } from './monitoring-db';

const TABLES = arg('tables', 2000);
const INDEXES = arg('indexes', 5000);
const SCALE = arg('scale', 10);
const ROWS = arg('rows', 5);
const REFRESHES = arg('refreshes', 10);
const ALONE = arg('alone', 5);
const WARMUP = arg('warmup', 2);
const COST_ROUNDS = arg('cost-rounds', 3);
/**
 * The reports' costliest statements, measured without the app's timeout (monitoring-db.ts
 * serverCost); tableSizesBefore is the table statement as it was before each file was measured
 * once (pg_table_size minus the TOAST), for the same-run comparison — not part of a refresh.
 */
const STATEMENTS = { overview: OVERVIEW_SQL, indexes: INDEXES_SQL, tableSizes: TABLES_SQL, sequences: SEQUENCES_SQL };
/** The table report's statement before issue #21's second pass (pg_table_size minus the TOAST): the same-run comparison for TABLES_SQL. */
const TABLES_SQL_TABLE_SIZE = `
SELECT s.schemaname AS schema, s.relname AS "table",
       z.with_toast - z.toast AS table_bytes,
       z.indexes AS index_bytes,
       z.toast AS toast_bytes,
       (CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples END)::int8 AS row_estimate,
       s.n_dead_tup AS dead_tuples,
       COALESCE(round(100.0 * s.n_dead_tup / NULLIF(s.n_live_tup + s.n_dead_tup, 0), 1), 0)::float8 AS dead_pct,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
CROSS JOIN LATERAL (
  SELECT pg_table_size(s.relid) AS with_toast,
         pg_indexes_size(s.relid) AS indexes,
         COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS toast
) z
ORDER BY z.with_toast + z.indexes DESC, s.schemaname, s.relname`;
const COMPARED = { ...STATEMENTS, tableSizesBefore: TABLES_SQL_TABLE_SIZE };

const CALLS = ['getOverview', 'getTopQueries', 'getIndexReport', 'getTableReport', 'getAppMetrics'] as const;
type CallName = (typeof CALLS)[number];
type Stats = { median: number; p95: number; max: number };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(values: number[]): Stats {
  return { median: round1(median(values)), p95: round1(percentile(values, 95)), max: round1(Math.max(...values)) };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

interface Refresh {
  wallMs: number;
  perCall: Record<CallName, number>;
  values: Record<CallName, unknown>;
  /** Calls that answered an error (at 20,000 tables on a loaded machine: the 5 s statement timeout), by name. */
  failed: Partial<Record<CallName, string>>;
}

function input(name: CallName, profileId: string): Record<string, unknown> {
  return name === 'getTopQueries' ? { profileId, orderBy: 'total', limit: 50 } : { profileId };
}

/** The five calls at once, as the screen would send them; each call's own wall time too. A failed call is recorded, not thrown. */
async function fullRefresh(core: Core, profileId: string): Promise<Refresh> {
  const t0 = performance.now();
  const results = await Promise.all(
    CALLS.map(async (name) => {
      try {
        const value = await call<unknown>(core, name, input(name, profileId));
        return { name, ms: performance.now() - t0, value, error: null };
      } catch (err) {
        return { name, ms: performance.now() - t0, value: null, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const perCall = Object.fromEntries(results.map((r) => [r.name, r.ms])) as Record<CallName, number>;
  const values = Object.fromEntries(results.map((r) => [r.name, r.value])) as Record<CallName, unknown>;
  const failed = Object.fromEntries(results.flatMap((r) => (r.error === null ? [] : [[r.name, r.error]])));
  return { wallMs, perCall, values, failed };
}

/** What each answer held, so a wrong database (or a report that saw nothing) is caught. */
function summarise(values: Record<CallName, unknown>): Record<string, number | string | boolean | null> {
  const overview = values.getOverview as Overview | null;
  const top = values.getTopQueries as TopQueries | null;
  const idx = values.getIndexReport as IndexReport | null;
  const tables = values.getTableReport as TableReport | null;
  const app = values.getAppMetrics as AppMetrics | null;
  const failed = overview?.checks.find((c) => c.name === 'failedQueries');
  return {
    overviewStatus: overview?.status ?? null,
    overviewQueries: overview?.queries ?? null,
    overviewQueryMs: overview?.queryMs ?? null,
    // The app must not feed its own failed-queries check (a failing probe lands in the log).
    failedQueriesPerHour: failed?.value ?? -1,
    failedQueriesSource: failed?.source?.split(';')[0] ?? '',
    topQueriesAvailable: top?.available ?? null,
    topQueries: top?.queries.length ?? null,
    indexes: idx?.indexes.length ?? null,
    unused: idx?.unused.length ?? null,
    duplicates: idx?.duplicates.length ?? null,
    seqScanHeavy: idx?.seqScanHeavy.length ?? null,
    tables: tables?.tables.length ?? null,
    sequences: tables?.sequences.length ?? null,
    appMetricsNotes: app?.notes.length ?? null,
  };
}

function answerBytes(values: Record<CallName, unknown>): Record<CallName, number> {
  return Object.fromEntries(CALLS.map((name) => [name, JSON.stringify(values[name] ?? null).length])) as Record<CallName, number>;
}

/**
 * The warm report connections the app keeps open after the refreshes (report-pool.ts): how
 * many, and each backend's private memory (RssAnon: its relation and catalog caches), read
 * from /proc — the cluster runs on this machine.
 */
async function warmBackends(port: number, database: string): Promise<{ count: number; rssAnonMb: number[] }> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
  await admin.connect();
  try {
    const pids = (
      await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ops-console' AND state = 'idle'", [
        database,
      ])
    ).rows.map((r) => r.pid);
    const rss = pids.map((pid) => {
      const kb = /RssAnon:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return round1(Number(kb ?? NaN) / 1024);
    });
    return { count: pids.length, rssAnonMb: rss };
  } finally {
    await admin.end();
  }
}

async function bareBaseline(port: number, database: string, n: number): Promise<Stats> {
  const open = new pg.Client({ host: '127.0.0.1', port, user: ROLE, database });
  await open.connect();
  const ms: number[] = [];
  try {
    await open.query('SELECT count(*) FROM pg_class');
    for (let i = 0; i < n; i++) ms.push((await timed(() => open.query('SELECT count(*) FROM pg_class'))).ms);
  } finally {
    await open.end();
  }
  return stats(ms);
}

interface Size {
  label: string;
  database: string;
  shape: Shape;
  gen: Generated;
  profile: Profile;
  refreshes: Refresh[];
}

/** Each call alone (the screen loads the overview plus the open tab). */
async function eachAlone(core: Core, size: Size): Promise<{ alone: Record<CallName, Stats>; failed: string[] }> {
  const alone = {} as Record<CallName, Stats>;
  const failed: string[] = [];
  for (const name of CALLS) {
    const ms: number[] = [];
    for (let i = 0; i < ALONE; i++) {
      const t0 = performance.now();
      await call<unknown>(core, name, input(name, size.profile.id)).catch((err: unknown) => failed.push(`${name}: ${String(err)}`));
      ms.push(performance.now() - t0);
    }
    alone[name] = stats(ms);
  }
  return { alone, failed };
}

/** Statement counts of one refresh, then EXPLAIN ANALYZE of the costliest statements. */
async function statementsOf(core: Core, port: number, logDir: string, size: Size, makeProfile: (name: string, database: string) => Promise<Profile>) {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: size.database, application_name: 'bench-admin' });
  await admin.connect();
  try {
    // A fresh profile's first refresh also stores a history snapshot (one more statement); its second, within the minute, does not.
    const counter = await makeProfile(`${size.database}-count`, size.database);
    const withSnapshot = await countStatements(admin, logDir, () => fullRefresh(core, counter.id));
    const steady: Statements = await countStatements(admin, logDir, () => fullRefresh(core, counter.id));
    console.log(
      `${size.label}: statements per refresh: ${steady.statements} completed (${JSON.stringify(steady.byKind)}) + ${steady.errors} failed, in ${steady.messages} query messages over ${steady.sessions} connections; with a snapshot due: ${withSnapshot.statements} + ${withSnapshot.errors}`,
    );
    console.log(`${size.label}: costliest statements (plan + exec, ms): ${JSON.stringify(steady.top)}`);
    const explained = [];
    for (const sql of steady.topTexts) explained.push(await explain(admin, sql));
    return { steady, withSnapshot, explained };
  } finally {
    await admin.end();
  }
}

function sizeResult(
  size: Size,
  alone: Awaited<ReturnType<typeof eachAlone>>,
  counted: Awaited<ReturnType<typeof statementsOf>>,
  bare: Stats,
  cost: Awaited<ReturnType<typeof serverCost>>,
  warmCost: Awaited<ReturnType<typeof serverCost>>,
) {
  const last = [...size.refreshes].reverse().find((r) => Object.keys(r.failed).length === 0) ?? size.refreshes[size.refreshes.length - 1]!;
  const failedCalls = size.refreshes.flatMap((r) => Object.entries(r.failed).map(([name, message]) => `${name}: ${message}`));
  const full = stats(size.refreshes.map((r) => r.wallMs));
  return {
    tables: size.shape.tables,
    indexes: size.shape.indexes,
    dbMb: size.gen.dbMb,
    generateSeconds: round1(size.gen.ms / 1000),
    createSeconds: round1(size.gen.createMs / 1000),
    pgStatStatementsEntries: size.gen.pgStatStatementsEntries,
    fullRefreshMs: full,
    perCallInRefreshMs: Object.fromEntries(CALLS.map((c) => [c, stats(size.refreshes.map((r) => r.perCall[c]))])),
    perCallAloneMs: alone.alone,
    failedCallsInRefreshes: failedCalls.length,
    failedCallsAlone: alone.failed.length,
    failures: [...failedCalls, ...alone.failed].slice(0, 5),
    answerBytes: answerBytes(last.values),
    answers: summarise(last.values),
    statementsPerRefresh: counted.steady.statements + counted.steady.errors,
    statementsFailed: counted.steady.errors,
    failedStatements: counted.steady.errorMessages,
    queryMessagesPerRefresh: counted.steady.messages,
    statementsPerRefreshWithSnapshot: counted.withSnapshot.statements + counted.withSnapshot.errors,
    statementsByKind: counted.steady.byKind,
    connectionsPerRefresh: counted.steady.sessions,
    serverMsPerRefresh: counted.steady.serverMs,
    costliestStatements: counted.steady.top,
    explainAnalyze: counted.explained,
    statementCost: cost,
    statementCostWarm: warmCost,
    bareCountPgClassMs: bare,
    fullRefreshVsBareRatio: round1(full.median / bare.median),
  };
}

/** CPU of the statements a refresh runs (not the comparison's tableSizesBefore). */
function sumCpu(cost: Record<string, { cpuMs: { median: number } }>): number {
  return Object.keys(STATEMENTS).reduce((sum, k) => sum + cost[k]!.cpuMs.median, 0);
}

function cpuGrowth(large: Record<string, { cpuMs: { median: number } }>, small: Record<string, { cpuMs: { median: number } }>) {
  return Object.fromEntries(Object.keys(COMPARED).map((k) => [k, round2(large[k]!.cpuMs.median / Math.max(small[k]!.cpuMs.median, 10))]));
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const { cluster, port, root } = await startCluster();
  let core: Core | null = null;
  try {
    const boot = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await boot.connect();
    await boot.query(`CREATE ROLE ${ROLE} LOGIN SUPERUSER`);
    await boot.end();
    core = createCore({ home: path.join(root, 'home'), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
    const makeProfile = (name: string, database: string) =>
      call<Profile>(core!, 'createProfile', {
        profile: { name, host: '127.0.0.1', port, database, user: ROLE, sslmode: 'disable', env: 'development', readOnly: false },
      });

    const shapes: Array<[string, Shape]> = [['small', { tables: TABLES, indexes: INDEXES, rows: ROWS }]];
    if (SCALE > 0) shapes.push(['large', { tables: TABLES * SCALE, indexes: INDEXES * SCALE, rows: ROWS }]);
    const sizes: Size[] = [];
    for (const [label, shape] of shapes) {
      const database = `bench_${label}`;
      console.log(`load ${loadAverage().join(' ')}; generating ${database}: ${shape.tables} tables, ${shape.indexes} indexes, ${shape.rows} rows each…`);
      const gen = await generate(port, database, shape);
      console.log(`generated in ${round1(gen.ms / 1000)} s (tables and indexes ${round1(gen.createMs / 1000)} s): ${gen.dbMb} MB`);
      sizes.push({ label, database, shape, gen, profile: await makeProfile(database, database), refreshes: [] });
    }
    // Let the workload's statistics reach the shared counters before the first read.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    for (let i = 0; i < WARMUP; i++) {
      for (const size of sizes) console.log(`warm-up ${size.label} ${i + 1}: ${Math.round((await fullRefresh(core, size.profile.id)).wallMs)} ms`);
    }
    // Alternating sizes: a load change on the shared machine hits both.
    const pairRatios: number[] = [];
    for (let i = 1; i <= REFRESHES; i++) {
      for (const size of sizes) {
        const r = await fullRefresh(core, size.profile.id);
        size.refreshes.push(r);
        console.log(
          `refresh ${i} ${size.label}: ${Math.round(r.wallMs)} ms (${CALLS.map((c) => `${c} ${Math.round(r.perCall[c])}${r.failed[c] ? ' FAILED' : ''}`).join(', ')}) load ${loadAverage()[0]}`,
        );
      }
      if (sizes.length === 2) pairRatios.push(sizes[1]!.refreshes[i - 1]!.wallMs / sizes[0]!.refreshes[i - 1]!.wallMs);
    }
    for (const size of sizes) {
      const whole = [...size.refreshes].reverse().find((r) => Object.keys(r.failed).length === 0);
      // Recorded, not thrown: the figure is then "failed", with the errors in the JSON.
      if (!whole) {
        console.log(`${size.label}: no refresh answered all five calls: ${JSON.stringify(size.refreshes[0]!.failed)}`);
        continue;
      }
      const answers = summarise(whole.values);
      if (answers.indexes !== size.shape.indexes || answers.tables !== size.shape.tables)
        throw new Error(`${size.label}: the reports saw ${answers.indexes} indexes and ${answers.tables} tables`);
    }

    const results: Record<string, ReturnType<typeof sizeResult> & { warmBackends: Awaited<ReturnType<typeof warmBackends>> }> = {};
    const logDir = path.join(root, 'data', 'log');
    for (const size of sizes) {
      const warm = await warmBackends(port, size.database);
      console.log(`${size.label}: warm report connections kept: ${JSON.stringify(warm)}`);
      const alone = await eachAlone(core, size);
      console.log(`${size.label}: each call alone: ${JSON.stringify(alone.alone)}${alone.failed.length > 0 ? ` (${alone.failed.length} failed)` : ''}`);
      const bare = await bareBaseline(port, size.database, REFRESHES);
      const cost = await serverCost(port, size.database, COMPARED, COST_ROUNDS);
      console.log(`${size.label}: statement cost without the timeout: ${JSON.stringify(cost)}`);
      const warmCost = await serverCost(port, size.database, COMPARED, COST_ROUNDS, true);
      console.log(`${size.label}: statement cost on a warm connection: ${JSON.stringify(warmCost)}`);
      results[size.label] = { ...sizeResult(size, alone, await statementsOf(core, port, logDir, size, makeProfile), bare, cost, warmCost), warmBackends: warm };
    }

    const small = results.small!;
    const large = results.large;
    const growth = large
      ? {
          objects: round1((large.tables + large.indexes) / (small.tables + small.indexes)),
          fullRefreshMedians: round2(large.fullRefreshMs.median / small.fullRefreshMs.median),
          pairedMedian: round2(median(pairRatios)),
          paired: pairRatios.map(round2),
          perCallAlone: Object.fromEntries(CALLS.map((c) => [c, round2(large.perCallAloneMs[c].median / small.perCallAloneMs[c].median)])),
          serverMs: round2(large.serverMsPerRefresh / small.serverMsPerRefresh),
          bareCountPgClass: round2(large.bareCountPgClassMs.median / small.bareCountPgClassMs.median),
          statementCpu: cpuGrowth(large.statementCost, small.statementCost),
          statementCpuTotal: round2(sumCpu(large.statementCost) / sumCpu(small.statementCost)),
          statementCpuWarm: cpuGrowth(large.statementCostWarm, small.statementCostWarm),
          statementCpuWarmTotal: round2(sumCpu(large.statementCostWarm) / sumCpu(small.statementCostWarm)),
        }
      : null;
    const result = {
      rowsPerTable: ROWS,
      refreshes: REFRESHES,
      warmup: WARMUP,
      alone: ALONE,
      small,
      large: large ?? null,
      growth,
      countedBy: `pg_stat_statements (track = top, utility on): completed calls by role ${ROLE} over one refresh after a reset, plus the ERROR lines the server logged (failed statements are not in pg_stat_statements); query messages from log_statement = all set on the role for that refresh; connections from pg_stat_database.sessions`,
      loadAverage: { before: loadBefore, after: loadAverage() },
      target: { smallFullRefreshMs: '< 500', growth: '≤ 10× for 10× the objects' },
      met: {
        small: small.fullRefreshMs.median < 500 && small.failedCallsInRefreshes === 0,
        growth: growth && large ? growth.fullRefreshMedians <= 10 && growth.pairedMedian <= 10 && large.failedCallsInRefreshes === 0 : null,
      },
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
