// Reads OpenSSH known_hosts files the way `ssh` does (hostfile.c), so a host the DBA has
// already verified with plain `ssh` is recognised here without asking again — and a key
// OpenSSH would refuse (@revoked) is refused here too.

import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';
import { matchPatternList } from './match-pattern';
import { decodeBase64Strict, decodeKeyFields, fingerprintSha256 } from './public-key';

export type KnownHostsMarker = 'revoked' | 'cert-authority' | null;

export interface KnownHostsEntry {
  marker: KnownHostsMarker;
  /** The host field as written: `a,b,[c]:2222` or `|1|salt|hash`. */
  hostField: string;
  hashed: boolean;
  type: string;
  blob: Buffer;
  fingerprint: string;
  comment: string;
}

export interface KnownHostKey {
  type: string;
  fingerprint: string;
  /** Wire-format key, base64 — the same shape as HostKeyPin.blob. */
  blob: string;
  /** `path:line` (or `text:line`) so the UI can say where the trust came from. */
  source: string;
  hashed: boolean;
}

export interface KnownHostsLookup {
  /** Keys that vouch for this host; empty means "first contact: ask the user". */
  keys: KnownHostKey[];
  /** Keys marked @revoked for this host: the caller must refuse a server presenting one. */
  revoked: KnownHostKey[];
  /** Matching entries this app cannot use (host certificates), explained in words. */
  unsupported: string[];
  /** Lines skipped as unreadable, files that could not be read. */
  warnings: string[];
  /** The files actually read. */
  searched: string[];
}

export interface FindKnownHostsOptions {
  /** Read only this file (must exist). */
  file?: string;
  /** Parse this text instead of any file (e.g. a pasted block). */
  text?: string;
  /** Home directory for the default ~/.ssh/known_hosts; defaults to os.homedir(). */
  home?: string;
  /** System-wide files; defaults to /etc/ssh/ssh_known_hosts{,2}. */
  systemFiles?: string[];
}

const HASH_MAGIC = '|1|';

/** The name OpenSSH writes and looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsLookupName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** `|1|salt|hmac` → HMAC-SHA1(key = salt, data = lookup name) compared with hmac. */
function hashedFieldMatches(hostField: string, name: string): boolean {
  const parts = hostField.slice(HASH_MAGIC.length).split('|');
  if (parts.length !== 2) return false;
  const salt = decodeBase64Strict(parts[0] ?? '');
  const expected = decodeBase64Strict(parts[1] ?? '');
  if (salt === null || expected === null || expected.length !== 20) return false;
  const actual = createHmac('sha1', salt).update(name).digest();
  return timingSafeEqual(actual, expected);
}

/** Whether an entry's host field covers host:port, with OpenSSH's negation and wildcards. */
export function entryMatchesHost(entry: Pick<KnownHostsEntry, 'hostField' | 'hashed'>, host: string, port: number): boolean {
  const name = knownHostsLookupName(host, port);
  if (entry.hashed) return hashedFieldMatches(entry.hostField, name);
  return matchPatternList(name, entry.hostField.split(','), true) === 'positive';
}

/**
 * One known_hosts line → entry, or null for blank lines and comments. Throws INVALID_INPUT
 * with the reason for a line that is not a known_hosts entry.
 */
export function parseKnownHostsLine(line: string): KnownHostsEntry | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const fields = trimmed.split(/\s+/);
  let marker: KnownHostsMarker = null;
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') marker = 'cert-authority';
    else throw new OpsError('INVALID_INPUT', `known_hosts line: unknown marker "${word}" (OpenSSH knows @revoked and @cert-authority).`);
  }
  const [hostField, type, base64, ...rest] = fields;
  if (hostField === undefined || type === undefined || base64 === undefined) {
    throw new OpsError('INVALID_INPUT', 'known_hosts line: expected "host[,host…] keytype base64-key [comment]".');
  }
  const hashed = hostField.startsWith(HASH_MAGIC);
  if (hashed && hostField.slice(HASH_MAGIC.length).split('|').length !== 2) {
    throw new OpsError('INVALID_INPUT', 'known_hosts line: a hashed host must look like "|1|salt|hash".');
  }
  const blob = decodeKeyFields(type, base64, 'known_hosts line');
  return { marker, hostField, hashed, type, blob, fingerprint: fingerprintSha256(blob), comment: rest.join(' ') };
}

export function defaultKnownHostsFiles(home: string = os.homedir()): string[] {
  return [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')];
}

const DEFAULT_SYSTEM_FILES = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

interface Source {
  name: string;
  text: string;
}

function readSources(opts: FindKnownHostsOptions, warnings: string[]): Source[] {
  if (opts.text !== undefined) return [{ name: 'text', text: opts.text }];
  if (opts.file !== undefined) {
    try {
      return [{ name: opts.file, text: fs.readFileSync(opts.file, 'utf8') }];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new OpsError('NOT_FOUND', `known_hosts file ${opts.file} does not exist.`);
      throw new OpsError('INVALID_INPUT', `Cannot read known_hosts file ${opts.file}: ${(err as Error).message}`);
    }
  }
  const sources: Source[] = [];
  for (const file of [...defaultKnownHostsFiles(opts.home), ...(opts.systemFiles ?? DEFAULT_SYSTEM_FILES)]) {
    try {
      sources.push({ name: file, text: fs.readFileSync(file, 'utf8') });
    } catch (err) {
      // No known_hosts yet is the normal first-contact case, not worth a warning.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`Could not read ${file}: ${(err as Error).message}`);
    }
  }
  return sources;
}

function toKey(entry: KnownHostsEntry, source: string): KnownHostKey {
  return { type: entry.type, fingerprint: entry.fingerprint, blob: entry.blob.toString('base64'), source, hashed: entry.hashed };
}

/** Every key the known_hosts files hold for host:port, split into trusted and revoked. */
export function findKnownHostKeys(host: string, port: number, opts: FindKnownHostsOptions = {}): KnownHostsLookup {
  const result: KnownHostsLookup = { keys: [], revoked: [], unsupported: [], warnings: [], searched: [] };
  for (const src of readSources(opts, result.warnings)) {
    result.searched.push(src.name);
    src.text.split(/\r?\n/).forEach((line, index) => {
      const where = `${src.name}:${index + 1}`;
      let entry: KnownHostsEntry | null;
      try {
        entry = parseKnownHostsLine(line);
      } catch (err) {
        // One odd line (an exotic key type, a hand edit) must not hide the rest of the file.
        result.warnings.push(`${where}: skipped — ${(err as Error).message}`);
        return;
      }
      if (entry === null || !entryMatchesHost(entry, host, port)) return;
      if (entry.marker === 'revoked') result.revoked.push(toKey(entry, where));
      else if (entry.marker === 'cert-authority') {
        result.unsupported.push(`${where}: @cert-authority entry (SSH host certificates) is not supported; pin the server's own host key instead.`);
      } else result.keys.push(toKey(entry, where));
    });
  }
  // A key listed as trusted in one file and @revoked in another is revoked, as in OpenSSH.
  const revoked = new Set(result.revoked.map((k) => k.blob));
  result.keys = result.keys.filter((k) => !revoked.has(k.blob));
  return result;
}
