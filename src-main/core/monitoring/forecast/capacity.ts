// The forecast of a profile's capacity: each figure's daily history (history.ts) fitted and
// judged (judge.ts) against the profile's own thresholds (the runbook's DB size and
// connections, the app's wraparound; never hard-coded here), plus the largest relations'
// growth. `live` carries the server's figures when a checklist step measured them; without
// it (the Performance screen, the CLI) the last snapshot is "now".
import type { CapacityForecast, ForecastMetric } from '../../../contract/forecast';
import type { Profile } from '../../../contract/models';
import type { CoreDeps } from '../../platform/kernel/deps';
import { profileThresholds, type Threshold, type ThresholdKey } from '../../runbook';
import { dailySeries, relationGrowth } from './history';
import { forecastMetric, todayOf, WARN_WITHIN_DAYS, type ForecastSpec, type Limit } from './judge';
import { SEQUENCE_LIMITS, XID_STOP_AGE } from './sequences';

export type LiveFigures = Partial<Record<ForecastMetric, number>> & {
  freezeMaxAge?: number;
  /** max_connections less the slots reserved for superusers: where clients are refused. */
  connectionLimit?: number;
};

function limitsOf(t: Threshold): Limit[] {
  const limits: Limit[] = [{ level: 'warning', label: 'warning', value: t.warn }];
  if (t.critical !== null) limits.push({ level: 'critical', label: 'critical', value: t.critical });
  return limits;
}

export function forecastSpecs(thresholdOf: (key: ThresholdKey) => Threshold, live: LiveFigures = {}): Record<ForecastMetric, ForecastSpec> {
  const { freezeMaxAge, connectionLimit } = live;
  const connections = limitsOf(thresholdOf('connections'));
  if (connectionLimit !== undefined) connections.push({ level: 'info', label: 'server limit (max_connections less reserved slots)', value: connectionLimit });
  const wraparound = limitsOf(thresholdOf('wraparound'));
  if (freezeMaxAge !== undefined)
    wraparound.unshift({ level: 'info', label: 'forced anti-wraparound autovacuum (autovacuum_freeze_max_age)', value: freezeMaxAge });
  wraparound.push({ level: 'info', label: 'writes stop', value: XID_STOP_AGE });
  return {
    databaseSizeBytes: { metric: 'databaseSizeBytes', label: 'Database size', unit: 'bytes', limits: limitsOf(thresholdOf('dbSize')) },
    connections: { metric: 'connections', label: 'Connections (daily peak)', unit: 'count', limits: connections },
    wraparoundAge: { metric: 'wraparoundAge', label: 'Transaction ID age', unit: 'count', limits: wraparound, sinceLastDrop: true },
    sequenceMaxPct: {
      metric: 'sequenceMaxPct',
      label: 'Fullest sequence',
      unit: 'percent',
      limits: [
        { level: 'warning', label: 'warning', value: SEQUENCE_LIMITS.warn },
        { level: 'critical', label: 'critical', value: SEQUENCE_LIMITS.critical },
      ],
      sinceLastDrop: true,
    },
  };
}

const METRICS: readonly ForecastMetric[] = ['databaseSizeBytes', 'connections', 'wraparoundAge', 'sequenceMaxPct'];

export function capacityForecast(
  deps: Pick<CoreDeps, 'store'>,
  profile: Pick<Profile, 'id' | 'name'>,
  now: Date,
  live: LiveFigures = {},
  only: readonly ForecastMetric[] = METRICS,
): CapacityForecast {
  const specs = forecastSpecs(profileThresholds(deps, profile.id), live);
  const today = todayOf(now);
  return {
    at: now.toISOString(),
    profile: profile.name,
    warnWithinDays: WARN_WITHIN_DAYS,
    metrics: only.map((m) => forecastMetric(specs[m], dailySeries(deps.store, profile.id, m, now), live[m] ?? null, today)),
    relations: relationGrowth(deps.store, profile.id, now),
  };
}
