// The editor's helpers against the run's real PostgreSQL and a real store: the catalog
// behind autocomplete (schemas, relations with their columns, callable functions; read on
// its own connection so a busy console does not block it) and the editor tabs per profile.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EditorTab, Profile, ProfileInput, QueryCatalog, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
const ids: Record<string, string> = {};

const { ok, fail } = callsOn(() => core);

function auditCount(action: string): number {
  return (core.deps.store.db.prepare('SELECT count(*) AS n FROM audit_entries WHERE action = ?').get(action) as { n: number }).n;
}

beforeAll(async () => {
  database = await createTestDatabase(pg, uniqueDatabaseName('query_workbench'));
  await withClient(
    pg,
    (c) =>
      c.query(`
        CREATE SCHEMA sales;
        CREATE TABLE sales.orders (id int PRIMARY KEY, gone text, total numeric(12,2) NOT NULL, "Note" varchar(40), placed_at timestamptz);
        ALTER TABLE sales.orders DROP COLUMN gone;
        CREATE VIEW sales.big_orders AS SELECT id, total FROM sales.orders WHERE total > 1000;
        CREATE MATERIALIZED VIEW public.daily AS SELECT 1 AS n;
        CREATE TABLE public.events (id bigint, at date) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE FUNCTION sales.order_total(o_id integer, with_tax boolean DEFAULT false) RETURNS numeric LANGUAGE sql AS $$ SELECT total FROM sales.orders WHERE id = o_id $$;
        CREATE FUNCTION sales.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE PROCEDURE public.archive(days int) LANGUAGE sql AS $$ SELECT 1 $$;
      `),
    database,
  );
  ({ core, home } = newTestCore('ops-workbench-'));
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable', env: 'development' };
  ids.dev = (await ok<Profile>('createProfile', { profile: { ...base, name: 'dev' }, password: pg.password })).id;
  ids.other = (await ok<Profile>('createProfile', { profile: { ...base, name: 'other' }, password: pg.password })).id;
  // No saved password: the server (scram) must ask for one.
  ids.nopass = (await ok<Profile>('createProfile', { profile: { ...base, name: 'nopass' } })).id;
});

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, database);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('getQueryCatalog', () => {
  let catalog: QueryCatalog;

  beforeAll(async () => {
    catalog = await ok<QueryCatalog>('getQueryCatalog', { profileId: ids.dev });
  });

  it('lists the schemas, without TOAST or temporary ones', () => {
    expect(catalog.schemas).toEqual(expect.arrayContaining(['public', 'sales', 'pg_catalog', 'information_schema']));
    expect(catalog.schemas.filter((s) => s === 'pg_toast' || s.startsWith('pg_temp_') || s.startsWith('pg_toast_temp_'))).toEqual([]);
    expect(Date.parse(catalog.loadedAt)).not.toBeNaN();
  });

  it('gives each table its columns in order with their full types, in the right schema', () => {
    const orders = catalog.relations.find((r) => r.name === 'orders');
    expect(orders).toEqual({
      schema: 'sales',
      name: 'orders',
      kind: 'table',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'total', type: 'numeric(12,2)' },
        { name: 'Note', type: 'character varying(40)' },
        { name: 'placed_at', type: 'timestamp with time zone' },
      ],
    });
  });

  it('names each kind of relation and leaves out the system catalogs', () => {
    const kinds = Object.fromEntries(catalog.relations.map((r) => [`${r.schema}.${r.name}`, r.kind]));
    expect(kinds).toMatchObject({
      'sales.big_orders': 'view',
      'public.daily': 'materialized view',
      'public.events': 'partitioned table',
      'public.events_2024': 'table',
    });
    expect(catalog.relations.find((r) => r.name === 'big_orders')?.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'total', type: 'numeric(12,2)' },
    ]);
    expect(catalog.relations.filter((r) => r.schema === 'pg_catalog' || r.schema === 'information_schema')).toEqual([]);
  });

  it('lists callable functions and procedures with their arguments and result, not trigger functions or built-ins', () => {
    expect(catalog.functions).toContainEqual({ schema: 'sales', name: 'order_total', args: 'o_id integer, with_tax boolean', result: 'numeric' });
    expect(catalog.functions.map((f) => `${f.schema}.${f.name}`)).toContain('public.archive');
    expect(catalog.functions.find((f) => f.name === 'touch')).toBeUndefined();
    expect(catalog.functions.filter((f) => f.schema === 'pg_catalog')).toEqual([]);
  });

  it('audits the read with the profile and what was found', () => {
    const entry = core.deps.store.db
      .prepare("SELECT outcome, profile, summary FROM audit_entries WHERE action = 'query.catalog' ORDER BY id DESC LIMIT 1")
      .get() as {
      outcome: string;
      profile: string;
      summary: string;
    };
    expect(entry.outcome).toBe('ok');
    expect(entry.profile).toBe('dev');
    expect(entry.summary).toMatch(/schemas, \d+ relations, \d+ functions$/);
  });

  it('sees objects created since the last read when refreshed', async () => {
    await withClient(pg, (c) => c.query('CREATE TABLE sales.refunds (order_id int, amount money)'), database);
    const fresh = await ok<QueryCatalog>('getQueryCatalog', { profileId: ids.dev });
    expect(fresh.relations.find((r) => r.name === 'refunds')).toEqual({
      schema: 'sales',
      name: 'refunds',
      kind: 'table',
      columns: [
        { name: 'order_id', type: 'integer' },
        { name: 'amount', type: 'money' },
      ],
    });
  });

  it('answers while the console session is busy with a long statement', async () => {
    const running = ok<QueryRunResult>('runQuery', { profileId: ids.dev, sql: 'SELECT pg_sleep(3)' });
    // Let the statement reach the server before asking.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const during = await ok<QueryCatalog>('getQueryCatalog', { profileId: ids.dev });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(during.relations.some((r) => r.name === 'orders')).toBe(true);
    await running;
  });

  it('asks for a password when none is known, and uses the one typed', async () => {
    const saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
    try {
      const error = await fail('getQueryCatalog', { profileId: ids.nopass });
      expect(error.code).toBe('PASSWORD_REQUIRED');
      const typed = await ok<QueryCatalog>('getQueryCatalog', { profileId: ids.nopass, password: pg.password });
      expect(typed.relations.some((r) => r.name === 'orders')).toBe(true);
      const wrong = await fail('getQueryCatalog', { profileId: ids.nopass, password: 'not-the-password' });
      expect(wrong.code).toBe('AUTH_FAILED');
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved;
    }
  });

  it('reuses the password the console session was opened with', async () => {
    await ok<QueryRunResult>('runQuery', { profileId: ids.nopass, sql: 'SELECT 1', password: pg.password });
    const catalog2 = await ok<QueryCatalog>('getQueryCatalog', { profileId: ids.nopass });
    expect(catalog2.schemas).toContain('sales');
  });

  it('refuses an unknown profile', async () => {
    expect((await fail('getQueryCatalog', { profileId: 'no-such-profile' })).code).toBe('NOT_FOUND');
  });
});

describe('editor tabs', () => {
  const tabs: EditorTab[] = [
    { id: 't-b', title: 'Second made, first shown', sql: 'SELECT 2;' },
    { id: 't-a', title: 'Query 1', sql: "SELECT 'it''s';\n-- draft" },
    { id: 't-c', title: '', sql: '' },
  ];

  it('starts empty for a profile that never saved any', async () => {
    expect(await ok('getEditorTabs', { profileId: ids.other })).toEqual({ tabs: [], activeId: null });
  });

  it('round-trips tabs in their order with the active one', async () => {
    expect(await ok('saveEditorTabs', { profileId: ids.dev, tabs, activeId: 't-a' })).toEqual({ saved: true });
    expect(await ok('getEditorTabs', { profileId: ids.dev })).toEqual({ tabs, activeId: 't-a' });
  });

  it('replaces every tab of the profile on save, and keeps other profiles apart', async () => {
    await ok('saveEditorTabs', { profileId: ids.other, tabs: [{ id: 'o-1', title: 'Other', sql: 'SELECT 3' }], activeId: 'o-1' });
    const reordered = [tabs[2]!, { ...tabs[0]!, sql: 'SELECT 22;' }];
    await ok('saveEditorTabs', { profileId: ids.dev, tabs: reordered, activeId: null });
    expect(await ok('getEditorTabs', { profileId: ids.dev })).toEqual({ tabs: reordered, activeId: null });
    expect(await ok('getEditorTabs', { profileId: ids.other })).toEqual({ tabs: [{ id: 'o-1', title: 'Other', sql: 'SELECT 3' }], activeId: 'o-1' });
  });

  it('accepts the profile name as well as its id', async () => {
    const byName = await ok<{ tabs: EditorTab[] }>('getEditorTabs', { profileId: 'other' });
    expect(byName.tabs.map((t) => t.id)).toEqual(['o-1']);
  });

  it('ignores an active id that names no saved tab', async () => {
    await ok('saveEditorTabs', { profileId: ids.other, tabs: [{ id: 'o-1', title: 'Other', sql: '' }], activeId: 'gone' });
    expect(await ok('getEditorTabs', { profileId: ids.other })).toEqual({ tabs: [{ id: 'o-1', title: 'Other', sql: '' }], activeId: null });
  });

  it('refuses duplicate tab ids and leaves the saved tabs untouched', async () => {
    const before = await ok('getEditorTabs', { profileId: ids.dev });
    const error = await fail('saveEditorTabs', { profileId: ids.dev, tabs: [tabs[0], tabs[0]], activeId: null });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('t-b');
    expect(await ok('getEditorTabs', { profileId: ids.dev })).toEqual(before);
  });

  it('answers NOT_FOUND for an unknown profile', async () => {
    expect((await fail('getEditorTabs', { profileId: 'no-such-profile' })).code).toBe('NOT_FOUND');
    expect((await fail('saveEditorTabs', { profileId: 'no-such-profile', tabs, activeId: null })).code).toBe('NOT_FOUND');
  });

  it('is not audited (drafts, not actions)', async () => {
    const before = core.deps.store.db.prepare('SELECT count(*) AS n FROM audit_entries').get() as { n: number };
    await ok('saveEditorTabs', { profileId: ids.dev, tabs, activeId: 't-c' });
    await ok('getEditorTabs', { profileId: ids.dev });
    const after = core.deps.store.db.prepare('SELECT count(*) AS n FROM audit_entries').get() as { n: number };
    expect(after.n).toBe(before.n);
    expect(auditCount('saveEditorTabs')).toBe(0);
  });

  it('goes away with its profile', async () => {
    await ok('saveEditorTabs', { profileId: ids.other, tabs: [{ id: 'o-9', title: 'x', sql: 'SELECT 9' }], activeId: 'o-9' });
    await ok('removeProfile', { id: ids.other });
    const left = core.deps.store.db.prepare('SELECT count(*) AS n FROM editor_tabs WHERE profile_id = ?').get(ids.other) as { n: number };
    expect(left.n).toBe(0);
    expect((await fail('getEditorTabs', { profileId: ids.other })).code).toBe('NOT_FOUND');
  });
});
