// A storage snapshot taken from a plain S3 store restored into a Supabase Storage bucket whose
// settings refuse some of it: the bucket's file size limit and allowed types (storage.buckets
// of a Supabase-shaped database) and Supabase's key rule, enforced by a Supabase-shaped S3
// endpoint in front of a real S3 server (helpers/supabase-s3.ts). The preview names what will
// be refused, before anything is written; the restore uploads the rest and fails its
// validation naming them. Without the database, the key rule still holds, the preview says
// the limits were not checked, and the server's own refusal stops the restore part-way.
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { StorageRestorePreview, StorageRestoreResult, StorageSnapshotEntry } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { storageRestoreCommand } from '../../src-main/cli/commands/storage-restore';
import { followJob } from '../helpers/backup';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';
import { startSupabaseS3, type SupabaseS3 } from '../helpers/supabase-s3';

let s3: LocalS3;
let db: SupabaseCluster;
let front: SupabaseS3;
let core: Core;
let project: Profile;
let snapshot: StorageSnapshotEntry;
const api = callsOn(() => core);

const MIB = 1024 * 1024;
const OBJECTS: Array<{ key: string; body: Buffer; contentType: string }> = [
  { key: 'rings/solitaire.png', body: crypto.randomBytes(600), contentType: 'image/png' },
  { key: 'rings/halo.jpg', body: crypto.randomBytes(700), contentType: 'image/jpeg' },
  { key: 'rings/.emptyFolderPlaceholder', body: Buffer.alloc(0), contentType: 'application/octet-stream' },
  { key: 'rings/huge.png', body: crypto.randomBytes(5000), contentType: 'image/png' },
  { key: 'rings/care-guide.pdf', body: crypto.randomBytes(300), contentType: 'application/pdf' },
  { key: 'rings/émeraude.png', body: crypto.randomBytes(200), contentType: 'image/png' },
  // AWS's "Create folder" marker.
  { key: 'rings/archive/', body: Buffer.alloc(0), contentType: 'application/x-directory' },
  // Over the restore's 8 MiB multipart threshold: storage-api checks its size part by part.
  { key: 'catalog/lookbook.png', body: crypto.randomBytes(9 * MIB), contentType: 'image/png' },
];
const KEY_RULE =
  "its key has characters Supabase Storage does not accept (only ASCII letters, digits and _ / ! - . * ' ( ) space & $ @ = ; : + , ?): restore it to another store";
const REFUSED = {
  'product-images/catalog/lookbook.png': `${9 * MIB} bytes is over the bucket's file size limit (4096 bytes)`,
  'product-images/rings/care-guide.pdf': "its type application/pdf is not among the bucket's allowed types (image/*)",
  'product-images/rings/huge.png': "5000 bytes is over the bucket's file size limit (4096 bytes)",
  'product-images/rings/émeraude.png': KEY_RULE,
};
const MARKER =
  'an empty folder marker: Supabase Storage has no such object (it would keep it as rings/archive/.emptyFolderPlaceholder); the folder shows once an object is in it';

const byName = (list: string[]) => Object.fromEntries(list.map((r) => [r.slice(0, r.indexOf(': ')), r.slice(r.indexOf(': ') + 2)]));

function profileOf(name: string, endpoint: string, port: number): Record<string, unknown> {
  return {
    name,
    host: db.host,
    port,
    database: db.database,
    user: db.user,
    sslmode: 'disable',
    env: 'staging',
    storage: { endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
  };
}

async function keysIn(bucket: string): Promise<string[]> {
  const store = new ObjectStore(s3.config());
  const keys: string[] = [];
  for await (const o of store.listObjects(bucket)) keys.push(o.key);
  store.destroy();
  return keys.sort();
}

beforeAll(async () => {
  [s3, db] = await Promise.all([startLocalS3(['shop-export', 'product-images', 'scratch', 'ghost']), createSupabaseCluster('project')]);
  front = await startSupabaseS3(s3, db);
  await db.sql(
    `INSERT INTO storage.buckets (id, name, public, file_size_limit, allowed_mime_types) VALUES
       ('product-images', 'product-images', true, 4096, '{image/*}'), ('scratch', 'scratch', false, NULL, NULL)`,
  );
  const plain = new ObjectStore(s3.config());
  for (const o of OBJECTS) await plain.putBody('shop-export', o.key, o.body, { contentType: o.contentType });
  plain.destroy();
  core = newTestCore('ops-storage-restore-supabase-').core;
  // The snapshot comes from another store (plain S3), whose keys and sizes nothing restricted.
  const source = await api.ok<Profile>('createProfile', {
    profile: profileOf('old-store', s3.endpoint, db.port),
    password: db.password,
    storageSecret: S3_SECRET,
  });
  project = await api.ok<Profile>('createProfile', { profile: profileOf('project', front.endpoint, db.port), password: db.password, storageSecret: S3_SECRET });
  const jobId = crypto.randomUUID();
  const done = followJob(core, jobId).done;
  const started = await api.ok<{ snapshotId: string }>('startStorageBackup', { profileId: source.id, jobId, buckets: ['shop-export'] });
  expect(await done).toMatchObject({ ok: true });
  snapshot = await api.ok<StorageSnapshotEntry>('getStorageSnapshot', { id: started.snapshotId });
}, 60_000);
afterAll(async () => {
  await core?.close();
  await front?.close();
  await s3?.destroy();
  await db?.destroy();
});

describe('storage restore into a Supabase Storage bucket', () => {
  it('the Supabase-shaped endpoint refuses what storage-api refuses, with its error codes', async () => {
    const store = new ObjectStore({ ...s3.config(), endpoint: front.endpoint });
    try {
      const codeOf = (key: string, body: Buffer, contentType: string) =>
        store.putBody('product-images', `probe/${key}`, body, { contentType }).then(
          () => 'stored',
          (e: { detail?: { s3Code?: string } }) => e.detail?.s3Code,
        );
      expect(await codeOf('big.png', Buffer.alloc(5000), 'image/png')).toBe('EntityTooLarge');
      expect(await codeOf('guide.pdf', Buffer.alloc(10), 'application/pdf')).toBe('InvalidMimeType');
      expect(await codeOf('émeraude.png', Buffer.alloc(10), 'image/png')).toBe('InvalidKey');
      expect(await codeOf('fine.png', Buffer.alloc(10), 'image/png')).toBe('stored');
      // An empty "folder/" lands under another key.
      expect(await codeOf('dir/', Buffer.alloc(0), 'application/x-directory')).toBe('stored');
    } finally {
      store.destroy();
    }
  });

  it('the preview names each object the bucket will refuse and why, the folder marker it skips, and counts only the rest', async () => {
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: project.id, bucket: 'product-images' });
    expect(p).toMatchObject({ objects: OBJECTS.length, create: 3, overwrite: 0, unchanged: 0, bytes: 600 + 700, refused: 4, skipped: 1, rulesNote: null });
    expect(byName(p.refusedObjects)).toEqual(REFUSED);
    expect(p.skippedObjects).toEqual([`product-images/rings/archive/: ${MARKER}`]);
  });

  it('the restore uploads the rest, leaves the refused and skipped out, and fails its validation naming the refused', async () => {
    const r = await api.ok<StorageRestoreResult>('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: project.id, bucket: 'product-images' });
    expect(r).toMatchObject({ ok: false, created: 3, overwritten: 0, refused: 4, skipped: 1 });
    const failed = r.validation.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toEqual(['accepted by the target']);
    for (const name of Object.keys(REFUSED)) expect(failed[0]!.detail).toContain(name);
    expect(failed[0]!.detail).not.toContain('archive');
    expect(await keysIn('product-images')).toEqual([
      'probe/dir/.emptyFolderPlaceholder',
      'probe/fine.png',
      'rings/.emptyFolderPlaceholder',
      'rings/halo.jpg',
      'rings/solitaire.png',
    ]);
  });

  it('the CLI lists the refused and skipped objects before its confirmation, and exits 1 on the failed validation', async () => {
    const cli = inProcessCli(
      () => core,
      () => '/nonexistent',
    );
    expect(await storageRestoreCommand(cli.ctx, [snapshot.id, '--to', 'project', '--bucket', 'product-images', '--yes', '--json'])).toBe(1);
    const err = cli.err.join('\n');
    expect(err).toContain('4 object(s) the target refuses will not be uploaded');
    for (const [name, why] of Object.entries(REFUSED)) expect(err).toContain(`  refused ${name}: ${why}`);
    expect(err).toContain(`  skipped product-images/rings/archive/: ${MARKER}`);
    expect(JSON.parse(cli.out.join(''))).toMatchObject({ ok: false, created: 0, unchanged: 3, refused: 4, skipped: 1 });
  });

  it('an unrestricted bucket takes everything but the key Supabase cannot hold, the big object as a multipart upload', async () => {
    const r = await api.ok<StorageRestoreResult>('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: project.id, bucket: 'scratch' });
    expect(r).toMatchObject({ ok: false, created: 6, refused: 1, skipped: 1 });
    expect(r.validation.checks.filter((c) => !c.ok).map((c) => c.detail)).toEqual([
      `not uploaded, refused by the target: scratch/rings/émeraude.png: ${KEY_RULE}`,
    ]);
    expect(await keysIn('scratch')).toEqual([
      'catalog/lookbook.png',
      'rings/.emptyFolderPlaceholder',
      'rings/care-guide.pdf',
      'rings/halo.jpg',
      'rings/huge.png',
      'rings/solitaire.png',
    ]);
  });

  it("an object already there as in the snapshot is unchanged, not refused, after the bucket's limits tightened", async () => {
    await db.sql(`UPDATE storage.buckets SET file_size_limit = 100, allowed_mime_types = '{image/png}' WHERE id = 'scratch'`);
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: project.id, bucket: 'scratch' });
    expect(p).toMatchObject({ create: 0, unchanged: 6, refused: 1, skipped: 1 });
  });

  it('a bucket the database shows no row for: the preview says its limits were not checked', async () => {
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: project.id, bucket: 'ghost' });
    expect(p).toMatchObject({
      refused: 1,
      skipped: 1,
      rulesNote: "project's database shows no storage.buckets row for ghost: its size and type limits were not checked",
    });
  });

  it('a storage.buckets held by a lock (a migration, a dashboard edit) does not hold the preview up', async () => {
    const holder = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE storage.buckets IN ACCESS EXCLUSIVE MODE');
      const p = await api.ok<StorageRestorePreview>('previewStorageRestore', {
        snapshotId: snapshot.id,
        targetProfileId: project.id,
        bucket: 'product-images',
      });
      expect(p.rulesNote).toMatch(/^the buckets' size and type limits were not checked \(project's database: .*lock timeout/);
    } finally {
      await holder.end();
    }
  });

  it("without the project's database: the key rule still holds, the preview says the limits were not checked, and the server's refusal stops the restore", async () => {
    const blind = await api.ok<Profile>('createProfile', { profile: profileOf('project-no-db', front.endpoint, 1), password: 'x', storageSecret: S3_SECRET });
    const p = await api.ok<StorageRestorePreview>('previewStorageRestore', { snapshotId: snapshot.id, targetProfileId: blind.id, bucket: 'product-images' });
    expect(p).toMatchObject({ refused: 1, skipped: 1 });
    expect(p.rulesNote).toMatch(/^the buckets' size and type limits were not checked \(project-no-db's database: /);
    const e = await api.fail('restoreStorageSnapshot', { snapshotId: snapshot.id, targetProfileId: blind.id, bucket: 'product-images' });
    expect(e.code).toBe('STORAGE_FAILED');
    expect(['EntityTooLarge', 'InvalidMimeType']).toContain((e.detail as { s3Code?: string }).s3Code);
    expect(e.message).toMatch(/The restore stopped; /);
    // What to change, in Supabase's words.
    expect(e.message).toMatch(/on Supabase Storage, the bucket's (file size limit and the project's upload limit|allowed MIME types)/);
  });
});
