// Backups through core.dispatch against the run's real PostgreSQL, on a shop database seeded
// like the sandbox plus one bulk table (so the dump lasts long enough to see progress):
// custom format verified with pg_restore --list, checksum and row counts against the
// server; a plain schema-only dump that restores cleanly with psql; a parallel directory dump.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry, BackupPlan } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { auditOf, filesIn, followJob, sha256sum } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, pgUrl, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shop: Profile;
let shopDb: ShopDatabase;
const { ok, fail } = callsOn(() => core);
/** What "Show in folder" asked the (desktop-like) shell to show. */
const revealed: string[] = [];

type Started = { backupId: string; jobId: string; plan: BackupPlan };

async function backup(options: Record<string, unknown>): Promise<{ entry: BackupEntry; started: Started; events: ReturnType<typeof followJob>['events'] }> {
  const jobId = crypto.randomUUID();
  const job = followJob(core, jobId);
  const started = await ok<Started>('startBackup', { profileId: shop.id, outDir, jobId, ...options });
  const end = await job.done;
  const entry = await ok<BackupEntry>('getBackup', { id: started.backupId });
  if (!end.ok) throw new Error(`backup failed: ${entry.error ?? end.message}`);
  return { entry, started, events: job.events };
}

function pgTool(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(path.join(pg.binDir, name), args, { encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-backup-run-', { revealPath: async (target) => (revealed.push(target), true) }));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-backup-out-'));
  shopDb = await createShopDatabase(pg, 'backuprun', async (c) => {
    // ~25 MB of rows that do not compress to nothing: a dump of a couple of seconds.
    await c.query(`CREATE TABLE bulk_events AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, 300000) g`);
    await c.query('ANALYZE');
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
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('custom format backup', () => {
  let result: Awaited<ReturnType<typeof backup>>;
  beforeAll(async () => {
    result = await backup({ format: 'custom' });
  }, 60_000);

  it('is a file pg_restore --list accepts, named <profile>_full_<stamp>.dump, with no .partial left', () => {
    const { entry } = result;
    expect(entry.status).toBe('ok');
    expect(path.basename(entry.path)).toMatch(/^shop_full_\d{8}-\d{6}\.dump$/);
    const listed = pgTool('pg_restore', ['--list', entry.path]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/TABLE DATA public bulk_events/);
    expect(filesIn(outDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('has the sha256 and size the manifest (beside it and in the catalog) records', () => {
    const { entry } = result;
    const onDisk = JSON.parse(fs.readFileSync(`${entry.path}.manifest.json`, 'utf8')) as NonNullable<BackupEntry['manifest']>;
    expect(sha256sum(entry.path)).toBe(onDisk.sha256);
    expect(entry.sha256).toBe(onDisk.sha256);
    expect(onDisk.bytes).toBe(fs.statSync(entry.path).size);
    expect(onDisk).toEqual(entry.manifest);
    expect(onDisk.file).toBe(path.basename(entry.path));
    expect(onDisk.serverVersion).toMatch(/^15\./);
    expect(onDisk.pgDumpVersion).toMatch(/pg_dump \(PostgreSQL\) 15\./);
    expect(onDisk.tocEntries).toBeGreaterThan(10);
    expect(onDisk.options).not.toHaveProperty('password');
  });

  it('records row counts equal to count(*) of every table', async () => {
    const tables = result.entry.manifest!.tables;
    const truth = await withClient(
      pg,
      async (c) => {
        const names = await c.query<{ schema: string; name: string }>(
          `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
        );
        const out: Array<{ schema: string; name: string; rows: number }> = [];
        for (const t of names.rows) {
          const n = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`);
          out.push({ ...t, rows: Number(n.rows[0]!.n) });
        }
        return out;
      },
      shopDb.database,
    );
    expect(truth.find((t) => t.name === 'bulk_events')?.rows).toBe(300000);
    expect(
      tables.map((t) => ({ schema: t.schema, name: t.name, rows: t.rows })).sort((a, b) => `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`)),
    ).toEqual(truth.sort((a, b) => `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`)));
    expect(tables.every((t) => t.exact)).toBe(true);
  });

  it('pushed progress at least once a second, ending at 100%', () => {
    const { events } = result;
    expect(events[0]?.phase).toBe('preparing');
    expect(events.some((e) => e.phase === 'dumping' && e.percent !== null && e.percent > 0 && e.percent < 100)).toBe(true);
    const gaps = events.slice(1).map((e, i) => e.at - events[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1100);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', percent: 100, tablesDone: last.tablesTotal });
    expect(last.tablesTotal).toBeGreaterThan(1);
    // Percentages never go backwards while dumping.
    const percents = events.filter((e) => e.percent !== null).map((e) => e.percent!);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('agrees with the audit trail: one completed backup.run entry naming the checksum', () => {
    const { entry, started } = result;
    const runs = auditOf(core, 'backup.run').filter((a) => a.detail === started.plan.command);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'ok', profile: 'shop' });
    expect(runs[0]!.summary).toContain(entry.sha256!.slice(0, 12));
    expect(runs[0]!.detail).not.toContain(shopDb.password);
  });

  it('is shown in its folder through the shell the core was given, and a missing file says so', async () => {
    expect(await ok('revealBackup', { id: result.entry.id })).toEqual({ revealed: true, path: result.entry.path });
    expect(revealed).toEqual([result.entry.path]);
    expect((await fail('revealBackup', { id: 'no-such-backup' })).code).toBe('NOT_FOUND');
  });

  it('is listed in the catalog and re-verifies', async () => {
    const { backups } = await ok<{ backups: BackupEntry[] }>('listBackups', { profileId: shop.id });
    expect(backups.find((b) => b.id === result.entry.id)).toMatchObject({ status: 'ok', sha256: result.entry.sha256 });
    const verified = await ok<{ ok: boolean; checks: Array<{ name: string; ok: boolean }> }>('verifyBackup', { id: result.entry.id });
    expect(verified.ok).toBe(true);
  });
});

describe('plain schema-only backup', () => {
  it('restores into an empty database with psql -v ON_ERROR_STOP=1 without errors', async () => {
    const { entry } = await backup({ kind: 'schema', format: 'plain' });
    expect(path.basename(entry.path)).toMatch(/^shop_schema_\d{8}-\d{6}\.sql$/);
    expect(entry.manifest?.tables).toEqual([]);
    const target = await createTestDatabase(pg, uniqueDatabaseName('backup_restore'));
    try {
      const restored = pgTool('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', entry.path, pgUrl(pg, target)]);
      expect(restored.status, restored.stderr).toBe(0);
      expect(restored.stderr).not.toMatch(/ERROR/);
      const tables = await withClient(
        pg,
        async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n as number,
        target,
      );
      const source = await withClient(
        pg,
        async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n as number,
        shopDb.database,
      );
      expect(tables).toBe(source);
      const rows = await withClient(pg, async (c) => (await c.query('SELECT count(*)::int AS n FROM bulk_events')).rows[0].n as number, target);
      expect(rows).toBe(0);
    } finally {
      await dropTestDatabase(pg, target);
    }
  }, 60_000);
});

describe('directory format with --jobs 2', () => {
  it('writes a folder pg_restore --list accepts, hashed file by file in the manifest', async () => {
    const { entry, started } = await backup({ format: 'directory', jobs: 2 });
    expect(started.plan.args).toEqual(expect.arrayContaining(['-j', '2']));
    expect(fs.statSync(entry.path).isDirectory()).toBe(true);
    expect(pgTool('pg_restore', ['--list', entry.path]).status).toBe(0);
    const files = entry.manifest!.files!;
    expect(files.map((f) => f.name).sort()).toEqual(fs.readdirSync(entry.path).sort());
    for (const f of files) expect(sha256sum(path.join(entry.path, f.name))).toBe(f.sha256);
    expect(execFileSync('ls', [outDir], { encoding: 'utf8' })).not.toContain('.partial');
  }, 60_000);
});

/** A full custom backup of `database` on the run's server, as its superuser. */
async function backupOfDatabase(database: string, profileName: string): Promise<{ entry: BackupEntry; ok: boolean; message: string }> {
  const input: Partial<ProfileInput> = {
    name: profileName,
    host: pg.host,
    port: pg.port,
    database,
    user: pg.user,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  const profile = await ok<Profile>('createProfile', { profile: input, password: pg.password });
  const jobId = crypto.randomUUID();
  const job = followJob(core, jobId);
  const started = await ok<Started>('startBackup', { profileId: profile.id, outDir, jobId });
  const end = await job.done;
  return { entry: await ok<BackupEntry>('getBackup', { id: started.backupId }), ...end };
}

describe('a database whose name libpq could take for a connection string', () => {
  it('is dumped by its name, not parsed as "key=value" settings', async () => {
    const name = `${uniqueDatabaseName('odd')}=x'y`;
    await createTestDatabase(pg, name);
    try {
      await withClient(pg, (c) => c.query('CREATE TABLE marker (id int); INSERT INTO marker VALUES (1), (2)'), name);
      const { entry, ok: done, message } = await backupOfDatabase(name, 'odd-name');
      expect(done, entry.error ?? message).toBe(true);
      expect(entry.manifest!.tables.map((t) => [t.name, t.rows])).toEqual([['marker', 2]]);
      expect(pgTool('pg_restore', ['--list', entry.path]).stdout).toContain('TABLE public marker');
    } finally {
      await dropTestDatabase(pg, name);
    }
  }, 60_000);
});

describe('an empty database', () => {
  it('backs up to an archive with a header and no entries, which is still a good backup', async () => {
    const name = await createTestDatabase(pg, uniqueDatabaseName('empty'));
    try {
      const { entry, ok: done, message } = await backupOfDatabase(name, 'empty-db');
      expect(done, entry.error ?? message).toBe(true);
      expect(entry.manifest!.tables).toEqual([]);
      expect(entry.manifest!.tocEntries).toBe(0);
      expect(pgTool('pg_restore', ['--list', entry.path]).status).toBe(0);
    } finally {
      await dropTestDatabase(pg, name);
    }
  }, 60_000);
});
