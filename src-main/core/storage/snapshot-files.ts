// The per-object file work of a storage snapshot (snapshot.ts): one object downloaded into
// the partial folder under its hash, one hard link from the previous snapshot, and a local
// write failure worded for the user.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { StorageManifestObject, StorageSkippedObject } from '../../contract/storage';
import type { ObjectInfo, ObjectStore } from '../platform/objectstore';
import { objectFile } from './paths';

/** An object as the listing gave it, with its bucket. */
export interface Listed extends ObjectInfo {
  bucket: string;
}

/**
 * Downloads one object into the partial folder under its hash and hands the file to `flush`
 * (with its open handle, which `flush` then owns). Replaced since the listing:
 * taken once more at its new version (noted `changedDuring`); replaced again: skipped, so
 * a manifest entry never mixes two versions' bytes.
 */
export async function fetchOne(
  store: ObjectStore,
  item: Listed,
  partial: string,
  tmpName: () => string,
  onBytes: (delta: number) => void,
  signal: AbortSignal | undefined,
  flush: (file: string, handle?: fs.promises.FileHandle) => void,
): Promise<StorageManifestObject | StorageSkippedObject> {
  let expectEtag = item.etag;
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = path.join(partial, tmpName());
    let moved = 0;
    try {
      const got = await store.download(item.bucket, item.key, tmp, {
        expectEtag,
        signal,
        sync: false,
        keepOpen: true,
        onBytes: (d) => {
          moved += d;
          onBytes(d);
        },
      });
      const file = objectFile(got.sha256);
      const target = path.join(partial, file);
      let placed = true;
      try {
        // objects/ exists (made with the partial folder). Off the event loop: a rename waits
        // for the file system's journal, which the flushes keep busy. Same content already
        // there (another key, same bytes): the rename replaces it with identical bytes.
        await fs.promises.rename(tmp, target);
      } catch (err) {
        await got.handle?.close().catch(() => undefined);
        // Windows refuses to rename over a file that is open (the same content, still waiting
        // in the flush queue with its handle): that file already holds these bytes.
        if (!sameContentThere(err, target)) throw err;
        fs.rmSync(tmp, { force: true });
        placed = false;
      }
      // Flushed through the download's own handle, still open on the renamed file.
      if (placed) flush(target, got.handle);
      return {
        bucket: item.bucket,
        key: item.key,
        size: got.bytes,
        etag: got.etag,
        contentType: got.contentType,
        lastModified: got.lastModified ?? item.lastModified,
        sha256: got.sha256,
        file,
        ...(attempt > 0 ? { changedDuring: true as const } : {}),
      };
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      onBytes(-moved);
      const reason = err instanceof OpsError && err.code === 'STORAGE_FAILED' ? (err.detail as { reason?: string } | undefined)?.reason : undefined;
      // Deleted since the listing: not an error of the snapshot, only not in it.
      if (reason === 'not-found') return { bucket: item.bucket, key: item.key, reason: 'deleted' };
      if (reason !== 'changed') throw err;
      const now = await store.head(item.bucket, item.key, signal);
      if (!now) return { bucket: item.bucket, key: item.key, reason: 'deleted' };
      expectEtag = now.etag;
    }
  }
  return { bucket: item.bucket, key: item.key, reason: 'changed-twice' };
}

/** A rename refused because its target exists and is in use: the target is named by its sha256, so it holds the same bytes. */
function sameContentThere(err: unknown, target: string): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY' || code === 'EEXIST') && fs.existsSync(target);
}

/**
 * Hard link (the bytes are shared, not copied); a copy where links cannot cross (EXDEV) or are
 * refused. 'linked' when `to` is a link to `from`; 'exists' when `to` was there already (same
 * content, linked or downloaded for another key); 'copied' for a new file whose bytes are not
 * on disk yet (the caller flushes it, and checks it like a download). `made`: the folders
 * created so far, so each is made once.
 */
export function linkInto(from: string, to: string, made: Set<string>): 'linked' | 'exists' | 'copied' {
  const dir = path.dirname(to);
  if (!made.has(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    made.add(dir);
  }
  try {
    fs.linkSync(from, to);
    return 'linked';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists'; // checked as that other key's file is
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    try {
      fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    } catch (copyErr) {
      // A download of the same content was renamed into place meanwhile (renames run off the event loop).
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw copyErr;
    }
    return 'copied';
  }
}

/** A local write failure worded for the user (the disk is full, no permission). */
export function diskError(err: unknown, folder: string): unknown {
  let code = (err as NodeJS.ErrnoException | undefined)?.code;
  // ObjectStore.download words a local write failure as the endpoint's ('unreachable', its
  // errno only in the message): it is the local disk's, and says so here.
  if (err instanceof OpsError && err.code === 'STORAGE_FAILED') code = /\b(ENOSPC|EDQUOT|EROFS|EACCES)\b/.exec(err.message)?.[1];
  else if (err instanceof OpsError) return err;
  if (typeof code !== 'string') return err;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EACCES: 'permission denied',
    EROFS: 'the file system is read-only',
    EDQUOT: 'the disk quota is exceeded',
  };
  return new OpsError('IO_FAILED', `Writing the storage snapshot under ${folder} failed: ${why[code] ?? code}. Nothing was published.`);
}
