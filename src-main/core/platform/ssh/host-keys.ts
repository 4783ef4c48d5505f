// Host key trust for SSH tunnels: a profile pins one host key; every connection compares the
// key the server presents (ssh2's hostVerifier gets the raw wire-format blob) against the pin.
// Nothing is ever accepted silently: no pin → 'unknown' (the UI asks), different → refuse.

import { OpsError } from '../../../contract/errors';
import { entryMatchesHost, knownHostsLookupName, parseKnownHostsLine } from './known-hosts';
import { decodeBase64Strict, fingerprintSha256, isHostKeyType, keyTypeOfBlob, parsePublicKeyLine } from './public-key';

export { fingerprintSha256, parsePublicKeyLine } from './public-key';
export type { ParsedPublicKey } from './public-key';

export interface HostKeyPin {
  type: string;
  fingerprint: string;
  /** Wire-format public key, base64 (the middle field of a known_hosts line). */
  blob: string;
}

export type HostKeyCheck =
  | { status: 'match' }
  | { status: 'unknown'; fingerprint: string; type: string }
  | { status: 'mismatch'; expected: string; presented: string; message: string }
  | { status: 'revoked'; presented: string; message: string };

export interface CheckHostKeyOptions {
  /** `host:port` for the messages, e.g. "bastion.timothie.co:22". */
  host?: string;
  /** Keys marked @revoked (from findKnownHostKeys): refused even when pinned. */
  revoked?: ReadonlyArray<{ blob: string }>;
}

export function pinFromBlob(blob: Buffer): HostKeyPin {
  const type = keyTypeOfBlob(blob);
  if (type === null) throw new OpsError('INVALID_INPUT', 'The SSH server presented a host key that is not a valid SSH public key.');
  return { type, fingerprint: fingerprintSha256(blob), blob: blob.toString('base64') };
}

/**
 * Turns what the user pastes (`--ssh-known-host "LINE"`) into a pin. Accepts a known_hosts
 * line — plain, `[host]:port`, or hashed — that must name this host:port, or a bare
 * `keytype base64` public key (e.g. the server's ssh_host_ed25519_key.pub).
 */
export function pinFromKnownHostsLine(line: string, host: string, port: number): HostKeyPin {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) {
    throw new OpsError('INVALID_INPUT', "SSH known host: the line is empty; paste a known_hosts line or the server's public host key.");
  }
  const first = trimmed.split(/\s+/)[0] ?? '';
  if (isHostKeyType(first)) {
    const key = parsePublicKeyLine(trimmed);
    return { type: key.type, fingerprint: key.fingerprint, blob: key.blob.toString('base64') };
  }
  const entry = parseKnownHostsLine(trimmed);
  if (entry === null) throw new OpsError('INVALID_INPUT', 'SSH known host: the line is a comment.');
  if (entry.marker === 'revoked') {
    throw new OpsError('INVALID_INPUT', `SSH known host: this line marks key ${entry.fingerprint} as @revoked; a revoked key cannot be trusted.`);
  }
  if (entry.marker === 'cert-authority') {
    throw new OpsError('INVALID_INPUT', "SSH known host: @cert-authority lines (host certificates) are not supported; paste the server's own host key line.");
  }
  if (!entryMatchesHost(entry, host, port)) {
    const wanted = knownHostsLookupName(host, port);
    const names = entry.hashed ? 'a hashed host name that is not it' : `"${entry.hostField}"`;
    throw new OpsError(
      'INVALID_INPUT',
      `SSH known host: the line is for ${names}, not for ${wanted}. ` +
        (port === 22 ? '' : `For port ${port} OpenSSH writes the host as "${wanted}". `) +
        'Paste the line for this SSH server, or just "keytype base64-key".',
    );
  }
  return { type: entry.type, fingerprint: entry.fingerprint, blob: entry.blob.toString('base64') };
}

const BANNER = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
].join('\n');

function mismatchMessage(server: string, pin: HostKeyPin, presentedType: string, presented: string): string {
  return [
    BANNER,
    `${server} presented a DIFFERENT host key than the one pinned in this profile.`,
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY (a man-in-the-middle attack),',
    'or the server was rebuilt and got a new host key.',
    `Pinned key:    ${pin.type} ${pin.fingerprint}`,
    `Presented key: ${presentedType} ${presented}`,
    'The connection was refused. Do not proceed until you have confirmed the new fingerprint',
    "with the server's administrator through another channel (e.g. `ssh-keygen -lf",
    '/etc/ssh/ssh_host_*_key.pub` run on the server itself). Then replace the pin deliberately:',
    'in the app, Profiles → Test connection → "Replace pinned key…"; from the CLI, recreate',
    'the profile with --ssh-known-host "LINE" holding the verified key.',
  ].join('\n');
}

/** Compares the server's key with the profile's pin. Never returns 'match' without a pin. */
export function checkHostKey(presented: Buffer, pin: HostKeyPin | null, opts: CheckHostKeyOptions = {}): HostKeyCheck {
  const server = opts.host === undefined ? 'The SSH server' : `The SSH server at ${opts.host}`;
  const fingerprint = fingerprintSha256(presented);
  const type = keyTypeOfBlob(presented) ?? 'unknown-type';
  const presentedB64 = presented.toString('base64');
  if (opts.revoked?.some((k) => k.blob === presentedB64)) {
    return {
      status: 'revoked',
      presented: fingerprint,
      message:
        `${server} presented host key ${type} ${fingerprint}, which known_hosts marks as @revoked. ` +
        'The connection was refused: a revoked key is never trusted, pinned or not.',
    };
  }
  if (pin === null) return { status: 'unknown', fingerprint, type };
  // Compare the whole key, not just the fingerprint string, so a hand-edited pin whose
  // fingerprint field disagrees with its blob cannot vouch for anything.
  const pinned = decodeBase64Strict(pin.blob);
  if (pinned !== null && pinned.equals(presented) && fingerprintSha256(pinned) === pin.fingerprint) return { status: 'match' };
  return {
    status: 'mismatch',
    expected: pin.fingerprint,
    presented: fingerprint,
    message: mismatchMessage(server, pin, type, fingerprint),
  };
}

/**
 * Host key algorithms to offer ssh2 (`algorithms.serverHostKey`) for a pinned key, so a
 * server that has both ed25519 and RSA keys presents the pinned one instead of tripping a
 * false "changed key" alarm. Null (no pin) → let ssh2 use its defaults.
 */
export function hostKeyAlgorithmsForPin(pin: HostKeyPin | null): string[] | null {
  if (pin === null) return null;
  if (pin.type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [pin.type];
}
