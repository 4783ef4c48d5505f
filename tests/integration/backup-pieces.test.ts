// The backup pieces against the run's real PostgreSQL and this machine's real client
// tools: discovery finds pg_dump 15 and its version, the plan reads tables and sizes from
// a seeded shop database and refuses destinations that cannot be written, a real
// pg_dump archive passes pg_restore --list and hashes like the file while a cut copy
// fails, exact row counts equal count(*), and the catalog keeps what it is given.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backupOptionsSchema, type BackupManifest, type BackupOptionsInput, type ClientTool } from '../../src-main/contract/backup';
import { OpsError } from '../../src-main/contract/errors';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { BackupCatalog, INTERRUPTED_ERROR } from '../../src-main/core/backup/catalog';
import { clearClientToolsCache, discoverClientTools, pickTool, setClientToolPaths } from '../../src-main/core/platform/tools/client-tools';
import { countTableRows, manifestPathFor, writeManifest } from '../../src-main/core/backup/manifest';
import { prepareBackup } from '../../src-main/core/backup/plan';
import { verifyBackupEntry } from '../../src-main/core/backup/verify';
import { hashBackup, listArchive, plainDumpComplete } from '../../src-main/core/platform/tools/archive';
import { callsOn, newTestCore } from '../helpers/core';
import { clientConfig, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const run = promisify(execFile);
const server = inject('pg');
let core: Core;
let home: string;
let work: string;
let roMount: string | null = null;
let shopDb: ShopDatabase;
let shop: Profile;
const { ok } = callsOn(() => core);

function options(input: Partial<BackupOptionsInput> = {}) {
  return backupOptionsSchema.parse({ profileId: shop.id, outDir: path.join(work, 'out'), ...input });
}

async function rejection(p: Promise<unknown>): Promise<OpsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** pg_dump run directly (no shell) as the shop's owner, the way an operator would. */
async function pgDump(extra: string[]): Promise<void> {
  await run(path.join(server.binDir, 'pg_dump'), [...extra, '-h', server.host, '-p', String(server.port), '-U', shopDb.role, '-d', shopDb.database], {
    env: { ...process.env, PGPASSWORD: shopDb.password, LC_MESSAGES: 'C' },
  });
}

async function tool(name: ClientTool['name']): Promise<ClientTool> {
  return pickTool(await discoverClientTools(core.deps), name, 15, 'the test server');
}

/** What the database holds, read as the superuser. */
async function publicTables(): Promise<string[]> {
  return withClient(
    server,
    async (c) =>
      (await c.query<{ t: string }>("SELECT relname AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1")).rows.map(
        (r) => r.t,
      ),
    shopDb.database,
  );
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-backup-pieces-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-backup-work-'));
  shopDb = await createShopDatabase(server, 'backup_pieces');
  const input: Partial<ProfileInput> = {
    name: 'shop.eu',
    host: server.host,
    port: server.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await ok<Profile>('createProfile', { profile: input, password: shopDb.password });
}, 120_000);

afterAll(async () => {
  if (roMount) await run('umount', [roMount]).catch(() => undefined);
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('discoverClientTools', () => {
  it("finds this machine's pg_dump 15 (the real binary, not Debian's wrapper) with its version", async () => {
    clearClientToolsCache();
    const report = await discoverClientTools(core.deps);
    const realDump = fs.realpathSync(path.join(server.binDir, 'pg_dump'));
    const dump = report.tools.find((t) => t.path === realDump);
    expect(dump).toMatchObject({ name: 'pg_dump', major: 15, version: expect.stringMatching(/^pg_dump \(PostgreSQL\) 15\.\d+/) });
    for (const name of ['pg_dumpall', 'pg_restore', 'psql'] as const) expect(report.tools.some((t) => t.name === name && t.major === 15)).toBe(true);
    expect(report.tools.every((t) => path.basename(t.path) === t.name)).toBe(true);
    expect(new Set(report.tools.map((t) => t.path)).size).toBe(report.tools.length);
    expect(report.searched).toContain(path.resolve(server.binDir));
  });

  it('searches the folders set in Settings first and refuses folders that do not exist', async () => {
    const missing = path.join(work, 'no-such-folder');
    await expect(setClientToolPaths(core.deps, [missing])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(missing) });
    const file = path.join(work, 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(setClientToolPaths(core.deps, [file])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(file) });

    const report = await setClientToolPaths(core.deps, [server.binDir]);
    expect(report.extraPaths).toEqual([path.resolve(server.binDir)]);
    expect(report.searched[0]).toBe(path.resolve(server.binDir));
    expect(report.tools.find((t) => t.name === 'pg_dump' && t.major === 15)?.source).toBe('settings');
    const cleared = await setClientToolPaths(core.deps, []);
    expect(cleared.extraPaths).toEqual([]);
    expect(cleared.tools.find((t) => t.name === 'pg_dump' && t.major === 15)?.source).not.toBe('settings');
  });
});

describe('prepareBackup', () => {
  it('returns a plan with the tools, the exact command, the tables and their sizes', async () => {
    const at = new Date(2025, 0, 2, 3, 4, 5);
    const prepared = await prepareBackup(core.deps, shop, options({ password: shopDb.password }), at);
    const { plan } = prepared;
    expect(plan).toMatchObject({ profile: 'shop.eu', kind: 'full', format: 'custom', serverMajor: 15, tool: { name: 'pg_dump', major: 15 } });
    expect(plan.serverVersion).toMatch(/^15\.\d+/);
    expect(plan.path).toBe(path.join(work, 'out', 'shop.eu_full_20250102-030405.dump'));
    expect(plan.partialPath).toBe(`${plan.path}.partial`);
    expect(plan.args).toContain(plan.partialPath);
    expect(plan.args.slice(-8)).toEqual(['-h', server.host, '-p', String(server.port), '-U', shopDb.role, '-d', shopDb.database]);
    expect(plan.command.startsWith(plan.tool.path)).toBe(true);
    expect(`${plan.command} ${plan.args.join(' ')}`).not.toContain(shopDb.password);
    expect(prepared.password).toBe(shopDb.password);
    expect(prepared.endpoint).toEqual({ host: server.host, port: server.port });

    const names = prepared.tables.map((t) => `${t.schema}.${t.name}`).sort();
    expect(names).toEqual((await publicTables()).map((t) => `public.${t}`).sort());
    expect(names).toContain('public.orders');
    expect(prepared.tables.every((t) => t.bytes > 0)).toBe(true);
    expect(plan.tables).toBe(prepared.tables.length);
    expect(plan.totalBytes).toBe(prepared.tables.reduce((s, t) => s + t.bytes, 0));
    expect(fs.readdirSync(path.join(work, 'out'))).toEqual([]); // nothing written, not even the probe
  });

  it('follows the exclusions and takes the next free name when a backup of that second exists', async () => {
    const at = new Date(2025, 0, 2, 3, 4, 6);
    const first = await prepareBackup(core.deps, shop, options({ excludeTables: ['public.orders', 'public.order_items'] }), at);
    expect(first.tables.map((t) => t.name)).not.toContain('orders');
    expect(first.tables.map((t) => t.name)).not.toContain('order_items');
    fs.writeFileSync(first.plan.path, '');
    const second = await prepareBackup(core.deps, shop, options({ kind: 'schema', format: 'plain' }), at);
    expect(second.tables).toEqual([]);
    expect(second.plan.args).toContain('--schema-only');
    const third = await prepareBackup(core.deps, shop, options(), at);
    expect(third.plan.path).toBe(first.plan.path.replace(/\.dump$/, '-2.dump'));
    fs.rmSync(first.plan.path);
  });

  it('refuses option combinations pg_dump cannot honour', async () => {
    expect(await rejection(prepareBackup(core.deps, shop, options({ jobs: 4 })))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('directory format'),
    });
    // A roles backup is plain SQL: the default format means plain (issue #15 §6), another explicit one is refused.
    expect(await rejection(prepareBackup(core.deps, shop, options({ kind: 'roles', format: 'directory' })))).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await prepareBackup(core.deps, shop, options({ kind: 'roles' }))).plan.format).toBe('plain');
    const roles = await prepareBackup(core.deps, shop, options({ kind: 'roles', format: 'plain' }));
    expect(roles.plan.tool.name).toBe('pg_dumpall');
    expect(roles.plan.args).toEqual(expect.arrayContaining(['--roles-only', '--no-role-passwords']));
  });

  it('refuses a destination under a regular file', async () => {
    const file = path.join(work, 'plain-file');
    fs.writeFileSync(file, 'x');
    const err = await rejection(prepareBackup(core.deps, shop, options({ outDir: path.join(file, 'backups') })));
    expect(err.code).toBe('IO_FAILED');
    expect(err.message).toContain(path.join(file, 'backups'));
  });

  it('refuses a destination on a read-only file system (root is not stopped by chmod)', async () => {
    const dir = path.join(work, 'ro');
    fs.mkdirSync(dir);
    await run('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]);
    roMount = dir;
    const err = await rejection(prepareBackup(core.deps, shop, options({ outDir: dir })));
    expect(err.code).toBe('IO_FAILED');
    expect(err.message).toMatch(/read-only/);
    expect(err.message).toContain(dir);
  });
});

describe('a real pg_dump of the shop database', () => {
  let dump: string;

  beforeAll(async () => {
    dump = path.join(work, 'shop.dump');
    await pgDump(['-Fc', '-f', dump]);
  }, 60_000);

  it('passes pg_restore --list with its objects counted', async () => {
    const listed = await listArchive(await tool('pg_restore'), dump);
    const tables = await publicTables();
    expect(listed.tocEntries).toBeGreaterThan(tables.length * 2);
    expect(listed.objects.TABLE).toBe(tables.length);
    expect(listed.objects['TABLE DATA']).toBe(tables.length);
    expect(listed.toc).toContain('TABLE DATA public orders');
  });

  it('hashes like the file itself', async () => {
    const expected = crypto.createHash('sha256').update(fs.readFileSync(dump)).digest('hex');
    expect(await hashBackup(dump)).toEqual({ sha256: expected, bytes: fs.statSync(dump).size });
  });

  it('rejects a truncated copy', async () => {
    const cut = path.join(work, 'cut.dump');
    fs.writeFileSync(cut, fs.readFileSync(dump).subarray(0, 1024));
    const err = await rejection(listArchive(await tool('pg_restore'), cut));
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.message).toContain(cut);
    expect(JSON.stringify(err.detail)).toMatch(/pg_restore/);
    const empty = path.join(work, 'empty.dump');
    fs.writeFileSync(empty, '');
    expect((await rejection(listArchive(await tool('pg_restore'), empty))).code).toBe('BACKUP_FAILED');
  });

  it('reads a directory archive and hashes each of its files', async () => {
    const dir = path.join(work, 'shop.dir');
    await pgDump(['-Fd', '-j', '2', '-f', dir]);
    const listed = await listArchive(await tool('pg_restore'), dir);
    expect(listed.objects['TABLE DATA']).toBe((await publicTables()).length);
    const hashed = await hashBackup(dir);
    expect(hashed.files?.map((f) => f.name)).toContain('toc.dat');
    expect(hashed.bytes).toBe(fs.readdirSync(dir).reduce((s, n) => s + fs.statSync(path.join(dir, n)).size, 0));
  });

  it("recognises pg_dump's and pg_dumpall's completion markers in real plain output", async () => {
    const sql = path.join(work, 'shop.sql');
    await pgDump(['-Fp', '--schema-only', '-f', sql]);
    expect(await plainDumpComplete(sql)).toBe(true);
    fs.truncateSync(sql, fs.statSync(sql).size - 60);
    expect(await plainDumpComplete(sql)).toBe(false);
    const roles = path.join(work, 'roles.sql');
    await run(
      path.join(server.binDir, 'pg_dumpall'),
      ['--roles-only', '--no-role-passwords', '-f', roles, '-h', server.host, '-p', String(server.port), '-U', server.user, '-l', server.database],
      {
        env: { ...process.env, PGPASSWORD: server.password, LC_MESSAGES: 'C' },
      },
    );
    expect(await plainDumpComplete(roles)).toBe(true);
  });
});

describe('countTableRows', () => {
  it('counts exactly what count(*) says, and flags estimates for big tables', async () => {
    const prepared = await prepareBackup(core.deps, shop, options());
    const client = new pg.Client(clientConfig(server, shopDb.database));
    await client.connect();
    try {
      const counted = await countTableRows(client, prepared.tables);
      expect(counted.length).toBe(prepared.tables.length);
      for (const t of counted) {
        const real = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.schema}"."${t.name}"`);
        expect([t.name, t.rows, t.exact]).toEqual([t.name, Number(real.rows[0]!.n), true]);
      }
      expect(counted.find((t) => t.name === 'orders')!.rows).toBeGreaterThan(0);
      const estimated = await countTableRows(client, prepared.tables, 1);
      expect(estimated.every((t) => !t.exact)).toBe(true);
    } finally {
      await client.end();
    }
  });
});

describe('BackupCatalog', () => {
  function running(catalog: BackupCatalog, id: string, startedAt: string): void {
    catalog.insertRunning({
      id,
      profileId: shop.id,
      profileName: shop.name,
      kind: 'full',
      format: 'custom',
      path: `/b/${id}.dump`,
      startedAt,
      command: 'pg_dump -F c',
    });
  }

  it('keeps an entry from running to finished, verified and removed', () => {
    const catalog = new BackupCatalog(core.deps.store.db);
    running(catalog, 'cat-1', '2025-01-01T00:00:00.000Z');
    expect(catalog.get('cat-1')).toMatchObject({ status: 'running', error: null, bytes: null, manifest: null, verifiedOk: null });
    const manifest = {
      manifestVersion: 1,
      id: 'cat-1',
      sha256: 'abc',
      file: 'cat-1.dump',
      tables: [{ schema: 'public', name: 'orders', rows: 3, exact: true, bytes: 8192 }],
      objects: { TABLE: 1 },
    } as unknown as BackupManifest;
    catalog.finish('cat-1', {
      status: 'ok',
      bytes: 1234,
      sha256: 'abc',
      finishedAt: '2025-01-01T00:00:05.000Z',
      durationMs: 5000,
      manifest,
      path: '/b/final.dump',
    });
    catalog.finish('cat-1', { status: 'failed', finishedAt: '2025-01-01T00:00:06.000Z', durationMs: 6000, error: 'late' }); // first outcome wins
    expect(catalog.get('cat-1')).toMatchObject({ status: 'ok', bytes: 1234, sha256: 'abc', durationMs: 5000, path: '/b/final.dump', error: null, manifest });

    running(catalog, 'cat-2', '2025-01-02T00:00:00.000Z');
    catalog.finish('cat-2', {
      status: 'cancelled',
      finishedAt: '2025-01-02T00:00:01.000Z',
      durationMs: 1000,
      error: 'cancelled by tester\npg_dump: terminated',
    });
    expect(catalog.get('cat-2')).toMatchObject({ status: 'cancelled', error: 'cancelled by tester\npg_dump: terminated', sha256: null });
    expect(catalog.list({ profileId: shop.id, limit: 10 }).map((e) => e.id)).toEqual(['cat-2', 'cat-1']);
    expect(catalog.list({ profileId: 'other', limit: 10 })).toEqual([]);
    expect(catalog.list({ limit: 1 }).map((e) => e.id)).toEqual(['cat-2']);

    catalog.setVerified('cat-1', false, '2025-01-03T00:00:00.000Z');
    expect(catalog.get('cat-1')).toMatchObject({ verifiedAt: '2025-01-03T00:00:00.000Z', verifiedOk: false });
    catalog.remove('cat-1');
    catalog.remove('cat-2');
    expect(catalog.get('cat-1')).toBeNull();
    expect(() => catalog.finish('cat-1', { status: 'ok', finishedAt: 'x', durationMs: 1 })).toThrow(/No backup with id cat-1/);
  });

  it('markInterrupted fails rows left by a dead process and leaves those of a live one', async () => {
    const catalog = new BackupCatalog(core.deps.store.db);
    running(catalog, 'int-1', '2025-02-01T00:00:00.000Z');
    running(catalog, 'int-2', '2025-02-01T00:00:01.000Z');
    // int-2 as if another process on this machine (the desktop app) were running it.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    core.deps.store.db.prepare('UPDATE backups SET error = ? WHERE id = ?').run(`running-owner ${os.hostname()} ${other.pid}`, 'int-2');
    try {
      expect(catalog.markInterrupted()).toBe(1);
      expect(catalog.get('int-1')).toMatchObject({ status: 'failed', error: INTERRUPTED_ERROR });
      expect(catalog.get('int-1')?.finishedAt).not.toBeNull();
      expect(catalog.get('int-2')).toMatchObject({ status: 'running', error: null });
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    expect(catalog.markInterrupted()).toBe(1);
    expect(catalog.get('int-2')).toMatchObject({ status: 'failed', error: INTERRUPTED_ERROR });
    expect(catalog.markInterrupted()).toBe(0);
  });

  it('verifyBackupEntry passes a good backup and records a damaged one as failed', async () => {
    const catalog = new BackupCatalog(core.deps.store.db);
    const file = path.join(work, 'verify.dump');
    await pgDump(['-Fc', '-f', file]);
    const listed = await listArchive(await tool('pg_restore'), file);
    const hashed = await hashBackup(file);
    const manifest = {
      manifestVersion: 1,
      id: 'ver-1',
      pgDumpVersion: (await tool('pg_dump')).version,
      sha256: hashed.sha256,
      file: 'verify.dump',
      tables: [],
      objects: listed.objects,
      tocEntries: listed.tocEntries,
    } as unknown as BackupManifest;
    await writeManifest(manifestPathFor(file), manifest);
    catalog.insertRunning({
      id: 'ver-1',
      profileId: shop.id,
      profileName: shop.name,
      kind: 'full',
      format: 'custom',
      path: file,
      startedAt: new Date().toISOString(),
      command: 'pg_dump',
    });
    catalog.finish('ver-1', { status: 'ok', bytes: hashed.bytes, sha256: hashed.sha256, finishedAt: new Date().toISOString(), durationMs: 10, manifest });

    const good = await verifyBackupEntry(core.deps, catalog.get('ver-1')!);
    expect(good.checks.filter((c) => !c.ok)).toEqual([]);
    expect(good.ok).toBe(true);
    expect(good.checks.map((c) => c.name)).toEqual(['status', 'files exist', 'checksum', 'manifest', 'table of contents']);
    expect(catalog.get('ver-1')?.verifiedOk).toBe(true);

    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const bad = await verifyBackupEntry(core.deps, catalog.get('ver-1')!);
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => c.name === 'checksum')).toMatchObject({ ok: false });
    expect(catalog.get('ver-1')?.verifiedOk).toBe(false);
    catalog.remove('ver-1');
  });
});
