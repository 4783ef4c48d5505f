// The tunnel's errors, one cause each, in words a DBA can act on. Messages and details
// name hosts, ports, users, key file paths and fingerprints, never a passphrase or password.
import type { HopRole, TunnelCause, TunnelErrorDetail } from '../../../contract/error-details';
import { OpsErrorBase } from '../../../contract/errors';
import { fingerprintSha256 } from './public-key';

// The causes and the detail's shape are the contract's: clients read them with errorDetail().
export type { HopRole, TunnelCause, TunnelErrorDetail };

export class TunnelError extends OpsErrorBase {
  override readonly cause: TunnelCause;
  override readonly detail: TunnelErrorDetail;

  constructor(cause: TunnelCause, message: string, detail: Omit<TunnelErrorDetail, 'cause'> = {}) {
    const full: TunnelErrorDetail = { cause, ...detail };
    super('CONNECTION_FAILED', message, full);
    this.name = 'TunnelError';
    this.cause = cause;
    this.detail = full;
  }
}

export function isTunnelError(value: unknown): value is TunnelError {
  return value instanceof TunnelError;
}

/** OpenSSH's SHA256 fingerprint of a public key blob (as `ssh-keygen -l` prints it). */
export const sshFingerprint: (keyBlob: Buffer) => string = fingerprintSha256;

/** Accepts 'SHA256:abc', 'abc' or a padded 'abc=' and returns 'SHA256:abc'. */
export function normalizeFingerprint(value: string): string {
  const bare = value
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
  return `SHA256:${bare}`;
}

export function describeHop(role: HopRole, host: string, port: number): string {
  return `${role === 'jump' ? 'SSH jump host' : 'SSH bastion'} ${host}:${port}`;
}

/** ssh2 errors carry extra fields (level, code, reason) that its typings do not all name. */
interface Ssh2ErrorFields {
  level?: string;
  code?: string | number;
  reason?: string | number;
  description?: string;
}

function fieldsOf(err: unknown): Ssh2ErrorFields & { message: string } {
  if (err instanceof Error) return Object.assign({ message: err.message }, err as Ssh2ErrorFields);
  return { message: String(err) };
}

const SOCKET_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is sshd running on that port?)',
  ETIMEDOUT: 'the connection timed out (firewall or wrong address?)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'the host name cannot be resolved',
  EAI_AGAIN: 'the host name cannot be resolved right now (DNS)',
};

export interface HopContext {
  role: HopRole;
  host: string;
  port: number;
  user: string;
  authWords: string;
  readyTimeoutMs: number;
}

/** Turns an error ssh2 raised while connecting/authenticating to one hop into a TunnelError. */
export function classifyConnectError(err: unknown, ctx: HopContext): TunnelError {
  if (err instanceof TunnelError) return err;
  const e = fieldsOf(err);
  const where = describeHop(ctx.role, ctx.host, ctx.port);
  const base = { hop: ctx.role, host: ctx.host, port: ctx.port, user: ctx.user };
  const code = typeof e.code === 'string' ? e.code : undefined;
  switch (e.level) {
    case 'client-authentication':
      return new TunnelError('auth-failed', `The ${where} refused user '${ctx.user}' with ${ctx.authWords}.`, {
        ...base,
        reason: e.message,
      });
    case 'agent':
      return new TunnelError('agent-unavailable', `Cannot use the ssh-agent to log in to the ${where}: ${e.message}.`, {
        ...base,
        reason: e.message,
      });
    case 'client-timeout':
      return new TunnelError('bastion-unreachable', `The ${where} did not complete the SSH handshake within ${Math.round(ctx.readyTimeoutMs / 1000)} s.`, {
        ...base,
        reason: e.message,
      });
    case 'client-dns':
      return new TunnelError('bastion-unreachable', `Cannot reach the ${where}: the host name cannot be resolved.`, {
        ...base,
        reason: code ?? e.message,
      });
    case 'client-socket': {
      const words = (code && SOCKET_WORDS[code]) ?? e.message;
      return new TunnelError('bastion-unreachable', `Cannot reach the ${where}: ${words}.`, { ...base, reason: code ?? e.message });
    }
    default:
      return new TunnelError('bastion-unreachable', `The SSH connection to the ${where} failed: ${e.message}.`, {
        ...base,
        reason: e.message,
      });
  }
}

/** SSH channel-open failure codes (RFC 4254 §5.1). */
const OPEN_ADMINISTRATIVELY_PROHIBITED = 1;
const OPEN_CONNECT_FAILED = 2;

/**
 * Turns a failed forwardOut into a TunnelError. `via` is the server that was asked to
 * open the connection, `to` what it was asked to reach.
 */
export function classifyForwardError(
  err: unknown,
  via: { role: HopRole; host: string; port: number },
  to: { what: 'database' | 'bastion'; host: string; port: number },
): TunnelError {
  const e = fieldsOf(err);
  const server = describeHop(via.role, via.host, via.port);
  const target = to.what === 'database' ? `the database at ${to.host}:${to.port}` : `the SSH bastion ${to.host}:${to.port}`;
  const description = (e.message ?? '').replace(/^\(SSH\) Channel open failure:\s*/, '').trim();
  const detail = { hop: via.role, host: via.host, port: via.port, reason: description || String(e.reason ?? '') };
  if (e.reason === OPEN_CONNECT_FAILED) {
    const cause = to.what === 'database' ? 'target-unreachable' : 'bastion-unreachable';
    return new TunnelError(cause, `The ${server} cannot reach ${target}: ${description || 'connect failed'}.`, detail);
  }
  if (e.reason === OPEN_ADMINISTRATIVELY_PROHIBITED) {
    return new TunnelError('forward-refused', `The ${server} refused to forward to ${target} (its sshd forbids it: AllowTcpForwarding / PermitOpen).`, detail);
  }
  if (e.reason === undefined || e.reason === '') {
    return new TunnelError('link-lost', `The SSH connection to the ${server} closed while opening a connection to ${target}.`, detail);
  }
  return new TunnelError('forward-refused', `The ${server} would not open a connection to ${target}: ${description}.`, detail);
}
