// The encrypted bytes of a file as a multipart upload's PartSource. Parts fall on chunk
// boundaries (part 0 starts with the header), and each part is encrypted when it is read, from
// the plaintext file: nothing encrypted is staged on disk, and memory is one part. Encryption
// is deterministic for given params (format.ts), so a resumed upload re-sends a part with the
// very bytes the first attempt would have; the params go in the resume log for that.
import fs from 'node:fs';
import { OpsError } from '../../../contract/errors';
import { MIN_PART_BYTES, type PartSource } from '../objectstore';
import { HEADER_BYTES, TAG_BYTES, buildHeader, chunkCount, encryptedSize, sealChunk, subkeyFor, type EncryptionParams } from './format';

const MAX_PARTS = 10_000;
const PREFERRED_PART_BYTES = 8 * 1024 * 1024;

/**
 * Chunks per part for a file of `plainBytes`: parts of about 8 MiB, never under S3's 5 MiB
 * minimum (every part but the last), and few enough parts (≤ 10,000) for any file size.
 */
export function chunksPerPartFor(plainBytes: number, params: EncryptionParams): number {
  const chunks = chunkCount(plainBytes, params.chunkBytes);
  const forSize = Math.ceil(Math.max(PREFERRED_PART_BYTES, MIN_PART_BYTES) / params.chunkBytes);
  const forCount = Math.ceil(chunks / MAX_PARTS);
  return Math.max(1, forSize, forCount);
}

/**
 * The encrypted copy of `file` in parts of `chunksPerPart` chunks. S3 wants every part but the
 * last to be at least 5 MiB: pass chunksPerPartFor(size, params) (smaller parts are allowed
 * here so tests can use small chunks).
 */
export function encryptedPartSource(file: string, key: Buffer, params: EncryptionParams, chunksPerPart: number): PartSource {
  if (!Number.isSafeInteger(chunksPerPart) || chunksPerPart < 1)
    throw new OpsError('INVALID_INPUT', 'chunksPerPart must be a positive integer.', { field: 'chunksPerPart' });
  const plainBytes = fs.statSync(file).size;
  const header = buildHeader(key, params);
  const subkey = subkeyFor(key, params.salt);
  const chunks = chunkCount(plainBytes, params.chunkBytes);
  const partCount = Math.ceil(chunks / chunksPerPart);
  const totalBytes = encryptedSize(plainBytes, params);
  if (partCount > MAX_PARTS) throw new OpsError('INVALID_INPUT', `${partCount} parts is over S3's 10,000: use chunksPerPartFor.`, { field: 'chunksPerPart' });

  const plainRange = (part: number): { start: number; end: number; first: number; last: number } => {
    const first = part * chunksPerPart;
    const last = Math.min(chunks, first + chunksPerPart) - 1;
    return { first, last, start: first * params.chunkBytes, end: Math.min(plainBytes, (last + 1) * params.chunkBytes) };
  };
  const partLength = (part: number): number => {
    if (part < 0 || part >= partCount) return 0;
    const r = plainRange(part);
    return (part === 0 ? HEADER_BYTES : 0) + (r.end - r.start) + (r.last - r.first + 1) * TAG_BYTES;
  };

  return {
    totalBytes,
    partCount,
    partLength,
    async readPart(part) {
      if (!Number.isInteger(part) || part < 0 || part >= partCount) throw new OpsError('INTERNAL', `No part ${part} (of ${partCount}).`);
      const r = plainRange(part);
      const handle = await fs.promises.open(file, 'r');
      try {
        // Same bytes on every call only if the file is the one we measured: a sealed backup is.
        if ((await handle.stat()).size !== plainBytes) throw new OpsError('IO_FAILED', `${file} changed size while it was being uploaded.`, { path: file });
        const plain = Buffer.alloc(r.end - r.start);
        let read = 0;
        while (read < plain.length) {
          const { bytesRead } = await handle.read(plain, read, plain.length - read, r.start + read);
          if (bytesRead === 0) throw new OpsError('IO_FAILED', `${file} became shorter while it was being uploaded.`, { path: file });
          read += bytesRead;
        }
        const out: Buffer[] = part === 0 ? [header] : [];
        for (let c = r.first; c <= r.last; c++) {
          const from = (c - r.first) * params.chunkBytes;
          out.push(sealChunk(subkey, header, c, c === chunks - 1, plain.subarray(from, Math.min(plain.length, from + params.chunkBytes))));
        }
        return Buffer.concat(out);
      } finally {
        await handle.close();
      }
    },
  };
}
