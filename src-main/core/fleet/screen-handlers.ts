// The Fleet screen's operations (issue #22). getFleet reads the local store only. refreshFleet
// runs the very overview the Performance screen runs (monitoring's runOverview: the same
// queries, thresholds, snapshot and last-overview record) on every selected profile through
// the fleet runner — a bounded number at once, a timeout per target — and pushes each finished
// target's new row as a `fleet.refresh` event, so the screen's rows change as results arrive.
// A target's failure is its row's connection state; the refresh itself fails only on bad input.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
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
  /** Stops running refreshes (the core is closing): their targets end as cancelled, their rows as they were. */
  dispose(): Promise<void>;
}

export function fleetScreen(deps: CoreDeps): FleetScreen {
  // Transactions per second need two samples of the same profile: a refresh keeps its own.
  const samples: XactSamples = new Map();
  /** Running refreshes by refreshId: a cancel aborts one, closing the core aborts all. */
  const running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  const emit = (event: FleetRefreshEvent) => deps.events.emit(event);

  return {
    handlers: {
      getFleet: function getFleet(input) {
        return fleetView(deps, input.tag);
      },
      refreshFleet: async function refreshFleet(input, ctx) {
        const started = Date.now();
        const refreshId = input.refreshId ?? crypto.randomUUID();
        // The id is how a screen follows and cancels its refresh: two at once under one id would mix.
        if (running.has(refreshId)) throw new OpsError('INVALID_INPUT', `A fleet refresh with the id ${refreshId} is already running.`);
        const targets = selectByTag(deps.profiles.list(), input.tag);
        const scope = input.tag ? `profiles tagged ${input.tag}` : 'every profile';
        ctx.audit.summary = `fleet refresh of ${scope}: ${plural(targets.length, 'profile')}, ${input.concurrency} at once, ${input.timeoutMs / 1000} s each`;
        pruneLastOverviews(deps.store);
        const total = targets.length;
        let done = 0;
        let failed = 0;
        let cancelled = 0;
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
              // runOverview records what it found, unless the runner gave up on it first: then a
              // timeout is the outcome the row shows; a cancel says nothing about the server, so the
              // row keeps what it had.
              if (!result.ok && result.error.code === 'CANCELLED') cancelled++;
              else if (!result.ok) {
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
        running.set(refreshId, { controller, done: work });
        try {
          await work;
        } finally {
          running.delete(refreshId);
          emit({ type: 'fleet.refresh', refreshId, phase: 'done', done, total, at: new Date().toISOString() });
        }
        ctx.audit.summary += `: ${total - failed - cancelled} answered, ${failed} failed${cancelled > 0 ? `, ${cancelled} cancelled` : ''}`;
        if (controller.signal.aborted) ctx.audit.failed = controller.signal.reason instanceof Error ? controller.signal.reason.message : 'cancelled';
        return { ...fleetView(deps, input.tag), refreshId, refreshed: total - cancelled, failed, cancelled, durationMs: Date.now() - started };
      },
      cancelFleetRefresh: function cancelFleetRefresh(input, ctx) {
        const entry = running.get(input.refreshId);
        ctx.audit.summary = entry ? `fleet refresh ${input.refreshId} cancelled` : `fleet refresh ${input.refreshId}: not running (nothing to cancel)`;
        if (!entry) return { cancelled: false };
        entry.controller.abort(new Error('cancelled by the user'));
        return { cancelled: true };
      },
    },
    async dispose() {
      for (const r of running.values()) r.controller.abort(new Error('the app closed while the fleet refresh ran'));
      await Promise.allSettled([...running.values()].map((r) => r.done));
    },
  };
}
