// A throwaway PostgreSQL cluster on this machine: the demo sandbox and the test harness.
// It listens on 127.0.0.1 only, keeps its sockets and log inside its own folder, and is
// driven with initdb/pg_ctl through argument arrays (never a shell).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';
import { canTraverse, chownTree, mustSwitchUser, requirePostgresUser, runServerTool, tail, type SystemUser } from './cluster-os';
import type { ServerBinaries } from './server-binaries';
import { processAlive } from '../tools/proc';

export type ClusterAuth = { method: 'trust' } | { method: 'scram-sha-256'; superuserPassword: string };

export interface ClusterOptions {
  dataDir: string;
  binaries: ServerBinaries;
  /** 0 or undefined: pick a free loopback port at each start. */
  port?: number;
  auth: ClusterAuth;
  /** Extra postgresql.conf settings, e.g. { shared_preload_libraries: 'pg_stat_statements' }. */
  settings?: Record<string, string>;
  /**
   * false skips fsync in initdb and at run time. Only for clusters whose loss is harmless
   * (the test harness); the sandbox keeps the default.
   */
  durable?: boolean;
}

const CONF_FILE = 'ops-console.conf';
const LOG_FILE = 'server.log';
/** Unix socket paths are limited to ~107 bytes; ".s.PGSQL.65535" takes 15 of them. */
const MAX_SOCKET_DIR = 90;

/**
 * Where the cluster's files actually live. As root, the `postgres` user must reach the
 * data dir; rather than loosening the permissions of the user's own folders, an
 * unreachable location is replaced by a private folder under the temp dir named after a
 * hash of the wanted path (so the same wanted path always maps to the same place).
 */
export function effectiveDataDir(wanted: string): string {
  const resolved = path.resolve(wanted);
  if (!mustSwitchUser()) return resolved;
  const user = requirePostgresUser();
  const parent = path.dirname(resolved);
  if (fs.existsSync(parent) && canTraverse(parent, user)) return resolved;
  const hash = crypto.createHash('sha256').update(resolved).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `${FALLBACK_PREFIX}${hash}`, 'data');
}

const FALLBACK_PREFIX = 'ops-console-pg-';
const WANTED_MARKER = 'wanted-path.txt';

function postmasterAlive(dataDir: string): boolean {
  try {
    return processAlive(Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]));
  } catch {
    return false;
  }
}

/**
 * Deletes root-fallback folders whose wanted location is gone (its app home was deleted,
 * e.g. a test's temporary home) and whose server is not running. Only folders carrying
 * our marker file are considered.
 */
export function sweepOrphanedFallbacks(): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(FALLBACK_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = path.join(os.tmpdir(), name);
    let wanted: string;
    try {
      wanted = fs.readFileSync(path.join(dir, WANTED_MARKER), 'utf8').trim();
    } catch {
      continue;
    }
    if (!wanted || fs.existsSync(path.dirname(wanted)) || postmasterAlive(path.join(dir, 'data'))) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** A free TCP port on 127.0.0.1 (the OS picks; we release it right away). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A postgresql.conf string literal. */
function confValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export class LocalCluster {
  /** The folder the caller asked for. */
  readonly requestedDataDir: string;
  /** Where the files really are (differs from requestedDataDir only in the root fallback). */
  readonly dataDir: string;
  readonly binaries: ServerBinaries;
  private readonly options: ClusterOptions;
  private readonly user: SystemUser | null;

  constructor(options: ClusterOptions) {
    this.options = options;
    this.binaries = options.binaries;
    this.requestedDataDir = path.resolve(options.dataDir);
    this.dataDir = effectiveDataDir(options.dataDir);
    this.user = mustSwitchUser() ? requirePostgresUser() : null;
  }

  get logFile(): string {
    return path.join(this.dataDir, LOG_FILE);
  }

  /** The folder server programs run in: one the server user can enter. */
  private get workDir(): string {
    return path.dirname(this.dataDir);
  }

  isInitialized(): boolean {
    return fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
  }

  /** Major version the data dir was created with, or null. */
  dataVersion(): number | null {
    try {
      return Number(fs.readFileSync(path.join(this.dataDir, 'PG_VERSION'), 'utf8').trim());
    } catch {
      return null;
    }
  }

  private ensureParent(): void {
    const parent = this.workDir;
    const fallback = parent !== path.dirname(this.requestedDataDir);
    fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
    if (fallback && this.user) {
      sweepOrphanedFallbacks();
      // Our private fallback folder: only the server user (and root) may enter it.
      fs.chownSync(parent, this.user.uid, this.user.gid);
      fs.chmodSync(parent, 0o700);
      fs.writeFileSync(path.join(parent, WANTED_MARKER), `${this.requestedDataDir}\n`, { mode: 0o644 });
    }
  }

  async init(): Promise<void> {
    if (fs.existsSync(this.dataDir) && fs.readdirSync(this.dataDir).length > 0) {
      throw new OpsError('SANDBOX_FAILED', `Cannot create a cluster in ${this.dataDir}: the folder already holds files.`);
    }
    this.ensureParent();
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    if (this.user) chownTree(this.dataDir, this.user);

    const auth = this.options.auth.method;
    const args = ['-D', this.dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', `--auth-host=${auth}`, `--auth-local=${auth}`];
    if (this.options.durable === false) args.push('--no-sync');
    let pwfile: string | null = null;
    if (this.options.auth.method === 'scram-sha-256') {
      // The password goes through a 0600 file the server user owns, never argv.
      pwfile = path.join(this.workDir, `.pwfile-${crypto.randomBytes(8).toString('hex')}`);
      const fd = fs.openSync(pwfile, 'wx', 0o600);
      try {
        fs.writeSync(fd, `${this.options.auth.superuserPassword}\n`);
      } finally {
        fs.closeSync(fd);
      }
      if (this.user) fs.chownSync(pwfile, this.user.uid, this.user.gid);
      args.push(`--pwfile=${pwfile}`);
    }
    let result;
    try {
      result = await runServerTool(this.binaries.initdb, args, { cwd: this.workDir });
    } finally {
      if (pwfile) fs.rmSync(pwfile, { force: true });
    }
    if (result.code !== 0) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
      throw new OpsError('SANDBOX_FAILED', `initdb failed (exit ${result.code}) for ${this.dataDir}:\n${tail(result.stderr || result.stdout)}`, {
        command: `initdb ${args.filter((a) => !a.startsWith('--pwfile')).join(' ')}`,
      });
    }
    // Our settings live in a file of their own, rewritten at each start (port may change).
    fs.appendFileSync(path.join(this.dataDir, 'postgresql.conf'), `\n# Added by Ops Console\ninclude_if_exists = '${CONF_FILE}'\n`);
  }

  /**
   * Replaces pg_hba.conf (read by the server at start and on reload). Lines are written as
   * given; callers own their meaning.
   */
  writeHba(lines: string[]): void {
    const file = path.join(this.dataDir, 'pg_hba.conf');
    fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    if (this.user) fs.chownSync(file, this.user.uid, this.user.gid);
  }

  private socketDir(): string {
    if (process.platform === 'win32') return '';
    // Sockets go into the data dir (private to the server user), never /var/run; a path
    // too long for a Unix socket turns sockets off (TCP on 127.0.0.1 still works).
    return this.dataDir.length <= MAX_SOCKET_DIR ? this.dataDir : '';
  }

  private writeConf(port: number): void {
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: this.socketDir(),
      logging_collector: 'off',
      ...(this.options.durable === false ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
      ...this.options.settings,
    };
    const numeric = new Set(['port']);
    const lines = Object.entries(settings).map(([key, value]) => {
      if (!/^[a-z_.]+$/i.test(key)) throw new OpsError('INVALID_INPUT', `Invalid PostgreSQL setting name "${key}".`);
      return `${key} = ${numeric.has(key) ? value : confValue(value)}`;
    });
    const file = path.join(this.dataDir, CONF_FILE);
    fs.writeFileSync(file, `# Written by Ops Console at each start; edits are lost.\n${lines.join('\n')}\n`, { mode: 0o600 });
    if (this.user) fs.chownSync(file, this.user.uid, this.user.gid);
  }

  /** Port from postmaster.pid (4th line) while the server runs. */
  runningPort(): number | null {
    try {
      const lines = fs.readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n');
      const port = Number(lines[3]);
      return Number.isInteger(port) && port > 0 ? port : null;
    } catch {
      return null;
    }
  }

  async isRunning(): Promise<boolean> {
    if (!this.isInitialized()) return false;
    if (this.deadPostmaster() !== null) return false;
    const result = await runServerTool(this.binaries.pgCtl, ['status', '-D', this.dataDir], { cwd: this.workDir, timeoutMs: 15_000 });
    return result.code === 0;
  }

  /** postmaster.pid and the socket's lock of a dead postmaster (the socket folder is the cluster's own). */
  private removeStaleLocks(): void {
    fs.rmSync(path.join(this.dataDir, 'postmaster.pid'), { force: true });
    const socketDir = this.socketDir();
    for (const name of fs.existsSync(socketDir) ? fs.readdirSync(socketDir) : []) {
      if (/^\.s\.PGSQL\.\d+(\.lock)?$/.test(name)) fs.rmSync(path.join(socketDir, name), { force: true });
    }
  }

  /**
   * The pid in postmaster.pid when that process is dead but left its lock file behind:
   * a postmaster killed with SIGKILL. Under an init that does not reap orphans (a container
   * without one) it lingers as a zombie, which pg_ctl and the server itself still count as
   * running, so the cluster could never start again.
   */
  private deadPostmaster(): number | null {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
    if (!Number.isInteger(pid) || pid <= 0) return null;
    try {
      // Field 3 of /proc/PID/stat, after the parenthesised name: Z is a zombie.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? pid : null;
    } catch {
      // No /proc entry: gone on Linux; elsewhere pg_ctl's own check decides.
      return process.platform === 'linux' ? pid : null;
    }
  }

  private readLogTail(): string {
    try {
      return tail(fs.readFileSync(this.logFile, 'utf8'));
    } catch {
      return '';
    }
  }

  async start(): Promise<{ port: number }> {
    if (!this.isInitialized()) throw new OpsError('SANDBOX_FAILED', `No cluster in ${this.dataDir}: it was never initialized (or was deleted).`);
    if (await this.isRunning()) {
      const port = this.runningPort();
      if (port !== null) return { port };
    }
    let port = this.options.port ?? 0;
    if (port === 0) {
      port = await freeLoopbackPort();
    } else if (!(await isPortFree(port))) {
      throw new OpsError('SANDBOX_FAILED', `Port ${port} on 127.0.0.1 is already in use by another program; stop it or choose another port.`, { port });
    }
    // Only a dead postmaster's lock files are removed; a live one makes pg_ctl refuse, as it should.
    if (this.deadPostmaster() !== null) this.removeStaleLocks();
    this.writeConf(port);
    const logSize = fs.existsSync(this.logFile) ? fs.statSync(this.logFile).size : 0;
    const args = ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-s'];
    const result = await runServerTool(this.binaries.pgCtl, args, { cwd: this.workDir, timeoutMs: 90_000 });
    if (result.code !== 0) {
      const log = this.readLogSince(logSize) || this.readLogTail();
      const inUse = /could not bind|Address already in use/i.test(log);
      const message = inUse
        ? `PostgreSQL could not start: port ${port} on 127.0.0.1 is already in use.`
        : `PostgreSQL failed to start from ${this.dataDir} (pg_ctl exit ${result.code}).`;
      throw new OpsError('SANDBOX_FAILED', `${message}\n${tail(`${result.stderr}\n${log}`)}`, { port, logFile: this.logFile });
    }
    return { port };
  }

  private readLogSince(offset: number): string {
    try {
      const text = fs.readFileSync(this.logFile, 'utf8');
      return tail(Buffer.from(text).subarray(offset).toString('utf8'));
    } catch {
      return '';
    }
  }

  /** Fast shutdown (rolls back open transactions). Stopping a stopped cluster is fine. */
  async stop(): Promise<void> {
    if (!(await this.isRunning())) return;
    const result = await runServerTool(this.binaries.pgCtl, ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], {
      cwd: this.workDir,
      timeoutMs: 90_000,
    });
    if (result.code !== 0 && (await this.isRunning())) {
      throw new OpsError('SANDBOX_FAILED', `PostgreSQL did not stop (pg_ctl exit ${result.code}):\n${tail(result.stderr || result.stdout)}`);
    }
  }

  /** Stop and delete every file of the cluster (and the root fallback folder). */
  async destroy(): Promise<void> {
    if (fs.existsSync(this.dataDir)) await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    if (path.dirname(this.dataDir) !== path.dirname(this.requestedDataDir)) {
      fs.rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
    }
  }
}
