// The audit log as the dispatcher and the screens use it: begin/complete, redaction,
// search (filters, full text, time range, paging), export and the append events.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { auditQuerySchema, type AuditEntry, type AuditQuery } from '../../src-main/contract/models';
import { AuditLog } from '../../src-main/core/platform/audit/audit-log';
import { csvCell } from '../../src-main/core/platform/audit/export';
import { FTS_BATCH_RECORDS } from '../../src-main/core/platform/audit/fts-index';
import { toFtsQuery } from '../../src-main/core/platform/audit/search';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

let dir: string;
let store: Store;
let clock: number;
let appended: AuditEntry[];
let log: AuditLog;

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const q = (input: AuditQuery) => auditQuerySchema.parse(input);
const base = { actor: 'dba', profile: null, detail: null };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-audit-log-'));
  store = openStore(path.join(dir, 'store.sqlite'));
  clock = T0;
  appended = [];
  log = new AuditLog(store.db, (e) => appended.push(e), { now: () => new Date(clock) });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog append', () => {
  it('begin commits before returning: another connection sees the pending entry', () => {
    const id = log.begin({ ...base, action: 'backup.run', summary: 'backup of shop' });
    const other = new Database(store.path, { readonly: true });
    try {
      expect(other.prepare('SELECT id, outcome FROM audit_entries WHERE id = ?').get(id)).toEqual({ id, outcome: 'pending' });
    } finally {
      other.close();
    }
    expect(log.get(id)).toMatchObject({ id, outcome: 'pending', durationMs: null, at: new Date(T0).toISOString() });
  });

  it('complete merges into the entry; undefined keeps, null clears', () => {
    const id = log.begin({ actor: 'dba', action: 'profile.update', profile: 'old', summary: 'start', detail: 'x' });
    clock += 1500;
    log.complete(id, { outcome: 'error', durationMs: 1500.4, profile: 'shop', detail: null, rowsAffected: 3, error: 'CONFLICT: taken' });
    expect(log.get(id)).toEqual({
      id,
      at: new Date(T0).toISOString(),
      actor: 'dba',
      profile: 'shop',
      action: 'profile.update',
      outcome: 'error',
      durationMs: 1500,
      summary: 'start',
      detail: null,
      rowsAffected: 3,
      error: 'CONFLICT: taken',
    });
    expect(() => log.complete(id, { outcome: 'ok', durationMs: 1 })).toThrow(OpsError);
    expect(() => log.complete(999, { outcome: 'ok', durationMs: 1 })).toThrow(/does not exist/);
  });

  it('redacts passwords in every text field before storing', () => {
    const id = log.record({
      actor: 'dba',
      action: 'query.run',
      profile: 'shop',
      summary: 'connect postgresql://app:s3cret@db/shop',
      detail: "ALTER ROLE app PASSWORD 's3cret'",
      outcome: 'error',
      durationMs: 2,
      error: 'failed for password=s3cret',
    });
    const raw = JSON.stringify(store.db.prepare('SELECT * FROM audit_chain').all()) + JSON.stringify(store.db.prepare('SELECT * FROM audit_entries').all());
    expect(raw).not.toContain('s3cret');
    expect(log.get(id)!.detail).toBe("ALTER ROLE app PASSWORD '***'");
  });

  it('calls onAppend after each commit with the merged entry', () => {
    const id = log.begin({ ...base, action: 'sandbox.start', summary: 'start' });
    log.complete(id, { outcome: 'ok', durationMs: 4 });
    expect(appended.map((e) => [e.id, e.outcome])).toEqual([
      [id, 'pending'],
      [id, 'ok'],
    ]);
  });

  it('never lets time go backwards, so ids stay in time order', () => {
    const a = log.begin({ ...base, action: 'a', summary: 'a' });
    clock -= 60_000; // the wall clock steps back
    const b = log.begin({ ...base, action: 'b', summary: 'b' });
    expect(log.get(b)!.at >= log.get(a)!.at).toBe(true);
  });
});

describe('AuditLog search', () => {
  function fill(n: number): void {
    for (let i = 1; i <= n; i++) {
      clock = T0 + i * 60_000;
      const id = log.begin({
        actor: 'dba',
        action: i % 2 ? 'query.run' : 'backup.run',
        profile: i % 3 ? 'shop' : 'Warehouse-EU',
        summary: `step ${i}`,
        detail: i === 7 ? 'VACUUM public.orders_archive' : `SELECT ${i}`,
      });
      if (i % 10 !== 0) log.complete(id, { outcome: i % 4 ? 'ok' : 'error', durationMs: i, error: i % 4 ? undefined : 'deadlock detected' });
    }
  }

  it('returns newest first, with filters and keyset paging', () => {
    fill(30);
    expect(log.search(q({ limit: 3 })).map((e) => e.id)).toEqual([30, 29, 28]);
    expect(log.search(q({ limit: 3, beforeId: 28 })).map((e) => e.id)).toEqual([27, 26, 25]);
    expect(log.search(q({ profile: 'warehouse-eu' })).map((e) => e.id)).toEqual([30, 27, 24, 21, 18, 15, 12, 9, 6, 3]);
    expect(log.search(q({ action: 'backup.run', outcome: 'error' })).map((e) => e.id)).toEqual([28, 24, 20 - 4, 12, 8, 4].filter((i) => i % 10 !== 0));
    expect(log.search(q({ outcome: 'pending' })).map((e) => e.id)).toEqual([30, 20, 10]);
    expect(log.search(q({ action: 'query' }))).toEqual([]); // exact action names
  });

  it('filters by time range, inclusive', () => {
    fill(30);
    const at = (i: number) => new Date(T0 + i * 60_000).toISOString();
    expect(log.search(q({ since: at(10), until: at(13) })).map((e) => e.id)).toEqual([13, 12, 11, 10]);
    expect(log.search(q({ since: '2025-03-01T01:00:00+01:00', until: at(2) })).map((e) => e.id)).toEqual([2, 1]);
    expect(log.search(q({ since: at(31) }))).toEqual([]);
    expect(log.search(q({ until: at(0) }))).toEqual([]);
    expect(log.search(q({ since: at(5), until: at(25), search: 'deadlock' })).map((e) => e.id)).toEqual([24, 16, 12, 8]);
  });

  it('searches words in summary, detail, action, profile and error, last word as a prefix', () => {
    fill(30);
    expect(log.search(q({ search: 'orders_archive' })).map((e) => e.id)).toEqual([7]);
    expect(log.search(q({ search: 'vacuum orders_arch' })).map((e) => e.id)).toEqual([7]);
    expect(log.search(q({ search: 'warehouse step 2' })).map((e) => e.id)).toEqual([27, 24, 21]);
    expect(log.search(q({ search: 'DEADLOCK' })).length).toBe(6);
  });

  it('treats search text as plain words: FTS5 syntax characters never raise an error', () => {
    fill(12);
    for (const text of ['"', 'a"b', '-step', 'step -1', 'profile:shop', 'step OR', 'NEAR(step', '*', '(', ')', 'AND', '^step', ':', 'step +', "'"]) {
      expect(() => log.search(q({ search: text }))).not.toThrow();
    }
    expect(log.search(q({ search: 'step NOT' }))).toEqual([]); // "NOT" is a word here, not an operator
    expect(log.search(q({ search: 'step OR' })).map((e) => e.id)).toEqual([7]); // "OR" as a prefix: orders_archive
    expect(toFtsQuery('a "b" c:d')).toBe('"a" """b""" "c:d"*');
    expect(toFtsQuery('-- ::')).toBeNull();
  });

  it('finds entries appended since the full-text index was last brought up to date, pending ones included', () => {
    store.db.pragma('synchronous = OFF'); // a thousand appends: durability is not what this tests
    const n = FTS_BATCH_RECORDS + 7;
    for (let i = 0; i < n; i++) log.record({ ...base, action: 'query.run', summary: `bulk ${i}`, outcome: 'ok', durationMs: 1 });
    const id = log.begin({ ...base, action: 'restore.run', summary: 'restore zebrafish' });
    expect(log.search(q({ search: 'zebrafish' })).map((e) => [e.id, e.outcome])).toEqual([[id, 'pending']]);
    log.complete(id, { outcome: 'error', durationMs: 9, summary: 'restore giraffe', error: 'disk full' });
    expect(log.search(q({ search: 'zebrafish' }))).toEqual([]);
    expect(log.search(q({ search: 'giraffe disk' })).map((e) => [e.id, e.outcome])).toEqual([[id, 'error']]);
    expect(log.search(q({ search: 'bulk', limit: 10_000 })).length).toBe(n);
    expect(log.verify().ok).toBe(true);
  });
  it('keeps the full-text index equal to the entries across batches: pending text replaced once completed, overlapping actions, a completion batches later', () => {
    store.db.pragma('synchronous = OFF'); // two thousand appends: durability is not what this tests
    const longRunning = log.begin({ ...base, action: 'backup.run', summary: 'backup okapi' });
    log.search(q({ search: 'okapi' })); // indexes it while pending
    const open: number[] = [];
    for (let i = 0; i < FTS_BATCH_RECORDS + 40; i++) {
      open.push(log.begin({ ...base, action: 'query.run', summary: `overlap ${i}`, detail: `detail ${i}` }));
      if (open.length > 3) log.complete(open.shift()!, { outcome: 'ok', durationMs: 1, summary: `done ${i}` });
      if (i === FTS_BATCH_RECORDS / 2) log.complete(longRunning, { outcome: 'ok', durationMs: 5, summary: 'backup lemur' });
    }
    for (const id of open) log.complete(id, { outcome: 'cancelled', durationMs: 1, error: 'CANCELLED' });
    log.search(q({ search: 'lemur' })); // the rest of the backlog
    // FTS5 compares the index with the entries table it is built from, token by token.
    expect(() => store.db.prepare("INSERT INTO audit_fts (audit_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
    expect(log.search(q({ search: 'okapi' }))).toEqual([]);
    expect(log.search(q({ search: 'lemur' })).map((e) => e.id)).toEqual([longRunning]);
    expect(log.search(q({ search: 'overlap', limit: 10_000 })).filter((e) => e.outcome === 'pending')).toEqual([]);
    expect(log.verify().ok).toBe(true);
  });
});

describe('AuditLog export', () => {
  it('writes RFC 4180 CSV and neutralises spreadsheet formulas', () => {
    log.record({
      actor: 'dba',
      action: 'query.run',
      profile: 'shop',
      summary: '=HYPERLINK("http://evil")',
      detail: 'SELECT 1,\n2',
      outcome: 'ok',
      durationMs: 3,
    });
    log.record({ actor: '@dba', action: 'query.run', profile: null, summary: '-2+3', detail: null, outcome: 'error', durationMs: 1, error: '+x' });
    const { content, entries } = log.export('csv');
    expect(entries).toBe(2);
    const lines = content.split('\r\n');
    expect(lines[0]).toBe('id,at,actor,profile,action,outcome,durationMs,summary,detail,rowsAffected,error');
    expect(content).toContain(`"'=HYPERLINK(""http://evil"")","SELECT 1,\n2"`);
    expect(lines[1]).toMatch(/^2,[^,]+,'@dba,,query\.run,error,1,'-2\+3,,,'\+x$/);
    expect(content.endsWith('\r\n')).toBe(true);
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
  });

  it('writes JSON as an array of entries, honouring a query', () => {
    for (let i = 0; i < 5; i++) log.record({ ...base, action: i % 2 ? 'a.b' : 'c.d', summary: `s${i}`, outcome: 'ok', durationMs: i });
    const all = log.export('json');
    expect(JSON.parse(all.content)).toHaveLength(5);
    const some = log.export('json', q({ action: 'a.b' }));
    expect(some.entries).toBe(2);
    expect((JSON.parse(some.content) as AuditEntry[]).map((e) => e.summary)).toEqual(['s3', 's1']);
  });
});
