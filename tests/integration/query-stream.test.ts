// Streamed console results against the run's real PostgreSQL: rows arrive as events in
// order, a result stopped at its limit keeps its cursor for "Fetch more" (the very next
// rows, not a re-run), anything else that runs closes it, and a failure midway says how
// many rows arrived first.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { Profile, QueryCell, QueryColumn, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { QueryService, queryServiceFor } from '../../src-main/core/query/service';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
let profileId: string;

const { ok, fail } = callsOn(() => core);

/** Collects the `query.rows` events of one run id, per statement. */
function collect(runId: string) {
  const byIndex = new Map<number, { columns: QueryColumn[] | null; rows: QueryCell[][]; events: number }>();
  const stop = core.events.subscribe((event: AppEvent) => {
    if (event.type !== 'query.rows' || event.runId !== runId) return;
    const entry = byIndex.get(event.index) ?? { columns: null, rows: [], events: 0 };
    if (event.columns) entry.columns = event.columns;
    for (const row of event.rows) entry.rows.push(row);
    entry.events += 1;
    byIndex.set(event.index, entry);
  });
  return { byIndex, stop };
}

beforeAll(async () => {
  database = await createTestDatabase(pg, uniqueDatabaseName('query_stream'));
  ({ core, home } = newTestCore('ops-query-stream-'));
  const p = await ok<Profile>('createProfile', {
    profile: { name: 'dev', host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable', env: 'development', readOnly: false },
    password: pg.password,
  });
  profileId = p.id;
});

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, database);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('streamed results', () => {
  it('sends rows as events in order, returns none itself, and says how many it sent', async () => {
    const seen = collect('s1');
    const result = await ok<QueryRunResult>('runQuery', {
      profileId,
      sql: 'SELECT 1 AS one; SELECT g, g::numeric * 1.5 AS x FROM generate_series(1, 25000) g',
      maxRows: 100_000,
      runId: 's1',
    });
    seen.stop();
    expect(result.statements.map((s) => [s.rows.length, s.rowCount, s.truncated])).toEqual([
      [0, 1, false],
      [0, 25000, false],
    ]);
    const second = seen.byIndex.get(1)!;
    expect(second.columns).toEqual([
      { name: 'g', type: 'int4' },
      { name: 'x', type: 'numeric' },
    ]);
    // Several events (the first page small, so the grid paints early), rows in order and exact.
    expect(second.events).toBeGreaterThan(3);
    expect(second.rows.length).toBe(25000);
    expect(second.rows[0]).toEqual([1, '1.5']);
    expect(second.rows[24999]).toEqual([25000, '37500.0']);
    expect(second.rows.every((r, i) => r[0] === i + 1)).toBe(true);
    expect(seen.byIndex.get(0)!.rows).toEqual([[1]]);
  });

  it('keeps the cursor at the limit: Fetch more continues with the next rows until the end', async () => {
    const seen = collect('s2');
    const result = await ok<QueryRunResult>('runQuery', { profileId, sql: 'SELECT g FROM generate_series(1, 2500) g ORDER BY g', maxRows: 1000, runId: 's2' });
    expect(result.statements[0]).toMatchObject({ rowCount: 1000, truncated: true, resumable: true });
    expect(seen.byIndex.get(0)!.rows.length).toBe(1000);

    expect(await ok('fetchMoreRows', { profileId, runId: 's2', count: 1000 })).toEqual({ rows: 1000, done: false });
    expect(await ok('fetchMoreRows', { profileId, runId: 's2', count: 1000 })).toEqual({ rows: 500, done: true });
    seen.stop();
    const values = seen.byIndex.get(0)!.rows.map((r) => r[0]);
    expect(values.length).toBe(2500);
    expect(values.every((v, i) => v === i + 1)).toBe(true);
    // Finished: the cursor is gone and the session runs other statements again.
    expect((await fail('fetchMoreRows', { profileId, runId: 's2', count: 10 })).code).toBe('CONFLICT');
    expect((await ok<QueryRunResult>('runQuery', { profileId, sql: 'SELECT 42' })).statements[0]!.rows).toEqual([[42]]);
    const audit = core.deps.store.db.prepare("SELECT summary FROM audit_entries WHERE action = 'query.fetch' ORDER BY id").all() as Array<{ summary: string }>;
    expect(audit.map((a) => a.summary)).toEqual([
      'fetched rows 1001–2000 of statement 1',
      'fetched rows 2001–2500 of statement 1 (end of result)',
      'refused: that result is no longer open',
    ]);
  });

  it('closes a held result when anything else runs, and on closeResult', async () => {
    await ok<QueryRunResult>('runQuery', { profileId, sql: 'SELECT g FROM generate_series(1, 5000) g', maxRows: 10, runId: 's3' });
    const other = await ok<QueryRunResult>('runQuery', { profileId, sql: 'SELECT 7 AS seven' });
    expect(other.statements[0]!.rows).toEqual([[7]]);
    expect((await fail('fetchMoreRows', { profileId, runId: 's3', count: 10 })).message).toMatch(/no longer open/);

    await ok<QueryRunResult>('runQuery', { profileId, sql: 'SELECT g FROM generate_series(1, 5000) g', maxRows: 10, runId: 's4' });
    // Another run's id closes nothing (another window may hold this session's result).
    expect(await ok('closeResult', { profileId, runId: 's3' })).toEqual({ closed: false });
    expect(await ok('closeResult', { profileId, runId: 's4' })).toEqual({ closed: true });
    expect(await ok('closeResult', { profileId, runId: 's4' })).toEqual({ closed: false });
    // The server sees no open portal or transaction on the console backend any more.
    const pid = queryServiceFor(core.deps).sessions.current(profileId)!.pid;
    const state = await withClient(
      pg,
      async (c) => (await c.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0]?.state,
    );
    expect(state).toBe('idle');
  });

  it('a statement that fails midway reports the rows that arrived before the error', async () => {
    const seen = collect('s5');
    const result = await ok<QueryRunResult>('runQuery', {
      profileId,
      sql: 'SELECT 1 / (g - 3000) AS x FROM generate_series(1, 5000) g',
      maxRows: 100_000,
      runId: 's5',
    });
    seen.stop();
    const statement = result.statements[0]!;
    expect(statement.error?.sqlstate).toBe('22012');
    const received = seen.byIndex.get(0)?.rows.length ?? 0;
    // Rows travel in growing batches, so some arrived before row 3000 failed (a partial result).
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(3000);
    expect(statement.rowCount).toBe(received);
  });
});

describe('history of the console', () => {
  it('records each execution with its outcome, rows and audit entry; blocked attempts too, production prompts not', async () => {
    const prod = await ok<Profile>('createProfile', {
      profile: { name: 'prod-h', host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable', env: 'production', readOnly: false },
      password: pg.password,
    });
    await ok<QueryRunResult>('runQuery', { profileId: prod.id, sql: 'SELECT g FROM generate_series(1, 3) g' });
    await ok<QueryRunResult>('runQuery', { profileId: prod.id, sql: 'SELECT nosuch' });
    expect((await fail('runQuery', { profileId: prod.id, sql: 'CREATE TABLE h_t (id int); DELETE FROM h_t' })).code).toBe('CONFIRMATION_REQUIRED');
    expect((await fail('runQuery', { profileId: prod.id, sql: 'CREATE TABLE h_t2 (id int)' })).code).toBe('CONFIRMATION_REQUIRED');

    const { entries } = await ok<{
      entries: Array<{ sql: string; outcome: string; rows: number | null; error: string | null; auditId: number | null; profileName: string }>;
    }>('listQueryHistory', {
      profileId: prod.id,
    });
    expect(entries.map((e) => [e.sql, e.outcome, e.rows])).toEqual([
      ['CREATE TABLE h_t (id int); DELETE FROM h_t', 'blocked', null],
      ['SELECT nosuch', 'error', 0],
      ['SELECT g FROM generate_series(1, 3) g', 'ok', 3],
    ]);
    expect(entries[1]!.error).toMatch(/^42703: column "nosuch" does not exist/);
    // Each links to the audit entry of the same execution.
    for (const entry of entries) {
      const audit = core.deps.store.db.prepare('SELECT action, detail, profile FROM audit_entries WHERE id = ?').get(entry.auditId) as {
        action: string;
        detail: string;
        profile: string;
      };
      expect(audit).toEqual({ action: 'query.run', detail: entry.sql, profile: 'prod-h' });
    }
    const found = await ok<{ entries: Array<{ sql: string }> }>('listQueryHistory', { profileId: prod.id, search: 'NOSUCH' });
    expect(found.entries.map((e) => e.sql)).toEqual(['SELECT nosuch']);
  });
});

describe('what the review found', () => {
  it('never keeps a write open for Fetch more: UPDATE … RETURNING past the limit is committed at once', async () => {
    await ok<QueryRunResult>('runQuery', {
      profileId,
      sql: 'CREATE TABLE held_w (id int PRIMARY KEY, v int); INSERT INTO held_w SELECT g, 0 FROM generate_series(1, 3000) g',
      maxRows: 10,
    });
    const result = await ok<QueryRunResult>('runQuery', { profileId, sql: 'UPDATE held_w SET v = 1 WHERE id > 0 RETURNING id', maxRows: 100, runId: 'w1' });
    expect(result.statements[0]).toMatchObject({ truncated: true });
    expect(result.statements[0]!.resumable).toBeUndefined();
    // Another session sees every row changed, and is not blocked by locks.
    const changed = await withClient(
      pg,
      async (c) => {
        await c.query("SET lock_timeout = '2s'");
        await c.query('UPDATE held_w SET v = 2 WHERE id = 1');
        return (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM held_w WHERE v > 0')).rows[0]!.n;
      },
      database,
    );
    expect(changed).toBe(3000);
  });

  it('a session closed while its transaction was open makes the next run say so, not COMMIT nothing', async () => {
    const service = new QueryService(core.deps, { idleCloseMs: 300 });
    try {
      const input = { profileId, maxRows: null, override: false } as const;
      await service.run({ ...input, sql: 'BEGIN' }, {}, { collect: true });
      await new Promise((r) => setTimeout(r, 800));
      await expect(service.run({ ...input, sql: 'COMMIT' }, {}, { collect: true })).rejects.toMatchObject({
        code: 'CONNECTION_FAILED',
        message: expect.stringMatching(/transaction/),
      });
      // Said once: the run after that goes through.
      expect((await service.run({ ...input, sql: 'SELECT 1' }, {}, { collect: true })).statements[0]!.rows).toEqual([[1]]);
    } finally {
      await service.close();
    }
  });
});
