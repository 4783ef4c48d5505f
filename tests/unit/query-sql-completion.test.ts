// Catalog autocomplete for the SQL editor, run against real CodeMirror states (no DOM
// needed): what is offered where, and how names are inserted.
import { CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete';
import { ensureSyntaxTree } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import type { QueryCatalog } from '../../src-main/contract/models';
import { catalogExtrasSource, catalogNamespace, quoteIdent, sqlLanguage } from '../../src-renderer/src/screens/query/sql-completion';

const catalog: QueryCatalog = {
  schemas: ['pg_catalog', 'public', 'sales', 'Odd.Schema'],
  relations: [
    { schema: 'public', name: 'inventory', kind: 'table', columns: [{ name: 'title', type: 'text' }] },
    {
      schema: 'sales',
      name: 'orders',
      kind: 'table',
      columns: [
        { name: 'total', type: 'numeric(12,2)' },
        { name: 'Status', type: 'text' },
      ],
    },
    { schema: 'Odd.Schema', name: 'a.b', kind: 'view', columns: [] },
  ],
  functions: [
    { schema: 'sales', name: 'order_total', args: 'o_id integer', result: 'numeric' },
    { schema: 'sales', name: 'order_total', args: 'o_id integer, tax boolean', result: 'numeric' },
    { schema: 'public', name: 'now_utc', args: '', result: 'timestamp without time zone' },
  ],
  loadedAt: '2024-01-01T00:00:00.000Z',
};

/** `|` marks the cursor. */
function complete(source: CompletionSource, marked: string, explicit = false): CompletionResult | null {
  const pos = marked.indexOf('|');
  const doc = marked.slice(0, pos) + marked.slice(pos + 1);
  const state = EditorState.create({ doc, extensions: [sqlLanguage(catalog)] });
  ensureSyntaxTree(state, state.doc.length, 5_000);
  return source(new CompletionContext(state, pos, explicit)) as CompletionResult | null;
}

describe('quoteIdent', () => {
  it('leaves names that fold to themselves bare and quotes the rest', () => {
    expect(quoteIdent('orders')).toBe('orders');
    expect(quoteIdent('order_2024$x')).toBe('order_2024$x');
    expect(quoteIdent('Status')).toBe('"Status"');
    expect(quoteIdent('2024_sales')).toBe('"2024_sales"');
    expect(quoteIdent('say "hi"')).toBe('"say ""hi"""');
  });

  it('quotes reserved words, which would not mean the table', () => {
    expect(quoteIdent('user')).toBe('"user"');
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('users')).toBe('users');
  });
});

describe('catalogNamespace', () => {
  it('nests schemas, relations and columns, escaping dots inside names', () => {
    const ns = catalogNamespace(catalog) as Record<
      string,
      {
        self: { label: string; apply?: string };
        children: Record<string, { self: { label: string; detail?: string }; children: Array<{ label: string; apply?: string; detail?: string }> }>;
      }
    >;
    expect(Object.keys(ns)).toEqual(['pg_catalog', 'public', 'sales', 'Odd\\.Schema']);
    expect(ns['Odd\\.Schema']!.self).toMatchObject({ label: 'Odd.Schema', apply: '"Odd.Schema"' });
    expect(Object.keys(ns['Odd\\.Schema']!.children)).toEqual(['a\\.b']);
    const orders = ns.sales!.children.orders!;
    expect(orders.self).toMatchObject({ label: 'orders', detail: 'table' });
    expect(orders.children).toEqual([
      { label: 'total', type: 'property', detail: 'numeric(12,2)' },
      { label: 'Status', type: 'property', detail: 'text', apply: '"Status"' },
    ]);
  });
});

describe('catalogExtrasSource', () => {
  const source = catalogExtrasSource(catalog);

  it('offers functions once per name (overloads folded) and other schemas’ relations, qualified', () => {
    const result = complete(source, 'SELECT * FROM ord|')!;
    expect(result.from).toBe('SELECT * FROM '.length);
    const labels = result.options.map((o) => `${o.label}:${o.type}`);
    expect(labels).toEqual(['order_total:function', 'now_utc:function', 'orders:class', 'a.b:class']);
    const orders = result.options.find((o) => o.label === 'orders')!;
    expect(orders.apply).toBe('sales.orders');
    expect(result.options.find((o) => o.label === 'a.b')!.apply).toBe('"Odd.Schema"."a.b"');
    const fn = result.options.find((o) => o.label === 'order_total')!;
    expect(fn.detail).toBe('sales · (o_id integer) → numeric +1');
    expect(fn.info).toBe('sales.order_total(o_id integer) → numeric\nsales.order_total(o_id integer, tax boolean) → numeric');
  });

  it('leaves the default schema’s relations to lang-sql (no duplicates)', () => {
    const result = complete(source, 'SELECT * FROM inv|')!;
    expect(result.options.some((o) => o.label === 'inventory')).toBe(false);
  });

  it('after "schema." offers only that schema’s functions, as PostgreSQL folds the name', () => {
    expect(complete(source, 'SELECT sales.|')!.options.map((o) => o.label)).toEqual(['order_total']);
    expect(complete(source, 'SELECT SALES.ord|')!.from).toBe('SELECT SALES.'.length);
    expect(complete(source, 'SELECT "Sales".|')).toBeNull();
    expect(complete(source, 'SELECT o.|')).toBeNull();
  });

  it('stays quiet inside strings and comments, and with nothing typed unless asked', () => {
    expect(complete(source, "SELECT 'ord|'")).toBeNull();
    expect(complete(source, 'SELECT 1 -- ord|')).toBeNull();
    expect(complete(source, 'SELECT |')).toBeNull();
    expect(complete(source, 'SELECT |', true)?.options.length).toBe(4);
  });
});
