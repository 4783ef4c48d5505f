// The maintenance calendar's rules with a fixed clock (local time, as the operator reads
// it): daily items before, in and after their window, done since midnight; weekly,
// monthly and quarterly ones counted from their last sign-off with a grace period; never
// done; month ends. Also the built-in cadences, the rollback-rate step and the validation
// of per-profile thresholds, on a real migrated store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { BUILTIN_RUNBOOK, findChecklist } from '../../src-main/core/runbook/builtin';
import { addMonths, calendarItems, dueReminders, type LastRun } from '../../src-main/core/runbook/calendar';
import type { Procedure } from '../../src-main/core/runbook/model';
import { applyThresholds, describeChanges, profileThresholds, thresholdSettings } from '../../src-main/core/runbook/thresholds-store';
import { profileInputSchema } from '../../src-main/contract/models';
import { ProfileRepo } from '../../src-main/core/platform/profile-store/profile-repo';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

const MORNING: Procedure = {
  id: 'daily.morning',
  checklist: 'morning',
  title: 'Morning',
  section: 'S',
  description: '',
  cadence: 'daily',
  dueTime: '09:00',
  steps: [],
};
const WEEKLY: Procedure = { id: 'maintenance.weekly', title: 'Weekly', section: 'S', description: '', cadence: 'weekly', steps: [] };
const MONTHLY: Procedure = { id: 'maintenance.monthly', title: 'Monthly', section: 'S', description: '', cadence: 'monthly', steps: [] };
const QUARTERLY: Procedure = { id: 'maintenance.quarterly', title: 'Quarterly', section: 'S', description: '', cadence: 'quarterly', steps: [] };
const ON_DEMAND: Procedure = { id: 'emergency.x', title: 'On demand', section: 'S', description: '', steps: [] };

/** Local time, like the operator's clock. */
function at(y: number, month: number, d: number, h = 0, min = 0): Date {
  return new Date(y, month - 1, d, h, min);
}

function fields(input: Record<string, unknown>) {
  return profileInputSchema.parse({ host: 'localhost', database: 'shop', user: 'ops', ...input });
}

function run(checklistId: string, signedAt: Date, id = `run-${checklistId}`): LastRun {
  return { checklistId, id, status: 'ok', signedAt: signedAt.toISOString() };
}

function one(procedure: Procedure, runs: LastRun[], now: Date) {
  const items = calendarItems([procedure], runs, now);
  expect(items).toHaveLength(1);
  return items[0]!;
}

describe('daily items', () => {
  it('are upcoming before their time, due for two hours from it, overdue after', () => {
    const today9 = at(2025, 3, 12, 9).toISOString();
    expect(one(MORNING, [], at(2025, 3, 12, 8, 59))).toMatchObject({ state: 'upcoming', dueAt: today9, dueTime: '09:00', lastDoneAt: null });
    expect(one(MORNING, [], at(2025, 3, 12, 9, 0))).toMatchObject({ state: 'due', dueAt: today9 });
    expect(one(MORNING, [], at(2025, 3, 12, 10, 59))).toMatchObject({ state: 'due', dueAt: today9 });
    expect(one(MORNING, [], at(2025, 3, 12, 11, 0))).toMatchObject({ state: 'overdue', dueAt: today9 });
  });

  it('are done once signed off since local midnight, whatever the hour', () => {
    const yesterday = run('morning', at(2025, 3, 11, 9, 30));
    expect(one(MORNING, [yesterday], at(2025, 3, 12, 12))).toMatchObject({
      state: 'overdue',
      lastDoneAt: yesterday.signedAt,
      lastRunId: 'run-morning',
      lastStatus: 'ok',
    });
    const early = run('morning', at(2025, 3, 12, 0, 5), 'early');
    expect(one(MORNING, [yesterday, early], at(2025, 3, 12, 8))).toMatchObject({ state: 'done', lastRunId: 'early' });
    expect(one(MORNING, [early, yesterday], at(2025, 3, 12, 23, 59))).toMatchObject({ state: 'done', lastRunId: 'early' });
    // The next day it starts again.
    expect(one(MORNING, [early], at(2025, 3, 13, 8))).toMatchObject({ state: 'upcoming', lastRunId: 'early' });
  });

  it('match runs by the checklist name and ignore other checklists', () => {
    expect(one(MORNING, [run('evening', at(2025, 3, 12, 8))], at(2025, 3, 12, 9, 30)).state).toBe('due');
    expect(one(MORNING, [run('daily.morning', at(2025, 3, 12, 8))], at(2025, 3, 12, 9, 30)).state).toBe('done');
  });
});

describe('weekly, monthly and quarterly items', () => {
  it('are due right away when never done', () => {
    const now = at(2025, 3, 12, 14);
    for (const p of [WEEKLY, MONTHLY, QUARTERLY])
      expect(one(p, [], now)).toMatchObject({ state: 'due', dueAt: now.toISOString(), lastDoneAt: null, dueTime: null });
  });

  it('weekly: done for 7 days, then due for 2, then overdue', () => {
    const runs = [run('maintenance.weekly', at(2025, 3, 3, 10))];
    const next = at(2025, 3, 10, 10).toISOString();
    expect(one(WEEKLY, runs, at(2025, 3, 10, 9, 59))).toMatchObject({ state: 'done', dueAt: next });
    expect(one(WEEKLY, runs, at(2025, 3, 10, 10))).toMatchObject({ state: 'due', dueAt: next });
    expect(one(WEEKLY, runs, at(2025, 3, 12, 9, 59))).toMatchObject({ state: 'due' });
    expect(one(WEEKLY, runs, at(2025, 3, 12, 10))).toMatchObject({ state: 'overdue', dueAt: next });
  });

  it("monthly counts calendar months and clamps the 31st to the month's end", () => {
    expect(addMonths(at(2025, 1, 31, 10), 1)).toEqual(at(2025, 2, 28, 10));
    expect(addMonths(at(2024, 1, 31, 10), 1)).toEqual(at(2024, 2, 29, 10));
    expect(addMonths(at(2025, 11, 30, 10), 3)).toEqual(at(2026, 2, 28, 10));
    const runs = [run('maintenance.monthly', at(2025, 1, 31, 10))];
    expect(one(MONTHLY, runs, at(2025, 2, 28, 9))).toMatchObject({ state: 'done', dueAt: at(2025, 2, 28, 10).toISOString() });
    expect(one(MONTHLY, runs, at(2025, 3, 7, 9))).toMatchObject({ state: 'due' });
    expect(one(MONTHLY, runs, at(2025, 3, 7, 10))).toMatchObject({ state: 'overdue' });
  });

  it('quarterly: three months, then 14 days of grace', () => {
    const runs = [run('maintenance.quarterly', at(2025, 1, 15, 10))];
    expect(one(QUARTERLY, runs, at(2025, 4, 14))).toMatchObject({ state: 'done', dueAt: at(2025, 4, 15, 10).toISOString() });
    expect(one(QUARTERLY, runs, at(2025, 4, 28))).toMatchObject({ state: 'due' });
    expect(one(QUARTERLY, runs, at(2025, 4, 29, 11))).toMatchObject({ state: 'overdue' });
  });

  it('leaves out procedures without a cadence', () => {
    expect(calendarItems([ON_DEMAND, WEEKLY], [], at(2025, 3, 12))).toHaveLength(1);
  });
});

describe("the built-in runbook's calendar", () => {
  it('has the checklists daily at 9 AM and 6 PM and the periodic procedures', () => {
    const cadences = BUILTIN_RUNBOOK.procedures.filter((p) => p.cadence).map((p) => [p.id, p.cadence, p.dueTime ?? null]);
    expect(cadences.sort()).toEqual(
      [
        ['daily.morning', 'daily', '09:00'],
        ['daily.evening', 'daily', '18:00'],
        ['maintenance.weekly', 'weekly', null],
        ['maintenance.monthly', 'monthly', null],
        ['maintenance.quarterly', 'quarterly', null],
        ['backup.validation', 'monthly', null],
        ['recovery.drill', 'quarterly', null],
      ].sort(),
    );
  });

  it('judges rolled-back transactions per hour in the evening by the failed-queries threshold', () => {
    const step = findChecklist('evening').steps.find((s) => s.id === 'evening.rollback-rate')!;
    expect(step.rule).toMatchObject({ metric: { type: 'column', column: 'rollbacks_per_hour' }, threshold: 'failedQueries' });
    expect(step.run.type === 'sql' && step.run.sql).toMatch(/greatest\(.*, 1\)/s);
    expect(step.explanation).toMatch(/on purpose/);
    expect(step.correction).toMatch(/does not count/);
  });
});

describe('per-profile thresholds and reminders on a store', () => {
  let dir: string;
  let store: Store;
  let profiles: ProfileRepo;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-calendar-'));
    store = openStore(path.join(dir, 'store.sqlite'));
    profiles = new ProfileRepo(store.db);
  });
  afterEach(() => {
    store.db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function invalid(fn: () => unknown): { message: string; field: string } {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(OpsError);
      const e = err as OpsError;
      expect(e.code).toBe('INVALID_INPUT');
      return { message: e.message, field: (e.detail as { fields: Array<{ field: string }> }).fields[0]!.field };
    }
    throw new Error('expected INVALID_INPUT');
  }

  it('merges overrides over the defaults and refuses bad values without writing anything', () => {
    const deps = { store };
    const changes = applyThresholds(deps, 'p1', { values: [{ key: 'connections', warn: 70, critical: 90 }], reset: [] });
    expect(describeChanges(changes)).toBe('connections warn 60→70, critical 80→90');
    expect(profileThresholds(deps, 'p1')('connections')).toMatchObject({ warn: 70, critical: 90, metric: 'Connections' });
    expect(profileThresholds(deps, 'p2')('connections')).toMatchObject({ warn: 60, critical: 80 });

    expect(invalid(() => applyThresholds(deps, 'p1', { values: [{ key: 'nope', warn: 1, critical: 2 }], reset: [] }))).toMatchObject({
      field: 'values.0.key',
      message: expect.stringMatching(/no threshold "nope".*connections.*failedQueries/),
    });
    expect(
      invalid(() =>
        applyThresholds(deps, 'p1', {
          values: [
            { key: 'lowStock', warn: 1, critical: 2 },
            { key: 'queryTime', warn: 10, critical: 5 },
          ],
          reset: [],
        }),
      ),
    ).toMatchObject({ field: 'values.1.critical' });
    expect(invalid(() => applyThresholds(deps, 'p1', { values: [{ key: 'newOrdersToday', warn: 1, critical: 3 }], reset: [] })).message).toMatch(/at or below/);
    expect(invalid(() => applyThresholds(deps, 'p1', { values: [], reset: ['bogus'] }))).toMatchObject({ field: 'reset.0' });
    // The first value of the refused call was not written.
    expect(profileThresholds(deps, 'p1')('lowStock')).toMatchObject({ warn: 5, critical: 10 });

    // 'below' may have critical under warn; null critical is allowed; reset removes.
    applyThresholds(deps, 'p1', {
      values: [
        { key: 'newOrdersToday', warn: 3, critical: 1 },
        { key: 'lockWaits', warn: 2, critical: null },
      ],
      reset: [],
    });
    const reset = applyThresholds(deps, 'p1', { values: [], reset: ['connections', 'dbSize'] });
    expect(describeChanges(reset)).toBe('connections reset to default');
    const settings = thresholdSettings(deps, 'p1');
    expect(settings.find((s) => s.key === 'connections')).toMatchObject({ warn: 60, overridden: false, defaultWarn: 60 });
    expect(settings.find((s) => s.key === 'newOrdersToday')).toMatchObject({ warn: 3, critical: 1, overridden: true, defaultCritical: null });
    expect(settings.find((s) => s.key === 'lockWaits')).toMatchObject({ critical: null, overridden: true });
  });

  it("drops a removed profile's overrides with it", () => {
    const p = profiles.create(fields({ name: 'gone' }));
    applyThresholds({ store }, p.id, { values: [{ key: 'lowStock', warn: 1, critical: 2 }], reset: [] });
    profiles.remove(p.id);
    expect(store.db.prepare('SELECT count(*) AS n FROM threshold_overrides').get()).toEqual({ n: 0 });
  });

  it('reminds of a due daily checklist on production, or where it was signed off lately, once per key', () => {
    const prod = profiles.create(fields({ name: 'shop-prod', env: 'production' }));
    const dev = profiles.create(fields({ name: 'shop-dev', env: 'development' }));
    const idle = profiles.create(fields({ name: 'idle-dev', env: 'development' }));
    const insert = store.db.prepare(
      `INSERT INTO checklist_runs (id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json, note)
       VALUES (?, ?, ?, ?, 'Morning', 'ok', 'me', ?, ?, '{}', '[]', '')`,
    );
    const signed = at(2025, 3, 10, 9, 15).toISOString();
    insert.run('r1', dev.id, 'shop-dev', 'morning', signed, signed);
    const now = at(2025, 3, 12, 9, 30);
    const reminders = dueReminders({ store, profiles }, now, new Set());
    expect(reminders.map((r) => [r.profileName, r.checklist, r.state]).sort()).toEqual([
      ['shop-dev', 'morning', 'due'],
      ['shop-prod', 'morning', 'due'],
    ]);
    const prodReminder = reminders.find((r) => r.profileId === prod.id)!;
    expect(prodReminder).toMatchObject({
      title: 'Morning checklist due on shop-prod',
      body: 'Due at 09:00, not signed off yet.',
      key: `${prod.id}|morning|2025-03-12`,
    });
    expect(reminders.some((r) => r.profileId === idle.id)).toBe(false);
    // Shown once; signing off silences it; the evening one comes at 6 PM.
    expect(dueReminders({ store, profiles }, now, new Set(reminders.map((r) => r.key)))).toEqual([]);
    const today = at(2025, 3, 12, 9, 40).toISOString();
    insert.run('r2', prod.id, 'shop-prod', 'morning', today, today);
    const evening = dueReminders({ store, profiles }, at(2025, 3, 12, 18, 1), new Set());
    expect(evening.map((r) => [r.profileName, r.checklist, r.state]).sort()).toEqual([
      ['shop-dev', 'morning', 'overdue'],
      ['shop-prod', 'evening', 'due'],
    ]);
    expect(evening.find((r) => r.state === 'overdue')!.body).toBe('Was due at 09:00 and is not signed off yet.');
  });
});
