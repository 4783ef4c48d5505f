// Copying a set of local files to object keys, each verified by reading it back: the shared
// engine of the copies made of many objects (the files of a directory-format dump, the
// content-addressed objects of a storage snapshot). One listing of the keys' prefix says what
// the destination already holds; an object there under its key with the size this copy would
// store is not sent again (for a snapshot the key is the content's sha256, so that is what
// makes a copy incremental, and a re-run after a failure sends only what is missing). Every
// object sent is read back whole (decrypted when encrypted) and its plaintext sha256 compared
// with the expected one before the copy's manifest, which the caller writes last, names it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import {
  DEFAULT_CHUNK_BYTES,
  chunksPerPartFor,
  encryptStream,
  encryptedPartSource,
  encryptedSize,
  newEncryptionParams,
  type EncryptionParams,
} from '../platform/crypto';
import { MIN_PART_BYTES, filePartSource, fileResumeLog, partSizeFor, uploadMultipart, type ObjectStore } from '../platform/objectstore';
import { readBackDecrypted, savedParams, streamSha256, withParams } from './read-back';

export interface FileToCopy {
  /** Local path of the plaintext. */
  file: string;
  key: string;
  sha256: string;
  plainBytes: number;
}

export interface CopyFilesOptions {
  signal?: AbortSignal;
  /** Folder of resume logs for multipart uploads (named by the key's hash). */
  resumeDir: string;
  chunkBytes?: number;
  /** Objects sent at once. */
  concurrency?: number;
  onProgress?: (p: { phase: 'upload' | 'verify'; bytesDone: number; bytesTotal: number }) => void;
}

export interface CopyFilesResult {
  /** Objects sent (and read back) by this run. */
  uploaded: number;
  /** Objects already at their key with the expected size: not sent. */
  reused: number;
  /** Stored bytes of every object the copy names. */
  storedBytes: number;
  /** Stored bytes sent by this run. */
  uploadedBytes: number;
}

/** The size an object of `plainBytes` has on the destination (encryption adds a header and a tag per chunk). */
export function storedSizeOf(plainBytes: number, encrypted: boolean, chunkBytes = DEFAULT_CHUNK_BYTES): number {
  return encrypted ? encryptedSize(plainBytes, { salt: Buffer.alloc(0), chunkBytes }) : plainBytes;
}

/** What the destination holds under `prefix`: key → size (one paged listing). */
export async function listSizes(store: ObjectStore, bucket: string, prefix: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const o of store.listObjects(bucket, prefix, signal)) sizes.set(o.key, o.size);
  return sizes;
}

export async function copyFiles(
  store: ObjectStore,
  bucket: string,
  files: FileToCopy[],
  present: ReadonlyMap<string, number>,
  encryptionKey: Buffer | null,
  options: CopyFilesOptions,
): Promise<CopyFilesResult> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const unique = [...new Map(files.map((f) => [f.key, f])).values()];
  const stored = (f: FileToCopy) => storedSizeOf(f.plainBytes, encryptionKey !== null, chunkBytes);
  const missing = unique.filter((f) => present.get(f.key) !== stored(f));
  const total = missing.reduce((s, f) => s + stored(f), 0);
  let sent = 0;
  let checked = 0;
  options.onProgress?.({ phase: 'upload', bytesDone: 0, bytesTotal: total });
  const onSent = (delta: number) => {
    sent += delta;
    options.onProgress?.({ phase: 'upload', bytesDone: Math.min(sent, total), bytesTotal: total });
  };
  await eachAtOnce(missing, options.concurrency ?? 4, (f) => putFile(store, bucket, f, encryptionKey, chunkBytes, options, onSent));
  options.onProgress?.({ phase: 'verify', bytesDone: 0, bytesTotal: total });
  await eachAtOnce(missing, options.concurrency ?? 4, async (f) => {
    const back =
      encryptionKey !== null
        ? await readBackDecrypted(store, bucket, f.key, encryptionKey, options.signal)
        : await streamSha256(store, bucket, f.key, options.signal);
    checked += back.bytes;
    options.onProgress?.({ phase: 'verify', bytesDone: Math.min(checked, total), bytesTotal: total });
    if (back.sha256 !== f.sha256 || back.failure !== undefined) {
      // An object that does not read back as its file would be trusted by the next run: remove it.
      await store.remove(bucket, f.key).catch(() => undefined);
      if (back.failure !== undefined) throw back.failure;
      throw new OpsError(
        'STORAGE_FAILED',
        `${f.key} read back from ${store.endpoint} does not match ${path.basename(f.file)} (sha256 ${back.sha256} ≠ ${f.sha256}).`,
        {
          reason: 'integrity',
          endpoint: store.endpoint,
          bucket,
          key: f.key,
        },
      );
    }
  });
  return {
    uploaded: missing.length,
    reused: unique.length - missing.length,
    storedBytes: unique.reduce((s, f) => s + stored(f), 0),
    uploadedBytes: total,
  };
}

/** One object: a single PUT under the multipart threshold, else a resumable multipart upload. */
async function putFile(
  store: ObjectStore,
  bucket: string,
  f: FileToCopy,
  encryptionKey: Buffer | null,
  chunkBytes: number,
  options: CopyFilesOptions,
  onSent: (delta: number) => void,
): Promise<void> {
  const size = fs.statSync(f.file).size;
  if (size !== f.plainBytes) throw new OpsError('IO_FAILED', `${f.file} is ${size} bytes, not the ${f.plainBytes} its manifest says.`, { path: f.file });
  const metadata = { 'ops-console-sha256': f.sha256 };
  if (size < MIN_PART_BYTES) {
    let body: Buffer = await fs.promises.readFile(f.file);
    if (encryptionKey !== null) body = await encryptBuffer(body, encryptionKey, newEncryptionParams(chunkBytes));
    await store.putBody(bucket, f.key, body, { contentType: 'application/octet-stream', signal: options.signal, metadata });
    onSent(body.length);
    return;
  }
  fs.mkdirSync(options.resumeDir, { recursive: true, mode: 0o700 });
  const resumeFile = path.join(options.resumeDir, `${crypto.createHash('sha256').update(`${bucket}/${f.key}`).digest('hex').slice(0, 32)}.json`);
  const log = fileResumeLog(resumeFile);
  if (encryptionKey !== null) {
    const params = savedParams(resumeFile) ?? newEncryptionParams(chunkBytes);
    const source = encryptedPartSource(f.file, encryptionKey, params, chunksPerPartFor(size, params));
    await uploadMultipart(store, bucket, f.key, source, { resume: withParams(log, params), signal: options.signal, onBytes: onSent, metadata });
  } else {
    await uploadMultipart(store, bucket, f.key, filePartSource(f.file, partSizeFor(size)), { resume: log, signal: options.signal, onBytes: onSent, metadata });
  }
}

/** A small object's bytes encrypted whole (OPSENC1, as the stream would write them). */
export async function encryptBuffer(plain: Buffer, key: Buffer, params: EncryptionParams): Promise<Buffer> {
  const out: Buffer[] = [];
  const stream = encryptStream(key, params);
  stream.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  stream.end(plain);
  await ended;
  return Buffer.concat(out);
}

/** Runs `work` over `items`, `limit` at a time; the first failure stops taking new items and is thrown. */
async function eachAtOnce<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, Math.max(1, queue.length)) }, async () => {
    for (let next = queue.shift(); next !== undefined && !failed; next = queue.shift()) {
      try {
        await work(next);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  const results = await Promise.allSettled(workers);
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}
