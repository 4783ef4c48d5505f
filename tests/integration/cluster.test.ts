// LocalCluster against the real PostgreSQL server programs of this machine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { LocalCluster, isPortFree, sweepOrphanedFallbacks } from '../../src-main/core/platform/postgres/cluster';
import { mustSwitchUser } from '../../src-main/core/platform/postgres/cluster-os';
import {
  findServerBinaries,
  parseServerVersion,
  pickServerBinaries,
  serverBinariesIn,
  type ServerBinaries,
} from '../../src-main/core/platform/postgres/server-binaries';
import { waitFor } from '../helpers/sshd';

function connect(port: number, password: string, host = '127.0.0.1'): Promise<pg.Client> {
  const client = new pg.Client({ host, port, user: 'postgres', password, database: 'postgres', ssl: false, connectionTimeoutMillis: 5_000 });
  return client.connect().then(() => client);
}

describe('server binaries', () => {
  it('finds the PostgreSQL server installed here, newest major first', async () => {
    const found = await findServerBinaries();
    expect(found.length).toBeGreaterThan(0);
    const first = found[0]!;
    expect(fs.existsSync(first.initdb)).toBe(true);
    expect(fs.existsSync(first.pgCtl)).toBe(true);
    expect(first.version).toContain('PostgreSQL');
    const majors = found.map((b) => b.major);
    expect([...majors].sort((a, b) => b - a)).toEqual(majors);
    expect(new Set(found.map((b) => b.binDir)).size).toBe(found.length);
  });

  it('parses server version strings', () => {
    expect(parseServerVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toBe(15);
    expect(parseServerVersion('postgres (PostgreSQL) 9.6.24')).toBe(9);
    expect(parseServerVersion('postgres (PostgreSQL) 17beta1')).toBe(17);
    expect(parseServerVersion('psql (PostgreSQL) ')).toBeNull();
  });

  it('explains how to install PostgreSQL when no suitable server is found', async () => {
    const error = await pickServerBinaries(999).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).code).toBe('BINARIES_NOT_FOUND');
    expect((error as OpsError).message).toMatch(/PostgreSQL 999 or newer is needed/);
    expect((error as OpsError).message).toMatch(/install postgresql/i);
  });

  it('returns null for a folder without server programs', async () => {
    expect(await serverBinariesIn(os.tmpdir())).toBeNull();
  });
});

describe('LocalCluster with scram-sha-256', () => {
  let binaries: ServerBinaries;
  let workDir: string;
  let cluster: LocalCluster;
  let port: number;
  const password = crypto.randomBytes(12).toString('base64url');

  beforeAll(async () => {
    const fromHarness = await serverBinariesIn(inject('pg').binDir);
    if (!fromHarness) throw new Error(`no server programs in ${inject('pg').binDir}`);
    binaries = fromHarness;
    // A 0700 folder, like the ones users have: as root the server user cannot enter it.
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cluster-test-'));
    cluster = new LocalCluster({
      dataDir: path.join(workDir, 'pgdata'),
      binaries,
      auth: { method: 'scram-sha-256', superuserPassword: password },
      durable: false,
    });
    await cluster.init();
    port = (await cluster.start()).port;
  });

  afterAll(async () => {
    await cluster?.destroy();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('places the data where the server user can reach it without loosening the user folder', () => {
    expect(fs.statSync(workDir).mode & 0o777).toBe(0o700);
    if (mustSwitchUser()) {
      expect(cluster.dataDir).not.toBe(cluster.requestedDataDir);
      expect(path.basename(path.dirname(cluster.dataDir))).toMatch(/^ops-console-pg-[0-9a-f]{16}$/);
    } else {
      expect(cluster.dataDir).toBe(cluster.requestedDataDir);
    }
    expect(cluster.isInitialized()).toBe(true);
    expect(cluster.dataVersion()).toBe(binaries.major);
  });

  it('leaves no password file behind', () => {
    const parent = path.dirname(cluster.dataDir);
    expect(fs.readdirSync(parent).filter((name) => name.startsWith('.pwfile'))).toEqual([]);
  });

  it('accepts the superuser password and rejects a wrong one', async () => {
    const client = await connect(port, password);
    try {
      const result = await client.query<{ user: string; enc: string }>(`SELECT current_user AS user, current_setting('password_encryption') AS enc`);
      expect(result.rows[0]).toEqual({ user: 'postgres', enc: 'scram-sha-256' });
    } finally {
      await client.end();
    }
    await expect(connect(port, `${password}x`)).rejects.toMatchObject({ code: '28P01' });
  });

  it('listens on 127.0.0.1 only', async () => {
    const client = await connect(port, password);
    try {
      const result = await client.query<{ listen: string }>(`SELECT current_setting('listen_addresses') AS listen`);
      expect(result.rows[0]?.listen).toBe('127.0.0.1');
    } finally {
      await client.end();
    }
    // Another loopback address reaches the same machine but not a socket bound to 127.0.0.1.
    const other = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.2', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(other).toBe('ECONNREFUSED');
  });

  it('reports running, stops, and starts again on a fresh free port', async () => {
    expect(await cluster.isRunning()).toBe(true);
    expect(cluster.runningPort()).toBe(port);
    await cluster.stop();
    expect(await cluster.isRunning()).toBe(false);
    expect(await isPortFree(port)).toBe(true);
    await cluster.stop(); // stopping a stopped cluster is fine
    port = (await cluster.start()).port;
    expect(await cluster.isRunning()).toBe(true);
    const client = await connect(port, password);
    await client.end();
  });

  it('a postmaster killed with SIGKILL counts as stopped (even as an unreaped zombie) and starts again', async () => {
    const pid = Number(fs.readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await waitFor('the postmaster to die', () => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      } catch {
        return true;
      }
    });
    expect(await cluster.isRunning()).toBe(false);
    // Its lock files are still there: start() clears them only because their owner is dead.
    expect(fs.existsSync(path.join(cluster.dataDir, 'postmaster.pid'))).toBe(true);
    port = (await cluster.start()).port;
    expect(await cluster.isRunning()).toBe(true);
    const client = await connect(port, password);
    await client.end();
  });

  it('refuses to init over an existing cluster', async () => {
    await expect(cluster.init()).rejects.toMatchObject({ code: 'SANDBOX_FAILED', message: expect.stringContaining('already holds files') });
  });

  it('shows what the server said when it cannot start', async () => {
    const broken = new LocalCluster({
      dataDir: path.join(workDir, 'broken'),
      binaries,
      auth: { method: 'trust' },
      settings: { shared_buffers: 'banana' },
      durable: false,
    });
    try {
      await broken.init();
      const error = await broken.start().then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(OpsError);
      expect((error as OpsError).code).toBe('SANDBOX_FAILED');
      expect((error as OpsError).message).toContain('failed to start');
      expect((error as OpsError).message).toMatch(/shared_buffers/);
      expect(await broken.isRunning()).toBe(false);
    } finally {
      await broken.destroy();
    }
  });

  it('says clearly when the wanted port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const second = new LocalCluster({ dataDir: path.join(workDir, 'second'), binaries, port: taken, auth: { method: 'trust' }, durable: false });
    try {
      await second.init();
      const error = await second.start().then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(OpsError);
      expect((error as OpsError).message).toContain(`Port ${taken} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await second.destroy();
    }
  });
});

describe('root fallback folders', () => {
  it('sweeps only marked folders whose wanted location is gone', () => {
    const suffix = crypto.randomBytes(8).toString('hex');
    const orphan = path.join(os.tmpdir(), `ops-console-pg-${suffix}0`);
    const kept = path.join(os.tmpdir(), `ops-console-pg-${suffix}1`);
    const unmarked = path.join(os.tmpdir(), `ops-console-pg-${suffix}2`);
    try {
      for (const dir of [orphan, kept, unmarked]) fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      fs.writeFileSync(path.join(orphan, 'wanted-path.txt'), path.join(os.tmpdir(), `gone-${suffix}`, 'sandbox', 'data'));
      fs.writeFileSync(path.join(kept, 'wanted-path.txt'), path.join(os.tmpdir(), 'data'));
      const removed = sweepOrphanedFallbacks();
      expect(removed).toContain(orphan);
      expect(fs.existsSync(orphan)).toBe(false);
      expect(fs.existsSync(kept)).toBe(true);
      expect(fs.existsSync(unmarked)).toBe(true);
    } finally {
      for (const dir of [orphan, kept, unmarked]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
