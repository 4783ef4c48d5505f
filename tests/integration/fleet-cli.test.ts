// Fleet health and checklist runs (issue #22) on the run's real PostgreSQL, through the built
// CLI and the core: six tagged profiles — three judged on a seeded database (OK, OK with
// lenient thresholds, WARNING and CRITICAL on its size), one on a closed port (connect error)
// and one on a database whose catalog a maintenance transaction holds locked while it sleeps
// (pg_sleep): the overview waits on the lock until the per-target timeout ends it. The others
// are still judged, the exit code is the worst status, each target is one audit entry, the
// concurrency bound holds on the server (pg_stat_activity), and the timed-out target's
// connection is really closed (the server drops its backend: client_connection_check_interval).
import net from 'node:net';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FleetHealthResult } from '../../src-main/contract/fleet';
import type { AuditEntry, Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { json, runCli } from '../helpers/cli';
import { callsOn, newTestCore } from '../helpers/core';
import { clientConfig, createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { LENIENT_THRESHOLDS } from '../helpers/thresholds';

const pg_ = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let hangDb: string;
let holder: pg.Client;
let holderPid: number;
const { ok, fail } = callsOn(() => core);

type Doc = { status: string; results: Array<{ profile: string; status: string; error?: { code: string; message: string }; checks?: unknown[] }> };

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cli = (args: string[]) => runCli(home, args, { env: { PGPASSWORD: shopDb.password } });

/** Backends of the app (application_name ops-console) on `database`, sampled while `during` runs; the maximum seen. */
async function maxAppBackends(database: string, during: Promise<unknown>): Promise<number> {
  let max = 0;
  let done = false;
  void during.finally(() => (done = true));
  await withClient(pg_, async (c) => {
    while (!done) {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ops-console' AND backend_type = 'client backend'`,
        [database],
      );
      max = Math.max(max, rows[0]!.n);
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  await during;
  return max;
}

async function appBackendsOn(database: string): Promise<number> {
  return withClient(pg_, async (c) => {
    const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ops-console'`, [
      database,
    ]);
    return rows[0]!.n;
  });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-fleet-cli-'));
  shopDb = await createShopDatabase(pg_, 'fleetcli');
  hangDb = await createTestDatabase(pg_, uniqueDatabaseName('fleethang'));
  await withClient(pg_, async (c) => {
    // The server notices a vanished client within 100 ms even while its backend waits on a lock.
    await c.query(`ALTER DATABASE ${quoteIdent(hangDb)} SET client_connection_check_interval = '100ms'`);
    await c.query(`GRANT CONNECT ON DATABASE ${quoteIdent(hangDb)} TO ${quoteIdent(shopDb.role)}`);
  });
  // A long maintenance transaction holding the extension catalog, which the overview reads.
  holder = new pg.Client(clientConfig(pg_, hangDb));
  await holder.connect();
  holder.on('error', () => undefined);
  holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE pg_catalog.pg_extension IN ACCESS EXCLUSIVE MODE');
  holder.query('SELECT pg_sleep(600)').catch(() => undefined);

  const base = { host: pg_.host, port: pg_.port, database: shopDb.database, user: shopDb.role, sslmode: 'disable', env: 'development' } as const;
  const create = (input: Partial<ProfileInput>) => ok<Profile>('createProfile', { profile: { ...base, ...input }, password: shopDb.password });
  const okA = await create({ name: 'ok-a', tags: ['prod', 'eu', 'shop'] });
  const okB = await create({ name: 'ok-b', tags: ['prod', 'us', 'shop'] });
  const warn = await create({ name: 'warn-c', tags: ['prod', 'eu', 'shop'] });
  const crit = await create({ name: 'crit-d', tags: ['staging', 'shop'] });
  await create({ name: 'down-e', host: '127.0.0.1', port: await closedPort(), tags: ['prod', 'eu'] });
  const hang = await create({ name: 'hang-f', database: hangDb, tags: ['prod', 'us'] });
  for (const p of [okA, okB, hang]) await ok('setThresholds', { profileId: p.id, values: LENIENT_THRESHOLDS });
  const size = (warnAt: number, critical: number) => LENIENT_THRESHOLDS.map((t) => (t.key === 'dbSize' ? { key: 'dbSize', warn: warnAt, critical } : t));
  await ok('setThresholds', { profileId: warn.id, values: size(1024, 1e15) });
  await ok('setThresholds', { profileId: crit.id, values: size(1024, 2048) });
}, 120_000);

afterAll(async () => {
  await holder?.end().catch(() => undefined);
  await core?.close();
  // First: it holds a grant to the shop's role.
  if (hangDb) await dropTestDatabase(pg_, hangDb);
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ops-console health --tag / --profiles', () => {
  it('judges every target, a closed port and a hung server UNKNOWN without stopping the others; exit = the worst', async () => {
    const run = await cli(['health', '--tag', 'PROD', '--concurrency', '3', '--timeout', '2', '--json']);
    const doc = json(run) as unknown as Doc;
    expect(run.code, run.stderr).toBe(3);
    expect(doc.status).toBe('unknown');
    expect(doc.results.map((r) => [r.profile, r.status])).toEqual([
      ['down-e', 'unknown'],
      ['hang-f', 'unknown'],
      ['ok-a', 'ok'],
      ['ok-b', 'ok'],
      ['warn-c', 'warning'],
    ]);
    expect(doc.results[0]!.error!.code).toBe('CONNECTION_FAILED');
    expect(doc.results[1]!.error).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('2 s') as unknown });
    // The single-profile result's fields ride along.
    expect(doc.results[2]!.checks).toHaveLength(8);
  }, 60_000);

  it('exits with the worst status of the targets chosen by name', async () => {
    expect((await cli(['health', '--profiles', 'ok-a,ok-b'])).code).toBe(0);
    expect((await cli(['health', '--profiles', 'ok-a,warn-c', '--json'])).code).toBe(1);
    const text = await cli(['health', '--profiles', 'warn-c,CRIT-D,ok-a']);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).toMatch(/^CRITICAL\s+crit-d\s+Database size/m);
    expect(text.stdout).toMatch(/Fleet health: CRITICAL — 3 targets \(1 ok, 1 warning, 1 critical, 0 unknown\)/);
  }, 60_000);

  it('refuses unknown names (exit 2, naming each), a tag nobody has (UNKNOWN) and --concurrency out of range', async () => {
    const unknown = await cli(['health', '--profiles', 'ok-a,nope,gone']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nope", "gone"');
    const none = await cli(['health', '--tag', 'mars', '--json']);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('Tags in use: eu, prod, shop, staging, us');
    expect((await cli(['health', '--tag', 'prod', '--concurrency', '65'])).code).toBe(2);
    expect((await cli(['health', 'ok-a', '--tag', 'prod'])).code).toBe(2);
  }, 60_000);

  it('never has more than N of its connections open on the server', async () => {
    const run = cli(['health', '--tag', 'shop', '--concurrency', '2', '--json']);
    const max = await maxAppBackends(shopDb.database, run);
    expect((await run).code).toBe(2);
    expect(max).toBeGreaterThanOrEqual(1);
    expect(max).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('ops-console checklist run NAME --tag', () => {
  it('runs the checklist on each target, one result per target with its steps, exit = the worst', async () => {
    const run = await cli(['checklist', 'run', 'morning', '--tag', 'eu', '--timeout', '10', '--json']);
    const doc = json(run) as unknown as Doc & { checklist: string; results: Array<{ steps?: unknown[] }> };
    expect(run.code, run.stderr).toBe(3);
    expect(doc.checklist).toBe('morning');
    expect(doc.results.map((r) => r.profile)).toEqual(['down-e', 'ok-a', 'warn-c']);
    expect(doc.results[0]).toMatchObject({ status: 'unknown', error: { code: 'CONNECTION_FAILED' } });
    expect(doc.results[1]!.steps!.length).toBeGreaterThan(0);
    expect((await cli(['checklist', 'run', 'nightly', '--tag', 'eu'])).code).toBe(3);
    expect((await cli(['checklist', 'run', 'morning', '--tag', 'eu', '--profile', 'ok-a'])).code).toBe(2);
  }, 60_000);
});

describe('fleetHealth in the core', () => {
  it('audits one entry per target (profile, status, summary) beside the run, and a timed-out target lets go of its connection', async () => {
    const before = (await ok<{ entries: AuditEntry[] }>('searchAudit', { limit: 10_000 })).entries.map((e) => e.id);
    const result = await ok<FleetHealthResult>('fleetHealth', { tags: ['us'], timeoutMs: 1000 });
    expect(result.results.map((r) => [r.profile, r.status, r.error?.code ?? null])).toEqual([
      ['hang-f', 'unknown', 'TIMEOUT'],
      ['ok-b', 'ok', null],
    ]);
    // The lock is still held: had the client stayed open, its backend would still be waiting —
    // the run would return after the runner's 3 s grace and the backend stay until the
    // overview's own 5 s statement timeout. Closed, the server drops it within 100 ms.
    const deadline = Date.now() + 500;
    while ((await appBackendsOn(hangDb)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await appBackendsOn(hangDb)).toBe(0);

    const entries = (await ok<{ entries: AuditEntry[] }>('searchAudit', { limit: 10_000 })).entries.filter((e) => !before.includes(e.id));
    const targets = entries.filter((e) => e.action === 'health.check');
    expect(targets.map((e) => e.profile).sort()).toEqual(['hang-f', 'ok-b']);
    const run = entries.find((e) => e.action === 'fleet.health')!;
    expect(run.summary).toMatch(/fleet health on 2 profiles tagged us.*UNKNOWN \(1 ok, 1 unknown\)/);
    const hung = targets.find((e) => e.profile === 'hang-f')!;
    expect(hung).toMatchObject({ outcome: 'error', detail: `part of fleet run #${run.id}` });
    expect(hung.error).toMatch(/^TIMEOUT: No answer within 1 s/);
    expect(targets.find((e) => e.profile === 'ok-b')!.summary).toMatch(/^OK: health on ok-b: all 8 checks ok/);
  }, 60_000);

  it('refuses a selection of both kinds, none, or unknown names before touching any server', async () => {
    expect((await fail('fleetHealth', { tags: ['prod'], profiles: ['ok-a'] })).code).toBe('INVALID_INPUT');
    expect((await fail('fleetHealth', {})).code).toBe('INVALID_INPUT');
    expect((await fail('fleetHealth', { profiles: ['ok-a', 'nope'] })).message).toContain('"nope"');
    expect((await fail('fleetChecklistRun', { checklistId: 'nightly', tags: ['prod'] })).code).toBe('NOT_FOUND');
    // The holder is still there, still holding: it was never the fleet's to end.
    expect(await withClient(pg_, async (c) => (await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [holderPid])).rowCount)).toBe(1);
  });
});

describe('ops-console profile tags', () => {
  it('list and show carry the tags; edit adds (lowercased) and removes them, refusing a tag the profile lacks or a bad one', async () => {
    const list = json(await cli(['profile', 'list', '--json'])) as { profiles: Array<{ name: string; tags: string[] }> };
    expect(list.profiles.find((p) => p.name === 'crit-d')!.tags).toEqual(['staging', 'shop']);
    const edit = await cli(['profile', 'edit', 'crit-d', '--tag', 'Billing', '--untag', 'staging', '--json']);
    expect(edit.code, edit.stderr).toBe(0);
    expect((json(await cli(['profile', 'show', 'crit-d', '--json'])) as { tags: string[] }).tags).toEqual(['shop', 'billing']);
    const missing = await cli(['profile', 'edit', 'crit-d', '--untag', 'staging']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no tag "staging" (its tags: shop, billing)');
    const bad = await cli(['profile', 'edit', 'crit-d', '--tag', 'no spaces']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('tags.2: a tag is 1-32 characters');
    expect((json(await cli(['profile', 'show', 'crit-d', '--json'])) as { tags: string[] }).tags).toEqual(['shop', 'billing']);
  }, 60_000);
});
