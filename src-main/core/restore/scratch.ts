// A throwaway PostgreSQL cluster on this workstation for a restore drill: created fresh
// under <home>/scratch/<id>, listening on 127.0.0.1 only, and deleted afterwards. It needs
// no access to any server, which is what lets a drill prove a backup while the source is
// down. The superuser logs in with a random password held in memory for the drill only
// (never written down): a superuser on loopback trust would let any local account run
// programs as the server's OS user.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import { log } from '../platform/kernel/log';
import { effectiveDataDir, LocalCluster } from '../platform/postgres/cluster';
import { findServerBinaries, installHint, searchedPlaces, type ServerBinaries } from '../platform/postgres/server-binaries';
import { processAlive } from '../platform/tools/proc';

/** Structurally the RestoreConnection of plan.ts: what pg_restore/psql and pg.Client need. */
export interface ScratchConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | null;
  env: Record<string, string>;
}

export interface ScratchCluster {
  /** The superuser on the maintenance database `postgres`. */
  connection: ScratchConnection;
  /** Short server version, e.g. "15.18". */
  version: string;
  major: number;
  /** Where the cluster's files really are (under the app home, or the root fallback under the temp dir). */
  dataDir: string;
  /** <home>/scratch/<id>. */
  folder: string;
  /** Stops the server and deletes every file of it; safe to call twice; never throws. */
  destroy(): Promise<void>;
}

export interface ScratchOptions {
  /** Extra postgresql.conf settings (tests use a broken one to make the start fail). */
  settings?: Record<string, string>;
}

const OWNER_FILE = 'owner.json';
const SUPERUSER = 'postgres';

export function scratchRoot(home: string): string {
  return path.join(home, 'scratch');
}

function shortVersion(version: string): string {
  return /\(PostgreSQL\)\s+(\S+)/.exec(version)?.[1] ?? version;
}

/** The lowest installed server major ≥ minMajor: the closest to what made the dump. */
export async function pickScratchBinaries(minMajor: number): Promise<ServerBinaries> {
  const found = await findServerBinaries();
  const fitting = found.filter((b) => b.major >= minMajor).sort((a, b) => a.major - b.major);
  const chosen = fitting[0];
  if (chosen) return chosen;
  if (found.length === 0) {
    const places = searchedPlaces();
    throw new OpsError(
      'BINARIES_NOT_FOUND',
      `A restore drill needs PostgreSQL server programs (initdb, pg_ctl, postgres) of version ${minMajor} or newer on this workstation, and none were found. Looked in: ${places.join(', ')}. ${installHint()}`,
      { requiredMajor: minMajor, searched: places },
    );
  }
  throw new OpsError(
    'BINARIES_NOT_FOUND',
    `The backup needs PostgreSQL ${minMajor} or newer to restore; the servers installed here are ${found.map((b) => `${b.major} (${b.binDir})`).join(', ')}. ${installHint()}`,
    { requiredMajor: minMajor, found: found.map((b) => ({ binDir: b.binDir, major: b.major })) },
  );
}

/** Last resort when pg_ctl could not stop it: the postmaster's pid, signalled directly. */
function killPostmaster(dataDir: string): void {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // No pid file or already gone: nothing runs.
  }
}

async function removeCluster(cluster: LocalCluster, folder: string): Promise<void> {
  try {
    await cluster.destroy();
  } catch (err) {
    log.warn(`scratch cluster in ${cluster.dataDir} did not stop cleanly; killing it`, err);
    killPostmaster(cluster.dataDir);
    fs.rmSync(cluster.dataDir, { recursive: true, force: true });
    if (path.dirname(cluster.dataDir) !== folder) fs.rmSync(path.dirname(cluster.dataDir), { recursive: true, force: true });
  }
  fs.rmSync(folder, { recursive: true, force: true });
}

function newCluster(folder: string, binaries: ServerBinaries, password: string, settings: Record<string, string>): LocalCluster {
  return new LocalCluster({
    dataDir: path.join(folder, 'data'),
    binaries,
    auth: { method: 'scram-sha-256', superuserPassword: password },
    // Default durability on purpose: the drill times the restore against the RTO, and a
    // server without fsync would make that time look better than any real one.
    settings: { max_connections: '30', ...settings },
  });
}

/**
 * Creates and starts a fresh cluster with the lowest installed server major ≥ minMajor.
 * Anything that fails on the way removes what was created before the error is thrown.
 */
export async function createScratchCluster(deps: Pick<CoreDeps, 'home'>, minMajor: number, id: string, options: ScratchOptions = {}): Promise<ScratchCluster> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new OpsError('INVALID_INPUT', `"${id}" cannot name a scratch cluster folder (letters, digits, - and _ only).`);
  const binaries = await pickScratchBinaries(minMajor);
  const folder = path.join(scratchRoot(deps.home), id);
  if (fs.existsSync(folder)) throw new OpsError('SANDBOX_FAILED', `A scratch cluster folder ${folder} already exists; it belongs to another drill.`);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  // Lets a later process remove a scratch cluster whose drill died with its process.
  fs.writeFileSync(path.join(folder, OWNER_FILE), `${JSON.stringify({ pid: process.pid, binDir: binaries.binDir, createdAt: new Date().toISOString() })}\n`, {
    mode: 0o600,
  });
  const password = crypto.randomBytes(24).toString('base64url');
  const cluster = newCluster(folder, binaries, password, options.settings ?? {});
  let port: number;
  try {
    await cluster.init();
    ({ port } = await cluster.start());
  } catch (err) {
    await removeCluster(cluster, folder);
    throw err instanceof OpsError ? err : new OpsError('SANDBOX_FAILED', `The scratch PostgreSQL could not be created: ${(err as Error).message}`);
  }
  let destroyed: Promise<void> | null = null;
  return {
    connection: { host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres', password, env: {} },
    version: shortVersion(binaries.version),
    major: binaries.major,
    dataDir: cluster.dataDir,
    folder,
    destroy() {
      destroyed ??= removeCluster(cluster, folder).catch((err: unknown) => log.error(`could not remove the scratch cluster ${folder}`, err));
      return destroyed;
    },
  };
}

/**
 * Scratch clusters left by a process that died mid-drill (crash, power loss): stopped and
 * deleted. Folders of a live process (another app window, the CLI) are left alone.
 */
export async function sweepScratchClusters(deps: Pick<CoreDeps, 'home'>): Promise<string[]> {
  const root = scratchRoot(deps.home);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const folder = path.join(root, name);
    let owner: { pid?: number; binDir?: string };
    try {
      owner = JSON.parse(fs.readFileSync(path.join(folder, OWNER_FILE), 'utf8')) as { pid?: number; binDir?: string };
    } catch {
      continue;
    }
    if (typeof owner.pid === 'number' && (owner.pid === process.pid || processAlive(owner.pid))) continue;
    const binaries = (await findServerBinaries()).find((b) => b.binDir === owner.binDir);
    if (binaries) {
      await removeCluster(newCluster(folder, binaries, '', {}), folder);
    } else {
      // Its server programs are gone, so pg_ctl cannot stop it: kill what may still run.
      const dataDir = effectiveDataDir(path.join(folder, 'data'));
      killPostmaster(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (path.dirname(dataDir) !== folder) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
      fs.rmSync(folder, { recursive: true, force: true });
    }
    removed.push(folder);
  }
  return removed;
}
