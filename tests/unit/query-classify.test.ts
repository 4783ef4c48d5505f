// The query guard's classification, through the real PostgreSQL parser: command tags,
// kinds, risks, statement offsets, and syntax errors with their position.
import { beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { changesServer, loadParser, planScriptSync, summarizePlan } from '../../src-main/core/platform/guard/statements/classify';

beforeAll(async () => {
  await loadParser();
});

function one(sql: string) {
  const plans = planScriptSync(sql);
  expect(plans).toHaveLength(1);
  const [plan] = plans;
  return { command: plan!.command, kind: plan!.kind, risks: plan!.risks };
}

describe('statement classification', () => {
  const table: Array<[string, string, string, string[]]> = [
    ['SELECT 1', 'SELECT', 'read', []],
    ['select * from orders where id = 1', 'SELECT', 'read', []],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'SELECT', 'read', []],
    ['VALUES (1), (2)', 'SELECT', 'read', []],
    ['SELECT * FROM orders FOR UPDATE', 'SELECT', 'write', []],
    ['SELECT * FROM (SELECT * FROM orders FOR SHARE) s', 'SELECT', 'write', []],
    ['SELECT * INTO copy FROM orders', 'SELECT INTO', 'write', []],
    ['WITH gone AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT * FROM gone', 'SELECT', 'write', []],
    ['INSERT INTO t VALUES (1)', 'INSERT', 'write', []],
    ['UPDATE t SET a = 1 WHERE id = 2', 'UPDATE', 'write', []],
    ['UPDATE t SET a = 1', 'UPDATE', 'write', ['no-where']],
    ['DELETE FROM t', 'DELETE', 'write', ['no-where']],
    ['delete from t -- where id = 1', 'DELETE', 'write', ['no-where']],
    ['DELETE FROM t WHERE true', 'DELETE', 'write', []],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'MERGE', 'write', []],
    ['TRUNCATE t', 'TRUNCATE', 'write', ['truncate', 'strong-lock']],
    ['DROP TABLE t', 'DROP TABLE', 'ddl', ['drop']],
    ['DROP INDEX CONCURRENTLY i', 'DROP INDEX', 'ddl', ['drop']],
    ['DROP DATABASE d', 'DROP DATABASE', 'ddl', ['drop']],
    ['DROP ROLE r', 'DROP ROLE', 'ddl', ['drop']],
    ['ALTER TABLE t ADD COLUMN c int', 'ALTER TABLE', 'ddl', ['strong-lock']],
    ['ALTER TABLE t DROP COLUMN c', 'ALTER TABLE', 'ddl', ['drop', 'strong-lock']],
    ['CREATE INDEX i ON t (a)', 'CREATE INDEX', 'ddl', ['strong-lock']],
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX', 'ddl', []],
    ['CREATE TABLE t (a int)', 'CREATE TABLE', 'ddl', []],
    ['CREATE EXTENSION pg_stat_statements', 'CREATE EXTENSION', 'ddl', []],
    ['VACUUM t', 'VACUUM', 'utility', []],
    ['VACUUM FULL t', 'VACUUM', 'utility', ['strong-lock']],
    ['VACUUM (FULL false) t', 'VACUUM', 'utility', []],
    ['ANALYZE t', 'ANALYZE', 'utility', []],
    ['CLUSTER t USING i', 'CLUSTER', 'utility', ['strong-lock']],
    ['REINDEX TABLE t', 'REINDEX', 'utility', ['strong-lock']],
    ['REINDEX INDEX CONCURRENTLY i', 'REINDEX', 'utility', []],
    ['LOCK TABLE t', 'LOCK TABLE', 'utility', ['strong-lock']],
    ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE', 'LOCK TABLE', 'utility', ['strong-lock']],
    ['LOCK TABLE t IN SHARE MODE', 'LOCK TABLE', 'utility', []],
    ['BEGIN', 'BEGIN', 'transaction', []],
    ['START TRANSACTION READ ONLY', 'START TRANSACTION', 'transaction', []],
    ['COMMIT', 'COMMIT', 'transaction', []],
    ['ROLLBACK', 'ROLLBACK', 'transaction', []],
    ['SAVEPOINT s', 'SAVEPOINT', 'transaction', []],
    ['EXPLAIN SELECT 1', 'EXPLAIN', 'read', []],
    ['EXPLAIN DELETE FROM t', 'EXPLAIN', 'read', []],
    ['EXPLAIN ANALYZE SELECT 1', 'EXPLAIN', 'read', []],
    ['EXPLAIN ANALYZE DELETE FROM t', 'EXPLAIN', 'write', ['no-where']],
    ['EXPLAIN (ANALYZE false) DELETE FROM t', 'EXPLAIN', 'read', []],
    ['EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1 WHERE id = 1', 'EXPLAIN', 'write', []],
    ['SHOW work_mem', 'SHOW', 'read', []],
    ['SET statement_timeout = 0', 'SET', 'utility', []],
    ['DO $$BEGIN DELETE FROM t; END$$', 'DO', 'write', []],
    ['GRANT SELECT ON t TO r', 'GRANT', 'ddl', []],
    // What functions do is the catalog's to say (tests/security/guard-catalog.test.ts): the
    // parse tree alone judges a function call a read.
    ['SELECT pg_terminate_backend(123)', 'SELECT', 'read', []],
    ["SELECT 'pg_terminate_backend(1)' AS text_only", 'SELECT', 'read', []],
    // Statements inside statements are judged like the statement itself.
    ["COPY t TO PROGRAM 'id'", 'COPY PROGRAM', 'write', ['server-program']],
    ["COPY (SELECT 1) TO PROGRAM 'id'", 'COPY PROGRAM', 'write', ['server-program']],
    ["COPY t TO '/tmp/x.csv'", 'COPY FILE', 'write', ['server-file']],
    ["COPY t FROM '/etc/passwd'", 'COPY FILE', 'write', ['server-file']],
    ['COPY t TO STDOUT', 'COPY', 'read', []],
    ['COPY t FROM STDIN', 'COPY', 'write', []],
    ['COPY (DELETE FROM t RETURNING *) TO STDOUT', 'COPY', 'write', ['no-where']],
    ['COPY (DELETE FROM t WHERE id = 1 RETURNING *) TO STDOUT', 'COPY', 'write', []],
    ['WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x', 'SELECT', 'write', ['no-where']],
    ['WITH x AS (UPDATE t SET a = 1 RETURNING *) INSERT INTO log SELECT * FROM x', 'INSERT', 'write', ['no-where']],
    ['PREPARE p AS DELETE FROM t', 'PREPARE', 'write', ['no-where']],
    ['PREPARE p AS SELECT 1', 'PREPARE', 'utility', []],
    ['EXECUTE never_seen', 'EXECUTE', 'write', []],
    ['DECLARE c CURSOR FOR SELECT 1', 'DECLARE CURSOR', 'utility', []],
    ['DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE', 'DECLARE CURSOR', 'write', []],
    ['FETCH 10 FROM never_declared', 'FETCH', 'write', []],
    ['EXPLAIN ANALYZE EXECUTE never_seen', 'EXPLAIN', 'write', []],
  ];
  it.each(table)('%s → %s / %s / %j', (sql, command, kind, risks) => {
    expect(one(sql)).toEqual({ command, kind, risks });
  });
});

describe('splitting a script', () => {
  it('keeps each statement text and its offset in the script, across comments and quoting', () => {
    const sql = "-- header\nSELECT 'a;b';\n/* x */ UPDATE t SET a = $$;$$ WHERE id = 1;\n\nDELETE FROM t";
    const plans = planScriptSync(sql);
    expect(plans.map((p) => p.sql)).toEqual(["SELECT 'a;b'", 'UPDATE t SET a = $$;$$ WHERE id = 1', 'DELETE FROM t']);
    for (const p of plans) expect(sql.slice(p.offset, p.offset + p.sql.length)).toBe(p.sql);
    expect(plans.map((p) => p.index)).toEqual([0, 1, 2]);
  });

  it('counts offsets in characters, not UTF-8 bytes', () => {
    const sql = "SELECT 'é€'; SELECT 2";
    const plans = planScriptSync(sql);
    expect(plans[1]!.offset).toBe(sql.indexOf('SELECT 2'));
    expect(plans[1]!.sql).toBe('SELECT 2');
  });

  it('refuses a script with nothing to run', () => {
    expect(() => planScriptSync('  -- only a comment\n')).toThrow(/no statement/);
  });

  it('reports a syntax error as INVALID_INPUT with its 1-based position in the script', () => {
    const sql = 'SELECT 1;\nSELEC 2';
    try {
      planScriptSync(sql);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(OpsError);
      const e = err as OpsError;
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/line 2, column 1/);
      const position = (e.detail as { position: number }).position;
      expect(sql.slice(position - 1, position + 4)).toBe('SELEC');
    }
  });
});

describe('plan summary', () => {
  it('blocks no-where, truncate and drop, and asks for confirmation only on production', () => {
    const plans = planScriptSync('SELECT 1; DELETE FROM t; TRUNCATE t; DROP TABLE t; CREATE INDEX i ON t (a)');
    const prod = summarizePlan(plans, true);
    expect(prod.blocked).toEqual([
      { index: 1, reason: 'DELETE without WHERE' },
      { index: 2, reason: 'TRUNCATE' },
      { index: 3, reason: 'DROP TABLE' },
    ]);
    expect(prod.needsConfirmation).toBe(true);
    expect(summarizePlan(plans, false).needsConfirmation).toBe(false);
    expect(prod.statements[0]).toEqual({ index: 0, sql: 'SELECT 1', offset: 0, command: 'SELECT', kind: 'read', risks: [] });
  });

  it('judges EXECUTE and FETCH by the PREPARE and DECLARE before them in the script or on the session', () => {
    const kinds = (sql: string) => planScriptSync(sql).map((p) => [p.command, p.kind, p.risks]);
    expect(kinds('PREPARE p AS SELECT 1; EXECUTE p')).toEqual([
      ['PREPARE', 'utility', []],
      ['EXECUTE', 'read', []],
    ]);
    expect(kinds('PREPARE p AS DELETE FROM t; EXECUTE p')).toEqual([
      ['PREPARE', 'write', ['no-where']],
      ['EXECUTE', 'write', ['no-where']],
    ]);
    expect(kinds('PREPARE p AS SELECT 1; DEALLOCATE p; EXECUTE p')[2]).toEqual(['EXECUTE', 'write', []]);
    expect(kinds('BEGIN; DECLARE c CURSOR FOR SELECT 1; FETCH c')[2]).toEqual(['FETCH', 'utility', []]);
    // A name reused for a different statement takes the later one's judgement.
    expect(kinds('PREPARE p AS SELECT 1; DEALLOCATE p; PREPARE p AS UPDATE t SET a = 1; EXECUTE p')[3]).toEqual(['EXECUTE', 'write', ['no-where']]);
  });

  it('blocks COPY to or from server programs and files, and LOAD changes the server', () => {
    expect(summarizePlan(planScriptSync("COPY t TO PROGRAM 'id'"), false).blocked).toEqual([
      { index: 0, reason: 'COPY PROGRAM (runs a program on the database server)' },
    ]);
    expect(summarizePlan(planScriptSync("COPY t TO '/tmp/x'"), false).blocked).toEqual([
      { index: 0, reason: 'COPY FILE (reads or writes a file on the database server)' },
    ]);
    expect(summarizePlan(planScriptSync('WITH x AS (DELETE FROM t RETURNING 1) SELECT * FROM x'), false).blocked).toEqual([
      { index: 0, reason: 'SELECT with an UPDATE/DELETE without WHERE' },
    ]);
    expect(changesServer(planScriptSync("LOAD 'auto_explain'")[0]!)).toBe(true);
  });

  it('does not ask on production for reads, transaction control or session settings', () => {
    const plans = planScriptSync('BEGIN; SET work_mem = 1000; SELECT 1; SHOW work_mem; COMMIT');
    expect(summarizePlan(plans, true).needsConfirmation).toBe(false);
    expect(plans.some(changesServer)).toBe(false);
    expect(changesServer(planScriptSync('VACUUM t')[0]!)).toBe(true);
  });
});

describe('leaving read-only mode', () => {
  const escapes = (sql: string) => planScriptSync(sql).map((p) => p.readOnlyEscape !== null);
  it.each([
    'SET default_transaction_read_only = off',
    'SET LOCAL transaction_read_only TO false',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
    'SET TRANSACTION READ WRITE',
    'BEGIN READ WRITE',
    'START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE',
    "SELECT set_config('default_transaction_read_only', 'off', false)",
    'SELECT set_config(current_setting($$x.name$$), $$off$$, false)',
    'DO $$BEGIN PERFORM 1; END$$',
    'CALL archive(1)',
  ])('%s is an escape', (sql) => {
    expect(escapes(sql)).toEqual([true]);
  });
  it.each([
    'SET standard_conforming_strings = off',
    'SET standard_conforming_strings TO on',
    'RESET standard_conforming_strings',
    "SET client_encoding = 'SJIS'",
    "SET NAMES 'BIG5'",
    "SELECT set_config('standard_conforming_strings', 'off', false)",
    "SELECT set_config(lower('CLIENT_ENCODING'), 'SJIS', true)",
  ])('%s changes a pinned setting (refused on every profile)', (sql) => {
    expect(planScriptSync(sql).map((p) => p.pinnedChange !== null)).toEqual([true]);
  });
  it.each([
    'BEGIN',
    'BEGIN READ ONLY',
    'RESET default_transaction_read_only',
    'RESET ALL',
    'SET statement_timeout = 0',
    "SELECT set_config('search_path', 'public', false)",
    'SELECT 1',
  ])('%s is not', (sql) => {
    expect(escapes(sql)).toEqual([false]);
  });
});
