// Live activity and emergency actions against the run's real PostgreSQL, with real
// backends the test opens: a session idle in a transaction holding a row lock, a session
// blocked behind it, a long pg_sleep. The snapshot's tree roots at the idle holder; cancel
// ends the sleep; terminate ends the holder and the waiter proceeds; a reused pid, an
// unconfirmed production terminate and a read-only profile are refused; the cleanup ends
// exactly the matching sessions (not excluded ones, not one that became active); a role
// without the right gets the explanation; every terminated pid has its audit entry.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActivitySnapshot, BlockingNode, CleanupPreview, CleanupResult, SignalResult } from '../../src-main/contract/activity';
import type { AuditEntry, Profile, ProfileInput } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { clientConfig, quoteIdent, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
let shopDb: ShopDatabase;
const profiles = {} as Record<'dev' | 'ro' | 'prod' | 'weak', Profile>;
const { ok, fail } = callsOn(() => core);
const weakRole = `activity_weak_${process.pid}_${Date.now().toString(36)}`;
const weakPassword = `pw-${Math.random().toString(36).slice(2)}`;
const opened: pg.Client[] = [];

interface Backend {
  client: pg.Client;
  pid: number;
  /** Set once the backend is gone (terminated): the client saw its connection end. */
  ended: boolean;
}

/** A real backend on the shop database, as the shop's role unless told otherwise. */
async function backend(application: string, as: { user: string; password: string } = { user: shopDb.role, password: shopDb.password }): Promise<Backend> {
  const client = new pg.Client({ ...clientConfig(server, shopDb.database), user: as.user, password: as.password, application_name: application });
  const b: Backend = { client, pid: 0, ended: false };
  client.on('error', () => {
    b.ended = true;
  });
  client.on('end', () => {
    b.ended = true;
  });
  await client.connect();
  opened.push(client);
  b.pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return b;
}

async function idleInTransaction(application: string, as?: { user: string; password: string }): Promise<Backend> {
  const b = await backend(application, as);
  await b.client.query('BEGIN');
  await b.client.query('SELECT 1');
  return b;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stateOf(pid: number): Promise<string | null> {
  return withClient(
    server,
    async (c) => (await c.query<{ state: string | null }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0]?.state ?? null,
  );
}

async function alive(pid: number): Promise<boolean> {
  return withClient(server, async (c) => ((await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount ?? 0) > 0);
}

function snapshot(profile = profiles.dev): Promise<ActivitySnapshot> {
  return ok<ActivitySnapshot>('getActivity', { profileId: profile.id });
}

function backendStart(snap: ActivitySnapshot, pid: number): string {
  const s = snap.sessions.find((x) => x.pid === pid);
  if (!s) throw new Error(`pid ${pid} not in the snapshot`);
  return s.backendStart;
}

async function auditEntries(action: string): Promise<AuditEntry[]> {
  return (await ok<{ entries: AuditEntry[] }>('searchAudit', { action, limit: 1000 })).entries;
}

beforeAll(async () => {
  ({ core } = newTestCore('ops-activity-'));
  shopDb = await createShopDatabase(server, 'activity');
  await withClient(server, async (c) => {
    // Created without login first, then allowed in: like a role a DBA hands out later.
    await c.query(`CREATE ROLE ${quoteIdent(weakRole)} NOLOGIN`);
    await c.query(`ALTER ROLE ${quoteIdent(weakRole)} LOGIN PASSWORD '${weakPassword}'`);
    await c.query(`GRANT CONNECT ON DATABASE ${quoteIdent(shopDb.database)} TO ${quoteIdent(weakRole)}`);
  });
  const base: Partial<ProfileInput> = {
    host: server.host,
    port: server.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    readOnly: false,
  };
  const make = async (name: string, extra: Partial<ProfileInput>, password = shopDb.password): Promise<Profile> =>
    ok<Profile>('createProfile', { profile: { ...base, name, env: 'development', ...extra }, password });
  profiles.dev = await make('activity-dev', {});
  profiles.ro = await make('activity-ro', { readOnly: true });
  profiles.prod = await make('activity-prod', { env: 'production' });
  profiles.weak = await make('activity-weak', { user: weakRole }, weakPassword);
}, 120_000);

afterAll(async () => {
  for (const c of opened) await c.end().catch(() => undefined);
  await core?.close();
  await shopDb?.dispose();
  await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(weakRole)}`));
});

describe('a row lock, a waiter behind it and a long sleep', () => {
  let holder: Backend;
  let waiter: Backend;
  let sleeper: Backend;
  let waiterDone: Promise<pg.QueryResult>;
  let sleepDone: Promise<unknown>;
  let snap: ActivitySnapshot;

  beforeAll(async () => {
    holder = await backend('shop-checkout');
    waiter = await backend('shop-sync');
    sleeper = await backend('shop-report');
    await holder.client.query('BEGIN');
    await holder.client.query('UPDATE inventory SET quantity = quantity + 1 WHERE id = (SELECT min(id) FROM inventory)');
    waiterDone = waiter.client.query('UPDATE inventory SET quantity = quantity + 1 WHERE id = (SELECT min(id) FROM inventory)');
    sleepDone = sleeper.client.query('SELECT pg_sleep(60)').then(
      () => 'finished',
      (err: { code?: string }) => err.code,
    );
    snap = await until('the waiter to wait on the lock', async () => {
      const s = await snapshot();
      return (
        s.sessions.some((x) => x.pid === waiter.pid && x.blockedBy.includes(holder.pid)) &&
        s.sessions.some((x) => x.pid === sleeper.pid && x.state === 'active') &&
        s
      );
    });
  });

  it('shows the idle holder as the root with the waiter under it, and what it holds', () => {
    const root = snap.blocking.find((n) => n.pid === holder.pid);
    expect(root, JSON.stringify(snap.blocking)).toBeDefined();
    const r = root as BlockingNode;
    expect(r.state).toBe('idle in transaction');
    expect(r.waitingFor).toBeNull();
    expect(r.waiters.map((w) => w.pid)).toEqual([waiter.pid]);
    expect(r.waiters[0]!.waitingFor).toMatch(/^Lock: /);
    expect(r.waiters[0]!.query).toContain('UPDATE inventory');
    expect(r.holds.join(' ')).toMatch(/transactionid \d+/);
    // The waiter is never a root of its own.
    expect(snap.blocking.some((n) => n.pid === waiter.pid)).toBe(false);
    expect(snap.lockWaits).toBeGreaterThanOrEqual(1);
    expect(snap.sessions.find((s) => s.pid === sleeper.pid)?.application).toBe('shop-report');
    expect(snap.connections).toBeGreaterThanOrEqual(4);
    expect(snap.maxConnections).toBeGreaterThan(0);
    expect(snap.databaseSizeBytes).toBeGreaterThan(0);
    expect(snap.privileges).toMatchObject({ superuser: false, signalBackend: true, readAllStats: true });
    expect(snap.connectionWarn).toBe(60);
    expect(snap.queryWarnMs).toBe(5000);
  });

  it('refuses a pid whose backend is not the one shown (CONFLICT), signalling nothing', async () => {
    const err = await fail('cancelBackend', { profileId: profiles.dev.id, pid: sleeper.pid, backendStart: '2001-01-01T00:00:00Z' });
    expect(err.code).toBe('CONFLICT');
    expect(await stateOf(sleeper.pid)).toBe('active');
  });

  it('refuses on a read-only profile (READ_ONLY) and an unconfirmed production terminate (CONFIRMATION_REQUIRED)', async () => {
    expect((await fail('cancelBackend', { profileId: profiles.ro.id, pid: sleeper.pid })).code).toBe('READ_ONLY');
    expect((await fail('terminateBackend', { profileId: profiles.ro.id, pid: holder.pid, backendStart: backendStart(snap, holder.pid) })).code).toBe(
      'READ_ONLY',
    );
    const err = await fail('terminateBackend', {
      profileId: profiles.prod.id,
      pid: holder.pid,
      backendStart: backendStart(snap, holder.pid),
      confirmName: 'activity-dev',
    });
    expect(err.code).toBe('CONFIRMATION_REQUIRED');
    expect(await stateOf(holder.pid)).toBe('idle in transaction');
    expect(await stateOf(sleeper.pid)).toBe('active');
  });

  it('explains to a role without pg_signal_backend why it cannot end another role’s backend', async () => {
    const weakSnap = await snapshot(profiles.weak);
    expect(weakSnap.privileges.signalBackend).toBe(false);
    expect(weakSnap.privileges.note).toMatch(/pg_signal_backend/);
    const err = await fail('terminateBackend', { profileId: profiles.weak.id, pid: holder.pid, backendStart: backendStart(snap, holder.pid) });
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toContain('pg_signal_backend');
    expect(err.message).toContain(shopDb.role);
    expect(await stateOf(holder.pid)).toBe('idle in transaction');
  });

  it('cancel ends the sleep and says so', async () => {
    const res = await ok<SignalResult>('cancelBackend', { profileId: profiles.dev.id, pid: sleeper.pid, backendStart: backendStart(snap, sleeper.pid) });
    expect(res).toMatchObject({ action: 'cancel', signalled: true, effective: true });
    expect(res.before.query).toContain('pg_sleep(60)');
    expect(await sleepDone).toBe('57014');
    expect(res.after?.state).toBe('idle');
  });

  it('terminate ends the idle transaction, and the waiter proceeds', async () => {
    const res = await ok<SignalResult>('terminateBackend', { profileId: profiles.dev.id, pid: holder.pid, backendStart: backendStart(snap, holder.pid) });
    expect(res).toMatchObject({ action: 'terminate', signalled: true, effective: true, after: null });
    expect(res.before).toMatchObject({ user: shopDb.role, application: 'shop-checkout', state: 'idle in transaction' });
    expect((await waiterDone).rowCount).toBe(1);
    expect(await alive(holder.pid)).toBe(false);
    await until('the holder client to see its end', async () => holder.ended);
    const entry = (await auditEntries('session.terminate')).find((e) => e.summary.includes(`backend ${holder.pid} `));
    expect(entry?.outcome).toBe('ok');
    expect(entry?.detail).toContain('UPDATE inventory');
    expect(entry?.summary).toContain(shopDb.role);
  });

  it('a cancel on a backend not running a query reports it had no effect', async () => {
    const idle = await backend('shop-idle');
    const res = await ok<SignalResult>('cancelBackend', { profileId: profiles.dev.id, pid: idle.pid });
    expect(res.signalled).toBe(true);
    expect(res.effective).toBe(false);
    expect(res.message).toMatch(/not running a query/);
  }, 10_000);
});

describe('cleanup of sessions idle in a transaction', () => {
  let target: Backend;
  let excludedUser: Backend;
  let excludedApp: Backend;
  let own: Backend;
  let plainIdle: Backend;
  let turnsActive: Backend;
  let preview: CleanupPreview;
  const rule = () => ({ profileId: profiles.dev.id, idleInTransactionMinutes: 0, excludeUsers: [weakRole], excludeApps: ['PgBouncer'] });

  beforeAll(async () => {
    target = await idleInTransaction('shop-worker');
    excludedUser = await idleInTransaction('shop-worker', { user: weakRole, password: weakPassword });
    excludedApp = await idleInTransaction('pgbouncer');
    own = await idleInTransaction('ops-console');
    plainIdle = await backend('shop-worker');
    turnsActive = await idleInTransaction('shop-worker');
    preview = await ok<CleanupPreview>('previewSessionCleanup', rule());
  });

  it('previews exactly the matching sessions, and says why the others are kept', () => {
    expect(preview.matched.map((m) => m.pid).sort()).toEqual([target.pid, turnsActive.pid].sort());
    const why = new Map(preview.excluded.map((e) => [e.pid, e.why]));
    expect(why.get(excludedUser.pid)).toMatch(/user .* excluded/);
    expect(why.get(excludedApp.pid)).toMatch(/application "pgbouncer" is excluded/);
    expect(why.get(own.pid)).toMatch(/own connection/);
    expect(why.has(plainIdle.pid)).toBe(false);
    expect(preview.rule).toContain('idle in transaction for more than 0 minutes');
  });

  it('refuses on read-only and unconfirmed production profiles', async () => {
    const pids = preview.matched.map((m) => m.pid);
    expect((await fail('runSessionCleanup', { rule: { ...rule(), profileId: profiles.ro.id }, pids })).code).toBe('READ_ONLY');
    expect((await fail('runSessionCleanup', { rule: { ...rule(), profileId: profiles.prod.id }, pids })).code).toBe('CONFIRMATION_REQUIRED');
    expect(await alive(target.pid)).toBe(true);
  });

  it('terminates the previewed sessions that still match, skips one that became active, audits each pid', async () => {
    const auditBefore = (await auditEntries('session.terminate')).length;
    const busy = turnsActive.client.query('SELECT pg_sleep(2)');
    await until('the session to become active', async () => (await stateOf(turnsActive.pid)) === 'active');
    const res = await ok<CleanupResult>('runSessionCleanup', { rule: rule(), pids: preview.matched.map((m) => m.pid) });
    expect(res.terminated).toEqual([target.pid]);
    expect(res.skipped).toEqual([{ pid: turnsActive.pid, reason: expect.stringMatching(/became active/) }]);
    await busy;
    expect(await alive(target.pid)).toBe(false);
    for (const b of [excludedUser, excludedApp, own, plainIdle, turnsActive]) expect(await alive(b.pid)).toBe(true);
    const entries = await auditEntries('session.terminate');
    expect(entries.length - auditBefore).toBe(1);
    expect(entries[0]!.summary).toContain(`backend ${target.pid} `);
    expect(entries[0]!.summary).toContain('SELECT 1');
    const cleanup = (await auditEntries('sessions.cleanup'))[0];
    expect(cleanup?.outcome).toBe('ok');
    expect(cleanup?.summary).toContain(`1 terminated (pids ${target.pid})`);
  });

  it('a role without pg_signal_backend sees other roles’ sessions excluded with the reason', async () => {
    const victim = await idleInTransaction('shop-worker');
    const p = await ok<CleanupPreview>('previewSessionCleanup', { profileId: profiles.weak.id, idleInTransactionMinutes: 0 });
    expect(p.matched.map((m) => m.pid)).not.toContain(victim.pid);
    expect(p.excluded.find((e) => e.pid === victim.pid)?.why).toMatch(/pg_signal_backend/);
    const res = await ok<CleanupResult>('runSessionCleanup', { rule: { profileId: profiles.weak.id, idleInTransactionMinutes: 0 }, pids: [victim.pid] });
    expect(res.terminated).toEqual([]);
    expect(res.skipped[0]?.reason).toMatch(/pg_signal_backend/);
    expect(await alive(victim.pid)).toBe(true);
  });
});
