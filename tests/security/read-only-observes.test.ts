// Issue #14 §3: a read-only profile only observes. default_transaction_read_only stops table
// writes, but not what acts outside a transaction; each attack below got past it once. Run
// as a superuser read-only profile (the strongest role a DBA would save read-only) and a
// production read-only profile, against the demo shop database with the ops toolkit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pgModule from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { ChecklistRunResult } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { runChecklist } from '../../src-main/core/runbook/checklist';
import type { Procedure } from '../../src-main/core/runbook/model';
import { callsOn, newTestCore } from '../helpers/core';
import { runCli } from '../helpers/cli';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let shop: ShopDatabase;
const ids: Record<string, string> = {};
const { ok, fail } = callsOn(() => core);
const marker = path.join(os.tmpdir(), `ops-ro-${process.pid}-pwned`);

const count = (sql: string) => withClient(pg, async (c) => Number((await c.query(sql)).rows[0].n), shop.database);

beforeAll(async () => {
  shop = await createShopDatabase(pg, 'ro_observes');
  await withClient(pg, (c) => c.query('CREATE EXTENSION IF NOT EXISTS dblink; CREATE TABLE probe (id int); INSERT INTO probe VALUES (1), (2)'), shop.database);
  ({ core, home } = newTestCore('ops-ro-'));
  const make = async (name: string, extra: Partial<ProfileInput>, su: boolean) => {
    const profile = { host: pg.host, port: pg.port, database: shop.database, user: su ? pg.user : shop.role, sslmode: 'disable', name, ...extra };
    ids[name] = (await ok<Profile>('createProfile', { profile, password: su ? pg.password : shop.password })).id;
  };
  await make('su-ro', { env: 'staging', readOnly: true }, true);
  await make('prod-ro', { env: 'production', readOnly: true }, false);
  await make('prod', { env: 'production', readOnly: false }, false);
  await ok('installToolkit', { profileId: ids.prod, confirmName: 'prod' });
});

afterAll(async () => {
  await core?.close();
  await shop?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(marker, { force: true });
});

async function refused(profile: string, sql: string): Promise<string> {
  const error = await fail('runQuery', { profileId: ids[profile], sql, confirmName: profile, override: true });
  expect(error.code, sql).toBe('READ_ONLY');
  expect(error.message, sql).toMatch(/is a read-only profile, which only observes: statement \d+ is refused because .+\. Nothing was run\./);
  return error.message;
}

describe('the console on a read-only profile refuses everything that is not a plain read (§3)', () => {
  it('dblink to the same server cannot write', async () => {
    const conn = `dbname=${shop.database} host=${pg.host} port=${pg.port} user=${pg.user} password=${pg.password}`;
    expect(await refused('su-ro', `SELECT dblink_exec('${conn}', 'DELETE FROM probe')`)).toMatch(/volatile function public\.dblink_exec/);
    expect(await refused('su-ro', `SELECT * FROM dblink('${conn}', 'DELETE FROM probe RETURNING id') AS t(id int)`)).toMatch(/dblink/);
    expect(await count('SELECT count(*) AS n FROM probe')).toBe(2);
  });

  it('refuses ALTER SYSTEM, pg_reload_conf(), CHECKPOINT and LOAD', async () => {
    expect(await refused('su-ro', "ALTER SYSTEM SET work_mem = '1MB'")).toMatch(/ALTER SYSTEM/);
    expect(await refused('su-ro', 'SELECT pg_reload_conf()')).toMatch(/pg_reload_conf/);
    expect(await refused('su-ro', 'CHECKPOINT')).toMatch(/CHECKPOINT/);
    expect(await refused('su-ro', "LOAD 'auto_explain'")).toMatch(/LOAD/);
    const autoConf = await withClient(
      pg,
      async (c) =>
        (await c.query("SELECT count(*)::int AS n FROM pg_file_settings WHERE name = 'work_mem' AND sourcefile LIKE '%auto.conf'")).rows[0].n as number,
    );
    expect(autoConf).toBe(0);
  });

  it('refuses COPY … TO PROGRAM and lo_export: nothing is written on the server machine', async () => {
    expect(await refused('su-ro', `COPY probe TO PROGRAM 'touch ${marker}'`)).toMatch(/runs a program on the database server/);
    expect(await refused('su-ro', `COPY probe TO '${marker}'`)).toMatch(/reads or writes a file on the database server/);
    expect(await refused('su-ro', `SELECT lo_export(lo_from_bytea(0, 'x'), '${marker}')`)).toMatch(/lo_/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('refuses pg_terminate_backend from a SELECT, and from a view or function hiding it: the session survives', async () => {
    const victim = new pgModule.Client({
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: shop.database,
      application_name: 'ro-victim',
    });
    await victim.connect();
    victim.on('error', () => undefined);
    try {
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await withClient(
        pg,
        (c) => c.query("CREATE VIEW enders AS SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ro-victim'"),
        shop.database,
      );
      expect(await refused('su-ro', `SELECT pg_terminate_backend(${pid})`)).toMatch(/pg_terminate_backend/);
      expect(await refused('prod-ro', 'SELECT * FROM enders')).toMatch(/pg_terminate_backend.*through public\.enders/);
      expect(await refused('su-ro', `BEGIN; DECLARE c CURSOR FOR SELECT pg_terminate_backend(${pid}); FETCH c`)).toMatch(/statement 2/);
      await victim.query('SELECT 1');
    } finally {
      await victim.end().catch(() => undefined);
    }
  });

  it('EXPLAIN ANALYZE, export and the CLI use the same rule', async () => {
    const explain = await fail('explainQuery', { profileId: ids['su-ro'], sql: 'SELECT pg_reload_conf()', analyze: true });
    expect(explain.code).toBe('READ_ONLY');
    const exported = await fail('exportQuery', { profileId: ids['su-ro'], sql: 'SELECT pg_reload_conf()', format: 'csv' });
    expect(exported.code).toBe('INVALID_INPUT');
    expect(exported.message).toMatch(/pg_reload_conf/);
    core.deps.store.db.pragma('wal_checkpoint(FULL)');
    const cli = await runCli(home, ['query', 'su-ro', 'SELECT pg_reload_conf()', '--yes', '--confirm', 'su-ro'], { env: { PGPASSWORD: pg.password } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/read-only profile, which only observes/);
  });

  it('asks nothing before a refusal: no typed name, no terminal question, on a read-only production profile', async () => {
    const plan = await ok<{ needsConfirmation: boolean; readOnlyRefusal?: { index: number; reason: string } }>('planQuery', {
      profileId: ids['prod-ro'],
      sql: 'SELECT 1; SELECT pg_terminate_backend(1)',
    });
    expect(plan.needsConfirmation).toBe(false);
    expect(plan.readOnlyRefusal).toMatchObject({ index: 1, reason: expect.stringMatching(/pg_terminate_backend/) });
    core.deps.store.db.pragma('wal_checkpoint(FULL)');
    const cli = await runCli(home, ['query', 'prod-ro', 'CHECKPOINT'], { env: { PGPASSWORD: shop.password } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).not.toMatch(/pass --yes/);
    expect(cli.stderr).toMatch(/read-only profile, which only observes: statement 1 is refused because CHECKPOINT/);
  });

  it('actions that change the server are refused by the same rule', async () => {
    const vacuum = await fail('runVacuum', { profileId: ids['prod-ro'], schema: 'public', table: 'probe', full: false, analyze: false });
    expect(vacuum.code).toBe('READ_ONLY');
    const install = await fail('installToolkit', { profileId: ids['prod-ro'], confirmName: 'prod-ro' });
    expect(install.code).toBe('READ_ONLY');
    for (const error of [vacuum, install]) expect(error.message).toMatch(/which only observes/);
  });

  it('still observes: the morning checklist on a production read-only profile is one click, every read step runs', async () => {
    for (const checklistId of ['morning', 'evening']) {
      const result = await ok<ChecklistRunResult>('runChecklist', { checklistId, profileId: ids['prod-ro'] });
      const ranOrSkipped = result.steps.filter((s) => s.summary.includes('guard'));
      expect(ranOrSkipped, checklistId).toEqual([]);
      expect(
        result.steps.filter((s) => s.kind === 'read' && s.status === 'unknown').map((s) => `${s.title}: ${s.summary}`),
        checklistId,
      ).toEqual([]);
    }
    const reads = await ok<{ statements: Array<{ error?: unknown }> }>('runQuery', {
      profileId: ids['su-ro'],
      sql: 'SELECT count(*) FROM pg_stat_activity; SELECT * FROM pg_stat_statements LIMIT 1; SELECT pg_database_size(current_database()); EXPLAIN ANALYZE SELECT * FROM probe',
    });
    expect(reads.statements.map((s) => s.error)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('a read step calling the toolkit runs with toolkit 1.1.0 (STABLE reads) and offers the update on an older one', async () => {
    const procedure: Procedure = {
      id: 'test.toolkit-read',
      checklist: 'toolkit-read',
      title: 'Toolkit read',
      section: 'Test',
      description: '',
      steps: [{ id: 'health', title: 'Health', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT * FROM check_system_health()' } }],
    };
    const profile = core.deps.profiles.require(ids['prod-ro']!);
    const fresh = await runChecklist(core.deps, procedure, profile);
    expect(fresh.steps[0]!.summary).not.toMatch(/not run/);
    expect(fresh.steps[0]!.rowCount).toBeGreaterThan(0);
    // As toolkit 1.0.0 declared it.
    await withClient(
      pg,
      (c) => c.query('ALTER FUNCTION public.check_system_health() VOLATILE; ALTER FUNCTION ops_toolkit.check_system_health() VOLATILE'),
      shop.database,
    );
    const old = await runChecklist(core.deps, procedure, profile);
    expect(old.steps[0]).toMatchObject({
      status: 'unknown',
      needsToolkit: true,
      summary: expect.stringMatching(/not run: the ops toolkit installed here is older than 1\.1\.0/),
    });
  });
});
