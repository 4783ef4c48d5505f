// The built ops-console and an encrypting destination: `offsite add --encrypt` prints the
// generated key once with its warning, and `backups copy` in a later run needs that key in
// OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY (exit 1 without it, or with another key; 0 with it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatKey, generateKey } from '../../src-main/core/platform/crypto';
import { json, runCli } from '../helpers/cli';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let home: string;
let outDir: string;
let shopDb: ShopDatabase;
let s3: LocalS3;
let backup: Record<string, unknown>;
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(home, args, { env: { PGPASSWORD: shopDb.password, OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: s3.config().secretAccessKey, ...env } });

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-offsite-enc-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-offsite-enc-out-'));
  shopDb = await createShopDatabase(server, 'offsiteenccli');
  const url = `postgresql://${shopDb.role}@${server.host}:${server.port}/${shopDb.database}?sslmode=disable`;
  const add = await cli(['profile', 'add', 'shop', '--url', url, '--env', 'development', '--read-write', '--json']);
  expect(add.code, add.stderr).toBe(0);
  const run = await cli(['backup', 'shop', '--format', 'custom', '--out', outDir, '--json']);
  expect(run.code, run.stderr).toBe(0);
  backup = json(run);
}, 120_000);

afterAll(async () => {
  await shopDb?.dispose();
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('ops-console offsite add --encrypt', () => {
  it('prints the key once with the warning; copies need it in OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY', async () => {
    const c = s3.config();
    const add = await cli(['offsite', 'add', 'vault', '--endpoint', c.endpoint, '--bucket', 'offsite', '--access-key-id', c.accessKeyId, '--encrypt']);
    expect(add.code, add.stderr).toBe(0);
    const key = /encryption key \(shown once\): (ock1_[A-Za-z0-9_-]{43})/.exec(add.stdout)?.[1];
    expect(key, add.stdout).toBeDefined();
    expect(add.stdout).toContain('Lose this key and every encrypted copy');
    expect(add.stdout).toContain('password manager');
    expect(add.stdout).toContain('OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY');

    const list = await cli(['offsite', 'list', '--json']);
    expect(list.stdout).not.toContain(key!);
    expect(json(list)).toMatchObject({ destinations: [{ name: 'vault', encrypt: true, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) }] });

    const without = await cli(['backups', 'copy', String(backup.id), '--to', 'vault', '--json']);
    expect(without.code).toBe(1);
    expect(without.stdout + without.stderr).toContain('OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY');
    const wrong = await cli(['backups', 'copy', String(backup.id), '--to', 'vault', '--json'], {
      OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: formatKey(generateKey()),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).toContain('DECRYPT_FAILED');

    const copied = await cli(['backups', 'copy', String(backup.id), '--to', 'vault', '--json'], { OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: key! });
    expect(copied.code, copied.stderr).toBe(0);
    expect(json(copied)).toMatchObject({ ok: true, encrypted: true, sha256: backup.sha256, verified: true, key: expect.stringMatching(/\.enc$/) });
    expect(copied.stdout + copied.stderr).not.toContain(key!);
  });
});
