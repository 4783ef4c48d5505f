// Attacks on the elevation guard (issue #19 section 1), against the run's real PostgreSQL.
// Each test tries to make the one read-only rule say yes where it must not: writes through
// a read-only production profile without an elevation (plain and smuggled), elevations
// started with bad input or used past their end, for another profile, twice, or through a
// console session kept from the window. They pass when the guard holds; the server's own
// state (a counter table, inventory, default_transaction_read_only) is the judge, not the
// app's answer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActivitySnapshot } from '../../src-main/contract/activity';
import type { AuditEntry, Profile, ProfileElevation, ProfileInput, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { activeElevation, endElevation, startElevation } from '../../src-main/core/platform/guard/elevation';
import { UsageError } from '../../src-main/cli/args';
import { queryCommand } from '../../src-main/cli/commands/query';
import { profileCommand } from '../../src-main/cli/commands/profile';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { backupAndWait } from '../helpers/restore';
import { clientConfig, quoteIdent, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
const { call, ok, fail } = callsOn(() => core);
const tag = `${process.pid}_${Date.now().toString(36)}`;
const observer = `atk_observer_${tag}`;
const observerPassword = `obs-${Math.random().toString(36).slice(2)}`;
// A password no other file of the run could hold by chance: found anywhere in the home, it leaked.
const glassPassword = `glass-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
const glassRole = `atk_glass_${tag}`;
const profiles = {} as Record<'prod' | 'other' | 'glass', Profile>;
const opened: pg.Client[] = [];

async function audit(action: string): Promise<AuditEntry[]> {
  return (await ok<{ entries: AuditEntry[] }>('searchAudit', { action, limit: 200 })).entries;
}

async function onShop<T>(sql: string): Promise<T[]> {
  return withClient(server, async (c) => (await c.query(sql)).rows as T[], shopDb.database);
}

/** The server's own word: rows the attack functions wrote, and the first item's quantity. */
async function serverState(): Promise<{ log: number; quantity: number }> {
  const [row] = await onShop<{ log: number; quantity: number }>(
    'SELECT (SELECT count(*)::int FROM attack_log) AS log, (SELECT quantity FROM inventory WHERE id = (SELECT min(id) FROM inventory)) AS quantity',
  );
  return row!;
}

/** What the console's session of the profile says it is now. */
async function consoleState(p: Profile): Promise<{ readOnly: string; user: string }> {
  const r = await ok<QueryRunResult>('runQuery', { profileId: p.id, sql: 'SELECT current_setting($$default_transaction_read_only$$), current_user::text' });
  const [readOnly, user] = r.statements[0]!.rows![0] as [string, string];
  return { readOnly, user };
}

/** Runs an attack; the app's answer (code or per-statement error) is returned for the message only. */
async function attempt(p: Profile, sql: string): Promise<string> {
  const env = await call<QueryRunResult>('runQuery', { profileId: p.id, sql, confirmName: p.name });
  if (!env.ok) return env.error.code;
  const failed = env.value.statements.find((s) => s.error);
  return failed ? `statement error ${failed.error!.sqlstate ?? ''}` : 'ran';
}

async function holder(): Promise<{ client: pg.Client; pid: number; backendStart: string }> {
  const client = new pg.Client({ ...clientConfig(server, shopDb.database), user: shopDb.role, password: shopDb.password, application_name: 'atk-holder' });
  opened.push(client);
  client.on('error', () => undefined);
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const snap = await ok<ActivitySnapshot>('getActivity', { profileId: profiles.prod.id });
  return { client, pid, backendStart: snap.sessions.find((s) => s.pid === pid)!.backendStart };
}

async function alive(pid: number): Promise<boolean> {
  return (await onShop<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}`))[0]!.n === 1;
}

function elevate(p: Profile, extra: Record<string, unknown> = {}): Promise<ProfileElevation> {
  return ok<ProfileElevation>('elevateProfile', { profileId: p.id, confirmName: p.name, reason: 'attack test', ...extra });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-elev-attacks-'));
  shopDb = await createShopDatabase(server, 'elevatk');
  await withClient(server, async (c) => {
    await c.query(`CREATE ROLE ${quoteIdent(observer)} LOGIN PASSWORD '${observerPassword}'`);
    await c.query(`GRANT pg_monitor TO ${quoteIdent(observer)}`);
    await c.query(`CREATE ROLE ${quoteIdent(glassRole)} LOGIN PASSWORD '${glassPassword}'`);
  });
  // Functions that write while looking like reads: the classic ways to smuggle a write into a SELECT.
  await withClient(
    server,
    async (c) => {
      const own = quoteIdent(shopDb.role);
      await c.query(`CREATE TABLE attack_log (at timestamptz DEFAULT now())`);
      await c.query(`CREATE FUNCTION bump() RETURNS int LANGUAGE plpgsql AS $$BEGIN INSERT INTO attack_log DEFAULT VALUES; RETURN 1; END$$`);
      // Declared STABLE, calls the volatile writer: PostgreSQL runs the inner one read-write.
      await c.query(`CREATE FUNCTION looks_stable() RETURNS int STABLE LANGUAGE plpgsql AS $$BEGIN RETURN bump(); END$$`);
      // Declared IMMUTABLE, lifts the session's read-only default.
      await c.query(`CREATE FUNCTION innocent() RETURNS text IMMUTABLE LANGUAGE sql AS $$SELECT set_config('default_transaction_read_only', 'off', false)$$`);
      await c.query(`CREATE VIEW harmless AS SELECT bump() AS n`);
      await c.query(`CREATE FUNCTION imm_bump() RETURNS int IMMUTABLE LANGUAGE sql AS $$SELECT bump()$$`);
      await c.query(`CREATE PROCEDURE proc() LANGUAGE plpgsql AS $$BEGIN INSERT INTO attack_log DEFAULT VALUES; END$$`);
      await c.query(`GRANT ALL ON attack_log, harmless TO ${own}, ${quoteIdent(glassRole)}`);
      await c.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${quoteIdent(glassRole)}`);
      await c.query(`CREATE INDEX atk_idx ON attack_log (at)`);
      await c.query(`ALTER TABLE attack_log OWNER TO ${own}`);
    },
    shopDb.database,
  );
  const base: Partial<ProfileInput> = {
    host: server.host,
    port: server.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'production',
  };
  const make = (name: string, extra: Partial<ProfileInput>, secrets: Record<string, string> = { password: shopDb.password }) =>
    ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, ...secrets });
  profiles.prod = await make('atk-prod', {});
  profiles.other = await make('atk-other', {});
  profiles.glass = await make('atk-glass', { user: observer, breakGlassUser: glassRole }, { password: observerPassword, breakGlassSecret: glassPassword });
  expect(profiles.prod).toMatchObject({ readOnly: true, env: 'production' });
}, 120_000);

afterAll(async () => {
  for (const c of opened) await c.end().catch(() => undefined);
  await core?.close();
  await shopDb?.dispose();
  await withClient(server, async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(observer)}`);
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(glassRole)}`);
  });
});

describe('no elevation: nothing writes through a read-only production profile', () => {
  const smuggled = [
    'UPDATE inventory SET quantity = quantity + 1',
    'SET default_transaction_read_only = off',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
    'BEGIN READ WRITE',
    'START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE',
    'BEGIN; SET TRANSACTION READ WRITE; UPDATE inventory SET quantity = quantity + 1; COMMIT',
    "SELECT set_config('default_transaction_read_only', 'off', false)",
    "SELECT set_config('transaction_read_only', 'off', true)",
    'SELECT bump()',
    'SELECT looks_stable()',
    'SELECT innocent()',
    'SELECT * FROM harmless',
    'CALL proc()',
    'DO $$BEGIN INSERT INTO attack_log DEFAULT VALUES; END$$',
    'WITH w AS (UPDATE inventory SET quantity = quantity + 1 RETURNING 1) SELECT count(*) FROM w',
    'COMMIT; UPDATE inventory SET quantity = quantity + 1',
    'RESET ALL; UPDATE inventory SET quantity = quantity + 1',
    'PREPARE p AS UPDATE inventory SET quantity = quantity + 1',
    'EXECUTE p',
    'DECLARE c CURSOR FOR SELECT bump(); FETCH c',
    'COPY attack_log FROM STDIN',
    'DROP INDEX atk_idx',
    'VACUUM attack_log',
    'TRUNCATE attack_log',
    'LOCK TABLE inventory IN ACCESS EXCLUSIVE MODE',
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $$atk-holder$$',
    'SELECT pg_reload_conf()',
    "SELECT nextval(pg_get_serial_sequence('inventory', 'id'))",
    'SELECT lo_create(0)',
  ];

  it('the console: every plain or smuggled write is refused and the server is unchanged, still read-only after each', async () => {
    const h = await holder();
    const before = await serverState();
    const answers: string[] = [];
    for (const sql of smuggled) {
      answers.push(`${sql} -> ${await attempt(profiles.prod, sql)}`);
      // Whatever the app answered, the server is the judge: nothing written, and the
      // console's session is still read-only for the next statement.
      expect(await serverState(), sql).toEqual(before);
      expect((await consoleState(profiles.prod)).readOnly, sql).toBe('on');
    }
    // Right after innocent(), the other paths that run SQL on the console's profile.
    await attempt(profiles.prod, 'SELECT innocent()');
    await call('exportQuery', { profileId: profiles.prod.id, sql: 'SELECT imm_bump()', format: 'json' });
    await attempt(profiles.prod, 'SELECT innocent()');
    await call('explainQuery', { profileId: profiles.prod.id, sql: 'SELECT imm_bump()', analyze: true, confirmName: 'atk-prod' });
    expect(await serverState()).toEqual(before);
    expect(await alive(h.pid)).toBe(true);
    // The plain writes never reach the server: refused by the rule, not by the server's error.
    expect(answers.filter((a) => a.startsWith('UPDATE') || a.startsWith('SELECT bump') || a.startsWith('CALL')).every((a) => a.endsWith('READ_ONLY'))).toBe(
      true,
    );
    expect((await audit('query.run')).filter((e) => e.outcome === 'refused').length).toBeGreaterThanOrEqual(10);
  });

  it('every other write path: Activity (signals, cleanup), VACUUM, the toolkit, Explain ANALYZE and export are refused or write nothing', async () => {
    const h = await holder();
    const sig = { profileId: profiles.prod.id, pid: h.pid, backendStart: h.backendStart, confirmName: profiles.prod.name };
    expect(await fail('cancelBackend', sig)).toMatchObject({ code: 'READ_ONLY' });
    expect(await fail('terminateBackend', sig)).toMatchObject({ code: 'READ_ONLY' });
    const rule = { profileId: profiles.prod.id, idleMinutes: 0 };
    expect(await fail('runSessionCleanup', { rule, pids: [h.pid], confirmName: profiles.prod.name })).toMatchObject({ code: 'READ_ONLY' });
    expect(await alive(h.pid)).toBe(true);
    // Explain ANALYZE executes its statement; an export runs it: neither may be the smuggler.
    const before = await serverState();
    for (const sql of ['SELECT bump()', 'SELECT looks_stable()', 'SELECT * FROM harmless', 'UPDATE inventory SET quantity = quantity + 1']) {
      const explained = await call('explainQuery', { profileId: profiles.prod.id, sql, analyze: true, confirmName: profiles.prod.name });
      const exported = await call('exportQuery', { profileId: profiles.prod.id, sql, format: 'json' });
      expect([explained.ok, exported.ok], sql).toEqual([false, false]);
      expect(await serverState(), sql).toEqual(before);
    }
    const vac = { profileId: profiles.prod.id, schema: 'public', table: 'attack_log', confirmName: profiles.prod.name };
    expect(await fail('runVacuum', vac)).toMatchObject({ code: 'READ_ONLY' });
    expect(await fail('runVacuum', { ...vac, full: true })).toMatchObject({ code: 'READ_ONLY' });
    expect(await fail('installToolkit', { profileId: profiles.prod.id, confirmName: profiles.prod.name })).toMatchObject({ code: 'READ_ONLY' });
    const last = (await onShop<{ v: string | null }>(`SELECT last_vacuum::text AS v FROM pg_stat_user_tables WHERE relname = 'attack_log'`))[0]!;
    expect(last.v).toBeNull();
    expect((await onShop<{ n: number }>(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'ops%'`))[0]!.n).toBe(0);
    for (const action of ['session.cancel', 'session.terminate']) expect((await audit(action))[0]).toMatchObject({ outcome: 'refused' });
  });
});

describe('elevation input from a crafted caller (the renderer calling the operation directly)', () => {
  it('a wrong, near or empty name, a blank reason, a bad duration or an extra field starts nothing', async () => {
    const p = profiles.prod;
    const good = { profileId: p.id, confirmName: p.name, reason: 'INC-1 lock' };
    expect(await fail('elevateProfile', { ...good, confirmName: undefined })).toMatchObject({ code: 'INVALID_INPUT' });
    for (const confirmName of ['', 'ATK-PROD', 'atk-prod ', ' atk-prod', 'atk-other', p.id])
      expect(await fail('elevateProfile', { ...good, confirmName }), confirmName).toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    // Another profile's id with this one's typed name.
    expect(await fail('elevateProfile', { ...good, profileId: profiles.other.id })).toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    for (const reason of ['', '  ', '\t\n  ', 'ab', 'x'.repeat(501)])
      expect(await fail('elevateProfile', { ...good, reason }), JSON.stringify(reason)).toMatchObject({ code: 'INVALID_INPUT' });
    for (const minutes of [0, -5, 31, 1.5, 1e9, Number.POSITIVE_INFINITY, '5', null])
      expect(await fail('elevateProfile', { ...good, minutes }), String(minutes)).toMatchObject({ code: 'INVALID_INPUT' });
    for (const extra of [{ mode: 'forever' }, { role: 'postgres' }, { expiresAt: '2099-01-01T00:00:00Z' }, { actor: 'someone-else' }])
      expect(await fail('elevateProfile', { ...good, ...extra }), JSON.stringify(extra)).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await fail('endElevation', { profileId: p.id, extra: 1 })).toMatchObject({ code: 'INVALID_INPUT' });
    // None of them left an elevation behind.
    for (const q of [profiles.prod, profiles.other]) {
      expect(activeElevation(q.id)).toBeNull();
      expect((await ok<Profile>('getProfile', { id: q.id })).elevation).toBeNull();
    }
    expect(await attempt(p, 'SELECT bump()')).toBe('READ_ONLY');
    // The override for blocked statements is not an override of the read-only rule.
    expect(await fail('runQuery', { profileId: p.id, sql: 'SELECT bump()', confirmName: p.name, override: true })).toMatchObject({ code: 'READ_ONLY' });
    // A copy of an elevated profile is a new profile: not elevated.
    await elevate(p);
    const copy = await ok<Profile>('duplicateProfile', { id: p.id, name: 'atk-prod-copy' });
    expect(copy.elevation).toBeNull();
    expect(await fail('runQuery', { profileId: copy.id, sql: 'SELECT bump()', confirmName: 'atk-prod-copy', password: shopDb.password })).toMatchObject({
      code: 'READ_ONLY',
    });
    await ok('endElevation', { profileId: p.id });
    await ok('removeProfile', { id: copy.id, confirmName: 'atk-prod-copy' });
    // A one-action elevation never lasts more than its two minutes, whatever was asked.
    const one = await elevate(p, { mode: 'action', minutes: 30 });
    expect(Date.parse(one.expiresAt) - Date.parse(one.startedAt)).toBe(2 * 60_000);
    expect(await ok('endElevation', { profileId: p.id })).toEqual({ ended: true });
  });
});

describe('an elevation is for its profile, its time and its count only', () => {
  it('an elevation of one profile does not lift another profile of the same server', async () => {
    const before = await serverState();
    await elevate(profiles.prod);
    try {
      expect(await attempt(profiles.other, 'SELECT bump()')).toBe('READ_ONLY');
      expect(await fail('runVacuum', { profileId: profiles.other.id, schema: 'public', table: 'attack_log', confirmName: 'atk-other' })).toMatchObject({
        code: 'READ_ONLY',
      });
      expect(await consoleState(profiles.other)).toEqual({ readOnly: 'on', user: shopDb.role });
      expect(await serverState()).toEqual(before);
    } finally {
      await ok('endElevation', { profileId: profiles.prod.id });
    }
  });

  it('End now with a transaction still open: the write made in the window is not committed later', async () => {
    const before = await serverState();
    await elevate(profiles.prod);
    const opened = await ok<QueryRunResult>('runQuery', { profileId: profiles.prod.id, sql: 'BEGIN; SELECT bump()', confirmName: 'atk-prod' });
    expect(opened.transactionOpen).toBe(true);
    expect(await ok('endElevation', { profileId: profiles.prod.id })).toEqual({ ended: true });
    await call('runQuery', { profileId: profiles.prod.id, sql: 'COMMIT', confirmName: 'atk-prod' });
    expect(await serverState()).toEqual(before);
    expect(await consoleState(profiles.prod)).toEqual({ readOnly: 'on', user: shopDb.role });
    expect(await attempt(profiles.prod, 'SELECT bump()')).toBe('READ_ONLY');
  });

  it('a statement still running when the window ends leaves no read-write session behind', async () => {
    await elevate(profiles.prod);
    const running = ok<QueryRunResult>('runQuery', { profileId: profiles.prod.id, sql: 'SELECT pg_sleep(1)' });
    // Wait until the sleep is on the server (no fixed sleep): then end the window under it.
    for (let i = 0; i < 200; i++) {
      const [row] = await onShop<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(1)' AND state = 'active'`);
      if (row!.n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await ok('endElevation', { profileId: profiles.prod.id })).toEqual({ ended: true });
    await running;
    expect(await consoleState(profiles.prod)).toEqual({ readOnly: 'on', user: shopDb.role });
    expect(await attempt(profiles.prod, 'SELECT bump()')).toBe('READ_ONLY');
  });

  it('a result kept open for Fetch more in the window does not run its volatile calls after End now', async () => {
    // The held portal runs bump() row by row as rows are fetched: a fetch after the window is a write after it.
    await elevate(profiles.prod);
    const before = await serverState();
    const sql = 'SELECT bump() FROM generate_series(1, 500)';
    await ok<QueryRunResult>('runQuery', { profileId: profiles.prod.id, sql, maxRows: 10, runId: 'atk-held', confirmName: 'atk-prod' });
    const inWindow = (await serverState()).log;
    expect(await ok('endElevation', { profileId: profiles.prod.id })).toEqual({ ended: true });
    expect(inWindow).toBeGreaterThan(before.log);
    const fetched = await call('fetchMoreRows', { profileId: profiles.prod.id, runId: 'atk-held', count: 100 });
    await call('closeResult', { profileId: profiles.prod.id, runId: 'atk-held' });
    // The portal of a statement that writes is not kept open: no row of it is produced after the end.
    expect(fetched.ok).toBe(false);
    expect((await serverState()).log).toBe(inWindow);
    expect(await consoleState(profiles.prod)).toEqual({ readOnly: 'on', user: shopDb.role });
  });

  it('a window that expired: refused again, and the console session opened in it is replaced', async () => {
    const before = await serverState();
    startElevation(profiles.prod, { reason: 'short', mode: 'window', minutes: 0.005, actor: 'tester', role: null }, { onEnd: () => undefined });
    expect((await consoleState(profiles.prod)).readOnly).toBe('off');
    await new Promise((r) => setTimeout(r, 400));
    expect(activeElevation(profiles.prod.id)).toBeNull();
    expect(await consoleState(profiles.prod)).toEqual({ readOnly: 'on', user: shopDb.role });
    expect(await attempt(profiles.prod, 'SELECT bump()')).toBe('READ_ONLY');
    expect(await fail('runVacuum', { profileId: profiles.prod.id, schema: 'public', table: 'attack_log', confirmName: 'atk-prod' })).toMatchObject({
      code: 'READ_ONLY',
    });
    expect(await serverState()).toEqual(before);
  });

  it('a one-action elevation: two actions racing for it, only one gets it; a console opened by a read under it goes back to read-only', async () => {
    const before = await serverState();
    await elevate(profiles.prod, { mode: 'action' });
    // A read first: the console opens under the elevation, which is not used by a read.
    expect((await consoleState(profiles.prod)).readOnly).toBe('off');
    expect(activeElevation(profiles.prod.id)).not.toBeNull();
    const vac = { profileId: profiles.prod.id, schema: 'public', table: 'attack_log', confirmName: 'atk-prod' };
    const [a, b, c] = await Promise.all([
      call('runQuery', { profileId: profiles.prod.id, sql: 'SELECT bump()', confirmName: 'atk-prod' }),
      call('runVacuum', vac),
      call('runVacuum', vac),
    ]);
    const allowed = [a, b, c].filter((e) => e.ok);
    const refused = [a, b, c].filter((e) => !e.ok);
    expect(allowed).toHaveLength(1);
    expect(refused.map((e) => (e.ok ? null : e.error.code))).toEqual(['READ_ONLY', 'READ_ONLY']);
    expect(activeElevation(profiles.prod.id)).toBeNull();
    const after = await serverState();
    expect(after.log - before.log).toBe(a.ok ? 1 : 0);
    // Used up: the session it opened is not kept read-write for the next, unelevated, run.
    expect(await consoleState(profiles.prod)).toEqual({ readOnly: 'on', user: shopDb.role });
    expect(await attempt(profiles.prod, 'SELECT bump()')).toBe('READ_ONLY');
    expect((await serverState()).log).toBe(after.log);
    expect((await audit('profile.elevation.end'))[0]).toMatchObject({ summary: expect.stringContaining('used by its one action') });
  });

  it('a one-action elevation is not used up by an action refused for its missing typed name (the audit would say it was used)', async () => {
    const h = await holder();
    await elevate(profiles.prod, { mode: 'action' });
    try {
      const refusedForName = [
        await call('terminateBackend', { profileId: profiles.prod.id, pid: h.pid, backendStart: h.backendStart }),
        await call('runVacuum', { profileId: profiles.prod.id, schema: 'public', table: 'attack_log', full: true }),
        await call('runSessionCleanup', { rule: { profileId: profiles.prod.id, idleMinutes: 0 }, pids: [h.pid] }),
        await call('runQuery', { profileId: profiles.prod.id, sql: 'UPDATE inventory SET quantity = quantity + 1 WHERE id = 0' }),
      ];
      expect(refusedForName.map((e) => (e.ok ? 'ok' : e.error.code))).toEqual(Array(4).fill('CONFIRMATION_REQUIRED'));
      expect(await alive(h.pid)).toBe(true);
      expect(activeElevation(profiles.prod.id)).not.toBeNull();
    } finally {
      endElevation(profiles.prod.id, 'ended by the user', true);
    }
  });

  it('an elevation does not follow its profile to another server: editing the profile ends it', async () => {
    const elevation = await elevate(profiles.other);
    expect(elevation.mode).toBe('window');
    // Point the elevated profile at another database of the server (another production).
    const fields = (await ok<Profile>('getProfile', { id: profiles.other.id })) as unknown as Record<string, unknown>;
    const moved = await call<Profile>('updateProfile', { id: profiles.other.id, profile: { ...pickInput(fields), database: 'postgres' } });
    expect(moved.ok).toBe(true);
    try {
      expect(activeElevation(profiles.other.id)).toBeNull();
    } finally {
      endElevation(profiles.other.id, 'ended by the user', true);
      await ok('updateProfile', { id: profiles.other.id, profile: { ...pickInput(fields) } });
    }
  });
  it('an edit cannot get around elevation: making a read-only production profile writable (or not production) needs its typed name, and is audited as refused without it', async () => {
    const fields = pickInput((await ok<Profile>('getProfile', { id: profiles.other.id })) as unknown as Record<string, unknown>);
    for (const change of [{ readOnly: false }, { env: 'staging' }, { env: 'development', readOnly: false }]) {
      for (const confirmName of [undefined, '', 'OTHER', `${profiles.other.name} `]) {
        const answer = await call<Profile>('updateProfile', {
          id: profiles.other.id,
          profile: { ...fields, ...change },
          ...(confirmName === undefined ? {} : { confirmName }),
        });
        expect(answer.ok ? 'ok' : answer.error.code).toBe('CONFIRMATION_REQUIRED');
      }
    }
    const still = await ok<Profile>('getProfile', { id: profiles.other.id });
    expect({ env: still.env, readOnly: still.readOnly }).toEqual({ env: 'production', readOnly: true });
    expect((await audit('profile.update'))[0]).toMatchObject({ outcome: 'refused' });
    // Typed: it is a deliberate change, made and then undone (tightening needs no name).
    const writable = await ok<Profile>('updateProfile', { id: profiles.other.id, profile: { ...fields, readOnly: false }, confirmName: profiles.other.name });
    expect(writable.readOnly).toBe(false);
    expect((await ok<Profile>('updateProfile', { id: profiles.other.id, profile: { ...fields, readOnly: true } })).readOnly).toBe(true);
  });

  it('during a window only the elevated action connects as the break-glass role: polls, the schema browser and a console preview stay the own, read-only role', async () => {
    await elevate(profiles.glass);
    try {
      await ok('getActivity', { profileId: profiles.glass.id });
      await ok('listLocks', { profileId: profiles.glass.id });
      await ok('getSchemaTree', { profileId: profiles.glass.id });
      await call('getOverview', { profileId: profiles.glass.id });
      await ok('planQuery', { profileId: profiles.glass.id, sql: 'SELECT bump()' });
      const asGlass = await onShop<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = '${glassRole}'`);
      expect(asGlass[0]!.n).toBe(0);
      // The console's run is the elevated action: it is the break-glass role, read-write.
      expect(await consoleState(profiles.glass)).toEqual({ readOnly: 'off', user: glassRole });
    } finally {
      await ok('endElevation', { profileId: profiles.glass.id });
    }
    expect(await consoleState(profiles.glass)).toEqual({ readOnly: 'on', user: observer });
    const left = await onShop<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = '${glassRole}'`);
    expect(left[0]!.n).toBe(0);
  });
});

describe('break-glass secrets stay secret', () => {
  it('an elevated action as the break-glass role: its password is in no file of the home and no audit entry', async () => {
    const h = await holder();
    await elevate(profiles.glass, { mode: 'action' });
    const sig = { profileId: profiles.glass.id, pid: h.pid, backendStart: h.backendStart, confirmName: 'atk-glass' };
    const env = await call('cancelBackend', sig);
    // The break-glass role holds no rights over the holder: what matters here is where its password went.
    expect(env.ok || env.error.code === 'FORBIDDEN').toBe(true);
    expect(await consoleState(profiles.glass)).toEqual({ readOnly: 'on', user: observer });
    const entries = (await ok<{ entries: AuditEntry[] }>('searchAudit', { limit: 500 })).entries;
    expect(JSON.stringify(entries)).not.toContain(glassPassword);
    const leaks = filesUnder(home).filter((f) => readFileSync(f).includes(glassPassword));
    expect(leaks).toEqual([]);
    expect(JSON.stringify(await ok('getProfile', { id: profiles.glass.id }))).not.toContain(glassPassword);
    expect(JSON.stringify(await ok('listProfiles', {}))).not.toContain(glassPassword);
  });
});

describe('restore onto an elevated profile', () => {
  it('the restore review does not use up a one-action elevation: the restore itself is the action', async () => {
    const backup = await backupAndWait(core, { call, ok, fail }, { profileId: profiles.prod.id, kind: 'full', format: 'custom' });
    const target = { kind: 'profile', profileId: profiles.prod.id };
    expect(await fail('planRestore', { source: backup.id, target })).toMatchObject({ code: 'READ_ONLY' });
    await elevate(profiles.prod, { mode: 'action' });
    try {
      await call('planRestore', { source: backup.id, target });
      expect(activeElevation(profiles.prod.id)).not.toBeNull();
    } finally {
      endElevation(profiles.prod.id, 'ended by the user', true);
    }
  });
});

describe('the CLI', () => {
  const cli = () =>
    inProcessCli(
      () => core,
      () => home,
    ).ctx;

  it('--elevate for reads only leaves nothing elevated; the elevated write is one action; a password flag is refused', async () => {
    const before = await serverState();
    await queryCommand(cli(), ['atk-prod', 'SELECT 1', '--elevate', '--reason', 'look first', '--confirm', 'atk-prod', '--yes']);
    expect(activeElevation(profiles.prod.id)).toBeNull();
    await expect(queryCommand(cli(), ['atk-prod', 'SELECT bump()', '--elevate', '--reason', 'x', '--confirm', 'atk-prod', '--yes'])).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(
      queryCommand(cli(), ['atk-prod', 'SELECT bump()', '--elevate', '--reason', 'INC-7 fix', '--confirm', 'atk-pro', '--yes']),
    ).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    });
    expect((await serverState()).log).toBe(before.log);
    await queryCommand(cli(), ['atk-prod', 'SELECT bump()', '--elevate', '--reason', 'INC-7 fix', '--confirm', 'atk-prod', '--yes']);
    expect((await serverState()).log).toBe(before.log + 1);
    expect(activeElevation(profiles.prod.id)).toBeNull();
    await expect(queryCommand(cli(), ['atk-prod', 'SELECT bump()', '--confirm', 'atk-prod', '--yes'])).rejects.toMatchObject({ code: 'READ_ONLY' });
    expect((await serverState()).log).toBe(before.log + 1);
    // The break-glass password is never a flag (argv is visible to every user of the machine).
    for (const flag of ['--break-glass-password', '--password', '--break-glass-secret'])
      await expect(profileCommand(cli(), ['edit', 'atk-glass', '--break-glass-user', glassRole, flag, glassPassword])).rejects.toBeInstanceOf(UsageError);
  });
});

/** The profile fields updateProfile takes, from a Profile as getProfile returns it. */
function pickInput(p: Record<string, unknown>): Record<string, unknown> {
  const keys = [
    'name',
    'host',
    'port',
    'database',
    'user',
    'sslmode',
    'sslRootCert',
    'env',
    'readOnly',
    'statementTimeoutMs',
    'notes',
    'contacts',
    'escalationLevel',
    'ssh',
    'storage',
    'breakGlassUser',
  ];
  return Object.fromEntries(keys.filter((k) => p[k] !== undefined && p[k] !== null).map((k) => [k, p[k]]));
}
