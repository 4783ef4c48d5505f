// Copying a verified local backup to an offsite destination: never over an existing object,
// multipart and resumable (the resume log under <home>/offsite/uploads/<copy id>.json makes
// a re-run after a dropped connection continue the same upload), then the object streamed
// back and its sha256 compared with the catalog's before the copy counts as ok.
// An encrypting destination gets `<key>.enc`: the dump encrypted part by part as it is sent
// (nothing encrypted is staged on disk), its salt and chunk size kept in the resume log so a
// resumed upload re-creates byte-identical parts, and the read-back decrypts the object and
// compares the plaintext's sha256 with the catalog's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { BackupEntry } from '../../contract/backup';
import type { CopyResult } from '../../contract/offsite';
import { BackupCatalog, verifyBackupEntry } from '../backup';
import { chunksPerPartFor, encryptedPartSource, newEncryptionParams, paramsToJson, type EncryptionParams } from '../platform/crypto';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore, filePartSource, fileResumeLog, partSizeFor, uploadMultipart, type PartSource, type ResumeLog } from '../platform/objectstore';
import type { CopyRepo } from './copies';
import { copyDirectoryBackup } from './copy-dir';
import { objectKeyFor, readCopyManifest, uploadsDir, type CopyManifest, type CopyOptions } from './copy-manifest';
import type { DestinationRepo } from './destinations';
import { readBackDecrypted, savedParams, streamSha256, withParams } from './read-back';

export { objectKeyFor, uploadsDir, type CopyManifest, type CopyOptions, type CopyProgress } from './copy-manifest';

export async function copyBackup(
  deps: CoreDeps,
  repos: { destinations: DestinationRepo; copies: CopyRepo },
  backupId: string,
  destination: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const started = Date.now();
  const d = repos.destinations.get(destination);
  // The key is checked against the destination's keyId before anything is uploaded.
  const encryptionKey = d.encrypt ? repos.destinations.encryptionKey(d) : null;
  const keyIdOf = encryptionKey !== null ? d.keyId : null;
  const entry = await verifiedBackup(deps, backupId);
  const sha256 = entry.sha256!;
  const config = repos.destinations.storeConfig(d);
  const store = new ObjectStore(config);
  try {
    await store.checkBucket(d.bucket, options.signal);
    if (entry.format === 'directory')
      return await copyDirectoryBackup(deps, repos.copies, { entry, d, store, base: objectKeyFor(d, entry), encryptionKey, options, started });
    const key = objectKeyFor(d, entry) + (encryptionKey !== null ? '.enc' : '');
    const manifestKey = `${key}.manifest.json`;
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
      durationMs: Date.now() - started,
      verified: true,
      ...(alreadyThere ? { alreadyThere: true } : {}),
    });

    const existing = await store.head(d.bucket, key, options.signal);
    if (existing !== null) {
      const there = await readCopyManifest(store, d.bucket, manifestKey, options.signal);
      if (there?.copy.sha256 !== sha256 || (there.copy.keyId ?? null) !== keyIdOf)
        throw new OpsError('CONFLICT', `${key} already exists in ${d.bucket} at ${d.endpoint} with other content; an offsite object is never replaced.`);
      let recorded = repos.copies.okAt(entry.id, d.id, key);
      if (recorded === null) {
        // Copied by another install or a lost row: record what is there.
        const id = crypto.randomUUID();
        repos.copies.insertRunning({ id, backupId: entry.id, destinationId: d.id, destination: d.name, key, encrypted: keyIdOf !== null, keyId: keyIdOf });
        repos.copies.finishOk(id, existing.size, sha256, new Date().toISOString());
        recorded = repos.copies.get(id)!;
      }
      return result(recorded.id, existing.size, true);
    }

    fs.mkdirSync(uploadsDir(deps.home), { recursive: true, mode: 0o700 });
    const previous = repos.copies.unfinished(entry.id, d.id, key);
    const id = previous !== null && fs.existsSync(resumeFile(deps.home, previous.id)) ? previous.id : crypto.randomUUID();
    if (id === previous?.id) repos.copies.restart(id);
    else repos.copies.insertRunning({ id, backupId: entry.id, destinationId: d.id, destination: d.name, key, encrypted: keyIdOf !== null, keyId: keyIdOf });

    // Set once the upload starts: a copy cancelled after it completed (while verifying) leaves no object.
    let uploadedTo: string | null = null;
    try {
      const plainBytes = fs.statSync(entry.path).size;
      const log = fileResumeLog(resumeFile(deps.home, id));
      let source: PartSource;
      let resume: ResumeLog = log;
      let params: EncryptionParams | null = null;
      if (encryptionKey !== null) {
        params = savedParams(resumeFile(deps.home, id)) ?? newEncryptionParams(options.chunkBytes);
        source = encryptedPartSource(entry.path, encryptionKey, params, chunksPerPartFor(plainBytes, params));
        resume = withParams(log, params);
      } else source = filePartSource(entry.path, partSizeFor(plainBytes));
      const total = source.totalBytes;
      uploadedTo = key;
      let sent = 0;
      let checked = 0;
      options.onProgress?.({ copyId: id, phase: 'upload', bytesDone: 0, bytesTotal: total });
      const onChecked = (delta: number) => {
        checked += delta;
        options.onProgress?.({ copyId: id, phase: 'verify', bytesDone: Math.min(checked, total), bytesTotal: total });
      };
      await uploadMultipart(store, d.bucket, key, source, {
        resume,
        signal: options.signal,
        onBytes: (delta) => {
          sent += delta;
          options.onBytes?.(delta);
          options.onProgress?.({ copyId: id, phase: 'upload', bytesDone: Math.min(sent, total), bytesTotal: total });
        },
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        contentType: 'application/octet-stream',
        metadata: { 'ops-console-sha256': sha256 },
      });
      const back =
        encryptionKey !== null
          ? await readBackDecrypted(store, d.bucket, key, encryptionKey, options.signal, onChecked)
          : await streamSha256(store, d.bucket, key, options.signal, onChecked);
      if (back.sha256 !== sha256 || back.failure !== undefined) {
        // A copy that does not read back as the backup is worse than none: remove it.
        await store.remove(d.bucket, key).catch(() => undefined);
        if (back.failure !== undefined) throw back.failure;
        throw new OpsError('STORAGE_FAILED', `${key} read back from ${d.endpoint} does not match the backup (sha256 ${back.sha256} ≠ ${sha256}).`, {
          reason: 'integrity',
          endpoint: d.endpoint,
          bucket: d.bucket,
          key,
        });
      }
      const verifiedAt = new Date().toISOString();
      const manifest: CopyManifest = {
        copy: {
          id,
          backupId: entry.id,
          key,
          bytes: back.bytes,
          sha256,
          encrypted: params !== null,
          keyId: keyIdOf,
          copiedAt: verifiedAt,
          plainBytes,
          encryption: params !== null ? paramsToJson(params) : null,
        },
        backup: entry.manifest,
      };
      await store.putBody(d.bucket, manifestKey, JSON.stringify(manifest, null, 2), { contentType: 'application/json', signal: options.signal });
      fs.rmSync(resumeFile(deps.home, id), { force: true });
      repos.copies.finishOk(id, back.bytes, sha256, verifiedAt);
      return result(id, back.bytes, false);
    } catch (err) {
      const cancelled = err instanceof OpsError && err.code === 'CANCELLED';
      if (cancelled && uploadedTo !== null) {
        // The multipart upload was aborted on the store already when it was under way; a completed one is removed.
        await store.remove(d.bucket, uploadedTo).catch(() => undefined);
        fs.rmSync(resumeFile(deps.home, id), { force: true });
      }
      repos.copies.finishFailed(id, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  } finally {
    store.destroy();
  }
}

function resumeFile(home: string, copyId: string): string {
  return path.join(uploadsDir(home), `${copyId}.json`);
}

/** An ok catalog entry whose file verifies (verified now when it never was). */
async function verifiedBackup(deps: CoreDeps, backupId: string): Promise<BackupEntry> {
  const catalog = new BackupCatalog(deps.store.db);
  const entry = catalog.get(backupId);
  if (entry === null) throw new OpsError('NOT_FOUND', `There is no backup ${backupId}.`, { id: backupId });
  if (entry.status !== 'ok' || entry.sha256 === null)
    throw new OpsError('CONFLICT', `Backup ${entry.id} is ${entry.status}: only a finished, verified backup is copied offsite.`);
  if (!fs.existsSync(entry.path))
    throw new OpsError('NOT_FOUND', `The dump of backup ${entry.id} is gone (${entry.path}).`, { id: entry.id, path: entry.path });
  if (entry.verifiedOk !== true) {
    const verified = await verifyBackupEntry(deps, entry);
    if (!verified.ok) {
      const failed = verified.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      throw new OpsError('CONFLICT', `Backup ${entry.id} does not verify, so it is not copied: ${failed.join('; ')}`);
    }
  }
  return catalog.get(backupId)!;
}
