// Issue #19 §3, names decided once at review: the backup file name and the restore's scratch
// database name the review shows are the ones the start writes and creates; a name the core
// would refuse is INVALID_INPUT with the reason, and one taken since the review is CONFLICT,
// never a silent rename; a restore's progress counts the real TOC items. Real PostgreSQL and
// pg_dump/pg_restore through dispatch.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry, BackupPlan } from '../../src-main/contract/backup';
import type { Profile, ProfileInput, SandboxStatus } from '../../src-main/contract/models';
import type { RestorePlan } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { followJob } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { restoreAndWait } from '../helpers/restore';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shop: Profile;
let shopDb: ShopDatabase;
const calls = callsOn(() => core);
const { ok, fail } = calls;

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
  // 30 more tables (table, data, key, index, sequence, default…): a restore of well over 100 items.
  shopDb = await createShopDatabase(pg, 'names', async (c) => {
    for (let i = 1; i <= 30; i++) {
      await c.query(`CREATE TABLE extra_${i} (id serial PRIMARY KEY, label text NOT NULL)`);
      await c.query(`CREATE INDEX extra_${i}_label ON extra_${i} (label)`);
      await c.query(`INSERT INTO extra_${i} (label) SELECT 'row ' || g FROM generate_series(1, 20) g`);
    }
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
  shop = await ok<Profile>('createProfile', { profile: input, password: shopDb.password });
}, 120_000);

afterAll(async () => {
  await calls.call('stopSandbox', {});
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

describe('restore into the local scratch PostgreSQL', () => {
  let backupId: string;
  let plan: RestorePlan;
  let run: Awaited<ReturnType<typeof restoreAndWait>>;
  beforeAll(async () => {
    backupId = (await startAndWait({ format: 'custom' })).entry.id;
    plan = await ok<RestorePlan>('planRestore', { source: backupId, target: { kind: 'scratch' } });
    // The old start named the database again from the clock.
    await new Promise((r) => setTimeout(r, 1100));
    run = await restoreAndWait(core, calls, { source: backupId, target: { kind: 'scratch', database: plan.target.database } });
  }, 240_000);

  it('creates the database the review named', async () => {
    expect(plan.target.database).toMatch(/^restore_\d{8}_\d{6}$/);
    expect(run.done.ok, run.record.error ?? run.done.message).toBe(true);
    expect(run.record.database).toBe(plan.target.database);
    const status = await ok<SandboxStatus>('getSandboxStatus', {});
    expect((await ok<Profile[]>('listProfiles', {})).some((p) => p.port === status.port && p.database === plan.target.database)).toBe(true);
  });

  it('counts the real TOC items: progress ends at N of N, N what pg_restore itself works through', () => {
    // The oracle: pg_restore's own verbose item lines for the same archive, options and
    // list (-L: the extensions the scratch role may not create are left out).
    const at = plan.args.indexOf('-L');
    expect(at === -1 || fs.existsSync(plan.args[at + 1]!)).toBe(true);
    const list = at === -1 ? [] : ['-L', plan.args[at + 1]!];
    const oracle = spawnSync(
      path.join(pg.binDir, 'pg_restore'),
      ['--verbose', '--no-owner', '--no-privileges', ...list, '-f', '/dev/null', run.record.sourcePath],
      {
        encoding: 'utf8',
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    const items = oracle.stderr.split('\n').filter((l) => /^pg_restore: (creating|processing data for table|executing|processing item \d+) /.test(l)).length;
    expect(items).toBeGreaterThan(100);
    const restoring = run.events.filter((e) => e.phase === 'restoring');
    expect(restoring.length).toBeGreaterThan(0);
    expect(restoring.map((e) => [e.unit, e.total])).toEqual(restoring.map(() => ['items', items]));
    const last = run.events[run.events.length - 1]!;
    expect(last).toMatchObject({ phase: 'done', done: items, total: items, unit: 'items' });
    // Validation keeps the restore's counts in view, never "0 of 0".
    expect(run.events.filter((e) => e.phase === 'validating').every((e) => e.total === items)).toBe(true);
  });

  it('refuses the same name again: CONFLICT naming the database, nothing renamed', async () => {
    const err = await fail('startRestore', { source: backupId, target: { kind: 'scratch', database: plan.target.database } });
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain(`A database named ${plan.target.database} already exists`);
    expect(err.detail).toMatchObject({ database: plan.target.database });
  });

  it('refuses a name PostgreSQL would refuse or change: INVALID_INPUT with the reason', async () => {
    for (const [name, why] of [
      ['postgres', /system database/],
      [' padded', /space/],
      ['x'.repeat(64), /63 bytes/],
    ] as const) {
      const err = await fail('planRestore', { source: backupId, target: { kind: 'scratch', database: name } });
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(why);
    }
  });
});
