// An SSH tunnel to one database: a listener on 127.0.0.1 (tunnel-listener.ts: ephemeral
// port, kept across reconnects so spawned tools' settings stay valid) where every accepted connection gets
// its own forwarded channel through the bastion (optionally behind one jump host).
// The SSH link is opened lazily and shared; when it dies (keepalive, sshd gone) the open
// connections are cut and the next connection, or the next open(), reconnects.
// The link is the system's OpenSSH (openssh-link.ts: native crypto, no byte through Node)
// when the route allows it, else ssh2 in this process; ssh2 also diagnoses whatever ssh refuses.
import type net from 'node:net';
import type { Client, ClientChannel } from 'ssh2';
import { findSystemSsh, OpensshLink, opensshIneligible } from './openssh-link';
import { listenLoopback } from './tunnel-listener';
import { connectRoute, forwardOut } from './tunnel-connect';
import { classifyForwardError, describeHop, TunnelError } from './tunnel-errors';
import type { TunnelEvent, TunnelHooks, TunnelSpec } from './tunnel-types';

export type { SshAuth, SshHop } from './tunnel-connect';
export type { TunnelEngineChoice, TunnelEvent, TunnelHooks, TunnelSpec } from './tunnel-types';
export { isTunnelError, normalizeFingerprint, sshFingerprint, TunnelError, type TunnelCause, type TunnelErrorDetail } from './tunnel-errors';

/** One SSH link: the system's OpenSSH master, or ssh2 clients in this process. */
interface Link {
  openssh: OpensshLink | null;
  bastion: Client | null;
  jump: Client | null;
  dead: boolean;
  /** Set when we end the link on purpose (close, idle): no link-lost error then. */
  ending: boolean;
  /** The last error ssh2 reported on the link, for the link-lost message. */
  lastError: string | null;
  sockets: Set<net.Socket>;
}

const DEFAULT_KEEPALIVE_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export class SshTunnel {
  private readonly spec: TunnelSpec;
  private readonly hooks: TunnelHooks;
  private server: net.Server | null = null;
  private port: number | null = null;
  private link: Link | null = null;
  private connecting: Promise<Link> | null = null;
  private listening: Promise<number> | null = null;
  private everConnected = false;
  /** Bumped by every shutdown, so a connect that finishes after close() is dropped. */
  private epoch = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Set when the system ssh failed where ssh2 then worked: this tunnel stays on ssh2. */
  private opensshDisabled = false;
  private lastEngine: 'openssh' | 'ssh2' = 'ssh2';
  /** The most recent failure (connect, forward, link lost): callers explain a cut connection with it. */
  lastError: TunnelError | null = null;

  constructor(spec: TunnelSpec, hooks: TunnelHooks = {}) {
    this.spec = spec;
    this.hooks = hooks;
  }

  /** The local port spawned tools and clients connect to (host 127.0.0.1); null when closed. */
  get localPort(): number | null {
    return this.server ? this.port : null;
  }

  /** Which client carries the current (or last) link: the system's OpenSSH or ssh2 in this process. */
  get engine(): 'openssh' | 'ssh2' {
    return this.lastEngine;
  }

  /** True while an SSH link is up. */
  get connected(): boolean {
    return this.link !== null && !this.link.dead;
  }

  /** Connections currently forwarded. */
  get activeConnections(): number {
    return this.sockets.size;
  }

  /** Human description of the route, for messages and audit (no secrets). */
  get route(): string {
    const { bastion, jump, target } = this.spec;
    const via = jump ? `${jump.user}@${jump.host}:${jump.port} → ` : '';
    return `${via}${bastion.user}@${bastion.host}:${bastion.port} → ${target.host}:${target.port}`;
  }

  /**
   * Connects (or reuses the live link), checks that the bastion can reach the database,
   * and starts the local listener. Throws a TunnelError with the cause.
   */
  async open(options: { probe?: boolean } = {}): Promise<{ localPort: number }> {
    const fresh = this.server === null && this.listening === null;
    const localPort = await this.ensureListener();
    try {
      const link = await this.ensureLink();
      if (options.probe !== false) await this.probe(link);
    } catch (err) {
      // A first open that fails leaves nothing running (the port number is remembered).
      if (fresh) await this.shutdown();
      throw err;
    }
    this.armIdleTimer();
    return { localPort };
  }

  /** Stops the listener, cuts every forwarded connection, ends the SSH link. */
  async close(): Promise<void> {
    if (await this.shutdown()) this.emit({ type: 'closed', reason: 'requested', route: this.route });
  }

  /** Returns whether anything was running. */
  private async shutdown(): Promise<boolean> {
    this.epoch += 1;
    this.clearIdleTimer();
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const hadLink = this.endLink();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    return server !== null || hadLink;
  }

  private emit(event: TunnelEvent): void {
    try {
      this.hooks.onEvent?.(event);
    } catch {
      // An observer's bug must not break the tunnel.
    }
  }

  private fail(error: TunnelError): TunnelError {
    this.lastError = error;
    this.emit({ type: 'error', error });
    return error;
  }

  private ensureLink(): Promise<Link> {
    if (this.link && !this.link.dead) return Promise.resolve(this.link);
    if (!this.connecting) {
      if (this.everConnected) this.emit({ type: 'reconnecting', route: this.route });
      this.connecting = this.establish().then(
        (link) => {
          this.connecting = null;
          return link;
        },
        (err: unknown) => {
          this.connecting = null;
          throw this.fail(err instanceof TunnelError ? err : new TunnelError('bastion-unreachable', String(err)));
        },
      );
    }
    return this.connecting;
  }

  /** The system ssh when it may carry this tunnel (see openssh-link.ts), else null. */
  private opensshPath(): string | null {
    if (this.spec.engine === 'ssh2' || this.opensshDisabled) return null;
    if (opensshIneligible(this.spec.bastion, Boolean(this.spec.jump)) !== null) return null;
    return findSystemSsh();
  }

  private async establish(): Promise<Link> {
    const { bastion, jump, target } = this.spec;
    const epoch = this.epoch;
    const common = {
      keepaliveIntervalMs: this.spec.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
      keepaliveCountMax: this.spec.keepaliveCountMax ?? 3,
      readyTimeoutMs: this.spec.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    };
    const link: Link = { openssh: null, bastion: null, jump: null, dead: false, ending: false, lastError: null, sockets: new Set() };
    const ssh = this.opensshPath();
    if (ssh) {
      try {
        link.openssh = await OpensshLink.start({
          ssh,
          hop: bastion,
          target,
          ...common,
          onExit: (reason) => {
            link.lastError = reason;
            this.onLinkDown(link);
          },
        });
      } catch (err) {
        // A bastion that does not answer would only time out again under ssh2.
        if (/timed out/i.test(String(err))) {
          throw new TunnelError('bastion-unreachable', `Cannot reach the ${describeHop('bastion', bastion.host, bastion.port)}: the connection timed out.`, {
            hop: 'bastion',
            host: bastion.host,
            port: bastion.port,
            reason: String(err),
          });
        }
        // Otherwise ssh2 tries: it names the cause (host key, key file, auth), or carries the link if only ssh could not.
      }
    }
    if (!link.openssh) {
      Object.assign(link, await connectRoute(bastion, jump ?? null, common));
      if (ssh) this.opensshDisabled = true;
    }
    if (epoch !== this.epoch) {
      link.openssh?.end();
      link.bastion?.end();
      link.jump?.end();
      throw new TunnelError('closed', 'The SSH tunnel was closed while it was connecting.');
    }
    for (const client of [link.bastion, link.jump]) {
      if (!client) continue;
      client.on('error', (err: Error) => {
        link.lastError = err.message;
      });
      client.on('close', () => this.onLinkDown(link));
    }
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.link = link;
    this.lastEngine = link.openssh ? 'openssh' : 'ssh2';
    this.emit({ type: 'opened', localPort: this.port ?? 0, route: this.route, reconnect });
    return link;
  }

  private onLinkDown(link: Link): void {
    if (link.dead) return;
    link.dead = true;
    if (this.link === link) this.link = null;
    link.openssh?.end();
    link.bastion?.end();
    link.jump?.end();
    const cut = link.sockets.size;
    for (const socket of link.sockets) socket.destroy();
    if (link.ending) return;
    const { bastion, jump } = this.spec;
    const where = describeHop('bastion', bastion.host, bastion.port) + (jump ? ` (via ${describeHop('jump', jump.host, jump.port)})` : '');
    const why = link.lastError ? ` (${link.lastError})` : '';
    const cutWords = cut === 0 ? 'No connection was open' : `${cut} open database connection${cut === 1 ? ' was' : 's were'} cut`;
    this.fail(
      new TunnelError('link-lost', `The SSH connection to the ${where} was lost${why}. ${cutWords}; the next connection reconnects.`, {
        hop: 'bastion',
        host: bastion.host,
        port: bastion.port,
        reason: link.lastError ?? undefined,
      }),
    );
  }

  /** Ends the current link on purpose. Returns whether there was one. */
  private endLink(): boolean {
    const link = this.link;
    if (!link || link.dead) return false;
    link.ending = true;
    this.onLinkDown(link);
    return true;
  }

  private openChannel(link: Link, source: { address: string; port: number }): Promise<ClientChannel> {
    const { bastion, target } = this.spec;
    if (!link.bastion) return Promise.reject(new TunnelError('closed', 'The SSH link has no ssh2 client.'));
    return forwardOut(link.bastion, source, { role: 'bastion', host: bastion.host, port: bastion.port }, { what: 'database', ...target });
  }

  /** What ssh's master said about a channel it could not open, as ssh2's path would say it; null if it said nothing clear. */
  private opensshForwardError(link: Link): TunnelError | null {
    const open = link.openssh?.takeChannelError() ?? null;
    const { bastion, target } = this.spec;
    return open ? classifyForwardError(open, { role: 'bastion', host: bastion.host, port: bastion.port }, { what: 'database', ...target }) : null;
  }

  /** Opens and drops one channel to the database, so open() reports 'target-unreachable' now. */
  private async probe(link: Link): Promise<void> {
    try {
      if (link.openssh) {
        try {
          await link.openssh.probe();
          return;
        } catch {
          // The master's words may come a moment after its mux client gave up (two pipes).
          let named = this.opensshForwardError(link);
          if (!named) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            named = this.opensshForwardError(link);
          }
          if (named) throw named;
        }
        // ssh could not open a channel and did not say why: ssh2 opens the link again and tries.
        link.ending = true;
        this.onLinkDown(link);
        this.opensshDisabled = true;
        link = await this.ensureLink();
      }
      const channel = await this.openChannel(link, { address: '127.0.0.1', port: 0 });
      channel.close();
    } catch (err) {
      throw this.fail(err instanceof TunnelError ? err : new TunnelError('link-lost', String(err)));
    }
  }

  private ensureListener(): Promise<number> {
    if (this.server && this.port !== null) return Promise.resolve(this.port);
    // Two open() calls at once share one listener.
    this.listening ??= this.startListener().finally(() => {
      this.listening = null;
    });
    return this.listening;
  }

  private async startListener(): Promise<number> {
    const { server, port } = await listenLoopback(this.port, (socket) => this.onSocket(socket));
    this.port = port;
    this.server = server;
    return port;
  }

  private onSocket(socket: net.Socket): void {
    socket.on('error', () => {
      // The client went away; 'close' cleans up.
    });
    this.sockets.add(socket);
    this.clearIdleTimer();
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.armIdleTimer();
    });
    const source = { address: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 };
    void this.forward(socket, source);
  }

  private async forward(socket: net.Socket, source: { address: string; port: number }): Promise<void> {
    let link: Link;
    let channel: ClientChannel;
    try {
      link = await this.ensureLink();
      if (link.openssh) {
        this.forwardOpenssh(link, link.openssh, socket);
        return;
      }
      channel = await this.openChannel(link, source);
    } catch (err) {
      if (err instanceof TunnelError && this.lastError !== err) this.fail(err);
      socket.destroy();
      return;
    }
    if (socket.destroyed || link.dead) {
      channel.close();
      socket.destroy();
      return;
    }
    link.sockets.add(socket);
    channel.on('error', () => socket.destroy());
    channel.once('close', () => socket.destroy());
    socket.once('close', () => {
      link.sockets.delete(socket);
      channel.close();
    });
    socket.pipe(channel).pipe(socket);
  }

  private forwardOpenssh(link: Link, openssh: OpensshLink, socket: net.Socket): void {
    if (socket.destroyed) return;
    link.sockets.add(socket);
    socket.once('close', () => link.sockets.delete(socket));
    openssh.forward(socket, (failure) => {
      if (failure !== null && !link.dead) {
        const named = this.opensshForwardError(link);
        this.fail(named ?? new TunnelError('link-lost', `The SSH bastion could not carry a connection: ${failure}.`));
      }
      socket.destroy();
    });
  }

  private armIdleTimer(): void {
    const idleMs = this.spec.idleCloseMs ?? 0;
    if (idleMs <= 0 || this.sockets.size > 0 || !this.server) return;
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.sockets.size === 0 && this.endLink()) this.emit({ type: 'closed', reason: 'idle', route: this.route });
    }, idleMs);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
