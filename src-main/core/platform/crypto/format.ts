// The encrypted format of offsite copies ("OPSENC1"), chunked AES-256-GCM:
//
//   header (37 bytes)
//     magic      8  "OPSENC1\n"
//     version    1  1
//     keyId      8  the first 8 bytes of keyId(key) (16 hex), so a wrong key is named up front
//     salt      16  random per copy
//     chunkBytes 4  u32 big-endian, plaintext bytes per chunk (1 .. 64 MiB)
//   chunks, n = max(1, ceil(plaintext / chunkBytes)); every chunk holds chunkBytes of
//   plaintext except the final one, which holds 0 .. chunkBytes (empty plaintext = one empty
//   final chunk); each chunk = AES-256-GCM ciphertext + 16-byte tag, with
//     subkey = HKDF-SHA256(key, salt, "ops-console offsite v1") — one key per copy, so nonces
//              never repeat across copies made with the same user key
//     nonce  = the chunk index, 12 bytes big-endian
//     AAD    = header || chunk index (8 bytes BE) || final flag (1 byte)
//   Binding the header to every chunk makes header edits fail; the index in nonce and AAD makes
//   reordering fail; the final flag makes dropping the last chunks fail (the new last chunk was
//   sealed as not-final).
//
// Encryption is deterministic given (key, salt, chunkBytes, plaintext): a resumed multipart
// upload stores the salt and chunk size and re-creates byte-identical parts. That is safe only
// because the plaintext is a sealed backup that does not change; the part source checks its size.
import crypto from 'node:crypto';
import { OpsError } from '../../../contract/errors';
import { checkKey, keyId } from './keys';

export const MAGIC = Buffer.from('OPSENC1\n', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = MAGIC.length + 1 + 8 + 16 + 4;
export const TAG_BYTES = 16;
export const SALT_BYTES = 16;
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Bounds what a damaged header can make a reader allocate. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
const HKDF_INFO = Buffer.from('ops-console offsite v1', 'utf8');

export interface EncryptionParams {
  salt: Buffer;
  chunkBytes: number;
}

export interface EncryptionHeader {
  keyId: string;
  chunkBytes: number;
  version: number;
  salt: Buffer;
}

export function newEncryptionParams(chunkBytes = DEFAULT_CHUNK_BYTES): EncryptionParams {
  checkChunkBytes(chunkBytes);
  return { salt: crypto.randomBytes(SALT_BYTES), chunkBytes };
}

/** JSON-safe form (salt in base64) for a resume log: the same params re-create the same ciphertext. */
export function paramsToJson(params: EncryptionParams): { salt: string; chunkBytes: number } {
  return { salt: params.salt.toString('base64'), chunkBytes: params.chunkBytes };
}

export function paramsFromJson(json: unknown): EncryptionParams {
  const j = json as { salt?: unknown; chunkBytes?: unknown } | null;
  if (typeof j !== 'object' || j === null || typeof j.salt !== 'string' || typeof j.chunkBytes !== 'number') {
    throw new OpsError('INVALID_INPUT', 'Saved encryption parameters are unreadable.', { field: 'encryption' });
  }
  const salt = Buffer.from(j.salt, 'base64');
  if (salt.length !== SALT_BYTES) throw new OpsError('INVALID_INPUT', 'Saved encryption parameters have a bad salt.', { field: 'encryption' });
  checkChunkBytes(j.chunkBytes);
  return { salt, chunkBytes: j.chunkBytes };
}

function checkChunkBytes(chunkBytes: number): void {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new OpsError('INVALID_INPUT', `The encryption chunk size must be 1 .. ${MAX_CHUNK_BYTES} bytes.`, { field: 'chunkBytes' });
  }
}

export function chunkCount(plainBytes: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(plainBytes / chunkBytes));
}

/** The size of the encrypted copy of `plainBytes` bytes. */
export function encryptedSize(plainBytes: number, params: EncryptionParams): number {
  return HEADER_BYTES + plainBytes + chunkCount(plainBytes, params.chunkBytes) * TAG_BYTES;
}

export function buildHeader(key: Buffer, params: EncryptionParams): Buffer {
  checkKey(key);
  checkChunkBytes(params.chunkBytes);
  if (params.salt.length !== SALT_BYTES) throw new OpsError('INVALID_INPUT', 'The encryption salt is 16 bytes.', { field: 'encryption' });
  const header = Buffer.alloc(HEADER_BYTES);
  let at = MAGIC.copy(header, 0);
  at = header.writeUInt8(FORMAT_VERSION, at);
  at += Buffer.from(keyId(key), 'hex').copy(header, at);
  at += params.salt.copy(header, at);
  header.writeUInt32BE(params.chunkBytes, at);
  return header;
}

type DecryptReason = 'wrong-key' | 'tampered' | 'truncated' | 'not-encrypted';

export function decryptFailed(reason: DecryptReason, message: string, ids: { keyId?: string; expectedKeyId?: string } = {}): OpsError {
  return new OpsError('DECRYPT_FAILED', message, { reason, ...ids });
}

/**
 * The header at the start of `buffer` (the first HEADER_BYTES of a copy are enough), so a
 * caller can check the key before downloading everything. DECRYPT_FAILED 'not-encrypted'
 * without the magic, 'truncated' when the buffer ends inside the header, 'tampered' for a
 * version or chunk size this format cannot have.
 */
export function readEncryptionHeader(buffer: Buffer): EncryptionHeader {
  const magicPart = buffer.subarray(0, MAGIC.length);
  if (!MAGIC.subarray(0, magicPart.length).equals(magicPart) || buffer.length === 0) {
    throw decryptFailed('not-encrypted', 'This copy is not encrypted by Ops Console (no OPSENC1 header).');
  }
  if (buffer.length < HEADER_BYTES) throw decryptFailed('truncated', 'The encrypted copy ends inside its header.');
  const version = buffer.readUInt8(MAGIC.length);
  const id = buffer.subarray(MAGIC.length + 1, MAGIC.length + 9).toString('hex');
  const salt = Buffer.from(buffer.subarray(MAGIC.length + 9, MAGIC.length + 9 + SALT_BYTES));
  const chunkBytes = buffer.readUInt32BE(MAGIC.length + 9 + SALT_BYTES);
  if (version !== FORMAT_VERSION)
    throw decryptFailed('tampered', `The encrypted copy's header is damaged (format version ${version}, this app reads ${FORMAT_VERSION}).`);
  if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) throw decryptFailed('tampered', "The encrypted copy's header is damaged (impossible chunk size).");
  return { keyId: id, chunkBytes, version, salt };
}

export function subkeyFor(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', key, salt, HKDF_INFO, 32));
}

function nonceFor(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

function aadFor(header: Buffer, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(header.length + 9);
  header.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), header.length);
  aad.writeUInt8(final ? 1 : 0, header.length + 8);
  return aad;
}

/** Chunk `index` of a copy: ciphertext + tag. */
export function sealChunk(subkey: Buffer, header: Buffer, index: number, final: boolean, plain: Buffer): Buffer {
  const cipher = crypto.createCipheriv('aes-256-gcm', subkey, nonceFor(index));
  cipher.setAAD(aadFor(header, index, final));
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return body;
}

/** The plaintext of a sealed chunk, or null when it does not authenticate as (index, final). */
export function openChunk(subkey: Buffer, header: Buffer, index: number, final: boolean, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG_BYTES) return null;
  const decipher = crypto.createDecipheriv('aes-256-gcm', subkey, nonceFor(index));
  decipher.setAAD(aadFor(header, index, final));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return plain;
}
