// The result grid: a virtual list of fixed-height rows (only the visible ones are in the
// DOM), sticky header and row numbers, type-aware cells, keyboard selection, copy as
// TSV, and sort/filter over the rows already received (no new query). The logic lives
// in grid-model.ts, the view's streaming/sort/filter in useGridView.ts; rows stream into
// the parent's RowStore (packed, read cell by cell) and `rowCount` says how far. The grid takes the height its parent
// leaves (a flex column) and scrolls inside itself.
import { Text } from '@mantine/core';
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { QueryCell, QueryColumn } from '@contract/models';
import { BORDER, CellDetail, GRID_CSS, GridRow } from './CellDetail';
import { copyToClipboard } from '../../shared/clipboard';
import { GridHeader, HEADER_HEIGHT } from './GridHeader';
import { GridToolbar } from './GridToolbar';
import { cellKind, cellText, MAX_SCROLL_PX, moveCursor, ROW_HEIGHT, scrollTopForRow, toTsv, visibleWindow } from './grid-model';
import { CHAR_PX, useColumnWidths } from './useColumnWidths';
import { useGridView } from './useGridView';
import { cellSource, rowCells, type RowStore } from './row-store';
import { formatCount } from '../../shared/format/numbers';

const OVERSCAN = 8;
/** "Copy rows" without a selection copies at most this many rows (a TSV of them all can reach 100s of MB). */
const MAX_COPY_ROWS = 200_000;
/** A small result gets a box just tall enough (header, rows, room for a horizontal scrollbar). */
const MIN_BOX_ROWS = 4;
const SCROLLBAR_ROOM = 16;

/** A cell: `row` is the row's number in the result, not its position on screen. */
interface CellRef {
  row: number;
  col: number;
}

/** Rows selected from the row-number column (Shift+click extends), as result row numbers. */
interface RowRange {
  anchor: number;
  focus: number;
}

export interface ResultGridProps {
  columns: QueryColumn[];
  /** The parent's rows; a RowStore may grow in place while rows stream in. */
  rows: RowStore | QueryCell[][];
  /** Rows of `rows` to show: raise it (same array) to make the grid look again. */
  rowCount: number;
  label: string;
}

export function ResultGrid({ columns, rows, rowCount, label }: ResultGridProps) {
  const count = Math.min(rowCount, rows.length);
  const grid = useGridView(rows, columns, count);
  const cells = useMemo(() => cellSource(rows), [rows]);
  const { view, n, version, busy, pending, revealRef } = grid;

  const scrollerRef = useRef<HTMLDivElement>(null);
  const anchorRef = useRef(0);
  const activeId = `${useId()}-active`;
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(ROW_HEIGHT * 8);
  const [cursor, setCursor] = useState<CellRef | null>(null);
  const [range, setRange] = useState<RowRange | null>(null);
  const [detail, setDetail] = useState<CellRef | null>(null);
  const closeDetail = useCallback(() => setDetail(null), []);
  const [notice, setNotice] = useState<string | null>(null);
  const [focused, setFocused] = useState(false);
  const [seenView, setSeenView] = useState(view);
  if (seenView !== view) {
    setSeenView(view);
    setCursor(null);
    setRange(null);
    setDetail(null);
  }

  useEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    el.scrollTop = 0;
    const observer = new ResizeObserver(() => setViewportHeight(Math.max(ROW_HEIGHT, el.clientHeight - HEADER_HEIGHT)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [view]);

  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);

  const kinds = useMemo(() => columns.map((c) => cellKind(c.type)), [columns]);
  const { widths, startResize } = useColumnWidths(view, columns, rows, count);
  const rowNumberWidth = Math.max(44, Math.ceil(String(n).length * CHAR_PX) + 16);
  const totalWidth = rowNumberWidth + widths.reduce((a, b) => a + b, 0);

  // version: the view changes in place (sort, filter, fold), so positions are looked up again.
  const cursorPos = useMemo(() => (cursor ? view.positionOf(cursor.row) : -1), [view, cursor, n, version]);
  const rangePos = useMemo(() => {
    if (!range) return null;
    const a = view.positionOf(range.anchor);
    const b = view.positionOf(range.focus);
    return a < 0 || b < 0 ? null : { from: Math.min(a, b), to: Math.max(a, b) };
  }, [view, range, n, version]);

  // Keep the rows on screen while the scaled scroll space is re-divided among more rows.
  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (!el || anchorRef.current === 0 || n * ROW_HEIGHT <= MAX_SCROLL_PX) return;
    const want = scrollTopForRow(anchorRef.current, 'top', viewportHeight, n, ROW_HEIGHT, MAX_SCROLL_PX);
    if (Math.abs(el.scrollTop - want) >= 1) el.scrollTop = want;
  }, [n]);

  // After a keyboard move or a new sort/filter: bring the selected cell into view.
  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (!revealRef.current || !el) return;
    revealRef.current = false;
    if (cursorPos < 0) {
      el.scrollTop = 0;
      return;
    }
    const top = scrollTopForRow(cursorPos, 'top', viewportHeight, n, ROW_HEIGHT, MAX_SCROLL_PX);
    const bottom = scrollTopForRow(cursorPos, 'bottom', viewportHeight, n, ROW_HEIGHT, MAX_SCROLL_PX);
    if (el.scrollTop > top) el.scrollTop = top;
    else if (el.scrollTop < bottom) el.scrollTop = bottom;
    const col = cursor?.col ?? 0;
    const left = widths.slice(0, col).reduce((a, b) => a + b, 0);
    const right = left + (widths[col] ?? 0) + rowNumberWidth;
    if (el.scrollLeft > left) el.scrollLeft = left;
    else if (right > el.scrollLeft + el.clientWidth) el.scrollLeft = right - el.clientWidth;
  });

  const win = visibleWindow(scrollTop, viewportHeight, n, ROW_HEIGHT, MAX_SCROLL_PX, OVERSCAN);

  function onScroll() {
    const el = scrollerRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    anchorRef.current = visibleWindow(el.scrollTop, viewportHeight, n, ROW_HEIGHT, MAX_SCROLL_PX).first;
  }

  async function copyRows(ids: Uint32Array, limited: boolean) {
    const ok = await copyToClipboard(toTsv(columns, rows, ids));
    setNotice(
      ok
        ? `Copied ${formatCount(ids.length)} row${ids.length === 1 ? '' : 's'}${limited ? ` (the first ${formatCount(MAX_COPY_ROWS)})` : ''}`
        : 'Copy failed: the browser refused the clipboard',
    );
  }

  async function copySelection() {
    if (rangePos) return copyRows(view.rowsAt(rangePos.from, rangePos.to), false);
    if (!cursor || cursorPos < 0) return;
    const ok = await copyToClipboard(cellText(cells.cell(cursor.row, cursor.col)));
    setNotice(ok ? 'Copied the cell' : 'Copy failed: the browser refused the clipboard');
  }

  function copyRowsButton() {
    if (rangePos) return void copyRows(view.rowsAt(rangePos.from, rangePos.to), false);
    void copyRows(view.rowsAt(0, Math.min(n, MAX_COPY_ROWS) - 1), n > MAX_COPY_ROWS);
  }

  function cellAt(target: EventTarget): { pos: number; col: number | null } | null {
    if (!(target instanceof Element)) return null;
    const rowEl = target.closest<HTMLElement>('[data-pos]');
    if (!rowEl) return null;
    const cellEl = target.closest<HTMLElement>('[data-col]');
    return { pos: Number(rowEl.dataset.pos), col: cellEl ? Number(cellEl.dataset.col) : null };
  }

  function onBodyClick(event: MouseEvent) {
    const hit = cellAt(event.target);
    if (!hit) return;
    const row = view.rowAt(hit.pos);
    if (hit.col === null) {
      // Row number: select the row, Shift extends from the last anchor (or the selected cell).
      const anchor = event.shiftKey ? (range?.anchor ?? cursor?.row ?? row) : row;
      setRange({ anchor, focus: row });
      setCursor({ row, col: cursor?.col ?? 0 });
      return;
    }
    setRange(null);
    setCursor({ row, col: hit.col });
  }

  function onBodyDoubleClick(event: MouseEvent) {
    const hit = cellAt(event.target);
    if (hit && hit.col !== null) setDetail({ row: view.rowAt(hit.pos), col: hit.col });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key;
    if (mod && (key === 'c' || key === 'C')) {
      event.preventDefault();
      void copySelection();
      return;
    }
    if (mod && (key === 'a' || key === 'A') && n > 0) {
      event.preventDefault();
      setRange({ anchor: view.rowAt(0), focus: view.rowAt(n - 1) });
      return;
    }
    if (key === 'Escape') return setRange(null);
    if (n === 0 || columns.length === 0) return;
    if (key === 'Enter') {
      event.preventDefault();
      if (cursor && cursorPos >= 0) setDetail(cursor);
      return;
    }
    const pos = Math.max(0, cursorPos);
    const page = Math.max(1, Math.floor(viewportHeight / ROW_HEIGHT) - 1);
    // With nothing selected yet, an arrow selects the first cell rather than moving past it.
    const next =
      cursorPos < 0 && key.startsWith('Arrow')
        ? { pos: 0, col: 0 }
        : moveCursor(key, mod, { pos, col: cursorPos >= 0 && cursor ? cursor.col : 0 }, n, columns.length, page);
    if (!next) return;
    event.preventDefault();
    const row = view.rowAt(next.pos);
    const vertical = key !== 'ArrowLeft' && key !== 'ArrowRight' && key !== 'Home' && key !== 'End';
    if (event.shiftKey && vertical) setRange({ anchor: range?.anchor ?? view.rowAt(pos), focus: row });
    else setRange(null);
    setCursor({ row, col: next.col });
    revealRef.current = true;
  }

  const sort = view.sort;
  const bodyRows = [];
  for (let pos = win.first; pos <= win.last; pos++) {
    const row = view.rowAt(pos);
    bodyRows.push(
      <GridRow
        key={pos % (win.last - win.first + 1)}
        position={pos}
        top={win.offsetPx + (pos - win.first) * ROW_HEIGHT}
        cells={rowCells(cells, row, columns.length)}
        kinds={kinds}
        widths={widths}
        rowNumberWidth={rowNumberWidth}
        totalWidth={totalWidth}
        activeCol={pos === cursorPos ? cursor!.col : -1}
        selected={rangePos !== null && pos >= rangePos.from && pos <= rangePos.to}
        activeId={activeId}
      />,
    );
  }
  const activeRendered = cursorPos >= win.first && cursorPos <= win.last;
  // As tall as its rows need, shrunk by the flex column to the room there is (never below a few rows).
  const naturalHeight = HEADER_HEIGHT + Math.max(n, MIN_BOX_ROWS) * ROW_HEIGHT + 2 + SCROLLBAR_ROOM;
  const detailColumn = detail ? (columns[detail.col] ?? null) : null;
  const progress = busy ?? (pending > 0 ? `${formatCount(pending)} new rows are being sorted in…` : null);

  return (
    <div style={{ flex: '1 1 0', minHeight: 0, display: 'flex', flexDirection: 'column', gap: 4 }}>
      <style>{GRID_CSS}</style>
      <GridToolbar
        columns={columns}
        filterText={grid.filterText}
        onFilterText={grid.setFilterText}
        filterColumn={grid.filterColumn}
        onFilterColumn={grid.setFilterColumn}
        shown={n}
        total={count}
        progress={progress}
        notice={notice}
        onCopyRows={copyRowsButton}
      />
      <div style={{ position: 'relative', flex: '0 1 auto', minHeight: 0, display: 'flex', flexDirection: 'column' }}>
        <div
          ref={scrollerRef}
          role="grid"
          aria-label={label}
          aria-rowcount={n + 1}
          aria-colcount={columns.length + 1}
          aria-multiselectable="true"
          aria-activedescendant={activeRendered ? activeId : undefined}
          aria-busy={busy !== null || undefined}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onScroll={onScroll}
          onFocus={(e) => e.target === e.currentTarget && setFocused(true)}
          onBlur={() => setFocused(false)}
          // The selected cell shows its own ring; without one on screen the grid shows it.
          style={{
            height: naturalHeight,
            flex: '0 1 auto',
            minHeight: Math.min(naturalHeight, HEADER_HEIGHT + 2 * ROW_HEIGHT + SCROLLBAR_ROOM),
            overflow: 'auto',
            position: 'relative',
            border: BORDER,
            borderRadius: 'var(--mantine-radius-sm)',
            fontFamily: 'var(--mantine-font-family-monospace)',
            fontSize: 12,
            outline: focused && !activeRendered ? '2px solid var(--mantine-primary-color-filled)' : 'none',
            outlineOffset: -2,
            background: 'var(--mantine-color-body)',
          }}
        >
          <GridHeader
            columns={columns}
            kinds={kinds}
            widths={widths}
            rowNumberWidth={rowNumberWidth}
            totalWidth={totalWidth}
            sort={sort}
            onSort={grid.cycleSort}
            onResizeStart={startResize}
          />
          <div
            onClick={onBodyClick}
            onDoubleClick={onBodyDoubleClick}
            onMouseDown={(e) => e.detail > 1 && e.preventDefault()}
            style={{ position: 'relative', height: win.spacerPx, width: totalWidth }}
          >
            {bodyRows}
          </div>
        </div>
        {n === 0 ? (
          <Text size="sm" c="dimmed" style={{ position: 'absolute', top: HEADER_HEIGHT + 8, left: 12, pointerEvents: 'none' }}>
            {count === 0 ? 'Waiting for rows…' : 'No rows match the filter.'}
          </Text>
        ) : null}
      </div>
      <CellDetail
        opened={detail !== null}
        onClose={closeDetail}
        column={detailColumn}
        value={detail ? cells.cell(detail.row, detail.col) : null}
        rowNumber={detail ? view.positionOf(detail.row) + 1 : 0}
      />
    </div>
  );
}
