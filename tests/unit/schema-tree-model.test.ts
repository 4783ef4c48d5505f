// The schema tree's rows and keys (issue #19), without a page: schemas ordered project →
// platform → system, only opened groups expanded, a "load more" row after a partial page,
// filtered counts, and the keys (Right/Enter open, Left closes or goes to the parent).
import { describe, expect, it } from 'vitest';
import type { ObjectNode, SchemaNode, SchemaTree } from '../../src-main/contract/schema';
import { buildRows, groupKey, orderSchemas, parentIndex, schemaKey, treeKey, type GroupState } from '../../src-renderer/src/screens/schema/tree-model';

function schema(oid: number, name: string, extra: Partial<SchemaNode> = {}): SchemaNode {
  return {
    oid,
    name,
    owner: 'o',
    system: false,
    platform: false,
    counts: { tables: 0, views: 0, 'materialized-views': 0, functions: 0, sequences: 0, types: 0 },
    ...extra,
  };
}

function table(oid: number, name: string): ObjectNode {
  return { oid, kind: 'table', name, signature: null, rowEstimate: 0, bytes: 8192 };
}

const big = schema(10, 'big', { counts: { tables: 2000, views: 0, 'materialized-views': 0, functions: 1, sequences: 0, types: 0 } });
const tree: SchemaTree = {
  database: 'db',
  serverVersion: '15',
  currentUser: 'me',
  schemas: [schema(3, 'auth', { platform: true }), big, schema(2, 'public'), schema(1, 'pg_catalog', { system: true }), schema(4, 'empty')],
  hiddenSystemSchemas: 0,
  extensions: [{ oid: 1, name: 'plpgsql', version: '1.0', schema: 'pg_catalog', comment: null }],
  roles: [],
};

describe('rows', () => {
  it('orders public, the project, the platform, then the system', () => {
    expect(orderSchemas(tree.schemas).map((s) => s.name)).toEqual(['public', 'big', 'empty', 'auth', 'pg_catalog']);
  });

  it('shows only what is open, a load-more row after a partial page, and filtered counts', () => {
    const tables: GroupState = { objects: [table(100, 't0001'), table(101, 't0002')], total: 2000, loading: false, error: null };
    const open = new Set([schemaKey(10), groupKey(10, 'tables'), schemaKey(4)]);
    const rows = buildRows(tree, { open, groups: new Map([[groupKey(10, 'tables'), tables]]), filter: '' });
    expect(rows.map((r) => `${r.depth}:${r.type}`)).toEqual([
      '0:schema', // public
      '0:schema', // big
      '1:group', // tables
      '2:object',
      '2:object',
      '2:more',
      '1:group', // functions (closed)
      '0:schema', // empty
      '1:note',
      '0:schema',
      '0:schema',
      '0:section',
      '0:section',
    ]);
    expect(rows[5]).toMatchObject({ type: 'more', loaded: 2, total: 2000 });
    expect(rows[2]).toMatchObject({ count: 2000 });
    const filtered = buildRows(tree, { open, groups: new Map([[groupKey(10, 'tables'), { ...tables, total: 2 }]]), filter: 't000' });
    expect(filtered[2]).toMatchObject({ type: 'group', count: 2 });
    expect(filtered.find((r) => r.type === 'more')).toBeUndefined();
  });

  it('says when a filter matches nothing and when a group failed', () => {
    const open = new Set([schemaKey(10), groupKey(10, 'tables')]);
    const none = buildRows(tree, { open, groups: new Map([[groupKey(10, 'tables'), { objects: [], total: 0, loading: false, error: null }]]), filter: 'zz' });
    expect(none[3]).toMatchObject({ type: 'note', text: 'Nothing matches “zz”' });
    const failed = buildRows(tree, {
      open,
      groups: new Map([[groupKey(10, 'tables'), { objects: [], total: 0, loading: false, error: 'timeout' }]]),
      filter: '',
    });
    expect(failed[3]).toMatchObject({ type: 'note', text: 'timeout', error: true });
  });
});

describe('keys', () => {
  const open = new Set([schemaKey(10), groupKey(10, 'tables')]);
  const rows = buildRows(tree, {
    open,
    groups: new Map([[groupKey(10, 'tables'), { objects: [table(100, 'a')], total: 1, loading: false, error: null }]]),
    filter: '',
  });

  it('moves with the arrows and jumps with Home and End', () => {
    expect(treeKey(rows, 0, 'ArrowDown')).toEqual({ kind: 'move', index: 1 });
    expect(treeKey(rows, 0, 'ArrowUp')).toEqual({ kind: 'move', index: 0 });
    expect(treeKey(rows, 2, 'End')).toEqual({ kind: 'move', index: rows.length - 1 });
    expect(treeKey(rows, 2, 'x')).toBeNull();
  });

  it('opens with Right or Enter, steps in when open, closes with Left or goes to the parent', () => {
    expect(treeKey(rows, 0, 'ArrowRight')).toEqual({ kind: 'toggle', key: schemaKey(2), open: true });
    expect(treeKey(rows, 1, 'ArrowRight')).toEqual({ kind: 'move', index: 2 });
    expect(treeKey(rows, 1, 'ArrowLeft')).toEqual({ kind: 'toggle', key: schemaKey(10), open: false });
    expect(treeKey(rows, 3, 'ArrowLeft')).toEqual({ kind: 'move', index: 2 });
    expect(treeKey(rows, 3, 'Enter')).toEqual({ kind: 'activate', index: 3 });
    expect(treeKey(rows, 1, 'Enter')).toEqual({ kind: 'toggle', key: schemaKey(10), open: false });
    expect(parentIndex(rows, 2)).toBe(1);
  });
});
