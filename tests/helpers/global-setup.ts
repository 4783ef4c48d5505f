// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run, shared by the
// projects that declare it (integration, e2e; not unit) through `inject('pg')` (type in
// tests/helpers/pg.ts). Vitest runs a globalSetup once per project in the same process, so
// the cluster is shared through a reference count on globalThis and stopped when the last
// project tears down.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { pickServerBinaries, serverBinariesIn, type ServerBinaries } from '../../src-main/core/platform/postgres/server-binaries';
import type { TestPg } from './pg';

const PREFIX = 'ops-console-test-pg-';

interface Shared {
  refs: number;
  ready: Promise<{ cluster: LocalCluster; info: TestPg; root: string }>;
}

const KEY = Symbol.for('ops-console.test-pg');
type GlobalWithShared = typeof globalThis & { [KEY]?: Shared };

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and deletes clusters left by runs that died without teardown (owner pid gone). */
async function removeLeftovers(binaries: ServerBinaries): Promise<void> {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!match?.[1] || pidAlive(Number(match[1]))) continue;
    const root = path.join(os.tmpdir(), name);
    const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries, auth: { method: 'trust' } });
    try {
      await cluster.destroy();
    } catch {
      // A half-deleted leftover: delete what we can and move on.
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function startCluster(): Promise<{ cluster: LocalCluster; info: TestPg; root: string }> {
  const wanted = process.env.OPS_CONSOLE_TEST_PG_BIN;
  const binaries = (wanted ? await serverBinariesIn(wanted) : null) ?? (await pickServerBinaries());
  await removeLeftovers(binaries);
  // 0711: the `postgres` user (when we are root) may pass through but not list it.
  const root = path.join(os.tmpdir(), `${PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const password = crypto.randomBytes(18).toString('base64url');
  const cluster = new LocalCluster({
    dataDir: path.join(root, 'data'),
    binaries,
    auth: { method: 'scram-sha-256', superuserPassword: password },
    settings: { shared_preload_libraries: 'pg_stat_statements', max_connections: '200' },
    durable: false,
  });
  await cluster.init();
  const { port } = await cluster.start();
  const info: TestPg = { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', binDir: binaries.binDir, dataDir: cluster.dataDir };
  return { cluster, info, root };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const g = globalThis as GlobalWithShared;
  if (!g[KEY]) g[KEY] = { refs: 0, ready: startCluster() };
  const shared = g[KEY];
  shared.refs += 1;
  const { info } = await shared.ready;
  project.provide('pg', info);

  return async function teardown(): Promise<void> {
    shared.refs -= 1;
    if (shared.refs > 0) return;
    delete g[KEY];
    const { cluster, root } = await shared.ready;
    try {
      await cluster.destroy();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}
