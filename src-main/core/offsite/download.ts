// Downloading one offsite object into a local file: decrypted on the fly when the copy is
// encrypted (the header's key id checked on the first bytes), its plaintext sha256 computed
// as it is written. Staging a copy for restore (a dump file, each file of a directory dump)
// goes through it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OpsError } from '../../contract/errors';
import type { OffsiteDestination } from '../../contract/offsite';
import { HEADER_BYTES, decryptStream, keyId, readEncryptionHeader } from '../platform/crypto';
import type { ObjectStore } from '../platform/objectstore';

export interface DownloadOptions {
  signal?: AbortSignal;
  onBytes?: (delta: number) => void;
}

/** Reads the first `n` bytes of the stream (fewer when it ends first) and gives back the rest as a stream. */
async function splitHead(body: Readable, n: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  const rest = {
    [Symbol.asyncIterator]: () => iterator,
  } as AsyncIterable<Buffer>;
  return { head, rest };
}

/**
 * Streams one object into `file` (created here, private), decrypting it when `key` is given
 * (the header's key id is checked first, so a wrong key costs the header's bytes, not the
 * copy), and answers the plaintext's sha256.
 */
export async function downloadObject(
  store: ObjectStore,
  d: OffsiteDestination,
  objectKey: string,
  key: Buffer | null,
  file: string,
  options: DownloadOptions,
): Promise<string> {
  const { body } = await store.getStream(d.bucket, objectKey, { signal: options.signal });
  const { head, rest } = await splitHead(body, key !== null ? HEADER_BYTES : 0);
  if (key !== null) {
    const header = readEncryptionHeader(head);
    const given = keyId(key);
    if (header.keyId !== given.slice(0, header.keyId.length)) {
      body.destroy();
      throw new OpsError('DECRYPT_FAILED', `The copy on ${d.name} was encrypted with key ${header.keyId}, not with the key given (${given}).`, {
        reason: 'wrong-key',
        keyId: header.keyId,
        expectedKeyId: given,
      });
    }
  }
  const hash = crypto.createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const counted = async function* (): AsyncIterable<Buffer> {
    if (head.length > 0) {
      options.onBytes?.(head.length);
      yield head;
    }
    for await (const chunk of rest) {
      options.onBytes?.(chunk.length);
      yield chunk;
    }
  };
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
  try {
    if (key !== null) await pipeline(Readable.from(counted()), decryptStream(key), tap, out, { signal: options.signal });
    else await pipeline(Readable.from(counted()), tap, out, { signal: options.signal });
  } catch (err) {
    if (err instanceof OpsError) throw err;
    throw store.fail(err, options.signal, { bucket: d.bucket, key: objectKey }, `downloading ${objectKey}`);
  }
  return hash.digest('hex');
}
