// ObjectStore: the app's one S3 client (AWS SDK v3 underneath: signing, retries of single
// requests and XML are the SDK's). It adds what jobs need on top: paged listings as an
// async iterator, downloads that stream to a file with their sha256 and resume from the
// byte they reached after a dropped connection, and errors worded once (errors.ts).
// Uploads are in multipart.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { OpsError } from '../../../contract/errors';
import { ANSWER_CHECK_OPTIONS, answerCheck } from './answer-check';
import type { ObjectStoreConfig } from './config';
import { isTransient, storageError } from './errors';
import { listPages, PEEK_OPTIONS } from './list-pages';
import { delay, isUnreachable, unquote, writeLocal } from './transfer';

// The SDK warns once per process that its releases from 2027 need Node 22. Our lockfile
// pins a release that supports the Node we run on, and the warning would be one more line
// on the CLI's stderr, whose contract is one `error:` line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface ObjectInfo {
  key: string;
  size: number;
  /** Without the quotes S3 puts around it. */
  etag: string;
  lastModified: string;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  etag: string;
  contentType: string | null;
  lastModified: string | null;
  /** With `keepOpen`: the file, still open, for the caller to close. */
  handle?: fs.promises.FileHandle;
}

export interface TransferOptions {
  signal?: AbortSignal;
  /** Called with the bytes moved since the last call. */
  onBytes?: (delta: number) => void;
}

export interface DownloadOptions extends TransferOptions {
  /** The ETag from a listing: an object replaced since then fails as reason 'changed'. */
  expectEtag?: string;
  /**
   * fsync the file before returning (default). A caller that writes many files and flushes
   * them together before publishing (a storage snapshot: flushFiles) passes false, so no
   * download waits on the disk's journal while the others could be receiving.
   */
  sync?: boolean;
  /**
   * Leave the file open and return it as `handle` (closed here only on failure); the caller
   * closes it. A caller that fsyncs the file later (a storage snapshot's flush queue) then
   * flushes through this handle instead of opening the file a second time.
   */
  keepOpen?: boolean;
}

/** Received bytes are written in batches of about this much: one thread-pool round trip each, not one per socket read. */
const WRITE_BATCH = 1024 * 1024;

const RESUME_ATTEMPTS = 5;

export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** The SDK's client and its command classes, loaded together. */
export interface S3Handle {
  client: S3Client;
  sdk: S3Sdk;
}

let sdkModule: Promise<S3Sdk> | null = null;

/**
 * The AWS SDK is loaded when the first request is made, not with the core (issue #21, the
 * CLI's floor): it is ~50 ms and ~10 MB of every start, and only storage and offsite work
 * sends a request. Its command classes are therefore reached through `s3()`, never imported.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  return (sdkModule ??= import('@aws-sdk/client-s3'));
}

export class ObjectStore {
  readonly endpoint: string;
  private handle: Promise<S3Handle> | null = null;
  private destroyed = false;

  constructor(readonly config: ObjectStoreConfig) {
    this.endpoint = config.endpoint;
  }

  /** The SDK client for this store (created on first use) and the SDK's command classes. */
  s3(): Promise<S3Handle> {
    if (this.destroyed) return Promise.reject(new OpsError('CANCELLED', 'The storage client was closed.'));
    return (this.handle ??= loadS3Sdk().then((sdk) => ({ sdk, client: this.createClient(sdk) })));
  }

  private createClient(sdk: S3Sdk): S3Client {
    const config = this.config;
    const client = new sdk.S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Checksums only where S3 requires them: Supabase Storage and most S3-compatible
      // stores reject the SDK's default CRC32 trailers; integrity is ours (sha256 end to end).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    client.middlewareStack.add(answerCheck(this.endpoint), ANSWER_CHECK_OPTIONS);
    return client;
  }

  /** Buckets the key can see. */
  async listBuckets(signal?: AbortSignal): Promise<Array<{ name: string; createdAt: string | null }>> {
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.ListBucketsCommand({}), { abortSignal: signal });
      return (out.Buckets ?? []).map((b) => ({ name: b.Name ?? '', createdAt: b.CreationDate?.toISOString() ?? null })).filter((b) => b.name !== '');
    } catch (err) {
      throw this.fail(err, signal, {}, 'listing buckets');
    }
  }

  /** Resolves when the bucket exists and the key may use it; STORAGE_FAILED otherwise. */
  /**
   * The key can list `bucket`: one ListObjectsV2 of a single key, failing as listObjects does
   * (no-bucket, auth, unreachable). What a snapshot needs, where checkBucket proves only that
   * the bucket exists; and one row's work on stores whose HEAD of a bucket is not (s3rver
   * walks every object for it: 70–140 ms at 2,000 objects, a third of an incremental snapshot).
   */
  async checkListable(bucket: string, signal?: AbortSignal): Promise<void> {
    for await (const first of this.listObjects(bucket, '', signal, 1)) {
      void first;
      break;
    }
  }

  async checkBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    } catch (err) {
      // HEAD has no body, so its refusal cannot say why: a missing bucket, a wrong region and a
      // URL that is not the S3 endpoint all arrive as a bare 404, 403 or 400. A one-key listing
      // is answered with a body that can, and its failure is the one reported.
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== undefined && status >= 400 && status < 500 && !signal?.aborted) await this.checkListable(bucket, signal);
      if (status === 404)
        throw new OpsError('STORAGE_FAILED', `There is no bucket ${bucket} at ${this.endpoint}.`, {
          reason: 'no-bucket',
          endpoint: this.endpoint,
          bucket,
          status,
        });
      throw this.fail(err, signal, { bucket, bodyless: true }, `opening bucket ${bucket}`);
    }
  }

  /**
   * Every object under `prefix`, page by page (the store's page size, 1,000 on S3; `pageSize`
   * asks for smaller pages, so a test proves the paging without writing a thousand objects).
   * `readAhead`: the next page is asked for as soon as a page's raw answer shows its token
   * (list-pages.ts), before the page is parsed and its objects handed out, so the parse and the
   * caller's work on them (and whatever else holds the event loop meanwhile, such as a snapshot
   * job's fsynced catalog row) run while the store answers. Off by default: a caller that stops
   * early (checkListable) would pay for a page it never reads.
   */
  async *listObjects(bucket: string, prefix = '', signal?: AbortSignal, pageSize?: number, readAhead = false): AsyncGenerator<ObjectInfo> {
    const pages = listPages(
      async (token, requestSignal, peek) => {
        try {
          const { client, sdk } = await this.s3();
          const command = new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix === '' ? undefined : prefix,
            ContinuationToken: token,
            MaxKeys: pageSize,
          });
          if (peek !== null) command.middlewareStack.add(peek, PEEK_OPTIONS);
          return await client.send(command, { abortSignal: requestSignal });
        } catch (err) {
          throw this.fail(err, signal, { bucket }, `listing bucket ${bucket}`);
        }
      },
      readAhead,
      signal,
      { endpoint: this.endpoint, bucket },
    );
    for await (const page of pages)
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield { key: o.Key, size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified?.toISOString() ?? '' };
      }
  }

  /** The object's size, ETag and type, or null when there is none. */
  async head(
    bucket: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<(ObjectInfo & { contentType: string | null; metadata: Record<string, string> }) | null> {
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: unquote(out.ETag),
        lastModified: out.LastModified?.toISOString() ?? '',
        contentType: out.ContentType ?? null,
        metadata: out.Metadata ?? {},
      };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return null;
      throw this.fail(err, signal, { bucket, key, bodyless: true }, `reading ${key}`);
    }
  }

  /** A readable stream of the object (from `start` when given). */
  async getStream(
    bucket: string,
    key: string,
    options: { start?: number; signal?: AbortSignal } = {},
  ): Promise<{ body: Readable; etag: string; contentType: string | null; size: number; lastModified: string | null }> {
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: options.start ? `bytes=${options.start}-` : undefined }), {
        abortSignal: options.signal,
      });
      return {
        body: out.Body as Readable,
        etag: unquote(out.ETag),
        contentType: out.ContentType ?? null,
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified?.toISOString() ?? null,
      };
    } catch (err) {
      throw this.fail(err, options.signal, { bucket, key }, `downloading ${key}`);
    }
  }

  /**
   * Streams the object into `file` (created here, private; must not exist) with its sha256.
   * A dropped connection resumes with a ranged GET from the byte reached; the ETag must stay
   * the one of the first response (else reason 'changed'). `expectEtag`, from a listing, makes
   * an object replaced since that listing a 'changed' failure too. On failure the file is left
   * for the caller to remove (it lives under a `.partial` folder).
   */
  async download(bucket: string, key: string, file: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const hash = crypto.createHash('sha256');
    // Asynchronous writes and fsync: a snapshot runs several downloads at once, and a
    // synchronous write or fsync here would stall all of them on the event loop.
    const handle = await fs.promises.open(file, 'wx', 0o600);
    let bytes = 0;
    let first: Awaited<ReturnType<ObjectStore['getStream']>> | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const part = await this.getStream(bucket, key, { start: bytes, signal: options.signal });
          const etag = first?.etag ?? options.expectEtag;
          if (etag !== undefined && etag !== '' && part.etag !== etag) {
            part.body.destroy();
            throw new OpsError('STORAGE_FAILED', `${key} in bucket ${bucket} changed while it was being read (ETag ${etag} became ${part.etag}).`, {
              reason: 'changed',
              endpoint: this.endpoint,
              bucket,
              key,
            });
          }
          first ??= part;
          // Bytes count as received (for a resume's Range) only once written.
          let batch: Buffer[] = [];
          let batched = 0;
          const flush = async () => {
            if (batched === 0) return;
            const [chunks, n] = [batch, batched];
            batch = [];
            batched = 0;
            await writeLocal(() => handle.writev(chunks), file);
            bytes += n;
            options.onBytes?.(n);
          };
          try {
            for await (const chunk of part.body as AsyncIterable<Buffer>) {
              hash.update(chunk);
              batch.push(chunk);
              batched += chunk.length;
              if (batched >= WRITE_BATCH) await flush();
            }
          } finally {
            // What arrived before a dropped connection is written too: the resume starts after it.
            await flush();
          }
          break;
        } catch (err) {
          const e = err instanceof OpsError ? err : this.fail(err, options.signal, { bucket, key }, `downloading ${key}`);
          if (!isUnreachable(e) || attempt + 1 >= RESUME_ATTEMPTS) throw e;
          await delay((this.config.retryDelayMs ?? 200) * 2 ** attempt, options.signal);
        }
      }
      if (options.sync !== false) await writeLocal(() => handle.sync(), file);
    } catch (err) {
      await handle.close();
      throw err;
    }
    if (!options.keepOpen) await handle.close();
    return {
      bytes,
      sha256: hash.digest('hex'),
      etag: first.etag,
      contentType: first.contentType,
      lastModified: first.lastModified,
      ...(options.keepOpen ? { handle } : {}),
    };
  }

  /** Small bodies (manifests, objects under the multipart threshold) in one request. */
  async putBody(
    bucket: string,
    key: string,
    body: Buffer | string,
    options: { contentType?: string; signal?: AbortSignal; metadata?: Record<string, string> } = {},
  ): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { client, sdk } = await this.s3();
        const out = await client.send(
          new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: options.contentType, Metadata: options.metadata }),
          { abortSignal: options.signal },
        );
        return unquote(out.ETag);
      } catch (err) {
        if (!isTransient(err) || options.signal?.aborted || attempt + 1 >= RESUME_ATTEMPTS)
          throw this.fail(err, options.signal, { bucket, key }, `uploading ${key}`);
        await delay((this.config.retryDelayMs ?? 200) * 2 ** attempt, options.signal);
      }
    }
  }

  async getText(bucket: string, key: string, signal?: AbortSignal): Promise<string | null> {
    if ((await this.head(bucket, key, signal)) === null) return null;
    const { body } = await this.getStream(bucket, key, { signal });
    const parts: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) parts.push(chunk);
    return Buffer.concat(parts).toString('utf8');
  }

  /** Deletes one object; one already gone is fine (S3 answers 204 either way). */
  async remove(bucket: string, key: string, signal?: AbortSignal): Promise<void> {
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    } catch (err) {
      throw this.fail(err, signal, { bucket, key }, `deleting ${key}`);
    }
  }

  /** The OpsError for a failed request; CANCELLED when the caller's signal caused it. */
  fail(err: unknown, signal: AbortSignal | undefined, target: { bucket?: string; key?: string; bodyless?: boolean }, doing: string): OpsError {
    if (signal?.aborted) return new OpsError('CANCELLED', 'Cancelled.');
    return storageError(err, { endpoint: this.endpoint, region: this.config.region, ...target }, doing);
  }

  destroy(): void {
    this.destroyed = true;
    // A client still being created is closed once it exists; a failed load has nothing to close.
    void this.handle?.then(
      ({ client }) => client.destroy(),
      () => undefined,
    );
  }
}
