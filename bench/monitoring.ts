// Monitoring (issue #9): the cost of a full dashboard refresh on a database with 2,000
// generated tables and 5,000 indexes (target < 500 ms wall) and the number of SQL statements
// one refresh sends. A throwaway cluster (pg_stat_statements preloaded, planning tracked, the
// logging collector on so the overview takes its server-log path, as a superuser would)
// holds tables of a few columns and rows each: a primary key on every one, an index on (a) on
// every one, the rest spread as (c) indexes, with a few overlapping (a, c) and duplicate (a)
// indexes so the index report has work to do; then ANALYZE and a light workload (two
// statements per table) so pg_stat_statements and the scan counters are not empty.
// "Full refresh" = the five reports the Performance screen can hold — getOverview,
// getTopQueries (total, 50: the Queries tab's call), getIndexReport, getTableReport,
// getAppMetrics — sent in parallel through core.dispatch. (The screen itself mounts only the
// open tab, so what it loads at once is the overview plus one tab: each call's time alone is
// recorded too.) Statements are counted server-side: the profile connects as its own role,
// pg_stat_statements is reset, one refresh runs, and the role's calls are summed (utility
// statements — BEGIN, SET, SAVEPOINT, COMMIT — included); connections from
// pg_stat_database.sessions. Baseline in the same run: bare `SELECT count(*) FROM pg_class`
// on an open connection. Prints one JSON line last.
// Run: npx tsx bench/monitoring.ts [--tables 2000] [--indexes 5000] [--rows 5] [--refreshes 10]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Profile } from '../src-main/contract/models';
import type { AppMetrics, IndexReport, Overview, TableReport, TopQueries } from '../src-main/contract/monitoring';
import { createCore, type Core } from '../src-main/core/app';
import { LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/platform/postgres/server-binaries';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { arg, call, loadAverage, median, round1, round2 } from './bench-cluster';

const DB = 'bench';
/** The profile's role: its statements are told apart from the bench's own in pg_stat_statements. */
const ROLE = 'ops_bench';

const TABLES = arg('tables', 2000);
const INDEXES = arg('indexes', 5000);
const ROWS = arg('rows', 5);
const REFRESHES = arg('refreshes', 10);
const WARMUP = arg('warmup', 2);
const BATCH = 50;

const CALLS = ['getOverview', 'getTopQueries', 'getIndexReport', 'getTableReport', 'getAppMetrics'] as const;
type CallName = (typeof CALLS)[number];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(values: number[]): { median: number; p95: number; max: number } {
  return { median: round1(median(values)), p95: round1(percentile(values, 95)), max: round1(Math.max(...values)) };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function startCluster(): Promise<{ cluster: LocalCluster; port: number; root: string }> {
  const binaries = await pickServerBinaries();
  const root = path.join(os.tmpdir(), `ops-console-bench-monitoring-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const cluster = new LocalCluster({
    dataDir: path.join(root, 'data'),
    binaries,
    auth: { method: 'trust' },
    durable: false,
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track_planning': 'on',
      logging_collector: 'on',
      log_directory: 'log',
      // 2,000 tables, their sequences and indexes are created 50 tables per transaction.
      max_locks_per_transaction: '1024',
    },
  });
  try {
    await cluster.init();
    const { port } = await cluster.start();
    return { cluster, port, root };
  } catch (err) {
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

const tableName = (i: number): string => `t_${String(i).padStart(4, '0')}`;

/**
 * The indexes beyond the primary keys, per table: round 0 puts (a) on every table, round 1
 * (c) on as many as needed — (a, c) on the first 20 (overlapping (a)) and a second (a) on
 * the next 10 (duplicates) — and further rounds (b), (d), (a, b).
 */
function extraIndexes(i: number, extra: number): string[] {
  const rounds = [() => 'a', (t: number) => (t < 20 ? 'a, c' : t < 30 ? 'a' : 'c'), () => 'b', () => 'd', () => 'a, b'];
  const out: string[] = [];
  for (let r = 0; r < rounds.length && r * TABLES + i < extra; r++) out.push(rounds[r]!(i));
  return out;
}

function tableSql(i: number, extra: number): string {
  const t = tableName(i);
  const idx = extraIndexes(i, extra).map((cols, k) => `CREATE INDEX ${t}_x${k} ON ${t} (${cols});`);
  return [
    `CREATE TABLE ${t} (id serial PRIMARY KEY, a int NOT NULL, b text, c timestamptz NOT NULL DEFAULT now(), d numeric);`,
    `INSERT INTO ${t} (a, b, c, d) SELECT g, md5(g::text), now() - g * interval '1 hour', g * 1.5 FROM generate_series(1, ${ROWS}) g;`,
    ...idx,
  ].join('\n');
}

async function generate(admin: pg.Client): Promise<{ ms: number; tables: number; indexes: number; dbMb: number }> {
  const extra = INDEXES - TABLES;
  if (extra < 0 || extra > 5 * TABLES) throw new Error(`--indexes must be between --tables and 6 × --tables`);
  const t0 = performance.now();
  for (let start = 0; start < TABLES; start += BATCH) {
    const sqls: string[] = [];
    for (let i = start; i < Math.min(TABLES, start + BATCH); i++) sqls.push(tableSql(i, extra));
    await admin.query(sqls.join('\n'));
  }
  await admin.query('ANALYZE');
  // A light workload: an index lookup and a filtered count per table, so the statistics and
  // pg_stat_statements (one entry per statement text) look like a database in use.
  for (let start = 0; start < TABLES; start += BATCH) {
    const sqls: string[] = [];
    for (let i = start; i < Math.min(TABLES, start + BATCH); i++)
      sqls.push(`SELECT * FROM ${tableName(i)} WHERE id = 1; SELECT count(*) FROM ${tableName(i)} WHERE b IS NOT NULL;`);
    await admin.query(sqls.join('\n'));
  }
  const r = await admin.query<{ tables: number; indexes: number; bytes: string }>(
    `SELECT (SELECT count(*)::int FROM pg_stat_user_tables) AS tables, (SELECT count(*)::int FROM pg_stat_user_indexes) AS indexes, pg_database_size(current_database()) AS bytes`,
  );
  const row = r.rows[0]!;
  return { ms: performance.now() - t0, tables: row.tables, indexes: row.indexes, dbMb: round1(Number(row.bytes) / 1e6) };
}

interface Refresh {
  wallMs: number;
  perCall: Record<CallName, number>;
  values: Record<CallName, unknown>;
}

function input(name: CallName, profileId: string): Record<string, unknown> {
  return name === 'getTopQueries' ? { profileId, orderBy: 'total', limit: 50 } : { profileId };
}

/** The five calls at once, as the screen would send them; each call's own wall time too. */
async function fullRefresh(core: Core, profileId: string): Promise<Refresh> {
  const t0 = performance.now();
  const results = await Promise.all(
    CALLS.map(async (name) => {
      const value = await call<unknown>(core, name, input(name, profileId));
      return { name, ms: performance.now() - t0, value };
    }),
  );
  const wallMs = performance.now() - t0;
  const perCall = Object.fromEntries(results.map((r) => [r.name, r.ms])) as Record<CallName, number>;
  const values = Object.fromEntries(results.map((r) => [r.name, r.value])) as Record<CallName, unknown>;
  return { wallMs, perCall, values };
}

interface Statements {
  /** Statements that completed (pg_stat_statements records no failed statement). */
  statements: number;
  /** Query messages sent, from the server log. */
  messages: number;
  /** Statements that failed (expected: the shop's figures on a database without the shop). */
  errors: number;
  errorMessages: string[];
  /** Full texts of the costliest statements (from the log), for EXPLAIN. */
  topTexts: string[];
  distinct: number;
  serverMs: number;
  sessions: number;
  byKind: Record<string, number>;
  top: Array<{ ms: number; planMs: number; calls: number; query: string }>;
}

const normalise = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

/** EXPLAIN (ANALYZE, BUFFERS) of a statement the refresh sent: printed whole, summarised in the JSON. */
async function explain(admin: pg.Client, sql: string): Promise<{ query: string; planningMs: number; executionMs: number }> {
  const r = await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
  const plan = r.rows.map((row) => row['QUERY PLAN']);
  console.log(`EXPLAIN ANALYZE ${normalise(sql).slice(0, 100)}…\n${plan.join('\n')}`);
  const ms = (label: string) => Number(/([\d.]+) ms/.exec(plan.find((l) => l.startsWith(label)) ?? '')?.[1] ?? NaN);
  return { query: normalise(sql).slice(0, 100), planningMs: ms('Planning Time'), executionMs: ms('Execution Time') };
}

async function sessionsOf(admin: pg.Client): Promise<number> {
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const r = await admin.query<{ n: string }>('SELECT sessions AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(r.rows[0]!.n);
}

function logSizes(logDir: string): Map<string, number> {
  return new Map(fs.readdirSync(logDir).map((f) => [f, fs.statSync(path.join(logDir, f)).size]));
}

/** Lines the server logged since `before`: what log_statement = all recorded for the role. */
function logSince(logDir: string, before: Map<string, number>): { messages: number; errors: string[]; statements: string[] } {
  let text = '';
  for (const f of fs.readdirSync(logDir).sort()) {
    const from = before.get(f) ?? 0;
    const buf = fs.readFileSync(path.join(logDir, f));
    text += buf.subarray(from).toString('utf8');
  }
  // Simple-query messages log "statement: …" (one line per message, even holding two
  // statements); extended-protocol ones "execute <unnamed>: …".
  // Only lines that start with the default prefix ("%m [%p] "): a logged statement's own
  // continuation lines may hold the same words (the overview's log query does).
  const prefixed = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] /;
  const lines = text.split('\n').filter((line) => prefixed.test(line));
  const errors = lines.filter((line) => /\] ERROR: {2}/.test(line)).map((line) => line.replace(/^.*?\] ERROR: {2}/, ''));
  // Whole texts of the simple-query statements, for EXPLAIN (pg_stat_statements only has them normalized).
  const statements: string[] = [];
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (prefixed.test(line)) {
      if (current) statements.push(current.join('\n'));
      const m = /\] LOG: {2}statement: (.*)$/.exec(line);
      current = m ? [m[1]!] : null;
    } else if (current) current.push(line);
  }
  if (current) statements.push(current.join('\n'));
  return { messages: lines.filter((line) => /\] LOG: {2}(statement|execute [^:]*): /.test(line)).length, errors, statements };
}

/** Resets pg_stat_statements, runs `fn`, and reads what the profile's role sent meanwhile. */
async function countStatements(admin: pg.Client, logDir: string, fn: () => Promise<unknown>): Promise<Statements> {
  const sessionsBefore = await sessionsOf(admin);
  await admin.query(`ALTER ROLE ${ROLE} SET log_statement = 'all'`);
  await admin.query('SELECT pg_stat_statements_reset()');
  const sizes = logSizes(logDir);
  await fn();
  // Ended backends flush their session counts within a second; the collector writes as fast.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await admin.query(`ALTER ROLE ${ROLE} RESET log_statement`);
  const logged = logSince(logDir, sizes);
  const sessions = (await sessionsOf(admin)) - sessionsBefore;
  const r = await admin.query<{ query: string; calls: string; plan: number; exec: number }>(
    `SELECT query, calls, total_plan_time AS plan, total_exec_time AS exec FROM pg_stat_statements
     WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY total_plan_time + total_exec_time DESC`,
    [ROLE],
  );
  const byKind: Record<string, number> = {};
  for (const row of r.rows) {
    const kind = /^\s*(\w+)/.exec(row.query)?.[1]?.toUpperCase() ?? '?';
    const key = ['SELECT', 'WITH'].includes(kind) ? 'read' : kind;
    byKind[key] = (byKind[key] ?? 0) + Number(row.calls);
  }
  return {
    statements: r.rows.reduce((sum, row) => sum + Number(row.calls), 0),
    messages: logged.messages,
    errors: logged.errors.length,
    errorMessages: logged.errors,
    topTexts: r.rows.slice(0, 2).flatMap((row) => {
      const head = normalise(row.query).split('$')[0]!;
      const text = logged.statements.find((t) => normalise(t).startsWith(head));
      return text ? [text] : [];
    }),
    distinct: r.rows.length,
    serverMs: round2(r.rows.reduce((sum, row) => sum + row.plan + row.exec, 0)),
    sessions,
    byKind,
    top: r.rows
      .slice(0, 5)
      .map((row) => ({ ms: round2(row.plan + row.exec), planMs: round2(row.plan), calls: Number(row.calls), query: normalise(row.query).slice(0, 140) })),
  };
}

/** What each answer held, so a wrong database (or a report that saw nothing) is caught. */
function summarise(values: Record<CallName, unknown>): Record<string, number | string | boolean> {
  const overview = values.getOverview as Overview;
  const top = values.getTopQueries as TopQueries;
  const idx = values.getIndexReport as IndexReport;
  const tables = values.getTableReport as TableReport;
  const app = values.getAppMetrics as AppMetrics;
  return {
    overviewStatus: overview.status,
    overviewChecks: overview.checks.length,
    overviewQueries: overview.queries,
    overviewQueryMs: overview.queryMs,
    // The shop's snippets fail on a database without the shop, and the server logs each as
    // an ERROR: the failed-queries check counts them.
    failedQueriesPerHour: overview.checks.find((c) => c.name === 'failedQueries')?.value ?? -1,
    failedQueriesStatus: overview.checks.find((c) => c.name === 'failedQueries')?.status ?? '?',
    failedQueriesSource: overview.checks.find((c) => c.name === 'failedQueries')?.source?.split(';')[0] ?? '',
    topQueriesAvailable: top.available,
    topQueries: top.queries.length,
    indexes: idx.indexes.length,
    unused: idx.unused.length,
    duplicates: idx.duplicates.length,
    seqScanHeavy: idx.seqScanHeavy.length,
    tables: tables.tables.length,
    sequences: tables.sequences.length,
    appMetricsNotes: app.notes.length,
  };
}

function answerBytes(values: Record<CallName, unknown>): Record<CallName, number> {
  return Object.fromEntries(CALLS.map((name) => [name, JSON.stringify(values[name]).length])) as Record<CallName, number>;
}

async function bareBaseline(port: number, n: number): Promise<{ openConnection: ReturnType<typeof stats>; connectQueryEnd: ReturnType<typeof stats> }> {
  const open = new pg.Client({ host: '127.0.0.1', port, user: ROLE, database: DB });
  await open.connect();
  const openMs: number[] = [];
  const connMs: number[] = [];
  try {
    await open.query('SELECT count(*) FROM pg_class');
    for (let i = 0; i < n; i++) openMs.push((await timed(() => open.query('SELECT count(*) FROM pg_class'))).ms);
  } finally {
    await open.end();
  }
  for (let i = 0; i < n; i++) {
    const r = await timed(async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: ROLE, database: DB });
      await c.connect();
      await c.query('SELECT count(*) FROM pg_class');
      await c.end();
    });
    connMs.push(r.ms);
  }
  return { openConnection: stats(openMs), connectQueryEnd: stats(connMs) };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const { cluster, port, root } = await startCluster();
  let core: Core | null = null;
  let admin: pg.Client | null = null;
  try {
    const boot = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await boot.connect();
    await boot.query(`CREATE DATABASE ${DB}`);
    await boot.query(`CREATE ROLE ${ROLE} LOGIN SUPERUSER`);
    await boot.end();
    admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB, application_name: 'bench-admin' });
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
    console.log(`load average before: ${loadBefore.join(' ')}; generating ${TABLES} tables, ${INDEXES} indexes, ${ROWS} rows each…`);
    const gen = await generate(admin);
    console.log(`generated in ${Math.round(gen.ms / 1000)} s: ${gen.tables} tables, ${gen.indexes} indexes, ${gen.dbMb} MB`);
    if (gen.tables !== TABLES || gen.indexes !== INDEXES)
      throw new Error(`expected ${TABLES} tables and ${INDEXES} indexes, found ${gen.tables} and ${gen.indexes}`);
    const pgss = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_statements');
    // Let the workload's statistics reach the shared counters before the first read.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    core = createCore({ home: path.join(root, 'home'), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
    const profileFor = (name: string) =>
      call<Profile>(core!, 'createProfile', {
        profile: { name, host: '127.0.0.1', port, database: DB, user: ROLE, sslmode: 'disable', env: 'development', readOnly: false },
      });
    const profile = await profileFor(DB);

    for (let i = 0; i < WARMUP; i++) {
      const w = await fullRefresh(core, profile.id);
      console.log(`warm-up ${i + 1}: ${Math.round(w.wallMs)} ms`);
    }
    const refreshes: Refresh[] = [];
    for (let i = 1; i <= REFRESHES; i++) {
      const r = await fullRefresh(core, profile.id);
      refreshes.push(r);
      console.log(`refresh ${i}: ${Math.round(r.wallMs)} ms (${CALLS.map((c) => `${c} ${Math.round(r.perCall[c])}`).join(', ')})`);
    }
    const last = refreshes[refreshes.length - 1]!;
    const answers = summarise(last.values);
    if (answers.indexes !== INDEXES || answers.tables !== TABLES) throw new Error(`the reports saw ${answers.indexes} indexes and ${answers.tables} tables`);

    // Each call alone (the screen loads the overview plus the open tab).
    const alone: Record<string, ReturnType<typeof stats>> = {};
    for (const name of CALLS) {
      const ms: number[] = [];
      for (let i = 0; i < REFRESHES; i++) ms.push((await timed(() => call<unknown>(core!, name, input(name, profile.id)))).ms);
      alone[name] = stats(ms);
    }
    console.log(`each call alone: ${JSON.stringify(alone)}`);
    const baseline = await bareBaseline(port, REFRESHES);

    // Statement counts: a fresh profile's first refresh also stores a history snapshot (one
    // more statement); its second, within the minute, does not.
    const logDir = path.join(root, 'data', 'log');
    const counter = await profileFor(`${DB}-count`);
    const withSnapshot = await countStatements(admin, logDir, () => fullRefresh(core!, counter.id));
    const steady = await countStatements(admin, logDir, () => fullRefresh(core!, counter.id));
    console.log(
      `statements per refresh: ${steady.statements} completed (${JSON.stringify(steady.byKind)}) + ${steady.errors} failed, in ${steady.messages} query messages over ${steady.sessions} connections; with a snapshot due: ${withSnapshot.statements} + ${withSnapshot.errors}`,
    );
    console.log(`costliest statements (plan + exec, ms): ${JSON.stringify(steady.top)}`);

    // Where the time goes: the two costliest statements, run again with EXPLAIN ANALYZE.
    const explained = [];
    for (const sql of steady.topTexts) explained.push(await explain(admin, sql));

    const full = stats(refreshes.map((r) => r.wallMs));
    const result = {
      tables: TABLES,
      indexes: INDEXES,
      rowsPerTable: ROWS,
      dbMb: gen.dbMb,
      generateSeconds: round1(gen.ms / 1000),
      pgStatStatementsEntries: pgss.rows[0]!.n,
      refreshes: REFRESHES,
      warmup: WARMUP,
      fullRefreshMs: full,
      perCallInRefreshMs: Object.fromEntries(CALLS.map((c) => [c, stats(refreshes.map((r) => r.perCall[c]))])),
      perCallAloneMs: alone,
      answerBytes: answerBytes(last.values),
      answers,
      statementsPerRefresh: steady.statements + steady.errors,
      statementsCompleted: steady.statements,
      statementsFailed: steady.errors,
      failedStatements: steady.errorMessages,
      queryMessagesPerRefresh: steady.messages,
      statementsPerRefreshWithSnapshot: withSnapshot.statements + withSnapshot.errors,
      distinctStatements: steady.distinct,
      statementsByKind: steady.byKind,
      connectionsPerRefresh: steady.sessions,
      serverMsPerRefresh: steady.serverMs,
      costliestStatements: steady.top,
      explainAnalyze: explained,
      countedBy: `pg_stat_statements (track = top, utility on): completed calls by role ${ROLE} over one refresh after a reset, plus the ERROR lines the server logged (failed statements are not in pg_stat_statements); query messages from log_statement = all set on the role for that refresh; connections from pg_stat_database.sessions`,
      bareCountPgClassMs: baseline,
      fullRefreshVsBareRatio: round1(full.median / baseline.openConnection.median),
      loadAverage: { before: loadBefore, after: loadAverage() },
      target: { fullRefreshMs: '< 500' },
      met: full.median < 500,
    };
    console.log(JSON.stringify(result));
  } finally {
    await core?.close().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
