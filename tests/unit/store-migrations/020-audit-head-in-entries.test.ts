// Migration 20 on a version-19 store holding a real audit trail (written as the app of that
// version did): the head moves from audit_head onto the newest entry, nothing else changes,
// the trail verifies and goes on, and a completed entry still cannot change what it shows.
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/platform/audit/audit-log';
import { appendBeforeV20, columns, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 20: the audit head in the newest entry', () => {
  it('from version 19, moves the head onto the newest entry; the trail verifies and continues', () => {
    const v19 = h.openAt(19);
    appendBeforeV20(v19.db, { action: 'query.run', summary: 'SELECT 1', outcome: 'ok' });
    appendBeforeV20(v19.db, { action: 'backup.run', summary: 'still running' });
    const head = v19.db.prepare('SELECT seq, hash, entries, last_at FROM audit_head').get() as { seq: number; hash: string; entries: number; last_at: string };
    const chainBefore = v19.db.prepare('SELECT * FROM audit_chain ORDER BY seq').all();
    const objects = schemaObjects(v19);
    v19.close();

    const store = h.openAt(20);
    expect(store.schemaVersion).toBe(20);
    // The entries' trigger is dropped and made again under the same name; one keeps older apps off the floor.
    expect(schemaChange(objects, schemaObjects(store))).toEqual({ added: ['trigger audit_head_follows_entries'], removed: [] });
    expect(columns(store, 'audit_entries').slice(-3)).toEqual(['head_seq', 'head_hash', 'head_at']);
    expect(store.db.prepare('SELECT id, head_seq, head_hash, head_at FROM audit_entries ORDER BY id').all()).toEqual([
      { id: 1, head_seq: null, head_hash: null, head_at: null },
      { id: 2, head_seq: head.seq, head_hash: head.hash, head_at: head.last_at },
    ]);
    // audit_head stays, as the floor.
    expect(store.db.prepare('SELECT seq, hash, entries FROM audit_head').get()).toEqual({ seq: head.seq, hash: head.hash, entries: head.entries });
    expect(store.db.prepare('SELECT * FROM audit_chain ORDER BY seq').all()).toEqual(chainBefore);

    const audit = new AuditLog(store.db);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 2 });
    audit.complete(2, { outcome: 'ok', durationMs: 5 });
    const next = audit.begin({ actor: 'me', action: 'query.run', profile: 'prod', summary: 'SELECT 2', detail: null });
    expect(next).toBe(3);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 3 });
    // Only the newest entry carries the head.
    expect(store.db.prepare('SELECT id FROM audit_entries WHERE head_seq IS NOT NULL').all()).toEqual([{ id: 3 }]);

    // A completed entry's visible columns are still frozen; its head columns are not.
    expect(() => store.db.prepare("UPDATE audit_entries SET summary = 'rewritten' WHERE id = 1").run()).toThrow(/cannot change/);
    expect(() => store.db.prepare('UPDATE audit_entries SET id = 9 WHERE id = 1').run()).toThrow(/cannot change/);
    expect(() => store.db.prepare("UPDATE audit_entries SET outcome = 'error' WHERE id = 2").run()).toThrow(/cannot change/);
    store.db.prepare('UPDATE audit_entries SET head_seq = NULL WHERE id = 1').run();
    expect(() => store.db.prepare('DELETE FROM audit_entries WHERE id = 1').run()).toThrow(/cannot be deleted/);
  });

  it('refuses the appends of an Ops Console started before the upgrade, leaving the trail whole for this one', () => {
    const v19 = h.openAt(19);
    appendBeforeV20(v19.db, { action: 'query.run', summary: 'before', outcome: 'ok' });
    v19.close();
    const store = h.openAt(20);
    // The old app, still open, writes its head into audit_head only: refused, nothing written.
    expect(() => appendBeforeV20(store.db, { action: 'query.run', summary: 'old app', outcome: 'ok' })).toThrow(/upgraded by a newer Ops Console/);
    const audit = new AuditLog(store.db);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 1 });
    for (let i = 0; i < 300; i++)
      audit.record({ actor: 'me', action: 'query.run', profile: null, summary: `new ${i}`, detail: null, outcome: 'ok', durationMs: 1 });
    expect(audit.verify()).toMatchObject({ ok: true, entries: 301 });
    expect((store.db.prepare('SELECT seq FROM audit_head').get() as { seq: number }).seq).toBeGreaterThan(1);
  });

  it('on an empty trail, only adds the columns; the first append writes the head and the floor', () => {
    h.openAt(19).close();
    const store = h.openAt(20);
    expect(store.db.prepare('SELECT count(*) AS n FROM audit_entries').get()).toEqual({ n: 0 });
    const audit = new AuditLog(store.db);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 0 });
    audit.begin({ actor: 'me', action: 'query.run', profile: null, summary: 'first', detail: null });
    expect(store.db.prepare('SELECT seq, entries FROM audit_head').get()).toEqual({ seq: 1, entries: 1 });
    expect(audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });
});
