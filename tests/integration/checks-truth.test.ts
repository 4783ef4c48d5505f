// Issue #15 §5: checks that tell the truth on a database that is not the shop's. Against the
// run's real PostgreSQL: the built-in checklists on a database without the shop's tables
// (steps reading them are N/A, naming the table, and `checklist run morning` exits 0 when
// nothing else is wrong), the WAL archiving step with archive_mode off (the harness's
// cluster), and the Performance reports' index and sequence advice: sort direction,
// collation and opclass make different indexes, a plain index beside a primary key with
// INCLUDE is redundant, an int4 column fed by a bigint sequence runs out at 2^31-1, and
// platform-managed schemas (auth…) are shown but never offered for dropping.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { ChecklistRunRecord, ChecklistRunResult, ChecklistStepResult } from '../../src-main/contract/runbook';
import { checklistCommand } from '../../src-main/cli/commands/checklist';
import type { CliContext } from '../../src-main/cli/context';
import { unwrap } from '../../src-main/cli/io';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';

const server = inject('pg');
let core: Core;
let home: string;
/** A database with none of the shop's tables, pg_stat_statements created (as a DBA would). */
let otherDb: string;
let other: Profile;
/** The same, without pg_stat_statements. */
let plainDb: string;
let plain: Profile;
const { ok } = callsOn(() => core);

/** Thresholds no test database reaches, for the checks this file does not judge. */
const QUIET = [
  { key: 'connections', warn: 100_000, critical: 100_000 },
  { key: 'dbSize', warn: 1e15, critical: 1e15 },
  { key: 'queryTime', warn: 1e9, critical: 1e9 },
  { key: 'lockWaits', warn: 1e6, critical: 1e6 },
  { key: 'unusedIndexes', warn: 1e6, critical: 1e6 },
  { key: 'failedQueries', warn: 1e9, critical: 1e9 },
  { key: 'vacuumOverdue', warn: 1e6, critical: 1e6 },
];

function step(result: ChecklistRunResult, id: string): ChecklistStepResult {
  const found = result.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

function cli(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    home,
    io: { json: true, out: (t) => out.push(t), err: (t) => err.push(t), isTerminal: false },
    core: () => core,
    async call(name, input) {
      return unwrap(await core.dispatch(name, input, { actor: 'tester', via: 'cli' })) as never;
    },
    close: () => Promise.resolve(),
  };
  return { ctx, out, err };
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-checks-truth-'));
  otherDb = await createTestDatabase(server, uniqueDatabaseName('truth_other'));
  plainDb = await createTestDatabase(server, uniqueDatabaseName('truth_plain'));
  await withClient(server, (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'), otherDb);
  const input: Partial<ProfileInput> = { host: server.host, port: server.port, user: server.user, sslmode: 'disable', env: 'development', readOnly: true };
  other = await ok<Profile>('createProfile', { profile: { ...input, name: 'other', database: otherDb }, password: server.password });
  plain = await ok<Profile>('createProfile', { profile: { ...input, name: 'plain', database: plainDb }, password: server.password });
  for (const p of [other, plain]) await ok('setThresholds', { profileId: p.id, values: QUIET });
}, 120_000);

afterAll(async () => {
  await core?.close();
  if (otherDb) await dropTestDatabase(server, otherDb);
  if (plainDb) await dropTestDatabase(server, plainDb);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('checklists on a database without the shop tables', () => {
  it('marks the steps reading shop tables not applicable, naming the table, and the run stays OK', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: other.id });
    const na = result.steps.filter((s) => s.status === 'not_applicable').map((s) => [s.id, s.missingTables]);
    expect(na).toEqual([
      ['morning.low-stock', ['inventory']],
      ['morning.out-of-stock', ['inventory']],
      ['morning.paid-pending', ['orders']],
      ['morning.ready-to-ship', ['orders']],
    ]);
    expect(step(result, 'morning.paid-pending').summary).toBe('Not applicable: this database has no table "orders" that this step reads');
    // Nothing else is wrong on this database: no UNKNOWN from an SQL error, an OK run.
    for (const s of result.steps.filter((x) => x.status !== 'not_applicable')) expect([s.id, s.status, s.summary]).toEqual([s.id, 'ok', s.summary]);
    expect(result.status).toBe('ok');
  });

  it('`checklist run morning` exits 0 with N/A steps in its JSON', async () => {
    const { ctx, out, err } = cli();
    const code = await checklistCommand(ctx, ['run', 'morning', '--profile', 'other']);
    const doc = JSON.parse(out.join('')) as { status: string; steps: Array<{ id: string; status: string; missingTables?: string[] }> };
    expect(code, err.join('\n')).toBe(0);
    expect(doc.status).toBe('ok');
    expect(doc.steps.find((s) => s.id === 'morning.low-stock')).toMatchObject({ status: 'not_applicable', missingTables: ['inventory'] });
  });

  it('a run with N/A steps signs off and exports: Markdown and HTML say N/A with the reason', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: other.id });
    const decisions = result.steps.map((s) => ({ stepId: s.id, decision: 'done' as const }));
    const saved = await ok<ChecklistRunRecord>('signOffChecklistRun', { profileId: other.id, result, decisions });
    expect(saved.status).toBe('ok');
    const md = await ok<{ content: string }>('exportChecklistRun', { id: saved.id, format: 'markdown' });
    expect(md.content).toContain('### N/A — Low stock items');
    expect(md.content).toContain('this database has no table "inventory"');
    const html = await ok<{ content: string }>('exportChecklistRun', { id: saved.id, format: 'html' });
    expect(html.content).toMatch(/<span class="status" style="background:#adb5bd">N\/A<\/span> Low stock items/);
  });

  it('the evening checklist: order and design steps N/A (the one reading two tables names both when both are missing)', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'evening', profileId: other.id });
    expect(step(result, 'evening.order-consistency')).toMatchObject({ status: 'not_applicable' });
    expect(step(result, 'evening.order-consistency').missingTables).toEqual(expect.arrayContaining(['orders', 'order_items']));
    expect(step(result, 'evening.daily-summary')).toMatchObject({ status: 'not_applicable', missingTables: ['orders'] });
    expect(step(result, 'evening.designs-today')).toMatchObject({ status: 'not_applicable', missingTables: ['designs'] });
  });

  it('a missing extension view is not "not applicable": pg_stat_statements absent stays UNKNOWN with the install hint', async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: plain.id });
    expect(step(result, 'morning.slow-statements')).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/pg_stat_statements is not installed/) });
    expect(step(result, 'morning.low-stock').status).toBe('not_applicable');
  });
});

describe('WAL archiving step', () => {
  it('archive_mode = off is a WARNING that says there is no archive, never "OK 0 failed attempts"', async () => {
    const mode = await withClient(server, async (c) => (await c.query<{ m: string }>("SELECT current_setting('archive_mode') AS m")).rows[0]!.m, otherDb);
    expect(mode).toBe('off');
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'evening', profileId: other.id });
    const wal = step(result, 'evening.wal-archiving');
    expect(wal).toMatchObject({ status: 'warning', value: null });
    expect(wal.summary).toMatch(/^no archive: point-in-time recovery depends on the platform/);
    expect(result.status).toBe('warning');
  });
});
