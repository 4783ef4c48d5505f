// The Performance screen's pure model: statuses and units, the Overview's figures, query
// helpers (placeholders, the Explain draft), index advice, the VACUUM dialog's rules and
// texts, app metrics with gaps, and chart rows and trends.
import { describe, expect, test } from 'vitest';
import type { AppMetrics, HealthCheck, IndexUsage, Overview } from '../../src-main/contract/monitoring';
import {
  appFigures,
  axisDomain,
  chartRows,
  dropIndexSql,
  duplicateAdvice,
  explainDraft,
  formatMetric,
  formatAxisTick,
  formatHitPct,
  formatUnit,
  isTopOrder,
  oneLine,
  overviewFigures,
  parameterCount,
  pointLabel,
  queryHitPct,
  resetCaveat,
  sortChecks,
  thresholdText,
  trendText,
  vacuumCommand,
  vacuumNeedsName,
  vacuumProgressView,
  vacuumResultText,
} from '../../src-renderer/src/screens/performance/performance-model';

function check(name: string, status: HealthCheck['status'], over: Partial<HealthCheck> = {}): HealthCheck {
  return { name, label: name, status, value: 1, unit: 'count', warn: 60, critical: 80, summary: '', ...over };
}

function index(name: string, over: Partial<IndexUsage> = {}): IndexUsage {
  return {
    schema: 'public',
    table: 'orders',
    index: name,
    scans: 0,
    tuplesRead: 0,
    tuplesFetched: 0,
    bytes: 8192,
    unique: false,
    primary: false,
    constraint: false,
    valid: true,
    definition: `CREATE INDEX ${name} ON orders (id)`,
    platform: false,
    ...over,
  };
}

function overview(over: Partial<Overview['figures']> = {}): Overview {
  return {
    at: '2025-11-25T03:00:00Z',
    profile: 'p',
    serverVersion: '15.8',
    status: 'ok',
    checks: [],
    figures: {
      databaseSizeBytes: 12 * 1024 * 1024,
      connections: 12,
      maxConnections: 50,
      byState: { idle: 9, active: 3 },
      cacheHitRatio: 99.34,
      transactionsPerSecond: null,
      longestQueryMs: null,
      oldestTransactionMs: 65_000,
      replicationLagBytes: null,
      wraparoundAge: 214_748_365,
      statsReset: null,
      ...over,
    },
    queryMs: 12,
    queries: 3,
  };
}

describe('statuses and units', () => {
  test('checks sort worst first, keeping the order among equals', () => {
    const sorted = sortChecks([check('a', 'ok'), check('b', 'unknown'), check('c', 'critical'), check('d', 'warning'), check('e', 'critical')]);
    expect(sorted.map((c) => c.name)).toEqual(['c', 'e', 'd', 'b', 'a']);
  });

  test('values read in their unit', () => {
    expect(formatUnit(8 * 1024 ** 3, 'bytes')).toBe('8.0 GB');
    expect(formatUnit(5, 'seconds')).toBe('5 s');
    expect(formatUnit(125, 'seconds')).toBe('2 min 5 s');
    expect(formatUnit(300, 'seconds')).toBe('5 min');
    expect(formatUnit(3600, 'seconds')).toBe('1 h');
    expect(formatUnit(99.456, 'percent')).toBe('99.46 %');
    expect(formatUnit(1234.4, 'count')).toBe('1,234');
    expect(formatUnit(null, 'count')).toBe('—');
  });

  test('thresholds in words, or their absence', () => {
    expect(thresholdText(check('connections', 'ok'))).toBe('warning at 60, critical at 80');
    expect(thresholdText(check('x', 'ok', { warn: null, critical: 10, unit: 'seconds' }))).toBe('critical at 10 s');
    expect(thresholdText(check('x', 'ok', { warn: null, critical: null }))).toBe('no threshold');
  });

  test('the cache hit ratio is a percentage already', () => {
    expect(formatHitPct(99.34)).toBe('99.34 %');
    expect(formatHitPct(100)).toBe('100 %');
    expect(formatHitPct(null)).toBe('—');
  });
});

describe('overview figures', () => {
  test('connections against the maximum with the states, missing figures in words', () => {
    const figures = Object.fromEntries(overviewFigures(overview()).map((f) => [f.label, f]));
    expect(figures['Connections']?.value).toBe('12 of 50 (24 %)');
    expect(figures['Connections']?.hint).toBe('9 idle, 3 active');
    expect(figures['Cache hit ratio']?.value).toBe('99.34 %');
    expect(figures['Transactions/s']?.value).toContain('needs two refreshes');
    expect(figures['Longest running query']?.value).toBe('none running');
    expect(figures['Oldest open transaction']?.value).toBe('1 min 5 s');
    expect(figures['Replication lag']?.value).toBe('no replicas');
    expect(figures['Transaction ID age (wraparound)']?.hint).toBe('10.0 % of the 2^31 limit');
  });
});

describe('queries', () => {
  test('order-by values are checked', () => {
    expect(isTopOrder('mean')).toBe(true);
    expect(isTopOrder('size')).toBe(false);
    expect(isTopOrder(null)).toBe(false);
  });

  test('placeholders are counted once each; the Explain draft says to fill them', () => {
    const sql = 'SELECT * FROM orders WHERE id = $1 OR parent = $1 LIMIT $2';
    expect(parameterCount(sql)).toBe(2);
    expect(explainDraft(sql)).toMatch(/^-- pg_stat_statements replaced constants with \$1…\$2.*F7/);
    expect(explainDraft(sql).endsWith(sql)).toBe(true);
    expect(explainDraft('SELECT 1')).toMatch(/^-- Press F7/);
  });

  test('one line, cut with an ellipsis', () => {
    expect(oneLine('SELECT\n  a,\n  b FROM t')).toBe('SELECT a, b FROM t');
    expect(oneLine('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  test('cache hit of a query, none when it touched no block', () => {
    expect(queryHitPct({ sharedBlksHit: 90, sharedBlksRead: 10 })).toBe(90);
    expect(queryHitPct({ sharedBlksHit: 0, sharedBlksRead: 0 })).toBeNull();
  });
});

describe('indexes', () => {
  test('duplicate advice names both and the space freed', () => {
    const advice = duplicateAdvice({ kind: 'duplicate', keep: index('orders_a'), drop: index('orders_b', { bytes: 2 * 1024 * 1024 }) });
    expect(advice).toBe('orders_b has the same key columns as orders_a: dropping it frees 2.0 MB.');
    expect(duplicateAdvice({ kind: 'overlapping', keep: index('k'), drop: index('d') })).toContain('d is a leading prefix of k');
  });

  test('DROP INDEX quotes identifiers', () => {
    expect(dropIndexSql('public', 'we"ird')).toBe('DROP INDEX CONCURRENTLY "public"."we""ird";');
  });

  test('the reset caveat gives the date or says it is unknown', () => {
    expect(resetCaveat('2025-11-01T00:00:00Z', () => 'DATE')).toContain('since the statistics reset on DATE');
    expect(resetCaveat(null, () => 'DATE')).toContain('reset date is unknown');
  });
});

describe('vacuum', () => {
  test('the typed name is needed only for FULL on production', () => {
    expect(vacuumNeedsName(true, 'production')).toBe(true);
    expect(vacuumNeedsName(false, 'production')).toBe(false);
    expect(vacuumNeedsName(true, 'staging')).toBe(false);
  });

  test('the command shown matches the options', () => {
    expect(vacuumCommand('public', 'orders', { full: false, analyze: true })).toBe('VACUUM (ANALYZE) "public"."orders";');
    expect(vacuumCommand('public', 'orders', { full: true, analyze: true })).toBe('VACUUM (FULL, ANALYZE) "public"."orders";');
    expect(vacuumCommand('s', 't', { full: false, analyze: false })).toBe('VACUUM "s"."t";');
  });

  test('progress before any event, with blocks, and the result', () => {
    expect(vacuumProgressView(null)).toEqual({ percent: null, caption: 'Starting VACUUM…' });
    const view = vacuumProgressView({ type: 'vacuum.progress', jobId: 'j', phase: 'scanning heap', done: 500, total: 2000, percent: 25, elapsedMs: 1500 });
    expect(view).toEqual({ percent: 25, caption: 'scanning heap · 500 of 2,000 blocks · 1.5 s' });
    expect(
      vacuumResultText({ schema: 'public', table: 'orders', full: false, analyze: true, durationMs: 250, deadTuplesBefore: 1200, deadTuplesAfter: 0 }),
    ).toBe('VACUUM ANALYZE of public.orders took 250 ms: dead tuples 1,200 → 0.');
  });
});

describe('app metrics', () => {
  test('missing figures are marked, present ones formatted', () => {
    const m: AppMetrics = {
      activeUsers24h: 42,
      conversionRate7d: 37.5,
      today: { newOrders: 3, shipped: null, revenue: 1234.5, newDesigns: 0 },
      notes: ['no shipments table'],
    };
    const figures = Object.fromEntries(appFigures(m).map((f) => [f.label, f]));
    expect(figures['Active users (24 h)']).toEqual({ label: 'Active users (24 h)', value: '42', missing: false });
    expect(figures['Order conversion (7 days)']?.value).toBe('37.5 %');
    expect(figures['Shipped today']).toEqual({ label: 'Shipped today', value: 'not available', missing: true });
    expect(figures['Revenue today']?.value).toBe('1,234.50');
    expect(figures['New designs today']?.value).toBe('0');
  });
});

describe('history', () => {
  test('rows are sorted oldest first and drop non-finite values', () => {
    const rows = chartRows(
      {
        metric: 'connections',
        points: [
          { at: '2025-11-25T10:05:00Z', value: 7 },
          { at: '2025-11-25T10:00:00Z', value: 5 },
          { at: '2025-11-25T10:10:00Z', value: Number.NaN },
        ],
      },
      24,
    );
    expect(rows.map((r) => r.value)).toEqual([5, 7]);
    expect(rows[0]?.label).toMatch(/^\d\d:\d\d$/);
  });

  test('labels carry the date beyond a day', () => {
    expect(pointLabel('2025-11-25T10:00:00Z', 24 * 7)).toMatch(/^2025-11-2\d \d\d:\d\d$/);
  });

  test('trend needs two points and reads up or down', () => {
    expect(trendText({ metric: 'connections', points: [{ at: '2025-11-25T10:00:00Z', value: 5 }] })).toBeNull();
    expect(
      trendText({
        metric: 'connections',
        points: [
          { at: '2025-11-25T11:00:00Z', value: 15 },
          { at: '2025-11-25T10:00:00Z', value: 10 },
        ],
      }),
    ).toBe('up 50.0 % over the range (10 → 15)');
    expect(
      trendText({
        metric: 'cacheHitRatio',
        points: [
          { at: '2025-11-25T10:00:00Z', value: 99 },
          { at: '2025-11-25T11:00:00Z', value: 99 },
        ],
      }),
    ).toBe('unchanged over the range');
  });

  test('each metric reads in its unit', () => {
    expect(formatMetric('databaseSizeBytes', 1024 * 1024)).toBe('1.0 MB');
    expect(formatMetric('cacheHitRatio', 50)).toBe('50 %');
    expect(formatMetric('topQueryMeanMs', 2500)).toBe('2.5 s');
    expect(formatMetric('transactionsPerSecond', 12.345)).toBe('12.35');
  });

  test('axis ranges: counts from zero, the hit ratio capped at 100 %', () => {
    expect(axisDomain('connections')).toEqual([0, 'auto']);
    expect(axisDomain('cacheHitRatio')).toEqual(['auto', 100]);
    expect(axisDomain('databaseSizeBytes')).toEqual(['auto', 'auto']);
  });

  test('size ticks keep a decimal so close values differ', () => {
    expect(formatAxisTick('databaseSizeBytes', 39.4 * 1024 ** 2)).toBe('39.4 MB');
    expect(formatAxisTick('databaseSizeBytes', 39.6 * 1024 ** 2)).toBe('39.6 MB');
    expect(formatAxisTick('databaseSizeBytes', 2.5 * 1024 ** 3)).toBe('2.50 GB');
    expect(formatAxisTick('databaseSizeBytes', 1000)).toBe('1000 bytes');
    expect(formatAxisTick('connections', 3)).toBe('3');
  });
});
