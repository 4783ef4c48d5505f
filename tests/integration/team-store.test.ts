// Issue #22's team store against a real PostgreSQL of its own (one cluster for the file, on a
// fixed port so it can be stopped mid-sync and come back): two workstations appending and
// syncing at once, least-privilege grants and the append-only trigger, a store stopped mid-sync
// while a workstation catches up on 10,000 offline actions, a tampered row named by
// `audit verify --team`, and the refusals (newer store, no TLS, no CREATE).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src-main/cli/commands/audit';
import { teamCommand } from '../../src-main/cli/commands/team';
import type { Core } from '../../src-main/core/app';
import { freeLoopbackPort, LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../../src-main/core/platform/postgres/server-binaries';
import type { TeamConnectResult, TeamSyncResult, TeamVerifyResult } from '../../src-main/contract/team';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';

let cluster: LocalCluster;
let root = '';
let port = 0;
const cores: Array<{ core: Core; home: string }> = [];

function url(user: string, database: string): string {
  return `postgresql://${user}@127.0.0.1:${port}/${database}?sslmode=disable`;
}

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(user: string, database: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, database });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function workstation(prefix: string): { core: Core; home: string; calls: ReturnType<typeof callsOn> } {
  // CLI mode: no background sync, so each test decides when a sync runs.
  const made = newTestCore(`ops-team-${prefix}-`, { mode: 'cli' });
  cores.push(made);
  return { ...made, calls: callsOn(() => made.core) };
}

/** n one-shot entries through the AuditLog API, committed as one transaction (fast, and exactly what the chain would hold). */
function appendEntries(core: Core, n: number, tag: string): void {
  const { audit, store } = core.deps;
  store.db.transaction(() => {
    for (let i = 0; i < n; i += 1)
      audit.record({
        actor: `dba-${tag}`,
        action: i % 2 ? 'session.terminate' : 'query.run',
        profile: `shop-${tag}`,
        summary: `${tag} action ${i}`,
        detail: null,
        outcome: 'ok',
        durationMs: i % 7,
      });
  })();
}

function localHead(core: Core): number {
  // The chain's last record (audit_head is only the head's floor since migration 20).
  return (core.deps.store.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM audit_chain').get() as { seq: number }).seq;
}

async function storedRecords(workstationId: string): Promise<{ n: number; distinct: number; max: number }> {
  const [row] = await sql<{ n: number; distinct: number; max: number }>(
    'postgres',
    'team',
    'SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct, coalesce(max(seq), 0)::int AS max FROM ops_team.audit_chain WHERE workstation_id = $1',
    [workstationId],
  );
  return row!;
}

beforeAll(async () => {
  root = path.join(os.tmpdir(), `ops-team-store-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  port = await freeLoopbackPort();
  // Trust on loopback: the test's login roles need no password; TLS is the loopback exception.
  cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries: await pickServerBinaries(), port, auth: { method: 'trust' }, durable: false });
  await cluster.init();
  await cluster.start();
  // The roles as README / ROLES_SQL say, a database owner who may create the schema, a DBA in
  // the writer role, a reviewer.
  await sql('postgres', 'postgres', 'CREATE ROLE ops_team_writer NOLOGIN; CREATE ROLE ops_team_reviewer NOLOGIN');
  await sql(
    'postgres',
    'postgres',
    'CREATE ROLE teamowner LOGIN; CREATE ROLE alice LOGIN IN ROLE ops_team_writer; CREATE ROLE rita LOGIN IN ROLE ops_team_reviewer',
  );
  for (const db of ['team', 'team_new', 'team_empty']) await sql('postgres', 'postgres', `CREATE DATABASE ${db} OWNER teamowner`);
  await sql('postgres', 'postgres', 'REVOKE CREATE ON DATABASE team_empty FROM PUBLIC');
}, 120_000);

afterAll(async () => {
  for (const c of cores) {
    await c.core.close();
    fs.rmSync(c.home, { recursive: true, force: true });
  }
  await cluster?.destroy().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('team store', () => {
  const a = () => ws.a;
  const ws = {} as Record<'a' | 'b' | 'c', ReturnType<typeof workstation>>;

  it('refuses a non-loopback URL without TLS, a role without CREATE on a new store, and a store newer than the app', async () => {
    ws.a = workstation('a');
    const noTls = await a().calls.fail('teamConnect', { url: 'postgresql://alice@team-db.example.com/team?sslmode=prefer' });
    expect(noTls.code).toBe('INVALID_INPUT');
    expect(noTls.message).toMatch(/TLS.*sslmode=require/);
    expect((await a().calls.fail('teamConnect', { url: 'postgresql://alice@10.0.0.5:5432/team' })).message).toMatch(
      /sslmode=prefer is only accepted for a loopback/,
    );

    const noCreate = await a().calls.fail('teamConnect', { url: url('alice', 'team_empty') });
    expect(noCreate.code).toBe('FORBIDDEN');
    expect(noCreate.message).toMatch(/CREATE on the database/);

    await a().calls.ok('teamConnect', { url: url('teamowner', 'team_new') });
    await sql('postgres', 'team_new', 'UPDATE ops_team.schema_version SET version = 99');
    const tooNew = await a().calls.fail('teamConnect', { url: url('teamowner', 'team_new') });
    expect(tooNew.code).toBe('STORE_TOO_NEW');
    expect(tooNew.message).toMatch(/version 99.*upgrade Ops Console/);
    // The workstation still points at team_new: a sync is refused the same way, and the error is kept for `team status`.
    expect((await a().calls.fail('teamSync', {})).code).toBe('STORE_TOO_NEW');
    expect((await a().calls.ok<{ lastError: string }>('teamStatus', {})).lastError).toMatch(/upgrade Ops Console/);
  });

  it('two workstations appending and syncing at once: both chains complete, nothing twice, the settings hold no password', async () => {
    ws.b = workstation('b');
    const owner = await a().calls.ok<TeamConnectResult>('teamConnect', { url: url('teamowner', 'team') });
    expect(owner.migrated).toBe(true);
    expect(owner.rolesSql).toMatch(/CREATE ROLE ops_team_writer NOLOGIN/);
    const writer = await ws.b.calls.ok<TeamConnectResult>('teamConnect', { url: `postgresql://alice:s3cret-pw@127.0.0.1:${port}/team?sslmode=disable` });
    expect(writer.migrated).toBe(false);
    const settings = JSON.stringify(ws.b.core.deps.store.db.prepare('SELECT * FROM team_link').all());
    expect(settings).not.toMatch(/s3cret/);
    const trail = JSON.stringify(ws.b.core.deps.audit.search({ limit: 50 }));
    expect(trail).toMatch(/team\.connect/);
    expect(trail).not.toMatch(/s3cret/);

    const rounds = async (w: ReturnType<typeof workstation>, tag: string) => {
      for (let round = 0; round < 5; round += 1) {
        appendEntries(w.core, 120, `${tag}${round}`);
        await w.calls.ok('teamSync', {});
      }
    };
    await Promise.all([rounds(ws.a, 'a'), rounds(ws.b, 'b')]);
    for (const w of [ws.a, ws.b]) {
      const status = await w.calls.ok<{ workstationId: string; pending: { auditRecords: number } }>('teamStatus', {});
      expect(status.pending.auditRecords).toBe(0);
      const stored = await storedRecords(status.workstationId);
      expect(stored).toEqual({ n: localHead(w.core), distinct: localHead(w.core), max: localHead(w.core) });
    }
    // A sync with nothing new uploads nothing and duplicates nothing.
    const again = await ws.a.calls.ok<TeamSyncResult>('teamSync', {});
    expect(again.uploaded.auditRecords).toBe(0);
    const verify = await ws.a.calls.ok<TeamVerifyResult>('teamVerifyAudit', {});
    expect(verify.ok).toBe(true);
    expect(verify.workstations).toHaveLength(2);

    // The team search sees both workstations' entries, with the same filters as the local one.
    const found = await ws.a.calls.ok<{ entries: Array<{ workstation: string; workstationId: string; summary: string }> }>('searchTeamAudit', {
      action: 'session.terminate',
      search: 'action 1',
      limit: 1000,
    });
    expect(new Set(found.entries.map((e) => e.workstationId)).size).toBe(2);
    expect(found.entries.every((e) => /action 1/.test(e.summary))).toBe(true);
  });

  it('profiles are shared without secrets, changes and removals follow, saved runbooks too', async () => {
    const w = ws.a;
    const id = (await w.calls.ok<{ workstationId: string }>('teamStatus', {})).workstationId;
    const profile = await w.calls.ok<{ id: string }>('createProfile', {
      profile: { name: 'shop-eu', host: 'db.shop.example', database: 'shop', user: 'app', sslmode: 'require', tags: ['prod', 'eu'], contacts: [] },
      password: 'pr0file-secret',
    });
    expect((await w.calls.ok<{ pending: { profiles: number } }>('teamStatus', {})).pending.profiles).toBe(1);
    const first = await w.calls.ok<TeamSyncResult>('teamSync', {});
    expect(first.uploaded.profiles).toBe(1);
    const [row] = await sql<{ name: string; settings: Record<string, unknown>; removed_at: Date | null }>(
      'rita',
      'team',
      'SELECT name, settings, removed_at FROM ops_team.profiles WHERE workstation_id = $1 AND profile_id = $2',
      [id, profile.id],
    );
    expect(row).toMatchObject({ name: 'shop-eu', removed_at: null, settings: { host: 'db.shop.example', sslmode: 'require', tags: ['prod', 'eu'] } });
    expect(JSON.stringify(row)).not.toMatch(/pr0file-secret|hasSecret/);
    // Nothing changed: nothing pending, nothing uploaded.
    expect((await w.calls.ok<TeamSyncResult>('teamSync', {})).uploaded.profiles).toBe(0);

    await w.calls.ok('removeProfile', { id: profile.id });
    expect((await w.calls.ok<TeamSyncResult>('teamSync', {})).uploaded.profiles).toBe(1);
    const [gone] = await sql<{ removed: boolean }>(
      'postgres',
      'team',
      'SELECT removed_at IS NOT NULL AS removed FROM ops_team.profiles WHERE profile_id = $1',
      [profile.id],
    );
    expect(gone!.removed).toBe(true);

    w.core.deps.store.db
      .prepare(
        "INSERT INTO runbooks (id, title, source, imported_at, outline_json) VALUES ('rb1', 'Timothie & Co runbook', 'runbook.md', '2026-12-01T00:00:00Z', '{\"procedures\":[]}')",
      )
      .run();
    expect((await w.calls.ok<TeamSyncResult>('teamSync', {})).uploaded.runbooks).toBe(1);
    const [rb] = await sql<{ title: string }>('rita', 'team', "SELECT title FROM ops_team.runbooks WHERE runbook_id = 'rb1'");
    expect(rb!.title).toBe('Timothie & Co runbook');
  });

  it('grants: the writer cannot UPDATE or DELETE the trail, the trigger stops the owner too, the reviewer cannot INSERT', async () => {
    await expect(sql('alice', 'team', "UPDATE ops_team.audit_chain SET summary = 'x'")).rejects.toThrow(/permission denied/);
    await expect(sql('alice', 'team', 'DELETE FROM ops_team.audit_chain')).rejects.toThrow(/permission denied/);
    await expect(sql('alice', 'team', 'TRUNCATE ops_team.audit_chain')).rejects.toThrow(/permission denied/);
    await expect(sql('teamowner', 'team', "UPDATE ops_team.audit_chain SET summary = 'x' WHERE seq = 1")).rejects.toThrow(/append-only; UPDATE is refused/);
    await expect(sql('teamowner', 'team', 'DELETE FROM ops_team.audit_chain WHERE seq = 1')).rejects.toThrow(/append-only; DELETE is refused/);
    await expect(sql('teamowner', 'team', 'TRUNCATE ops_team.audit_chain')).rejects.toThrow(/append-only; TRUNCATE is refused/);
    await expect(sql('postgres', 'team', 'DELETE FROM ops_team.audit_chain WHERE seq = 1')).rejects.toThrow(/append-only/);
    expect((await sql<{ n: number }>('rita', 'team', 'SELECT count(*)::int AS n FROM ops_team.audit_chain'))[0]!.n).toBeGreaterThan(0);
    await expect(
      sql(
        'rita',
        'team',
        "INSERT INTO ops_team.audit_chain (workstation_id, seq, kind, entry_id, at, prev_hash, hash) SELECT id, 999999, 'begin', 1, 'x', 'x', 'x' FROM ops_team.workstations LIMIT 1",
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('10,000 offline actions catch up; the store stopped mid-sync and restarted: everything arrives exactly once', async () => {
    ws.c = workstation('c');
    await ws.c.calls.ok('teamConnect', { url: url('alice', 'team') });
    appendEntries(ws.c.core, 10_000, 'c');
    const id = (await ws.c.calls.ok<{ workstationId: string }>('teamStatus', {})).workstationId;
    expect((await ws.c.calls.ok<{ pending: { auditRecords: number } }>('teamStatus', {})).pending.auditRecords).toBe(localHead(ws.c.core));

    // Stop the server once the first batches have landed.
    let stopping: Promise<void> | null = null;
    const unsubscribe = ws.c.core.events.subscribe((e) => {
      if (e.type === 'job.progress' && e.kind === 'team.sync' && stopping === null) stopping = cluster.stop();
    });
    const interrupted = await ws.c.calls.call('teamSync', {});
    unsubscribe();
    await stopping;
    expect(interrupted.ok ? null : interrupted.error.code).toBe('CONNECTION_FAILED');
    const down = await ws.c.calls.ok<{ lastError: string | null; pending: { auditRecords: number } }>('teamStatus', {});
    expect(down.lastError).not.toBeNull();
    expect(down.pending.auditRecords).toBeGreaterThan(0);
    expect(down.pending.auditRecords).toBeLessThan(localHead(ws.c.core));
    // While it is down a sync fails cleanly and loses nothing.
    expect((await ws.c.calls.fail('teamSync', {})).code).toBe('CONNECTION_FAILED');

    await cluster.start();
    const caught = await ws.c.calls.ok<TeamSyncResult>('teamSync', {});
    expect(caught.pending.auditRecords).toBe(0);
    expect(await storedRecords(id)).toEqual({ n: localHead(ws.c.core), distinct: localHead(ws.c.core), max: localHead(ws.c.core) });
    const [entries] = await sql<{ n: number }>(
      'postgres',
      'team',
      "SELECT count(*)::int AS n FROM ops_team.audit_chain WHERE workstation_id = $1 AND kind = 'begin'",
      [id],
    );
    expect(entries!.n).toBe(ws.c.core.deps.audit.count());
    const verify = await ws.c.calls.ok<TeamVerifyResult>('teamVerifyAudit', {});
    expect(verify.workstations.find((w) => w.id === id)).toMatchObject({ ok: true, entries: ws.c.core.deps.audit.count() });
  }, 60_000);

  it('a row tampered in the team store (trigger disabled by a superuser): audit verify --team names that entry, exit 1', async () => {
    const idA = (await ws.a.calls.ok<{ workstationId: string }>('teamStatus', {})).workstationId;
    await sql(
      'postgres',
      'team',
      `ALTER TABLE ops_team.audit_chain DISABLE TRIGGER audit_chain_append_only;
       UPDATE ops_team.audit_chain SET summary = 'nothing happened here' WHERE workstation_id = '${idA}' AND entry_id = 42 AND kind = 'complete';
       ALTER TABLE ops_team.audit_chain ENABLE TRIGGER audit_chain_append_only;`,
    );
    const cli = inProcessCli(
      () => ws.b.core,
      () => ws.b.home,
    );
    const code = await auditCommand(cli.ctx, ['verify', '--team']);
    expect(code).toBe(1);
    const result = JSON.parse(cli.out.join('\n')) as TeamVerifyResult;
    expect(result.ok).toBe(false);
    const bad = result.workstations.filter((w) => !w.ok);
    expect(bad).toEqual([expect.objectContaining({ id: idA, firstBadId: 42 })]);
    expect(bad[0]!.problem).toMatch(/changed in the team store/);
  });

  it('a home cloned from another (same workstation id, a different trail): its records are flagged as conflicts, never written over', async () => {
    const idB = (await ws.b.calls.ok<{ workstationId: string }>('teamStatus', {})).workstationId;
    const clone = workstation('clone');
    clone.core.deps.store.db.prepare('INSERT INTO team_link (id, workstation_id) VALUES (1, ?)').run(idB);
    await clone.calls.ok('teamConnect', { url: url('alice', 'team') });
    appendEntries(clone.core, 5, 'clone');
    const before = await storedRecords(idB);
    const cli = inProcessCli(
      () => clone.core,
      () => clone.home,
    );
    expect(await teamCommand(cli.ctx, ['sync'])).toBe(1);
    const result = JSON.parse(cli.out.join('\n')) as TeamSyncResult;
    expect(result.conflicts).toBeGreaterThan(0);
    expect(result.lastError).toMatch(/audit_conflicts/);
    const [held] = await sql<{ n: number }>(
      'postgres',
      'team',
      "SELECT count(*)::int AS n FROM ops_team.audit_chain WHERE workstation_id = $1 AND summary LIKE 'clone%'",
      [idB],
    );
    expect(held!.n).toBe(0);
    expect((await storedRecords(idB)).n).toBeGreaterThanOrEqual(before.n);
    const verify = await clone.calls.ok<TeamVerifyResult>('teamVerifyAudit', {});
    expect(verify.workstations.find((w) => w.id === idB)?.ok).toBe(false);
  });
});
