// The Fleet screen's operations (issue #22) against the run's real PostgreSQL: four profiles —
// two on a seeded database (one judged OK with lenient thresholds, one CRITICAL on its size),
// one on a closed port and one on a server that accepts and never answers (a per-target
// timeout). getFleet reads only the store (never checked → UNKNOWN, tag filter, no audit);
// refreshFleet runs the overview on each, a bounded number at once: every target's row is
// pushed as an event, a failure stays in its row and never stops the others, the outcome is
// kept for the next getFleet, and the refresh is one audit entry. Backups, drills and sign-offs
// seeded in the store show against the RPO, RTO and the checklists' calendar.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FleetRefreshEvent, FleetRefreshResult, FleetRow, FleetView } from '../../src-main/contract/fleet-screen';
import type { AuditEntry, Profile, ProfileInput } from '../../src-main/contract/models';
import type { Overview } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { BackupCatalog } from '../../src-main/core/backup/catalog';
import { DrillStore, withReport } from '../../src-main/core/restore/drill-store';
import { callsOn, newTestCore } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { LENIENT_THRESHOLDS } from '../helpers/thresholds';

const pg = inject('pg');
let core: Core;
let home: string;
let shopDb: ShopDatabase;
let silent: net.Server;
const held: net.Socket[] = [];
const profiles: Record<'prod' | 'dev' | 'down' | 'hang', Profile> = {} as never;
const { ok, fail } = callsOn(() => core);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function profileInput(name: string, over: Partial<ProfileInput>): Partial<ProfileInput> {
  return { name, host: pg.host, port: pg.port, database: shopDb.database, user: shopDb.role, sslmode: 'disable', env: 'development', readOnly: false, ...over };
}

function rowOf(view: FleetView, p: Profile): FleetRow {
  const row = view.rows.find((r) => r.profileId === p.id);
  if (!row) throw new Error(`no row for ${p.name} in ${view.rows.map((r) => r.name).join(', ')}`);
  return row;
}

function seedBackup(p: Profile, agoMs: number, status: 'ok' | 'failed', kind: 'full' | 'schema' = 'full'): string {
  const catalog = new BackupCatalog(core.deps.store.db);
  const id = crypto.randomUUID();
  const startedAt = new Date(Date.now() - agoMs).toISOString();
  catalog.insertRunning({ id, profileId: p.id, profileName: p.name, kind, format: 'custom', path: `/backups/${id}.dump`, startedAt, command: 'pg_dump' });
  catalog.finish(id, { status, finishedAt: new Date(Date.now() - agoMs + 2000).toISOString(), durationMs: 2000, bytes: 1234 });
  return id;
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-fleet-screen-'));
  shopDb = await createShopDatabase(pg, 'fleetscr');
  // Accepts the TCP connection and never says a word: the per-target timeout is what ends it.
  // It reads (and ignores) what it is sent and keeps its side open after the client's FIN, as a
  // hung server does, so a client that only half-closes stays connected.
  silent = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.resume();
    held.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const closedPort = await freePort();
  const create = (input: Partial<ProfileInput>, password?: string) => ok<Profile>('createProfile', { profile: input, ...(password ? { password } : {}) });
  profiles.prod = await create(profileInput('shop-prod', { env: 'production', readOnly: true, tags: ['prod', 'eu'] }), shopDb.password);
  profiles.dev = await create(profileInput('shop-dev', { tags: ['dev'] }), shopDb.password);
  profiles.down = await create(profileInput('down-eu', { host: '127.0.0.1', port: closedPort, tags: ['prod', 'eu'] }), 'unused');
  profiles.hang = await create(profileInput('silent-us', { host: '127.0.0.1', port: silentPort, tags: ['prod', 'us'] }), 'unused');
  await ok('setThresholds', { profileId: profiles.prod.id, values: LENIENT_THRESHOLDS });
  // shop-dev: every figure lenient but the size, whose critical line any database crosses.
  await ok('setThresholds', {
    profileId: profiles.dev.id,
    values: LENIENT_THRESHOLDS.map((t) => (t.key === 'dbSize' ? { key: 'dbSize', warn: 1024, critical: 2048 } : t)),
  });
}, 120_000);

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('getFleet (the local store only)', () => {
  it('lists every profile as never checked, UNKNOWN, with the union of tags, and audits nothing', async () => {
    const before = (await ok<{ entries: AuditEntry[] }>('searchAudit', { limit: 1000 })).entries.length;
    const view = await ok<FleetView>('getFleet', {});
    expect(view.rows.map((r) => r.name).sort()).toEqual(['down-eu', 'shop-dev', 'shop-prod', 'silent-us']);
    expect(view.tags).toEqual(['dev', 'eu', 'prod', 'us']);
    expect(view.totalProfiles).toBe(4);
    for (const row of view.rows) {
      expect(row.connection, row.name).toEqual({ state: 'never', at: null, code: null, message: null });
      expect(row.status, row.name).toBe('unknown');
      expect(row.overview, row.name).toBeNull();
    }
    expect(rowOf(view, profiles.prod)).toMatchObject({ env: 'production', readOnly: true, tags: ['prod', 'eu'] });
    expect((await ok<{ entries: AuditEntry[] }>('searchAudit', { limit: 1000 })).entries.length).toBe(before);
  });

  it('filters by tag (typed in any case), and a tag nobody has is an empty list that still knows the fleet', async () => {
    const eu = await ok<FleetView>('getFleet', { tag: 'EU' });
    expect(eu.tag).toBe('eu');
    expect(eu.rows.map((r) => r.name).sort()).toEqual(['down-eu', 'shop-prod']);
    const none = await ok<FleetView>('getFleet', { tag: 'nope' });
    expect(none.rows).toEqual([]);
    expect(none.totalProfiles).toBe(4);
    expect(none.tags).toEqual(['dev', 'eu', 'prod', 'us']);
  });

  it('refuses bad input with the field named', async () => {
    expect((await fail('getFleet', { tag: '' })).code).toBe('INVALID_INPUT');
    expect((await fail('refreshFleet', { concurrency: 0 })).code).toBe('INVALID_INPUT');
    expect((await fail('refreshFleet', { timeoutMs: 10 })).code).toBe('INVALID_INPUT');
    expect((await fail('refreshFleet', { profiles: ['x'] })).code).toBe('INVALID_INPUT');
  });

  it('shows the newest good data backup against the RPO, the last drill against the RTO, and today’s sign-offs', async () => {
    seedBackup(profiles.prod, 5 * 60_000, 'ok');
    // Newer than the good one but failed, and a newer schema-only dump: neither is what a restore of the data would use.
    seedBackup(profiles.dev, 2 * 3600_000, 'ok');
    seedBackup(profiles.dev, 60_000, 'failed');
    seedBackup(profiles.dev, 30_000, 'ok', 'schema');
    const drills = new DrillStore(core.deps.store.db);
    const startedAt = new Date(Date.now() - 3600_000).toISOString();
    drills.insert(
      withReport({
        id: crypto.randomUUID(),
        profileId: profiles.dev.id,
        profileName: profiles.dev.name,
        backupId: null,
        backupPath: '/backups/x.dump',
        backupCreatedAt: null,
        startedAt,
        finishedAt: new Date(Date.now() - 3000_000).toISOString(),
        status: 'failed',
        restoreMs: null,
        totalMs: 5000,
        validation: null,
        rtoTargetMs: 7_200_000,
        rtoMet: null,
        backupAgeMs: null,
        rpoTargetMs: 900_000,
        rpoMet: null,
        scratchVersion: null,
        disasterRecovery: null,
        error: 'pg_restore failed',
        notes: [],
      }),
    );
    core.deps.store.db
      .prepare(
        `INSERT INTO checklist_runs (id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json)
         VALUES (?, ?, ?, 'morning', 'Morning checklist', 'ok', 'tester', ?, ?, '{}', '[]')`,
      )
      .run(crypto.randomUUID(), profiles.prod.id, profiles.prod.name, new Date().toISOString(), new Date().toISOString());

    const view = await ok<FleetView>('getFleet', {});
    const prod = rowOf(view, profiles.prod);
    expect(prod.backup).toMatchObject({ withinRpo: true, rpoMs: 15 * 60_000 });
    expect(prod.backup!.ageMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(prod.checklists.morning).toMatchObject({ state: 'done', dueTime: '09:00', lastStatus: 'ok' });
    expect(prod.checklists.evening?.state).not.toBe('done');
    expect(prod.drill).toBeNull();
    expect(prod.attention).not.toContain('no backup');
    const dev = rowOf(view, profiles.dev);
    expect(dev.backup).toMatchObject({ withinRpo: false });
    expect(dev.backup!.ageMs).toBeGreaterThanOrEqual(2 * 3600_000);
    expect(dev.drill).toMatchObject({ status: 'failed', rtoMs: 7_200_000 });
    expect(dev.attention).toEqual(expect.arrayContaining(['last backup older than the RPO', 'last drill failed']));
    expect(rowOf(view, profiles.down).attention).toContain('no backup');
  });
});

describe('refreshFleet', () => {
  let result: FleetRefreshResult;
  const events: FleetRefreshEvent[] = [];

  beforeAll(async () => {
    const refreshId = `fleet-test-${Date.now()}`;
    const off = core.events.subscribe((e) => {
      if (e.type === 'fleet.refresh' && e.refreshId === refreshId) events.push(e);
    });
    try {
      result = await ok<FleetRefreshResult>('refreshFleet', { concurrency: 2, timeoutMs: 2500, refreshId });
    } finally {
      off();
    }
  }, 60_000);

  it('judges the reachable profiles and keeps each failure in its own row', () => {
    expect(result.refreshed).toBe(4);
    expect(result.failed).toBe(2);
    expect(result.cancelled).toBe(0);
    const prod = rowOf(result, profiles.prod);
    expect(prod.connection.state).toBe('ok');
    expect(prod.status).toBe('ok');
    expect(prod.overview).toMatchObject({ status: 'ok', worstCheck: null });
    expect(prod.overview!.databaseSizeBytes).toBeGreaterThan(1_000_000);
    expect(prod.overview!.connections).toBeGreaterThanOrEqual(1);
    expect(prod.overview!.maxConnections).toBeGreaterThan(prod.overview!.connections - 1);
    const dev = rowOf(result, profiles.dev);
    expect(dev.status).toBe('critical');
    expect(dev.overview!.worstCheck).toMatchObject({ name: 'dbSize', status: 'critical' });
    const down = rowOf(result, profiles.down);
    expect(down).toMatchObject({ status: 'unknown', connection: { state: 'error', code: 'CONNECTION_FAILED' }, overview: null });
    expect(down.connection.message).toMatch(/refused|connect/i);
    const hang = rowOf(result, profiles.hang);
    expect(hang.status).toBe('unknown');
    expect(hang.connection.state).toBe('error');
    expect(hang.connection.message).toMatch(/time|2\.5 s|2500/i);
  });

  it('lets go of the silent server at once: the app closed its socket, not only half-closed it until the connect timeout', async () => {
    expect(held.length).toBeGreaterThan(0);
    // Writing to a socket the other side has closed gets a reset; a half-closed one still reads.
    const probe = (socket: net.Socket) =>
      new Promise<'closed' | 'open'>((resolve) => {
        if (socket.destroyed) return resolve('closed');
        const timer = setInterval(() => socket.write('x'), 50);
        const done = (state: 'closed' | 'open') => (clearInterval(timer), resolve(state));
        socket.once('error', () => done('closed'));
        socket.once('close', () => done('closed'));
        setTimeout(() => done('open'), 1000);
      });
    expect(await Promise.all(held.map(probe))).toEqual(held.map(() => 'closed'));
  });

  it('orders the rows worst first: CRITICAL, the unreachable, then OK', () => {
    expect(result.rows.map((r) => r.name)).toEqual(['shop-dev', 'down-eu', 'silent-us', 'shop-prod']);
  });

  it('announced the start, each target once with its new row, and the end', () => {
    expect(events[0]).toMatchObject({ phase: 'started', done: 0, total: 4 });
    expect(events.at(-1)).toMatchObject({ phase: 'done', done: 4, total: 4 });
    const targets = events.filter((e) => e.phase === 'target');
    expect(targets.map((e) => e.done)).toEqual([1, 2, 3, 4]);
    const names = targets.map((e) => (e.phase === 'target' ? e.row.name : '')).sort();
    expect(names).toEqual(['down-eu', 'shop-dev', 'shop-prod', 'silent-us']);
    const down = targets.find((e) => e.phase === 'target' && e.row.profileId === profiles.down.id);
    expect(down?.phase === 'target' && down.row.connection.state).toBe('error');
  });

  it('is kept: the next getFleet shows the same states without contacting anything', async () => {
    const view = await ok<FleetView>('getFleet', {});
    expect(view.rows.map((r) => [r.name, r.status, r.connection.state])).toEqual(result.rows.map((r) => [r.name, r.status, r.connection.state]));
  });

  it('is one audit entry naming the scope and the outcome', async () => {
    const entries = (await ok<{ entries: AuditEntry[] }>('searchAudit', { limit: 50 })).entries.filter((e) => e.action === 'fleet.refresh');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.summary).toMatch(/every profile: 4 profiles, 2 at once, 2\.5 s each: 2 answered, 2 failed/);
  });

  it('refreshes only the tagged profiles, and an overview run elsewhere (the Performance screen) updates the row too', async () => {
    const dev = await ok<FleetRefreshResult>('refreshFleet', { tag: 'dev' });
    expect(dev.rows.map((r) => r.name)).toEqual(['shop-dev']);
    expect(dev.refreshed).toBe(1);
    const before = rowOf(await ok<FleetView>('getFleet', {}), profiles.prod).connection.at!;
    const o = await ok<Overview>('getOverview', { profileId: profiles.prod.id });
    const after = rowOf(await ok<FleetView>('getFleet', {}), profiles.prod);
    expect(after.connection.at).toBe(o.at);
    expect(Date.parse(after.connection.at!)).toBeGreaterThan(Date.parse(before));
  });

  it('stops on cancel: targets not done keep their rows, the refresh says how many it stopped', async () => {
    const before = rowOf(await ok<FleetView>('getFleet', {}), profiles.hang).connection;
    const refreshId = `fleet-cancel-${Date.now()}`;
    const answers: Array<Promise<unknown>> = [];
    const off = core.events.subscribe((e) => {
      // At the first finished target: a second refresh under the same id is refused, then the cancel.
      if (e.type === 'fleet.refresh' && e.refreshId === refreshId && e.phase === 'target' && e.done === 1) {
        answers.push(fail('refreshFleet', { refreshId }), ok('cancelFleetRefresh', { refreshId }));
      }
    });
    let result: FleetRefreshResult;
    try {
      result = await ok<FleetRefreshResult>('refreshFleet', { concurrency: 1, timeoutMs: 10_000, refreshId });
    } finally {
      off();
    }
    const [duplicate, cancel] = (await Promise.all(answers)) as [{ code: string }, { cancelled: boolean }];
    expect(duplicate.code).toBe('INVALID_INPUT');
    expect(cancel).toEqual({ cancelled: true });
    expect(result.cancelled).toBeGreaterThanOrEqual(1);
    expect(result.refreshed + result.cancelled).toBe(4);
    // silent-us is the last of four, one at a time: stopped before or while it ran, its row is as it was.
    expect(rowOf(result, profiles.hang).connection).toEqual(before);
    // The newest entries: the refused duplicate (audited as refused), then this refresh.
    const entries = (await ok<{ entries: AuditEntry[] }>('searchAudit', { action: 'fleet.refresh', limit: 5 })).entries;
    expect(entries[0]!.outcome).not.toBe('ok');
    const entry = entries.find((e) => e.summary.startsWith('fleet refresh of every profile'))!;
    expect(`${entry.summary} ${entry.error}`).toMatch(/1 cancelled|[23] cancelled/);
    expect(entry.error).toMatch(/cancelled by the user/);
    expect(await ok('cancelFleetRefresh', { refreshId })).toEqual({ cancelled: false });
  });

  it('reads a damaged kept outcome as never checked, and the next overview writes it anew', async () => {
    core.deps.store.db.prepare('UPDATE settings SET value = ? WHERE key = ?').run('{"connection": 42', `overview.last.${profiles.dev.id}`);
    expect(rowOf(await ok<FleetView>('getFleet', {}), profiles.dev)).toMatchObject({ status: 'unknown', connection: { state: 'never' }, overview: null });
    await ok<Overview>('getOverview', { profileId: profiles.dev.id });
    expect(rowOf(await ok<FleetView>('getFleet', {}), profiles.dev)).toMatchObject({ status: 'critical', connection: { state: 'ok' } });
  });

  it('keeps the last answer when a later try fails, and forgets a removed profile', async () => {
    // The same profile pointed at the closed port: the try fails, the last figures stay.
    await ok('updateProfile', {
      id: profiles.prod.id,
      profile: { ...profileInput('shop-prod', { env: 'production', readOnly: true, tags: ['prod', 'eu'] }), port: await freePort() },
      confirmName: 'shop-prod',
    });
    const refreshed = await ok<FleetRefreshResult>('refreshFleet', { tag: 'eu', timeoutMs: 5000 });
    const prod = rowOf(refreshed, profiles.prod);
    expect(prod.connection.state).toBe('error');
    expect(prod.status).toBe('unknown');
    expect(prod.overview?.status).toBe('ok');
    await ok('removeProfile', { id: profiles.down.id });
    const view = await ok<FleetView>('getFleet', {});
    expect(view.rows.map((r) => r.name)).not.toContain('down-eu');
    expect(view.totalProfiles).toBe(3);
  });
});
