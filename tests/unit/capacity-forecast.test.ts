// The capacity forecast's arithmetic on synthetic histories whose crossing dates are known:
// a straight line (exact date), flat, noisy (the truth inside the range), too short (how many
// days are still needed), shrinking, a gap, already crossed, a recent speed-up, and the
// sawtooth of transaction-ID age.
import { describe, expect, it } from 'vitest';
import type { DailyPoint } from '../../src-main/contract/forecast';
import { chooseFit, dayNumber, dayText, leastSquares, tQuantile } from '../../src-main/core/monitoring/forecast/fit';
import { forecastMetric, sinceLastDrop, type ForecastSpec } from '../../src-main/core/monitoring/forecast/judge';
import { crossingCaption, forecastChart } from '../../src-renderer/src/screens/performance/forecast-model';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const TODAY = dayNumber('2026-12-07');
const SIZE: ForecastSpec = {
  metric: 'databaseSizeBytes',
  label: 'Database size',
  unit: 'bytes',
  limits: [
    { level: 'warning', label: 'warning', value: 8 * GiB },
    { level: 'critical', label: 'critical', value: 10 * GiB },
  ],
};
const CONNECTIONS: ForecastSpec = {
  metric: 'connections',
  label: 'Connections (daily peak)',
  unit: 'count',
  limits: [
    { level: 'warning', label: 'warning', value: 60 },
    { level: 'critical', label: 'critical', value: 80 },
  ],
};

/** One point per day for `days` days ending `endOffset` days before today. */
function series(days: number, value: (i: number) => number, endOffset = 0): DailyPoint[] {
  const first = TODAY - endOffset - days + 1;
  return Array.from({ length: days }, (_, i) => ({ day: dayText(first + i), value: value(i) }));
}

/** A repeatable pseudo-random sequence in [-1, 1) (Park–Miller), so the noisy case never flakes. */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  };
}

describe('least squares', () => {
  it('recovers slope and intercept of a line, with zero standard error', () => {
    const line = leastSquares([0, 1, 2, 3].map((x) => ({ x, y: 5 + 2 * x })))!;
    expect(line.slope).toBeCloseTo(2, 12);
    expect(line.intercept).toBeCloseTo(5, 12);
    expect(line.slopeStdErr).toBeCloseTo(0, 12);
    expect(leastSquares([{ x: 1, y: 1 }])).toBeNull();
  });

  it('uses the wider t quantile between table rows', () => {
    expect(tQuantile(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile(11)).toBeCloseTo(2.228, 3);
    expect(tQuantile(5000)).toBeCloseTo(1.96, 3);
  });
});

describe('capacity forecast', () => {
  it('linear growth: the exact crossing dates, a WARNING because the warning comes within 30 days', () => {
    // 6 GiB 29 days ago, +64 MiB a day: 8 GiB is reached 32 days after the first point (today + 3), 10 GiB after 64 (today + 35).
    const f = forecastMetric(
      SIZE,
      series(30, (i) => 6 * GiB + i * 64 * MiB),
      null,
      TODAY,
    );
    expect(f.fit).toMatchObject({ windowDays: 30, days: 30 });
    expect(f.fit!.slopePerDay).toBeCloseTo(64 * MiB, 3);
    expect(f.crossings).toEqual([
      { level: 'warning', label: 'warning', value: 8 * GiB, crossed: false, inDays: 3, date: '2026-12-10', earliest: '2026-12-10', latest: '2026-12-10' },
      { level: 'critical', label: 'critical', value: 10 * GiB, crossed: false, inDays: 35, date: '2027-01-11', earliest: '2027-01-11', latest: '2027-01-11' },
    ]);
    expect(f.status).toBe('warning');
    expect(f.summary).toContain('warning 8 GB on 2026-12-10 (in 3 days; exactly)');
    expect(f.summary).toContain('+64 MB/day over 30 days');
    expect(f.windowReason).toMatch(/30-day window, the longest with enough days/);
  });

  it('linear growth further out: OK, dates still given', () => {
    const f = forecastMetric(
      SIZE,
      series(30, (i) => 2 * GiB + i * 32 * MiB),
      null,
      TODAY,
    );
    expect(f.status).toBe('ok');
    expect(f.crossings[0]!.date).toBe(dayText(TODAY - 29 + 192));
  });

  it('flat: never crosses, and says so', () => {
    const f = forecastMetric(
      CONNECTIONS,
      series(30, () => 40),
      null,
      TODAY,
    );
    expect(f.status).toBe('ok');
    expect(f.crossings.map((c) => c.date)).toEqual([null, null]);
    expect(f.summary).toMatch(/flat .*no threshold ahead at this rate/);
  });

  it('noisy: the known crossing date lies inside the confidence range, the central estimate close to it', () => {
    const rnd = noise(42);
    // Truth: 3 GiB 89 days ago, +40 MiB a day, ±150 MiB of noise a day.
    const daily = series(90, (i) => 3 * GiB + i * 40 * MiB + rnd() * 150 * MiB);
    const f = forecastMetric(SIZE, daily, null, TODAY);
    expect(f.fit!.windowDays).toBe(90);
    const truth = dayText(TODAY - 89 + Math.ceil((8 * GiB - 3 * GiB) / (40 * MiB)));
    const warning = f.crossings[0]!;
    expect(warning.earliest! <= truth && truth <= warning.latest!).toBe(true);
    expect(Math.abs(dayNumber(warning.date!) - dayNumber(truth))).toBeLessThanOrEqual(5);
    expect(warning.earliest! < warning.latest!).toBe(true);
  });

  it('too short: UNKNOWN with how many more days are needed, never a date', () => {
    const f = forecastMetric(
      SIZE,
      series(2, (i) => 5 * GiB + i * GiB),
      null,
      TODAY,
    );
    expect(f.status).toBe('unknown');
    expect(f.fit).toBeNull();
    expect(f.moreDaysNeeded).toBe(1);
    expect(f.crossings.every((c) => c.date === null && c.earliest === null)).toBe(true);
    expect(f.summary).toMatch(/2 of the 3 days of snapshots the 7-day fit needs, 1 more day of snapshots needed/);
    const none = forecastMetric(SIZE, [], null, TODAY);
    expect(none.status).toBe('unknown');
    expect(none.summary).toMatch(/no snapshot yet/);
  });

  it('a shrinking database: OK, no crossing', () => {
    const f = forecastMetric(
      SIZE,
      series(20, (i) => 7 * GiB - i * 10 * MiB),
      null,
      TODAY,
    );
    expect(f.status).toBe('ok');
    expect(f.fit!.slopePerDay).toBeLessThan(0);
    expect(f.crossings.map((c) => c.date)).toEqual([null, null]);
    expect(f.summary).toMatch(/shrinking \(−10 MB\/day over 30 days\)/);
  });

  it('a gap in the history: the missing days are just missing, the date stays exact', () => {
    const full = series(30, (i) => 6 * GiB + i * 64 * MiB);
    const gapped = full.filter((_p, i) => i < 5 || i > 14);
    const f = forecastMetric(SIZE, gapped, null, TODAY);
    expect(f.fit).toMatchObject({ windowDays: 30, days: 20 });
    expect(f.crossings[0]!.date).toBe('2026-12-10');
    // A history that stopped 10 days ago: the 7-day window is empty, the 30-day one still fits.
    const stale = forecastMetric(
      SIZE,
      series(20, (i) => 6 * GiB + i * 64 * MiB, 10),
      null,
      TODAY,
    );
    expect(stale.windows[0]).toMatchObject({ windowDays: 7, days: 0, slopePerDay: null });
    expect(stale.fit!.windowDays).toBe(30);
  });

  it('already crossed: CRITICAL past critical; WARNING past warning with the critical date', () => {
    const critical = forecastMetric(
      SIZE,
      series(10, (i) => 9 * GiB + i * 200 * MiB),
      10.5 * GiB,
      TODAY,
    );
    expect(critical.status).toBe('critical');
    expect(critical.crossings.map((c) => c.crossed)).toEqual([true, true]);
    expect(critical.summary).toMatch(/past the critical 10 GB/);
    const warning = forecastMetric(
      CONNECTIONS,
      series(10, (i) => 62 + i),
      71,
      TODAY,
    );
    expect(warning.status).toBe('warning');
    expect(warning.crossings[0]!.crossed).toBe(true);
    expect(warning.crossings[1]!.date).not.toBeNull();
    // Past the warning yet too little history: still WARNING (judged on the figure), and the days needed are said.
    const short = forecastMetric(
      CONNECTIONS,
      series(1, () => 65),
      65,
      TODAY,
    );
    expect(short.status).toBe('warning');
    expect(short.summary).toMatch(/past the warning 60.*2 more days/);
  });

  it('a recent speed-up: the 7-day fit is used when its slope is above the 90-day range', () => {
    const daily = series(90, (i) => (i < 83 ? 2 * GiB + i * 5 * MiB : 2 * GiB + 83 * 5 * MiB + (i - 83) * 300 * MiB));
    const chosen = chooseFit(daily, TODAY);
    expect(chosen.fit!.windowDays).toBe(7);
    expect(chosen.reason).toMatch(/last 7 days .* grow faster than the 90-day fit allows/);
  });

  it('transaction-ID age: only the climb since the last freeze is fitted', () => {
    const daily = series(20, (i) => (i < 10 ? 100e6 + i * 10e6 : 20e6 + (i - 10) * 2e6));
    expect(sinceLastDrop(daily)).toHaveLength(10);
    const spec: ForecastSpec = {
      metric: 'wraparoundAge',
      label: 'Transaction ID age',
      unit: 'count',
      limits: [{ level: 'warning', label: 'warning', value: 1e9 }],
      sinceLastDrop: true,
    };
    const f = forecastMetric(spec, daily, null, TODAY);
    expect(f.fit!.slopePerDay).toBeCloseTo(2e6, 3);
    expect(f.crossings[0]!.inDays).toBe(Math.ceil((1e9 - 38e6) / 2e6));
  });
});

describe('the forecast chart (Performance screen)', () => {
  it('draws the daily points, then the projection from today to a few days past the next crossing', () => {
    const f = forecastMetric(
      SIZE,
      series(30, (i) => 6 * GiB + i * 64 * MiB),
      null,
      TODAY,
    );
    const chart = forecastChart(f, '2026-12-07T10:00:00Z');
    expect(chart.next).toMatchObject({ label: 'warning', date: '2026-12-10' });
    expect(chart.beyond).toBe(false);
    expect(chart.rows[0]).toEqual({ day: dayText(TODAY - 29), actual: 6 * GiB, projection: null });
    const today = chart.rows.find((r) => r.day === '2026-12-07')!;
    expect(today.projection).toBeCloseTo(today.actual!, 0);
    expect(chart.rows.find((r) => r.day === '2026-12-10')!.projection).toBeCloseTo(8 * GiB, 0);
    expect(chart.rows[chart.rows.length - 1]!.day).toBe('2026-12-13');
    expect(crossingCaption(chart.next!, (v) => `${v / GiB} GB`)).toBe('Reaches the warning (8 GB) on 2026-12-10, in 3 days (exactly).');
  });

  it('no projection without a fit; a crossing past the horizon is named, not drawn', () => {
    const short = forecastChart(
      forecastMetric(
        SIZE,
        series(2, () => GiB),
        null,
        TODAY,
      ),
      '2026-12-07',
    );
    expect(short.rows.every((r) => r.projection === null)).toBe(true);
    expect(short.next).toBeNull();
    const far = forecastChart(
      forecastMetric(
        SIZE,
        series(30, (i) => GiB + i * MiB),
        null,
        TODAY,
      ),
      '2026-12-07',
    );
    expect(far.beyond).toBe(true);
    expect(far.rows[far.rows.length - 1]!.day).toBe(dayText(TODAY + 30));
  });
});

describe('window choice on one exact line', () => {
  it('keeps the longest window when every window fits the same line (no speed-up from rounding)', () => {
    const chosen = chooseFit(
      series(30, (i) => 30 * MiB + i * 0.5 * MiB),
      TODAY,
    );
    expect(chosen.fit!.windowDays).toBe(30);
  });
});
