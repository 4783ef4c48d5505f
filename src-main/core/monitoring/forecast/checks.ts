// The capacity steps of the monthly procedure (issue #23), registered as built-in step checks:
// capacity.database-size, capacity.connections, capacity.wraparound. Each reads the figure
// now on the run's read-only connection, forecasts it from the local history and answers the
// judged result a SQL step would: status, one-line summary, value and thresholds, and rows
// (each threshold's date and range; the largest relations' growth; the fullest sequences).
import type { ForecastMetric, MetricForecast, RelationGrowth } from '../../../contract/forecast';
import type { CoreDeps } from '../../platform/kernel/deps';
import type { StepCheckContext, StepCheckResult } from '../../platform/kernel/step-checks';
import { formatValue } from '../../runbook';
import { capacityForecast, type LiveFigures } from './capacity';
import { SEQUENCES_SQL, type SequenceRow } from './sequences';

export const CAPACITY_CHECKS = ['capacity.database-size', 'capacity.connections', 'capacity.wraparound'] as const;

const COLUMNS = ['item', 'now', 'per day', 'threshold', 'reached on', 'range (95 %)'];
type Row = StepCheckResult['rows'][number];

function perDay(f: MetricForecast, value: number | null): string {
  if (value === null) return '';
  return `${value >= 0 ? '+' : '−'}${formatValue(Math.abs(value), f.unit)}`;
}

function forecastRows(f: MetricForecast): Row[] {
  return f.crossings.map((c) => [
    `${f.label}: ${c.label}`,
    f.current === null ? null : formatValue(f.current, f.unit),
    f.fit ? perDay(f, f.fit.slopePerDay) : f.moreDaysNeeded !== null ? `${f.moreDaysNeeded} more days needed` : '',
    formatValue(c.value, f.unit),
    c.crossed ? 'already past' : c.date,
    c.crossed || c.date === null ? null : c.latest === null ? `${c.earliest} – never` : `${c.earliest} – ${c.latest}`,
  ]);
}

function resultOf(f: MetricForecast, extraRows: Row[] = []): StepCheckResult {
  const warn = f.crossings.find((c) => c.level === 'warning')?.value ?? null;
  const critical = f.crossings.find((c) => c.level === 'critical')?.value ?? null;
  const window = f.fit ? ` Fitted over ${f.fit.windowDays} days: ${f.windowReason}.` : '';
  return { status: f.status, summary: `${f.summary}${window}`, value: f.current, warn, critical, columns: COLUMNS, rows: [...forecastRows(f), ...extraRows] };
}

function relationRows(relations: readonly RelationGrowth[]): Row[] {
  return relations.map((r) => [
    `${r.kind} ${r.name}`,
    formatValue(r.bytes, 'bytes'),
    r.perDay === null ? `${r.days} of 3 days recorded` : `${r.perDay >= 0 ? '+' : '−'}${formatValue(Math.abs(r.perDay), 'bytes')}`,
    null,
    null,
    null,
  ]);
}

async function one<T>(ctx: StepCheckContext, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await ctx.client.query(sql, params);
  return rows[0] as T;
}

function forecastOf(deps: Pick<CoreDeps, 'store'>, ctx: StepCheckContext, metric: ForecastMetric, live: LiveFigures) {
  return capacityForecast(deps, ctx.profile, ctx.now, live, [metric]);
}

export function registerCapacityChecks(deps: Pick<CoreDeps, 'store' | 'stepChecks'>): void {
  deps.stepChecks.register('capacity.database-size', async (ctx) => {
    const { size } = await one<{ size: number }>(ctx, 'SELECT pg_database_size(current_database())::float8 AS size');
    const forecast = forecastOf(deps, ctx, 'databaseSizeBytes', { databaseSizeBytes: size });
    return resultOf(forecast.metrics[0]!, relationRows(forecast.relations));
  });
  deps.stepChecks.register('capacity.connections', async (ctx) => {
    // Like the overview: client backends on the whole server, which is what max_connections counts.
    const { n, limit } = await one<{ n: number; limit: number }>(
      ctx,
      `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS n,
              current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS "limit"`,
    );
    return resultOf(forecastOf(deps, ctx, 'connections', { connections: n, connectionLimit: limit }).metrics[0]!);
  });
  deps.stepChecks.register('capacity.wraparound', async (ctx) => {
    const xid = await one<{ age: number; freeze_max_age: number }>(
      ctx,
      "SELECT max(age(datfrozenxid))::float8 AS age, current_setting('autovacuum_freeze_max_age')::float8 AS freeze_max_age FROM pg_database",
    );
    const sequences = (await ctx.client.query<SequenceRow>(SEQUENCES_SQL, [5])).rows;
    const live: LiveFigures = { wraparoundAge: xid.age, freezeMaxAge: xid.freeze_max_age, sequenceMaxPct: sequences[0]?.pct ?? 0 };
    const forecast = capacityForecast(deps, ctx.profile, ctx.now, live, ['wraparoundAge', 'sequenceMaxPct']);
    const [age, seq] = forecast.metrics as [MetricForecast, MetricForecast];
    const worst = [age, seq].sort((a, b) => rank(b.status) - rank(a.status))[0]!;
    const seqRows: Row[] = sequences.map((s) => [
      `sequence ${s.name}${s.owner_column ? ` (${s.owner_column})` : ''}`,
      `${formatValue(s.pct, 'percent')} (${s.last_value ?? 'unused'} of ${s.limit_value})`,
      null,
      null,
      null,
      null,
    ]);
    return {
      ...resultOf(age, [...forecastRows(seq), ...seqRows]),
      status: worst.status,
      summary: `${age.summary} ${seq.summary}`,
    };
  });
}

function rank(status: string): number {
  return ['ok', 'not_applicable', 'unknown', 'warning', 'critical'].indexOf(status);
}
