import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Server } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import {
  checkHostKey,
  fingerprintSha256,
  hostKeyAlgorithmsForPin,
  parsePublicKeyLine,
  pinFromBlob,
  pinFromKnownHostsLine,
  type HostKeyPin,
} from '../../src-main/core/platform/ssh/host-keys';

// Real OpenSSH is the oracle: keys come from ssh-keygen and so do the expected fingerprints.
interface Generated {
  pubLine: string;
  privateKey: Buffer;
  fingerprint: string;
  type: string;
}

let dir = '';
const keys: Record<string, Generated> = {};

function generate(name: string, args: string[]): Generated {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', `${name}@test`, '-f', file]);
  const pubLine = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  // "256 SHA256:abc… comment (ED25519)"
  const listed = execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', `${file}.pub`], { encoding: 'utf8' })
    .trim()
    .split(' ');
  return { pubLine, privateKey: fs.readFileSync(file), fingerprint: listed[1] ?? '', type: pubLine.split(' ')[0] ?? '' };
}

function errorOf(fn: () => unknown): OpsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error('expected an OpsError');
}

function pinOf(g: Generated): HostKeyPin {
  const key = parsePublicKeyLine(g.pubLine);
  return { type: key.type, fingerprint: key.fingerprint, blob: key.blob.toString('base64') };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-hostkeys-'));
  keys.ed25519 = generate('ed25519', ['-t', 'ed25519']);
  keys.ed25519b = generate('ed25519b', ['-t', 'ed25519']);
  keys.rsa = generate('rsa', ['-t', 'rsa', '-b', '2048']);
  keys.ecdsa256 = generate('ecdsa256', ['-t', 'ecdsa', '-b', '256']);
  keys.ecdsa384 = generate('ecdsa384', ['-t', 'ecdsa', '-b', '384']);
  keys.ecdsa521 = generate('ecdsa521', ['-t', 'ecdsa', '-b', '521']);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function key(name: string): Generated {
  const g = keys[name];
  if (g === undefined) throw new Error(`no key ${name}`);
  return g;
}

describe('fingerprintSha256 / parsePublicKeyLine', () => {
  it.each(['ed25519', 'rsa', 'ecdsa256', 'ecdsa384', 'ecdsa521'])('prints the same SHA256 fingerprint as ssh-keygen -lf for %s', (name) => {
    const g = key(name);
    expect(g.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const parsed = parsePublicKeyLine(g.pubLine);
    expect(parsed.fingerprint).toBe(g.fingerprint);
    expect(fingerprintSha256(parsed.blob)).toBe(g.fingerprint);
    expect(parsed.type).toBe(g.type);
    expect(parsed.comment).toBe(`${name}@test`);
  });

  it('rejects a truncated key, a mislabelled key and a non-key with INVALID_INPUT', () => {
    const [type, b64] = key('ed25519').pubLine.split(' ') as [string, string];
    const truncated = errorOf(() => parsePublicKeyLine(`${type} ${b64.slice(0, 10)}`));
    expect(truncated.code).toBe('INVALID_INPUT');
    const relabelled = errorOf(() => parsePublicKeyLine(`ssh-rsa ${b64}`));
    expect(relabelled.message).toContain('"ssh-ed25519"');
    expect(errorOf(() => parsePublicKeyLine('hello world')).message).toContain('"hello" is not an SSH public key type');
    expect(errorOf(() => parsePublicKeyLine('ssh-ed25519')).code).toBe('INVALID_INPUT');
    expect(errorOf(() => parsePublicKeyLine(`${type} ${b64}!!`)).message).toContain('not valid base64');
  });
});

describe('pinFromKnownHostsLine', () => {
  it('accepts a plain known_hosts line for the host, by name or by IP in the list', () => {
    const g = key('ed25519');
    const line = `db1.internal,10.0.0.5 ${g.pubLine}`;
    expect(pinFromKnownHostsLine(line, 'db1.internal', 22)).toEqual(pinOf(g));
    expect(pinFromKnownHostsLine(line, '10.0.0.5', 22).fingerprint).toBe(g.fingerprint);
  });

  it('refuses a line that is for another host or another port, and says which form port N needs', () => {
    const g = key('ed25519');
    const other = errorOf(() => pinFromKnownHostsLine(`db2.internal ${g.pubLine}`, 'db1.internal', 22));
    expect(other.code).toBe('INVALID_INPUT');
    expect(other.message).toContain('"db2.internal"');
    const port = errorOf(() => pinFromKnownHostsLine(`db1.internal ${g.pubLine}`, 'db1.internal', 2222));
    expect(port.message).toContain('[db1.internal]:2222');
    expect(pinFromKnownHostsLine(`[db1.internal]:2222 ${g.pubLine}`, 'db1.internal', 2222).fingerprint).toBe(g.fingerprint);
    expect(() => pinFromKnownHostsLine(`[db1.internal]:2222 ${g.pubLine}`, 'db1.internal', 22)).toThrow(OpsError);
  });

  it('matches hashed lines written by ssh-keygen -H against host and port', () => {
    const g = key('rsa');
    const file = path.join(dir, 'kh-hash');
    fs.writeFileSync(file, `bastion.example ${g.pubLine}\n[bastion.example]:2200 ${g.pubLine}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const [plain22, plain2200] = fs.readFileSync(file, 'utf8').trim().split('\n') as [string, string];
    expect(plain22.startsWith('|1|')).toBe(true);
    expect(pinFromKnownHostsLine(plain22, 'bastion.example', 22).fingerprint).toBe(g.fingerprint);
    expect(pinFromKnownHostsLine(plain2200, 'bastion.example', 2200).fingerprint).toBe(g.fingerprint);
    expect(errorOf(() => pinFromKnownHostsLine(plain22, 'bastion.example', 2200)).message).toContain('hashed host name');
    expect(() => pinFromKnownHostsLine(plain22, 'other.example', 22)).toThrow(OpsError);
  });

  it('accepts a bare public key line and refuses @revoked, @cert-authority and garbage', () => {
    const g = key('ecdsa256');
    expect(pinFromKnownHostsLine(g.pubLine, 'anything', 22)).toEqual(pinOf(g));
    expect(errorOf(() => pinFromKnownHostsLine(`@revoked db1 ${g.pubLine}`, 'db1', 22)).message).toContain('revoked');
    expect(errorOf(() => pinFromKnownHostsLine(`@cert-authority db1 ${g.pubLine}`, 'db1', 22)).message).toContain('not supported');
    expect(errorOf(() => pinFromKnownHostsLine('', 'db1', 22)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => pinFromKnownHostsLine('db1 not-a-key', 'db1', 22)).code).toBe('INVALID_INPUT');
    expect(errorOf(() => pinFromKnownHostsLine('db1 ssh-ed25519 AAAA', 'db1', 22)).code).toBe('INVALID_INPUT');
  });
});

describe('checkHostKey', () => {
  it('reports an unknown key with the fingerprint ssh prints, never a match', () => {
    const g = key('ed25519');
    const blob = parsePublicKeyLine(g.pubLine).blob;
    expect(checkHostKey(blob, null)).toEqual({ status: 'unknown', fingerprint: g.fingerprint, type: 'ssh-ed25519' });
  });

  it('matches the pinned key and refuses a different one, loudly naming both fingerprints', () => {
    const pinned = key('ed25519');
    const attacker = key('ed25519b');
    const pin = pinOf(pinned);
    expect(checkHostKey(parsePublicKeyLine(pinned.pubLine).blob, pin)).toEqual({ status: 'match' });
    const result = checkHostKey(parsePublicKeyLine(attacker.pubLine).blob, pin, { host: 'bastion.example:22' });
    expect(result.status).toBe('mismatch');
    if (result.status !== 'mismatch') return;
    expect(result.expected).toBe(pinned.fingerprint);
    expect(result.presented).toBe(attacker.fingerprint);
    expect(result.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(result.message).toContain(pinned.fingerprint);
    expect(result.message).toContain(attacker.fingerprint);
    expect(result.message).toContain('bastion.example:22');
    expect(result.message).toContain('--ssh-known-host');
  });

  it('treats a different key type as a mismatch and a pin whose fingerprint disagrees with its blob as untrusted', () => {
    const pin = pinOf(key('ed25519'));
    expect(checkHostKey(parsePublicKeyLine(key('rsa').pubLine).blob, pin).status).toBe('mismatch');
    const forged: HostKeyPin = { ...pin, fingerprint: key('rsa').fingerprint };
    expect(checkHostKey(parsePublicKeyLine(key('ed25519').pubLine).blob, forged).status).toBe('mismatch');
  });

  it('refuses a revoked key even when it is the pinned one', () => {
    const g = key('ecdsa384');
    const blob = parsePublicKeyLine(g.pubLine).blob;
    const result = checkHostKey(blob, pinOf(g), { revoked: [{ blob: blob.toString('base64') }] });
    expect(result.status).toBe('revoked');
    if (result.status === 'revoked') expect(result.message).toContain(g.fingerprint);
  });

  it('offers ssh2 only the pinned key algorithm', () => {
    expect(hostKeyAlgorithmsForPin(pinOf(key('ed25519')))).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithmsForPin(pinOf(key('rsa')))).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithmsForPin(pinOf(key('ecdsa521')))).toEqual(['ecdsa-sha2-nistp521']);
    expect(hostKeyAlgorithmsForPin(null)).toBeNull();
  });
});

describe('with ssh2 on loopback', () => {
  // Proves the assumption the whole module rests on: ssh2's hostVerifier receives the
  // wire-format blob, whose hash is the fingerprint ssh-keygen prints for the host key.
  it.each(['ed25519', 'ecdsa256', 'rsa'])('the %s key ssh2 hands to hostVerifier fingerprints like ssh-keygen', async (name) => {
    const g = key(name);
    const server = new Server({ hostKeys: [g.privateKey] }, (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => ctx.reject());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const seen = await new Promise<Buffer>((resolve, reject) => {
        const conn = new Client();
        let captured: Buffer | null = null;
        conn.on('error', () => (captured === null ? reject(new Error('no host key seen')) : resolve(captured)));
        conn.connect({
          host: '127.0.0.1',
          port,
          username: 'nobody',
          readyTimeout: 10_000,
          hostVerifier: (presented: Buffer) => {
            captured = presented;
            return false;
          },
        });
      });
      expect(fingerprintSha256(seen)).toBe(g.fingerprint);
      expect(pinFromBlob(seen)).toEqual(pinOf(g));
      expect(checkHostKey(seen, pinOf(g))).toEqual({ status: 'match' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
