// Restoring a backup that lives only offsite, against the run's real PostgreSQL and a real
// s3rver: the local dump deleted, a restore by backup id fetches the copy back into
// <home>/offsite/staging, checks its sha256 against the catalog, restores and validates, and
// the staged file is gone afterwards; a drill the same. A copy overwritten with other bytes
// is refused before anything is restored; an encrypted copy (written here with the crypto
// module, as an encrypting destination stores it) restores with its key, and a wrong key is
// refused with DECRYPT_FAILED before anything is restored.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { CopyResult, OffsiteDestination } from '../../src-main/contract/offsite';
import type { DrillRecord } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { OFFSITE_ENV } from '../../src-main/core/offsite';
import { CopyRepo } from '../../src-main/core/offsite/copies';
import { encryptStream, formatKey, generateKey, keyId, newEncryptionParams } from '../../src-main/core/platform/crypto';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { auditOf } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { backupAndWait, restoreAndWait, tableCounts } from '../helpers/restore';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let s3: LocalS3;
let shopDb: ShopDatabase;
let shop: Profile;
let admin: Profile;
let dest: OffsiteDestination;
let sourceCounts: Record<string, number>;
const created: string[] = [];
const calls = callsOn(() => core);

const stagingDir = () => path.join(home, 'offsite', 'staging');
const stagedFiles = () => (fs.existsSync(stagingDir()) ? fs.readdirSync(stagingDir()) : []);
const databaseExists = (name: string) => withClient(pg, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

/** A verified backup, copied offsite (or not), then its local file deleted. */
async function backupOnlyOffsite(copy: boolean): Promise<BackupEntry> {
  const entry = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'custom' });
  if (copy) await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: dest.name });
  fs.rmSync(entry.path, { force: true });
  return entry;
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-restore-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-offsite-restore-out-'));
  shopDb = await createShopDatabase(pg, 'offsiterestore');
  const shopInput: Partial<ProfileInput> = {
    name: 'shop',
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await calls.ok<Profile>('createProfile', { profile: shopInput, password: shopDb.password });
  const adminInput: Partial<ProfileInput> = {
    name: 'admin',
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    sslmode: 'disable',
    env: 'staging',
    readOnly: false,
  };
  admin = await calls.ok<Profile>('createProfile', { profile: adminInput, password: pg.password });
  sourceCounts = await tableCounts(pg, shopDb.database);
  const c = s3.config();
  dest = await calls.ok<OffsiteDestination>('createOffsiteDestination', {
    name: 'offsite-r',
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: 'ops',
    accessKeyId: c.accessKeyId,
    secretAccessKey: 'offsite-restore-secret',
  });
}, 120_000);

afterAll(async () => {
  delete process.env[OFFSITE_ENV.encryption];
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  await shopDb?.dispose();
  await s3?.destroy();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('a backup whose local file is gone', () => {
  it('without an offsite copy: NOT_FOUND as before', async () => {
    const entry = await backupOnlyOffsite(false);
    const database = uniqueDatabaseName('offsite_none');
    const err = await calls.fail('startRestore', { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('is gone');
  }, 60_000);

  it('restores from its offsite copy into a new database: validated, row counts equal, staged file removed', async () => {
    const entry = await backupOnlyOffsite(true);
    expect(fs.existsSync(entry.path)).toBe(false);
    const database = uniqueDatabaseName('offsite_restored');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(record.status).toBe('ok');
    expect(record.backupId).toBe(entry.id);
    expect(record.validation?.ok).toBe(true);
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
    expect(stagedFiles()).toEqual([]);
    // The catalog's own file is not brought back: only the staging copy was used.
    expect(fs.existsSync(entry.path)).toBe(false);
    const fetched = auditOf(core, 'offsite.fetch').find((e) => e.summary.includes(entry.id));
    expect(fetched).toMatchObject({ outcome: 'ok', profile: 'shop' });
    expect(fetched!.summary).toContain('sha256 verified');
  }, 120_000);

  it('drills from its offsite copy: ok, validated, staged file removed', async () => {
    const entry = await backupOnlyOffsite(true);
    const jobId = crypto.randomUUID();
    const finished = new Promise<void>((resolve) => {
      const off = core.events.subscribe((e) => {
        if (e.type === 'job.done' && e.jobId === jobId) {
          off();
          resolve();
        }
      });
    });
    const { drillId } = await calls.ok<{ drillId: string }>('startDrill', { source: entry.id, jobId });
    await finished;
    const drill = await calls.ok<DrillRecord>('getDrill', { id: drillId });
    expect(drill.status, drill.error ?? '').toBe('ok');
    expect(drill.validation?.ok).toBe(true);
    expect(stagedFiles()).toEqual([]);
  }, 240_000);

  it('a copy overwritten with other bytes is refused before anything is restored (sha256 mismatch)', async () => {
    const entry = await backupOnlyOffsite(true);
    const copy = (await calls.ok<{ copies: { key: string; status: string }[] }>('listBackupCopies', { backupId: entry.id })).copies[0]!;
    const store = new ObjectStore(s3.config());
    try {
      await store.putBody('offsite', copy.key, crypto.randomBytes(50_000), { contentType: 'application/octet-stream' });
    } finally {
      store.destroy();
    }
    const database = uniqueDatabaseName('offsite_tampered');
    created.push(database);
    const err = await calls.fail('startRestore', { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(err.code).toBe('STORAGE_FAILED');
    expect(err.detail).toMatchObject({ reason: 'integrity', key: copy.key });
    expect(err.message).toContain('does not match');
    expect(auditOf(core, 'offsite.fetch').find((e) => e.summary.includes(entry.id))).toMatchObject({ outcome: 'error' });
    expect(await databaseExists(database)).toBe(false);
    expect(stagedFiles()).toEqual([]);
  }, 120_000);
});

describe('an encrypted offsite copy', () => {
  const key = generateKey();
  let entry: BackupEntry;

  beforeAll(async () => {
    entry = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'custom' });
    // Stored as an encrypting destination stores it: the encrypted bytes under <key>.enc, the copy row marked encrypted.
    const objectKey = `ops/shop/${path.basename(entry.path)}.enc`;
    const chunks: Buffer[] = [];
    for await (const chunk of fs.createReadStream(entry.path).pipe(encryptStream(key, newEncryptionParams(64 * 1024)))) chunks.push(chunk as Buffer);
    const store = new ObjectStore(s3.config());
    try {
      await store.putBody('offsite', objectKey, Buffer.concat(chunks), { contentType: 'application/octet-stream' });
    } finally {
      store.destroy();
    }
    const copies = new CopyRepo(core.deps.store.db);
    const id = crypto.randomUUID();
    copies.insertRunning({ id, backupId: entry.id, destinationId: dest.id, destination: dest.name, key: objectKey, encrypted: true, keyId: keyId(key) });
    copies.finishOk(id, Buffer.concat(chunks).length, entry.sha256!, new Date().toISOString());
    fs.rmSync(entry.path, { force: true });
  }, 120_000);

  it('no key at hand: PASSWORD_REQUIRED naming the variable, nothing restored', async () => {
    delete process.env[OFFSITE_ENV.encryption];
    const database = uniqueDatabaseName('offsite_no_key');
    const err = await calls.fail('startRestore', { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(err).toMatchObject({ code: 'PASSWORD_REQUIRED', detail: { secret: 'encryption' } });
    expect(err.message).toContain(OFFSITE_ENV.encryption);
    expect(await databaseExists(database)).toBe(false);
  }, 60_000);

  it('a wrong key: DECRYPT_FAILED before anything is restored', async () => {
    process.env[OFFSITE_ENV.encryption] = formatKey(generateKey());
    const database = uniqueDatabaseName('offsite_wrong_key');
    created.push(database);
    const err = await calls.fail('startRestore', { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(err.code).toBe('DECRYPT_FAILED');
    expect(err.detail).toMatchObject({ reason: 'wrong-key' });
    expect(await databaseExists(database)).toBe(false);
    expect(stagedFiles()).toEqual([]);
  }, 60_000);

  it('with its key: decrypted on the fly, restored and validated', async () => {
    process.env[OFFSITE_ENV.encryption] = formatKey(key);
    const database = uniqueDatabaseName('offsite_encrypted');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(record.validation?.ok).toBe(true);
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
    expect(stagedFiles()).toEqual([]);
  }, 120_000);
});

describe('a copy made by an encrypting destination', () => {
  it('restores with the key the destination keeps: decrypted, sha256 checked, validated', async () => {
    delete process.env[OFFSITE_ENV.encryption];
    const c = s3.config();
    const vault = await calls.ok<OffsiteDestination>('createOffsiteDestination', {
      name: 'vault-r',
      endpoint: c.endpoint,
      region: c.region,
      bucket: 'offsite',
      prefix: 'vault',
      accessKeyId: c.accessKeyId,
      secretAccessKey: 'offsite-restore-secret',
      encrypt: true,
    });
    const entry = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'custom' });
    const copied = await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: vault.name });
    expect(copied).toMatchObject({ encrypted: true });
    expect(copied.key.endsWith('.enc')).toBe(true);
    fs.rmSync(entry.path, { force: true });
    const database = uniqueDatabaseName('offsite_vault');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(record.validation?.ok).toBe(true);
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
    expect(stagedFiles()).toEqual([]);
  }, 120_000);
});
