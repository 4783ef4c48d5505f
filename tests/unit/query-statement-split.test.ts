// The editor's statement splitter: what Ctrl/Cmd+Enter sends. Semicolons inside strings,
// identifiers, dollar quotes and comments must never split; the cursor between statements
// belongs to the one before it.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, planScriptSync } from '../../src-main/core/platform/guard/statements/classify';
import { scriptTarget, splitStatements, statementAt, statementTarget } from '../../src-renderer/src/screens/query/statement-split';

function parts(text: string): string[] {
  return splitStatements(text).map((r) => text.slice(r.start, r.end));
}

/** `|` marks the cursor; returns the statement text chosen there. */
function at(marked: string): string {
  const cursor = marked.indexOf('|');
  expect(cursor).toBeGreaterThanOrEqual(0);
  const text = marked.slice(0, cursor) + marked.slice(cursor + 1);
  return statementAt(text, cursor).sql;
}

describe('splitStatements', () => {
  it('splits on top-level semicolons and trims whitespace around each statement', () => {
    expect(parts('SELECT 1;  SELECT 2 ;\n\nSELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('gives exact offsets into the text', () => {
    const text = '  SELECT 1;\nSELECT 2;';
    expect(splitStatements(text)).toEqual([
      { start: 2, end: 10 },
      { start: 12, end: 20 },
    ]);
  });

  it('skips empty statements, stray semicolons and comment-only chunks', () => {
    expect(parts(';;  ; -- nothing\n; /* still nothing */ ;SELECT 1;;')).toEqual(['SELECT 1']);
    expect(parts('')).toEqual([]);
    expect(parts('   \n\t')).toEqual([]);
    expect(parts('-- only a comment')).toEqual([]);
  });

  it('does not split inside single-quoted strings, with doubled quotes', () => {
    expect(parts("SELECT 'a;b';SELECT 'it''s; fine', 2")).toEqual(["SELECT 'a;b'", "SELECT 'it''s; fine', 2"]);
  });

  it('treats a backslash in a plain string as an ordinary character (standard_conforming_strings)', () => {
    expect(parts("SELECT 'C:\\';SELECT 2")).toEqual(["SELECT 'C:\\'", 'SELECT 2']);
  });

  it('honours backslash escapes in E strings, either case, and only when the word is exactly E', () => {
    expect(parts("SELECT E'\\';still' ; SELECT 2")).toEqual(["SELECT E'\\';still'", 'SELECT 2']);
    expect(parts("SELECT e'a\\'b;c';SELECT 2")).toEqual(["SELECT e'a\\'b;c'", 'SELECT 2']);
    expect(parts("SELECT E'x''; y';SELECT 2")).toEqual(["SELECT E'x''; y'", 'SELECT 2']);
    // somE'…' is the identifier somE followed by a plain string: the backslash does not escape.
    expect(parts("SELECT somE'\\';SELECT 2")).toEqual(["SELECT somE'\\'", 'SELECT 2']);
  });

  it('does not split inside quoted identifiers, with doubled quotes', () => {
    expect(parts('SELECT 1 AS "a;b";SELECT 1 AS "say ""hi;""";SELECT 3')).toEqual(['SELECT 1 AS "a;b"', 'SELECT 1 AS "say ""hi;"""', 'SELECT 3']);
  });

  it('does not split inside dollar quotes, plain or tagged, and needs the same tag to close', () => {
    const fn = 'CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql';
    expect(parts(`${fn};SELECT 2`)).toEqual([fn, 'SELECT 2']);
    const tagged = 'DO $body$ BEGIN PERFORM $$;$$; RAISE NOTICE $x$;$x$; END $body$';
    expect(parts(`${tagged}; SELECT 3;`)).toEqual([tagged, 'SELECT 3']);
    expect(parts('SELECT $a$ ; $b$ ; $a$; SELECT 4')).toEqual(['SELECT $a$ ; $b$ ; $a$', 'SELECT 4']);
  });

  it('reads $1 as a parameter and a$b$ as an identifier, not dollar quotes', () => {
    expect(parts('SELECT $1; SELECT $2')).toEqual(['SELECT $1', 'SELECT $2']);
    expect(parts('SELECT a$b$; SELECT 2')).toEqual(['SELECT a$b$', 'SELECT 2']);
  });

  it('does not split inside line comments, and a comment at the end does not extend the statement', () => {
    expect(parts('SELECT 1 -- one; two\n;SELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
    expect(parts('SELECT 1; -- trailing ; comment')).toEqual(['SELECT 1']);
  });

  it('handles nested block comments like PostgreSQL does', () => {
    expect(parts('SELECT /* a /* nested; */ still; comment */ 1; SELECT 2')).toEqual(['SELECT /* a /* nested; */ still; comment */ 1', 'SELECT 2']);
    expect(parts('/* lead; */ SELECT 1')).toEqual(['SELECT 1']);
  });

  it('keeps an unterminated string, identifier, dollar quote or comment to the end of the text', () => {
    expect(parts("SELECT 'open; SELECT 2")).toEqual(["SELECT 'open; SELECT 2"]);
    expect(parts('SELECT "open; SELECT 2')).toEqual(['SELECT "open; SELECT 2']);
    expect(parts('SELECT $$ open; SELECT 2')).toEqual(['SELECT $$ open; SELECT 2']);
    expect(parts('SELECT 1 /* open; SELECT 2')).toEqual(['SELECT 1']);
  });

  it('does not split on semicolons inside parentheses (CREATE RULE … DO (a; b))', () => {
    const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))';
    expect(parts(`${rule}; SELECT 1`)).toEqual([rule, 'SELECT 1']);
  });

  it('keeps SQL-standard function bodies (BEGIN ATOMIC … END) whole, as psql does', () => {
    const fn = 'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END';
    expect(parts(`${fn}; SELECT 3`)).toEqual([fn, 'SELECT 3']);
    const proc = 'CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END';
    expect(parts(`${proc};SELECT 4`)).toEqual([proc, 'SELECT 4']);
    // Outside CREATE FUNCTION, BEGIN is a transaction statement of its own.
    expect(parts('BEGIN; UPDATE t SET a = 1 WHERE id = 2; END;')).toEqual(['BEGIN', 'UPDATE t SET a = 1 WHERE id = 2', 'END']);
  });
});

describe('statementAt', () => {
  it('picks the statement the cursor is inside', () => {
    expect(at('SELECT 1;\nSEL|ECT 2;\nSELECT 3;')).toBe('SELECT 2');
    expect(at('|SELECT 1; SELECT 2')).toBe('SELECT 1');
    expect(at('SELECT 1; SELECT 2|')).toBe('SELECT 2');
  });

  it('gives the cursor just after a semicolon to the statement it ends', () => {
    expect(at('SELECT 1;| SELECT 2;')).toBe('SELECT 1');
    expect(at('SELECT 1;|SELECT 2;')).toBe('SELECT 1');
    expect(at('SELECT 1;\nSELECT 2;|')).toBe('SELECT 2');
    expect(at('SELECT 1 |;SELECT 2')).toBe('SELECT 1');
  });

  it('gives a blank or comment line between statements to the statement before it', () => {
    expect(at('SELECT 1;\n|\nSELECT 2;')).toBe('SELECT 1');
    expect(at('SELECT 1;\n\n  |  \nSELECT 2;')).toBe('SELECT 1');
    expect(at('SELECT 1;\n-- about| two\nSELECT 2;')).toBe('SELECT 1');
    expect(at('SELECT 1;\n/* x */ |\nSELECT 2;')).toBe('SELECT 1');
  });

  it('gives the indentation in front of a statement on its own line to that statement', () => {
    expect(at('SELECT 1;\n|SELECT 2;')).toBe('SELECT 2');
    expect(at('SELECT 1;\n  |  SELECT 2;')).toBe('SELECT 2');
    expect(at('SELECT 1; | SELECT 2;')).toBe('SELECT 1');
  });

  it('gives a cursor before the first statement to the first statement', () => {
    expect(at('-- header|\n\nSELECT 1;\nSELECT 2')).toBe('SELECT 1');
  });

  it('returns the offset of the statement so server positions map back onto the editor', () => {
    const text = 'SELECT 1;\n\n  SELECT bad FROM nowhere;';
    const target = statementAt(text, text.length - 3);
    expect(target).toEqual({ sql: 'SELECT bad FROM nowhere', offset: 13, fromSelection: false });
    expect(text.slice(target.offset, target.offset + target.sql.length)).toBe(target.sql);
  });

  it('returns empty sql when there is no statement at all', () => {
    expect(statementAt('-- nothing here\n', 3)).toEqual({ sql: '', offset: 3, fromSelection: false });
    expect(statementAt('', 0).sql).toBe('');
  });

  it('does not split where a multi-line statement has blank lines inside', () => {
    expect(at('SELECT a,\n\n|  b\nFROM t;\nSELECT 2')).toBe('SELECT a,\n\n  b\nFROM t');
  });
});

describe('run targets', () => {
  const text = 'SELECT 1;\nSELECT 2;\nSELECT 3;';

  it('Ctrl/Cmd+Enter runs the selection when there is one, else the statement under the cursor', () => {
    expect(statementTarget(text, 10, 18)).toEqual({ sql: 'SELECT 2', offset: 10, fromSelection: true });
    expect(statementTarget(text, 18, 10)).toEqual({ sql: 'SELECT 2', offset: 10, fromSelection: true });
    expect(statementTarget(text, 22, 22)).toEqual({ sql: 'SELECT 3', offset: 20, fromSelection: false });
    // A selection of only whitespace counts as no selection.
    expect(statementTarget('SELECT 1;\n\n\nSELECT 2', 10, 11)).toEqual({ sql: 'SELECT 1', offset: 0, fromSelection: false });
  });

  it('Shift+Ctrl/Cmd+Enter runs the selection when there is one, else the whole script', () => {
    expect(scriptTarget(text, 5, 5)).toEqual({ sql: text, offset: 0, fromSelection: false });
    expect(scriptTarget(text, 0, 8)).toEqual({ sql: 'SELECT 1', offset: 0, fromSelection: true });
  });
});

describe('agreement with the real PostgreSQL parser', () => {
  beforeAll(async () => {
    await loadParser();
  });

  const scripts = [
    "SELECT 'a;b'; SELECT E'\\';x'; SELECT \"c;d\" FROM t",
    'CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql; SELECT f()',
    'CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 END; SELECT 2; END; SELECT g(1)',
    'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1',
    '/* a /* b; */ c; */ SELECT 1; -- x;\nSELECT 2;;\n\nSELECT $1::int',
    'BEGIN; UPDATE t SET a = 1 WHERE id = 2; COMMIT;',
  ];

  it.each(scripts)('finds the same statements as libpg-query in %s', (script) => {
    const ours = parts(script);
    const theirs = planScriptSync(script).map((p) => p.sql);
    expect(ours).toHaveLength(theirs.length);
    // The parser counts leading comments as part of a statement; the statement itself must match.
    ours.forEach((statement, i) => expect(theirs[i]).toContain(statement));
  });
});
