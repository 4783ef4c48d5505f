// The checklists screen's sign-off rules: every step decided, every skip with a reason;
// what is sent leaves blanks out and never invents a decision.
import { describe, expect, it } from 'vitest';
import type { ChecklistStepResult } from '../../src-main/contract/runbook';
import { missingDecisions, toDecisions, type Drafts } from '../../src-renderer/src/screens/checklists/checklist-model';

function step(id: string): ChecklistStepResult {
  return { id, title: `Step ${id}`, kind: 'read', status: 'ok', summary: '', value: null, warn: null, critical: null, columns: [], rows: [], rowCount: 0, durationMs: 0 };
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
