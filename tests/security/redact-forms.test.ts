// Issue #14 §5: every way of writing a password in SQL is redacted before it is stored,
// by the parse tree, by the tokenizer alone (text that does not parse), and in the end by
// redactSecrets, which the audit trail and the query history both use.
import { beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src-main/core/platform/audit/redact';
import { loadRedactionParser, scanFindings, treeFindings } from '../../src-main/core/platform/audit/redact-tree';
import { scanSql } from '../../src-main/core/platform/audit/sql-scan';

const PW = 'Zebra7/Q@x:y';

/** [name, SQL holding PW (or a spelling of it), the literal that must disappear]. */
const FORMS: Array<[string, string]> = [
  ['U& unicode escapes', `ALTER ROLE app PASSWORD U&'Zebr\\0061\\+000037/Q@x:y'`],
  ['U& with UESCAPE', `ALTER ROLE app PASSWORD U&'Zebr!0061!+0000377/Q@x:y' UESCAPE '!'`],
  ['comment between PASSWORD and the literal', `CREATE ROLE app LOGIN PASSWORD /* c */ '${PW}' VALID UNTIL 'infinity'`],
  ['line comment and a continued literal', `ALTER USER app ENCRYPTED PASSWORD -- why\n'Zebra7'\n'/Q@x:y'`],
  ['E string with hex escapes', `ALTER ROLE app PASSWORD E'\\x5aebra7/Q@x:y'`],
  ['dollar quoting', `ALTER ROLE app PASSWORD $p$${PW}$p$`],
  ['dblink_connect conninfo', `SELECT dblink_connect('c1', 'host=db user=app password=${PW} dbname=shop')`],
  ['dblink conninfo, password key escaped', `SELECT * FROM dblink(E'host=db pass\\x77ord=${PW}', 'select 1') AS t(a int)`],
  ['dblink_exec URI with / @ : in the password', `SELECT dblink_exec('postgres://app:${PW}@db:5432/shop', 'select 1')`],
  ['CREATE SERVER OPTIONS', `CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db', password '${PW}')`],
  ['USER MAPPING OPTIONS (SET "password")', `ALTER USER MAPPING FOR app SERVER s OPTIONS (SET "password" '${PW}')`],
  ['SUBSCRIPTION CONNECTION', `CREATE SUBSCRIPTION sub CONNECTION 'host=db password=${PW}' PUBLICATION pub`],
];

/** Whatever the spelling, none of these survive. */
const PIECES = ['Zebra7', 'Zebr', '/Q@x:y', '0061'];

function expectGone(out: string): void {
  for (const piece of PIECES) expect(out).not.toContain(piece);
  expect(out).toContain("'***'");
}

beforeAll(async () => {
  await loadRedactionParser();
});

describe('redactSecrets: passwords written in SQL', () => {
  it.each(FORMS)('%s', (_name, sql) => {
    expectGone(redactSecrets(sql));
  });

  it.each(FORMS)('%s, inside a script that does not parse', (_name, sql) => {
    const broken = `${sql};\nSELEC oops`;
    expectGone(redactSecrets(broken));
    expect(redactSecrets(broken)).toContain('SELEC oops');
  });

  it('keeps the rest of the statement readable', () => {
    expect(redactSecrets(`CREATE ROLE app LOGIN PASSWORD /* c */ '${PW}' VALID UNTIL 'infinity'`)).toBe(
      "CREATE ROLE app LOGIN PASSWORD /* c */ '***' VALID UNTIL 'infinity'",
    );
    expect(redactSecrets(`ALTER ROLE app PASSWORD U&'!0061b' UESCAPE '!' CONNECTION LIMIT 3`)).toBe("ALTER ROLE app PASSWORD '***' CONNECTION LIMIT 3");
    expect(redactSecrets(`SELECT dblink_connect('c1', 'host=db password=${PW}'), 'kept'`)).toBe("SELECT dblink_connect('c1', '***'), 'kept'");
  });

  it('URI passwords holding / @ : outside SQL literals (the regex net)', () => {
    expect(redactSecrets(`pg_dump postgres://app:pa/ss@db/shop`)).toBe('pg_dump postgres://app:***@db/shop');
    expect(redactSecrets(`psql postgresql://app:a:b/c@d@db:5432/shop?sslmode=require`)).toBe('psql postgresql://app:***@db:5432/shop?sslmode=require');
  });

  it('leaves literals without a password alone', () => {
    for (const text of [
      'ALTER ROLE app PASSWORD NULL',
      "SELECT dblink_connect('c1', 'host=db dbname=shop')",
      "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password_required 'false')",
      "SELECT 'postgresql://app@db/shop', E'a\\\\b'",
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});

describe('each finder on its own', () => {
  const literalsOf = (sql: string, found: Array<{ start: number; end: number }> | null) => (found ?? []).map((t) => sql.slice(t.start, t.end));

  it('the parse tree finds the password options and conninfo constants', () => {
    const sql = `ALTER ROLE app PASSWORD /* x */ U&'Zebr\\0061'; SELECT dblink('host=db password=${PW}', 'q'); CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (password 'p2')`;
    expect(literalsOf(sql, treeFindings(sql, scanSql(sql)))).toEqual([`U&'Zebr\\0061'`, `'host=db password=${PW}'`, "'p2'"]);
    // A script that does not parse gives the tree nothing to say.
    expect(treeFindings(`${sql} SELEC`, scanSql(`${sql} SELEC`))).toBeNull();
  });

  it('the tokenizer finds them without a parser', () => {
    const sql = `ALTER ROLE app PASSWORD /* x */ U&'Zebr\\0061'; SELECT dblink(E'host=db pass\\x77ord=${PW}', 'q') SELEC`;
    expect(literalsOf(sql, scanFindings(scanSql(sql)))).toEqual([`U&'Zebr\\0061'`, `E'host=db pass\\x77ord=${PW}'`]);
  });

  it('tokenizes comments, quoted identifiers and dollar quotes so they cannot fake or hide a literal', () => {
    const sql = `SELECT "pass'word", $$ it's $$ /* 'no' /* nested */ 'no' */ -- 'no'\n'yes'`;
    const literals = scanSql(sql)
      .filter((t) => t.kind === 'literal')
      .map((t) => t.value);
    expect(literals).toEqual([" it's ", 'yes']);
  });
});
