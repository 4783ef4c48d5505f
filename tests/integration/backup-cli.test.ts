// `ops-console backup`, `backups list` and `backups verify` through the built CLI (build
// first): the acceptance check (a custom backup whose file passes pg_restore --list, whose
// sha256 and row counts match its manifest), the toolkit's pre-operation marker, Ctrl-C
// cancelling, a tampered file failing verification, and usage errors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupManifest } from '../../src-main/contract/backup';
import { dumpWaitsOnLock, filesIn, holdLock, sha256sum, waitFor } from '../helpers/backup';
import { json, runCli, startCli } from '../helpers/cli';
import { withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let home: string;
let outDir: string;
let shopDb: ShopDatabase;
const cli = (args: string[]) => runCli(home, args, { env: { PGPASSWORD: shopDb.password } });

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-backup-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-backup-out-'));
  shopDb = await createShopDatabase(server, 'backupcli', (c) => c.query('CREATE TABLE lock_probe (id int) PARTITION BY RANGE (id)').then(() => undefined));
  const url = `postgresql://${shopDb.role}@${server.host}:${server.port}/${shopDb.database}?sslmode=disable`;
  const add = await cli(['profile', 'add', 'shop', '--url', url, '--env', 'development', '--read-write', '--json']);
  expect(add.code, add.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('ops-console backup', () => {
  let result: Record<string, unknown>;

  beforeAll(async () => {
    const installed = await cli(['toolkit', 'install', 'shop', '--yes', '--json']);
    expect(installed.code, installed.stderr).toBe(0);
    const run = await cli(['backup', 'shop', '--format', 'custom', '--out', outDir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    result = json(run);
  }, 60_000);

  it('returns the fixed JSON fields and a file that passes pg_restore --list', () => {
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining([
        'ok',
        'id',
        'path',
        'kind',
        'format',
        'bytes',
        'sha256',
        'manifest',
        'durationMs',
        'pgDumpVersion',
        'serverVersion',
        'manifestPath',
      ]),
    );
    expect(result).toMatchObject({ ok: true, kind: 'full', format: 'custom' });
    const file = String(result.path);
    expect(path.dirname(file)).toBe(outDir);
    const listed = spawnSync(path.join(server.binDir, 'pg_restore'), ['--list', file], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
  });

  it('has the manifest’s sha256, and its row counts equal count(*) of each table', async () => {
    const manifest = JSON.parse(fs.readFileSync(String(result.manifestPath), 'utf8')) as BackupManifest;
    expect(manifest).toEqual(result.manifest);
    expect(sha256sum(String(result.path))).toBe(manifest.sha256);
    expect(result.sha256).toBe(manifest.sha256);
    expect(manifest.tables.length).toBeGreaterThan(3);
    await withClient(
      server,
      async (c) => {
        for (const t of manifest.tables) {
          const n = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.schema.replace(/"/g, '""')}"."${t.name.replace(/"/g, '""')}"`);
          expect({ table: `${t.schema}.${t.name}`, rows: t.rows }).toEqual({ table: `${t.schema}.${t.name}`, rows: Number(n.rows[0]!.n) });
        }
      },
      shopDb.database,
    );
  });

  it('recorded the toolkit’s pre-operation marker in the manifest', async () => {
    const manifest = result.manifest as BackupManifest;
    expect(manifest.preOperationMarker?.id).toMatch(/^\d+$/);
    const row = await withClient(
      server,
      async (c) =>
        (await c.query('SELECT backup_type FROM ops_toolkit.backup_metadata WHERE id = $1', [manifest.preOperationMarker!.id])).rows[0] as
          { backup_type: string } | undefined,
      shopDb.database,
    );
    expect(row?.backup_type).toBe('pre_operation');
  });

  it('backups list shows it; backups verify passes, then fails once the file is altered', async () => {
    const list = json(await cli(['backups', 'list', '--json'])) as { backups: Array<Record<string, unknown>> };
    const listed = list.backups.find((b) => b.id === result.id);
    expect(listed).toMatchObject({ profile: 'shop', path: result.path, kind: 'full', format: 'custom', bytes: result.bytes, status: 'ok' });
    expect(Object.keys(listed!)).toEqual(expect.arrayContaining(['id', 'profile', 'path', 'kind', 'format', 'bytes', 'status', 'verified', 'createdAt']));

    const good = await cli(['backups', 'verify', String(result.id), '--json']);
    expect(good.code, good.stderr).toBe(0);
    expect(json(good)).toMatchObject({ ok: true });

    fs.appendFileSync(String(result.path), 'x');
    const bad = await cli(['backups', 'verify', String(result.id), '--json']);
    expect(bad.code).toBe(1);
    const verdict = json(bad) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(verdict.ok).toBe(false);
    expect(verdict.checks.some((c) => !c.ok)).toBe(true);
    expect(bad.stderr).toMatch(/^error: /m);
  });

  it('Ctrl-C cancels: exit 1 with CANCELLED, nothing left in the folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-backup-cancel-'));
    const lock = await holdLock(server, shopDb.database, 'lock_probe');
    try {
      const { child, done } = startCli(home, ['backup', 'shop', '--out', dir, '--json'], { env: { PGPASSWORD: shopDb.password } });
      await waitFor('pg_dump to wait for the lock', () => dumpWaitsOnLock(server, shopDb.database));
      child.kill('SIGINT');
      const run = await done;
      expect(run.code).toBe(1);
      expect(json(run)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      expect(filesIn(dir)).toEqual([]);
    } finally {
      await lock.release();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['backup', 'shop', '--jobs', '2'])).code).toBe(2);
    expect((await cli(['backup', 'shop', '--format', 'tar'])).code).toBe(2);
    expect((await cli(['backups', 'verify'])).code).toBe(2);
  });
});
