// One figure's forecast, judged: the fit of fit.ts turned into crossing dates, a status and a
// one-line summary. Pure. The status rule (documented in the README):
//   CRITICAL  the current figure is past the critical threshold;
//   WARNING   past the warning threshold, or a threshold's central date is within warnWithinDays;
//   UNKNOWN   too little history to forecast (the summary says how many more days are needed —
//             never a made-up date), or no figure at all;
//   OK        a forecast exists and no threshold is reached within warnWithinDays (or it is not growing).
import type { DailyPoint, ForecastMetric, MetricForecast, ThresholdCrossing } from '../../../contract/forecast';
import type { CheckStatus, ThresholdUnitName } from '../../../contract/runbook';
import { formatValue } from '../../runbook';
import { chooseFit, dayNumber, dayText, project, type ChosenFit } from './fit';

export const WARN_WITHIN_DAYS = 30;

export interface Limit {
  level: ThresholdCrossing['level'];
  label: string;
  value: number;
}

export interface ForecastSpec {
  metric: ForecastMetric;
  label: string;
  unit: ThresholdUnitName;
  limits: readonly Limit[];
  /**
   * Fit only the points since the figure last fell: transaction-ID age drops when VACUUM
   * freezes, a sequence's % when it is reset or widened; the rate that matters is the climb since.
   */
  sinceLastDrop?: boolean;
}

/** The points from the last decrease on (all of them when the figure never fell). */
export function sinceLastDrop(daily: readonly DailyPoint[]): DailyPoint[] {
  let start = 0;
  for (let i = 1; i < daily.length; i++) if (daily[i]!.value < daily[i - 1]!.value) start = i;
  return daily.slice(start);
}

function fmt(value: number, unit: ThresholdUnitName): string {
  return value < 0 ? `−${formatValue(-value, unit)}` : formatValue(value, unit);
}

function wholeDays(days: number): number {
  // A crossing on day 10.0000000001 by float error is day 10.
  return Math.max(0, Math.ceil(days - 1e-9));
}

function crossingOf(limit: Limit, current: number | null, chosen: ChosenFit, today: number): ThresholdCrossing {
  const base = { level: limit.level, label: limit.label, value: limit.value };
  if (current !== null && current > limit.value) return { ...base, crossed: true, date: null, inDays: null, earliest: null, latest: null };
  if (!chosen.fit) return { ...base, crossed: false, date: null, inDays: null, earliest: null, latest: null };
  const p = project(chosen.fit, limit.value);
  const date = (d: number | null) => (d === null ? null : dayText(today + wholeDays(d)));
  return {
    ...base,
    crossed: false,
    inDays: p.inDays === null ? null : wholeDays(p.inDays),
    date: date(p.inDays),
    earliest: date(p.earliestDays),
    latest: date(p.latestDays),
  };
}

function crossingText(c: ThresholdCrossing, unit: ThresholdUnitName): string {
  const what = `${c.label} ${formatValue(c.value, unit)}`;
  if (c.crossed) return `past the ${what}`;
  if (c.date === null) return `${what}: not reached at this rate`;
  const range = c.latest === null ? `from ${c.earliest} on, or never` : c.earliest === c.latest ? 'exactly' : `between ${c.earliest} and ${c.latest}`;
  return `${what} on ${c.date} (in ${c.inDays} ${c.inDays === 1 ? 'day' : 'days'}; ${range})`;
}

function statusOf(crossings: readonly ThresholdCrossing[], hasFit: boolean, warnWithinDays: number): CheckStatus {
  const alerts = crossings.filter((c) => c.level !== 'info');
  if (alerts.some((c) => c.level === 'critical' && c.crossed)) return 'critical';
  if (alerts.some((c) => c.crossed)) return 'warning';
  if (!hasFit) return 'unknown';
  return alerts.some((c) => c.inDays !== null && c.inDays <= warnWithinDays) ? 'warning' : 'ok';
}

/**
 * The forecast of one figure. `daily`: one point per UTC day, oldest first; `current`: the
 * figure now (the server's, in a checklist run; else the last snapshot's); `today`: day number.
 */
export function forecastMetric(
  spec: ForecastSpec,
  daily: readonly DailyPoint[],
  current: number | null,
  today: number,
  warnWithinDays = WARN_WITHIN_DAYS,
): MetricForecast {
  const fitted = spec.sinceLastDrop ? sinceLastDrop(daily) : daily;
  const chosen = chooseFit(fitted, today, (v) => fmt(v, spec.unit));
  const now = current ?? (daily.length > 0 ? daily[daily.length - 1]!.value : null);
  const crossings = spec.limits.map((l) => crossingOf(l, now, chosen, today));
  const status = now === null ? 'unknown' : statusOf(crossings, chosen.fit !== null, warnWithinDays);
  const fit = chosen.fit
    ? {
        windowDays: chosen.fit.windowDays,
        days: chosen.fit.days,
        slopePerDay: chosen.fit.slopePerDay,
        slopeStdErr: chosen.fit.slopeStdErr,
        level: chosen.fit.level,
      }
    : null;
  return {
    metric: spec.metric,
    label: spec.label,
    unit: spec.unit,
    status,
    summary: summaryOf(spec, now, chosen, crossings, fitted.length < daily.length),
    current: now,
    daily: [...daily],
    fit,
    windows: chosen.windows,
    windowReason: chosen.reason,
    moreDaysNeeded: chosen.moreDaysNeeded,
    crossings,
  };
}

function summaryOf(spec: ForecastSpec, now: number | null, chosen: ChosenFit, crossings: readonly ThresholdCrossing[], dropped: boolean): string {
  if (now === null) {
    return `${spec.label}: no snapshot yet. The Performance overview stores one each time it refreshes (or run \`ops-console health\`); a forecast needs 3 days of them.`;
  }
  const head = `${spec.label} ${fmt(now, spec.unit)}`;
  const past = crossings.filter((c) => c.crossed && c.level !== 'info').map((c) => crossingText(c, spec.unit));
  const pastText = past.length > 0 ? `, ${past.join(', ')}` : '';
  if (!chosen.fit) {
    const more = chosen.moreDaysNeeded ?? 0;
    const since = dropped ? ' since it last fell' : '';
    return `${head}${pastText}; no forecast yet: ${chosen.reason}${since}, ${more} more ${more === 1 ? 'day' : 'days'} of snapshots needed.`;
  }
  const f = chosen.fit;
  const rate = `${f.slopePerDay >= 0 ? '+' : ''}${fmt(f.slopePerDay, spec.unit)}/day over ${f.windowDays} days`;
  const ahead = crossings.filter((c) => !c.crossed && c.level !== 'info');
  if (f.slopePerDay <= 0) return `${head}${pastText}; ${f.slopePerDay < 0 ? 'shrinking' : 'flat'} (${rate}): no threshold ahead at this rate.`;
  const aheadText = ahead.length > 0 ? ahead.map((c) => crossingText(c, spec.unit)).join('; ') : 'every threshold already passed';
  return `${head}${pastText}; ${rate}: ${aheadText}.`;
}

/** Today's day number from a clock. */
export function todayOf(now: Date): number {
  return dayNumber(now.toISOString());
}
