// The built-in Timothie & Co runbook that ships with the app: every section of the
// team's runbook document as procedures, written in our own words and corrected for
// current PostgreSQL where the document's SQL is wrong (steps carry a `correction`).
import { OpsError } from '../../contract/errors';
import type { ChecklistSummary } from '../../contract/runbook';
import { EVENING, MORNING } from './builtin-checklists';
import { OTHER_PROCEDURES } from './builtin-procedures';
import type { Procedure, Runbook } from './model';

export const BUILTIN_RUNBOOK: Runbook = {
  id: 'timothie-and-co',
  title: 'Timothie & Co database runbook',
  source: 'Built in: the Timothie & Co jewelry customizer runbook (last reviewed 2025-08-02), adapted to current PostgreSQL.',
  procedures: [
    ...OTHER_PROCEDURES.filter((p) => p.section === 'Emergency Procedures'),
    MORNING,
    EVENING,
    ...OTHER_PROCEDURES.filter((p) => p.section !== 'Emergency Procedures'),
  ],
};

export function checklists(runbook: Runbook = BUILTIN_RUNBOOK): Procedure[] {
  return runbook.procedures.filter((p) => p.checklist !== undefined);
}

export function checklistSummary(procedure: Procedure): ChecklistSummary {
  return { id: procedure.checklist ?? procedure.id, title: procedure.title, description: procedure.description, steps: procedure.steps.length };
}

/** A checklist by its run name ("morning") or procedure id ("daily.morning"). */
export function findChecklist(name: string, runbook: Runbook = BUILTIN_RUNBOOK): Procedure {
  const all = checklists(runbook);
  const found = all.find((p) => p.checklist === name || p.id === name);
  if (!found) throw new OpsError('NOT_FOUND', `There is no checklist "${name}". Checklists: ${all.map((p) => p.checklist).join(', ')}.`);
  return found;
}

/**
 * What runChecklist runs: a checklist by its run name, or any procedure of the runbook by
 * its id ("maintenance.weekly"), so every procedure's read steps can be checked the same way.
 */
export function findProcedure(name: string, runbook: Runbook = BUILTIN_RUNBOOK): Procedure {
  const all = checklists(runbook);
  const found = all.find((p) => p.checklist === name) ?? runbook.procedures.find((p) => p.id === name);
  if (found) return found;
  const example = runbook.procedures.find((p) => p.checklist === undefined)?.id;
  throw new OpsError(
    'NOT_FOUND',
    `There is no checklist "${name}" and no procedure with that id. Checklists: ${all.map((p) => p.checklist).join(', ')}; any procedure of the runbook also runs by its id${example ? ` (e.g. "${example}")` : ''}: see listProcedures.`,
  );
}
