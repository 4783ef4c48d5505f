// The demo sandbox: a local PostgreSQL cluster under the app home, seeded with Timothie &
// Co demo data, plus a "sandbox" profile pointing at it. Nothing outside this machine can
// reach it (listen_addresses = 127.0.0.1).
//
// Who may log in, and why: the profile connects over loopback TCP without a password
// (a password would be one more secret to keep, for demo data), but only as the
// unprivileged role `ops_sandbox`, which owns the demo database and holds the monitoring
// roles. Any local account can reach 127.0.0.1, so the superuser must not be reachable
// there: over TCP it needs a random password that is used once to seed and then forgotten;
// over the Unix socket (inside the data dir, private to the server's OS user) its owner
// can still administer the cluster. A superuser on trust would let any local user run
// programs as the DBA through COPY … TO PROGRAM.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile, ProfileFields, SandboxStatus } from '../../contract/models';
import { LocalCluster, effectiveDataDir, isPortFree } from '../platform/postgres/cluster';
import { withClusterLock } from '../platform/postgres/cluster-lock';
import { findServerBinaries, pickServerBinaries, serverBinariesIn, type ServerBinaries } from '../platform/postgres/server-binaries';
import { installToolkitOn } from '../toolkit';
import { seedDemoData } from './seed';

export const SANDBOX_PROFILE = 'sandbox';
export const SANDBOX_DATABASE = 'timothie';
export const SANDBOX_USER = 'ops_sandbox';
/** The seed uses DROP DATABASE … WITH (FORCE), new in PostgreSQL 13. */
const MIN_MAJOR = 13;

/** What the sandbox needs from the profile repository. */
export interface SandboxProfiles {
  getByName(name: string): Profile | null;
  create(fields: ProfileFields): Profile;
  update(id: string, fields: ProfileFields): Profile;
}

interface SandboxState {
  version: 1;
  dataDir: string;
  binDir: string;
  major: number;
  serverVersion: string;
  port: number | null;
  /** False until the demo data committed: a crash mid-seed re-seeds on the next start. */
  seeded: boolean;
  createdAt: string;
}

export interface SandboxResult {
  status: SandboxStatus;
}

/** libpq URI usable as is by psql, pg_dump and pgbench (trust auth: no password). */
export function sandboxUrl(port: number): string {
  return `postgresql://${SANDBOX_USER}@127.0.0.1:${port}/${SANDBOX_DATABASE}?sslmode=disable`;
}

function shortVersion(version: string): string {
  return /\(PostgreSQL\)\s+(\S+)/.exec(version)?.[1] ?? version;
}

export class Sandbox {
  readonly dir: string;
  private readonly stateFile: string;
  private readonly requestedDataDir: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: { home: string; profiles: SandboxProfiles }) {
    this.dir = path.join(options.home, 'sandbox');
    this.stateFile = path.join(this.dir, 'state.json');
    this.requestedDataDir = path.join(this.dir, 'data');
  }

  /** One sandbox operation at a time in this process; the file lock covers other processes. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => withClusterLock(this.dir, fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once no operation is in flight. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private readState(): SandboxState | null {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as SandboxState;
      return parsed.version === 1 ? parsed : null;
    } catch {
      return null;
    }
  }

  private writeState(state: SandboxState): void {
    const tmp = `${this.stateFile}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.stateFile);
  }

  private dataDir(): string {
    this.ensureDir();
    return effectiveDataDir(this.requestedDataDir);
  }

  /** The binaries of the data dir's major version (a cluster only runs with its own major). */
  private async binariesFor(dataDir: string, state: SandboxState | null): Promise<ServerBinaries | null> {
    let major: number;
    try {
      major = Number(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim());
    } catch {
      return null;
    }
    if (state?.binDir) {
      const recorded = await serverBinariesIn(state.binDir);
      if (recorded?.major === major) return recorded;
    }
    const same = (await findServerBinaries()).find((b) => b.major === major);
    if (same) return same;
    throw new OpsError(
      'SANDBOX_FAILED',
      `The sandbox was created with PostgreSQL ${major}, whose server programs are no longer installed. Reset the sandbox to recreate it with the installed version.`,
      { dataDir, major },
    );
  }

  private cluster(binaries: ServerBinaries, port: number, superuserPassword?: string): LocalCluster {
    return new LocalCluster({
      dataDir: this.requestedDataDir,
      binaries,
      port,
      // Only init() reads the password; later starts need none.
      auth: { method: 'scram-sha-256', superuserPassword: superuserPassword ?? '' },
      settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top', max_connections: '50' },
    });
  }

  async status(): Promise<SandboxStatus> {
    const dataDir = this.dataDir();
    const state = this.readState();
    const base: SandboxStatus = {
      ok: true,
      running: false,
      port: null,
      dataDir,
      profile: SANDBOX_PROFILE,
      url: null,
      serverVersion: state?.serverVersion ?? null,
      binDir: state?.binDir ?? null,
    };
    let binaries: ServerBinaries | null;
    try {
      binaries = await this.binariesFor(dataDir, state);
    } catch {
      return base;
    }
    if (!binaries) return base;
    const cluster = this.cluster(binaries, 0);
    if (!(await cluster.isRunning())) return { ...base, binDir: binaries.binDir };
    const port = cluster.runningPort();
    return {
      ...base,
      running: true,
      port,
      url: port === null ? null : sandboxUrl(port),
      binDir: binaries.binDir,
      serverVersion: shortVersion(binaries.version),
    };
  }

  /** Starts (creating and seeding on first use). Already running: just reports. */
  start(commands: string[] = []): Promise<SandboxStatus> {
    return this.serialize(() => this.startLocked(commands));
  }

  stop(commands: string[] = []): Promise<SandboxStatus> {
    return this.serialize(async () => {
      await this.stopLocked(commands);
      return this.status();
    });
  }

  /** Stop, delete every file, create and seed afresh. */
  reset(commands: string[] = []): Promise<SandboxStatus> {
    return this.serialize(async () => {
      await this.destroyLocked(commands);
      return this.startLocked(commands);
    });
  }

  /** Stop and delete the cluster and its state (the profile stays). */
  destroy(commands: string[] = []): Promise<void> {
    return this.serialize(() => this.destroyLocked(commands));
  }

  private async destroyLocked(commands: string[]): Promise<void> {
    const dataDir = this.dataDir();
    const binaries = await this.binariesFor(dataDir, this.readState()).catch(() => null);
    if (binaries) {
      const cluster = this.cluster(binaries, 0);
      if (await cluster.isRunning()) {
        commands.push(`pg_ctl stop -D ${dataDir} -m fast -w -t 60`);
        await cluster.stop();
      }
    } else if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
      throw new OpsError(
        'SANDBOX_FAILED',
        `The sandbox in ${dataDir} may still be running and its PostgreSQL programs are missing; stop it by hand before deleting it.`,
      );
    }
    commands.push(`rm -rf ${dataDir}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    // The root fallback folder (see effectiveDataDir) holds only the data dir.
    if (path.dirname(dataDir) !== this.dir) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    fs.rmSync(this.stateFile, { force: true });
  }

  private async stopLocked(commands: string[]): Promise<void> {
    const dataDir = this.dataDir();
    const binaries = await this.binariesFor(dataDir, this.readState());
    if (!binaries) return;
    const cluster = this.cluster(binaries, 0);
    if (!(await cluster.isRunning())) return;
    commands.push(`pg_ctl stop -D ${cluster.dataDir} -m fast -w -t 60`);
    await cluster.stop();
  }

  private async startLocked(commands: string[]): Promise<SandboxStatus> {
    const dataDir = this.dataDir();
    let state = this.readState();
    let binaries = await this.binariesFor(dataDir, state);
    if (binaries && !state?.seeded) {
      // Seeding needs the superuser password, forgotten after the first attempt: a cluster
      // whose seed never committed is rebuilt rather than repaired.
      await this.destroyLocked(commands);
      state = null;
      binaries = null;
    }
    let superuserPassword: string | null = null;
    if (!binaries) {
      // Nothing usable on disk (first start, or an init that died half-way): start over.
      binaries = await pickServerBinaries(MIN_MAJOR);
      if (fs.existsSync(dataDir)) fs.rmSync(dataDir, { recursive: true, force: true });
      superuserPassword = crypto.randomBytes(24).toString('base64url');
      const fresh = this.cluster(binaries, 0, superuserPassword);
      commands.push(`initdb -D ${fresh.dataDir} -U postgres -E UTF8 --locale=C --auth-host=scram-sha-256 --pwfile=(random, not kept)`);
      await fresh.init();
      fresh.writeHba(SANDBOX_HBA);
      state = null;
    }
    const preferred = state?.port && (await isPortFree(state.port)) ? state.port : 0;
    let cluster = this.cluster(binaries, preferred);
    let port: number;
    if (await cluster.isRunning()) {
      port = cluster.runningPort() ?? (await cluster.start()).port;
    } else {
      commands.push(`pg_ctl start -D ${cluster.dataDir} -l ${cluster.logFile} -w -t 60`);
      try {
        port = (await cluster.start()).port;
      } catch (err) {
        if (preferred === 0) throw err;
        // The old port was taken between our check and the start, so take whichever port is free.
        cluster = this.cluster(binaries, 0);
        port = (await cluster.start()).port;
      }
    }
    const next: SandboxState = {
      version: 1,
      dataDir: cluster.dataDir,
      binDir: binaries.binDir,
      major: binaries.major,
      serverVersion: shortVersion(binaries.version),
      port,
      seeded: state?.seeded ?? false,
      createdAt: state?.createdAt ?? new Date().toISOString(),
    };
    this.writeState(next);
    if (!next.seeded) {
      if (superuserPassword === null) throw new OpsError('SANDBOX_FAILED', 'The sandbox was never seeded; reset it to rebuild it.');
      commands.push(
        `CREATE ROLE ${SANDBOX_USER} LOGIN CREATEDB; GRANT pg_monitor, pg_signal_backend, pg_read_all_stats TO ${SANDBOX_USER}; CREATE DATABASE ${SANDBOX_DATABASE} OWNER ${SANDBOX_USER}; CREATE EXTENSION pg_stat_statements; load Timothie & Co demo data as ${SANDBOX_USER}`,
      );
      await createAndSeed(port, superuserPassword);
      this.writeState({ ...next, seeded: true });
    }
    this.upsertProfile(port);
    return this.status();
  }

  private upsertProfile(port: number): void {
    const { profiles } = this.options;
    const existing = profiles.getByName(SANDBOX_PROFILE);
    const connection = {
      host: '127.0.0.1',
      port,
      database: SANDBOX_DATABASE,
      user: SANDBOX_USER,
      sslmode: 'disable' as const,
      sslRootCert: null,
      env: 'sandbox' as const,
      readOnly: false,
    };
    if (!existing) {
      profiles.create({
        name: SANDBOX_PROFILE,
        ...connection,
        statementTimeoutMs: null,
        notes: 'Local demo PostgreSQL managed by Ops Console (Timothie & Co demo data). Safe to experiment on: reset it any time.',
        contacts: [],
        escalationLevel: null,
        ssh: null,
        storage: null,
      });
      return;
    }
    const same =
      existing.host === connection.host &&
      existing.port === port &&
      existing.database === connection.database &&
      existing.user === connection.user &&
      existing.sslmode === connection.sslmode &&
      existing.env === connection.env &&
      existing.readOnly === false &&
      existing.sslRootCert === null;
    if (same) return;
    // Keep what the user added (notes, contacts, timeout); only the coordinates are ours.
    profiles.update(existing.id, {
      name: existing.name,
      ...connection,
      statementTimeoutMs: existing.statementTimeoutMs,
      notes: existing.notes,
      contacts: existing.contacts,
      escalationLevel: existing.escalationLevel,
      ssh: null,
      storage: existing.storage,
    });
  }
}

/** pg_hba.conf of the sandbox (see the comment at the top of this file). */
const SANDBOX_HBA = [
  '# Written by Ops Console for the demo sandbox.',
  '# Unix socket: inside the data dir, reachable only by the OS user running the server.',
  'local all all trust',
  '# Loopback TCP: the unprivileged demo role without a password; anyone else needs one.',
  `host all ${SANDBOX_USER} 127.0.0.1/32 trust`,
  'host all all 127.0.0.1/32 scram-sha-256',
];

async function createAndSeed(port: number, superuserPassword: string): Promise<void> {
  const connect = async (database: string): Promise<pg.Client> => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: superuserPassword,
      database,
      ssl: false,
      application_name: 'ops-console sandbox',
    });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${SANDBOX_DATABASE} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${SANDBOX_USER}`);
    await admin.query(`CREATE ROLE ${SANDBOX_USER} LOGIN CREATEDB`);
    await admin.query(`GRANT pg_monitor, pg_signal_backend, pg_read_all_stats TO ${SANDBOX_USER}`);
    await admin.query(`CREATE DATABASE ${SANDBOX_DATABASE} OWNER ${SANDBOX_USER}`);
  } finally {
    await admin.end();
  }
  const client = await connect(SANDBOX_DATABASE);
  try {
    // The extension needs a superuser; everything else is created as the demo role so the
    // profile owns (and may repair, vacuum, drop) what it sees.
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Its reset function's signature changed across majors: grant whichever exists.
    await client.query(`DO $$ DECLARE f regprocedure; BEGIN
      FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname = 'pg_stat_statements_reset' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ${SANDBOX_USER}', f);
      END LOOP; END $$`);
    await client.query(`SET ROLE ${SANDBOX_USER}`);
    await seedDemoData(client);
    // The runbook's server functions, so its checklists run out of the box.
    await installToolkitOn(client);
  } catch (err) {
    throw new OpsError('SANDBOX_FAILED', `Loading the demo data failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await client.end();
  }
}
