// Checks a profile's SSH settings when it is saved, so a missing key file or a mangled
// host key pin is reported on the form now, not at 3 AM when the tunnel is first needed.
import type { HostKeyPin, ProfileFields, SshHopFields, SshSettings } from '../../../contract/models';
import { decodeBase64Strict, fingerprintSha256, keyTypeOfBlob } from '../ssh/public-key';
import { fieldError, requireReadableFile } from './field-checks';

/** The key file must exist, be a regular file and be readable by this process. */
function checkKeyFile(field: string, keyPath: string): string {
  return requireReadableFile(field, keyPath, 'SSH private key file');
}

/**
 * A pin must be a whole, self-consistent key: its blob decodes to a key of the stated type
 * and hashes to the stated fingerprint. Anything else could never match, or worse, could
 * make a reader believe a key is pinned that is not.
 */
export function checkPin(field: string, pin: HostKeyPin): HostKeyPin {
  const blob = decodeBase64Strict(pin.blob);
  if (blob === null) throw fieldError(field, 'the pinned host key is not valid base64 (paste the whole known_hosts line again)');
  const type = keyTypeOfBlob(blob);
  if (type === null) throw fieldError(field, 'the pinned host key is not an SSH public key');
  if (type !== pin.type) throw fieldError(field, `the pinned host key says type "${pin.type}" but the key inside is "${type}"`);
  const fingerprint = fingerprintSha256(blob);
  if (fingerprint !== pin.fingerprint) {
    throw fieldError(field, `the pinned fingerprint ${pin.fingerprint} does not belong to the pinned key (which is ${fingerprint})`);
  }
  return pin;
}

function checkHop<T extends SshHopFields>(prefix: string, hop: T): T {
  let keyPath = hop.keyPath;
  if (hop.auth === 'key') {
    if (keyPath === null) throw fieldError(`${prefix}.keyPath`, 'SSH authentication by key needs a private key file (or choose ssh-agent or password)');
    keyPath = checkKeyFile(`${prefix}.keyPath`, keyPath);
  }
  const hostKey = hop.hostKey === null ? null : checkPin(`${prefix}.hostKey`, hop.hostKey);
  return { ...hop, keyPath, hostKey };
}

/** Validated, normalised SSH settings (key paths absolute), or null for a direct profile. */
export function checkSshSettings(fields: ProfileFields): SshSettings | null {
  const ssh = fields.ssh;
  if (ssh === null) return null;
  if (fields.host.startsWith('/')) {
    throw fieldError('host', 'a Unix socket directory cannot be reached through an SSH tunnel; give the database host as the bastion sees it (e.g. 127.0.0.1)');
  }
  const bastion = checkHop('ssh', ssh);
  const jump = ssh.jump === null ? null : checkHop('ssh.jump', ssh.jump);
  return { ...bastion, jump };
}
