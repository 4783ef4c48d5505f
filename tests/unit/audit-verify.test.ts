// Acceptance: tampering done directly in the SQLite file, through a separate connection
// (as someone with the file would), is caught by verify(), which names the right entry.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/core/audit/audit-log';
import { openStore, type Store } from '../../src-main/core/store/store';

let dir: string;
let store: Store;
let log: AuditLog;

const ENTRIES = 20;
const PENDING = [19, 20];

/** 20 entries, begins and completions interleaved as concurrent actions would; 19 and 20 stay pending. */
function buildLog(): void {
  const open: number[] = [];
  for (let i = 1; i <= ENTRIES; i++) {
    open.push(log.begin({ actor: 'dba', action: i % 2 ? 'query.run' : 'backup.run', profile: `shop-${i % 3}`, summary: `action number ${i}`, detail: `SELECT ${i}` }));
    if (open.length > 2) log.complete(open.shift()!, { outcome: i % 5 ? 'ok' : 'error', durationMs: i, rowsAffected: i, error: i % 5 ? undefined : `failed ${i}` });
  }
  while (open.length > PENDING.length) log.complete(open.shift()!, { outcome: 'ok', durationMs: 1 });
  expect(open).toEqual(PENDING);
}

/** Tampering as an attacker would: another connection, append-only triggers dropped first. */
function tamper(sql: string, ...params: unknown[]): void {
  const raw = new Database(store.path);
  try {
    raw.exec('DROP TRIGGER IF EXISTS audit_chain_no_update; DROP TRIGGER IF EXISTS audit_chain_no_delete; DROP TRIGGER IF EXISTS audit_entries_no_rewrite; DROP TRIGGER IF EXISTS audit_entries_no_delete;');
    raw.transaction(() => {
      for (const statement of sql.split(';').map((s) => s.trim()).filter(Boolean)) raw.prepare(statement).run(...params.splice(0, (statement.match(/\?/g) ?? []).length));
    })();
  } finally {
    raw.close();
  }
}

function seqOf(entryId: number, which: 'begin_seq' | 'complete_seq'): number {
  const row = store.db.prepare(`SELECT ${which} AS seq FROM audit_entries WHERE id = ?`).get(entryId) as { seq: number };
  return row.seq;
}

function expectBad(id: number): void {
  const result = log.verify();
  expect(result.ok).toBe(false);
  expect(result.firstBadId).toBe(id);
  expect(result.problem).toContain(`#${id}`);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-audit-verify-'));
  store = openStore(path.join(dir, 'store.sqlite'));
  log = new AuditLog(store.db);
  buildLog();
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('audit verify', () => {
  it('passes a clean log and counts its entries', () => {
    expect(log.verify()).toEqual({ ok: true, entries: ENTRIES, firstBadId: null, problem: null });
    expect(log.count()).toBe(ENTRIES);
  });

  it('still passes after the log is closed, reopened and extended', () => {
    store.close();
    store = openStore(store.path);
    log = new AuditLog(store.db);
    log.complete(19, { outcome: 'ok', durationMs: 5 });
    log.record({ actor: 'dba', action: 'audit.export', profile: null, summary: 'export', detail: null, outcome: 'ok', durationMs: 1 });
    expect(log.verify()).toMatchObject({ ok: true, entries: ENTRIES + 1 });
  });

  it('names an entry whose start record was edited', () => {
    tamper("UPDATE audit_chain SET summary = 'nothing to see' WHERE seq = ?", seqOf(7, 'begin_seq'));
    expectBad(7);
  });

  it('names an entry whose completion was edited (outcome error → ok)', () => {
    expect(log.get(8)).toMatchObject({ outcome: 'error', error: 'failed 10' });
    tamper("UPDATE audit_chain SET outcome = 'ok', error = NULL WHERE seq = ?", seqOf(8, 'complete_seq'));
    expectBad(8);
  });

  it('names an entry edited only in the table users see', () => {
    tamper("UPDATE audit_entries SET detail = 'SELECT 1' WHERE id = 9");
    expectBad(9);
  });

  it('names an entry whose start record was deleted', () => {
    tamper('DELETE FROM audit_chain WHERE seq = ?', seqOf(5, 'begin_seq'));
    expectBad(5);
  });

  it('names an entry whose completion record was deleted', () => {
    tamper('DELETE FROM audit_chain WHERE seq = ?', seqOf(12, 'complete_seq'));
    expectBad(12);
  });

  it('names an entry deleted from both tables', () => {
    tamper('DELETE FROM audit_chain WHERE entry_id = 11; DELETE FROM audit_entries WHERE id = 11');
    expectBad(11);
  });

  it('names an entry deleted only from the table users see', () => {
    tamper('DELETE FROM audit_entries WHERE id = 14');
    expectBad(14);
  });

  it('names the first of two chain records whose contents were swapped (reordered)', () => {
    const a = seqOf(4, 'begin_seq');
    const b = seqOf(6, 'begin_seq');
    const cols = 'kind, entry_id, at, actor, action, profile, summary, detail, outcome, duration_ms, rows_affected, error, prev_hash, hash';
    tamper(
      `CREATE TEMP TABLE swap AS SELECT * FROM audit_chain WHERE seq IN (?, ?);
       DELETE FROM audit_chain WHERE seq IN (?, ?);
       INSERT INTO audit_chain (seq, ${cols}) SELECT CASE seq WHEN ? THEN ? ELSE ? END, ${cols} FROM temp.swap`,
      a, b, a, b, a, b, a,
    );
    expectBad(4);
  });

  it('names the entry whose records were moved to another place in the chain (seq renumbered)', () => {
    const a = seqOf(3, 'complete_seq');
    const b = seqOf(8, 'begin_seq');
    tamper('UPDATE audit_chain SET seq = -1 WHERE seq = ?; UPDATE audit_chain SET seq = ? WHERE seq = ?; UPDATE audit_chain SET seq = ? WHERE seq = -1', a, a, b, b);
    expectBad(3);
  });

  it('names the first of two entries whose ids were swapped in the table users see', () => {
    tamper('UPDATE audit_entries SET id = -8 WHERE id = 8; UPDATE audit_entries SET id = 8 WHERE id = 13; UPDATE audit_entries SET id = 13 WHERE id = -8');
    expectBad(8);
  });

  it('notices records cut from the end of the trail', () => {
    const last = (store.db.prepare('SELECT max(seq) AS s FROM audit_chain').get() as { s: number }).s;
    // The last records are the begins of 19 and 20 and a few completions; cut three.
    const firstCut = store.db.prepare('SELECT entry_id FROM audit_chain WHERE seq = ?').get(last - 2) as { entry_id: number };
    tamper('DELETE FROM audit_chain WHERE seq > ?', last - 3);
    const result = log.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadId).toBeLessThanOrEqual(firstCut.entry_id);
    expect(result.problem).toMatch(/missing|cut/);
  });

  it('notices an edit whose record hash was recomputed (the next link breaks)', () => {
    const seq = seqOf(6, 'complete_seq');
    const edited = store.db.prepare('SELECT entry_id FROM audit_chain WHERE seq = ?').get(seq + 1) as { entry_id: number };
    tamper("UPDATE audit_chain SET summary = 'edited', hash = 'f' || substr(hash, 2) WHERE seq = ?", seq);
    const result = log.verify();
    expect(result.ok).toBe(false);
    expect([6, edited.entry_id]).toContain(result.firstBadId);
  });

  it('notices a fabricated entry appended outside the app', () => {
    tamper("INSERT INTO audit_entries (id, at, actor, action, outcome, summary, begin_seq) VALUES (21, '2099-01-01T00:00:00.000Z', 'x', 'y', 'ok', 'fake', 999)");
    expectBad(21);
  });
});
