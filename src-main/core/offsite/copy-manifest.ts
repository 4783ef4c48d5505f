// What every kind of offsite copy shares: the copy manifest written beside it (last), the
// options and progress of a copy, the object key a local artifact gets, and the folder of
// resume logs.
import path from 'node:path';
import type { BackupEntry } from '../../contract/backup';
import type { OffsiteDestination } from '../../contract/offsite';
import type { ObjectStore } from '../platform/objectstore';

/** What a copy's `<key>.manifest.json` holds besides the backup's own manifest. */
export interface CopyManifest {
  copy: {
    id: string;
    backupId: string;
    key: string;
    /** The object's bytes (encrypted size when encrypted). */
    bytes: number;
    /** sha256 of the plaintext: the backup's own. */
    sha256: string;
    encrypted: boolean;
    keyId: string | null;
    copiedAt: string;
    /** The dump's bytes before encryption. */
    plainBytes?: number;
    /** A directory dump's files: each its own object, checked on its own. */
    files?: Array<{ name: string; key: string; sha256: string; plainBytes: number }>;
    /** Salt (base64) and chunk size of an encrypted copy (the header holds them too). */
    encryption?: { salt: string; chunkBytes: number } | null;
  };
  backup: BackupEntry['manifest'];
}

export interface CopyOptions {
  signal?: AbortSignal;
  onBytes?: (delta: number) => void;
  /** Parts in flight at once (the object store's default when absent). */
  concurrency?: number;
  /** Plaintext bytes per encrypted chunk of a new encrypted copy (the format's default when absent). */
  chunkBytes?: number;
  /** Every step of the upload (object bytes sent) and of the read-back (object bytes checked); the caller throttles. */
  onProgress?: (p: CopyProgress) => void;
}

export interface CopyProgress {
  copyId: string;
  phase: 'upload' | 'verify';
  bytesDone: number;
  bytesTotal: number;
}

export function uploadsDir(home: string): string {
  return path.join(home, 'offsite', 'uploads');
}

/** `<prefix>/<profile>/<dump file name>`; the profile's name made safe for one key segment. */
export function objectKeyFor(d: Pick<OffsiteDestination, 'prefix'>, entry: Pick<BackupEntry, 'profileName' | 'path'>): string {
  const profile = entry.profileName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return [d.prefix, profile, path.basename(entry.path)].filter((s) => s !== '').join('/');
}

export async function readCopyManifest(store: ObjectStore, bucket: string, key: string, signal?: AbortSignal): Promise<CopyManifest | null> {
  const text = await store.getText(bucket, key, signal);
  if (text === null) return null;
  try {
    return JSON.parse(text) as CopyManifest;
  } catch {
    return null;
  }
}
