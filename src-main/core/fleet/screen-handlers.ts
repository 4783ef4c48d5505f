// The Fleet screen's operations (issue #22). getFleet reads the local store only. refreshFleet
// runs the very overview the Performance screen runs (monitoring's runOverview: the same
// queries, thresholds, snapshot and last-overview record) on every selected profile through
// the fleet runner — a bounded number at once, a timeout per target — and pushes each finished
// target's new row as a `fleet.refresh` event, so the screen's rows change as results arrive.
// A target's failure is its row's connection state; the refresh itself fails only on bad input.
import crypto from 'node:crypto';
import type { FleetRefreshEvent, FleetRow } from '../../contract/fleet-screen';
import type { fleetScreenOperations } from '../../contract/operations-fleet-screen';
import { lastOverviewOf, pruneLastOverviews, recordLastOverview, runOverview, type XactSamples } from '../monitoring';
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { plural } from '../platform/text/plural';
import { runFleet } from './runner';
import { fleetRow, fleetView, selectByTag } from './screen-rows';

export type FleetScreenOps = keyof typeof fleetScreenOperations;

export interface FleetScreen {
  handlers: Pick<Handlers, FleetScreenOps>;
  /** Stops running refreshes (the core is closing): their targets end as cancelled. */
  dispose(): Promise<void>;
}

export function fleetScreen(deps: CoreDeps): FleetScreen {
  // Transactions per second need two samples of the same profile: a refresh keeps its own.
  const samples: XactSamples = new Map();
  const running = new Set<{ controller: AbortController; done: Promise<unknown> }>();

  const emit = (event: FleetRefreshEvent) => deps.events.emit(event);

  return {
    handlers: {
      getFleet: function getFleet(input) {
        return fleetView(deps, input.tag);
      },
      refreshFleet: async function refreshFleet(input, ctx) {
        const started = Date.now();
        const refreshId = input.refreshId ?? crypto.randomUUID();
        const targets = selectByTag(deps.profiles.list(), input.tag);
        const scope = input.tag ? `profiles tagged ${input.tag}` : 'every profile';
        ctx.audit.summary = `fleet refresh of ${scope}: ${plural(targets.length, 'profile')}, ${input.concurrency} at once, ${input.timeoutMs / 1000} s each`;
        pruneLastOverviews(deps.store);
        const total = targets.length;
        let done = 0;
        let failed = 0;
        emit({ type: 'fleet.refresh', refreshId, phase: 'started', done, total, at: new Date().toISOString() });
        const controller = new AbortController();
        const work = runFleet(
          targets,
          {
            concurrency: input.concurrency,
            timeoutMs: input.timeoutMs,
            signal: controller.signal,
            onResult: (result) => {
              done++;
              // runOverview records what it found, unless the runner gave up on it first (its
              // timeout or a cancel): then this error is the outcome the row shows.
              if (!result.ok) {
                failed++;
                recordLastOverview(deps.store, result.profileId, { error: result.error });
              }
              const profile = deps.profiles.get(result.profileId);
              if (!profile) return;
              const row: FleetRow = fleetRow(deps, profile, lastOverviewOf(deps.store, profile.id), new Date());
              emit({ type: 'fleet.refresh', refreshId, phase: 'target', done, total, row, at: new Date().toISOString() });
            },
          },
          (profile, signal) => runOverview(deps, profile, { samples, signal }),
        );
        const entry = { controller, done: work };
        running.add(entry);
        try {
          await work;
        } finally {
          running.delete(entry);
          emit({ type: 'fleet.refresh', refreshId, phase: 'done', done, total, at: new Date().toISOString() });
        }
        ctx.audit.summary += `: ${total - failed} answered, ${failed} failed`;
        if (controller.signal.aborted) ctx.audit.failed = 'the app closed while the refresh ran';
        return { ...fleetView(deps, input.tag), refreshId, refreshed: total, failed, durationMs: Date.now() - started };
      },
    },
    async dispose() {
      for (const r of running) r.controller.abort(new Error('the app closed while the fleet refresh ran'));
      await Promise.allSettled([...running].map((r) => r.done));
    },
  };
}
