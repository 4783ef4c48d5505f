// Top statements from pg_stat_statements, for this database only. The extension's column
// names changed in PostgreSQL 13 (extension 1.8: total_time → total_exec_time, mean_time →
// mean_exec_time); which ones the installed view has is read from the catalog rather than
// guessed from the server version, because an extension not yet updated after an upgrade
// keeps its old view. pg_stat_statements_info (14+, extension 1.9) says when the
// statistics were last reset.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { TopQueries, TopQuery } from '../../contract/monitoring';
import { qualifiedName } from '../platform/postgres/sql-text';
import { isoOrNull, num, optionalPart, readReport, type ReportDeps } from './report-read';

export type TopQueriesOrder = TopQueries['orderBy'];

interface ExtensionRow {
  schema: string;
  exec_columns: boolean;
  has_info: boolean;
}

interface StatementRow {
  queryid: string | null;
  query: string | null;
  user: string | null;
  calls: string;
  total_ms: number;
  mean_ms: number;
  rows: string;
  shared_blks_read: string;
  shared_blks_hit: string;
}

/** Where the extension lives in this database, and which generation of its view it has. */
const EXTENSION_SQL = `
SELECT n.nspname AS schema,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass(quote_ident(n.nspname) || '.pg_stat_statements')
               AND a.attname = 'total_exec_time' AND NOT a.attisdropped) AS exec_columns,
       to_regclass(quote_ident(n.nspname) || '.pg_stat_statements_info') IS NOT NULL AS has_info
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_stat_statements'`;

export function notInstalledReason(database: string): string {
  return (
    `pg_stat_statements is not installed in database "${database}". To enable it: add pg_stat_statements to shared_preload_libraries ` +
    `in postgresql.conf (keep any libraries already listed there) and restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; ` +
    `in this database. On Supabase: Database → Extensions, enable pg_stat_statements (the server already preloads it).`
  );
}

export function notLoadedReason(database: string): string {
  return (
    `pg_stat_statements is created in database "${database}" but the server has not loaded its library, so it collects nothing. ` +
    `Add pg_stat_statements to shared_preload_libraries in postgresql.conf (keep any libraries already listed there) and restart PostgreSQL.`
  );
}

/** Column expressions per sort key; the time columns depend on the view's generation. */
function orderExpression(orderBy: TopQueriesOrder, total: string, mean: string): string {
  switch (orderBy) {
    case 'total':
      return `s.${total}`;
    case 'mean':
      return `s.${mean}`;
    case 'calls':
      return 's.calls';
    case 'rows':
      return 's.rows';
    case 'reads':
      return 's.shared_blks_read';
  }
}

// The app's own and its tools' statements (contract OWN_STATEMENTS_RULE), as PostgreSQL
// regular expressions over pg_stat_statements.query (\m, \M: word edges).
const OWN_STATEMENT = String.raw`(s.query ~* '^\s*COPY\s.*\s(TO\s+stdout|FROM\s+stdin)'
   OR s.query ~* '^\s*(SET|SHOW|RESET|DISCARD|BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|LOCK\s+TABLE)\M'
   OR s.query ~* '(\mpg_catalog\.|\mpg_stat_|\minformation_schema\.|\mcurrent_setting\s*\(|\mset_config\s*\(|\mpg_(class|namespace|database|roles|authid|settings|extension|attribute|index|constraint|proc|depend|locks|sequence|tables|indexes|trigger|type|description|backend_pid|is_in_recovery)\M)')`;

/** How many of this database's statements the own-statement rule hides. */
export function hiddenCountSql(schema: string): string {
  return `SELECT count(*)::int AS n FROM ${qualifiedName(schema, 'pg_stat_statements')} s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ${OWN_STATEMENT}`;
}

export function statementsSql(schema: string, execColumns: boolean, orderBy: TopQueriesOrder): string {
  const total = execColumns ? 'total_exec_time' : 'total_time';
  const mean = execColumns ? 'mean_exec_time' : 'mean_time';
  return `
SELECT s.queryid::text AS queryid, s.query, r.rolname AS "user", s.calls, s.${total}::float8 AS total_ms, s.${mean}::float8 AS mean_ms,
       s.rows, s.shared_blks_read, s.shared_blks_hit
FROM ${qualifiedName(schema, 'pg_stat_statements')} s
LEFT JOIN pg_roles r ON r.oid = s.userid
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND NOT ($2::boolean AND coalesce(${OWN_STATEMENT}, false))
ORDER BY ${orderExpression(orderBy, total, mean)} DESC NULLS LAST, s.queryid
LIMIT $1`;
}

function toTopQuery(r: StatementRow): TopQuery {
  return {
    queryid: r.queryid ?? '',
    query: r.query ?? '',
    user: r.user,
    calls: num(r.calls),
    totalMs: r.total_ms,
    meanMs: r.mean_ms,
    rows: num(r.rows),
    sharedBlksRead: num(r.shared_blks_read),
    sharedBlksHit: num(r.shared_blks_hit),
  };
}

async function readTopQueries(client: pg.Client, profile: Profile, orderBy: TopQueriesOrder, limit: number, hideOwn: boolean): Promise<TopQueries> {
  const ext = (await client.query<ExtensionRow>(EXTENSION_SQL)).rows[0];
  const unavailable = (reason: string): TopQueries => ({ available: false, reason, statsReset: null, orderBy, queries: [], hideOwn, hidden: 0 });
  if (!ext) return unavailable(notInstalledReason(profile.database));
  // Created but not preloaded: reading the view raises 55000 ("must be loaded via shared_preload_libraries").
  const rows = await optionalPart<StatementRow[] | string>(
    client,
    async () => (await client.query<StatementRow>(statementsSql(ext.schema, ext.exec_columns, orderBy), [limit, hideOwn])).rows,
    (err) => (err.code === '55000' ? notLoadedReason(profile.database) : `Reading pg_stat_statements failed: ${err.message} (SQLSTATE ${err.code ?? '?'})`),
  );
  if (typeof rows === 'string') return unavailable(rows);
  let statsReset: string | null = null;
  if (ext.has_info) {
    const info = await client.query<{ stats_reset: Date | null }>(`SELECT stats_reset FROM ${qualifiedName(ext.schema, 'pg_stat_statements_info')}`);
    statsReset = isoOrNull(info.rows[0]?.stats_reset);
  }
  const hidden = hideOwn ? ((await client.query<{ n: number }>(hiddenCountSql(ext.schema))).rows[0]?.n ?? 0) : 0;
  return { available: true, reason: null, statsReset, orderBy, queries: rows.map(toTopQuery), hideOwn, hidden };
}

export function getTopQueries(
  deps: ReportDeps,
  profile: Profile,
  input: { orderBy: TopQueriesOrder; limit: number; hideOwn?: boolean; password?: string | undefined },
): Promise<TopQueries> {
  return readReport(deps, profile, input.password, 'pg_stat_statements', (client) =>
    readTopQueries(client, profile, input.orderBy, input.limit, input.hideOwn ?? true),
  );
}
