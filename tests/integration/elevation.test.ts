// Elevation of a read-only production profile (issue #19) against the run's real PostgreSQL:
// the server refuses a write on the read-only profile's connection and accepts it only while
// elevated (window, ended by the user; one action, used up; a short window that expires by
// itself), writes go through the break-glass role when the profile has one, and every step
// is audited: refusals as 'refused', the elevation's start and end, and the elevation named
// in the audit entry of each action it let through. The trail still verifies.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActivitySnapshot, SignalResult } from '../../src-main/contract/activity';
import type { AuditEntry, Profile, ProfileElevation, ProfileInput, QueryRunResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { activeElevation, endElevation, startElevation, type ElevationEndReason } from '../../src-main/core/platform/guard/elevation';
import { sessionsCommand } from '../../src-main/cli/commands/sessions';
import { UsageError } from '../../src-main/cli/args';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { clientConfig, quoteIdent, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
const { ok, fail } = callsOn(() => core);
const observer = `elev_observer_${process.pid}_${Date.now().toString(36)}`;
const observerPassword = `pw-${Math.random().toString(36).slice(2)}`;
const profiles = {} as Record<'prod' | 'glass' | 'staging' | 'rw' | 'nopass', Profile>;
const opened: pg.Client[] = [];

async function audit(action: string): Promise<AuditEntry[]> {
  return (await ok<{ entries: AuditEntry[] }>('searchAudit', { action, limit: 100 })).entries;
}

function run(profile: Profile, sql: string): Promise<QueryRunResult> {
  return ok<QueryRunResult>('runQuery', { profileId: profile.id, sql, confirmName: profile.name });
}

async function quantity(): Promise<number> {
  return withClient(
    server,
    async (c) => (await c.query<{ q: number }>('SELECT quantity AS q FROM inventory WHERE id = (SELECT min(id) FROM inventory)')).rows[0]!.q,
    shopDb.database,
  );
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-elevation-'));
  shopDb = await createShopDatabase(server, 'elevation');
  await withClient(server, async (c) => {
    // The day-to-day production role: it may look, not act on others' sessions.
    await c.query(`CREATE ROLE ${quoteIdent(observer)} LOGIN PASSWORD '${observerPassword}'`);
    await c.query(`GRANT pg_monitor TO ${quoteIdent(observer)}`);
  });
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
  profiles.prod = await make('elev-prod', {});
  profiles.glass = await make('elev-glass', { user: observer, breakGlassUser: shopDb.role }, { password: observerPassword, breakGlassSecret: shopDb.password });
  profiles.staging = await make('elev-staging', { env: 'staging', readOnly: true });
  profiles.rw = await make('elev-rw', { readOnly: false });
  profiles.nopass = await make('elev-nopass', { user: observer, breakGlassUser: 'nobody_here' }, { password: observerPassword });
}, 120_000);

afterAll(async () => {
  for (const c of opened) await c.end().catch(() => undefined);
  await core?.close();
  await shopDb?.dispose();
  await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(observer)}`));
});

describe('elevation of a read-only production profile', () => {
  it('says before anything starts where elevation cannot help, and needs the typed name', async () => {
    expect(profiles.prod).toMatchObject({ readOnly: true, env: 'production', elevation: null });
    expect(profiles.glass).toMatchObject({ breakGlassUser: shopDb.role, hasBreakGlassSecret: true });
    const input = (p: Profile) => ({ profileId: p.id, confirmName: p.name, reason: 'incident 42' });
    expect(await fail('elevateProfile', input(profiles.staging))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/read-write in its settings/),
    });
    expect(await fail('elevateProfile', input(profiles.rw))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/read-write already/) });
    expect(await fail('elevateProfile', input(profiles.nopass))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/no password for it/) });
    expect(await fail('elevateProfile', { ...input(profiles.prod), confirmName: 'elev-pro' })).toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(await fail('elevateProfile', { ...input(profiles.prod), reason: '' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await fail('elevateProfile', { ...input(profiles.prod), minutes: 31 })).toMatchObject({ code: 'INVALID_INPUT' });
    const refusals = await audit('profile.elevate');
    expect(refusals.map((e) => e.outcome).sort()).toEqual(['error', 'error', 'error', 'refused']); // CONFLICT is an error of the request; the typed name a refusal
    expect((await ok<Profile>('getProfile', { id: profiles.prod.id })).elevation).toBeNull();
  });

  it('a window: the server accepts the write only while elevated, then the console is read-only again', async () => {
    const before = await quantity();
    const refused = await fail('runQuery', {
      profileId: profiles.prod.id,
      sql: 'UPDATE inventory SET quantity = quantity + 1 WHERE id = (SELECT min(id) FROM inventory)',
      confirmName: 'elev-prod',
    });
    expect(refused).toMatchObject({ code: 'READ_ONLY', message: expect.stringMatching(/Elevate the profile/) });
    expect((await audit('query.run'))[0]).toMatchObject({ outcome: 'refused', profile: 'elev-prod' });
    // Read-only at the server too, not only in the app.
    expect((await run(profiles.prod, 'SHOW default_transaction_read_only')).statements[0]!.rows).toEqual([['on']]);

    const elevation = await ok<ProfileElevation>('elevateProfile', {
      profileId: profiles.prod.id,
      confirmName: 'elev-prod',
      reason: 'INC-42 stuck checkout',
      minutes: 5,
    });
    expect(elevation).toMatchObject({ mode: 'window', role: null, reason: 'INC-42 stuck checkout' });
    expect(Date.parse(elevation.expiresAt) - Date.parse(elevation.startedAt)).toBe(5 * 60_000);
    expect((await ok<Profile>('getProfile', { id: profiles.prod.id })).elevation).toEqual(elevation);

    expect((await run(profiles.prod, 'SHOW default_transaction_read_only')).statements[0]!.rows).toEqual([['off']]);
    const wrote = await run(profiles.prod, 'UPDATE inventory SET quantity = quantity + 1 WHERE id = (SELECT min(id) FROM inventory)');
    expect(wrote.statements[0]!.error).toBeUndefined();
    expect(await quantity()).toBe(before + 1);
    // A window covers more than one action.
    await run(profiles.prod, 'UPDATE inventory SET quantity = quantity + 1 WHERE id = (SELECT min(id) FROM inventory)');
    expect(await quantity()).toBe(before + 2);
    const [last] = await audit('query.run');
    expect(last).toMatchObject({ outcome: 'ok', summary: expect.stringContaining(`elevation ${elevation.id.slice(0, 8)}, reason: INC-42 stuck checkout`) });

    expect(await ok('endElevation', { profileId: profiles.prod.id })).toEqual({ ended: true });
    expect(await ok('endElevation', { profileId: profiles.prod.id })).toEqual({ ended: false });
    expect((await audit('profile.elevation.end'))[1]).toMatchObject({
      outcome: 'ok',
      summary: expect.stringMatching(/^Ended elevation .* \(reason was: INC-42 stuck checkout\)$/),
    });
    expect((await run(profiles.prod, 'SHOW default_transaction_read_only')).statements[0]!.rows).toEqual([['on']]);
    expect(await fail('runQuery', { profileId: profiles.prod.id, sql: 'DELETE FROM inventory WHERE id = 0', confirmName: 'elev-prod' })).toMatchObject({
      code: 'READ_ONLY',
    });
    expect(await quantity()).toBe(before + 2);
  });

  it('one action through the break-glass role: a lock holder the own role may not end is terminated, then the elevation is used up', async () => {
    const holder = new pg.Client({ ...clientConfig(server, shopDb.database), user: shopDb.role, password: shopDb.password, application_name: 'shop-checkout' });
    opened.push(holder);
    await holder.connect();
    const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await holder.query('BEGIN');
    await holder.query('UPDATE inventory SET quantity = quantity WHERE id = (SELECT min(id) FROM inventory)');
    const holderGone = new Promise<void>((resolve) => holder.on('error', () => resolve()));

    const snap = await ok<ActivitySnapshot>('getActivity', { profileId: profiles.glass.id });
    const backendStart = snap.sessions.find((s) => s.pid === pid)!.backendStart;
    const terminate = { profileId: profiles.glass.id, pid, backendStart, confirmName: 'elev-glass' };
    expect(await fail('terminateBackend', terminate)).toMatchObject({ code: 'READ_ONLY' });
    expect((await audit('session.terminate'))[0]).toMatchObject({ outcome: 'refused' });

    const elevation = await ok<ProfileElevation>('elevateProfile', {
      profileId: profiles.glass.id,
      confirmName: 'elev-glass',
      reason: 'lock on inventory',
      mode: 'action',
    });
    expect(elevation).toMatchObject({ mode: 'action', role: shopDb.role });
    expect(Date.parse(elevation.expiresAt) - Date.parse(elevation.startedAt)).toBe(2 * 60_000);
    const result = await ok<SignalResult>('terminateBackend', terminate);
    expect(result).toMatchObject({ signalled: true, effective: true });
    await holderGone;
    expect((await audit('session.terminate'))[0]).toMatchObject({ outcome: 'ok', summary: expect.stringContaining(`as break-glass role ${shopDb.role}`) });
    // Used up: the next action is refused again, and the end is audited.
    expect((await ok<Profile>('getProfile', { id: profiles.glass.id })).elevation).toBeNull();
    expect((await audit('profile.elevation.end'))[0]).toMatchObject({ profile: 'elev-glass', summary: expect.stringContaining('used by its one action') });
    expect(await fail('terminateBackend', { ...terminate, pid: 1 })).toMatchObject({ code: 'READ_ONLY' });

    // Without the elevation the observer role itself could not have done it.
    const other = new pg.Client({ ...clientConfig(server, shopDb.database), user: shopDb.role, password: shopDb.password });
    opened.push(other);
    await other.connect();
    const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const otherStart = (await ok<ActivitySnapshot>('getActivity', { profileId: profiles.glass.id })).sessions.find((s) => s.pid === otherPid)!.backendStart;
    const observerRw = await ok<Profile>('createProfile', {
      profile: {
        host: server.host,
        port: server.port,
        database: shopDb.database,
        user: observer,
        sslmode: 'disable',
        name: 'elev-observer-rw',
        readOnly: false,
      },
      password: observerPassword,
    });
    expect(await fail('terminateBackend', { profileId: observerRw.id, pid: otherPid, backendStart: otherStart })).toMatchObject({ code: 'FORBIDDEN' });
    expect((await audit('session.terminate'))[0]).toMatchObject({ outcome: 'refused' });
  });

  it('a short window ends by itself, audited, and the rule refuses again', async () => {
    const ends: ElevationEndReason[] = [];
    const e = startElevation(
      profiles.prod,
      { reason: 'test window', mode: 'window', minutes: 0.01, actor: 'tester', role: null },
      { onEnd: (_e, _n, why) => ends.push(why) },
    );
    expect(activeElevation(profiles.prod.id)).toEqual(e);
    expect((await run(profiles.prod, 'SHOW default_transaction_read_only')).statements[0]!.rows).toEqual([['off']]);
    await new Promise((r) => setTimeout(r, 800));
    expect(ends).toEqual(['expired']);
    expect(activeElevation(profiles.prod.id)).toBeNull();
    expect((await ok<Profile>('getProfile', { id: profiles.prod.id })).elevation).toBeNull();
    expect(await fail('runQuery', { profileId: profiles.prod.id, sql: 'DELETE FROM inventory WHERE id = 0', confirmName: 'elev-prod' })).toMatchObject({
      code: 'READ_ONLY',
    });
    expect((await run(profiles.prod, 'SHOW default_transaction_read_only')).statements[0]!.rows).toEqual([['on']]);
    expect(endElevation(profiles.prod.id, 'ended by the user')).toBeNull();
  });

  it('CLI: sessions terminate --elevate --reason --confirm elevates for that one action only', async () => {
    const victim = new pg.Client({ ...clientConfig(server, shopDb.database), user: shopDb.role, password: shopDb.password, application_name: 'shop-stuck' });
    opened.push(victim);
    await victim.connect();
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const gone = new Promise<void>((resolve) => victim.on('error', () => resolve()));
    const cli = () =>
      inProcessCli(
        () => core,
        () => home,
      );
    const refused = cli();
    await expect(sessionsCommand(refused.ctx, ['terminate', 'elev-prod', String(pid), '--yes', '--confirm', 'elev-prod'])).rejects.toMatchObject({
      code: 'READ_ONLY',
    });
    await expect(sessionsCommand(cli().ctx, ['terminate', 'elev-prod', String(pid), '--yes', '--confirm', 'elev-prod', '--elevate'])).rejects.toBeInstanceOf(
      UsageError,
    );
    const done = cli();
    expect(
      await sessionsCommand(done.ctx, [
        'terminate',
        'elev-prod',
        String(pid),
        '--yes',
        '--confirm',
        'elev-prod',
        '--elevate',
        '--reason',
        'INC-7 from the CLI',
      ]),
    ).toBe(0);
    await gone;
    expect(done.err.join('\n')).toMatch(/Elevated "elev-prod" for one action: INC-7 from the CLI/);
    expect(JSON.parse(done.out.join(''))).toMatchObject({ ok: true, effective: true, pid });
    expect(activeElevation(profiles.prod.id)).toBeNull();
    expect((await audit('profile.elevate'))[0]).toMatchObject({ outcome: 'ok', profile: 'elev-prod', detail: 'reason: INC-7 from the CLI' });
    expect((await audit('session.terminate'))[0]).toMatchObject({ outcome: 'ok', summary: expect.stringContaining('reason: INC-7 from the CLI') });
  });

  it('closing the core ends an elevation it started, audited; the trail verifies', async () => {
    const { core: other } = newTestCore('ops-elevation-close-');
    const call = callsOn(() => other);
    const p = await call.ok<Profile>('createProfile', {
      profile: {
        host: server.host,
        port: server.port,
        database: shopDb.database,
        user: shopDb.role,
        sslmode: 'disable',
        name: 'elev-close',
        env: 'production',
      },
    });
    await call.ok('elevateProfile', { profileId: p.id, confirmName: 'elev-close', reason: 'before close', minutes: 1 });
    expect(activeElevation(p.id)).not.toBeNull();
    await other.close();
    expect(activeElevation(p.id)).toBeNull();
    expect(await ok('verifyAudit', {})).toMatchObject({ ok: true });
  });
});
