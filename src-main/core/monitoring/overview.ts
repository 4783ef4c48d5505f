// The Performance overview and `ops-console health`: the runbook's figures read on one
// short connection (read-only at the session level, a statement timeout of a few seconds),
// judged against the profile's thresholds. Every statement runs in autocommit and commits:
// a refresh must not itself add to pg_stat_database.xact_rollback, which is the fallback
// measure of failed queries. What could fail on privileges (the server log, pg_stat_statements)
// is checked for first, for the same reason.
import type { HealthCheck, Overview } from '../../contract/monitoring';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { formatValue, judge, profileThresholds, worstStatus, type Threshold, type ThresholdKey } from '../runbook';
import { failedQueriesFromLog, logReadable, type FailedQueries } from './overview-log';
import { QUERY_MS, QueryMeter, type OverviewRow } from './overview-row';
import { readCapacitySample, type CapacitySample } from './forecast/sample';
import { recordRelationSizes, relationSizesDue } from './forecast/history';
import { recordSnapshot, snapshotDue, type SnapshotValues } from './snapshots';
import { quoteIdent } from '../platform/postgres/sql-text';
import { ownRollbacksSince, rollbackKey } from '../platform/postgres/own-rollbacks';

export const OVERVIEW_TIMEOUT_MS = 5000;
/** A transactions-per-second figure from samples further apart than this would be an old average. */
export const TPS_MAX_SAMPLE_AGE_MS = 15 * 60_000;

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels' | 'store'>;

/** The last xact_commit + xact_rollback seen per profile, for transactions per second. */
export interface XactSample {
  atMs: number;
  xacts: number;
  statsReset: string | null;
}
export type XactSamples = Map<string, XactSample>;

export interface OverviewOptions {
  samples: XactSamples;
  password?: string;
  /** The local clock for the snapshot's rate limit (tests move it). */
  now?: () => Date;
}

// Connections are the server's (they count against max_connections); the longest query and
// the oldest transaction are this database's, like the runbook's checklist step. Wraparound
// is the server's oldest database: any database reaching it stops writes everywhere.
export const OVERVIEW_SQL = `
WITH act AS (
  SELECT pid, datname, state, xact_start, query_start
  FROM pg_stat_activity WHERE backend_type = 'client backend'
),
db AS (
  SELECT xact_commit + xact_rollback AS xacts, xact_rollback, blks_hit, blks_read, stats_reset,
         coalesce(stats_reset, pg_postmaster_start_time()) AS counting_since
  FROM pg_stat_database WHERE datname = current_database()
),
longest AS (
  SELECT pid, extract(epoch FROM clock_timestamp() - query_start) * 1000 AS ms FROM act
  WHERE state = 'active' AND datname = current_database() AND pid <> pg_backend_pid() AND query_start IS NOT NULL
  ORDER BY query_start LIMIT 1
),
oldest AS (
  SELECT pid, extract(epoch FROM clock_timestamp() - xact_start) * 1000 AS ms FROM act
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
  ORDER BY xact_start LIMIT 1
),
frozen AS (SELECT datname, age(datfrozenxid) AS age FROM pg_database ORDER BY 2 DESC LIMIT 1),
snap AS (
  SELECT
    current_setting('server_version') AS server_version,
    current_setting('server_version_num')::int AS server_version_num,
    current_setting('max_connections')::int AS max_connections,
    pg_database_size(current_database()) AS database_size,
    (SELECT count(*) FROM act)::int AS connections,
    (SELECT coalesce(json_object_agg(state, n), '{}') FROM (SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM act GROUP BY 1) s) AS by_state,
    db.blks_hit, db.blks_read, db.xacts, db.xact_rollback, db.stats_reset,
    extract(epoch FROM clock_timestamp() - db.counting_since)::float8 AS seconds_counted,
    (SELECT ms FROM longest)::float8 AS longest_query_ms, (SELECT pid FROM longest) AS longest_query_pid,
    (SELECT ms FROM oldest)::float8 AS oldest_xact_ms, (SELECT pid FROM oldest) AS oldest_xact_pid,
    (SELECT age FROM frozen)::float8 AS wraparound_age, (SELECT datname FROM frozen) AS wraparound_database,
    pg_is_in_recovery() AS in_recovery,
    CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
         ELSE (SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) FROM pg_stat_replication) END::float8 AS replication_lag,
    (SELECT count(*) FROM pg_stat_replication)::int AS replicas,
    (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements') AS pgss_schema,
    current_setting('shared_preload_libraries') ~ 'pg_stat_statements' AS pgss_loaded,
    current_setting('logging_collector') AS logging_collector,
    current_setting('log_destination') AS log_destination,
    current_setting('log_line_prefix') AS log_line_prefix,
    has_function_privilege('pg_ls_logdir()', 'EXECUTE') AND has_function_privilege('pg_read_binary_file(text, bigint, bigint)', 'EXECUTE') AS log_privileges,
    clock_timestamp() AS at
  FROM db
  OFFSET 0
)
SELECT snap.*, ${QUERY_MS} FROM snap`;

function timeoutFor(profile: Profile): number {
  const own = profile.statementTimeoutMs;
  return own !== null && own > 0 ? Math.min(own, OVERVIEW_TIMEOUT_MS) : OVERVIEW_TIMEOUT_MS;
}

function overviewError(err: unknown, profile: Profile, timeoutMs: number): Error {
  if (isServerError(err)) {
    const message =
      err.code === '57014'
        ? `The monitoring queries took more than ${timeoutMs / 1000} s on ${profile.name}; the server is struggling (see Activity, or try again in a moment).`
        : `Reading the server's statistics failed: ${err.message} (SQLSTATE ${err.code})`;
    return new OpsError('QUERY_FAILED', message, { sqlstate: err.code });
  }
  return toOpsError(err, profile);
}

/** The highest mean execution time in pg_stat_statements for this database, ms; undefined when unavailable. */
async function topQueryMeanMs(meter: QueryMeter, row: OverviewRow): Promise<number | undefined> {
  if (row.pgss_schema === null || !row.pgss_loaded) return undefined;
  const column = row.server_version_num >= 130000 ? 'mean_exec_time' : 'mean_time';
  const rows = await meter
    .rows<{ mean_ms: number; query_ms: number }>(
      `SELECT ${column}::float8 AS mean_ms, ${QUERY_MS} FROM ${quoteIdent(row.pgss_schema)}.pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY ${column} DESC LIMIT 1`,
    )
    .catch(() => []);
  return rows[0]?.mean_ms;
}

/** From the server log when this role may read it, else the rollback rate (the app's own left out), saying why. */
async function failedQueries(meter: QueryMeter, row: OverviewRow, profile: Profile): Promise<FailedQueries> {
  const countingSinceMs = row.at.getTime() - row.seconds_counted * 1000;
  const own = ownRollbacksSince(rollbackKey(profile), countingSinceMs);
  const log = logReadable(row);
  if (!log.readable) return rollbackRate(row, log.reason, own);
  const fromLog = await failedQueriesFromLog(meter);
  return 'error' in fromLog ? rollbackRate(row, fromLog.error, own) : fromLog;
}

interface Collected {
  row: OverviewRow;
  failed: FailedQueries;
  topMeanMs: number | undefined;
  capacity: CapacitySample;
  meter: QueryMeter;
}

async function collect(deps: Deps, profile: Profile, options: OverviewOptions, snapshot: boolean, relationsDue: boolean): Promise<Collected> {
  const timeoutMs = timeoutFor(profile);
  return withClient(
    deps,
    profile,
    async (client) => {
      const meter = new QueryMeter(client);
      try {
        await meter.send(`SET statement_timeout = ${timeoutMs}; SET default_transaction_read_only = on`);
        const row = (await meter.rows<OverviewRow>(OVERVIEW_SQL))[0];
        if (!row) throw new OpsError('QUERY_FAILED', 'The monitoring query returned nothing (pg_stat_database has no row for this database).');
        const failed = await failedQueries(meter, row, profile);
        const topMeanMs = snapshot ? await topQueryMeanMs(meter, row) : undefined;
        const capacity = snapshot ? await readCapacitySample(meter, relationsDue) : {};
        return { row, failed, topMeanMs, capacity, meter };
      } catch (err) {
        if (err instanceof OpsError) throw err;
        throw overviewError(err, profile, timeoutMs);
      }
    },
    options.password !== undefined ? { password: options.password } : {},
  ).catch((err: unknown) => {
    throw err instanceof OpsError ? err : toOpsError(err, profile);
  });
}

/**
 * The evening checklist's measure: rollbacks per hour since the statistics reset, over at
 * least one hour, less the `own` rollbacks this app sent itself in that time (EXPLAIN
 * ANALYZE, read-only report transactions): xact_rollback has no application_name to split by.
 */
export function rollbackRate(row: Pick<OverviewRow, 'xact_rollback' | 'seconds_counted' | 'stats_reset'>, whyNotLog: string, own = 0): FailedQueries {
  const hours = Math.max(row.seconds_counted / 3600, 1);
  const since = row.stats_reset ? `the statistics reset (${row.stats_reset.toISOString()})` : 'the server started';
  const others = Math.max(0, Number(row.xact_rollback) - own);
  return {
    perHour: Math.round((others / hours) * 100) / 100,
    source: `pg_stat_database xact_rollback per hour since ${since}, less the ${own} this app rolled back itself since it started (EXPLAIN ANALYZE, read-only reports); other clients' deliberate rollbacks count too; ${whyNotLog}`,
    noun: ['rolled-back transaction of other clients per hour on average', 'rolled-back transactions of other clients per hour on average'],
  };
}

/** Transactions per second against the previous sample of this profile, when it is recent and comparable. */
export function transactionsPerSecond(samples: XactSamples, profileId: string, current: XactSample): number | null {
  const previous = samples.get(profileId);
  samples.set(profileId, current);
  if (!previous || previous.statsReset !== current.statsReset) return null;
  const seconds = (current.atMs - previous.atMs) / 1000;
  if (seconds <= 0 || seconds * 1000 > TPS_MAX_SAMPLE_AGE_MS || current.xacts < previous.xacts) return null;
  return Math.round(((current.xacts - previous.xacts) / seconds) * 100) / 100;
}

function check(
  name: string,
  label: string,
  value: number | null,
  t: Threshold,
  extra: Partial<Pick<HealthCheck, 'summary' | 'source' | 'status'>> = {},
): HealthCheck {
  const judged = judge(value, t);
  return {
    name,
    label,
    status: extra.status ?? judged.status,
    value,
    unit: t.unit,
    warn: t.warn,
    critical: t.critical,
    summary: extra.summary ?? judged.summary,
    ...(extra.source !== undefined ? { source: extra.source } : {}),
  };
}

function seconds(ms: number | null): number {
  return ms === null ? 0 : Math.round(ms / 100) / 10;
}

function replicationCheck(row: OverviewRow, t: Threshold): HealthCheck {
  if (row.in_recovery) {
    return check('replicationLag', 'Replication lag', row.replication_lag, t, { source: 'this server is a standby: WAL received but not yet replayed' });
  }
  if (row.replicas === 0) {
    return check('replicationLag', 'Replication lag', null, t, {
      status: 'ok',
      summary: `No replicas: nothing can lag behind (${formatValue(t.warn, t.unit)} would be a warning)`,
      source: 'pg_stat_replication',
    });
  }
  if (row.replication_lag === null) {
    return check('replicationLag', 'Replication lag', null, t, {
      summary: `${row.replicas} replica(s) connected, but their positions are hidden from this role (grant it pg_monitor)`,
      source: 'pg_stat_replication',
    });
  }
  return check('replicationLag', 'Replication lag', row.replication_lag, t, {
    source: `slowest of ${row.replicas} replica(s), replay position (pg_stat_replication)`,
  });
}

function failedCheck(failed: FailedQueries, t: Threshold): HealthCheck {
  const summary = failed.noun ? judge(failed.perHour, t, failed.noun).summary : undefined;
  return check('failedQueries', 'Failed queries per hour', failed.perHour, t, { source: failed.source, ...(summary !== undefined ? { summary } : {}) });
}

/** Judges the figures; pure, so the thresholds' effect is testable without a server. */
export function buildChecks(row: OverviewRow, failed: FailedQueries, thresholdOf: (key: ThresholdKey) => Threshold): HealthCheck[] {
  const hit = Number(row.blks_hit);
  const read = Number(row.blks_read);
  const cacheHit = hit + read > 0 ? Math.round((hit / (hit + read)) * 10_000) / 100 : null;
  const connections = thresholdOf('connections');
  const longest = seconds(row.longest_query_ms);
  const oldest = seconds(row.oldest_xact_ms);
  return [
    check('dbSize', 'Database size', Number(row.database_size), thresholdOf('dbSize')),
    check('connections', 'Connections', row.connections, connections, {
      summary: `${judge(row.connections, connections).summary}; the server allows ${row.max_connections}`,
      source: 'client backends on the whole server (pg_stat_activity)',
    }),
    check('cacheHit', 'Cache hit ratio', cacheHit, thresholdOf('cacheHit'), {
      source: 'blks_hit / (blks_hit + blks_read) of this database since the statistics reset',
      ...(cacheHit === null ? { status: 'ok' as const, summary: 'Cache hit ratio: no block read yet since the statistics reset' } : {}),
    }),
    check('queryTime', 'Longest running query', longest, thresholdOf('queryTime'), {
      source: row.longest_query_pid === null ? 'no active query in this database' : `backend ${row.longest_query_pid}, active statements of this database`,
    }),
    check('oldestTransaction', 'Oldest open transaction', oldest, thresholdOf('oldestTransaction'), {
      source: row.oldest_xact_pid === null ? 'no open transaction in this database' : `backend ${row.oldest_xact_pid}, transactions of this database`,
    }),
    replicationCheck(row, thresholdOf('replicationLag')),
    check('wraparound', 'Transaction ID wraparound', row.wraparound_age, thresholdOf('wraparound'), {
      source: `age(datfrozenxid) of the oldest database on the server (${row.wraparound_database})`,
    }),
    failedCheck(failed, thresholdOf('failedQueries')),
  ];
}

export async function getOverview(deps: Deps, profile: Profile, options: OverviewOptions): Promise<Overview> {
  const now = options.now?.() ?? new Date();
  const wantSnapshot = snapshotDue(deps.store, profile.id, now);
  const { row, failed, topMeanMs, capacity, meter } = await collect(deps, profile, options, wantSnapshot, relationSizesDue(deps.store, profile.id, now));
  const checks = buildChecks(row, failed, profileThresholds(deps, profile.id));
  const statsReset = row.stats_reset?.toISOString() ?? null;
  const tps = transactionsPerSecond(options.samples, profile.id, { atMs: row.at.getTime(), xacts: Number(row.xacts), statsReset });
  const cacheHitRatio = checks.find((c) => c.name === 'cacheHit')?.value ?? null;
  const figures: Overview['figures'] = {
    databaseSizeBytes: Number(row.database_size),
    connections: row.connections,
    maxConnections: row.max_connections,
    byState: row.by_state,
    cacheHitRatio,
    transactionsPerSecond: tps,
    longestQueryMs: row.longest_query_ms === null ? null : Math.round(row.longest_query_ms),
    oldestTransactionMs: row.oldest_xact_ms === null ? null : Math.round(row.oldest_xact_ms),
    replicationLagBytes: row.replication_lag,
    wraparoundAge: row.wraparound_age,
    statsReset,
  };
  if (wantSnapshot) {
    const values: SnapshotValues = { databaseSizeBytes: figures.databaseSizeBytes, connections: figures.connections };
    if (cacheHitRatio !== null) values.cacheHitRatio = cacheHitRatio;
    if (tps !== null) values.transactionsPerSecond = tps;
    if (topMeanMs !== undefined) values.topQueryMeanMs = topMeanMs;
    // For the capacity forecast (issue #23): the server's oldest age(datfrozenxid), the fullest sequence.
    values.wraparoundAge = row.wraparound_age;
    if (capacity.sequenceMaxPct !== undefined) values.sequenceMaxPct = capacity.sequenceMaxPct;
    if (recordSnapshot(deps.store, profile.id, values, now) && capacity.relations) recordRelationSizes(deps.store, profile.id, capacity.relations, now);
  }
  return {
    at: row.at.toISOString(),
    profile: profile.name,
    serverVersion: row.server_version,
    status: worstStatus(checks.map((c) => c.status)),
    checks,
    figures,
    queryMs: Math.round(meter.queryMs * 10) / 10,
    queries: meter.queries,
  };
}
