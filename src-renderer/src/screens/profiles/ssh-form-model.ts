// The SSH tunnel part of the profile form, and how it maps to the contract's SshSettings.
// Like the rest of the form, numbers stay typed text so a wrong value can be explained.
import type { HostKeyPin, Profile, SshAuthKind, SshHopFields, SshSettings, SshSettingsInput } from '@contract/models';

export interface SshHopForm {
  host: string;
  port: string;
  user: string;
  auth: SshAuthKind;
  keyPath: string;
  agentSocket: string;
  /** Key passphrase or SSH password: sent as sshSecret / jumpSecret, never inside the profile. */
  secret: string;
  /** The pin as saved; kept across an edit unless the hop's address changes. */
  hostKey: HostKeyPin | null;
  /** Where the pin was made (host:port), to notice an address change. */
  pinnedFor: string | null;
}

export interface SshForm extends SshHopForm {
  enabled: boolean;
  jumpEnabled: boolean;
  jump: SshHopForm;
  keepaliveIntervalSec: string;
}

export const SSH_AUTH_LABELS: Record<SshAuthKind, string> = {
  key: 'Private key file',
  agent: 'ssh-agent',
  password: 'Password',
};

export function emptyHop(): SshHopForm {
  return { host: '', port: '22', user: '', auth: 'key', keyPath: '', agentSocket: '', secret: '', hostKey: null, pinnedFor: null };
}

export function emptySsh(): SshForm {
  return { ...emptyHop(), enabled: false, jumpEnabled: false, jump: emptyHop(), keepaliveIntervalSec: '15' };
}

function hopFromFields(h: SshHopFields): SshHopForm {
  return {
    host: h.host,
    port: String(h.port),
    user: h.user,
    auth: h.auth,
    keyPath: h.keyPath ?? '',
    agentSocket: h.agentSocket ?? '',
    secret: '',
    hostKey: h.hostKey,
    pinnedFor: h.hostKey ? `${h.host}:${h.port}` : null,
  };
}

export function sshFormFromProfile(p: Profile): SshForm {
  if (!p.ssh) return emptySsh();
  const s = p.ssh;
  return {
    ...hopFromFields(s),
    enabled: true,
    jumpEnabled: s.jump !== null,
    jump: s.jump ? hopFromFields(s.jump) : emptyHop(),
    keepaliveIntervalSec: String(s.keepaliveIntervalSec),
  };
}

type HopInput = NonNullable<SshSettingsInput['jump']>;

function hopFromImport(h: Partial<HopInput>, base: SshHopForm): SshHopForm {
  return {
    ...base,
    ...(h.host !== undefined ? { host: h.host } : {}),
    ...(h.port !== undefined ? { port: String(h.port) } : {}),
    ...(h.user !== undefined ? { user: h.user } : {}),
    ...(h.auth !== undefined ? { auth: h.auth } : {}),
    ...(h.keyPath !== undefined ? { keyPath: h.keyPath ?? '' } : {}),
    ...(h.agentSocket !== undefined ? { agentSocket: h.agentSocket ?? '' } : {}),
    ...(h.hostKey ? { hostKey: h.hostKey, pinnedFor: `${h.host ?? base.host}:${h.port ?? base.port}` } : {}),
  };
}

/** Fills the section from an imported ~/.ssh/config Host entry; the secrets typed so far stay. */
export function applySshImport(form: SshForm, imported: SshSettingsInput): SshForm {
  const bastion = hopFromImport(imported, form);
  return {
    ...form,
    ...bastion,
    enabled: true,
    jumpEnabled: imported.jump ? true : imported.jump === null ? false : form.jumpEnabled,
    jump: imported.jump ? hopFromImport(imported.jump, emptyHop()) : form.jump,
    ...(imported.keepaliveIntervalSec !== undefined ? { keepaliveIntervalSec: String(imported.keepaliveIntervalSec) } : {}),
  };
}

function wholeNumber(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  return /^\d+$/.test(t) ? Number(t) : 'invalid';
}

/** True when the hop still points where its pin was made (an address change drops the pin). */
export function pinStillApplies(hop: SshHopForm): boolean {
  return hop.hostKey !== null && hop.pinnedFor === `${hop.host.trim()}:${hop.port.trim()}`;
}

function hopInput(hop: SshHopForm, prefix: string, errors: Record<string, string>): HopInput {
  const port = wholeNumber(hop.port);
  if (port === 'invalid') errors[`${prefix}port`] = 'SSH port must be a whole number between 1 and 65535';
  if (hop.auth === 'key' && hop.keyPath.trim() === '')
    errors[`${prefix}keyPath`] = 'key file is required for key authentication (for example ~/.ssh/id_ed25519)';
  return {
    host: hop.host,
    port: typeof port === 'number' ? port : 22,
    user: hop.user,
    auth: hop.auth,
    keyPath: hop.auth === 'key' && hop.keyPath.trim() !== '' ? hop.keyPath.trim() : null,
    agentSocket: hop.auth === 'agent' && hop.agentSocket.trim() !== '' ? hop.agentSocket.trim() : null,
    hostKey: pinStillApplies(hop) ? hop.hostKey : null,
  };
}

/**
 * The contract's SSH settings (or null when the section is off), plus local field messages
 * keyed like the server's ("ssh.port", "ssh.jump.keyPath"), and the secrets to send apart.
 */
export function sshToInput(form: SshForm): { ssh: SshSettingsInput | null; errors: Record<string, string>; sshSecret?: string; jumpSecret?: string } {
  const errors: Record<string, string> = {};
  if (!form.enabled) return { ssh: null, errors };
  const keepalive = wholeNumber(form.keepaliveIntervalSec);
  if (keepalive === 'invalid') errors['ssh.keepaliveIntervalSec'] = 'keepalive must be a whole number of seconds (0 turns it off)';
  const ssh: SshSettingsInput = {
    ...hopInput(form, 'ssh.', errors),
    jump: form.jumpEnabled ? hopInput(form.jump, 'ssh.jump.', errors) : null,
    keepaliveIntervalSec: typeof keepalive === 'number' ? keepalive : 15,
  };
  const usesSecret = (hop: SshHopForm) => hop.auth !== 'agent' && hop.secret !== '';
  return {
    ssh,
    errors,
    ...(usesSecret(form) ? { sshSecret: form.secret } : {}),
    ...(form.jumpEnabled && usesSecret(form.jump) ? { jumpSecret: form.jump.secret } : {}),
  };
}

/** "ED25519" for "ssh-ed25519", as `ssh` names key types when it asks. */
export function keyTypeLabel(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type === 'ssh-rsa' || type.startsWith('rsa-sha2')) return 'RSA';
  if (type.startsWith('ecdsa-sha2')) return 'ECDSA';
  if (type === 'ssh-dss') return 'DSA';
  return type.replace(/^ssh-/, '').toUpperCase();
}

export function hopAddress(h: Pick<SshHopFields, 'user' | 'host' | 'port'>): string {
  return `${h.user}@${h.host}:${h.port}`;
}

/** user@bastion:22 → [jump →] db:5432, in the order the packets travel. */
export function sshRoute(p: Pick<Profile, 'host' | 'port'> & { ssh: SshSettings | null }): string | null {
  if (!p.ssh) return null;
  const hops = [...(p.ssh.jump ? [hopAddress(p.ssh.jump)] : []), hopAddress(p.ssh), `${p.host}:${p.port}`];
  return hops.join(' → ');
}
