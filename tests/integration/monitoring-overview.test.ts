// The Performance overview (what `ops-console health` prints) against the run's real
// PostgreSQL, on a database seeded like the sandbox and owned by an unprivileged role with
// pg_monitor: every check carries its value and thresholds, lowering a threshold flips its
// check and the overall status, the failed-queries fallback counts this database's
// rollbacks, and each refresh stores at most one snapshot a minute that getMetricHistory
// reads back.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { HealthCheck, MetricHistory, Overview } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { recordSnapshot } from '../../src-main/core/monitoring/snapshots';
import { worstStatus } from '../../src-main/core/runbook/thresholds';
import { callsOn, newTestCore } from '../helpers/core';
import { withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { LENIENT_THRESHOLDS } from '../helpers/thresholds';

const pg = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let shop: Profile;
const { ok, fail } = callsOn(() => core);

const CHECKS = ['dbSize', 'connections', 'cacheHit', 'queryTime', 'oldestTransaction', 'replicationLag', 'wraparound', 'failedQueries'];

const LENIENT = LENIENT_THRESHOLDS;

function overview(): Promise<Overview> {
  return ok<Overview>('getOverview', { profileId: shop.id });
}

function checkOf(o: Overview, name: string): HealthCheck {
  const found = o.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name} in ${o.checks.map((c) => c.name).join(', ')}`);
  return found;
}

function setThresholds(values: Array<{ key: string; warn: number; critical: number | null }>): Promise<unknown> {
  return ok('setThresholds', { profileId: shop.id, values });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-overview-'));
  shopDb = await createShopDatabase(pg, 'overview');
  const input: Partial<ProfileInput> = {
    name: 'shop',
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await ok<Profile>('createProfile', { profile: input, password: shopDb.password });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('getOverview', () => {
  it('judges every figure with its value and both thresholds, from a few cheap queries', async () => {
    const o = await overview();
    expect(o.checks.map((c) => c.name)).toEqual(CHECKS);
    for (const c of o.checks) {
      expect(typeof c.warn, c.name).toBe('number');
      expect(typeof c.critical, c.name).toBe('number');
      expect(c.summary.length, c.name).toBeGreaterThan(10);
      if (c.name !== 'replicationLag') expect(typeof c.value, c.name).toBe('number');
    }
    // The test server has no standby.
    expect(checkOf(o, 'replicationLag')).toMatchObject({ value: null, status: 'ok' });
    expect(checkOf(o, 'replicationLag').summary).toMatch(/no replicas/i);
    expect(o.status).toBe(worstStatus(o.checks.map((c) => c.status)));

    const truth = await withClient(
      pg,
      async (c) => {
        const r = await c.query<{ size: string; version: string; max: number }>(
          "SELECT pg_database_size(current_database()) AS size, current_setting('server_version') AS version, current_setting('max_connections')::int AS max",
        );
        return r.rows[0]!;
      },
      shopDb.database,
    );
    expect(o.serverVersion).toBe(truth.version);
    expect(o.figures.maxConnections).toBe(truth.max);
    // The size moves a little while the server works (free space maps, stats); same order of magnitude.
    expect(Math.abs(o.figures.databaseSizeBytes - Number(truth.size))).toBeLessThan(2 * 1024 * 1024);
    expect(checkOf(o, 'dbSize').value).toBe(o.figures.databaseSizeBytes);
    expect(o.figures.connections).toBeGreaterThanOrEqual(1);
    expect(Object.values(o.figures.byState).reduce((a, b) => a + b, 0)).toBe(o.figures.connections);
    expect(o.figures.byState.active).toBeGreaterThanOrEqual(1);
    expect(o.figures.cacheHitRatio).toBeGreaterThan(0);
    expect(o.figures.cacheHitRatio).toBeLessThanOrEqual(100);
    expect(o.figures.wraparoundAge).toBeGreaterThan(0);
    // Session setup + the overview statement, at most the log and pg_stat_statements on top.
    expect(o.queries).toBeGreaterThanOrEqual(2);
    expect(o.queries).toBeLessThanOrEqual(4);
    expect(o.queryMs).toBeGreaterThan(0);
  });

  it('gives transactions per second from the second refresh on', async () => {
    const { core: fresh, home: freshHome } = newTestCore('ops-overview-tps-');
    try {
      const calls = callsOn(() => fresh);
      const profile = await calls.ok<Profile>('createProfile', {
        profile: {
          name: 'shop',
          host: pg.host,
          port: pg.port,
          database: shopDb.database,
          user: shopDb.role,
          sslmode: 'disable',
          env: 'development',
          readOnly: false,
        },
        password: shopDb.password,
      });
      const first = await calls.ok<Overview>('getOverview', { profileId: profile.id });
      expect(first.figures.transactionsPerSecond).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      const second = await calls.ok<Overview>('getOverview', { profileId: profile.id });
      expect(second.figures.transactionsPerSecond).toEqual(expect.any(Number));
      expect(second.figures.transactionsPerSecond).toBeGreaterThanOrEqual(0);
    } finally {
      await fresh.close();
      fs.rmSync(freshHome, { recursive: true, force: true });
    }
  });

  it('follows a lowered threshold to WARNING and CRITICAL, and the overall status with it', async () => {
    await setThresholds(LENIENT);
    const calm = await overview();
    expect(calm.checks.map((c) => [c.name, c.status])).toEqual(CHECKS.map((n) => [n, 'ok']));
    expect(calm.status).toBe('ok');

    const size = calm.figures.databaseSizeBytes;
    await setThresholds([{ key: 'dbSize', warn: Math.floor(size / 2), critical: size * 10 }]);
    const warned = await overview();
    expect(checkOf(warned, 'dbSize')).toMatchObject({ status: 'warning', warn: Math.floor(size / 2), critical: size * 10 });
    expect(warned.status).toBe('warning');

    await setThresholds([{ key: 'dbSize', warn: Math.floor(size / 4), critical: Math.floor(size / 2) }]);
    const critical = await overview();
    expect(checkOf(critical, 'dbSize').status).toBe('critical');
    expect(critical.status).toBe('critical');

    // A "below" threshold: the cache hit ratio under an impossible 100 %.
    await setThresholds([
      { key: 'dbSize', warn: 1e15, critical: 1e15 },
      { key: 'cacheHit', warn: 100, critical: 0 },
    ]);
    const cold = await overview();
    expect(checkOf(cold, 'cacheHit').status).toBe('warning');
    expect(cold.status).toBe('warning');
    await setThresholds(LENIENT);
  });

  it('counts failed queries from the rollbacks of this database when the log is not readable, and says so', async () => {
    // The owner role has pg_monitor, not pg_read_server_files: the log is out of reach.
    await withClient(
      pg,
      async (c) => {
        await c.query('SELECT pg_stat_reset()');
        for (let i = 0; i < 3; i++) {
          await c.query('BEGIN');
          await c.query('ROLLBACK');
        }
      },
      shopDb.database,
    );
    await setThresholds([{ key: 'failedQueries', warn: 2, critical: 20 }]);
    // Counters reach the shared statistics when the backend that counted them exits.
    await expect.poll(async () => checkOf(await overview(), 'failedQueries').value, { timeout: 5000, interval: 200 }).toBe(3);
    const o = await overview();
    const failed = checkOf(o, 'failedQueries');
    expect(failed.status).toBe('warning');
    expect(failed.summary).toBe('3 rolled-back transactions of other clients per hour on average (warning above 2, critical above 20)');
    expect(failed.source).toMatch(/xact_rollback per hour since the statistics reset/);
    expect(failed.source).toMatch(/logging_collector is off|may not read the server log/);
    expect(o.figures.statsReset).not.toBeNull();
    await setThresholds(LENIENT);
  });

  it("leaves out the app's own rollbacks (EXPLAIN ANALYZE of a change) and says so", async () => {
    const rawRollbacks = (): Promise<number> =>
      withClient(
        pg,
        async (c) => Number((await c.query<{ n: string }>('SELECT xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n),
        shopDb.database,
      );
    await withClient(
      pg,
      async (c) => {
        await c.query('SELECT pg_stat_reset()');
        for (let i = 0; i < 2; i++) {
          await c.query('BEGIN');
          await c.query('ROLLBACK');
        }
      },
      shopDb.database,
    );
    // Three of the app's own: EXPLAIN ANALYZE of an UPDATE runs inside BEGIN … ROLLBACK.
    for (let i = 0; i < 3; i++) await ok('explainQuery', { profileId: shop.id, sql: 'UPDATE orders SET status = status WHERE id = 1' });
    // The server counts all five once the backends report them (at exit, or idle: the console session stays open).
    await expect.poll(rawRollbacks, { timeout: 25_000, interval: 250 }).toBeGreaterThanOrEqual(5);
    const failed = checkOf(await overview(), 'failedQueries');
    expect(failed.value).toBe(2);
    expect(failed.source).toMatch(/less the 3 this app rolled back itself/);
    expect(failed.summary).toMatch(/^2 rolled-back transactions of other clients per hour/);
  });

  it('refuses an unknown profile', async () => {
    expect((await fail('getOverview', { profileId: 'nope' })).code).toBe('NOT_FOUND');
    expect((await fail('getMetricHistory', { profileId: 'nope', metric: 'connections' })).code).toBe('NOT_FOUND');
  });
});

describe('snapshots and history', () => {
  it('stores at most one snapshot a minute per profile and reads them back oldest first', async () => {
    const { core: fresh, home: freshHome } = newTestCore('ops-overview-hist-');
    try {
      const calls = callsOn(() => fresh);
      const profile = await calls.ok<Profile>('createProfile', {
        profile: {
          name: 'shop',
          host: pg.host,
          port: pg.port,
          database: shopDb.database,
          user: shopDb.role,
          sslmode: 'disable',
          env: 'development',
          readOnly: false,
        },
        password: shopDb.password,
      });
      const history = (metric: string) => calls.ok<MetricHistory>('getMetricHistory', { profileId: profile.id, metric, hours: 2 });
      expect((await history('databaseSizeBytes')).points).toEqual([]);

      const first = await calls.ok<Overview>('getOverview', { profileId: profile.id });
      await calls.ok<Overview>('getOverview', { profileId: profile.id });
      const sizes = (await history('databaseSizeBytes')).points;
      expect(sizes).toHaveLength(1);
      expect(sizes[0]!.value).toBe(first.figures.databaseSizeBytes);
      expect((await history('connections')).points[0]!.value).toBe(first.figures.connections);
      // pg_stat_statements is installed and preloaded on the test server: the slowest mean is kept.
      expect((await history('topQueryMeanMs')).points[0]!.value).toBeGreaterThan(0);
      // The first refresh has no previous sample: no rate to keep.
      expect((await history('transactionsPerSecond')).points).toEqual([]);

      // Older snapshots, written to the store directly (the clock cannot wait a minute).
      const store = fresh.deps.store;
      const base = Date.now() - 90 * 60_000;
      store.db.prepare('DELETE FROM metric_snapshots WHERE profile_id = ?').run(profile.id);
      expect(recordSnapshot(store, profile.id, { connections: 5 }, new Date(base))).toBe(true);
      expect(recordSnapshot(store, profile.id, { connections: 6 }, new Date(base + 30_000))).toBe(false);
      expect(recordSnapshot(store, profile.id, { connections: 7 }, new Date(base + 61_000))).toBe(true);
      expect(recordSnapshot(store, profile.id, { connections: 8, cacheHitRatio: 99.5 }, new Date(base + 40 * 60_000))).toBe(true);
      const connections = (await history('connections')).points;
      expect(connections.map((p) => p.value)).toEqual([5, 7, 8]);
      expect(connections.map((p) => p.at)).toEqual([base, base + 61_000, base + 40 * 60_000].map((t) => new Date(t).toISOString()));
      expect((await history('cacheHitRatio')).points.map((p) => p.value)).toEqual([99.5]);
      const lastHour = await calls.ok<MetricHistory>('getMetricHistory', { profileId: profile.id, metric: 'connections', hours: 1 });
      expect(lastHour.points.map((p) => p.value)).toEqual([8]);

      // A refresh now is more than a minute after the newest: stored.
      const now = await calls.ok<Overview>('getOverview', { profileId: profile.id });
      expect((await history('connections')).points.map((p) => p.value)).toEqual([5, 7, 8, now.figures.connections]);
    } finally {
      await fresh.close();
      fs.rmSync(freshHome, { recursive: true, force: true });
    }
  });
});
