// The restore's safety rules against the run's real PostgreSQL: a plain script failing
// midway leaves the target as it was; a cut archive is refused before anything runs;
// production needs the typed name and gets a backup first; read-only profiles refuse;
// conflicts in a non-empty target stop the restore unless clean is chosen; cancel kills
// pg_restore and drops the half-made database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { RestorePlan, RestoreRecord } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { backupAndWait, followRestore, restoreAndWait, restoreChildren, tableCounts } from '../helpers/restore';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shop: Profile;
let shopDb: ShopDatabase;
let custom: BackupEntry;
let plain: BackupEntry;
const databases: string[] = [];
const calls = callsOn(() => core);

/** A fresh empty database and a superuser profile on it. */
async function targetProfile(name: string, extra: Partial<ProfileInput> = {}): Promise<{ profile: Profile; database: string }> {
  const database = await createTestDatabase(pg, uniqueDatabaseName(name));
  databases.push(database);
  const input: Partial<ProfileInput> = {
    name,
    host: pg.host,
    port: pg.port,
    database,
    user: pg.user,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
    ...extra,
  };
  return { profile: await calls.ok<Profile>('createProfile', { profile: input, password: pg.password }), database };
}

async function userTables(database: string): Promise<string[]> {
  return withClient(
    pg,
    async (c) =>
      (
        await c.query<{ t: string }>(
          `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
        )
      ).rows.map((r) => r.t),
    database,
  );
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-restore-safety-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-restore-safety-'));
  shopDb = await createShopDatabase(pg, 'restoresafe', async (c) => {
    // Enough rows that pg_restore runs for a moment (cancel test).
    await c.query(`CREATE TABLE bulk_events AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, 400000) g`);
  });
  const input: Partial<ProfileInput> = {
    name: 'shop',
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await calls.ok<Profile>('createProfile', { profile: input, password: shopDb.password });
  custom = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'custom' });
  plain = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'plain' });
}, 120_000);

afterAll(async () => {
  await core?.close();
  for (const db of databases) await dropTestDatabase(pg, db).catch(() => undefined);
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('a plain script failing midway', () => {
  it('leaves the target exactly as it was (one transaction) and records the error', async () => {
    const text = fs.readFileSync(plain.path, 'utf8');
    // Right after the first table's data: tables exist and rows are in when it fails.
    const at = text.indexOf('\n\\.\n') + 4;
    expect(at).toBeGreaterThan(4);
    const broken = path.join(outDir, 'broken.sql');
    fs.writeFileSync(broken, `${text.slice(0, at)}\nDO $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;\n${text.slice(at)}`);
    const { profile, database } = await targetProfile('plain-target');
    expect(await userTables(database)).toEqual([]);
    const { record, done } = await restoreAndWait(core, calls, { source: broken, target: { kind: 'profile', profileId: profile.id } });
    expect(done.ok).toBe(false);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/psql failed.*injected failure/s);
    expect(await userTables(database)).toEqual([]);
  }, 30_000);
});

describe('a truncated custom archive', () => {
  it('is refused by inspect and plan before anything runs, with or without its manifest', async () => {
    const cut = path.join(outDir, 'cut.dump');
    fs.copyFileSync(custom.path, cut);
    fs.truncateSync(cut, Math.floor(fs.statSync(cut).size / 2));
    const bare = await calls.fail('inspectBackup', { source: cut });
    expect(bare.code).toBe('BACKUP_FAILED');
    expect(bare.message).toMatch(/damaged or incomplete/);

    fs.copyFileSync(`${custom.path}.manifest.json`, `${cut}.manifest.json`);
    const withManifest = await calls.fail('inspectBackup', { source: cut });
    expect(withManifest.code).toBe('BACKUP_FAILED');
    expect(withManifest.message).toMatch(/manifest recorded \d+/);

    const { profile } = await targetProfile('cut-target');
    const before = (await calls.ok<{ restores: RestoreRecord[] }>('listRestores', {})).restores.length;
    expect((await calls.fail('planRestore', { source: cut, target: { kind: 'profile', profileId: profile.id } })).code).toBe('BACKUP_FAILED');
    expect((await calls.fail('startRestore', { source: cut, target: { kind: 'profile', profileId: profile.id } })).code).toBe('BACKUP_FAILED');
    expect((await calls.ok<{ restores: RestoreRecord[] }>('listRestores', {})).restores.length).toBe(before);
  }, 30_000);
});

describe('profiles that must be protected', () => {
  it('refuses a read-only profile', async () => {
    const { profile } = await targetProfile('ro-target', { readOnly: true });
    const err = await calls.fail('planRestore', { source: custom.id, target: { kind: 'profile', profileId: profile.id } });
    expect(err.code).toBe('READ_ONLY');
  });

  it('refuses production without the typed name, and with it takes a backup of the target first', async () => {
    const { profile, database } = await targetProfile('prod-target', { env: 'production', readOnly: false });
    // What production held before: the pre-restore backup must keep it.
    await withClient(pg, (c) => c.query('CREATE TABLE keep_me AS SELECT g AS id FROM generate_series(1, 12) g'), database);
    const plan = await calls.ok<RestorePlan>('planRestore', { source: custom.id, target: { kind: 'profile', profileId: profile.id } });
    expect(plan.confirmationRequired).toBe(true);
    expect(plan.preRestoreBackup).toBe(true);
    const refused = await calls.fail('startRestore', { source: custom.id, target: { kind: 'profile', profileId: profile.id }, confirmName: 'prod' });
    expect(refused.code).toBe('CONFIRMATION_REQUIRED');
    expect(await userTables(database)).toEqual(['public.keep_me']);

    const { record } = await restoreAndWait(core, calls, { source: custom.id, target: { kind: 'profile', profileId: profile.id }, confirmName: 'prod-target' });
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    expect(record.preRestoreBackupId).not.toBeNull();
    const pre = await calls.ok<BackupEntry>('getBackup', { id: record.preRestoreBackupId });
    expect(pre.status).toBe('ok');
    expect(pre.profileName).toBe('prod-target');
    // Taken before the restore: the backup holds what production held then, and only that.
    expect(pre.manifest?.tables.map((t) => [t.name, t.rows])).toEqual([['keep_me', 12]]);
    expect(await userTables(database)).toContain('public.orders');
    expect(Date.parse(pre.finishedAt!)).toBeLessThanOrEqual(Date.parse(record.finishedAt!));
  }, 60_000);
});

describe('a non-empty target', () => {
  it('lists the conflicting objects and refuses without clean, then restores with clean', async () => {
    const { profile, database } = await targetProfile('busy-target');
    const first = await restoreAndWait(core, calls, { source: custom.id, target: { kind: 'profile', profileId: profile.id } });
    expect(first.record.status).toBe('ok');
    await withClient(pg, (c) => c.query('DELETE FROM public.bulk_events WHERE id <= 10'), database);

    const plan = await calls.ok<RestorePlan>('planRestore', { source: custom.id, target: { kind: 'profile', profileId: profile.id } });
    expect(plan.target.empty).toBe(false);
    expect(plan.conflicts).toEqual(
      expect.arrayContaining([
        { type: 'TABLE', schema: 'public', name: 'orders' },
        { type: 'TABLE', schema: 'public', name: 'bulk_events' },
      ]),
    );
    expect(plan.blocked).toMatch(/clean/);
    const refused = await calls.fail('startRestore', { source: custom.id, target: { kind: 'profile', profileId: profile.id } });
    expect(refused.code).toBe('CONFLICT');

    const again = await restoreAndWait(core, calls, { source: custom.id, target: { kind: 'profile', profileId: profile.id }, clean: true });
    expect(again.record.error).toBeNull();
    expect(again.record.validation?.ok).toBe(true);
    expect(again.record.command).toContain('--clean --if-exists');
    expect(await tableCounts(pg, database)).toEqual(await tableCounts(pg, shopDb.database));
  }, 60_000);
});

describe('cancel', () => {
  it('kills pg_restore, drops the new database and records the restore as cancelled', async () => {
    const database = uniqueDatabaseName('cancelled');
    databases.push(database);
    const { profile } = await targetProfile('cancel-admin');
    const jobId = 'cancel-job-1';
    const job = followRestore(core, jobId);
    const started = await calls.ok<{ restoreId: string }>('startRestore', {
      source: custom.id,
      target: { kind: 'new-database', profileId: profile.id, database },
      jobId,
    });
    const pids = await waitFor('pg_restore to run', () => {
      const found = restoreChildren();
      return found.length > 0 ? found : null;
    });
    expect(await calls.ok<{ cancelled: boolean }>('cancelRestore', { id: started.restoreId })).toEqual({ cancelled: true });
    const done = await job.done;
    expect(done.ok).toBe(false);
    const record = await calls.ok<RestoreRecord>('getRestore', { id: started.restoreId });
    expect(record.status).toBe('cancelled');
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
    const exists = await withClient(pg, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
    expect(exists).toBe(0);
    expect((await calls.ok<{ cancelled: boolean }>('cancelRestore', { id: started.restoreId })).cancelled).toBe(false);
  }, 30_000);
});
