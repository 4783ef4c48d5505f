// Migration 19 on a version-18 store: adds relation_size_snapshots (and its index) and nothing
// else; the table refuses a kind other than table/index, negative sizes and a duplicate row.
import { describe, expect, it } from 'vitest';
import { schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 19: relation size snapshots', () => {
  it('from version 18, adds relation_size_snapshots and its index, no other schema change', () => {
    const v18 = h.openAt(18);
    const before = schemaObjects(v18);
    v18.close();

    const store = h.openAt(19);
    expect(store.schemaVersion).toBe(19);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index relation_size_snapshots_at', 'table relation_size_snapshots'],
      removed: [],
    });
    const insert = store.db.prepare('INSERT INTO relation_size_snapshots (profile_id, at, kind, name, bytes) VALUES (?, ?, ?, ?, ?)');
    insert.run('p1', '2026-12-01T00:00:00.000Z', 'table', 'public.orders', 8192);
    insert.run('p1', '2026-12-01T00:00:00.000Z', 'index', 'public.orders_pkey', 4096);
    expect(() => insert.run('p1', '2026-12-01T00:00:00.000Z', 'table', 'public.orders', 1)).toThrow(/UNIQUE/);
    expect(() => insert.run('p1', '2026-12-01T00:00:00.000Z', 'view', 'public.v', 1)).toThrow(/CHECK/);
    expect(() => insert.run('p1', '2026-12-01T00:00:00.000Z', 'table', 'public.t', -1)).toThrow(/CHECK/);
    expect(store.db.prepare('SELECT count(*) AS n FROM relation_size_snapshots').get()).toEqual({ n: 2 });
  });
});
