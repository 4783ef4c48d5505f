// The capacity forecast's chart, pure: the daily points, the dashed projection from today to
// the next threshold (or a month ahead when none is ahead), the thresholds as horizontal
// lines and the crossing day marked. Dates are UTC days (YYYY-MM-DD), as the core computes them.
import type { MetricForecast, ThresholdCrossing } from '@contract/forecast';

const DAY_MS = 24 * 3600_000;
/** How far the projection is drawn at most; a crossing beyond is named, not drawn. */
export const FORECAST_HORIZON_DAYS = 180;
/** Drawn past the crossing so the mark is not on the chart's edge. */
const AFTER_CROSSING_DAYS = 3;

export interface ForecastRow {
  day: string;
  actual: number | null;
  projection: number | null;
}

export interface ForecastChart {
  rows: ForecastRow[];
  /** The crossing the chart marks: the next threshold ahead (warning or critical). */
  next: ThresholdCrossing | null;
  /** The next crossing lies beyond the drawn horizon. */
  beyond: boolean;
}

function dayOf(text: string): number {
  return Math.floor(Date.parse(`${text.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The first alert threshold still ahead with a date. */
export function nextCrossing(f: MetricForecast): ThresholdCrossing | null {
  const ahead = f.crossings.filter((c) => c.level !== 'info' && !c.crossed && c.date !== null && c.inDays !== null);
  return ahead.sort((a, b) => a.inDays! - b.inDays!)[0] ?? null;
}

export function forecastChart(f: MetricForecast, todayIso: string): ForecastChart {
  const today = dayOf(todayIso);
  const actual = new Map(f.daily.map((p) => [dayOf(p.day), p.value]));
  const first = f.daily.length > 0 ? Math.min(dayOf(f.daily[0]!.day), today) : today;
  const next = nextCrossing(f);
  const beyond = next !== null && next.inDays! > FORECAST_HORIZON_DAYS;
  const ahead = f.fit === null ? 0 : next && !beyond ? next.inDays! + AFTER_CROSSING_DAYS : 30;
  const rows: ForecastRow[] = [];
  for (let d = first; d <= today + ahead; d++) {
    const projection = f.fit && d >= today ? f.fit.level + f.fit.slopePerDay * (d - today) : null;
    rows.push({ day: dayText(d), actual: actual.get(d) ?? null, projection });
  }
  return { rows, next, beyond };
}

/** The crossing in words for the caption: "warning on 2027-01-12 (between … and …)". */
export function crossingCaption(c: ThresholdCrossing, format: (v: number) => string): string {
  const range = c.latest === null ? `from ${c.earliest} on, or never` : c.earliest === c.latest ? 'exactly' : `between ${c.earliest} and ${c.latest}`;
  return `Reaches the ${c.label} (${format(c.value)}) on ${c.date}, in ${c.inDays} ${c.inDays === 1 ? 'day' : 'days'} (${range}).`;
}
