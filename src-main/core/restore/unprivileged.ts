// A dump without a manifest of ours is drilled as a role that is not a superuser: a
// crafted dump's `COPY … TO PROGRAM`, untrusted-language function or file access would
// otherwise run as the scratch cluster's superuser, that is as this machine's OS user.
// What needs a superuser is done first by the app itself, never by the dump's text: the
// role that runs the dump (RESTORER: NOSUPERUSER, member of no built-in role, so none of
// pg_execute_server_program / pg_read_server_files / pg_write_server_files), the scratch
// database and its schema public handed to it, and
//  - for an archive (run with --no-owner --no-privileges): the extensions its TOC lists,
//    created in schema public, their EXTENSION and COMMENT entries left out through a -L
//    list (only an extension's owner may comment on it);
//  - for a plain script (which sets owners and grants itself): a stand-in without rights
//    for every role it names, which RESTORER may act as; when it names the scratch
//    superuser (postgres), the cluster gets another superuser and the bootstrap one is
//    renamed, so "postgres" is a stand-in too. The extensions it lists are created first
//    in schema public and recorded as RESTORER's (the script comments on them).
// The validation runs as RESTORER too: the dump's own functions are never called as a superuser.
import crypto from 'node:crypto';
import type { ClientTool } from '../../contract/backup';
import type { BackupContents } from '../../contract/restore';
import { quoteIdent } from '../platform/postgres/sql-text';
import { listWithout, type RestoreConnection } from './plan';

/** The scratch cluster's role that runs a foreign archive. */
export const RESTORER = 'ops_drill_restorer';

/** The superuser a drill of a foreign plain script administers the scratch cluster as (see renameSuperuser). */
export const SCRATCH_ADMIN = 'ops_scratch_admin';
const BOOTSTRAP_RENAMED = 'ops_scratch_bootstrap';

/** A dump without a manifest of ours: run as RESTORER. */
export function runsUnprivileged(contents: Pick<BackupContents, 'manifest'>): boolean {
  return contents.manifest === null;
}

export interface UnprivilegedRun {
  /** RESTORER on the scratch database. */
  connection: RestoreConnection;
  /** The -L list without the extensions the app created. */
  listFile: string | null;
  notes: string[];
}

type Query = (sql: string, values?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>;
/** Runs fn on the scratch cluster as the given connection's role, on the given database. */
type On = (connection: RestoreConnection, database: string, fn: (query: Query) => Promise<void>) => Promise<void>;

/**
 * A plain script says `ALTER … OWNER TO postgres` when it was dumped by postgres, and the
 * scratch cluster's superuser is postgres too: RESTORER must never be a member of it. So
 * the scratch cluster gets another superuser to administer it, the bootstrap superuser is
 * renamed, and "postgres" becomes a stand-in like any other owner.
 */
async function renameSuperuser(admin: RestoreConnection, on: On): Promise<RestoreConnection> {
  const password = crypto.randomBytes(24).toString('base64url');
  await on(admin, 'postgres', (q) => q(`CREATE ROLE ${quoteIdent(SCRATCH_ADMIN)} SUPERUSER LOGIN PASSWORD '${password}'`).then(() => undefined));
  const next = { ...admin, user: SCRATCH_ADMIN, password };
  await on(next, 'postgres', (q) => q(`ALTER ROLE ${quoteIdent(admin.user)} RENAME TO ${quoteIdent(BOOTSTRAP_RENAMED)}`).then(() => undefined));
  return next;
}

/**
 * As the scratch superuser (`admin` is the scratch database, `onDatabase` runs on it):
 * creates RESTORER, hands it the database and schema public, creates the TOC's extensions.
 */
export async function prepareUnprivileged(
  home: string,
  tool: ClientTool,
  contents: Pick<BackupContents, 'path' | 'extensions' | 'format' | 'roles' | 'namedRoles'>,
  scratchAdmin: RestoreConnection,
  on: On,
): Promise<UnprivilegedRun> {
  const password = crypto.randomBytes(24).toString('base64url');
  const notes = [
    `A dump without a manifest of ours is restored and validated as ${RESTORER}, a role without superuser rights that owns the scratch database: nothing in it can run programs or read or write files on this machine.`,
  ];
  const created: string[] = [];
  const plain = contents.format === 'plain';
  const named = [...new Set([...contents.roles, ...contents.namedRoles])];
  // Archives run with --no-owner --no-privileges; a plain script sets owners and grants itself.
  const admin = plain && named.includes(scratchAdmin.user) ? await renameSuperuser(scratchAdmin, on) : scratchAdmin;
  const standIns: string[] = [];
  await on(admin, admin.database, async (query) => {
    await query(`CREATE ROLE ${quoteIdent(RESTORER)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`);
    await query(`ALTER DATABASE ${quoteIdent(admin.database)} OWNER TO ${quoteIdent(RESTORER)}`);
    await query(`ALTER SCHEMA public OWNER TO ${quoteIdent(RESTORER)}`);
    if (plain) {
      // Owners and grantees the script names: stand-ins without rights that RESTORER may act as.
      // A role that already exists (a built-in one, ours) is never granted to it.
      for (const role of named) {
        const exists = await query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [role]);
        if (exists.rows.length > 0) continue;
        await query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
        await query(`GRANT ${quoteIdent(role)} TO ${quoteIdent(RESTORER)}`);
        // ALTER … OWNER TO needs the new owner to have CREATE on the object's schema.
        await query(`GRANT USAGE, CREATE ON SCHEMA public TO ${quoteIdent(role)}`);
        standIns.push(role);
      }
      // The script's CREATE EXTENSION IF NOT EXISTS finds them made; its COMMENT ON EXTENSION
      // needs the owner, so the throwaway cluster's catalog records RESTORER as theirs.
      for (const ext of contents.extensions) {
        if (ext === 'plpgsql') continue;
        try {
          await query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext)} WITH SCHEMA public`);
          await query('UPDATE pg_catalog.pg_extension SET extowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1) WHERE extname = $2', [
            RESTORER,
            ext,
          ]);
          created.push(ext);
        } catch (err) {
          notes.push(
            `The extension ${ext} could not be created for the drill (${(err as Error).message}): the script's own CREATE EXTENSION runs as ${RESTORER} and fails unless the extension is trusted.`,
          );
        }
      }
      return;
    }
    for (const ext of contents.extensions) {
      if (ext === 'plpgsql') continue;
      try {
        await query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext)} WITH SCHEMA public`);
        created.push(ext);
      } catch (err) {
        notes.push(
          `The extension ${ext} could not be created for the drill (${(err as Error).message}): the archive's own CREATE EXTENSION runs as ${RESTORER} and fails unless the extension is trusted.`,
        );
      }
    }
  });
  if (created.length > 0) notes.push(`Created by the app before the restore, in schema public: the extension(s) ${created.join(', ')}.`);
  if (standIns.length > 0) notes.push(`Roles the script names, stood in for without rights (${RESTORER} may act as them): ${standIns.join(', ')}.`);
  return {
    connection: { ...admin, user: RESTORER, password },
    listFile: created.length > 0 && !plain ? await listWithout(home, tool, contents.path, created) : null,
    notes,
  };
}

/** A restore refused for want of a superuser's rights reads as what it is. */
export function explainRefusal(error: string): string {
  if (!/must be superuser|pg_execute_server_program|pg_write_server_files|pg_read_server_files|permission denied|must be owner|only superuser/i.test(error))
    return error;
  return `${error} — the dump needed rights that a drill of a dump without a manifest of ours never grants (it runs as ${RESTORER}, not as a superuser): what it tried was refused and ran nothing on this machine.`;
}
