// Encrypted offsite copies through core.dispatch against a real s3rver and a real backup of the
// run's PostgreSQL: the destination's key generated and shown once (never in results, audit or
// store rows afterwards), the object not the dump's bytes but decrypting to them, a copy cut
// mid-upload resumed into an object that still decrypts, and a wrong key refused before upload.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { BackupCopy, CopyResult, CreatedDestination, OffsiteDestination } from '../../src-main/contract/offsite';
import type { Core } from '../../src-main/core/app';
import { CopyRepo } from '../../src-main/core/offsite/copies';
import { copyBackup } from '../../src-main/core/offsite/copy';
import { DestinationRepo } from '../../src-main/core/offsite/destinations';
import { OffsiteSecrets } from '../../src-main/core/offsite/secrets';
import { removeStaged, stageOffsiteCopy } from '../../src-main/core/offsite/stage';
import { decryptStream, formatKey, generateKey, keyId, parseKey, readEncryptionHeader } from '../../src-main/core/platform/crypto';
import { ObjectStore, type MultipartState } from '../../src-main/core/platform/objectstore';
import { auditOf, sha256sum } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { multipartSizedBackup } from '../helpers/offsite';
import type { ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
const SECRET = 'offsite-secret-enc-51c0';
let core: Core;
let home: string;
let outDir: string;
let s3: LocalS3;
let shopDb: ShopDatabase;
let entry: BackupEntry;
let dest: CreatedDestination;
const calls = callsOn(() => core);
const { ok, fail } = calls;

function destinationInput(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const c = s3.config();
  return { name, endpoint: c.endpoint, region: c.region, bucket: 'vault', prefix: 'enc', accessKeyId: c.accessKeyId, secretAccessKey: SECRET, ...overrides };
}

/** Downloads `key` and decrypts it with `key`: the plaintext's sha256 and the object's sha256. */
async function decryptObject(objectKey: string, key: Buffer): Promise<{ plainSha256: string; objectSha256: string }> {
  const store = new ObjectStore(s3.config());
  const local = path.join(outDir, `${crypto.randomUUID()}.enc`);
  const plain = `${local}.plain`;
  try {
    await store.download('vault', objectKey, local);
    await pipeline(fs.createReadStream(local), decryptStream(key), fs.createWriteStream(plain));
    return { plainSha256: sha256sum(plain), objectSha256: sha256sum(local) };
  } finally {
    store.destroy();
  }
}

/** Every row of the tables that hold offsite state, as text. */
function storeRowsText(): string {
  const db = core.deps.store.db;
  return JSON.stringify(['offsite_destinations', 'offsite_secrets', 'backup_copies', 'audit_entries'].map((t) => db.prepare(`SELECT * FROM ${t}`).all()));
}

beforeAll(async () => {
  s3 = await startLocalS3(['vault']);
  ({ core, home } = newTestCore('ops-offsite-enc-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-offsite-enc-out-'));
  ({ shopDb, entry } = await multipartSizedBackup(core, calls, pg, { prefix: 'offsiteenc', profileName: 'shop.enc', rows: 40000, outDir }));
  dest = await ok<CreatedDestination>('createOffsiteDestination', destinationInput('vault-a', { encrypt: true }));
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('an encrypting destination', () => {
  it('generates a key, returns it once with the warning, and keeps only its id in view', async () => {
    expect(dest).toMatchObject({ encrypt: true, keyId: expect.stringMatching(/^[0-9a-f]{16}$/), generatedKey: expect.stringMatching(/^ock1_/) });
    expect(dest.keyWarning).toContain('password manager');
    expect(dest.keyWarning).toContain('OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY');
    expect(keyId(parseKey(dest.generatedKey!))).toBe(dest.keyId);
    const again = await ok<OffsiteDestination>('getOffsiteDestination', { id: dest.id });
    expect(again).not.toHaveProperty('generatedKey');
    expect(JSON.stringify(await ok('listOffsiteDestinations', {}))).not.toContain(dest.generatedKey!);
    expect(auditOf(core, 'offsite.destination.create')[0]!.summary).toContain(`encrypted with key ${dest.keyId}`);
    // The key is nowhere in the store in plaintext (without a cipher it is in memory only).
    expect(storeRowsText()).not.toContain(dest.generatedKey!);
    expect(storeRowsText()).not.toContain(parseKey(dest.generatedKey!).toString('base64url'));
  });

  it('accepts a key given as text (no generatedKey then) and refuses one that is not a key', async () => {
    const key = generateKey();
    const given = await ok<CreatedDestination>('createOffsiteDestination', destinationInput('vault-given', { encrypt: true, encryptionKey: formatKey(key) }));
    expect(given).toMatchObject({ encrypt: true, keyId: keyId(key) });
    expect(given.generatedKey).toBeUndefined();
    expect(given.keyWarning).toContain('unreadable');
    const bad = await fail('createOffsiteDestination', destinationInput('vault-bad', { encrypt: true, encryptionKey: 'hunter2' }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect((await fail('getOffsiteDestination', { id: 'vault-bad' })).code).toBe('NOT_FOUND');
    // Saving another key on it later is refused as the wrong key.
    const wrong = await fail('updateOffsiteDestination', { id: given.id, encryptionKey: formatKey(generateKey()) });
    expect(wrong.code).toBe('DECRYPT_FAILED');
    expect(wrong.detail).toMatchObject({ reason: 'wrong-key', keyId: keyId(key) });
    expect(storeRowsText()).not.toContain(formatKey(key));
  });
});

describe('an encrypted copy', () => {
  let copy: CopyResult;
  beforeAll(async () => {
    copy = await ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: 'vault-a' });
  }, 90_000);

  it('is <key>.enc, not the dump’s bytes, and decrypts to the dump (sha256 of the catalog)', async () => {
    expect(copy).toMatchObject({
      ok: true,
      key: `enc/shop.enc/${path.basename(entry.path)}.enc`,
      sha256: entry.sha256,
      encrypted: true,
      keyId: dest.keyId,
      verified: true,
    });
    expect(copy.bytes).toBeGreaterThan(entry.bytes!);
    const key = parseKey(dest.generatedKey!);
    const { plainSha256, objectSha256 } = await decryptObject(copy.key, key);
    expect(objectSha256).not.toBe(entry.sha256);
    expect(plainSha256).toBe(entry.sha256);

    const store = new ObjectStore(s3.config());
    const manifest = JSON.parse((await store.getText('vault', `${copy.key}.manifest.json`))!) as { copy: Record<string, unknown> };
    store.destroy();
    expect(manifest.copy).toMatchObject({
      encrypted: true,
      keyId: dest.keyId,
      sha256: entry.sha256,
      plainBytes: entry.bytes,
      bytes: copy.bytes,
      encryption: { salt: expect.any(String), chunkBytes: expect.any(Number) },
    });
    expect(JSON.stringify(manifest)).not.toContain(dest.generatedKey!);
    const rows = (await ok<{ copies: BackupCopy[] }>('listBackupCopies', { destination: 'vault-a' })).copies;
    expect(rows).toEqual([expect.objectContaining({ id: copy.id, status: 'ok', encrypted: true, keyId: dest.keyId, sha256: entry.sha256 })]);
    expect(JSON.stringify(copy)).not.toContain(dest.generatedKey!);
    expect(JSON.stringify(auditOf(core, 'offsite.copy'))).not.toContain(dest.generatedKey!);
    expect(storeRowsText()).not.toContain(dest.generatedKey!);
    expect(fs.readdirSync(path.join(home, 'offsite', 'uploads'))).toEqual([]);
  });

  it('is what a restore from offsite reads: staged, decrypted, the dump byte for byte', async () => {
    const db = core.deps.store.db;
    const secrets = new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET, OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: dest.generatedKey! });
    const staged = await stageOffsiteCopy(core.deps, { destinations: new DestinationRepo(db, secrets), copies: new CopyRepo(db), secrets }, entry.id);
    try {
      expect(sha256sum(staged)).toBe(entry.sha256);
    } finally {
      removeStaged(home, staged);
    }
  });

  it('a second copy finds it already there', async () => {
    const again = await ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: 'vault-a' });
    expect(again).toMatchObject({ id: copy.id, key: copy.key, encrypted: true, alreadyThere: true });
  });
});

describe('wrong or missing keys', () => {
  it('a key that is not the destination’s is refused before anything is uploaded', async () => {
    const d = await ok<CreatedDestination>('createOffsiteDestination', destinationInput('vault-wrong', { encrypt: true, prefix: 'wrong' }));
    const db = core.deps.store.db;
    const other = formatKey(generateKey());
    const env = { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET, OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: other };
    const repos = { destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, env)), copies: new CopyRepo(db) };
    const refused = await copyBackup(core.deps, repos, entry.id, d.name).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'DECRYPT_FAILED', detail: { reason: 'wrong-key', keyId: d.keyId } });
    expect(repos.copies.list({ destinationId: d.id })).toEqual([]);
    const store = new ObjectStore(s3.config());
    const listed: string[] = [];
    for await (const o of store.listObjects('vault', 'wrong/')) listed.push(o.key);
    store.destroy();
    expect(listed).toEqual([]);

    // No key at hand at all (a CLI run without the variable): PASSWORD_REQUIRED naming it.
    const none = {
      destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET })),
      copies: new CopyRepo(db),
    };
    const missing = await copyBackup(core.deps, none, entry.id, d.name).then(
      () => null,
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ code: 'PASSWORD_REQUIRED', detail: { secret: 'encryption' } });
    expect((missing as Error).message).toContain('OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY');
  });
});

describe('an encrypted copy cut by the server going away', () => {
  it('resumes with the logged salt and chunk size into an object that decrypts to the dump', async () => {
    const d = await ok<CreatedDestination>('createOffsiteDestination', destinationInput('vault-resume', { encrypt: true, prefix: 'resume' }));
    const db = core.deps.store.db;
    // The CLI's view: both secrets from the environment.
    const env = { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET, OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: d.generatedKey! };
    const repos = { destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, env)), copies: new CopyRepo(db) };
    let stopped: Promise<void> | null = null;
    const cut = await copyBackup(core.deps, repos, entry.id, d.name, {
      concurrency: 1,
      onBytes: () => {
        if (stopped === null) stopped = s3.stop();
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    await stopped;
    expect(cut).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'unreachable' } });
    const [attempt] = repos.copies.list({ destinationId: d.id });
    expect(attempt).toMatchObject({ status: 'failed', encrypted: true, keyId: d.keyId });
    const logFile = path.join(home, 'offsite', 'uploads', `${attempt!.id}.json`);
    const log = JSON.parse(fs.readFileSync(logFile, 'utf8')) as MultipartState & { encryption: { salt: string; chunkBytes: number } };
    expect(log.parts.map((p) => p.partNumber)).toEqual([1]);
    expect(log.encryption).toEqual({ salt: expect.any(String), chunkBytes: expect.any(Number) });
    expect(fs.readFileSync(logFile, 'utf8')).not.toContain(d.generatedKey!);

    await s3.start();
    const resumed = await copyBackup(core.deps, repos, entry.id, d.name, { concurrency: 1 });
    expect(resumed).toMatchObject({ ok: true, id: attempt!.id, encrypted: true, sha256: entry.sha256, verified: true });
    expect(fs.existsSync(logFile)).toBe(false);
    const key = parseKey(d.generatedKey!);
    const { plainSha256 } = await decryptObject(resumed.key, key);
    expect(plainSha256).toBe(entry.sha256);
    // The header carries the logged salt: the resumed parts were sealed with the first attempt's params.
    const local = path.join(outDir, 'resumed-header.enc');
    const s = new ObjectStore(s3.config());
    await s.download('vault', resumed.key, local);
    s.destroy();
    const header = readEncryptionHeader(fs.readFileSync(local).subarray(0, 64));
    expect(header.salt.toString('base64')).toBe(log.encryption.salt);
    expect(header.chunkBytes).toBe(log.encryption.chunkBytes);
  }, 180_000);
});
