// The Restore screen's rules: what blocks each wizard step, the options sent to the core
// (valid for the contract's schema), how plans, progress and validation read, the restored
// copy's profile, and the drills' objectives, history and trend.
import { describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile } from '../../src-main/contract/models';
import type { ValidationReport } from '../../src-main/contract/restore';
import {
  drillOptionsSchema,
  restoreOptionsSchema,
  RECOVERY_OBJECTIVES,
  type DrillRecord,
  type RestorePlan,
  type RestoreProgressEvent,
} from '../../src-main/contract/restore';
import {
  againstTarget,
  databaseNameProblem,
  defaultBackupId,
  defaultWizard,
  describeRestoreProgress,
  drillHistory,
  drillInput,
  drillTrends,
  findRestoredProfile,
  formatTarget,
  jobsApply,
  LATEST,
  objectiveBadge,
  objectsLine,
  orderedChecks,
  planKey,
  preBackupApplies,
  restorableBackups,
  RSTEP,
  rowsText,
  sourceOf,
  stepProblems,
  targetStateText,
  toRestoreOptions,
  validationSummary,
  versionsLine,
} from '../../src-renderer/src/screens/restore/restore-model';

function backup(over: Partial<BackupEntry>): BackupEntry {
  return {
    id: 'b1',
    profileId: 'p1',
    profileName: 'shop',
    kind: 'full',
    format: 'custom',
    path: '/b/shop.dump',
    status: 'ok',
    bytes: 2048,
    sha256: null,
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:01:00.000Z',
    durationMs: 60_000,
    command: 'pg_dump',
    error: null,
    verifiedAt: null,
    verifiedOk: null,
    manifest: null,
    ...over,
  };
}

function profile(over: Partial<Profile>): Profile {
  return { id: 'p1', name: 'shop', env: 'development', host: '127.0.0.1', port: 5432, database: 'shop', user: 'ops', readOnly: false, ...over } as Profile;
}

function drill(over: Partial<DrillRecord>): DrillRecord {
  return {
    id: 'd1',
    profileId: 'p1',
    profileName: 'shop',
    backupId: 'b1',
    backupPath: '/b/shop.dump',
    backupCreatedAt: null,
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: null,
    status: 'ok',
    restoreMs: 1000,
    totalMs: 2000,
    validation: null,
    rtoTargetMs: RECOVERY_OBJECTIVES.corruption.rtoMs,
    rtoMet: true,
    backupAgeMs: 60_000,
    rpoTargetMs: RECOVERY_OBJECTIVES.corruption.rpoMs,
    rpoMet: true,
    scratchVersion: '15.4',
    disasterRecovery: null,
    error: null,
    report: '',
    ...over,
  };
}

const progress = (over: Partial<RestoreProgressEvent>): RestoreProgressEvent => ({
  type: 'restore.progress',
  jobId: 'j',
  restoreId: 'r',
  phase: 'restoring',
  done: 0,
  total: 0,
  unit: 'items',
  percent: null,
  elapsedMs: 0,
  etaMs: null,
  current: null,
  ...over,
});

const inspected = { inspected: 'ok' as const };

describe('the wizard source', () => {
  it('offers good, non-roles backups newest first and defaults to the active profile’s latest', () => {
    const list = [
      backup({ id: 'old', startedAt: '2025-01-01T00:00:00Z' }),
      backup({ id: 'new', startedAt: '2025-02-01T00:00:00Z' }),
      backup({ id: 'other', profileId: 'p2', startedAt: '2025-03-01T00:00:00Z' }),
      backup({ id: 'failed', status: 'failed', startedAt: '2025-04-01T00:00:00Z' }),
      backup({ id: 'roles', kind: 'roles', startedAt: '2025-04-02T00:00:00Z' }),
    ];
    expect(restorableBackups(list).map((b) => b.id)).toEqual(['other', 'new', 'old']);
    expect(defaultBackupId(list, 'p1')).toBe('new');
    expect(defaultBackupId(list, 'p3')).toBeNull();
    expect(defaultBackupId(list, null)).toBeNull();
  });

  it('takes the catalog id or the trimmed path, and waits for the backup to be read', () => {
    const state = defaultWizard('p1', null);
    expect(sourceOf(state)).toBeNull();
    expect(stepProblems(state, RSTEP.source, inspected)).toEqual(['Pick a backup from the catalog.']);
    const typed = { ...state, sourceMode: 'path' as const, path: '  /tmp/x.sql ' };
    expect(sourceOf(typed)).toBe('/tmp/x.sql');
    expect(stepProblems(typed, RSTEP.source, { inspected: 'pending' })).toEqual(['Wait until the backup has been read.']);
    expect(stepProblems(typed, RSTEP.source, { inspected: 'error' })[0]).toMatch(/cannot be read/);
    expect(stepProblems(typed, RSTEP.source, inspected)).toEqual([]);
  });
});

describe('the target', () => {
  it('validates a new database name as PostgreSQL would take it', () => {
    expect(databaseNameProblem('')).toMatch(/name/);
    expect(databaseNameProblem(' shop')).toMatch(/space/);
    expect(databaseNameProblem('a\tb')).toMatch(/control/);
    expect(databaseNameProblem('x'.repeat(64))).toMatch(/63 bytes/);
    expect(databaseNameProblem('é'.repeat(32))).toMatch(/63 bytes/);
    expect(databaseNameProblem('template1')).toMatch(/system database/);
    expect(databaseNameProblem('restored "check"; drop')).toBeNull();
    expect(databaseNameProblem('restored_check')).toBeNull();
  });

  it('blocks the step until a profile and a valid name are given; scratch needs neither', () => {
    const state = { ...defaultWizard('p1', 'b1'), targetKind: 'new-database' as const };
    expect(stepProblems(state, RSTEP.target, inspected)).toEqual(['Give the new database a name.']);
    expect(stepProblems({ ...state, newDatabase: 'restored_check' }, RSTEP.target, inspected)).toEqual([]);
    expect(stepProblems({ ...state, targetProfileId: null, newDatabase: 'x' }, RSTEP.target, inspected)).toEqual(['Choose the profile to restore into.']);
    expect(stepProblems({ ...state, targetKind: 'scratch', targetProfileId: null }, RSTEP.target, inspected)).toEqual([]);
    expect(stepProblems({ ...state, targetKind: 'scratch', scratchDatabase: 'postgres' }, RSTEP.target, inspected)).toHaveLength(1);
  });

  it('offers the pre-restore backup only for a production profile’s database', () => {
    expect(preBackupApplies({ targetKind: 'profile' }, { env: 'production' })).toBe(true);
    expect(preBackupApplies({ targetKind: 'new-database' }, { env: 'production' })).toBe(true);
    expect(preBackupApplies({ targetKind: 'scratch' }, { env: 'production' })).toBe(false);
    expect(preBackupApplies({ targetKind: 'profile' }, { env: 'staging' })).toBe(false);
  });
});

describe('the options sent to the core', () => {
  it('builds input the contract accepts for each target', () => {
    const base = { ...defaultWizard('p1', 'b1'), jobs: 4 };
    const newDb = toRestoreOptions({ ...base, targetKind: 'new-database', newDatabase: 'restored_check' }, { format: 'custom' });
    expect(newDb).toMatchObject({ source: 'b1', target: { kind: 'new-database', profileId: 'p1', database: 'restored_check' }, jobs: 4, clean: false });
    expect(restoreOptionsSchema.safeParse(newDb).success).toBe(true);
    const scratch = toRestoreOptions({ ...base, targetKind: 'scratch' }, { format: 'custom' });
    expect(scratch?.target).toEqual({ kind: 'scratch' });
    expect(restoreOptionsSchema.safeParse(scratch).success).toBe(true);
    const into = toRestoreOptions({ ...base, targetKind: 'profile', clean: true }, { format: 'directory' }, { confirmName: 'shop', password: 'pw' });
    expect(into).toMatchObject({ target: { kind: 'profile', profileId: 'p1' }, clean: true, confirmName: 'shop', password: 'pw' });
    expect(restoreOptionsSchema.safeParse(into).success).toBe(true);
  });

  it('runs a plain script with one job, cleans only an existing database, and needs a source', () => {
    const base = { ...defaultWizard('p1', 'b1'), jobs: 4, clean: true };
    expect(jobsApply({ format: 'plain' })).toBe(false);
    expect(jobsApply(null)).toBe(false);
    expect(toRestoreOptions({ ...base, targetKind: 'new-database', newDatabase: 'x' }, { format: 'plain' })).toMatchObject({ jobs: 1, clean: false });
    expect(toRestoreOptions({ ...base, backupId: null }, { format: 'custom' })).toBeNull();
    expect(toRestoreOptions({ ...base, targetKind: 'profile', targetProfileId: null }, { format: 'custom' })).toBeNull();
  });

  it('keys plans by what changes the plan, not by the password, the typed name or key order', () => {
    const options = toRestoreOptions({ ...defaultWizard('p1', 'b1'), targetKind: 'profile' }, { format: 'custom' });
    if (!options) throw new Error('no options');
    const same = { ...options, password: 'secret', confirmName: 'shop' };
    const reordered = Object.fromEntries(Object.entries(options).reverse()) as typeof options;
    expect(planKey(same)).toBe(planKey(options));
    expect(planKey(reordered)).toBe(planKey(options));
    expect(planKey({ ...options, clean: true })).not.toBe(planKey(options));
  });
});

describe('how the contents, the plan and progress read', () => {
  it('names the versions, the row counts and the objects', () => {
    expect(versionsLine({ serverVersion: '15.4 (Debian 15.4-1)', pgDumpVersion: 'pg_dump (PostgreSQL) 15.18' })).toBe(
      'From PostgreSQL 15.4, dumped by pg_dump 15.18',
    );
    expect(versionsLine({ serverVersion: null, pgDumpVersion: null })).toMatch(/unknown server version.*unknown pg_dump/);
    expect(rowsText({ schema: 'public', name: 'orders', rows: 12345, exact: true })).toEqual({ rows: '12,345', how: 'exact' });
    expect(rowsText({ schema: 'public', name: 'orders', rows: 10, exact: false }).how).toBe('estimate');
    expect(rowsText({ schema: 'public', name: 'orders', rows: null, exact: null }).rows).toBe('—');
    expect(objectsLine({ INDEX: 3, TABLE: 5 })).toBe('TABLE 5 · INDEX 3');
    expect(objectsLine({})).toBe('none recorded');
  });

  it('says what the target holds', () => {
    const target = { kind: 'profile' as const, profile: 'shop', env: 'development', database: 'shop', serverVersion: '15', exists: true, empty: true };
    expect(targetStateText({ target: { ...target, exists: false }, conflicts: [] })).toMatch(/new database/);
    expect(targetStateText({ target, conflicts: [] })).toBe('Exists and is empty.');
    const conflicts: RestorePlan['conflicts'] = [
      { type: 'TABLE', schema: 'public', name: 'orders' },
      { type: 'SCHEMA', schema: null, name: 'shop' },
    ];
    expect(targetStateText({ target: { ...target, empty: false }, conflicts })).toBe('Not empty: 2 objects of the dump already exist there.');
  });

  it('shows items or bytes, the current item, and ETA only while restoring', () => {
    const view = describeRestoreProgress(progress({ done: 12, total: 40, percent: 30, current: 'TABLE DATA public.orders', elapsedMs: 5_000, etaMs: 12_000 }));
    expect(view).toMatchObject({ percent: 30, items: '12 of 40 items', elapsed: '5 s', eta: '12 s', headline: 'Restoring TABLE DATA public.orders' });
    expect(describeRestoreProgress(progress({ unit: 'bytes', done: 2048, total: 4096 })).items).toBe('2.0 kB of 4.0 kB');
    expect(describeRestoreProgress(progress({ percent: 140 })).percent).toBe(100);
    expect(describeRestoreProgress(progress({})).eta).toBe('estimating…');
    expect(describeRestoreProgress(progress({ phase: 'validating' }))).toMatchObject({ headline: 'Validating the restored database…', eta: '—', items: '—' });
  });

  it('summarises validation with the failures first, then the warnings', () => {
    const report = {
      ok: false,
      status: 'fail' as const,
      checks: [
        { name: 'rows public.a', ok: true, status: 'pass' as const, detail: '' },
        { name: 'validate_recovery()', ok: true, status: 'warning' as const, detail: 'warnings: baseline: warning' },
        { name: 'sequences', ok: false, status: 'fail' as const, detail: 'behind' },
      ],
    };
    expect(validationSummary(report)).toBe('Validation FAILED: 1 of 3 checks passed, 1 with a warning, 1 failed');
    expect(orderedChecks(report).map((c) => c.name)).toEqual(['sequences', 'validate_recovery()', 'rows public.a']);
    expect(validationSummary({ ok: true, status: 'pass', checks: [] })).toBe('No checks ran.');
  });

  it('says OK with warnings when a check warns, never plain OK; records kept before three states read ok as pass', () => {
    const warned = { ok: true, status: 'warning' as const, checks: [{ name: 'check_system_health()', ok: true, status: 'warning' as const, detail: 'x' }] };
    expect(validationSummary(warned)).toBe('Validation OK, with warnings: 0 of 1 checks passed, 1 with a warning');
    const old = { ok: true, checks: [{ name: 'rows public.a', ok: true, detail: '' }] } as unknown as ValidationReport;
    expect(validationSummary(old)).toBe('Validation OK: 1 of 1 checks passed');
  });
});

describe('after a scratch restore', () => {
  it('finds the profile made for the restored copy, only for a good scratch restore', () => {
    const profiles = [
      profile({ id: 'sb', name: 'sandbox', env: 'sandbox', database: 'restored_x' }),
      profile({ id: 'new', name: 'restored_x', env: 'sandbox', database: 'restored_x' }),
    ];
    expect(findRestoredProfile(profiles, { targetKind: 'scratch', database: 'restored_x', status: 'ok' })?.id).toBe('new');
    expect(findRestoredProfile(profiles.slice(0, 1), { targetKind: 'scratch', database: 'restored_x', status: 'ok' })).toBeNull();
    expect(findRestoredProfile(profiles, { targetKind: 'scratch', database: 'restored_x', status: 'failed' })).toBeNull();
    expect(findRestoredProfile(profiles, { targetKind: 'new-database', database: 'restored_x', status: 'ok' })).toBeNull();
  });
});

describe('drills', () => {
  it('reads objectives as met / not met / unknown against the runbook’s targets', () => {
    expect(objectiveBadge(true)).toEqual({ label: 'met', color: 'green' });
    expect(objectiveBadge(false)).toEqual({ label: 'not met', color: 'red' });
    expect(objectiveBadge(null).label).toBe('unknown');
    expect(formatTarget(RECOVERY_OBJECTIVES.corruption.rtoMs)).toBe('2 h');
    expect(formatTarget(RECOVERY_OBJECTIVES.corruption.rpoMs)).toBe('15 min');
    expect(againstTarget(12_400, RECOVERY_OBJECTIVES.corruption.rtoMs)).toBe('12.4 s (target 2 h)');
  });

  it('asks for the latest backup of the profile, or the chosen one, as the contract accepts', () => {
    const latest = drillInput(LATEST, 'p1', 'job-1');
    expect(latest).toEqual({ profileId: 'p1', jobs: 2, jobId: 'job-1' });
    expect(drillOptionsSchema.safeParse(latest).success).toBe(true);
    expect(drillInput(LATEST, null, 'job-1')).toBeNull();
    const chosen = drillInput('b7', 'p1', 'job-2');
    expect(chosen).toEqual({ source: 'b7', jobs: 2, jobId: 'job-2' });
    expect(drillOptionsSchema.safeParse(chosen).success).toBe(true);
  });

  it('lists history newest first per profile and trends restore times oldest to newest', () => {
    const drills = [
      drill({ id: 'a', startedAt: '2025-01-01T00:00:00Z', restoreMs: 1000 }),
      drill({ id: 'b', startedAt: '2025-01-03T00:00:00Z', restoreMs: 4000 }),
      drill({ id: 'c', startedAt: '2025-01-02T00:00:00Z', restoreMs: 2000 }),
      drill({ id: 'f', startedAt: '2025-01-04T00:00:00Z', restoreMs: null, status: 'failed' }),
      drill({ id: 'x', profileId: 'p2', profileName: 'crm', startedAt: '2025-01-05T00:00:00Z', restoreMs: 8 * 3_600_000 }),
    ];
    expect(drillHistory(drills, 'p1').map((d) => d.id)).toEqual(['f', 'b', 'c', 'a']);
    expect(drillHistory(drills, null)).toHaveLength(5);
    const trends = drillTrends(drills);
    expect(trends.map((t) => t.profile)).toEqual(['crm', 'shop']);
    const shop = trends[1];
    expect(shop?.bars.map((b) => b.id)).toEqual(['a', 'c', 'b']);
    expect(shop?.bars.map((b) => b.height)).toEqual([25, 50, 100]);
    expect(shop?.direction).toBe('slower');
    expect(shop?.latestMs).toBe(4000);
    expect(trends[0]?.bars[0]?.overTarget).toBe(true);
    expect(trends[0]?.direction).toBeNull();
  });
});
