// The monitoring benchmark's server side (bench/monitoring.ts): a throwaway cluster set up as
// a superuser's dashboard would find it, databases of generated tables and indexes, and the
// statement counting (pg_stat_statements + the server log) with EXPLAIN of the costliest.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/platform/postgres/server-binaries';
import { round1, round2 } from './bench-cluster';

/** The profile's role: its statements are told apart from the bench's own in pg_stat_statements. */
export const ROLE = 'ops_bench';
/** Tables created per transaction (each takes a few locks: table, sequence, TOAST, indexes). */
const BATCH = 50;
/** Sessions generating at once: the machine has two cores. */
const GENERATORS = 2;

export async function startCluster(): Promise<{ cluster: LocalCluster; port: number; root: string }> {
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
      // Tables, their sequences and indexes are created 50 tables per transaction.
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

export interface Shape {
  tables: number;
  indexes: number;
  rows: number;
}

const tableName = (i: number): string => `t_${String(i).padStart(5, '0')}`;

/**
 * The indexes beyond the primary keys, per table: round 0 puts (a) on every table, round 1
 * (c) on as many as needed — (a, c) on the first 20 (overlapping (a)) and a second (a) on
 * the next 10 (duplicates) — and further rounds (b), (d), (a, b).
 */
function extraIndexes(shape: Shape, i: number): string[] {
  const extra = shape.indexes - shape.tables;
  const rounds = [() => 'a', (t: number) => (t < 20 ? 'a, c' : t < 30 ? 'a' : 'c'), () => 'b', () => 'd', () => 'a, b'];
  const out: string[] = [];
  for (let r = 0; r < rounds.length && r * shape.tables + i < extra; r++) out.push(rounds[r]!(i));
  return out;
}

function tableSql(shape: Shape, i: number): string {
  const t = tableName(i);
  const idx = extraIndexes(shape, i).map((cols, k) => `CREATE INDEX ${t}_x${k} ON ${t} (${cols});`);
  return [
    `CREATE TABLE ${t} (id serial PRIMARY KEY, a int NOT NULL, b text, c timestamptz NOT NULL DEFAULT now(), d numeric);`,
    `INSERT INTO ${t} (a, b, c, d) SELECT g, md5(g::text), now() - g * interval '1 hour', g * 1.5 FROM generate_series(1, ${shape.rows}) g;`,
    ...idx,
  ].join('\n');
}

/** Runs `sqlOf(i)` for every table, BATCH tables per message, on GENERATORS sessions at once. */
async function inBatches(port: number, database: string, count: number, sqlOf: (i: number) => string): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, application_name: 'bench-generate' });
    await c.connect();
    try {
      while (next < count) {
        const start = next;
        next = Math.min(count, next + BATCH);
        const sqls: string[] = [];
        for (let i = start; i < next; i++) sqls.push(sqlOf(i));
        await c.query(sqls.join('\n'));
      }
    } finally {
      await c.end();
    }
  };
  await Promise.all(Array.from({ length: GENERATORS }, worker));
}

export interface Generated {
  ms: number;
  createMs: number;
  tables: number;
  indexes: number;
  dbMb: number;
  pgStatStatementsEntries: number;
}

/**
 * A database of `shape.tables` tables t_NNNNN (id serial PRIMARY KEY, a, b text, c, d),
 * `shape.rows` rows each, `shape.indexes` indexes in all; then ANALYZE and a light workload
 * (an index lookup and a filtered count per table) so the statistics and pg_stat_statements
 * look like a database in use.
 */
export async function generate(port: number, database: string, shape: Shape): Promise<Generated> {
  const extra = shape.indexes - shape.tables;
  if (extra < 0 || extra > 5 * shape.tables) throw new Error(`--indexes must be between --tables and 6 × --tables`);
  const boot = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await boot.connect();
  await boot.query(`CREATE DATABASE ${database}`);
  await boot.end();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, application_name: 'bench-admin' });
  await admin.connect();
  try {
    await admin.query('CREATE EXTENSION pg_stat_statements');
    const t0 = performance.now();
    await inBatches(port, database, shape.tables, (i) => tableSql(shape, i));
    const createMs = performance.now() - t0;
    await admin.query('ANALYZE');
    await inBatches(
      port,
      database,
      shape.tables,
      (i) => `SELECT * FROM ${tableName(i)} WHERE id = 1; SELECT count(*) FROM ${tableName(i)} WHERE b IS NOT NULL;`,
    );
    const ms = performance.now() - t0;
    const r = await admin.query<{ tables: number; indexes: number; bytes: string; pgss: number }>(
      `SELECT (SELECT count(*)::int FROM pg_stat_user_tables) AS tables, (SELECT count(*)::int FROM pg_stat_user_indexes) AS indexes,
              pg_database_size(current_database()) AS bytes,
              (SELECT count(*)::int FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS pgss`,
    );
    const row = r.rows[0]!;
    if (row.tables !== shape.tables || row.indexes !== shape.indexes)
      throw new Error(`expected ${shape.tables} tables and ${shape.indexes} indexes in ${database}, found ${row.tables} and ${row.indexes}`);
    return { ms, createMs, tables: row.tables, indexes: row.indexes, dbMb: round1(Number(row.bytes) / 1e6), pgStatStatementsEntries: row.pgss };
  } finally {
    await admin.end();
  }
}

export interface Statements {
  /** Statements that completed (pg_stat_statements records no failed statement). */
  statements: number;
  /** Query messages sent, from the server log. */
  messages: number;
  /** Statements that failed (the server log's ERROR lines). */
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

/** EXPLAIN (ANALYZE, BUFFERS) of a statement the refresh sent, in the report's own settings: printed whole, summarised in the JSON. */
export async function explain(admin: pg.Client, sql: string): Promise<{ query: string; planningMs: number; executionMs: number }> {
  await admin.query('BEGIN READ ONLY');
  let plan: string[];
  try {
    await admin.query('SET LOCAL jit = off');
    const r = await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
    plan = r.rows.map((row) => row['QUERY PLAN']);
  } finally {
    await admin.query('ROLLBACK');
  }
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
    text += fs.readFileSync(path.join(logDir, f)).subarray(from).toString('utf8');
  }
  // Simple-query messages log "statement: …" (one line per message, even holding two
  // statements); extended-protocol ones "execute <unnamed>: …". Only lines that start with
  // the default prefix ("%m [%p] "): a logged statement's own continuation lines may hold
  // the same words (the overview's log query does).
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

/** Resets pg_stat_statements, runs `fn`, and reads what the profile's role sent meanwhile (in `admin`'s database). */
export async function countStatements(admin: pg.Client, logDir: string, fn: () => Promise<unknown>): Promise<Statements> {
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
    topTexts: r.rows.slice(0, 3).flatMap((row) => {
      const head = normalise(row.query).split('$')[0]!;
      const text = logged.statements.find((t) => normalise(t).startsWith(head));
      return text ? [text] : [];
    }),
    distinct: r.rows.length,
    serverMs: round2(r.rows.reduce((sum, row) => sum + row.plan + row.exec, 0)),
    sessions,
    byKind,
    top: r.rows
      .slice(0, 6)
      .map((row) => ({ ms: round2(row.plan + row.exec), planMs: round2(row.plan), calls: Number(row.calls), query: normalise(row.query).slice(0, 120) })),
  };
}

export interface ServerCost {
  /** Server wall time of the statement (EXPLAIN ANALYZE's execution time, TIMING OFF), ms. */
  executionMs: Stats;
  /** CPU time of the backend over the statement, ms (/proc: 10 ms ticks) — what the machine's load does not inflate. */
  cpuMs: Stats;
}
type Stats = { median: number; min: number; max: number };

function backendCpuMs(pid: number): number {
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, counted after the command name's ")".
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

/**
 * The reports' main statements run as the reports run them — a fresh connection (an empty
 * relcache: every relation the statement opens is loaded again), BEGIN READ ONLY, JIT off —
 * but without their 5 s statement timeout, so a size where the app's call times out still
 * says what the statement costs. Each statement `rounds` times, median. With `warm`, the
 * statement first runs once unmeasured on that connection, in its own transaction: what a
 * report costs on the warm connection the dashboard keeps between refreshes (report-pool.ts).
 */
export async function serverCost(
  port: number,
  database: string,
  statements: Record<string, string>,
  rounds: number,
  warm = false,
): Promise<Record<string, ServerCost>> {
  const out: Record<string, ServerCost> = {};
  for (const [name, sql] of Object.entries(statements)) {
    const exec: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: ROLE, database, application_name: 'bench-cost' });
      await c.connect();
      try {
        const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        if (warm) await c.query(`BEGIN READ ONLY; SET LOCAL jit = off; ${sql}; COMMIT`);
        await c.query('BEGIN READ ONLY');
        await c.query('SET LOCAL jit = off');
        const before = backendCpuMs(pid);
        const plan = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF) ${sql}`)).rows.map((r) => r['QUERY PLAN']);
        cpu.push(backendCpuMs(pid) - before);
        exec.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? NaN));
        await c.query('COMMIT');
      } finally {
        await c.end();
      }
    }
    const stats = (v: number[]): Stats => ({
      median: round1([...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!),
      min: round1(Math.min(...v)),
      max: round1(Math.max(...v)),
    });
    out[name] = { executionMs: stats(exec), cpuMs: stats(cpu) };
  }
  return out;
}
