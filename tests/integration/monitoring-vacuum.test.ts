// VACUUM from the Performance screen, against the run's real PostgreSQL: a table with a few
// hundred thousand deleted rows shows its dead tuples, VACUUM (ANALYZE) brings them to ~0
// while `vacuum.progress` events report the phase from pg_stat_progress_vacuum, and the
// audit entry says what was done. Read-only profiles, unconfirmed FULL on production and a
// table that does not exist are refused; odd table names are quoted properly.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { TableReport, VacuumProgressEvent, VacuumResult } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { auditOf, waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { quoteIdent, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
const ROWS = 300_000;
const ODD = 'Mon "odd" table';
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let dev: Profile;
let readOnly: Profile;
let prod: Profile;
const { ok, fail } = callsOn(() => core);

function asAdmin<T>(fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
  return withClient(server, fn, shopDb.database);
}

async function deadTuples(table: string): Promise<number> {
  const report = await ok<TableReport>('getTableReport', { profileId: dev.id });
  return report.tables.find((t) => t.table === table)?.deadTuples ?? -1;
}

function progressOf(jobId: string): { events: VacuumProgressEvent[]; stop: () => void } {
  const events: VacuumProgressEvent[] = [];
  const stop = core.events.subscribe((e) => {
    if (e.type === 'vacuum.progress' && e.jobId === jobId) events.push(e);
  });
  return { events, stop };
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-vacuum-'));
  shopDb = await createShopDatabase(server, 'vacuum', async (c) => {
    // No autovacuum on it: only our VACUUM may clean it. An index gives VACUUM its index phase.
    await c.query(`CREATE TABLE mon_vac WITH (autovacuum_enabled = false) AS SELECT g AS id, md5(g::text) AS pad FROM generate_series(1, ${ROWS}) g`);
    await c.query('CREATE INDEX mon_vac_id ON mon_vac (id)');
    await c.query(`CREATE TABLE ${quoteIdent(ODD)} (id int)`);
    await c.query(`INSERT INTO ${quoteIdent(ODD)} SELECT generate_series(1, 100)`);
    await c.query(`DELETE FROM ${quoteIdent(ODD)} WHERE id <= 50`);
  });
  // Cost-based delay, as autovacuum has by default: the manual VACUUM takes a moment, long
  // enough to be watched, on any machine.
  await withClient(server, (c) =>
    c.query(
      `ALTER DATABASE ${quoteIdent(shopDb.database)} SET vacuum_cost_delay = 2; ALTER DATABASE ${quoteIdent(shopDb.database)} SET vacuum_cost_limit = 100`,
    ),
  );
  await asAdmin((c) => c.query('DELETE FROM mon_vac WHERE id % 2 = 0'));
  const input: Partial<ProfileInput> = {
    host: server.host,
    port: server.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    readOnly: false,
  };
  dev = await ok<Profile>('createProfile', { profile: { ...input, name: 'dev', env: 'development' }, password: shopDb.password });
  readOnly = await ok<Profile>('createProfile', { profile: { ...input, name: 'ro', env: 'development', readOnly: true }, password: shopDb.password });
  prod = await ok<Profile>('createProfile', { profile: { ...input, name: 'prod', env: 'production' }, password: shopDb.password });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('runVacuum', () => {
  it('shows the dead tuples, then VACUUM (ANALYZE) clears them with live progress and an audit entry', async () => {
    const before = await waitFor('dead tuples of mon_vac', async () => ((await deadTuples('mon_vac')) === ROWS / 2 ? true : null));
    expect(before).toBe(true);
    const { events, stop } = progressOf('vac-job-1');
    let result: VacuumResult;
    try {
      result = await ok<VacuumResult>('runVacuum', { profileId: dev.id, schema: 'public', table: 'mon_vac', jobId: 'vac-job-1' });
    } finally {
      stop();
    }
    expect(result).toMatchObject({ schema: 'public', table: 'mon_vac', full: false, analyze: true, deadTuplesBefore: ROWS / 2 });
    expect(result.deadTuplesAfter).toBeLessThanOrEqual(10);
    expect(result.durationMs).toBeGreaterThan(200);
    // At least one look at the running VACUUM (a phase from the view, blocks counted), then the end.
    const seen = events.filter((e) => e.phase !== 'completed' && e.total !== null);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]!.percent).not.toBeNull();
    expect(seen.map((e) => e.phase).join(',')).toMatch(
      /scanning heap|vacuuming indexes|vacuuming heap|cleaning up indexes|truncating heap|performing final cleanup|acquiring sample rows/,
    );
    expect(events.at(-1)).toMatchObject({ phase: 'completed', percent: 100 });
    expect(await deadTuples('mon_vac')).toBeLessThanOrEqual(10);
    const lastVacuum = (await ok<TableReport>('getTableReport', { profileId: dev.id })).tables.find((t) => t.table === 'mon_vac')!;
    expect(lastVacuum.lastVacuum).not.toBeNull();
    expect(lastVacuum.lastAnalyze).not.toBeNull();
    const entry = auditOf(core, 'maintenance.vacuum')[0]!;
    expect(entry).toMatchObject({ outcome: 'ok', profile: 'dev' });
    expect(entry.summary).toContain('"public"."mon_vac"');
    expect(entry.summary).toMatch(/s, dead tuples 150000 → \d+/);
  }, 60_000);

  it('quotes odd table names and runs FULL on production once the name is typed', async () => {
    const refused = await fail('runVacuum', { profileId: prod.id, schema: 'public', table: ODD, full: true });
    expect(refused.code).toBe('CONFIRMATION_REQUIRED');
    const result = await ok<VacuumResult>('runVacuum', { profileId: prod.id, schema: 'public', table: ODD, full: true, confirmName: 'prod' });
    expect(result).toMatchObject({ table: ODD, full: true, analyze: true, deadTuplesAfter: 0 });
    // Plain VACUUM on production needs no confirmation: it does not block readers or writers.
    await ok<VacuumResult>('runVacuum', { profileId: prod.id, schema: 'public', table: ODD, analyze: false });
    expect(auditOf(core, 'maintenance.vacuum')[0]!.summary).toContain('"public"."Mon ""odd"" table"');
  });

  it('refuses read-only profiles and tables that do not exist, and audits the refusal', async () => {
    const ro = await fail('runVacuum', { profileId: readOnly.id, schema: 'public', table: 'mon_vac' });
    expect(ro.code).toBe('READ_ONLY');
    expect(auditOf(core, 'maintenance.vacuum')[0]).toMatchObject({ outcome: 'refused', profile: 'ro' });
    const missing = await fail('runVacuum', { profileId: dev.id, schema: 'public', table: 'mon_vac; DROP TABLE mon_vac' });
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('"public"."mon_vac; DROP TABLE mon_vac"');
    expect(await asAdmin(async (c) => (await c.query("SELECT to_regclass('mon_vac') IS NOT NULL AS present")).rows[0]?.present)).toBe(true);
  });
});
