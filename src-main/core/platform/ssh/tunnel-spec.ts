// From a profile's SSH settings (contract shape) and its secrets to what SshTunnel and
// connectHop need. Secrets (key passphrase, SSH password) come from a one-off value the
// user just typed, else the secret store; they go only into the returned spec.
import { createHash } from 'node:crypto';
import type { Profile, SshHopFields, SshSettings } from '../../../contract/models';
import type { SecretKind, SecretStore } from '../secrets/secret-store';
import { hostKeyAlgorithmsForPin } from './host-keys';
import { findKnownHostKeys, type FindKnownHostsOptions } from './known-hosts';
import type { SshAuth, SshHop } from './tunnel-connect';
import { TunnelError } from './tunnel-errors';
import type { TunnelSpec } from './tunnel-types';

export type HopName = 'bastion' | 'jump';

/** Secrets the user just typed, used instead of the saved ones (never stored here). */
export interface OneOffSshSecrets {
  sshSecret?: string | undefined;
  jumpSecret?: string | undefined;
}

export interface SpecOptions {
  secrets: SecretStore;
  oneOff?: OneOffSshSecrets;
  /** Where to look for @revoked keys; tests point this at their own files. */
  knownHosts?: FindKnownHostsOptions;
}

export type SshProfile = Pick<Profile, 'id' | 'host' | 'port'> & { ssh: SshSettings };

function secretFor(profileId: string, hop: HopName, opts: SpecOptions): string | undefined {
  const oneOff = hop === 'jump' ? opts.oneOff?.jumpSecret : opts.oneOff?.sshSecret;
  if (oneOff !== undefined && oneOff !== '') return oneOff;
  const kind: SecretKind = hop === 'jump' ? 'jump' : 'ssh';
  return opts.secrets.get(profileId, kind) ?? undefined;
}

function authFor(fields: SshHopFields, secret: string | undefined, hop: HopName): SshAuth {
  switch (fields.auth) {
    case 'key':
      return { kind: 'key', privateKeyPath: fields.keyPath ?? '', ...(secret !== undefined ? { passphrase: secret } : {}) };
    case 'agent':
      return { kind: 'agent', ...(fields.agentSocket ? { socket: fields.agentSocket } : {}) };
    case 'password':
      if (secret === undefined) {
        const which = hop === 'jump' ? 'SSH jump host' : 'SSH bastion';
        throw new TunnelError(
          'password-required',
          `The ${which} ${fields.host}:${fields.port} needs a password for user '${fields.user}' and none is saved: enter it.`,
          {
            hop,
            host: fields.host,
            port: fields.port,
            user: fields.user,
          },
        );
      }
      return { kind: 'password', password: secret };
  }
}

function revokedFor(fields: SshHopFields, opts: SpecOptions): string[] {
  try {
    return findKnownHostKeys(fields.host, fields.port, opts.knownHosts ?? {}).revoked.map((k) => k.blob);
  } catch {
    // An unreadable known_hosts must not block a pinned connection; the pin still decides.
    return [];
  }
}

/** One hop for connectHop: whole-key pin, algorithms that make the server show that key. */
export function hopFor(profileId: string, fields: SshHopFields, hop: HopName, opts: SpecOptions): SshHop {
  const pin = fields.hostKey;
  const algorithms = hostKeyAlgorithmsForPin(pin);
  return {
    host: fields.host,
    port: fields.port,
    user: fields.user,
    auth: authFor(fields, secretFor(profileId, hop, opts), hop),
    hostKey: pin === null ? null : { fingerprint: pin.fingerprint, type: pin.type, blob: pin.blob, ...(algorithms ? { algorithms } : {}) },
    revokedKeys: revokedFor(fields, opts),
  };
}

export function tunnelSpecFor(profile: SshProfile, opts: SpecOptions & { idleCloseMs?: number }): TunnelSpec {
  const { ssh } = profile;
  return {
    bastion: hopFor(profile.id, ssh, 'bastion', opts),
    jump: ssh.jump === null ? null : hopFor(profile.id, ssh.jump, 'jump', opts),
    target: { host: profile.host, port: profile.port },
    keepaliveIntervalMs: ssh.keepaliveIntervalSec * 1000,
    ...(opts.idleCloseMs !== undefined ? { idleCloseMs: opts.idleCloseMs } : {}),
  };
}

/**
 * Identifies a spec, secrets included, so a changed setting or secret rebuilds the tunnel.
 * Hashed: the signature is kept in memory next to the tunnel and must not hold a secret.
 */
export function specSignature(spec: TunnelSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** "root@bastion:22 (via jump@j:22)", for summaries. */
export function describeRoute(ssh: SshSettings): string {
  const via = ssh.jump ? ` via ${ssh.jump.user}@${ssh.jump.host}:${ssh.jump.port}` : '';
  return `${ssh.user}@${ssh.host}:${ssh.port}${via}`;
}
