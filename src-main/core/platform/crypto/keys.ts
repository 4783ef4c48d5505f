// Encryption keys for offsite copies. A key is 32 random bytes the user keeps (in the secret
// store, and in a password manager: losing it loses every copy encrypted with it). Its text
// form has a prefix so a pasted key is recognised (and a database password is not mistaken
// for one); its id is a one-way tag written into every encrypted copy so a wrong key is
// named before anything is decrypted, without the id revealing the key.
import crypto from 'node:crypto';
import { OpsError } from '../../../contract/errors';

export const KEY_BYTES = 32;
const KEY_PREFIX = 'ock1_';
const KEY_ID_LABEL = Buffer.from('ops-console key id\0', 'utf8');

export function generateKey(): Buffer {
  return crypto.randomBytes(KEY_BYTES);
}

/** "ock1_" + base64url of the 32 bytes: one line a user can keep in a password manager. */
export function formatKey(key: Buffer): string {
  checkKey(key);
  return KEY_PREFIX + key.toString('base64url');
}

/** The key in `text` (surrounding whitespace ignored); INVALID_INPUT for anything else. */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const fail = (why: string): never => {
    throw new OpsError('INVALID_INPUT', `That is not an Ops Console encryption key: ${why}. A key looks like ock1_ followed by 43 characters.`, {
      field: 'key',
    });
  };
  if (!trimmed.startsWith(KEY_PREFIX)) fail('it does not start with ock1_');
  const body = trimmed.slice(KEY_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body)) fail('the part after ock1_ is not 43 base64url characters');
  const key = Buffer.from(body, 'base64url');
  // Base64url's last character carries 2 spare bits: insist they round-trip so one key has one spelling.
  if (key.length !== KEY_BYTES || key.toString('base64url') !== body) fail('it does not decode to 32 bytes');
  return key;
}

/** A short non-secret tag of the key (16 hex): which key a copy needs, safe to store and show. */
export function keyId(key: Buffer): string {
  checkKey(key);
  return crypto.createHash('sha256').update(KEY_ID_LABEL).update(key).digest('hex').slice(0, 16);
}

export function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new OpsError('INVALID_INPUT', `An encryption key is ${KEY_BYTES} bytes.`, { field: 'key' });
}
