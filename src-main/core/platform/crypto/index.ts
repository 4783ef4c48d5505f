// Client-side encryption of offsite copies: chunked AES-256-GCM (the format is described in
// format.ts), keys the user keeps, streams for download/restore, and a PartSource for the
// resumable multipart upload.
export { KEY_BYTES, formatKey, generateKey, keyId, parseKey } from './keys';
export {
  DEFAULT_CHUNK_BYTES,
  HEADER_BYTES,
  encryptedSize,
  newEncryptionParams,
  paramsFromJson,
  paramsToJson,
  readEncryptionHeader,
  type EncryptionHeader,
  type EncryptionParams,
} from './format';
export { decryptStream, encryptStream } from './streams';
export { chunksPerPartFor, encryptedPartSource } from './part-source';
