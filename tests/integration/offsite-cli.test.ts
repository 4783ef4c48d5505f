// The built ops-console against a real s3rver: `offsite add` (the secret from the
// environment, never argv), `backups copy ID --to DESTINATION --json` with cli.md's fixed
// fields and exit codes (0 copied or already there, 1 refused, 2 usage); a drill of the
// backup once its local file is gone shows the offsite download on stderr only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sha256sum } from '../helpers/backup';
import { json, runCli } from '../helpers/cli';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let home: string;
let outDir: string;
let shopDb: ShopDatabase;
let s3: LocalS3;
let backup: Record<string, unknown>;
const cli = (args: string[]) =>
  runCli(home, args, { env: { PGPASSWORD: shopDb.password, OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: s3.config().secretAccessKey } });

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-offsite-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-offsite-out-'));
  shopDb = await createShopDatabase(server, 'offsitecli');
  const url = `postgresql://${shopDb.role}@${server.host}:${server.port}/${shopDb.database}?sslmode=disable`;
  const add = await cli(['profile', 'add', 'shop', '--url', url, '--env', 'development', '--read-write', '--json']);
  expect(add.code, add.stderr).toBe(0);
  const run = await cli(['backup', 'shop', '--format', 'custom', '--out', outDir, '--json']);
  expect(run.code, run.stderr).toBe(0);
  backup = json(run);
  const c = s3.config();
  const dest = await cli([
    'offsite',
    'add',
    'vault',
    '--endpoint',
    c.endpoint,
    '--bucket',
    'offsite',
    '--prefix',
    'db',
    '--access-key-id',
    c.accessKeyId,
    '--json',
  ]);
  expect(dest.code, dest.stderr).toBe(0);
  expect(json(dest)).toMatchObject({ name: 'vault', bucket: 'offsite', prefix: 'db', hasSecret: true });
}, 120_000);

afterAll(async () => {
  await shopDb?.dispose();
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('ops-console backups copy', () => {
  it('copies, prints the fixed JSON fields, and the object is the backup byte for byte', async () => {
    const run = await cli(['backups', 'copy', String(backup.id), '--to', 'vault', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const r = json(run);
    expect(Object.keys(r).sort()).toEqual(
      ['backupId', 'bytes', 'destination', 'durationMs', 'encrypted', 'id', 'key', 'keyId', 'ok', 'sha256', 'verified'].sort(),
    );
    expect(r).toMatchObject({
      ok: true,
      backupId: backup.id,
      destination: 'vault',
      sha256: backup.sha256,
      bytes: backup.bytes,
      encrypted: false,
      keyId: null,
      verified: true,
    });
    expect(r.key).toBe(`db/shop/${path.basename(String(backup.path))}`);
    const downloaded = path.join(outDir, 'back.dump');
    const { ObjectStore } = await import('../../src-main/core/platform/objectstore');
    const store = new ObjectStore(s3.config());
    await store.download('offsite', String(r.key), downloaded);
    store.destroy();
    expect(sha256sum(downloaded)).toBe(backup.sha256);

    const again = await cli(['backups', 'copy', String(backup.id), '--to', 'vault', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ ok: true, id: r.id, key: r.key });
  });

  it('exits 1 for an unknown destination and 2 without --to', async () => {
    const unknown = await cli(['backups', 'copy', String(backup.id), '--to', 'nowhere', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout + unknown.stderr).toContain('nowhere');
    const usage = await cli(['backups', 'copy', String(backup.id)]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--to');
  });
});

describe('ops-console backups prune', () => {
  it('exits 1 when the destination has no retention policy and 2 without --destination', async () => {
    const none = await cli(['backups', 'prune', '--destination', 'vault', '--dry-run', '--json']);
    expect(none.code).toBe(1);
    expect(none.stdout + none.stderr).toContain('no retention policy');
    const usage = await cli(['backups', 'prune', '--dry-run']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--destination');
  });
});

describe('ops-console offsite retention', () => {
  it('sets the policy that backups prune then applies, clears it with --none, and refuses bad counts', async () => {
    const set = await cli(['offsite', 'retention', 'vault', '--keep-last', '3', '--keep-daily', '7', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ name: 'vault', retention: { keepLast: 3, keepDaily: 7, keepWeekly: 0, keepMonthly: 0 } });
    const preview = await cli(['backups', 'prune', '--destination', 'vault', '--dry-run', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).not.toContain('no retention policy');
    expect((await cli(['offsite', 'retention', 'vault', '--keep-last', 'many'])).code).toBe(2);
    expect((await cli(['offsite', 'retention', 'vault'])).code).toBe(2);
    const cleared = await cli(['offsite', 'retention', 'vault', '--none', '--json']);
    expect(JSON.parse(cleared.stdout)).toEqual({ name: 'vault', retention: null });
    expect((await cli(['backups', 'prune', '--destination', 'vault', '--dry-run'])).code).toBe(1);
  });
});

describe('ops-console drill of a backup that lives only offsite', () => {
  it('fetches it back with its download progress on stderr, one JSON document on stdout', async () => {
    fs.rmSync(String(backup.path), { force: true });
    const run = await cli(['drill', String(backup.id), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ ok: true, backupId: backup.id });
    expect(run.stdout).not.toContain('downloading from offsite');
    // No terminal here: a line every few seconds and the last one, which shows the whole copy.
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('downloading from offsite '));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatch(/ETA 0 s$/);
  }, 180_000);
});

describe('ops-console backup --offsite', () => {
  it("writes the dump straight offsite: backup's JSON fields with path the object's s3:// URL, plus offsite; exit 2 with --out, 1 for directory", async () => {
    const run = await cli(['backup', 'shop', '--offsite', 'vault', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const r = json(run);
    for (const field of ['ok', 'id', 'path', 'manifestPath', 'kind', 'format', 'bytes', 'sha256', 'manifest', 'durationMs', 'pgDumpVersion', 'serverVersion'])
      expect(r).toHaveProperty(field);
    expect(r).toMatchObject({
      ok: true,
      kind: 'full',
      format: 'custom',
      offsite: { destination: 'vault', bucket: 'offsite', encrypted: false, verified: true },
    });
    const key = (r.offsite as { key: string }).key;
    expect(key).toMatch(/^db\/shop\/.+\.dump$/);
    expect(r.path).toBe(`s3://offsite/${key}`);
    expect(r.manifestPath).toBe(`s3://offsite/${key}.manifest.json`);
    const { ObjectStore } = await import('../../src-main/core/platform/objectstore');
    const store = new ObjectStore(s3.config());
    try {
      expect(await store.head('offsite', key)).not.toBeNull();
    } finally {
      store.destroy();
    }
    const listed = json(await cli(['backups', 'list', '--json'])) as { backups: Array<{ id: string; status: string; verified: boolean }> };
    expect(listed.backups.find((b) => b.id === r.id)).toMatchObject({ status: 'ok', verified: true });

    expect((await cli(['backup', 'shop', '--offsite', 'vault', '--out', outDir])).code).toBe(2);
    const dir = await cli(['backup', 'shop', '--offsite', 'vault', '--format', 'directory', '--json']);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain('directory');
  }, 120_000);
});
