// Migration 16 on a version-15 store: backup_copies gains `direct` (a backup written straight
// to the destination), 0 for every copy there was; nothing else changes, and the column
// refuses a value the app never writes.
import { describe, expect, it } from 'vitest';
import { columns, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

const COPY_SQL = `INSERT INTO backup_copies (id, artifact_kind, artifact_id, destination_id, destination_name, object_key, encrypted, status, started_at)
  VALUES (?, 'backup', 'b1', 'd1', 'dest', ?, 0, 'ok', 'now')`;

describe('migration 16: offsite direct copies', () => {
  it('from version 15, adds backup_copies.direct (0 for existing copies), no other schema change', () => {
    const v15 = h.openAt(15);
    v15.db.pragma('foreign_keys = OFF');
    v15.db.prepare(COPY_SQL).run('c1', 'ops/p/x.dump');
    const before = schemaObjects(v15);
    const columnsBefore = columns(v15, 'backup_copies');
    v15.close();

    const store = h.openAt(16);
    expect(store.schemaVersion).toBe(16);
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(columns(store, 'backup_copies')).toEqual([...columnsBefore, 'direct']);
    expect(store.db.prepare("SELECT direct FROM backup_copies WHERE id = 'c1'").get()).toEqual({ direct: 0 });

    store.db.pragma('foreign_keys = OFF');
    store.db.prepare(COPY_SQL).run('c2', 'ops/p/y.dump');
    expect(store.db.prepare("SELECT direct FROM backup_copies WHERE id = 'c2'").get()).toEqual({ direct: 0 });
    expect(() => store.db.prepare("UPDATE backup_copies SET direct = 2 WHERE id = 'c2'").run()).toThrow(/CHECK/);
    store.db.prepare("UPDATE backup_copies SET direct = 1 WHERE id = 'c2'").run();
  });
});
