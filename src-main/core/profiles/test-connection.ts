// "Test connection" walks the same path a real connection takes, one layer at a time, so
// the failing layer is named: DNS, TCP, TLS, authentication, then what the server is
// and what this role may do. It stops at the first failing stage.
import dns from 'node:dns';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type pg from 'pg';
import type { ConnectionStage, ConnectionTestResult } from '../../contract/models';
import { detectSupabaseHost, transactionPoolerWarning, type SupabaseKind } from './supabase';
import { describePasswordSource, type PasswordSource } from '../platform/secrets/password';
import type { SecretStore } from '../platform/secrets/secret-store';
import type { FindKnownHostsOptions } from '../platform/ssh/known-hosts';
import { TunnelError, type TunnelCause } from '../platform/ssh/tunnel-errors';
import type { TunnelManager } from '../platform/ssh/tunnel-manager';
import type { OneOffSshSecrets } from '../platform/ssh/tunnel-spec';
import { connectClient, sslOptions, type ConnectProfile, type Endpoint } from '../platform/postgres/connect';
import { describeConnectError } from '../platform/postgres/pg-errors';
import { runSshStages } from './test-connection-ssh';
import { openSocket, timeoutError } from '../platform/postgres/socket';

export interface TestConnectionOptions {
  /** Per network stage (DNS, TCP, TLS, authentication). */
  timeoutMs?: number;
  /** Where the password came from, for the authentication stage's detail. */
  passwordSource?: PasswordSource;
  /** Needed for a profile with `ssh`: the SSH stages run first, then the database through the tunnel. */
  ssh?: {
    tunnels: TunnelManager;
    secrets: SecretStore;
    oneOff?: OneOffSshSecrets;
    knownHosts?: FindKnownHostsOptions;
  };
}

export interface RolePrivileges {
  role: string;
  superuser: boolean;
  createDb: boolean;
  createRole: boolean;
  replication: boolean;
  pgSignalBackend: boolean;
  pgReadAllStats: boolean;
  pgMonitor: boolean;
  /** The session refuses writes (default_transaction_read_only took effect). */
  readOnlySession: boolean;
  inRecovery: boolean;
}

export interface SupabaseDetection {
  kind: SupabaseKind | 'detected';
  ref: string | null;
}

/** The contract's result plus facts the CLI's --json and later screens can use. */
export interface ConnectionTestReport extends ConnectionTestResult {
  /** Why the SSH part failed, for callers that can help (the CLI asks for a passphrase). */
  sshFailure?: { cause: TunnelCause; hop?: 'bastion' | 'jump' };
  privileges?: RolePrivileges;
  supabase?: SupabaseDetection | null;
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // length 8, code 80877103
const DEFAULT_TIMEOUT_MS = 10_000;

class StageFailure extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError(what, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Sends SSLRequest and reads the server's one-byte answer: S (yes), N (no), or anything else. */
function askForTls(socket: net.Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError('TLS negotiation', ms)), ms);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(String.fromCharCode(chunk[0] ?? 0));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('the server closed the connection during TLS negotiation'), { code: 'ECONNRESET' }));
    });
    socket.write(SSL_REQUEST);
  });
}

function handshake(socket: net.Socket, profile: ConnectProfile, ms: number): Promise<tls.TLSSocket> {
  const ssl = sslOptions(profile) || {};
  return new Promise((resolve, reject) => {
    const options: tls.ConnectionOptions = { ...ssl, socket, host: profile.host };
    if (net.isIP(profile.host) === 0) options.servername = profile.host;
    const secure = tls.connect(options);
    const timer = setTimeout(() => {
      secure.destroy();
      reject(timeoutError('TLS handshake', ms));
    }, ms);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once('error', (err) => {
      clearTimeout(timer);
      secure.destroy();
      reject(err);
    });
  });
}

export function humanVersion(serverVersion: string): string {
  return serverVersion.trim().split(/\s+/)[0] ?? serverVersion;
}

const PRIVILEGES_SQL = `
  SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication,
         pg_is_in_recovery() AS in_recovery,
         current_setting('transaction_read_only') AS transaction_read_only,
         COALESCE((SELECT json_object_agg(g.rolname, pg_has_role(r.oid, g.oid, 'MEMBER'))
                     FROM pg_roles g
                    WHERE g.rolname IN ('pg_signal_backend', 'pg_read_all_stats', 'pg_monitor')), '{}'::json) AS member_of
    FROM pg_roles r
   WHERE r.rolname = current_user`;

interface PrivilegesRow {
  rolname: string;
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolreplication: boolean;
  in_recovery: boolean;
  transaction_read_only: string;
  member_of: Record<string, boolean>;
}

async function readPrivileges(client: pg.Client): Promise<RolePrivileges> {
  const { rows } = await client.query<PrivilegesRow>(PRIVILEGES_SQL);
  const row = rows[0];
  if (!row) throw new StageFailure('the current role is not visible in pg_roles');
  return {
    role: row.rolname,
    superuser: row.rolsuper,
    createDb: row.rolcreatedb,
    createRole: row.rolcreaterole,
    replication: row.rolreplication,
    pgSignalBackend: row.member_of.pg_signal_backend === true,
    pgReadAllStats: row.member_of.pg_read_all_stats === true,
    pgMonitor: row.member_of.pg_monitor === true,
    readOnlySession: row.transaction_read_only === 'on',
    inRecovery: row.in_recovery,
  };
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function describePrivileges(p: RolePrivileges): string {
  const head = p.superuser ? `role "${p.role}": superuser` : `role "${p.role}": not superuser`;
  const members = `pg_signal_backend ${yesNo(p.pgSignalBackend)}, pg_read_all_stats ${yesNo(p.pgReadAllStats)}, pg_monitor ${yesNo(p.pgMonitor)}`;
  const attrs = `CREATEDB ${yesNo(p.createDb)}, CREATEROLE ${yesNo(p.createRole)}`;
  const session = `session read-only ${yesNo(p.readOnlySession)}${p.inRecovery ? ', server is a standby (in recovery)' : ''}`;
  return `${head}; ${members}; ${attrs}; ${session}`;
}

function privilegeWarnings(p: RolePrivileges, profile: ConnectProfile): string[] {
  const warnings: string[] = [];
  if (!p.superuser && !p.pgSignalBackend)
    warnings.push(`Role "${p.role}" cannot cancel or terminate other roles' sessions (not a member of pg_signal_backend).`);
  if (!p.superuser && !p.pgReadAllStats)
    warnings.push(`Role "${p.role}" cannot see other roles' queries in pg_stat_activity (not a member of pg_read_all_stats or pg_monitor).`);
  if (profile.readOnly && !p.readOnlySession)
    warnings.push('The profile is read-only but the server session is not: a pooler may have dropped the startup options. Writes would NOT be refused.');
  return warnings;
}

/**
 * Supabase or not: a Supabase host, or the platform's auth and storage schemas together with
 * its supabase_admin role (a restored or local copy). Upgrade planning asks the same question.
 */
export async function detectSupabase(
  client: pg.ClientBase,
  profile: Pick<ConnectProfile, 'host' | 'port'> & { user?: string },
): Promise<SupabaseDetection | null> {
  const byHost = detectSupabaseHost(profile.host, profile.port, profile.user);
  if (byHost) return { kind: byHost.kind, ref: byHost.ref };
  const { rows } = await client.query<{ schemas: number; admin: boolean }>(
    `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth', 'storage'))::int AS schemas,
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin') AS admin`,
  );
  const row = rows[0];
  return row && row.schemas === 2 && row.admin ? { kind: 'detected', ref: null } : null;
}

function describeSupabase(found: SupabaseDetection | null): string {
  if (!found) return 'not Supabase';
  const ref = found.ref ? ` project ${found.ref}` : '';
  switch (found.kind) {
    case 'direct':
      return `Supabase${ref}, direct connection`;
    case 'pooler-session':
      return `Supabase${ref}, pooler in session mode`;
    case 'pooler-transaction':
      return `Supabase${ref}, pooler in TRANSACTION mode`;
    default:
      return 'Supabase (auth and storage schemas and the supabase_admin role exist)';
  }
}

export async function testConnection(profile: ConnectProfile, password: string | undefined, opts: TestConnectionOptions = {}): Promise<ConnectionTestReport> {
  const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const report: ConnectionTestReport = { ok: false, stages: [], warnings: [] };
  const supa = detectSupabaseHost(profile.host, profile.port, profile.user);
  if (supa?.kind === 'pooler-transaction') report.warnings.push(transactionPoolerWarning(supa.ref));
  if (supa && supa.kind !== 'direct' && !profile.user.includes('.')) {
    report.warnings.push(`The Supabase pooler expects the user as "${profile.user}.<project-ref>"; "${profile.user}" alone will be refused.`);
  }

  /** Runs one stage; returns undefined (and records the failure) when it throws. */
  async function stage<T>(name: string, run: () => Promise<{ value: T; detail: string }>): Promise<{ value: T } | undefined> {
    const started = performance.now();
    const entry: ConnectionStage = { name, ok: false, ms: 0 };
    report.stages.push(entry);
    try {
      const { value, detail } = await run();
      entry.ok = true;
      entry.detail = detail;
      return { value };
    } catch (err) {
      entry.error = err instanceof StageFailure || err instanceof TunnelError ? err.message : describeConnectError(err, profile).message;
      return undefined;
    } finally {
      entry.ms = Math.round(performance.now() - started);
    }
  }

  let tunnel: Endpoint | null = null;
  if (profile.ssh) {
    if (!opts.ssh || profile.id === undefined) throw new Error('testConnection: a profile with SSH settings needs the tunnel manager');
    const ssh = opts.ssh;
    const sshProfile = { id: profile.id, host: profile.host, port: profile.port, ssh: profile.ssh };
    const outcome = await runSshStages(sshProfile, stage, {
      secrets: ssh.secrets,
      timeoutMs: ms,
      ...(ssh.oneOff ? { oneOff: ssh.oneOff } : {}),
      ...(ssh.knownHosts ? { knownHosts: ssh.knownHosts } : {}),
    });
    for (const err of outcome.errors) {
      if (err.cause.startsWith('host-key-')) ssh.tunnels.recordHostKeyRefusal(profile.name ?? profile.host, err);
    }
    if (outcome.hostKey) report.hostKey = outcome.hostKey;
    if (outcome.cause) report.sshFailure = { cause: outcome.cause, ...(outcome.failedHop ? { hop: outcome.failedHop } : {}) };
    if (!outcome.ok) return report;
    const opened = await stage('SSH: tunnel', async () => {
      const endpoint = await ssh.tunnels.localEndpoint(
        { id: sshProfile.id, name: profile.name ?? profile.host, host: profile.host, port: profile.port, ssh: sshProfile.ssh },
        ssh.oneOff,
      );
      return { value: endpoint, detail: `listening on 127.0.0.1:${endpoint.port}, shared by every connection of this profile` };
    });
    if (!opened) return report;
    tunnel = opened.value;
  }

  const isSocket = profile.host.startsWith('/');
  const addresses = await stage('DNS', async () => {
    if (tunnel) return { value: [tunnel.host], detail: `skipped: the bastion resolves ${profile.host}` };
    if (isSocket) return { value: [profile.host], detail: 'skipped: Unix socket directory' };
    if (net.isIP(profile.host) !== 0) return { value: [profile.host], detail: `skipped: ${profile.host} is an IP address` };
    const found = await withTimeout(dns.promises.lookup(profile.host, { all: true }), ms, 'DNS lookup');
    return { value: found.map((a) => a.address), detail: `${profile.host} → ${found.map((a) => a.address).join(', ')}` };
  });
  if (!addresses) return report;

  const socket = await stage('TCP', async () => {
    if (tunnel) {
      return {
        value: await openSocket({ host: tunnel.host, port: tunnel.port }, ms),
        detail: `connected to ${tunnel.host}:${tunnel.port}, the SSH tunnel to ${profile.host}:${profile.port}`,
      };
    }
    if (isSocket) {
      const file = path.join(profile.host, `.s.PGSQL.${profile.port}`);
      return { value: await openSocket({ path: file }, ms), detail: `connected to ${file}` };
    }
    let lastError: unknown = new Error('no address to connect to');
    for (const address of addresses.value) {
      try {
        return { value: await openSocket({ host: address, port: profile.port }, ms), detail: `connected to ${address}:${profile.port}` };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  });
  if (!socket) return report;

  let plainFallback = false;
  const tlsOk = await stage('TLS', async () => {
    const raw = socket.value;
    try {
      if (isSocket) return { value: true, detail: 'not used over a Unix socket' };
      if (profile.sslmode === 'disable') return { value: true, detail: 'not requested (sslmode=disable)' };
      const answer = await askForTls(raw, ms);
      if (answer === 'N') {
        if (profile.sslmode === 'prefer') {
          plainFallback = true;
          report.warnings.push('The server does not offer TLS: with sslmode=prefer the connection, password included, travels unencrypted.');
          return { value: true, detail: 'the server does not offer TLS; sslmode=prefer continues without encryption' };
        }
        throw new StageFailure(
          `The server refuses TLS (it answered "N" to the SSL request) but sslmode=${profile.sslmode} requires it. Turn ssl on in the server's postgresql.conf, or lower sslmode to prefer or disable.`,
        );
      }
      if (answer !== 'S') throw new StageFailure(`Unexpected answer "${answer}" to the SSL request: is this a PostgreSQL server?`);
      const secure = await handshake(raw, profile, ms);
      const cipher = secure.getCipher();
      const cert = secure.getPeerCertificate();
      const subject = cert && cert.subject ? cert.subject.CN : undefined;
      const verified =
        profile.sslmode === 'verify-full'
          ? 'certificate and host name verified'
          : profile.sslmode === 'verify-ca'
            ? 'certificate verified (host name not checked)'
            : 'certificate not verified';
      const protocol = secure.getProtocol() ?? 'TLS';
      secure.destroy();
      return { value: true, detail: `${protocol} ${cipher.name}; ${verified}${subject ? `; subject CN=${subject}` : ''}` };
    } catch (err) {
      if (err instanceof StageFailure) throw err;
      const described = describeConnectError(err, profile).message;
      throw new StageFailure(/TLS|certificate/i.test(described) ? described : `TLS negotiation failed: ${described}`);
    } finally {
      raw.destroy();
    }
  });
  if (!tlsOk) return report;

  const client = await stage('authentication', async () => {
    const connected = await connectClient(profile, password, {
      connectTimeoutMs: ms,
      ...(plainFallback ? { ssl: false as const } : {}),
      ...(tunnel ? { endpoint: tunnel } : {}),
    });
    const via = password === undefined ? 'no password (trust/peer)' : describePasswordSource(opts.passwordSource ?? 'explicit');
    return { value: connected, detail: `logged in as "${profile.user}" to database "${profile.database}" with ${via}` };
  });
  if (!client) return report;

  try {
    const version = await stage('server version', async () => {
      const { rows } = await client.value.query<{ v: string; full: string }>(`SELECT current_setting('server_version') AS v, version() AS full`);
      const row = rows[0];
      if (!row) throw new StageFailure('the server returned no version');
      return { value: humanVersion(row.v), detail: row.full };
    });
    if (!version) return report;
    report.serverVersion = version.value;

    const privileges = await stage('role and privileges', async () => {
      const p = await readPrivileges(client.value);
      return { value: p, detail: describePrivileges(p) };
    });
    if (!privileges) return report;
    report.privileges = privileges.value;
    report.warnings.push(...privilegeWarnings(privileges.value, profile));

    const supabase = await stage('Supabase detection', async () => {
      const found = await detectSupabase(client.value, profile);
      return { value: found, detail: describeSupabase(found) };
    });
    if (!supabase) return report;
    report.supabase = supabase.value;
    report.ok = true;
    return report;
  } finally {
    await client.value.end().catch(() => undefined);
  }
}
