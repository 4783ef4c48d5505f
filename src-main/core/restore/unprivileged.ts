// A foreign archive (no manifest of ours) is drilled as a role that is not a superuser: a
// crafted archive's `COPY … TO PROGRAM`, untrusted-language function or file access would
// otherwise run as the scratch cluster's superuser, that is as this machine's OS user.
// What needs a superuser is done first by the app itself, from the archive's table of
// contents, never from the dump's text: the role that runs the dump (NOSUPERUSER, no
// membership in any role, so none of pg_execute_server_program / pg_read_server_files /
// pg_write_server_files), the scratch database and its schema public handed to it, and the
// extensions the TOC lists created in schema public (their EXTENSION and COMMENT entries
// are left out of the run through a -L list: only an extension's owner may comment on it).
// pg_restore then runs with --no-owner --no-privileges as that role, and so does the
// validation (the dump's own functions are never called as a superuser).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClientTool } from '../../contract/backup';
import type { BackupContents } from '../../contract/restore';
import { listArchive } from '../backup/verify';
import { quoteIdent } from '../postgres/sql-text';
import { parseTocLine } from './dump-reader';
import type { RestoreConnection } from './plan';

/** The scratch cluster's role that runs a foreign archive. */
export const RESTORER = 'ops_drill_restorer';

/** A foreign custom or directory archive: run as RESTORER (plain scripts carry their own OWNER TO statements). */
export function runsUnprivileged(contents: Pick<BackupContents, 'manifest' | 'format'>): boolean {
  return contents.manifest === null && contents.format !== 'plain';
}

export interface UnprivilegedRun {
  /** RESTORER on the scratch database. */
  connection: RestoreConnection;
  /** The -L list without the extensions the app created. */
  listFile: string | null;
  notes: string[];
}

type Query = (sql: string) => Promise<unknown>;

/**
 * As the scratch superuser (`admin` is the scratch database, `onDatabase` runs on it):
 * creates RESTORER, hands it the database and schema public, creates the TOC's extensions.
 */
export async function prepareUnprivileged(
  home: string,
  tool: ClientTool,
  contents: Pick<BackupContents, 'path' | 'extensions'>,
  admin: RestoreConnection,
  onDatabase: (fn: (query: Query) => Promise<void>) => Promise<void>,
): Promise<UnprivilegedRun> {
  const password = crypto.randomBytes(24).toString('base64url');
  const notes = [`A dump without a manifest of ours is restored and validated as ${RESTORER}, a role without superuser rights that owns the scratch database: nothing in it can run programs or read or write files on this machine.`];
  const created: string[] = [];
  await onDatabase(async (query) => {
    await query(`CREATE ROLE ${quoteIdent(RESTORER)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`);
    await query(`ALTER DATABASE ${quoteIdent(admin.database)} OWNER TO ${quoteIdent(RESTORER)}`);
    await query(`ALTER SCHEMA public OWNER TO ${quoteIdent(RESTORER)}`);
    for (const ext of contents.extensions) {
      if (ext === 'plpgsql') continue;
      try {
        await query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext)} WITH SCHEMA public`);
        created.push(ext);
      } catch (err) {
        notes.push(`The extension ${ext} could not be created for the drill (${(err as Error).message}): the archive's own CREATE EXTENSION runs as ${RESTORER} and fails unless the extension is trusted.`);
      }
    }
  });
  if (created.length > 0) notes.push(`Created by the app before the restore, in schema public: the extension(s) ${created.join(', ')}.`);
  return {
    connection: { ...admin, user: RESTORER, password },
    listFile: created.length > 0 ? await listWithoutExtensions(home, tool, contents.path, created) : null,
    notes,
  };
}

/** A pg_restore -L list of the archive without the given extensions and their comments (0600, under the app home). */
async function listWithoutExtensions(home: string, tool: ClientTool, archive: string, extensions: string[]): Promise<string> {
  const { toc } = await listArchive(tool, archive);
  const skip = (line: string): boolean => {
    const item = parseTocLine(line);
    if (!item) return false;
    return (item.type === 'EXTENSION' && extensions.includes(item.name)) || (item.type === 'COMMENT' && extensions.some((e) => item.name === `EXTENSION ${e}`));
  };
  const text = toc.split('\n').map((line) => (skip(line) ? `;${line}` : line)).join('\n');
  const dir = path.join(home, 'restore-lists');
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `drill-${crypto.createHash('sha256').update(archive).update(text).digest('hex').slice(0, 16)}.list`);
  await fs.promises.writeFile(file, text, { mode: 0o600 });
  return file;
}

/** A restore refused for want of a superuser's rights reads as what it is. */
export function explainRefusal(error: string): string {
  if (!/must be superuser|pg_execute_server_program|pg_write_server_files|pg_read_server_files|permission denied|must be owner|only superuser/i.test(error)) return error;
  return `${error} — the dump needed a superuser's rights, which a drill of a dump without a manifest of ours never grants (it runs as ${RESTORER}): what it tried was refused and ran nothing on this machine.`;
}
