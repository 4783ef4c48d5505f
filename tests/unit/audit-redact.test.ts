// Passwords never reach the audit trail, whatever shape they come in.
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src-main/core/platform/audit/redact';

const SECRET = 'Hunter2!x';

describe('redactSecrets', () => {
  it.each([
    ['postgres URI', `pg_dump postgresql://app:${SECRET}@db.example.com:5432/shop`, 'postgresql://app:***@db.example.com:5432/shop'],
    ['postgres:// URI with an unencoded @ in the password', `postgres://app:${SECRET}@home@db:5432/x`, 'postgres://app:***@db:5432/x'],
    ['password in a URI query', `postgresql://db/shop?user=app&password=${SECRET}&sslmode=require`, 'password=***&sslmode=require'],
    ['libpq conninfo', `host=db user=app password=${SECRET} dbname=shop`, 'host=db user=app password=*** dbname=shop'],
    ['quoted conninfo value', `host=db password='${SECRET} with space' dbname=shop`, "password='***' dbname=shop"],
    ['spaces around =', `password = ${SECRET}`, 'password = ***'],
    ['PGPASSWORD in an env line', `PGPASSWORD=${SECRET} pg_restore -d shop`, 'PGPASSWORD=*** pg_restore -d shop'],
    ['--password=x flag', `some-tool --password=${SECRET} --host db`, '--password=*** --host db'],
    ['CREATE ROLE … PASSWORD', `CREATE ROLE app LOGIN PASSWORD '${SECRET}'`, "CREATE ROLE app LOGIN PASSWORD '***'"],
    [
      'ALTER ROLE … ENCRYPTED PASSWORD with a doubled quote',
      `ALTER ROLE app WITH ENCRYPTED PASSWORD 'it''s ${SECRET}' VALID UNTIL 'infinity'`,
      "PASSWORD '***' VALID UNTIL 'infinity'",
    ],
    ['ALTER USER … PASSWORD E-string', `alter user app password E'${SECRET}\\'x'`, "password '***'"],
    ['PASSWORD with dollar quoting', `ALTER ROLE app PASSWORD $pw$${SECRET}$pw$;`, "PASSWORD '***';"],
    ['JSON field', `{"user":"app","password":"${SECRET}"}`, '"password":"***"'],
    // Mixed case passes the cheap pre-test ("pass" or "://", any case) as it passes the rules.
    ['mixed-case conninfo key', `host=db PassWord=${SECRET}`, 'PassWord=***'],
    ['mixed-case env line and URI scheme', `PgPassWd=${SECRET} psql POSTGRES://App:${SECRET}@db/shop`, 'PgPassWd=*** psql POSTGRES://App:***@db/shop'],
  ])('%s', (_name, input, expected) => {
    const out = redactSecrets(input);
    expect(out).not.toContain(SECRET);
    expect(out).toContain(expected);
  });

  it('leaves harmless text alone', () => {
    for (const text of [
      'psql -W -h db -U app shop',
      'pg_dump --password -h db shop',
      'ALTER ROLE app PASSWORD NULL',
      'postgresql://app@db:5432/shop',
      'https://example.com:8443/path',
      'SELECT password_changed_at FROM users',
      'VACUUM (ANALYZE) public.orders',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it('passes null through', () => {
    expect(redactSecrets(null)).toBeNull();
  });
});
