// A storage snapshot fetched back from its offsite copy for a restore, when its folder is not
// on disk (written straight offsite, or removed outside the app). The newest ok copy's
// manifest object is read; the snapshot manifest it holds must hash to the catalog's
// manifestSha256 (an edited manifest is refused) and name every object file only in the form
// a snapshot writes (`objects/<sha256>`, or an older snapshot's `objects/ab/<sha256>`: an object's key — unicode, spaces, `../` — is
// never part of a local path). Each content object is downloaded into
// `<home>/offsite/staging/storage-<id>.partial/` (decrypted on the fly when the copy is
// encrypted: a wrong key is refused before the first download, and again by the header's key
// id), checked against its sha256, then the manifest written and the folder renamed into
// place. The storage restore then reads it as a snapshot folder (storage/staged.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { BackupCopy } from '../../contract/offsite';
import { keyId } from '../platform/crypto';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import { SnapshotCatalog, isObjectFileOf, objectPath, stagedSnapshotFolder } from '../storage';
import type { CopyRepo } from './copies';
import { readCopyManifest } from './copy-manifest';
import type { DestinationRepo } from './destinations';
import { downloadObject } from './download';
import type { OffsiteSecrets } from './secrets';
import { copyKey } from './stage';
import { objectsPrefixOf, type SnapshotCopyManifest } from './snapshot-copy';

export interface StagedSnapshot {
  snapshotId: string;
  /** The staged folder: manifest.json and objects/, as a snapshot folder. */
  path: string;
  objects: number;
  /** Stored bytes downloaded (0 when a verified staged folder was already there). */
  bytes: number;
  destination: string;
  key: string;
}

type Repos = { destinations: DestinationRepo; copies: CopyRepo; secrets: OffsiteSecrets };

function newestOkSnapshotCopy(copies: CopyRepo, snapshotId: string): BackupCopy | null {
  return copies.list({ backupId: snapshotId }).find((c) => c.kind === 'storage' && c.status === 'ok') ?? null;
}

export async function stageSnapshot(
  deps: Pick<CoreDeps, 'home' | 'store'>,
  repos: Repos,
  snapshotId: string,
  options: { signal?: AbortSignal; onProgress?: (p: { bytesDone: number; bytesTotal: number }) => void; concurrency?: number } = {},
): Promise<StagedSnapshot> {
  const entry = new SnapshotCatalog(deps.store.db).get(snapshotId);
  if (entry === null) throw new OpsError('NOT_FOUND', `There is no storage snapshot ${snapshotId}.`, { id: snapshotId });
  if (entry.status !== 'ok' || entry.manifestSha256 === null)
    throw new OpsError('CONFLICT', `Storage snapshot ${entry.id} is ${entry.status}: only a finished snapshot is fetched back.`);
  const copy = newestOkSnapshotCopy(repos.copies, entry.id);
  if (copy === null) throw new OpsError('NOT_FOUND', `Storage snapshot ${entry.id} has no ok offsite copy.`, { id: entry.id });
  const d = repos.destinations.get(copy.destinationId);
  const final = stagedSnapshotFolder(deps.home, entry.id);
  const result = (bytes: number, objects: number): StagedSnapshot => ({
    snapshotId: entry.id,
    path: final,
    objects,
    bytes,
    destination: d.name,
    key: copy.key,
  });
  if (sha256Of(path.join(final, 'manifest.json')) === entry.manifestSha256) return result(0, entry.objects);

  const key = copyKey(repos.secrets, d, copy);
  if (key !== null) {
    const given = keyId(key);
    // Refused before anything is downloaded (the header check would refuse it too, one object later).
    if (copy.keyId !== null && given !== copy.keyId)
      throw new OpsError(
        'DECRYPT_FAILED',
        `The copy on ${d.name} was encrypted with key ${copy.keyId}, not with the key given (${given}); nothing was restored.`,
        {
          reason: 'wrong-key',
          keyId: copy.keyId,
          expectedKeyId: given,
        },
      );
  }

  const store = new ObjectStore(repos.destinations.storeConfig(d));
  const partial = `${final}.partial`;
  const integrity = (message: string, objectKey: string) =>
    new OpsError('STORAGE_FAILED', `${message}: it was changed or damaged; nothing was restored from it.`, {
      reason: 'integrity',
      endpoint: d.endpoint,
      bucket: d.bucket,
      key: objectKey,
    });
  try {
    const m = (await readCopyManifest(store, d.bucket, copy.key, options.signal)) as unknown as SnapshotCopyManifest | null;
    if (m === null || !Array.isArray(m.snapshot?.objects)) throw integrity(`The manifest ${copy.key} on ${d.name} is missing or unreadable`, copy.key);
    const text = JSON.stringify(m.snapshot, null, 2);
    if (crypto.createHash('sha256').update(text).digest('hex') !== entry.manifestSha256)
      throw integrity(`The manifest ${copy.key} on ${d.name} is not the one recorded for snapshot ${entry.id}`, copy.key);
    const files = new Map<string, { file: string; size: number }>();
    for (const o of m.snapshot.objects) {
      // The only local names are the sha256's own: a manifest naming anything else is refused whole.
      let ok = false;
      try {
        ok = isObjectFileOf(o.file, o.sha256) && objectPath(partial, o.file).startsWith(partial + path.sep);
      } catch {
        ok = false;
      }
      if (!ok) throw integrity(`${copy.key} on ${d.name} names a file outside the snapshot (${JSON.stringify(String(o.file).slice(0, 80))})`, copy.key);
      files.set(o.sha256, { file: o.file, size: o.size });
    }
    const objectsPrefix = objectsPrefixOf(copy.key);
    const suffix = copy.encrypted ? '.enc' : '';
    const total = copy.bytes ?? [...files.values()].reduce((n, f) => n + f.size, 0);
    let done = 0;
    options.onProgress?.({ bytesDone: 0, bytesTotal: total });
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { recursive: true, mode: 0o700 });
    const queue = [...files.entries()];
    let failed = false;
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined && !failed; next = queue.shift()) {
        const [sha256, f] = next;
        const objectKey = `${objectsPrefix}${sha256.slice(0, 2)}/${sha256}${suffix}`;
        const target = objectPath(partial, f.file);
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
        const got = await downloadObject(store, d, objectKey, key, target, {
          ...(options.signal ? { signal: options.signal } : {}),
          onBytes: (delta) => {
            done += delta;
            options.onProgress?.({ bytesDone: done, bytesTotal: Math.max(done, total) });
          },
        });
        if (got !== sha256) throw integrity(`The offsite object ${objectKey} on ${d.name} does not match (sha256 ${got} ≠ ${sha256})`, objectKey);
      }
    };
    // The first failure stops the others taking more; every download has ended before the partial folder is removed.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, queue.length)) }, () =>
        worker().catch((err: unknown) => {
          failed = true;
          throw err;
        }),
      ),
    );
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    fs.writeFileSync(path.join(partial, 'manifest.json'), text, { mode: 0o600 });
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(partial, final);
    return result(done, m.snapshot.objects.length);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  } finally {
    store.destroy();
  }
}

function sha256Of(file: string): string | null {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}
