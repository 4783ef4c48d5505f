// What the overview's one snapshot query returns, and the meter its statements go through:
// apart from overview.ts so the server-log reader (overview-log.ts) can use both without an
// import cycle.
import type pg from 'pg';

/** Server time of the statement, measured by the server itself. */
export const QUERY_MS = `round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000, 3)::float8 AS query_ms`;

export interface OverviewRow {
  server_version: string;
  server_version_num: number;
  max_connections: number;
  database_size: string;
  connections: number;
  by_state: Record<string, number>;
  blks_hit: string;
  blks_read: string;
  xacts: string;
  xact_rollback: string;
  stats_reset: Date | null;
  seconds_counted: number;
  longest_query_ms: number | null;
  longest_query_pid: number | null;
  oldest_xact_ms: number | null;
  oldest_xact_pid: number | null;
  wraparound_age: number;
  wraparound_database: string;
  in_recovery: boolean;
  replication_lag: number | null;
  replicas: number;
  pgss_schema: string | null;
  pgss_loaded: boolean;
  logging_collector: string;
  log_destination: string;
  log_line_prefix: string;
  log_privileges: boolean;
  at: Date;
  query_ms: number;
}

/** Counts what was sent on the connection and the server time of the monitoring queries. */
export class QueryMeter {
  queries = 0;
  queryMs = 0;

  constructor(private readonly client: pg.Client) {}

  /** A statement whose server time is not measured (session setup). */
  async send(sql: string): Promise<void> {
    this.queries++;
    await this.client.query(sql);
  }

  /** A statement whose last column is QUERY_MS. */
  async rows<T extends { query_ms: number }>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.queries++;
    const result = await this.client.query<T>(sql, params);
    this.queryMs += result.rows[0]?.query_ms ?? 0;
    return result.rows;
  }
}
