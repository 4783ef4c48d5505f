// Live activity (issue #8): the server-side cost of one refresh with 200 connected backends
// (target < 20 ms). A throwaway cluster (max_connections 250, pg_stat_statements preloaded
// with planning tracked) holds 200 extra backends opened with pg: idle, idle in transaction,
// pg_sleep, row-lock chains and a table-lock queue, so the blocking part of the snapshot has
// waiters, blockers and held locks to resolve. Each round resets pg_stat_statements, runs one
// getActivity through core.dispatch and one bare `SELECT * FROM pg_stat_activity` on an open
// connection, then reads both statements' plan + execution time: per-call server-side
// figures for both, so medians and p95 come straight from the server. `queryMs` (what the
// snapshot reports of itself) and the wall times are recorded beside them, and the snapshot
// SQL on an open connection and a bare connect/SELECT 1/end separate the per-refresh
// connection from the statement (getActivity connects for each refresh). Prints one JSON line last.
// Run: npx tsx bench/activity.ts [--backends 200] [--refreshes 50] [--max-connections 250]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ActivitySnapshot } from '../src-main/contract/activity';
import type { Profile } from '../src-main/contract/models';
import { SNAPSHOT_SQL } from '../src-main/core/activity/snapshot';
import { createCore, type Core } from '../src-main/core/app';
import { LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/platform/postgres/server-binaries';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { arg, call, loadAverage, median, round1, round2 } from './bench-cluster';

const DB = 'bench';
const LOAD_APP = 'bench-load';
const BARE_SQL = 'SELECT * FROM pg_stat_activity';

const BACKENDS = arg('backends', 200);
const REFRESHES = arg('refreshes', 50);
const MAX_CONNECTIONS = arg('max-connections', 250);
const WARMUP = 3;

/** The fixed part of the mix; the rest is split idle / idle in transaction about 6:1. */
const ACTIVE_SLEEPS = 10;
const ROW_LOCK_ROWS = 4;
const WAITERS_PER_ROW = 2;
const TABLE_LOCK_WAITERS = 3;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(values: number[]): { median: number; p95: number; max: number } {
  return { median: round2(median(values)), p95: round2(percentile(values, 95)), max: round2(Math.max(...values)) };
}

interface Load {
  clients: pg.Client[];
  /** Queries that never return while the load stands (sleeps, lock waits): their rejection at teardown is expected. */
  pending: Array<Promise<unknown>>;
  mix: Record<string, number>;
}

async function connectLoadClient(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB, application_name: LOAD_APP });
  // Terminated at teardown: without a listener the error event would crash the bench.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Opens `n` connections, 20 at a time (200 forks at once only measure the fork storm). */
async function openClients(port: number, n: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  while (clients.length < n) {
    const batch = Math.min(20, n - clients.length);
    clients.push(...(await Promise.all(Array.from({ length: batch }, () => connectLoadClient(port)))));
  }
  return clients;
}

async function waitFor(admin: pg.Client, what: string, sql: string, expected: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const r = await admin.query<{ n: number }>(sql, [LOAD_APP]);
    const n = r.rows[0]!.n;
    if (n >= expected) return;
    if (performance.now() > deadline) throw new Error(`only ${n} of ${expected} ${what} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The 200 backends; returns once every one is in the state it was opened for. */
async function openLoad(port: number, admin: pg.Client): Promise<Load> {
  const rowLock = ROW_LOCK_ROWS * (1 + WAITERS_PER_ROW);
  const tableLock = 1 + TABLE_LOCK_WAITERS;
  const rest = BACKENDS - ACTIVE_SLEEPS - rowLock - tableLock;
  if (rest < 0) throw new Error(`--backends must be at least ${BACKENDS - rest}`);
  const idleInTx = Math.round(rest / 7);
  const mix = {
    idle: rest - idleInTx,
    idleInTransaction: idleInTx,
    activeSleep: ACTIVE_SLEEPS,
    rowLockHolders: ROW_LOCK_ROWS,
    rowLockWaiters: ROW_LOCK_ROWS * WAITERS_PER_ROW,
    tableLockHolder: 1,
    tableLockWaiters: TABLE_LOCK_WAITERS,
  };
  const clients = await openClients(port, BACKENDS);
  const take = (n: number) => clients.splice(0, n);
  const all = [...clients];
  const pending: Array<Promise<unknown>> = [];
  const background = (c: pg.Client, sql: string) => pending.push(c.query(sql).catch(() => undefined));

  await Promise.all(take(mix.idle).map((c) => c.query('SELECT 1')));
  await Promise.all(
    take(mix.idleInTransaction).map(async (c) => {
      await c.query('BEGIN');
      await c.query('SELECT txid_current()');
    }),
  );
  for (const c of take(ACTIVE_SLEEPS)) background(c, 'SELECT pg_sleep(3600)');
  for (let row = 1; row <= ROW_LOCK_ROWS; row++) {
    const holder = take(1)[0]!;
    await holder.query('BEGIN');
    await holder.query('UPDATE bench_locks SET n = n + 1 WHERE id = $1', [row]);
    for (const w of take(WAITERS_PER_ROW)) background(w, `UPDATE bench_locks SET n = n + 1 WHERE id = ${row}`);
  }
  const tableHolder = take(1)[0]!;
  await tableHolder.query('BEGIN');
  await tableHolder.query('LOCK TABLE bench_queue IN ACCESS EXCLUSIVE MODE');
  for (const w of take(TABLE_LOCK_WAITERS)) background(w, 'SELECT count(*) FROM bench_queue');

  const byApp = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`;
  await waitFor(admin, 'sleeping backends', `${byApp} AND state = 'active' AND query LIKE 'SELECT pg_sleep%'`, ACTIVE_SLEEPS);
  await waitFor(admin, 'lock waiters', `${byApp} AND wait_event_type = 'Lock'`, mix.rowLockWaiters + TABLE_LOCK_WAITERS);
  return { clients: all, pending, mix };
}

async function closeLoad(admin: pg.Client, load: Load): Promise<void> {
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [LOAD_APP]).catch(() => undefined);
  await Promise.all(load.pending);
  await Promise.all(load.clients.map((c) => c.end().catch(() => undefined)));
}

interface ServerTime {
  calls: number;
  planMs: number;
  execMs: number;
}

/** Plan + execution time per statement since the last reset (the readers' own statements are ignored). */
async function readStatements(admin: pg.Client): Promise<{ snapshot: ServerTime; bare: ServerTime }> {
  const r = await admin.query<{ which: 'snapshot' | 'bare'; calls: string; plan: number; exec: number }>(
    `SELECT CASE WHEN query = $1 THEN 'bare' ELSE 'snapshot' END AS which, sum(calls) AS calls,
            sum(total_plan_time) AS plan, sum(total_exec_time) AS exec
     FROM pg_stat_statements
     WHERE query = $1 OR (query LIKE '%pg_blocking_pids(pid)%' AND query LIKE '%json_agg%')
     GROUP BY 1`,
    [BARE_SQL],
  );
  const pick = (which: 'snapshot' | 'bare'): ServerTime => {
    const row = r.rows.find((x) => x.which === which);
    if (!row) throw new Error(`pg_stat_statements has no ${which} statement: is the extension loaded?`);
    return { calls: Number(row.calls), planMs: row.plan, execMs: row.exec };
  };
  return { snapshot: pick('snapshot'), bare: pick('bare') };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

interface Round {
  activityWallMs: number;
  queryMs: number;
  snapshotServerMs: number;
  snapshotPlanMs: number;
  bareWallMs: number;
  bareServerMs: number;
  snapshotOpenConnWallMs: number;
  connectMs: number;
  sessions: number;
  waiters: number;
}

async function oneRound(core: Core, profileId: string, admin: pg.Client, open: pg.Client, port: number): Promise<Round> {
  await admin.query('SELECT pg_stat_statements_reset()');
  const activity = await timed(() => call<ActivitySnapshot>(core, 'getActivity', { profileId }));
  const bare = await timed(() => open.query(BARE_SQL));
  const server = await readStatements(admin);
  if (server.snapshot.calls !== 1 || server.bare.calls !== 1) throw new Error(`expected one call of each statement, got ${JSON.stringify(server)}`);
  // Outside the pg_stat_statements window: same statement, so it would merge with getActivity's.
  const direct = await timed(() => open.query(SNAPSHOT_SQL));
  const connect = await timed(async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB });
    await c.connect();
    await c.query('SELECT 1');
    await c.end();
  });
  const snap = activity.value;
  return {
    activityWallMs: activity.ms,
    queryMs: snap.queryMs,
    snapshotServerMs: server.snapshot.planMs + server.snapshot.execMs,
    snapshotPlanMs: server.snapshot.planMs,
    bareWallMs: bare.ms,
    bareServerMs: server.bare.planMs + server.bare.execMs,
    snapshotOpenConnWallMs: direct.ms,
    connectMs: connect.ms,
    sessions: snap.sessions.length,
    waiters: snap.lockWaits,
  };
}

/**
 * Pieces of the snapshot statement run alone on the open connection (mean plan + execution
 * from pg_stat_statements over `n` calls each), to see where its time goes.
 */
const PARTS: Record<string, string> = {
  /** The whole snapshot statement on a backend whose catalog caches are warm (getActivity connects afresh). */
  snapshotWarmBackend: SNAPSHOT_SQL,
  pgStatActivity: BARE_SQL,
  sessionsJson: `SELECT json_agg(json_build_object('pid', pid, 'user', usename, 'state', state, 'query', query,
    'xactDurationMs', round(extract(epoch FROM now() - xact_start) * 1000)) ORDER BY pid) FROM pg_stat_activity`,
  blockingPids: `SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
  ungrantedLocks: 'SELECT count(*) FROM pg_locks WHERE NOT granted',
  databaseSize: 'SELECT pg_database_size(current_database())',
  roles: `SELECT pg_has_role(current_user, 'pg_signal_backend', 'MEMBER'), pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER')`,
};

async function measureParts(admin: pg.Client, open: pg.Client, n: number): Promise<Record<string, number>> {
  await admin.query('SELECT pg_stat_statements_reset()');
  for (let i = 0; i < n; i++) for (const sql of Object.values(PARTS)) await open.query(sql);
  const r = await admin.query<{ query: string; calls: string; ms: number }>(
    `SELECT query, calls, (total_plan_time + total_exec_time) / NULLIF(calls, 0) AS ms FROM pg_stat_statements WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
  );
  const out: Record<string, number> = {};
  for (const [name, sql] of Object.entries(PARTS)) {
    // pg_stat_statements shows constants as $n: match on the text up to the first literal.
    const head = sql.trim().split("'")[0]!;
    const row = r.rows.find((x) => x.query.trim().startsWith(head) && Number(x.calls) === n);
    out[name] = row ? round2(row.ms) : NaN;
  }
  return out;
}

async function startCluster(): Promise<{ cluster: LocalCluster; port: number; root: string }> {
  const binaries = await pickServerBinaries();
  const root = path.join(os.tmpdir(), `ops-console-bench-activity-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const cluster = new LocalCluster({
    dataDir: path.join(root, 'data'),
    binaries,
    auth: { method: 'trust' },
    durable: false,
    settings: { max_connections: String(MAX_CONNECTIONS), shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' },
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

async function prepareDatabase(port: number): Promise<pg.Client> {
  const boot = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await boot.connect();
  await boot.query(`CREATE DATABASE ${DB}`);
  await boot.end();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB, application_name: 'bench-admin' });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query('CREATE EXTENSION pg_stat_statements');
  await admin.query('CREATE TABLE bench_locks (id int PRIMARY KEY, n int NOT NULL)');
  await admin.query(`INSERT INTO bench_locks SELECT g, 0 FROM generate_series(1, ${ROW_LOCK_ROWS}) g`);
  await admin.query('CREATE TABLE bench_queue (id int)');
  return admin;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const { cluster, port, root } = await startCluster();
  let core: Core | null = null;
  let admin: pg.Client | null = null;
  let open: pg.Client | null = null;
  let load: Load | null = null;
  try {
    admin = await prepareDatabase(port);
    console.log(`load average before: ${loadBefore.join(' ')}; opening ${BACKENDS} backends…`);
    const opened = await timed(() => openLoad(port, admin!));
    load = opened.value;
    console.log(`opened in ${Math.round(opened.ms)} ms: ${JSON.stringify(load.mix)}`);
    open = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB, application_name: 'bench-baseline' });
    await open.connect();

    core = createCore({ home: path.join(root, 'home'), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
    const profile = await call<Profile>(core, 'createProfile', {
      profile: { name: DB, host: '127.0.0.1', port, database: DB, user: 'postgres', sslmode: 'disable', env: 'development', readOnly: false },
    });
    for (let i = 0; i < WARMUP; i++) await oneRound(core, profile.id, admin, open, port);

    const rounds: Round[] = [];
    for (let i = 1; i <= REFRESHES; i++) {
      const r = await oneRound(core, profile.id, admin, open, port);
      rounds.push(r);
      if (i === 1 || i % 10 === 0) {
        console.log(
          `refresh ${i}: server ${round2(r.snapshotServerMs)} ms (plan ${round2(r.snapshotPlanMs)}), queryMs ${r.queryMs}, getActivity wall ${round1(r.activityWallMs)} ms; ` +
            `bare server ${round2(r.bareServerMs)} ms, wall ${round1(r.bareWallMs)} ms; ${r.sessions} sessions, ${r.waiters} lock waits`,
        );
      }
    }
    const partsMs = await measureParts(admin, open, 20);
    console.log(`parts alone (mean plan + exec, 20 calls each): ${JSON.stringify(partsMs)}`);
    const last = await call<ActivitySnapshot>(core, 'getActivity', { profileId: profile.id });
    const of = (k: keyof Round) => stats(rounds.map((r) => r[k]));
    const snapshotServer = of('snapshotServerMs');
    const bareServer = of('bareServerMs');
    const result = {
      backends: BACKENDS,
      mix: load.mix,
      refreshes: REFRESHES,
      maxConnections: last.maxConnections,
      serverVersion: last.serverVersion,
      sessionsInSnapshot: last.sessions.length,
      lockWaits: last.lockWaits,
      blockingRoots: last.blocking.length,
      /** pg_stat_statements plan + execution time of the snapshot statement, one call per reset. */
      snapshotServerMs: snapshotServer,
      snapshotPlanMs: of('snapshotPlanMs'),
      /** What the snapshot reports of itself (clock_timestamp() - statement_timestamp()). */
      queryMs: of('queryMs'),
      /** core.dispatch('getActivity') → value: connect, SET, the statement, shaping, end. */
      getActivityWallMs: of('activityWallMs'),
      snapshotOpenConnectionWallMs: of('snapshotOpenConnWallMs'),
      connectSelect1EndMs: of('connectMs'),
      bareServerMs: bareServer,
      bareWallMs: of('bareWallMs'),
      partsMs,
      snapshotVsBareServerRatio: round2(snapshotServer.median / bareServer.median),
      snapshotVsBareWallRatio: round2(median(rounds.map((r) => r.snapshotOpenConnWallMs)) / median(rounds.map((r) => r.bareWallMs))),
      loadAverage: { before: loadBefore, after: loadAverage() },
      target: { snapshotServerMs: '< 20 per refresh' },
    };
    console.log(JSON.stringify(result));
  } finally {
    await core?.close().catch(() => undefined);
    if (admin && load) await closeLoad(admin, load);
    await open?.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
