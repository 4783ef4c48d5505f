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
import type { IndexReport, TableReport } from '../../src-main/contract/monitoring';
import type { ChecklistRunRecord, ChecklistRunResult, ChecklistStepResult } from '../../src-main/contract/runbook';
import { checklistCommand } from '../../src-main/cli/commands/checklist';
import { healthCommand } from '../../src-main/cli/commands/health';
import type { Core } from '../../src-main/core/app';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { LENIENT_THRESHOLDS } from '../helpers/thresholds';

const server = inject('pg');
let core: Core;
let home: string;
/** A database with none of the shop's tables, pg_stat_statements created (as a DBA would). */
let otherDb: string;
let other: Profile;
/** The same, without pg_stat_statements. */
let plainDb: string;
let plain: Profile;
/** Planted index and sequence cases, and a Supabase-like `auth` schema. */
let idxDb: string;
let idx: Profile;
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

const cli = () =>
  inProcessCli(
    () => core,
    () => home,
  );

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-checks-truth-'));
  otherDb = await createTestDatabase(server, uniqueDatabaseName('truth_other'));
  plainDb = await createTestDatabase(server, uniqueDatabaseName('truth_plain'));
  idxDb = await createTestDatabase(server, uniqueDatabaseName('truth_idx'));
  await withClient(
    server,
    async (c) => {
      await c.query(`CREATE TABLE ix (id int, a int, b text, c int);
        CREATE INDEX ix_a ON ix (a);
        CREATE INDEX ix_a_desc ON ix (a DESC);
        CREATE INDEX ix_b ON ix (b);
        CREATE INDEX ix_b_collate_c ON ix (b COLLATE "C");
        CREATE INDEX ix_b_pattern ON ix (b text_pattern_ops);
        CREATE INDEX ix_c1 ON ix (c);
        CREATE INDEX ix_c2 ON ix (c);
        CREATE TABLE pk_inc (id int, note text, CONSTRAINT pk_inc_pkey PRIMARY KEY (id) INCLUDE (note));
        CREATE INDEX pk_inc_id ON pk_inc (id);
        CREATE SCHEMA auth;
        CREATE TABLE auth.users (id int PRIMARY KEY, email text);
        CREATE INDEX users_email_a ON auth.users (email);
        CREATE INDEX users_email_b ON auth.users (email);
        CREATE SEQUENCE big_seq;
        CREATE TABLE narrow (id int4 NOT NULL DEFAULT nextval('big_seq'), v text);
        CREATE TABLE wide (id bigserial, v text);`);
      // 90 % of an int4's range, 0.0000002 % of the bigint sequence's own.
      await c.query("SELECT setval('big_seq', 1932735282), setval('wide_id_seq', 1932735282)");
    },
    idxDb,
  );
  await withClient(server, (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'), otherDb);
  const input: Partial<ProfileInput> = { host: server.host, port: server.port, user: server.user, sslmode: 'disable', env: 'development', readOnly: true };
  other = await ok<Profile>('createProfile', { profile: { ...input, name: 'other', database: otherDb }, password: server.password });
  plain = await ok<Profile>('createProfile', { profile: { ...input, name: 'plain', database: plainDb }, password: server.password });
  idx = await ok<Profile>('createProfile', { profile: { ...input, name: 'idx', database: idxDb }, password: server.password });
  for (const p of [other, plain, idx]) await ok('setThresholds', { profileId: p.id, values: QUIET });
}, 120_000);

afterAll(async () => {
  await core?.close();
  if (otherDb) await dropTestDatabase(server, otherDb);
  if (plainDb) await dropTestDatabase(server, plainDb);
  if (idxDb) await dropTestDatabase(server, idxDb);
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

  it('`health` on the same database exits 0 (thresholds no test server reaches: the log errors it counts are cluster-wide)', async () => {
    await ok('setThresholds', { profileId: other.id, values: LENIENT_THRESHOLDS });
    const { ctx, out, err } = cli();
    const code = await healthCommand(ctx, ['other']);
    expect(code, `${out.join('')}\n${err.join('\n')}`).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ status: 'ok' });
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

describe('index advice', () => {
  it('indexes differing only in sort direction, collation or opclass are not duplicates; a true duplicate still is', async () => {
    const report = await ok<IndexReport>('getIndexReport', { profileId: idx.id });
    const pairs = report.duplicates.filter((p) => p.drop.table === 'ix').map((p) => [p.kind, p.keep.index, p.drop.index]);
    expect(pairs).toEqual([['duplicate', 'ix_c1', 'ix_c2']]);
  });

  it("a plain index on the primary key's columns beside a primary key with INCLUDE is redundant", async () => {
    const report = await ok<IndexReport>('getIndexReport', { profileId: idx.id });
    const pairs = report.duplicates.filter((p) => p.drop.table === 'pk_inc').map((p) => [p.kind, p.keep.index, p.drop.index]);
    expect(pairs).toEqual([['overlapping', 'pk_inc_pkey', 'pk_inc_id']]);
  });

  it('indexes in a platform schema (auth) are shown but never advised for dropping', async () => {
    const report = await ok<IndexReport>('getIndexReport', { profileId: idx.id });
    const auth = report.indexes.filter((i) => i.schema === 'auth');
    expect(auth.map((i) => [i.index, i.platform]).sort()).toEqual([
      ['users_email_a', true],
      ['users_email_b', true],
      ['users_pkey', true],
    ]);
    expect(report.unused.filter((i) => i.schema === 'auth')).toEqual([]);
    expect(report.unused.map((i) => i.index)).toContain('ix_a');
    expect(report.duplicates.filter((p) => p.drop.schema === 'auth' || p.keep.schema === 'auth')).toEqual([]);
    expect(report.indexes.find((i) => i.index === 'ix_a')?.platform).toBe(false);
    const tables = await ok<TableReport>('getTableReport', { profileId: idx.id });
    expect(tables.tables.filter((t) => t.platform).map((t) => `${t.schema}.${t.table}`)).toEqual(['auth.users']);
  });

  it("the morning checklist's unused-index step leaves the platform's schemas out", async () => {
    const result = await ok<ChecklistRunResult>('runChecklist', { checklistId: 'morning', profileId: idx.id });
    const unused = step(result, 'morning.unused-indexes');
    const schemaCol = unused.columns.indexOf('schema');
    const indexCol = unused.columns.indexOf('index_name');
    expect(unused.rows.map((r) => r[schemaCol])).not.toContain('auth');
    expect(unused.rows.map((r) => r[indexCol])).toContain('ix_a');
  });
});

describe('sequences closest to running out', () => {
  it('an int4 column fed by a bigint sequence is measured against 2^31-1, naming the column', async () => {
    const report = await ok<TableReport>('getTableReport', { profileId: idx.id });
    const big = report.sequences.find((s) => s.sequence === 'big_seq');
    expect(big).toMatchObject({ schema: 'public', lastValue: 1932735282, maxValue: 2147483647, column: 'public.narrow.id', columnType: 'integer' });
    expect(big!.pctUsed).toBeCloseTo(90, 0);
    // A bigint column on its own bigint sequence keeps the sequence's range.
    const wide = report.sequences.find((s) => s.sequence === 'wide_id_seq');
    expect(wide).toMatchObject({ maxValue: Number(2n ** 63n - 1n), column: null, columnType: null });
    // Exact beside it: the bigint maximum to the last digit (the screen shows this one).
    expect(wide!.maxValueText).toBe(String(2n ** 63n - 1n));
    expect(big!.lastValueText).toBe('1932735282');
    expect(wide!.pctUsed).toBeLessThan(0.01);
    expect(report.sequences[0]!.sequence).toBe('big_seq');
  });
});
