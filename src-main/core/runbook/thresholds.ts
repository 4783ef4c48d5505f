// Alert thresholds as data, and the one function that judges a value against them.
// The first five are the runbook's own "Alert Thresholds" table (its defaults, word for
// word: > warning is WARNING, > critical is CRITICAL). The others are ours, for checklist
// steps the table does not cover; each says so in `source` and why in `rationale`.
import { CACHE_HIT_THRESHOLDS } from '../../contract/monitoring';
import type { CheckStatus } from '../../contract/runbook';
import { formatPgSize } from '../platform/text/bytes';

export type ThresholdUnit = 'count' | 'bytes' | 'seconds' | 'hours' | 'percent';

/** What a count counts: ['item', 'items']. */
export type Noun = readonly [one: string, many: string];

export interface Threshold {
  metric: string;
  unit: ThresholdUnit;
  /** Words after a count in a summary, for one and for many; null: other units print their symbol. */
  noun: Noun | null;
  /** 'above': value > warn is a warning. 'below': value < warn is (a day with no order). */
  direction: 'above' | 'below';
  warn: number;
  /** Null when nothing this metric shows is ever critical on its own. */
  critical: number | null;
  action: string;
  source: 'runbook' | 'ops-console';
  rationale?: string;
}

const GiB = 1024 ** 3;

export const DEFAULT_THRESHOLDS = {
  // ---- The runbook's alert table ----
  dbSize: {
    metric: 'DB size',
    unit: 'bytes',
    noun: null,
    direction: 'above',
    warn: 8 * GiB,
    critical: 10 * GiB,
    action: 'Clean up archives',
    source: 'runbook',
  },
  connections: {
    metric: 'Connections',
    unit: 'count',
    noun: ['connection', 'connections'],
    direction: 'above',
    warn: 60,
    critical: 80,
    action: 'Kill idle connections',
    source: 'runbook',
  },
  queryTime: {
    metric: 'Query time',
    unit: 'seconds',
    noun: null,
    direction: 'above',
    warn: 5,
    critical: 10,
    action: 'Investigate and optimize',
    source: 'runbook',
  },
  lowStock: {
    metric: 'Low stock',
    unit: 'count',
    noun: ['item', 'items'],
    direction: 'above',
    warn: 5,
    critical: 10,
    action: 'Reorder inventory',
    source: 'runbook',
  },
  failedQueries: {
    metric: 'Failed queries per hour',
    unit: 'count',
    noun: ['failed query in the last hour', 'failed queries in the last hour'],
    direction: 'above',
    warn: 5,
    critical: 20,
    action: 'Check application logs',
    source: 'runbook',
  },

  // ---- Ours ----
  lockWaits: {
    metric: 'Sessions waiting on a lock',
    unit: 'count',
    noun: ['session waiting', 'sessions waiting'],
    direction: 'above',
    warn: 0,
    critical: 5,
    action: 'Find the blocking session (Activity) and end it if it is stuck',
    source: 'ops-console',
    rationale: 'A healthy shop rarely has anyone queued behind a lock at the moment of a check; several at once is a pile-up.',
  },
  outOfStock: {
    metric: 'Out of stock',
    unit: 'count',
    noun: ['item out of stock', 'items out of stock'],
    direction: 'above',
    warn: 0,
    critical: null,
    action: 'Reorder inventory or hide the item from the customizer',
    source: 'ops-console',
    rationale: 'The runbook lists these items without a threshold; any active item that cannot be sold deserves a look, none is an emergency for the database.',
  },
  paidOrderWait: {
    metric: 'Oldest paid order still pending',
    unit: 'hours',
    noun: null,
    direction: 'above',
    warn: 24,
    critical: 336,
    action: 'Start processing, or find out why the order is stuck',
    source: 'ops-console',
    rationale: 'A paid order should be picked up within a working day; two weeks without processing is a customer lost or about to charge back.',
  },
  shipWait: {
    metric: 'Oldest order waiting to ship',
    unit: 'hours',
    noun: null,
    direction: 'above',
    warn: 48,
    critical: 336,
    action: 'Check the workshop queue',
    source: 'ops-console',
    rationale: 'Custom pieces take a day or two to make; past two days it deserves a look, past two weeks an order was forgotten.',
  },
  unusedIndexes: {
    metric: 'Unused indexes',
    unit: 'count',
    noun: ['index never scanned', 'indexes never scanned'],
    direction: 'above',
    warn: 0,
    critical: null,
    action: 'Review them (check standbys too) before dropping any',
    source: 'ops-console',
    rationale: 'An index nobody reads still costs disk and slows every write: worth a review, never urgent.',
  },
  archiveFailures: {
    metric: 'WAL archiving failures',
    unit: 'count',
    noun: ['failed WAL archive attempt', 'failed WAL archive attempts'],
    direction: 'above',
    warn: 0,
    critical: null,
    action: 'Check archive_command and the archive destination',
    source: 'ops-console',
    rationale: 'Point-in-time recovery needs every WAL segment archived; a failure since the last statistics reset needs explaining.',
  },
  invalidObjects: {
    metric: 'Invalid indexes and constraints',
    unit: 'count',
    noun: ['invalid object', 'invalid objects'],
    direction: 'above',
    warn: 0,
    critical: null,
    action: 'Rebuild the index (REINDEX … CONCURRENTLY) or validate the constraint',
    source: 'ops-console',
    rationale: 'Left behind by a failed CREATE INDEX CONCURRENTLY or restore; the planner ignores an invalid index.',
  },
  inconsistentOrders: {
    metric: 'Orders whose lines do not add up',
    unit: 'count',
    noun: ['order', 'orders'],
    direction: 'above',
    warn: 0,
    critical: 10,
    action: 'Compare the order with its lines before anyone is charged or refunded',
    source: 'ops-console',
    rationale: 'A subtotal that differs from its lines means a write went wrong; many of them mean a bug or a bad restore.',
  },
  newOrdersToday: {
    metric: 'New orders today',
    unit: 'count',
    noun: ['new order today', 'new orders today'],
    direction: 'below',
    warn: 1,
    critical: null,
    action: 'Check the shop is taking orders (checkout, payment provider)',
    source: 'ops-console',
    rationale: 'By 6 PM a day without a single order usually means checkout is broken, not that nobody wanted jewelry.',
  },
  vacuumOverdue: {
    metric: 'Tables overdue for vacuum',
    unit: 'count',
    noun: ["table past autovacuum's trigger", "tables past autovacuum's trigger"],
    direction: 'above',
    warn: 0,
    critical: null,
    action: 'VACUUM the table, and look at why autovacuum falls behind (long transactions, cost limits)',
    source: 'ops-console',
    rationale:
      'A table with more dead rows than autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × its rows should already have been vacuumed; right after a bulk change that lasts a minute, longer means autovacuum is blocked or too slow.',
  },

  // ---- Ours, for the Performance overview and `ops-console health` ----
  cacheHit: {
    metric: 'Cache hit ratio',
    unit: 'percent',
    noun: null,
    direction: 'below',
    warn: CACHE_HIT_THRESHOLDS.warn,
    critical: CACHE_HIT_THRESHOLDS.critical,
    action: 'Look for queries reading many blocks (Queries tab, shared blocks read), or give the server more shared_buffers / memory',
    source: 'ops-console',
    rationale:
      'An OLTP shop whose working set fits in memory finds over 99 % of the blocks it reads in shared_buffers; under 95 % most reads go to disk and every page of the site slows down. Right after a restart the ratio is low until the cache warms up.',
  },
  oldestTransaction: {
    metric: 'Oldest open transaction',
    unit: 'seconds',
    noun: null,
    direction: 'above',
    warn: 300,
    critical: 3600,
    action: 'Find the session (Activity) and ask its owner to commit, or end it',
    source: 'ops-console',
    rationale:
      'A transaction open for minutes keeps VACUUM from removing any row that died after it began and holds its locks meanwhile; open for an hour, tables bloat and lock queues form. Idle-in-transaction sessions are the usual cause.',
  },
  replicationLag: {
    metric: 'Replication lag',
    unit: 'bytes',
    noun: null,
    direction: 'above',
    warn: 100 * 1024 ** 2,
    critical: 1024 ** 3,
    action: 'Check the standby (network, disk, long queries on it) and the WAL it still needs',
    source: 'ops-console',
    rationale:
      'WAL the slowest standby has not replayed yet: 100 MB is a few minutes of a busy shop, a standby a gigabyte behind would lose that much on a failover and makes the primary keep the WAL on disk.',
  },
  wraparound: {
    metric: 'Transaction ID age (wraparound)',
    unit: 'count',
    noun: ['transaction since the oldest unfrozen row', 'transactions since the oldest unfrozen row'],
    direction: 'above',
    warn: 1_000_000_000,
    critical: 1_500_000_000,
    action: 'VACUUM (FREEZE) the oldest tables, and find what keeps autovacuum from freezing them (long transactions, replication slots)',
    source: 'ops-console',
    rationale:
      'age(datfrozenxid): autovacuum starts forced freezing at autovacuum_freeze_max_age (200 million by default) and PostgreSQL stops accepting writes near 2.1 billion; past half of that, freezing is not keeping up, past 1.5 billion an outage is close.',
  },
} as const satisfies Record<string, Threshold>;

export type ThresholdKey = keyof typeof DEFAULT_THRESHOLDS;

export function thresholdFor(key: ThresholdKey): Threshold {
  return DEFAULT_THRESHOLDS[key];
}

export interface Judgement {
  status: CheckStatus;
  summary: string;
}

function round(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A value in the threshold's unit, for people: "8 GB", "12.5 s", "30 h", "14.2 %", "7". */
export function formatValue(value: number, unit: ThresholdUnit): string {
  switch (unit) {
    case 'bytes':
      return formatPgSize(value);
    case 'seconds':
      return `${round(value, 1)} s`;
    case 'hours':
      return `${round(value, 1)} h`;
    case 'percent':
      return `${round(value, 1)} %`;
    case 'count':
      return round(value, 2);
  }
}

function limits(t: Threshold): string {
  const side = t.direction === 'above' ? 'above' : 'below';
  const warn = `warning ${side} ${formatValue(t.warn, t.unit)}`;
  return t.critical === null ? `${warn}, never critical` : `${warn}, critical ${side} ${formatValue(t.critical, t.unit)}`;
}

/**
 * OK / WARNING / CRITICAL for a value, with a one-line summary carrying the value and the
 * thresholds: "7 items (warning above 5, critical above 10)". A missing value is UNKNOWN.
 */
export function judge(value: number | null, threshold: Threshold, noun: Noun | null = threshold.noun): Judgement {
  if (value === null || !Number.isFinite(value)) {
    return { status: 'unknown', summary: `${threshold.metric}: no value to judge (${limits(threshold)})` };
  }
  const beyond = (limit: number) => (threshold.direction === 'above' ? value > limit : value < limit);
  const status: CheckStatus = threshold.critical !== null && beyond(threshold.critical) ? 'critical' : beyond(threshold.warn) ? 'warning' : 'ok';
  const shown =
    threshold.unit === 'count' && noun !== null
      ? `${formatValue(value, 'count')} ${value === 1 ? noun[0] : noun[1]}`
      : `${threshold.metric}: ${formatValue(value, threshold.unit)}`;
  return { status, summary: `${shown} (${limits(threshold)})` };
}

const SEVERITY: Record<CheckStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/**
 * The worst of several statuses, the monitoring way: CRITICAL beats everything; otherwise
 * a check that could not be made (UNKNOWN) beats WARNING, since it may hide worse.
 */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** Monitoring-plugin exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export function exitCodeFor(status: CheckStatus): 0 | 1 | 2 | 3 {
  return ({ ok: 0, warning: 1, critical: 2, unknown: 3 } as const)[status];
}
