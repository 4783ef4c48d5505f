// `ops-console sessions list|cancel|terminate|cleanup` through the built CLI (npm test builds
// first), on backends the test opens: the acceptance of issue #8 — the dry run lists the
// idle-in-transaction backend, the run with --yes terminates it (`terminated` holds its pid)
// and the audit trail has one session.terminate entry per pid — plus the list's fields,
// refusals without --yes, production's --confirm, and terminate of one backend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { clientConfig, createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';

const server = inject('pg');
const role = `sesscli_${process.pid}_${Date.now().toString(36)}`;
const rolePassword = `pw-${Math.random().toString(36).slice(2)}`;
let home: string;
let database: string;
const opened: pg.Client[] = [];
const cli = (args: string[]) => runCli(home, args, { env: { PGPASSWORD: rolePassword } });

/** A real backend on the test database, idle in a transaction unless told otherwise. */
async function backend(application: string, inTransaction = true): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ ...clientConfig(server, database), user: role, password: rolePassword, application_name: application });
  client.on('error', () => undefined);
  await client.connect();
  opened.push(client);
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  if (inTransaction) {
    await client.query('BEGIN');
    await client.query('SELECT 42 AS left_open');
  }
  return { client, pid };
}

async function alive(pid: number): Promise<boolean> {
  return withClient(server, async (c) => ((await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount ?? 0) > 0);
}

function pidsOf(list: unknown): number[] {
  return (list as Array<{ pid: number }>).map((m) => m.pid);
}

async function terminateEntries(): Promise<Array<{ summary: string; profile: string }>> {
  const run = await cli(['audit', 'list', '--action', 'session.terminate', '--limit', '1000', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return json(run).entries as Array<{ summary: string; profile: string }>;
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-sessions-'));
  database = await createTestDatabase(server, uniqueDatabaseName('sessions_cli'));
  await withClient(server, async (c) => {
    await c.query(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${rolePassword}'`);
    await c.query(`GRANT pg_monitor, pg_signal_backend TO ${quoteIdent(role)}`);
    await c.query(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(role)}`);
  });
  const url = `postgresql://${role}@${server.host}:${server.port}/${database}?sslmode=disable`;
  for (const [name, env] of [
    ['shop', 'development'],
    ['shop-prod', 'production'],
  ]) {
    const add = await cli(['profile', 'add', name!, '--url', url, '--env', env!, '--read-write', '--json']);
    expect(add.code, add.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  for (const c of opened) await c.end().catch(() => undefined);
  await dropTestDatabase(server, database);
  await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`));
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ops-console sessions', () => {
  it('list --json: every session with the fields of cli.md', async () => {
    const b = await backend('shop-list');
    const run = await cli(['sessions', 'list', 'shop', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const sessions = json(run).sessions as Array<Record<string, unknown>>;
    const mine = sessions.find((s) => s.pid === b.pid);
    expect(mine).toMatchObject({
      pid: b.pid,
      user: role,
      application: 'shop-list',
      state: 'idle in transaction',
      waitEvent: 'ClientRead',
      blockedBy: [],
      query: 'SELECT 42 AS left_open',
    });
    expect(typeof mine?.durationMs).toBe('number');
    for (const key of ['pid', 'user', 'application', 'state', 'durationMs', 'waitEvent', 'blockedBy', 'query']) expect(Object.keys(mine ?? {})).toContain(key);
    const text = await cli(['sessions', 'list', 'shop']);
    expect(text.stdout).toMatch(new RegExp(`^${b.pid}\\s+${role}\\s+shop-list\\s+idle in transaction`, 'm'));
  });

  it('cleanup --dry-run lists the idle-in-transaction backend and changes nothing; --yes terminates it and audits its pid', async () => {
    const idle = await backend('shop-worker');
    const kept = await backend('pgbouncer');
    const plain = await backend('shop-worker', false);
    const dry = await cli(['sessions', 'cleanup', 'shop', '--idle-in-transaction', '0', '--exclude-app', 'pgbouncer', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const preview = json(dry);
    expect(pidsOf(preview.matched)).toContain(idle.pid);
    expect(pidsOf(preview.matched)).not.toContain(kept.pid);
    expect(pidsOf(preview.matched)).not.toContain(plain.pid);
    expect(preview.terminated).toEqual([]);
    expect((preview.matched as Array<Record<string, unknown>>).find((m) => m.pid === idle.pid)).toMatchObject({ user: role, state: 'idle in transaction' });
    expect(await alive(idle.pid)).toBe(true);

    const refused = await cli(['sessions', 'cleanup', 'shop', '--idle-in-transaction', '0', '--exclude-app', 'pgbouncer', '--json']);
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(await alive(idle.pid)).toBe(true);

    const before = await terminateEntries();
    const run = await cli(['sessions', 'cleanup', 'shop', '--idle-in-transaction', '0', '--exclude-app', 'pgbouncer', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = json(run);
    const terminated = result.terminated as number[];
    expect(terminated).toContain(idle.pid);
    expect(terminated).not.toContain(kept.pid);
    expect(await alive(idle.pid)).toBe(false);
    expect(await alive(kept.pid)).toBe(true);
    expect(await alive(plain.pid)).toBe(true);
    const after = await terminateEntries();
    expect(after.length - before.length).toBe(terminated.length);
    for (const pid of terminated) expect(after.filter((e) => e.summary.includes(`backend ${pid} `))).toHaveLength(1);
  });

  it('terminate PID: production needs --confirm NAME, then the backend is gone', async () => {
    const b = await backend('shop-stuck');
    const refused = await cli(['sessions', 'terminate', 'shop-prod', String(b.pid), '--yes', '--json']);
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(await alive(b.pid)).toBe(true);
    const run = await cli(['sessions', 'terminate', 'shop-prod', String(b.pid), '--yes', '--confirm', 'shop-prod', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ ok: true, pid: b.pid, action: 'terminate', signalled: true, effective: true });
    expect(run.stderr).toContain('SELECT 42 AS left_open');
    expect(await alive(b.pid)).toBe(false);
  });

  it('cancel of an idle backend answers that nothing was running (exit 1), and usage errors exit 2', async () => {
    const b = await backend('shop-idle', false);
    const run = await cli(['sessions', 'cancel', 'shop', String(b.pid), '--yes', '--json']);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ ok: false, signalled: true, effective: false });
    expect((await cli(['sessions', 'cleanup', 'shop', '--dry-run'])).code).toBe(2);
    expect((await cli(['sessions', 'cleanup', 'shop', '--idle', '5', '--idle-in-transaction', '5'])).code).toBe(2);
    expect((await cli(['sessions', 'cancel', 'shop', 'abc'])).code).toBe(2);
  });
});
