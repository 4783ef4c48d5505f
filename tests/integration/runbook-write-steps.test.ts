// Write and destructive runbook steps against the run's real PostgreSQL, on a database
// seeded like the sandbox: the inventory troubleshooting step finds exactly the items with
// negative availability and, after preview and confirmation, resets exactly those rows;
// archiving changes exactly the orders the preview counted; a change between preview and
// run is refused with nothing changed; read-only profiles refuse both steps, production
// asks for the typed name; every run is audited with its row count.
import fs from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { RunbookStepPreview, RunbookStepRunResult } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { quoteIdent, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
const profiles: Record<'dev' | 'ro' | 'prod', Profile> = {} as Record<'dev' | 'ro' | 'prod', Profile>;
const { ok, fail } = callsOn(() => core);

const RESET = { procedureId: 'troubleshooting.inventory-sync', stepId: 'troubleshooting.inventory.reset' };
const ARCHIVE = { procedureId: 'emergency.storage-critical', stepId: 'emergency.storage.archive-orders' };
const IDLE = { procedureId: 'troubleshooting.connection-exhaustion', stepId: 'troubleshooting.connections.terminate-idle' };

/** As the database's owner role (the one the profiles log in as), like the shop's own jobs. */
function asRole<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withClient(
    server,
    async (c) => {
      await c.query(`SET ROLE ${quoteIdent(shopDb.role)}`);
      return fn(c);
    },
    shopDb.database,
  );
}

async function ids(sql: string): Promise<number[]> {
  return asRole(async (c) => (await c.query<{ id: string }>(sql)).rows.map((r) => Number(r.id)));
}

/** Every inventory row as text, by id: what "nothing else changed" is checked against. */
async function inventorySnapshot(): Promise<Map<number, string>> {
  return asRole(async (c) => {
    const res = await c.query<{ id: number; row: string }>('SELECT id, (i.*)::text AS row FROM inventory i ORDER BY id');
    return new Map(res.rows.map((r) => [r.id, r.row]));
  });
}

async function orderNotes(): Promise<Map<number, string | null>> {
  return asRole(async (c) => {
    const res = await c.query<{ id: string; notes: string | null }>('SELECT id, notes FROM orders ORDER BY id');
    return new Map(res.rows.map((r) => [Number(r.id), r.notes]));
  });
}

function changedKeys<V>(before: Map<number, V>, after: Map<number, V>): number[] {
  expect([...after.keys()]).toEqual([...before.keys()]);
  return [...before]
    .filter(([id, v]) => after.get(id) !== v)
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

/** Sets `count` more items (active, in stock, none negative yet) to more reserved than on hand. */
async function oversell(count: number, except: number[] = []): Promise<number[]> {
  return asRole(async (c) => {
    const res = await c.query<{ id: number }>(
      `UPDATE inventory SET reserved_quantity = quantity + 3
        WHERE id IN (SELECT id FROM inventory WHERE available_quantity > 0 AND is_active AND id <> ALL ($2::int[]) ORDER BY id DESC LIMIT $1)
        RETURNING id`,
      [count, except],
    );
    expect(res.rows).toHaveLength(count);
    return res.rows.map((r) => r.id);
  });
}

function keysOf(preview: RunbookStepPreview): number[] {
  expect(preview.columns[0]).toMatch(/^(id|pid)$/);
  return preview.rows.map((r) => Number(r[0])).sort((a, b) => a - b);
}

function preview(step: typeof RESET, profile: Profile = profiles.dev): Promise<RunbookStepPreview> {
  return ok<RunbookStepPreview>('previewRunbookStep', { profileId: profile.id, ...step });
}

function lastAudit(action: string): { outcome: string; profile: string; summary: string; detail: string; rows_affected: number | null; error: string | null } {
  return core.deps.store.db
    .prepare('SELECT outcome, profile, summary, detail, rows_affected, error FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1')
    .get(action) as ReturnType<typeof lastAudit>;
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-write-steps-'));
  shopDb = await createShopDatabase(server, 'writesteps');
  const base: Partial<ProfileInput> = { host: server.host, port: server.port, database: shopDb.database, user: shopDb.role, sslmode: 'disable' };
  const make = (name: string, extra: Partial<ProfileInput>) =>
    ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, password: shopDb.password });
  profiles.dev = await make('shop', { env: 'development', readOnly: false });
  profiles.ro = await make('shop-ro', { env: 'development', readOnly: true });
  profiles.prod = await make('shop-prod', { env: 'production', readOnly: false });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('reset negative reservations (troubleshooting: inventory sync)', () => {
  it('previews exactly the items with negative availability and resets exactly those rows', async () => {
    const added = await oversell(2);
    const negative = await ids('SELECT id FROM inventory WHERE available_quantity < 0 ORDER BY id');
    // The seed oversells three items; the test adds two: all of them must be found.
    expect(negative).toEqual(expect.arrayContaining(added));
    expect(negative.length).toBe(5);

    const before = await inventorySnapshot();
    const seen = await preview(RESET);
    expect(keysOf(seen)).toEqual(negative);
    expect(seen).toMatchObject({ rowCount: 5, kind: 'destructive', profile: 'shop', confirmationRequired: false, immediate: false });
    expect(seen.statement).toMatch(/^UPDATE inventory\s+SET reserved_quantity = 0\s+WHERE available_quantity < 0;$/);
    expect(await inventorySnapshot()).toEqual(before);
    expect(lastAudit('runbook.preview')).toMatchObject({
      outcome: 'ok',
      profile: 'shop',
      detail: seen.previewSql,
      summary: expect.stringContaining('5 rows would be affected'),
    });

    const run = await ok<RunbookStepRunResult>('runRunbookStep', { profileId: profiles.dev.id, ...RESET, expectedRows: seen.rowCount, token: seen.token });
    expect(run).toMatchObject({ rowsAffected: 5, statement: seen.statement, title: seen.title });

    const after = await inventorySnapshot();
    expect(changedKeys(before, after)).toEqual(negative);
    const fixed = await asRole(
      async (c) => (await c.query('SELECT reserved_quantity, available_quantity = quantity AS ok FROM inventory WHERE id = ANY ($1)', [negative])).rows,
    );
    expect(fixed).toEqual(negative.map(() => ({ reserved_quantity: 0, ok: true })));
    expect(await ids('SELECT id FROM inventory WHERE available_quantity < 0')).toEqual([]);
    expect(lastAudit('runbook.step')).toMatchObject({
      outcome: 'ok',
      profile: 'shop',
      rows_affected: 5,
      detail: seen.statement,
      summary: `5 rows affected: ${seen.title} (shop)`,
    });

    expect((await preview(RESET)).rowCount).toBe(0);
  });

  it('refuses when the data changed since the preview (count or rows), and changes nothing', async () => {
    await oversell(2);
    const seen = await preview(RESET);
    expect(seen.rowCount).toBe(2);

    await oversell(1);
    const before = await inventorySnapshot();
    const moreRows = await fail('runRunbookStep', { profileId: profiles.dev.id, ...RESET, expectedRows: seen.rowCount, token: seen.token });
    expect(moreRows).toMatchObject({
      code: 'CONFLICT',
      message: 'The data changed since the preview: 3 rows now, 2 previewed; preview again. Nothing was changed.',
    });
    expect(await inventorySnapshot()).toEqual(before);
    expect(lastAudit('runbook.step')).toMatchObject({ outcome: 'error', rows_affected: 0, error: expect.stringMatching(/^CONFLICT: /) });

    // Same count, other rows: only the token tells.
    const again = await preview(RESET);
    const [first] = keysOf(again);
    await asRole((c) => c.query('UPDATE inventory SET reserved_quantity = 0 WHERE id = $1', [first]));
    await oversell(1, [first!]);
    const swapped = await inventorySnapshot();
    const otherRows = await fail('runRunbookStep', { profileId: profiles.dev.id, ...RESET, expectedRows: again.rowCount, token: again.token });
    expect(otherRows).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/other rows would be affected now \(3 rows, the same count as previewed\)/),
    });
    expect(await inventorySnapshot()).toEqual(swapped);

    const fresh = await preview(RESET);
    await ok('runRunbookStep', { profileId: profiles.dev.id, ...RESET, expectedRows: fresh.rowCount, token: fresh.token });
    expect(await ids('SELECT id FROM inventory WHERE available_quantity < 0')).toEqual([]);
  });
});

describe('archive delivered orders older than two years (storage critical)', () => {
  it('changes exactly the orders the preview counted', async () => {
    // Whatever the random seed made old, five more delivered orders are three years old.
    const aged = await ids(`UPDATE orders SET delivered_at = now() - interval '3 years', created_at = now() - interval '3 years 10 days'
                            WHERE id IN (SELECT id FROM orders WHERE status = 'delivered' AND delivered_at > now() - interval '1 year' ORDER BY id LIMIT 5)
                            RETURNING id`);
    expect(aged).toHaveLength(5);
    const old = await ids(`SELECT id FROM orders WHERE status = 'delivered' AND delivered_at < now() - interval '2 years' ORDER BY id`);
    expect(old).toEqual(expect.arrayContaining(aged));

    const before = await orderNotes();
    const seen = await preview(ARCHIVE);
    expect(seen.rowCount).toBe(old.length);
    expect(seen.rows.length).toBe(Math.min(old.length, 200));
    const run = await ok<RunbookStepRunResult>('runRunbookStep', { profileId: profiles.dev.id, ...ARCHIVE, expectedRows: seen.rowCount, token: seen.token });
    expect(run.rowsAffected).toBe(seen.rowCount);

    const after = await orderNotes();
    expect(changedKeys(before, after)).toEqual(old);
    for (const id of old) expect(after.get(id)).toBe(before.get(id) ? `${before.get(id)} [ARCHIVED]` : '[ARCHIVED]');
    expect(lastAudit('runbook.step')).toMatchObject({ outcome: 'ok', rows_affected: old.length, detail: seen.statement });
    // Marked once: a second preview finds nothing left to archive.
    expect((await preview(ARCHIVE)).rowCount).toBe(0);
  });
});

describe('guards', () => {
  it('a read-only profile refuses both steps and nothing changes', async () => {
    await oversell(2);
    await ids(`UPDATE orders SET delivered_at = now() - interval '3 years'
               WHERE id IN (SELECT id FROM orders WHERE status = 'delivered' AND delivered_at > now() - interval '1 year' ORDER BY id LIMIT 2) RETURNING id`);
    const inventory = await inventorySnapshot();
    const notes = await orderNotes();
    for (const step of [RESET, ARCHIVE]) {
      // Previewing only reads, so it works on a read-only profile; running does not.
      const seen = await preview(step, profiles.ro);
      expect(seen.rowCount).toBe(2);
      const err = await fail('runRunbookStep', { profileId: profiles.ro.id, ...step, expectedRows: seen.rowCount, token: seen.token });
      expect(err).toMatchObject({ code: 'READ_ONLY', message: expect.stringContaining('"shop-ro" is a read-only profile') });
      expect(lastAudit('runbook.step')).toMatchObject({ outcome: 'refused', profile: 'shop-ro', error: expect.stringMatching(/^READ_ONLY: /) });
    }
    expect(await inventorySnapshot()).toEqual(inventory);
    expect(await orderNotes()).toEqual(notes);
  });

  it('production needs the profile name typed, exactly', async () => {
    // The two items the read-only test oversold are still negative.
    const seen = await preview(RESET, profiles.prod);
    expect(seen).toMatchObject({ rowCount: 2, confirmationRequired: true, profile: 'shop-prod' });
    const before = await inventorySnapshot();
    for (const confirmName of [undefined, 'shop', 'SHOP-PROD']) {
      const err = await fail('runRunbookStep', { profileId: profiles.prod.id, ...RESET, expectedRows: 2, ...(confirmName ? { confirmName } : {}) });
      expect(err).toMatchObject({ code: 'CONFIRMATION_REQUIRED', detail: { expected: 'shop-prod' } });
    }
    expect(await inventorySnapshot()).toEqual(before);
    const run = await ok<RunbookStepRunResult>('runRunbookStep', {
      profileId: profiles.prod.id,
      ...RESET,
      expectedRows: 2,
      token: seen.token,
      confirmName: 'shop-prod',
    });
    expect(run.rowsAffected).toBe(2);
    expect(lastAudit('runbook.step')).toMatchObject({ outcome: 'ok', profile: 'shop-prod', rows_affected: 2 });
  });

  it('refuses read steps and unknown steps, and checks expectedRows', async () => {
    expect(
      await fail('runRunbookStep', {
        profileId: profiles.dev.id,
        procedureId: RESET.procedureId,
        stepId: 'troubleshooting.inventory.negative',
        expectedRows: 0,
      }),
    ).toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      await fail('previewRunbookStep', { profileId: profiles.dev.id, procedureId: 'maintenance.weekly', stepId: 'maintenance.weekly.vacuum' }),
    ).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await fail('runRunbookStep', { profileId: profiles.dev.id, ...RESET, stepId: 'nope', expectedRows: 0 })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await fail('runRunbookStep', { profileId: profiles.dev.id, ...RESET, expectedRows: -1 })).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('ending idle connections counts the sessions it returns; none idle for an hour here', async () => {
    const seen = await preview(IDLE);
    expect(seen).toMatchObject({ rowCount: 0, immediate: true, kind: 'destructive' });
    expect(seen.columns[0]).toBe('pid');
    const run = await ok<RunbookStepRunResult>('runRunbookStep', { profileId: profiles.dev.id, ...IDLE, expectedRows: 0, token: seen.token });
    expect(run.rowsAffected).toBe(0);
    expect(await fail('runRunbookStep', { profileId: profiles.dev.id, ...IDLE, expectedRows: 1 })).toMatchObject({ code: 'CONFLICT' });
  });
});
