// Contract handlers for the overview (health checks) and the stored history. The previous
// transaction-counter sample per profile lives with the core, so transactions per second
// come from the screen's own refreshes (a fresh CLI process has none: null). Each overview's
// outcome is kept for the Fleet screen (overview-last.ts).
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import type { XactSamples } from './overview';
import { runOverview } from './overview-last';
import { metricHistory } from './snapshots';

export function overviewHandlers(deps: CoreDeps): Pick<Handlers, 'getOverview' | 'getMetricHistory'> {
  const samples: XactSamples = new Map();
  return {
    getOverview: function getOverviewHandler(input) {
      const profile = deps.profiles.require(input.profileId);
      return runOverview(deps, profile, { samples, ...(input.password !== undefined ? { password: input.password } : {}) });
    },
    getMetricHistory: function getMetricHistory(input) {
      const profile = deps.profiles.require(input.profileId);
      return Promise.resolve(metricHistory(deps.store, profile.id, input.metric, input.hours));
    },
  };
}
