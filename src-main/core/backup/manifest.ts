// The manifest written beside every good backup (`<name>.manifest.json`): what was dumped,
// from where, with which tools, and what it must contain, so a backup folder copied to
// another machine still describes itself and can be verified there.
import type pg from 'pg';
import type { BackupManifest, ManifestTable } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { TableInfo } from './plan';
import { quoteIdent } from '../platform/postgres/sql-text';
import { artifactText, localArtifact, type Destination } from '../platform/destinations';

/** Tables estimated below this many rows are counted exactly. */
export const DEFAULT_EXACT_BELOW_ROWS = 1_000_000;
/** Bytes per row assumed when the planner has no estimate (never analyzed). */
const BYTES_PER_ROW_GUESS = 100;

/**
 * Rows per table: count(*) where that is cheap, the planner's estimate (flagged
 * exact: false) for big tables. A table the planner knows nothing about (reltuples -1,
 * or 0 on servers before 14) is judged by its size, so a never-analyzed giant is not
 * scanned by surprise. Run it inside the caller's transaction to get one snapshot.
 */
export async function countTableRows(client: pg.Client, tables: TableInfo[], exactBelowRows: number = DEFAULT_EXACT_BELOW_ROWS): Promise<ManifestTable[]> {
  const out: ManifestTable[] = [];
  for (const t of tables) {
    const sizeGuess = Math.ceil(t.bytes / BYTES_PER_ROW_GUESS);
    const guess = t.estimatedRows > 0 ? t.estimatedRows : sizeGuess;
    if (guess < exactBelowRows) {
      const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`);
      out.push({ schema: t.schema, name: t.name, rows: Number(r.rows[0]!.n), exact: true, bytes: t.bytes });
    } else {
      out.push({ schema: t.schema, name: t.name, rows: guess, exact: false, bytes: t.bytes });
    }
  }
  return out;
}

/** `<backupPath>.manifest.json`: beside the file, or beside the directory (never inside it). */
export function manifestPathFor(backupPath: string): string {
  const trimmed = backupPath.length > 1 ? backupPath.replace(/[\\/]+$/, '') : backupPath;
  return `${trimmed}.manifest.json`;
}

/** Temp file (0600, like the dump it describes), fsync, rename, then fsync of the folder: a crash leaves the old file or the new one, never half. */
export async function writeManifest(file: string, manifest: BackupManifest): Promise<void> {
  const { destination, name } = localArtifact(file);
  await writeManifestTo(destination, name, manifest);
}

/** The manifest written whole or not at all under `name` in the destination (see Destination.writeText). */
export async function writeManifestTo(destination: Destination, name: string, manifest: BackupManifest): Promise<void> {
  try {
    await destination.writeText(name, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    const file = artifactText(destination, name);
    throw new OpsError('IO_FAILED', `The manifest ${file} could not be written: ${(err as Error).message}`, {
      path: file,
      errno: (err as NodeJS.ErrnoException).code,
    });
  }
}

function looksLikeManifest(value: unknown): value is BackupManifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<BackupManifest>;
  return m.manifestVersion === 1 && typeof m.id === 'string' && typeof m.sha256 === 'string' && typeof m.file === 'string' && Array.isArray(m.tables);
}

/** The manifest, or null when there is none or the file is not one of ours. */
export async function readManifest(file: string): Promise<BackupManifest | null> {
  const { destination, name } = localArtifact(file);
  return readManifestFrom(destination, name);
}

export async function readManifestFrom(destination: Destination, name: string): Promise<BackupManifest | null> {
  let text: string | null;
  try {
    text = await destination.readText(name);
  } catch (err) {
    const file = artifactText(destination, name);
    throw new OpsError('IO_FAILED', `The manifest ${file} could not be read: ${(err as Error).message}`, {
      path: file,
      errno: (err as NodeJS.ErrnoException).code,
    });
  }
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return looksLikeManifest(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
