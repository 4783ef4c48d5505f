// Closing the core while a VACUUM or an export runs (both run on the job engine,
// core/platform/jobs): the VACUUM is cancelled on the server (it was waiting for a table
// lock, and stops long before its lock timeout), the export's connection is dropped and its
// .partial file deleted, both calls answer QUERY_FAILED saying they were stopped, their
// audit entries are written, and close() returns only after all of that.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '../../src-main/contract/errors';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { VacuumProgressEvent } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { holdLock, waitFor } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { openStore } from '../../src-main/core/platform/store/store';
import { STORE_FILE } from '../../src-main/core/platform/fs/private-fs';
import { VACUUM_LOCK_TIMEOUT_MS } from '../../src-main/core/monitoring/vacuum';

const server = inject('pg');
let shopDb: ShopDatabase;
const homes: string[] = [];

beforeAll(async () => {
  shopDb = await createShopDatabase(server, 'jobsclose', async (c) => {
    await c.query('CREATE TABLE close_vac AS SELECT g AS id FROM generate_series(1, 1000) g');
  });
}, 120_000);

afterAll(async () => {
  await shopDb?.dispose();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

async function coreWithProfile(prefix: string): Promise<{ core: Core; home: string; profile: Profile }> {
  const { core, home } = newTestCore(prefix);
  homes.push(home);
  const input: Partial<ProfileInput> = {
    name: 'dev',
    env: 'development',
    host: server.host,
    port: server.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    readOnly: false,
  };
  const profile = await callsOn(() => core).ok<Profile>('createProfile', { profile: input, password: shopDb.password });
  return { core, home, profile };
}

/** The audit entries of `action` in a closed core's store. */
function auditAfterClose(home: string, action: string): Array<{ outcome: string; error: string | null }> {
  const store = openStore(path.join(home, STORE_FILE));
  try {
    return store.db.prepare('SELECT outcome, error FROM audit_entries WHERE action = ? ORDER BY id').all(action) as Array<{
      outcome: string;
      error: string | null;
    }>;
  } finally {
    store.close();
  }
}

async function backendsRunning(pattern: string): Promise<number> {
  return withClient(server, async (c) => {
    const r = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`, [pattern]);
    return (r.rows[0] as { n: number }).n;
  });
}

describe('closing the core', () => {
  it('cancels a VACUUM waiting for its lock on the server and waits for it', async () => {
    const { core, home, profile } = await coreWithProfile('ops-jobs-vac-');
    const lock = await holdLock(server, shopDb.database, 'close_vac');
    try {
      const waiting = new Promise<void>((resolve) => {
        core.events.subscribe((e) => {
          if (e.type === 'vacuum.progress' && (e as VacuumProgressEvent).phase === 'waiting for the table lock') resolve();
        });
      });
      const call = core.dispatch(
        'runVacuum',
        { profileId: profile.id, schema: 'public', table: 'close_vac', jobId: 'close-vac' },
        { actor: 'tester', via: 'test' },
      );
      await waiting;
      const t0 = Date.now();
      await core.close();
      const closedIn = Date.now() - t0;
      const env = (await call) as Envelope<unknown>;
      expect(env.ok).toBe(false);
      if (env.ok) return;
      expect(env.error.code).toBe('QUERY_FAILED');
      expect(env.error.message).toBe('VACUUM of "public"."close_vac" was stopped: the app closed while it ran.');
      expect(env.error.detail).toMatchObject({ cancelled: true });
      // Stopped by the cancel, not by the lock timeout it would otherwise have reached.
      expect(closedIn).toBeLessThan(VACUUM_LOCK_TIMEOUT_MS - 1_000);
      expect(await backendsRunning('VACUUM%close_vac%')).toBe(0);
      expect(auditAfterClose(home, 'maintenance.vacuum')).toEqual([
        { outcome: 'error', error: expect.stringContaining('was stopped: the app closed while it ran') },
      ]);
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('stops an export mid-stream, deletes its partial file and waits for it', async () => {
    const { core, home, profile } = await coreWithProfile('ops-jobs-export-');
    // Rows the server produces one by one (a set-returning function in the select list): far more than the test lets it write.
    const sql = 'SELECT generate_series(1, 500000000) AS g';
    const call = core.dispatch('exportQuery', { profileId: profile.id, sql, format: 'csv' }, { actor: 'tester', via: 'test' });
    const exportsDir = path.join(home, 'exports');
    await waitFor(
      'the export writing',
      () => fs.existsSync(exportsDir) && fs.readdirSync(exportsDir).some((f) => fs.statSync(path.join(exportsDir, f)).size > 100_000),
    );
    await core.close();
    const env = (await call) as Envelope<unknown>;
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe('QUERY_FAILED');
    expect(env.error.message).toMatch(/^The export was stopped \(the app closed while the export ran\) after [\d,]+ rows\. No file was kept\.$/);
    expect(env.error.detail).toMatchObject({ cancelled: true });
    expect(fs.readdirSync(exportsDir)).toEqual([]);
    // Its backend is gone too (it ends at its next write to the dropped connection).
    await waitFor('the export backend to end', async () => (await backendsRunning('SELECT generate_series(1, 500000000)%')) === 0);
    expect(auditAfterClose(home, 'query.export')).toEqual([{ outcome: 'error', error: expect.stringContaining('The export was stopped') }]);
  }, 60_000);
});
