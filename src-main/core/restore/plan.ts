// The review step of a restore: the source read and checked, the target resolved (a
// profile's database, a new database on its server, or a new database in the local
// sandbox cluster), the tool picked by the dump's version, conflicts listed, and the exact
// command built. The safety rules are decided here so plan and start agree; the refusals
// that need the user's answer (typed name, conflicts) are enforced by the start handler.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClientTool } from '../../contract/backup';
import { isReadOnlyNow, refuseReadOnly, refuseReadOnlyUnconfirmed, type RefusalNote } from '../platform/guard/rules';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { BackupContents, RestoreConflict, RestoreOptions, RestorePlan } from '../../contract/restore';
import type { CoreDeps } from '../platform/kernel/deps';
import { discoverClientTools, majorOf, pickTool } from '../platform/tools/client-tools';
import { dbnameArgument, libpqEnv, shellQuote } from '../platform/tools/libpq-args';
import { listArchive } from '../platform/tools/archive';
import { localEndpoint, withClient } from '../platform/postgres/connect';
import { SANDBOX_PROFILE, Sandbox } from '../sandbox';
import { resolvePassword } from '../platform/secrets/password';
import { inspectDetailed } from './source';
import { parseTocLine } from './dump-reader';
import { refuseMetaCommands, requireRestrictingPsql } from './meta-commands';
import {
  occupiedPlatformTables,
  planSupabase,
  readSupabaseTarget,
  supabaseCaptureOf,
  supabaseRestoreArgs,
  writeRestoreList,
  type SupabasePrep,
  type SupabaseTargetFacts,
} from './supabase-restore';
import { quoteIdent } from '../platform/postgres/sql-text';
import { databaseExists, describeConflicts, findConflicts, readTargetServer, uncreatableExtensions, userObjectCount } from './target';

/** What pg_restore/psql and pg.Client need to reach the target database. */
export interface RestoreConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | null;
  /** libpq settings besides the arguments (TLS mode, root certificate, tunnel address). */
  env: Record<string, string>;
}

export interface PreparedRestore {
  plan: RestorePlan;
  options: RestoreOptions;
  contents: BackupContents;
  connection: RestoreConnection;
  /** The target's profile (for scratch, the sandbox profile); null never happens today but callers must not assume a profile for scratch. */
  profile: Profile | null;
  /** new-database and scratch: CREATE DATABASE before the run (dropped again if it fails). */
  createDatabase: boolean;
  /** Where CREATE/DROP DATABASE is issued: the profile's own database. */
  adminDatabase: string;
  /** A `--supabase` backup: roles and stand-ins made first, the archive's entries picked for this target. */
  supabase: SupabasePrep | null;
}

const LOCAL_SCRATCH = 'local scratch';

/** The argument list of pg_restore (custom/directory) or psql (plain, script on stdin). Never a password. */
export function restoreArgs(
  contents: Pick<BackupContents, 'format' | 'path'>,
  options: Pick<RestoreOptions, 'jobs' | 'noOwner' | 'noPrivileges' | 'clean'>,
  connection: Pick<RestoreConnection, 'host' | 'port' | 'user' | 'database'>,
): { tool: 'pg_restore' | 'psql'; args: string[] } {
  const target = ['-h', connection.host, '-p', String(connection.port), '-U', connection.user, '-d', dbnameArgument(connection.database)];
  if (contents.format === 'plain') {
    // One transaction: a script that fails midway leaves the target as it was.
    return { tool: 'psql', args: ['-X', '-v', 'ON_ERROR_STOP=1', '--single-transaction', ...target] };
  }
  const args = ['--verbose', '--exit-on-error'];
  if (options.jobs > 1) args.push('-j', String(options.jobs));
  if (options.noOwner) args.push('--no-owner');
  if (options.noPrivileges) args.push('--no-privileges');
  if (options.clean) args.push('--clean', '--if-exists');
  return { tool: 'pg_restore', args: [...args, ...target, contents.path] };
}

/**
 * How the command reads for a person. psql gets the script on stdin, after a `\restrict`
 * line with a key made for the run (and without pg_dump's own pair): see meta-commands.ts.
 */
export function restoreCommand(tool: ClientTool, args: string[], contents: Pick<BackupContents, 'format' | 'path'>): string {
  const line = shellQuote([tool.path, ...args]);
  return contents.format === 'plain' ? `${line} < ${shellQuote([contents.path])}  # meta-commands locked: \\restrict <random key> is sent first` : line;
}

function defaultScratchName(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `restore_${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}_${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/** The sandbox cluster, started when stopped (first use creates and seeds it). */
async function scratchProfile(deps: CoreDeps, requiredMajor: number | null, warnings: string[]): Promise<Profile> {
  const sandbox = new Sandbox({ home: deps.home, profiles: deps.profiles });
  let status = await sandbox.status();
  if (!status.running) {
    status = await sandbox.start();
    warnings.push('The local sandbox PostgreSQL was started for this restore (stop it with "ops-console sandbox stop").');
  }
  const major = status.serverVersion ? majorOf(status.serverVersion) : null;
  if (requiredMajor !== null && major !== null && major < requiredMajor) {
    throw new OpsError(
      'SANDBOX_FAILED',
      `The local scratch PostgreSQL is version ${status.serverVersion}, but the dump comes from pg_dump ${requiredMajor}: restore it into a server of PostgreSQL ${requiredMajor} or newer (or use a drill, which picks a suitable installed version).`,
      { serverVersion: status.serverVersion, requiredMajor },
    );
  }
  const profile = deps.profiles.getByName(SANDBOX_PROFILE);
  if (!profile) throw new OpsError('SANDBOX_FAILED', 'The sandbox is running but its profile is missing; run "ops-console sandbox start" to recreate it.');
  return profile;
}

interface TargetFacts {
  serverVersion: string;
  serverMajor: number;
  exists: boolean;
  empty: boolean;
  conflicts: RestoreConflict[];
  canCreateDatabase: boolean;
  /** Extensions the role cannot create there: left out of the restore. */
  skipExtensions: string[];
  /** Roles the dump's grants, policies or default privileges name that the server lacks. */
  missingNamedRoles: string[];
}

/**
 * A pg_restore --use-list file: the archive's TOC with the given extensions (and their
 * comments) commented out. Written under the app home (0600); it holds object names only.
 * Used by the plan (extensions the role cannot create) and by foreign-dump drills
 * (extensions the app created first, unprivileged.ts).
 */
export async function listWithout(home: string, tool: ClientTool, archive: string, extensions: string[]): Promise<string> {
  const { toc } = await listArchive(tool, archive);
  const skip = (line: string): boolean => {
    const item = parseTocLine(line);
    if (!item) return false;
    return (item.type === 'EXTENSION' && extensions.includes(item.name)) || (item.type === 'COMMENT' && extensions.some((e) => item.name === `EXTENSION ${e}`));
  };
  const text = toc
    .split('\n')
    .map((line) => (skip(line) ? `;${line}` : line))
    .join('\n');
  const dir = path.join(home, 'restore-lists');
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${crypto.createHash('sha256').update(archive).update(text).digest('hex').slice(0, 16)}.list`);
  await fs.promises.writeFile(file, text, { mode: 0o600 });
  return file;
}

/** Which of the roles do not exist on the server (role names are cluster-wide). */
async function missingRoles(client: import('pg').Client, roles: string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const { rows } = await client.query<{ r: string }>(
    'SELECT r FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) ORDER BY r',
    [roles],
  );
  return rows.map((x) => x.r);
}

/** The plan's warning for one role the dump names that the target lacks, with the exact fix. */
export function missingNamedRoleWarning(role: string, where: string): string {
  return `Role ${quoteIdent(role)} does not exist on ${where}, but the dump's grants, policies or default privileges name it: the restore would fail with role "${role}" does not exist. Create it first as a superuser: CREATE ROLE ${quoteIdent(role)} NOLOGIN; (or restore with --no-privileges where losing its grants is acceptable; a policy naming it still needs the role).`;
}

/** The target's facts; a database still to be created holds nothing yet (roles and available extensions are the server's). */
async function supabaseFacts(client: import('pg').Client, createDatabase: boolean): Promise<SupabaseTargetFacts> {
  const facts = await readSupabaseTarget(client);
  if (!createDatabase) return facts;
  return {
    ...facts,
    mode: 'standalone',
    triggers: new Set(),
    policies: new Set(),
    extensions: new Set(['plpgsql']),
    publications: new Set(),
    schemas: new Set(['public', 'pg_catalog', 'information_schema']),
    foreignKeys: [],
  };
}

/** Supabase's restore guide loads data with triggers and FK checks off; a role that may not is told so. */
export function replicaEnv(sb: Pick<SupabasePrep, 'plan'>): Record<string, string> {
  return sb.plan.replicaRole ? { PGOPTIONS: '-c session_replication_role=replica' } : {};
}

function supabaseWarnings(sb: SupabasePrep, jobs: number): string[] {
  const out: string[] = [];
  const p = sb.plan;
  if (p.mode === 'project')
    out.push(
      'A Supabase project: only the auth/storage rows and what users added there (triggers, policies) are restored into the platform schemas; the platform keeps its own objects.',
    );
  if (p.leftOut.length > 0) out.push(`Left to the platform or left out: ${p.leftOut.join('; ')}.`);
  if (p.standIns.length > 0) out.push(`No Supabase platform on the target: standing in ${p.standIns.join('; ')}.`);
  if (p.rolesToCreate.length > 0) out.push(`Roles from the backup are created first (their own transaction): ${p.rolesToCreate.join(', ')}.`);
  if (!p.replicaRole)
    out.push('The restoring role may not set session_replication_role: data goes in with triggers on (pg_restore still creates user triggers after the data).');
  if (jobs > 1) out.push('A Supabase restore runs in one transaction: parallel jobs do not apply.');
  return out;
}

/** What startRestore passes so the guard runs as the action's own (plans pass nothing). */
export interface RestoreStartGuard {
  confirmName: string | undefined;
  note: RefusalNote;
}

/** Checks the source, the target, the tools and the conflicts; starts nothing on the target. */
export async function prepareRestore(deps: CoreDeps, options: RestoreOptions, now: Date = new Date(), start?: RestoreStartGuard): Promise<PreparedRestore> {
  const { contents, items } = await inspectDetailed(deps, options.source);
  // A script with psql meta-commands is refused before any server is touched.
  refuseMetaCommands(contents);
  const warnings = [...contents.warnings];
  const target = options.target;

  let profile: Profile;
  let database: string;
  if (target.kind === 'scratch') {
    profile = await scratchProfile(deps, contents.requiredMajor, warnings);
    database = target.database ?? defaultScratchName(now);
  } else {
    profile = deps.profiles.require(target.profileId);
    // The one read-only rule (core/platform/guard); the scratch target above is the way out.
    const what = 'a restore (it writes to the server; restore into the local scratch PostgreSQL instead)';
    // The review only asks what the rule would say (isReadOnlyNow): it must not use up a
    // one-action elevation. The start is the action: its typed name is checked first, then
    // the rule runs for real (an elevation is used there and named in the audit entry).
    if (isReadOnlyNow(profile)) refuseReadOnly(profile, what, start?.note ?? {});
    else if (start && profile.readOnly) refuseReadOnlyUnconfirmed(profile, what, start.confirmName, start.note);
    database = target.kind === 'profile' ? profile.database : target.database;
  }
  const createDatabase = target.kind !== 'profile';

  // The version check comes before anything else touches the target.
  const toolName = contents.format === 'plain' ? 'psql' : 'pg_restore';
  const what = `The backup was written by pg_dump ${contents.pgDumpVersion ?? 'of an unknown version'}`;
  const tool = pickTool(await discoverClientTools(deps), toolName, contents.requiredMajor ?? 0, what);
  requireRestrictingPsql(tool);

  const endpoint = await localEndpoint(deps, profile);
  const password = resolvePassword(profile, { explicit: options.password, secrets: deps.secrets }).password ?? null;
  const connectOptions = { ...(options.password ? { password: options.password } : {}), ...(profile.ssh ? { endpoint } : {}) };
  const capture = contents.format === 'plain' ? null : supabaseCaptureOf(contents.manifest);
  const toc = capture ? (await listArchive(tool, contents.path)).toc : '';
  let supabase: SupabasePrep | null = null;
  const facts = await withClient<TargetFacts>(
    deps,
    profile,
    async (client) => {
      const server = await readTargetServer(client);
      const missingNamedRoles = capture ? [] : await missingRoles(client, contents.namedRoles);
      if (capture) supabase = planSupabase(toc, capture, await supabaseFacts(client, createDatabase), { standInRoles: false });
      if (createDatabase) {
        const exists = await databaseExists(client, database);
        return {
          ...server,
          missingNamedRoles,
          exists,
          empty: !exists,
          conflicts: [],
          skipExtensions: capture ? [] : await uncreatableExtensions(client, contents.extensions, false),
        };
      }
      const objects = await userObjectCount(client);
      // A Supabase restore is judged by what it will create there, not by the platform's objects it leaves alone.
      const prep = supabase as SupabasePrep | null;
      const conflicts = objects === 0 ? [] : await findConflicts(client, prep ? prep.kept : items);
      if (prep?.plan.mode === 'project') conflicts.push(...(await occupiedPlatformTables(client, prep.kept)));
      return {
        ...server,
        missingNamedRoles,
        exists: true,
        empty: objects === 0,
        conflicts,
        skipExtensions: capture ? [] : await uncreatableExtensions(client, contents.extensions, true),
      };
    },
    connectOptions,
  );
  const sb = supabase as SupabasePrep | null;

  let blocked: string | null = null;
  if (createDatabase && facts.exists) {
    blocked = `A database named ${database} already exists on ${target.kind === 'scratch' ? 'the local scratch PostgreSQL' : `${profile.name}'s server`}: choose another name, or restore into it through its own profile.`;
  } else if (createDatabase && !facts.canCreateDatabase) {
    blocked = `${profile.user} may not create databases on ${profile.name}'s server (it needs CREATEDB): ask a DBA, or choose an existing database.`;
  } else if (facts.conflicts.some((c) => c.type === 'TABLE DATA')) {
    const occupied = facts.conflicts.filter((c) => c.type === 'TABLE DATA').map((c) => `${c.schema}.${c.name}`);
    blocked = `${database} already holds rows in the platform table(s) ${occupied.join(', ')}, which the backup's rows would collide with; clean does not empty the platform's tables. Restore into a fresh Supabase project (or empty them there first).`;
  } else if (facts.conflicts.length > 0 && !options.clean) {
    blocked = `${database} already holds ${facts.conflicts.length} object(s) of this dump (${describeConflicts(facts.conflicts)}): choose clean to drop them first, or restore into a new database.`;
  } else if (facts.conflicts.length > 0 && contents.format === 'plain') {
    blocked = `${database} already holds ${facts.conflicts.length} object(s) of this plain script (${describeConflicts(facts.conflicts)}), and psql cannot drop them first: restore into a new database.`;
  }

  if (!blocked && sb && sb.plan.missingRoles.length > 0) {
    blocked = `The backup's grants and policies name role(s) ${sb.plan.missingRoles.join(', ')} that ${profile.name}'s server does not have. Create them first as a superuser: ${sb.plan.fix ?? ''} (or restore into a Supabase project, which has them).`;
  }
  const connection: RestoreConnection = {
    host: profile.ssh ? profile.host : endpoint.host,
    port: endpoint.port,
    user: profile.user,
    database,
    password,
    env: { ...libpqEnv(profile, profile.ssh ? endpoint.host : undefined), ...(sb ? replicaEnv(sb) : {}) },
  };
  const built = restoreArgs(contents, options, connection);
  if (sb) {
    built.args = supabaseRestoreArgs(built.args, await writeRestoreList(deps.home, contents.path, sb.listText));
    warnings.push(...supabaseWarnings(sb, options.jobs));
  }
  if (facts.skipExtensions.length > 0 && contents.format !== 'plain') {
    const listFile = await listWithout(deps.home, tool, contents.path, facts.skipExtensions);
    built.args.splice(built.args.length - 1, 0, '-L', listFile);
    warnings.push(
      `${profile.user} may not create the extension(s) ${facts.skipExtensions.join(', ')} (a superuser must): they are left out of the restore. Objects that use them would fail; restore as a superuser to keep them.`,
    );
  } else if (facts.skipExtensions.length > 0) {
    warnings.push(
      `The script creates the extension(s) ${facts.skipExtensions.join(', ')}, which ${profile.user} may not create (a superuser must): psql will stop there. Restore as a superuser, or from a custom-format backup (its extensions can be left out).`,
    );
  }
  const where = target.kind === 'scratch' ? 'the local scratch PostgreSQL' : `${profile.name}'s server`;
  for (const role of facts.missingNamedRoles) warnings.push(missingNamedRoleWarning(role, where));
  if (contents.format === 'plain' && options.jobs > 1) warnings.push('A plain SQL script runs through psql in one session: parallel jobs do not apply.');
  if (contents.format === 'plain' && contents.roles.length > 0)
    warnings.push(`The script sets owners or grants for ${contents.roles.join(', ')}: those roles must exist on the target.`);
  const dumpServerMajor = contents.serverVersion ? majorOf(contents.serverVersion) : null;
  if (dumpServerMajor !== null && dumpServerMajor > facts.serverMajor) {
    warnings.push(
      `The dump comes from PostgreSQL ${contents.serverVersion} and the target runs ${facts.serverVersion}: restoring into an older major may fail on newer syntax.`,
    );
  }
  const production = profile.env === 'production' && target.kind !== 'scratch';
  const preRestoreBackup = production && target.kind === 'profile' && options.preRestoreBackup;
  if (production && target.kind === 'profile' && !options.preRestoreBackup)
    warnings.push('No backup of the target will be taken first: its current contents cannot be brought back by this app.');

  const plan: RestorePlan = {
    contents,
    target: {
      kind: target.kind,
      profile: target.kind === 'scratch' ? LOCAL_SCRATCH : profile.name,
      env: target.kind === 'scratch' ? null : profile.env,
      database,
      serverVersion: facts.serverVersion,
      exists: facts.exists,
      empty: facts.empty,
    },
    tool,
    args: built.args,
    command: restoreCommand(tool, built.args, contents),
    conflicts: facts.conflicts,
    blocked,
    confirmationRequired: production,
    preRestoreBackup,
    warnings,
    ...(sb ? { supabase: sb.plan } : {}),
  };
  return { plan, options, contents, connection, profile, createDatabase, adminDatabase: profile.database, supabase: sb };
}
