// One SSH hop: load the credentials, connect (directly or over a stream through the jump
// host), check the host key against the pinned fingerprint, authenticate. Secrets go
// only into ssh2's auth methods; nothing here logs or echoes them.
import fs from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthMethod, Client, ClientChannel, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
import { checkHostKey } from './host-keys';
import { keyTypeOfBlob } from './public-key';
import {
  classifyConnectError,
  classifyForwardError,
  describeHop,
  normalizeFingerprint,
  sshFingerprint,
  TunnelError,
  type HopContext,
  type HopRole,
} from './tunnel-errors';

/**
 * ssh2 is loaded on the first SSH connection, not with the core (issue #21): most commands
 * never open a tunnel, and loading it (and its crypto bindings) is ~30 ms of every start.
 * It is CommonJS: Node's import() names only some of its exports (not `utils`), so the
 * module object is its `default`.
 */
type Ssh2 = typeof import('ssh2');
let ssh2Module: Promise<Ssh2> | null = null;
function loadSsh2(): Promise<Ssh2> {
  return (ssh2Module ??= import('ssh2').then((m) => (m as Ssh2 & { default?: Ssh2 }).default ?? m));
}

export type SshAuth =
  { kind: 'key'; privateKeyPath: string; passphrase?: string } | { kind: 'agent'; socket?: string } | { kind: 'password'; password: string };

export interface SshHop {
  host: string;
  port: number;
  user: string;
  auth: SshAuth;
  /**
   * The pinned host key ('SHA256:…'); null = not trusted yet, the connection is refused.
   * `algorithms` (e.g. hostKeyAlgorithmsForPin() of host-keys.ts) makes a server with several
   * host keys present the pinned one rather than its preferred type. With `blob` (and
   * `type`) the whole key is compared (checkHostKey), not just its fingerprint.
   */
  hostKey: { fingerprint: string; algorithms?: string[]; type?: string; blob?: string } | null;
  /**
   * Keys known_hosts marks @revoked for this host (base64 blobs): refused even when pinned.
   */
  revokedKeys?: string[];
}

export interface HopOptions {
  role: HopRole;
  /** A stream to the hop's sshd (through the jump host) instead of a TCP connection. */
  sock?: Duplex;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  readyTimeoutMs: number;
  /** Called when the server's host key was compared with the pin (connection test stages). */
  onHostKeyChecked?(accepted: boolean): void;
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** Reads and decrypts a private key file, with a cause per way it can go wrong. */
export async function loadPrivateKey(keyPath: string, passphrase: string | undefined, role: HopRole): Promise<ParsedKey> {
  let data: Buffer;
  try {
    data = await fs.readFile(keyPath);
  } catch (err) {
    const code = isErrno(err) ? err.code : undefined;
    const words =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : 'cannot be read';
    throw new TunnelError('key-unreadable', `The SSH private key file ${keyPath} ${words}.`, { hop: role, reason: code });
  }
  const ssh2 = await loadSsh2();
  const parsed = ssh2.utils.parseKey(data, passphrase === '' ? undefined : passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) {
      throw new TunnelError('passphrase-required', `The SSH private key ${keyPath} is encrypted: its passphrase is needed.`, { hop: role });
    }
    if (/bad passphrase|integrity check failed|bad decrypt/i.test(parsed.message)) {
      throw new TunnelError('passphrase-wrong', `The passphrase for the SSH private key ${keyPath} is wrong.`, { hop: role });
    }
    throw new TunnelError(
      'key-unreadable',
      `The file ${keyPath} is not a private key this app can read (OpenSSH, PEM or PuTTY format expected): ${parsed.message}.`,
      { hop: role, reason: parsed.message },
    );
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) {
    throw new TunnelError('key-unreadable', `The file ${keyPath} holds a public key, not a private key.`, { hop: role });
  }
  return key;
}

async function authMethod(hop: SshHop, role: HopRole): Promise<{ method: AuthMethod; words: string }> {
  const auth = hop.auth;
  switch (auth.kind) {
    case 'key': {
      const key = await loadPrivateKey(auth.privateKeyPath, auth.passphrase, role);
      return {
        method: { type: 'publickey', username: hop.user, key } as AuthMethod,
        words: `the key ${auth.privateKeyPath} (is its public key in the server's authorized_keys?)`,
      };
    }
    case 'agent': {
      const socket = auth.socket || process.env.SSH_AUTH_SOCK;
      if (!socket) {
        throw new TunnelError('agent-unavailable', 'No ssh-agent is available: SSH_AUTH_SOCK is not set and no agent socket is configured.', {
          hop: role,
          host: hop.host,
          port: hop.port,
        });
      }
      return {
        method: { type: 'agent', username: hop.user, agent: socket } as AuthMethod,
        words: `the keys held by the ssh-agent at ${socket} (none was accepted)`,
      };
    }
    case 'password':
      return {
        method: { type: 'password', username: hop.user, password: auth.password } as AuthMethod,
        words: 'a password (wrong password, or password login disabled on the server)',
      };
  }
}

/**
 * Null when the presented key is the pinned one; otherwise the refusal, carrying the
 * presented key (fingerprint, type and blob) so the caller can offer to trust it.
 */
export function hostKeyRefusal(hop: SshHop, role: HopRole, blob: Buffer): TunnelError | null {
  const where = describeHop(role, hop.host, hop.port);
  const presented = sshFingerprint(blob);
  const base = {
    hop: role,
    host: hop.host,
    port: hop.port,
    presentedFingerprint: presented,
    presentedType: keyTypeOfBlob(blob) ?? 'unknown-type',
    presentedKey: blob.toString('base64'),
  };
  const pin = hop.hostKey;
  const revoked = (hop.revokedKeys ?? []).map((b) => ({ blob: b }));
  if (pin?.blob !== undefined) {
    const check = checkHostKey(
      blob,
      { type: pin.type ?? base.presentedType, fingerprint: normalizeFingerprint(pin.fingerprint), blob: pin.blob },
      { host: `${hop.host}:${hop.port}`, revoked },
    );
    if (check.status === 'match') return null;
    if (check.status === 'revoked') return new TunnelError('host-key-revoked', check.message, base);
    if (check.status === 'mismatch') {
      return new TunnelError(
        'host-key-mismatch',
        `The host key of the ${where} has CHANGED: expected ${check.expected}, but the server presented ${check.presented}. ` +
          "The server may have been reinstalled, or someone may be intercepting the connection. Connection refused; confirm the new key with the server's administrator.",
        { ...base, pinnedFingerprint: check.expected, banner: check.message },
      );
    }
  }
  if (revoked.some((k) => k.blob === base.presentedKey)) {
    return new TunnelError('host-key-revoked', `The ${where} presented host key ${presented}, which known_hosts marks as @revoked. Connection refused.`, base);
  }
  if (!pin) {
    return new TunnelError(
      'host-key-unknown',
      `The host key of the ${where} is not trusted yet. It presented ${presented}; confirm this fingerprint with the server's administrator before trusting it.`,
      base,
    );
  }
  const pinned = normalizeFingerprint(pin.fingerprint);
  if (pin.blob === undefined && presented === pinned) return null;
  return new TunnelError(
    'host-key-mismatch',
    `The host key of the ${where} has CHANGED: expected ${pinned}, but the server presented ${presented}. ` +
      "The server may have been reinstalled, or someone may be intercepting the connection. Connection refused; confirm the new key with the server's administrator.",
    { ...base, pinnedFingerprint: pinned },
  );
}

/** ssh2 ends authentication on next(false); its typings do not list that value. */
function stopAuth(next: unknown): void {
  (next as (method: false) => void)(false);
}

/** Connects and authenticates to one hop; resolves with the ready client. */
export async function connectHop(hop: SshHop, options: HopOptions): Promise<Client> {
  const ctx: HopContext = {
    role: options.role,
    host: hop.host,
    port: hop.port,
    user: hop.user,
    authWords: 'its credentials',
    readyTimeoutMs: options.readyTimeoutMs,
  };
  const client = new (await loadSsh2()).Client();
  let hostKeyProblem: TunnelError | null = null;
  let authProblem: TunnelError | null = null;
  let authTried = false;

  const verifyHostKey = (blob: Buffer): boolean => {
    hostKeyProblem = hostKeyRefusal(hop, options.role, blob);
    options.onHostKeyChecked?.(hostKeyProblem === null);
    return hostKeyProblem === null;
  };

  // The credentials are loaded only once the host key is verified, so a connection test
  // reports "host key ok, key file unreadable" rather than blaming the host key stage,
  // and nothing is decrypted for a server that is not the pinned one.
  const authHandler: AuthHandlerMiddleware = (_left, _partial, next) => {
    if (authTried) {
      stopAuth(next);
      return;
    }
    authTried = true;
    authMethod(hop, options.role).then(
      ({ method, words }) => {
        ctx.authWords = words;
        next(method as AnyAuthMethod);
      },
      (err: unknown) => {
        authProblem = err instanceof TunnelError ? err : new TunnelError('auth-failed', String(err), { hop: options.role, host: hop.host, port: hop.port });
        stopAuth(next);
      },
    );
  };

  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    let firstError: unknown = null;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      client.removeListener('ready', onReady);
      client.end();
      reject(hostKeyProblem ?? authProblem ?? classifyConnectError(err, ctx));
    };
    const onReady = (): void => {
      if (settled) return;
      settled = true;
      client.removeListener('close', onCloseEarly);
      resolve(client);
    };
    const onCloseEarly = (): void => {
      fail(firstError ?? new Error('the server closed the connection during the SSH handshake'));
    };
    // ssh2 emits 'error' then 'close'; keep a listener for the whole life of the client so
    // a late error never becomes an uncaught exception (the tunnel watches 'close').
    client.on('error', (err: Error) => {
      if (!settled) {
        firstError ??= err;
        fail(err);
      }
    });
    client.once('ready', onReady);
    client.once('close', onCloseEarly);
    try {
      client.connect({
        host: hop.host,
        port: hop.port,
        username: hop.user,
        sock: options.sock,
        authHandler,
        hostVerifier: verifyHostKey,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: options.keepaliveCountMax,
        readyTimeout: options.readyTimeoutMs,
        // The names come from the pin's key type; ssh2 rejects unknown ones at connect.
        ...(hop.hostKey?.algorithms?.length ? { algorithms: { serverHostKey: hop.hostKey.algorithms as ServerHostKeyAlgorithm[] } } : {}),
      });
    } catch (err) {
      fail(err);
    }
  });
}

/** Asks `client`'s server to open a TCP connection to host:port (direct-tcpip). */
export function forwardOut(
  client: Client,
  source: { address: string; port: number },
  via: { role: HopRole; host: string; port: number },
  to: { what: 'database' | 'bastion'; host: string; port: number },
): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.forwardOut(source.address, source.port, to.host, to.port, (err, channel) => {
        if (err) reject(classifyForwardError(err, via, to));
        else resolve(channel);
      });
    } catch (err) {
      // ssh2 throws synchronously when the connection is no longer usable.
      reject(classifyForwardError(err, via, to));
    }
  });
}

/** ssh2 clients to the bastion, through the jump host when there is one. */
export async function connectRoute(
  bastion: SshHop,
  jump: SshHop | null,
  common: Omit<HopOptions, 'role' | 'sock'>,
): Promise<{ bastion: Client; jump: Client | null }> {
  if (!jump) return { bastion: await connectHop(bastion, { ...common, role: 'bastion' }), jump: null };
  const jumpClient = await connectHop(jump, { ...common, role: 'jump' });
  try {
    const stream = await forwardOut(
      jumpClient,
      { address: '127.0.0.1', port: 0 },
      { role: 'jump', host: jump.host, port: jump.port },
      { what: 'bastion', host: bastion.host, port: bastion.port },
    );
    return { bastion: await connectHop(bastion, { ...common, role: 'bastion', sock: stream }), jump: jumpClient };
  } catch (err) {
    jumpClient.end();
    throw err;
  }
}
