// Backups (issue #6): client tools found on this machine, the backup plan shown for review,
// the catalog entry and the manifest written beside every backup. Pure types and zod.
import { z } from 'zod';
import type { CheckVerdict } from './verdict';

export type ClientToolName = 'pg_dump' | 'pg_dumpall' | 'pg_restore' | 'psql';
export const CLIENT_TOOL_NAMES: readonly ClientToolName[] = ['pg_dump', 'pg_dumpall', 'pg_restore', 'psql'];

export interface ClientTool {
  name: ClientToolName;
  /** Absolute path, symlinks resolved. */
  path: string;
  /** What `<tool> --version` printed, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
  version: string;
  /** Major version: 15, 16; 9.6 → 9. */
  major: number;
  /** Where it was found: "PATH", "pg_config", "settings", or the folder pattern searched. */
  source: string;
}

export interface ClientToolsReport {
  tools: ClientTool[];
  /** Every folder looked in, in order. */
  searched: string[];
  /** Folders the user added in Settings (searched first). */
  extraPaths: string[];
}

export type BackupKind = 'full' | 'schema' | 'data' | 'roles';
export type BackupFormat = 'custom' | 'plain' | 'directory';
export type BackupStatus = 'running' | 'ok' | 'failed' | 'cancelled';

/**
 * Schemas Supabase manages itself, as Supabase CLI's own dump leaves them out (its
 * InternalSchemas, pkg/migration/dump.go; `information_schema` and `pg_*` are never dumped
 * here anyway). Patterns follow pg_dump (`*` is a wildcard). The preset keeps the rows and
 * table definitions of SUPABASE_CARRIED_SCHEMAS out of this list (see there).
 */
export const SUPABASE_MANAGED_SCHEMAS: readonly string[] = [
  '_analytics',
  '_realtime',
  '_supavisor',
  'auth',
  'etl',
  'extensions',
  'pgbouncer',
  'realtime',
  'storage',
  'supabase_functions',
  'supabase_migrations',
  'cron',
  'dbdev',
  'graphql',
  'graphql_public',
  'net',
  'pgmq',
  'pgsodium',
  'pgsodium_masks',
  'pgtle',
  'repack',
  'tiger',
  'tiger_data',
  'timescaledb_*',
  '_timescaledb_*',
  'topology',
  'vault',
];

/**
 * Platform schemas the Supabase preset still dumps: their rows are the users, identities,
 * buckets and objects an application's foreign keys and policies point to (Supabase's own
 * data dump carries them to a new project), and their table definitions let an offline
 * drill stand in for the platform. A restore into a Supabase project takes only the rows
 * and what users added there (triggers, policies); the platform keeps the rest.
 */
export const SUPABASE_CARRIED_SCHEMAS: readonly string[] = ['auth', 'storage'];

/** What the preset's pg_dump leaves out: every managed schema but the carried ones. */
export const SUPABASE_DUMP_EXCLUDED_SCHEMAS: readonly string[] = SUPABASE_MANAGED_SCHEMAS.filter((s) => !SUPABASE_CARRIED_SCHEMAS.includes(s));

/** The platform's migration bookkeeping: never user data, left out of the data (as Supabase CLI does). */
export const SUPABASE_BOOKKEEPING_TABLES: ReadonlyArray<{ schema: string; name: string }> = [
  { schema: 'auth', name: 'schema_migrations' },
  { schema: 'storage', name: 'migrations' },
  { schema: 'supabase_functions', name: 'migrations' },
];

/** Roles every Supabase project has (Supabase CLI's reservedRoles): never dumped, never created by a restore into a project. */
export const SUPABASE_RESERVED_ROLES: readonly string[] = [
  'anon',
  'authenticated',
  'authenticator',
  'dashboard_user',
  'pgbouncer',
  'postgres',
  'service_role',
  'supabase_admin',
  'supabase_auth_admin',
  'supabase_functions_admin',
  'supabase_read_only_user',
  'supabase_realtime_admin',
  'supabase_replication_admin',
  'supabase_storage_admin',
  'supabase_etl_admin',
  'pgsodium_keyholder',
  'pgsodium_keyiduser',
  'pgsodium_keymaker',
  'pgtle_admin',
];

/** A role the backup captured (a non-reserved one the project's users created). */
export interface SupabaseRole {
  name: string;
  login: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  bypassRls: boolean;
  /** Roles it is a member of. */
  memberOf: string[];
  /** Its ALTER ROLE … SET values Supabase lets projects keep (statement_timeout, pgrst.*, pgaudit.*, …), as "name=value". */
  settings?: string[];
}

export interface SupabaseObjectRef {
  schema: string;
  table: string;
  name: string;
}

/** A privilege granted on a relation of a dumped schema (user schemas and the carried ones). */
export interface SupabaseGrant {
  schema: string;
  name: string;
  grantee: string;
  privilege: string;
}

/**
 * What a `--supabase` backup captured besides the dump, read in the dump's own snapshot:
 * the roles part (non-reserved roles), and what the restore and its validation check.
 */
export interface SupabaseCapture {
  /** Non-reserved roles (pg_dumpall --roles-only minus the reserved ones; no passwords). */
  roles: SupabaseRole[];
  /** Every role the dump's grants and policies name (reserved ones included). */
  referencedRoles: string[];
  /** Extensions and their schemas (the dump creates them WITH SCHEMA …). */
  extensions: Array<{ name: string; schema: string }>;
  /** Row-level security policies of every dumped table (user schemas and carried ones). */
  policies: SupabaseObjectRef[];
  /** User triggers of every dumped table. */
  triggers: SupabaseObjectRef[];
  /** Of those, the ones on platform tables whose function lives outside the platform: what users added there. */
  platformTriggers: SupabaseObjectRef[];
  /** Grants to the API roles (anon, authenticated, service_role) on user-schema relations. */
  grants: SupabaseGrant[];
  /** storage.buckets ids. */
  buckets: string[];
  /** Left to the platform: its event triggers and its publication(s). */
  eventTriggers: string[];
  publications: string[];
  /** Tables users added to the platform's publication(s). */
  publicationTables: Array<{ publication: string; schema: string; table: string }>;
}

const identList = z.array(z.string().min(1).max(200)).max(200).default([]);

/** What to back up and how: the wizard's choices, the CLI's flags. */
export const backupOptionsSchema = z
  .object({
    profileId: z.string().min(1),
    kind: z.enum(['full', 'schema', 'data', 'roles']).default('full'),
    format: z.enum(['custom', 'plain', 'directory']).default('custom'),
    /** Parallel jobs: directory format only. */
    jobs: z.number().int().min(1).max(32).default(1),
    /** 0–9; null leaves pg_dump's default. */
    compression: z.number().int().min(0).max(9).nullable().default(null),
    noOwner: z.boolean().default(true),
    noPrivileges: z.boolean().default(true),
    includeSchemas: identList,
    excludeSchemas: identList,
    includeTables: identList,
    excludeTables: identList,
    /**
     * Supabase's documented backup: roles (minus reserved), user schemas with their
     * privileges, the auth/storage rows and what users added on platform tables; the
     * platform's schemas, event triggers, publication and bookkeeping tables left out.
     */
    supabase: z.boolean().default(false),
    /** Destination folder; default: the app's backups folder. */
    outDir: z.string().min(1).max(4096).optional(),
    /** Call the toolkit's create_backup_metadata() before the dump when it exists. */
    preOperationMarker: z.boolean().default(true),
    description: z.string().max(1000).default(''),
    password: z.string().max(1024).optional(),
  })
  .strict();

/**
 * A backup's file (or folder) name as decided at review: one plain name in the destination
 * folder, in the characters the core's own names use, never a partial or a manifest.
 */
export const backupFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name: letters, digits, dot, dash and underscore, starting with a letter or digit')
  .refine(
    (n) => !n.endsWith('.partial') && !n.endsWith('.manifest.json'),
    'must not end with .partial or .manifest.json (the names the app writes beside a backup)',
  );

export type BackupOptionsInput = z.input<typeof backupOptionsSchema>;
export type BackupOptions = z.output<typeof backupOptionsSchema>;

/** The review step: what will run, checked against the server before anything starts. */
export interface BackupPlan {
  profile: string;
  kind: BackupKind;
  format: BackupFormat;
  serverVersion: string;
  serverMajor: number;
  /** The tool that will run (lowest major ≥ the server's). */
  tool: ClientTool;
  /** The exact argument list (no password is ever in it). */
  args: string[];
  /** The same as one shell-quoted line, for people to read and copy. */
  command: string;
  /** The final path (file or directory) and the `.partial` path written first. */
  path: string;
  /** The name in the destination folder: what startBackup's `fileName` takes to write exactly this file. */
  fileName: string;
  partialPath: string;
  /** Schemas left out (the Supabase preset and excludeSchemas). */
  excludedSchemas: string[];
  /** Tables and their on-disk sizes collected for progress weighting. */
  tables: number;
  totalBytes: number;
  warnings: string[];
}

export interface ManifestTable {
  schema: string;
  name: string;
  rows: number;
  /** true: count(*) at dump time; false: the planner's estimate (reltuples) for big tables. */
  exact: boolean;
  bytes: number;
}

/** Written beside every good backup as `<name>.manifest.json`, and kept in the catalog. */
export interface BackupManifest {
  manifestVersion: 1;
  app: string;
  id: string;
  profile: { name: string; host: string; port: number; database: string; user: string };
  serverVersion: string;
  pgDumpVersion: string;
  kind: BackupKind;
  format: BackupFormat;
  options: Omit<BackupOptions, 'profileId' | 'password' | 'outDir'>;
  /** The file or directory name, relative to the manifest. */
  file: string;
  startedAt: string;
  finishedAt: string;
  bytes: number;
  /** sha256 of the file; for a directory, of the sorted "name sha256" lines of its files. */
  sha256: string;
  files?: Array<{ name: string; bytes: number; sha256: string }>;
  tables: ManifestTable[];
  /** Objects in the dump by type, from the archive's TOC (custom/directory) or the server (plain). */
  objects: Record<string, number>;
  /** TOC entries listed by pg_restore --list (custom/directory). */
  tocEntries: number | null;
  /** What create_backup_metadata() returned before the dump, when the toolkit is installed. */
  preOperationMarker: { id: string; lsn: string | null } | null;
  /** What went wrong without failing the backup (e.g. the pre-operation marker could not be recorded). */
  warnings?: string[];
  /** `--supabase` backups: the roles part and what the restore and its validation check. */
  supabase?: SupabaseCapture;
}

export interface BackupEntry {
  id: string;
  profileId: string;
  profileName: string;
  kind: BackupKind;
  format: BackupFormat;
  /** Final path when ok; the intended path otherwise (nothing is left there). */
  path: string;
  status: BackupStatus;
  bytes: number | null;
  sha256: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** The command as shown at review. */
  command: string;
  /** For failed/cancelled: the reason and the last lines pg_dump wrote to stderr. */
  error: string | null;
  verifiedAt: string | null;
  verifiedOk: boolean | null;
  manifest: BackupManifest | null;
}

export interface BackupCheck {
  name: string;
  /** status !== 'fail' (verdict.ts). */
  ok: boolean;
  /** Three states (issue #19): a warning (e.g. what went wrong beside the dump) is not a failed verification. */
  status: CheckVerdict;
  detail: string;
}

export interface BackupVerifyResult {
  /** No check failed. */
  ok: boolean;
  /** The worst check. */
  status: CheckVerdict;
  id: string;
  checks: BackupCheck[];
}

/** Pushed at least once a second while a backup runs. */
export interface BackupProgressEvent {
  type: 'backup.progress';
  jobId: string;
  backupId: string;
  phase: 'preparing' | 'dumping' | 'verifying' | 'done';
  /** 0–100 weighted by table sizes; null before sizes are known. */
  percent: number | null;
  bytesWritten: number;
  elapsedMs: number;
  etaMs: number | null;
  currentTable: string | null;
  tablesDone: number;
  tablesTotal: number;
}
