// Contract handlers for signed-off checklist runs: sign-off, history, reopen, export.
// The dispatcher audits sign-off and export around the call; these fill in the profile
// and a summary a DBA can read in the audit trail.
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { exportRun } from './runs-export';
import { findingsDiff } from './runs-diff';
import { getRun, listRuns, signOffRun } from './runs';

type RunOps = 'signOffChecklistRun' | 'listChecklistRuns' | 'getChecklistRun' | 'exportChecklistRun';

export function checklistRunHandlers(deps: CoreDeps): Pick<Handlers, RunOps> {
  return {
    signOffChecklistRun: function signOffChecklistRun(input, ctx) {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      ctx.audit.summary = `checklist ${input.result.checklist} on ${profile.name}: sign-off refused`;
      const run = signOffRun(deps, profile, ctx.actor, input);
      const { done, skipped, escalated } = run.decisions;
      ctx.audit.summary = `checklist ${run.checklistId} on ${profile.name} signed off: ${run.status.toUpperCase()} (${done} done, ${skipped} skipped, ${escalated} escalated)`;
      ctx.audit.detail = [
        `run ${run.id}, checks ran at ${run.startedAt}`,
        ...run.stepDecisions.map((d) => `${d.decision.toUpperCase()} ${d.stepId}${d.reason ? `: ${d.reason}` : ''}`),
        ...(run.note ? [`note: ${run.note}`] : []),
      ].join('\n');
      return run;
    },
    listChecklistRuns: function listChecklistRuns(input) {
      return { runs: listRuns(deps, input) };
    },
    getChecklistRun: function getChecklistRun(input) {
      return getRun(deps, input.id);
    },
    exportChecklistRun: function exportChecklistRun(input, ctx) {
      const run = getRun(deps, input.id);
      ctx.audit.profile = run.profileName;
      const exported = exportRun(run, input.format, findingsDiff(deps, run));
      ctx.audit.summary = `checklist run ${run.checklistId} on ${run.profileName} (signed ${run.signedAt}) exported as ${input.format}: ${exported.filename}`;
      return exported;
    },
  };
}
