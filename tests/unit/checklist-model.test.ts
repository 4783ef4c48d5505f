// The checklists screen's sign-off rules: every step decided, every skip with a reason;
// what is sent leaves blanks out and never invents a decision.
import { describe, expect, it } from 'vitest';
import type { ChecklistRunResult, ChecklistStepResult, ProcedureInfo } from '../../src-main/contract/runbook';
import {
  actionTarget,
  draftAfterWrite,
  EMPTY_DRAFT,
  findProcedure,
  choiceFor,
  groupProcedures,
  missingDecisions,
  overallStatus,
  progressLabel,
  ranLine,
  shownSummary,
  replaceStep,
  toDecisions,
  type Drafts,
} from '../../src-renderer/src/screens/checklists/checklist-model';

function step(id: string, status: ChecklistStepResult['status'] = 'ok', kind: ChecklistStepResult['kind'] = 'read'): ChecklistStepResult {
  return { id, title: `Step ${id}`, kind, status, summary: '', value: null, warn: null, critical: null, columns: [], rows: [], rowCount: 0, durationMs: 0 };
}

const steps = [step('a'), step('b'), step('c')];

describe('checklist sign-off readiness', () => {
  it('names undecided steps and skips without a reason (blank is no reason)', () => {
    const drafts: Drafts = { a: { decision: 'done', reason: '', note: '' }, b: { decision: 'skipped', reason: '   ', note: '' } };
    expect(missingDecisions(steps, drafts).map((m) => [m.step.id, m.lacks])).toEqual([
      ['b', 'reason'],
      ['c', 'decision'],
    ]);
    drafts.b = { decision: 'skipped', reason: 'not today', note: '' };
    drafts.c = { decision: 'escalated', reason: '', note: '' };
    expect(missingDecisions(steps, drafts)).toEqual([]);
  });

  it('sends trimmed reasons and notes, only for a skip a reason, and no decision for an undecided step', () => {
    const drafts: Drafts = {
      a: { decision: 'done', reason: 'left over from a skip', note: '  ok  ' },
      b: { decision: 'skipped', reason: ' stats reset ', note: '' },
    };
    expect(toDecisions(steps, drafts)).toEqual([
      { stepId: 'a', decision: 'done', note: 'ok' },
      { stepId: 'b', decision: 'skipped', reason: 'stats reset' },
    ]);
  });
});

describe('step-by-step runs', () => {
  it('the overall status is the worst of the steps that ran: CRITICAL > UNKNOWN > WARNING > OK', () => {
    expect(overallStatus([])).toBe('ok');
    expect(overallStatus([step('a', 'skipped'), step('b', 'manual'), step('w', 'skipped', 'destructive')])).toBe('ok');
    expect(overallStatus([step('a', 'ok'), step('b', 'warning'), step('c', 'skipped')])).toBe('warning');
    expect(overallStatus([step('a', 'warning'), step('b', 'unknown'), step('c', 'ok')])).toBe('unknown');
    expect(overallStatus([step('a', 'unknown'), step('b', 'critical'), step('c', 'warning')])).toBe('critical');
    expect(overallStatus([step('a', 'critical'), step('b', 'unknown')])).toBe('critical');
    // Not applicable to this database (a table it reads is missing) never worsens the run.
    expect(overallStatus([step('a', 'ok'), step('b', 'not_applicable'), step('c', 'not_applicable')])).toBe('ok');
    expect(overallStatus([step('a', 'warning'), step('b', 'not_applicable')])).toBe('warning');
  });

  it('a step run on its own replaces that step only, and the status follows from all the steps', () => {
    const run: ChecklistRunResult = {
      checklist: 'troubleshooting.inventory-sync',
      title: 'Inventory',
      profile: 'sandbox',
      status: 'ok',
      startedAt: '2025-01-01T09:00:00.000Z',
      durationMs: 0,
      steps: [step('a', 'skipped'), step('b', 'skipped'), step('w', 'skipped', 'write')],
    };
    const afterA = replaceStep(run, { ...step('a', 'critical'), rowCount: 3 });
    expect(afterA.steps.map((s) => s.status)).toEqual(['critical', 'skipped', 'skipped']);
    expect(afterA.status).toBe('critical');
    expect(afterA.startedAt).toBe(run.startedAt);
    expect(run.steps[0]!.status).toBe('skipped');
    // Running it again after the fix clears the CRITICAL.
    const fixed = replaceStep(replaceStep(afterA, step('b', 'warning')), step('a', 'ok'));
    expect(fixed.status).toBe('warning');
    // A step that is not part of the run changes nothing.
    expect(replaceStep(run, step('zzz', 'critical'))).toBe(run);
  });

  it('says which step runs now, out of how many', () => {
    expect(progressLabel(['Connections', 'Low stock', 'Sizes'], 0, 3)).toBe('Step 1 of 3: Connections');
    expect(progressLabel(['Connections', 'Low stock', 'Sizes'], 2, 3)).toBe('Step 3 of 3: Sizes');
    expect(progressLabel(['Connections', 'Low stock', 'Sizes'], 3, 3)).toBe('All 3 steps finished');
    expect(progressLabel([], 1, 11)).toBe('Step 2 of 11');
  });

  it('sends action steps to the screen that does them, and the toolkit install to its panel', () => {
    expect(actionTarget('backup')).toMatchObject({ type: 'screen', screen: 'backups' });
    expect(actionTarget('verify-backup')).toMatchObject({ type: 'screen', screen: 'backups' });
    expect(actionTarget('restore')).toMatchObject({ type: 'screen', screen: 'restore' });
    expect(actionTarget('restore-drill')).toMatchObject({ type: 'screen', screen: 'restore' });
    for (const a of ['cancel-session', 'terminate-session', 'sessions-cleanup']) expect(actionTarget(a)).toMatchObject({ type: 'screen', screen: 'activity' });
    expect(actionTarget('install-toolkit')).toMatchObject({ type: 'toolkit' });
    expect(actionTarget('rm-rf')).toBeNull();
    expect(actionTarget(undefined)).toBeNull();
  });

  it('after a write step ran: its note says so, and it is done unless the operator decided otherwise', () => {
    expect(ranLine(3, false)).toBe('Ran: 3 rows changed');
    expect(ranLine(1, true)).toBe('Ran: 1 session ended');
    expect(draftAfterWrite(EMPTY_DRAFT, 'Ran: 3 rows changed', true)).toEqual({ decision: 'done', reason: '', note: 'Ran: 3 rows changed' });
    expect(draftAfterWrite(EMPTY_DRAFT, 'Ran: 3 rows changed', false)).toEqual({ decision: null, reason: '', note: 'Ran: 3 rows changed' });
    expect(draftAfterWrite({ decision: 'escalated', reason: '', note: ' told ops ' }, 'Ran: 0 rows changed', true)).toEqual({
      decision: 'escalated',
      reason: '',
      note: 'told ops; Ran: 0 rows changed',
    });
  });
});

describe('step summaries', () => {
  it("a previewable write step says it runs from its preview; others keep the core's words", () => {
    const write = { ...step('w', 'skipped', 'destructive'), summary: 'Not run by a checklist: use the query console.' };
    const info = { id: 'w', title: 'W', explanation: '', kind: 'destructive' as const, type: 'sql' as const, previewable: true };
    expect(shownSummary(write, info)).toMatch(/^Changes the server \(destructive\): preview/);
    expect(shownSummary(write, { ...info, previewable: false })).toBe(write.summary);
    expect(shownSummary(write, undefined)).toBe(write.summary);
    expect(shownSummary({ ...step('r', 'ok'), summary: '3 rows' }, { ...info, kind: 'read', previewable: true })).toBe('3 rows');
  });
});

describe('procedure choice', () => {
  function procedure(id: string, section: string, checklist: string | null = null): ProcedureInfo {
    return { id, title: `Title ${id}`, section, description: '', checklist, cadence: null, steps: [] };
  }
  const all = [
    procedure('emergency.down', 'Emergency'),
    procedure('daily.morning', 'Daily', 'morning'),
    procedure('daily.evening', 'Daily', 'evening'),
    procedure('emergency.load', 'Emergency'),
  ];

  it('groups procedures by section in runbook order', () => {
    expect(groupProcedures(all)).toEqual([
      {
        group: 'Emergency',
        items: [
          { value: 'emergency.down', label: 'Title emergency.down' },
          { value: 'emergency.load', label: 'Title emergency.load' },
        ],
      },
      {
        group: 'Daily',
        items: [
          { value: 'daily.morning', label: 'Title daily.morning' },
          { value: 'daily.evening', label: 'Title daily.evening' },
        ],
      },
    ]);
  });

  it('remembers a checklist by its run name and finds it by either name', () => {
    expect(choiceFor(all[1]!)).toBe('morning');
    expect(choiceFor(all[0]!)).toBe('emergency.down');
    expect(findProcedure(all, 'morning')?.id).toBe('daily.morning');
    expect(findProcedure(all, 'daily.evening')?.checklist).toBe('evening');
    expect(findProcedure(all, 'nope')).toBeUndefined();
  });
});
