// uploadStream against a real s3rver: a stream of unknown length (as pg_dump's stdout will be)
// cut into parts as it comes and published by CompleteMultipartUpload only at its end. The
// bytes read back are the bytes sent, also through the encryptor; a source that fails midway
// (pg_dump killed) and a store killed mid-upload both leave nothing under the key.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptStream, encryptStream, generateKey, newEncryptionParams } from '../../src-main/core/platform/crypto';
import { ObjectStore, uploadStream } from '../../src-main/core/platform/objectstore';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

const MiB = 1024 * 1024;
let s3: LocalS3;

/** `total` random bytes in 64 KiB chunks; throws after `failAfter` bytes when given. */
async function* randomSource(total: number, hash: crypto.Hash, failAfter?: number): AsyncGenerator<Buffer> {
  let sent = 0;
  while (sent < total) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error('pg_dump was killed');
    const chunk = crypto.randomBytes(Math.min(64 * 1024, total - sent));
    hash.update(chunk);
    sent += chunk.length;
    yield chunk;
  }
}

async function sha256Of(store: ObjectStore, key: string, decryptWith?: Buffer): Promise<string> {
  const { body } = await store.getStream('offsite', key);
  const hash = crypto.createHash('sha256');
  for await (const chunk of decryptWith ? body.pipe(decryptStream(decryptWith)) : body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
});
afterAll(async () => {
  await s3?.destroy();
});

describe('uploadStream', () => {
  it('cuts a stream into parts and publishes it whole at the end; encrypted too', async () => {
    const store = new ObjectStore(s3.config());
    try {
      const hash = crypto.createHash('sha256');
      let acknowledged = 0;
      const out = await uploadStream(store, 'offsite', 'stream/plain.dump', randomSource(12 * MiB + 100, hash), {
        partBytes: 5 * MiB,
        onBytes: (n) => (acknowledged += n),
      });
      expect(out.bytes).toBe(12 * MiB + 100);
      expect(acknowledged).toBe(12 * MiB + 100);
      expect((await store.head('offsite', 'stream/plain.dump'))!.size).toBe(12 * MiB + 100);
      expect(await sha256Of(store, 'stream/plain.dump')).toBe(hash.digest('hex'));

      const key = generateKey();
      const plain = crypto.createHash('sha256');
      const encrypted = Readable.from(randomSource(6 * MiB, plain)).pipe(encryptStream(key, newEncryptionParams(256 * 1024)));
      await uploadStream(store, 'offsite', 'stream/enc.dump.enc', encrypted as AsyncIterable<Buffer>, { partBytes: 5 * MiB });
      expect(await sha256Of(store, 'stream/enc.dump.enc', key)).toBe(plain.digest('hex'));

      const empty = await uploadStream(store, 'offsite', 'stream/empty', randomSource(0, crypto.createHash('sha256')));
      expect(empty.bytes).toBe(0);
      expect((await store.head('offsite', 'stream/empty'))!.size).toBe(0);
    } finally {
      store.destroy();
    }
  }, 60_000);

  it('a source that fails midway: the error, and nothing under the key', async () => {
    const store = new ObjectStore(s3.config());
    try {
      const err = await uploadStream(store, 'offsite', 'stream/killed.dump', randomSource(12 * MiB, crypto.createHash('sha256'), 7 * MiB), {
        partBytes: 5 * MiB,
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('pg_dump was killed');
      expect(await store.head('offsite', 'stream/killed.dump')).toBeNull();
    } finally {
      store.destroy();
    }
  }, 60_000);

  it('the store killed after the first part: STORAGE_FAILED unreachable, and nothing published once it is back', async () => {
    const store = new ObjectStore(s3.config());
    try {
      let stopped: Promise<void> | null = null;
      const err = await uploadStream(store, 'offsite', 'stream/cut.dump', randomSource(16 * MiB, crypto.createHash('sha256')), {
        partBytes: 5 * MiB,
        concurrency: 1,
        onBytes: () => {
          stopped ??= s3.stop();
        },
      }).catch((e: unknown) => e);
      await stopped;
      expect(err).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'unreachable' } });
      await s3.start();
      expect(await store.head('offsite', 'stream/cut.dump')).toBeNull();
    } finally {
      store.destroy();
    }
  }, 60_000);
});
