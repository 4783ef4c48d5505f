// Contract handlers for runbooks and checklists (issue #5). The dispatcher audits
// runChecklist around the call; the engine fills in profile, summary and each step's verdict,
// judged by the profile's own thresholds, and pushes a checklist.step event per step when
// the caller passes a runId (the screen shows steps as they finish).
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { checklists, checklistSummary, findProcedure } from './builtin';
import { runChecklist } from './checklist';
import { calendarHandlers } from './calendar-handlers';
import { importHandlers } from './import-handlers';
import { libraryHandlers } from './library-handlers';
import { checklistRunHandlers } from './run-handlers';
import { profileThresholds } from './thresholds-store';
import { writeStepHandlers } from './write-handlers';

export type RunbookOps =
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
      const procedure = findProcedure(input.checklistId);
      const profile = deps.profiles.require(input.profileId);
      const { runId } = input;
      return runChecklist(
        deps,
        procedure,
        profile,
        {
          password: input.password,
          stepIds: input.stepIds,
          thresholds: profileThresholds(deps, profile.id),
          // emit, not emitAndWait: a handful of small events, and a slow page must not hold
          // the read-only transaction open on the server.
          ...(runId !== undefined ? { onStep: (index, total, step) => deps.events.emit({ type: 'checklist.step', runId, index, total, step }) } : {}),
        },
        ctx.audit,
      );
    },
  };
}
