// The review step of a backup: everything that can be checked before pg_dump starts is
// checked here (server version against the installed tools, destination writable, option
// combinations), and the exact argument list is built. Nothing here writes to the server.
import path from 'node:path';
import type pg from 'pg';
import { type BackupFormat, type BackupKind, type BackupOptions, type BackupPlan } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { dbnameArgument, libpqEnv, shellQuote } from '../platform/tools/libpq-args';
import { localEndpoint, withClient } from '../platform/postgres/connect';
import { ensurePrivateDirAsync } from '../platform/fs/private-fs';
import { LocalDestination, toolPath, type Destination } from '../platform/destinations';
import { sanitizeFileName } from '../platform/fs/export-file';
import { resolvePassword } from '../platform/secrets/password';
import { discoverClientTools, pickTool } from '../platform/tools/client-tools';
import { isBookkeepingTable, supabaseExcludedSchemas, supabaseExcludedTableData } from './supabase';
import { EXTENSION, readOnlyMarkerNote, reviewedBackupName } from './naming';

export interface TableInfo {
  schema: string;
  name: string;
  /** Heap + TOAST bytes (what pg_dump reads; indexes are not dumped). */
  bytes: number;
  /** reltuples; -1 when the table was never analyzed (PostgreSQL 14+). */
  estimatedRows: number;
}

export interface PreparedBackup {
  plan: BackupPlan;
  options: BackupOptions;
  profile: Profile;
  /** The tables whose data the dump holds (none for schema-only and roles backups). */
  tables: TableInfo[];
  /** Where pg_dump connects: the profile's host, or an SSH tunnel's local end. */
  endpoint: { host: string; port: number };
  password: string | null;
  serverVersion: string;
  serverMajor: number;
  /** libpq settings pg_dump needs besides its arguments (TLS mode, root certificate). */
  env: Record<string, string>;
  /** Where the backup goes, and its name there (plan.path is its local path, which pg_dump writes). */
  destination: Destination;
  name: string;
}

export interface DumpTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

const FORMAT_FLAG: Record<BackupFormat, string> = { custom: 'c', plain: 'p', directory: 'd' };
const MAX_NAME_SUFFIX = 100;

/** Schemas left out: the Supabase preset's (all platform schemas but auth and storage) and the user's, each once, in that order. */
export function excludedSchemas(options: Pick<BackupOptions, 'supabase' | 'excludeSchemas'>): string[] {
  const out: string[] = [];
  for (const s of [...(options.supabase ? supabaseExcludedSchemas() : []), ...options.excludeSchemas]) if (!out.includes(s)) out.push(s);
  return out;
}

/**
 * pg_dump's (or for 'roles' pg_dumpall's) arguments. Each value is its own argv element
 * (the process is spawned without a shell); include/exclude values are pg_dump patterns,
 * see exactPattern() for names that must match literally. Never a password.
 */
export function dumpArgs(options: BackupOptions, target: DumpTarget, outputPath: string): string[] {
  const connection = ['-h', target.host, '-p', String(target.port), '-U', target.user];
  if (options.kind === 'roles') {
    // pg_dumpall reads role passwords from pg_authid (superuser only) unless told not to.
    return ['--verbose', '--roles-only', '--no-role-passwords', '-f', outputPath, ...connection, '-l', target.database];
  }
  const args = ['--verbose', '-F', FORMAT_FLAG[options.format], '-f', outputPath];
  if (options.format === 'directory' && options.jobs > 1) args.push('-j', String(options.jobs));
  // For plain output -Z would gzip the whole script, which then is no longer plain SQL.
  if (options.compression !== null && options.format !== 'plain') args.push('-Z', String(options.compression));
  if (options.noOwner) args.push('--no-owner');
  // On Supabase the grants to anon/authenticated/service_role are the API surface: the preset keeps them.
  if (options.noPrivileges && !options.supabase) args.push('--no-privileges');
  if (options.kind === 'schema') args.push('--schema-only');
  if (options.kind === 'data') args.push('--data-only');
  for (const s of options.includeSchemas) args.push('-n', s);
  for (const s of excludedSchemas(options)) args.push('-N', s);
  for (const t of options.includeTables) args.push('-t', t);
  for (const t of options.excludeTables) args.push('-T', t);
  if (options.supabase && options.kind !== 'schema') for (const t of supabaseExcludedTableData()) args.push(`--exclude-table-data=${t}`);
  args.push(...connection, '-d', dbnameArgument(target.database));
  return args;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `<profile>_<kind>_<YYYYMMDD-HHMMSS>.<ext>` in local time; a directory backup has no extension. */
export function backupFileName(profileName: string, kind: BackupKind, format: BackupFormat, now: Date): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const ext = kind === 'roles' ? '.sql' : EXTENSION[format];
  return `${sanitizeFileName(profileName)}_${kind}_${stamp}${ext}`;
}

/** A pg_dump pattern that matches exactly this schema (or schema.table), whatever its case or characters. */
export function exactPattern(schema: string, name?: string): string {
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  return name === undefined ? q(schema) : `${q(schema)}.${q(name)}`;
}

const REGEX_SPECIAL = /[|*+?()[\]{}.^$\\]/;

/**
 * A pg_dump name pattern as regular expressions per dotted part, as psql and pg_dump read
 * it (processSQLNamePattern): unquoted letters fold to lower case, * and ? are wildcards,
 * "quoted" text is literal, and a dot outside quotes separates schema from name.
 */
export function patternParts(pattern: string): RegExp[] {
  const parts: string[] = [''];
  let inQuotes = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const last = parts.length - 1;
    if (ch === '"') {
      if (inQuotes && pattern[i + 1] === '"') {
        parts[last] += '"';
        i++;
      } else inQuotes = !inQuotes;
    } else if (!inQuotes && ch === '.') parts.push('');
    else if (!inQuotes && ch === '*') parts[last] += '.*';
    else if (!inQuotes && ch === '?') parts[last] += '.';
    else if (inQuotes ? REGEX_SPECIAL.test(ch) : ch === '$') parts[last] += `\\${ch}`;
    else parts[last] += inQuotes ? ch : ch.replace(/[A-Z]/g, (c) => c.toLowerCase());
  }
  return parts.map((p) => {
    try {
      return new RegExp(`^(?:${p})$`);
    } catch {
      // pg_dump hands unquoted text to the server's regex engine; what JS cannot parse is
      // matched literally here (this only weights progress; pg_dump stays the authority).
      return new RegExp(`^${p.replace(/[|*+?()[\]{}.^$\\]/g, '\\$&')}$`);
    }
  });
}

export interface CandidateTable extends TableInfo {
  visible: boolean;
}

function matchesSchema(pattern: string, schema: string): boolean {
  const parts = patternParts(pattern);
  return parts[parts.length - 1]!.test(schema);
}

function matchesTable(pattern: string, t: CandidateTable): boolean {
  const parts = patternParts(pattern);
  const name = parts[parts.length - 1]!;
  // An unqualified table pattern only reaches tables visible on the search path, as in pg_dump.
  if (parts.length === 1) return t.visible && name.test(t.name);
  return parts[parts.length - 2]!.test(t.schema) && name.test(t.name);
}

/** The tables pg_dump would dump data for, following its -n/-N/-t/-T rules. */
export function selectTables(all: CandidateTable[], options: BackupOptions): TableInfo[] {
  const excluded = excludedSchemas(options);
  const picked = all.filter((t) => {
    if (options.includeTables.length > 0) return options.includeTables.some((p) => matchesTable(p, t));
    if (options.includeSchemas.length > 0 && !options.includeSchemas.some((p) => matchesSchema(p, t.schema))) return false;
    return !excluded.some((p) => matchesSchema(p, t.schema));
  });
  return picked
    .filter((t) => !options.excludeTables.some((p) => matchesTable(p, t)))
    .filter((t) => !(options.supabase && isBookkeepingTable(t.schema, t.name)))
    .map(({ visible: _visible, ...t }) => t);
}

// Ordinary tables and partitions (relkind r): the only relations whose rows pg_dump writes;
// extension members are the extension's business, system schemas are never dumped.
const TABLES_SQL = `
  SELECT n.nspname AS schema, c.relname AS name,
         pg_catalog.pg_table_size(c.oid)::float8 AS bytes,
         c.reltuples::float8 AS reltuples,
         pg_catalog.pg_table_is_visible(c.oid) AS visible
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
   ORDER BY 1, 2`;

/** Whether the toolkit's create_backup_metadata() is there to record a pre-operation marker (false without USAGE on its schema). */
const MARKER_SQL = `SELECT CASE WHEN to_regnamespace('ops_toolkit') IS NULL OR NOT has_schema_privilege('ops_toolkit', 'USAGE') THEN false
                         ELSE to_regprocedure('ops_toolkit.create_backup_metadata(text,text)') IS NOT NULL END AS present`;

async function readServer(client: pg.Client): Promise<{ serverVersion: string; serverMajor: number; tables: CandidateTable[]; markerFunction: boolean }> {
  const v = await client.query<{ server_version: string; num: string }>(
    "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num",
  );
  const marker = await client.query<{ present: boolean }>(MARKER_SQL);
  const serverVersion = v.rows[0]!.server_version.split(' ')[0]!;
  const serverMajor = Math.floor(Number(v.rows[0]!.num) / 10_000);
  const r = await client.query<{ schema: string; name: string; bytes: number; reltuples: number; visible: boolean }>(TABLES_SQL);
  const tables = r.rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    bytes: Math.max(0, Math.round(row.bytes)),
    estimatedRows: row.reltuples < 0 ? -1 : Math.round(row.reltuples),
    visible: row.visible,
  }));
  return { serverVersion, serverMajor, tables, markerFunction: marker.rows[0]?.present === true };
}

function checkOptions(options: BackupOptions): string[] {
  if (options.jobs > 1 && options.format !== 'directory') {
    throw new OpsError(
      'INVALID_INPUT',
      `Parallel jobs (${options.jobs}) need the directory format; pg_dump writes custom and plain backups with one process.`,
      { field: 'jobs' },
    );
  }
  if (options.kind === 'roles' && options.format !== 'plain') {
    throw new OpsError('INVALID_INPUT', 'A roles backup (pg_dumpall --roles-only) is always plain SQL: choose the plain format.', { field: 'format' });
  }
  if (options.compression !== null && options.compression > 0 && options.format === 'plain') {
    throw new OpsError(
      'INVALID_INPUT',
      'Compression applies to the custom and directory formats; a plain SQL backup stays uncompressed so psql can replay it and it can be checked.',
      { field: 'compression' },
    );
  }
  const warnings: string[] = [];
  if (options.supabase && options.format === 'plain' && options.kind !== 'roles') {
    throw new OpsError(
      'INVALID_INPUT',
      'A Supabase backup is an archive (custom or directory format): its restore takes from it what fits the target (a new project keeps its own platform objects; a drill stands them in), which a plain script cannot offer.',
      { field: 'format' },
    );
  }
  if (options.supabase && options.kind !== 'roles') {
    const managed = options.includeSchemas.filter((p) => supabaseExcludedSchemas().some((s) => matchesSchema(p, s)));
    if (managed.length > 0) warnings.push(`The Supabase preset leaves out ${managed.join(', ')} although it is included: pg_dump gives exclusions precedence.`);
  }
  if (options.kind === 'roles') {
    const lists = {
      includeSchemas: options.includeSchemas,
      excludeSchemas: options.excludeSchemas,
      includeTables: options.includeTables,
      excludeTables: options.excludeTables,
    };
    const ignored = Object.entries(lists)
      .filter(([, values]) => values.length > 0)
      .map(([key]) => key);
    if (ignored.length > 0) warnings.push(`A roles backup holds roles only; ${ignored.join(', ')} do not apply.`);
  }
  if (options.includeTables.length > 0 && (options.includeSchemas.length > 0 || options.excludeSchemas.length > 0)) {
    warnings.push('With tables chosen, pg_dump ignores the schema include/exclude lists (it dumps exactly the chosen tables).');
  }
  return warnings;
}

function ioError(dir: string, err: unknown): OpsError {
  const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENOSPC: 'the disk is full',
    EEXIST: 'a file of that name is in the way',
  };
  return new OpsError('IO_FAILED', `The backup folder ${dir} cannot be written: ${why[code] ?? (err as Error).message}. Choose another destination.`, {
    path: dir,
    errno: code,
  });
}

/** Creates the folder when missing and proves it writable (Destination.check), in the words of a backup. */
export async function checkDestination(destination: Destination): Promise<void> {
  try {
    await destination.check();
  } catch (err) {
    if (err instanceof OpsError) throw err;
    throw ioError(destination.description, err);
  }
}

/** A final name and its `.partial` both free, adding -2, -3… when a backup of that second exists. */
export async function freeBackupName(destination: Destination, fileName: string): Promise<string> {
  const name = await destination.freeName(fileName, MAX_NAME_SUFFIX);
  if (name !== null) return name;
  const dir = destination.description;
  throw new OpsError('IO_FAILED', `The backup folder ${dir} already holds ${fileName} and ${MAX_NAME_SUFFIX - 1} numbered copies; clean it up first.`, {
    path: dir,
  });
}

/**
 * A roles backup is pg_dumpall's plain SQL, whatever the format: the options' default
 * format (custom) means plain for it, so `--kind roles` alone works. Another explicit
 * format (directory) is still refused by checkOptions.
 */
export function withRolesFormat(options: BackupOptions): BackupOptions {
  return options.kind === 'roles' && options.format === 'custom' ? { ...options, format: 'plain' } : options;
}

/** Checks the server, the tools and the destination, and returns what would run. Starts nothing. */
export async function prepareBackup(
  deps: CoreDeps,
  profile: Profile,
  requested: BackupOptions,
  now: Date = new Date(),
  reviewedName?: string,
): Promise<PreparedBackup> {
  const options = withRolesFormat(requested);
  const warnings = checkOptions(options);
  const endpoint = await localEndpoint(deps, profile);
  const password = resolvePassword(profile, { explicit: options.password, secrets: deps.secrets }).password ?? null;
  // Tool discovery (a --version per binary) runs while the server is asked.
  const reportPromise = discoverClientTools(deps);
  reportPromise.catch(() => undefined);
  const server = await withClient(deps, profile, readServer, {
    ...(options.password ? { password: options.password } : {}),
    ...(profile.ssh ? { endpoint } : {}),
  });
  const what = `The server ${profile.name} runs PostgreSQL ${server.serverVersion}`;
  const tool = pickTool(await reportPromise, options.kind === 'roles' ? 'pg_dumpall' : 'pg_dump', server.serverMajor, what, server.serverVersion);

  const dir = path.resolve(options.outDir ?? path.join(deps.home, 'backups'));
  // Our own folder is made private again even when an older version left it 0755.
  if (options.outDir === undefined) await ensurePrivateDirAsync(dir);
  // The local file system is the one destination so far; pg_dump writes the partial by path.
  const destination = new LocalDestination(dir);
  await checkDestination(destination);
  const name =
    reviewedName === undefined
      ? await freeBackupName(destination, backupFileName(profile.name, options.kind, options.format, now))
      : await reviewedBackupName(destination, reviewedName, options.kind, options.format);
  const finalPath = toolPath(destination, name);
  const partialPath = toolPath(destination, destination.partialName(name));
  // Through an SSH tunnel pg_dump connects to the tunnel's local end (PGHOSTADDR, see
  // libpqEnv) but names the real host, so verify-full checks the certificate against it.
  const host = profile.ssh ? profile.host : endpoint.host;
  const args = dumpArgs(options, { host, port: endpoint.port, user: profile.user, database: profile.database }, partialPath);
  const tables = options.kind === 'schema' || options.kind === 'roles' ? [] : selectTables(server.tables, options);
  // Said at review, not only in the audit trail afterwards: a read-only profile does not write the marker row.
  if (options.preOperationMarker && options.kind !== 'roles' && server.markerFunction && profile.readOnly) warnings.push(readOnlyMarkerNote(profile.name));
  if (options.kind !== 'roles' && (options.includeTables.length > 0 || options.includeSchemas.length > 0) && tables.length === 0) {
    warnings.push('No table matches the include lists: the backup will hold no table data.');
  }
  const plan: BackupPlan = {
    profile: profile.name,
    kind: options.kind,
    format: options.format,
    serverVersion: server.serverVersion,
    serverMajor: server.serverMajor,
    tool,
    args,
    command: shellQuote([tool.path, ...args]),
    path: finalPath,
    fileName: name,
    partialPath,
    excludedSchemas: options.kind === 'roles' ? [] : excludedSchemas(options),
    tables: tables.length,
    totalBytes: tables.reduce((sum, t) => sum + t.bytes, 0),
    warnings,
  };
  return {
    plan,
    options,
    profile,
    tables,
    endpoint,
    password,
    serverVersion: server.serverVersion,
    serverMajor: server.serverMajor,
    env: libpqEnv(profile, profile.ssh ? endpoint.host : undefined),
    destination,
    name,
  };
}
