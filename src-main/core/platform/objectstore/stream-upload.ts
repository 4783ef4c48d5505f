// Uploading a stream whose end is not known in advance (pg_dump's stdout, possibly through the
// encryptor) as one multipart upload: the stream is cut into parts of `partBytes` as it comes,
// a few parts in flight at once (memory stays about concurrency × partBytes), each part sent
// again after a dropped connection. Nothing is visible under the key until
// CompleteMultipartUpload; any failure — the source failing (pg_dump killed), the store gone
// for longer than the retries, a cancel — aborts the upload, so no half object is ever
// published. Unlike uploadMultipart there is no resume across attempts: a stream cannot be
// read twice, so a failed run is run again from the start.
import { OpsError } from '../../../contract/errors';
import type { ObjectStore } from './client';
import { delay, isUnreachable, unquote } from './transfer';
import { MIN_PART_BYTES, abortUpload, type MultipartState } from './multipart';

const PART_ATTEMPTS = 5;

export interface StreamUploadOptions {
  /** At least 5 MiB (S3's minimum for every part but the last). */
  partBytes?: number;
  concurrency?: number;
  signal?: AbortSignal;
  /** Bytes acknowledged by the store since the last call. */
  onBytes?: (delta: number) => void;
  contentType?: string;
  metadata?: Record<string, string>;
}

export async function uploadStream(
  store: ObjectStore,
  bucket: string,
  key: string,
  body: AsyncIterable<Buffer>,
  options: StreamUploadOptions = {},
): Promise<{ etag: string; bytes: number }> {
  const partBytes = Math.max(MIN_PART_BYTES, options.partBytes ?? 8 * 1024 * 1024);
  const target = { bucket, key };
  const doing = `uploading ${key}`;
  let state: MultipartState;
  try {
    const { client, sdk } = await store.s3();
    const created = await client.send(
      new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, Metadata: options.metadata }),
      { abortSignal: options.signal },
    );
    state = { bucket, key, uploadId: created.UploadId ?? '', totalBytes: 0, parts: [] };
  } catch (err) {
    throw store.fail(err, options.signal, target, doing);
  }

  const sendPart = async (partNumber: number, part: Buffer): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const { client, sdk } = await store.s3();
        const out = await client.send(new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: state.uploadId, PartNumber: partNumber, Body: part }), {
          abortSignal: options.signal,
        });
        state.parts.push({ partNumber, etag: unquote(out.ETag) });
        options.onBytes?.(part.length);
        return;
      } catch (err) {
        const e = store.fail(err, options.signal, target, doing);
        if (!isUnreachable(e) || attempt + 1 >= PART_ATTEMPTS) throw e;
        await delay(250 * 2 ** attempt, options.signal);
      }
    }
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const launch = (partNumber: number, part: Buffer) => {
    const p: Promise<void> = sendPart(partNumber, part).then(
      () => void inFlight.delete(p),
      (err: unknown) => {
        inFlight.delete(p);
        failure ??= err;
      },
    );
    inFlight.add(p);
  };

  let bytes = 0;
  let partNumber = 0;
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of body) {
      if (failure !== null) break;
      options.signal?.throwIfAborted();
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      while (pendingBytes >= partBytes) {
        const all = Buffer.concat(pending, pendingBytes);
        launch(++partNumber, all.subarray(0, partBytes));
        const rest = all.subarray(partBytes);
        pending = rest.length > 0 ? [Buffer.from(rest)] : [];
        pendingBytes = rest.length;
        // Back-pressure: the source waits while `concurrency` parts are on their way.
        while (inFlight.size >= (options.concurrency ?? 3) && failure === null) await Promise.race(inFlight);
      }
    }
    // The last part (S3 allows it under 5 MiB, and an upload of nothing is one empty part).
    if (failure === null && (pendingBytes > 0 || partNumber === 0)) launch(++partNumber, Buffer.concat(pending, pendingBytes));
    await Promise.all(inFlight);
    if (failure !== null) throw failure;
    options.signal?.throwIfAborted();
  } catch (err) {
    await Promise.allSettled(inFlight);
    await abortUpload(store, state);
    if (options.signal?.aborted) throw new OpsError('CANCELLED', 'Cancelled.');
    throw err;
  }

  const parts = [...state.parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` }));
  for (let attempt = 0; ; attempt++) {
    try {
      const { client, sdk } = await store.s3();
      const out = await client.send(
        new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: state.uploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: options.signal },
      );
      return { etag: unquote(out.ETag), bytes };
    } catch (err) {
      const e = store.fail(err, options.signal, target, doing);
      if (!isUnreachable(e) || attempt + 1 >= PART_ATTEMPTS) {
        await abortUpload(store, state);
        throw e;
      }
      await delay(250 * 2 ** attempt, options.signal);
    }
  }
}
