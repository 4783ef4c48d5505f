// The drill's scratch PostgreSQL: a fresh cluster on 127.0.0.1 under the app home that a
// database can be created in, removed completely by destroy(); a failed start leaves no
// folder behind; a cluster left by a dead process is swept.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { effectiveDataDir } from '../../src-main/core/platform/postgres/cluster';
import { createScratchCluster, scratchRoot, sweepScratchClusters, type ScratchConnection } from '../../src-main/core/restore/scratch';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-scratch-'));

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

async function connect(c: ScratchConnection, database = c.database): Promise<pg.Client> {
  const client = new pg.Client({
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password ?? undefined,
    database,
    ssl: false,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  return client;
}

async function failure(promise: Promise<unknown>): Promise<OpsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('createScratchCluster', () => {
  it('starts a fresh cluster on loopback where a database can be created; destroy removes every file', async () => {
    const scratch = await createScratchCluster({ home }, 13, 'drill-a');
    try {
      expect(scratch.connection.host).toBe('127.0.0.1');
      expect(scratch.major).toBeGreaterThanOrEqual(13);
      expect(scratch.version).toMatch(/^\d+\.\d+/);
      expect(fs.existsSync(scratch.folder)).toBe(true);
      expect(fs.existsSync(path.join(scratch.dataDir, 'PG_VERSION'))).toBe(true);
      const admin = await connect(scratch.connection);
      try {
        const where = await admin.query<{ addr: string; v: string }>("SELECT host(inet_server_addr()) AS addr, current_setting('listen_addresses') AS v");
        expect(where.rows[0]).toEqual({ addr: '127.0.0.1', v: '127.0.0.1' });
        await admin.query('CREATE DATABASE "Drill ""db"""');
      } finally {
        await admin.end();
      }
      const db = await connect(scratch.connection, 'Drill "db"');
      try {
        await db.query('CREATE TABLE t AS SELECT generate_series(1, 10) AS n');
        expect((await db.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 10 });
      } finally {
        await db.end();
      }
    } finally {
      await scratch.destroy();
    }
    expect(fs.existsSync(scratch.folder)).toBe(false);
    expect(fs.existsSync(scratch.dataDir)).toBe(false);
    await expect(connect(scratch.connection)).rejects.toThrow();
    // A second destroy is harmless.
    await scratch.destroy();
  }, 60_000);

  it('a server that fails to start leaves no folder and says why', async () => {
    const folder = path.join(scratchRoot(home), 'drill-bad');
    const err = await failure(createScratchCluster({ home }, 13, 'drill-bad', { settings: { shared_buffers: 'lots' } }));
    expect(err.code).toBe('SANDBOX_FAILED');
    expect(err.message).toMatch(/failed to start/);
    expect(err.message).toMatch(/shared_buffers/);
    expect(fs.existsSync(folder)).toBe(false);
    expect(fs.existsSync(effectiveDataDir(path.join(folder, 'data')))).toBe(false);
  }, 60_000);

  it('refuses a major nobody installed, naming what is needed', async () => {
    const err = await failure(createScratchCluster({ home }, 99, 'drill-99'));
    expect(err.code).toBe('BINARIES_NOT_FOUND');
    expect(err.message).toMatch(/PostgreSQL 99 or newer/);
    expect(fs.existsSync(path.join(scratchRoot(home), 'drill-99'))).toBe(false);
  });

  it('sweeps a scratch cluster whose process died, and keeps one of a live process', async () => {
    const orphan = await createScratchCluster({ home }, 13, 'drill-orphan');
    const live = await createScratchCluster({ home }, 13, 'drill-live');
    try {
      // A pid that surely ended: a child we ran to completion.
      const deadPid = spawnSync('true').pid;
      const ownerFile = path.join(orphan.folder, 'owner.json');
      const owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(ownerFile, JSON.stringify({ ...owner, pid: deadPid }));
      const removed = await sweepScratchClusters({ home });
      expect(removed).toEqual([orphan.folder]);
      expect(fs.existsSync(orphan.dataDir)).toBe(false);
      await expect(connect(orphan.connection)).rejects.toThrow();
      const client = await connect(live.connection);
      await client.end();
    } finally {
      await orphan.destroy();
      await live.destroy();
    }
  }, 90_000);
});
