// A storage snapshot restored into another profile's bucket through the whole core, against a
// real S3 server on loopback: the preview (all create, then one overwrite and one unchanged),
// the restore and its read-back validation (bytes and content types equal to the source, a
// multipart-sized object included), a second preview counting everything unchanged, a
// production target refused without its name, a tampered snapshot refused before any upload,
// and the CLI with --yes --json (and its progress lines without --json). The restore is a job:
// its progress events (check, upload, verify), a cancel part-way and the server killed
// part-way, each answering with the objects already written.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { AuditEntry, Profile } from '../../src-main/contract/models';
import type { StorageRestorePreview, StorageRestoreProgressEvent, StorageRestoreResult, StorageSnapshotEntry } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { readManifest } from '../../src-main/core/storage';
import { storageRestoreCommand } from '../../src-main/cli/commands/storage-restore';
import { STORAGE_SECRET_ENV } from '../../src-main/cli/storage-secret';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let core: Core;
let home: string;
let source: Profile;
let target: Profile;
let prod: Profile;
let store: ObjectStore;
let snapshot: StorageSnapshotEntry;
const api = callsOn(() => core);
const sources = new Map<string, { body: Buffer; contentType: string }>();
const BIG = 'videos/big clip.bin';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function read(bucket: string, key: string): Promise<{ body: Buffer; contentType: string | null }> {
  const { body, contentType } = await store.getStream(bucket, key);
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) parts.push(chunk);
  return { body: Buffer.concat(parts), contentType };
}

async function keysOf(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.listObjects(bucket)) keys.push(o.key);
  return keys.sort();
}

/** The restore job's progress events for `jobId`, and `onEvent` called with each as it comes. */
function progressOf(
  jobId: string,
  onEvent: (e: StorageRestoreProgressEvent) => void = () => undefined,
): { events: StorageRestoreProgressEvent[]; off: () => void } {
  const events: StorageRestoreProgressEvent[] = [];
  const off = core.events.subscribe((e: AppEvent) => {
    if (e.type !== 'storage.restore.progress' || e.jobId !== jobId) return;
    events.push(e);
    onEvent(e);
  });
  return { events, off };
}

/** The `bucket/key` names a part-way restore's message says were written (none: "nothing was written"). */
function writtenIn(message: string): string[] {
  if (/nothing was written/.test(message)) return [];
  const m = /objects were written before it stopped: (.*)\.$/.exec(message);
  if (!m) throw new Error(`no list of written objects in: ${message}`);
  return m[1]!.split(', ');
}

function storageProfile(name: string, env: string, readOnly?: boolean): Record<string, unknown> {
  return {
    name,
    ...(readOnly === undefined ? {} : { readOnly }),
    host: 'db.example.supabase.co',
    database: 'postgres',
    user: 'postgres',
    env,
    storage: { endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
  };
}

beforeAll(async () => {
  s3 = await startLocalS3(['a-src', 'b-dst', 'c-prod', 'd-tamper', 'e-cli', 'f-cancel', 'g-kill', 'h-cli']);
  ({ core, home } = newTestCore('ops-storage-restore-'));
  store = new ObjectStore(s3.config());
  sources.set('docs/readme.txt', { body: Buffer.from('hello storage'), contentType: 'text/plain' });
  sources.set('avatars/ünï cödé.png', { body: crypto.randomBytes(3000), contentType: 'image/png' });
  sources.set('same.json', { body: Buffer.from('{"same":true}'), contentType: 'application/json' });
  sources.set('changed.csv', { body: Buffer.from('a,b\n1,2\n'), contentType: 'text/csv' });
  // Over the 8 MiB threshold: restored as a multipart upload.
  sources.set(BIG, { body: crypto.randomBytes(9 * 1024 * 1024 + 123), contentType: 'application/octet-stream' });
  for (const [key, o] of sources) await store.putBody('a-src', key, o.body, { contentType: o.contentType });
  source = await api.ok<Profile>('createProfile', { profile: storageProfile('shop-src', 'development'), storageSecret: S3_SECRET });
  target = await api.ok<Profile>('createProfile', { profile: storageProfile('shop-copy', 'staging'), storageSecret: S3_SECRET });
  prod = await api.ok<Profile>('createProfile', { profile: storageProfile('shop-prod', 'production', false), storageSecret: S3_SECRET });

  const jobId = crypto.randomUUID();
  const done = new Promise<{ ok: boolean }>((resolve) => {
    const off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'job.done' && e.jobId === jobId) {
        off();
        resolve(e);
      }
    });
  });
  const started = await api.ok<{ snapshotId: string }>('startStorageBackup', { profileId: source.id, jobId, buckets: ['a-src'] });
  expect(await done).toMatchObject({ ok: true });
  snapshot = await api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: started.snapshotId });
  expect(snapshot).toMatchObject({ status: 'ok', objects: sources.size });
}, 60_000);
afterAll(async () => {
  store?.destroy();
  await core?.close();
  await s3?.destroy();
});

const totalBytes = () => [...sources.values()].reduce((sum, o) => sum + o.body.length, 0);

describe('storage restore', () => {
  it('previews every object as create into an empty bucket of another profile; reads only', async () => {
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'b-dst' });
    expect(p).toEqual({
      target: 'shop-copy',
      bucket: 'b-dst',
      buckets: ['b-dst'],
      objects: sources.size,
      create: sources.size,
      overwrite: 0,
      unchanged: 0,
      bytes: totalBytes(),
      overwritten: [],
      // The endpoint is not Supabase Storage's: no rules to check.
      refused: 0,
      refusedObjects: [],
      skipped: 0,
      skippedObjects: [],
      rulesNote: null,
    });
    expect(await keysOf('b-dst')).toEqual([]);
  });

  it('a bucket the target lacks is STORAGE_FAILED no-bucket', async () => {
    const e = await api.fail('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'no-such-bucket' });
    expect(e).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'no-bucket', bucket: 'no-such-bucket' } });
  });

  it('restores: one changed object overwritten, an identical one skipped, an extra one left; validation reads them back', async () => {
    await store.putBody('b-dst', 'changed.csv', 'x,y\n9,9\n', { contentType: 'text/csv' });
    await store.putBody('b-dst', 'same.json', sources.get('same.json')!.body, { contentType: 'application/json' });
    await store.putBody('b-dst', 'extra.txt', 'not in the snapshot');
    const input = { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'b-dst' };
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', input);
    expect(p).toMatchObject({ create: sources.size - 2, overwrite: 1, unchanged: 1, overwritten: ['b-dst/changed.csv'] });
    expect(p.bytes).toBe(totalBytes() - sources.get('same.json')!.body.length);

    const jobId = crypto.randomUUID();
    const progress = progressOf(jobId);
    const r = await api.ok<StorageRestoreResult>('restoreStorageSnapshot', { ...input, jobId });
    progress.off();
    expect(r).toMatchObject({ ok: true, target: 'shop-copy', bucket: 'b-dst', created: sources.size - 2, overwritten: 1, unchanged: 1, bytes: p.bytes });
    // A job's progress: the files checked, then uploaded, then read back, each phase to its end.
    const phases = progress.events.map((e) => e.phase);
    expect([...new Set(phases)]).toEqual(['check', 'upload', 'verify']);
    for (const phase of ['check', 'upload', 'verify'] as const) {
      const last = progress.events.filter((e) => e.phase === phase).at(-1)!;
      expect(last).toMatchObject({ objectsDone: 4, objectsTotal: 4, bytesDone: p.bytes, bytesTotal: p.bytes, etaSeconds: 0 });
    }
    expect(r.validation.ok).toBe(true);
    expect(r.validation.checks.map((c) => c.name)).toEqual(['objects present', 'sizes', 'sha256']);
    for (const [key, o] of sources) {
      const got = await read('b-dst', key);
      expect(sha(got.body)).toBe(sha(o.body));
      expect(got.contentType).toBe(o.contentType);
    }
    expect(await keysOf('b-dst')).toContain('extra.txt');

    const audit = (await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'storage.restore' })).entries;
    expect(audit[0]).toMatchObject({ outcome: 'ok', profile: 'shop-copy' });
    expect(audit[0]!.summary).toMatch(/3 created, 1 overwritten, 1 unchanged/);
    expect(audit[0]!.summary).toContain('b-dst');
    expect(JSON.stringify(audit)).not.toContain(S3_SECRET);

    // Restored again: nothing to do, the multipart object included (its ETag is of the multipart form now).
    const again = await api.ok<StorageRestorePreview>('previewStorageRestore', input);
    expect(again).toMatchObject({ create: 0, overwrite: 0, unchanged: sources.size, bytes: 0 });
  }, 60_000);

  it('keys pick objects; without a bucket each goes into its own bucket name', async () => {
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: target.id, keys: ['docs/readme.txt'] });
    expect(p).toMatchObject({ bucket: null, buckets: ['a-src'], objects: 1, unchanged: 1 });
    // By snapshot bucket and key (the dialog's choice): a key of another bucket is not this object.
    const chosen = { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'b-dst' };
    const two = await api.ok<StorageRestorePreview>('previewStorageRestore', {
      ...chosen,
      objects: [
        { bucket: 'a-src', key: 'docs/readme.txt' },
        { bucket: 'a-src', key: BIG },
      ],
    });
    expect(two).toMatchObject({ objects: 2, unchanged: 2, bytes: 0 });
    const none = await api.fail('previewStorageRestore', { ...chosen, objects: [{ bucket: 'b-dst', key: 'docs/readme.txt' }] });
    expect(none).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a production target without its name typed is refused and nothing is written', async () => {
    const input = { snapshotId: snapshot.id, targetProfileId: prod.id, bucket: 'c-prod' };
    const e = await api.fail('restoreStorageSnapshot', input);
    expect(e).toMatchObject({ code: 'CONFIRMATION_REQUIRED', detail: { expected: 'shop-prod' } });
    expect((await api.fail('restoreStorageSnapshot', { ...input, confirmName: 'shop' })).code).toBe('CONFIRMATION_REQUIRED');
    expect(await keysOf('c-prod')).toEqual([]);
    const refused = (await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'storage.restore' })).entries[0]!;
    expect(refused).toMatchObject({ profile: 'shop-prod' });
    expect(refused.outcome).not.toBe('ok');

    const r = await api.ok<StorageRestoreResult>('restoreStorageSnapshot', { ...input, keys: ['docs/readme.txt'], confirmName: 'shop-prod' });
    expect(r).toMatchObject({ ok: true, created: 1 });
    expect(await keysOf('c-prod')).toEqual(['docs/readme.txt']);
  });

  it('a read-only profile only observes: its bucket is not written, even with its name typed', async () => {
    const watcher = await api.ok<Profile>('createProfile', { profile: storageProfile('shop-watch', 'production'), storageSecret: S3_SECRET });
    expect(watcher.readOnly).toBe(true);
    const e = await api.fail('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: watcher.id, bucket: 'b-dst', confirmName: 'shop-watch' });
    expect(e).toMatchObject({ code: 'READ_ONLY', detail: { reason: 'read-only' } });
    // The preview only reads, so it stays open to a read-only profile.
    expect(
      (await api.ok<{ objects: number }>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: watcher.id, bucket: 'b-dst' })).objects,
    ).toBeGreaterThan(0);
  });

  it('the CLI: preview on stderr, refused without --yes and no terminal, then --yes --json', async () => {
    process.env[STORAGE_SECRET_ENV] = S3_SECRET;
    try {
      const no = inProcessCli(
        () => core,
        () => home,
      );
      await expect(storageRestoreCommand(no.ctx, [snapshot.id, '--to', 'shop-copy', '--bucket', 'e-cli'])).rejects.toMatchObject({
        code: 'CONFIRMATION_REQUIRED',
      });
      expect(no.err.join('\n')).toMatch(/5 to create, 0 to overwrite, 0 unchanged/);
      expect(await keysOf('e-cli')).toEqual([]);

      const run = inProcessCli(
        () => core,
        () => home,
      );
      expect(await storageRestoreCommand(run.ctx, [snapshot.path, '--to', 'shop-copy', '--bucket', 'e-cli', '--yes', '--json'])).toBe(0);
      const body = JSON.parse(run.out.join('')) as StorageRestoreResult;
      expect(Object.keys(body)).toEqual(
        expect.arrayContaining(['ok', 'target', 'bucket', 'created', 'overwritten', 'unchanged', 'bytes', 'durationMs', 'validation']),
      );
      expect(body).toMatchObject({ ok: true, target: 'shop-copy', bucket: 'e-cli', created: sources.size, bytes: totalBytes(), validation: { ok: true } });
      expect((await keysOf('e-cli')).length).toBe(sources.size);
      // --json keeps stderr to the preview; without it the progress shows there (no terminal: a line per phase).
      expect(run.err.join('\n')).not.toMatch(/uploading/);
      const plain = inProcessCli(
        () => core,
        () => home,
      );
      const text = { ...plain.ctx, io: { ...plain.ctx.io, json: false } };
      expect(await storageRestoreCommand(text, [snapshot.id, '--to', 'shop-copy', '--bucket', 'h-cli', '--yes'])).toBe(0);
      const err = plain.err.join('\n');
      for (const phase of ['checking the snapshot', 'uploading', 'reading back']) expect(err).toMatch(new RegExp(`${phase} \\d/5 objects`));
      expect(plain.out.join('\n')).toMatch(/5 created, 0 overwritten, 0 unchanged/);
    } finally {
      delete process.env[STORAGE_SECRET_ENV];
    }
  }, 60_000);

  it('cancel stops the job: CANCELLED naming what was written, the start and the cancel audited', async () => {
    const jobId = crypto.randomUUID();
    let asked: Promise<{ cancelled: boolean }> | null = null;
    const progress = progressOf(jobId, (e) => {
      if (e.phase === 'upload' && asked === null) asked = api.ok<{ cancelled: boolean }>('cancelStorageRestore', { jobId });
    });
    const e = await api.fail('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'f-cancel', jobId });
    progress.off();
    expect(await asked).toEqual({ cancelled: true });
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/^Storage restore stopped \(cancelled by /);
    const there = await keysOf('f-cancel');
    for (const name of writtenIn(e.message)) expect(there).toContain(name.replace(/^f-cancel\//, ''));
    expect(progress.events.some((p) => p.phase === 'verify')).toBe(false);
    const [restore] = (await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'storage.restore' })).entries;
    expect(restore).toMatchObject({ profile: 'shop-copy' });
    expect(['error', 'cancelled']).toContain(restore!.outcome);
    expect(restore!.error).toMatch(/^CANCELLED: Storage restore stopped/);
    const [cancel] = (await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'storage.restore.cancel' })).entries;
    expect(cancel).toMatchObject({ outcome: 'ok', summary: `storage restore ${jobId} cancelled` });
    // Not running any more: nothing to cancel.
    expect(await api.ok('cancelStorageRestore', { jobId })).toEqual({ cancelled: false });
  });

  it('the S3 server killed mid-restore: STORAGE_FAILED unreachable, the message names the objects written', async () => {
    const jobId = crypto.randomUUID();
    let killed: Promise<void> | null = null;
    // Killed once the first object is in: the multipart one is still being sent.
    const progress = progressOf(jobId, (e) => {
      if (e.phase === 'upload' && e.objectsDone >= 1 && killed === null) killed = s3.stop();
    });
    const e = await api.fail('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'g-kill', jobId });
    progress.off();
    await killed;
    await s3.start();
    expect(e).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'unreachable', endpoint: s3.endpoint } });
    expect(e.message).toMatch(/The restore stopped; \d+ of 5 objects were written before it stopped: g-kill\//);
    const written = writtenIn(e.message);
    expect(written.length).toBeGreaterThanOrEqual(1);
    const there = await keysOf('g-kill');
    for (const name of written) expect(there).toContain(name.replace(/^g-kill\//, ''));
    const [restore] = (await api.ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'storage.restore' })).entries;
    expect(restore!.error).toContain(written[0]!);
  }, 60_000);

  // Last: the snapshot's files are shared by content, so this damages the one snapshot here.
  it('a tampered snapshot file is refused before any upload', async () => {
    const manifest = readManifest(snapshot.path);
    const victim = manifest.objects.find((o) => o.key === 'docs/readme.txt')!;
    const file = path.join(snapshot.path, victim.file);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, 'HELLO STORAGE');
    const e = await api.fail('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: target.id, bucket: 'd-tamper' });
    expect(e).toMatchObject({ code: 'STORAGE_FAILED', detail: { reason: 'integrity', key: 'docs/readme.txt' } });
    expect(e.message).toMatch(/nothing was uploaded/);
    expect(await keysOf('d-tamper')).toEqual([]);
  });
});
