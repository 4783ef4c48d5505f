// `ops-console profile add|edit --storage-*`, `profile show` and `profile test-storage` as a
// user runs them (the built CLI, its own process, no terminal) against a real S3 server on
// loopback: the secret only ever through OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let home: string;
const SECRET_ENV = { OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY: S3_SECRET };

beforeAll(async () => {
  s3 = await startLocalS3(['assets', 'avatars']);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-storage-cli-'));
});
afterAll(async () => {
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('profile storage on the command line', () => {
  it('adds a profile with a storage connection, shows it without the secret, and tests it', async () => {
    const add = await runCli(home, [
      'profile',
      'add',
      'shop',
      '--url',
      'postgresql://postgres@db.abcdefghijklmnop.supabase.co:5432/postgres',
      '--storage-endpoint',
      s3.endpoint,
      '--storage-region',
      'eu-west-2',
      '--storage-access-key-id',
      S3_KEY_ID,
      '--json',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(json(add)).toMatchObject({ ok: true, storage: { endpoint: s3.endpoint, region: 'eu-west-2', accessKeyId: S3_KEY_ID, forcePathStyle: true } });

    const show = await runCli(home, ['profile', 'show', 'shop', '--json']);
    expect(show.code).toBe(0);
    expect(json(show)).toMatchObject({ storage: { endpoint: s3.endpoint, accessKeyId: S3_KEY_ID }, hasStorageSecret: false });

    const tested = await runCli(home, ['profile', 'test-storage', 'shop', '--json'], { env: SECRET_ENV });
    expect(tested.code, tested.stderr).toBe(0);
    const result = json(tested);
    expect(result).toMatchObject({ ok: true, endpoint: s3.endpoint });
    expect([...(result.buckets as string[])].sort()).toEqual(['assets', 'avatars']);

    const human = await runCli(home, ['profile', 'test-storage', 'shop'], { env: SECRET_ENV });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Storage OK');
    expect(human.stdout).toMatch(/Buckets: (assets, avatars|avatars, assets)/);

    // Without the variable and without a terminal: a clear error naming it, exit 1, no hang.
    const missing = await runCli(home, ['profile', 'test-storage', 'shop', '--json'], { env: { OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY: '' } });
    expect(missing.code).toBe(1);
    expect(json(missing)).toMatchObject({ ok: false, error: { code: 'PASSWORD_REQUIRED' } });
    expect(missing.stderr).toContain('OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY');

    const audit = await runCli(home, ['audit', 'list', '--action', 'storage.test', '--json']);
    const entries = json(audit).entries as Array<{ outcome: string; summary: string }>;
    expect(entries.map((e) => e.outcome).sort()).toEqual(['error', 'ok', 'ok']);
  });

  it('edits the connection (a Supabase URL prefills the endpoint), refuses a secret-shaped endpoint, fails auth by name', async () => {
    const add = await runCli(home, [
      'profile',
      'add',
      'pooled',
      '--url',
      'postgresql://postgres.qwertyuiopasdfgh@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
      '--storage-access-key-id',
      'abc123',
      '--json',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(json(add)).toMatchObject({
      storage: { endpoint: 'https://qwertyuiopasdfgh.supabase.co/storage/v1/s3', region: 'eu-central-1', accessKeyId: 'abc123' },
    });

    const badEndpoint = await runCli(home, ['profile', 'edit', 'pooled', '--storage-endpoint', 'https://id:key@x.example/s3', '--storage-access-key-id', 'k']);
    expect(badEndpoint.code).toBe(1);
    expect(badEndpoint.stderr).toContain('storage.endpoint');
    expect(badEndpoint.stderr).not.toContain('id:key');
    expect((await runCli(home, ['profile', 'edit', 'pooled'])).code).toBe(2);

    const edit = await runCli(home, ['profile', 'edit', 'pooled', '--storage-endpoint', s3.endpoint, '--storage-access-key-id', 'NOT-A-KEY', '--json']);
    expect(edit.code, edit.stderr).toBe(0);
    expect(json(edit)).toMatchObject({ ok: true, storage: { endpoint: s3.endpoint, accessKeyId: 'NOT-A-KEY', region: 'us-east-1' } });

    const secret = 'cli-secret-that-must-not-leak';
    const auth = await runCli(home, ['profile', 'test-storage', 'pooled', '--json'], { env: { OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY: secret } });
    expect(auth.code).toBe(1);
    expect(json(auth)).toMatchObject({ ok: false, error: { code: 'STORAGE_FAILED' } });
    expect(auth.stdout + auth.stderr).toContain(s3.endpoint);
    expect(auth.stdout + auth.stderr).not.toContain(secret);
    const audit = await runCli(home, ['audit', 'list', '--json']);
    expect(audit.stdout).not.toContain(secret);

    const dropped = await runCli(home, ['profile', 'edit', 'pooled', '--no-storage', '--json']);
    expect(json(dropped)).toMatchObject({ ok: true, storage: null, hasStorageSecret: false });
    const none = await runCli(home, ['profile', 'test-storage', 'pooled'], { env: SECRET_ENV });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no storage connection');
  });
});
