// Contract handlers for a profile's SSH side: trusting (or deliberately replacing) a host
// key, and importing a Host entry of ~/.ssh/config as a settings draft.
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { HostKeyPin, Profile, SshHopFields, SshSettings, SshSettingsInput } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext, Handlers } from '../platform/kernel/dispatch';
import { resolveSshHost, type ResolvedSshHost } from '../platform/ssh/ssh-config';
import { checkPin } from '../platform/profile-store/ssh-validate';

type SshHandlers = Pick<Handlers, 'trustHostKey' | 'importSshConfigHost'>;

interface TrustInput {
  id: string;
  hop: 'bastion' | 'jump';
  pin: HostKeyPin;
  replace: boolean;
  confirmName?: string | undefined;
}

function withPin(ssh: SshSettings, hop: 'bastion' | 'jump', pin: HostKeyPin): SshSettings {
  if (hop === 'bastion') return { ...ssh, hostKey: pin };
  return { ...ssh, jump: { ...(ssh.jump as SshHopFields), hostKey: pin } };
}

/** Parses one ProxyJump hop, "[user@]host[:port]" (an alias is resolved by the caller). */
function parseJumpSpec(spec: string): { user: string | null; host: string; port: number | null } {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : null;
  let rest = at >= 0 ? spec.slice(at + 1) : spec;
  let port: number | null = null;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    rest = bracket[1] ?? rest;
    port = bracket[2] ? Number(bracket[2]) : null;
  } else {
    const colon = /^([^:]+):(\d+)$/.exec(rest);
    if (colon) {
      rest = colon[1] ?? rest;
      port = Number(colon[2]);
    }
  }
  return { user, host: rest, port };
}

function hopDraft(resolved: ResolvedSshHost): SshHopFields {
  const keyPath = resolved.identityFiles[0] ?? null;
  return {
    host: resolved.hostName,
    port: resolved.port,
    user: resolved.user,
    // No IdentityFile: `ssh` would try the agent first, so does the draft.
    auth: keyPath ? 'key' : 'agent',
    keyPath,
    agentSocket: null,
    hostKey: null,
  };
}

export function sshHandlers(deps: CoreDeps): SshHandlers {
  const { profiles } = deps;

  async function trustHostKey(input: TrustInput, ctx: CallContext): Promise<Profile> {
    const profile = profiles.require(input.id);
    ctx.audit.profile = profile.name;
    const ssh = profile.ssh;
    if (!ssh) throw new OpsError('INVALID_INPUT', `Profile "${profile.name}" has no SSH settings, so there is no host key to trust.`);
    const hopFields = input.hop === 'jump' ? ssh.jump : ssh;
    if (!hopFields) throw new OpsError('INVALID_INPUT', `Profile "${profile.name}" has no SSH jump host.`);
    const pin = checkPin('pin', input.pin);
    const where = `${input.hop === 'jump' ? 'SSH jump host' : 'SSH bastion'} ${hopFields.host}:${hopFields.port}`;
    const old = hopFields.hostKey;
    if (old && old.blob === pin.blob && old.fingerprint === pin.fingerprint) {
      ctx.audit.summary = `Host key ${pin.type} ${pin.fingerprint} of the ${where} was already trusted`;
      return profile;
    }
    if (old && !input.replace) {
      throw new OpsError(
        'CONFLICT',
        `The ${where} already has a pinned host key (${old.fingerprint}). Replacing it with ${pin.fingerprint} is a deliberate action: confirm the new key with the server's administrator, then replace the pin.`,
        { expected: old.fingerprint, presented: pin.fingerprint },
      );
    }
    if (old && profile.env === 'production' && input.confirmName !== profile.name) {
      throw new OpsError(
        'CONFIRMATION_REQUIRED',
        `"${profile.name}" is a production profile: type its name to confirm replacing the host key of the ${where}.`,
        {
          expected: profile.name,
        },
      );
    }
    const updated = profiles.setSsh(profile.id, withPin(ssh, input.hop, pin));
    // The next connection must verify against the new pin.
    await deps.tunnels.closeProfile(profile.id);
    ctx.audit.summary = old
      ? `REPLACED the pinned host key of the ${where}: old ${old.type} ${old.fingerprint} → new ${pin.type} ${pin.fingerprint}`
      : `Trusted host key ${pin.type} ${pin.fingerprint} of the ${where} (first contact)`;
    ctx.audit.detail = `${pin.type} ${pin.blob}`;
    return updated;
  }

  function importSshConfigHost(input: { alias: string; path?: string | undefined }): { ssh: SshSettingsInput; warnings: string[]; file: string } {
    const file = input.path ?? path.join(os.homedir(), '.ssh', 'config');
    const resolved = resolveSshHost(input.alias, { file });
    const warnings = [...resolved.warnings];
    let jump: SshHopFields | null = null;
    if (resolved.proxyJump && resolved.proxyJump.toLowerCase() !== 'none') {
      const hops = resolved.proxyJump
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean);
      if (hops.length > 1) {
        throw new OpsError(
          'INVALID_INPUT',
          `Host "${input.alias}" uses ProxyJump through ${hops.length} hosts (${resolved.proxyJump}); this app supports one jump host in front of the bastion.`,
        );
      }
      const spec = parseJumpSpec(hops[0] ?? '');
      // The jump host may itself be an alias of the same file (as `ssh -J` resolves it).
      const viaConfig = resolveSshHost(spec.host, { file, requireHostEntry: false });
      warnings.push(...viaConfig.warnings.map((w) => `jump host: ${w}`));
      const draft = hopDraft(viaConfig);
      jump = { ...draft, ...(spec.user ? { user: spec.user } : {}), ...(spec.port ? { port: spec.port } : {}) };
    }
    if (resolved.identityFiles.length > 1) warnings.push(`Several IdentityFile lines apply; using the first, ${resolved.identityFiles[0] ?? ''}.`);
    warnings.push('The host key is not imported: test the connection and confirm the fingerprint it shows.');
    const ssh: SshSettingsInput = {
      ...hopDraft(resolved),
      jump,
      keepaliveIntervalSec: resolved.serverAliveInterval ?? 15,
    };
    return { ssh, warnings, file: resolved.files[0] ?? file };
  }

  return { trustHostKey, importSshConfigHost };
}
