// Acceptance: tampering done directly in the SQLite file, through a separate connection
// (as someone with the file would), is caught by verify(), which names the right entry.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/core/platform/audit/audit-log';
import { FLOOR_DISTANCE_RECORDS } from '../../src-main/core/platform/audit/head';
import { verifyAuditTrailReport, type FastVerifyOptions } from '../../src-main/core/platform/audit/verify';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

let dir: string;
let store: Store;
let log: AuditLog;

const ENTRIES = 20;
const PENDING = [19, 20];

/** 20 entries, begins and completions interleaved as concurrent actions would; 19 and 20 stay pending. */
function buildLog(): void {
  const open: number[] = [];
  for (let i = 1; i <= ENTRIES; i++) {
    open.push(
      log.begin({ actor: 'dba', action: i % 2 ? 'query.run' : 'backup.run', profile: `shop-${i % 3}`, summary: `action number ${i}`, detail: `SELECT ${i}` }),
    );
    if (open.length > 2)
      log.complete(open.shift()!, { outcome: i % 5 ? 'ok' : 'error', durationMs: i, rowsAffected: i, error: i % 5 ? undefined : `failed ${i}` });
  }
  while (open.length > PENDING.length) log.complete(open.shift()!, { outcome: 'ok', durationMs: 1 });
  expect(open).toEqual(PENDING);
}

/** Tampering as an attacker would: another connection, append-only triggers dropped first. */
function tamper(sql: string, ...params: unknown[]): void {
  const raw = new Database(store.path);
  try {
    raw.exec(
      'DROP TRIGGER IF EXISTS audit_chain_no_update; DROP TRIGGER IF EXISTS audit_chain_no_delete; DROP TRIGGER IF EXISTS audit_entries_no_rewrite; DROP TRIGGER IF EXISTS audit_entries_no_delete;',
    );
    raw.transaction(() => {
      for (const statement of sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        raw.prepare(statement).run(...params.splice(0, (statement.match(/\?/g) ?? []).length));
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
      a,
      b,
      a,
      b,
      a,
      b,
      a,
    );
    expectBad(4);
  });

  it('names the entry whose records were moved to another place in the chain (seq renumbered)', () => {
    const a = seqOf(3, 'complete_seq');
    const b = seqOf(8, 'begin_seq');
    tamper(
      'UPDATE audit_chain SET seq = -1 WHERE seq = ?; UPDATE audit_chain SET seq = ? WHERE seq = ?; UPDATE audit_chain SET seq = ? WHERE seq = -1',
      a,
      a,
      b,
      b,
    );
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

  // The head lives in the newest entry (audit/head.ts, migration 20), audit_head is its floor.
  describe('the head in the newest entry', () => {
    /** Cuts every record from entry `from`'s begin on and every entry from `from` on, leaving the rest consistent. */
    function cutFrom(from: number): void {
      const cut = seqOf(from, 'begin_seq');
      tamper(
        "DELETE FROM audit_chain WHERE seq >= ?; DELETE FROM audit_entries WHERE id >= ?; UPDATE audit_entries SET outcome = 'pending', duration_ms = NULL, rows_affected = NULL, error = NULL, complete_seq = NULL WHERE complete_seq >= ?",
        cut,
        from,
        cut,
      );
    }

    it('only the newest entry carries the head, and it is the chain end', () => {
      const last = store.db.prepare('SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
      expect(store.db.prepare('SELECT id, head_seq, head_hash FROM audit_entries WHERE head_seq IS NOT NULL OR head_hash IS NOT NULL').all()).toEqual([
        { id: ENTRIES, head_seq: last.seq, head_hash: last.hash },
      ]);
    });

    it('notices whole entries cut off the end with their records (the rest left consistent)', () => {
      cutFrom(18);
      const result = log.verify();
      expect(result).toMatchObject({ ok: false, firstBadId: 18 });
      expect(result.problem).toMatch(/cut/);
      // The app will not append on top of a cut trail (that would hide the cut).
      expect(() => log.begin({ actor: 'dba', action: 'query.run', profile: null, summary: 'after the cut', detail: null })).toThrow(/head record is missing/);
    });

    it('notices the head wiped from the newest entry', () => {
      tamper('UPDATE audit_entries SET head_seq = NULL, head_hash = NULL, head_at = NULL WHERE id = ?', ENTRIES);
      expect(log.verify()).toMatchObject({ ok: false, firstBadId: ENTRIES + 1, problem: expect.stringMatching(/head/) });
    });

    it('notices the head rolled back to an older record', () => {
      const last = store.db.prepare('SELECT max(seq) AS s FROM audit_chain').get() as { s: number };
      const older = store.db.prepare('SELECT seq, hash FROM audit_chain WHERE seq = ?').get(last.s - 3) as { seq: number; hash: string };
      tamper('UPDATE audit_entries SET head_seq = ?, head_hash = ? WHERE id = ?', older.seq, older.hash, ENTRIES);
      const result = log.verify();
      expect(result.ok).toBe(false);
      expect(result.problem).toMatch(/does not end where it was last written/);
    });

    it('notices the head moved onto an older entry with the tail cut, when that goes back past the floor', () => {
      // The floor (audit_head) is set after the first record, then every FLOOR_DISTANCE_RECORDS (head.ts).
      const floor = store.db.prepare('SELECT seq, entries FROM audit_head').get() as { seq: number; entries: number };
      expect(floor).toEqual({ seq: 1, entries: 1 });
      tamper('DELETE FROM audit_chain; DELETE FROM audit_entries');
      expect(log.verify()).toMatchObject({ ok: false, firstBadId: 1, problem: expect.stringMatching(/cut/) });
    });

    it('moves the floor every FLOOR_DISTANCE_RECORDS, between full-text batches too, so a forged head behind it shows', () => {
      for (let i = 0; i < 140; i++)
        log.record({ actor: 'dba', action: 'query.run', profile: null, summary: `more ${i}`, detail: null, outcome: 'ok', durationMs: 1 });
      const floor = store.db.prepare('SELECT seq, entries, fts_seq FROM audit_head').get() as { seq: number; entries: number; fts_seq: number };
      const chainEnd = store.db.prepare('SELECT max(seq) AS s FROM audit_chain').get() as { s: number };
      expect(floor.fts_seq).toBe(0); // no full-text batch yet (FTS_BATCH_RECORDS is larger)
      expect(floor.seq).toBeGreaterThan(1);
      expect(chainEnd.s - floor.seq).toBeLessThan(FLOOR_DISTANCE_RECORDS);
      expect(log.verify()).toMatchObject({ ok: true });
      // Cut back before the floor and forge a consistent head on the new newest entry.
      const keep = floor.entries - 5;
      cutFrom(keep + 1);
      const end = store.db.prepare('SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
      tamper('UPDATE audit_entries SET head_seq = ?, head_hash = ? WHERE id = ?', end.seq, end.hash, keep);
      const result = log.verify();
      expect(result).toMatchObject({ ok: false, firstBadId: keep + 1 });
      expect(result.problem).toMatch(/cut/);
    });
    it('keeps the floor within a batch of the head when searches index the backlog themselves', () => {
      // A text search indexes what is pending and moves the watermark; the floor must not stay behind.
      for (let i = 0; i < 600; i++) {
        log.record({ actor: 'dba', action: 'query.run', profile: null, summary: `searched ${i}`, detail: null, outcome: 'ok', durationMs: 1 });
        if (i % 50 === 0) log.search({ search: 'searched', limit: 1 });
      }
      const floor = store.db.prepare('SELECT seq, entries FROM audit_head').get() as { seq: number; entries: number };
      const end = store.db.prepare('SELECT max(seq) AS s FROM audit_chain').get() as { s: number };
      expect(end.s - floor.seq).toBeLessThan(FLOOR_DISTANCE_RECORDS);
      // So a cut back past it, with a head forged on the new newest entry, shows.
      const keep = floor.entries - 5;
      cutFrom(keep + 1);
      const last = store.db.prepare('SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
      tamper('UPDATE audit_entries SET head_seq = ?, head_hash = ? WHERE id = ?', last.seq, last.hash, keep);
      expect(log.verify()).toMatchObject({ ok: false, firstBadId: keep + 1 });
    });
  });

  it('notices a fabricated entry appended outside the app', () => {
    tamper(
      "INSERT INTO audit_entries (id, at, actor, action, outcome, summary, begin_seq) VALUES (21, '2099-01-01T00:00:00.000Z', 'x', 'y', 'ok', 'fake', 999)",
    );
    expectBad(21);
  });
});

// The fast proof (verify-fast.ts) may only ever say "intact"; every other answer comes from
// the exact walk. These tests pin that down: no false alarm on awkward text, the worker's
// copy of the scan catches edits in every part of the chain, and on any tampering the answer
// is the walk's, word for word.
const AWKWARD = [
  'nul \u0000 in the middle',
  'line\u2028separator\u2029paragraph',
  'emoji 😀 and 👩‍👩‍👧',
  'quotes " and \' and `',
  'back\\slash \\n not a newline',
  'é ü ß 中文 العربية',
  'controls \u0001\u0007\b\f\n\r\t\u000b\u001b\u001e\u001f\u007f',
  '',
  '[1,"begin",2,"x"]',
  '\x1e\x1f',
];

/** Small items, and a worker even for a tiny trail: what 1,000,000 entries exercise, in miniature. */
const SPLIT: FastVerifyOptions = { itemSize: 4, entrySize: 3, parallelMinRecords: 0 };

function withCopy<T>(fn: (copy: Store, copyLog: AuditLog) => T): T {
  const file = path.join(dir, `copy-${Math.random().toString(36).slice(2)}.sqlite`);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  fs.copyFileSync(store.path, file);
  const copy = openStore(file);
  try {
    return fn(copy, new AuditLog(copy.db));
  } finally {
    copy.close();
  }
}

describe('audit verify: fast proof', () => {
  it("writes SQLite's JSON of awkward values byte for byte as JSON.stringify does", () => {
    const all = [...AWKWARD, ...Array.from({ length: 128 }, (_, c) => `<${String.fromCharCode(c)}>`), 'a'.repeat(5000)];
    const numbers = [0, -1, 42, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), null];
    // Through columns typed as audit_chain's are: a JS number is bound as a real, and the
    // INTEGER column stores it as the whole number the app wrote.
    store.db.exec('CREATE TEMP TABLE j (t TEXT, i INTEGER)');
    const insert = store.db.prepare('INSERT INTO temp.j (t, i) VALUES (?, ?)');
    for (const t of all) insert.run(t, null);
    for (const i of numbers) insert.run(null, i);
    const rows = store.db.prepare('SELECT t, i, json_array(t, i) AS json FROM temp.j').all() as Array<{ t: string | null; i: number | null; json: string }>;
    expect(rows).toHaveLength(all.length + numbers.length);
    for (const row of rows) expect(row.json, JSON.stringify(row.t)).toBe(JSON.stringify([row.t, row.i]));
  });

  it('proves a clean trail intact without the walk, on both threads and on the worker alone', () => {
    for (const options of [{}, SPLIT, { ...SPLIT, workerOnly: true }]) {
      const report = verifyAuditTrailReport(store.db, options);
      expect(report.result).toEqual({ ok: true, entries: ENTRIES, firstBadId: null, problem: null });
      expect(report.fast?.intact).toBe(true);
    }
    const workerOnly = verifyAuditTrailReport(store.db, { ...SPLIT, workerOnly: true });
    expect(workerOnly.fast?.workerItems).toBe(workerOnly.fast?.items);
  });

  it('raises no false alarm for awkward text in every field (and the fast proof accepts it)', () => {
    for (const text of AWKWARD) {
      const id = log.begin({ actor: `dba ${text}`, action: `query.run ${text}`, profile: text, summary: text, detail: text });
      log.complete(id, { outcome: 'error', durationMs: 2 ** 40, rowsAffected: 0, summary: `${text}!`, error: text });
    }
    log.begin({ actor: 'dba', action: 'query.run', profile: 'é', summary: '\u0000\u2028😀"\\', detail: null });
    const report = verifyAuditTrailReport(store.db, SPLIT);
    expect(report.result).toEqual({ ok: true, entries: ENTRIES + AWKWARD.length + 1, firstBadId: null, problem: null });
    expect(report.fast?.intact).toBe(true);
  });

  it('catches an edit in the first and in the last part of the chain when the worker does the hashing', () => {
    const last = ENTRIES - 2; // 18: completed, with records near the end of the chain
    for (const id of [2, last]) {
      withCopy((copy, copyLog) => {
        const raw = new Database(copy.path);
        raw.exec('DROP TRIGGER audit_chain_no_update');
        const seq = (raw.prepare('SELECT begin_seq FROM audit_entries WHERE id = ?').get(id) as { begin_seq: number }).begin_seq;
        raw.prepare("UPDATE audit_chain SET summary = 'nothing to see' WHERE seq = ?").run(seq);
        raw.close();
        for (const options of [SPLIT, { ...SPLIT, workerOnly: true }]) {
          const report = verifyAuditTrailReport(copy.db, options);
          expect(report.fast?.intact).toBe(false);
          expect(report.result).toMatchObject({ ok: false, firstBadId: id });
          expect(report.result).toEqual(copyLog.verify());
        }
      });
    }
  });

  it('refuses a blob that SQLite would print as the same JSON (JSONB), as the walk does', () => {
    // The start record of a completed entry: the entries table shows the completion's summary,
    // so only the hash can tell this blob from the text it replaces.
    const seq = seqOf(7, 'begin_seq');
    tamper('UPDATE audit_chain SET summary = jsonb(\'"action number 7"\') WHERE seq = ?', seq);
    expect(store.db.prepare('SELECT json_array(summary) FROM audit_chain WHERE seq = ?').pluck().get(seq)).toBe('["action number 7"]');
    expectBad(7);
    expect(verifyAuditTrailReport(store.db, SPLIT).fast?.intact).toBe(false);
  });

  it("gives the walk's answer, word for word, for any single-value tampering", () => {
    const cases: Array<[string, unknown]> = [];
    const chainCols = [
      'kind',
      'entry_id',
      'at',
      'actor',
      'action',
      'profile',
      'summary',
      'detail',
      'outcome',
      'duration_ms',
      'rows_affected',
      'error',
      'prev_hash',
      'hash',
    ];
    const entryCols = [
      'at',
      'actor',
      'profile',
      'action',
      'outcome',
      'duration_ms',
      'summary',
      'detail',
      'rows_affected',
      'error',
      'begin_seq',
      'complete_seq',
    ];
    const values: unknown[] = [null, 0, 7, 2 ** 53 + 2, 1.5, 'SHOP-1', 'x\u0000y', Buffer.from('ok'), 'begin', 'complete', 'pending', '0'.repeat(64)];
    let n = 0;
    for (const col of chainCols) cases.push([`UPDATE audit_chain SET ${col} = ? WHERE seq = ${1 + ((n += 7) % 38)}`, values[n % values.length]]);
    for (const col of entryCols) cases.push([`UPDATE audit_entries SET ${col} = ? WHERE id = ${1 + ((n += 5) % ENTRIES)}`, values[n % values.length]]);
    cases.push(['UPDATE audit_entries SET profile = upper(profile) WHERE id = 4', undefined]);
    cases.push(['UPDATE audit_chain SET duration_ms = duration_ms + 0.5 WHERE seq = 9', undefined]);
    for (const [sql, value] of cases) {
      withCopy((copy) => {
        const raw = new Database(copy.path);
        raw.exec('DROP TRIGGER audit_chain_no_update; DROP TRIGGER audit_entries_no_rewrite;');
        try {
          if (value === undefined) raw.prepare(sql).run();
          else raw.prepare(sql).run(value);
        } catch {
          // A NOT NULL or CHECK constraint refused this value: nothing was changed.
        } finally {
          raw.close();
        }
        const walk = verifyAuditTrailReport(copy.db, { walkOnly: true }).result;
        const report = verifyAuditTrailReport(copy.db, SPLIT);
        expect(report.result, sql).toEqual(walk);
        if (!walk.ok) expect(report.fast?.intact, sql).toBe(false);
      });
    }
  });
});

describe('text that SQLite cannot store as given', () => {
  it('does not raise a false alarm for a lone surrogate, and keeps valid emoji as they are', () => {
    const id = log.record({
      actor: 'tester',
      action: 'query.run',
      profile: 'p',
      summary: 'broken \uD800 half and 💎 whole',
      detail: 'x\uDC00',
      outcome: 'ok',
      durationMs: 1,
    });
    expect(log.verify()).toMatchObject({ ok: true, firstBadId: null });
    expect(log.get(id)?.summary).toBe('broken \uFFFD half and 💎 whole');
  });
});
