// The fleet domain's operations: many profiles at once: tags, bounded concurrent health and checklist runs, the Fleet screen's rows (issue #22).
// fleetHealth and fleetChecklistRun run the single-profile code (monitoring's runOverview,
// runbook's runChecklist) per target through runs.ts; a target's failure is its result.
import type { Overview } from '../../contract/monitoring';
import type { ChecklistRunResult } from '../../contract/runbook';
import type { fleetOperations } from '../../contract/operations-fleet';
import { runOverview, type XactSamples } from '../monitoring';
import { findProcedure, profileThresholds, runChecklist } from '../runbook';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import { runFleetKind } from './runs';

export type FleetOps = keyof typeof fleetOperations;

/** The worst check's label and summary, the line a DBA reads first. */
function worstCheck(o: Overview): string {
  const rank = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
  const worst = [...o.checks].sort((a, b) => rank[b.status] - rank[a.status])[0];
  return worst && worst.status !== 'ok' ? `${worst.label}: ${worst.summary}` : `all ${o.checks.length} checks ok`;
}

export function fleetHandlers(deps: CoreDeps): Pick<Handlers, FleetOps> {
  return {
    fleetHealth: function fleetHealth(input, ctx) {
      // Transactions per second need two samples; a single pass has none (null), as `health` in a fresh CLI.
      const samples: XactSamples = new Map();
      return runFleetKind<Overview>(deps, input, ctx, {
        action: 'health.check',
        label: 'health',
        run: (profile, _note, signal) => runOverview(deps, profile, { samples, signal }),
        statusOf: (o) => o.status,
        summaryOf: (profile, o) => `health on ${profile.name}: ${worstCheck(o)}`,
      });
    },
    fleetChecklistRun: async function fleetChecklistRun(input, ctx) {
      // An unknown checklist is the call's error, before any target is touched.
      const procedure = findProcedure(input.checklistId);
      const run = await runFleetKind<ChecklistRunResult>(deps, input, ctx, {
        action: 'checklist.run',
        label: `checklist ${input.checklistId}`,
        run: (profile, note) => runChecklist(deps, procedure, profile, { thresholds: profileThresholds(deps, profile.id) }, note),
        statusOf: (r) => r.status,
        summaryOf: (profile, r, note) => note.summary ?? `${r.title} on ${profile.name}`,
      });
      return { ...run, checklist: procedure.checklist ?? procedure.id, title: procedure.title };
    },
  };
}
