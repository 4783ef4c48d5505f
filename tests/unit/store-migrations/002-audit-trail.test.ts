// Migration 2 on a version-1 store: the audit chain, entries, full-text index and head,
// append-only, with the profiles already there kept.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 2: tamper-evident audit trail', () => {
  it('from version 1, adds the audit chain, entries, full-text index and head, append-only', () => {
    const v1 = h.openAt(1);
    v1.db.prepare(PROFILE_SQL).run('p1', 'keep-me', 5432, 'staging');
    v1.db.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
    const before = schemaObjects(v1);
    v1.close();

    const store = h.openAt(2);
    expect(store.schemaVersion).toBe(2);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: [
        'table audit_chain',
        'table audit_entries',
        'table audit_fts',
        'table audit_fts_config',
        'table audit_fts_data',
        'table audit_fts_docsize',
        'table audit_fts_idx',
        'table audit_head',
        'trigger audit_chain_no_delete',
        'trigger audit_chain_no_update',
        'trigger audit_entries_no_delete',
        'trigger audit_entries_no_rewrite',
      ],
      removed: [],
    });
    expect(store.db.prepare('SELECT name FROM profiles').all()).toEqual([{ name: 'keep-me' }]);
    expect(store.db.prepare('SELECT key, value FROM settings').all()).toEqual([{ key: 'theme', value: 'dark' }]);
    expect(store.db.prepare('SELECT seq, entries, fts_seq, length(hash) AS len FROM audit_head').all()).toEqual([{ seq: 0, entries: 0, fts_seq: 0, len: 64 }]);
    expect(() => store.db.prepare("INSERT INTO audit_head (id, seq, hash, entries, last_at, fts_seq) VALUES (2, 0, '', 0, '', 0)").run()).toThrow(
      /CHECK|UNIQUE/,
    );

    const hash = 'a'.repeat(64);
    const chain = store.db.prepare('INSERT INTO audit_chain (seq, kind, entry_id, at, actor, action, prev_hash, hash) VALUES (?, ?, 1, ?, ?, ?, ?, ?)');
    chain.run(1, 'begin', '2024-01-01T00:00:00.000Z', 'me', 'x.y', hash, hash);
    expect(() => chain.run(2, 'middle', 'now', 'me', 'x', hash, hash)).toThrow(/CHECK/);
    expect(() => chain.run(3, 'begin', 'now', 'me', 'x', 'short', hash)).toThrow(/CHECK/);
    expect(() => store.db.prepare("UPDATE audit_chain SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_chain').run()).toThrow(/append-only/);

    const entry = store.db.prepare(
      "INSERT INTO audit_entries (id, at, actor, action, outcome, summary, begin_seq) VALUES (?, '2024-01-01T00:00:00.000Z', 'me', 'x.y', ?, 's', 1)",
    );
    entry.run(1, 'pending');
    expect(() => entry.run(2, 'maybe')).toThrow(/CHECK/);
    store.db.prepare("UPDATE audit_entries SET outcome = 'ok' WHERE id = 1").run(); // completing a pending entry
    expect(() => store.db.prepare("UPDATE audit_entries SET summary = 'rewritten' WHERE id = 1").run()).toThrow(/cannot change/);
    expect(() => store.db.prepare('DELETE FROM audit_entries').run()).toThrow(/cannot be deleted/);

    store.db
      .prepare("INSERT INTO audit_fts (rowid, summary, detail, action, profile, error, outcome) VALUES (1, 's', 'VACUUM orders', 'x.y', NULL, NULL, 'ok')")
      .run();
    expect(store.db.prepare("SELECT rowid FROM audit_fts WHERE audit_fts MATCH 'orders'").all()).toEqual([{ rowid: 1 }]);
  });
});
