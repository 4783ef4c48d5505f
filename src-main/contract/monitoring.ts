// Performance and storage monitoring (issue #9): the runbook's metrics judged against the
// profile's thresholds, pg_stat_statements, index and table health, VACUUM with progress,
// the shop's own figures and a local history of key figures. Pure types and zod.
import { z } from 'zod';
import type { CheckStatus, ThresholdUnitName } from './runbook';

const profileInput = { profileId: z.string().min(1), password: z.string().max(1024).optional() };
/**
 * The cache hit ratio's thresholds (percent, lower is worse): the one source of truth for
 * the app's default threshold (runbook/thresholds.ts, which a profile may override) and the
 * toolkit's check_system_health() grading on the server (toolkit-sql-health.ts).
 */
export const CACHE_HIT_THRESHOLDS = { warn: 99, critical: 95 } as const;

export const monitoringInput = z.object(profileInput).strict();

/** One judged figure; `health` (CLI) prints these. */
export interface HealthCheck {
  /** Stable key: dbSize, connections, queryTime, failedQueries, cacheHit, wraparound, replicationLag, oldestTransaction… */
  name: string;
  label: string;
  status: CheckStatus;
  value: number | null;
  unit: ThresholdUnitName;
  warn: number | null;
  critical: number | null;
  /** The value and thresholds in words, or why it is UNKNOWN. */
  summary: string;
  /** Where the value comes from, when that matters ("pg_stat_database xact_rollback since the statistics reset"). */
  source?: string;
}

export interface Overview {
  at: string;
  profile: string;
  serverVersion: string;
  status: CheckStatus;
  checks: HealthCheck[];
  /** Figures shown without a threshold. */
  figures: {
    databaseSizeBytes: number;
    connections: number;
    maxConnections: number;
    byState: Record<string, number>;
    cacheHitRatio: number | null;
    transactionsPerSecond: number | null;
    longestQueryMs: number | null;
    oldestTransactionMs: number | null;
    replicationLagBytes: number | null;
    wraparoundAge: number;
    statsReset: string | null;
  };
  /** Time the monitoring queries took on the server, ms, and how many were sent. */
  queryMs: number;
  queries: number;
}

export const topQueriesInput = z
  .object({
    ...profileInput,
    orderBy: z.enum(['total', 'mean', 'calls', 'rows', 'reads']).default('total'),
    limit: z.number().int().min(1).max(500).default(50),
    /** Leave out the app's own and its tools' statements (OWN_STATEMENTS_RULE); on by default. */
    hideOwn: z.boolean().default(true),
  })
  .strict();

/**
 * How the app's own statements are recognised, since pg_stat_statements keeps no
 * application_name: pg_dump's and pg_restore's data transfer (COPY … TO stdout / FROM
 * stdin), the session chatter of tools (SET, SHOW, BEGIN, COMMIT, ROLLBACK, LOCK TABLE,
 * set_config), and reads of the system catalogs and statistics views (pg_catalog,
 * pg_stat_*, information_schema, current_setting): the monitoring polls, the guard's and
 * the tools' catalog reads. Another tool's catalog reads are hidden too: they are not the
 * application's workload either.
 */
export const OWN_STATEMENTS_RULE =
  "pg_dump/pg_restore COPY, tools' session commands (SET, SHOW, BEGIN, COMMIT, ROLLBACK, LOCK TABLE) and reads of the system catalogs and statistics views (this app's polling included)";

export interface TopQuery {
  queryid: string;
  query: string;
  user: string | null;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  sharedBlksRead: number;
  sharedBlksHit: number;
}

export interface TopQueries {
  /** False when pg_stat_statements is not installed in this database; `reason` says how to enable it. */
  available: boolean;
  reason: string | null;
  statsReset: string | null;
  orderBy: 'total' | 'mean' | 'calls' | 'rows' | 'reads';
  queries: TopQuery[];
  /** Whether the app's own statements were left out, and how many of this database's statements that hid. */
  hideOwn: boolean;
  hidden: number;
}

export interface IndexUsage {
  schema: string;
  table: string;
  index: string;
  scans: number;
  tuplesRead: number;
  tuplesFetched: number;
  bytes: number;
  unique: boolean;
  primary: boolean;
  /** Backs a constraint (primary key, unique, exclusion): never a candidate for dropping. */
  constraint: boolean;
  valid: boolean;
  definition: string;
  /**
   * In a platform-managed schema (auth, storage, realtime… contract/platform-schemas.ts):
   * shown, but never in `unused` or on the drop side of `duplicates`, and offered no DROP.
   */
  platform: boolean;
}

export interface IndexReport {
  statsReset: string | null;
  indexes: IndexUsage[];
  /** Never scanned since the statistics reset, not unique/primary/constraint-backing, not in a platform schema. */
  unused: IndexUsage[];
  /** Same table and same key columns (duplicates), or one's columns a leading prefix of another's (overlapping). */
  duplicates: Array<{ kind: 'duplicate' | 'overlapping'; keep: IndexUsage; drop: IndexUsage }>;
  invalid: IndexUsage[];
  /** Tables read mostly by sequential scans over many rows: a missing index is likely. */
  seqScanHeavy: Array<{ schema: string; table: string; seqScans: number; seqTuplesRead: number; indexScans: number; rows: number }>;
}

export interface TableStats {
  schema: string;
  table: string;
  tableBytes: number;
  indexBytes: number;
  toastBytes: number;
  rowEstimate: number;
  deadTuples: number;
  /** Dead tuples as a share of live + dead, percent: a cheap bloat estimate. */
  deadPct: number;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
  /** In a platform-managed schema (auth, storage… contract/platform-schemas.ts): the platform's table, shown and labelled as such. */
  platform: boolean;
}

export interface TableReport {
  tables: TableStats[];
  /**
   * Sequences by how much of their range is used, fullest first. The range ends where the
   * columns the sequence feeds end: `maxValue` is the column type's maximum when that is
   * below the sequence's own (an int4 column fed by a bigint sequence: 2147483647), and
   * `column`/`columnType` name that column ("public.orders.id", "integer"); null otherwise.
   */
  sequences: Array<{
    schema: string;
    sequence: string;
    lastValue: number | null;
    maxValue: number;
    /** The same, exact (decimal text): near the bigint maximum a number is rounded; screens show these. */
    lastValueText: string | null;
    maxValueText: string;
    pctUsed: number;
    column: string | null;
    columnType: string | null;
  }>;
  /** Supabase Storage (storage.objects) per bucket; null when there is no such table. */
  buckets: Array<{ bucket: string; objects: number; bytes: number }> | null;
}

export const vacuumInput = z
  .object({
    ...profileInput,
    schema: z.string().min(1).max(200),
    table: z.string().min(1).max(200),
    analyze: z.boolean().default(true),
    /** VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock. */
    full: z.boolean().default(false),
    confirmName: z.string().optional(),
    jobId: z.string().min(1).max(100).optional(),
  })
  .strict();

export interface VacuumResult {
  schema: string;
  table: string;
  full: boolean;
  analyze: boolean;
  durationMs: number;
  deadTuplesBefore: number;
  deadTuplesAfter: number;
}

/** Pushed about once a second while VACUUM runs (from pg_stat_progress_vacuum / _cluster). */
export interface VacuumProgressEvent {
  type: 'vacuum.progress';
  jobId: string;
  phase: string;
  /** Heap blocks scanned (or written, for FULL) of the total; null when the view has no row yet. */
  done: number | null;
  total: number | null;
  percent: number | null;
  elapsedMs: number;
}

export interface AppMetrics {
  /** Distinct designs.user_id in the last 24 hours. */
  activeUsers24h: number | null;
  /** Orders past "pending" among the last 7 days' orders, percent. */
  conversionRate7d: number | null;
  today: { newOrders: number | null; shipped: number | null; revenue: number | null; newDesigns: number | null };
  /** Why some figures are missing (the shop's tables are not in this database). */
  notes: string[];
}

export type HistoryMetric = 'databaseSizeBytes' | 'connections' | 'cacheHitRatio' | 'topQueryMeanMs' | 'transactionsPerSecond';

export const historyInput = z
  .object({
    profileId: z.string().min(1),
    metric: z.enum(['databaseSizeBytes', 'connections', 'cacheHitRatio', 'topQueryMeanMs', 'transactionsPerSecond']),
    /** How far back: hours. */
    hours: z
      .number()
      .min(1)
      .max(24 * 366)
      .default(24),
  })
  .strict();

export interface MetricHistory {
  metric: HistoryMetric;
  points: Array<{ at: string; value: number }>;
}
