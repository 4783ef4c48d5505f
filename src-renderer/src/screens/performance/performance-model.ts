// The Performance screen's pure part: how statuses, figures and units read, the order-by
// choices for top queries, what a duplicate index advice says, the VACUUM dialog's rules and
// progress, the app metrics with their gaps, and chart points. No React, no calls:
// unit-tested in tests/unit/performance-model.test.ts.
import type {
  AppMetrics,
  HealthCheck,
  HistoryMetric,
  IndexReport,
  MetricHistory,
  Overview,
  TopQueries,
  VacuumProgressEvent,
  VacuumResult,
} from '@contract/monitoring';
import type { CheckStatus, ThresholdUnitName } from '@contract/runbook';
import { formatBytes, formatCount } from '../../shared/format/numbers';
import { formatDuration } from '../../shared/format/time';

export { formatBytes };

/** The Overview refreshes itself this often (the core keeps at most a snapshot a minute). */
export const OVERVIEW_REFRESH_SEC = 30;

export const STATUS_COLORS: Record<CheckStatus, string> = { ok: 'green', warning: 'yellow', critical: 'red', unknown: 'gray' };
export const STATUS_LABELS: Record<CheckStatus, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };

/** Worst first, so the cards that need attention come first. */
const STATUS_RANK: Record<CheckStatus, number> = { critical: 0, warning: 1, unknown: 2, ok: 3 };

export function sortChecks(checks: readonly HealthCheck[]): HealthCheck[] {
  return [...checks].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]);
}

/** A value in a threshold's unit, as a DBA reads it. */
export function formatUnit(value: number | null, unit: ThresholdUnitName): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'bytes':
      return formatBytes(value);
    case 'seconds':
      return formatSeconds(value);
    case 'hours':
      return `${trimNumber(value)} h`;
    case 'percent':
      return `${trimNumber(value)} %`;
    case 'count':
      return formatCount(Math.round(value));
  }
}

/** Thresholds are round numbers of minutes or hours: "5 min", "1 h"; other values as durations. */
function formatSeconds(value: number): string {
  if (value < 60) return `${trimNumber(value)} s`;
  if (value % 3600 === 0) return `${value / 3600} h`;
  if (value % 60 === 0) return `${value / 60} min`;
  return formatDuration(Math.round(value * 1000));
}

/** At most two decimals, none when whole: 99.5, 12, 0.04. */
export function trimNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** "warning at 60, critical at 80", or what is missing. */
export function thresholdText(check: Pick<HealthCheck, 'warn' | 'critical' | 'unit'>): string {
  const parts: string[] = [];
  if (check.warn !== null) parts.push(`warning at ${formatUnit(check.warn, check.unit)}`);
  if (check.critical !== null) parts.push(`critical at ${formatUnit(check.critical, check.unit)}`);
  return parts.length > 0 ? parts.join(', ') : 'no threshold';
}

/** The cache hit ratio, which the core gives as a percentage (0–100, two decimals). */
export function formatHitPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return '—';
  return `${trimNumber(pct)} %`;
}

export interface Figure {
  label: string;
  value: string;
  hint?: string;
}

/** The Overview's plain figures (no threshold), in the runbook's order. */
export function overviewFigures(overview: Overview): Figure[] {
  const f = overview.figures;
  const states = Object.entries(f.byState)
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const connectionPct = f.maxConnections > 0 ? ` (${Math.round((f.connections / f.maxConnections) * 100)} %)` : '';
  return [
    { label: 'Database size', value: formatBytes(f.databaseSizeBytes) },
    { label: 'Connections', value: `${f.connections} of ${f.maxConnections}${connectionPct}`, ...(states ? { hint: states } : {}) },
    { label: 'Cache hit ratio', value: formatHitPct(f.cacheHitRatio) },
    { label: 'Transactions/s', value: f.transactionsPerSecond === null ? '— (needs two refreshes)' : trimNumber(f.transactionsPerSecond) },
    { label: 'Longest running query', value: f.longestQueryMs === null ? 'none running' : formatDuration(Math.round(f.longestQueryMs)) },
    { label: 'Oldest open transaction', value: f.oldestTransactionMs === null ? 'none open' : formatDuration(Math.round(f.oldestTransactionMs)) },
    { label: 'Replication lag', value: f.replicationLagBytes === null ? 'no replicas' : formatBytes(f.replicationLagBytes) },
    {
      label: 'Transaction ID age (wraparound)',
      value: formatCount(f.wraparoundAge),
      hint: `${((f.wraparoundAge / 2_147_483_648) * 100).toFixed(1)} % of the 2^31 limit`,
    },
  ];
}

export type TopOrder = TopQueries['orderBy'];

export const ORDER_OPTIONS: ReadonlyArray<{ value: TopOrder; label: string }> = [
  { value: 'total', label: 'Total time' },
  { value: 'mean', label: 'Mean time' },
  { value: 'calls', label: 'Calls' },
  { value: 'rows', label: 'Rows' },
  { value: 'reads', label: 'Blocks read' },
];

export function isTopOrder(value: string | null): value is TopOrder {
  return ORDER_OPTIONS.some((o) => o.value === value);
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return formatDuration(Math.round(ms));
}

/** Shared blocks served from the cache, percent; null with no block touched. */
export function queryHitPct(q: { sharedBlksHit: number; sharedBlksRead: number }): number | null {
  const total = q.sharedBlksHit + q.sharedBlksRead;
  return total > 0 ? (q.sharedBlksHit / total) * 100 : null;
}

/** One line of a query for a table cell: whitespace collapsed, cut at `max` characters. */
export function oneLine(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** pg_stat_statements normalises constants to $1, $2…: EXPLAIN needs values for them. */
export function parameterCount(sql: string): number {
  const seen = new Set<string>();
  for (const match of sql.matchAll(/\$(\d+)/g)) seen.add(match[1] ?? '');
  return seen.size;
}

/**
 * The text opened in the console for "Explain": the query, with a note on top when it has
 * placeholders to fill first (the console explains the statement under the cursor with F7).
 */
export function explainDraft(sql: string): string {
  const n = parameterCount(sql);
  const note =
    n > 0
      ? `-- pg_stat_statements replaced constants with $1…$${n}: put real values in, then press F7 to EXPLAIN.\n`
      : '-- Press F7 to EXPLAIN this statement (Shift+F7 for EXPLAIN ANALYZE, which runs it).\n';
  return `${note}${sql.trim()}`;
}

export function queryTabTitle(queryid: string, explain: boolean): string {
  return `${explain ? 'Explain' : 'Query'} ${queryid.slice(-6)}`;
}

/** The caveat under unused indexes: counters start at the last statistics reset. */
export function resetCaveat(statsReset: string | null, formatTime: (iso: string) => string): string {
  return statsReset
    ? `Scan counts since the statistics reset on ${formatTime(statsReset)}: an index used only by a monthly job may look unused. Check before dropping.`
    : 'The statistics reset date is unknown: scan counts may cover only a short period. Check before dropping.';
}

export type DuplicatePair = IndexReport['duplicates'][number];

/** Why one index of a pair can go, in words. */
export function duplicateAdvice(pair: DuplicatePair): string {
  const what = pair.kind === 'duplicate' ? 'has the same key columns as' : 'is a leading prefix of';
  return `${pair.drop.index} ${what} ${pair.keep.index}: dropping it frees ${formatBytes(pair.drop.bytes)}.`;
}

export function dropIndexSql(schema: string, index: string): string {
  return `DROP INDEX CONCURRENTLY ${quoteIdent(schema)}.${quoteIdent(index)};`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Colour for a dead-tuple share: the runbook's vacuum advice starts around 10–20 %. */
export function deadColor(pct: number): string {
  if (pct >= 20) return 'red';
  if (pct >= 10) return 'yellow';
  return 'dimmed';
}

export function sequenceColor(pctUsed: number): string {
  if (pctUsed >= 90) return 'red';
  if (pctUsed >= 75) return 'yellow';
  return 'dimmed';
}

/** VACUUM FULL on production needs the typed profile name (the core refuses it otherwise). */
export function vacuumNeedsName(full: boolean, env: string): boolean {
  return full && env === 'production';
}

export function vacuumCommand(schema: string, table: string, options: { full: boolean; analyze: boolean }): string {
  const opts = [options.full ? 'FULL' : null, options.analyze ? 'ANALYZE' : null].filter((o): o is string => o !== null);
  return `VACUUM ${opts.length > 0 ? `(${opts.join(', ')}) ` : ''}${quoteIdent(schema)}.${quoteIdent(table)};`;
}

/** The bar's value and caption from the last progress event. */
export function vacuumProgressView(event: VacuumProgressEvent | null): { percent: number | null; caption: string } {
  if (!event) return { percent: null, caption: 'Starting VACUUM…' };
  const blocks = event.done !== null && event.total !== null ? ` · ${formatCount(event.done)} of ${formatCount(event.total)} blocks` : '';
  return { percent: event.percent, caption: `${event.phase}${blocks} · ${formatDuration(event.elapsedMs)}` };
}

export function vacuumResultText(result: VacuumResult): string {
  const kind = `VACUUM${result.full ? ' FULL' : ''}${result.analyze ? ' ANALYZE' : ''}`;
  return `${kind} of ${result.schema}.${result.table} took ${formatDuration(result.durationMs)}: dead tuples ${formatCount(result.deadTuplesBefore)} → ${formatCount(result.deadTuplesAfter)}.`;
}

export interface AppFigure {
  label: string;
  value: string;
  missing: boolean;
}

function countOrMissing(n: number | null): string {
  return n === null ? 'not available' : formatCount(n);
}

export function appFigures(m: AppMetrics): AppFigure[] {
  const revenue = m.today.revenue === null ? 'not available' : m.today.revenue.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return [
    { label: 'Active users (24 h)', value: countOrMissing(m.activeUsers24h), missing: m.activeUsers24h === null },
    {
      label: 'Order conversion (7 days)',
      value: m.conversionRate7d === null ? 'not available' : `${trimNumber(m.conversionRate7d)} %`,
      missing: m.conversionRate7d === null,
    },
    { label: 'New orders today', value: countOrMissing(m.today.newOrders), missing: m.today.newOrders === null },
    { label: 'Shipped today', value: countOrMissing(m.today.shipped), missing: m.today.shipped === null },
    { label: 'Revenue today', value: revenue, missing: m.today.revenue === null },
    { label: 'New designs today', value: countOrMissing(m.today.newDesigns), missing: m.today.newDesigns === null },
  ];
}

export const HISTORY_RANGES: ReadonlyArray<{ hours: number; label: string }> = [
  { hours: 24, label: '24 h' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
];

export const HISTORY_METRICS: ReadonlyArray<{ metric: HistoryMetric; label: string; color: string }> = [
  { metric: 'databaseSizeBytes', label: 'Database size', color: 'blue.6' },
  { metric: 'connections', label: 'Connections', color: 'teal.6' },
  { metric: 'cacheHitRatio', label: 'Cache hit ratio', color: 'grape.6' },
  { metric: 'topQueryMeanMs', label: 'Top query mean time', color: 'orange.6' },
  { metric: 'transactionsPerSecond', label: 'Transactions/s', color: 'cyan.6' },
];

export function formatMetric(metric: HistoryMetric, value: number): string {
  switch (metric) {
    case 'databaseSizeBytes':
      return formatBytes(value);
    case 'connections':
      return formatCount(Math.round(value));
    case 'cacheHitRatio':
      return formatHitPct(value);
    case 'topQueryMeanMs':
      return formatMs(value);
    case 'transactionsPerSecond':
      return trimNumber(value);
  }
}

/**
 * Axis ticks: like formatMetric, but sizes keep a decimal so neighbouring ticks of a slowly
 * growing database do not all read "39 MB".
 */
export function formatAxisTick(metric: HistoryMetric, value: number): string {
  if (metric !== 'databaseSizeBytes') return formatMetric(metric, value);
  const mb = value / 1024 ** 2;
  if (mb < 1) return formatBytes(value);
  return mb < 1024 ? `${mb.toFixed(1)} MB` : `${(mb / 1024).toFixed(2)} GB`;
}

/** The y axis' range: counts and rates never go below 0, a hit ratio never above 100 %. */
export function axisDomain(metric: HistoryMetric): [number | 'auto', number | 'auto'] {
  if (metric === 'connections' || metric === 'transactionsPerSecond') return [0, 'auto'];
  if (metric === 'cacheHitRatio') return ['auto', 100];
  return ['auto', 'auto'];
}

/** The x-axis label: time of day for a day's range, day and time beyond. */
export function pointLabel(iso: string, hours: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (hours <= 24) return hm;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${hm}`;
}

/** Chart rows, oldest first, with the label the x axis shows. */
export function chartRows(history: MetricHistory, hours: number): Array<{ at: string; label: string; value: number }> {
  return [...history.points]
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((p) => ({ at: p.at, label: pointLabel(p.at, hours), value: p.value }));
}

/** Last value against the first of the range, in words ("up 12 % since …"). */
export function trendText(history: MetricHistory): string | null {
  const rows = [...history.points].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.at.localeCompare(b.at));
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last || rows.length < 2) return null;
  if (first.value === 0)
    return last.value === 0 ? 'unchanged over the range' : `from ${formatMetric(history.metric, 0)} to ${formatMetric(history.metric, last.value)}`;
  const change = ((last.value - first.value) / Math.abs(first.value)) * 100;
  if (Math.abs(change) < 0.05) return 'unchanged over the range';
  return `${change > 0 ? 'up' : 'down'} ${Math.abs(change).toFixed(1)} % over the range (${formatMetric(history.metric, first.value)} → ${formatMetric(history.metric, last.value)})`;
}
