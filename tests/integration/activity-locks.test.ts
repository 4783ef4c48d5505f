// The all-locks view (issue #19) against the run's real PostgreSQL: a backend holding a table
// lock in an open transaction and an advisory lock, another waiting for a stronger lock on
// the same table. listLocks names the table, the modes, who holds and who waits (waiting
// first, blocked by the holder), and the ages; nothing of its own connection shows.
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { LocksSnapshot } from '../../src-main/contract/activity';
import type { Profile } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { clientConfig, createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';

const server = inject('pg');
let core: Core;
let database: string;
let profile: Profile;
const opened: pg.Client[] = [];
const { ok } = callsOn(() => core);

async function backend(application: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ ...clientConfig(server, database), application_name: application });
  client.on('error', () => undefined);
  await client.connect();
  opened.push(client);
  return { client, pid: (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid };
}

beforeAll(async () => {
  ({ core } = newTestCore('ops-locks-'));
  database = await createTestDatabase(server, uniqueDatabaseName('locks'));
  await withClient(server, (c) => c.query('CREATE TABLE inventory (id int PRIMARY KEY)'), database);
  profile = await ok<Profile>('createProfile', {
    profile: { name: 'locks', host: server.host, port: server.port, database, user: server.user, sslmode: 'disable', env: 'development', readOnly: true },
    password: server.password,
  });
}, 60_000);

afterAll(async () => {
  for (const c of opened) await c.end().catch(() => undefined);
  await core?.close();
  await dropTestDatabase(server, database);
});

it('lists every lock with its relation, mode, holder, waiter and age, waiting first', async () => {
  const holder = await backend('locks-holder');
  await holder.client.query('BEGIN');
  await holder.client.query('LOCK TABLE inventory IN SHARE MODE');
  await holder.client.query('SELECT pg_advisory_lock(4242)');
  const waiter = await backend('locks-waiter');
  await waiter.client.query('BEGIN');
  const waiting = waiter.client.query('LOCK TABLE inventory IN EXCLUSIVE MODE');
  waiting.catch(() => undefined);

  let snap: LocksSnapshot | null = null;
  for (let i = 0; i < 100; i++) {
    snap = await ok<LocksSnapshot>('listLocks', { profileId: profile.id });
    if (snap.locks.some((l) => l.pid === waiter.pid && !l.granted)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const locks = snap!.locks;
  expect(snap!.truncated).toBe(false);
  const held = locks.find((l) => l.pid === holder.pid && l.relation === 'inventory' && l.mode === 'ShareLock');
  expect(held).toMatchObject({ granted: true, locktype: 'relation', database, user: server.user, application: 'locks-holder', state: 'idle in transaction' });
  expect(held!.ageMs).toBeGreaterThanOrEqual(0);
  const wanted = locks.find((l) => l.pid === waiter.pid && !l.granted);
  expect(wanted).toMatchObject({ relation: 'inventory', mode: 'ExclusiveLock', blockedBy: [holder.pid], query: 'LOCK TABLE inventory IN EXCLUSIVE MODE' });
  // Waiting locks come first: the one a DBA looks for is never below a page of granted ones.
  expect(locks[0]!.granted).toBe(false);
  expect(locks.find((l) => l.pid === holder.pid && l.locktype === 'advisory')).toMatchObject({ target: 'advisory 4242', mode: 'ExclusiveLock', granted: true });
  // The app's own connection (the one reading pg_locks) is not listed.
  expect(locks.every((l) => !(l.application ?? '').startsWith('ops-console'))).toBe(true);

  await holder.client.query('ROLLBACK');
  await waiting;
  await waiter.client.query('ROLLBACK');
});
