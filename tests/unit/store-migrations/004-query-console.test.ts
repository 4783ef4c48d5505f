// Migration 4 on a version-3 store: editor tabs (cascading with the profile), query history
// (outliving it) and snippets.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, count, indexOn, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 4: query console', () => {
  it('from version 3, adds editor tabs (cascading with the profile), query history and snippets', () => {
    const v3 = h.openAt(3);
    v3.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v3.db.prepare("INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES ('p1', 'ssh', 'test', x'00', 'now')").run();
    const before = schemaObjects(v3);
    v3.close();

    const store = h.openAt(4);
    expect(store.schemaVersion).toBe(4);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index query_history_profile', 'table editor_tabs', 'table query_history', 'table snippets'],
      removed: [],
    });
    expect(indexOn(store, 'query_history_profile')).toEqual({ table: 'query_history', columns: ['profile_id', 'id'] });
    expect(store.db.prepare('SELECT profile_id, kind FROM secrets').all()).toEqual([{ profile_id: 'p1', kind: 'ssh' }]);

    const tab = store.db.prepare('INSERT INTO editor_tabs (profile_id, position, id, title, sql, active) VALUES (?, ?, ?, ?, ?, ?)');
    tab.run('p1', 0, 't1', 'Query 1', 'SELECT 1', 1);
    expect(() => tab.run('p1', 1, 't1', 'again', '', 0)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => tab.run('p1', 1, 't2', 'bad', '', 2)).toThrow(/CHECK/);
    expect(() => tab.run('nope', 0, 't3', 'orphan', '', 0)).toThrow(/FOREIGN KEY/);

    const history = store.db.prepare(
      'INSERT INTO query_history (profile_id, profile_name, sql, started_at, duration_ms, rows, outcome, error, audit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    history.run('p1', 'one', 'SELECT 1', 'now', 3, 1, 'ok', null, 7);
    expect(() => history.run('p1', 'one', 'SELECT 1', 'now', 3, 1, 'maybe', null, null)).toThrow(/CHECK/);
    store.db.prepare("INSERT INTO snippets (id, title, sql, created_at, updated_at) VALUES ('s1', 'Mine', 'SELECT 2', 'now', 'now')").run();
    expect(store.db.prepare('SELECT description FROM snippets').get()).toEqual({ description: '' });

    // Tabs go with their profile; history stays (it names the profile it ran on).
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(count(store, 'editor_tabs')).toBe(0);
    expect(count(store, 'query_history')).toBe(1);
  });
});
