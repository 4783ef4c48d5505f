// Contract handlers for runbooks and checklists (issue #5). The dispatcher audits
// runChecklist around the call; the engine fills in profile, summary and each step's verdict.
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';
import { checklists, checklistSummary, findChecklist } from './builtin';
import { runChecklist } from './checklist';
import { importHandlers } from './import-handlers';
import { checklistRunHandlers } from './run-handlers';
import { writeStepHandlers } from './write-handlers';

export function runbookHandlers(deps: CoreDeps): Pick<Handlers, 'importRunbook' | 'listChecklists' | 'runChecklist' | 'signOffChecklistRun' | 'listChecklistRuns' | 'getChecklistRun' | 'exportChecklistRun' | 'previewRunbookStep' | 'runRunbookStep'> {
  return {
    ...importHandlers(deps),
    ...checklistRunHandlers(deps),
    ...writeStepHandlers(deps),
    listChecklists: function listChecklists() {
      return { checklists: checklists().map(checklistSummary) };
    },
    runChecklist: function runChecklistHandler(input, ctx) {
      const procedure = findChecklist(input.checklistId);
      const profile = deps.profiles.require(input.profileId);
      return runChecklist(deps, procedure, profile, { password: input.password }, ctx.audit);
    },
  };
}
