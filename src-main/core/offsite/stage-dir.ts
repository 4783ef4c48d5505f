// Staging a directory-format dump's offsite copy: the copy manifest (written last, so its
// presence means every file was sent and read back) lists each file's key and sha256. The
// listing must hash to the catalog's sha256 for the backup (so an edited manifest is caught
// too), every name must be a plain file name (never a path), and each file downloaded into
// the `.partial` folder must match its sha256; the caller renames the folder only then.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { BackupCopy, OffsiteDestination } from '../../contract/offsite';
import type { ObjectStore } from '../platform/objectstore';
import { readCopyManifest } from './copy-manifest';
import { downloadObject, type DownloadOptions } from './download';

const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export async function fetchDirectory(
  store: ObjectStore,
  d: OffsiteDestination,
  copy: BackupCopy,
  key: Buffer | null,
  partialDir: string,
  options: DownloadOptions & { expectedSha256: string; onProgress?: (p: { bytesDone: number; bytesTotal: number }) => void },
): Promise<void> {
  const manifestKey = `${copy.key.replace(/\/$/, '')}.manifest.json`;
  const integrity = (message: string, objectKey: string) =>
    new OpsError('STORAGE_FAILED', `${message}: it was changed or damaged; nothing was restored from it.`, {
      reason: 'integrity',
      endpoint: d.endpoint,
      bucket: d.bucket,
      key: objectKey,
    });
  const manifest = await readCopyManifest(store, d.bucket, manifestKey, options.signal);
  const files = manifest?.copy.files;
  if (manifest === null || files === undefined)
    throw integrity(`The manifest ${manifestKey} of the offsite copy on ${d.name} is missing or unreadable`, manifestKey);
  const listing = [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.name} ${f.sha256}\n`)
    .join('');
  if (crypto.createHash('sha256').update(listing).digest('hex') !== options.expectedSha256)
    throw integrity(`The file list in ${manifestKey} on ${d.name} does not match the backup's sha256`, manifestKey);
  for (const f of files)
    if (!FILE_NAME.test(f.name) || !f.key.startsWith(copy.key))
      throw integrity(`${manifestKey} on ${d.name} names a file outside the copy (${JSON.stringify(f.name)})`, manifestKey);

  fs.mkdirSync(partialDir, { mode: 0o700 });
  const total = copy.bytes ?? files.reduce((s, f) => s + f.plainBytes, 0);
  let done = 0;
  options.onProgress?.({ bytesDone: 0, bytesTotal: total });
  for (const f of files) {
    const sha256 = await downloadObject(store, d, f.key, key, path.join(partialDir, f.name), {
      ...(options.signal ? { signal: options.signal } : {}),
      onBytes: (delta) => {
        done += delta;
        options.onBytes?.(delta);
        options.onProgress?.({ bytesDone: done, bytesTotal: Math.max(done, total) });
      },
    });
    if (sha256 !== f.sha256) throw integrity(`The offsite copy's file ${f.key} on ${d.name} does not match (sha256 ${sha256} ≠ ${f.sha256})`, f.key);
  }
}
