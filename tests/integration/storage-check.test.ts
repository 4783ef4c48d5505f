// checkStorage against a Supabase-shaped database (storage.buckets/objects as storage-api
// creates them, rows written the way it writes them) and a real S3 server: objects the
// database knows but the bucket lacks, objects with no row, size mismatches, and all clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { StorageCheckResult } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { storageCheckCommand } from '../../src-main/cli/commands/storage';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { S3_KEY_ID, S3_SECRET, startLocalS3, type LocalS3 } from '../helpers/s3';
import { createSupabaseCluster, type SupabaseCluster } from '../helpers/supabase';

let s3: LocalS3;
let db: SupabaseCluster;
let core: Core;
let profile: Profile;
const api = callsOn(() => core);

/** The row storage-api writes on upload. */
function row(bucket: string, name: string, size: number): string {
  const meta = {
    eTag: '"abc"',
    size,
    mimetype: 'image/png',
    cacheControl: 'max-age=3600',
    lastModified: '2026-12-01T00:00:00.000Z',
    contentLength: size,
    httpStatusCode: 200,
  };
  return `INSERT INTO storage.objects (bucket_id, name, owner, metadata, version) VALUES ('${bucket}', '${name.replace(/'/g, "''")}', NULL, '${JSON.stringify(meta)}'::jsonb, gen_random_uuid()::text)`;
}

beforeAll(async () => {
  [s3, db] = await Promise.all([startLocalS3(['designs', 'photos']), createSupabaseCluster('project')]);
  const store = new ObjectStore(s3.config());
  await store.putBody('designs', 'logo.png', '12345');
  await store.putBody('designs', 'dir/ü space.png', '1234567');
  await store.putBody('photos', 'orphan.jpg', 'no row for me');
  await store.putBody('photos', 'ok.jpg', 'ok');
  store.destroy();
  await db.sql(`INSERT INTO storage.buckets (id, name) VALUES ('designs', 'designs'), ('photos', 'photos')`);
  for (const sql of [row('designs', 'logo.png', 5), row('designs', 'dir/ü space.png', 99), row('designs', 'gone.png', 3), row('photos', 'ok.jpg', 2)])
    await db.sql(sql);
  core = newTestCore('ops-storage-check-').core;
  profile = await api.ok<Profile>('createProfile', {
    profile: {
      name: 'project',
      host: db.host,
      port: db.port,
      database: db.database,
      user: db.user,
      sslmode: 'disable',
      env: 'staging',
      storage: { endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
    },
    password: db.password,
    storageSecret: S3_SECRET,
  });
});
afterAll(async () => {
  await core?.close();
  await s3?.destroy();
  await db?.destroy();
});

describe('checkStorage', () => {
  it('names what the bucket lacks, what has no row and the size mismatches', async () => {
    const r = await api.ok<StorageCheckResult>('checkStorage', { profileId: profile.id });
    expect(r).toEqual({
      ok: false,
      // The fixture's own avatars bucket (one row) has no bucket at the endpoint at all.
      buckets: ['avatars', 'designs', 'photos'],
      databaseObjects: 5,
      bucketObjects: 4,
      missingInBucket: [
        { bucket: 'avatars', key: 'public/ada.png', size: 1024 },
        { bucket: 'designs', key: 'gone.png', size: 3 },
      ],
      missingInDatabase: [{ bucket: 'photos', key: 'orphan.jpg', size: 13 }],
      sizeMismatches: [{ bucket: 'designs', key: 'dir/ü space.png', databaseSize: 99, bucketSize: 7 }],
      truncated: false,
    });
    // The CLI: the same JSON, exit 1 on differences.
    const cli = inProcessCli(
      () => core,
      () => '/nonexistent',
    );
    expect(await storageCheckCommand(cli.ctx, ['project'])).toBe(1);
    expect(JSON.parse(cli.out.join(''))).toEqual(r);
  });

  it('all clear for a bucket that matches; audited', async () => {
    await db.sql(`DELETE FROM storage.objects WHERE bucket_id = 'photos'`);
    await db.sql(row('photos', 'ok.jpg', 2));
    await db.sql(row('photos', 'orphan.jpg', 13));
    const r = await api.ok<StorageCheckResult>('checkStorage', { profileId: profile.id, buckets: ['photos'] });
    expect(r).toMatchObject({ ok: true, buckets: ['photos'], databaseObjects: 2, bucketObjects: 2 });
    const { entries } = await api.ok<{ entries: Array<{ outcome: string; summary: string }> }>('searchAudit', { action: 'storage.check' });
    expect(entries[0]).toMatchObject({ outcome: 'ok', summary: expect.stringContaining('storage check of project: ok') });
  });
});
