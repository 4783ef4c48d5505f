// Migration 12 on a version-11 store: offsite destinations, their secrets and the copies
// table appear, empty, and nothing else changes; the checks refuse states the app never writes.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

const DEST_SQL = `INSERT INTO offsite_destinations (id, name, endpoint, region, bucket, access_key_id, created_at, updated_at)
  VALUES (?, ?, 'http://127.0.0.1:9000', 'us-east-1', 'offsite', 'AKID', 'now', 'now')`;

describe('migration 12: offsite destinations', () => {
  it('from version 11, adds the three tables and their indexes, keeps every row there was', () => {
    const v11 = h.openAt(11);
    v11.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'production');
    const before = schemaObjects(v11);
    v11.close();

    const store = h.openAt(12);
    expect(store.schemaVersion).toBe(12);
    const change = schemaChange(before, schemaObjects(store));
    expect(change.removed).toEqual([]);
    expect(change.added.filter((o) => !o.startsWith('index sqlite_autoindex'))).toEqual([
      'index backup_copies_artifact',
      'index backup_copies_destination',
      'table backup_copies',
      'table offsite_destinations',
      'table offsite_secrets',
    ]);
    expect(columns(store, 'offsite_destinations')).toEqual([
      'id',
      'name',
      'endpoint',
      'region',
      'bucket',
      'prefix',
      'access_key_id',
      'force_path_style',
      'encrypt',
      'key_id',
      'retention_json',
      'created_at',
      'updated_at',
    ]);
    expect(store.db.prepare('SELECT count(*) AS n FROM profiles').get()).toEqual({ n: 1 });
  });

  it('names are unique, a secret goes with its destination, and statuses are checked', () => {
    const store = h.openAt(12);
    store.db.prepare(DEST_SQL).run('d1', 'offsite');
    expect(() => store.db.prepare(DEST_SQL).run('d2', 'offsite')).toThrow(/UNIQUE/);
    store.db
      .prepare("INSERT INTO offsite_secrets (destination_id, kind, backend, ciphertext, updated_at) VALUES ('d1', 'access', 'memory', x'00', 'now')")
      .run();
    expect(() =>
      store.db.prepare("INSERT INTO offsite_secrets (destination_id, kind, backend, ciphertext, updated_at) VALUES ('d1', 'db', 'memory', x'00', 'now')").run(),
    ).toThrow(/CHECK/);
    store.db.prepare("DELETE FROM offsite_destinations WHERE id = 'd1'").run();
    expect(store.db.prepare('SELECT count(*) AS n FROM offsite_secrets').get()).toEqual({ n: 0 });

    const copy = store.db.prepare(
      `INSERT INTO backup_copies (id, artifact_id, destination_id, destination_name, object_key, status, started_at) VALUES (?, 'b1', 'd1', 'offsite', 'k', ?, 'now')`,
    );
    copy.run('c1', 'running');
    expect(() => copy.run('c2', 'lost')).toThrow(/CHECK/);
  });
});
