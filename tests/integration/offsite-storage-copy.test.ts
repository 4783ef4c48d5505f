// Storage snapshots offsite through core.dispatch (copyBackupOffsite takes a snapshot's id),
// against real s3rver processes: one serves the Supabase-like buckets, another the offsite
// destination, so the destination can be stopped mid-copy. Objects go up content-addressed,
// each read back; the manifest object is written last; a second snapshot's copy sends only
// the changed object; a copy interrupted by the store stopping leaves no manifest, and the
// retry sends only the objects still missing. An encrypting destination stores `.enc`
// objects that decrypt to the snapshot's bytes. Prune keeps the newest snapshot copy and
// deletes only the objects no kept copy names.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { Profile } from '../../src-main/contract/models';
import type { BackupCopy, CopyResult, CreatedDestination, OffsiteDestination, OffsiteProgressEvent, PruneResult } from '../../src-main/contract/offsite';
import type { StorageSnapshotEntry } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { decryptStream, parseKey } from '../../src-main/core/platform/crypto';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { CopyRepo } from '../../src-main/core/offsite/copies';
import { DestinationRepo } from '../../src-main/core/offsite/destinations';
import { pruneDestination } from '../../src-main/core/offsite/prune';
import { OffsiteSecrets } from '../../src-main/core/offsite/secrets';
import { copySnapshot } from '../../src-main/core/offsite/snapshot-copy';
import { auditOf } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

let source: LocalS3;
let offsite: LocalS3;
let core: Core;
let home: string;
let profile: Profile;
let dest: OffsiteDestination;
const api = callsOn(() => core);

async function keysUnder(prefix: string): Promise<string[]> {
  const store = new ObjectStore(offsite.config());
  try {
    const keys: string[] = [];
    for await (const o of store.listObjects('offsite', prefix)) keys.push(o.key);
    return keys.sort();
  } finally {
    store.destroy();
  }
}

async function snapshot(): Promise<StorageSnapshotEntry> {
  const jobId = crypto.randomUUID();
  const done = new Promise<{ ok: boolean }>((resolve) => {
    const off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'job.done' && e.jobId === jobId) {
        off();
        resolve(e);
      }
    });
  });
  const started = await api.ok<{ snapshotId: string }>('startStorageBackup', { profileId: profile.id, jobId });
  expect(await done).toMatchObject({ ok: true });
  return api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: started.snapshotId });
}

beforeAll(async () => {
  source = await startLocalS3(['designs']);
  offsite = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-storage-'));
  const store = new ObjectStore(source.config());
  for (let i = 0; i < 12; i++) await store.putBody('designs', `d/${i} ü.svg`, `design ${i} ${crypto.randomBytes(300).toString('hex')}`);
  store.destroy();
  profile = await api.ok<Profile>('createProfile', {
    profile: {
      name: 'shop',
      host: 'db.example.supabase.co',
      database: 'postgres',
      user: 'postgres',
      env: 'development',
      storage: { endpoint: source.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
    },
    storageSecret: S3_SECRET,
  });
  const c = offsite.config();
  dest = await api.ok<OffsiteDestination>('createOffsiteDestination', {
    name: 'offsite-s',
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: 'ops',
    accessKeyId: c.accessKeyId,
    secretAccessKey: 'offsite-storage-secret',
  });
}, 60_000);

afterAll(async () => {
  await core?.close();
  await source?.destroy();
  await offsite?.destroy();
  void home;
});

describe('a storage snapshot offsite', () => {
  let first: StorageSnapshotEntry;

  it('copies every object content-addressed, read back, manifest last; progress events; audited; listed as a storage copy', async () => {
    first = await snapshot();
    const events: OffsiteProgressEvent[] = [];
    const off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'offsite.progress' && e.jobId === 'snap-1') events.push(e);
    });
    const copy = await api.ok<CopyResult>('copyBackupOffsite', { backupId: first.id, destination: dest.name, jobId: 'snap-1' });
    off();
    const manifestKey = `ops/shop/storage/${first.path.split('/').pop()}.manifest.json`;
    expect(copy).toMatchObject({ ok: true, kind: 'storage', key: manifestKey, sha256: first.manifestSha256, objects: 12, uploadedObjects: 12, verified: true });
    expect(copy.bytes).toBe(first.bytes);
    const objects = await keysUnder('ops/shop/storage/objects/');
    expect(objects).toHaveLength(12);
    expect(objects.every((k) => /^ops\/shop\/storage\/objects\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(await keysUnder('ops/shop/storage/2')).toEqual([manifestKey]);
    expect(events.some((e) => e.phase === 'upload')).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: 'verify', bytesDone: first.bytes, bytesTotal: first.bytes });
    const listed = (await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: first.id })).copies;
    expect(listed).toEqual([expect.objectContaining({ kind: 'storage', status: 'ok', key: manifestKey, sha256: first.manifestSha256 })]);
    expect(auditOf(core, 'offsite.copy')[0]).toMatchObject({ outcome: 'ok' });
    const again = await api.ok<CopyResult>('copyBackupOffsite', { backupId: first.id, destination: dest.name });
    expect(again).toMatchObject({ alreadyThere: true, id: copy.id });
  }, 60_000);

  it('the next snapshot sends only the changed object', async () => {
    const store = new ObjectStore(source.config());
    await store.putBody('designs', 'd/3 ü.svg', 'design 3, second version');
    store.destroy();
    const second = await snapshot();
    const copy = await api.ok<CopyResult>('copyBackupOffsite', { backupId: second.id, destination: dest.name });
    expect(copy).toMatchObject({ objects: 12, uploadedObjects: 1, uploadedBytes: Buffer.byteLength('design 3, second version') });
    expect(await keysUnder('ops/shop/storage/objects/')).toHaveLength(13);
  }, 60_000);

  it('the destination stopped mid-copy: failed, no manifest; the retry sends only what is missing', async () => {
    const store = new ObjectStore(source.config());
    for (let i = 0; i < 40; i++) await store.putBody('designs', `new/${i}.bin`, crypto.randomBytes(200_000));
    store.destroy();
    const third = await snapshot();
    // The domain's internals (progress unthrottled, one object at a time), with the secret from the environment as the CLI gets it.
    const db = core.deps.store.db;
    const repos = {
      destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: 'offsite-storage-secret' })),
      copies: new CopyRepo(db),
    };
    let stopped: Promise<void> | null = null;
    const err = await copySnapshot(core.deps, repos, third.id, dest.name, {
      concurrency: 1,
      onProgress: (p) => {
        // After about ten new objects, the server dies (kill -9).
        if (p.phase === 'upload' && p.bytesDone >= 2_000_000 && stopped === null) stopped = offsite.stop();
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    await stopped;
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'unreachable' } });
    await offsite.start();
    const manifestKey = `ops/shop/storage/${third.path.split('/').pop()}.manifest.json`;
    expect(await keysUnder(manifestKey)).toEqual([]);
    const before = (await keysUnder('ops/shop/storage/objects/')).length;
    expect(before).toBeGreaterThan(13);
    expect(before).toBeLessThan(53);
    const failedRow = (await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: third.id })).copies[0];
    expect(failedRow).toMatchObject({ status: 'failed' });

    const retry = await api.ok<CopyResult>('copyBackupOffsite', { backupId: third.id, destination: dest.name });
    expect(retry).toMatchObject({ ok: true, id: failedRow!.id, objects: 52, uploadedObjects: 53 - before });
    expect(await keysUnder('ops/shop/storage/objects/')).toHaveLength(53);
    expect(await keysUnder(manifestKey)).toEqual([manifestKey]);
  }, 120_000);

  it('an encrypting destination stores .enc objects that decrypt to the snapshot bytes', async () => {
    const c = offsite.config();
    const enc = await api.ok<CreatedDestination>('createOffsiteDestination', {
      name: 'offsite-s-enc',
      endpoint: c.endpoint,
      region: c.region,
      bucket: 'offsite',
      prefix: 'enc',
      accessKeyId: c.accessKeyId,
      secretAccessKey: 'offsite-storage-secret',
      encrypt: true,
    });
    const copy = await api.ok<CopyResult>('copyBackupOffsite', { backupId: first.id, destination: enc.name });
    expect(copy).toMatchObject({ encrypted: true, keyId: enc.keyId, uploadedObjects: 12 });
    const keys = await keysUnder('enc/shop/storage/objects/');
    expect(keys.every((k) => k.endsWith('.enc'))).toBe(true);
    const store = new ObjectStore(offsite.config());
    try {
      const { body } = await store.getStream('offsite', keys[0]!);
      const plain: Buffer[] = [];
      for await (const chunk of body.pipe(decryptStream(parseKey(enc.generatedKey!)))) plain.push(chunk as Buffer);
      const sha = crypto.createHash('sha256').update(Buffer.concat(plain)).digest('hex');
      expect(keys[0]).toContain(sha);
    } finally {
      store.destroy();
    }
  }, 60_000);

  it('prune keeps the newest snapshot copy: the older manifests go, then only objects no kept copy names', async () => {
    await api.ok('setOffsiteRetention', { id: dest.id, policy: { keepLast: 1, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 } });
    const preview = await api.ok<PruneResult>('pruneOffsite', { destination: dest.name, dryRun: true });
    expect(preview.prune.map((p) => p.kind)).toEqual(['storage', 'storage']);
    expect(preview.keep).toHaveLength(1);
    const kept = preview.keep[0]!.key;
    const db = core.deps.store.db;
    const repos = {
      destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: 'offsite-storage-secret' })),
      copies: new CopyRepo(db),
    };
    // Two days on: the objects are past the sweep's grace (a copy running now could still be sending new ones).
    const later = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const pruned = await pruneDestination(core.deps, repos, dest.name, { dryRun: false, now: later });
    expect(pruned.deletedKeys.filter((k) => k.endsWith('.manifest.json')).sort()).toEqual(preview.prune.map((p) => p.key).sort());
    // The first version of d/3 was named only by the pruned snapshots.
    expect(pruned.deletedKeys.filter((k) => k.includes('/objects/'))).toHaveLength(1);
    expect(await keysUnder('ops/shop/storage/objects/')).toHaveLength(52);
    expect((await keysUnder('ops/shop/storage/')).filter((k) => k.endsWith('.manifest.json'))).toEqual([kept]);
    // What is kept still restores from what is there: every object it names is present.
    const reader = new ObjectStore(offsite.config());
    const manifest = JSON.parse((await reader.getText('offsite', kept))!) as { snapshot: { objects: Array<{ sha256: string }> } };
    reader.destroy();
    const present = new Set((await keysUnder('ops/shop/storage/objects/')).map((k) => k.split('/').pop()));
    expect(manifest.snapshot.objects.every((o) => present.has(o.sha256))).toBe(true);
  }, 60_000);
});
