// Restores through core.dispatch against the run's real PostgreSQL: a shop database backed
// up in custom, directory (parallel) and plain format, each restored into a new database
// with validation passing and every table's row count equal to the source's (counted
// here, straight from the server); and a foreign pg_dump archive (no manifest) inspected.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { BackupContents, RestorePlan } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { dropTestDatabase, pgUrl, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';
import { backupAndWait, restoreAndWait, tableCounts } from '../helpers/restore';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shop: Profile;
let admin: Profile;
let shopDb: ShopDatabase;
let sourceCounts: Record<string, number>;
const created: string[] = [];
const calls = callsOn(() => core);

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-restore-run-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-restore-out-'));
  shopDb = await createShopDatabase(pg, 'restorerun', async (c) => {
    await c.query(`CREATE FUNCTION public.order_weight(n integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT n * 2'`);
    await c.query(`CREATE TABLE "Odd Name" (id serial PRIMARY KEY, note text)`);
    await c.query(`INSERT INTO "Odd Name" (note) SELECT 'n' || g FROM generate_series(1, 37) g`);
  });
  const shopInput: Partial<ProfileInput> = {
    name: 'shop',
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await calls.ok<Profile>('createProfile', { profile: shopInput, password: shopDb.password });
  // The restoring DBA: the dump creates pg_stat_statements, which only a superuser may.
  const adminInput: Partial<ProfileInput> = {
    name: 'admin',
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    sslmode: 'disable',
    env: 'staging',
    readOnly: false,
  };
  admin = await calls.ok<Profile>('createProfile', { profile: adminInput, password: pg.password });
  sourceCounts = await tableCounts(pg, shopDb.database);
}, 120_000);

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe.each([
  { format: 'custom', backupJobs: 1, restoreJobs: 1 },
  { format: 'directory', backupJobs: 2, restoreJobs: 2 },
  { format: 'plain', backupJobs: 1, restoreJobs: 1 },
])('$format round trip into a new database', ({ format, backupJobs, restoreJobs }) => {
  let entry: BackupEntry;
  let database: string;
  let result: Awaited<ReturnType<typeof restoreAndWait>>;

  beforeAll(async () => {
    entry = await backupAndWait(core, calls, { profileId: shop.id, outDir, format, jobs: backupJobs });
    database = uniqueDatabaseName(`restored_${format}`);
    created.push(database);
    result = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database }, jobs: restoreJobs });
  }, 60_000);

  it('finishes ok with every validation check passing, one row check per table', () => {
    const { record, done } = result;
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    expect(done.ok).toBe(true);
    expect(record.validation?.ok).toBe(true);
    const rowChecks = record.validation!.checks.filter((c) => c.name.startsWith('rows '));
    expect(rowChecks.map((c) => c.name).sort()).toEqual(
      Object.keys(sourceCounts)
        .map((t) => `rows ${t}`)
        .sort(),
    );
    expect(record.validation!.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['sequences', 'constraints and indexes', 'objects by type']));
    expect(record.backupId).toBe(entry.id);
    expect(record.database).toBe(database);
  });

  it('holds exactly the source rows in every table, counted on the server', async () => {
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
  });

  it('reported progress while restoring and ended with a done event', () => {
    const restoring = result.events.filter((e) => e.phase === 'restoring');
    expect(restoring.length).toBeGreaterThan(0);
    const last = restoring[restoring.length - 1]!;
    expect(last.done).toBe(last.total);
    expect(last.unit).toBe(format === 'plain' ? 'bytes' : 'items');
    if (format === 'plain') expect(last.total).toBe(entry.bytes);
    expect(result.events[result.events.length - 1]!.phase).toBe('done');
  });

  it('ran the tool the plan named, with the format-specific flags', () => {
    const { command } = result.record;
    if (format === 'plain') expect(command).toMatch(/psql .*-X -v ON_ERROR_STOP=1 --single-transaction/);
    else expect(command).toMatch(/pg_restore --verbose --exit-on-error/);
    if (restoreJobs > 1) expect(command).toContain(`-j ${restoreJobs}`);
  });
});

describe('a foreign dump without a manifest', () => {
  it('is described from pg_restore --list: versions, tables, functions, extensions, owners', async () => {
    const file = path.join(outDir, 'foreign.dump');
    const r = spawnSync(path.join(pg.binDir, 'pg_dump'), ['-Fc', '-f', file, pgUrl(pg, shopDb.database)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: file });
    expect(contents.manifest).toBeNull();
    expect(contents.format).toBe('custom');
    expect(contents.backupId).toBeNull();
    const version = spawnSync(path.join(pg.binDir, 'pg_dump'), ['--version'], { encoding: 'utf8' }).stdout;
    expect(version).toContain(contents.pgDumpVersion!);
    expect(contents.requiredMajor).toBe(Number(contents.pgDumpVersion!.split('.')[0]));
    expect(contents.serverVersion).toMatch(/^\d+\.\d+/);
    const names = contents.tables.map((t) => `${t.schema}.${t.name}`).sort();
    expect(names).toEqual(Object.keys(sourceCounts).sort());
    expect(contents.tables.every((t) => t.rows === null)).toBe(true);
    expect(contents.functions).toBeGreaterThanOrEqual(1);
    expect(contents.extensions).toContain('pg_stat_statements');
    expect(contents.roles).toContain(shopDb.role);
    expect(contents.objects.TABLE).toBe(names.length);
    expect(contents.warnings.join(' ')).toMatch(/No manifest/);
  });

  it('plans a restore whose command runs pg_restore of a major able to read it', async () => {
    const file = path.join(outDir, 'foreign.dump');
    const plan = await calls.ok<RestorePlan>('planRestore', {
      source: file,
      target: { kind: 'new-database', profileId: admin.id, database: uniqueDatabaseName('never_created') },
    });
    expect(plan.tool.name).toBe('pg_restore');
    expect(plan.tool.major).toBeGreaterThanOrEqual(plan.contents.requiredMajor!);
    expect(plan.target.exists).toBe(false);
    expect(plan.blocked).toBeNull();
    expect(plan.args[plan.args.length - 1]).toBe(file);
  });
});

describe('restoring as a role that may not create every extension of the dump', () => {
  it('leaves pg_stat_statements out (with a warning) and restores the rest', async () => {
    await withClient(pg, (c) => c.query(`ALTER ROLE ${quoteIdent(shopDb.role)} CREATEDB`));
    const entry = await backupAndWait(core, calls, { profileId: shop.id, outDir, format: 'custom' });
    const database = uniqueDatabaseName('restored_unprivileged');
    created.push(database);
    const options = { source: entry.id, target: { kind: 'new-database', profileId: shop.id, database } };
    const plan = await calls.ok<RestorePlan>('planRestore', options);
    expect(plan.warnings.join(' ')).toMatch(/pg_stat_statements.*left out/);
    expect(plan.args).toContain('-L');
    const { record } = await restoreAndWait(core, calls, options);
    expect(record.error).toBeNull();
    expect(record.validation?.ok).toBe(true);
    expect(await tableCounts(pg, database)).toEqual(sourceCounts);
  }, 60_000);
});
