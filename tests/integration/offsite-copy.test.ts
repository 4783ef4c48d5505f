// Offsite copies through core.dispatch against a real s3rver on loopback and a real backup of
// the run's PostgreSQL: destinations (secrets in, never out), the test probe and its errors
// naming the endpoint, a multipart copy verified by reading it back, "already there", and an
// existing object never replaced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { BackupCopy, CopyResult, DestinationTestResult, OffsiteDestination, PruneResult } from '../../src-main/contract/offsite';
import type { Core } from '../../src-main/core/app';
import { CopyRepo } from '../../src-main/core/offsite/copies';
import { copyBackup } from '../../src-main/core/offsite/copy';
import { DestinationRepo } from '../../src-main/core/offsite/destinations';
import { planRetention } from '../../src-main/core/offsite/retention';
import { OffsiteSecrets } from '../../src-main/core/offsite/secrets';
import { ObjectStore, type MultipartState } from '../../src-main/core/platform/objectstore';
import { auditOf, sha256sum } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { multipartSizedBackup } from '../helpers/offsite';
import type { ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
/** s3rver does not check secrets (tests/helpers/s3.ts), so a recognisable one proves none leaks. */
const SECRET = 'offsite-secret-7f3a9c51';
let core: Core;
let home: string;
let outDir: string;
let s3: LocalS3;
let shopDb: ShopDatabase;
let entry: BackupEntry;
let dest: OffsiteDestination;
const calls = callsOn(() => core);
const { ok, fail } = calls;

function destinationInput(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const c = s3.config();
  return {
    name,
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: 'ops/',
    accessKeyId: c.accessKeyId,
    secretAccessKey: SECRET,
    ...overrides,
  };
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite', 'other']);
  ({ core, home } = newTestCore('ops-offsite-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-offsite-out-'));
  ({ shopDb, entry } = await multipartSizedBackup(core, calls, pg, { prefix: 'offsitecopy', profileName: 'shop.one', rows: 40000, outDir }));
  dest = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('offsite-a'));
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('offsite destinations', () => {
  it('keep their settings, normalised, and never give the secret back', async () => {
    expect(dest).toMatchObject({
      name: 'offsite-a',
      endpoint: s3.endpoint.replace(/\/+$/, ''),
      bucket: 'offsite',
      prefix: 'ops',
      encrypt: false,
      keyId: null,
      hasSecret: true,
    });
    expect(JSON.stringify(await ok('listOffsiteDestinations', {}))).not.toContain(SECRET);
    expect(await ok<OffsiteDestination>('getOffsiteDestination', { id: 'offsite-a' })).toEqual(dest);
    expect((await fail('createOffsiteDestination', destinationInput('offsite-a'))).code).toBe('CONFLICT');
    const store = core.deps.store.db.prepare('SELECT * FROM offsite_destinations').all();
    expect(JSON.stringify(store)).not.toContain(SECRET);
    const audited = auditOf(core, 'offsite.destination.create');
    expect(audited.map((e) => e.summary)).toContain(`offsite destination offsite-a: ${dest.endpoint} bucket offsite prefix ops`);
    expect(JSON.stringify(audited)).not.toContain(SECRET);
  });

  it('test: HeadBucket then a probe written and deleted; an unknown key id or a missing bucket names the endpoint', async () => {
    const tested = await ok<DestinationTestResult>('testOffsiteDestination', { id: dest.id });
    expect(tested).toMatchObject({ ok: true, bucket: 'offsite' });
    const store = new ObjectStore(s3.config());
    expect(await store.head('offsite', tested.probeKey)).toBeNull();
    store.destroy();

    const badKey = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('bad-key', { accessKeyId: 'AKIDUNKNOWN0000' }));
    const auth = await fail('testOffsiteDestination', { id: badKey.id });
    expect(auth.code).toBe('STORAGE_FAILED');
    expect(auth.detail).toMatchObject({ reason: 'auth', endpoint: dest.endpoint });
    expect(auth.message).toContain(dest.endpoint);

    const noBucket = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('no-bucket', { bucket: 'nothing-here' }));
    const missing = await fail('testOffsiteDestination', { id: noBucket.id });
    expect(missing.code).toBe('STORAGE_FAILED');
    expect(missing.detail).toMatchObject({ reason: 'no-bucket', endpoint: dest.endpoint, bucket: 'nothing-here' });

    const noSecret = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('no-secret', { secretAccessKey: undefined }));
    expect(noSecret.hasSecret).toBe(false);
    expect((await fail('testOffsiteDestination', { id: noSecret.id })).code).toBe('PASSWORD_REQUIRED');
    await ok('deleteOffsiteDestination', { id: 'no-secret' });
    expect((await fail('getOffsiteDestination', { id: 'no-secret' })).code).toBe('NOT_FOUND');
  });
});

describe('copying a backup offsite', () => {
  let copy: CopyResult;
  beforeAll(async () => {
    copy = await ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: 'offsite-a' });
  }, 60_000);

  it('uploads <prefix>/<profile>/<file> multipart, reads it back and records it verified', async () => {
    const file = path.basename(entry.path);
    expect(entry.bytes!).toBeGreaterThan(8 * 1024 * 1024);
    expect(copy).toMatchObject({
      ok: true,
      backupId: entry.id,
      destination: 'offsite-a',
      key: `ops/shop.one/${file}`,
      bytes: entry.bytes,
      sha256: entry.sha256,
      encrypted: false,
      keyId: null,
      verified: true,
    });
    expect(Object.keys(copy).sort()).toEqual(
      ['backupId', 'bytes', 'destination', 'durationMs', 'encrypted', 'id', 'key', 'keyId', 'ok', 'sha256', 'verified'].sort(),
    );
    // The bytes in the bucket, downloaded by the client and hashed by sha256sum.
    const store = new ObjectStore(s3.config());
    const local = path.join(outDir, 'downloaded.dump');
    await store.download('offsite', copy.key, local);
    expect(sha256sum(local)).toBe(entry.sha256);
    const manifest = JSON.parse((await store.getText('offsite', `${copy.key}.manifest.json`))!) as {
      copy: { sha256: string; bytes: number; encrypted: boolean };
    };
    expect(manifest.copy).toMatchObject({ sha256: entry.sha256, bytes: entry.bytes, encrypted: false });
    store.destroy();
    const copies = await ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: entry.id });
    expect(copies.copies).toEqual([
      expect.objectContaining({ id: copy.id, status: 'ok', key: copy.key, sha256: entry.sha256, verifiedAt: expect.any(String) }),
    ]);
    expect(fs.readdirSync(path.join(home, 'offsite', 'uploads'))).toEqual([]);
    expect(auditOf(core, 'offsite.copy')[0]!.summary).toContain(copy.key);
  });

  it('a second copy finds it already there and uploads nothing', async () => {
    const again = await ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: dest.id });
    expect(again).toMatchObject({ ok: true, id: copy.id, key: copy.key, alreadyThere: true, verified: true });
    expect((await ok<{ copies: BackupCopy[] }>('listBackupCopies', { destination: 'offsite-a' })).copies).toHaveLength(1);
  });

  it('never replaces an object of other content at the key', async () => {
    const other = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('occupied', { bucket: 'other', prefix: '' }));
    const store = new ObjectStore(s3.config());
    const key = `shop.one/${path.basename(entry.path)}`;
    await store.putBody('other', key, 'someone else’s file');
    const refused = await fail('copyBackupOffsite', { backupId: entry.id, destination: other.name });
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain('never replaced');
    expect(await store.getText('other', key)).toBe('someone else’s file');
    store.destroy();
  });

  it('refuses an unknown backup and an unknown destination', async () => {
    expect((await fail('copyBackupOffsite', { backupId: 'nope', destination: 'offsite-a' })).code).toBe('NOT_FOUND');
    expect((await fail('copyBackupOffsite', { backupId: entry.id, destination: 'nowhere' })).code).toBe('NOT_FOUND');
  });
});

describe('a copy cut by the server going away', () => {
  it('leaves nothing under the key, and a re-run continues the same multipart upload', async () => {
    const d = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('resume', { prefix: 'resume' }));
    // The domain's internals with the secret from the environment, as the CLI gets it.
    const db = core.deps.store.db;
    const repos = {
      destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET })),
      copies: new CopyRepo(db),
    };
    let sent = 0;
    let stopped: Promise<void> | null = null;
    const cut = await copyBackup(core.deps, repos, entry.id, d.name, {
      concurrency: 1,
      onBytes: (n) => {
        sent += n;
        // After the first 8 MiB part: the server dies (kill -9) before the second.
        if (stopped === null) stopped = s3.stop();
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    await stopped;
    expect(cut).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'unreachable' } });
    expect(sent).toBeLessThan(entry.bytes!);
    const [attempt] = repos.copies.list({ destinationId: d.id });
    expect(attempt).toMatchObject({ status: 'failed' });
    const logFile = path.join(home, 'offsite', 'uploads', `${attempt!.id}.json`);
    const log = JSON.parse(fs.readFileSync(logFile, 'utf8')) as MultipartState;
    expect(log.parts.map((p) => p.partNumber)).toEqual([1]);

    await s3.start();
    const store = new ObjectStore(s3.config());
    const key = `resume/shop.one/${path.basename(entry.path)}`;
    expect(await store.head('offsite', key)).toBeNull();

    // The resumed run reports the logged part first (no request), then sends only the rest.
    const deltas: number[] = [];
    const resumed = await copyBackup(core.deps, repos, entry.id, d.name, { concurrency: 1, onBytes: (n) => deltas.push(n) });
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(entry.bytes);
    expect(resumed).toMatchObject({ ok: true, id: attempt!.id, key, sha256: entry.sha256, verified: true });
    expect((await store.head('offsite', key))!.size).toBe(entry.bytes);
    expect(fs.existsSync(logFile)).toBe(false);
    expect(repos.copies.list({ destinationId: d.id })).toEqual([expect.objectContaining({ id: attempt!.id, status: 'ok' })]);
    store.destroy();
  }, 120_000);
});

describe('prune', () => {
  it('refuses without a policy, previews exactly planRetention, and deletes those objects only', async () => {
    const d = await ok<OffsiteDestination>('createOffsiteDestination', destinationInput('prune-me', { prefix: 'prune' }));
    const store = new ObjectStore(s3.config());
    // Three copies of one profile's (catalog-less) backups, a day apart, their objects real.
    const insert = core.deps.store.db.prepare(
      `INSERT INTO backup_copies (id, artifact_id, destination_id, destination_name, object_key, stored_bytes, plain_sha256, status, started_at, verified_at)
       VALUES (?, ?, ?, 'prune-me', ?, 5, 'x', 'ok', ?, ?)`,
    );
    const keys: string[] = [];
    for (const day of [1, 2, 3]) {
      const key = `prune/old/old_full_2026120${day}.dump`;
      keys.push(key);
      await store.putBody('offsite', key, `dump ${day}`);
      await store.putBody('offsite', `${key}.manifest.json`, '{}');
      const at = `2026-12-0${day}T10:00:00.000Z`;
      insert.run(`c${day}`, `old-${day}`, d.id, key, at, at);
    }
    expect((await fail('pruneOffsite', { destination: 'prune-me', dryRun: true })).code).toBe('CONFLICT');
    const policy = { keepLast: 1, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 };
    await ok('setOffsiteRetention', { id: d.id, policy });

    const preview = await ok<PruneResult>('pruneOffsite', { destination: 'prune-me', dryRun: true });
    const expected = planRetention(
      [1, 2, 3].map((day) => ({ id: `c${day}`, createdAt: `2026-12-0${day}T10:00:00.000Z`, group: 'old\u0000full' })),
      policy,
      new Date(),
    );
    expect(preview.prune.map((p) => p.copyId).sort()).toEqual(expected.prune.map((p) => p.id).sort());
    expect(preview.keep.map((k) => k.copyId)).toEqual(expected.keep.map((k) => k.id));
    expect(preview.prune.map((p) => p.copyId).sort()).toEqual(['c1', 'c2']);
    expect(preview.deletedKeys).toEqual([]);
    expect(await store.head('offsite', keys[0]!)).not.toBeNull();

    const pruned = await ok<PruneResult>('pruneOffsite', { destination: 'prune-me', dryRun: false });
    expect(pruned.deletedKeys.sort()).toEqual([keys[0]!, `${keys[0]!}.manifest.json`, keys[1]!, `${keys[1]!}.manifest.json`].sort());
    expect(await store.head('offsite', keys[0]!)).toBeNull();
    expect(await store.head('offsite', keys[1]!)).toBeNull();
    expect(await store.head('offsite', keys[2]!)).not.toBeNull();
    expect(await store.head('offsite', copyKeyOfFirst())).not.toBeNull();
    const statuses = (await ok<{ copies: BackupCopy[] }>('listBackupCopies', { destination: 'prune-me' })).copies.map((c) => [c.id, c.status]);
    expect(statuses.sort()).toEqual([
      ['c1', 'deleted'],
      ['c2', 'deleted'],
      ['c3', 'ok'],
    ]);
    expect(auditOf(core, 'offsite.prune')[0]!.summary).toContain(keys[0]!);
    store.destroy();
  });
});

function copyKeyOfFirst(): string {
  return `ops/shop.one/${path.basename(entry.path)}`;
}
