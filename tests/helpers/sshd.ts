// A real OpenSSH server (Debian's /usr/sbin/sshd) for the SSH tunnel tests: foreground
// (-D), loopback only, generated host key and authorized_keys in a temp dir. Also a
// throwaway ssh-agent and a throwaway password user. Everything started here is stopped
// by the matching stop/dispose function; tests call those in afterAll/afterEach.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';

const SSHD = '/usr/sbin/sshd';

/** Polls `check` until it returns true or the deadline passes (no fixed sleeps). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something on host:port answers with an SSH identification line. */
function sshBannerOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\n')) done(text.startsWith('SSH-2.0-'));
    });
    socket.on('end', () => done(false));
  });
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface KeyFiles {
  privatePath: string;
  publicLine: string;
}

/** An unencrypted key made by OpenSSH's own ssh-keygen (OpenSSH format). */
export function sshKeygen(dir: string, name: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519'): KeyFiles {
  const privatePath = path.join(dir, name);
  const result = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', privatePath], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
  return { privatePath, publicLine: fs.readFileSync(`${privatePath}.pub`, 'utf8').trim() };
}

/**
 * An encrypted key. ssh-keygen only takes a passphrase on argv or a tty, so the key is made
 * in-process instead: 'openssh' = the modern OpenSSH format (bcrypt KDF), 'pem' = a
 * traditional PEM RSA key (Proc-Type: 4,ENCRYPTED) as older tools write.
 */
export function encryptedKey(dir: string, name: string, passphrase: string, format: 'openssh' | 'pem'): KeyFiles {
  const privatePath = path.join(dir, name);
  let privateText: string;
  if (format === 'openssh') {
    privateText = ssh2.utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 16, comment: name }).private;
  } else {
    const pair = crypto.generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase },
    });
    privateText = pair.privateKey;
  }
  fs.writeFileSync(privatePath, privateText, { mode: 0o600 });
  const parsed = ssh2.utils.parseKey(privateText, passphrase);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error('generated key did not parse');
  return { privatePath, publicLine: `${key.type} ${key.getPublicSSH().toString('base64')} ${name}` };
}

/** OpenSSH's own SHA256 fingerprint of a public key file, to cross-check ours. */
export function opensshFingerprint(publicKeyPath: string): string {
  const result = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], { encoding: 'utf8' });
  const match = /(SHA256:[A-Za-z0-9+/]+)/.exec(result.stdout);
  if (result.status !== 0 || !match?.[1]) throw new Error(`ssh-keygen -l failed: ${result.stderr}`);
  return match[1];
}

/** Every process whose parent chain leads to `root` (sshd's per-connection children call setsid). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    for (const [pid, ppid] of parentOf) {
      if (ppid === current && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Running or stopped; a zombie (killed, waiting for its new parent to reap it) counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface SshdOptions {
  /** Lines of authorized_keys (root's and everyone's, via an absolute AuthorizedKeysFile). */
  authorizedKeys?: string[];
  passwordAuthentication?: boolean;
  /** Also serve an RSA host key (next to the ed25519 one), like most real servers. */
  rsaHostKey?: boolean;
  /** sshd's PermitOpen (first match wins in sshd_config, so it is an option, not extra). Default 'any'. */
  permitOpen?: string;
  /** Extra sshd_config lines (e.g. 'PermitOpen 127.0.0.1:1'). */
  extraConfig?: string[];
}

/** One sshd in the foreground on 127.0.0.1. */
export class TestSshd {
  readonly dir: string;
  port = 0;
  hostKeyPath = '';
  private child: ChildProcess | null = null;
  private stderr = '';
  private readonly options: SshdOptions;
  private generation = 0;

  constructor(options: SshdOptions = {}) {
    this.options = options;
    this.dir = makeTempDir('ops-console-sshd-');
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    this.newHostKey();
  }

  /** The RSA host key when `rsaHostKey` is set. */
  rsaHostKeyPath = '';

  /** Makes a fresh host key (used from the next start on). */
  newHostKey(): void {
    this.generation += 1;
    this.hostKeyPath = sshKeygen(this.dir, `host_ed25519_${this.generation}`).privatePath;
    if (this.options.rsaHostKey) this.rsaHostKeyPath = sshKeygen(this.dir, `host_rsa_${this.generation}`, 'rsa').privatePath;
  }

  get hostFingerprint(): string {
    return opensshFingerprint(`${this.hostKeyPath}.pub`);
  }

  /** The server's current key as a known_hosts line, what `--ssh-known-host` takes. */
  knownHostsLine(): string {
    return `[127.0.0.1]:${this.port} ${fs.readFileSync(`${this.hostKeyPath}.pub`, 'utf8').trim()}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Everything sshd printed (with -e it logs to stderr), for failure messages. */
  get log(): string {
    return this.stderr;
  }

  setAuthorizedKeys(lines: string[]): void {
    fs.writeFileSync(path.join(this.dir, 'authorized_keys'), `${lines.join('\n')}\n`, { mode: 0o600 });
  }

  private writeConfig(): string {
    const file = path.join(this.dir, 'sshd_config');
    const lines = [
      `Port ${this.port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${this.hostKeyPath}`,
      ...(this.rsaHostKeyPath ? [`HostKey ${this.rsaHostKeyPath}`] : []),
      `PidFile ${path.join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      `PasswordAuthentication ${this.options.passwordAuthentication ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      `PermitOpen ${this.options.permitOpen ?? 'any'}`,
      'AllowAgentForwarding no',
      'X11Forwarding no',
      'PrintMotd no',
      'MaxStartups 100',
      'LogLevel VERBOSE',
      ...(this.options.extraConfig ?? []),
    ];
    fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    return file;
  }

  /** Starts sshd (on a free port the first time, on the same port after that). */
  async start(): Promise<number> {
    if (this.child) throw new Error('sshd already running');
    if (!fs.existsSync(path.join(this.dir, 'authorized_keys'))) this.setAuthorizedKeys(this.options.authorizedKeys ?? []);
    const firstStart = this.port === 0;
    for (let attempt = 0; ; attempt += 1) {
      if (firstStart) this.port = await freePort();
      const config = this.writeConfig();
      const check = spawnSync(SSHD, ['-t', '-f', config], { encoding: 'utf8' });
      if (check.status !== 0) throw new Error(`sshd -t rejected the generated config: ${check.stderr}`);
      const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.child = child;
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr += chunk.toString('utf8');
      });
      let exited = false;
      child.once('exit', () => {
        exited = true;
        if (this.child === child) this.child = null;
      });
      try {
        await waitFor(`sshd on port ${this.port}`, async () => {
          if (exited) throw new Error(`sshd exited at start: ${this.stderr.slice(-2000)}`);
          return sshBannerOn(this.port);
        });
        return this.port;
      } catch (err) {
        await this.kill();
        // Only a race on a port picked at random is worth another try.
        if (!firstStart || attempt >= 3 || !/Address already in use/.test(this.stderr)) throw err;
      }
    }
  }

  private async signalAll(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const pid = child.pid;
    const family = [...descendants(pid), pid];
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    for (const member of family) {
      try {
        process.kill(member, signal);
        // A frozen session would sit on SIGTERM until continued.
        if (signal !== 'SIGKILL') process.kill(member, 'SIGCONT');
      } catch {
        // Already gone.
      }
    }
    await exited;
    await waitFor('sshd children to exit', () => family.every((member) => !alive(member)));
    this.child = null;
  }

  /**
   * Stops (SIGSTOP) the session processes without closing their sockets: the SSH link
   * stays up at the TCP level but goes silent, as when a network path dies.
   */
  freezeSessions(): number[] {
    const pid = this.child?.pid;
    if (!pid) return [];
    const sessions = descendants(pid);
    for (const member of sessions) process.kill(member, 'SIGSTOP');
    return sessions;
  }

  /** SIGKILL to sshd and every session it forked: the SSH links drop at once. */
  kill(): Promise<void> {
    return this.signalAll('SIGKILL');
  }

  /** Orderly stop (SIGTERM) of sshd and its sessions. */
  stop(): Promise<void> {
    return this.signalAll('SIGTERM');
  }

  /** Stops (if running) and removes the temp dir. */
  async dispose(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A bastion for tests: a started sshd that accepts one freshly generated client key. */
export interface TestBastion {
  sshd: TestSshd;
  clientKey: KeyFiles;
  dispose(): Promise<void>;
}

export async function startBastion(prefix: string): Promise<TestBastion> {
  const keyDir = makeTempDir(prefix);
  const clientKey = sshKeygen(keyDir, 'client_ed25519');
  const sshd = new TestSshd({ authorizedKeys: [clientKey.publicLine] });
  try {
    await sshd.start();
  } catch (err) {
    await sshd.dispose();
    fs.rmSync(keyDir, { recursive: true, force: true });
    throw err;
  }
  return {
    sshd,
    clientKey,
    async dispose() {
      await sshd.dispose();
      fs.rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** A foreground ssh-agent on a socket of its own, holding the given unencrypted keys. */
export class TestAgent {
  readonly dir: string;
  readonly socket: string;
  private child: ChildProcess | null = null;

  constructor() {
    this.dir = makeTempDir('ops-console-agent-');
    this.socket = path.join(this.dir, 'agent.sock');
  }

  async start(keyPaths: string[]): Promise<void> {
    const child = spawn('ssh-agent', ['-D', '-a', this.socket], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    await waitFor('ssh-agent socket', () => {
      if (exited) throw new Error('ssh-agent exited at start');
      return fs.existsSync(this.socket);
    });
    for (const keyPath of keyPaths) {
      const added = spawnSync('ssh-add', ['-q', keyPath], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_AUTH_SOCK: this.socket },
      });
      if (added.status !== 0) throw new Error(`ssh-add failed: ${added.stderr}`);
    }
  }

  async dispose(): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    this.child = null;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A throwaway system user with a random password, for password authentication (sshd
 * with UsePAM no checks /etc/shadow). Root only. The password goes to chpasswd on stdin.
 */
export class TestPasswordUser {
  readonly name: string;
  readonly password = crypto.randomBytes(18).toString('base64url');

  constructor(name = 'ops_ssh_test') {
    this.name = name;
  }

  static supported(): boolean {
    return process.getuid?.() === 0;
  }

  create(): void {
    // A leftover from a run that died before its teardown.
    spawnSync('userdel', ['-f', this.name], { encoding: 'utf8' });
    const added = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', this.name], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`useradd failed: ${added.stderr}`);
    const set = spawnSync('chpasswd', [], { input: `${this.name}:${this.password}\n`, encoding: 'utf8' });
    if (set.status !== 0) throw new Error(`chpasswd failed: ${set.stderr}`);
  }

  remove(): void {
    spawnSync('userdel', ['-f', this.name], { encoding: 'utf8' });
  }
}
