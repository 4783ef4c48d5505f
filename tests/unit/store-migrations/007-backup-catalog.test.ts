// Migration 7 on a version-6 store: the backup catalog, failed backups included.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, indexOn, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

const BACKUP_SQL = `INSERT INTO backups (id, profile_id, profile_name, kind, format, path, status, started_at, command, error, manifest_json)
  VALUES (?, 'p1', 'one', ?, ?, '/b/x.dump', ?, 'then', 'pg_dump …', ?, ?)`;

describe('migration 7: backup catalog', () => {
  it('from version 6, adds the backups table with its kinds, formats, statuses and indexes', () => {
    const v6 = h.openAt(6);
    v6.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v6.db.prepare("INSERT INTO threshold_overrides (profile_id, key, warn, critical, updated_at) VALUES ('p1', 'connections', 80, 95, 'then')").run();
    v6.db.prepare("INSERT INTO runbooks (id, title, source, imported_at, outline_json) VALUES ('rb1', 'Failover', 'f.md', 'then', '{}')").run();
    const before = schemaObjects(v6);
    v6.close();

    const store = h.openAt(7);
    expect(store.schemaVersion).toBe(7);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index backups_profile', 'index backups_started', 'table backups'],
      removed: [],
    });
    expect(indexOn(store, 'backups_profile')).toEqual({ table: 'backups', columns: ['profile_id', 'started_at'] });
    expect(indexOn(store, 'backups_started')).toEqual({ table: 'backups', columns: ['started_at'] });
    expect(store.db.prepare('SELECT key, warn, critical FROM threshold_overrides').all()).toEqual([{ key: 'connections', warn: 80, critical: 95 }]);
    expect(store.db.prepare('SELECT id, source FROM runbooks').all()).toEqual([{ id: 'rb1', source: 'f.md' }]);

    const backup = store.db.prepare(BACKUP_SQL);
    backup.run('b1', 'full', 'custom', 'ok', null, '{"version":1}');
    backup.run('b2', 'roles', 'plain', 'failed', 'pg_dumpall: permission denied', null); // a failed one stays listed, without a manifest
    expect(store.db.prepare("SELECT bytes, sha256, verified_at, verified_ok FROM backups WHERE id = 'b1'").get()).toEqual({
      bytes: null,
      sha256: null,
      verified_at: null,
      verified_ok: null,
    });
    expect(() => backup.run('b3', 'incremental', 'custom', 'ok', null, null)).toThrow(/CHECK/);
    expect(() => backup.run('b4', 'full', 'tar', 'ok', null, null)).toThrow(/CHECK/);
    expect(() => backup.run('b5', 'full', 'custom', 'done', null, null)).toThrow(/CHECK/);
    expect(() => backup.run('b6', 'full', 'custom', 'ok', null, '{not json')).toThrow(/CHECK/);
    expect(() => backup.run('b1', 'full', 'custom', 'ok', null, null)).toThrow(/UNIQUE|PRIMARY/);

    // The catalog outlives the profile (profile_name is copied, no foreign key).
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(store.db.prepare('SELECT id, profile_name FROM backups ORDER BY id').all()).toEqual([
      { id: 'b1', profile_name: 'one' },
      { id: 'b2', profile_name: 'one' },
    ]);
  });
});
