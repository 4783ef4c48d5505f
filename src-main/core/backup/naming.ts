// Backup names decided once, at review (issue #19): the extension a format's file has, the
// check that a name passed back at start is one the core would write and is still free,
// and the note a read-only profile's backup carries instead of a pre-operation marker.
import path from 'node:path';
import type { BackupFormat, BackupKind } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import { artifactText, type Destination } from '../platform/destinations';

export const EXTENSION: Record<BackupFormat, string> = { custom: '.dump', plain: '.sql', directory: '' };

/** Why a read-only profile's backup records no pre-operation marker (review warning, manifest warning). */
export function readOnlyMarkerNote(profileName: string): string {
  return `pre-operation marker not recorded: ${profileName} is a read-only profile and the marker writes a row (ops_toolkit.create_backup_metadata); back up through a read-write profile to record it, or turn the marker off.`;
}

/**
 * The name decided at review, checked again at start: it must be one the core would write
 * for these options (the format's extension), and still free (the file and its partial):
 * a name taken since the review is an error, never a silent rename.
 */
export async function reviewedBackupName(destination: Destination, fileName: string, kind: BackupKind, format: BackupFormat): Promise<string> {
  const ext = kind === 'roles' ? '.sql' : EXTENSION[format];
  const hasExt = ext === '' ? !['.dump', '.sql'].includes(path.extname(fileName)) : fileName.endsWith(ext) && fileName.length > ext.length;
  if (!hasExt) {
    const want = ext === '' ? 'a folder name without .dump or .sql' : `a name ending in ${ext}`;
    throw new OpsError('INVALID_INPUT', `fileName: ${fileName} does not fit a ${kind === 'roles' ? 'roles' : format} backup (${want}).`, { field: 'fileName' });
  }
  if ((await destination.freeName(fileName, 1)) === null) {
    const where = artifactText(destination, fileName);
    throw new OpsError(
      'CONFLICT',
      `${where} already exists (or is being written): the reviewed name is never replaced nor renamed. Review the backup again for a new name.`,
      {
        path: where,
      },
    );
  }
  return fileName;
}
