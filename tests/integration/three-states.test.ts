// Issue #19 §3, three states and failures shown where the action was taken: a backup
// through a read-only profile does not write the toolkit's pre-operation marker and says
// so at review, in the manifest and in its verification (WARNING, not PASS); its restore's
// validate_recovery() finds no baseline and reads WARNING too, while `ok` stays true
// (a warning does not fail a restore). And issue #19 §4: the toolkit's check_system_health()
// and the Performance overview grade the cache hit ratio with the same thresholds. Real
// PostgreSQL, pg_dump and pg_restore.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry, BackupPlan, BackupVerifyResult } from '../../src-main/contract/backup';
import { CACHE_HIT_THRESHOLDS, type Overview } from '../../src-main/contract/monitoring';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { ToolkitStatus } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { backupAndWait, restoreAndWait } from '../helpers/restore';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let writer: Profile;
let reader: Profile;
let admin: Profile;
const calls = callsOn(() => core);
const { ok } = calls;
const restoredDb = uniqueDatabaseName('threestates_copy');

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-three-states-'));
  shopDb = await createShopDatabase(pg, 'threestates');
  const base: Partial<ProfileInput> = {
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
  };
  writer = await ok<Profile>('createProfile', { profile: { ...base, name: 'shop-rw', readOnly: false }, password: shopDb.password });
  reader = await ok<Profile>('createProfile', { profile: { ...base, name: 'shop-ro', readOnly: true }, password: shopDb.password });
  admin = await ok<Profile>('createProfile', {
    profile: { ...base, name: 'admin', user: pg.user, database: pg.database, readOnly: false },
    password: pg.password,
  });
  await ok<ToolkitStatus>('installToolkit', { profileId: writer.id });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, restoredDb).catch(() => undefined);
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('a backup through a read-only profile with the toolkit installed', () => {
  let entry: BackupEntry;
  beforeAll(async () => {
    entry = await backupAndWait(core, calls, { profileId: reader.id, format: 'custom' });
  }, 60_000);

  it('says at review that the pre-operation marker will not be recorded, and why', async () => {
    const plan = await ok<BackupPlan>('planBackup', { profileId: reader.id, format: 'custom' });
    expect(plan.warnings.join('\n')).toMatch(/pre-operation marker not recorded: shop-ro is a read-only profile/);
    const rw = await ok<BackupPlan>('planBackup', { profileId: writer.id, format: 'custom' });
    expect(rw.warnings.join('\n')).not.toMatch(/marker/);
  });

  it('keeps the warning with the backup, and its verification reads WARNING beside the passes (ok stays true)', async () => {
    expect(entry.status).toBe('ok');
    expect(entry.manifest?.preOperationMarker).toBeNull();
    expect(entry.manifest?.warnings?.join('\n')).toMatch(/shop-ro is a read-only profile/);
    const verified = await ok<BackupVerifyResult>('verifyBackup', { id: entry.id });
    expect(verified).toMatchObject({ ok: true, status: 'warning' });
    expect(verified.checks.find((c) => c.name === 'warnings at backup time')).toMatchObject({ ok: true, status: 'warning' });
    expect(verified.checks.filter((c) => c.name !== 'warnings at backup time').every((c) => c.status === 'pass' && c.ok)).toBe(true);
  });

  it('restores with validate_recovery() judged WARNING (no baseline), never PASS; the restore itself is ok', async () => {
    const run = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database: restoredDb } });
    expect(run.done.ok, run.record.error ?? run.done.message).toBe(true);
    const report = run.record.validation!;
    const recovery = report.checks.find((c) => c.name === 'validate_recovery()');
    expect(recovery).toMatchObject({ ok: true, status: 'warning' });
    expect(recovery!.detail).toMatch(/^warnings: .*baseline: warning/);
    expect(report).toMatchObject({ ok: true, status: 'warning' });
    // Every check has its three-state verdict and `ok` is exactly "not failed".
    expect(report.checks.every((c) => ['pass', 'warning', 'fail'].includes(c.status) && c.ok === (c.status !== 'fail'))).toBe(true);
  }, 120_000);
});

describe('cache hit thresholds', () => {
  it('are one source: the server-side check_system_health() and the overview judge with the same numbers', async () => {
    const [row] = await withClient(
      pg,
      async (c) =>
        (
          await c.query<{ warn: string; critical: string }>(
            `SELECT warning_threshold::text AS warn, critical_threshold::text AS critical FROM ops_toolkit.check_system_health() WHERE check_name = 'cache_hit_ratio'`,
          )
        ).rows,
      shopDb.database,
    );
    const overview = await ok<Overview>('getOverview', { profileId: writer.id });
    const cacheHit = overview.checks.find((c) => c.name === 'cacheHit')!;
    expect([Number(row!.warn), Number(row!.critical)]).toEqual([cacheHit.warn, cacheHit.critical]);
    expect([cacheHit.warn, cacheHit.critical]).toEqual([CACHE_HIT_THRESHOLDS.warn, CACHE_HIT_THRESHOLDS.critical]);
  });
});
