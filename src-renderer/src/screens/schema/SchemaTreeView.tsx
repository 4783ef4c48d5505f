// The tree, virtualized: rows are a fixed height and only those in view (plus a margin) are
// in the DOM, so a schema of 2,000 tables opens and scrolls like one of twenty. One focusable
// element (role tree) keeps the cursor and names the row under it with aria-activedescendant;
// the keys are tree-model.ts's.
import { Badge, Group, Loader, Text, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { formatBytes, formatCount } from '../../shared/format/numbers';
import { treeKey, type TreeRow } from './tree-model';

export const ROW_HEIGHT = 28;
const OVERSCAN = 12;
const INDENT = 16;

const KIND_SHORT: Record<string, string> = {
  table: 'T',
  'partitioned-table': 'P',
  'foreign-table': 'F',
  view: 'V',
  'materialized-view': 'M',
  sequence: 'S',
  function: 'ƒ',
  procedure: 'p',
  aggregate: 'Σ',
  'window-function': 'w',
  enum: 'E',
  composite: 'C',
  domain: 'D',
  range: 'R',
};

function rowId(key: string): string {
  return `schema-row-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function RowContent({ row }: { row: TreeRow }) {
  const caret = (open: boolean) => (
    <Text span size="xs" c="dimmed" w={12} style={{ flex: 'none' }} aria-hidden>
      {open ? '▾' : '▸'}
    </Text>
  );
  switch (row.type) {
    case 'schema':
      return (
        <>
          {caret(row.open)}
          <Text span size="sm" fw={600} truncate>
            {row.schema.name}
          </Text>
          {row.schema.platform ? (
            <Badge size="xs" variant="outline" color="gray" title="A schema the platform (Supabase) manages">
              platform
            </Badge>
          ) : null}
          {row.schema.system ? (
            <Badge size="xs" variant="outline" color="gray" title="PostgreSQL's own schema">
              system
            </Badge>
          ) : null}
        </>
      );
    case 'group':
    case 'section':
      return (
        <>
          {caret(row.open)}
          <Text span size="sm" truncate>
            {row.label}
          </Text>
          <Text span size="xs" c="dimmed">
            {formatCount(row.count)}
          </Text>
        </>
      );
    case 'object': {
      const o = row.object;
      const extra = o.rowEstimate !== null ? `~${formatCount(o.rowEstimate)} rows` : o.bytes !== null ? '' : null;
      return (
        <>
          <Text span size="xs" c="dimmed" w={14} ta="center" style={{ flex: 'none' }} title={o.kind} aria-hidden>
            {KIND_SHORT[o.kind] ?? '·'}
          </Text>
          <Text span size="sm" truncate style={{ flex: 1, minWidth: 0 }} title={o.signature !== null ? `${o.name}(${o.signature})` : o.name}>
            {o.name}
            {o.signature !== null ? <Text span c="dimmed" size="xs">{`(${o.signature})`}</Text> : null}
          </Text>
          {extra ? (
            <Text span size="xs" c="dimmed" style={{ flex: 'none' }}>
              {extra}
            </Text>
          ) : null}
          {o.bytes !== null ? (
            <Text span size="xs" c="dimmed" style={{ flex: 'none' }}>
              {formatBytes(o.bytes)}
            </Text>
          ) : null}
        </>
      );
    }
    case 'more':
      return (
        <Text span size="sm" c="blue">
          {row.loading ? 'Loading…' : `Load more (${formatCount(row.loaded)} of ${formatCount(row.total)} shown)`}
        </Text>
      );
    case 'note':
      return (
        <Text span size="xs" c={row.error ? 'red' : 'dimmed'} truncate>
          {row.text}
        </Text>
      );
    case 'extension':
      return (
        <Text span size="sm" truncate>
          {row.extension.name}{' '}
          <Text span size="xs" c="dimmed">
            {row.extension.version} · {row.extension.schema}
          </Text>
        </Text>
      );
    case 'role':
      return (
        <Text span size="sm" truncate>
          {row.role.name}{' '}
          <Text span size="xs" c="dimmed">
            {[row.role.superuser ? 'superuser' : null, row.role.login ? 'login' : null, row.role.bypassRls ? 'bypass RLS' : null].filter(Boolean).join(' · ')}
          </Text>
        </Text>
      );
  }
}

export interface SchemaTreeViewProps {
  rows: TreeRow[];
  selectedKey: string | null;
  onToggle: (key: string, open: boolean) => void;
  onActivate: (row: TreeRow) => void;
  loading: boolean;
}

export function SchemaTreeView({ rows, selectedKey, onToggle, onActivate, loading }: SchemaTreeViewProps) {
  const scroller = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(400);
  const [cursor, setCursor] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setViewHeight(el.clientHeight));
    observer.observe(el);
    setViewHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const safeCursor = Math.min(cursor, Math.max(0, rows.length - 1));
  useEffect(() => {
    if (safeCursor !== cursor) setCursor(safeCursor);
  }, [safeCursor, cursor]);

  /** Keeps the cursor's row in view by moving the scroll position, not by scrollIntoView (the row may not exist yet). */
  const reveal = useCallback(
    (index: number) => {
      const el = scroller.current;
      if (!el) return;
      const top = index * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + viewHeight) el.scrollTop = top + ROW_HEIGHT - viewHeight;
    },
    [viewHeight],
  );

  const activate = useCallback(
    (index: number) => {
      const row = rows[index];
      if (!row) return;
      if (row.type === 'schema' || row.type === 'group' || row.type === 'section') onToggle(row.key, !row.open);
      else onActivate(row);
    },
    [rows, onToggle, onActivate],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const action = treeKey(rows, safeCursor, event.key);
    if (!action) return;
    event.preventDefault();
    if (action.kind === 'move') {
      setCursor(action.index);
      reveal(action.index);
    } else if (action.kind === 'toggle') onToggle(action.key, action.open);
    else activate(action.index);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewHeight) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  const cursorRow = rows[safeCursor];

  return (
    <div
      ref={scroller}
      role="tree"
      aria-label="Schema tree"
      tabIndex={0}
      aria-activedescendant={cursorRow ? rowId(cursorRow.key) : undefined}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      style={{ flex: 1, minHeight: 0, overflowY: 'auto', overflowX: 'hidden', position: 'relative', outlineOffset: -2 }}
    >
      {loading && rows.length === 0 ? (
        <Group p="sm" gap="xs">
          <Loader size="xs" />
          <Text size="sm">Reading the catalog…</Text>
        </Group>
      ) : null}
      <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
        {visible.map((row, i) => {
          const index = first + i;
          const openable = row.type === 'schema' || row.type === 'group' || row.type === 'section';
          const selected = row.key === selectedKey;
          return (
            <UnstyledButton
              key={row.key}
              id={rowId(row.key)}
              role="treeitem"
              tabIndex={-1}
              aria-level={row.depth + 1}
              aria-expanded={openable ? row.open : undefined}
              aria-selected={selected}
              data-cursor={index === safeCursor || undefined}
              onClick={() => {
                setCursor(index);
                activate(index);
                scroller.current?.focus();
              }}
              style={{
                position: 'absolute',
                top: index * ROW_HEIGHT,
                left: 0,
                right: 0,
                height: ROW_HEIGHT,
                paddingLeft: 6 + row.depth * INDENT,
                paddingRight: 8,
                display: 'flex',
                alignItems: 'center',
                gap: 6,
                background: selected ? 'var(--mantine-color-blue-light)' : index === safeCursor ? 'var(--mantine-color-default-hover)' : undefined,
                outline: index === safeCursor ? '1px dotted var(--mantine-color-dimmed)' : undefined,
                outlineOffset: -1,
              }}
            >
              <RowContent row={row} />
            </UnstyledButton>
          );
        })}
      </div>
    </div>
  );
}
