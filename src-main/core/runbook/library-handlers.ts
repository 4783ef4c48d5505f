// Contract handlers for the runbook library (issue #5): the built-in runbook's procedures
// as the runbook screen shows them, and the Markdown runbooks saved after import. Deleting
// a saved runbook is audited by the dispatcher; the handler names what was deleted.
import type { ProcedureInfo, ProcedureStepInfo } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { BUILTIN_RUNBOOK } from './builtin';
import { BUILTIN_ACTIONS, type Procedure, type Step } from './model';
import { deleteSavedRunbook, getSavedRunbook, listSavedRunbooks } from './saved-runbooks';

type LibraryOps = 'listProcedures' | 'listRunbooks' | 'getRunbook' | 'deleteRunbook';

/** What the screen needs to show a step, by how it runs. */
function runInfo(step: Step): Omit<ProcedureStepInfo, 'id' | 'title' | 'explanation' | 'kind'> {
  const run = step.run;
  switch (run.type) {
    case 'sql':
      // A write with a preview is what previewRunbookStep / runRunbookStep accept (write-steps.ts).
      return { type: 'sql', sql: run.sql, ...(step.kind !== 'read' && run.preview !== undefined ? { previewable: true } : {}) };
    case 'action':
      return { type: 'action', action: run.action, actionLabel: BUILTIN_ACTIONS[run.action] };
    case 'manual':
      return { type: 'manual', instruction: run.instruction };
    case 'check':
      return { type: 'check', check: run.check };
  }
}

export function stepInfo(step: Step): ProcedureStepInfo {
  return {
    id: step.id,
    title: step.title,
    explanation: step.explanation,
    kind: step.kind,
    ...runInfo(step),
    ...(step.correction !== undefined ? { correction: step.correction } : {}),
    ...(step.rule !== undefined ? { threshold: step.rule.threshold } : {}),
  };
}

export function procedureInfo(procedure: Procedure): ProcedureInfo {
  return {
    id: procedure.id,
    title: procedure.title,
    section: procedure.section,
    description: procedure.description,
    checklist: procedure.checklist ?? null,
    cadence: procedure.cadence ?? null,
    steps: procedure.steps.map(stepInfo),
  };
}

export function libraryHandlers(deps: CoreDeps): Pick<Handlers, LibraryOps> {
  return {
    listProcedures: function listProcedures() {
      const { id, title, source } = BUILTIN_RUNBOOK;
      return { runbook: { id, title, source }, procedures: BUILTIN_RUNBOOK.procedures.map(procedureInfo) };
    },
    listRunbooks: function listRunbooks() {
      return { runbooks: listSavedRunbooks(deps) };
    },
    getRunbook: function getRunbook(input) {
      return getSavedRunbook(deps, input.id);
    },
    deleteRunbook: function deleteRunbook(input, ctx) {
      ctx.audit.summary = `saved runbook ${input.id}: delete refused (not found)`;
      const removed = deleteSavedRunbook(deps, input.id);
      ctx.audit.summary = `Deleted the saved runbook "${removed.title}"${removed.source ? ` (from ${removed.source})` : ''}`;
      ctx.audit.detail = `id ${removed.id}, imported ${removed.importedAt}: ${removed.procedures} procedures, ${removed.steps} steps (${removed.sqlSteps} SQL)`;
      return { removed: true as const };
    },
  };
}
