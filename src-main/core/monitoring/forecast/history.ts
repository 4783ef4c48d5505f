// The forecast's reads and writes of the local store: daily points from metric_snapshots
// (migration 9) and the largest relations' sizes (relation_size_snapshots, migration 19,
// recorded with the overview's snapshot at most once an hour).
import type { DailyPoint, RelationGrowth } from '../../../contract/forecast';
import type { Store } from '../../platform/store/store';
import { DAY_MS, dayNumber, leastSquares } from './fit';

export const HISTORY_DAYS = 90;
export const RELATION_INTERVAL_MS = 3600_000;
/** The fit of a relation's growth looks at the last 30 days and needs 3 of them, like the 7-day fit of the figures. */
const RELATION_WINDOW_DAYS = 30;
const RELATION_MIN_DAYS = 3;

/** Figures kept in metric_snapshots that the forecast reads (the charts' metrics and two recorded for it). */
export type SnapshotFigure = 'databaseSizeBytes' | 'connections' | 'wraparoundAge' | 'sequenceMaxPct';

/**
 * One point per UTC day over the last 90 days, oldest first: the day's highest snapshot —
 * the size at its largest, connections at their peak, the age before any freeze that day.
 */
export function dailySeries(store: Store, profileId: string, figure: SnapshotFigure, now: Date): DailyPoint[] {
  const path = `$.${figure}`;
  const from = new Date(now.getTime() - HISTORY_DAYS * DAY_MS).toISOString();
  return store.db
    .prepare(
      `SELECT substr(at, 1, 10) AS day, max(json_extract(values_json, ?)) AS value FROM metric_snapshots
       WHERE profile_id = ? AND at >= ? AND at <= ? AND json_type(values_json, ?) IN ('integer', 'real')
       GROUP BY 1 ORDER BY 1`,
    )
    .all(path, profileId, from, now.toISOString(), path) as DailyPoint[];
}

export interface RelationSize {
  kind: 'table' | 'index';
  name: string;
  bytes: number;
}

/** Whether the relations' sizes are due (none recorded for the profile in the last hour). */
export function relationSizesDue(store: Store, profileId: string, now: Date): boolean {
  const row = store.db.prepare('SELECT max(at) AS at FROM relation_size_snapshots WHERE profile_id = ?').get(profileId) as { at: string | null };
  return row.at === null || now.getTime() - Date.parse(row.at) >= RELATION_INTERVAL_MS;
}

/** Stores one hourly set of sizes and prunes the profile's sizes past the 90 days, in one transaction. */
export function recordRelationSizes(store: Store, profileId: string, sizes: readonly RelationSize[], now: Date): void {
  const insert = store.db.prepare('INSERT OR IGNORE INTO relation_size_snapshots (profile_id, at, kind, name, bytes) VALUES (?, ?, ?, ?, ?)');
  const prune = store.db.prepare('DELETE FROM relation_size_snapshots WHERE profile_id = ? AND at < ?');
  const write = store.db.transaction(() => {
    if (!relationSizesDue(store, profileId, now)) return;
    for (const s of sizes) insert.run(profileId, now.toISOString(), s.kind, s.name, Math.max(0, Math.round(s.bytes)));
    prune.run(profileId, new Date(now.getTime() - HISTORY_DAYS * DAY_MS).toISOString());
  });
  write.immediate();
}

interface SizeRow {
  kind: 'table' | 'index';
  name: string;
  day: string;
  bytes: number;
}

/**
 * The relations of the latest recorded set, largest first, each with its growth per day over
 * the last 30 days (least squares on its daily largest size; null with fewer than 3 days).
 */
export function relationGrowth(store: Store, profileId: string, now: Date): RelationGrowth[] {
  const latest = store.db.prepare('SELECT max(at) AS at FROM relation_size_snapshots WHERE profile_id = ? AND at <= ?').get(profileId, now.toISOString()) as {
    at: string | null;
  };
  if (latest.at === null) return [];
  const current = store.db
    .prepare('SELECT kind, name, bytes FROM relation_size_snapshots WHERE profile_id = ? AND at = ? ORDER BY bytes DESC, kind, name')
    .all(profileId, latest.at) as RelationSize[];
  const from = new Date(now.getTime() - RELATION_WINDOW_DAYS * DAY_MS).toISOString();
  const rows = store.db
    .prepare(
      `SELECT kind, name, substr(at, 1, 10) AS day, max(bytes) AS bytes FROM relation_size_snapshots
       WHERE profile_id = ? AND at >= ? AND at <= ? GROUP BY kind, name, day ORDER BY day`,
    )
    .all(profileId, from, now.toISOString()) as SizeRow[];
  const byRelation = new Map<string, Array<{ x: number; y: number }>>();
  for (const r of rows) {
    const key = `${r.kind} ${r.name}`;
    const list = byRelation.get(key) ?? [];
    list.push({ x: dayNumber(r.day), y: r.bytes });
    byRelation.set(key, list);
  }
  return current.map((c) => {
    const points = byRelation.get(`${c.kind} ${c.name}`) ?? [];
    const line = points.length >= RELATION_MIN_DAYS ? leastSquares(points) : null;
    return { kind: c.kind, name: c.name, bytes: c.bytes, perDay: line ? line.slope : null, days: points.length };
  });
}
