// Migration 9 on a version-8 store: monitoring snapshots, one per (profile, time).
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 9: monitoring snapshots', () => {
  it('from version 8, adds metric_snapshots keyed by (profile, at) holding JSON values', () => {
    const v8 = h.openAt(8);
    v8.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v8.db.prepare("INSERT INTO drills (id, profile_id, backup_id, status, started_at, record_json) VALUES ('d1', 'p1', NULL, 'ok', 'then', '{}')").run();
    v8.db
      .prepare(
        `INSERT INTO restores (id, source_path, target_kind, target, database_name, status, started_at, command)
         VALUES ('r1', '/b/x.dump', 'scratch', 'h:5432', 'scratch_1', 'ok', 'then', 'pg_restore …')`,
      )
      .run();
    const before = schemaObjects(v8);
    v8.close();

    const store = h.openAt(9);
    expect(store.schemaVersion).toBe(9);
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: ['table metric_snapshots'], removed: [] });
    expect(store.db.prepare('SELECT id, status FROM drills').all()).toEqual([{ id: 'd1', status: 'ok' }]);
    expect(store.db.prepare('SELECT id, database_name FROM restores').all()).toEqual([{ id: 'r1', database_name: 'scratch_1' }]);

    expect(columns(store, 'metric_snapshots')).toEqual(['profile_id', 'at', 'values_json']);
    const snap = store.db.prepare('INSERT INTO metric_snapshots (profile_id, at, values_json) VALUES (?, ?, ?)');
    snap.run('p1', '2024-01-01T00:00:00.000Z', '{"connections":12,"cacheHitRatio":0.99}');
    snap.run('p1', '2024-01-01T00:05:00.000Z', '{"connections":14}');
    expect(() => snap.run('p1', '2024-01-01T00:05:00.000Z', '{}')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => snap.run('p1', '2024-01-01T00:10:00.000Z', '{not json')).toThrow(/CHECK/);
    expect(store.db.prepare("SELECT json_extract(values_json, '$.connections') AS c FROM metric_snapshots WHERE profile_id = 'p1' ORDER BY at").all()).toEqual([
      { c: 12 },
      { c: 14 },
    ]);
  });
});
