// The storage snapshot operations through the whole core (dispatch, audit, job events)
// against a real S3 server on loopback: start → job.done → catalog row, incremental from the
// previous snapshot, details per bucket, verify (and a tampered file), delete leaving the
// other snapshot's hard-linked files alone, errors at start, and the start-up sweep of a
// snapshot whose process died.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { AuditEntry, Profile } from '../../src-main/contract/models';
import type { StorageSnapshotDetails, StorageSnapshotEntry, StorageVerifyResult } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { readManifest } from '../../src-main/core/storage';
import { storageBackupCommand, storageSnapshotsCommand } from '../../src-main/cli/commands/storage';
import { STORAGE_SECRET_ENV } from '../../src-main/cli/storage-secret';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let core: Core;
let home: string;
let profile: Profile;
const api = callsOn(() => core);

beforeAll(async () => {
  s3 = await startLocalS3(['designs', 'photos']);
  ({ core, home } = newTestCore('ops-storage-ops-'));
  const store = new ObjectStore(s3.config());
  for (let i = 0; i < 10; i++) await store.putBody('designs', `d/${i}.svg`, `design ${i}`, { contentType: 'image/svg+xml' });
  for (let i = 0; i < 5; i++) await store.putBody('photos', `p ${i}.jpg`, crypto.randomBytes(2000));
  store.destroy();
  profile = await api.ok<Profile>('createProfile', {
    profile: {
      name: 'shop-prod',
      host: 'db.example.supabase.co',
      database: 'postgres',
      user: 'postgres',
      env: 'production',
      storage: { endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
    },
    storageSecret: S3_SECRET,
  });
});
afterAll(async () => {
  await core?.close();
  await s3?.destroy();
});

async function snapshot(input: Record<string, unknown> = {}): Promise<{ entry: StorageSnapshotEntry; events: number }> {
  const jobId = crypto.randomUUID();
  let events = 0;
  const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
    const off = core.events.subscribe((e: AppEvent) => {
      if ((e.type as string) === 'storage.progress' && (e as { jobId?: string }).jobId === jobId) events++;
      if (e.type === 'job.done' && e.jobId === jobId) {
        off();
        resolve(e);
      }
    });
  });
  const started = await api.ok<{ snapshotId: string; jobId: string; path: string }>('startStorageBackup', { profileId: profile.id, jobId, ...input });
  expect(started.jobId).toBe(jobId);
  const end = await done;
  expect(end).toMatchObject({ ok: true });
  return { entry: await api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: started.snapshotId }), events };
}

describe('storage snapshot operations', () => {
  let first: StorageSnapshotEntry;

  it('takes a snapshot as a job into <home>/storage-snapshots/<profile>/<UTC time>/, catalogued and audited', async () => {
    const { entry, events } = await snapshot();
    first = entry;
    expect(events).toBeGreaterThan(0);
    expect(entry).toMatchObject({
      status: 'ok',
      profileId: profile.id,
      profileName: 'shop-prod',
      objects: 15,
      changedObjects: 15,
      reusedObjects: 0,
      verifiedOk: true,
    });
    expect(path.dirname(entry.path)).toBe(path.join(home, 'storage-snapshots', 'shop-prod'));
    expect(entry.buckets.sort()).toEqual(['designs', 'photos']);
    const details = await api.ok<StorageSnapshotDetails>('getStorageSnapshot', { id: entry.id });
    expect(details.perBucket?.sort((a, b) => a.bucket.localeCompare(b.bucket))).toEqual([
      { bucket: 'designs', objects: 10, bytes: 80 },
      { bucket: 'photos', objects: 5, bytes: 10_000 },
    ]);
    const runs = (await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'storage.backup.run' })).entries;
    expect(runs[0]).toMatchObject({ outcome: 'ok', profile: 'shop-prod' });
    expect(JSON.stringify(runs)).not.toContain(S3_SECRET);
  });

  it('the next run is incremental from the previous ok snapshot; delete of the first leaves the second whole', async () => {
    const store = new ObjectStore(s3.config());
    await store.putBody('designs', 'd/4.svg', 'design 4, second version');
    store.destroy();
    const { entry } = await snapshot({ buckets: ['designs'] });
    expect(entry).toMatchObject({ status: 'ok', objects: 10, changedObjects: 1, reusedObjects: 9, buckets: ['designs'] });

    const name = path.basename(first.path);
    expect((await api.fail('deleteStorageSnapshot', { id: first.id, confirmName: 'nope' })).code).toBe('CONFIRMATION_REQUIRED');
    await api.ok('deleteStorageSnapshot', { id: first.id, confirmName: name });
    expect(fs.existsSync(first.path)).toBe(false);
    expect((await api.fail('getStorageSnapshot', { id: first.id })).code).toBe('NOT_FOUND');
    expect(await api.ok<StorageVerifyResult>('verifyStorageSnapshot', { id: entry.id })).toMatchObject({ ok: true, objects: 10, problems: [] });

    // A tampered file is found, and the row remembers it.
    const manifest = readManifest(entry.path);
    fs.writeFileSync(path.join(entry.path, manifest.objects[0]!.file), 'tampered');
    const check = await api.ok<StorageVerifyResult>('verifyStorageSnapshot', { id: entry.path });
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toMatchObject({ bucket: 'designs', problem: 'sha256' }); // same length as 'design 0'
    expect(await api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: entry.id })).toMatchObject({ verifiedOk: false });
    const listed = await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: 'shop-prod' });
    expect(listed.snapshots.map((s) => s.id)).toEqual([entry.id]);
  });

  it('a refused key and a missing bucket fail the start call; no row, no folder', async () => {
    const before = (await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', {})).snapshots.length;
    // Every snapshot folder (and partial) of every profile: none is added by a refused start.
    const base = path.join(home, 'storage-snapshots');
    const folders = () => (fs.existsSync(base) ? fs.readdirSync(base).flatMap((d) => fs.readdirSync(path.join(base, d)).map((f) => `${d}/${f}`)) : []).sort();
    const foldersBefore = folders();
    expect(foldersBefore.length).toBeGreaterThan(0); // the test above took snapshots: an incremental start reads the previous manifest
    const missing = await api.fail('startStorageBackup', { profileId: profile.id, buckets: ['no-such-bucket'] });
    expect(missing).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'no-bucket', bucket: 'no-such-bucket' } });
    // A bucket name the SDK refuses before sending anything: refused within the turns before the
    // folder is prepared — this call's error, not an unhandled rejection, and not "did not answer".
    const invalid = await api.fail('startStorageBackup', { profileId: profile.id, buckets: ['Bad/Name?'] });
    expect(invalid).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'other', s3Code: 'InvalidBucketName' } });
    expect(invalid.message).toMatch(/Bad\/Name\?.*shouldn't contain/);
    // The first bucket's listing was under way (its first page is the check) when the second failed.
    const second = await api.fail('startStorageBackup', { profileId: profile.id, buckets: ['designs', 'no-such-bucket'] });
    expect(second).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'no-bucket', bucket: 'no-such-bucket' } });
    const wrong = await api.ok<Profile>('createProfile', {
      profile: {
        name: 'wrong-key',
        host: 'h',
        database: 'postgres',
        user: 'postgres',
        env: 'staging',
        storage: { endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: 'NOBODY' },
      },
      storageSecret: 'whatever',
    });
    const auth = await api.fail('startStorageBackup', { profileId: wrong.id });
    expect(auth).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'auth', endpoint: s3.endpoint } });
    // An endpoint where nothing listens: refused at once, still this call's error.
    const closed = await api.ok<Profile>('createProfile', {
      profile: {
        name: 'closed-endpoint',
        host: 'h',
        database: 'postgres',
        user: 'postgres',
        env: 'staging',
        storage: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', accessKeyId: S3_KEY_ID },
      },
      storageSecret: S3_SECRET,
    });
    expect(await api.fail('startStorageBackup', { profileId: closed.id, buckets: ['designs'] })).toMatchObject({
      code: 'STORAGE_FAILED',
      detail: { reason: 'unreachable' },
    });
    expect((await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', {})).snapshots.length).toBe(before);
    expect(folders().filter((f) => !foldersBefore.includes(f))).toEqual([]);
  });

  it('CLI storage-backup --json: the contract fields, the secret from the environment; storage-snapshots list/show/verify/delete', async () => {
    const other = await api.ok<Profile>('createProfile', {
      profile: {
        name: 'no-saved-secret',
        host: 'h',
        database: 'postgres',
        user: 'postgres',
        env: 'staging',
        storage: { endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
      },
    });
    const out = path.join(home, 'elsewhere');
    const run = inProcessCli(
      () => core,
      () => home,
    );
    // Without a terminal and without the variable: refused, naming the variable.
    await expect(storageBackupCommand(run.ctx, [other.name, '--bucket', 'photos', '--out', out])).rejects.toThrow(new RegExp(STORAGE_SECRET_ENV));
    process.env[STORAGE_SECRET_ENV] = S3_SECRET;
    try {
      expect(await storageBackupCommand(run.ctx, [other.name, '--bucket', 'photos', '--out', out])).toBe(0);
    } finally {
      delete process.env[STORAGE_SECRET_ENV];
    }
    const body = JSON.parse(run.out.join('')) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['ok', 'id', 'path', 'objects', 'bytes', 'changedObjects', 'manifestPath', 'durationMs']));
    expect(body).toMatchObject({ ok: true, objects: 5, bytes: 10_000, changedObjects: 5, buckets: ['photos'] });
    expect(path.dirname(body.path as string)).toBe(out);
    expect(fs.existsSync(body.manifestPath as string)).toBe(true);

    const id = body.id as string;
    for (const [argv, check] of [
      [['list', '--profile', other.name], (j: { snapshots: StorageSnapshotEntry[] }) => expect(j.snapshots.map((s) => s.id)).toEqual([id])],
      [['show', body.path as string], (j: StorageSnapshotDetails) => expect(j.perBucket).toEqual([{ bucket: 'photos', objects: 5, bytes: 10_000 }])],
      [['verify', id], (j: StorageVerifyResult) => expect(j).toMatchObject({ ok: true, objects: 5 })],
    ] as const) {
      const c = inProcessCli(
        () => core,
        () => home,
      );
      expect(await storageSnapshotsCommand(c.ctx, [...argv])).toBe(0);
      (check as (j: unknown) => void)(JSON.parse(c.out.join('')));
    }
    const del = inProcessCli(
      () => core,
      () => home,
    );
    await expect(storageSnapshotsCommand(del.ctx, ['delete', id])).rejects.toThrow(/--yes/);
    expect(await storageSnapshotsCommand(del.ctx, ['delete', id, '--yes'])).toBe(0);
    expect(fs.existsSync(body.path as string)).toBe(false);
  });

  it('at start-up, a running snapshot whose process died is failed and its partial removed', async () => {
    const folder = path.join(home, 'storage-snapshots', 'dead');
    fs.mkdirSync(`${folder}.partial/objects`, { recursive: true });
    core.deps.store.db
      .prepare(
        `INSERT INTO storage_snapshots (id, profile_id, profile_name, path, status, started_at, error) VALUES ('dead1', ?, 'shop-prod', ?, 'running', 'then', 'running-owner ${os.hostname()} 999999')`,
      )
      .run(profile.id, folder);
    await core.close();
    ({ core } = { core: newTestCore('unused-', { home }).core });
    const entry = await api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: 'dead1' });
    expect(entry).toMatchObject({ status: 'failed', error: 'the app stopped while this snapshot ran' });
    expect(fs.existsSync(`${folder}.partial`)).toBe(false);
  });
});
