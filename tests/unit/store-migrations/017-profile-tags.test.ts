// Migration 17 on a version-16 store: profiles gain `tags` (an empty JSON array for every
// profile there was); nothing else changes, and the column refuses what is not a JSON array.
import { describe, expect, it } from 'vitest';
import { columns, PROFILE_SQL, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 17: profile tags', () => {
  it('from version 16, adds profiles.tags ([] for existing profiles), no other schema change', () => {
    const v16 = h.openAt(16);
    v16.db.prepare(PROFILE_SQL).run('p1', 'shop', 5432, 'production');
    const before = schemaObjects(v16);
    const columnsBefore = columns(v16, 'profiles');
    v16.close();

    const store = h.openAt(17);
    expect(store.schemaVersion).toBe(17);
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(columns(store, 'profiles')).toEqual([...columnsBefore, 'tags']);
    expect(store.db.prepare("SELECT tags FROM profiles WHERE id = 'p1'").get()).toEqual({ tags: '[]' });
    store.db.prepare(`UPDATE profiles SET tags = '["prod","eu"]' WHERE id = 'p1'`).run();
    expect(() => store.db.prepare(`UPDATE profiles SET tags = 'prod' WHERE id = 'p1'`).run()).toThrow(/CHECK/);
    expect(() => store.db.prepare(`UPDATE profiles SET tags = '{"a":1}' WHERE id = 'p1'`).run()).toThrow(/CHECK/);
  });
});
