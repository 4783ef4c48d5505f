import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { detectSupabaseHost } from '../../src-main/core/profiles/supabase';
import { parseProfileUri } from '../../src-main/core/profiles/uri';

function invalid(uri: string): OpsError {
  try {
    parseProfileUri(uri);
  } catch (err) {
    expect(err).toBeInstanceOf(OpsError);
    const opsErr = err as OpsError;
    expect(opsErr.code).toBe('INVALID_INPUT');
    const detail = opsErr.detail as { fields: Array<{ field: string; message: string }> };
    expect(detail.fields).toHaveLength(1);
    expect(detail.fields[0]!.field).toBe('uri');
    expect(opsErr.message).toContain(detail.fields[0]!.message);
    return opsErr;
  }
  throw new Error(`expected ${uri} to be refused`);
}

describe('parseProfileUri', () => {
  it('reads every part of a full URI and keeps the password out of the fields', () => {
    const draft = parseProfileUri('postgresql://app_user:s3cret@db.example.com:6000/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem');
    expect(draft.fields).toMatchObject({
      host: 'db.example.com',
      port: 6000,
      user: 'app_user',
      database: 'shop',
      sslmode: 'verify-full',
      sslRootCert: '/etc/ca.pem',
    });
    expect(draft.password).toBe('s3cret');
    expect(JSON.stringify(draft.fields)).not.toContain('s3cret');
    expect(draft.warnings.some((w) => w.includes('password'))).toBe(true);
  });

  it('accepts the postgres:// scheme, defaults the port to 5432 and suggests a valid name', () => {
    const draft = parseProfileUri('postgres://bob@localhost/inventory');
    expect(draft.fields.port).toBe(5432);
    expect(draft.fields.host).toBe('localhost');
    expect(draft.fields.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(draft.password).toBeUndefined();
  });

  it('percent-decodes user, password and database', () => {
    const draft = parseProfileUri('postgresql://us%40er:p%3Aw%2Fd%25@host/my%20db');
    expect(draft.fields.user).toBe('us@er');
    expect(draft.password).toBe('p:w/d%');
    expect(draft.fields.database).toBe('my db');
  });

  it('takes a password containing @ up to the last @', () => {
    const draft = parseProfileUri('postgresql://u:pa@ss@h:5433/d');
    expect(draft.password).toBe('pa@ss');
    expect(draft.fields.host).toBe('h');
    expect(draft.fields.port).toBe(5433);
  });

  it('reads bracketed IPv6 hosts with and without a port', () => {
    expect(parseProfileUri('postgresql://u@[::1]:5433/d').fields).toMatchObject({ host: '::1', port: 5433 });
    expect(parseProfileUri('postgresql://u@[2001:db8::7]/d').fields).toMatchObject({ host: '2001:db8::7', port: 5432 });
  });

  it('keeps statement_timeout from options and warns about what it ignores', () => {
    const draft = parseProfileUri('postgresql://u@h/d?options=-c%20statement_timeout%3D5s%20-c%20search_path%3Dx&application_name=psql&connect_timeout=10');
    expect(draft.fields.statementTimeoutMs).toBe(5000);
    expect(draft.warnings.join('\n')).toContain('search_path=x');
    expect(draft.warnings.join('\n')).toContain('application_name');
    expect(draft.warnings.join('\n')).toContain('connect_timeout');
  });

  it('uses the user name as database when the URI names none, like libpq', () => {
    const draft = parseProfileUri('postgresql://alice@h');
    expect(draft.fields.database).toBe('alice');
    expect(draft.warnings.some((w) => w.includes('No database'))).toBe(true);
  });

  it('reads host and password from query parameters', () => {
    const draft = parseProfileUri('postgresql:///d?host=/var/run/postgresql&user=u&password=pw&port=5444');
    expect(draft.fields).toMatchObject({ host: '/var/run/postgresql', user: 'u', port: 5444, database: 'd' });
    expect(draft.password).toBe('pw');
  });

  it.each([
    ['mysql://u@h/d', 'scheme "mysql"'],
    ['http://h/d', 'scheme "http"'],
    ['just some text', 'not a connection URI'],
    ['postgresql://u@h:70000/d', 'port 70000 is out of range'],
    ['postgresql://u@h:0/d', 'port 0 is out of range'],
    ['postgresql://u@h:54x/d', 'port "54x" is not a number'],
    ['postgresql://u@h/d?sslmode=sometimes', 'unknown sslmode "sometimes"'],
    ['postgresql://u@h/d?sslmode=allow', 'use prefer'],
    ['postgresql://u:%zz@h/d', 'password holds a malformed percent-escape'],
    ['postgresql://u@[::1/d', 'closing "]"'],
    ['postgresql://u@[::1]x/d', 'after the IPv6 host'],
    ['postgresql://u@h1,h2/d', 'several hosts'],
    ['postgresql://u@/d', 'names no host'],
    ['postgresql://u@h/d?sslmode', 'has no value'],
    ['postgresql://u@h/d?connect_timeout=soon', 'connect_timeout "soon"'],
    ['postgresql://u@h/a/b', 'contains "/"'],
  ])('refuses %s naming the part', (uri, expected) => {
    expect(invalid(uri).message).toContain(expected);
  });
});

describe('Supabase URIs', () => {
  it('direct host: sslmode require by default and a production hint', () => {
    const draft = parseProfileUri('postgresql://postgres:pw@db.abcdefghijklmnop.supabase.co:5432/postgres');
    expect(draft.fields.sslmode).toBe('require');
    expect(draft.fields.name).toBe('supabase-abcdefghijklmnop');
    expect(draft.fields.env).toBeUndefined();
    expect(draft.warnings.some((w) => w.includes('production'))).toBe(true);
    expect(draft.warnings.some((w) => w.includes('transaction pooler'))).toBe(false);
  });

  it('pooler on 6543 warns that session features break and suggests 5432 or the direct host', () => {
    const draft = parseProfileUri('postgresql://postgres.abcdefghijklmnop:pw@aws-0-eu-west-2.pooler.supabase.com:6543/postgres');
    const warning = draft.warnings.find((w) => w.includes('transaction pooler'));
    expect(warning).toBeDefined();
    expect(warning).toContain('pg_dump');
    expect(warning).toContain('advisory locks');
    expect(warning).toContain('db.abcdefghijklmnop.supabase.co:5432');
    expect(draft.fields.sslmode).toBe('require');
  });

  it('pooler on 5432 is session mode (no pooler warning) and flags a user without the project ref', () => {
    const draft = parseProfileUri('postgresql://postgres@aws-0-us-east-1.pooler.supabase.com:5432/postgres');
    expect(draft.warnings.some((w) => w.includes('transaction pooler'))).toBe(false);
    expect(draft.warnings.some((w) => w.includes('postgres.<project-ref>'))).toBe(true);
  });

  it('keeps an explicit sslmode and warns when it is weaker than Supabase needs', () => {
    const draft = parseProfileUri('postgresql://postgres@db.abcdefghijklmnop.supabase.co/postgres?sslmode=disable');
    expect(draft.fields.sslmode).toBe('disable');
    expect(draft.warnings.some((w) => w.includes('Supabase requires TLS'))).toBe(true);
  });
});

describe('detectSupabaseHost', () => {
  it('tells direct, session pooler and transaction pooler apart', () => {
    expect(detectSupabaseHost('db.abcdefghijklmnop.supabase.co', 5432)).toEqual({ kind: 'direct', ref: 'abcdefghijklmnop', region: null });
    expect(detectSupabaseHost('aws-0-eu-west-2.pooler.supabase.com', 5432, 'postgres.abcdefghijklmnop')).toEqual({
      kind: 'pooler-session',
      ref: 'abcdefghijklmnop',
      region: 'eu-west-2',
    });
    expect(detectSupabaseHost('aws-1-us-east-1.pooler.supabase.com', 6543, 'postgres')).toEqual({ kind: 'pooler-transaction', ref: null, region: 'us-east-1' });
    expect(detectSupabaseHost('aws-0-eu-west-2.pooler.supabase.com.invalid', 6543)).toBeNull();
    expect(detectSupabaseHost('db.example.com', 5432)).toBeNull();
  });
});
