// The schema tree as the flat list of rows the virtualized view draws: which nodes are open,
// what each opened group has loaded so far, and where the keyboard moves. Pure, so the rules
// (platform schemas after the project's own, a "load more" row after a partial page, Left
// going to the parent) are unit-tested without a page.
import {
  SCHEMA_GROUPS,
  SCHEMA_GROUP_LABELS,
  type ExtensionNode,
  type ObjectNode,
  type RoleNode,
  type SchemaGroup,
  type SchemaNode,
  type SchemaTree,
} from '@contract/schema';

export interface GroupState {
  objects: ObjectNode[];
  total: number;
  loading: boolean;
  error: string | null;
}

export type TreeRow =
  | { type: 'schema'; key: string; depth: 0; schema: SchemaNode; open: boolean }
  | { type: 'group'; key: string; depth: 1; schema: SchemaNode; group: SchemaGroup; label: string; count: number; open: boolean }
  | { type: 'object'; key: string; depth: 2; schema: SchemaNode; object: ObjectNode }
  | { type: 'more'; key: string; depth: 2; schema: SchemaNode; group: SchemaGroup; loaded: number; total: number; loading: boolean }
  | { type: 'note'; key: string; depth: 1 | 2; text: string; error: boolean }
  | { type: 'section'; key: string; depth: 0; section: 'extensions' | 'roles'; label: string; count: number; open: boolean }
  | { type: 'extension'; key: string; depth: 1; extension: ExtensionNode }
  | { type: 'role'; key: string; depth: 1; role: RoleNode };

export function groupKey(schemaOid: number, group: SchemaGroup): string {
  return `g:${schemaOid}:${group}`;
}

export function schemaKey(schemaOid: number): string {
  return `s:${schemaOid}`;
}

export function objectKey(schemaOid: number, object: Pick<ObjectNode, 'kind' | 'oid'>): string {
  return `o:${schemaOid}:${object.kind}:${object.oid}`;
}

/** The project's schemas first (public leading), then the platform's, then PostgreSQL's own. */
export function orderSchemas(schemas: SchemaNode[]): SchemaNode[] {
  const rank = (s: SchemaNode): number => (s.system ? 3 : s.platform ? 2 : s.name === 'public' ? 0 : 1);
  return [...schemas].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface TreeView {
  open: ReadonlySet<string>;
  groups: ReadonlyMap<string, GroupState>;
  filter: string;
}

export function buildRows(tree: SchemaTree, view: TreeView): TreeRow[] {
  const rows: TreeRow[] = [];
  for (const schema of orderSchemas(tree.schemas)) {
    const sk = schemaKey(schema.oid);
    const open = view.open.has(sk);
    rows.push({ type: 'schema', key: sk, depth: 0, schema, open });
    if (!open) continue;
    const groups = SCHEMA_GROUPS.filter((g) => schema.counts[g] > 0);
    if (groups.length === 0) rows.push({ type: 'note', key: `${sk}:empty`, depth: 1, text: 'No objects in this schema', error: false });
    for (const group of groups) {
      const gk = groupKey(schema.oid, group);
      const state = view.groups.get(gk);
      const gOpen = view.open.has(gk);
      // With a filter, an opened group counts what matched; a closed one its whole size.
      const count = gOpen && state && !state.loading && view.filter !== '' ? state.total : schema.counts[group];
      rows.push({ type: 'group', key: gk, depth: 1, schema, group, label: SCHEMA_GROUP_LABELS[group], count, open: gOpen });
      if (!gOpen) continue;
      if (!state || (state.loading && state.objects.length === 0)) {
        rows.push({ type: 'note', key: `${gk}:loading`, depth: 2, text: 'Loading…', error: false });
        continue;
      }
      if (state.error !== null && state.objects.length === 0) {
        rows.push({ type: 'note', key: `${gk}:error`, depth: 2, text: state.error, error: true });
        continue;
      }
      if (state.objects.length === 0) {
        rows.push({ type: 'note', key: `${gk}:none`, depth: 2, text: view.filter ? `Nothing matches “${view.filter}”` : 'None', error: false });
        continue;
      }
      for (const object of state.objects) rows.push({ type: 'object', key: objectKey(schema.oid, object), depth: 2, schema, object });
      if (state.objects.length < state.total)
        rows.push({ type: 'more', key: `${gk}:more`, depth: 2, schema, group, loaded: state.objects.length, total: state.total, loading: state.loading });
    }
  }
  const extOpen = view.open.has('x:extensions');
  rows.push({ type: 'section', key: 'x:extensions', depth: 0, section: 'extensions', label: 'Extensions', count: tree.extensions.length, open: extOpen });
  if (extOpen) for (const extension of tree.extensions) rows.push({ type: 'extension', key: `e:${extension.oid}`, depth: 1, extension });
  const rolesOpen = view.open.has('x:roles');
  rows.push({ type: 'section', key: 'x:roles', depth: 0, section: 'roles', label: 'Roles', count: tree.roles.length, open: rolesOpen });
  if (rolesOpen) for (const role of tree.roles) rows.push({ type: 'role', key: `r:${role.oid}`, depth: 1, role });
  return rows;
}

export function isOpenable(row: TreeRow): row is Extract<TreeRow, { open: boolean }> {
  return row.type === 'schema' || row.type === 'group' || row.type === 'section';
}

/** The row Left goes to from a closed or leaf row: the nearest row above with a smaller depth. */
export function parentIndex(rows: TreeRow[], index: number): number {
  const depth = rows[index]?.depth ?? 0;
  for (let i = index - 1; i >= 0; i -= 1) if (rows[i]!.depth < depth) return i;
  return index;
}

export type TreeKeyAction = { kind: 'move'; index: number } | { kind: 'toggle'; key: string; open: boolean } | { kind: 'activate'; index: number } | null;

/**
 * What a key does at the cursor: arrows move, Home/End jump, Right/Enter open a closed node
 * (Right on an open one steps into it; Enter on a leaf selects it), Left closes an open node
 * or goes to its parent.
 */
export function treeKey(rows: TreeRow[], index: number, key: string): TreeKeyAction {
  const row = rows[index];
  if (!row) return rows.length > 0 ? { kind: 'move', index: 0 } : null;
  switch (key) {
    case 'ArrowDown':
      return { kind: 'move', index: Math.min(rows.length - 1, index + 1) };
    case 'ArrowUp':
      return { kind: 'move', index: Math.max(0, index - 1) };
    case 'Home':
      return { kind: 'move', index: 0 };
    case 'End':
      return { kind: 'move', index: rows.length - 1 };
    case 'PageDown':
      return { kind: 'move', index: Math.min(rows.length - 1, index + 20) };
    case 'PageUp':
      return { kind: 'move', index: Math.max(0, index - 20) };
    case 'ArrowRight':
      if (isOpenable(row)) return row.open ? { kind: 'move', index: Math.min(rows.length - 1, index + 1) } : { kind: 'toggle', key: row.key, open: true };
      return row.type === 'more' ? { kind: 'activate', index } : null;
    case 'Enter':
      if (isOpenable(row)) return { kind: 'toggle', key: row.key, open: !row.open };
      return { kind: 'activate', index };
    case 'ArrowLeft':
      if (isOpenable(row) && row.open) return { kind: 'toggle', key: row.key, open: false };
      return { kind: 'move', index: parentIndex(rows, index) };
    default:
      return null;
  }
}
