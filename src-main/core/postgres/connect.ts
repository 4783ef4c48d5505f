// node-postgres client settings from a profile, and the one helper every domain uses to
// open a connection. Read-only profiles are enforced by the SERVER
// (default_transaction_read_only), not by guessing at SQL text in the app.
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../app';
import { log } from '../log';
import { resolvePassword } from '../secrets/password';
import { PasswordRequiredError, toOpsError } from './pg-errors';

export const APPLICATION_NAME = 'ops-console';
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export type ConnectProfile = Pick<
  Profile,
  'host' | 'port' | 'database' | 'user' | 'sslmode' | 'sslRootCert' | 'readOnly' | 'statementTimeoutMs'
>;

export interface ClientConfigOptions {
  connectTimeoutMs?: number;
  /**
   * Override of the TLS decision. `prefer` means "TLS, else plain" in libpq, but
   * node-postgres has no fallback: callers that saw the server refuse TLS pass false.
   */
  ssl?: false;
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

export function clientConfig(profile: ConnectProfile, password?: string, options: ClientConfigOptions = {}): pg.ClientConfig {
  const config: pg.ClientConfig = {
    host: profile.host,
    port: profile.port,
    database: profile.database,
    user: profile.user,
    password: passwordCallback(profile.user, password),
    ssl: options.ssl === false ? false : sslOptions(profile),
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
  };
  if (profile.statementTimeoutMs !== null && profile.statementTimeoutMs > 0) config.statement_timeout = profile.statementTimeoutMs;
  if (profile.readOnly) config.options = '-c default_transaction_read_only=on';
  return config;
}

function serverRefusedTls(err: unknown): boolean {
  return err instanceof Error && /does not support SSL/i.test(err.message);
}

/**
 * Connects with libpq's `prefer` semantics (retry in plain text when the server answers
 * "no TLS"). Connection failures become OpsErrors with a specific message.
 */
export async function connectClient(profile: ConnectProfile, password?: string, options: ClientConfigOptions = {}): Promise<pg.Client> {
  const attempt = async (opts: ClientConfigOptions): Promise<pg.Client> => {
    const client = new pg.Client(clientConfig(profile, password, opts));
    // An idle client whose server goes away emits 'error'; unhandled, that would crash the process.
    client.on('error', (err) => log.warn(`connection to ${profile.host}:${profile.port} failed`, err.message));
    try {
      await client.connect();
      return client;
    } catch (err) {
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
        throw toOpsError(retryErr, profile);
      }
    }
    throw toOpsError(err, profile);
  }
}

export interface WithClientOptions extends ClientConfigOptions {
  /** A password the user just typed; otherwise the usual resolution order applies. */
  password?: string;
}

/** Connects, runs `fn`, and always closes the connection, whatever `fn` does. */
export async function withClient<T>(
  deps: Pick<CoreDeps, 'secrets'>,
  profile: ConnectProfile & Pick<Profile, 'id'>,
  fn: (client: pg.Client) => Promise<T>,
  options: WithClientOptions = {},
): Promise<T> {
  const { password: explicit, ...connectOptions } = options;
  const resolved = resolvePassword(profile, { explicit, secrets: deps.secrets });
  for (const warning of resolved.warnings) log.warn(warning);
  const client = await connectClient(profile, resolved.password, connectOptions);
  // Errors thrown by `fn` pass through untouched (pg errors keep their SQLSTATE and
  // position for the caller); use toOpsError from pg-errors.ts to word them.
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
