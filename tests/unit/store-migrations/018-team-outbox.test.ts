// Migration 18 on a version-17 store. Reserved slot for the team store's outbox (issue #22):
// until it is filled in, it changes nothing.
import { describe, expect, it } from 'vitest';
import { schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 18: team outbox', () => {
  it('from version 17, opens at 18', () => {
    const v17 = h.openAt(17);
    const before = schemaObjects(v17);
    v17.close();
    const store = h.openAt(18);
    expect(store.schemaVersion).toBe(18);
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
  });
});
