// The Fleet screen's rows (issue #22), from the local store only: each profile's last
// overview (monitoring keeps it), its newest good backup against the runbook's RPO, its last
// restore drill against the RTO, and today's morning and evening checklists by the maintenance
// calendar's rules. Nothing here contacts a server, so a fleet of hundreds opens at once.
import { compareFleetRows, type FleetBackup, type FleetChecklist, type FleetDrill, type FleetRow, type FleetView } from '../../contract/fleet-screen';
import type { Profile } from '../../contract/models';
import { RECOVERY_OBJECTIVES } from '../../contract/restore';
import { BackupCatalog } from '../backup';
import { lastOverviews, type LastOverview } from '../monitoring';
import type { CoreDeps } from '../platform/kernel/deps';
import { DrillStore } from '../restore';
import { maintenanceCalendar } from '../runbook';

type Deps = Pick<CoreDeps, 'store' | 'profiles'>;

/** Backups whose data a restore brings back: the RPO is about data, so a schema-only or roles-only dump does not count. */
const DATA_KINDS = ['full', 'data'] as const;

/** The same targets a drill is timed against (the stricter case, data corruption). */
const RPO_MS = RECOVERY_OBJECTIVES.corruption.rpoMs;

/** Profiles carrying the tag (all of them without one), in the repository's order. */
export function selectByTag(profiles: readonly Profile[], tag: string | null | undefined): Profile[] {
  if (tag === null || tag === undefined) return [...profiles];
  return profiles.filter((p) => p.tags.includes(tag));
}

function backupOf(catalog: BackupCatalog, profileId: string, now: Date): FleetBackup | null {
  const entry = catalog.latestOk(profileId, DATA_KINDS);
  if (!entry) return null;
  // The data is as of the dump's snapshot, taken as it started: that is what a restore brings back.
  const ageMs = Math.max(0, now.getTime() - Date.parse(entry.startedAt));
  return { id: entry.id, at: entry.startedAt, ageMs, rpoMs: RPO_MS, withinRpo: ageMs <= RPO_MS, verifiedOk: entry.verifiedOk };
}

function drillOf(drills: DrillStore, profileId: string): FleetDrill | null {
  const [d] = drills.list({ profileId, limit: 1 });
  if (!d) return null;
  return {
    id: d.id,
    status: d.status,
    at: d.finishedAt ?? d.startedAt,
    restoreMs: d.restoreMs,
    rtoMs: d.rtoTargetMs,
    rtoMet: d.rtoMet,
    rpoMet: d.rpoMet,
    validation: d.validation?.status ?? null,
  };
}

function checklistsOf(deps: Deps, profileId: string, now: Date): FleetRow['checklists'] {
  const items = maintenanceCalendar(deps, profileId, now).items;
  const pick = (name: string): FleetChecklist | null => {
    const item = items.find((i) => i.checklist === name);
    return item ? { state: item.state, dueTime: item.dueTime, lastDoneAt: item.lastDoneAt, lastStatus: item.lastStatus } : null;
  };
  return { morning: pick('morning'), evening: pick('evening') };
}

function attentionOf(row: Pick<FleetRow, 'backup' | 'drill' | 'checklists'>): string[] {
  const out: string[] = [];
  if (row.backup === null) out.push('no backup');
  else if (!row.backup.withinRpo) out.push('last backup older than the RPO');
  if (row.drill?.status === 'failed') out.push('last drill failed');
  else if (row.drill?.rtoMet === false) out.push('last drill slower than the RTO');
  for (const name of ['morning', 'evening'] as const) if (row.checklists[name]?.state === 'overdue') out.push(`${name} checklist overdue`);
  return out;
}

export function fleetRow(deps: Deps, profile: Profile, last: LastOverview | null | undefined, now: Date, stores = openStores(deps)): FleetRow {
  const connection = last?.connection ?? { state: 'never' as const, at: null, code: null, message: null };
  const overview = last?.overview ?? null;
  const parts = {
    backup: backupOf(stores.catalog, profile.id, now),
    drill: drillOf(stores.drills, profile.id),
    checklists: checklistsOf(deps, profile.id, now),
  };
  return {
    profileId: profile.id,
    name: profile.name,
    env: profile.env,
    tags: [...profile.tags],
    readOnly: profile.readOnly,
    status: connection.state === 'ok' && overview !== null ? overview.status : 'unknown',
    attention: attentionOf(parts),
    connection,
    overview,
    ...parts,
  };
}

function openStores(deps: Deps): { catalog: BackupCatalog; drills: DrillStore } {
  return { catalog: new BackupCatalog(deps.store.db), drills: new DrillStore(deps.store.db) };
}

/** Every tag of every profile, sorted. */
export function allTags(profiles: readonly Profile[]): string[] {
  return [...new Set(profiles.flatMap((p) => p.tags))].sort();
}

export function fleetView(deps: Deps, tag: string | null | undefined, now = new Date()): FleetView {
  const profiles = deps.profiles.list();
  const last = lastOverviews(deps.store);
  const stores = openStores(deps);
  const rows = selectByTag(profiles, tag).map((p) => fleetRow(deps, p, last.get(p.id), now, stores));
  return { now: now.toISOString(), tag: tag ?? null, tags: allTags(profiles), totalProfiles: profiles.length, rows: rows.sort(compareFleetRows) };
}
