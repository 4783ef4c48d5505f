import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { importFromEnv } from '../../src-main/core/profiles/env-import';
import { defaultServiceFilePath, parseServiceFile, readServiceFile } from '../../src-main/core/profiles/service-file';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpsError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected an OpsError');
}

describe('importFromEnv', () => {
  it('reads the libpq variables and warns that PGPASSWORD came from the environment', () => {
    const draft = importFromEnv({
      PGHOST: 'pg.internal',
      PGPORT: '5433',
      PGDATABASE: 'shop',
      PGUSER: 'ops',
      PGSSLMODE: 'verify-ca',
      PGSSLROOTCERT: '/etc/ssl/ca.pem',
      PGPASSWORD: 'hunter2',
    });
    expect(draft.fields).toMatchObject({
      host: 'pg.internal',
      port: 5433,
      database: 'shop',
      user: 'ops',
      sslmode: 'verify-ca',
      sslRootCert: '/etc/ssl/ca.pem',
    });
    expect(draft.password).toBe('hunter2');
    expect(JSON.stringify(draft.fields)).not.toContain('hunter2');
    expect(draft.warnings.some((w) => w.includes('PGPASSWORD'))).toBe(true);
  });

  it('says what is missing when nothing is set', () => {
    const draft = importFromEnv({});
    expect(draft.fields.host).toBeUndefined();
    expect(draft.password).toBeUndefined();
    expect(draft.warnings.some((w) => w.includes('PGHOST'))).toBe(true);
    expect(draft.warnings.some((w) => w.includes('PGUSER'))).toBe(true);
  });

  it('defaults the database to the user and the port to 5432', () => {
    const draft = importFromEnv({ PGHOST: 'h', PGUSER: 'carol' });
    expect(draft.fields.database).toBe('carol');
    expect(draft.fields.port).toBe(5432);
  });

  it('refuses a bad PGPORT or PGSSLMODE naming the variable', () => {
    expect(codeOf(() => importFromEnv({ PGHOST: 'h', PGPORT: '99999' }))).toMatch(/^INVALID_INPUT: PGPORT: port 99999 is out of range/);
    expect(codeOf(() => importFromEnv({ PGHOST: 'h', PGSSLMODE: 'yes' }))).toMatch(/^INVALID_INPUT: PGSSLMODE: unknown sslmode "yes"/);
  });

  it('applies Supabase hints to an environment pointing at the transaction pooler', () => {
    const draft = importFromEnv({ PGHOST: 'aws-0-eu-west-2.pooler.supabase.com', PGPORT: '6543', PGUSER: 'postgres.abcdefghijklmnop', PGDATABASE: 'postgres' });
    expect(draft.fields.sslmode).toBe('require');
    expect(draft.warnings.some((w) => w.includes('transaction pooler'))).toBe(true);
  });
});

const SERVICE_FILE = `
# Timothie & Co services
[prod]
host=db.abcdefghijklmnop.supabase.co
port=5432
dbname=postgres
user=postgres
sslmode=verify-full
sslrootcert=/etc/ssl/supabase.crt

; a semicolon comment
[local dev]
host = localhost
dbname = dev
user = dev
password = devpw
options = -c statement_timeout=30000
application_name = something
`;

describe('parseServiceFile', () => {
  it('turns each section into a named draft', () => {
    const entries = parseServiceFile(SERVICE_FILE);
    expect(entries.map((e) => e.name)).toEqual(['prod', 'local dev']);
    expect(entries[0]!.draft.fields).toMatchObject({
      host: 'db.abcdefghijklmnop.supabase.co',
      port: 5432,
      database: 'postgres',
      user: 'postgres',
      sslmode: 'verify-full',
      sslRootCert: '/etc/ssl/supabase.crt',
      name: 'prod',
    });
    const dev = entries[1]!.draft;
    expect(dev.fields).toMatchObject({ host: 'localhost', port: 5432, database: 'dev', user: 'dev', statementTimeoutMs: 30000, name: 'local-dev' });
    expect(dev.password).toBe('devpw');
    expect(dev.warnings.some((w) => w.includes('plaintext password'))).toBe(true);
    expect(dev.warnings.some((w) => w.includes('application_name'))).toBe(true);
  });

  it.each([
    ['host=h\n', 'line 1: "host" appears before any [service] header'],
    ['[a]\nthis is not a setting\n', 'line 2: expected key=value'],
    ['[broken\nhost=h\n', 'line 1: a section header must look like [name]'],
    ['[a]\nport=abc\n', 'port "abc" is not a number'],
    ['[a]\nsslmode=maybe\n', 'unknown sslmode "maybe"'],
  ])('refuses %j', (text, expected) => {
    const message = codeOf(() => parseServiceFile(text));
    expect(message).toMatch(/^INVALID_INPUT: /);
    expect(message).toContain(expected);
  });
});

describe('readServiceFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-service-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the file named by PGSERVICEFILE', () => {
    const file = path.join(dir, 'services.conf');
    fs.writeFileSync(file, SERVICE_FILE);
    expect(defaultServiceFilePath({ PGSERVICEFILE: file })).toBe(file);
    expect(defaultServiceFilePath({}, '/home/x')).toBe('/home/x/.pg_service.conf');
    const result = readServiceFile(undefined, { PGSERVICEFILE: file });
    expect(result.path).toBe(file);
    expect(result.services).toHaveLength(2);
  });

  it('answers NOT_FOUND naming a missing file and INVALID_INPUT for a directory', () => {
    const missing = path.join(dir, 'nope.conf');
    expect(codeOf(() => readServiceFile(missing))).toBe(`NOT_FOUND: No service file at ${missing} (create ~/.pg_service.conf or set PGSERVICEFILE)`);
    expect(codeOf(() => readServiceFile(dir))).toMatch(/^INVALID_INPUT: .*is a directory/);
  });
});
