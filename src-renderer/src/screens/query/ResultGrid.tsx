// The result grid: a virtual list of fixed-height rows (only the visible ones are in the
// DOM), sticky header and row numbers, type-aware cells, keyboard selection, copy as
// TSV, and sort/filter over the rows already received (no new query). The logic lives
// in grid-model.ts; rows stream into the parent's array and `rowCount` says how far.
import { Text } from '@mantine/core';
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import type { QueryCell, QueryColumn } from '@contract/models';
import { BORDER, CellDetail, copyToClipboard, GRID_CSS, GridHeaderCell, GridRow } from './CellDetail';
import { GridToolbar } from './GridToolbar';
import {
  cellKind,
  cellText,
  estimateColumnWidths,
  GridView,
  isNumericKind,
  MAX_SCROLL_PX,
  moveCursor,
  ROW_HEIGHT,
  sameFilter,
  scrollTopForRow,
  toTsv,
  visibleWindow,
  type SortSpec,
} from './grid-model';
import { formatCount } from '../../shared/format/numbers';

const HEADER_HEIGHT = 30;
const OVERSCAN = 8;
/** Width of one character of the 12px monospace font, for the width estimate. */
const CHAR_PX = 7.3;
/**
 * A sorted view takes in streamed rows at most every FOLD_INTERVAL_MS, and never spends
 * more than 1/FOLD_DUTY of the time merging (a fold into a million rows can take a few
 * hundred ms); once more when rows stop arriving.
 */
const FOLD_INTERVAL_MS = 500;
const FOLD_DUTY = 8;
/** Past this many rows a sort or filter first says so, then runs after the next paint. */
const BIG_ROWS = 50_000;
/** "Copy rows" without a selection copies at most this many rows (a TSV of them all can reach 100s of MB). */
const MAX_COPY_ROWS = 200_000;
/** A small result gets a box just tall enough (header, rows, room for a horizontal scrollbar). */
const MIN_BOX_ROWS = 4;
const SCROLLBAR_ROOM = 16;

/** Runs `fn` once the browser has painted what was set before (e.g. "Sorting…"). */
function afterPaint(fn: () => void): () => void {
  let timer = 0;
  const frame = requestAnimationFrame(() => {
    timer = window.setTimeout(fn, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

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
  /** The parent's array; it may grow in place while rows stream in. */
  rows: QueryCell[][];
  /** Rows of `rows` to show: raise it (same array) to make the grid look again. */
  rowCount: number;
  label: string;
  /** Height of the grid box (header + rows), px. */
  height?: number;
}

export function ResultGrid({ columns, rows, rowCount, label, height = 480 }: ResultGridProps) {
  const count = Math.min(rowCount, rows.length);
  // One view per result; its columns are replaced (not the view) when type names resolve.
  const view = useMemo(() => new GridView(rows, columns), [rows, columns.length]);
  view.columns = columns;
  view.grow(count);
  const n = view.length;

  const scrollerRef = useRef<HTMLDivElement>(null);
  const countRef = useRef(count);
  /** When the next fold may run (performance.now() ms). */
  const nextFold = useRef(0);
  const anchorRef = useRef(0);
  const revealRef = useRef(false);
  const activeId = `${useId()}-active`;
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(Math.max(ROW_HEIGHT, height - HEADER_HEIGHT - 2));
  const [cursor, setCursor] = useState<CellRef | null>(null);
  const [range, setRange] = useState<RowRange | null>(null);
  const [detail, setDetail] = useState<CellRef | null>(null);
  const [filterText, setFilterText] = useState('');
  const [filterColumn, setFilterColumn] = useState('all');
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resized, setResized] = useState<{ view: GridView | null; widths: Record<number, number> }>({ view: null, widths: {} });
  const [focused, setFocused] = useState(false);
  const [seenView, setSeenView] = useState(view);
  if (seenView !== view) {
    setSeenView(view);
    setCursor(null);
    setRange(null);
    setDetail(null);
    if (filterColumn !== 'all' && Number(filterColumn) >= columns.length) setFilterColumn('all');
  }

  useEffect(() => {
    countRef.current = count;
  }, [count]);

  useEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    el.scrollTop = 0;
    const observer = new ResizeObserver(() => setViewportHeight(Math.max(ROW_HEIGHT, el.clientHeight - HEADER_HEIGHT)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [view]);

  // Sorted views fold streamed rows in, throttled; the timer also fires after the last
  // batch, so the final order needs no "done" signal from the parent.
  const pending = view.pendingRows(count);
  useEffect(() => {
    if (pending === 0) return;
    const timer = window.setTimeout(
      () => {
        const started = performance.now();
        view.fold(countRef.current);
        const took = performance.now() - started;
        nextFold.current = started + took + Math.max(FOLD_INTERVAL_MS, FOLD_DUTY * took);
        bump();
      },
      Math.max(0, nextFold.current - performance.now()),
    );
    return () => clearTimeout(timer);
  }, [view, pending, bump]);

  useEffect(() => {
    const spec = filterText === '' ? null : { text: filterText, column: filterColumn === 'all' ? null : Number(filterColumn) };
    if (sameFilter(view.filter, spec)) return;
    const big = countRef.current > BIG_ROWS;
    let cancelPaint = () => {};
    const timer = window.setTimeout(
      () => {
        const apply = () => {
          view.setFilter(spec, countRef.current);
          setBusy(null);
          revealRef.current = true;
          bump();
        };
        if (!big) return apply();
        setBusy('Filtering…');
        cancelPaint = afterPaint(apply);
      },
      big ? 250 : 80,
    );
    return () => {
      clearTimeout(timer);
      cancelPaint();
    };
  }, [view, filterText, filterColumn, bump]);

  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);

  const kinds = useMemo(() => columns.map((c) => cellKind(c.type)), [columns]);
  const estimated = useMemo(() => estimateColumnWidths(columns, rows, Math.min(count, 200), CHAR_PX), [view, count > 0]);
  const widths = useMemo(() => estimated.map((w, c) => (resized.view === view ? (resized.widths[c] ?? w) : w)), [estimated, resized, view]);
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

  function cycleSort(col: number) {
    if (busy) return;
    const current = view.sort;
    const next: SortSpec | null =
      current?.column !== col ? { column: col, direction: 'asc' } : current.direction === 'asc' ? { column: col, direction: 'desc' } : null;
    const apply = () => {
      view.setSort(next, countRef.current);
      nextFold.current = performance.now() + FOLD_INTERVAL_MS;
      setBusy(null);
      revealRef.current = true;
      bump();
    };
    if (countRef.current <= BIG_ROWS) return apply();
    setBusy(next ? 'Sorting…' : 'Restoring row order…');
    afterPaint(apply);
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
    const ok = await copyToClipboard(cellText(rows[cursor.row]![cursor.col] ?? null));
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

  function startResize(event: PointerEvent<HTMLDivElement>, col: number) {
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = widths[col] ?? 100;
    const move = (e: globalThis.PointerEvent) => {
      const width = Math.min(2000, Math.max(40, Math.round(startWidth + e.clientX - startX)));
      setResized((prev) => ({ view, widths: { ...(prev.view === view ? prev.widths : {}), [col]: width } }));
    };
    const stop = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', stop);
      handle.removeEventListener('pointercancel', stop);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', stop);
    handle.addEventListener('pointercancel', stop);
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
        cells={rows[row]!}
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
  const boxHeight = Math.min(height, HEADER_HEIGHT + Math.max(n, MIN_BOX_ROWS) * ROW_HEIGHT + 2 + SCROLLBAR_ROOM);
  const detailColumn = detail ? (columns[detail.col] ?? null) : null;
  const progress = busy ?? (pending > 0 ? `${formatCount(pending)} new rows are being sorted in…` : null);

  return (
    <div>
      <style>{GRID_CSS}</style>
      <GridToolbar
        columns={columns}
        filterText={filterText}
        onFilterText={setFilterText}
        filterColumn={filterColumn}
        onFilterColumn={setFilterColumn}
        shown={n}
        total={count}
        progress={progress}
        notice={notice}
        onCopyRows={copyRowsButton}
      />
      <div style={{ position: 'relative' }}>
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
            height: boxHeight,
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
          <div
            role="row"
            aria-rowindex={1}
            style={{
              position: 'sticky',
              top: 0,
              zIndex: 2,
              display: 'flex',
              width: totalWidth,
              height: HEADER_HEIGHT,
              background: 'var(--mantine-color-body)',
            }}
          >
            <div
              role="columnheader"
              aria-colindex={1}
              aria-label="Row number"
              style={{
                position: 'sticky',
                left: 0,
                zIndex: 3,
                flex: 'none',
                width: rowNumberWidth,
                padding: '0 6px',
                lineHeight: `${HEADER_HEIGHT - 1}px`,
                textAlign: 'right',
                color: 'var(--mantine-color-dimmed)',
                background: 'var(--mantine-color-body)',
                borderRight: BORDER,
                borderBottom: BORDER,
              }}
            >
              #
            </div>
            {columns.map((col, c) => (
              <GridHeaderCell
                key={c}
                column={col}
                index={c}
                width={widths[c]!}
                numeric={isNumericKind(kinds[c] ?? 'text')}
                sorted={sort?.column === c ? sort.direction : null}
                onSort={cycleSort}
                onResizeStart={startResize}
              />
            ))}
          </div>
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
        onClose={() => setDetail(null)}
        column={detailColumn}
        value={detail ? (rows[detail.row]![detail.col] ?? null) : null}
        rowNumber={detail ? view.positionOf(detail.row) + 1 : 0}
      />
    </div>
  );
}
