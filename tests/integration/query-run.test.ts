// The query console core against the run's real PostgreSQL: results and types, scripts,
// transactions across calls, errors with positions, the guards, audit, and a cancel that
// really stops the statement at the server.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { queryServiceFor } from '../../src-main/core/query/service';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { waitFor } from '../helpers/sshd';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
const ids: Record<string, string> = {};

const { ok, fail } = callsOn(() => core);

function run(profile: string, sql: string, extra: Record<string, unknown> = {}): Promise<QueryRunResult> {
  return ok<QueryRunResult>('runQuery', { profileId: ids[profile], sql, ...extra });
}

function lastAudit(action: string) {
  const rows = core.deps.store.db
    .prepare(
      'SELECT action, outcome, profile, summary, detail, rows_affected AS rowsAffected, error FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1',
    )
    .all(action) as Array<{
    action: string;
    outcome: string;
    profile: string;
    summary: string;
    detail: string;
    rowsAffected: number | null;
    error: string | null;
  }>;
  return rows[0]!;
}

beforeAll(async () => {
  database = await createTestDatabase(pg, uniqueDatabaseName('query_run'));
  await withClient(
    pg,
    (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, $$item $$ || g FROM generate_series(1, 10) g'),
    database,
  );
  ({ core, home } = newTestCore('ops-query-'));
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable' };
  const make = async (name: string, extra: Partial<ProfileInput>) => {
    const p = await ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, password: pg.password });
    ids[name] = p.id;
  };
  await make('dev', { env: 'development', readOnly: false });
  await make('ro', { env: 'staging', readOnly: true });
  await make('prod', { env: 'production', readOnly: false });
  await make('slow', { env: 'development', readOnly: false, statementTimeoutMs: 300 });
});

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, database);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('runQuery', () => {
  it('returns columns, exact values and types', async () => {
    const res = await run(
      'dev',
      `SELECT 1::int4 AS i, 9007199254740993::int8 AS big, 1.10::numeric AS n, 12.5::money AS m, true AS b, NULL::text AS nul, ''::text AS empty,
              '{"a": 12345678901234567890, "b": [1, 2]}'::jsonb AS j, '\\xdeadbeef'::bytea AS raw, '2024-02-29'::date AS d, 1.5::float8 AS f`,
    );
    const [stmt] = res.statements;
    expect(stmt!.error).toBeUndefined();
    expect(stmt!.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'i:int4',
      'big:int8',
      'n:numeric',
      'm:money',
      'b:bool',
      'nul:text',
      'empty:text',
      'j:jsonb',
      'raw:bytea',
      'd:date',
      'f:float8',
    ]);
    expect(stmt!.rows).toEqual([
      [
        1,
        '9007199254740993',
        '1.10',
        '$12.50',
        true,
        null,
        '',
        '{\n  "a": 12345678901234567890,\n  "b": [\n    1,\n    2\n  ]\n}',
        '\\xdeadbeef',
        '2024-02-29',
        '1.5',
      ],
    ]);
    expect(stmt!.rowCount).toBe(1);
    expect(stmt!.truncated).toBe(false);
    expect(stmt!.durationMs).toBeGreaterThanOrEqual(0);
    expect(res.transactionOpen).toBe(false);
  });

  it('names types outside the built-in table (enums) from pg_type', async () => {
    await run('dev', "DROP TYPE IF EXISTS mood; CREATE TYPE mood AS ENUM ('ok', 'sad')", { override: true });
    const res = await run('dev', "SELECT 'ok'::mood AS m");
    expect(res.statements[0]!.columns).toEqual([{ name: 'm', type: 'mood' }]);
    expect(res.statements[0]!.rows).toEqual([['ok']]);
  });

  it('stops at maxRows and says so', async () => {
    const res = await run('dev', 'SELECT g FROM generate_series(1, 100000) g', { maxRows: 250 });
    expect(res.statements[0]!.rows).toHaveLength(250);
    expect(res.statements[0]!.rows[249]).toEqual([250]);
    expect(res.statements[0]!.truncated).toBe(true);
    const exact = await run('dev', 'SELECT g FROM generate_series(1, 250) g', { maxRows: 250 });
    expect(exact.statements[0]!.truncated).toBe(false);
    expect(exact.statements[0]!.rowCount).toBe(250);
  });

  it('runs a script statement by statement, with tags and row counts, and audits it', async () => {
    const res = await run(
      'dev',
      "UPDATE items SET name = 'x' WHERE id <= 3; SELECT count(*) FROM items WHERE name = 'x'; INSERT INTO items VALUES (100, 'n') RETURNING id",
    );
    expect(res.statements.map((s) => [s.command, s.rowCount])).toEqual([
      ['UPDATE', 3],
      ['SELECT', 1],
      ['INSERT', 1],
    ]);
    expect(res.statements[1]!.rows).toEqual([['3']]);
    expect(res.statements[2]!.rows).toEqual([[100]]);
    const entry = lastAudit('query.run');
    expect(entry).toMatchObject({ outcome: 'ok', profile: 'dev', rowsAffected: 4 });
    expect(entry.detail).toContain("UPDATE items SET name = 'x'");
    expect(entry.summary).toMatch(/^3 statements, 5 rows, ok$/);
  });

  it('keeps a transaction open across calls on the same session', async () => {
    const begin = await run('dev', "BEGIN; UPDATE items SET name = 'in-tx' WHERE id = 5");
    expect(begin.transactionOpen).toBe(true);
    const seenOutside = await withClient(pg, (c) => c.query('SELECT name FROM items WHERE id = 5'), database);
    expect(seenOutside.rows[0]!.name).not.toBe('in-tx');
    const inside = await run('dev', 'SELECT name FROM items WHERE id = 5');
    expect(inside.statements[0]!.rows).toEqual([['in-tx']]);
    expect(inside.transactionOpen).toBe(true);
    const commit = await run('dev', 'COMMIT');
    expect(commit.transactionOpen).toBe(false);
    const after = await withClient(pg, (c) => c.query('SELECT name FROM items WHERE id = 5'), database);
    expect(after.rows[0]!.name).toBe('in-tx');
  });

  it('stops at the first error, with SQLSTATE, hint and the position in the whole script', async () => {
    const sql = 'SELECT 1;\nSELECT nosuchcolumn FROM items;\nSELECT 3';
    const res = await run('dev', sql);
    expect(res.statements).toHaveLength(2);
    const failure = res.statements[1]!.error!;
    expect(failure.sqlstate).toBe('42703');
    expect(failure.message).toMatch(/nosuchcolumn/);
    expect(sql.slice(failure.position! - 1).startsWith('nosuchcolumn')).toBe(true);
    const hinted = await run('dev', 'SELECT * FROM itemz');
    expect(hinted.statements[0]!.error!.sqlstate).toBe('42P01');
    const entry = lastAudit('query.run');
    expect(entry.summary).toMatch(/failed at statement 1 \(42P01/);
    // The call answered, but the action failed: the trail says error, with the SQLSTATE.
    expect(entry.outcome).toBe('error');
    expect(entry.error).toMatch(/^42P01: /);
  });

  it('refuses a syntax error before running anything, with its position', async () => {
    const error = await fail('runQuery', { profileId: ids.dev, sql: 'SELECT 1; SELEC 2' });
    expect(error.code).toBe('INVALID_INPUT');
    expect((error.detail as { position: number }).position).toBe(11);
  });

  it('refuses writes on a read-only profile before they run, naming the rule', async () => {
    const refused = await fail('runQuery', { profileId: ids.ro, sql: "SELECT 1; INSERT INTO items VALUES (200, 'no')" });
    expect(refused.code).toBe('READ_ONLY');
    expect(refused.message).toMatch(/"ro" is a read-only profile, which only observes: statement 2 is refused because INSERT is not a read/);
    expect(lastAudit('query.run')).toMatchObject({
      outcome: 'refused',
      profile: 'ro',
      summary: expect.stringMatching(/^refused on a read-only profile: INSERT/),
    });
    const read = await run('ro', 'SELECT count(*) FROM items');
    expect(read.statements[0]!.error).toBeUndefined();
  });

  it('refuses on a read-only profile what would turn read-only mode off, and re-asserts it before each statement', async () => {
    for (const sql of [
      "SET default_transaction_read_only = off; INSERT INTO items VALUES (201, 'no')",
      "BEGIN READ WRITE; INSERT INTO items VALUES (202, 'no'); COMMIT",
      'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
      "SELECT set_config('default_transaction_read_only', 'off', false)",
      "DO $$BEGIN INSERT INTO items VALUES (203, 'no'); END$$",
    ]) {
      const refused = await fail('runQuery', { profileId: ids.ro, sql });
      expect(refused.code, sql).toBe('READ_ONLY');
      expect(refused.message).toMatch(/"ro" is a read-only profile/);
    }
    // What neither the parser nor the catalog can see (a function declared STABLE that turns
    // it off anyway) lasts only until the next statement.
    await withClient(
      pg,
      (c) =>
        c.query(
          "CREATE OR REPLACE FUNCTION sneaky() RETURNS text LANGUAGE sql STABLE AS $$ SELECT set_config('default_transaction_read_only', 'off', false) $$",
        ),
      database,
    );
    await run('ro', 'SELECT sneaky()');
    const res = await run('dev', 'SELECT 1');
    expect(res.statements[0]!.error).toBeUndefined();
    const after = await run('ro', "SELECT current_setting('default_transaction_read_only') AS ro");
    expect(after.statements[0]!.rows).toEqual([['on']]);
    const kept = await withClient(pg, (c) => c.query('SELECT count(*)::int AS n FROM items WHERE id BETWEEN 201 AND 204'), database);
    expect(kept.rows[0]!.n).toBe(0);
  });

  it('needs the profile name typed for a change on production, with the plan in the error', async () => {
    const error = await fail('runQuery', { profileId: ids.prod, sql: "SELECT 1; UPDATE items SET name = 'p' WHERE id = 1" });
    expect(error.code).toBe('CONFIRMATION_REQUIRED');
    const detail = error.detail as { reason: string; statements: Array<{ command: string; sql: string }>; needsConfirmation: boolean };
    expect(detail.reason).toBe('production');
    expect(detail.needsConfirmation).toBe(true);
    expect(detail.statements.map((s) => s.sql)).toEqual(['SELECT 1', "UPDATE items SET name = 'p' WHERE id = 1"]);
    expect(lastAudit('query.run')).toMatchObject({ outcome: 'refused', profile: 'prod' });
    const wrong = await fail('runQuery', { profileId: ids.prod, sql: "UPDATE items SET name = 'p' WHERE id = 1", confirmName: 'production' });
    expect(wrong.code).toBe('CONFIRMATION_REQUIRED');
    const done = await run('prod', "UPDATE items SET name = 'p' WHERE id = 1", { confirmName: 'prod' });
    expect(done.statements[0]!.rowCount).toBe(1);
    // Reads on production need nothing.
    expect((await run('prod', 'SELECT 1')).statements[0]!.rows).toEqual([[1]]);
  });

  it('blocks DELETE without WHERE unless overridden, and audits both the refusal and the override', async () => {
    const error = await fail('runQuery', { profileId: ids.dev, sql: 'DELETE FROM items' });
    expect(error.code).toBe('CONFIRMATION_REQUIRED');
    expect(error.message).toMatch(/DELETE without WHERE/);
    expect((error.detail as { reason: string }).reason).toBe('blocked');
    expect(lastAudit('query.run')).toMatchObject({ outcome: 'refused', profile: 'dev', detail: 'DELETE FROM items' });
    expect(lastAudit('query.run').summary).toMatch(/blocked: DELETE without WHERE/);
    const count = await withClient(pg, (c) => c.query('SELECT count(*)::int AS n FROM items'), database);
    expect(count.rows[0]!.n).toBeGreaterThan(0);

    const res = await run('dev', 'BEGIN; DELETE FROM items; ROLLBACK', { override: true });
    expect(res.statements[1]!.rowCount).toBeGreaterThan(0);
    expect(lastAudit('query.run').summary).toMatch(/override: DELETE without WHERE/);
  });

  it('applies the profile statement timeout (not reported as a user cancel)', async () => {
    const res = await run('slow', 'SELECT pg_sleep(5)');
    expect(res.statements[0]!.error).toMatchObject({ sqlstate: '57014' });
    expect(res.statements[0]!.cancelled).toBe(false);
    expect(res.statements[0]!.error!.message).toMatch(/statement timeout/);
  });

  it('cancels the running statement at the server, for the exact backend pid', async () => {
    const running = run('dev', 'SELECT pg_sleep(30)');
    // The session's backend is busy in pg_sleep before we cancel.
    let pid = 0;
    await waitFor('pg_sleep to be running', async () => {
      const r = await withClient(pg, (c) => c.query("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)'"));
      pid = (r.rows[0]?.pid as number | undefined) ?? 0;
      return pid > 0;
    });
    const started = Date.now();
    const cancel = await ok<{ cancelled: boolean; pid: number }>('cancelQuery', { profileId: ids.dev });
    expect(cancel).toEqual({ cancelled: true, pid });
    const res = await running;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.statements[0]!.cancelled).toBe(true);
    expect(res.statements[0]!.error!.sqlstate).toBe('57014');
    const state = await withClient(pg, (c) => c.query('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]));
    expect(state.rows[0]!.state).toBe('idle');
    expect(lastAudit('query.cancel')).toMatchObject({ outcome: 'ok', profile: 'dev' });
    // Cancelling when nothing runs is harmless, and the session still works.
    expect(await ok('cancelQuery', { profileId: ids.dev })).toEqual({ cancelled: false, pid });
    expect((await run('dev', 'SELECT 2')).statements[0]!.rows).toEqual([[2]]);
  });

  it('reports a connection killed mid-statement clearly, and the next run reconnects', async () => {
    const running = run('dev', 'SELECT pg_sleep(30)');
    let pid = 0;
    await waitFor('pg_sleep to be running', async () => {
      const r = await withClient(pg, (c) => c.query("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)'"));
      pid = (r.rows[0]?.pid as number | undefined) ?? 0;
      return pid > 0;
    });
    await withClient(pg, (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    const broken = await running;
    expect(broken.statements[0]!.error).toBeDefined();
    expect(broken.statements[0]!.error!.message).toMatch(/terminat/i);
    expect(broken.statements[0]!.cancelled).toBe(false);
    const again = await run('dev', 'SELECT pg_backend_pid()');
    expect(again.statements[0]!.error).toBeUndefined();
    expect(again.statements[0]!.rows[0]![0]).not.toBe(pid);
  });

  it('refuses to run outside a transaction the user thinks is open, after its connection died', async () => {
    await run('dev', 'BEGIN');
    const pid = (await run('dev', 'SELECT pg_backend_pid()')).statements[0]!.rows[0]![0] as number;
    await withClient(pg, (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    // The idle client learns of its death from the server's FATAL message.
    await waitFor('the session to notice', () => queryServiceFor(core.deps).sessions.current(ids.dev!) === null);
    const refused = await fail('runQuery', { profileId: ids.dev, sql: "UPDATE items SET name = 'lost' WHERE id = 1" });
    expect(refused.code).toBe('CONNECTION_FAILED');
    expect(refused.message).toMatch(/transaction/);
    const check = await withClient(pg, (c) => c.query('SELECT name FROM items WHERE id = 1'), database);
    expect(check.rows[0]!.name).not.toBe('lost');
    expect((await run('dev', 'SELECT 1')).transactionOpen).toBe(false);
  });

  it('plans without running or auditing', async () => {
    const before = lastAudit('query.run');
    const plan = await ok<{ needsConfirmation: boolean; blocked: unknown[]; statements: unknown[] }>('planQuery', {
      profileId: ids.prod,
      sql: 'TRUNCATE items',
    });
    expect(plan).toMatchObject({ needsConfirmation: true, blocked: [{ index: 0, reason: 'TRUNCATE' }] });
    expect(lastAudit('query.run')).toEqual(before);
  });
});
