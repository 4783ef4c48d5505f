// Failed queries per hour from the server log, the runbook's own measure, when this role may
// read it: ERROR lines of the last hour in the tail of the log files written in that hour.
// The server does the reading and the date parsing (it knows its log_timezone's
// abbreviations); bytes go through encode(…, 'escape') so a read that starts inside a
// multibyte character cannot fail. Anything else is the caller's fallback.
import type { OverviewRow, QueryMeter } from './overview-row';

export interface FailedQueries {
  perHour: number;
  source: string;
  /** How the summary counts, when it is not the threshold's own "failed queries in the last hour". */
  noun?: readonly [string, string];
}

/** Per file, how much of its end is read: enough for an hour of a normal log, cheap to scan. */
export const LOG_TAIL_BYTES = 1024 * 1024;

const LOG_SQL = `
WITH files AS (
  SELECT name, size FROM pg_ls_logdir()
  WHERE modification > clock_timestamp() - interval '1 hour' AND name LIKE '%.log'
  ORDER BY modification DESC LIMIT 3
),
lines AS (
  SELECT f.size > $1 AS cut, line
  FROM files f,
       regexp_split_to_table(encode(pg_read_binary_file(current_setting('log_directory') || '/' || f.name, greatest(f.size - $1, 0), $1), 'escape'), E'\\n') AS line
  WHERE line ~ '^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d'
),
stamped AS (
  SELECT cut, line, substring(line FROM '^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?: [A-Za-z]{2,6}| ?[+-]\\d\\d(?::?\\d\\d)?)?)')::timestamptz AS at
  FROM lines
)
SELECT (SELECT count(*) FROM files)::int AS files,
       count(*) FILTER (WHERE at > clock_timestamp() - interval '1 hour' AND line ~ ' ERROR:  ')::int AS errors,
       bool_or(cut) AS cut,
       min(at) AS earliest,
       round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000, 3)::float8 AS query_ms
FROM stamped`;

interface LogRow {
  files: number;
  errors: number;
  cut: boolean | null;
  earliest: Date | null;
  query_ms: number;
}

/** Whether reading the log is worth a try; if not, why (said in the fallback's source). */
export function logReadable(row: Pick<OverviewRow, 'logging_collector' | 'log_destination' | 'log_line_prefix' | 'log_privileges'>): {
  readable: boolean;
  reason: string;
} {
  if (row.logging_collector !== 'on') return { readable: false, reason: 'the server log is not collected into files (logging_collector is off)' };
  if (!row.log_destination.split(',').some((d) => d.trim() === 'stderr'))
    return { readable: false, reason: `the server log is not in the plain format (log_destination = ${row.log_destination})` };
  if (!/%[mt]/.test(row.log_line_prefix)) return { readable: false, reason: 'the server log lines carry no timestamp (log_line_prefix has no %m or %t)' };
  if (!row.log_privileges)
    return { readable: false, reason: 'this role may not read the server log (needs pg_monitor and pg_read_server_files, or a superuser)' };
  return { readable: true, reason: '' };
}

/** The last hour's ERROR lines, or why the log could not be read after all. */
export async function failedQueriesFromLog(meter: QueryMeter): Promise<FailedQueries | { error: string }> {
  try {
    const [row] = await meter.rows<LogRow>(LOG_SQL, [LOG_TAIL_BYTES]);
    if (!row) return { error: 'the server log query returned nothing' };
    const hourAgo = Date.now() - 3600_000;
    const partial = row.cut === true && row.earliest !== null && row.earliest.getTime() > hourAgo;
    return {
      perHour: row.errors,
      source:
        row.files === 0
          ? 'server log: no log file written in the last hour'
          : `server log: ERROR lines of the last hour in ${row.files} file(s)${partial ? `, from ${row.earliest!.toISOString()} only (the last ${LOG_TAIL_BYTES / 1024 / 1024} MB of each file)` : ''}`,
    };
  } catch (err) {
    return { error: `the server log could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}
