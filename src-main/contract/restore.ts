// Restores and restore drills (issue #7): what a backup holds, where it goes, the plan
// shown for review, the post-restore validation and the drill record. Pure types and zod.
import { z } from 'zod';
import type { BackupFormat, BackupKind, BackupManifest, ClientTool } from './backup';
import type { CheckVerdict } from './verdict';

/** What a backup file or folder holds, from its manifest when it has one, else from the archive itself. */
export interface BackupContents {
  /** The catalog id when the source is a catalog backup. */
  backupId: string | null;
  path: string;
  format: BackupFormat;
  kind: BackupKind | null;
  /** The manifest beside it (or in the catalog); null for a foreign dump. */
  manifest: BackupManifest | null;
  /** Versions it came from: from the manifest, else the archive header / the plain file's header comments. */
  serverVersion: string | null;
  pgDumpVersion: string | null;
  /** The major the restoring tool must at least have (the dump's pg_dump major). */
  requiredMajor: number | null;
  createdAt: string | null;
  bytes: number;
  schemas: string[];
  tables: Array<{ schema: string; name: string; rows: number | null; exact: boolean | null }>;
  functions: number;
  extensions: string[];
  /** Roles the dump refers to (owners, grants); empty when dumped with --no-owner --no-privileges. */
  roles: string[];
  /**
   * Roles the dump's GRANT/REVOKE (ACL) entries, policies (TO role …), default privileges and
   * role memberships name, read from the dump's own statements by PostgreSQL's parser;
   * PUBLIC and built-in pg_* roles left out. Each must exist on the target (the plan says so).
   */
  namedRoles: string[];
  /** Objects by type (TABLE, INDEX, SEQUENCE, FUNCTION, …). */
  objects: Record<string, number>;
  tocEntries: number | null;
  warnings: string[];
  /**
   * Plain scripts: the lines where psql would run a meta-command (backslash command) outside
   * COPY data, pg_dump's own leading `\restrict KEY` / trailing `\unrestrict KEY` pair
   * excepted; `lines` holds the first 100 of `total`. null for archives. Any such line makes
   * the plan refuse the script.
   */
  metaCommands: { total: number; lines: ScriptLine[] } | null;
}

/** One line of a plain script, numbered from 1, its text clipped to 160 characters. */
export interface ScriptLine {
  line: number;
  text: string;
}

const RESERVED_DATABASES = ['postgres', 'template0', 'template1'];

/**
 * A database a restore creates. The core quotes it, so any text PostgreSQL keeps as a name
 * is fine; these are the names it would still refuse or silently change (cut at 63 bytes).
 */
export const newDatabaseNameSchema = z
  .string()
  .min(1)
  .refine((n) => n === n.trim(), 'starts or ends with a space')
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), 'contains a control character')
  .refine((n) => new TextEncoder().encode(n).length <= 63, 'is longer than 63 bytes (PostgreSQL would cut it to another name)')
  .refine((n) => !RESERVED_DATABASES.includes(n.toLowerCase()), 'is a system database');

export const restoreTargetSchema = z.discriminatedUnion('kind', [
  /** The database of an existing profile. */
  z.object({ kind: z.literal('profile'), profileId: z.string().min(1) }).strict(),
  /** A new database created on a profile's server. */
  z.object({ kind: z.literal('new-database'), profileId: z.string().min(1), database: newDatabaseNameSchema }).strict(),
  /**
   * A new database in the local scratch PostgreSQL on this workstation (the sandbox cluster):
   * no server access needed. Without `database` the core names it; a start passes the name
   * its review showed (plan.target.database), so the database created is the one reviewed.
   */
  z.object({ kind: z.literal('scratch'), database: newDatabaseNameSchema.optional() }).strict(),
]);
export type RestoreTarget = z.infer<typeof restoreTargetSchema>;

export const restoreOptionsSchema = z
  .object({
    /** A catalog backup id, or the path of a dump file or directory. */
    source: z.string().min(1).max(4096),
    target: restoreTargetSchema,
    jobs: z.number().int().min(1).max(32).default(1),
    noOwner: z.boolean().default(true),
    noPrivileges: z.boolean().default(true),
    /** Into a non-empty database: drop what the dump creates first (--clean --if-exists). Without it, conflicts stop the restore. */
    clean: z.boolean().default(false),
    /** Production targets: back the target up first (default on; turning it off is audited). */
    preRestoreBackup: z.boolean().default(true),
    /** Production targets: the profile's name, typed. */
    confirmName: z.string().optional(),
    password: z.string().max(1024).optional(),
  })
  .strict();
export type RestoreOptionsInput = z.input<typeof restoreOptionsSchema>;
export type RestoreOptions = z.output<typeof restoreOptionsSchema>;

/** An object of the dump that already exists in the target. */
export interface RestoreConflict {
  type: string;
  schema: string | null;
  name: string;
}

/** How a `--supabase` backup goes into this target (restore/supabase-restore.ts). */
export interface SupabaseRestorePlan {
  /** 'project': the target has the platform (auth.users); 'standalone': it does not, auth/storage come from the backup. */
  mode: 'project' | 'standalone';
  /** What the restore leaves out: the platform's own objects, extensions already there or unavailable. */
  leftOut: string[];
  /** What stands in for the platform on a standalone target. */
  standIns: string[];
  /** Roles the backup captured that the restore creates first (its own transaction). */
  rolesToCreate: string[];
  /** Roles the dump's grants and policies name that neither the target nor the backup has. */
  missingRoles: string[];
  /** The exact statements that make the missing roles (run them as a superuser, then plan again). */
  fix: string | null;
  /** Data goes in with session_replication_role = replica (triggers and FK checks off while loading). */
  replicaRole: boolean;
}

export interface RestorePlan {
  contents: BackupContents;
  target: {
    kind: RestoreTarget['kind'];
    /** The profile's name, or "local scratch" */
    profile: string;
    env: string | null;
    database: string;
    serverVersion: string;
    /** False for a new database. */
    exists: boolean;
    /** The target holds user objects (tables, views, functions, sequences outside the system schemas). */
    empty: boolean;
  };
  /** pg_restore (custom/directory) or psql (plain), major ≥ the dump's. */
  tool: ClientTool;
  args: string[];
  command: string;
  conflicts: RestoreConflict[];
  /** Conflicts and no `clean`: the run is refused. */
  blocked: string | null;
  confirmationRequired: boolean;
  /** A backup of the target is taken first (production, unless turned off). */
  preRestoreBackup: boolean;
  warnings: string[];
  /** A `--supabase` backup: how it fits this target. */
  supabase?: SupabaseRestorePlan;
}

export interface ValidationCheck {
  name: string;
  /** status !== 'fail' (verdict.ts): a warning does not fail the restore. */
  ok: boolean;
  /** Three states (issue #19); records stored before it existed are read back with it (verdictOf). */
  status: CheckVerdict;
  detail: string;
}

export interface ValidationReport {
  /** No check failed. */
  ok: boolean;
  /** The worst check: pass, warning or fail. */
  status: CheckVerdict;
  checks: ValidationCheck[];
}

export type RestoreStatus = 'running' | 'ok' | 'failed' | 'cancelled';

export interface RestoreRecord {
  id: string;
  backupId: string | null;
  sourcePath: string;
  targetKind: RestoreTarget['kind'];
  /** Profile name, or "local scratch". */
  target: string;
  database: string;
  status: RestoreStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  command: string;
  error: string | null;
  /** The catalog id of the backup taken of the target first, when one was. */
  preRestoreBackupId: string | null;
  validation: ValidationReport | null;
}

export interface RestoreProgressEvent {
  type: 'restore.progress';
  jobId: string;
  /** The restore's id; for a drill, the drill's id. */
  restoreId: string;
  phase: 'preparing' | 'pre-backup' | 'restoring' | 'validating' | 'cleaning-up' | 'done';
  /** TOC items done of the total (pg_restore), or bytes of the script read (psql). */
  done: number;
  total: number;
  unit: 'items' | 'bytes';
  percent: number | null;
  elapsedMs: number;
  etaMs: number | null;
  current: string | null;
}

/** The runbook's recovery objectives: corruption (RTO 2 h, RPO 15 min) and platform failure (RTO 4 h, RPO 1 h). */
export const RECOVERY_OBJECTIVES = {
  corruption: { rtoMs: 2 * 3_600_000, rpoMs: 15 * 60_000 },
  platformFailure: { rtoMs: 4 * 3_600_000, rpoMs: 3_600_000 },
} as const;

export const drillOptionsSchema = z
  .object({
    /** A catalog backup id or a path; default: the latest good backup of `profileId`. */
    source: z.string().min(1).max(4096).optional(),
    profileId: z.string().min(1).optional(),
    jobs: z.number().int().min(1).max(32).default(2),
    jobId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((o) => o.source !== undefined || o.profileId !== undefined, {
    message: 'say which backup to drill: source (a catalog id or a path) or profileId (its latest backup)',
    path: ['source'],
  });

export interface DrillRecord {
  id: string;
  profileId: string | null;
  profileName: string | null;
  backupId: string | null;
  backupPath: string;
  /** When the backup was taken (manifest), to measure its age at drill time. */
  backupCreatedAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  status: RestoreStatus;
  /** Restore alone, and the whole drill (cluster start, restore, validation, cleanup). */
  restoreMs: number | null;
  totalMs: number | null;
  validation: ValidationReport | null;
  /** The stricter runbook target (corruption: 2 h), and whether the restore beat it. */
  rtoTargetMs: number;
  rtoMet: boolean | null;
  backupAgeMs: number | null;
  rpoTargetMs: number;
  rpoMet: boolean | null;
  /** The scratch cluster's PostgreSQL version. */
  scratchVersion: string | null;
  /** prepare_disaster_recovery() output from the source profile, when the toolkit is there. */
  disasterRecovery: { columns: string[]; rows: Array<Array<string | number | boolean | null>> } | null;
  error: string | null;
  /** The report as Markdown (exportDrillReport gives HTML too). */
  report: string;
}
