// One source object of a storage snapshot written straight offsite: streamed from the source
// bucket, its plaintext hashed as it comes, encrypted when the destination encrypts, stored
// under its content address `<objectsPrefix><ab>/<sha256>[.enc]` (the layout a copied
// snapshot has, so restore, prune and staging treat both alike) and read back. The address
// is known only once the last byte has been hashed, so:
// - an object under `bufferBelow` (the photos and design files a bucket mostly holds) is
//   held in memory, then PUT under its address in one request;
// - a bigger one is streamed as one multipart upload to a temporary key of this run, then
//   copied server-side (CopyObject, at most 5 GiB) to its address and the temporary removed.
// Content the destination already holds (same address and stored size) is not sent again.
// An object replaced at the source since the listing is taken once more at its new version
// (noted changedDuring); replaced again, or deleted, it is skipped — as the local engine does.
import crypto from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { OpsError } from '../../contract/errors';
import type { StorageManifestObject, StorageSkippedObject } from '../../contract/storage';
import { encryptStream, newEncryptionParams } from '../platform/crypto';
import { uploadStream, type ObjectInfo, type ObjectStore } from '../platform/objectstore';
import { objectFile } from '../storage';
import { encryptBuffer, storedSizeOf } from './copy-files';
import { readBackDecrypted, streamSha256 } from './read-back';

/** S3 refuses CopyObject from a source bigger than this. */
const COPY_OBJECT_MAX = 5 * 1024 ** 3;

export interface Listed extends ObjectInfo {
  bucket: string;
}

export interface DirectObjectsContext {
  source: ObjectStore;
  dest: ObjectStore;
  /** The destination's bucket. */
  bucket: string;
  objectsPrefix: string;
  /** Where this run's big objects wait for their address: `<objectsPrefix>tmp/<snapshot id>/`. */
  tmpPrefix: string;
  encryptionKey: Buffer | null;
  /** What the destination holds under objectsPrefix (key → stored size); grows with what this run sends. */
  present: Map<string, number>;
  /** Keys this run sent (the caller reports them; nothing names them until the manifest does). */
  sent: Set<string>;
  /** Temporary keys not yet removed (the caller removes them on failure). */
  temps: Set<string>;
  bufferBelow: number;
  signal: AbortSignal;
  /** Source bytes received since the last call (a failed attempt's are taken back, negative). */
  onBytes: (delta: number) => void;
}

export function contentKey(ctx: Pick<DirectObjectsContext, 'objectsPrefix' | 'encryptionKey'>, sha256: string): string {
  return `${ctx.objectsPrefix}${sha256.slice(0, 2)}/${sha256}${ctx.encryptionKey !== null ? '.enc' : ''}`;
}

function reasonOf(err: unknown): string | undefined {
  return err instanceof OpsError && err.code === 'STORAGE_FAILED' ? (err.detail as { reason?: string } | undefined)?.reason : undefined;
}

export async function transferObject(ctx: DirectObjectsContext, item: Listed, seq: number): Promise<StorageManifestObject | StorageSkippedObject> {
  let expectEtag = item.etag;
  for (let attempt = 0; attempt < 2; attempt++) {
    let got;
    try {
      got = await ctx.source.getStream(item.bucket, item.key, { signal: ctx.signal });
    } catch (err) {
      if (reasonOf(err) === 'not-found') return { bucket: item.bucket, key: item.key, reason: 'deleted' };
      throw err;
    }
    if (expectEtag !== '' && got.etag !== expectEtag) {
      // Replaced since the listing: never mix two versions under one manifest entry.
      got.body.destroy();
      const now = await ctx.source.head(item.bucket, item.key, ctx.signal);
      if (now === null) return { bucket: item.bucket, key: item.key, reason: 'deleted' };
      expectEtag = now.etag;
      continue;
    }
    let received = 0;
    const counted = (delta: number) => {
      received += delta;
      ctx.onBytes(delta);
    };
    try {
      const { sha256, bytes } = got.size < ctx.bufferBelow ? await sendSmall(ctx, got.body, counted) : await sendBig(ctx, got.body, seq, counted);
      return {
        bucket: item.bucket,
        key: item.key,
        size: bytes,
        etag: got.etag,
        contentType: got.contentType,
        lastModified: got.lastModified ?? item.lastModified,
        sha256,
        file: objectFile(sha256),
        ...(attempt > 0 ? { changedDuring: true as const } : {}),
      };
    } catch (err) {
      ctx.onBytes(-received);
      throw err;
    }
  }
  return { bucket: item.bucket, key: item.key, reason: 'changed-twice' };
}

async function sendSmall(ctx: DirectObjectsContext, body: Readable, onBytes: (delta: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      chunks.push(chunk);
      onBytes(chunk.length);
    }
  } catch (err) {
    throw err instanceof OpsError ? err : ctx.source.fail(err, ctx.signal, {}, 'downloading an object');
  }
  const plain = Buffer.concat(chunks);
  const sha256 = hash.digest('hex');
  const key = contentKey(ctx, sha256);
  const stored = storedSizeOf(plain.length, ctx.encryptionKey !== null);
  if (ctx.present.get(key) === stored) return { sha256, bytes: plain.length };
  const payload = ctx.encryptionKey !== null ? await encryptBuffer(plain, ctx.encryptionKey, newEncryptionParams()) : plain;
  await ctx.dest.putBody(ctx.bucket, key, payload, { contentType: 'application/octet-stream', signal: ctx.signal, metadata: { 'ops-console-sha256': sha256 } });
  ctx.sent.add(key);
  await checkBack(ctx, key, sha256);
  ctx.present.set(key, payload.length);
  return { sha256, bytes: plain.length };
}

async function sendBig(ctx: DirectObjectsContext, body: Readable, seq: number, onBytes: (delta: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  const out = new PassThrough();
  // The upload reads errors through iteration; once it stopped, a late one has no reader.
  out.on('error', () => undefined);
  const fail = (err: Error) => out.destroy(err instanceof OpsError ? err : ctx.source.fail(err, ctx.signal, {}, 'downloading an object'));
  body.on('error', fail);
  tap.on('error', fail);
  if (ctx.encryptionKey !== null) {
    const enc = encryptStream(ctx.encryptionKey, newEncryptionParams());
    enc.on('error', fail);
    body.pipe(tap).pipe(enc).pipe(out);
  } else body.pipe(tap).pipe(out);
  const tmpKey = `${ctx.tmpPrefix}${seq}`;
  ctx.temps.add(tmpKey);
  let uploaded;
  try {
    uploaded = await uploadStream(ctx.dest, ctx.bucket, tmpKey, out, { signal: ctx.signal, contentType: 'application/octet-stream' });
  } finally {
    body.destroy();
  }
  const sha256 = hash.digest('hex');
  const key = contentKey(ctx, sha256);
  if (ctx.present.get(key) !== uploaded.bytes) {
    if (uploaded.bytes > COPY_OBJECT_MAX)
      throw new OpsError(
        'STORAGE_FAILED',
        `An object of ${uploaded.bytes} bytes is over the 5 GiB a server-side copy takes: take a local snapshot and copy it offsite instead.`,
        { reason: 'other', endpoint: ctx.dest.endpoint, bucket: ctx.bucket },
      );
    try {
      const { client, sdk } = await ctx.dest.s3();
      await client.send(
        new sdk.CopyObjectCommand({
          Bucket: ctx.bucket,
          Key: key,
          CopySource: `${ctx.bucket}/${tmpKey.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/octet-stream',
          Metadata: { 'ops-console-sha256': sha256 },
        }),
        { abortSignal: ctx.signal },
      );
    } catch (err) {
      throw ctx.dest.fail(err, ctx.signal, { bucket: ctx.bucket, key }, `copying ${tmpKey} to ${key}`);
    }
    ctx.sent.add(key);
    await checkBack(ctx, key, sha256);
    ctx.present.set(key, uploaded.bytes);
  }
  await ctx.dest.remove(ctx.bucket, tmpKey, ctx.signal);
  ctx.temps.delete(tmpKey);
  return { sha256, bytes };
}

/** The stored object read back whole (decrypted when encrypted): its plaintext must hash to `sha256`, else it is removed. */
async function checkBack(ctx: DirectObjectsContext, key: string, sha256: string): Promise<void> {
  const back =
    ctx.encryptionKey !== null
      ? await readBackDecrypted(ctx.dest, ctx.bucket, key, ctx.encryptionKey, ctx.signal)
      : await streamSha256(ctx.dest, ctx.bucket, key, ctx.signal);
  if (back.failure === undefined && back.sha256 === sha256) return;
  await ctx.dest.remove(ctx.bucket, key).catch(() => undefined);
  if (back.failure !== undefined) throw back.failure;
  throw new OpsError('STORAGE_FAILED', `${key} read back from ${ctx.dest.endpoint} does not match what was sent (sha256 ${back.sha256} ≠ ${sha256}).`, {
    reason: 'integrity',
    endpoint: ctx.dest.endpoint,
    bucket: ctx.bucket,
    key,
  });
}
