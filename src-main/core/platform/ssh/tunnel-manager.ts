// One shared SSH tunnel per profile while it is in use. Every database connection of a
// profile with `ssh` goes through here: queries, activity, checklists, and (through
// localEndpoint) spawned tools like pg_dump and psql. The SSH link closes after a quiet
// minute (the local port stays so spawned tools' settings remain valid), everything
// closes with the core, and a change of settings or secrets rebuilds the tunnel.
// Every open, close, reconnect, error and host-key refusal goes into the audit trail.
import type { Profile } from '../../../contract/models';
import type { AuditLog } from '../audit/audit-log';
import { log } from '../kernel/log';
import type { SecretStore } from '../secrets/secret-store';
import { SshTunnel, type TunnelEngineChoice, type TunnelEvent } from './tunnel';
import { TunnelError, type TunnelErrorDetail } from './tunnel-errors';
import type { FindKnownHostsOptions } from './known-hosts';
import { describeRoute, specSignature, tunnelSpecFor, type OneOffSshSecrets, type SshProfile } from './tunnel-spec';

export const DEFAULT_IDLE_CLOSE_MS = 60_000;

export interface TunnelManagerDeps {
  secrets: SecretStore;
  audit: Pick<AuditLog, 'record'>;
  actor: string;
}

export interface TunnelManagerOptions {
  idleCloseMs?: number;
  knownHosts?: FindKnownHostsOptions;
  /**
   * 'auto' (default): the system ssh carries the traffic when it can; 'ssh2': always the
   * in-process client. Unset, OPS_CONSOLE_SSH_ENGINE=ssh2 in the environment chooses ssh2
   * (the way out if a system ssh misbehaves, and how the benchmark measures both).
   */
  engine?: TunnelEngineChoice;
}

interface Entry {
  tunnel: SshTunnel;
  signature: string;
  profileName: string;
  /** "user@bastion:port" (+ jump), for audit summaries. */
  route: string;
  /** The pinned fingerprint of the bastion (what "verified" means in the open entry). */
  fingerprint: string | null;
}

type TunnelProfile = Pick<Profile, 'id' | 'name' | 'host' | 'port' | 'ssh'>;

function hasSsh(profile: TunnelProfile): profile is TunnelProfile & SshProfile {
  return profile.ssh !== null && profile.ssh !== undefined;
}

export class TunnelManager {
  private readonly entries = new Map<string, Entry>();
  private readonly opening = new Map<string, Promise<Entry>>();

  constructor(
    private readonly deps: TunnelManagerDeps,
    private readonly options: TunnelManagerOptions = {},
  ) {}

  /** Live tunnels (for tests and the status view). */
  get size(): number {
    return this.entries.size;
  }

  /** The tunnel object of a profile, if one exists (tests check sharing with it). */
  tunnelOf(profileId: string): SshTunnel | null {
    return this.entries.get(profileId)?.tunnel ?? null;
  }

  /**
   * Opens (or reuses) the profile's tunnel and returns where to connect: 127.0.0.1 and the
   * tunnel's local port. Throws a TunnelError naming the cause.
   */
  async localEndpoint(profile: TunnelProfile, oneOff?: OneOffSshSecrets): Promise<{ host: '127.0.0.1'; port: number }> {
    if (!hasSsh(profile)) throw new TunnelError('closed', `Profile "${profile.name}" has no SSH settings; connect to it directly.`);
    const entry = await this.entryFor(profile, oneOff);
    // Probe (one channel to the database) only when a link must be made: a reused link
    // costs nothing extra per query.
    const { localPort } = await entry.tunnel.open({ probe: !entry.tunnel.connected });
    return { host: '127.0.0.1', port: localPort };
  }

  /** Closes the profile's tunnel (settings changed, profile removed). */
  async closeProfile(profileId: string): Promise<void> {
    const entry = this.entries.get(profileId);
    if (!entry) return;
    this.entries.delete(profileId);
    await entry.tunnel.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.keys()];
    await Promise.all(all.map((id) => this.closeProfile(id)));
  }

  /** For refusals seen outside a tunnel (the connection test's own SSH stages). */
  recordHostKeyRefusal(profileName: string, error: TunnelError): void {
    this.recordError(profileName, error);
  }

  private async entryFor(profile: TunnelProfile & SshProfile, oneOff?: OneOffSshSecrets): Promise<Entry> {
    const spec = tunnelSpecFor(profile, {
      secrets: this.deps.secrets,
      ...(oneOff ? { oneOff } : {}),
      ...(this.options.knownHosts ? { knownHosts: this.options.knownHosts } : {}),
      idleCloseMs: this.options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS,
    });
    spec.engine = this.options.engine ?? (process.env.OPS_CONSOLE_SSH_ENGINE === 'ssh2' ? 'ssh2' : 'auto');
    const signature = specSignature(spec);
    const existing = this.entries.get(profile.id);
    if (existing && existing.signature === signature) {
      existing.profileName = profile.name;
      return existing;
    }
    const pending = this.opening.get(profile.id);
    if (pending) {
      const entry = await pending;
      if (entry.signature === signature) return entry;
    }
    const build = (async () => {
      if (existing) {
        this.entries.delete(profile.id);
        await existing.tunnel.close();
      }
      const entry: Entry = {
        tunnel: null as unknown as SshTunnel,
        signature,
        profileName: profile.name,
        route: describeRoute(profile.ssh),
        fingerprint: profile.ssh.hostKey?.fingerprint ?? null,
      };
      entry.tunnel = new SshTunnel(spec, { onEvent: (event) => this.onEvent(entry, event) });
      this.entries.set(profile.id, entry);
      return entry;
    })();
    this.opening.set(profile.id, build);
    try {
      return await build;
    } finally {
      this.opening.delete(profile.id);
    }
  }

  private onEvent(entry: Entry, event: TunnelEvent): void {
    switch (event.type) {
      case 'opened': {
        const key = entry.fingerprint ? `, host key ${entry.fingerprint} verified` : '';
        this.record(
          entry.profileName,
          event.reconnect ? 'ssh.tunnel.reconnect' : 'ssh.tunnel.open',
          'ok',
          `${event.reconnect ? 'Reconnected' : 'Opened'} SSH tunnel through ${entry.route}${key}; local port 127.0.0.1:${event.localPort}`,
          event.route,
        );
        return;
      }
      case 'closed':
        this.record(
          entry.profileName,
          'ssh.tunnel.close',
          'ok',
          `Closed SSH tunnel through ${entry.route} (${event.reason === 'idle' ? 'idle' : 'closed by the app'})`,
          event.route,
        );
        return;
      case 'error':
        this.recordError(entry.profileName, event.error);
        return;
      case 'reconnecting':
        return;
    }
  }

  private recordError(profileName: string, error: TunnelError): void {
    const d: TunnelErrorDetail = error.detail;
    const where = d.host !== undefined ? `${d.hop ?? 'bastion'} ${d.host}:${d.port ?? ''}` : 'SSH tunnel';
    let action = 'ssh.tunnel.error';
    let summary = `SSH tunnel error (${d.cause}) at ${where}: ${error.message}`;
    if (d.cause === 'host-key-unknown') {
      action = 'ssh.hostkey.unknown';
      summary = `Refused the untrusted host key ${d.presentedFingerprint ?? '?'} of the SSH ${where} (not pinned yet)`;
    } else if (d.cause === 'host-key-mismatch') {
      action = 'ssh.hostkey.mismatch';
      summary = `Refused a CHANGED host key of the SSH ${where}: pinned ${d.pinnedFingerprint ?? '?'}, presented ${d.presentedFingerprint ?? '?'}`;
    } else if (d.cause === 'host-key-revoked') {
      action = 'ssh.hostkey.revoked';
      summary = `Refused the @revoked host key ${d.presentedFingerprint ?? '?'} of the SSH ${where}`;
    }
    this.record(profileName, action, 'error', summary, null, error.message);
  }

  private record(profile: string, action: string, outcome: 'ok' | 'error', summary: string, detail: string | null, error?: string): void {
    try {
      this.deps.audit.record({ actor: this.deps.actor, action, profile, summary, detail, outcome, durationMs: 0, ...(error ? { error } : {}) });
    } catch (err) {
      // The tunnel keeps working if the store is momentarily busy; the log says why.
      log.warn(`could not audit ${action} for ${profile}`, err instanceof Error ? err.message : String(err));
    }
  }
}
