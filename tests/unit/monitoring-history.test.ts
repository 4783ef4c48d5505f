// The local history of key figures (metric_snapshots) on a real store file: one snapshot a
// minute per profile, pruned past 90 days, read back oldest first and averaged into slices
// over long ranges; and the overview's pure parts: transactions per second from samples,
// the rollback-rate fallback, when the server log is worth reading.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logReadable } from '../../src-main/core/monitoring/overview-log';
import { rollbackRate, transactionsPerSecond, TPS_MAX_SAMPLE_AGE_MS, type XactSamples } from '../../src-main/core/monitoring/overview';
import {
  downsample,
  lastSnapshotAt,
  MAX_HISTORY_POINTS,
  metricHistory,
  recordSnapshot,
  snapshotDue,
  SNAPSHOT_RETENTION_DAYS,
} from '../../src-main/core/monitoring/snapshots';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

let dir: string;
let store: Store;
const T0 = new Date('2025-03-01T12:00:00.000Z').getTime();
const at = (ms: number) => new Date(T0 + ms);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-history-'));
  store = openStore(path.join(dir, 'store.sqlite'));
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('recordSnapshot', () => {
  it('keeps at most one snapshot a minute per profile', () => {
    expect(snapshotDue(store, 'p1', at(0))).toBe(true);
    expect(recordSnapshot(store, 'p1', { connections: 1 }, at(0))).toBe(true);
    expect(snapshotDue(store, 'p1', at(59_999))).toBe(false);
    expect(recordSnapshot(store, 'p1', { connections: 2 }, at(59_999))).toBe(false);
    // Another profile has its own minute.
    expect(recordSnapshot(store, 'p2', { connections: 9 }, at(10_000))).toBe(true);
    expect(recordSnapshot(store, 'p1', { connections: 3 }, at(MIN))).toBe(true);
    expect(lastSnapshotAt(store, 'p1')?.toISOString()).toBe(at(MIN).toISOString());
    expect(metricHistory(store, 'p1', 'connections', 1, at(2 * MIN)).points.map((p) => p.value)).toEqual([1, 3]);
    expect(metricHistory(store, 'p2', 'connections', 1, at(2 * MIN)).points.map((p) => p.value)).toEqual([9]);
  });

  it('refuses a snapshot older than the newest (a clock that went back)', () => {
    recordSnapshot(store, 'p1', { connections: 1 }, at(10 * MIN));
    expect(recordSnapshot(store, 'p1', { connections: 2 }, at(0))).toBe(false);
  });

  it("prunes the profile's snapshots past the retention", () => {
    recordSnapshot(store, 'p1', { connections: 1 }, at(-(SNAPSHOT_RETENTION_DAYS + 1) * DAY));
    recordSnapshot(store, 'p1', { connections: 2 }, at(-(SNAPSHOT_RETENTION_DAYS - 1) * DAY));
    recordSnapshot(store, 'p1', { connections: 3 }, at(0));
    const all = metricHistory(store, 'p1', 'connections', 24 * 366, at(MIN)).points.map((p) => p.value);
    expect(all).toEqual([2, 3]);
  });

  it('leaves out figures that are missing or not finite', () => {
    recordSnapshot(store, 'p1', { connections: 4, cacheHitRatio: Number.NaN }, at(0));
    recordSnapshot(store, 'p1', { connections: 5, cacheHitRatio: 98.5 }, at(MIN));
    expect(metricHistory(store, 'p1', 'cacheHitRatio', 1, at(2 * MIN)).points).toEqual([{ at: at(MIN).toISOString(), value: 98.5 }]);
    expect(metricHistory(store, 'p1', 'topQueryMeanMs', 1, at(2 * MIN)).points).toEqual([]);
  });
});

describe('metricHistory', () => {
  it('returns the points within the hours asked, oldest first', () => {
    for (const m of [0, 40, 100, 150]) recordSnapshot(store, 'p1', { databaseSizeBytes: 1000 + m }, at(m * MIN));
    const now = at(151 * MIN);
    expect(metricHistory(store, 'p1', 'databaseSizeBytes', 2, now).points.map((p) => p.value)).toEqual([1040, 1100, 1150]);
    expect(metricHistory(store, 'p1', 'databaseSizeBytes', 1, now).points.map((p) => p.value)).toEqual([1100, 1150]);
    // Nothing after "now" (a snapshot from a clock that ran ahead).
    expect(metricHistory(store, 'p1', 'databaseSizeBytes', 3, at(120 * MIN)).points.map((p) => p.value)).toEqual([1000, 1040, 1100]);
  });

  it('averages long ranges into at most MAX_HISTORY_POINTS slices, in order', () => {
    const insert = store.db.prepare('INSERT INTO metric_snapshots (profile_id, at, values_json) VALUES (?, ?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run('p1', at(i * MIN).toISOString(), JSON.stringify({ connections: i % 2 === 0 ? 10 : 20 }));
    })();
    const points = metricHistory(store, 'p1', 'connections', 50, at(3000 * MIN)).points;
    expect(points.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect(points.length).toBeGreaterThan(MAX_HISTORY_POINTS / 2);
    const times = points.map((p) => p.at);
    expect([...times].sort()).toEqual(times);
    // Each slice holds 3 consecutive minutes alternating 10/20: its mean is between them.
    for (const p of points) {
      expect(p.value).toBeGreaterThanOrEqual(10);
      expect(p.value).toBeLessThanOrEqual(20);
    }
    expect(points.some((p) => p.value !== 10 && p.value !== 20)).toBe(true);
  });

  it('leaves short series as stored', () => {
    const rows = [
      { at: at(0).toISOString(), value: 1 },
      { at: at(MIN).toISOString(), value: 2 },
    ];
    expect(downsample(rows, T0, T0 + 2 * MIN)).toEqual(rows);
  });
});

describe('transactionsPerSecond', () => {
  it('is null on the first sample, then the rate since the previous one', () => {
    const samples: XactSamples = new Map();
    expect(transactionsPerSecond(samples, 'p', { atMs: 0, xacts: 100, statsReset: null })).toBeNull();
    expect(transactionsPerSecond(samples, 'p', { atMs: 10_000, xacts: 350, statsReset: null })).toBe(25);
    expect(transactionsPerSecond(samples, 'other', { atMs: 10_000, xacts: 5, statsReset: null })).toBeNull();
  });

  it('is null across a statistics reset, a counter going back or a sample too old', () => {
    const samples: XactSamples = new Map();
    transactionsPerSecond(samples, 'p', { atMs: 0, xacts: 100, statsReset: null });
    expect(transactionsPerSecond(samples, 'p', { atMs: 1000, xacts: 200, statsReset: '2025-01-01T00:00:00.000Z' })).toBeNull();
    expect(transactionsPerSecond(samples, 'p', { atMs: 2000, xacts: 50, statsReset: '2025-01-01T00:00:00.000Z' })).toBeNull();
    expect(transactionsPerSecond(samples, 'p', { atMs: 2000 + TPS_MAX_SAMPLE_AGE_MS + 1, xacts: 60, statsReset: '2025-01-01T00:00:00.000Z' })).toBeNull();
    expect(transactionsPerSecond(samples, 'p', { atMs: 4000 + TPS_MAX_SAMPLE_AGE_MS, xacts: 80, statsReset: '2025-01-01T00:00:00.000Z' })).toBe(10.01);
  });
});

describe('failed queries', () => {
  it('falls back to rollbacks per hour, over at least one hour, saying since when and why', () => {
    const reset = new Date('2025-02-01T00:00:00.000Z');
    const young = rollbackRate({ xact_rollback: '3', seconds_counted: 60, stats_reset: reset }, 'the server log is not collected');
    expect(young.perHour).toBe(3);
    expect(young.source).toBe(
      "pg_stat_database xact_rollback per hour since the statistics reset (2025-02-01T00:00:00.000Z), less the 0 this app rolled back itself since it started (EXPLAIN ANALYZE, read-only reports); other clients' deliberate rollbacks count too; the server log is not collected",
    );
    // The app's own rollbacks are subtracted, never below zero.
    expect(rollbackRate({ xact_rollback: '5', seconds_counted: 60, stats_reset: reset }, 'x', 3).perHour).toBe(2);
    expect(rollbackRate({ xact_rollback: '1', seconds_counted: 60, stats_reset: reset }, 'x', 3).perHour).toBe(0);
    expect(rollbackRate({ xact_rollback: '100', seconds_counted: 8 * 3600, stats_reset: null }, 'x')).toMatchObject({
      perHour: 12.5,
      source: expect.stringContaining('since the server started'),
    });
  });

  it('reads the log only when it is collected, plain, timestamped and readable by this role', () => {
    const good = { logging_collector: 'on', log_destination: 'stderr,csvlog', log_line_prefix: '%m [%p] ', log_privileges: true };
    expect(logReadable(good).readable).toBe(true);
    expect(logReadable({ ...good, logging_collector: 'off' }).reason).toMatch(/logging_collector is off/);
    expect(logReadable({ ...good, log_destination: 'csvlog' }).reason).toMatch(/not in the plain format/);
    expect(logReadable({ ...good, log_line_prefix: '[%p] ' }).reason).toMatch(/no timestamp/);
    expect(logReadable({ ...good, log_privileges: false }).reason).toMatch(/may not read the server log/);
  });
});
