// How the grid draws cells: a column header (sort button, resize handle), one row of cells
// (GridRow, memoized: rows that stay on screen while scrolling are not redrawn) and one
// cell's full value (CellDetail, opened with Enter or a double-click: pretty JSON, bytea
// size, NULL and the empty string told apart, a Copy button).
import { copyToClipboard } from '../../shared/clipboard';
import { Button, Code, Group, Modal, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { memo, useState, type PointerEvent } from 'react';
import type { QueryCell, QueryColumn } from '@contract/models';
import { cellDisplay, cellKind, cellText, isNumericKind, prettyJson, ROW_HEIGHT, type CellKind, type SortDirection } from './grid-model';

export const BORDER = '1px solid var(--mantine-color-default-border)';
const SELECTED = 'var(--mantine-primary-color-light)';
const FOCUS_RING = '2px solid var(--mantine-primary-color-filled)';

export interface GridHeaderCellProps {
  column: QueryColumn;
  index: number;
  width: number;
  numeric: boolean;
  sorted: SortDirection | null;
  onSort: (index: number) => void;
  onResizeStart: (event: PointerEvent<HTMLDivElement>, index: number) => void;
}

export function GridHeaderCell({ column, index, width, numeric, sorted, onSort, onResizeStart }: GridHeaderCellProps) {
  return (
    <div
      role="columnheader"
      aria-colindex={index + 2}
      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
      style={{ position: 'relative', flex: 'none', width, borderRight: BORDER, borderBottom: BORDER }}
    >
      <UnstyledButton
        onClick={() => onSort(index)}
        title={`Sort by ${column.name} (ascending, descending, none)`}
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 6,
          width: '100%',
          height: '100%',
          padding: '0 8px',
          overflow: 'hidden',
          whiteSpace: 'nowrap',
          fontFamily: 'inherit',
          fontSize: 12,
          justifyContent: numeric ? 'flex-end' : 'flex-start',
        }}
      >
        <span style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis' }}>{column.name}</span>
        <span style={{ color: 'var(--mantine-color-dimmed)', fontSize: 10 }}>{column.type}</span>
        {sorted ? <span aria-hidden="true">{sorted === 'asc' ? '▲' : '▼'}</span> : null}
      </UnstyledButton>
      <div
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize column ${column.name}`}
        onPointerDown={(e) => onResizeStart(e, index)}
        style={{ position: 'absolute', top: 0, right: -4, width: 8, height: '100%', cursor: 'col-resize', zIndex: 1, touchAction: 'none' }}
      />
    </div>
  );
}

export interface GridRowProps {
  position: number;
  top: number;
  cells: readonly QueryCell[];
  kinds: readonly CellKind[];
  widths: readonly number[];
  rowNumberWidth: number;
  totalWidth: number;
  /** Column of the selected cell in this row, or -1. */
  activeCol: number;
  selected: boolean;
  activeId: string;
}

/**
 * The body's look as classes (one stylesheet, rendered once by the grid): a row scrolled
 * into view then sets a width per cell instead of a dozen inline properties each.
 */
export const GRID_CSS = `
.ops-grid-row { position: absolute; left: 0; height: ${ROW_HEIGHT}px; display: flex; contain: layout style; }
.ops-grid-row[aria-selected='true'] { background: ${SELECTED}; }
.ops-grid-rownum { position: sticky; left: 0; z-index: 1; flex: none; padding: 0 6px; text-align: right; color: var(--mantine-color-dimmed); cursor: pointer; user-select: none; border-right: ${BORDER}; border-bottom: ${BORDER}; line-height: ${ROW_HEIGHT - 1}px; background-color: var(--mantine-color-body); }
.ops-grid-row[aria-selected='true'] .ops-grid-rownum { background-image: linear-gradient(${SELECTED}, ${SELECTED}); }
.ops-grid-cell { flex: none; padding: 0 8px; overflow: hidden; text-overflow: ellipsis; white-space: pre; line-height: ${ROW_HEIGHT - 1}px; border-right: ${BORDER}; border-bottom: ${BORDER}; }
.ops-grid-cell[data-num] { text-align: right; }
.ops-grid-cell[aria-selected='true'] { outline: ${FOCUS_RING}; outline-offset: -2px; }
.ops-grid-null { color: var(--mantine-color-dimmed); font-size: 10px; border: ${BORDER}; border-radius: 3px; padding: 0 4px; }
`;

/**
 * Props equal for a row that stays on screen: its cells are read afresh from the packed store
 * at every render (a new array each time), so they are compared cell by cell, the rest by identity.
 */
function sameRow(a: GridRowProps, b: GridRowProps): boolean {
  for (const key of Object.keys(a) as Array<keyof GridRowProps>) if (key !== 'cells' && a[key] !== b[key]) return false;
  if (a.cells.length !== b.cells.length) return false;
  for (let c = 0; c < a.cells.length; c++) if (a.cells[c] !== b.cells[c]) return false;
  return true;
}

export const GridRow = memo(function GridRow({ position, top, cells, kinds, widths, rowNumberWidth, totalWidth, activeCol, selected, activeId }: GridRowProps) {
  return (
    <div
      role="row"
      className="ops-grid-row"
      aria-rowindex={position + 2}
      aria-selected={selected || undefined}
      data-pos={position}
      style={{ top, width: totalWidth }}
    >
      <div role="rowheader" className="ops-grid-rownum" aria-colindex={1} data-rownum="" style={{ width: rowNumberWidth }}>
        {position + 1}
      </div>
      {kinds.map((kind, c) => {
        const value = cells[c] ?? null;
        const active = c === activeCol;
        return (
          <div
            key={c}
            role="gridcell"
            className="ops-grid-cell"
            id={active ? activeId : undefined}
            aria-colindex={c + 2}
            aria-selected={active || undefined}
            data-col={c}
            data-num={isNumericKind(kind) ? '' : undefined}
            title={value === '' ? 'empty string' : undefined}
            style={{ width: widths[c] }}
          >
            {value === null ? <span className="ops-grid-null">NULL</span> : cellDisplay(value, kind)}
          </div>
        );
      })}
    </div>
  );
}, sameRow);

/** Characters drawn in the panel; Copy still copies the whole value. */
const SHOWN_CHARS = 200_000;

function byteaSize(hex: string): string | null {
  if (!hex.startsWith('\\x')) return null;
  const bytes = (hex.length - 2) / 2;
  return `${bytes.toLocaleString('en-US')} byte${bytes === 1 ? '' : 's'}`;
}

export interface CellDetailProps {
  opened: boolean;
  onClose: () => void;
  column: QueryColumn | null;
  value: QueryCell;
  /** 1-based row number as shown in the grid. */
  rowNumber: number;
}

/** Memoized: while closed it does not re-render with every streamed batch. */
export const CellDetail = memo(function CellDetail({ opened, onClose, column, value, rowNumber }: CellDetailProps) {
  const [copied, setCopied] = useState<string | null>(null);
  const kind = column ? cellKind(column.type) : 'text';
  const text = value === null ? '' : kind === 'json' ? prettyJson(String(value)) : cellText(value);
  const size = column?.type === 'bytea' && typeof value === 'string' ? byteaSize(value) : null;

  async function copy() {
    setCopied((await copyToClipboard(text)) ? 'Copied' : 'Copy failed: the browser refused the clipboard');
  }

  function close() {
    setCopied(null);
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} size="xl" title={column ? `${column.name} (${column.type}), row ${rowNumber.toLocaleString('en-US')}` : 'Cell'}>
      <Stack gap="sm">
        {value === null ? (
          <Text c="dimmed" ff="monospace" aria-label="Cell value">
            NULL
          </Text>
        ) : text === '' ? (
          <Text c="dimmed" fs="italic" aria-label="Cell value">
            empty string
          </Text>
        ) : (
          <ScrollArea.Autosize mah="60vh" type="auto">
            <Code block aria-label="Cell value" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {text.length > SHOWN_CHARS ? text.slice(0, SHOWN_CHARS) : text}
            </Code>
          </ScrollArea.Autosize>
        )}
        <Group justify="space-between" wrap="nowrap">
          <Text size="xs" c="dimmed">
            {value === null ? 'NULL (no value)' : `${text.length.toLocaleString('en-US')} characters${size ? ` · ${size}` : ''}`}
            {text.length > SHOWN_CHARS ? ` · first ${SHOWN_CHARS.toLocaleString('en-US')} shown, Copy copies all` : ''}
          </Text>
          <Group gap="xs" wrap="nowrap">
            {copied ? (
              <Text size="xs" aria-live="polite">
                {copied}
              </Text>
            ) : null}
            <Button size="xs" variant="default" onClick={() => void copy()} disabled={value === null}>
              Copy
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
});
