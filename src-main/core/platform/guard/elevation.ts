// Emergency elevation of a read-only production profile (issue #19). A read-only production
// profile only observes, which is right until 3 AM, when a lock must be broken now. An
// elevation lifts the read-only rule for ONE action or a short window (minutes, never more
// than ELEVATION_MAX_MINUTES), started with the typed profile name and a reason, and ends by
// itself. The one read-only rule (rules.ts) consults it, so every screen and command gets
// the same answer.
//
// Held in memory only, per process: an elevation ends with the process (a crash or a quit
// can never leave production writable for the next start). Its start and end are audited
// (by the dispatcher, or here through the owner's hooks when it expires or is used up);
// every action it lets through carries its id and reason in its own audit entry.
//
// "Only for the elevated connection": the guard marks the very profile object of the action
// it let through (elevatedConnection), and only a connection opened for that object lifts
// the server-side read-only setting and, when the profile has one, connects as the
// break-glass role. A poll or a preview of the same profile during the window still
// connects read-only as the profile's own role.
import { randomUUID } from 'node:crypto';
import type { Profile, ProfileElevation } from '../../../contract/models';

export type ElevationEndReason =
  'expired' | 'ended by the user' | 'used by its one action' | 'the app closed' | 'replaced by a new elevation' | 'the profile was edited';

/** What the core that started an elevation is told when it ends without a call of its own. */
export interface ElevationOwner {
  onEnd(elevation: ProfileElevation, profileName: string, why: ElevationEndReason): void;
}

interface Live {
  data: ProfileElevation;
  profileName: string;
  owner: ElevationOwner;
  timer: NodeJS.Timeout;
}

const live = new Map<string, Live>();
/** The action objects the guard let through under an elevation (see the note at the top). */
const marked = new WeakMap<object, ProfileElevation>();

export interface ElevationRequest {
  reason: string;
  mode: 'action' | 'window';
  minutes: number;
  actor: string;
  /** The break-glass role, or null for the profile's own. */
  role: string | null;
}

/** Starts (or replaces) the elevation of a profile; the caller has checked the typed name. */
export function startElevation(profile: Pick<Profile, 'id' | 'name'>, req: ElevationRequest, owner: ElevationOwner): ProfileElevation {
  endElevation(profile.id, 'replaced by a new elevation');
  const now = Date.now();
  // The contract allows whole minutes from 1; tests start shorter ones here directly.
  const ms = req.minutes * 60_000;
  const data: ProfileElevation = {
    id: randomUUID(),
    reason: req.reason,
    mode: req.mode,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ms).toISOString(),
    role: req.role,
    actor: req.actor,
  };
  const timer = setTimeout(() => endElevation(profile.id, 'expired'), ms);
  // An elevation must not keep a CLI process alive; it ends with the process anyway.
  timer.unref();
  live.set(profile.id, { data, profileName: profile.name, owner, timer });
  return data;
}

/** The profile's elevation now, or null; one past its time (a late timer) is ended here. */
export function activeElevation(profileId: string): ProfileElevation | null {
  const entry = live.get(profileId);
  if (!entry) return null;
  if (Date.parse(entry.data.expiresAt) <= Date.now()) {
    endElevation(profileId, 'expired');
    return null;
  }
  return entry.data;
}

/**
 * Ends the profile's elevation. The owner is told (and audits it) unless `silent`: the
 * endElevation operation is audited by the dispatcher itself.
 */
export function endElevation(profileId: string, why: ElevationEndReason, silent = false): ProfileElevation | null {
  const entry = live.get(profileId);
  if (!entry) return null;
  live.delete(profileId);
  clearTimeout(entry.timer);
  if (!silent) entry.owner.onEnd(entry.data, entry.profileName, why);
  return entry.data;
}

/** Ends every elevation one core started (its dispose: "the app closed"). */
export function endElevationsOf(owner: ElevationOwner): void {
  for (const [profileId, entry] of [...live]) if (entry.owner === owner) endElevation(profileId, 'the app closed');
}

/** Marks the profile object of an action the guard let through: its connections are elevated. */
export function markElevated(profile: object, elevation: ProfileElevation): void {
  marked.set(profile, elevation);
}

/** The elevation a connection for this profile object runs under, or null (read-only, own role). */
export function elevatedConnection(profile: object): ProfileElevation | null {
  return marked.get(profile) ?? null;
}

/** Who a connection for this profile object logs in as: the break-glass role while elevated with one. */
export function connectionUser(profile: Pick<Profile, 'user'>): string {
  return elevatedConnection(profile)?.role ?? profile.user;
}

/** One line for the audit entry of an action done under an elevation. */
export function describeElevation(e: ProfileElevation): string {
  const how = e.mode === 'action' ? 'for one action' : `until ${e.expiresAt}`;
  return `elevated ${how} (elevation ${e.id.slice(0, 8)}, reason: ${e.reason}${e.role ? `, as break-glass role ${e.role}` : ''})`;
}
