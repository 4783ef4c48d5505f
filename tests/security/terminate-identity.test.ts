// Issue #14 §7.5: terminateBackend without backendStart skipped the same-backend check, so a
// pid reused by another backend could be terminated. It is now refused by the contract's
// validation (and by the core for callers inside it), before any connection; the screen
// does not offer it for a session that left the snapshot. A real backend stands in for
// the victim: it must survive.
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import type { Profile } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { signalBackend } from '../../src-main/core/activity/signal';
import { signalBlocked } from '../../src-renderer/src/screens/activity/activity-model';
import { callsOn, newTestCore } from '../helpers/core';
import { clientConfig } from '../helpers/pg';

const server = inject('pg');
let core: Core;
let home: string;
let profile: Profile;
let victim: pg.Client;
let victimPid: number;
const { ok, fail } = callsOn(() => core);

async function victimAlive(): Promise<boolean> {
  const probe = new pg.Client(clientConfig(server));
  await probe.connect();
  try {
    return ((await probe.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [victimPid])).rowCount ?? 0) === 1;
  } finally {
    await probe.end();
  }
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-sec-terminate-'));
  profile = await ok<Profile>('createProfile', {
    profile: {
      name: 'terminate',
      host: server.host,
      port: server.port,
      database: server.database,
      user: server.user,
      sslmode: 'disable',
      env: 'development',
      readOnly: false,
    },
    password: server.password,
  });
  victim = new pg.Client(clientConfig(server));
  victim.on('error', () => undefined);
  await victim.connect();
  victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
});

afterAll(async () => {
  await victim?.end().catch(() => undefined);
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('terminate needs the backend identity', () => {
  it('terminateBackend without backendStart is refused by validation, and the backend lives on', async () => {
    const err = await fail('terminateBackend', { profileId: profile.id, pid: victimPid });
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^backendStart: /);
    expect(await victimAlive()).toBe(true);
  });

  it('an empty backendStart is refused too', async () => {
    expect((await fail('terminateBackend', { profileId: profile.id, pid: victimPid, backendStart: '' })).code).toBe('INVALID_INPUT');
    expect(await victimAlive()).toBe(true);
  });

  it('the core refuses it for a caller that skips the contract', async () => {
    const call = signalBackend(core.deps, profile, 'terminate', { pid: victimPid }, {});
    await expect(call).rejects.toBeInstanceOf(OpsError);
    await expect(call).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await victimAlive()).toBe(true);
  });

  it('the screen does not offer terminate for a session without its start time (cancel stays possible)', () => {
    expect(signalBlocked('terminate', { backendStart: null })).toMatch(/Refresh/);
    expect(signalBlocked('terminate', { backendStart: '2024-01-01 00:00:00+00' })).toBeNull();
    expect(signalBlocked('cancel', { backendStart: null })).toBeNull();
  });
});
