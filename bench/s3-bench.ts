// Shared by the object-storage benchmarks (storage.ts: Supabase Storage snapshots; offsite.ts:
// offsite copies of a dump): a bucket filled with a realistic mix of objects through the SDK,
// a big file that does not compress or dedupe, and the bare AWS SDK loops the app's paths are
// compared with. The bare loops are written as a competent engineer would write them for
// this one job (same concurrency as the app, streams to files, no extras), so a ratio
// measures the app's overhead and not the server's speed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ObjectStoreConfig } from '../src-main/core/platform/objectstore';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function sdkClient(config: ObjectStoreConfig): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // The same as the app's client (objectstore/client.ts): no CRC trailers, so both sides
    // send and check the same bytes.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Runs `fn` over `items` with `concurrency` workers. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
  });
  await Promise.all(workers);
}

/** Random bytes generated once; objects are slices of it behind a unique header. */
let randomPool: Buffer | null = null;
function poolBytes(): Buffer {
  randomPool ??= crypto.randomBytes(48 * 1024 * 1024);
  return randomPool;
}

/**
 * `size` bytes unique to `seed`: a 32-byte header (the seed's sha256) and a slice of the
 * random pool at an offset the seed picks. Unique so that neither ETags nor a
 * content-addressed snapshot store can share bytes between objects; random so nothing
 * compresses.
 */
export function uniqueBody(seed: string, size: number): Buffer {
  const head = crypto.createHash('sha256').update(seed).digest();
  const src = poolBytes();
  const maxStart = src.length - size;
  const start = maxStart > 0 ? head.readUInt32BE(0) % maxStart : 0;
  const body = Buffer.allocUnsafe(size);
  head.copy(body, 0, 0, Math.min(32, size));
  if (size > 32) src.copy(body, 32, start, start + size - 32);
  return body;
}

export interface ObjectSpec {
  key: string;
  size: number;
}

/**
 * `count` objects totalling about `totalBytes`: 2 % (at least one) "big" files of 5–20 MB,
 * the rest images of 100 KB–1 MB, scaled so the sum is the target. Keys look like a
 * Supabase project's: a few folders deep, some with spaces. Deterministic (seeded).
 */
export function objectMix(count: number, totalBytes: number): ObjectSpec[] {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const big = Math.max(1, Math.round(count * 0.02));
  const raw = Array.from({ length: count }, (_, i) => (i % Math.ceil(count / big) === 0 ? 5 + rnd() * 15 : 0.1 + rnd() * 0.9) * 1024 * 1024);
  const scale = totalBytes / raw.reduce((a, b) => a + b, 0);
  return raw.map((r, i) => {
    const folder = i % 10 === 0 ? 'designs/final cuts' : `products/${String(i % 37).padStart(2, '0')}`;
    const ext = r > 4 * 1024 * 1024 ? 'psd' : 'jpg';
    return { key: `${folder}/item-${String(i).padStart(5, '0')}.${ext}`, size: Math.max(64, Math.round(r * scale)) };
  });
}

/** PUTs every object (8 at a time; `version` changes the bytes, for the "1 % changed" step). */
export async function fillBucket(client: S3Client, bucket: string, specs: ObjectSpec[], version = 0): Promise<void> {
  await pool(specs, 8, async (o) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: uniqueBody(`${o.key}#${version}`, o.size), ContentType: 'image/jpeg' }));
  });
}

/** A file of `bytes` random-looking bytes, written 8 MiB at a time (each chunk unique). */
export async function writeBigFile(file: string, bytes: number): Promise<void> {
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const chunk = 8 * 1024 * 1024;
  for (let at = 0, i = 0; at < bytes; at += chunk, i++) {
    const part = uniqueBody(`dump-${i}`, Math.min(chunk, bytes - at));
    if (!out.write(part)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export interface Listed {
  key: string;
  size: number;
  etag: string;
}

export async function bareList(client: S3Client, bucket: string): Promise<Listed[]> {
  const all: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) all.push({ key: o.Key!, size: o.Size ?? 0, etag: o.ETag ?? '' });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return all;
}

/** The bare snapshot: ListObjectsV2, then GetObject → file with `concurrency` in flight. */
export async function bareDownloadAll(client: S3Client, bucket: string, outDir: string, concurrency: number): Promise<{ objects: number; bytes: number }> {
  const objects = await bareList(client, bucket);
  const dirs = new Set(objects.map((o) => path.dirname(path.join(outDir, o.key))));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  let bytes = 0;
  await pool(objects, concurrency, async (o) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    await pipeline(out.Body as Readable, fs.createWriteStream(path.join(outDir, o.key)));
    bytes += o.size;
  });
  return { objects: objects.length, bytes };
}

/**
 * A bare incremental run, the floor for the app's: list, download what is new or whose ETag
 * changed since `previous`, hard-link the rest from `previousDir`.
 */
export async function bareIncremental(
  client: S3Client,
  bucket: string,
  previous: Map<string, string>,
  previousDir: string,
  outDir: string,
  concurrency: number,
): Promise<{ downloaded: number; linked: number }> {
  const objects = await bareList(client, bucket);
  for (const d of new Set(objects.map((o) => path.dirname(path.join(outDir, o.key))))) fs.mkdirSync(d, { recursive: true });
  const changed = objects.filter((o) => previous.get(o.key) !== o.etag);
  let linked = 0;
  for (const o of objects)
    if (previous.get(o.key) === o.etag) {
      fs.linkSync(path.join(previousDir, o.key), path.join(outDir, o.key));
      linked++;
    }
  await pool(changed, concurrency, async (o) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    await pipeline(out.Body as Readable, fs.createWriteStream(path.join(outDir, o.key)));
  });
  return { downloaded: changed.length, linked };
}

/** The bare offsite upload: lib-storage's Upload with the app's part size and parts in flight. */
export async function bareUpload(client: S3Client, bucket: string, key: string, file: string, partSize: number, queueSize: number): Promise<void> {
  const upload = new Upload({ client, params: { Bucket: bucket, Key: key, Body: fs.createReadStream(file) }, partSize, queueSize, leavePartsOnError: false });
  await upload.done();
}

/** Reads an object back and hashes it (the end-to-end check, done bare). */
export async function bareReadBackSha256(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = crypto.createHash('sha256');
  for await (const chunk of out.Body as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return total;
}
