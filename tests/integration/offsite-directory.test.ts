// Directory-format dumps offsite, against the run's real PostgreSQL, real pg_dump/pg_restore
// and a real s3rver: every file of the dump is its own object under `<dir>/`, each read back
// and checked, the copy manifest (with each file's sha256) written last; a second copy is
// "already there"; a re-run after a failure sends only the files still missing. With the
// local folder gone, a restore stages every file, checks each sha256 and restores; a copy
// whose file was overwritten is refused before anything is restored. An encrypting
// destination stores `<file>.enc` objects and restores through its key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { CopyResult, CreatedDestination, OffsiteDestination } from '../../src-main/contract/offsite';
import type { Core } from '../../src-main/core/app';
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

async function listKeys(prefix: string): Promise<string[]> {
  const store = new ObjectStore(s3.config());
  try {
    const keys: string[] = [];
    for await (const o of store.listObjects('offsite', prefix)) keys.push(o.key);
    return keys.sort();
  } finally {
    store.destroy();
  }
}

async function directoryBackup(): Promise<BackupEntry> {
  const entry = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'directory' });
  expect(entry.format).toBe('directory');
  expect(entry.manifest?.files?.length).toBeGreaterThan(1);
  return entry;
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-dir-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-offsite-dir-out-'));
  shopDb = await createShopDatabase(pg, 'offsitedir');
  const base = { host: pg.host, port: pg.port, sslmode: 'disable', readOnly: false } as const;
  shop = await calls.ok<Profile>('createProfile', {
    profile: { ...base, name: 'shop', database: shopDb.database, user: shopDb.role, env: 'development' } satisfies Partial<ProfileInput>,
    password: shopDb.password,
  });
  admin = await calls.ok<Profile>('createProfile', {
    profile: { ...base, name: 'admin', database: pg.database, user: pg.user, env: 'staging' } satisfies Partial<ProfileInput>,
    password: pg.password,
  });
  sourceCounts = await tableCounts(pg, shopDb.database);
  const c = s3.config();
  dest = await calls.ok<OffsiteDestination>('createOffsiteDestination', {
    name: 'offsite-dir',
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: 'ops',
    accessKeyId: c.accessKeyId,
    secretAccessKey: 'offsite-dir-secret',
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  await shopDb?.dispose();
  await s3?.destroy();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('a directory-format dump offsite', () => {
  it('copies every file as its own object, manifest last; again: already there; after a lost file only that one is sent', async () => {
    const entry = await directoryBackup();
    const dir = path.basename(entry.path);
    const copy = await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: dest.name });
    expect(copy).toMatchObject({ ok: true, verified: true, key: `ops/shop/${dir}/`, sha256: entry.sha256, encrypted: false });
    const names = entry.manifest!.files!.map((f) => f.name).sort();
    expect(await listKeys(`ops/shop/${dir}`)).toEqual([...names.map((n) => `ops/shop/${dir}/${n}`), `ops/shop/${dir}.manifest.json`].sort());
    expect(copy.bytes).toBe(entry.bytes);

    const again = await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: dest.name });
    expect(again).toMatchObject({ alreadyThere: true, id: copy.id });

    // A run that died before the manifest: one file and the manifest gone. The re-run sends that file only.
    const store = new ObjectStore(s3.config());
    try {
      await store.remove('offsite', `ops/shop/${dir}.manifest.json`);
      await store.remove('offsite', `ops/shop/${dir}/toc.dat`);
    } finally {
      store.destroy();
    }
    const events: Array<{ phase: string; bytesTotal: number }> = [];
    const off = core.events.subscribe((e) => {
      if (e.type === 'offsite.progress' && e.jobId === 'dir-resume') events.push(e);
    });
    await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: dest.name, jobId: 'dir-resume' });
    off();
    const tocBytes = entry.manifest!.files!.find((f) => f.name === 'toc.dat')!.bytes;
    expect(events.at(-1)).toMatchObject({ phase: 'verify', bytesTotal: tocBytes });
    expect(await listKeys(`ops/shop/${dir}`)).toContain(`ops/shop/${dir}.manifest.json`);
    expect(
      auditOf(core, 'offsite.copy')
        .filter((e) => e.summary.includes(entry.id))
        .every((e) => e.outcome === 'ok'),
    ).toBe(true);
  }, 120_000);

  it('restores from the copy once the local folder is gone: every file staged and checked; a tampered file is refused first', async () => {
    const entry = await directoryBackup();
    await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: dest.name });
    fs.rmSync(entry.path, { recursive: true, force: true });

    const database = uniqueDatabaseName('offsite_dir_restored');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(record.validation?.ok).toBe(true);
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
    expect(stagedFiles()).toEqual([]);

    // One data file overwritten with other bytes of the same length.
    const dataFile = entry.manifest!.files!.find((f) => f.name !== 'toc.dat')!;
    const key = `ops/shop/${path.basename(entry.path)}/${dataFile.name}`;
    const store = new ObjectStore(s3.config());
    try {
      await store.putBody('offsite', key, Buffer.alloc(dataFile.bytes, 7), { contentType: 'application/octet-stream' });
    } finally {
      store.destroy();
    }
    const tampered = uniqueDatabaseName('offsite_dir_tampered');
    created.push(tampered);
    const err = await calls.fail('startRestore', { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database: tampered } });
    expect(err.code).toBe('STORAGE_FAILED');
    expect(err.detail).toMatchObject({ reason: 'integrity', key });
    expect(await databaseExists(tampered)).toBe(false);
    expect(stagedFiles()).toEqual([]);
  }, 180_000);

  it('an encrypting destination stores <file>.enc objects and restores with its key', async () => {
    const c = s3.config();
    const enc = await calls.ok<CreatedDestination>('createOffsiteDestination', {
      name: 'offsite-dir-enc',
      endpoint: c.endpoint,
      region: c.region,
      bucket: 'offsite',
      prefix: 'enc',
      accessKeyId: c.accessKeyId,
      secretAccessKey: 'offsite-dir-secret',
      encrypt: true,
    });
    const entry = await directoryBackup();
    const copy = await calls.ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: enc.name });
    expect(copy).toMatchObject({ encrypted: true, keyId: enc.keyId });
    const keys = await listKeys(`enc/shop/${path.basename(entry.path)}/`);
    expect(keys.length).toBe(entry.manifest!.files!.length);
    expect(keys.every((k) => k.endsWith('.enc'))).toBe(true);
    fs.rmSync(entry.path, { recursive: true, force: true });
    const database = uniqueDatabaseName('offsite_dir_enc');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
  }, 180_000);
});
