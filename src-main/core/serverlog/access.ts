// Can this role read this server's log, and if not, why and what would fix it. The facts come
// from the server (pg_settings as this role sees it, function privileges, roles); the
// explanation names the setting or the grant, as SQL to copy, never a guess.
import type pg from 'pg';
import type { ServerLogSettings, ServerLogUnavailable } from '../../contract/serverlog';

export interface LogAccessRow {
  role: string;
  superuser: boolean;
  logging_collector: string | null;
  log_destination: string | null;
  log_directory: string | null;
  log_line_prefix: string | null;
  data_directory: string | null;
  can_list: boolean;
  can_read: boolean;
  can_current: boolean;
  server_files: boolean;
  supabase: boolean;
}

// pg_settings hides what this role may not see (a null here), where current_setting() would fail.
const ACCESS_SQL = `
SELECT current_user AS role,
  coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
  (SELECT setting FROM pg_settings WHERE name = 'logging_collector') AS logging_collector,
  (SELECT setting FROM pg_settings WHERE name = 'log_destination') AS log_destination,
  (SELECT setting FROM pg_settings WHERE name = 'log_directory') AS log_directory,
  (SELECT setting FROM pg_settings WHERE name = 'log_line_prefix') AS log_line_prefix,
  (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data_directory,
  has_function_privilege('pg_catalog.pg_ls_logdir()', 'EXECUTE') AS can_list,
  has_function_privilege('pg_catalog.pg_read_binary_file(text, bigint, bigint)', 'EXECUTE') AS can_read,
  has_function_privilege('pg_catalog.pg_current_logfile(text)', 'EXECUTE') AS can_current,
  pg_has_role('pg_read_server_files', 'USAGE') AS server_files,
  EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin') AS supabase`;

export async function readAccess(client: pg.Client): Promise<LogAccessRow> {
  const { rows } = await client.query<LogAccessRow>(ACCESS_SQL);
  return rows[0]!;
}

export function settingsOf(row: LogAccessRow): ServerLogSettings {
  return {
    loggingCollector: row.logging_collector,
    logDestination: row.log_destination,
    logDirectory: row.log_directory,
    logLinePrefix: row.log_line_prefix,
    role: row.role,
  };
}

/** The file destinations the collector writes, in the order we prefer to read them. */
export function fileDestinations(logDestination: string | null): Array<'jsonlog' | 'csvlog' | 'stderr'> {
  const dests = (logDestination ?? '').split(',').map((d) => d.trim().toLowerCase());
  return (['stderr', 'csvlog', 'jsonlog'] as const).filter((d) => dests.includes(d));
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Is log_directory outside the data directory (reading there needs pg_read_server_files)? */
function outsideDataDir(row: LogAccessRow): boolean {
  const dir = row.log_directory;
  if (!dir || !dir.startsWith('/')) return false;
  return !row.data_directory || !(dir === row.data_directory || dir.startsWith(`${row.data_directory}/`));
}

const SUPABASE_HOST = /^(?:db\.([a-z0-9]+)\.supabase\.co|[a-z0-9-]+\.pooler\.supabase\.com)$/i;

/** Why the log cannot be read, or null when it can (the reader may still find no file). */
export function unavailability(row: LogAccessRow, profile: { name: string; host: string }): ServerLogUnavailable | null {
  const base = { available: false as const, profile: profile.name, settings: settingsOf(row), link: null, fixSql: null };
  const host = SUPABASE_HOST.exec(profile.host);
  if (host || (row.supabase && !row.superuser)) {
    const ref = host?.[1]?.toLowerCase();
    return {
      ...base,
      reason: 'supabase',
      message: 'Supabase does not give database roles access to the server log files.',
      fix: 'Read the Postgres logs in the Supabase dashboard: Logs → Postgres (the Logs Explorer), where they can be filtered by severity and searched.',
      link: `https://supabase.com/dashboard/project/${ref ?? '_'}/logs/postgres-logs`,
    };
  }
  if (row.logging_collector !== 'on') {
    const dest = row.log_destination ?? 'stderr';
    return {
      ...base,
      reason: 'not-collected',
      message: `The server does not collect its log into files (logging_collector is ${row.logging_collector ?? 'not visible to this role'}); its messages go to ${dest}${dest.includes('syslog') ? ' (the system log)' : ' of the server process, wherever the service manager puts it (e.g. journalctl -u postgresql)'}.`,
      fix: 'Turn the logging collector on and restart the server (a superuser runs the SQL; the restart is needed: logging_collector is read at start only).',
      fixSql: `ALTER SYSTEM SET logging_collector = on;\n-- then restart the server, e.g. pg_ctl restart -D <data directory> or systemctl restart postgresql`,
    };
  }
  if (fileDestinations(row.log_destination).length === 0) {
    return {
      ...base,
      reason: 'no-file-destination',
      message: `The server's log goes only to ${row.log_destination}, not to files the collector writes.`,
      fix: 'Add stderr (or csvlog/jsonlog) to log_destination and reload the configuration.',
      fixSql: `ALTER SYSTEM SET log_destination = '${row.log_destination ? `stderr,${row.log_destination}` : 'stderr'}';\nSELECT pg_reload_conf();`,
    };
  }
  const grants: string[] = [];
  const who = quoteIdent(row.role);
  if (!row.superuser) {
    // pg_current_logfile() is not needed: without it the newest file of the format is read.
    if (!row.can_list || row.log_directory === null) grants.push(`GRANT pg_monitor TO ${who};  -- pg_ls_logdir() and the log settings`);
    if (!row.can_read) grants.push(`GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text, bigint, bigint) TO ${who};`);
    if (outsideDataDir(row) && !row.server_files) grants.push(`GRANT pg_read_server_files TO ${who};  -- log_directory is outside the data directory`);
  }
  if (!row.can_list || !row.can_read || grants.length > 0) {
    return {
      ...base,
      reason: 'no-privilege',
      message: `The role ${row.role} may not read the server log: it needs pg_ls_logdir() and pg_read_binary_file() (superusers have both).`,
      fix: `A superuser can grant them (or use a profile whose role already has them):`,
      fixSql: grants.join('\n'),
    };
  }
  return null;
}
