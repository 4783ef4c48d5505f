// Storage snapshots written straight to an offsite destination (storageBackupToOffsite) and
// restored from there (fetchStorageSnapshot, then the storage restore), against real s3rver
// processes: one serves the Supabase-like buckets (and is the restore's target), another the
// destination, so the destination can be stopped mid-snapshot. The copy's layout is the one
// a copied snapshot has (content-addressed objects, the manifest last); the next direct
// snapshot sends only what changed; a big object goes through a temporary key and a
// server-side copy; the store stopping mid-run publishes nothing and fails both rows; a wrong
// key is refused before anything is downloaded or restored; a manifest naming a file outside
// the snapshot is refused whole.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { Profile } from '../../src-main/contract/models';
import type { BackupCopy, CopyResult, CreatedDestination, OffsiteDestination, OffsiteProgressEvent } from '../../src-main/contract/offsite';
import { stageJobIdFor } from '../../src-main/contract/offsite';
import type { StorageProgressEvent, StorageRestoreResult, StorageSnapshotEntry, StorageRestorePreview } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { formatKey, generateKey } from '../../src-main/core/platform/crypto';
import { JobRegistry } from '../../src-main/core/platform/jobs/registry';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { CopyRepo, INTERRUPTED_COPY } from '../../src-main/core/offsite/copies';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { DestinationRepo } from '../../src-main/core/offsite/destinations';
import { snapshotStraightOffsite } from '../../src-main/core/offsite/direct-snapshot';
import { OffsiteSecrets } from '../../src-main/core/offsite/secrets';
import { stageSnapshot } from '../../src-main/core/offsite/stage-snapshot';
import { stagedSnapshotFolder } from '../../src-main/core/storage/staged';
import { storageBackupCommand } from '../../src-main/cli/commands/storage';
import { storageRestoreCommand } from '../../src-main/cli/commands/storage-restore';
import { auditOf } from '../helpers/backup';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

type Direct = { snapshot: StorageSnapshotEntry; copy: CopyResult };

let source: LocalS3;
let offsite: LocalS3;
let core: Core;
let home: string;
let profile: Profile;
let dest: OffsiteDestination;
let enc: CreatedDestination;
const api = callsOn(() => core);
const SECRET = 'offsite-direct-secret';

async function keysUnder(s3: LocalS3, bucket: string, prefix: string): Promise<string[]> {
  const store = new ObjectStore(s3.config());
  try {
    const keys: string[] = [];
    for await (const o of store.listObjects(bucket, prefix)) keys.push(o.key);
    return keys.sort();
  } finally {
    store.destroy();
  }
}

async function put(key: string, body: string | Buffer): Promise<void> {
  const store = new ObjectStore(source.config());
  await store.putBody('designs', key, body);
  store.destroy();
}

/** The domain's internals with the secrets from the environment, as the CLI gets them. */
function repos(env: Record<string, string> = {}) {
  const db = core.deps.store.db;
  return {
    destinations: new DestinationRepo(db, new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET, ...env })),
    copies: new CopyRepo(db),
    secrets: new OffsiteSecrets(db, null, { OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY: SECRET, ...env }),
  };
}

beforeAll(async () => {
  source = await startLocalS3(['designs', 'restored']);
  offsite = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-direct-'));
  for (let i = 0; i < 10; i++) await put(`d/${i} ü ñ.svg`, `design ${i} ${crypto.randomBytes(200).toString('hex')}`);
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
  const fields = { endpoint: c.endpoint, region: c.region, bucket: 'offsite', accessKeyId: c.accessKeyId, secretAccessKey: SECRET };
  dest = await api.ok<OffsiteDestination>('createOffsiteDestination', { name: 'vault', prefix: 'ops', ...fields });
  enc = await api.ok<CreatedDestination>('createOffsiteDestination', { name: 'vault-enc', prefix: 'enc', encrypt: true, ...fields });
}, 60_000);

afterAll(async () => {
  await core?.close();
  await source?.destroy();
  await offsite?.destroy();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('a storage snapshot written straight offsite', () => {
  let first: Direct;

  it('streams every object to its content address, read back, manifest last; no local folder; progress; audited; a direct storage copy', async () => {
    const events: StorageProgressEvent[] = [];
    const off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'storage.progress' && e.jobId === 'direct-1') events.push(e);
    });
    first = await api.ok<Direct>('storageBackupToOffsite', { profileId: profile.id, destination: 'vault', jobId: 'direct-1' });
    off();
    const { snapshot, copy } = first;
    const manifestKey = `ops/shop/storage/${path.basename(snapshot.path)}.manifest.json`;
    expect(snapshot).toMatchObject({ status: 'ok', objects: 10, changedObjects: 10, reusedObjects: 0, folderGone: true });
    expect(fs.existsSync(snapshot.path)).toBe(false);
    expect(copy).toMatchObject({
      ok: true,
      kind: 'storage',
      key: manifestKey,
      sha256: snapshot.manifestSha256,
      objects: 10,
      uploadedObjects: 10,
      verified: true,
    });
    const objects = await keysUnder(offsite, 'offsite', 'ops/shop/storage/objects/');
    expect(objects).toHaveLength(10);
    expect(objects.every((k) => /^ops\/shop\/storage\/objects\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(k))).toBe(true);
    expect((await keysUnder(offsite, 'offsite', 'ops/shop/storage/')).filter((k) => !k.includes('/objects/'))).toEqual([manifestKey]);
    expect(events.at(-1)).toMatchObject({ snapshotId: snapshot.id, objectsDone: 10, objectsTotal: 10, bytesDone: snapshot.bytes, bytesTotal: snapshot.bytes });
    const rows = (await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: snapshot.id })).copies;
    expect(rows).toEqual([expect.objectContaining({ kind: 'storage', status: 'ok', direct: true, key: manifestKey })]);
    expect(auditOf(core, 'storage.backup.offsite')[0]).toMatchObject({ outcome: 'ok', profile: 'shop' });
    // The snapshot's manifest is the one a local snapshot would have written: its sha256 is the catalog's.
    const reader = new ObjectStore(offsite.config());
    const body = JSON.parse((await reader.getText('offsite', manifestKey))!) as { snapshot: unknown };
    reader.destroy();
    expect(
      crypto
        .createHash('sha256')
        .update(JSON.stringify(body.snapshot, null, 2))
        .digest('hex'),
    ).toBe(snapshot.manifestSha256);
  }, 60_000);

  it('the next one sends only the changed object and names the rest again', async () => {
    await put('d/3 ü ñ.svg', 'design 3, second version');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // another second: another folder name
    const second = await api.ok<Direct>('storageBackupToOffsite', { profileId: profile.id, destination: 'vault' });
    expect(second.snapshot).toMatchObject({ objects: 10, changedObjects: 1, reusedObjects: 9 });
    expect(second.copy).toMatchObject({ uploadedObjects: 1, uploadedBytes: Buffer.byteLength('design 3, second version') });
    expect(await keysUnder(offsite, 'offsite', 'ops/shop/storage/objects/')).toHaveLength(11);
  }, 60_000);

  it('a big object goes through a temporary key and a server-side copy; encrypted .enc objects; no temporary key left', async () => {
    await put('big/photo one.jpg', crypto.randomBytes(300_000));
    const registry = new JobRegistry<Direct>();
    const { done } = registry.start({ id: crypto.randomUUID(), jobId: 'big' }, (job) =>
      snapshotStraightOffsite(
        core.deps,
        repos({ OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: enc.generatedKey! }),
        { profileId: profile.id, destination: enc.name },
        job,
        undefined,
        {
          bufferBelow: 100_000,
        },
      ),
    );
    const r = await done;
    expect(r.copy).toMatchObject({ encrypted: true, keyId: enc.keyId, objects: 11, uploadedObjects: 11 });
    const keys = await keysUnder(offsite, 'offsite', 'enc/shop/storage/');
    expect(keys.filter((k) => k.includes('/objects/tmp/'))).toEqual([]);
    expect(keys.filter((k) => k.includes('/objects/')).every((k) => k.endsWith('.enc'))).toBe(true);
    const big = r.snapshot;
    expect(big.bytes).toBeGreaterThan(300_000);
  }, 60_000);

  it('the destination stopped mid-snapshot: nothing published, the snapshot row and the copy row failed', async () => {
    for (let i = 0; i < 30; i++) await put(`new/${i}.bin`, crypto.randomBytes(150_000));
    let stopped: Promise<void> | null = null;
    const registry = new JobRegistry<Direct>();
    const { done } = registry.start({ id: crypto.randomUUID(), jobId: 'dies' }, (job) =>
      snapshotStraightOffsite(
        core.deps,
        repos(),
        { profileId: profile.id, destination: dest.name },
        job,
        (p) => {
          if (p.objectsDone >= 20 && stopped === null) stopped = offsite.stop();
        },
        { concurrency: 1 },
      ),
    );
    const err = await done.then(
      () => null,
      (e: unknown) => e,
    );
    await stopped;
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'unreachable' } });
    await offsite.start();
    const snapshots = (await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: profile.id })).snapshots;
    const failed = snapshots[0]!;
    expect(failed).toMatchObject({ status: 'failed' });
    expect((await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: failed.id })).copies).toEqual([
      expect.objectContaining({ status: 'failed', direct: true }),
    ]);
    expect(await keysUnder(offsite, 'offsite', `ops/shop/storage/${path.basename(failed.path)}`)).toEqual([]);
    expect((await keysUnder(offsite, 'offsite', 'ops/shop/storage/')).filter((k) => k.includes('/tmp/'))).toEqual([]);
  }, 120_000);
});

describe('cancelling a storage snapshot written straight offsite', () => {
  it('cancelOffsiteCopy by its jobId: CANCELLED, both rows cancelled, no manifest', async () => {
    const c = offsite.config();
    await api.ok('createOffsiteDestination', {
      name: 'vault-cancel',
      prefix: 'cancel',
      endpoint: c.endpoint,
      region: c.region,
      bucket: 'offsite',
      accessKeyId: c.accessKeyId,
      secretAccessKey: SECRET,
    });
    let asked = false;
    const off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'storage.progress' && e.jobId === 'to-cancel' && e.objectsDone >= 1 && !asked) {
        asked = true;
        void api.ok('cancelOffsiteCopy', { jobId: 'to-cancel' });
      }
    });
    const err = await api.fail('storageBackupToOffsite', { profileId: profile.id, destination: 'vault-cancel', jobId: 'to-cancel' });
    off();
    expect(err).toMatchObject({ code: 'CANCELLED' });
    const cancelled = (await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: profile.id })).snapshots[0]!;
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect((await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: cancelled.id })).copies).toEqual([
      expect.objectContaining({ status: 'cancelled', direct: true }),
    ]);
    expect((await keysUnder(offsite, 'offsite', 'cancel/')).filter((k) => !k.includes('/objects/'))).toEqual([]);
    expect(auditOf(core, 'storage.backup.offsite')[0]).toMatchObject({ outcome: 'cancelled' });
  }, 60_000);
});

describe('restoring a snapshot that lives only offsite', () => {
  it('refuses before fetching: the restore says to fetch it first', async () => {
    const { snapshot } = (await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: profile.id })).snapshots
      .filter((s) => s.status === 'ok')
      .map((s) => ({ snapshot: s }))[0]!;
    const err = await api.fail('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: profile.id, bucket: 'restored' });
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect(err.message).toMatch(/fetch it back from its offsite copy/);
  });

  it('fetches with progress and verification, previews, restores and validates; the staged folder goes afterwards', async () => {
    const snapshots = (await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: profile.id })).snapshots;
    // The first direct snapshot (unencrypted, on vault): the oldest ok one.
    const target = snapshots.filter((s) => s.status === 'ok').at(-1)!;
    const events: OffsiteProgressEvent[] = [];
    const off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'offsite.progress' && e.jobId === stageJobIdFor(target.id)) events.push(e);
    });
    const fetched = await api.ok<{ path: string; objects: number }>('fetchStorageSnapshot', { snapshotId: target.id });
    off();
    expect(fetched).toMatchObject({ path: stagedSnapshotFolder(home, target.id), objects: 10 });
    expect(events.at(-1)).toMatchObject({ phase: 'download', backupId: target.id });
    expect(auditOf(core, 'offsite.fetch')[0]).toMatchObject({ outcome: 'ok' });
    const preview = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: target.id, targetProfileId: profile.id, bucket: 'restored' });
    expect(preview).toMatchObject({ objects: 10, create: 10, overwrite: 0 });
    const restored = await api.ok<StorageRestoreResult>('restoreStorageSnapshot', { snapshotId: target.id, targetProfileId: profile.id, bucket: 'restored' });
    expect(restored).toMatchObject({ ok: true, created: 10, validation: { ok: true } });
    expect(await keysUnder(source, 'restored', '')).toHaveLength(10);
    const store = new ObjectStore(source.config());
    expect(await store.getText('restored', 'd/3 ü ñ.svg')).toMatch(/^design 3 [0-9a-f]+$/);
    store.destroy();
    expect(fs.existsSync(stagedSnapshotFolder(home, target.id))).toBe(false);
  }, 60_000);

  it('an encrypted copy with a wrong key is refused before anything is downloaded or restored', async () => {
    const encrypted = (await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { destination: enc.name })).copies.find((c) => c.status === 'ok')!;
    const wrong = formatKey(generateKey());
    const err = await stageSnapshot(core.deps, repos({ OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY: wrong }), encrypted.backupId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'DECRYPT_FAILED', detail: { reason: 'wrong-key', keyId: enc.keyId } });
    expect(fs.existsSync(stagedSnapshotFolder(home, encrypted.backupId))).toBe(false);
    expect(fs.existsSync(`${stagedSnapshotFolder(home, encrypted.backupId)}.partial`)).toBe(false);
    const before = await keysUnder(source, 'restored', '');
    expect((await api.fail('restoreStorageSnapshot', { snapshotId: encrypted.backupId, targetProfileId: profile.id, bucket: 'restored' })).code).toBe(
      'NOT_FOUND',
    );
    expect(await keysUnder(source, 'restored', '')).toEqual(before);
    // With the right key (the one saved with the destination) it fetches and decrypts.
    const ok = await api.ok<{ objects: number }>('fetchStorageSnapshot', { snapshotId: encrypted.backupId });
    expect(ok.objects).toBe(11);
  }, 60_000);

  it('a manifest naming a file outside the snapshot (key ../../escape) is refused whole; nothing is written outside the staging folder', async () => {
    const ok = (await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: profile.id })).snapshots.find(
      (s) => s.status === 'ok' && s.folderGone && !fs.existsSync(stagedSnapshotFolder(home, s.id)),
    )!;
    const copy = (await api.ok<{ copies: BackupCopy[] }>('listBackupCopies', { backupId: ok.id })).copies[0]!;
    const store = new ObjectStore(offsite.config());
    const body = JSON.parse((await store.getText('offsite', copy.key))!) as { snapshot: { objects: Array<{ key: string; file: string }> } };
    body.snapshot.objects[0]!.key = '../../escape.txt';
    body.snapshot.objects[0]!.file = '../../../escape';
    await store.putBody('offsite', copy.key, JSON.stringify(body, null, 2));
    store.destroy();
    // The worst case: the catalog agrees with the edited manifest (so its sha256 check passes).
    const sha = crypto
      .createHash('sha256')
      .update(JSON.stringify(body.snapshot, null, 2))
      .digest('hex');
    core.deps.store.db.prepare('UPDATE storage_snapshots SET manifest_sha256 = ? WHERE id = ?').run(sha, ok.id);
    const err = await api.fail('fetchStorageSnapshot', { snapshotId: ok.id });
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'integrity' } });
    expect(err.message).toMatch(/names a file outside the snapshot/);
    const staging = path.join(home, 'offsite', 'staging');
    expect(fs.readdirSync(staging).filter((n) => n.includes(ok.id))).toEqual([]);
    expect(fs.existsSync(path.join(home, 'offsite', 'escape'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'escape'))).toBe(false);
  }, 60_000);
});

describe('the CLI', () => {
  it('storage-backup --offsite DEST --json keeps storage-backup fields plus offsite; storage-restore fetches an offsite-only snapshot first', async () => {
    const cli = () =>
      inProcessCli(
        () => core,
        () => home,
      );
    const refused = cli();
    await expect(storageBackupCommand(refused.ctx, ['shop', '--offsite', 'vault', '--out', home])).rejects.toThrow(/exclude each other/);
    const b = cli();
    expect(await storageBackupCommand(b.ctx, ['shop', '--bucket', 'designs', '--offsite', 'vault'])).toBe(0);
    const body = JSON.parse(b.out.join('')) as Record<string, unknown> & { offsite: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining([
        'ok',
        'id',
        'path',
        'objects',
        'bytes',
        'changedObjects',
        'reusedObjects',
        'manifestPath',
        'manifestSha256',
        'durationMs',
        'offsite',
      ]),
    );
    expect(body.path).toMatch(/^s3:\/\/offsite\/ops\/shop\/storage\/.+\.manifest\.json$/);
    expect(body.offsite).toMatchObject({ destination: 'vault', bucket: 'offsite', encrypted: false, verified: true });
    const entry = await api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: body.id });
    expect(entry.folderGone).toBe(true);

    const r = cli();
    expect(await storageRestoreCommand(r.ctx, [String(body.id), '--to', 'shop', '--bucket', 'restored', '--yes'])).toBe(0);
    expect(r.err.join('\n')).toMatch(/fetching storage snapshot .* back from its offsite copy/);
    expect(JSON.parse(r.out.join(''))).toMatchObject({ ok: true, validation: { ok: true } });
    expect(fs.existsSync(stagedSnapshotFolder(home, String(body.id)))).toBe(false);
  }, 60_000);
});

describe('a direct copy the app stopped in the middle of', () => {
  it('is failed as interrupted at the next start, its temporary objects removed, its upload abort tried and audited', async () => {
    const copies = new CopyRepo(core.deps.store.db);
    const snapshotId = crypto.randomUUID();
    const key = 'ops/shop/storage/2026-01-01T00-00-00-000Z.manifest.json';
    copies.insertRunning({
      id: 'dead-copy',
      backupId: snapshotId,
      destinationId: dest.id,
      destination: dest.name,
      key,
      encrypted: false,
      keyId: null,
      kind: 'storage',
      direct: true,
    });
    // Its owner: a process of this machine that is gone.
    core.deps.store.db.prepare("UPDATE backup_copies SET error = ? WHERE id = 'dead-copy'").run(`running-owner ${os.hostname()} 2147483646`);
    // And one of a live process (this one's parent): left running.
    copies.insertRunning({
      id: 'live-copy',
      backupId: snapshotId,
      destinationId: dest.id,
      destination: dest.name,
      key: `${key}.x`,
      encrypted: false,
      keyId: null,
      direct: true,
    });
    core.deps.store.db.prepare("UPDATE backup_copies SET error = ? WHERE id = 'live-copy'").run(`running-owner ${os.hostname()} ${process.ppid}`);
    const tmp = `ops/shop/storage/objects/tmp/${snapshotId}/7`;
    const store = new ObjectStore(offsite.config());
    await store.putBody('offsite', tmp, crypto.randomBytes(1000));
    store.destroy();

    // The next start (another core on the same home, as the CLI beside the desktop app: the destination's secret from the environment).
    process.env.OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY = SECRET;
    const next = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester', strictErrors: true });
    try {
      expect(copies.get('dead-copy')).toMatchObject({ status: 'failed', error: INTERRUPTED_COPY });
      expect(copies.get('live-copy')).toMatchObject({ status: 'running', error: null });
      let entry = auditOf(next, 'offsite.copy.interrupted')[0];
      for (let i = 0; i < 100 && (entry === undefined || entry.outcome === 'pending'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        entry = auditOf(next, 'offsite.copy.interrupted')[0];
      }
      // s3rver cannot list unfinished uploads (NotImplemented): the temporary object goes, the abort is reported as not done.
      expect(entry).toMatchObject({ outcome: 'error' });
      expect(entry!.error).toMatch(/1 temporary object\(s\) removed, but its unfinished upload could not be aborted/);
      expect(await keysUnder(offsite, 'offsite', `ops/shop/storage/objects/tmp/${snapshotId}/`)).toEqual([]);
    } finally {
      await next.close();
      delete process.env.OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY;
      core.deps.store.db.prepare("UPDATE backup_copies SET status = 'failed' WHERE id = 'live-copy'").run();
    }
  }, 60_000);
});
