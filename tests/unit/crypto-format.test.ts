// Chunked AES-256-GCM for offsite copies: round trips, determinism of the part source, and
// every way a copy can be damaged, cut short, or opened with the wrong key.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import {
  HEADER_BYTES,
  chunksPerPartFor,
  decryptStream,
  encryptStream,
  encryptedPartSource,
  encryptedSize,
  formatKey,
  generateKey,
  keyId,
  newEncryptionParams,
  paramsFromJson,
  paramsToJson,
  parseKey,
  readEncryptionHeader,
  type EncryptionParams,
} from '../../src-main/core/platform/crypto';

const CHUNK = 1024;
const TAG = 16;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-crypto-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Feeds `input` in pieces of awkward sizes, so chunk boundaries never line up with writes. */
async function run(transform: NodeJS.ReadWriteStream, input: Buffer): Promise<{ out: Buffer; pushed: number; error: unknown }> {
  const pieces: Buffer[] = [];
  for (let at = 0, step = 1; at < input.length; at += step, step = (step * 7 + 3) % 3001) pieces.push(input.subarray(at, at + step || at + 1));
  const got: Buffer[] = [];
  let error: unknown = null;
  try {
    await pipeline(
      Readable.from(pieces),
      transform,
      new Writable({
        write(chunk: Buffer, _e, cb) {
          got.push(chunk);
          cb();
        },
      }),
    );
  } catch (err) {
    error = err;
  }
  return { out: Buffer.concat(got), pushed: got.reduce((n, b) => n + b.length, 0), error };
}

const encrypt = async (key: Buffer, params: EncryptionParams, plain: Buffer): Promise<Buffer> => {
  const r = await run(encryptStream(key, params), plain);
  expect(r.error).toBeNull();
  return r.out;
};

function reasonOf(err: unknown): string {
  expect(err).toBeInstanceOf(OpsError);
  const e = err as OpsError;
  expect(e.code).toBe('DECRYPT_FAILED');
  return (e.detail as { reason: string }).reason;
}

describe('keys', () => {
  it('round-trips the text form and refuses anything else with INVALID_INPUT', () => {
    const key = generateKey();
    expect(key.length).toBe(32);
    const text = formatKey(key);
    expect(text).toMatch(/^ock1_[A-Za-z0-9_-]{43}$/);
    expect(parseKey(`  ${text}\n`).equals(key)).toBe(true);
    for (const bad of ['', 'hunter2', text.slice(0, -1), `ock2_${text.slice(5)}`, `${text}A`, text.replace(/.$/, '!')]) {
      expect(() => parseKey(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }) as Error);
    }
  });

  it('gives a short id that is neither the key nor any part of it', () => {
    const key = generateKey();
    const id = keyId(key);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(key.toString('hex')).not.toContain(id);
    expect(keyId(key)).toBe(id);
    expect(keyId(generateKey())).not.toBe(id);
  });

  it('stores params as JSON and reads them back', () => {
    const params = newEncryptionParams(CHUNK);
    const back = paramsFromJson(JSON.parse(JSON.stringify(paramsToJson(params))));
    expect(back.chunkBytes).toBe(CHUNK);
    expect(back.salt.equals(params.salt)).toBe(true);
    expect(() => paramsFromJson({ salt: 'AA==', chunkBytes: CHUNK })).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }) as Error);
  });
});

describe('round trips', () => {
  const key = generateKey();
  const params = newEncryptionParams(CHUNK);
  for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 37 * CHUNK + 501]) {
    it(`${size} bytes`, async () => {
      const plain = crypto.randomBytes(size);
      const sealed = await encrypt(key, params, plain);
      expect(sealed.length).toBe(encryptedSize(size, params));
      expect(sealed.subarray(0, 8).toString('latin1')).toBe('OPSENC1\n');
      expect(readEncryptionHeader(sealed)).toMatchObject({ keyId: keyId(key).slice(0, 16), chunkBytes: CHUNK });
      // The key is nowhere in the copy.
      expect(sealed.includes(key)).toBe(false);
      const back = await run(decryptStream(key), sealed);
      expect(back.error).toBeNull();
      expect(back.out.equals(plain)).toBe(true);
    });
  }

  it('uses a fresh salt per copy, so the same file encrypts differently twice', async () => {
    const plain = crypto.randomBytes(3000);
    const a = await encrypt(key, newEncryptionParams(CHUNK), plain);
    const b = await encrypt(key, newEncryptionParams(CHUNK), plain);
    expect(a.subarray(HEADER_BYTES).equals(b.subarray(HEADER_BYTES))).toBe(false);
  });
});

describe('part source', () => {
  const key = generateKey();

  it('concatenated parts equal the stream, identically on a second read, parts on chunk boundaries', async () => {
    for (const size of [0, 1, CHUNK, 5 * CHUNK, 5 * CHUNK + 1, 23 * CHUNK + 17]) {
      const params = newEncryptionParams(CHUNK);
      const file = path.join(dir, `plain-${size}`);
      const plain = crypto.randomBytes(size);
      fs.writeFileSync(file, plain);
      const source = encryptedPartSource(file, key, params, 5);
      const expected = await encrypt(key, params, plain);
      expect(source.totalBytes).toBe(expected.length);
      expect(source.partCount).toBe(Math.max(1, Math.ceil(Math.max(1, Math.ceil(size / CHUNK)) / 5)));
      const parts: Buffer[] = [];
      for (let i = 0; i < source.partCount; i++) {
        const part = await source.readPart(i);
        expect(part.length).toBe(source.partLength(i));
        if (i < source.partCount - 1) expect(part.length).toBe((i === 0 ? HEADER_BYTES : 0) + 5 * (CHUNK + TAG));
        parts.push(part);
        expect(part.length).toBeGreaterThan(0);
      }
      expect(Buffer.concat(parts).equals(expected)).toBe(true);
      // Out of order and again: a resumed upload re-sends any part with the same bytes.
      for (let i = source.partCount - 1; i >= 0; i--) expect((await source.readPart(i)).equals(parts[i] ?? Buffer.alloc(0))).toBe(true);
      // The same params re-create the same source (stored in a resume log between attempts).
      const again = encryptedPartSource(file, key, paramsFromJson(paramsToJson(params)), 5);
      expect((await again.readPart(source.partCount - 1)).equals(parts.at(-1) ?? Buffer.alloc(0))).toBe(true);
    }
  });

  it('with the default 1 MiB chunks and chunksPerPartFor, a 13 MiB file makes S3-sized parts that decrypt back', async () => {
    const MiB = 1024 * 1024;
    const params = newEncryptionParams();
    const file = path.join(dir, 'thirteen');
    const plain = crypto.randomBytes(13 * MiB + 5);
    fs.writeFileSync(file, plain);
    const source = encryptedPartSource(file, key, params, chunksPerPartFor(plain.length, params));
    expect(source.partCount).toBe(2);
    const parts = [await source.readPart(0), await source.readPart(1)];
    expect(parts[0]?.length).toBeGreaterThanOrEqual(5 * MiB);
    expect(parts[0]?.length).toBe(source.partLength(0));
    // One write of the whole copy (no awkward pieces) decrypts too.
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.concat(parts)]),
      decryptStream(key),
      new Writable({
        write(chunk: Buffer, _e, cb) {
          out.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(out).equals(plain)).toBe(true);
  });

  it('refuses to read a file whose size changed since the source was made', async () => {
    const file = path.join(dir, 'changing');
    fs.writeFileSync(file, crypto.randomBytes(3 * CHUNK));
    const source = encryptedPartSource(file, key, newEncryptionParams(CHUNK), 1);
    fs.appendFileSync(file, 'more');
    await expect(source.readPart(0)).rejects.toMatchObject({ code: 'IO_FAILED' });
  });

  it('picks parts of at least 5 MiB and at most 10,000 of them', () => {
    const MiB = 1024 * 1024;
    for (const plainBytes of [0, MiB, 100 * MiB, 50 * 1024 * MiB, 5 * 1024 * 1024 * MiB]) {
      for (const chunkBytes of [64 * 1024, MiB, 4 * MiB]) {
        const params = { salt: Buffer.alloc(16), chunkBytes };
        const per = chunksPerPartFor(plainBytes, params);
        expect(per * chunkBytes).toBeGreaterThanOrEqual(5 * MiB);
        expect(Math.ceil(Math.max(1, Math.ceil(plainBytes / chunkBytes)) / per)).toBeLessThanOrEqual(10_000);
      }
    }
  });
});

describe('damaged copies', () => {
  const key = generateKey();
  const params = newEncryptionParams(CHUNK);
  const plain = crypto.randomBytes(4 * CHUNK + 100);
  let sealed: Buffer;
  const sealedOnce = async (): Promise<Buffer> => (sealed ??= await encrypt(key, params, plain));

  it('flipping any one byte fails: tampered (not-encrypted in the magic, wrong-key in the key id)', async () => {
    const copy = await sealedOnce();
    const positions = new Set<number>();
    for (let i = 0; i < HEADER_BYTES; i++) positions.add(i);
    for (let i = HEADER_BYTES; i < copy.length; i += 97) positions.add(i);
    positions.add(copy.length - 1);
    for (const at of positions) {
      const bad = Buffer.from(copy);
      bad.writeUInt8(bad.readUInt8(at) ^ 0x01, at);
      const r = await run(decryptStream(key), bad);
      const expected = at < 8 ? 'not-encrypted' : at >= 9 && at < 17 ? 'wrong-key' : 'tampered';
      expect(reasonOf(r.error), `byte ${at}`).toBe(expected);
      // Nothing of a chunk that failed is emitted: at most the chunks before the damaged one.
      const damagedChunk = at < HEADER_BYTES ? 0 : Math.floor((at - HEADER_BYTES) / (CHUNK + TAG));
      expect(r.pushed, `byte ${at}`).toBeLessThanOrEqual(damagedChunk * CHUNK);
    }
  });

  it('dropping the last chunks is truncated, however many are dropped', async () => {
    const copy = await sealedOnce();
    for (let keep = 1; keep <= 4; keep++) {
      const r = await run(decryptStream(key), copy.subarray(0, HEADER_BYTES + keep * (CHUNK + TAG)));
      expect(reasonOf(r.error)).toBe('truncated');
    }
    expect(reasonOf((await run(decryptStream(key), copy.subarray(0, HEADER_BYTES))).error)).toBe('truncated');
    expect(reasonOf((await run(decryptStream(key), copy.subarray(0, 20))).error)).toBe('truncated');
    // Cut inside a chunk: it cannot authenticate.
    expect(['tampered', 'truncated']).toContain(reasonOf((await run(decryptStream(key), copy.subarray(0, copy.length - 7))).error));
  });

  it('swapping two chunks is tampered', async () => {
    const copy = await sealedOnce();
    const c = (i: number): Buffer => copy.subarray(HEADER_BYTES + i * (CHUNK + TAG), HEADER_BYTES + (i + 1) * (CHUNK + TAG));
    const swapped = Buffer.concat([copy.subarray(0, HEADER_BYTES), c(0), c(2), c(1), c(3), copy.subarray(HEADER_BYTES + 4 * (CHUNK + TAG))]);
    expect(swapped.length).toBe(copy.length);
    expect(reasonOf((await run(decryptStream(key), swapped)).error)).toBe('tampered');
  });

  it('a copy made with another salt cannot lend its chunks', async () => {
    const copy = await sealedOnce();
    const other = await encrypt(key, newEncryptionParams(CHUNK), plain);
    const mixed = Buffer.concat([copy.subarray(0, HEADER_BYTES + CHUNK + TAG), other.subarray(HEADER_BYTES + CHUNK + TAG)]);
    expect(reasonOf((await run(decryptStream(key), mixed)).error)).toBe('tampered');
  });

  it('a wrong key is refused from the header, with both ids, before any plaintext', async () => {
    const copy = await sealedOnce();
    const other = generateKey();
    const r = await run(decryptStream(other), copy);
    expect(reasonOf(r.error)).toBe('wrong-key');
    expect((r.error as OpsError).detail).toMatchObject({ keyId: keyId(key), expectedKeyId: keyId(other) });
    expect(r.pushed).toBe(0);
    expect((r.error as OpsError).message).not.toContain(formatKey(other));
  });

  it('a plain file is not-encrypted', async () => {
    expect(reasonOf((await run(decryptStream(key), Buffer.from('PGDMP plain dump'))).error)).toBe('not-encrypted');
    expect(reasonOf((await run(decryptStream(key), Buffer.alloc(0))).error)).toBe('not-encrypted');
    expect(() => readEncryptionHeader(Buffer.from('PGDMP'))).toThrowError(expect.objectContaining({ code: 'DECRYPT_FAILED' }) as Error);
  });
});
