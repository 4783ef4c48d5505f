// Checklist runs against the run's real PostgreSQL, on a database seeded exactly like the
// sandbox (demo schema and data, owned by an unprivileged role with pg_monitor): every
// morning and evening step gets a status, the inventory steps report the seeded items and
// follow the runbook's Low Stock threshold up to CRITICAL, a failing step is UNKNOWN
// without stopping the others, and nothing is ever written.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { OpResult } from '../../src-main/contract/operations';
import type { ChecklistRunResult, ChecklistStepResult } from '../../src-main/contract/runbook';
import { checklistCommand } from '../../src-main/cli/commands/checklist';
import type { CliContext } from '../../src-main/cli/context';
import { unwrap } from '../../src-main/cli/io';
import type { Core } from '../../src-main/core/app';
import { findChecklist } from '../../src-main/core/runbook/builtin';
import { runChecklist } from '../../src-main/core/runbook/checklist';
import type { Procedure } from '../../src-main/core/runbook/model';
import { callsOn, newTestCore } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
let shop: Profile;
let shopDb: ShopDatabase;
let role: string;
let rolePassword: string;
const { ok, fail } = callsOn(() => core);

/** As the superuser, outside any checklist: what the database really holds. */
function asAdmin<T>(fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
  return withClient(pg, fn, database);
}

async function skus(where: string): Promise<string[]> {
  return asAdmin(async (c) => (await c.query<{ sku: string }>(`SELECT sku FROM inventory WHERE ${where} AND is_active ORDER BY sku`)).rows.map((r) => r.sku));
}

function step(result: ChecklistRunResult, id: string): ChecklistStepResult {
  const found = result.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${result.steps.map((s) => s.id).join(', ')}`);
  return found;
}

/** The SKUs a step reported (the first column named sku). */
function reportedSkus(s: ChecklistStepResult): string[] {
  const i = s.columns.indexOf('sku');
  return s.rows.map((r) => String(r[i])).sort();
}

function run(checklistId: string, profileId = shop.id): Promise<ChecklistRunResult> {
  return ok<ChecklistRunResult>('runChecklist', { checklistId, profileId });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-checklist-'));
  shopDb = await createShopDatabase(pg, 'checklist', async (c) => {
    await c.query('CREATE TABLE checklist_probe (n int)');
    await c.query(`CREATE FUNCTION checklist_bump() RETURNS int LANGUAGE sql AS 'INSERT INTO checklist_probe VALUES (1) RETURNING n'`);
  });
  ({ database, role, password: rolePassword } = shopDb);
  const input: Partial<ProfileInput> = {
    name: 'shop',
    host: pg.host,
    port: pg.port,
    database,
    user: role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await ok<Profile>('createProfile', { profile: input, password: rolePassword });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('listChecklists', () => {
  it('lists the morning, evening and security checklists with their step counts', async () => {
    const { checklists } = await ok<OpResult<'listChecklists'>>('listChecklists', {});
    expect(checklists.map((c) => [c.id, c.steps])).toEqual([
      ['morning', findChecklist('morning').steps.length],
      ['evening', findChecklist('evening').steps.length],
      ['security', findChecklist('security').steps.length],
    ]);
  });
});

describe('the morning checklist on the seeded shop', () => {
  it('gives every step a status, judges every read, and reports the seeded stock problems', async () => {
    const result = await run('morning');
    expect(result).toMatchObject({ checklist: 'morning', profile: 'shop' });
    expect(result.steps.map((s) => s.id)).toEqual(findChecklist('morning').steps.map((s) => s.id));
    for (const s of result.steps) expect([s.id, s.status, s.summary]).toEqual([s.id, expect.stringMatching(/^(ok|warning|critical)$/), expect.any(String)]);

    const low = step(result, 'morning.low-stock');
    const seededLow = await skus("status = 'low_stock'");
    // The seed is made to show a warning: more than 5 low-stock items, not more than 10.
    expect(seededLow.length).toBeGreaterThan(5);
    expect(seededLow.length).toBeLessThanOrEqual(10);
    expect(reportedSkus(low)).toEqual(seededLow);
    expect(low).toMatchObject({ status: 'warning', value: seededLow.length, rowCount: seededLow.length, warn: 5, critical: 10 });
    expect(low.summary).toBe(`${seededLow.length} items low on stock (warning above 5, critical above 10)`);

    const out = step(result, 'morning.out-of-stock');
    const seededOut = await skus("status = 'out_of_stock'");
    // The seed oversells a few items (more reserved than on hand): those are out of stock too.
    const oversold = await skus('available_quantity < 0');
    expect(oversold.length).toBeGreaterThan(0);
    expect(seededOut).toEqual(expect.arrayContaining(oversold));
    expect(reportedSkus(out)).toEqual(seededOut);
    expect(out).toMatchObject({
      status: 'warning',
      value: seededOut.length,
      summary: `${seededOut.length} items out of stock (warning above 0, never critical)`,
    });

    expect(step(result, 'morning.connections').summary).toMatch(/^\d+ connections? \(warning above 60, critical above 80\)$/);
    expect(step(result, 'morning.database-size').summary).toMatch(/^DB size: [\d.]+ MB \(warning above 8 GB, critical above 10 GB\)$/);
    expect(result.status).toBe('warning');

    const audit = core.deps.store.db
      .prepare("SELECT outcome, profile, summary FROM audit_entries WHERE action = 'checklist.run' ORDER BY id DESC LIMIT 1")
      .get();
    expect(audit).toMatchObject({ outcome: 'ok', profile: 'shop', summary: expect.stringMatching(/^checklist morning on shop: WARNING \(/) });
  });

  it('turns CRITICAL (step and run) above 10 low-stock items, not at 10', async () => {
    const seeded = (await skus("status = 'low_stock'")).length;
    const add = (from: number, count: number) =>
      asAdmin((c) =>
        c.query(
          `INSERT INTO inventory (sku, title, category, material, store_id, store_name, quantity, reorder_level, unit_price)
           SELECT 'TEST-LOW-' || g, 'Test item ' || g, 'ring', 'silver', 1, s.name, 2, 10, 50 FROM generate_series($1::int, $2::int) g, stores s WHERE s.id = 1`,
          [from, from + count - 1],
        ),
      );
    try {
      await add(1, 10 - seeded);
      const atLimit = step(await run('morning'), 'morning.low-stock');
      expect(atLimit).toMatchObject({ status: 'warning', value: 10 });

      await add(100, 1);
      const result = await run('morning');
      const over = step(result, 'morning.low-stock');
      expect(over).toMatchObject({ status: 'critical', value: 11, rowCount: 11, summary: '11 items low on stock (warning above 5, critical above 10)' });
      expect(reportedSkus(over)).toContain('TEST-LOW-100');
      expect(result.status).toBe('critical');
    } finally {
      await asAdmin((c) => c.query("DELETE FROM inventory WHERE sku LIKE 'TEST-LOW-%'"));
    }
  });
});

describe('the evening checklist', () => {
  it('runs its reads and only lists the maintenance and the manual check', async () => {
    const result = await run('evening');
    expect(result.steps.map((s) => s.id)).toEqual(findChecklist('evening').steps.map((s) => s.id));
    expect(step(result, 'evening.vacuum-analyze')).toMatchObject({ status: 'skipped', kind: 'write', rows: [] });
    expect(step(result, 'evening.last-backup').status).toBe('manual');
    const today = step(result, 'evening.daily-summary');
    expect(today.status).toBe('ok'); // the seed places orders today
    expect(today.value).toBeGreaterThanOrEqual(24);
    expect(step(result, 'evening.order-consistency')).toMatchObject({ status: 'ok', value: 0 });
    for (const s of result.steps) expect(s.status, `${s.id}: ${s.summary}`).not.toBe('unknown');
  });
});

describe('the run engine', () => {
  const procedure: Procedure = {
    id: 'test.faults',
    checklist: 'faults',
    title: 'Faults',
    section: 'Test',
    description: 'Steps that go wrong.',
    steps: [
      { id: 'first', title: 'First', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT count(*) AS n FROM inventory' } },
      {
        id: 'bad-sql',
        title: 'Bad SQL',
        explanation: '',
        kind: 'read',
        run: { type: 'sql', sql: 'SELECT nosuch FROM inventory' },
        rule: { metric: { type: 'rowCount' }, threshold: 'lowStock' },
      },
      { id: 'hidden-write', title: 'Hidden write', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT checklist_bump()' } },
      { id: 'slow', title: 'Slow', explanation: '', kind: 'read', run: { type: 'sql', sql: 'SELECT pg_sleep(5)' } },
      { id: 'write', title: 'Write', explanation: '', kind: 'write', run: { type: 'sql', sql: 'INSERT INTO checklist_probe VALUES (2)' } },
      { id: 'destroy', title: 'Destroy', explanation: '', kind: 'destructive', run: { type: 'sql', sql: 'DELETE FROM inventory' } },
      { id: 'person', title: 'Person', explanation: '', kind: 'read', run: { type: 'manual', instruction: 'Call the workshop.' } },
      { id: 'tool', title: 'Tool', explanation: '', kind: 'read', run: { type: 'action', action: 'backup' } },
      {
        id: 'no-column',
        title: 'No column',
        explanation: '',
        kind: 'read',
        run: { type: 'sql', sql: 'SELECT 1 AS a' },
        rule: { metric: { type: 'column', column: 'nope', aggregate: 'max' }, threshold: 'lowStock' },
      },
      {
        id: 'after',
        title: 'After',
        explanation: '',
        kind: 'read',
        run: { type: 'sql', sql: 'SELECT count(*) AS n FROM checklist_probe' },
        rule: { metric: { type: 'column', column: 'n', aggregate: 'first' }, threshold: 'outOfStock' },
      },
    ],
  };

  it('makes a failing step UNKNOWN with the reason, runs the rest, and writes nothing', async () => {
    const inventoryBefore = await asAdmin(async (c) => (await c.query<{ n: string }>('SELECT count(*) AS n FROM inventory')).rows[0]!.n);
    const result = await runChecklist(core.deps, procedure, shop, { stepTimeoutMs: 500 });
    const byId = Object.fromEntries(result.steps.map((s) => [s.id, s]));
    expect(byId.first).toMatchObject({ status: 'ok', summary: '1 row to read (no threshold)', columns: ['n'], rows: [[inventoryBefore]] });
    expect(byId['bad-sql']).toMatchObject({
      status: 'unknown',
      summary: expect.stringMatching(/column "nosuch" does not exist.*SQLSTATE 42703/),
      warn: 5,
      critical: 10,
    });
    // The guard's one rule refuses it before it runs (the catalog says checklist_bump() is VOLATILE).
    expect(byId['hidden-write']).toMatchObject({
      status: 'unknown',
      summary: expect.stringMatching(/not run: the guard does not judge it a plain read: SELECT calls volatile function public\.checklist_bump\(\)/),
    });
    expect(byId.slow).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/time limit of 0\.5 s.*57014/) });
    expect(byId.write).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/changes the server \(write\)/) });
    expect(byId.destroy).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/destructive/) });
    expect(byId.person).toMatchObject({ status: 'manual', summary: 'Call the workshop.' });
    expect(byId.tool).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/pg_dump/) });
    expect(byId['no-column']).toMatchObject({ status: 'unknown', summary: 'the result has no column "nope" for the rule to judge' });
    expect(byId.after).toMatchObject({ status: 'ok', value: 0 });
    expect(result.status).toBe('unknown');

    await asAdmin(async (c) => {
      expect((await c.query('SELECT * FROM checklist_probe')).rows).toEqual([]);
      expect((await c.query<{ n: string }>('SELECT count(*) AS n FROM inventory')).rows[0]!.n).toBe(inventoryBefore);
    });
  });

  it('keeps the first 50 rows but judges them all; CRITICAL beats UNKNOWN', async () => {
    const many: Procedure = {
      ...procedure,
      steps: [
        procedure.steps[1]!,
        {
          id: 'many',
          title: 'Many',
          explanation: '',
          kind: 'read',
          run: { type: 'sql', sql: 'SELECT g FROM generate_series(1, 1234) g' },
          rule: { metric: { type: 'column', column: 'g', aggregate: 'max' }, threshold: 'lowStock' },
        },
        {
          id: 'count',
          title: 'Count',
          explanation: '',
          kind: 'read',
          run: { type: 'sql', sql: 'SELECT g FROM generate_series(1, 1234) g' },
          rule: { metric: { type: 'rowCount' }, threshold: 'connections' },
        },
      ],
    };
    const result = await runChecklist(core.deps, many, shop);
    const [bad, max, count] = result.steps;
    expect(bad!.status).toBe('unknown');
    expect(max).toMatchObject({ status: 'critical', value: 1234, rowCount: 1234 });
    expect(max!.rows).toHaveLength(50);
    expect(max!.rows[49]).toEqual([50]);
    expect(count).toMatchObject({ status: 'critical', value: 1234, summary: '1234 connections (warning above 60, critical above 80)' });
    expect(result.status).toBe('critical');
  });

  it('refuses an unknown checklist and reports a server it cannot reach as a failed run', async () => {
    expect(await fail('runChecklist', { checklistId: 'midnight', profileId: shop.id })).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no checklist "midnight"/),
    });
    const nowhere = await ok<Profile>('createProfile', {
      profile: { name: 'nowhere', host: '127.0.0.1', port: 1, database: 'x', user: 'x', sslmode: 'disable', env: 'development' },
    });
    expect((await fail('runChecklist', { checklistId: 'morning', profileId: nowhere.id })).code).toBe('CONNECTION_FAILED');
    const audit = core.deps.store.db.prepare("SELECT outcome, profile FROM audit_entries WHERE action = 'checklist.run' ORDER BY id DESC LIMIT 1").get();
    expect(audit).toMatchObject({ outcome: 'error', profile: 'nowhere' });
  });
});

describe('ops-console checklist (the command, on this core)', () => {
  function cli(json: boolean): { ctx: CliContext; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = {
      home,
      io: { json, out: (t) => out.push(t), err: (t) => err.push(t), isTerminal: false },
      core: () => core,
      async call(name, input) {
        return unwrap(await core.dispatch(name, input, { actor: 'tester', via: 'cli' })) as never;
      },
      close: () => Promise.resolve(),
    };
    return { ctx, out, err };
  }

  it('run --json: every morning step with a status, exit code of the worst status', async () => {
    const { ctx, out } = cli(true);
    const code = await checklistCommand(ctx, ['run', 'morning', '--profile', 'shop']);
    const doc = JSON.parse(out.join('')) as { checklist: string; profile: string; status: string; steps: Array<Record<string, unknown>> };
    expect(doc).toMatchObject({ checklist: 'morning', profile: 'shop', status: 'warning' });
    expect(code).toBe(1);
    expect(doc.steps.map((s) => s.id)).toEqual(findChecklist('morning').steps.map((s) => s.id));
    for (const s of doc.steps) expect(Object.keys(s)).toEqual(expect.arrayContaining(['id', 'title', 'kind', 'status', 'summary']));
  });

  it('run (text): one line per step, then the verdict', async () => {
    const { ctx, out } = cli(false);
    expect(await checklistCommand(ctx, ['run', 'evening', '--profile', 'shop'])).toBeLessThanOrEqual(2);
    const lines = out.join('\n').split('\n');
    expect(lines.filter((l) => /^(OK|WARNING|CRITICAL|UNKNOWN|SKIPPED|MANUAL) /.test(l))).toHaveLength(findChecklist('evening').steps.length);
    expect(lines.some((l) => /^SKIPPED +VACUUM and ANALYZE the shop tables +Not run by a checklist/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Evening checklist \(6 PM\) on shop: (OK|WARNING|CRITICAL)$/);
  });

  it('a run that cannot happen exits 3 (UNKNOWN) with the error; list shows every checklist', async () => {
    const { ctx, out, err } = cli(true);
    expect(await checklistCommand(ctx, ['run', 'morning', '--profile', 'no-such-profile'])).toBe(3);
    expect(err.join('\n')).toMatch(/^error: No profile named "no-such-profile"/);
    expect(JSON.parse(out.join(''))).toMatchObject({ ok: false, status: 'unknown', error: { code: 'NOT_FOUND' } });

    const listed = cli(true);
    expect(await checklistCommand(listed.ctx, ['list'])).toBe(0);
    expect((JSON.parse(listed.out.join('')) as { checklists: Array<{ id: string }> }).checklists.map((c) => c.id)).toEqual(['morning', 'evening', 'security']);
    await expect(checklistCommand(listed.ctx, ['run', 'morning'])).rejects.toThrow(/--profile is required/);
  });
});
