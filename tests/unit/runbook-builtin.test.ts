// The built-in runbook as data: every section of the document is there, ids are stable
// and unique, read steps really read (checked with the real PostgreSQL parser), steps that
// change things say so, and where the document's SQL is wrong the step says why.
import { describe, expect, it } from 'vitest';
import { planScript } from '../../src-main/core/platform/guard/statements/classify';
import { BUILTIN_SNIPPETS } from '../../src-main/core/query/snippets-builtin';
import { BUILTIN_RUNBOOK, checklists, findChecklist } from '../../src-main/core/runbook/builtin';
import type { Step } from '../../src-main/core/runbook/model';

const steps: Step[] = BUILTIN_RUNBOOK.procedures.flatMap((p) => p.steps);

describe('the built-in Timothie & Co runbook', () => {
  it('covers every section of the document', () => {
    const sections = new Set(BUILTIN_RUNBOOK.procedures.map((p) => p.section));
    expect([...sections].sort()).toEqual(
      [
        'Backup Procedures',
        'Daily Operations',
        'Disaster Recovery',
        'Emergency Procedures',
        'Maintenance Calendar',
        'Performance Monitoring',
        'Troubleshooting Guide',
      ].sort(),
    );
    const titles = BUILTIN_RUNBOOK.procedures.map((p) => p.title).join('\n');
    for (const heading of [
      'Database down',
      'High CPU',
      'Storage space critical',
      'Morning checklist',
      'Evening checklist',
      'Manual backup',
      'corruption',
      'platform failure',
      'drill',
      'Slow query',
      'Connection pool exhaustion',
      'Inventory synchronization',
      'Weekly',
      'Quarterly',
    ]) {
      expect(titles).toContain(heading);
    }
  });

  it('has unique procedure and step ids, and no empty procedure', () => {
    const ids = [...BUILTIN_RUNBOOK.procedures.map((p) => p.id), ...steps.map((s) => s.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of BUILTIN_RUNBOOK.procedures) expect(p.steps.length, p.id).toBeGreaterThan(0);
  });

  it("runs the query library's SQL rather than a copy of it", () => {
    const bySql = new Map(BUILTIN_SNIPPETS.map((s) => [s.sql, s.slug]));
    for (const step of steps) {
      if (step.run.type !== 'sql') continue;
      if (step.run.snippet !== undefined) expect(bySql.get(step.run.sql), step.id).toBe(step.run.snippet);
      else expect(bySql.has(step.run.sql), `${step.id} copies a snippet`).toBe(false);
    }
  });

  it('read steps are exactly one statement that reads and returns rows; others change something', async () => {
    for (const step of steps) {
      if (step.run.type !== 'sql') continue;
      const plans = await planScript(step.run.sql);
      expect(plans.length, step.id).toBe(1);
      if (step.kind === 'read') expect([step.id, plans[0]!.kind, plans[0]!.returnsRows]).toEqual([step.id, 'read', true]);
      // A SELECT of pg_terminate_backend() is structurally a read; the catalog makes it a
      // write (tests/security/guard-attacks.test.ts), so here it only has to call a function.
      else if (plans[0]!.kind === 'read') expect(plans[0]!.refs.functions.length, step.id).toBeGreaterThan(0);
    }
  });

  it('uses current PostgreSQL names and says where the document was wrong', () => {
    for (const step of steps) {
      if (step.run.type !== 'sql') continue;
      expect(step.run.sql, step.id).not.toMatch(/\b(total_time|mean_time)\b/);
      if (/pg_stat_statements/.test(step.run.sql) && step.id.startsWith('morning.')) expect(step.correction, step.id).toMatch(/total_exec_time|mean_exec_time/);
      if (/^\s*VACUUM/i.test(step.run.sql)) expect(step.correction ?? '', step.id).toMatch(/VACUUM|vacuum/);
    }
    const maintenance = findChecklist('evening').steps.find((s) => s.id === 'evening.vacuum-analyze')!;
    expect(maintenance.correction).toMatch(/VACUUM cannot run inside a function/);
    expect(maintenance.kind).toBe('write');
  });
});

describe('checklists', () => {
  it('are the morning and evening checklists', () => {
    expect(checklists().map((c) => c.checklist)).toEqual(['morning', 'evening', 'security']);
    expect(findChecklist('daily.morning').checklist).toBe('morning');
    expect(() => findChecklist('midnight')).toThrow(/no checklist "midnight".*morning, evening/);
  });

  it('judge every read step with a rule, except the two lists that are only for reading', () => {
    const unjudged = checklists()
      .flatMap((c) => c.steps)
      .filter((s) => s.kind === 'read' && s.run.type === 'sql' && !s.rule)
      .map((s) => s.id);
    expect(unjudged).toEqual(['morning.index-usage', 'evening.designs-today']);
  });

  it("the morning low-stock step follows the runbook's Low Stock threshold", () => {
    const step = findChecklist('morning').steps.find((s) => s.id === 'morning.low-stock')!;
    expect(step.rule).toMatchObject({ metric: { type: 'rowCount' }, threshold: 'lowStock' });
  });
});
