// node-postgres client settings from a profile, and the one helper every domain uses to
// open a connection. Read-only profiles are enforced by the SERVER
// (default_transaction_read_only), not by guessing at SQL text in the app — except on the
// connection of an action an elevation let through (guard/elevation.ts), which connects
// without it, as the profile's break-glass role when it has one.
import fs from 'node:fs';
import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { Profile } from '../../../contract/models';
import { OpsError } from '../../../contract/errors';
import { connectionUser, elevatedConnection } from '../guard/elevation';
import type { CoreDeps } from '../kernel/deps';
import { log } from '../kernel/log';
import type { TunnelManager } from '../ssh/tunnel-manager';
import type { OneOffSshSecrets } from '../ssh/tunnel-spec';
import { resolvePassword } from '../secrets/password';
import { trackClient } from './abort-scope';
import { countOwnRollbacks, rollbackKey } from './own-rollbacks';
import { PasswordRequiredError, toOpsError } from './pg-errors';

export const APPLICATION_NAME = 'ops-console';
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export type ConnectProfile = Pick<Profile, 'host' | 'port' | 'database' | 'user' | 'sslmode' | 'sslRootCert' | 'readOnly' | 'statementTimeoutMs'> &
  // Optional so older call sites compile; every stored profile carries them.
  Partial<Pick<Profile, 'id' | 'name' | 'ssh'>>;

/** Where a tunnelled connection really connects: the tunnel's local end. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface ClientConfigOptions {
  connectTimeoutMs?: number;
  /**
   * Override of the TLS decision. `prefer` means "TLS, else plain" in libpq, but
   * node-postgres has no fallback: callers that saw the server refuse TLS pass false.
   */
  ssl?: false;
  /**
   * Connect here instead of profile.host:port (an SSH tunnel's local end). TLS still
   * verifies the certificate against the real database host name.
   */
  endpoint?: Endpoint;
}

export interface ConnectOptions extends ClientConfigOptions {
  /** Opens the profile's SSH tunnel when it has `ssh` and no endpoint is given. */
  tunnels?: TunnelManager;
  /** Key passphrase / SSH password just typed (one-off, not saved). */
  sshSecrets?: OneOffSshSecrets;
}

/** TLS options per sslmode, following libpq's meanings. */
export function sslOptions(profile: Pick<ConnectProfile, 'sslmode' | 'sslRootCert'>): false | ConnectionOptions {
  switch (profile.sslmode) {
    case 'disable':
      return false;
    case 'prefer':
    case 'require':
      // libpq's require encrypts but does not verify the certificate.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // Chain must lead to our CA; the host name is not compared (that is verify-full).
      return { ca: readCa(profile.sslRootCert), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca: readCa(profile.sslRootCert), rejectUnauthorized: true };
  }
}

function readCa(file: string | null): string | undefined {
  if (file === null) return undefined;
  return fs.readFileSync(file, 'utf8');
}

/**
 * A password callback rather than a string: node-postgres would otherwise fall back to
 * PGPASSWORD and ~/.pgpass on its own, and we resolve those ourselves, in our order.
 * Being called also tells us the server really wanted a password.
 */
function passwordCallback(user: string, password: string | undefined): () => string {
  return () => {
    if (password === undefined) throw new PasswordRequiredError(user);
    return password;
  };
}

/**
 * Through a tunnel node-postgres sees host 127.0.0.1, so SNI and the certificate's host
 * name check must be told the real database host (verify-full stays meaningful).
 */
function tunnelledSsl(profile: ConnectProfile, ssl: false | ConnectionOptions): false | ConnectionOptions {
  if (ssl === false) return false;
  return { ...ssl, host: profile.host, ...(net.isIP(profile.host) === 0 ? { servername: profile.host } : {}) };
}

export function clientConfig(profile: ConnectProfile, password?: string, options: ClientConfigOptions = {}): pg.ClientConfig {
  const ssl = options.ssl === false ? false : sslOptions(profile);
  const user = connectionUser(profile);
  const config: pg.ClientConfig = {
    host: options.endpoint?.host ?? profile.host,
    port: options.endpoint?.port ?? profile.port,
    database: profile.database,
    user,
    password: passwordCallback(user, password),
    ssl: options.endpoint ? tunnelledSsl(profile, ssl) : ssl,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
  };
  if (profile.statementTimeoutMs !== null && profile.statementTimeoutMs > 0) config.statement_timeout = profile.statementTimeoutMs;
  if (profile.readOnly && elevatedConnection(profile) === null) config.options = '-c default_transaction_read_only=on';
  return config;
}

function serverRefusedTls(err: unknown): boolean {
  return err instanceof Error && /does not support SSL/i.test(err.message);
}

/**
 * Connects with libpq's `prefer` semantics (retry in plain text when the server answers
 * "no TLS"). Connection failures become OpsErrors with a specific message.
 */
export async function connectClient(profile: ConnectProfile, password?: string, connectOptions: ConnectOptions = {}): Promise<pg.Client> {
  const { tunnels, sshSecrets, ...options } = connectOptions;
  if (profile.ssh && !options.endpoint) {
    // Never fall back to a direct connection for a profile that must go through a bastion.
    if (!tunnels || profile.id === undefined) {
      throw new OpsError('CONNECTION_FAILED', `Profile "${profile.name ?? profile.host}" connects through SSH, but no tunnel is available here.`);
    }
    options.endpoint = await tunnels.localEndpoint(
      { id: profile.id, name: profile.name ?? profile.host, host: profile.host, port: profile.port, ssh: profile.ssh },
      sshSecrets,
    );
  }
  // A connection the tunnel cut (bastion gone, database unreachable from it) reaches pg as
  // a bare reset on 127.0.0.1; the tunnel's own error says what really happened.
  const tunnel = tunnels && profile.ssh && profile.id !== undefined ? tunnels.tunnelOf(profile.id) : null;
  const tunnelErrorBefore = tunnel?.lastError ?? null;
  const explain = (err: unknown): unknown => {
    const now = tunnel?.lastError ?? null;
    return now !== null && now !== tunnelErrorBefore ? now : err;
  };
  const attempt = async (opts: ClientConfigOptions): Promise<pg.Client> => {
    const client = new pg.Client(clientConfig(profile, password, opts));
    // The failed-queries figure leaves out the rollbacks the app itself sends (own-rollbacks.ts).
    countOwnRollbacks(client, rollbackKey(profile));
    // An idle client whose server goes away emits 'error'; unhandled, that would crash the process.
    client.on('error', (err) => log.warn(`connection to ${profile.host}:${profile.port} failed`, err.message));
    // Inside a fleet target's abort scope, its timeout ends this client (abort-scope.ts).
    const untrack = trackClient(client);
    client.once('end', untrack);
    try {
      await client.connect();
      return client;
    } catch (err) {
      untrack();
      await client.end().catch(() => undefined);
      throw err;
    }
  };
  try {
    return await attempt(options);
  } catch (err) {
    if (profile.sslmode === 'prefer' && options.ssl !== false && serverRefusedTls(err)) {
      try {
        return await attempt({ ...options, ssl: false });
      } catch (retryErr) {
        throw toOpsError(explain(retryErr), profile);
      }
    }
    throw toOpsError(explain(err), profile);
  }
}

export interface WithClientOptions extends ClientConfigOptions {
  /** A password the user just typed; otherwise the usual resolution order applies. */
  password?: string;
  /** Key passphrase / SSH password just typed, for a profile with `ssh`. */
  sshSecrets?: OneOffSshSecrets;
}

/**
 * Where a spawned tool (pg_dump, psql) should connect for this profile: the profile's own
 * host and port, or for an SSH profile 127.0.0.1 and the tunnel's local port (the tunnel
 * is opened, and stays open while the tool's connections last).
 */
export async function localEndpoint(
  deps: Pick<CoreDeps, 'tunnels'>,
  profile: ConnectProfile & Pick<Profile, 'id' | 'name'>,
  sshSecrets?: OneOffSshSecrets,
): Promise<Endpoint> {
  if (!profile.ssh) return { host: profile.host, port: profile.port };
  return deps.tunnels.localEndpoint({ id: profile.id, name: profile.name, host: profile.host, port: profile.port, ssh: profile.ssh }, sshSecrets);
}

/** The password a connection of this profile uses (typed, saved, break-glass…), its warnings logged once here. */
export function connectPassword(
  deps: Pick<CoreDeps, 'secrets'>,
  profile: ConnectProfile & Pick<Profile, 'id'>,
  explicit: string | undefined,
): string | undefined {
  const resolved = resolvePassword(profile, { explicit, secrets: deps.secrets });
  for (const warning of resolved.warnings) log.warn(warning);
  return resolved.password;
}

/** Connects, runs `fn`, and always closes the connection, whatever `fn` does. */
export async function withClient<T>(
  deps: Pick<CoreDeps, 'secrets'> & Partial<Pick<CoreDeps, 'tunnels'>>,
  profile: ConnectProfile & Pick<Profile, 'id'>,
  fn: (client: pg.Client) => Promise<T>,
  options: WithClientOptions = {},
): Promise<T> {
  const { password: explicit, ...connectOptions } = options;
  const client = await connectClient(profile, connectPassword(deps, profile, explicit), {
    ...connectOptions,
    ...(deps.tunnels ? { tunnels: deps.tunnels } : {}),
  });
  // Errors thrown by `fn` pass through untouched (pg errors keep their SQLSTATE and
  // position for the caller); use toOpsError from pg-errors.ts to word them.
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
