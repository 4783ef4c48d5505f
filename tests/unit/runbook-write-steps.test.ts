// The built-in runbook's write and destructive steps: each SQL one either has a preview
// that selects exactly what it writes (same table, same WHERE, compared on the real
// PostgreSQL parse trees) or is refused with a reason; reads, actions and manual steps
// are refused; the run's token depends on the statement and the set of keys only.
import { loadModule, parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { BUILTIN_RUNBOOK } from '../../src-main/core/runbook/builtin';
import type { Step } from '../../src-main/core/runbook/model';
import { listingToken, runnableStep } from '../../src-main/core/runbook/write-steps';

type Tree = Record<string, unknown>;

/** The parse tree without source positions, so equal SQL in other layouts compares equal. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'location' && !/_(start|end)$/.test(k))
      .map(([k, v]) => [k, strip(v)]),
  );
}

function only(sql: string): Tree {
  const { stmts } = parseSync(sql) as { stmts: Array<{ stmt: Tree }> };
  expect(stmts).toHaveLength(1);
  return stmts[0]!.stmt;
}

/** The table and WHERE a statement acts on: UPDATE/DELETE's relation, or a SELECT's FROM. */
function target(sql: string): { from: unknown; where: unknown } {
  const stmt = only(sql);
  const [kind, body] = Object.entries(stmt)[0] as [string, Tree];
  if (kind === 'UpdateStmt' || kind === 'DeleteStmt') return { from: strip([{ RangeVar: body.relation }]), where: strip(body.whereClause) };
  if (kind === 'SelectStmt') return { from: strip(body.fromClause), where: strip(body.whereClause) };
  throw new Error(`unexpected statement ${kind} in ${sql}`);
}

const procedureOf = (step: Step) => BUILTIN_RUNBOOK.procedures.find((p) => p.steps.includes(step))!;
const allSteps = BUILTIN_RUNBOOK.procedures.flatMap((p) => p.steps);
const writingSql = allSteps.filter((s) => s.kind !== 'read' && s.run.type === 'sql');

function refusal(procedureId: string, stepId: string): OpsError {
  try {
    runnableStep(procedureId, stepId);
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error(`${stepId} was accepted`);
}

beforeAll(() => loadModule());

describe('previews of the built-in write steps', () => {
  it('covers the runbook steps the issue names, and previews select exactly what the step writes', () => {
    const previewed = writingSql.filter((s) => s.run.type === 'sql' && s.run.preview !== undefined).map((s) => s.id);
    expect(previewed).toEqual(
      expect.arrayContaining([
        'troubleshooting.inventory.reset',
        'emergency.storage.archive-orders',
        'troubleshooting.connections.terminate-idle',
        'emergency.database-down.terminate-idle',
      ]),
    );
    for (const step of writingSql) {
      if (step.run.type !== 'sql' || step.run.preview === undefined) continue;
      expect(only(step.run.preview)).toHaveProperty('SelectStmt');
      expect([step.id, target(step.run.preview)]).toEqual([step.id, target(step.run.sql)]);
      // Without a WHERE the "same rows" claim would be trivially every row: none of these may lack one.
      expect(target(step.run.sql).where).toBeTruthy();
    }
  });

  it('marks the steps that end sessions as immediate (a ROLLBACK does not bring them back)', () => {
    for (const step of writingSql) {
      if (step.run.type !== 'sql' || step.run.preview === undefined) continue;
      expect([step.id, step.run.immediate === true]).toEqual([step.id, /pg_terminate_backend/.test(step.run.sql)]);
    }
  });

  it('refuses a writing SQL step without a preview (VACUUM) with the reason', () => {
    const vacuum = writingSql.find((s) => s.id === 'maintenance.weekly.vacuum')!;
    expect(vacuum.run.type === 'sql' && vacuum.run.preview).toBeFalsy();
    const err = refusal(procedureOf(vacuum).id, vacuum.id);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/no preview.*VACUUM/);
  });

  it('refuses reads, actions, manual steps and unknown ids', () => {
    expect(refusal('troubleshooting.inventory-sync', 'troubleshooting.inventory.negative')).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/only reads/),
    });
    expect(refusal('emergency.high-load', 'emergency.high-load.terminate').code).toBe('INVALID_INPUT');
    expect(refusal('recovery.corruption', 'recovery.corruption.pitr').code).toBe('INVALID_INPUT');
    expect(refusal('troubleshooting.inventory-sync', 'nope').code).toBe('NOT_FOUND');
    expect(refusal('nope', 'troubleshooting.inventory.reset').code).toBe('NOT_FOUND');
    expect(runnableStep('troubleshooting.inventory-sync', 'troubleshooting.inventory.reset')).toMatchObject({
      immediate: false,
      statement: expect.stringMatching(/^UPDATE inventory/),
    });
  });
});

describe('listingToken', () => {
  it('depends on the statement and the set of keys, not their order', () => {
    const a = listingToken('UPDATE t SET x = 0 WHERE y < 0', ['3', '1', '2']);
    expect(listingToken('UPDATE t SET x = 0 WHERE y < 0', ['1', '2', '3'])).toBe(a);
    expect(listingToken('UPDATE t SET x = 0 WHERE y < 0', ['1', '2', '4'])).not.toBe(a);
    expect(listingToken('UPDATE t SET x = 1 WHERE y < 0', ['1', '2', '3'])).not.toBe(a);
    expect(listingToken('UPDATE t SET x = 0 WHERE y < 0', ['12', '3'])).not.toBe(listingToken('UPDATE t SET x = 0 WHERE y < 0', ['1', '23']));
  });
});
