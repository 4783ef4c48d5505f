// The last overview per profile, for the Fleet screen (issue #22): every overview this
// workstation runs — the Performance screen's polls, `ops-console health`, a fleet refresh —
// leaves what it found (status, worst check, size, connections) or why it could not reach the
// server. One row per profile in `settings` (key `overview.last.<profileId>`), rewritten in
// place: the fleet needs the latest state, the history of figures is metric_snapshots'. No
// table of its own: it is a cache of the last answer, and a lost row only means "never checked".
import type { FleetConnection, FleetOverview } from '../../contract/fleet-screen';
import type { Overview } from '../../contract/monitoring';
import type { CheckStatus } from '../../contract/runbook';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { Store } from '../platform/store/store';
import { getOverview, type OverviewOptions } from './overview';

const KEY_PREFIX = 'overview.last.';

export interface LastOverview {
  connection: FleetConnection;
  /** The last overview that answered; kept when a later try fails. */
  overview: FleetOverview | null;
}

const SEVERITY: Record<CheckStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/** The first of the worst checks, in the overview's own order; null when all are ok. */
export function worstCheck(overview: Pick<Overview, 'checks'>): FleetOverview['worstCheck'] {
  let worst: Overview['checks'][number] | null = null;
  for (const c of overview.checks) if (c.status !== 'ok' && (worst === null || SEVERITY[c.status] > SEVERITY[worst.status])) worst = c;
  return worst === null ? null : { name: worst.name, label: worst.label, status: worst.status, summary: worst.summary };
}

export function summarise(overview: Overview): FleetOverview {
  return {
    at: overview.at,
    status: overview.status,
    worstCheck: worstCheck(overview),
    databaseSizeBytes: overview.figures.databaseSizeBytes,
    connections: overview.figures.connections,
    maxConnections: overview.figures.maxConnections,
  };
}

function parse(value: string | undefined): LastOverview | null {
  if (value === undefined) return null;
  try {
    const parsed = JSON.parse(value) as Partial<LastOverview>;
    if (!parsed.connection || typeof parsed.connection.state !== 'string') return null;
    return { connection: parsed.connection, overview: parsed.overview ?? null };
  } catch {
    // A damaged cache entry is as good as none: the next overview rewrites it.
    return null;
  }
}

/** Every profile's last overview, by profile id (profiles never checked are absent). */
export function lastOverviews(store: Store): Map<string, LastOverview> {
  const rows = store.db.prepare("SELECT key, value FROM settings WHERE key LIKE 'overview.last.%'").all() as Array<{ key: string; value: string }>;
  const out = new Map<string, LastOverview>();
  for (const row of rows) {
    const last = parse(row.value);
    if (last !== null) out.set(row.key.slice(KEY_PREFIX.length), last);
  }
  return out;
}

/** One profile's last overview, or null when it was never checked from here. */
export function lastOverviewOf(store: Store, profileId: string): LastOverview | null {
  return parse((store.db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY_PREFIX + profileId) as { value: string } | undefined)?.value);
}

/**
 * Records an overview's outcome: an answer replaces both parts; a failure replaces the
 * connection state and keeps the last answer. IMMEDIATE, so the desktop app and a CLI run
 * at the same moment cannot interleave the read and the write.
 */
export function recordLastOverview(
  store: Store,
  profileId: string,
  outcome: { overview: Overview } | { error: { code: string; message: string }; at?: Date },
): void {
  const db = store.db;
  const key = KEY_PREFIX + profileId;
  const write = db.transaction(() => {
    // A profile removed meanwhile keeps no entry (nothing would ever clear it).
    if (db.prepare('SELECT 1 FROM profiles WHERE id = ?').get(profileId) === undefined) return;
    let next: LastOverview;
    if ('overview' in outcome) {
      next = { connection: { state: 'ok', at: outcome.overview.at, code: null, message: null }, overview: summarise(outcome.overview) };
    } else {
      const previous = lastOverviewOf(store, profileId);
      const at = (outcome.at ?? new Date()).toISOString();
      next = { connection: { state: 'error', at, code: outcome.error.code, message: outcome.error.message }, overview: previous?.overview ?? null };
    }
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(next));
  });
  write.immediate();
}

/** Entries of profiles that no longer exist (removed before this file existed, or by hand). */
export function pruneLastOverviews(store: Store): number {
  return store.db
    .prepare(`DELETE FROM settings WHERE key LIKE 'overview.last.%' AND substr(key, ${KEY_PREFIX.length + 1}) NOT IN (SELECT id FROM profiles)`)
    .run().changes;
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The overview, its outcome recorded for the Fleet screen. With a `signal` that is aborted by
 * the time the overview settles (a fleet refresh's per-target timeout), nothing is recorded:
 * the caller has recorded the timeout, and a late answer must not overwrite what it returned.
 */
export async function runOverview(
  deps: Pick<CoreDeps, 'secrets' | 'tunnels' | 'store'>,
  profile: Profile,
  options: OverviewOptions & { signal?: AbortSignal },
): Promise<Overview> {
  const { signal, ...rest } = options;
  try {
    const overview = await getOverview(deps, profile, rest);
    if (!signal?.aborted) recordLastOverview(deps.store, profile.id, { overview });
    return overview;
  } catch (err) {
    if (!signal?.aborted) recordLastOverview(deps.store, profile.id, { error: errorOf(err) });
    throw err;
  }
}
