// A directory-format dump offsite: one object per file under `<prefix>/<profile>/<dir>/`
// (`<file>.enc` when encrypted), each read back and checked against the sha256 the backup's
// manifest holds for it, then `<prefix>/<profile>/<dir>.manifest.json` written last, listing
// every file's key and sha256. Per-file objects rather than one tar stream: the manifest
// already has a sha256 per file, so each object is checked on its own; a re-run after a
// failure sends only the files not yet there; a tampered object is named by its file when it
// is staged back; and no archive format of our own has to be written and parsed.
import crypto from 'node:crypto';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { BackupEntry } from '../../contract/backup';
import type { CopyResult, OffsiteDestination } from '../../contract/offsite';
import type { CoreDeps } from '../platform/kernel/deps';
import type { ObjectStore } from '../platform/objectstore';
import type { CopyRepo } from './copies';
import { copyFiles, listSizes } from './copy-files';
import { readCopyManifest, uploadsDir, type CopyManifest, type CopyOptions } from './copy-manifest';

/** The prefix a directory dump's files go under, and its manifest's key. */
export function directoryKeys(base: string): { key: string; manifestKey: string } {
  return { key: `${base}/`, manifestKey: `${base}.manifest.json` };
}

export async function copyDirectoryBackup(
  deps: CoreDeps,
  copies: CopyRepo,
  c: { entry: BackupEntry; d: OffsiteDestination; store: ObjectStore; base: string; encryptionKey: Buffer | null; options: CopyOptions; started: number },
): Promise<CopyResult> {
  const { entry, d, store, encryptionKey, options } = c;
  const sha256 = entry.sha256!;
  const keyIdOf = encryptionKey !== null ? d.keyId : null;
  const files = entry.manifest?.files;
  if (files === undefined || files.length === 0)
    throw new OpsError('CONFLICT', `Backup ${entry.id} is a directory dump whose manifest lists no files: verify it, or take a new backup to copy.`);
  const { key, manifestKey } = directoryKeys(c.base);
  const result = (id: string, bytes: number, alreadyThere: boolean): CopyResult => ({
    ok: true,
    id,
    backupId: entry.id,
    destination: d.name,
    key,
    bytes,
    sha256,
    encrypted: encryptionKey !== null,
    keyId: keyIdOf,
    durationMs: Date.now() - c.started,
    verified: true,
    ...(alreadyThere ? { alreadyThere: true } : {}),
  });

  const there = await readCopyManifest(store, d.bucket, manifestKey, options.signal);
  if (there !== null) {
    if (there.copy.sha256 !== sha256 || (there.copy.keyId ?? null) !== keyIdOf)
      throw new OpsError('CONFLICT', `${manifestKey} already exists in ${d.bucket} at ${d.endpoint} with other content; an offsite object is never replaced.`);
    let recorded = copies.okAt(entry.id, d.id, key);
    if (recorded === null) {
      const id = crypto.randomUUID();
      copies.insertRunning({ id, backupId: entry.id, destinationId: d.id, destination: d.name, key, encrypted: keyIdOf !== null, keyId: keyIdOf });
      copies.finishOk(id, there.copy.bytes, sha256, new Date().toISOString());
      recorded = copies.get(id)!;
    }
    return result(recorded.id, recorded.bytes ?? there.copy.bytes, true);
  }

  const previous = copies.unfinished(entry.id, d.id, key);
  const id = previous?.id ?? crypto.randomUUID();
  if (previous !== null) copies.restart(id);
  else copies.insertRunning({ id, backupId: entry.id, destinationId: d.id, destination: d.name, key, encrypted: keyIdOf !== null, keyId: keyIdOf });
  try {
    const suffix = encryptionKey !== null ? '.enc' : '';
    const toCopy = files.map((f) => ({
      name: f.name,
      file: path.join(entry.path, f.name),
      key: `${key}${f.name}${suffix}`,
      sha256: f.sha256,
      plainBytes: f.bytes,
    }));
    const present = await listSizes(store, d.bucket, key, options.signal);
    const copied = await copyFiles(store, d.bucket, toCopy, present, encryptionKey, {
      resumeDir: uploadsDir(deps.home),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
      onProgress: (p) => options.onProgress?.({ copyId: id, ...p }),
    });
    const copiedAt = new Date().toISOString();
    const manifest: CopyManifest = {
      copy: {
        id,
        backupId: entry.id,
        key,
        bytes: copied.storedBytes,
        sha256,
        encrypted: encryptionKey !== null,
        keyId: keyIdOf,
        copiedAt,
        plainBytes: entry.bytes ?? undefined,
        files: toCopy.map((f) => ({ name: f.name, key: f.key, sha256: f.sha256, plainBytes: f.plainBytes })),
      },
      backup: entry.manifest,
    };
    // Written last: a copy without its manifest is not a copy (stage and "already there" read it).
    await store.putBody(d.bucket, manifestKey, JSON.stringify(manifest, null, 2), { contentType: 'application/json', signal: options.signal });
    copies.finishOk(id, copied.storedBytes, sha256, copiedAt);
    return result(id, copied.storedBytes, false);
  } catch (err) {
    const cancelled = err instanceof OpsError && err.code === 'CANCELLED';
    // Files already sent stay: without the manifest they are no copy, and a re-run reuses them.
    copies.finishFailed(id, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}
