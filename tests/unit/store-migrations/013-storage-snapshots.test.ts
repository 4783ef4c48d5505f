// Migration 13 on a version-12 store: the storage snapshot catalog appears, empty, and
// nothing else changes; its status check refuses a state the app never writes.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, count, indexOn, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 13: storage snapshots', () => {
  it('from version 12, adds storage_snapshots and its profile index, keeps every row there was', () => {
    const v12 = h.openAt(12);
    v12.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'production');
    const before = schemaObjects(v12);
    v12.close();

    const store = h.openAt(13);
    expect(store.schemaVersion).toBe(13);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index storage_snapshots_profile', 'table storage_snapshots'],
      removed: [],
    });
    expect(columns(store, 'storage_snapshots')).toEqual([
      'id',
      'profile_id',
      'profile_name',
      'path',
      'status',
      'buckets_json',
      'objects',
      'bytes',
      'changed_objects',
      'reused_objects',
      'manifest_sha256',
      'started_at',
      'finished_at',
      'duration_ms',
      'error',
      'verified_at',
      'verified_ok',
    ]);
    expect(indexOn(store, 'storage_snapshots_profile')).toEqual({ table: 'storage_snapshots', columns: ['profile_id', 'started_at'] });
    expect(count(store, 'profiles')).toBe(1);
    expect(count(store, 'storage_snapshots')).toBe(0);

    const insert = store.db.prepare(
      `INSERT INTO storage_snapshots (id, profile_id, profile_name, path, status, started_at) VALUES (?, 'p1', 'one', '/s/one/x', ?, 'now')`,
    );
    insert.run('s1', 'running');
    expect(
      store.db.prepare("SELECT buckets_json, objects, bytes, changed_objects, reused_objects, verified_ok FROM storage_snapshots WHERE id = 's1'").get(),
    ).toEqual({
      buckets_json: '[]',
      objects: 0,
      bytes: 0,
      changed_objects: 0,
      reused_objects: 0,
      verified_ok: null,
    });
    expect(() => insert.run('s2', 'half-done')).toThrow(/CHECK/);
  });
});
