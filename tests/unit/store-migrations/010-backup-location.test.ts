// Migration 10 on a version-9 store: backups get a destination location, filled for the
// rows already there from their local path.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

const OLD_BACKUP_SQL = `INSERT INTO backups (id, profile_id, profile_name, kind, format, path, status, started_at, command)
  VALUES (?, 'p1', 'one', 'full', ?, ?, ?, 'then', 'pg_dump …')`;

describe('migration 10: backup location', () => {
  it('from version 9, adds backups.location as file:// + path for every existing row, and nothing else', () => {
    const v9 = h.openAt(9);
    v9.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    const old = v9.db.prepare(OLD_BACKUP_SQL);
    old.run('b1', 'custom', '/var/backups/one_full_20250101-000000.dump', 'ok');
    old.run('b2', 'directory', '/home/me/ops console/backups/one_full_20250102-000000', 'failed'); // a space, a folder, a failed one
    v9.db.prepare("INSERT INTO metric_snapshots (profile_id, at, values_json) VALUES ('p1', 'then', '{}')").run();
    const before = schemaObjects(v9);
    const columnsBefore = columns(v9, 'backups');
    v9.close();

    const store = h.openAt(10);
    expect(store.schemaVersion).toBe(10);
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(columns(store, 'backups')).toEqual([...columnsBefore, 'location']);
    expect(store.db.prepare('SELECT id, path, location, status FROM backups ORDER BY id').all()).toEqual([
      { id: 'b1', path: '/var/backups/one_full_20250101-000000.dump', location: 'file:///var/backups/one_full_20250101-000000.dump', status: 'ok' },
      {
        id: 'b2',
        path: '/home/me/ops console/backups/one_full_20250102-000000',
        location: 'file:///home/me/ops console/backups/one_full_20250102-000000',
        status: 'failed',
      },
    ]);
    expect(store.db.prepare('SELECT count(*) AS n FROM metric_snapshots').get()).toEqual({ n: 1 });

    // New rows name their location themselves; the column takes any destination's form.
    store.db
      .prepare(
        `INSERT INTO backups (id, profile_id, profile_name, kind, format, path, status, started_at, command, location)
         VALUES ('b3', 'p1', 'one', 'full', 'custom', '/b/x.dump', 'running', 'now', 'pg_dump …', 'file:///b/x.dump')`,
      )
      .run();
    expect(store.db.prepare("SELECT location FROM backups WHERE id = 'b3'").get()).toEqual({ location: 'file:///b/x.dump' });
  });
});
