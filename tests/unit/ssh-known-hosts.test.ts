import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { findKnownHostKeys, knownHostsLookupName, parseKnownHostsLine } from '../../src-main/core/platform/ssh/known-hosts';

// `ssh-keygen -F NAME -f FILE` is OpenSSH's own known_hosts lookup: it prints
// "# Host NAME found: line N [REVOKED|CA]" for every entry that applies. Our lookup must
// find exactly the same lines, hashed or not.

let dir = '';
const pub: Record<string, string> = {};
const fp: Record<string, string> = {};

function gen(name: string, type: string): void {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  pub[name] = fs.readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  fp[name] = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
}

function p(name: string): string {
  const v = pub[name];
  if (v === undefined) throw new Error(`no key ${name}`);
  return v;
}

function opensshLines(name: string, file: string): string[] {
  let out: string;
  try {
    out = execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // exit 1: not found
  }
  return [...out.matchAll(/^# Host .* found: line (\d+)\s*(REVOKED|CA)?\s*$/gm)].map((m) => `${m[1]}${m[2] ? ` ${m[2]}` : ''}`).sort();
}

function ourLines(host: string, port: number, file: string): string[] {
  const r = findKnownHostKeys(host, port, { file });
  const line = (source: string): string => source.slice(source.lastIndexOf(':') + 1);
  return [
    ...r.keys.map((k) => line(k.source)),
    ...r.revoked.map((k) => `${line(k.source)} REVOKED`),
    ...r.unsupported.map((u) => `${/:(\d+):/.exec(u)?.[1] ?? '?'} CA`),
  ].sort();
}

let plainFile = '';
let hashedFile = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-knownhosts-'));
  gen('a', 'ed25519');
  gen('b', 'ecdsa');
  gen('c', 'rsa');
  gen('d', 'ed25519');
  gen('e', 'ed25519');
  gen('ca', 'ed25519');
  const content = [
    '# trusted hosts',
    `db1.internal,10.0.0.5 ${p('a')}`,
    `[db1.internal]:2222 ${p('b')}`,
    `*.prod.internal,!legacy.prod.internal ${p('c')}`,
    '',
    `[bastion?.example]:2200 ${p('d')} ops@laptop`,
    `@revoked * ${p('e')}`,
    `@cert-authority *.ca.internal ${p('ca')}`,
    `BASTION1.EXAMPLE ${p('a')}`,
  ].join('\n');
  plainFile = path.join(dir, 'known_hosts');
  fs.writeFileSync(plainFile, `${content}\n`);
  hashedFile = path.join(dir, 'known_hosts_hashed');
  fs.writeFileSync(hashedFile, `${content}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', hashedFile], { stdio: 'ignore' });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LOOKUPS: Array<[string, number]> = [
  ['db1.internal', 22],
  ['10.0.0.5', 22],
  ['db1.internal', 2222],
  ['db1.internal', 2200],
  ['x.prod.internal', 22],
  ['legacy.prod.internal', 22],
  ['prod.internal', 22],
  ['bastion1.example', 2200],
  ['bastion1.example', 22],
  ['bastion12.example', 2200],
  ['h.ca.internal', 22],
  ['nowhere', 22],
];

describe('findKnownHostKeys agrees with ssh-keygen -F', () => {
  it('the hashed fixture really is hashed by ssh-keygen -H', () => {
    const text = fs.readFileSync(hashedFile, 'utf8');
    expect(text).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /m);
    expect(text).not.toContain('db1.internal');
  });

  it.each(LOOKUPS)('plain file: %s port %d', (host, port) => {
    const expected = opensshLines(knownHostsLookupName(host, port), plainFile);
    expect(ourLines(host, port, plainFile)).toEqual(expected);
  });

  it.each(LOOKUPS)('hashed file: %s port %d', (host, port) => {
    const expected = opensshLines(knownHostsLookupName(host, port), hashedFile);
    expect(ourLines(host, port, hashedFile)).toEqual(expected);
  });

  it('the oracle is not trivially empty: the interesting lookups find keys', () => {
    expect(opensshLines('db1.internal', hashedFile).length).toBeGreaterThan(0);
    expect(opensshLines('[db1.internal]:2222', hashedFile).length).toBeGreaterThan(0);
    expect(opensshLines('x.prod.internal', plainFile)).toContain('4');
    expect(opensshLines('legacy.prod.internal', plainFile)).not.toContain('4');
  });
});

describe('findKnownHostKeys results', () => {
  it('returns fingerprints as ssh-keygen prints them, hashed or not', () => {
    const plain = findKnownHostKeys('db1.internal', 2222, { file: plainFile });
    expect(plain.keys.map((k) => k.fingerprint)).toEqual([fp.b]);
    const hashed = findKnownHostKeys('db1.internal', 22, { file: hashedFile });
    expect(hashed.keys.map((k) => [k.fingerprint, k.hashed])).toEqual([[fp.a, true]]);
    expect(Buffer.from(hashed.keys[0]?.blob ?? '', 'base64').toString('base64')).toBe(p('a').split(' ')[1]);
  });

  it('returns a revoked key separately and never as trusted, even if another line trusts it', () => {
    const text = `bastion1.example ${p('d')}\n@revoked bastion* ${p('d')}\nbastion1.example ${p('a')}\n`;
    const r = findKnownHostKeys('bastion1.example', 22, { text });
    expect(r.revoked.map((k) => k.fingerprint)).toEqual([fp.d]);
    expect(r.keys.map((k) => k.fingerprint)).toEqual([fp.a]);
  });

  it('reports @cert-authority as unsupported instead of trusting it', () => {
    const r = findKnownHostKeys('h.ca.internal', 22, { file: plainFile });
    expect(r.keys).toEqual([]);
    expect(r.unsupported[0]).toContain('@cert-authority');
  });

  it('skips a malformed line with a warning and still finds the rest', () => {
    const text = `db1 ssh-ed25519 AAAA!!\ndb1 ssh-foo AAAAB3\ngarbage\ndb1 ${p('a')}\n`;
    const r = findKnownHostKeys('db1', 22, { text });
    expect(r.keys.map((k) => k.source)).toEqual(['text:4']);
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings[0]).toContain('text:1');
  });

  it('reads ~/.ssh/known_hosts and the system file by default, and tolerates their absence', () => {
    const home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), `db1 ${p('a')}\n`);
    const system = path.join(dir, 'ssh_known_hosts');
    fs.writeFileSync(system, `db1 ${p('c')}\n`);
    const r = findKnownHostKeys('db1', 22, { home, systemFiles: [system, path.join(dir, 'missing')] });
    expect(r.keys.map((k) => k.fingerprint)).toEqual([fp.a, fp.c]);
    expect(r.searched).toEqual([path.join(home, '.ssh', 'known_hosts'), system]);
    expect(r.warnings).toEqual([]);
    const none = findKnownHostKeys('db1', 22, { home: path.join(dir, 'nohome'), systemFiles: [] });
    expect(none.keys).toEqual([]);
  });

  it('says clearly when an explicitly named file is missing', () => {
    let err: unknown;
    try {
      findKnownHostKeys('db1', 22, { file: path.join(dir, 'nope') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).code).toBe('NOT_FOUND');
    expect((err as OpsError).message).toContain('nope');
  });
});

describe('parseKnownHostsLine', () => {
  it('parses markers and hashed host fields and ignores comments', () => {
    expect(parseKnownHostsLine('  # comment')).toBeNull();
    expect(parseKnownHostsLine('')).toBeNull();
    const revoked = parseKnownHostsLine(`@revoked * ${p('a')} note`);
    expect(revoked?.marker).toBe('revoked');
    expect(revoked?.comment).toBe('note');
    expect(() => parseKnownHostsLine(`@bogus * ${p('a')}`)).toThrow(/unknown marker/);
    expect(() => parseKnownHostsLine(`|1|onlysalt ${p('a')}`)).toThrow(/hashed host/);
  });
});
