// Issue #19 §3, names decided once at review: the backup file name and the restore's scratch
// database name the review shows are the ones the start writes and creates; a name the core
// would refuse is INVALID_INPUT with the reason, and one taken since the review is CONFLICT,
// never a silent rename. Real PostgreSQL and pg_dump/pg_restore through dispatch.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry, BackupPlan } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { followJob } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shop: Profile;
let shopDb: ShopDatabase;
const { ok, fail } = callsOn(() => core);

type Started = { backupId: string; jobId: string; plan: BackupPlan };

async function startAndWait(input: Record<string, unknown>): Promise<{ started: Started; entry: BackupEntry }> {
  const jobId = crypto.randomUUID();
  const job = followJob(core, jobId);
  const started = await ok<Started>('startBackup', { profileId: shop.id, outDir, jobId, ...input });
  await job.done;
  return { started, entry: await ok<BackupEntry>('getBackup', { id: started.backupId }) };
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-names-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-names-out-'));
  shopDb = await createShopDatabase(pg, 'names');
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
  shop = await ok<Profile>('createProfile', { profile: input, password: shopDb.password });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('backup file name', () => {
  it('is the one the review showed, even when the start comes seconds later', async () => {
    const plan = await ok<BackupPlan>('planBackup', { profileId: shop.id, outDir, format: 'custom' });
    expect(plan.fileName).toBe(path.basename(plan.path));
    expect(plan.fileName).toMatch(/^shop_full_\d{8}-\d{6}\.dump$/);
    // The old start took a new timestamp: a second later it wrote another name.
    await new Promise((r) => setTimeout(r, 1100));
    const { started, entry } = await startAndWait({ format: 'custom', fileName: plan.fileName });
    expect(started.plan.path).toBe(plan.path);
    expect(entry.status).toBe('ok');
    expect(entry.path).toBe(plan.path);
    expect(fs.existsSync(plan.path)).toBe(true);
  }, 60_000);

  it('taken since the review is a CONFLICT naming the file, and nothing is renamed', async () => {
    const plan = await ok<BackupPlan>('planBackup', { profileId: shop.id, outDir, format: 'plain', kind: 'schema' });
    fs.writeFileSync(plan.path, 'someone else');
    const before = fs.readdirSync(outDir).sort();
    const err = await fail('startBackup', { profileId: shop.id, outDir, format: 'plain', kind: 'schema', fileName: plan.fileName });
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain(plan.fileName);
    expect(err.message).toMatch(/never replaced nor renamed/);
    expect(fs.readdirSync(outDir).sort()).toEqual(before);
    expect(fs.readFileSync(plan.path, 'utf8')).toBe('someone else');
  });

  it('the core would refuse is INVALID_INPUT with the reason', async () => {
    const base = { profileId: shop.id, outDir, format: 'custom' };
    const traversal = await fail('startBackup', { ...base, fileName: '../escape.dump' });
    expect(traversal.code).toBe('INVALID_INPUT');
    expect(traversal.message).toMatch(/fileName.*plain file name/);
    const partial = await fail('startBackup', { ...base, fileName: 'x.dump.partial' });
    expect(partial.code).toBe('INVALID_INPUT');
    expect(partial.message).toMatch(/\.partial/);
    const wrongExt = await fail('startBackup', { ...base, fileName: 'shop.sql' });
    expect(wrongExt.code).toBe('INVALID_INPUT');
    expect(wrongExt.message).toMatch(/does not fit a custom backup \(a name ending in \.dump\)/);
    expect(fs.readdirSync(outDir).filter((f) => f.startsWith('escape') || f.startsWith('x.dump') || f === 'shop.sql')).toEqual([]);
  });
});
