// Contract handlers for a profile's alert thresholds and its maintenance calendar. The
// dispatcher audits setThresholds around the call; the handler names the profile and says
// exactly which values moved, so the audit trail answers "who raised the alert level".
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { maintenanceCalendar } from './calendar';
import { applyThresholds, describeChanges, thresholdSettings } from './thresholds-store';

export function calendarHandlers(deps: CoreDeps): Pick<Handlers, 'getThresholds' | 'setThresholds' | 'getMaintenanceCalendar'> {
  return {
    getThresholds: function getThresholds(input) {
      const profile = deps.profiles.require(input.profileId);
      return { profileId: profile.id, thresholds: thresholdSettings(deps, profile.id) };
    },
    setThresholds: function setThresholds(input, ctx) {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      ctx.audit.summary = `thresholds on ${profile.name}: change refused`;
      const changes = applyThresholds(deps, profile.id, { values: input.values, reset: input.reset });
      ctx.audit.summary = `thresholds on ${profile.name}: ${describeChanges(changes)}`;
      return { profileId: profile.id, thresholds: thresholdSettings(deps, profile.id) };
    },
    getMaintenanceCalendar: function getMaintenanceCalendar(input) {
      const profile = deps.profiles.require(input.profileId);
      return maintenanceCalendar(deps, profile.id);
    },
  };
}
