// The shape of a tunnel as its users see it: what to connect through (the spec, built from a
// profile by tunnel-spec.ts) and what it reports (events, for the audit trail). Apart from
// tunnel.ts so the spec's builder does not load the tunnel's machinery.
import type { TunnelError } from './tunnel-errors';
import type { SshHop } from './tunnel-connect';

export interface TunnelSpec {
  bastion: SshHop;
  /** One extra hop in front of the bastion. */
  jump?: SshHop | null;
  /** The database as the bastion sees it. */
  target: { host: string; port: number };
  /** SSH keepalive (ServerAliveInterval); 0 disables. Default 15 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the link counts as dead (ServerAliveCountMax). Default 3. */
  keepaliveCountMax?: number;
  /** How long to wait for each SSH handshake. Default 15 s. */
  connectTimeoutMs?: number;
  /** Close the SSH link after this long without connections (0 = never). The local port stays. */
  idleCloseMs?: number;
  /** 'auto' (default): the system ssh carries the traffic when it can; 'ssh2': always the in-process client. */
  engine?: TunnelEngineChoice;
}

export type TunnelEngineChoice = 'auto' | 'ssh2';

export type TunnelEvent =
  | { type: 'opened'; localPort: number; route: string; reconnect: boolean }
  | { type: 'reconnecting'; route: string }
  | { type: 'error'; error: TunnelError }
  | { type: 'closed'; reason: 'requested' | 'idle'; route: string };

export interface TunnelHooks {
  onEvent?(event: TunnelEvent): void;
}
