// A backup written straight to an offsite destination (core/offsite/direct.ts), through
// core.dispatch, against the run's real PostgreSQL, real pg_dump and a real s3rver: the
// object and its copy manifest published, a catalog entry whose dump lives only offsite and
// an ok direct copy row; a restore by id stages it back and restores it. Faults: the server
// killed mid-upload (STORAGE_FAILED, nothing under the key, no ok row), pg_dump killed while
// dumping (BACKUP_FAILED, nothing published), and a directory format refused up front.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { BackupCopy, CopyResult, OffsiteDestination } from '../../src-main/contract/offsite';
import type { Core } from '../../src-main/core/app';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { auditOf, holdLock, pgDumpChildren, waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { dropTestDatabase, uniqueDatabaseName } from '../helpers/pg';
import { restoreAndWait, tableCounts } from '../helpers/restore';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let s3: LocalS3;
let shopDb: ShopDatabase;
let shop: Profile;
let admin: Profile;
let dest: OffsiteDestination;
const created: string[] = [];
const calls = callsOn(() => core);
type Direct = { backup: BackupEntry; copy: CopyResult };

async function objectKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.listObjects('offsite', prefix)) keys.push(o.key);
  return keys;
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-direct-'));
  // Random payloads (incompressible): the dump is several 8 MiB parts, so the upload is under way when the server dies.
  shopDb = await createShopDatabase(pg, 'offsitedirect', async (c) => {
    await c.query(`CREATE TABLE blobs AS SELECT g AS id, decode(string_agg(md5(random()::text), ''), 'hex') AS payload
                   FROM generate_series(1, 100000) g, generate_series(1, 16) k GROUP BY g`);
    await c.query('CREATE TABLE lock_probe (id int) PARTITION BY RANGE (id)');
  });
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, sslmode: 'disable', readOnly: false };
  shop = await calls.ok<Profile>('createProfile', {
    profile: { ...base, name: 'shop', database: shopDb.database, user: shopDb.role, env: 'development' },
    password: shopDb.password,
  });
  admin = await calls.ok<Profile>('createProfile', {
    profile: { ...base, name: 'admin', database: pg.database, user: pg.user, env: 'staging' },
    password: pg.password,
  });
  const c = s3.config();
  dest = await calls.ok<OffsiteDestination>('createOffsiteDestination', {
    name: 'offsite-d',
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: 'direct',
    accessKeyId: c.accessKeyId,
    secretAccessKey: 'offsite-direct-secret',
  });
}, 180_000);

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  await shopDb?.dispose();
  await s3?.destroy();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('a backup written straight offsite', () => {
  it('is published verified, catalogued as living only offsite, and restores through the staging path', async () => {
    const jobId = 'direct-ok';
    const phases = new Set<string>();
    let verifyEvents = 0;
    const off = core.events.subscribe((e) => {
      if (e.type !== 'offsite.progress' || e.jobId !== jobId) return;
      phases.add(e.phase);
      if (e.phase === 'verify') verifyEvents++;
    });
    const { backup, copy } = await calls.ok<Direct>('backupToOffsite', { profileId: shop.id, format: 'custom', destination: dest.name, jobId }).finally(off);
    expect(phases).toEqual(new Set(['upload', 'verify']));
    // The read-back knows the object's size, so its events are throttled (not one per chunk read).
    expect(verifyEvents).toBeLessThan(40);
    expect(backup).toMatchObject({ status: 'ok', format: 'custom', verifiedOk: true });
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.manifest?.tocEntries).toBeGreaterThan(0);
    // Never on local disk.
    expect(fs.existsSync(backup.path)).toBe(false);
    expect(copy).toMatchObject({ ok: true, backupId: backup.id, destination: 'offsite-d', sha256: backup.sha256, verified: true, encrypted: false });
    expect(copy.key).toMatch(/^direct\/shop\/.+\.dump$/);
    expect(copy.bytes).toBeGreaterThan(16 * 1024 * 1024);

    const store = new ObjectStore(s3.config());
    try {
      expect((await objectKeys(store, 'direct/')).sort()).toEqual([copy.key, `${copy.key}.manifest.json`]);
      const manifest = JSON.parse((await store.getText('offsite', `${copy.key}.manifest.json`))!) as { copy: { sha256: string }; backup: { id: string } };
      expect(manifest.copy.sha256).toBe(backup.sha256);
      expect(manifest.backup.id).toBe(backup.id);
    } finally {
      store.destroy();
    }
    const rows = (await calls.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: backup.id })).copies;
    expect(rows).toEqual([expect.objectContaining({ status: 'ok', direct: true, key: copy.key, sha256: backup.sha256 })]);
    const audited = auditOf(core, 'backup.offsite')[0]!;
    expect(audited).toMatchObject({ outcome: 'ok', profile: 'shop' });
    expect(audited.summary).toContain(copy.key);
    expect(JSON.stringify(auditOf(core, 'backup.offsite'))).not.toContain(shopDb.password);

    const database = uniqueDatabaseName('offsite_direct');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(record.validation?.ok).toBe(true);
    expect(await tableCounts(pg, database)).toEqual(await tableCounts(pg, shopDb.database));
  }, 240_000);

  it('to an encrypting destination: `.enc` object, ciphertext only, restores through the staging path with the saved key', async () => {
    const c = s3.config();
    const vault = await calls.ok<OffsiteDestination & { generatedKey?: string }>('createOffsiteDestination', {
      name: 'offsite-enc',
      endpoint: c.endpoint,
      region: c.region,
      bucket: 'offsite',
      prefix: 'enc',
      accessKeyId: c.accessKeyId,
      secretAccessKey: 'offsite-direct-secret',
      encrypt: true,
    });
    const { backup, copy } = await calls.ok<Direct>('backupToOffsite', { profileId: shop.id, format: 'plain', destination: vault.name });
    expect(copy).toMatchObject({ encrypted: true, keyId: vault.keyId, sha256: backup.sha256 });
    expect(copy.key).toMatch(/^enc\/shop\/.+\.sql\.enc$/);
    const store = new ObjectStore(s3.config());
    try {
      const { body } = await store.getStream('offsite', copy.key, { start: 0 });
      let head = Buffer.alloc(0);
      for await (const chunk of body as AsyncIterable<Buffer>) {
        head = Buffer.concat([head, chunk]);
        if (head.length > 64 * 1024) break;
      }
      // A plain dump starts with "-- PostgreSQL database dump": none of it is stored in the clear.
      expect(head.toString('latin1')).not.toContain('PostgreSQL database dump');
    } finally {
      store.destroy();
    }
    expect(JSON.stringify(auditOf(core, 'backup.offsite'))).not.toContain(vault.generatedKey!);
    const database = uniqueDatabaseName('offsite_direct_enc');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(done.ok, record.error ?? '').toBe(true);
    expect(await tableCounts(pg, database)).toEqual(await tableCounts(pg, shopDb.database));
  }, 240_000);

  it('refuses a directory format before anything runs', async () => {
    const err = await calls.fail('backupToOffsite', { profileId: shop.id, format: 'directory', destination: dest.name });
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('directory');
  });

  it('pg_dump killed while dumping: BACKUP_FAILED, nothing published, failed rows', async () => {
    const lock = await holdLock(pg, shopDb.database, 'lock_probe');
    const call = calls.fail('backupToOffsite', { profileId: shop.id, format: 'plain', destination: dest.name });
    try {
      const [pid] = await waitFor(
        'pg_dump to start',
        () => {
          const pids = pgDumpChildren();
          return pids.length > 0 ? pids : null;
        },
        30_000,
      );
      process.kill(pid!, 'SIGKILL');
    } finally {
      await lock.release();
    }
    const err = await call;
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.message).toContain('killed');
    const failed = (await calls.ok<{ backups: BackupEntry[] }>('listBackups', { profileId: shop.id })).backups.find((b) => b.format === 'plain')!;
    expect(failed.status).toBe('failed');
    const copies = (await calls.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: failed.id })).copies;
    expect(copies.map((c) => c.status)).toEqual(['failed']);
    const store = new ObjectStore(s3.config());
    try {
      expect(await objectKeys(store, copies[0]!.key)).toEqual([]);
    } finally {
      store.destroy();
    }
    expect(auditOf(core, 'backup.offsite').find((e) => e.outcome === 'error')).toBeDefined();
  }, 120_000);

  it('cancelled while pg_dump runs (cancelOffsiteCopy by jobId): CANCELLED, the backup row cancelled, nothing published', async () => {
    const lock = await holdLock(pg, shopDb.database, 'lock_probe');
    const jobId = 'direct-cancel';
    const call = calls.fail('backupToOffsite', { profileId: shop.id, format: 'custom', destination: dest.name, jobId });
    try {
      await waitFor('pg_dump to start', () => pgDumpChildren().length > 0, 30_000);
      expect(await calls.ok('cancelOffsiteCopy', { jobId })).toEqual({ cancelled: true });
    } finally {
      await lock.release();
    }
    const err = await call;
    expect(err.code).toBe('CANCELLED');
    const cancelled = (await calls.ok<{ backups: BackupEntry[] }>('listBackups', { profileId: shop.id })).backups[0]!;
    expect(cancelled.status).toBe('cancelled');
    const copies = (await calls.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: cancelled.id })).copies;
    expect(copies.map((c) => c.status)).toEqual(['cancelled']);
    const store = new ObjectStore(s3.config());
    try {
      expect(await objectKeys(store, copies[0]!.key)).toEqual([]);
    } finally {
      store.destroy();
    }
    await waitFor('pg_dump to be gone', () => pgDumpChildren().length === 0, 10_000);
  }, 120_000);

  it('the server killed mid-upload: STORAGE_FAILED, nothing under the key, no ok row', async () => {
    const jobId = 'direct-cut';
    let stopped: Promise<void> | null = null;
    const off = core.events.subscribe((e) => {
      // After the first part was acknowledged, the server dies (kill -9) with the rest to come.
      if (e.type === 'offsite.progress' && e.jobId === jobId && e.phase === 'upload' && e.bytesDone > 0) stopped ??= s3.stop();
    });
    const err = await calls.fail('backupToOffsite', { profileId: shop.id, format: 'custom', destination: dest.name, jobId }).finally(off);
    expect(stopped).not.toBeNull();
    await stopped;
    expect(err.code).toBe('STORAGE_FAILED');
    expect(err.message).toContain(dest.endpoint);
    await s3.start();
    const backups = (await calls.ok<{ backups: BackupEntry[] }>('listBackups', { profileId: shop.id })).backups;
    const cut = backups[0]!;
    expect(cut.status).toBe('failed');
    const copies = (await calls.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: cut.id })).copies;
    expect(copies.map((c) => c.status)).toEqual(['failed']);
    const store = new ObjectStore(s3.config());
    try {
      // Only the first backup's object and manifest: the cut upload left nothing.
      expect(await objectKeys(store, copies[0]!.key)).toEqual([]);
    } finally {
      store.destroy();
    }
  }, 120_000);
});
