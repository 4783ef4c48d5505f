// Shared by the per-migration tests: a store file in a fresh temp dir, opened at a chosen
// version by giving openStore only the first N migrations (the way an older app would).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { hashValues, INSERT_CHAIN_SQL, recordValues, type ChainRecord } from '../../../src-main/core/platform/audit/chain';
import { MIGRATIONS } from '../../../src-main/core/platform/store/migrations';
import { openStore, type Store } from '../../../src-main/core/platform/store/store';

export const PROFILE_SQL = `INSERT INTO profiles (id, name, host, port, database, user, sslmode, env, read_only, created_at, updated_at)
  VALUES (?, ?, 'h', ?, 'd', 'u', 'prefer', ?, 0, 'now', 'now')`;

export interface MigrationHarness {
  /** Opens (creating or upgrading) the test's store file with migrations 1..version. */
  openAt(version: number): Store;
}

/** Registers the temp-dir hooks for the calling test file. */
export function useStoreFile(): MigrationHarness {
  let dir = '';
  let file = '';
  const opened: Store[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-migrate-'));
    file = path.join(dir, 'store.sqlite');
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    openAt(version) {
      const store = openStore(file, { migrations: MIGRATIONS.slice(0, version) });
      opened.push(store);
      return store;
    },
  };
}

/** Every schema object as "type name", sorted: FTS5 shadow tables included. */
export function schemaObjects(store: Store): string[] {
  const rows = store.db.prepare("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as Array<{
    type: string;
    name: string;
  }>;
  return rows.map((r) => `${r.type} ${r.name}`);
}

/** What opening at `version` added to a store at `version - 1`, and what it removed. */
export function schemaChange(before: string[], after: string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((o) => !before.includes(o)), removed: before.filter((o) => !after.includes(o)) };
}

export function tables(store: Store): string[] {
  return (store.db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table','trigger') ORDER BY name").all() as Array<{ name: string }>).map(
    (r) => r.name,
  );
}

export function columns(store: Store, table: string): string[] {
  return (store.db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as Array<{ name: string }>).map((r) => r.name);
}

/** An index's table and key columns, in order. */
export function indexOn(store: Store, index: string): { table: string; columns: string[] } {
  const row = store.db.prepare("SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name = ?").get(index) as { tbl_name: string } | undefined;
  const cols = (store.db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(index) as Array<{ name: string }>).map((r) => r.name);
  return { table: row?.tbl_name ?? '', columns: cols };
}

export function count(store: Store, table: string): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/**
 * Appends one action (begin, and a completion unless `outcome` is omitted) the way the app did
 * before migration 20 — head in audit_head — for tests that build a trail in an older store
 * (today's AuditLog needs migration 20's columns). Returns the entry id.
 */
export function appendBeforeV20(
  db: import('better-sqlite3').Database,
  a: { action: string; summary: string; outcome?: 'ok' | 'error'; error?: string; durationMs?: number },
): number {
  return db.transaction(() => {
    const head = db.prepare('SELECT seq, hash, entries FROM audit_head WHERE id = 1').get() as { seq: number; hash: string; entries: number };
    const id = head.entries + 1;
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString();
    const insert = db.prepare(INSERT_CHAIN_SQL);
    const put = (seq: number, prev: string, r: ChainRecord): string => {
      const values = recordValues(r);
      const h = hashValues(prev, values);
      insert.run(...values, prev, h);
      return h;
    };
    const begin = {
      seq: head.seq + 1,
      kind: 'begin' as const,
      entryId: id,
      at,
      actor: 'me',
      action: a.action,
      profile: 'prod',
      summary: a.summary,
      detail: null,
    };
    let hash = put(head.seq + 1, head.hash, { ...begin, outcome: null, durationMs: null, rowsAffected: null, error: null });
    db.prepare("INSERT INTO audit_entries (id, at, actor, profile, action, outcome, summary, begin_seq) VALUES (?, ?, 'me', 'prod', ?, 'pending', ?, ?)").run(
      id,
      at,
      a.action,
      a.summary,
      begin.seq,
    );
    let seq = begin.seq;
    if (a.outcome) {
      seq += 1;
      const done = { seq, kind: 'complete' as const, entryId: id, at, actor: null, action: null, profile: 'prod', summary: a.summary, detail: null };
      hash = put(seq, hash, { ...done, outcome: a.outcome, durationMs: a.durationMs ?? 1, rowsAffected: null, error: a.error ?? null });
      db.prepare('UPDATE audit_entries SET outcome = ?, duration_ms = ?, error = ?, complete_seq = ? WHERE id = ?').run(
        a.outcome,
        a.durationMs ?? 1,
        a.error ?? null,
        seq,
        id,
      );
    }
    db.prepare('UPDATE audit_head SET seq = ?, hash = ?, entries = ?, last_at = ? WHERE id = 1').run(seq, hash, id, at);
    return id;
  })();
}
