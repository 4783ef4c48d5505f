// Procedures and step-by-step runs (issue #5) against the real PostgreSQL, on a seeded shop
// database: listProcedures describes every step; any procedure runs by its id; stepIds
// runs only those read steps; a run with a runId pushes one checklist.step event per step
// in order; a pass that needs no server opens no connection; a step calling an ops-toolkit
// function the database lacks says so (needsToolkit) and runs once the toolkit is installed.
import net from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { AppEvent, OpResult } from '../../src-main/contract/operations';
import type { ChecklistRunResult, ChecklistStepEvent, ChecklistRunRecord, ToolkitStatus } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { BUILTIN_RUNBOOK, findProcedure } from '../../src-main/core/runbook/builtin';
import { NOT_IN_THIS_PASS, runChecklist } from '../../src-main/core/runbook/checklist';
import type { Procedure } from '../../src-main/core/runbook/model';
import { callsOn, newTestCore } from '../helpers/core';
import { withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let shop: Profile;
const { ok, fail } = callsOn(() => core);

const INVENTORY = 'troubleshooting.inventory-sync';

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Events of the given runId pushed while `fn` runs. */
async function collecting<T>(runId: string, fn: () => Promise<T>): Promise<{ value: T; events: ChecklistStepEvent[] }> {
  const events: ChecklistStepEvent[] = [];
  const unsubscribe = core.deps.events.subscribe((event: AppEvent) => {
    if (event.type === 'checklist.step' && event.runId === runId) events.push(event);
  });
  try {
    return { value: await fn(), events };
  } finally {
    unsubscribe();
  }
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-checklist-steps-'));
  shopDb = await createShopDatabase(pg, 'cksteps');
  shop = await ok<Profile>('createProfile', {
    profile: {
      name: 'shop',
      host: pg.host,
      port: pg.port,
      database: shopDb.database,
      user: shopDb.role,
      sslmode: 'disable',
      env: 'development',
      readOnly: false,
    },
    password: shopDb.password,
  });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('listProcedures', () => {
  it('describes every procedure and step of the built-in runbook', async () => {
    const { runbook, procedures } = await ok<OpResult<'listProcedures'>>('listProcedures', {});
    expect(runbook.id).toBe(BUILTIN_RUNBOOK.id);
    expect(procedures.map((p) => p.id)).toEqual(BUILTIN_RUNBOOK.procedures.map((p) => p.id));
    const morning = procedures.find((p) => p.id === 'daily.morning')!;
    expect(morning).toMatchObject({ checklist: 'morning', cadence: 'daily' });
    expect(morning.steps.find((s) => s.id === 'morning.low-stock')).toMatchObject({
      type: 'sql',
      kind: 'read',
      threshold: 'lowStock',
      sql: expect.stringContaining('inventory'),
    });
    const inventory = procedures.find((p) => p.id === INVENTORY)!;
    expect(inventory).toMatchObject({ checklist: null, cadence: null });
    expect(inventory.steps.find((s) => s.id === 'troubleshooting.inventory.reset')).toMatchObject({ kind: 'destructive', type: 'sql', previewable: true });
    expect(inventory.steps.find((s) => s.id === 'troubleshooting.inventory.negative')!.previewable).toBeUndefined();
    const drill = procedures.find((p) => p.id === 'recovery.drill')!;
    expect(drill.steps[0]).toMatchObject({ type: 'action', action: 'restore-drill', actionLabel: expect.stringContaining('Restore') });
    expect(drill.steps[1]).toMatchObject({ type: 'manual', instruction: expect.any(String) });
    // A write step without a preview (VACUUM) cannot run from the runbook.
    expect(procedures.find((p) => p.id === 'maintenance.weekly')!.steps.find((s) => s.id === 'maintenance.weekly.vacuum')).toMatchObject({
      kind: 'write',
      type: 'sql',
    });
    expect(procedures.find((p) => p.id === 'maintenance.weekly')!.steps.find((s) => s.id === 'maintenance.weekly.vacuum')!.previewable).toBeUndefined();
  });
});

describe('running a procedure by id', () => {
  it('runs every read step of a procedure that is not a checklist, named by its id', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: INVENTORY, profileId: shop.id });
    expect(result).toMatchObject({ checklist: INVENTORY, title: findProcedure(INVENTORY).title, profile: 'shop' });
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ['troubleshooting.inventory.negative', expect.stringMatching(/^(ok|warning|critical)$/)],
      ['troubleshooting.inventory.reset', 'skipped'],
      ['troubleshooting.inventory.cancelled-orders', expect.stringMatching(/^(ok|warning|critical)$/)],
    ]);
    // The seed oversells some items: the negative-stock step lists them.
    const negative = await withClient(
      pg,
      async (c) => (await c.query('SELECT count(*)::int AS n FROM inventory WHERE available_quantity < 0')).rows[0].n as number,
      shopDb.database,
    );
    expect(negative).toBeGreaterThan(0);
    expect(result.steps[0]!.rowCount).toBe(negative);
    const audit = core.deps.store.db.prepare("SELECT summary FROM audit_entries WHERE action = 'checklist.run' ORDER BY id DESC LIMIT 1").pluck().get();
    expect(audit).toMatch(new RegExp(`^procedure ${INVENTORY.replaceAll('.', '\\.')} on shop: `));
  });

  it('can be signed off like a checklist run', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'maintenance.weekly', profileId: shop.id });
    const decisions = result.steps.map((s) => ({ stepId: s.id, decision: 'done' }));
    const record = await ok<ChecklistRunRecord>('signOffChecklistRun', { profileId: shop.id, result, decisions });
    expect(record).toMatchObject({ checklistId: 'maintenance.weekly', decisions: { done: result.steps.length } });
  });

  it('names checklists and procedure ids when nothing matches', async () => {
    const error = await fail('runChecklist', { checklistId: 'midnight', profileId: shop.id });
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no checklist "midnight".*morning, evening.*by its id/) });
  });
});

describe('step by step (stepIds)', () => {
  it('runs only the named read steps; the others are "Not run in this pass"', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: shop.id, stepIds: ['morning.low-stock'] });
    const ran = result.steps.filter((s) => s.summary !== NOT_IN_THIS_PASS);
    expect(ran.map((s) => [s.id, s.status])).toEqual([['morning.low-stock', 'warning']]);
    expect(ran[0]!.rowCount).toBeGreaterThan(5);
    const rest = result.steps.filter((s) => s.id !== 'morning.low-stock');
    expect(rest).toHaveLength(findProcedure('morning').steps.length - 1);
    for (const s of rest) expect(s).toMatchObject({ status: 'skipped', summary: NOT_IN_THIS_PASS, rows: [], rowCount: 0 });
    // Steps not run do not count towards the overall status.
    expect(result.status).toBe('warning');
    const audit = core.deps.store.db.prepare("SELECT summary FROM audit_entries WHERE action = 'checklist.run' ORDER BY id DESC LIMIT 1").pluck().get();
    expect(audit).toMatch(/^checklist morning on shop: WARNING \(.*\) \(this pass: 1 step of 11\)$/);
  });

  it('refuses a step id the procedure does not have, naming it', async () => {
    const error = await fail('runChecklist', { checklistId: 'morning', profileId: shop.id, stepIds: ['morning.low-stock', 'evening.wal-archiving'] });
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/has no step "evening\.wal-archiving"/) });
    expect(error.message).not.toContain('"morning.low-stock"');
  });
});

describe('progress events', () => {
  it('pushes one checklist.step event per step, in order, with index and total', async () => {
    const { value: result, events } = await collecting('run-1', () =>
      ok<ChecklistRunResult>('runChecklist', { checklistId: 'evening', profileId: shop.id, runId: 'run-1' }),
    );
    const total = findProcedure('evening').steps.length;
    expect(events.map((e) => [e.index, e.total])).toEqual(result.steps.map((_, i) => [i, total]));
    expect(events.map((e) => e.step)).toEqual(result.steps);
    // Without a runId, nothing is pushed.
    const { events: none } = await collecting('run-1', () => ok<ChecklistRunResult>('runChecklist', { checklistId: 'evening', profileId: shop.id }));
    expect(none).toEqual([]);
  });
});

describe('a pass that needs no server', () => {
  let nowhere: Profile;
  beforeAll(async () => {
    nowhere = await ok<Profile>('createProfile', {
      profile: { name: 'nowhere', host: '127.0.0.1', port: await closedPort(), database: 'x', user: 'x', sslmode: 'disable', env: 'development' },
    });
  });

  it('runs a procedure of manual steps without connecting (the server is down, the run still answers)', async () => {
    // The profile really cannot connect: a pass with a read step fails.
    expect((await fail('runChecklist', { checklistId: INVENTORY, profileId: nowhere.id })).code).toBe('CONNECTION_FAILED');
    const { value: result, events } = await collecting('manual', () =>
      ok<ChecklistRunResult>('runChecklist', { checklistId: 'troubleshooting.escalation', profileId: nowhere.id, runId: 'manual' }),
    );
    expect(result.steps.map((s) => s.status)).toEqual(['manual', 'manual', 'manual']);
    expect(result).toMatchObject({ checklist: 'troubleshooting.escalation', profile: 'nowhere', status: 'ok' });
    expect(events.map((e) => e.index)).toEqual([0, 1, 2]);
  });

  it('runs a checklist with stepIds: [] without connecting', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: nowhere.id, stepIds: [] });
    expect(result.steps.every((s) => s.status === 'skipped' && s.summary === NOT_IN_THIS_PASS)).toBe(true);
  });
});

describe('steps that call the ops toolkit', () => {
  const procedure: Procedure = {
    id: 'test.toolkit',
    title: 'Toolkit calls',
    section: 'Test',
    description: 'Steps calling the runbook functions the toolkit provides.',
    steps: [
      { id: 'health', title: 'Health', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT * FROM check_system_health()' } },
      { id: 'storage', title: 'Storage', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT * FROM ops_toolkit.get_storage_usage_stats()' } },
      { id: 'other', title: 'Other', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT no_such_function_here()' } },
    ],
  };

  it('marks needsToolkit when the toolkit is missing, and runs the steps once it is installed', async () => {
    const before = await ok<ToolkitStatus>('getToolkitStatus', { profileId: shop.id });
    expect(before.installed).toBe(false);

    const missing = await runChecklist(core.deps, procedure, shop);
    const [health, storage, other] = missing.steps;
    expect(health).toMatchObject({ status: 'unknown', needsToolkit: true });
    expect(health!.summary).toMatch(
      /^the ops toolkit is not installed on this database: install it \(Toolkit\) to run this step\. The server said: function check_system_health\(\) does not exist \(SQLSTATE 42883\)$/,
    );
    expect(storage).toMatchObject({
      status: 'unknown',
      needsToolkit: true,
      summary: expect.stringMatching(/ops toolkit is not installed.*schema "ops_toolkit" does not exist/),
    });
    // A missing function that is not the toolkit's is a plain failure.
    expect(other).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/no_such_function_here\(\) does not exist.*42883/) });
    expect(other!.needsToolkit).toBeUndefined();

    await ok<ToolkitStatus>('installToolkit', { profileId: shop.id });
    const installed = await runChecklist(core.deps, procedure, shop);
    expect(installed.steps[0]).toMatchObject({ status: 'ok', columns: expect.arrayContaining(['check_name', 'status']) });
    expect(installed.steps[0]!.rowCount).toBeGreaterThan(0);
    expect(installed.steps[1]).toMatchObject({ status: 'ok' });
    expect(installed.steps[0]!.needsToolkit).toBeUndefined();
  });
});

describe('check steps (built-in checks a domain registers, issue #23)', () => {
  const check = (id: string, name: string): Procedure['steps'][number] => ({
    id,
    title: id,
    explanation: '',
    kind: 'read',
    run: { type: 'check', check: name },
  });
  const procedure: Procedure = {
    id: 'test.checks',
    title: 'Check steps',
    section: 'Test',
    description: 'Steps judged by registered checks.',
    steps: [
      check('found', 'test.findings'),
      check('unsure', 'test.unsure'),
      check('server-error', 'test.server-error'),
      check('bug', 'test.bug'),
      check('missing', 'test.nobody-registered-this'),
      check('writes', 'test.writes'),
      check('after', 'test.findings'),
    ],
  };
  const seen: Array<{ readOnly: string; profile: string; now: Date }> = [];

  beforeAll(() => {
    const checks = core.deps.stepChecks;
    checks.register('test.findings', async ({ client, profile, now }) => {
      const { rows } = await client.query<{ ro: string }>("SELECT current_setting('transaction_read_only') AS ro");
      seen.push({ readOnly: rows[0]!.ro, profile: profile.name, now });
      const names = await client.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname IN ('pg_catalog', 'public') ORDER BY 1");
      return {
        status: 'warning',
        summary: `${names.rows.length} schemas named`,
        value: names.rows.length,
        warn: 1,
        critical: null,
        columns: ['object', 'fix'],
        rows: names.rows.map((r) => [r.n, `-- nothing to do for ${r.n}`]),
      };
    });
    checks.register('test.unsure', async () => ({
      status: 'unknown',
      summary: 'cannot read pg_authid',
      value: null,
      warn: null,
      critical: null,
      columns: [],
      rows: [],
    }));
    checks.register('test.server-error', async ({ client }) => {
      await client.query('SELECT 1/0');
      throw new Error('unreachable');
    });
    checks.register('test.bug', async () => {
      throw new Error('the check has a bug');
    });
    checks.register('test.writes', async ({ client }) => {
      await client.query('CREATE TABLE check_step_should_not_exist (id int)');
      return { status: 'ok', summary: 'wrote', value: null, warn: null, critical: null, columns: [], rows: [] };
    });
  });

  it('runs each check in the read-only transaction and maps its answer; failures are UNKNOWN and the run goes on', async () => {
    const before = Date.now();
    const { value: result, events } = await collecting('checks', () =>
      runChecklist(core.deps, procedure, shop, {
        onStep: (index, total, step) => core.deps.events.emit({ type: 'checklist.step', runId: 'checks', index, total, step }),
      }),
    );
    const [found, unsure, serverError, bug, missing, writes, after] = result.steps;
    expect(found).toMatchObject({
      id: 'found',
      status: 'warning',
      summary: '2 schemas named',
      value: 2,
      warn: 1,
      columns: ['object', 'fix'],
      rows: [
        ['pg_catalog', '-- nothing to do for pg_catalog'],
        ['public', '-- nothing to do for public'],
      ],
      rowCount: 2,
    });
    // The check saw the run's read-only transaction, the profile, and the run's start as "now".
    expect(seen[0]).toMatchObject({ readOnly: 'on', profile: 'shop' });
    expect(seen[0]!.now.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(result.startedAt).getTime()).toBe(seen[0]!.now.getTime());
    expect(unsure).toMatchObject({ status: 'unknown', summary: 'cannot read pg_authid' });
    expect(serverError).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/division by zero \(SQLSTATE 22012\)/) });
    expect(bug).toMatchObject({ status: 'unknown', summary: 'the check test.bug failed: the check has a bug' });
    expect(missing).toMatchObject({
      status: 'unknown',
      summary: expect.stringMatching(/^not run: this build has no check named test\.nobody-registered-this \(this build has: .*test\.findings/),
    });
    expect(writes).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/tried to write.*read-only transaction.*SQLSTATE 25006/) });
    // After every failure the transaction was rolled back to the step's savepoint: the last step still ran.
    expect(after).toMatchObject({ status: 'warning', rowCount: 2 });
    expect(result.status).toBe('unknown');
    expect(events.map((e) => e.step.id)).toEqual(procedure.steps.map((s) => s.id));
    const table = await withClient(
      pg,
      async (c) => (await c.query("SELECT to_regclass('check_step_should_not_exist') AS t")).rows[0].t as string | null,
      shopDb.database,
    );
    expect(table).toBeNull();
  });

  it('keeps the first maxRows findings and counts them all; a check step runs alone with stepIds', async () => {
    const result = await runChecklist(core.deps, procedure, shop, { maxRows: 1, stepIds: ['found'] });
    expect(result.steps[0]).toMatchObject({ rows: [['pg_catalog', '-- nothing to do for pg_catalog']], rowCount: 2 });
    expect(result.steps.slice(1).every((s) => s.summary === NOT_IN_THIS_PASS)).toBe(true);
  });

  it('lists the built-in check steps with their check names, and a write step refuses them', async () => {
    const { procedures } = await ok<OpResult<'listProcedures'>>('listProcedures', {});
    const monthly = procedures.find((p) => p.id === 'maintenance.monthly')!;
    expect(monthly.steps.find((s) => s.id === 'maintenance.monthly.capacity')).toMatchObject({ type: 'check', check: 'capacity.database-size', kind: 'read' });
    expect(monthly.steps.find((s) => s.id === 'maintenance.monthly.security')).toMatchObject({ type: 'check', check: 'security.audit' });
    const quarterly = procedures.find((p) => p.id === 'maintenance.quarterly')!;
    expect(quarterly.steps.filter((s) => s.type === 'check').map((s) => s.check)).toEqual(['upgrade.version', 'upgrade.extensions', 'upgrade.features']);
    const error = await fail('previewRunbookStep', { procedureId: 'maintenance.monthly', stepId: 'maintenance.monthly.security', profileId: shop.id });
    expect(error.code).toBe('INVALID_INPUT');
  });
});
