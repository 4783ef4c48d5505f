import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPgpassPassword, formatPgpassLine, lookupPgpass, pgpassPath } from '../../src-main/core/platform/secrets/pgpass';

const target = { host: 'db.example.com', port: 5432, database: 'shop', user: 'ops' };

describe('findPgpassPassword (libpq rules)', () => {
  it('returns the first matching line', () => {
    const text = ['db.example.com:5432:shop:ops:first', 'db.example.com:5432:shop:ops:second'].join('\n');
    expect(findPgpassPassword(text, target)).toBe('first');
  });

  it('treats a lone * as a wildcard in each of the four fields', () => {
    expect(findPgpassPassword('*:5432:shop:ops:w1', target)).toBe('w1');
    expect(findPgpassPassword('db.example.com:*:shop:ops:w2', target)).toBe('w2');
    expect(findPgpassPassword('db.example.com:5432:*:ops:w3', target)).toBe('w3');
    expect(findPgpassPassword('db.example.com:5432:shop:*:w4', target)).toBe('w4');
    expect(findPgpassPassword('*:*:*:*:any', target)).toBe('any');
  });

  it('does not treat * inside a value as a wildcard', () => {
    expect(findPgpassPassword('db.*.com:5432:shop:ops:nope', target)).toBeNull();
  });

  it('skips non-matching lines, comments and blank lines', () => {
    const text = [
      '# db.example.com:5432:shop:ops:commented',
      '',
      'other:5432:shop:ops:x',
      'db.example.com:5433:shop:ops:y',
      'db.example.com:5432:shop:ops:right',
    ].join('\n');
    expect(findPgpassPassword(text, target)).toBe('right');
  });

  it('unescapes \\: and \\\\ in fields and in the password, which ends at an unescaped colon', () => {
    const escaped = { host: 'h', port: 5432, database: 'we:ird', user: 'back\\slash' };
    expect(findPgpassPassword('h:5432:we\\:ird:back\\\\slash:pa\\:ss\\\\word', escaped)).toBe('pa:ss\\word');
    expect(findPgpassPassword('h:5432:shop:ops:before:after', { ...target, host: 'h' })).toBe('before');
  });

  it('matches the default socket directory and an empty host as localhost', () => {
    expect(findPgpassPassword('localhost:5432:shop:ops:sock', { ...target, host: '/var/run/postgresql' })).toBe('sock');
    expect(findPgpassPassword('localhost:5432:shop:ops:sock', { ...target, host: '' })).toBe('sock');
  });

  it('handles CRLF line endings', () => {
    expect(findPgpassPassword('db.example.com:5432:shop:ops:crlf\r\n', target)).toBe('crlf');
  });

  it('a line with too few fields never matches', () => {
    expect(findPgpassPassword('db.example.com:5432:shop', target)).toBeNull();
  });

  it('formatPgpassLine escapes so the line reads back to the same password', () => {
    const odd = { host: 'h', port: 5432, database: 'd:b', user: 'u\\x' };
    const line = formatPgpassLine(odd, 'p:a\\ss');
    expect(findPgpassPassword(line, odd)).toBe('p:a\\ss');
  });
});

describe('lookupPgpass (the file)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-pgpass-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses PGPASSFILE, else ~/.pgpass', () => {
    expect(pgpassPath({ env: { PGPASSFILE: '/x/pass' } })).toBe('/x/pass');
    expect(pgpassPath({ env: {}, homedir: '/home/u', platform: 'linux' })).toBe('/home/u/.pgpass');
    expect(pgpassPath({ env: { APPDATA: 'C:\\AppData' }, platform: 'win32' })).toContain('pgpass.conf');
  });

  it('reads a 0600 file', () => {
    const file = path.join(dir, 'pass');
    fs.writeFileSync(file, 'db.example.com:5432:shop:ops:fromfile\n', { mode: 0o600 });
    const found = lookupPgpass(target, { env: { PGPASSFILE: file }, platform: 'linux' });
    expect(found).toEqual({ password: 'fromfile', file, warnings: [] });
  });

  it('ignores a group- or world-readable file with a warning, as libpq does', () => {
    const file = path.join(dir, 'pass');
    fs.writeFileSync(file, 'db.example.com:5432:shop:ops:leaky\n');
    fs.chmodSync(file, 0o644);
    const found = lookupPgpass(target, { env: { PGPASSFILE: file }, platform: 'linux' });
    expect(found.password).toBeNull();
    expect(found.warnings).toHaveLength(1);
    expect(found.warnings[0]).toContain('has group or world access');
  });

  it('ignores a directory with a warning and a missing file silently', () => {
    expect(lookupPgpass(target, { env: { PGPASSFILE: dir }, platform: 'linux' }).warnings[0]).toContain('not a plain file');
    expect(lookupPgpass(target, { env: { PGPASSFILE: path.join(dir, 'none') }, platform: 'linux' })).toMatchObject({ password: null, warnings: [] });
  });
});
