// The alert thresholds as data and the judge: the runbook's table word for word (> is
// WARNING, > is CRITICAL, the limit itself is still fine), summaries carrying value and
// limits, and the monitoring order of statuses and exit codes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, exitCodeFor, formatValue, judge, thresholdFor, worstStatus, type Threshold } from '../../src-main/core/runbook/thresholds';

const GiB = 1024 ** 3;

describe('the runbook alert table', () => {
  it("holds the document's five thresholds as defaults", () => {
    const runbook = Object.entries(DEFAULT_THRESHOLDS).filter(([, t]) => t.source === 'runbook');
    expect(Object.fromEntries(runbook.map(([k, t]) => [k, [t.warn, t.critical, t.action]]))).toEqual({
      dbSize: [8 * GiB, 10 * GiB, 'Clean up archives'],
      connections: [60, 80, 'Kill idle connections'],
      queryTime: [5, 10, 'Investigate and optimize'],
      lowStock: [5, 10, 'Reorder inventory'],
      failedQueries: [5, 20, 'Check application logs'],
    });
  });

  it('explains every threshold of ours', () => {
    for (const [key, t] of Object.entries(DEFAULT_THRESHOLDS)) {
      if (t.source === 'ops-console') expect((t as Threshold).rationale?.length ?? 0, key).toBeGreaterThan(40);
    }
  });
});

describe('judge', () => {
  const lowStock = thresholdFor('lowStock');

  it('is OK up to the warning limit, WARNING above it, CRITICAL above the critical one', () => {
    expect([0, 5, 6, 10, 11, 400].map((n) => judge(n, lowStock).status)).toEqual(['ok', 'ok', 'warning', 'warning', 'critical', 'critical']);
  });

  it('says the value and both limits in one line', () => {
    expect(judge(7, lowStock, ['item low on stock', 'items low on stock']).summary).toBe('7 items low on stock (warning above 5, critical above 10)');
    expect(judge(1, thresholdFor('connections')).summary).toBe('1 connection (warning above 60, critical above 80)');
    expect(judge(2, thresholdFor('connections')).summary).toBe('2 connections (warning above 60, critical above 80)');
    expect(judge(9 * GiB, thresholdFor('dbSize'))).toEqual({ status: 'warning', summary: 'DB size: 9 GB (warning above 8 GB, critical above 10 GB)' });
    expect(judge(12.345, thresholdFor('queryTime'))).toEqual({ status: 'critical', summary: 'Query time: 12.3 s (warning above 5 s, critical above 10 s)' });
  });

  it('never reaches CRITICAL without a critical limit', () => {
    const out = thresholdFor('outOfStock');
    expect(judge(0, out).status).toBe('ok');
    expect(judge(1, out).status).toBe('warning');
    expect(judge(10_000, out)).toEqual({ status: 'warning', summary: '10000 items out of stock (warning above 0, never critical)' });
  });

  it('judges "below" thresholds the other way round', () => {
    const orders = thresholdFor('newOrdersToday');
    expect(judge(0, orders)).toEqual({ status: 'warning', summary: '0 new orders today (warning below 1, never critical)' });
    expect(judge(1, orders).status).toBe('ok');
    const custom: Threshold = { ...orders, critical: 0.5 };
    expect(judge(0, custom).status).toBe('critical');
  });

  it('is UNKNOWN without a value', () => {
    expect(judge(null, lowStock)).toEqual({ status: 'unknown', summary: 'Low stock: no value to judge (warning above 5, critical above 10)' });
    expect(judge(Number.NaN, lowStock).status).toBe('unknown');
  });

  it('formats each unit for people', () => {
    expect(formatValue(512, 'bytes')).toBe('512 bytes');
    expect(formatValue(1536 * 1024, 'bytes')).toBe('1.5 MB');
    expect(formatValue(30.04, 'hours')).toBe('30 h');
    expect(formatValue(14.25, 'percent')).toBe('14.3 %');
    expect(formatValue(3, 'count')).toBe('3');
  });
});

describe('statuses', () => {
  it('worst: CRITICAL, then UNKNOWN (a check that did not run may hide worse), then WARNING', () => {
    expect(worstStatus([])).toBe('ok');
    expect(worstStatus(['ok', 'warning', 'ok'])).toBe('warning');
    expect(worstStatus(['warning', 'unknown', 'ok'])).toBe('unknown');
    expect(worstStatus(['unknown', 'critical', 'warning'])).toBe('critical');
  });

  it('maps to the monitoring-plugin exit codes', () => {
    expect((['ok', 'warning', 'critical', 'unknown'] as const).map(exitCodeFor)).toEqual([0, 1, 2, 3]);
  });
});
