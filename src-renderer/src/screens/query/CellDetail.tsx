// How the grid draws cells: one row of them (GridRow, memoized: rows that stay on screen
// while scrolling are not redrawn) and one cell's full value (CellDetail, opened with
// Enter or a double-click: pretty JSON, bytea size, NULL and the empty string told apart,
// a Copy button).
import { Button, Code, Group, Modal, ScrollArea, Stack, Text } from '@mantine/core';
import { memo, useState, type CSSProperties } from 'react';
import type { QueryCell, QueryColumn } from '../../../../src-main/contract/models';
import { cellDisplay, cellKind, cellText, isNumericKind, prettyJson, ROW_HEIGHT, type CellKind } from './grid-model';

export const BORDER = '1px solid var(--mantine-color-default-border)';
const SELECTED = 'var(--mantine-primary-color-light)';
const FOCUS_RING = '2px solid var(--mantine-primary-color-filled)';
const NULL_STYLE: CSSProperties = { color: 'var(--mantine-color-dimmed)', fontSize: 10, border: BORDER, borderRadius: 3, padding: '0 4px' };

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

export const GridRow = memo(function GridRow({ position, top, cells, kinds, widths, rowNumberWidth, totalWidth, activeCol, selected, activeId }: GridRowProps) {
  return (
    <div role="row" aria-rowindex={position + 2} aria-selected={selected || undefined} data-pos={position} style={{ position: 'absolute', top, left: 0, height: ROW_HEIGHT, width: totalWidth, display: 'flex', background: selected ? SELECTED : undefined }}>
      <div
        role="rowheader"
        aria-colindex={1}
        data-rownum=""
        style={{ position: 'sticky', left: 0, zIndex: 1, flex: 'none', width: rowNumberWidth, padding: '0 6px', textAlign: 'right', color: 'var(--mantine-color-dimmed)', cursor: 'pointer', userSelect: 'none', borderRight: BORDER, borderBottom: BORDER, lineHeight: `${ROW_HEIGHT - 1}px`, backgroundColor: 'var(--mantine-color-body)', backgroundImage: selected ? `linear-gradient(${SELECTED}, ${SELECTED})` : undefined }}
      >
        {position + 1}
      </div>
      {kinds.map((kind, c) => {
        const value = cells[c] ?? null;
        const active = c === activeCol;
        return (
          <div
            key={c}
            role="gridcell"
            id={active ? activeId : undefined}
            aria-colindex={c + 2}
            aria-selected={active || undefined}
            data-col={c}
            title={value === '' ? 'empty string' : undefined}
            style={{ flex: 'none', width: widths[c], padding: '0 8px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'pre', lineHeight: `${ROW_HEIGHT - 1}px`, textAlign: isNumericKind(kind) ? 'right' : 'left', borderRight: BORDER, borderBottom: BORDER, outline: active ? FOCUS_RING : undefined, outlineOffset: -2 }}
          >
            {value === null ? <span style={NULL_STYLE}>NULL</span> : cellDisplay(value, kind)}
          </div>
        );
      })}
    </div>
  );
});

/** Characters drawn in the panel; Copy still copies the whole value. */
const SHOWN_CHARS = 200_000;

/**
 * Writes text to the clipboard: the async Clipboard API when the page may use it, else the
 * old hidden-textarea copy (plain http in browser mode, or a denied permission).
 */
export async function copyToClipboard(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Not allowed here (no focus, no permission): the fallback below still works in a user gesture.
  }
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  Object.assign(area.style, { position: 'fixed', top: '0', left: '-9999px', opacity: '0' });
  document.body.appendChild(area);
  area.select();
  let copied: boolean;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  previous?.focus();
  return copied;
}

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

export function CellDetail({ opened, onClose, column, value, rowNumber }: CellDetailProps) {
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
          <Text c="dimmed" ff="monospace" aria-label="Cell value">NULL</Text>
        ) : text === '' ? (
          <Text c="dimmed" fs="italic" aria-label="Cell value">empty string</Text>
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
            {copied ? <Text size="xs" aria-live="polite">{copied}</Text> : null}
            <Button size="xs" variant="default" onClick={() => void copy()} disabled={value === null}>
              Copy
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
