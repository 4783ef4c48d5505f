import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { ProfileRepo } from '../../src-main/core/platform/profile-store/profile-repo';
import { EncryptedSecretStore, type SecretCipher } from '../../src-main/core/platform/secrets/encrypted-secret-store';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { resolvePassword } from '../../src-main/core/platform/secrets/password';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

/** AES-256-GCM with a random key: stands in for Electron safeStorage. */
function testCipher(available = true, backend = 'test:aes-gcm'): SecretCipher & { key: Buffer } {
  const key = crypto.randomBytes(32);
  return {
    key,
    backend,
    isAvailable: () => available,
    unavailableReason: () => (available ? undefined : 'the desktop offers only basic_text storage (no keyring)'),
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(buf) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      decipher.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const PASSWORD = 'Very-Distinct-Pa55word-For-Grep';

describe('MemorySecretStore', () => {
  it('keeps secrets only in the process and is always available', () => {
    const store = new MemorySecretStore();
    expect(store.persistent).toBe(false);
    expect(store.backend).toBe('memory');
    expect(store.status()).toEqual({ available: true });
    expect(store.get('p1')).toBeNull();
    store.set('p1', 'a');
    expect(store.get('p1')).toBe('a');
    store.delete('p1');
    expect(store.get('p1')).toBeNull();
  });

  it('keeps the kinds apart: the database password, the SSH and the jump host secret', () => {
    const store = new MemorySecretStore();
    store.set('p1', 'db');
    store.set('p1', 'ssh', 'ssh');
    expect(store.get('p1')).toBe('db');
    expect(store.get('p1', 'ssh')).toBe('ssh');
    expect(store.get('p1', 'jump')).toBeNull();
    store.delete('p1', 'ssh');
    expect(store.get('p1', 'ssh')).toBeNull();
    expect(store.get('p1', 'db')).toBe('db');
  });
});

describe('EncryptedSecretStore', () => {
  let dir: string;
  let store: Store;
  let profileId: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-secrets-'));
    store = openStore(path.join(dir, 'ops-console.sqlite'));
    profileId = new ProfileRepo(store.db).create({
      name: 'prod',
      host: 'h',
      port: 5432,
      database: 'd',
      user: 'u',
      sslmode: 'require',
      sslRootCert: null,
      env: 'production',
      statementTimeoutMs: null,
      notes: '',
      contacts: [],
      escalationLevel: null,
      ssh: null,
      storage: null,
    }).id;
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function storeBytes(): Buffer {
    return Buffer.concat(
      ['', '-wal', '-journal']
        .map((suffix) => store.path + suffix)
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f)),
    );
  }

  it('round-trips a secret and writes only ciphertext to the SQLite file', () => {
    const secrets = new EncryptedSecretStore(store.db, testCipher());
    expect(secrets.persistent).toBe(true);
    secrets.set(profileId, PASSWORD);
    expect(secrets.get(profileId)).toBe(PASSWORD);
    const row = store.db.prepare('SELECT backend, ciphertext FROM secrets WHERE profile_id = ?').get(profileId) as { backend: string; ciphertext: Buffer };
    expect(row.backend).toBe('test:aes-gcm');
    expect(row.ciphertext.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(storeBytes().includes(Buffer.from(PASSWORD, 'utf8'))).toBe(false);
    expect(storeBytes().includes(Buffer.from(PASSWORD, 'utf16le'))).toBe(false);
    const file = store.path;
    store.close();
    // After the WAL is folded back into the main file, still no plaintext anywhere.
    expect(fs.readFileSync(file).includes(Buffer.from(PASSWORD))).toBe(false);
  });

  it('the control: a plaintext write WOULD be found by the same byte search', () => {
    store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('probe', PASSWORD);
    expect(storeBytes().includes(Buffer.from(PASSWORD, 'utf8'))).toBe(true);
  });

  it('replaces a secret and deletes it', () => {
    const secrets = new EncryptedSecretStore(store.db, testCipher());
    secrets.set(profileId, 'one');
    secrets.set(profileId, 'two');
    expect(secrets.get(profileId)).toBe('two');
    secrets.delete(profileId);
    expect(secrets.get(profileId)).toBeNull();
  });

  it('keeps one secret per kind (database, SSH bastion, jump host), db by default', () => {
    const secrets = new EncryptedSecretStore(store.db, testCipher());
    secrets.set(profileId, 'db-pass');
    secrets.set(profileId, 'key-passphrase', 'ssh');
    secrets.set(profileId, 'jump-pass', 'jump');
    expect(secrets.get(profileId)).toBe('db-pass');
    expect(secrets.get(profileId, 'db')).toBe('db-pass');
    expect(secrets.get(profileId, 'ssh')).toBe('key-passphrase');
    expect(secrets.get(profileId, 'jump')).toBe('jump-pass');
    secrets.set(profileId, 'key-passphrase-2', 'ssh');
    secrets.delete(profileId, 'jump');
    expect(secrets.get(profileId, 'ssh')).toBe('key-passphrase-2');
    expect(secrets.get(profileId, 'jump')).toBeNull();
    expect(secrets.get(profileId)).toBe('db-pass');
    expect(storeBytes().includes(Buffer.from('key-passphrase-2'))).toBe(false);
    const repo = new ProfileRepo(store.db);
    expect(repo.get(profileId)).toMatchObject({ hasSecret: true, hasSshSecret: true, hasJumpSecret: false });
    secrets.delete(profileId);
    expect(repo.get(profileId)).toMatchObject({ hasSecret: false, hasSshSecret: true });
  });

  it('refuses to save when the keychain is unavailable, explaining why', () => {
    const secrets = new EncryptedSecretStore(store.db, testCipher(false));
    expect(secrets.status()).toEqual({ available: false, reason: 'the desktop offers only basic_text storage (no keyring)' });
    let caught: unknown;
    try {
      secrets.set(profileId, PASSWORD);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpsError);
    expect((caught as OpsError).code).toBe('SECRET_STORE_UNAVAILABLE');
    expect((caught as OpsError).message).toContain('basic_text');
    expect(store.db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 });
  });

  it('returns null (not garbage) for ciphertext it cannot decrypt', () => {
    new EncryptedSecretStore(store.db, testCipher(true, 'test:aes-gcm')).set(profileId, PASSWORD);
    // Same backend label, another key: decryption fails the GCM tag check.
    expect(new EncryptedSecretStore(store.db, testCipher(true, 'test:aes-gcm')).get(profileId)).toBeNull();
    // Another backend altogether.
    expect(new EncryptedSecretStore(store.db, testCipher(true, 'other')).get(profileId)).toBeNull();
  });
});

describe('resolvePassword order', () => {
  const profile = { id: 'p1', host: 'h', port: 5432, database: 'd', user: 'u' };
  let dir: string;
  let pgpassFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-resolve-'));
    pgpassFile = path.join(dir, 'pgpass');
    fs.writeFileSync(pgpassFile, 'h:5432:d:u:from-pgpass\n', { mode: 0o600 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('explicit → secret store → PGPASSWORD → pgpass → none', () => {
    const secrets = new MemorySecretStore();
    const env: NodeJS.ProcessEnv = { PGPASSWORD: 'from-env', PGPASSFILE: pgpassFile };
    secrets.set('p1', 'from-store');
    expect(resolvePassword(profile, { explicit: 'typed', secrets, env })).toMatchObject({ password: 'typed', source: 'explicit' });
    expect(resolvePassword(profile, { secrets, env })).toMatchObject({ password: 'from-store', source: 'secret-store' });
    secrets.delete('p1');
    expect(resolvePassword(profile, { secrets, env })).toMatchObject({ password: 'from-env', source: 'PGPASSWORD' });
    delete env.PGPASSWORD;
    expect(resolvePassword(profile, { secrets, env })).toMatchObject({ password: 'from-pgpass', source: 'pgpass' });
    fs.rmSync(pgpassFile);
    expect(resolvePassword(profile, { secrets, env })).toMatchObject({ password: undefined, source: 'none' });
  });

  it('passes on the warning about a pgpass file with loose permissions', () => {
    fs.chmodSync(pgpassFile, 0o640);
    const resolved = resolvePassword(profile, { secrets: new MemorySecretStore(), env: { PGPASSFILE: pgpassFile } });
    expect(resolved.password).toBeUndefined();
    expect(resolved.warnings[0]).toContain('group or world access');
  });
});
