// A storage snapshot offsite. The snapshot's objects are content-addressed, and so are their
// copies: `<prefix>/<profile>/storage/objects/<ab>/<sha256>` (`.enc` when the destination
// encrypts), shared by every snapshot of the profile on that destination. One listing of that
// prefix says which the destination already holds, so only new content is sent (the nightly
// copy of a 20 GB bucket costs what changed); each object sent is read back and its sha256
// checked. Then `<prefix>/<profile>/storage/<snapshot folder>.manifest.json` (the snapshot's
// manifest and the copy's facts) is written last: a copy is there only once its manifest is,
// and a re-run after a failure lists again and sends only what is still missing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { CopyResult, OffsiteDestination } from '../../contract/offsite';
import type { StorageManifest, StorageSnapshotEntry } from '../../contract/storage';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import { SnapshotCatalog, readManifest } from '../storage';
import type { CopyRepo } from './copies';
import { copyFiles, listSizes } from './copy-files';
import { readCopyManifest, uploadsDir, type CopyOptions } from './copy-manifest';
import type { DestinationRepo } from './destinations';

/** `<key>` of a snapshot's copy: its manifest object. */
export interface SnapshotCopyManifest {
  copy: {
    id: string;
    snapshotId: string;
    key: string;
    /** sha256 of the snapshot's manifest.json (the catalog's manifestSha256). */
    sha256: string;
    /** Stored bytes of the objects the snapshot names (encrypted sizes when encrypted). */
    bytes: number;
    encrypted: boolean;
    keyId: string | null;
    copiedAt: string;
    /** Where the objects are: `<objectsPrefix><ab>/<sha256>[.enc]`. */
    objectsPrefix: string;
  };
  snapshot: StorageManifest;
}

export function isStorageSnapshot(deps: Pick<CoreDeps, 'store'>, id: string): boolean {
  return new SnapshotCatalog(deps.store.db).get(id) !== null;
}

/** The copy manifest's key and the profile's shared objects prefix (a direct snapshot uses the same layout). */
export function snapshotKeys(
  d: Pick<OffsiteDestination, 'prefix'>,
  entry: Pick<StorageSnapshotEntry, 'profileName' | 'path'>,
): { objectsPrefix: string; manifestKey: string } {
  const profile = entry.profileName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  const base = [d.prefix, profile, 'storage'].filter((s) => s !== '').join('/');
  return { objectsPrefix: `${base}/objects/`, manifestKey: `${base}/${path.basename(entry.path)}.manifest.json` };
}

export async function copySnapshot(
  deps: CoreDeps,
  repos: { destinations: DestinationRepo; copies: CopyRepo },
  snapshotId: string,
  destination: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const started = Date.now();
  const d = repos.destinations.get(destination);
  const encryptionKey = d.encrypt ? repos.destinations.encryptionKey(d) : null;
  const keyIdOf = encryptionKey !== null ? d.keyId : null;
  const { entry, manifest } = okSnapshot(deps, snapshotId);
  const sha256 = entry.manifestSha256!;
  const { objectsPrefix, manifestKey } = snapshotKeys(d, entry);
  const suffix = encryptionKey !== null ? '.enc' : '';
  const files = manifest.objects.map((o) => ({
    file: path.join(entry.path, o.file),
    key: `${objectsPrefix}${o.sha256.slice(0, 2)}/${o.sha256}${suffix}`,
    sha256: o.sha256,
    plainBytes: o.size,
  }));
  const result = (id: string, bytes: number, extra: Partial<CopyResult>): CopyResult => ({
    ok: true,
    id,
    backupId: entry.id,
    destination: d.name,
    key: manifestKey,
    bytes,
    sha256,
    encrypted: encryptionKey !== null,
    keyId: keyIdOf,
    durationMs: Date.now() - started,
    verified: true,
    kind: 'storage',
    objects: manifest.objects.length,
    ...extra,
  });

  const store = new ObjectStore(repos.destinations.storeConfig(d));
  try {
    await store.checkBucket(d.bucket, options.signal);
    const there = (await readCopyManifest(store, d.bucket, manifestKey, options.signal)) as unknown as SnapshotCopyManifest | null;
    if (there !== null) {
      if (there.copy?.sha256 !== sha256 || (there.copy.keyId ?? null) !== keyIdOf)
        throw new OpsError(
          'CONFLICT',
          `${manifestKey} already exists in ${d.bucket} at ${d.endpoint} with other content; an offsite object is never replaced.`,
        );
      let recorded = repos.copies.okAt(entry.id, d.id, manifestKey);
      if (recorded === null) {
        const id = crypto.randomUUID();
        repos.copies.insertRunning({
          id,
          backupId: entry.id,
          destinationId: d.id,
          destination: d.name,
          key: manifestKey,
          encrypted: keyIdOf !== null,
          keyId: keyIdOf,
          kind: 'storage',
        });
        repos.copies.finishOk(id, there.copy.bytes, sha256, new Date().toISOString());
        recorded = repos.copies.get(id)!;
      }
      return result(recorded.id, recorded.bytes ?? there.copy.bytes, { alreadyThere: true, uploadedObjects: 0 });
    }

    const previous = repos.copies.unfinished(entry.id, d.id, manifestKey);
    const id = previous?.id ?? crypto.randomUUID();
    if (previous !== null) repos.copies.restart(id);
    else
      repos.copies.insertRunning({
        id,
        backupId: entry.id,
        destinationId: d.id,
        destination: d.name,
        key: manifestKey,
        encrypted: keyIdOf !== null,
        keyId: keyIdOf,
        kind: 'storage',
      });
    try {
      const present = await listSizes(store, d.bucket, objectsPrefix, options.signal);
      const copied = await copyFiles(store, d.bucket, files, present, encryptionKey, {
        resumeDir: uploadsDir(deps.home),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        onProgress: (p) => options.onProgress?.({ copyId: id, ...p }),
      });
      const copiedAt = new Date().toISOString();
      const body: SnapshotCopyManifest = {
        copy: {
          id,
          snapshotId: entry.id,
          key: manifestKey,
          sha256,
          bytes: copied.storedBytes,
          encrypted: encryptionKey !== null,
          keyId: keyIdOf,
          copiedAt,
          objectsPrefix,
        },
        snapshot: manifest,
      };
      // Last: until it is there, the objects sent are no copy (and a re-run reuses them).
      await store.putBody(d.bucket, manifestKey, JSON.stringify(body, null, 2), { contentType: 'application/json', signal: options.signal });
      repos.copies.finishOk(id, copied.storedBytes, sha256, copiedAt);
      return result(id, copied.storedBytes, { uploadedObjects: copied.uploaded, uploadedBytes: copied.uploadedBytes });
    } catch (err) {
      const cancelled = err instanceof OpsError && err.code === 'CANCELLED';
      repos.copies.finishFailed(id, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  } finally {
    store.destroy();
  }
}

/** An ok snapshot whose folder is there and whose manifest.json is the one the catalog recorded. */
function okSnapshot(deps: Pick<CoreDeps, 'store'>, snapshotId: string): { entry: StorageSnapshotEntry; manifest: StorageManifest } {
  const entry = new SnapshotCatalog(deps.store.db).get(snapshotId);
  if (entry === null) throw new OpsError('NOT_FOUND', `There is no backup or storage snapshot ${snapshotId}.`, { id: snapshotId });
  if (entry.status !== 'ok' || entry.manifestSha256 === null)
    throw new OpsError('CONFLICT', `Storage snapshot ${entry.id} is ${entry.status}: only a finished, verified snapshot is copied offsite.`);
  if (entry.verifiedOk === false)
    throw new OpsError('CONFLICT', `Storage snapshot ${entry.id} failed its last verify, so it is not copied: verify it again, or take a new snapshot.`);
  const manifestFile = path.join(entry.path, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new OpsError('NOT_FOUND', `The folder of storage snapshot ${entry.id} is gone (${entry.path}).`, { id: entry.id, path: entry.path });
  const text = fs.readFileSync(manifestFile);
  if (crypto.createHash('sha256').update(text).digest('hex') !== entry.manifestSha256)
    throw new OpsError('CONFLICT', `The manifest of storage snapshot ${entry.id} is not the one recorded when it was taken: it is not copied.`);
  // Each object's bytes are checked against this manifest's sha256 when read back from the destination.
  return { entry, manifest: readManifest(entry.path) };
}

/** Where a snapshot copy's objects live, from its manifest key (`<base>/<folder>.manifest.json` → `<base>/objects/`). */
export function objectsPrefixOf(manifestKey: string): string {
  return `${manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1)}objects/`;
}

/**
 * After prune deleted some snapshot copies' manifests: the objects under `objectsPrefix` that
 * no remaining manifest names are deleted. Objects newer than `graceMs` stay (a copy still
 * running may have sent them and not yet written the manifest that names them).
 */
export async function sweepSnapshotObjects(
  store: ObjectStore,
  bucket: string,
  objectsPrefix: string,
  keptManifestKeys: string[],
  graceMs: number,
  now: Date,
): Promise<string[]> {
  const referenced = new Set<string>();
  for (const key of keptManifestKeys) {
    const kept = (await readCopyManifest(store, bucket, key)) as unknown as SnapshotCopyManifest | null;
    // A manifest that does not read: keep everything rather than guess.
    if (kept === null || !Array.isArray(kept.snapshot?.objects)) return [];
    for (const o of kept.snapshot.objects) referenced.add(o.sha256);
  }
  const deleted: string[] = [];
  for await (const o of store.listObjects(bucket, objectsPrefix)) {
    const sha = /([0-9a-f]{64})(\.enc)?$/.exec(o.key)?.[1];
    if (sha === undefined || referenced.has(sha)) continue;
    if (o.lastModified === '' || now.getTime() - Date.parse(o.lastModified) < graceMs) continue;
    await store.remove(bucket, o.key);
    deleted.push(o.key);
  }
  return deleted;
}
