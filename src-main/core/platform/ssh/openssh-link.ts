// The system's OpenSSH client as the tunnel's carrier (issue #21): ssh2 frames and decrypts
// every packet in JavaScript, which held a tunnel to 0.43 of a direct connection, while
// OpenSSH does it natively. One `ssh -N` control master per link (ControlMaster, its socket
// in a private 0700 folder); each accepted connection spawns `ssh -W host:port` through that
// master with the accepted socket itself as its stdin/stdout, so the master reads and writes
// the client's socket directly (the mux client hands the descriptors over and waits): no
// byte passes through this process.
//
// Guarantees kept: the host key is checked by ssh against a known_hosts file holding only
// the profile's pinned key (never the user's ~/.ssh files: -F /dev/null, our own
// UserKnownHostsFile, StrictHostKeyChecking=yes, BatchMode so it never prompts); arguments
// are arrays, no shell; no secret goes to ssh at all (key files without a passphrase and
// ssh-agent only — everything else stays on ssh2); the master dies with the link, and
// with this process where setpriv can ask for it (PR_SET_PDEATHSIG).
// Anything ssh refuses is diagnosed again by ssh2 (tunnel.ts), whose errors name the cause.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SshHop } from './tunnel-connect';

const SSH_CANDIDATES = ['/usr/bin/ssh', '/usr/local/bin/ssh', '/opt/homebrew/bin/ssh'];
const SETPRIV = '/usr/bin/setpriv';
/** The name the pinned key is filed under in our known_hosts (HostKeyAlias): no host/port quoting to get wrong. */
const PIN_ALIAS = 'ops-console-pinned-host';
const STDERR_TAIL = 4096;
/** How long a mux client's failure waits for the master's exit when the master stopped answering. */
const MASTER_EXIT_WAIT_MS = 2000;

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The system ssh binary, or null (Windows, or no OpenSSH client installed). */
export function findSystemSsh(): string | null {
  if (process.platform === 'win32') return null;
  return SSH_CANDIDATES.find(executable) ?? null;
}

/** Why this bastion cannot go through the system ssh; null when it can. */
export function opensshIneligible(hop: SshHop, hasJump: boolean): string | null {
  if (hasJump) return 'a jump host';
  const pin = hop.hostKey;
  if (!pin?.blob || !pin.type) return 'no whole-key host key pin';
  if (!/^[A-Za-z0-9@.-]+$/.test(pin.type) || !/^[A-Za-z0-9+/=]+$/.test(pin.blob)) return 'an unusual host key';
  if (hop.revokedKeys?.includes(pin.blob)) return 'a revoked pinned key';
  if (hop.auth.kind === 'password') return 'password authentication';
  if (hop.auth.kind === 'key' && hop.auth.passphrase) return 'a passphrase-protected key';
  if (hop.auth.kind === 'agent' && !(hop.auth.socket || process.env.SSH_AUTH_SOCK)) return 'no ssh-agent socket';
  return null;
}

export interface OpensshLinkOptions {
  ssh: string;
  hop: SshHop;
  target: { host: string; port: number };
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  readyTimeoutMs: number;
  /** Called once when the master exits on its own (not after end()). */
  onExit(reason: string | null): void;
}

function tail(text: string): string {
  return text.length > STDERR_TAIL ? text.slice(-STDERR_TAIL) : text;
}

/** The last meaningful line ssh printed, in words for a link-lost message. */
export function sshReason(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('debug'));
  const last = lines[lines.length - 1];
  if (!last) return null;
  if (/^Timeout, server .* not responding/.test(last)) return `keepalive timeout: ${last}`;
  return last;
}

/** What ssh said about a channel it could not open, shaped like ssh2's channel-open error (RFC 4254 reason code). */
export function channelOpenError(stderr: string): Error | null {
  // The last such line: the master's stderr holds every failure of the link's life.
  const line = stderr
    .split('\n')
    .reverse()
    .find((l) => l.includes('open failed'));
  const match = line ? /open failed: (administratively prohibited|connect failed)?:?\s*(.*)/.exec(line) : null;
  if (!match) return null;
  const reason = match[1] === 'administratively prohibited' ? 1 : match[1] === 'connect failed' ? 2 : undefined;
  return Object.assign(new Error(match[2]?.trim() || match[1] || 'open failed'), { reason });
}

export class OpensshLink {
  private readonly dir: string;
  private readonly controlPath: string;
  private readonly common: string[];
  private master: ChildProcess | null = null;
  private readonly muxClients = new Set<ChildProcess>();
  private ended = false;
  /** Everything the master printed (tail): channel-open failures and the reason it exited. */
  masterStderr = '';

  private constructor(private readonly o: OpensshLinkOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-ssh-'));
    fs.chmodSync(this.dir, 0o700);
    this.controlPath = path.join(this.dir, 'control');
    const knownHosts = path.join(this.dir, 'known_hosts');
    const pin = o.hop.hostKey!;
    fs.writeFileSync(knownHosts, `${PIN_ALIAS} ${pin.type} ${pin.blob}\n`, { mode: 0o600 });
    const opt = (name: string, value: string | number): string[] => ['-o', `${name}=${value}`];
    this.common = [
      '-F',
      '/dev/null',
      ...opt('BatchMode', 'yes'),
      ...opt('StrictHostKeyChecking', 'yes'),
      ...opt('UserKnownHostsFile', knownHosts),
      ...opt('GlobalKnownHostsFile', '/dev/null'),
      ...opt('HostKeyAlias', PIN_ALIAS),
      ...opt('CheckHostIP', 'no'),
      ...opt('UpdateHostKeys', 'no'),
      ...(pin.algorithms?.length ? opt('HostKeyAlgorithms', pin.algorithms.join(',')) : []),
      ...opt('ControlPath', this.controlPath),
      '-l',
      o.hop.user,
      '-p',
      String(o.hop.port),
    ];
  }

  /** Starts the master and resolves once it is logged in (its control socket exists). */
  static async start(o: OpensshLinkOptions): Promise<OpensshLink> {
    const link = new OpensshLink(o);
    try {
      await link.startMaster();
      return link;
    } catch (err) {
      link.end();
      throw err;
    }
  }

  private env(): NodeJS.ProcessEnv {
    // Not the app's environment (it may hold PGPASSWORD and the like): ssh needs none of it.
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
  }

  private startMaster(): Promise<void> {
    const { hop } = this.o;
    const opt = (name: string, value: string | number): string[] => ['-o', `${name}=${value}`];
    const auth =
      hop.auth.kind === 'key'
        ? [...opt('IdentitiesOnly', 'yes'), ...opt('IdentityFile', hop.auth.privateKeyPath), ...opt('IdentityAgent', 'none')]
        : hop.auth.kind === 'agent'
          ? opt('IdentityAgent', hop.auth.socket || process.env.SSH_AUTH_SOCK || 'none')
          : [];
    const args = [
      ...this.common,
      '-N',
      ...opt('ControlMaster', 'yes'),
      ...opt('ControlPersist', 'no'),
      ...opt('PasswordAuthentication', 'no'),
      ...opt('KbdInteractiveAuthentication', 'no'),
      ...opt('ForwardAgent', 'no'),
      ...opt('ForwardX11', 'no'),
      ...opt('PermitLocalCommand', 'no'),
      ...opt('ExitOnForwardFailure', 'yes'),
      ...opt('ServerAliveInterval', Math.ceil(this.o.keepaliveIntervalMs / 1000)),
      ...opt('ServerAliveCountMax', Math.max(1, this.o.keepaliveCountMax)),
      ...opt('ConnectTimeout', Math.max(1, Math.ceil(this.o.readyTimeoutMs / 1000))),
      ...auth,
      '--',
      hop.host,
    ];
    // setpriv makes the kernel stop ssh if this process dies without closing the tunnel.
    const [cmd, argv] = executable(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'TERM', '--', this.o.ssh, ...args]] : [this.o.ssh, args];
    const master = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: this.env() });
    this.master = master;
    master.stderr?.on('data', (chunk: Buffer) => {
      this.masterStderr = tail(this.masterStderr + chunk.toString('utf8'));
    });
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const deadline = Date.now() + this.o.readyTimeoutMs + 1000;
      const poll = setInterval(() => {
        if (fs.existsSync(this.controlPath)) {
          ready = true;
          clearInterval(poll);
          resolve();
        } else if (Date.now() > deadline) {
          clearInterval(poll);
          reject(new Error('ssh did not log in in time'));
        }
      }, 5);
      master.once('error', (err) => {
        clearInterval(poll);
        reject(err);
      });
      master.once('exit', (code, signal) => {
        clearInterval(poll);
        this.master = null;
        const reason = sshReason(this.masterStderr) ?? `ssh exited (${signal ?? code})`;
        if (!ready) reject(new Error(reason));
        else if (!this.ended) this.o.onExit(reason);
      });
    });
  }

  private muxArgs(): string[] {
    const { host, port } = this.o.target;
    const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return [...this.common, '-o', 'ControlMaster=no', '-W', where, '--', this.o.hop.host];
  }

  /**
   * Carries one accepted connection: ssh's mux client gets the socket as stdin/stdout and
   * passes it to the master. `onDone` gets ssh's complaint when the channel could not open.
   * The socket must not be read here (the listener pauses on connect). The price of no byte
   * through Node is one short-lived ssh start per connection (~9 ms measured: exec, then the
   * mux exchange) where `ssh -L` only accepts; bulk bytes then flow as they do through `ssh -L`.
   */
  forward(socket: net.Socket, onDone: (failure: string | null) => void): void {
    const child = spawn(this.o.ssh, this.muxArgs(), { stdio: [socket, socket, 'pipe'], env: this.env() });
    this.muxClients.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = tail(stderr + chunk.toString('utf8'))));
    const done = (failed: boolean): void => {
      if (!this.muxClients.delete(child)) return;
      // A master that died takes its mux clients with it, and their exits (failed or not) may
      // be seen before the master's: that is the link lost — onExit names it and cuts this
      // connection, counting it — not a channel that ended or was refused. The control socket
      // tells which, whatever order the exits came in. A master that neither answers nor
      // exits (a full backlog, no file descriptors left) gets a while, then the exit is
      // reported anyway, so the accepted connection is never left open with nothing behind it.
      const report = (): void => {
        if (!this.ended) onDone(failed ? (sshReason(stderr) ?? 'ssh could not open the channel') : null);
      };
      void this.masterAnswers().then((alive) => {
        if (alive) report();
        else setTimeout(report, MASTER_EXIT_WAIT_MS).unref();
      });
    };
    child.once('error', () => done(true));
    child.once('exit', (code) => done(code !== 0));
  }

  /** Whether the master still accepts on its control socket (a dead master's listening socket is closed by the kernel). */
  private masterAnswers(): Promise<boolean> {
    if (!this.master || this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      const probe = net.connect({ path: this.controlPath });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
  }

  /** Opens and drops one channel to the target; rejects with ssh's words when it cannot. */
  probe(): Promise<void> {
    return new Promise((resolve, reject) => {
      // -v only to see "master session id", which the mux client prints once the channel is open.
      const child = spawn(this.o.ssh, ['-v', ...this.muxArgs()], { stdio: ['pipe', 'ignore', 'pipe'], env: this.env() });
      let stderr = '';
      let settled = false;
      const timer = setTimeout(() => finish(new Error('ssh did not open the channel in time')), this.o.readyTimeoutMs);
      const finish = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.stdin?.destroy();
        child.kill('SIGTERM');
        if (err) reject(err);
        else resolve();
      };
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = tail(stderr + chunk.toString('utf8'));
        if (/master session id/.test(stderr)) finish(null);
      });
      child.once('error', (err) => finish(err));
      child.once('exit', () => finish(new Error(sshReason(stderr) ?? 'ssh could not open the channel')));
    });
  }

  /** The channel-open failure the master reported last, taken once (so a later failure is not explained by an old one). */
  takeChannelError(): Error | null {
    const err = channelOpenError(this.masterStderr);
    if (err) this.masterStderr = this.masterStderr.replace(/^.*open failed.*$/gm, '');
    return err;
  }

  get alive(): boolean {
    return this.master !== null && !this.ended;
  }

  /** Stops the master (every forwarded connection with it) and removes the private folder. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const child of this.muxClients) child.kill('SIGTERM');
    this.muxClients.clear();
    this.master?.kill('SIGTERM');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
