// Contract handlers for runbooks and checklists (issue #5). The dispatcher audits
// runChecklist around the call; the engine fills in profile, summary and each step's verdict.
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';
import { checklists, checklistSummary, findChecklist } from './builtin';
import { runChecklist } from './checklist';
import { calendarHandlers } from './calendar-handlers';
import { importHandlers } from './import-handlers';
import { libraryHandlers } from './library-handlers';
import { checklistRunHandlers } from './run-handlers';
import { writeStepHandlers } from './write-handlers';

type RunbookOps =
  | 'importRunbook'
  | 'listChecklists'
  | 'runChecklist'
  | 'signOffChecklistRun'
  | 'listChecklistRuns'
  | 'getChecklistRun'
  | 'exportChecklistRun'
  | 'previewRunbookStep'
  | 'runRunbookStep'
  | 'listProcedures'
  | 'listRunbooks'
  | 'getRunbook'
  | 'deleteRunbook'
  | 'getThresholds'
  | 'setThresholds'
  | 'getMaintenanceCalendar';

export function runbookHandlers(deps: CoreDeps): Pick<Handlers, RunbookOps> {
  return {
    ...importHandlers(deps),
    ...checklistRunHandlers(deps),
    ...writeStepHandlers(deps),
    ...libraryHandlers(deps),
    ...calendarHandlers(deps),
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
