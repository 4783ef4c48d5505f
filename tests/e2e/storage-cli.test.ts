// The built `ops-console storage-backup` as a user runs it: its own process, no terminal,
// the storage secret only in the environment; the --json fields cli.md fixes, exit codes
// 0 / 1, and the snapshot it names is on disk and verifies.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { json, runCli } from '../helpers/cli';
import { callsOn, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let home: string;

beforeAll(async () => {
  s3 = await startLocalS3(['designs']);
  const store = new ObjectStore(s3.config());
  for (let i = 0; i < 6; i++) await store.putBody('designs', `logo ${i}.png`, `logo ${i}`);
  store.destroy();
  const made = newTestCore('ops-storage-cli-');
  home = made.home;
  await callsOn(() => made.core).ok<Profile>('createProfile', {
    profile: {
      name: 'brand',
      host: 'h',
      database: 'postgres',
      user: 'postgres',
      env: 'staging',
      storage: { endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
    },
  });
  await made.core.close();
});
afterAll(async () => {
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ops-console storage-backup', () => {
  it('--json answers the contract fields; storage-snapshots verify agrees; without the secret it fails with exit 1', async () => {
    const refused = await runCli(home, ['storage-backup', 'brand', '--json']);
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ ok: false, error: { code: 'PASSWORD_REQUIRED' } });

    const run = await runCli(home, ['storage-backup', 'brand', '--bucket', 'designs', '--json'], { env: { OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY: S3_SECRET } });
    expect(run.code, run.stderr).toBe(0);
    const body = json(run);
    expect(body).toMatchObject({ ok: true, objects: 6, bytes: 36, changedObjects: 6 });
    for (const field of ['id', 'path', 'manifestPath', 'durationMs']) expect(body[field]).toBeDefined();
    expect(path.dirname(body.path as string)).toBe(path.join(home, 'storage-snapshots', 'brand'));
    expect(fs.existsSync(body.manifestPath as string)).toBe(true);
    expect(run.stdout).not.toContain(S3_SECRET);

    const verify = await runCli(home, ['storage-snapshots', 'verify', body.id as string, '--json']);
    expect(verify.code).toBe(0);
    expect(json(verify)).toMatchObject({ ok: true, objects: 6 });
  });
});
