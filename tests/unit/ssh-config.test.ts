import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { parseSshConfig, resolveSshHost } from '../../src-main/core/platform/ssh/ssh-config';

// `ssh -G -F FILE ALIAS` prints the configuration OpenSSH itself resolves, without
// connecting: it is the oracle for hostname, user, port, proxyjump and serveraliveinterval.

let dir = '';
const localUser = os.userInfo().username;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

interface Core {
  hostname: string;
  user: string;
  port: string;
  proxyjump: string | null;
  serveraliveinterval: string;
}

function openssh(file: string, alias: string): Core {
  const out = execFileSync('ssh', ['-G', '-F', file, alias], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const get = (k: string): string | null => new RegExp(`^${k} (.*)$`, 'm').exec(out)?.[1] ?? null;
  return {
    hostname: get('hostname') ?? '',
    user: get('user') ?? '',
    port: get('port') ?? '',
    proxyjump: get('proxyjump'),
    serveraliveinterval: get('serveraliveinterval') ?? '',
  };
}

function ours(file: string, alias: string): Core {
  const r = resolveSshHost(alias, { file, env: { HOME: dir, USER: localUser }, requireHostEntry: false });
  return {
    hostname: r.hostName,
    user: r.user,
    port: String(r.port),
    proxyjump: r.proxyJump,
    serveraliveinterval: String(r.serverAliveInterval ?? 0),
  };
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

let mainFile = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sshconfig-'));
  write('conf.d/10-prod.conf', ['Host prod-*', '  User prod_ops', '  ProxyJump jump.prod.example:2222', ''].join('\n'));
  write('conf.d/20-later.conf', ['Host prod-db', '  User too_late', '  Port 6000', ''].join('\n'));
  write('inner.conf', ['HostName inner.example', 'Host other', '  User other_user', ''].join('\n'));
  mainFile = write(
    'config',
    [
      '# Timothie & Co',
      `Include ${path.join(dir, 'conf.d')}/*.conf`,
      '',
      'Host db-bastion bastion',
      '    HostName Bastion.Timothie.Example',
      '    User=ops',
      '    Port = 2200',
      '    ServerAliveInterval 1m',
      '    IdentityFile ~/.ssh/id_bastion',
      '',
      'Host *.internal !secret.internal',
      '  USER "internal user"',
      '  proxyjump db-bastion',
      '',
      'Host wrapped',
      `  Include ${path.join(dir, 'inner.conf')}`,
      '  Port 2022',
      '',
      'Host skipped',
      `  Include ${path.join(dir, 'inner.conf')}`,
      '',
      'Host noproxy',
      '  ProxyJump none',
      '',
      'Host cmd',
      '  ProxyCommand nc %h %p',
      '  ProxyJump ignored-because-second',
      '',
      'Host pct',
      '  HostName %h.example.com',
      '',
      'Host *',
      '  User fallback',
      '  ServerAliveInterval 15',
      '  ProxyJump star-jump',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const ALIASES = ['db-bastion', 'bastion', 'prod-db', 'prod-web', 'a.internal', 'secret.internal', 'wrapped', 'noproxy', 'cmd', 'pct', 'other'];

describe('resolveSshHost agrees with ssh -G', () => {
  it.each(ALIASES)('%s', (alias) => {
    expect(ours(mainFile, alias)).toEqual(openssh(mainFile, alias));
  });

  it('the oracle really exercises first-wins, Include, negation and ProxyJump', () => {
    expect(openssh(mainFile, 'prod-db')).toMatchObject({ user: 'prod_ops', port: '6000', proxyjump: 'jump.prod.example:2222' });
    expect(openssh(mainFile, 'db-bastion')).toMatchObject({ hostname: 'bastion.timothie.example', user: 'ops', port: '2200', serveraliveinterval: '60' });
    expect(openssh(mainFile, 'a.internal')).toMatchObject({ user: 'internal user', proxyjump: 'db-bastion' });
    expect(openssh(mainFile, 'secret.internal')).toMatchObject({ user: 'fallback', proxyjump: 'star-jump' });
    expect(openssh(mainFile, 'wrapped')).toMatchObject({ hostname: 'inner.example', port: '2022' });
    expect(openssh(mainFile, 'noproxy').proxyjump).toBeNull();
    // Host lines inside an Include under a non-matching Host block never switch on.
    expect(openssh(mainFile, 'other').user).toBe('fallback');
    expect(errorOf(() => resolveSshHost('other', { file: mainFile, env: { HOME: dir } })).code).toBe('NOT_FOUND');
  });
});

describe('resolveSshHost details', () => {
  it('expands ~ and %d %u %h %r %p %n %% in IdentityFile and keeps every applicable one', () => {
    const file = write(
      'ids',
      [
        'Host box',
        '  HostName box.example',
        '  User alice',
        '  Port 2201',
        '  IdentityFile ~/.ssh/id_%r@%h',
        '  IdentityFile %d/keys/%u-%n-%p-100%%',
        'Host *',
        '  IdentityFile ~/.ssh/id_ed25519',
        '',
      ].join('\n'),
    );
    const r = resolveSshHost('box', { file, env: { HOME: '/home/dba', USER: 'dba' } });
    expect(r.identityFiles).toEqual(['/home/dba/.ssh/id_alice@box.example', '/home/dba/keys/dba-box-2201-100%', '/home/dba/.ssh/id_ed25519']);
    expect(r.warnings).toEqual([]);
  });

  it('resolves a relative Include against ~/.ssh and globs it', () => {
    const home = path.join(dir, 'home');
    write('home/.ssh/config.d/a.conf', 'Host web\n  User from_include\n');
    write('home/.ssh/config.d/b.conf', 'Host web\n  User second\n  Port 2345\n');
    write('home/.ssh/config', 'Include config.d/*.conf\nHost web\n  HostName web.example\n');
    const r = resolveSshHost('web', { env: { HOME: home, USER: 'dba' } });
    expect(r).toMatchObject({ hostName: 'web.example', user: 'from_include', port: 2345 });
    expect(r.files).toEqual([path.join(home, '.ssh', 'config'), path.join(home, '.ssh', 'config.d', 'a.conf'), path.join(home, '.ssh', 'config.d', 'b.conf')]);
  });

  it('skips Match blocks with a warning and warns that ProxyCommand is not used', () => {
    const text = 'Host db\n  HostName db.example\nMatch user root\n  Port 9999\nHost db\n  ProxyCommand ssh -W %h:%p jump\n';
    const r = resolveSshHost('db', { text, env: { HOME: dir, USER: 'dba' } });
    expect(r.port).toBe(22);
    expect(r.proxyJump).toBeNull();
    expect(r.warnings.some((w) => w.includes('Match user root') && w.includes('line 3'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('ProxyCommand'))).toBe(true);
  });

  it('says which hosts exist when the alias matches none (Host * alone does not count)', () => {
    const err = errorOf(() => resolveSshHost('typo', { text: 'Host db1 db2\n  User x\nHost *\n  User y\n', env: { HOME: dir } }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('"typo"');
    expect(err.message).toContain('db1, db2');
    // …unless the caller asks for ssh's own behaviour (every name resolves, with defaults from Host *).
    expect(resolveSshHost('typo', { text: 'Host db1 db2\n  User x\nHost *\n  User y\n', env: { HOME: dir }, requireHostEntry: false })).toMatchObject({
      hostName: 'typo',
      user: 'y',
      port: 22,
    });
  });

  it('reports a missing config file, a bad port and an unclosed quote with file and line', () => {
    const missing = errorOf(() => resolveSshHost('db', { file: path.join(dir, 'absent'), env: { HOME: dir } }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('absent');
    const port = errorOf(() => resolveSshHost('db', { text: 'Host db\n  Port 70000\n', env: { HOME: dir } }));
    expect(port.message).toContain('line 2');
    const quote = errorOf(() => resolveSshHost('db', { text: 'Host db\n  User "oops\n', env: { HOME: dir } }));
    expect(quote.code).toBe('INVALID_INPUT');
    expect(quote.message).toContain('line 2');
  });

  it('refuses an Include loop instead of recursing forever', () => {
    const loop = write('loop.conf', `Include ${path.join(dir, 'loop.conf')}\nHost x\n`);
    expect(errorOf(() => resolveSshHost('x', { file: loop, env: { HOME: dir } })).message).toContain('nested too deeply');
  });
});

describe('parseSshConfig', () => {
  it('lower-cases keywords and handles = forms, quotes, escapes and trailing comments', () => {
    expect(parseSshConfig('HostName=a.example\n  USER = "two words"\nIdentityFile \'/p q/k\' # note\nHost a\\ b c\n')).toEqual([
      { line: 1, keyword: 'hostname', args: ['a.example'] },
      { line: 2, keyword: 'user', args: ['two words'] },
      { line: 3, keyword: 'identityfile', args: ['/p q/k'] },
      { line: 4, keyword: 'host', args: ['a b', 'c'] },
    ]);
  });

  it('rejects a keyword without a value', () => {
    expect(() => parseSshConfig('Host db\n  User\n')).toThrow(/line 2: no value after "user"/);
  });
});
