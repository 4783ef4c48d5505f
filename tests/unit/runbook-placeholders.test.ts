// Placeholders in every syntax runbooks use (issue #16): `[NAME]`, `<pid>`, `'<slot_name>'`,
// `{{database}}`, psql's `:'var'`, `:"var"` and `:var`. The importer decides with the
// PostgreSQL parser which candidates are placeholders (`<>`, `< 5`, `a[1:n]` and `x::int` are
// SQL), and fillSqlPlaceholders — the renderer's filler — replaces exactly those tokens, as
// literals or identifiers, so the filled statement parses.
import fs from 'node:fs';
import path from 'node:path';
import { parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { commandPlaceholders, fillSqlPlaceholders, sqlIdentifier } from '../../src-main/contract/placeholders';
import { loadParser } from '../../src-main/core/platform/guard/statements/classify';
import { importMarkdownRunbookSync as importRunbook } from '../../src-main/core/runbook/markdown-import';
import { analyzeSql } from '../../src-main/core/runbook/markdown-import-sql';

await loadParser();

const result = importRunbook(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'runbook-placeholders.md'), 'utf8'), 'runbook-placeholders.md');
const step = (title: string, index = 0) => result.outline.find((p) => p.title === title)!.steps[index]!;

describe('placeholders found by the parser', () => {
  it('finds <pid> and [PID], not a comment, <> or 3 < 5', () => {
    const cancel = step('Cancel a backend');
    expect(cancel.parameters).toEqual(['pid', 'PID']);
    expect(cancel.placeholders).toEqual([
      { name: 'pid', token: '<pid>', fill: 'literal' },
      { name: 'PID', token: '[PID]', fill: 'literal' },
    ]);
    const filled = fillSqlPlaceholders(cancel.text, { pid: '4242', PID: '17' }, cancel.placeholders);
    expect(filled).toBe('-- [PID] in a comment is not asked for\nSELECT pg_cancel_backend(4242);\nSELECT pg_terminate_backend(17) WHERE 17 <> 0 AND 3 < 5;');
    expect(() => parseSync(filled)).not.toThrow();
  });

  it("reads '<slot_name>' written inside quotes as a string to fill, and <> next to one as an operator", () => {
    const drop = step('Drop a slot');
    expect(drop.placeholders).toEqual([
      { name: 'slot_name', token: "'<slot_name>'", fill: 'string' },
      { name: 'keep', token: "'<keep>'", fill: 'string' },
    ]);
    expect(fillSqlPlaceholders(drop.text, { slot_name: "o'old", keep: 'main' }, drop.placeholders)).toBe(
      "SELECT pg_drop_replication_slot('o''old');\nSELECT * FROM pg_replication_slots WHERE slot_name <> 'main' AND NOT active;",
    );
  });

  it('finds {{database}}, :\'dbname\', :"schema", :min_id and <table_name>, not a slice or a cast', () => {
    const checks = step('Per-database checks');
    expect(checks.placeholders).toEqual([
      { name: 'database', token: '{{database}}', fill: 'literal' },
      { name: 'dbname', token: ":'dbname'", fill: 'string' },
      { name: 'schema', token: ':"schema"', fill: 'identifier' },
      { name: 'min_id', token: ':min_id', fill: 'literal' },
      { name: 'table_name', token: '<table_name>', fill: 'identifier' },
    ]);
    const filled = fillSqlPlaceholders(
      checks.text,
      { database: 'shop', dbname: 'shop', schema: 'Sales', min_id: '100', table_name: 'public.orders' },
      checks.placeholders,
    );
    expect(filled).toBe(
      [
        "\\c 'shop'",
        "SELECT datname, numbackends FROM pg_stat_database WHERE datname = 'shop';",
        'SELECT count(*) FROM "Sales".orders WHERE id > 100 AND (ARRAY[1,2,3])[1:2] IS NOT NULL;',
        'VACUUM (VERBOSE) "public"."orders";',
        'SELECT x::int FROM generate_series(1, 3) AS x WHERE x < 5;',
      ].join('\n'),
    );
    expect(() => parseSync(filled.split('\n').slice(1).join('\n'))).not.toThrow();
  });

  it('finds <x>, {{x}} and [X] in commands, not ${HOME} or a comment', () => {
    expect(step('Export a table').parameters).toEqual(['table_name', 'database']);
    expect(commandPlaceholders('# <not> this\npg_dump "{{ db }}" -t <table> > "${HOME}/x.sql" [ -f a ] [conn]')).toEqual(['db', 'table', 'conn']);
  });

  it('collects each name once for the whole runbook', () => {
    expect(result.parameters).toEqual(['pid', 'PID', 'slot_name', 'keep', 'database', 'dbname', 'schema', 'min_id', 'table_name', 'limit']);
  });

  it('fills each occurrence the way it stands when one token is both a name and a value', () => {
    const sql = 'CREATE DATABASE {{db}};\nSELECT * FROM pg_database WHERE datname = {{db}};';
    const { placeholders } = analyzeSql(sql, false);
    expect(placeholders).toEqual([{ name: 'db', token: '{{db}}', fill: 'identifier', fills: ['identifier', 'literal'] }]);
    expect(fillSqlPlaceholders(sql, { db: 'shop' }, placeholders)).toBe('CREATE DATABASE "shop";\nSELECT * FROM pg_database WHERE datname = \'shop\';');
  });

  it('accepts the placeholders of a statement with very many together when filling them all makes it parse', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `(<id${i}>, :'note${i}')`).join(', ');
    const { placeholders, error } = analyzeSql(`INSERT INTO t VALUES ${rows};`, false);
    expect(error).toBeNull();
    expect(placeholders).toHaveLength(120);
    expect(placeholders[0]).toEqual({ name: 'id0', token: '<id0>', fill: 'literal' });
  });

  it('leaves SQL that parses as written alone, and does not guess when another error stops the parser first', () => {
    expect(analyzeSql('SELECT * FROM t WHERE a <> b AND c < 5 AND d > 3 AND e[1:n] = x::int;', true).placeholders).toEqual([]);
    // PostgreSQL's own `<IDLE>` (pg_stat_activity before 9.2) is a value, not a placeholder.
    expect(analyzeSql("SELECT * FROM pg_stat_activity WHERE current_query <> '<IDLE>';", true).placeholders).toEqual([]);
    expect(analyzeSql('SELEC x FROM t WHERE id = <pid> AND db = {{db}};', false)).toMatchObject({
      placeholders: [{ name: 'db', token: '{{db}}', fill: 'literal' }],
      error: 'syntax error at or near "SELEC"',
    });
  });
});

describe('fillSqlPlaceholders with the importer list', () => {
  it('quotes identifiers part by part and refuses what cannot be one', () => {
    expect(sqlIdentifier('orders')).toBe('"orders"');
    expect(sqlIdentifier(' public.Orders ')).toBe('"public"."Orders"');
    expect(sqlIdentifier('we"ird.name')).toBe('"we""ird.name"');
    expect(() => sqlIdentifier('a..b')).toThrow(/part between dots is empty/);
    expect(() => sqlIdentifier('  ')).toThrow(/cannot be empty/);
  });

  it('names missing values as the runbook wrote them, and only the listed tokens are filled', () => {
    const placeholders = [
      { name: 'pid', token: '<pid>', fill: 'literal' as const },
      { name: 'db', token: ":'db'", fill: 'string' as const },
    ];
    expect(() => fillSqlPlaceholders("SELECT pg_cancel_backend(<pid>) WHERE :'db' = current_database()", {}, placeholders)).toThrow(
      "No value for the placeholders <pid>, :'db'.",
    );
    // `<b>` is not in the list (the parser read it as SQL): it stays.
    expect(fillSqlPlaceholders('SELECT <pid>, a <b> c', { pid: '1' }, placeholders)).toBe('SELECT 1, a <b> c');
    // An injection attempt stays one literal whatever the syntax.
    expect(fillSqlPlaceholders("SELECT :'db'", { db: "x'; DROP TABLE t; --" }, placeholders)).toBe("SELECT 'x''; DROP TABLE t; --'");
  });

  it('fills only [NAME] placeholders of a step saved without a list, as before', () => {
    expect(fillSqlPlaceholders('SELECT [ID], <pid>, :x', { ID: '7' })).toBe('SELECT 7, <pid>, :x');
  });
});
