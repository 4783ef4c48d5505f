// Handlers for elevating a read-only production profile (issue #19; the rule and the
// in-memory registry are core/platform/guard/elevation.ts). Elevation is only for the case
// it exists for: a production profile that is read-only. Elsewhere it is refused before
// anything starts, naming the fix, so no dialog ever leads to a refusal.
import { OpsError } from '../../contract/errors';
import type { Profile, ProfileElevation } from '../../contract/models';
import type { OpParsed } from '../../contract/operations';
import { endElevation, endElevationsOf, markElevated, startElevation, type ElevationOwner } from '../platform/guard/elevation';
import { refuseUnconfirmedProduction } from '../platform/guard/rules';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext } from '../platform/kernel/dispatch';
import { resolvePassword } from '../platform/secrets/password';

/** Why this profile cannot be elevated, or null. The UI asks the same before its dialog (elevationBlocker in the renderer). */
export function elevationRefusal(profile: Profile, deps: Pick<CoreDeps, 'secrets'>): string | null {
  if (!profile.readOnly) return `"${profile.name}" is read-write already: nothing to elevate.`;
  if (profile.env !== 'production')
    return `"${profile.name}" is a ${profile.env} profile: elevation is the emergency path for production. Make it read-write in its settings instead.`;
  if (profile.breakGlassUser) {
    // The password of the role writes would use must be at hand now, not after the dialog.
    const probe = { ...profile };
    markElevated(probe, { id: 'probe', reason: '', mode: 'action', startedAt: '', expiresAt: '', role: profile.breakGlassUser, actor: '' });
    if (resolvePassword(probe, { secrets: deps.secrets }).password === undefined) {
      return `"${profile.name}" has the break-glass role "${profile.breakGlassUser}" but no password for it (saved in the profile, or in ~/.pgpass): add it in the profile's Break-glass section.`;
    }
  }
  return null;
}

function minutesOf(e: ProfileElevation): number {
  return Math.round((Date.parse(e.expiresAt) - Date.parse(e.startedAt)) / 60_000);
}

export function elevationHandlers(deps: CoreDeps): {
  owner: ElevationOwner;
  elevateProfile(input: OpParsed<'elevateProfile'>, ctx: CallContext): ProfileElevation;
  endElevation(input: OpParsed<'endElevation'>, ctx: CallContext): { ended: boolean };
  dispose(): void;
} {
  // An elevation that expires, is used up or ends with the app is audited here; the start
  // and "End now" are audited by the dispatcher around their operations.
  const owner: ElevationOwner = {
    onEnd(elevation, profileName, why) {
      try {
        deps.audit.record({
          actor: elevation.actor,
          action: 'profile.elevation.end',
          profile: profileName,
          summary: `Elevation ${elevation.id.slice(0, 8)} of ${profileName} ended: ${why} (reason was: ${elevation.reason})`,
          detail: null,
          outcome: 'ok',
          durationMs: Date.now() - Date.parse(elevation.startedAt),
        });
      } catch {
        // The store is closing (dispose after close): the process is ending, and with it the elevation.
      }
    },
  };

  return {
    owner,
    elevateProfile(input, ctx) {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      ctx.audit.summary = `Elevation of ${profile.name} refused`;
      refuseUnconfirmedProduction(profile, 'the elevation', input.confirmName, ctx.audit);
      const refusal = elevationRefusal(profile, deps);
      if (refusal !== null) throw new OpsError('CONFLICT', refusal);
      const minutes = input.mode === 'action' ? Math.min(input.minutes, 2) : input.minutes;
      const elevation = startElevation(
        profile,
        { reason: input.reason, mode: input.mode, minutes, actor: ctx.actor, role: profile.breakGlassUser ?? null },
        owner,
      );
      const what = input.mode === 'action' ? `for one action (within ${minutes} min)` : `for ${minutes} min`;
      ctx.audit.summary = `Elevated ${profile.name} ${what}, ${elevation.role ? `writes as break-glass role ${elevation.role}` : 'with its own role'} (elevation ${elevation.id.slice(0, 8)})`;
      ctx.audit.detail = `reason: ${input.reason}`;
      return elevation;
    },
    endElevation(input, ctx) {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      const ended = endElevation(profile.id, 'ended by the user', true);
      ctx.audit.summary = ended
        ? `Ended elevation ${ended.id.slice(0, 8)} of ${profile.name} after ${Math.round((Date.now() - Date.parse(ended.startedAt)) / 1000)} s of ${minutesOf(ended)} min (reason was: ${ended.reason})`
        : `No elevation of ${profile.name} to end`;
      return { ended: ended !== null };
    },
    dispose() {
      endElevationsOf(owner);
    },
  };
}
