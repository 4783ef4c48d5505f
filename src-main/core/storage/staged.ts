// Where a snapshot is read from when its own folder is not on disk. A snapshot written
// straight to an offsite destination never had a folder (its catalog row keeps the path it
// would have had, as a direct database backup's does); one whose folder was removed outside
// the app may still have an offsite copy. The offsite domain fetches such a copy into
// `<home>/offsite/staging/storage-<id>/` (same layout as a snapshot folder: manifest.json and
// objects/<sha256>; every file checked against the manifest, the manifest against the
// catalog's sha256, renamed into place only then). The storage domain knows only that path
// (it cannot import offsite: offsite imports storage) and checks the manifest's sha256 again
// before trusting it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StorageSnapshotEntry } from '../../contract/storage';
import { snapshotName } from './paths';

/** A profile name as one folder name: anything but letters, digits, dot, dash and underscore becomes '_'. */
export function folderSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe === '' ? '_' : safe.slice(0, 100);
}

/** The folder a snapshot of `profileName` started at `at` gets under the app home (the default of startStorageBackup). */
export function plannedSnapshotFolder(home: string, profileName: string, at: Date): string {
  return path.join(home, 'storage-snapshots', folderSafe(profileName), snapshotName(at));
}

/** Where the offsite domain stages a snapshot's copy for a restore. */
export function stagedSnapshotFolder(home: string, snapshotId: string): string {
  // The id is a UUID from the catalog; anything else is made one path segment.
  return path.join(home, 'offsite', 'staging', `storage-${snapshotId.replace(/[^A-Za-z0-9-]/g, '_')}`);
}

function manifestSha256(folder: string): string | null {
  try {
    return crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(folder, 'manifest.json')))
      .digest('hex');
  } catch {
    return null;
  }
}

/**
 * The folder to read an ok snapshot from: its own when it is there, else its staged offsite
 * copy when that holds the manifest the catalog recorded, else null.
 */
export function readableFolder(home: string, entry: StorageSnapshotEntry): { folder: string; staged: boolean } | null {
  if (fs.existsSync(entry.path)) return { folder: entry.path, staged: false };
  const staged = stagedSnapshotFolder(home, entry.id);
  if (entry.manifestSha256 !== null && manifestSha256(staged) === entry.manifestSha256) return { folder: staged, staged: true };
  return null;
}

/** Removes a snapshot's staged copy (after its restore, or with the snapshot); a missing one is fine. */
export function removeStagedSnapshot(home: string, snapshotId: string): void {
  const staged = stagedSnapshotFolder(home, snapshotId);
  fs.rmSync(staged, { recursive: true, force: true });
  fs.rmSync(`${staged}.partial`, { recursive: true, force: true });
}
