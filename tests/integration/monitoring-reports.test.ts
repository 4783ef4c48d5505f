// The Performance screen's reports against the run's real PostgreSQL, on a database seeded
// like the sandbox plus a few planted findings: an index never used (and a primary key that
// must not count as one), a duplicate and an overlapping index, an invalid index left by a
// failed CREATE UNIQUE INDEX CONCURRENTLY, a table read by sequential scans, a Supabase-like
// storage.objects. Top queries come from pg_stat_statements (the harness preloads it), the
// shop's figures are checked against counts computed here; a bare database shows what is
// missing instead of failing.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { AppMetrics, IndexReport, IndexUsage, TableReport, TopQueries } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../../src-main/core/platform/postgres/server-binaries';
import { SEQ_SCAN_MIN_ROWS } from '../../src-main/core/monitoring/indexes';
import { waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient, type TestPg } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let shop: Profile;
let bare: Profile;
let bareDb: string;
const { ok } = callsOn(() => core);

function asAdmin<T>(fn: (c: import('pg').Client) => Promise<T>, database = shopDb.database): Promise<T> {
  return withClient(server, fn, database);
}

async function scalar(sql: string): Promise<number | null> {
  return asAdmin(async (c) => {
    const v = Object.values((await c.query<Record<string, unknown>>(sql)).rows[0] ?? {})[0];
    return v === null || v === undefined ? null : Number(v);
  });
}

function named(list: IndexUsage[], index: string): IndexUsage | undefined {
  return list.find((i) => i.index === index);
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-monitoring-'));
  shopDb = await createShopDatabase(server, 'monitoring', async (c) => {
    await c.query('CREATE INDEX mon_unused ON customers (phone)');
    await c.query('CREATE INDEX mon_dup ON orders (customer_email)');
    await c.query('CREATE INDEX mon_overlap ON orders (status)');
    await c.query('CREATE TABLE mon_pk (id int PRIMARY KEY)');
    await c.query('CREATE TABLE mon_dupvals (v int)');
    await c.query('INSERT INTO mon_dupvals VALUES (1), (1)');
    // Fails on the duplicate value and, being CONCURRENTLY, leaves the index behind as invalid.
    await expect(c.query('CREATE UNIQUE INDEX CONCURRENTLY mon_invalid ON mon_dupvals (v)')).rejects.toThrow(/could not create unique index/);
    // No ANALYZE: its live count plus the insert's own, flushed later, would count the rows twice.
    await c.query(
      `CREATE TABLE mon_seq WITH (autovacuum_enabled = false) AS SELECT g AS id, g % 97 AS v FROM generate_series(1, ${SEQ_SCAN_MIN_ROWS + 2000}) g`,
    );
    await c.query('CREATE SCHEMA storage');
    await c.query('CREATE TABLE storage.objects (id bigserial PRIMARY KEY, bucket_id text, name text, metadata jsonb)');
    await c.query(`INSERT INTO storage.objects (bucket_id, name, metadata) VALUES
      ('avatars', 'a.png', '{"size": "10"}'), ('avatars', 'b.png', '{"size": 20}'), ('avatars', 'c.png', NULL),
      ('docs', 'x.pdf', '{"size": "abc"}')`);
  });
  const input: Partial<ProfileInput> = { host: server.host, port: server.port, user: shopDb.role, sslmode: 'disable', env: 'development', readOnly: true };
  shop = await ok<Profile>('createProfile', { profile: { ...input, name: 'shop', database: shopDb.database }, password: shopDb.password });
  bareDb = await createTestDatabase(server, uniqueDatabaseName('monitoring_bare'));
  bare = await ok<Profile>('createProfile', { profile: { ...input, name: 'bare', database: bareDb }, password: shopDb.password });
  // A fresh database has never had its statistics reset; resetting one table's stamps the database.
  await asAdmin((c) => c.query("SELECT pg_stat_reset_single_table_counters('mon_pk'::regclass)"));
  // Sequential scans over the whole table, from sessions that end (ending flushes their statistics).
  await asAdmin(async (c) => {
    for (let i = 0; i < 12; i += 1) await c.query('SELECT count(*) FROM mon_seq WHERE v = 5');
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  // First: the bare database holds a grant to the shop's role.
  if (bareDb) await dropTestDatabase(server, bareDb);
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('getIndexReport', () => {
  it('flags the never-used index, not the never-scanned primary key, with the statistics reset date', async () => {
    const report = await ok<IndexReport>('getIndexReport', { profileId: shop.id });
    const unused = named(report.unused, 'mon_unused');
    expect(unused).toMatchObject({ schema: 'public', table: 'customers', scans: 0, unique: false, primary: false, constraint: false, valid: true });
    expect(unused!.bytes).toBeGreaterThan(0);
    expect(named(report.indexes, 'mon_pk_pkey')).toMatchObject({ scans: 0, primary: true, constraint: true });
    expect(named(report.unused, 'mon_pk_pkey')).toBeUndefined();
    expect(report.unused.every((i) => !i.unique && !i.primary && !i.constraint && i.scans === 0)).toBe(true);
    const reset = await scalar('SELECT extract(epoch FROM stats_reset) FROM pg_stat_database WHERE datname = current_database()');
    expect(reset).not.toBeNull();
    expect(Date.parse(report.statsReset ?? '') / 1000).toBeCloseTo(reset!, 2);
  });

  it('flags the duplicate (keeping the original) and the overlapping index (keeping the wider one)', async () => {
    const report = await ok<IndexReport>('getIndexReport', { profileId: shop.id });
    const pairs = report.duplicates.map((d) => [d.kind, d.keep.index, d.drop.index]);
    expect(pairs).toContainEqual(['duplicate', 'idx_orders_customer_email', 'mon_dup']);
    expect(pairs).toContainEqual(['overlapping', 'idx_orders_status_created', 'mon_overlap']);
    // A unique index is never the one to drop for an overlap, and the seed's own indexes do not overlap.
    expect(report.duplicates.filter((d) => !d.drop.index.startsWith('mon_'))).toEqual([]);
  });

  it('shows the index a failed CREATE UNIQUE INDEX CONCURRENTLY left as invalid', async () => {
    const report = await ok<IndexReport>('getIndexReport', { profileId: shop.id });
    expect(report.invalid.map((i) => i.index)).toEqual(['mon_invalid']);
    expect(named(report.indexes, 'mon_invalid')).toMatchObject({ valid: false, unique: true, table: 'mon_dupvals' });
    expect(named(report.unused, 'mon_invalid')).toBeUndefined();
  });

  it('lists the table read only by full sequential scans as a missing-index hint, and not the indexed ones', async () => {
    const heavy = await waitFor('mon_seq in seqScanHeavy', async () => {
      const report = await ok<IndexReport>('getIndexReport', { profileId: shop.id });
      return report.seqScanHeavy.find((t) => t.table === 'mon_seq');
    });
    expect(heavy.seqScans).toBeGreaterThanOrEqual(12);
    expect(heavy.seqTuplesRead).toBeGreaterThanOrEqual(12 * (SEQ_SCAN_MIN_ROWS + 2000));
    expect(heavy.rows).toBe(SEQ_SCAN_MIN_ROWS + 2000);
  });
});

describe('getTableReport', () => {
  it('gives sizes that add up to the total, row estimates and growing dead tuples', async () => {
    await asAdmin((c) => c.query('DELETE FROM mon_seq WHERE v < 10'));
    const deleted = SEQ_SCAN_MIN_ROWS + 2000 - ((await scalar('SELECT count(*) FROM mon_seq')) ?? 0);
    const row = await waitFor('dead tuples of mon_seq', async () => {
      const report = await ok<TableReport>('getTableReport', { profileId: shop.id });
      return report.tables.find((t) => t.table === 'mon_seq' && t.deadTuples > 0);
    });
    expect(row.deadTuples).toBe(deleted);
    expect(row.deadPct).toBeCloseTo((100 * deleted) / (SEQ_SCAN_MIN_ROWS + 2000), 0);
    const report = await ok<TableReport>('getTableReport', { profileId: shop.id });
    const orders = report.tables.find((t) => t.schema === 'public' && t.table === 'orders')!;
    const total = await scalar("SELECT pg_total_relation_size('orders')");
    expect(orders.tableBytes + orders.indexBytes + orders.toastBytes).toBe(total);
    expect(orders.indexBytes).toBe(await scalar("SELECT pg_indexes_size('orders')"));
    const count = (await scalar('SELECT count(*) FROM orders')) ?? 0;
    expect(Math.abs(orders.rowEstimate - count)).toBeLessThanOrEqual(count * 0.05);
  });

  it('lists sequences fullest first with the share of their range used', async () => {
    // Created by the profile's role: pg_sequences hides last_value from roles without rights on it.
    await asAdmin((c) => c.query(`SET ROLE ${quoteIdent(shopDb.role)}; CREATE SEQUENCE mon_nearly_full MAXVALUE 100; SELECT setval('mon_nearly_full', 95)`));
    const report = await ok<TableReport>('getTableReport', { profileId: shop.id });
    expect(report.sequences[0]).toEqual({
      schema: 'public',
      sequence: 'mon_nearly_full',
      lastValue: 95,
      lastValueText: '95',
      maxValue: 100,
      maxValueText: '100',
      pctUsed: 94.95,
      column: null,
      columnType: null,
    });
    const pcts = report.sequences.map((s) => s.pctUsed);
    expect(pcts).toEqual([...pcts].sort((a, b) => b - a));
    const ordersSeq = report.sequences.find((s) => s.sequence === 'orders_id_seq');
    expect(ordersSeq?.lastValue).toBe(await scalar('SELECT max(id) FROM orders'));
  });

  it('reads the catalog without JIT compilation where the server would compile every plan (the index report too)', async () => {
    // On a large catalog the size and sequence statements pass jit_above_cost, and compiling cost more than running them.
    const role = quoteIdent(shopDb.role);
    const compiled = async (pattern: string) =>
      scalar(
        `SELECT coalesce(sum(jit_functions), 0) FROM pg_stat_statements WHERE userid = '${role}'::regrole AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ~ '${pattern}'`,
      );
    await asAdmin((c) => c.query(`ALTER ROLE ${role} IN DATABASE ${quoteIdent(shopDb.database)} SET jit_above_cost = 0`));
    try {
      // The control: under this setting the same role's own statement is compiled.
      const probed = await compiled('mon_jit_probe');
      await withClient(
        { ...server, user: shopDb.role, password: shopDb.password },
        // Not the same shape as the Top queries test's probe: pg_stat_statements ignores aliases
        // when it groups statements, and would file that probe under this one's text.
        (c) => c.query('SELECT count(*) AS mon_jit_probe FROM orders WHERE id IS NOT NULL'),
        shopDb.database,
      );
      expect(await compiled('mon_jit_probe')).toBeGreaterThan(probed!);
      const reports = 'pg_indexes_size|pg_sequence_last_value|pg_relation_size';
      const before = await compiled(reports);
      await ok<TableReport>('getTableReport', { profileId: shop.id });
      await ok<IndexReport>('getIndexReport', { profileId: shop.id });
      expect(await compiled(reports)).toBe(before);
    } finally {
      await asAdmin((c) => c.query(`ALTER ROLE ${role} IN DATABASE ${quoteIdent(shopDb.database)} RESET jit_above_cost`));
    }
  });

  it('counts storage objects and their sizes per bucket when storage.objects exists, and says null when it does not', async () => {
    const report = await ok<TableReport>('getTableReport', { profileId: shop.id });
    expect(report.buckets).toEqual([
      { bucket: 'avatars', objects: 3, bytes: 30 },
      { bucket: 'docs', objects: 1, bytes: 0 },
    ]);
    expect((await ok<TableReport>('getTableReport', { profileId: bare.id })).buckets).toBeNull();
  });
});

describe('getTopQueries', () => {
  it('reads pg_stat_statements for this database only, sorted as asked, with the reset time', async () => {
    const preload = await asAdmin(
      async (c) => (await c.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries')).rows[0]?.shared_preload_libraries,
    );
    expect(preload).toContain('pg_stat_statements');
    await withClient(
      { ...server, user: shopDb.role, password: shopDb.password },
      async (c) => {
        for (let i = 0; i < 5; i += 1) await c.query(`SELECT count(*) AS mon_probe_count FROM orders WHERE status = '${i}'`);
      },
      shopDb.database,
    );
    await asAdmin((c) => c.query('SELECT 1 AS mon_other_database_probe'), 'postgres');
    const top = await ok<TopQueries>('getTopQueries', { profileId: shop.id, orderBy: 'calls', limit: 500 });
    expect(top).toMatchObject({ available: true, reason: null, orderBy: 'calls' });
    expect(top.statsReset).not.toBeNull();
    const probe = top.queries.find((q) => q.query.includes('mon_probe_count'));
    expect(probe).toMatchObject({ calls: 5, user: shopDb.role });
    expect(probe!.totalMs).toBeGreaterThan(0);
    expect(probe!.meanMs).toBeCloseTo(probe!.totalMs / 5, 3);
    expect(probe!.sharedBlksHit + probe!.sharedBlksRead).toBeGreaterThan(0);
    expect(top.queries.some((q) => q.query.includes('mon_other_database_probe'))).toBe(false);
    const calls = top.queries.map((q) => q.calls);
    expect(calls).toEqual([...calls].sort((a, b) => b - a));
    const byMean = await ok<TopQueries>('getTopQueries', { profileId: shop.id, orderBy: 'mean', limit: 3 });
    expect(byMean.queries).toHaveLength(3);
    expect(byMean.queries[0]!.meanMs).toBeGreaterThanOrEqual(byMean.queries[2]!.meanMs);
  });

  it("hides the app's own and its tools' statements by default (a real pg_dump's COPY, the overview's polling), counting them, and shows them when asked", async () => {
    // A real pg_dump of the database (its COPY … TO stdout and catalog reads) and the app's own polling.
    const dump = spawnSync(
      path.join(server.binDir, 'pg_dump'),
      ['-h', server.host, '-p', String(server.port), '-U', shopDb.role, '-d', shopDb.database, '-f', '/dev/null'],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: shopDb.password, LC_MESSAGES: 'C' } },
    );
    expect(dump.status, dump.stderr).toBe(0);
    await ok('getOverview', { profileId: shop.id });
    await withClient(
      { ...server, user: shopDb.role, password: shopDb.password },
      (c) => c.query(`SELECT count(*) AS mon_workload_probe FROM orders`),
      shopDb.database,
    );
    const own = (q: { query: string }): boolean => /^\s*COPY\s.*TO stdout/i.test(q.query) || /pg_catalog\.|pg_stat_/i.test(q.query);
    // Each call records its own statements (its read, the hidden count, its session's SETs):
    // both variants run once first, so the two calls compared below add no new entry between them.
    await ok<TopQueries>('getTopQueries', { profileId: shop.id, orderBy: 'calls', limit: 500, hideOwn: false });
    await ok<TopQueries>('getTopQueries', { profileId: shop.id, orderBy: 'calls', limit: 500 });
    const shown = await ok<TopQueries>('getTopQueries', { profileId: shop.id, orderBy: 'calls', limit: 500 });
    expect(shown.hideOwn).toBe(true);
    expect(shown.queries.filter(own).map((q) => q.query)).toEqual([]);
    expect(shown.queries.some((q) => q.query.includes('mon_workload_probe'))).toBe(true);
    const all = await ok<TopQueries>('getTopQueries', { profileId: shop.id, orderBy: 'calls', limit: 500, hideOwn: false });
    expect(all).toMatchObject({ hideOwn: false, hidden: 0 });
    expect(all.queries.some((q) => /^COPY public\.orders .*TO stdout/i.test(q.query))).toBe(true);
    expect(all.queries.some((q) => q.query.includes('pg_stat_database'))).toBe(true);
    expect(shown.hidden).toBe(all.queries.filter((q) => !shown.queries.some((s) => s.queryid === q.queryid)).length);
  });

  it('says how to enable pg_stat_statements where the extension is not created', async () => {
    const top = await ok<TopQueries>('getTopQueries', { profileId: bare.id });
    expect(top).toMatchObject({ available: false, queries: [], statsReset: null });
    expect(top.reason).toContain('shared_preload_libraries');
    expect(top.reason).toContain('CREATE EXTENSION pg_stat_statements');
    expect(top.reason).toContain('Database → Extensions');
    expect(top.reason).toContain(bareDb);
  });

  it('says the library is not loaded where the extension is created but the server does not preload it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-monitoring-nopreload-'));
    const password = crypto.randomBytes(12).toString('hex');
    const cluster = new LocalCluster({
      dataDir: path.join(root, 'data'),
      binaries: await pickServerBinaries(),
      auth: { method: 'scram-sha-256', superuserPassword: password },
      durable: false,
    });
    try {
      await cluster.init();
      const { port } = await cluster.start();
      const own: TestPg = { ...server, port, password, database: 'postgres' };
      await withClient(own, (c) => c.query('CREATE EXTENSION pg_stat_statements'));
      const profile = await ok<Profile>('createProfile', {
        profile: {
          name: 'no-preload',
          host: server.host,
          port,
          database: 'postgres',
          user: 'postgres',
          sslmode: 'disable',
          env: 'development',
          readOnly: true,
        },
        password,
      });
      const top = await ok<TopQueries>('getTopQueries', { profileId: profile.id });
      expect(top).toMatchObject({ available: false, queries: [] });
      expect(top.reason).toMatch(/created in database "postgres" but the server has not loaded its library/);
      expect(top.reason).toContain('shared_preload_libraries');
    } finally {
      await cluster.destroy();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('getAppMetrics', () => {
  it("matches the shop's figures computed directly", async () => {
    await asAdmin(async (c) => {
      await c.query(`INSERT INTO orders (order_number, customer_email, customer_name, status, total_amount, shipping_address, shipping_city, shipping_state, shipping_postal_code, shipped_at)
        VALUES ('MON-1', 'mon@example.com', 'Mon Itor', 'shipped', 123.45, '1 Main St', 'Austin', 'TX', '73301', now())`);
      await c.query(`INSERT INTO designs (id, user_id, name) SELECT gen_random_uuid(), id, 'mon design' FROM customers LIMIT 1`);
    });
    const m = await ok<AppMetrics>('getAppMetrics', { profileId: shop.id });
    const expected: AppMetrics = {
      activeUsers24h: await scalar("SELECT count(DISTINCT user_id) FROM designs WHERE created_at > now() - interval '24 hours'"),
      conversionRate7d: await scalar(
        "SELECT round(100.0 * count(*) FILTER (WHERE status <> 'pending') / count(*), 1) FROM orders WHERE created_at > now() - interval '7 days'",
      ),
      today: {
        newOrders: await scalar('SELECT count(*) FROM orders WHERE created_at >= current_date'),
        shipped: await scalar('SELECT count(*) FROM orders WHERE shipped_at >= current_date'),
        revenue: await scalar('SELECT sum(total_amount) FROM orders WHERE created_at >= current_date'),
        newDesigns: await scalar('SELECT count(*) FROM designs WHERE created_at >= current_date'),
      },
      notes: [],
    };
    expect(m).toEqual(expected);
    expect(m.activeUsers24h).toBeGreaterThan(0);
    expect(m.today.shipped).toBeGreaterThan(0);
    expect(m.today.revenue).toBeGreaterThanOrEqual(123.45);
  });

  it('answers null with a note for each figure a database without the shop tables cannot give', async () => {
    const m = await ok<AppMetrics>('getAppMetrics', { profileId: bare.id });
    expect(m).toMatchObject({ activeUsers24h: null, conversionRate7d: null, today: { newOrders: null, shipped: null, revenue: null, newDesigns: null } });
    expect(m.notes).toHaveLength(4);
    expect(m.notes.join('\n')).toMatch(/designs.*not in this database/);
    expect(m.notes.join('\n')).toMatch(/orders.*not in this database/);
    // A missing column rather than a table.
    await asAdmin((c) => c.query(`CREATE TABLE designs (id int); GRANT SELECT ON designs TO ${quoteIdent(shopDb.role)}`), bareDb);
    const partial = await ok<AppMetrics>('getAppMetrics', { profileId: bare.id });
    expect(partial.notes.find((n) => n.startsWith('Active users'))).toMatch(/column .* is missing|does not exist/);
  });
});
