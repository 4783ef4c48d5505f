// The capacity forecast (issue #23): from the local history of snapshots (what the Performance
// charts show), when each of the runbook's thresholds will be crossed at the current rate of
// growth, with a confidence range, or how many more days of history a forecast needs.
// Pure types and zod; computed by core/monitoring/forecast/.
import { z } from 'zod';
import type { CheckStatus, ThresholdUnitName } from './runbook';

export const capacityForecastInput = z.object({ profileId: z.string().min(1) }).strict();

/** What is forecast: database size, connections' daily peak, transaction-ID age, the fullest sequence (% used). */
export type ForecastMetric = 'databaseSizeBytes' | 'connections' | 'wraparoundAge' | 'sequenceMaxPct';

/** The fit windows, days back from today, and the distinct days of history each needs. */
export const FORECAST_WINDOWS = [
  { days: 7, minDays: 3 },
  { days: 30, minDays: 14 },
  { days: 90, minDays: 45 },
] as const;

/** One day's figure: the highest snapshot of that UTC day (size at its largest, connections at their peak). */
export interface DailyPoint {
  /** YYYY-MM-DD (UTC). */
  day: string;
  value: number;
}

/** Least squares over one window's daily points. */
export interface ForecastFit {
  windowDays: number;
  /** Distinct days with a snapshot in the window. */
  days: number;
  /** Growth per day (negative: shrinking). */
  slopePerDay: number;
  /** The slope's standard error (0 when the points lie on a line). */
  slopeStdErr: number;
  /** The fitted value today. */
  level: number;
}

export interface WindowState {
  windowDays: number;
  days: number;
  minDays: number;
  /** Null when the window has too few days to fit. */
  slopePerDay: number | null;
}

/** When the projection reaches one threshold. Dates are YYYY-MM-DD (UTC). */
export interface ThresholdCrossing {
  /** warning / critical: the profile's thresholds; info: a limit that is not an alert (autovacuum_freeze_max_age). */
  level: 'warning' | 'critical' | 'info';
  label: string;
  value: number;
  /** The current figure is already past it. */
  crossed: boolean;
  /** The central estimate; null when crossed, not growing, or no fit. */
  date: string | null;
  inDays: number | null;
  /** The confidence range (95 %, from the fit's standard errors): earliest and latest date. */
  earliest: string | null;
  /** Null while the slope's lower bound is not above zero: it may never be crossed. */
  latest: string | null;
}

export interface MetricForecast {
  metric: ForecastMetric;
  label: string;
  unit: ThresholdUnitName;
  status: CheckStatus;
  /** One line: the rate, the window used, the next crossing, or how many more days are needed. */
  summary: string;
  current: number | null;
  /** Daily points of the last 90 days, oldest first (what the fit reads). */
  daily: DailyPoint[];
  /** The fit the crossings come from; null when no window has enough days. */
  fit: ForecastFit | null;
  windows: WindowState[];
  /** Why this window: the longest with enough days, unless recent growth is faster than it allows. */
  windowReason: string;
  /** Days of snapshots still needed before the shortest window can fit; null once one can. */
  moreDaysNeeded: number | null;
  crossings: ThresholdCrossing[];
}

/** A large table or index and its growth over the history recorded for it. */
export interface RelationGrowth {
  kind: 'table' | 'index';
  name: string;
  bytes: number;
  /** Bytes per day over the last 30 days; null with fewer than 3 days of sizes. */
  perDay: number | null;
  days: number;
}

export interface CapacityForecast {
  at: string;
  profile: string;
  /** How far ahead a crossing counts as a warning. */
  warnWithinDays: number;
  metrics: MetricForecast[];
  relations: RelationGrowth[];
}
