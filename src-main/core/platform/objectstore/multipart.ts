// Uploads that survive a dropped connection. Big artifacts go up as a multipart upload whose
// parts are read from a PartSource (a file range, or the encrypted bytes of one: see
// platform/crypto), several at a time. The upload id and each finished part's ETag are
// saved to a ResumeLog as they complete, so a retry after the connection (or the app)
// died uploads only the missing parts under the same upload id. Nothing is visible under
// the key until CompleteMultipartUpload, which is S3's own "publish": a failed upload never
// leaves a half-written object behind, only parts the store discards on AbortMultipartUpload.
import fs from 'node:fs';
import { OpsError } from '../../../contract/errors';
import type { ObjectStore, TransferOptions } from './client';
import { delay, isUnreachable, unquote } from './transfer';

/** The bytes to upload, addressable by part so a part can be sent again. */
export interface PartSource {
  totalBytes: number;
  partCount: number;
  /** Part `index` (0-based); every part but the last must be at least 5 MiB (an S3 rule). */
  readPart(index: number): Promise<Buffer>;
  /** The length readPart(index) returns, without reading it (progress of resumed parts). */
  partLength(index: number): number;
}

export interface MultipartState {
  bucket: string;
  key: string;
  uploadId: string;
  totalBytes: number;
  parts: Array<{ partNumber: number; etag: string }>;
}

/** Where an upload's progress is kept between attempts (a small JSON file beside the job's state). */
export interface ResumeLog {
  load(): MultipartState | null;
  save(state: MultipartState): void;
  clear(): void;
}

export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const PART_ATTEMPTS = 5;

/** A part size that keeps a file of `totalBytes` within S3's 10,000 parts (at least `preferred`). */
export function partSizeFor(totalBytes: number, preferred = 8 * 1024 * 1024): number {
  const needed = Math.ceil(totalBytes / (MAX_PARTS - 1));
  const size = Math.max(preferred, MIN_PART_BYTES, needed);
  return Math.ceil(size / (1024 * 1024)) * 1024 * 1024;
}

/** A plain file cut into parts of `partBytes`. */
export function filePartSource(file: string, partBytes: number): PartSource {
  const totalBytes = fs.statSync(file).size;
  return {
    totalBytes,
    partCount: Math.max(1, Math.ceil(totalBytes / partBytes)),
    partLength: (index) => Math.max(0, Math.min(partBytes, totalBytes - index * partBytes)),
    async readPart(index) {
      const start = index * partBytes;
      const length = Math.min(partBytes, totalBytes - start);
      const buffer = Buffer.alloc(length);
      const handle = await fs.promises.open(file, 'r');
      try {
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, start + read);
          if (bytesRead === 0) throw new OpsError('IO_FAILED', `${file} became shorter while it was being uploaded.`, { path: file });
          read += bytesRead;
        }
      } finally {
        await handle.close();
      }
      return buffer;
    },
  };
}

/** A ResumeLog in a JSON file (written whole: temporary name then rename). */
export function fileResumeLog(file: string): ResumeLog {
  return {
    load() {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as MultipartState;
      } catch {
        return null;
      }
    },
    save(state) {
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      fs.renameSync(tmp, file);
    },
    clear() {
      fs.rmSync(file, { force: true });
    },
  };
}

export interface UploadOptions extends TransferOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Parts in flight at once. */
  concurrency?: number;
  resume?: ResumeLog;
}

/**
 * Uploads `source` to bucket/key as one multipart upload (resuming the one in `resume` when
 * it is for the same key and size) and returns the object's ETag. A part that fails for the
 * connection is sent again (with backoff); any other failure stops the upload and leaves
 * the resume log, so a later call continues it. Cancel aborts the upload on the store.
 */
export async function uploadMultipart(store: ObjectStore, bucket: string, key: string, source: PartSource, options: UploadOptions = {}): Promise<string> {
  const target = { bucket, key };
  const doing = `uploading ${key}`;
  let state = options.resume?.load() ?? null;
  if (state !== null && (state.bucket !== bucket || state.key !== key || state.totalBytes !== source.totalBytes)) state = null;
  if (state === null) {
    try {
      const { client, sdk } = await store.s3();
      const created = await client.send(
        new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, Metadata: options.metadata }),
        { abortSignal: options.signal },
      );
      state = { bucket, key, uploadId: created.UploadId ?? '', totalBytes: source.totalBytes, parts: [] };
    } catch (err) {
      throw store.fail(err, options.signal, target, doing);
    }
    options.resume?.save(state);
  }
  const current = state;
  const done = new Set(current.parts.map((p) => p.partNumber));
  for (const p of current.parts) options.onBytes?.(source.partLength(p.partNumber - 1));
  const pending = Array.from({ length: source.partCount }, (_, i) => i).filter((i) => !done.has(i + 1));

  const sendPart = async (index: number): Promise<void> => {
    const body = await source.readPart(index);
    for (let attempt = 0; ; attempt++) {
      try {
        const { client, sdk } = await store.s3();
        const out = await client.send(new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: current.uploadId, PartNumber: index + 1, Body: body }), {
          abortSignal: options.signal,
        });
        current.parts.push({ partNumber: index + 1, etag: unquote(out.ETag) });
        options.resume?.save(current);
        options.onBytes?.(body.length);
        return;
      } catch (err) {
        const e = store.fail(err, options.signal, target, doing);
        if (!isUnreachable(e) || attempt + 1 >= PART_ATTEMPTS) throw e;
        await delay((store.config.retryDelayMs ?? 250) * 2 ** attempt, options.signal);
      }
    }
  };

  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, Math.max(1, pending.length)) }, async () => {
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) await sendPart(next);
  });
  try {
    await Promise.all(workers);
  } catch (err) {
    pending.length = 0;
    if (err instanceof OpsError && err.code === 'CANCELLED') await abortUpload(store, current);
    if (err instanceof OpsError && err.code === 'CANCELLED') options.resume?.clear();
    throw err;
  }

  const parts = [...current.parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` }));
  for (let attempt = 0; ; attempt++) {
    try {
      const { client, sdk } = await store.s3();
      const out = await client.send(
        new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: current.uploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: options.signal },
      );
      options.resume?.clear();
      return unquote(out.ETag);
    } catch (err) {
      const e = store.fail(err, options.signal, target, doing);
      if (!isUnreachable(e) || attempt + 1 >= PART_ATTEMPTS) throw e;
      await delay((store.config.retryDelayMs ?? 250) * 2 ** attempt, options.signal);
    }
  }
}

/** Tells the store to drop an unfinished upload's parts. Never throws (it runs on a failure path). */
export async function abortUpload(store: ObjectStore, state: MultipartState): Promise<void> {
  try {
    const { client, sdk } = await store.s3();
    await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId }));
  } catch {
    // The store discards unfinished uploads by its own lifecycle rules too.
  }
}
