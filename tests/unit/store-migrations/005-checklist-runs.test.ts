// Migration 5 on a version-4 store: signed-off checklist runs that outlive their profile.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, count, indexOn, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 5: signed-off checklist runs', () => {
  it('from version 4, adds signed-off checklist runs that outlive their profile', () => {
    const v4 = h.openAt(4);
    v4.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v4.db.prepare("INSERT INTO snippets (id, title, sql, created_at, updated_at) VALUES ('s1', 'Mine', 'SELECT 2', 'then', 'then')").run();
    const before = schemaObjects(v4);
    v4.close();

    const store = h.openAt(5);
    expect(store.schemaVersion).toBe(5);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index checklist_runs_profile', 'index checklist_runs_signed', 'table checklist_runs'],
      removed: [],
    });
    expect(indexOn(store, 'checklist_runs_profile')).toEqual({ table: 'checklist_runs', columns: ['profile_id', 'signed_at'] });
    expect(indexOn(store, 'checklist_runs_signed')).toEqual({ table: 'checklist_runs', columns: ['signed_at'] });
    expect(store.db.prepare('SELECT name FROM profiles').all()).toEqual([{ name: 'one' }]);
    expect(store.db.prepare('SELECT id, sql FROM snippets').all()).toEqual([{ id: 's1', sql: 'SELECT 2' }]);
    const insert = store.db.prepare(
      `INSERT INTO checklist_runs (id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json)
       VALUES (?, 'p1', 'one', 'morning', 'Morning', ?, 'me', 'then', 'now', ?, '[]')`,
    );
    insert.run('r1', 'warning', '{"steps":[]}');
    expect(store.db.prepare("SELECT note FROM checklist_runs WHERE id = 'r1'").get()).toEqual({ note: '' });
    expect(() => insert.run('r1', 'ok', '{}')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insert.run('r2', 'fine', '{}')).toThrow(/CHECK/);
    expect(() => insert.run('r3', 'ok', '{not json')).toThrow(/CHECK/);

    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(count(store, 'checklist_runs')).toBe(1);
  });
});
