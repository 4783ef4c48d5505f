// explainQuery against the run's real PostgreSQL: the plan tree with actual figures, the
// rollback around EXPLAIN ANALYZE of a change (alone and inside the user's transaction),
// the production and read-only guards, single-statement input, positions and the audit.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExplainResult, PlanNode, Profile, ProfileInput, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { flattenPlan } from '../../src-main/contract/plan-tree';
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

function explain(profile: string, sql: string, extra: Record<string, unknown> = {}): Promise<ExplainResult> {
  return ok<ExplainResult>('explainQuery', { profileId: ids[profile], sql, ...extra });
}

function run(profile: string, sql: string): Promise<QueryRunResult> {
  return ok<QueryRunResult>('runQuery', { profileId: ids[profile], sql, override: true });
}

function lastAudit(action: string) {
  const rows = core.deps.store.db
    .prepare('SELECT outcome, profile, summary, detail, error FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1')
    .all(action) as Array<{ outcome: string; profile: string; summary: string; detail: string; error: string | null }>;
  return rows[0]!;
}

async function outside<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  return withClient(pg, async (c) => (await c.query<T>(sql)).rows, database);
}

function nodes(result: ExplainResult): PlanNode[] {
  return flattenPlan(result.plan);
}

beforeAll(async () => {
  database = await createTestDatabase(pg, uniqueDatabaseName('query_explain'));
  await withClient(
    pg,
    (c) =>
      c.query(`
        CREATE TABLE customers (id int PRIMARY KEY, name text);
        CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, total numeric);
        INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 200) g;
        INSERT INTO orders SELECT g, 1 + g % 200, g * 1.5 FROM generate_series(1, 2000) g;
        CREATE SEQUENCE explain_seq;
        ANALYZE customers; ANALYZE orders;
      `),
    database,
  );
  ({ core, home } = newTestCore('ops-explain-'));
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable' };
  const make = async (name: string, extra: Partial<ProfileInput>) => {
    const p = await ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, password: pg.password });
    ids[name] = p.id;
  };
  await make('dev', { env: 'development', readOnly: false });
  await make('ro', { env: 'staging', readOnly: true });
  await make('prod', { env: 'production', readOnly: false });
});

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, database);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('explainQuery', () => {
  it('shows a join as a tree with actual rows, times, buffers and shares', async () => {
    const sql = 'SELECT c.name, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.total > 100 GROUP BY c.name';
    const res = await explain('dev', sql);
    expect(res).toMatchObject({ statement: sql, analyzed: true, rolledBack: true });
    expect(res.executionMs).toBeGreaterThan(0);
    expect(res.planningMs).toBeGreaterThan(0);
    const all = nodes(res);
    expect(all.map((n) => n.id)).toEqual(all.map((_, i) => i));
    const join = all.find((n) => /Join|Nested Loop/.test(n.nodeType));
    expect(join).toBeDefined();
    // 2000 orders, those with total > 100 are ids 67…2000: every one is joined to a customer.
    expect(join!.actualRows).toBe(1934);
    const scan = all.find((n) => n.label.includes('on orders o'));
    expect(scan).toBeDefined();
    expect(scan!.details.find((d) => d.key === 'Filter')?.value).toMatch(/total > '?100/);
    expect(all.find((n) => n.label.includes('on customers c'))).toBeDefined();
    // Every customer has orders over 100, so the root (one row per name) gives 200 rows.
    expect(res.plan.actualRows).toBe(200);
    expect(res.plan.actualTotalMs).toBeGreaterThan(0);
    for (const n of all) {
      expect(n.actualLoops).not.toBeNull();
      expect(n.selfMs).toBeGreaterThanOrEqual(0);
      expect(n.selfShare).toBeGreaterThanOrEqual(0);
      expect(n.selfShare).toBeLessThanOrEqual(1);
    }
    // BUFFERS: the scans read their pages from shared buffers (hit or read).
    expect((scan!.sharedHitBlocks ?? 0) + (scan!.sharedReadBlocks ?? 0)).toBeGreaterThan(0);
    const json = JSON.parse(res.json) as Array<{ Plan: { 'Node Type': string } }>;
    expect(json[0]!.Plan['Node Type']).toBe(res.plan.nodeType);
  });

  it('counts every loop of the inner side of a nested loop', async () => {
    await run('dev', 'SET enable_hashjoin = off; SET enable_mergejoin = off');
    try {
      const res = await explain('dev', 'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id <= 50');
      const loop = nodes(res).find((n) => n.nodeType === 'Nested Loop');
      expect(loop).toBeDefined();
      const inner = loop!.children.find((c) => c.actualLoops !== null && c.actualLoops > 1);
      expect(inner).toBeDefined();
      expect(inner!.actualLoops).toBe(50);
      expect(inner!.actualRows).toBe(50);
      expect(loop!.actualRows).toBe(50);
    } finally {
      await run('dev', 'RESET enable_hashjoin; RESET enable_mergejoin');
    }
  });

  it('rolls back EXPLAIN ANALYZE of an UPDATE, and audits the exact EXPLAIN text', async () => {
    const sql = "UPDATE customers SET name = 'explained' WHERE id = 7";
    const res = await explain('dev', sql);
    expect(res.rolledBack).toBe(true);
    expect(res.analyzed).toBe(true);
    expect(res.plan.nodeType).toBe('ModifyTable');
    expect(res.plan.label).toBe('Update on customers');
    expect(await outside('SELECT name FROM customers WHERE id = 7')).toEqual([{ name: 'customer 7' }]);
    // The session is left outside any transaction.
    expect((await run('dev', 'SELECT 1')).transactionOpen).toBe(false);
    const entry = lastAudit('query.explain');
    expect(entry).toMatchObject({ outcome: 'ok', profile: 'dev', detail: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}` });
    expect(entry.summary).toMatch(/^EXPLAIN ANALYZE \(rolled back\) UPDATE: \d+(\.\d+)? ms$/);
  });

  it('rolls back EXPLAIN ANALYZE of CREATE TABLE AS: the table does not exist afterwards', async () => {
    const res = await explain('dev', 'CREATE TABLE explained_copy AS SELECT * FROM customers');
    expect(res.rolledBack).toBe(true);
    expect(res.plan.actualRows).toBe(200);
    expect(await outside("SELECT to_regclass('explained_copy') IS NULL AS gone")).toEqual([{ gone: true }]);
  });

  it('closes a result held open for "Fetch more" instead of waiting behind it', async () => {
    const held = await ok<QueryRunResult>('runQuery', {
      profileId: ids.dev,
      sql: 'SELECT g FROM generate_series(1, 5000) g',
      maxRows: 10,
      runId: 'explain-held',
    });
    expect(held.statements[0]!.resumable).toBe(true);
    const res = await explain('dev', 'SELECT count(*) FROM orders');
    expect(res.plan.actualRows).toBe(1);
    expect((await fail('fetchMoreRows', { profileId: ids.dev, runId: 'explain-held', count: 10 })).code).toBe('CONFLICT');
  });

  it('plain EXPLAIN never executes and gives estimates only', async () => {
    const before = await outside<{ v: string }>('SELECT last_value::text AS v FROM explain_seq');
    const res = await explain('dev', "INSERT INTO customers VALUES (nextval('explain_seq'), 'never')", { analyze: false });
    expect(res).toMatchObject({ analyzed: false, rolledBack: false, planningMs: null, executionMs: null });
    expect(res.plan.actualRows).toBeNull();
    expect(res.plan.actualTotalMs).toBeNull();
    expect(res.plan.totalCost).toBeGreaterThan(0);
    expect(await outside('SELECT last_value::text AS v FROM explain_seq')).toEqual(before);
    expect(lastAudit('query.explain').detail).toBe("EXPLAIN (FORMAT JSON) INSERT INTO customers VALUES (nextval('explain_seq'), 'never')");
  });

  it("keeps the user's open transaction and its changes, even when the EXPLAIN fails", async () => {
    const begun = await run('dev', "BEGIN; UPDATE customers SET name = 'in-tx' WHERE id = 3");
    expect(begun.transactionOpen).toBe(true);
    try {
      const res = await explain('dev', "UPDATE customers SET name = 'explained' WHERE id IN (3, 4)");
      expect(res.rolledBack).toBe(true);
      expect(nodes(res)[0]!.actualRows).toBe(0);
      const inside = await run('dev', 'SELECT id, name FROM customers WHERE id IN (3, 4) ORDER BY id');
      expect(inside.transactionOpen).toBe(true);
      expect(inside.statements[0]!.rows).toEqual([
        [3, 'in-tx'],
        [4, 'customer 4'],
      ]);

      // A failing EXPLAIN ANALYZE (and a failing plain EXPLAIN) does not abort the transaction.
      const sql = 'UPDATE customers SET nosuch = 1 WHERE id = 3';
      const error = await fail('explainQuery', { profileId: ids.dev, sql });
      expect(error.code).toBe('QUERY_FAILED');
      expect((error.detail as { sqlstate: string }).sqlstate).toBe('42703');
      const plain = await fail('explainQuery', { profileId: ids.dev, sql: 'SELECT nosuch FROM customers', analyze: false });
      expect(plain.code).toBe('QUERY_FAILED');
      const still = await run('dev', 'SELECT name FROM customers WHERE id = 3');
      expect(still.statements[0]!.error).toBeUndefined();
      expect(still.statements[0]!.rows).toEqual([['in-tx']]);
      expect(still.transactionOpen).toBe(true);
    } finally {
      await run('dev', 'ROLLBACK');
    }
    expect(await outside('SELECT name FROM customers WHERE id = 3')).toEqual([{ name: 'customer 3' }]);
  });

  it('needs the profile name on production for ANALYZE of a change, and runs nothing without it', async () => {
    const sql = "INSERT INTO customers VALUES (10000 + nextval('explain_seq'), 'prod')";
    const before = await outside<{ v: string; called: boolean }>('SELECT last_value::text AS v, is_called AS called FROM explain_seq');
    const error = await fail('explainQuery', { profileId: ids.prod, sql });
    expect(error.code).toBe('CONFIRMATION_REQUIRED');
    const detail = error.detail as { reason: string; needsConfirmation: boolean; statements: Array<{ sql: string; command: string }> };
    expect(detail.reason).toBe('production');
    expect(detail.needsConfirmation).toBe(true);
    expect(detail.statements).toMatchObject([{ sql, command: 'INSERT' }]);
    expect(await outside('SELECT last_value::text AS v, is_called AS called FROM explain_seq')).toEqual(before);
    expect(lastAudit('query.explain')).toMatchObject({ outcome: 'refused', profile: 'prod' });
    expect((await fail('explainQuery', { profileId: ids.prod, sql, confirmName: 'production' })).code).toBe('CONFIRMATION_REQUIRED');

    // Confirmed, it really executes (the sequence advances) and the row is rolled back.
    const res = await explain('prod', sql, { confirmName: 'prod' });
    expect(res.rolledBack).toBe(true);
    expect(await outside('SELECT is_called AS called FROM explain_seq')).toEqual([{ called: true }]);
    expect(await outside("SELECT count(*)::int AS n FROM customers WHERE name = 'prod'")).toEqual([{ n: 0 }]);
    // Reads and plain EXPLAIN need nothing on production.
    expect((await explain('prod', 'SELECT count(*) FROM orders')).analyzed).toBe(true);
    expect((await explain('prod', sql, { analyze: false })).analyzed).toBe(false);
  });

  it('refuses ANALYZE of a write on a read-only profile before it runs; plain EXPLAIN works', async () => {
    const sql = "INSERT INTO customers VALUES (9999, 'ro')";
    const error = await fail('explainQuery', { profileId: ids.ro, sql });
    expect(error.code).toBe('READ_ONLY');
    expect(error.message).toMatch(/"ro" is a read-only profile, which only observes/);
    expect(lastAudit('query.explain').summary).toMatch(/^refused on a read-only profile: INSERT/);
    const plain = await explain('ro', sql, { analyze: false });
    expect(plain.plan.nodeType).toBe('ModifyTable');
    expect(plain.plan.label).toBe('Insert on customers');
    // The plain plan's shares are by cost and add up to the whole.
    const shares = nodes(plain).reduce((sum, n) => sum + n.selfShare, 0);
    expect(shares).toBeCloseTo(1, 5);
    expect(await outside('SELECT count(*)::int AS n FROM customers WHERE id = 9999')).toEqual([{ n: 0 }]);
  });

  it('takes exactly one explainable statement', async () => {
    const two = await fail('explainQuery', { profileId: ids.dev, sql: 'SELECT 1; SELECT 2' });
    expect(two.code).toBe('INVALID_INPUT');
    expect(two.message).toMatch(/exactly one statement/);
    expect(two.message).toMatch(/has 2/);
    const none = await fail('explainQuery', { profileId: ids.dev, sql: '-- nothing here' });
    expect(none.code).toBe('INVALID_INPUT');
    const syntax = await fail('explainQuery', { profileId: ids.dev, sql: 'SELEC 1' });
    expect(syntax.code).toBe('INVALID_INPUT');
    expect(syntax.detail).toMatchObject({ sqlstate: '42601', position: 1 });
    const vacuum = await fail('explainQuery', { profileId: ids.dev, sql: 'VACUUM customers' });
    expect(vacuum.code).toBe('INVALID_INPUT');
    expect(vacuum.message).toMatch(/VACUUM has no plan/);
    const nested = await fail('explainQuery', { profileId: ids.dev, sql: 'EXPLAIN SELECT 1' });
    expect(nested.code).toBe('INVALID_INPUT');
    // A trailing semicolon is still one statement.
    expect((await explain('dev', 'SELECT 1;')).statement).toBe('SELECT 1');
  });

  it("points a server error at the user's SQL, not at the EXPLAIN words added to it", async () => {
    const sql = '-- which column?\n  SELECT nosuchcolumn FROM customers';
    const error = await fail('explainQuery', { profileId: ids.dev, sql });
    expect(error.code).toBe('QUERY_FAILED');
    const detail = error.detail as { sqlstate: string; position: number };
    expect(detail.sqlstate).toBe('42703');
    expect(sql.slice(detail.position - 1).startsWith('nosuchcolumn')).toBe(true);
    const hinted = await fail('explainQuery', { profileId: ids.dev, sql: 'SELECT * FROM customerz', analyze: false });
    expect((hinted.detail as { sqlstate: string }).sqlstate).toBe('42P01');
  });

  it('refuses while a query runs on the console session', async () => {
    const running = run('dev', 'SELECT pg_sleep(30)');
    await waitFor('the session to be busy', () => queryServiceFor(core.deps).sessions.current(ids.dev!)?.busy === true);
    await waitFor('pg_sleep to be running', async () => {
      const r = await withClient(pg, (c) => c.query("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)'"));
      return r.rows.length > 0;
    });
    const error = await fail('explainQuery', { profileId: ids.dev, sql: 'SELECT 1' });
    expect(error.code).toBe('CONFLICT');
    await ok('cancelQuery', { profileId: ids.dev });
    expect((await running).statements[0]!.cancelled).toBe(true);
    expect((await explain('dev', 'SELECT 1')).plan.actualRows).toBe(1);
  });
});
