// Reading an uploaded object back (plain, or through the decryptor) and the resume-log
// wrapper that keeps an encrypted upload's params with its parts: shared by every kind of
// offsite copy (a dump file, the files of a directory dump, a storage snapshot's objects).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OpsError } from '../../contract/errors';
import { decryptStream, paramsFromJson, paramsToJson, type EncryptionParams } from '../platform/crypto';
import type { MultipartState, ObjectStore, ResumeLog } from '../platform/objectstore';

/** The encryption params a previous attempt logged with its parts (null: none, start afresh). */
export function savedParams(file: string): EncryptionParams | null {
  let state: { encryption?: unknown };
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8')) as { encryption?: unknown };
  } catch {
    return null;
  }
  return state.encryption === undefined ? null : paramsFromJson(state.encryption);
}

/**
 * The resume log with the params written into every saved state: parts already uploaded were
 * encrypted with them, so the parts still to send must be too (encryption is deterministic
 * given the params). A log without them is not resumed (load → null: a fresh upload).
 */
export function withParams(log: ResumeLog, params: EncryptionParams): ResumeLog {
  const json = paramsToJson(params);
  return {
    load() {
      const state = log.load() as (MultipartState & { encryption?: { salt: string } }) | null;
      return state?.encryption?.salt === json.salt ? state : null;
    },
    save(state) {
      log.save({ ...state, encryption: json } as MultipartState);
    },
    clear() {
      log.clear();
    },
  };
}

/**
 * The object streamed back through the decryptor: its stored bytes and the plaintext's sha256.
 * A copy that does not decrypt (DECRYPT_FAILED) comes back as `failure`, so the caller removes
 * it like one that does not hash right.
 */
export async function readBackDecrypted(
  store: ObjectStore,
  bucket: string,
  key: string,
  encryptionKey: Buffer,
  signal?: AbortSignal,
  onBytes?: (delta: number) => void,
): Promise<{ bytes: number; sha256: string; failure?: OpsError }> {
  const { body } = await store.getStream(bucket, key, { signal });
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  const hashed = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done();
    },
  });
  try {
    await pipeline(body as Readable, counted, decryptStream(encryptionKey), hashed);
  } catch (err) {
    if (err instanceof OpsError && err.code === 'DECRYPT_FAILED') return { bytes, sha256: '', failure: err };
    throw store.fail(err, signal, { bucket, key }, `reading ${key} back`);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The object's bytes and sha256, streamed (never held whole). */
export async function streamSha256(
  store: ObjectStore,
  bucket: string,
  key: string,
  signal?: AbortSignal,
  onBytes?: (delta: number) => void,
): Promise<{ bytes: number; sha256: string; failure?: OpsError }> {
  const { body } = await store.getStream(bucket, key, { signal });
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(chunk.length);
    }
  } catch (err) {
    throw store.fail(err, signal, { bucket, key }, `reading ${key} back`);
  }
  return { bytes, sha256: hash.digest('hex') };
}
