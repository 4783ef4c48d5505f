// Turns what node-postgres, net, dns and tls throw into one sentence a tired DBA can act
// on, and an error code for the contract. The raw text is kept as a fallback only.
import { OpsError, type ErrorCode } from '../../../contract/errors';

export interface ConnTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface DescribedError {
  code: ErrorCode;
  message: string;
  /** SQLSTATE when the server answered with an error. */
  sqlstate?: string;
}

/** Raised by our password callback when the server asks for a password we do not have. */
export class PasswordRequiredError extends Error {
  constructor(user: string) {
    super(`The server asks for a password for user "${user}" and none was given (no saved password, PGPASSWORD or ~/.pgpass entry matched).`);
    this.name = 'PasswordRequiredError';
  }
}

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function errCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** What node-postgres puts on an error the server sent (DatabaseError). */
export interface ServerErrorFields {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/**
 * An error the server sent, with its SQLSTATE. Node's errno codes can look like one
 * ("EPIPE", "EPERM": five capitals) but no SQLSTATE class starts with E, and a server error
 * carries a severity: both are checked, so a broken pipe is never read as SQLSTATE "EPIPE".
 */
export function isServerError(err: unknown): err is Error & ServerErrorFields {
  if (!(err instanceof Error)) return false;
  const code = errCode(err);
  return code !== undefined && SQLSTATE.test(code) && !code.startsWith('E') && typeof (err as { severity?: unknown }).severity === 'string';
}

export function isTlsError(err: unknown): boolean {
  const code = errCode(err);
  return (code !== undefined && TLS_CODES.has(code)) || /certificate|ssl|tls/i.test(errMessage(err));
}

/** Maps a connection or query failure to a code and a message that names the cause. */
export function describeConnectError(err: unknown, target: ConnTarget): DescribedError {
  if (err instanceof OpsError) return { code: err.code, message: err.message };
  if (err instanceof PasswordRequiredError) return { code: 'PASSWORD_REQUIRED', message: err.message };
  const code = errCode(err);
  const message = errMessage(err);
  const where = `${target.host}:${target.port}`;
  if (code !== undefined && SQLSTATE.test(code) && !code.startsWith('E')) {
    return describeSqlState(code, message, target);
  }
  switch (code) {
    case 'ENOTFOUND':
      return { code: 'CONNECTION_FAILED', message: `Unknown host "${target.host}": the name does not resolve (DNS lookup failed). Check the host name.` };
    case 'EAI_AGAIN':
      return { code: 'CONNECTION_FAILED', message: `Cannot resolve "${target.host}" right now (temporary DNS failure). Check the network and DNS server.` };
    case 'ECONNREFUSED':
      return {
        code: 'CONNECTION_FAILED',
        message: `Connection refused at ${where}: nothing is listening there. Is PostgreSQL running, and is the port right?`,
      };
    case 'ETIMEDOUT':
    case 'ETIMEOUT':
      return { code: 'CONNECTION_FAILED', message: `Timed out connecting to ${where}: a firewall may be dropping packets, or the host is down.` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: 'CONNECTION_FAILED', message: `No route to ${where}: the network cannot reach this host (VPN down?).` };
    case 'ECONNRESET':
      return { code: 'CONNECTION_FAILED', message: `${where} closed the connection (reset). The server may be restarting or a proxy refused us.` };
    default:
      break;
  }
  if (message === 'timeout expired' || /connection timeout/i.test(message)) {
    return { code: 'CONNECTION_FAILED', message: `Timed out connecting to ${where}: the server did not answer in time.` };
  }
  if (/does not support SSL/i.test(message)) {
    return {
      code: 'CONNECTION_FAILED',
      message: `The server at ${where} does not accept TLS, but the profile's sslmode requires it. Enable ssl on the server or set sslmode to prefer or disable.`,
    };
  }
  if (/client password must be a string|Password must be a string/i.test(message)) {
    return { code: 'PASSWORD_REQUIRED', message: new PasswordRequiredError(target.user).message };
  }
  if (isTlsError(err)) {
    return {
      code: 'CONNECTION_FAILED',
      message: `TLS failed with ${where}: ${message}${code ? ` (${code})` : ''}. Check sslmode and the CA certificate file.`,
    };
  }
  if (/Connection terminated/i.test(message)) {
    return { code: 'CONNECTION_FAILED', message: `${where} closed the connection unexpectedly: ${message}.` };
  }
  return { code: 'CONNECTION_FAILED', message: `Cannot connect to ${where}: ${message}` };
}

function describeSqlState(sqlstate: string, serverMessage: string, target: ConnTarget): DescribedError {
  const base = { sqlstate };
  switch (sqlstate) {
    case '28P01':
      return { ...base, code: 'AUTH_FAILED', message: `password authentication failed for user "${target.user}"` };
    case '28000':
      return { ...base, code: 'AUTH_FAILED', message: `The server refused user "${target.user}": ${serverMessage}` };
    case '3D000':
      return { ...base, code: 'CONNECTION_FAILED', message: `database "${target.database}" does not exist on ${target.host}:${target.port}` };
    case '53300':
      return {
        ...base,
        code: 'CONNECTION_FAILED',
        message: `The server has too many connections (max_connections reached, or the role's limit): ${serverMessage}. Close idle sessions or use a reserved superuser slot.`,
      };
    case '57P03':
      return {
        ...base,
        code: 'CONNECTION_FAILED',
        message: `The server is not accepting connections yet (starting up, shutting down or in recovery): ${serverMessage}`,
      };
    case '25006':
      return { ...base, code: 'READ_ONLY', message: `Refused by the server: this connection is read-only (${serverMessage}).` };
    case '57014':
      return { ...base, code: 'CONNECTION_FAILED', message: `The statement was cancelled (statement timeout or cancel request): ${serverMessage}` };
    default:
      return { ...base, code: 'CONNECTION_FAILED', message: `${serverMessage} (SQLSTATE ${sqlstate})` };
  }
}

export function toOpsError(err: unknown, target: ConnTarget): OpsError {
  if (err instanceof OpsError) return err;
  const described = describeConnectError(err, target);
  return new OpsError(described.code, described.message, described.sqlstate ? { sqlstate: described.sqlstate } : undefined);
}
