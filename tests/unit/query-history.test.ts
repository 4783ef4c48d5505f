// The console's execution history in the local store: recorded per run, searched, bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueryHistoryEntry } from '../../src-main/contract/models';
import { createCore, type Core } from '../../src-main/core/app';
import { HISTORY_LIMITS, likePattern, recordHistory } from '../../src-main/core/query/history';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';

const ctx = { actor: 'tester', via: 'test' as const };
let home: string;
let core: Core;

function entry(profileId: string, sql: string, extra: Partial<QueryHistoryEntry> = {}): Omit<QueryHistoryEntry, 'id'> {
  return {
    profileId,
    profileName: `name-${profileId}`,
    sql,
    startedAt: '2025-08-02T09:00:00.000Z',
    durationMs: 12.6,
    rows: 3,
    outcome: 'ok',
    error: null,
    auditId: 41,
    ...extra,
  };
}

async function list(input: Record<string, unknown>): Promise<QueryHistoryEntry[]> {
  const env = await core.dispatch('listQueryHistory', input, ctx);
  if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
  return (env.value as { entries: QueryHistoryEntry[] }).entries;
}

function countOf(profileId: string): number {
  return (core.deps.store.db.prepare('SELECT count(*) AS n FROM query_history WHERE profile_id = ?').get(profileId) as { n: number }).n;
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-history-'));
  core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
});
afterEach(async () => {
  await core.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('query history', () => {
  it('records every field and lists newest first, per profile, up to the limit', async () => {
    const first = recordHistory(core.deps, entry('p1', 'SELECT 1'));
    const failed = recordHistory(core.deps, entry('p1', 'SELECT 1/0', { outcome: 'error', error: '22012: division by zero', rows: null, auditId: 42 }));
    recordHistory(core.deps, entry('p2', 'SELECT 2', { outcome: 'blocked', rows: null, auditId: null }));
    const cancelled = recordHistory(core.deps, entry('p1', 'SELECT pg_sleep(10)', { outcome: 'cancelled', rows: 0 }));
    expect(failed).toBeGreaterThan(first);

    const p1 = await list({ profileId: 'p1' });
    expect(p1.map((e) => e.id)).toEqual([cancelled, failed, first]);
    expect(p1[1]).toEqual({
      id: failed,
      profileId: 'p1',
      profileName: 'name-p1',
      sql: 'SELECT 1/0',
      startedAt: '2025-08-02T09:00:00.000Z',
      durationMs: 13,
      rows: null,
      outcome: 'error',
      error: '22012: division by zero',
      auditId: 42,
    });
    expect((await list({})).map((e) => e.sql)).toEqual(['SELECT pg_sleep(10)', 'SELECT 2', 'SELECT 1/0', 'SELECT 1']);
    expect((await list({ limit: 2 })).length).toBe(2);
    expect(await list({ profileId: 'nobody' })).toEqual([]);
    const bad = await core.dispatch('listQueryHistory', { limit: 0 }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('searches the SQL case-insensitively, with % and _ taken literally', async () => {
    recordHistory(core.deps, entry('p1', "SELECT * FROM orders WHERE notes LIKE '50%off'"));
    recordHistory(core.deps, entry('p1', "SELECT * FROM orders WHERE notes = '50 off'"));
    recordHistory(core.deps, entry('p1', 'SELECT order_id FROM order_items'));
    recordHistory(core.deps, entry('p1', 'SELECT orderXid FROM order_items'));
    recordHistory(core.deps, entry('p2', 'select * from ORDERS'));

    expect((await list({ search: 'from orders' })).map((e) => e.sql)).toEqual([
      'select * from ORDERS',
      "SELECT * FROM orders WHERE notes = '50 off'",
      "SELECT * FROM orders WHERE notes LIKE '50%off'",
    ]);
    expect((await list({ search: '50%off' })).map((e) => e.sql)).toEqual(["SELECT * FROM orders WHERE notes LIKE '50%off'"]);
    expect((await list({ search: 'order_id' })).map((e) => e.sql)).toEqual(['SELECT order_id FROM order_items']);
    expect((await list({ search: 'FROM ORDERS', profileId: 'p2' })).length).toBe(1);
    expect((await list({ search: '   ' })).length).toBe(5);
    expect(likePattern('a\\b%c_d')).toBe('%a\\\\b\\%c\\_d%');
    recordHistory(core.deps, entry('p1', "SELECT 'C:\\temp'"));
    expect((await list({ search: ':\\t' })).map((e) => e.sql)).toEqual(["SELECT 'C:\\temp'"]);
  });

  it('redacts passwords in the SQL it keeps, like the audit trail', async () => {
    recordHistory(core.deps, entry('p1', "ALTER ROLE app PASSWORD 'hunter2'", { error: "could not: PASSWORD 'hunter2'" }));
    const [kept] = await list({ profileId: 'p1' });
    expect(kept!.sql).toBe("ALTER ROLE app PASSWORD '***'");
    expect(kept!.error).not.toContain('hunter2');
    // Not in the store's files either (the WAL holds recent writes).
    const files = fs.readdirSync(home).filter((f) => f.startsWith('ops-console.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(fs.readFileSync(path.join(home, f)).includes('hunter2')).toBe(false);
  });

  it('keeps the newest 10,000 entries per profile and leaves other profiles alone', async () => {
    const { keepPerProfile, pruneEvery } = HISTORY_LIMITS;
    const ids: number[] = [];
    // One transaction: 10,250 separately fsynced inserts would take minutes.
    core.deps.store.db.transaction(() => {
      for (let i = 0; i < 5; i++) recordHistory(core.deps, entry('quiet', `SELECT ${i}`));
      for (let i = 0; i < keepPerProfile + 250; i++) ids.push(recordHistory(core.deps, entry('busy', `SELECT ${i}`)));
    })();
    const count = countOf('busy');
    expect(count).toBeGreaterThanOrEqual(keepPerProfile);
    expect(count).toBeLessThan(keepPerProfile + pruneEvery);
    const kept = core.deps.store.db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM query_history WHERE profile_id = ?').get('busy') as {
      lo: number;
      hi: number;
    };
    expect(kept.hi).toBe(ids[ids.length - 1]);
    // Exactly the newest ones remain: a contiguous run of ids ending at the last insert.
    expect(kept.hi - kept.lo + 1).toBe(count);
    expect(countOf('quiet')).toBe(5);
    const newest = await list({ profileId: 'busy', limit: 1 });
    expect(newest[0]!.sql).toBe(`SELECT ${keepPerProfile + 249}`);
  });

  it('prunes with custom limits exactly at the multiple', () => {
    for (let i = 0; i < 9; i++) recordHistory(core.deps, entry('p', `SELECT ${i}`), { keepPerProfile: 3, pruneEvery: 10 });
    expect(countOf('p')).toBe(9);
    recordHistory(core.deps, entry('p', 'SELECT 9'), { keepPerProfile: 3, pruneEvery: 10 });
    expect(countOf('p')).toBe(3);
  });
});
