// What the screens need to know about elevation (issue #19) before they open a dialog: does
// this action need one, is one running, and where it cannot help, what is missing and the
// one-click fix. The core decides (elevateProfile refuses the same cases); this only lets
// the UI say it first, so no dialog ever leads to a refusal.
import { ELEVATION_DEFAULT_MINUTES } from '@contract/elevation-limits';
import type { Profile, ProfileElevation } from '@contract/models';

/** The running elevation, if its time has not passed (the list may be a few seconds old). */
export function liveElevation(profile: Profile | null, now = Date.now()): ProfileElevation | null {
  const e = profile?.elevation ?? null;
  return e && Date.parse(e.expiresAt) > now ? e : null;
}

/** An action that changes the server on this profile needs an elevation first. */
export function needsElevation(profile: Profile): boolean {
  return profile.readOnly && profile.env === 'production' && liveElevation(profile) === null;
}

/** Where elevation cannot help: what is missing, and the fix (null when nothing blocks the action). */
export function elevationBlocker(profile: Profile): { message: string; fix: 'edit-profile' } | null {
  if (!profile.readOnly || profile.env === 'production') return null;
  return {
    message: `"${profile.name}" is a read-only ${profile.env} profile: it only observes, and elevation is the emergency path for production only. Make it read-write in its settings to act on the server.`,
    fix: 'edit-profile',
  };
}

export type ElevationChoice = 'action' | '5' | '15' | '30';
export const ELEVATION_CHOICES: Array<{ value: ElevationChoice; label: string }> = [
  { value: 'action', label: 'This action only' },
  { value: String(ELEVATION_DEFAULT_MINUTES) as ElevationChoice, label: `${ELEVATION_DEFAULT_MINUTES} minutes` },
  { value: '15', label: '15 minutes' },
  { value: '30', label: '30 minutes' },
];

export function elevationRequest(choice: ElevationChoice): { mode: 'action' | 'window'; minutes?: number } {
  return choice === 'action' ? { mode: 'action' } : { mode: 'window', minutes: Number(choice) };
}

/** "4:32" — what the band shows. */
export function timeLeft(e: ProfileElevation, now = Date.now()): string {
  const s = Math.max(0, Math.ceil((Date.parse(e.expiresAt) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
