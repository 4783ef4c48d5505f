// Per-profile alert thresholds and the maintenance calendar through core.dispatch, against
// the run's real PostgreSQL: set and read back, refuse bad values with the field named,
// audit what changed; the calendar shows a signed-off morning run as done; the evening
// rollback-rate step counts real rolled-back transactions.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { OpResult } from '../../src-main/contract/operations';
import type { ChecklistRunRecord, ChecklistRunResult, MaintenanceCalendar } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { DEFAULT_THRESHOLDS } from '../../src-main/core/runbook/thresholds';
import { callsOn, newTestCore } from '../helpers/core';
import { withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let shop: Profile;
let shopDb: ShopDatabase;
const { ok, fail } = callsOn(() => core);

type Thresholds = OpResult<'getThresholds'>;

function lastAudit(action: string): { outcome: string; profile: string | null; summary: string } {
  return core.deps.store.db.prepare('SELECT outcome, profile, summary FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as never;
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-thresholds-'));
  shopDb = await createShopDatabase(pg, 'thresholds');
  const input: Partial<ProfileInput> = {
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'staging',
    readOnly: false,
  };
  shop = await ok<Profile>('createProfile', { profile: { ...input, name: 'shop-prod' }, password: shopDb.password });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('per-profile thresholds', () => {
  it("start at the runbook's defaults, take new values and resets, and audit what moved", async () => {
    const initial = await ok<Thresholds>('getThresholds', { profileId: shop.id });
    expect(initial.thresholds.map((t) => t.key)).toEqual(Object.keys(DEFAULT_THRESHOLDS));
    expect(initial.thresholds.find((t) => t.key === 'connections')).toMatchObject({
      warn: 60,
      critical: 80,
      defaultWarn: 60,
      overridden: false,
      source: 'runbook',
      direction: 'above',
    });

    await ok<Thresholds>('setThresholds', { profileId: shop.id, values: [{ key: 'lowStock', warn: 8, critical: 12 }] });
    const set = await ok<Thresholds>('setThresholds', { profileId: shop.name, values: [{ key: 'connections', warn: 70, critical: 90 }], reset: ['lowStock'] });
    expect(set.profileId).toBe(shop.id);
    expect(lastAudit('thresholds.update')).toMatchObject({
      outcome: 'ok',
      profile: 'shop-prod',
      summary: 'thresholds on shop-prod: connections warn 60→70, critical 80→90; lowStock reset to default',
    });

    const read = await ok<Thresholds>('getThresholds', { profileId: shop.id });
    expect(read).toEqual(set);
    expect(read.thresholds.find((t) => t.key === 'connections')).toMatchObject({
      warn: 70,
      critical: 90,
      defaultWarn: 60,
      defaultCritical: 80,
      overridden: true,
    });
    expect(read.thresholds.find((t) => t.key === 'lowStock')).toMatchObject({ warn: 5, critical: 10, overridden: false });
  });

  it('refuses unknown keys, misordered levels and unknown profiles, changing nothing', async () => {
    const before = await ok<Thresholds>('getThresholds', { profileId: shop.id });

    const unknown = await fail('setThresholds', { profileId: shop.id, values: [{ key: 'cpu', warn: 1, critical: 2 }] });
    expect(unknown.code).toBe('INVALID_INPUT');
    expect(unknown.message).toContain('There is no threshold "cpu". Thresholds: dbSize, connections, queryTime, lowStock, failedQueries');
    expect(lastAudit('thresholds.update')).toMatchObject({ outcome: 'error', profile: 'shop-prod' });

    const misordered = await fail('setThresholds', {
      profileId: shop.id,
      values: [
        { key: 'queryTime', warn: 1, critical: 2 },
        { key: 'failedQueries', warn: 20, critical: 5 },
      ],
    });
    expect(misordered).toMatchObject({ code: 'INVALID_INPUT', detail: { fields: [{ field: 'values.1.critical' }] } });
    expect(misordered.message).toContain('critical level must be at or above the warning level');

    const negative = await fail('setThresholds', { profileId: shop.id, values: [{ key: 'connections', warn: -1, critical: 5 }] });
    expect(negative.code).toBe('INVALID_INPUT');
    expect((await fail('setThresholds', { profileId: shop.id, reset: ['nope'] })).message).toContain('no threshold "nope" to reset');
    expect((await fail('setThresholds', { profileId: 'gone', values: [] })).code).toBe('NOT_FOUND');
    expect((await fail('getThresholds', { profileId: 'gone' })).code).toBe('NOT_FOUND');

    expect(await ok<Thresholds>('getThresholds', { profileId: shop.id })).toEqual(before);
  });
});

describe('the maintenance calendar', () => {
  it('lists the cadenced procedures and shows a signed-off morning run as done', async () => {
    const empty = await ok<MaintenanceCalendar>('getMaintenanceCalendar', { profileId: shop.id });
    expect(empty.items.map((i) => i.procedureId).sort()).toEqual([
      'backup.validation',
      'daily.evening',
      'daily.morning',
      'maintenance.monthly',
      'maintenance.quarterly',
      'maintenance.weekly',
      'recovery.drill',
    ]);
    for (const item of empty.items) expect(item.lastDoneAt, item.procedureId).toBeNull();
    expect(empty.items.find((i) => i.procedureId === 'maintenance.weekly')).toMatchObject({ state: 'due', dueAt: empty.now });
    expect(empty.items.find((i) => i.checklist === 'morning')!.state).not.toBe('done');

    const morning = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: shop.id });
    const signed = await ok<ChecklistRunRecord>('signOffChecklistRun', {
      profileId: shop.id,
      result: morning,
      decisions: morning.steps.map((s) => ({ stepId: s.id, decision: 'done' })),
    });
    const calendar = await ok<MaintenanceCalendar>('getMaintenanceCalendar', { profileId: shop.id });
    expect(calendar.items.find((i) => i.checklist === 'morning')).toMatchObject({
      state: 'done',
      dueTime: '09:00',
      lastDoneAt: signed.signedAt,
      lastRunId: signed.id,
      lastStatus: signed.status,
    });
    expect(calendar.items.find((i) => i.checklist === 'evening')).toMatchObject({ lastDoneAt: null, dueTime: '18:00' });
    expect((await fail('getMaintenanceCalendar', { profileId: 'gone' })).code).toBe('NOT_FOUND');
  }, 60_000);
});

describe('the evening rollback-rate step', () => {
  it("counts this database's rolled-back transactions per hour", async () => {
    const rollbacks = 30;
    await withClient(
      pg,
      async (c) => {
        for (let i = 0; i < rollbacks; i++) {
          await c.query('BEGIN');
          await c.query('SELECT 1');
          await c.query('ROLLBACK');
        }
      },
      shopDb.database,
    );
    // The server publishes a backend's counters at most about once a second (and when it exits).
    await withClient(
      pg,
      async (c) => {
        for (let i = 0; i < 50; i++) {
          const { rows } = await c.query<{ n: string }>('SELECT xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
          if (Number(rows[0]!.n) >= rollbacks) return;
          await new Promise((r) => setTimeout(r, 200));
          await c.query('SELECT pg_stat_clear_snapshot()');
        }
        throw new Error('the rollbacks never showed in pg_stat_database');
      },
      shopDb.database,
    );
    const evening = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'evening', profileId: shop.id });
    const step = evening.steps.find((s) => s.id === 'evening.rollback-rate')!;
    expect(step.status, step.summary).not.toBe('unknown');
    const col = (name: string) => step.rows[0]![step.columns.indexOf(name)];
    const rolledBack = Number(col('rolled_back'));
    const hours = Math.max((Date.now() - Date.parse(String(col('counting_since')))) / 3_600_000, 1);
    expect(rolledBack).toBeGreaterThanOrEqual(rollbacks);
    expect(step.value).toBeCloseTo(rolledBack / hours, 0);
    expect(step.value).toBeGreaterThan(0);
    expect(step.summary).toMatch(/rolled-back transactions per hour \(average\) \(warning above 5, critical above 20\)/);
    expect([step.warn, step.critical]).toEqual([5, 20]);
  }, 60_000);
});
