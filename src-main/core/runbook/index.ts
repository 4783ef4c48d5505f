// The runbook domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/runbook/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { runbookHandlers, type RunbookOps } from './handlers';

export type { RunbookOps };
export { snippetSql } from './builtin-steps';
// For fleet checklist runs (issue #22): the same lookup and engine as runChecklist's handler.
export { findProcedure } from './builtin';
export { runChecklist } from './checklist';
export { dueReminders, maintenanceCalendar } from './calendar';
export { exitCodeFor, formatValue, judge, worstStatus } from './thresholds';
export type { Threshold, ThresholdKey } from './thresholds';
export { profileThresholds } from './thresholds-store';

export function runbookModule(deps: CoreDeps): DomainModule<RunbookOps> {
  return { handlers: runbookHandlers(deps) };
}
