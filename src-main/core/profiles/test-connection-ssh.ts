// "Test connection" for a profile behind an SSH bastion: the SSH layers first, one stage
// each — TCP to the bastion (or through the jump host), its host key, authentication, and
// the forward to the database — so the failing layer is named before any database stage.
// A host key that needs the user's decision stops here and is returned as a HostKeyDecision.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { HostKeyDecision, SshHopFields } from '../../contract/models';
import { findKnownHostKeys, type FindKnownHostsOptions } from '../platform/ssh/known-hosts';
import { connectHop, forwardOut, type SshHop } from '../platform/ssh/tunnel-connect';
import { classifyConnectError, TunnelError, type TunnelCause } from '../platform/ssh/tunnel-errors';
import { hopFor, type HopName, type OneOffSshSecrets, type SshProfile } from '../platform/ssh/tunnel-spec';
import type { SecretStore } from '../platform/secrets/secret-store';
import { openSocket } from '../platform/postgres/socket';

/** Runs one named stage; undefined when it failed (the runner recorded the error). */
export type StageRunner = <T>(name: string, run: () => Promise<{ value: T; detail: string }>) => Promise<{ value: T } | undefined>;

export interface SshStageOptions {
  secrets: SecretStore;
  oneOff?: OneOffSshSecrets;
  timeoutMs: number;
  knownHosts?: FindKnownHostsOptions;
}

export interface SshStagesOutcome {
  ok: boolean;
  /** The first failure's cause (the CLI asks for a passphrase on 'passphrase-required'). */
  cause?: TunnelCause;
  failedHop?: HopName;
  hostKey?: HostKeyDecision;
  /** Every TunnelError seen (host key refusals are audited by the caller). */
  errors: TunnelError[];
}

async function tcpTo(host: string, port: number, role: HopName, ms: number, user: string): Promise<net.Socket> {
  try {
    return await openSocket({ host, port }, ms);
  } catch (err) {
    const raw = err instanceof Error ? err : new Error(String(err));
    throw classifyConnectError(Object.assign(raw, { level: 'client-socket' }), { role, host, port, user, authWords: '', readyTimeoutMs: ms });
  }
}

function words(hop: HopName): { key: string; auth: string } {
  return hop === 'jump' ? { key: 'SSH: jump host key', auth: 'SSH: jump host authentication' } : { key: 'SSH: host key', auth: 'SSH: authentication' };
}

function authDetail(fields: SshHopFields): string {
  switch (fields.auth) {
    case 'key':
      return `logged in as '${fields.user}' with the key ${fields.keyPath ?? ''}`;
    case 'agent':
      return `logged in as '${fields.user}' with a key from the ssh-agent`;
    case 'password':
      return `logged in as '${fields.user}' with a password`;
  }
}

function decisionFor(err: TunnelError, opts: SshStageOptions): HostKeyDecision | undefined {
  const d = err.detail;
  if (d.cause !== 'host-key-unknown' && d.cause !== 'host-key-mismatch' && d.cause !== 'host-key-revoked') return undefined;
  if (d.presentedKey === undefined || d.presentedFingerprint === undefined || d.host === undefined || d.port === undefined) return undefined;
  let knownHosts = false;
  try {
    knownHosts = findKnownHostKeys(d.host, d.port, opts.knownHosts ?? {}).keys.some((k) => k.blob === d.presentedKey);
  } catch {
    // An unreadable known_hosts only loses the hint.
  }
  const status = d.cause === 'host-key-unknown' ? 'unknown' : d.cause === 'host-key-mismatch' ? 'mismatch' : 'revoked';
  return {
    hop: d.hop ?? 'bastion',
    host: d.host,
    port: d.port,
    status,
    presented: { type: d.presentedType ?? 'unknown-type', fingerprint: d.presentedFingerprint, blob: d.presentedKey },
    ...(d.pinnedFingerprint ? { expected: d.pinnedFingerprint } : {}),
    knownHosts,
    // OpenSSH's loud banner for a changed key; the one-line message otherwise.
    message: d.banner ?? err.message,
  };
}

/** Host key, then authentication, as two stages of one SSH handshake. */
async function handshakeStages(
  stage: StageRunner,
  hop: SshHop,
  fields: SshHopFields,
  role: HopName,
  sock: Duplex,
  opts: SshStageOptions,
): Promise<Client | undefined> {
  let hostKeyAccepted: () => void = () => undefined;
  const hostKeyChecked = new Promise<void>((resolve) => {
    hostKeyAccepted = resolve;
  });
  const connecting = connectHop(hop, {
    role,
    sock,
    keepaliveIntervalMs: 0,
    keepaliveCountMax: 3,
    readyTimeoutMs: opts.timeoutMs,
    onHostKeyChecked: (accepted) => {
      if (accepted) hostKeyAccepted();
    },
  });
  connecting.catch(() => undefined);
  const name = words(role);
  const keyOk = await stage(name.key, async () => {
    await Promise.race([hostKeyChecked, connecting]);
    const pin = fields.hostKey;
    return { value: true, detail: `${pin?.type ?? ''} ${pin?.fingerprint ?? ''} matches the pinned key`.trim() };
  });
  if (!keyOk) {
    sock.destroy();
    return undefined;
  }
  const client = await stage(name.auth, async () => ({ value: await connecting, detail: authDetail(fields) }));
  if (!client) sock.destroy();
  return client?.value;
}

/**
 * Runs the SSH stages through `stage`; on success the bastion could open a channel to the
 * database. The test's own SSH connections are closed before returning.
 */
export async function runSshStages(profile: SshProfile, stage: StageRunner, opts: SshStageOptions): Promise<SshStagesOutcome> {
  const outcome: SshStagesOutcome = { ok: false, errors: [] };
  const clients: Client[] = [];
  const { ssh } = profile;
  const guarded: StageRunner = async (name, run) =>
    stage(name, async () => {
      try {
        return await run();
      } catch (err) {
        if (err instanceof TunnelError) {
          outcome.errors.push(err);
          outcome.cause ??= err.cause;
          outcome.failedHop ??= err.detail.hop;
          outcome.hostKey ??= decisionFor(err, opts);
        }
        throw err;
      }
    });
  try {
    let hops: { bastion: SshHop; jump: SshHop | null };
    try {
      hops = {
        bastion: hopFor(profile.id, ssh, 'bastion', opts),
        jump: ssh.jump === null ? null : hopFor(profile.id, ssh.jump, 'jump', opts),
      };
    } catch (err) {
      // e.g. an SSH password that is neither saved nor given.
      await guarded('SSH: authentication', () => Promise.reject(err));
      return outcome;
    }

    let toBastion: Duplex;
    if (ssh.jump && hops.jump) {
      const jumpFields = ssh.jump;
      const jumpHop = hops.jump;
      const raw = await guarded('SSH: TCP to jump host', async () => ({
        value: await tcpTo(jumpFields.host, jumpFields.port, 'jump', opts.timeoutMs, jumpFields.user),
        detail: `connected to ${jumpFields.host}:${jumpFields.port}`,
      }));
      if (!raw) return outcome;
      const jumpClient = await handshakeStages(guarded, jumpHop, jumpFields, 'jump', raw.value, opts);
      if (!jumpClient) return outcome;
      clients.push(jumpClient);
      const stream = await guarded(`SSH: forward to bastion ${ssh.host}:${ssh.port}`, async () => ({
        value: await forwardOut(
          jumpClient,
          { address: '127.0.0.1', port: 0 },
          { role: 'jump', host: jumpFields.host, port: jumpFields.port },
          { what: 'bastion', host: ssh.host, port: ssh.port },
        ),
        detail: `the jump host opened a connection to ${ssh.host}:${ssh.port}`,
      }));
      if (!stream) return outcome;
      toBastion = stream.value;
    } else {
      const raw = await guarded('SSH: TCP to bastion', async () => ({
        value: await tcpTo(ssh.host, ssh.port, 'bastion', opts.timeoutMs, ssh.user),
        detail: `connected to ${ssh.host}:${ssh.port}`,
      }));
      if (!raw) return outcome;
      toBastion = raw.value;
    }

    const bastion = await handshakeStages(guarded, hops.bastion, ssh, 'bastion', toBastion, opts);
    if (!bastion) return outcome;
    clients.unshift(bastion);
    const forwarded = await guarded(`SSH: forward to ${profile.host}:${profile.port}`, async () => {
      const channel = await forwardOut(
        bastion,
        { address: '127.0.0.1', port: 0 },
        { role: 'bastion', host: ssh.host, port: ssh.port },
        { what: 'database', host: profile.host, port: profile.port },
      );
      channel.close();
      return { value: true, detail: `the bastion opened a connection to ${profile.host}:${profile.port}` };
    });
    outcome.ok = forwarded !== undefined;
    return outcome;
  } finally {
    for (const client of clients) client.end();
  }
}
