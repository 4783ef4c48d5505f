// SSH public keys in their wire format (RFC 4253 §6.6): the exact bytes a server presents
// during key exchange, the bytes inside the base64 of a `.pub` / known_hosts line, and the
// bytes OpenSSH hashes for its `SHA256:` fingerprints. Everything here works on that blob.

import { createHash } from 'node:crypto';
import { OpsError } from '../../../contract/errors';

/** Host key types OpenSSH can put in known_hosts (certificates are handled elsewhere). */
export const HOST_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'ssh-dss',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

export interface ParsedPublicKey {
  type: string;
  blob: Buffer;
  fingerprint: string;
  comment: string;
}

/** Exactly what `ssh-keygen -lf` and `ssh` print: SHA256 of the blob, unpadded base64. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export function isHostKeyType(type: string): boolean {
  return (HOST_KEY_TYPES as readonly string[]).includes(type);
}

/** The key type named inside the blob (its first length-prefixed string), or null if malformed. */
export function keyTypeOfBlob(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64 decode: Node's decoder silently skips garbage, which would hide typos. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!BASE64.test(text) || text.length % 4 === 1) return null;
  const buf = Buffer.from(text, 'base64');
  return buf.length > 0 ? buf : null;
}

/**
 * Decodes `keytype base64 [comment]` and checks the blob really is a key of the type the line
 * claims: a pasted line with a truncated or mismatched key must fail here, not at connect time.
 */
export function decodeKeyFields(type: string, base64: string, what: string): Buffer {
  if (!isHostKeyType(type)) {
    throw new OpsError('INVALID_INPUT', `${what}: "${type}" is not an SSH public key type (expected one of ${HOST_KEY_TYPES.join(', ')}).`);
  }
  const blob = decodeBase64Strict(base64);
  if (blob === null) {
    throw new OpsError('INVALID_INPUT', `${what}: the key data after "${type}" is not valid base64 (was the line cut short?).`);
  }
  const inner = keyTypeOfBlob(blob);
  if (inner !== type) {
    throw new OpsError(
      'INVALID_INPUT',
      `${what}: the line says "${type}" but the key data inside is ${inner === null ? 'not a valid SSH key' : `"${inner}"`}.`,
    );
  }
  return blob;
}

/** Parses an OpenSSH public key line such as the contents of `id_ed25519.pub` or `ssh_host_ed25519_key.pub`. */
export function parsePublicKeyLine(line: string): ParsedPublicKey {
  const fields = line.trim().split(/\s+/);
  const [type, base64, ...rest] = fields;
  if (type === undefined || type === '' || base64 === undefined) {
    throw new OpsError('INVALID_INPUT', 'SSH public key: expected "keytype base64-data [comment]", e.g. "ssh-ed25519 AAAAC3… root@db1".');
  }
  const blob = decodeKeyFields(type, base64, 'SSH public key');
  return { type, blob, fingerprint: fingerprintSha256(blob), comment: rest.join(' ') };
}
