// Migration 18 on a version-17 store: the team store's link (one row) and the digests of what
// was last uploaded; nothing else changes, and both refuse what the sync would never write.
import { describe, expect, it } from 'vitest';
import { columns, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 18: team outbox', () => {
  it('from version 17, adds team_link and team_sent only', () => {
    const v17 = h.openAt(17);
    const before = schemaObjects(v17);
    v17.close();
    const store = h.openAt(18);
    expect(store.schemaVersion).toBe(18);
    const change = schemaChange(before, schemaObjects(store));
    expect(change.removed).toEqual([]);
    expect(change.added.filter((o) => o.startsWith('table '))).toEqual(['table team_link', 'table team_sent']);
    expect(columns(store, 'team_link')).toEqual([
      'id',
      'workstation_id',
      'connection_json',
      'store_version',
      'audit_sent_seq',
      'last_sync_at',
      'last_error',
      'last_error_at',
    ]);
  });

  it('keeps one link row, a non-negative mark, JSON settings and known kinds only', () => {
    const db = h.openAt(18).db;
    db.prepare("INSERT INTO team_link (id, workstation_id) VALUES (1, 'w')").run();
    expect(() => db.prepare("INSERT INTO team_link (id, workstation_id) VALUES (2, 'x')").run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE team_link SET audit_sent_seq = -1').run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE team_link SET connection_json = 'host=x'").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO team_sent (kind, key, digest, sent_at) VALUES ('profile', 'p1', 'd', 'now')").run();
    expect(() => db.prepare("INSERT INTO team_sent (kind, key, digest, sent_at) VALUES ('secret', 'p1', 'd', 'now')").run()).toThrow(/CHECK/);
  });
});
