// Migration 14: a reserved slot (no schema change yet). The issue that fills the migration in
// replaces this test with one of the change it makes.
import { describe, expect, it } from 'vitest';
import { schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 14 (reserved)', () => {
  it('from version 13, changes nothing yet', () => {
    const before = h.openAt(13);
    const objects = schemaObjects(before);
    before.close();
    const store = h.openAt(14);
    expect(store.schemaVersion).toBe(14);
    expect(schemaChange(objects, schemaObjects(store))).toEqual({ added: [], removed: [] });
  });
});
