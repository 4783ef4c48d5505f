// The local history of key figures (table metric_snapshots, migration 9): the overview
// stores one snapshot per profile at most once a minute, so a screen polling every few
// seconds does not fill the store, and snapshots older than the retention are pruned as new
// ones arrive. History is read back per metric, oldest first, averaged into buckets when a
// long range holds more points than a chart can show.
import type { HistoryMetric, MetricHistory } from '../../contract/monitoring';
import type { Store } from '../platform/store/store';

export const SNAPSHOT_INTERVAL_MS = 60_000;
export const SNAPSHOT_RETENTION_DAYS = 90;
/** A week of one-a-minute snapshots is 10,080 points; a chart needs far fewer. */
export const MAX_HISTORY_POINTS = 1000;

const DAY_MS = 24 * 3600_000;

/** The charts' figures and two kept for the capacity forecast only (issue #23). */
export type SnapshotFigure = HistoryMetric | 'wraparoundAge' | 'sequenceMaxPct';
export type SnapshotValues = Partial<Record<SnapshotFigure, number>>;

interface LatestRow {
  at: string;
}

/** When the profile's last snapshot was taken, or null. */
export function lastSnapshotAt(store: Store, profileId: string): Date | null {
  const row = store.db.prepare('SELECT at FROM metric_snapshots WHERE profile_id = ? ORDER BY at DESC LIMIT 1').get(profileId) as LatestRow | undefined;
  return row ? new Date(row.at) : null;
}

/** Whether a snapshot taken at `now` would be stored (none in the last minute). */
export function snapshotDue(store: Store, profileId: string, now: Date): boolean {
  const last = lastSnapshotAt(store, profileId);
  return last === null || now.getTime() - last.getTime() >= SNAPSHOT_INTERVAL_MS;
}

/** Only finite numbers are kept: a figure the server could not give is left out, not stored as null. */
function cleanValues(values: SnapshotValues): SnapshotValues {
  const out: SnapshotValues = {};
  for (const [key, value] of Object.entries(values) as Array<[SnapshotFigure, number | undefined]>) {
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}

/**
 * Stores a snapshot unless the profile has one from the last minute; prunes the profile's
 * snapshots past the retention in the same transaction. IMMEDIATE, so the desktop app and
 * the CLI refreshing at the same moment cannot both pass the check. Returns whether it stored.
 */
export function recordSnapshot(store: Store, profileId: string, values: SnapshotValues, now: Date = new Date()): boolean {
  const db = store.db;
  const insert = db.prepare('INSERT OR IGNORE INTO metric_snapshots (profile_id, at, values_json) VALUES (?, ?, ?)');
  const prune = db.prepare('DELETE FROM metric_snapshots WHERE profile_id = ? AND at < ?');
  const write = db.transaction((): boolean => {
    if (!snapshotDue(store, profileId, now)) return false;
    const stored = insert.run(profileId, now.toISOString(), JSON.stringify(cleanValues(values))).changes > 0;
    prune.run(profileId, new Date(now.getTime() - SNAPSHOT_RETENTION_DAYS * DAY_MS).toISOString());
    return stored;
  });
  return write.immediate();
}

interface PointRow {
  at: string;
  value: number;
}

/**
 * One figure over the last `hours`, oldest first. Up to MAX_HISTORY_POINTS points as
 * stored; beyond that, the average of each equal slice of the range (stamped with the
 * slice's first snapshot), so a 90-day chart stays a chart.
 */
export function metricHistory(store: Store, profileId: string, metric: HistoryMetric, hours: number, now: Date = new Date()): MetricHistory {
  const from = new Date(now.getTime() - hours * 3600_000);
  // The metric names are a closed set (zod enum), yet still passed as a parameter.
  const path = `$.${metric}`;
  const rows = store.db
    .prepare(
      `SELECT at, json_extract(values_json, ?) AS value FROM metric_snapshots
       WHERE profile_id = ? AND at >= ? AND at <= ? AND json_type(values_json, ?) IN ('integer', 'real')
       ORDER BY at`,
    )
    .all(path, profileId, from.toISOString(), now.toISOString(), path) as PointRow[];
  return { metric, points: downsample(rows, from.getTime(), now.getTime()) };
}

/** Averages points into MAX_HISTORY_POINTS equal time slices when there are more. */
export function downsample(rows: readonly PointRow[], fromMs: number, toMs: number, max = MAX_HISTORY_POINTS): Array<{ at: string; value: number }> {
  if (rows.length <= max) return rows.map((r) => ({ at: r.at, value: r.value }));
  const slice = Math.max(1, (toMs - fromMs) / max);
  const buckets = new Map<number, { at: string; sum: number; n: number }>();
  for (const r of rows) {
    const key = Math.floor((new Date(r.at).getTime() - fromMs) / slice);
    const b = buckets.get(key);
    if (b) {
      b.sum += r.value;
      b.n++;
    } else buckets.set(key, { at: r.at, sum: r.value, n: 1 });
  }
  return [...buckets.values()].map((b) => ({ at: b.at, value: b.sum / b.n }));
}
