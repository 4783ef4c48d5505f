// libpq connection URIs → a profile draft. Parsed by hand rather than with WHATWG URL:
// URL accepts things libpq refuses (and vice versa), percent-decodes unevenly between
// user and host, and its errors do not say which part of the URI is wrong.
import { OpsError } from '../../contract/errors';
import { SSL_MODES, type ProfileDraft, type ProfileFields, type SslMode } from '../../contract/models';
import { applySupabaseHints, suggestProfileName } from './supabase';

const SCHEME = /^(postgres|postgresql):\/\/(.*)$/is;

/** INVALID_INPUT for one part of an imported source, with the field-level detail the UI shows. */
export function importError(field: string, message: string): OpsError {
  return new OpsError('INVALID_INPUT', `${field}: ${message}`, { fields: [{ field, message }] });
}

function uriError(message: string): OpsError {
  return importError('uri', message);
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw uriError(`the ${what} holds a malformed percent-escape (use %XX with two hex digits, e.g. %40 for @)`);
  }
}

export function parsePort(raw: string, where: string): number {
  if (!/^\d+$/.test(raw)) throw importError(where, `port "${raw}" is not a number`);
  const port = Number(raw);
  if (port < 1 || port > 65535) throw importError(where, `port ${raw} is out of range (1–65535)`);
  return port;
}

export function parseSslMode(raw: string, where: string): SslMode {
  const mode = raw.trim().toLowerCase();
  if ((SSL_MODES as readonly string[]).includes(mode)) return mode as SslMode;
  const hint = mode === 'allow' ? ' ("allow" is not supported: use prefer)' : '';
  throw importError(where, `unknown sslmode "${raw}"${hint}; expected one of ${SSL_MODES.join(', ')}`);
}

/**
 * Reads `-c statement_timeout=N` (or `--statement_timeout=N`) out of a libpq options
 * string; the profile has a field for it. Other settings are reported, not applied.
 */
export function parseOptions(options: string, fields: Partial<ProfileFields>, warnings: string[]): void {
  const tokens = options
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
  const ignored: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    let setting: string | undefined;
    const token = tokens[i]!;
    if (token === '-c') {
      setting = tokens[i + 1];
      i += 1;
    } else if (token.startsWith('-c')) setting = token.slice(2);
    else if (token.startsWith('--')) setting = token.slice(2);
    const match = setting ? /^statement_timeout=(\d+)(ms|s|min)?$/i.exec(setting) : null;
    if (match) {
      const unit = (match[2] ?? 'ms').toLowerCase();
      const factor = unit === 's' ? 1000 : unit === 'min' ? 60_000 : 1;
      fields.statementTimeoutMs = Number(match[1]) * factor;
    } else ignored.push(setting ?? token);
  }
  if (ignored.length > 0) warnings.push(`Ignored server options: ${ignored.join(' ')} (only statement_timeout is kept in a profile).`);
}

interface HostPort {
  host: string;
  port: string | null;
}

function splitHostPort(hostport: string): HostPort {
  if (hostport.includes(',')) throw uriError('several hosts are listed; a profile connects to one host — keep only the one to use');
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw uriError('the IPv6 host is missing its closing "]"');
    const host = hostport.slice(1, close);
    const rest = hostport.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw uriError(`unexpected text "${rest}" after the IPv6 host`);
    return { host, port: rest.startsWith(':') ? rest.slice(1) : null };
  }
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return { host: decode(hostport, 'host'), port: null };
  return { host: decode(hostport.slice(0, colon), 'host'), port: hostport.slice(colon + 1) };
}

/** Query parameters libpq knows that a profile records or that we deliberately drop. */
function applyQueryParam(
  key: string,
  value: string,
  fields: Partial<ProfileFields>,
  warnings: string[],
  state: { sslmodeGiven: boolean; hostPort: HostPort },
): void {
  switch (key) {
    case 'sslmode':
      fields.sslmode = parseSslMode(value, 'uri');
      state.sslmodeGiven = true;
      return;
    case 'sslrootcert':
      fields.sslRootCert = value;
      return;
    case 'options':
      parseOptions(value, fields, warnings);
      return;
    case 'application_name':
      warnings.push(`application_name "${value}" is ignored: Ops Console always connects as "ops-console" so its sessions are easy to spot.`);
      return;
    case 'connect_timeout':
      if (!/^\d+$/.test(value)) throw uriError(`connect_timeout "${value}" must be a whole number of seconds`);
      warnings.push('connect_timeout is ignored: Ops Console uses its own connection timeout.');
      return;
    case 'host':
      state.hostPort = { host: value, port: state.hostPort.port };
      return;
    case 'port':
      state.hostPort = { host: state.hostPort.host, port: value };
      return;
    case 'dbname':
      fields.database = value;
      return;
    case 'user':
      fields.user = value;
      return;
    default:
      warnings.push(`Ignored URI parameter "${key}".`);
  }
}

/** Parses a postgres:// or postgresql:// URI. The password goes to `draft.password`, never into fields. */
export function parseProfileUri(uri: string): ProfileDraft {
  const trimmed = uri.trim();
  const scheme = SCHEME.exec(trimmed);
  if (!scheme) {
    const other = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
    throw uriError(
      other
        ? `scheme "${other[1]}" is not a PostgreSQL URI; it must start with postgresql:// or postgres://`
        : 'not a connection URI; expected postgresql://user@host:5432/database',
    );
  }
  let rest = scheme[2]!;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const query = q >= 0 ? rest.slice(q + 1) : '';
  if (q >= 0) rest = rest.slice(0, q);
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const pathPart = slash >= 0 ? rest.slice(slash + 1) : '';

  const fields: Partial<ProfileFields> = {};
  const warnings: string[] = [];
  const draft: ProfileDraft = { fields, warnings };

  const at = authority.lastIndexOf('@');
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user name');
    if (user !== '') fields.user = user;
    if (colon >= 0) draft.password = decode(userinfo.slice(colon + 1), 'password');
  }
  if (pathPart.includes('/')) throw uriError(`the database name "${pathPart}" contains "/"; percent-encode it as %2F`);
  if (pathPart !== '') fields.database = decode(pathPart, 'database name');

  const state = { sslmodeGiven: false, hostPort: splitHostPort(hostport) };
  for (const pair of query.split('&').filter((p) => p.length > 0)) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw uriError(`query parameter "${pair}" has no value (write ${pair}=…)`);
    const key = decode(pair.slice(0, eq), 'query parameter name');
    const value = decode(pair.slice(eq + 1), `value of ${key}`);
    if (key === 'password') {
      draft.password = value;
      continue;
    }
    applyQueryParam(key, value, fields, warnings, state);
  }

  const { host, port } = state.hostPort;
  if (host === '')
    throw uriError('the URI names no host (libpq would use the local Unix socket); write the host after "@", e.g. postgresql://user@localhost/db');
  fields.host = host;
  fields.port = port === null || port === '' ? 5432 : parsePort(port, 'uri');
  if (fields.database === undefined && fields.user !== undefined) {
    fields.database = fields.user;
    warnings.push(`No database in the URI: libpq would use the user name, so the database is set to "${fields.user}".`);
  }
  if (draft.password !== undefined) {
    warnings.push('The URI carried a password: it is kept apart from the profile and stored only in the secret store if you save it.');
  }
  const name = suggestProfileName(fields.host, fields.database, fields.user);
  if (name) fields.name = name;
  applySupabaseHints(draft, state.sslmodeGiven);
  return draft;
}
