// Migration 14 on a version-13 store holding a real audit trail: both audit tables are
// rebuilt with the outcomes 'refused' and 'cancelled' allowed, every old record and entry
// is kept byte for byte (the chain still verifies), and the append-only triggers hold again.
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/platform/audit/audit-log';
import { appendBeforeV20, count, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

function rows(db: import('better-sqlite3').Database, table: string): unknown[] {
  return db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();
}

describe('migration 14: audit outcomes refused and cancelled', () => {
  it('from version 13, keeps the trail verifying and accepts the new outcomes', () => {
    const v13 = h.openAt(13);
    // Written as the app of that version did (today's AuditLog needs migration 20's columns).
    appendBeforeV20(v13.db, { action: 'query.run', summary: 'SELECT 1', outcome: 'ok', durationMs: 3 });
    const failed = appendBeforeV20(v13.db, { action: 'session.terminate', summary: 'terminate', outcome: 'error', error: 'QUERY_FAILED: boom' });
    appendBeforeV20(v13.db, { action: 'backup.run', summary: 'still running' });
    // Before 14 the tables refuse the new outcomes, which is why the migration exists.
    expect(() =>
      v13.db.prepare("INSERT INTO audit_entries (id, at, actor, action, outcome, summary, begin_seq) VALUES (99, 'x', 'me', 'a', 'refused', 's', 1)").run(),
    ).toThrow(/CHECK/);
    const chainBefore = rows(v13.db, 'audit_chain');
    const entriesBefore = rows(v13.db, 'audit_entries');
    const headBefore = rows(v13.db, 'audit_head');
    const objects = schemaObjects(v13);
    v13.close();

    const store = h.openAt(14);
    expect(store.schemaVersion).toBe(14);
    expect(schemaChange(objects, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(rows(store.db, 'audit_chain')).toEqual(chainBefore);
    expect(rows(store.db, 'audit_entries')).toEqual(entriesBefore);
    expect(rows(store.db, 'audit_head')).toEqual(headBefore);
    store.close();

    // Today's app on the same file (migrations up to the latest run): the old trail verifies
    // and new entries with the new outcomes chain on from its head.
    const latest = h.openAt(Number.MAX_SAFE_INTEGER);
    const audit = new AuditLog(latest.db);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 3 });
    // New entries with the new outcomes chain on from the old head, and verify.
    const refused = audit.begin({ actor: 'me', action: 'session.terminate', profile: 'prod', summary: 'terminate 42', detail: null });
    audit.complete(refused, { outcome: 'error', durationMs: 0, error: 'READ_ONLY: "prod" is a read-only profile' });
    const cancelled = audit.begin({ actor: 'me', action: 'backup.run', profile: 'prod', summary: 'backup', detail: null });
    audit.complete(cancelled, { outcome: 'error', durationMs: 5, error: 'CANCELLED: stopped by the user' });
    audit.complete(3, { outcome: 'cancelled', durationMs: 9 });
    expect(audit.get(refused)?.outcome).toBe('refused');
    expect(audit.get(cancelled)?.outcome).toBe('cancelled');
    expect(audit.get(3)?.outcome).toBe('cancelled');
    expect(audit.get(failed)?.outcome).toBe('error');
    expect(audit.search({ outcome: 'refused', limit: 10 }).map((e) => e.id)).toEqual([refused]);
    expect(audit.verify()).toMatchObject({ ok: true, entries: 5 });
    expect(count(latest, 'audit_chain')).toBe(10);

    // Still append-only, and still only the known outcomes.
    expect(() => latest.db.prepare("UPDATE audit_chain SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => latest.db.prepare('DELETE FROM audit_chain').run()).toThrow(/append-only/);
    expect(() => latest.db.prepare("UPDATE audit_entries SET summary = 'rewritten' WHERE id = 1").run()).toThrow(/cannot change/);
    expect(() => latest.db.prepare('DELETE FROM audit_entries').run()).toThrow(/cannot be deleted/);
    expect(() =>
      latest.db.prepare("INSERT INTO audit_entries (id, at, actor, action, outcome, summary, begin_seq) VALUES (99, 'x', 'me', 'a', 'maybe', 's', 1)").run(),
    ).toThrow(/CHECK/);
  });
});
