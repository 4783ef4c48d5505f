// Contract handlers for the runbook's write and destructive steps (issue #5): preview what
// a step would change, then run it in one transaction. The dispatcher audits both around
// the call (runbook.preview, runbook.step); write-steps.ts fills in the profile, the SQL,
// the summary and the rows affected.
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { previewStep, runStep } from './write-steps';

export function writeStepHandlers(deps: CoreDeps): Pick<Handlers, 'previewRunbookStep' | 'runRunbookStep'> {
  return {
    previewRunbookStep: function previewRunbookStep(input, ctx) {
      const profile = deps.profiles.require(input.profileId);
      return previewStep(deps, profile, input.procedureId, input.stepId, { password: input.password }, ctx.audit);
    },
    runRunbookStep: function runRunbookStep(input, ctx) {
      const profile = deps.profiles.require(input.profileId);
      return runStep(
        deps,
        profile,
        input.procedureId,
        input.stepId,
        { expectedRows: input.expectedRows, token: input.token, confirmName: input.confirmName, password: input.password },
        ctx.audit,
      );
    },
  };
}
