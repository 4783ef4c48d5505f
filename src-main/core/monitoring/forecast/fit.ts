// The forecast's arithmetic, pure: daily points → least squares line per window → the window
// used → the day a threshold is reached, with a 95 % range. No store, no server, no clock
// (today is passed in), so every case is a unit test on a synthetic history.
import { FORECAST_WINDOWS, type DailyPoint, type ForecastFit, type WindowState } from '../../../contract/forecast';

export const DAY_MS = 24 * 3600_000;

/** Day number (days since 1970-01-01 UTC) of a YYYY-MM-DD or ISO text. */
export function dayNumber(text: string): number {
  return Math.floor(Date.parse(`${text.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

export function dayText(day: number): string {
  return new Date(Math.round(day) * DAY_MS).toISOString().slice(0, 10);
}

/** Student's t, 97.5 % quantile (two-sided 95 %), by degrees of freedom; between rows the smaller df is used (wider, never narrower). */
const T_975: ReadonlyArray<[number, number]> = [
  [1, 12.706],
  [2, 4.303],
  [3, 3.182],
  [4, 2.776],
  [5, 2.571],
  [6, 2.447],
  [7, 2.365],
  [8, 2.306],
  [9, 2.262],
  [10, 2.228],
  [12, 2.179],
  [15, 2.131],
  [20, 2.086],
  [30, 2.042],
  [60, 2.0],
  [120, 1.98],
];

export function tQuantile(df: number): number {
  let t = T_975[0]![1];
  for (const [d, v] of T_975) if (df >= d) t = v;
  return df >= 1000 ? 1.96 : t;
}

export interface Line {
  n: number;
  slope: number;
  intercept: number;
  slopeStdErr: number;
  /** Residual standard deviation. */
  sigma: number;
  meanX: number;
  sxx: number;
}

/** Ordinary least squares of value on day; null with fewer than 2 distinct days. */
export function leastSquares(points: ReadonlyArray<{ x: number; y: number }>): Line | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const sse = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0);
  // Two points fit exactly and leave no degree of freedom: no spread can be measured.
  const sigma = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  return { n, slope, intercept, slopeStdErr: sigma / Math.sqrt(sxx), sigma, meanX, sxx };
}

export interface WindowFit extends ForecastFit {
  line: Line;
  /** Half-width of the 95 % range of the fitted value today. */
  levelMargin: number;
  slopeMargin: number;
}

function fitWindow(daily: readonly DailyPoint[], today: number, windowDays: number): { count: number; fit: WindowFit | null } {
  const points = daily.map((p) => ({ x: dayNumber(p.day), y: p.value })).filter((p) => p.x > today - windowDays && p.x <= today);
  const line = leastSquares(points);
  if (!line) return { count: points.length, fit: null };
  const t = line.n > 2 ? tQuantile(line.n - 2) : 0;
  const levelStdErr = line.sigma * Math.sqrt(1 / line.n + (today - line.meanX) ** 2 / line.sxx);
  return {
    count: points.length,
    fit: {
      windowDays,
      days: points.length,
      slopePerDay: line.slope,
      slopeStdErr: line.slopeStdErr,
      level: line.intercept + line.slope * today,
      line,
      levelMargin: t * levelStdErr,
      slopeMargin: t * line.slopeStdErr,
    },
  };
}

export interface ChosenFit {
  fit: WindowFit | null;
  windows: WindowState[];
  reason: string;
  moreDaysNeeded: number | null;
}

function perDay(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/**
 * Fits every window that has its minimum of distinct days and picks one: the longest (most
 * days, steadiest slope), unless a shorter window's slope range lies wholly above the longest
 * one's — growth has sped up, and a forecast from the slower past would warn too late.
 * `daily` holds one point per day (a gap is simply a day without a point).
 */
export function chooseFit(daily: readonly DailyPoint[], today: number, format: (perDay: number) => string = perDay): ChosenFit {
  const fits = FORECAST_WINDOWS.map((w) => ({ windowDays: w.days, minDays: w.minDays, ...fitWindow(daily, today, w.days) }));
  const windows: WindowState[] = fits.map((f) => ({
    windowDays: f.windowDays,
    days: f.count,
    minDays: f.minDays,
    slopePerDay: f.fit && f.count >= f.minDays ? f.fit.slopePerDay : null,
  }));
  const usable = fits.filter((f) => f.fit !== null && f.count >= f.minDays).map((f) => f.fit!);
  if (usable.length === 0) {
    const shortest = windows[0]!;
    const more = shortest.minDays - shortest.days;
    return {
      fit: null,
      windows,
      moreDaysNeeded: more,
      reason: `${shortest.days} of the ${shortest.minDays} days of snapshots the ${shortest.windowDays}-day fit needs`,
    };
  }
  const longest = usable[usable.length - 1]!;
  // Both 95 % ranges apart: a noisy week whose range still overlaps the long fit is not a change of trend.
  // A relative tolerance: two exact fits of one line differ in the last bits of their slopes.
  const above = longest.slopePerDay + longest.slopeMargin + Math.abs(longest.slopePerDay) * 1e-6;
  const faster = usable.find((f) => f !== longest && f.slopePerDay - f.slopeMargin > above);
  if (faster) {
    return {
      fit: faster,
      windows,
      moreDaysNeeded: null,
      reason: `the last ${faster.windowDays} days (${format(faster.slopePerDay)} ± ${format(faster.slopeMargin)}/day) grow faster than the ${longest.windowDays}-day fit allows (${format(longest.slopePerDay)} ± ${format(longest.slopeMargin)}/day): the recent trend is used`,
    };
  }
  return {
    fit: longest,
    windows,
    moreDaysNeeded: null,
    reason:
      usable.length === FORECAST_WINDOWS.length
        ? `the ${longest.windowDays}-day window, the longest, and no shorter one grows faster`
        : `the ${longest.windowDays}-day window, the longest with enough days (${longest.days})`,
  };
}

export interface Projection {
  /** Days from today to the central estimate; null: never (not growing). */
  inDays: number | null;
  earliestDays: number | null;
  /** Null: the slope's lower bound is not above zero, so it may never be reached. */
  latestDays: number | null;
}

/**
 * When the line reaches `limit` from today's fitted level. The range combines the level's and
 * the slope's 95 % margins: earliest with both at their upper bound, latest with both at their
 * lower bound. Days before today count as today (the line is past it, the figure not yet).
 */
export function project(fit: WindowFit, limit: number): Projection {
  const { level, slopePerDay: slope, levelMargin, slopeMargin } = fit;
  const at = (lvl: number, s: number): number | null => (lvl >= limit ? 0 : s > 0 ? (limit - lvl) / s : null);
  return { inDays: at(level, slope), earliestDays: at(level + levelMargin, slope + slopeMargin), latestDays: at(level - levelMargin, slope - slopeMargin) };
}
