// Streaming encryption and decryption in the OPSENC1 format (format.ts). Memory stays at about
// one chunk whatever the size of the copy. The decryptor never emits plaintext it has not
// authenticated: each chunk is buffered whole, its tag checked, and only then pushed; and it
// refuses a wrong key from the header, before the first chunk.
import { Transform, type TransformCallback } from 'node:stream';
import { OpsError } from '../../../contract/errors';
import { keyId } from './keys';
import {
  HEADER_BYTES,
  MAGIC,
  TAG_BYTES,
  buildHeader,
  decryptFailed,
  openChunk,
  readEncryptionHeader,
  sealChunk,
  subkeyFor,
  type EncryptionParams,
} from './format';

/** Bytes received but not yet used, kept as a list so appending is not quadratic. */
class Pending {
  private parts: Buffer[] = [];
  length = 0;
  push(chunk: Buffer): void {
    this.parts.push(chunk);
    this.length += chunk.length;
  }
  /** Removes and returns the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    const first = this.parts[0];
    // A large write is cut in place rather than copied once per chunk taken from it.
    if (first !== undefined && first.length >= n) {
      const rest = first.subarray(n);
      if (rest.length > 0) this.parts[0] = rest;
      else this.parts.shift();
      this.length -= n;
      return first.subarray(0, n);
    }
    const all = Buffer.concat(this.parts, this.length);
    const rest = all.subarray(n);
    this.parts = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return all.subarray(0, n);
  }
  peek(n: number): Buffer {
    const all = Buffer.concat(this.parts, this.length);
    this.parts = all.length > 0 ? [all] : [];
    return all.subarray(0, n);
  }
}

const asBuffer = (chunk: unknown): Buffer => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));

/** Plaintext in, OPSENC1 out (header first; the last chunk is sealed as final on end). */
export function encryptStream(key: Buffer, params: EncryptionParams): Transform {
  const header = buildHeader(key, params);
  const subkey = subkeyFor(key, params.salt);
  const pending = new Pending();
  let index = 0;
  let headerSent = false;
  const sendHeader = (stream: Transform): void => {
    if (!headerSent) stream.push(header);
    headerSent = true;
  };
  return new Transform({
    transform(chunk: unknown, _enc, done: TransformCallback) {
      sendHeader(this);
      pending.push(asBuffer(chunk));
      // A full chunk is known not to be the last only once a byte after it has arrived.
      while (pending.length > params.chunkBytes) this.push(sealChunk(subkey, header, index++, false, pending.take(params.chunkBytes)));
      done();
    },
    flush(done: TransformCallback) {
      sendHeader(this);
      this.push(sealChunk(subkey, header, index++, true, pending.take(pending.length)));
      done();
    },
  });
}

/**
 * OPSENC1 in, plaintext out. Fails with DECRYPT_FAILED: 'not-encrypted' (no magic),
 * 'wrong-key' (the header names another key; raised before any chunk is read), 'tampered'
 * (a chunk or the header does not authenticate), 'truncated' (the copy ends before its final
 * chunk).
 */
export function decryptStream(key: Buffer): Transform {
  const expectedKeyId = keyId(key);
  const pending = new Pending();
  let header: Buffer | null = null;
  let subkey: Buffer = Buffer.alloc(0);
  let sealedBytes = 0;
  let index = 0;

  const readHeader = (): void => {
    if (header !== null) return;
    // Check the magic as soon as its bytes arrive, so a plain file is refused early.
    if (pending.length < HEADER_BYTES) {
      const start = pending.peek(Math.min(pending.length, MAGIC.length));
      if (!MAGIC.subarray(0, start.length).equals(start)) readEncryptionHeader(start);
      return;
    }
    const bytes = Buffer.from(pending.take(HEADER_BYTES));
    const parsed = readEncryptionHeader(bytes);
    // The header stores only 8 bytes of the id: compare on those.
    if (parsed.keyId !== expectedKeyId.slice(0, parsed.keyId.length)) {
      throw decryptFailed('wrong-key', `This copy was encrypted with key ${parsed.keyId}, not with the key given (${expectedKeyId}).`, {
        keyId: parsed.keyId,
        expectedKeyId,
      });
    }
    header = bytes;
    subkey = subkeyFor(key, parsed.salt);
    sealedBytes = parsed.chunkBytes + TAG_BYTES;
  };

  const tampered = (): OpsError => decryptFailed('tampered', `The encrypted copy is damaged or was altered (chunk ${index} does not authenticate).`);

  return new Transform({
    transform(chunk: unknown, _enc, done: TransformCallback) {
      try {
        pending.push(asBuffer(chunk));
        readHeader();
        if (header !== null) {
          while (pending.length > sealedBytes) {
            const plain = openChunk(subkey, header, index, false, pending.take(sealedBytes));
            if (plain === null) throw tampered();
            index++;
            this.push(plain);
          }
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        readHeader();
        // Ends before a whole header: not-encrypted if empty, truncated if it began like one.
        if (header === null) readEncryptionHeader(pending.peek(pending.length));
        if (header === null) throw decryptFailed('truncated', 'The encrypted copy ends inside its header.');
        if (pending.length < TAG_BYTES) throw decryptFailed('truncated', 'The encrypted copy ends before its final chunk.');
        const last = pending.take(pending.length);
        const plain = openChunk(subkey, header, index, true, last);
        if (plain === null) {
          // A whole chunk sealed as not-final means the chunks after it were cut off.
          if (openChunk(subkey, header, index, false, last) !== null)
            throw decryptFailed('truncated', 'The encrypted copy ends before its final chunk: it was cut short.');
          throw tampered();
        }
        this.push(plain);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
