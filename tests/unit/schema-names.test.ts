// The schema browser's pure name helpers (issue #19): identifiers always quoted for SQL, the
// console's SELECT, the command line's schema.name parser, pg_dump's exact -t pattern, and the
// system-schema rule.
import { describe, expect, it } from 'vitest';
import { catalogOf, isSystemSchema, parseQualifiedName, quoteIdent, selectSql } from '../../src-main/contract/schema';
import { exactTablePattern } from '../../src-main/core/schema/pg-dump-one';

describe('quoting', () => {
  it('quotes every identifier, doubling embedded quotes, keywords and unicode included', () => {
    expect(quoteIdent('orders')).toBe('"orders"');
    expect(quoteIdent('we"ird name')).toBe('"we""ird name"');
    expect(quoteIdent('select')).toBe('"select"');
    expect(selectSql('we"ird name', 'Ünïcode tåble.*$')).toBe('SELECT * FROM "we""ird name"."Ünïcode tåble.*$" LIMIT 100');
  });

  it("writes pg_dump's -t pattern so that only the one relation matches", () => {
    expect(exactTablePattern('public', 'orders')).toBe('"public"."orders"');
    expect(exactTablePattern('we"ird name', 'a.b*')).toBe('"we""ird name"."a.b*"');
  });
});

describe('parseQualifiedName', () => {
  it('reads bare and quoted parts', () => {
    expect(parseQualifiedName('public.orders')).toEqual({ schema: 'public', name: 'orders' });
    expect(parseQualifiedName('orders')).toEqual({ schema: 'public', name: 'orders' });
    expect(parseQualifiedName('Sales.Orders')).toEqual({ schema: 'Sales', name: 'Orders' });
    expect(parseQualifiedName('"we""ird name"."a.b"')).toEqual({ schema: 'we"ird name', name: 'a.b' });
    expect(parseQualifiedName('big."t 1"')).toEqual({ schema: 'big', name: 't 1' });
    expect(parseQualifiedName('"Ünï"')).toEqual({ schema: 'public', name: 'Ünï' });
  });

  it('refuses what is not one or two names', () => {
    for (const bad of ['', '.', 'a.', '.b', 'a.b.c', '"open', 'a"b', '"a"x', '""']) expect(parseQualifiedName(bad), bad).toBeNull();
  });
});

describe('catalogs and system schemas', () => {
  it('sends each kind to its catalog', () => {
    expect(catalogOf('materialized-view')).toBe('relation');
    expect(catalogOf('aggregate')).toBe('function');
    expect(catalogOf('domain')).toBe('type');
  });

  it("knows PostgreSQL's own schemas, temporary ones included", () => {
    for (const s of ['pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_3', 'pg_toast_temp_12']) expect(isSystemSchema(s), s).toBe(true);
    for (const s of ['public', 'auth', 'pg_tempx', 'pg_catalogs']) expect(isSystemSchema(s), s).toBe(false);
  });
});
