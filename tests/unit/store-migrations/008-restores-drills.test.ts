// Migration 8 on a version-7 store: restores with their validation report, and drills.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, indexOn, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

const RESTORE_SQL = `INSERT INTO restores (id, backup_id, source_path, target_kind, profile_id, target, database_name, status, started_at, command, validation_json)
  VALUES (?, 'b1', '/b/x.dump', ?, 'p1', 'h:5432', 'shop', ?, 'then', 'pg_restore …', ?)`;
const DRILL_SQL = `INSERT INTO drills (id, profile_id, backup_id, status, started_at, record_json) VALUES (?, 'p1', 'b1', ?, 'then', ?)`;

describe('migration 8: restores and restore drills', () => {
  it('from version 7, adds restores and drills with their statuses, JSON checks and indexes', () => {
    const v7 = h.openAt(7);
    v7.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v7.db
      .prepare(
        `INSERT INTO backups (id, profile_id, profile_name, kind, format, path, status, bytes, started_at, command)
         VALUES ('b1', 'p1', 'one', 'full', 'custom', '/b/x.dump', 'ok', 1234, 'then', 'pg_dump …')`,
      )
      .run();
    const before = schemaObjects(v7);
    v7.close();

    const store = h.openAt(8);
    expect(store.schemaVersion).toBe(8);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index drills_profile', 'index restores_started', 'table drills', 'table restores'],
      removed: [],
    });
    expect(indexOn(store, 'restores_started')).toEqual({ table: 'restores', columns: ['started_at'] });
    expect(indexOn(store, 'drills_profile')).toEqual({ table: 'drills', columns: ['profile_id', 'started_at'] });
    expect(store.db.prepare('SELECT id, status, bytes FROM backups').all()).toEqual([{ id: 'b1', status: 'ok', bytes: 1234 }]);

    const restore = store.db.prepare(RESTORE_SQL);
    restore.run('r1', 'profile', 'ok', '{"tables":3}');
    restore.run('r2', 'scratch', 'failed', null);
    restore.run('r3', 'new-database', 'running', null);
    expect(() => restore.run('r4', 'elsewhere', 'ok', null)).toThrow(/CHECK/);
    expect(() => restore.run('r5', 'profile', 'done', null)).toThrow(/CHECK/);
    expect(() => restore.run('r6', 'profile', 'ok', '{not json')).toThrow(/CHECK/);
    expect(store.db.prepare("SELECT pre_restore_backup_id, finished_at FROM restores WHERE id = 'r1'").get()).toEqual({
      pre_restore_backup_id: null,
      finished_at: null,
    });

    const drill = store.db.prepare(DRILL_SQL);
    drill.run('d1', 'cancelled', '{"steps":[]}');
    expect(() => drill.run('d2', 'maybe', '{}')).toThrow(/CHECK/);
    expect(() => drill.run('d3', 'ok', '{not json')).toThrow(/CHECK/);
    expect(() => store.db.prepare("INSERT INTO drills (id, status, started_at, record_json) VALUES ('d4', 'ok', 'then', NULL)").run()).toThrow(/NOT NULL/);

    // Both outlive the profile they ran against.
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(store.db.prepare('SELECT count(*) AS n FROM restores').get()).toEqual({ n: 3 });
    expect(store.db.prepare('SELECT count(*) AS n FROM drills').get()).toEqual({ n: 1 });
  });
});
