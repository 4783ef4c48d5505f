// The result grid's logic, without React: filtering, display text, TSV for the clipboard,
// the scroll arithmetic of a million-row virtual list, and the view (sort + filter) that
// follows rows while they stream in live in grid-view.ts, ordering in grid-sort.ts.
import type { QueryCell, QueryColumn } from '@contract/models';
import { cellKind, type CellKind } from './grid-sort';
import { reformatJson } from '@contract/json-text';
import { cellSource, RowStore, type CellSource, type RowsInput } from './row-store';

export { cellKind, compareCells, compareDecimal, isNumericKind, mergeSorted, numberOf, sortIndex } from './grid-sort';
export type { CellKind, SortDirection } from './grid-sort';

export const ROW_HEIGHT = 26;
/** Chromium stops growing an element near 33.5M px; past this the scroll space is scaled. */
export const MAX_SCROLL_PX = 8_000_000;

/** The cell as plain text (what is copied and filtered): NULL becomes ''. */
export function cellText(cell: QueryCell): string {
  return cell === null ? '' : String(cell);
}

// ---- filtering ----

export interface FilterSpec {
  text: string;
  /** Column to search, or null for every column. */
  column: number | null;
}

/** Case-insensitive substring match; NULL never matches (it has no text). */
function filterPlan(filter: FilterSpec, columnCount: number) {
  const needle = filter.text.toLowerCase();
  // Number cells (int2/int4/oid) print digits and '-' only: skip converting them when they cannot match.
  const numbersCanMatch = /^[0-9-]+$/.test(needle);
  const cols = filter.column === null ? Array.from({ length: columnCount }, (_, i) => i) : [filter.column];
  return { needle, numbersCanMatch, cols };
}

/** Sets mask[row] = 1 for the rows of [from, to) that match (a packed store searches its column text in one pass). */
export function markMatches(cells: CellSource, filter: FilterSpec, columnCount: number, from: number, to: number, mask: Uint8Array): void {
  if (cells instanceof RowStore && filter.text !== '') {
    const { needle, numbersCanMatch, cols } = filterPlan(filter, columnCount);
    return cells.markMatches(needle, cols, numbersCanMatch, from, to, mask);
  }
  const matches = rowMatcher(filter, columnCount);
  for (let row = from; row < to; row++) if (matches(cells, row)) mask[row] = 1;
}

export function rowMatcher(filter: FilterSpec, columnCount: number): (cells: CellSource, row: number) => boolean {
  const { needle, numbersCanMatch, cols } = filterPlan(filter, columnCount);
  return (cells, row) => {
    for (const c of cols) {
      const v = cells.cell(row, c);
      if (v === null) continue;
      if (typeof v === 'string') {
        if (v.toLowerCase().includes(needle)) return true;
      } else if (typeof v === 'boolean' || numbersCanMatch) {
        if (String(v).includes(needle)) return true;
      }
    }
    return false;
  };
}

/** Rows [from, count) whose cells contain `filter.text`, in row order. */
export function filterIndex(rows: RowsInput, count: number, filter: FilterSpec, columnCount: number, from = 0): Uint32Array {
  const mask = new Uint8Array(Math.max(0, count));
  markMatches(cellSource(rows), filter, columnCount, from, count, mask);
  const out = new Uint32Array(Math.max(0, count - from));
  let n = 0;
  for (let row = from; row < count; row++) if (mask[row]) out[n++] = row;
  return out.slice(0, n);
}

export function sameFilter(a: FilterSpec | null, b: FilterSpec | null): boolean {
  return a === b || (a !== null && b !== null && a.text === b.text && a.column === b.column);
}

// ---- keyboard ----

export interface GridPoint {
  /** Position on screen (after sort and filter), 0-based. */
  pos: number;
  col: number;
}

/**
 * Where a key moves the selected cell, as in the ARIA grid pattern: arrows, PageUp/PageDown
 * by `pageRows`, Home/End to the row's first/last cell, with Ctrl (or Cmd) to the grid's
 * first/last cell. Null for any other key.
 */
export function moveCursor(key: string, mod: boolean, from: GridPoint, rowCount: number, columnCount: number, pageRows: number): GridPoint | null {
  const { pos, col } = from;
  const moves: Record<string, [number, number]> = {
    ArrowDown: [pos + 1, col],
    ArrowUp: [pos - 1, col],
    ArrowRight: [pos, col + 1],
    ArrowLeft: [pos, col - 1],
    PageDown: [pos + pageRows, col],
    PageUp: [pos - pageRows, col],
    Home: [mod ? 0 : pos, 0],
    End: [mod ? rowCount - 1 : pos, columnCount - 1],
  };
  const move = Object.hasOwn(moves, key) ? moves[key] : undefined;
  if (!move || rowCount === 0 || columnCount === 0) return null;
  return { pos: Math.min(rowCount - 1, Math.max(0, move[0])), col: Math.min(columnCount - 1, Math.max(0, move[1])) };
}

// ---- text for display, detail and clipboard ----

/** One line of a cell for the grid (NULL is drawn apart): compact JSON, newlines shown as ↵. */
export function cellDisplay(cell: QueryCell, kind: CellKind, maxChars = 1000): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = kind === 'json' ? compactJson(cell.length > maxChars * 4 ? cell.slice(0, maxChars * 4) : cell) : cell;
  const head = text.length > maxChars ? text.slice(0, maxChars) : text;
  return head.replace(/\r\n|\n|\r/g, '↵').replace(/\t/g, ' ');
}

export function compactJson(text: string): string {
  return reformatJson(text, 0);
}

/** Pretty JSON for the detail panel, or the text as it is when it is not JSON. */
export function prettyJson(text: string): string {
  try {
    JSON.parse(text);
  } catch {
    return text;
  }
  return reformatJson(text, 2);
}

function tsvField(cell: QueryCell, kind: CellKind = 'text'): string {
  // JSON arrives indented over several lines: one line per row reads better once pasted.
  const text = kind === 'json' && typeof cell === 'string' ? compactJson(cell) : cellText(cell);
  // Spreadsheets split pasted TSV on tabs and newlines unless the field is quoted, and read a
  // leading quote as the start of one; quotes elsewhere stay as they are (JSON stays readable).
  return /[\t\n\r]/.test(text) || text.startsWith('"') ? `"${text.replace(/"/g, '""')}"` : text;
}

/** TSV with a header line; NULL as an empty field, JSON on one line. */
export function toTsv(columns: readonly QueryColumn[], rows: RowsInput, rowIds: ArrayLike<number>): string {
  const kinds = columns.map((c) => cellKind(c.type));
  const cells = cellSource(rows);
  const lines = [columns.map((c) => tsvField(c.name)).join('\t')];
  for (let i = 0; i < rowIds.length; i++) {
    const row = rowIds[i]!;
    lines.push(kinds.map((kind, c) => tsvField(cells.cell(row, c), kind)).join('\t'));
  }
  return lines.join('\n');
}

// ---- virtual scrolling ----

export interface VisibleWindow {
  /** First and last rows to render (overscan included); last < first when there are none. */
  first: number;
  last: number;
  /** Top of row `first` inside the spacer, px. */
  offsetPx: number;
  /** Height of the spacer (the scroll space), px. */
  spacerPx: number;
}

function scrollScale(viewportHeight: number, rowCount: number, rowHeight: number, maxScrollPx: number) {
  const natural = rowCount * rowHeight;
  const spacer = Math.min(natural, maxScrollPx);
  // Virtual px per scroll px: 1 until the rows outgrow maxScrollPx.
  const ratio = natural > spacer && spacer > viewportHeight ? (natural - viewportHeight) / (spacer - viewportHeight) : 1;
  return { natural, spacer, ratio, maxScrollTop: Math.max(0, spacer - viewportHeight) };
}

/**
 * Which rows a scroll position shows. Past maxScrollPx the spacer stays maxScrollPx tall
 * and scrollTop maps proportionally onto the rows, so the top shows row 0 and the largest
 * scrollTop shows the last row at the bottom.
 */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowCount: number,
  rowHeight: number,
  maxScrollPx: number,
  overscan = 0,
): VisibleWindow {
  const { spacer, ratio, maxScrollTop } = scrollScale(viewportHeight, rowCount, rowHeight, maxScrollPx);
  if (rowCount === 0) return { first: 0, last: -1, offsetPx: 0, spacerPx: 0 };
  const top = Math.min(Math.max(0, scrollTop), maxScrollTop);
  const virtualTop = top * ratio;
  const firstVisible = Math.min(rowCount - 1, Math.floor(virtualTop / rowHeight));
  const lastVisible = Math.min(rowCount - 1, Math.max(firstVisible, Math.ceil((virtualTop + viewportHeight) / rowHeight) - 1));
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(rowCount - 1, lastVisible + overscan);
  return { first, last, offsetPx: top + first * rowHeight - virtualTop, spacerPx: spacer };
}

/** The scrollTop that shows `row` as the first (align 'top') or last fully visible row. */
export function scrollTopForRow(
  row: number,
  align: 'top' | 'bottom',
  viewportHeight: number,
  rowCount: number,
  rowHeight: number,
  maxScrollPx: number,
): number {
  const { natural, ratio, maxScrollTop } = scrollScale(viewportHeight, rowCount, rowHeight, maxScrollPx);
  const target = align === 'top' ? row * rowHeight : (row + 1) * rowHeight - viewportHeight;
  const virtualTop = Math.min(Math.max(0, target), Math.max(0, natural - viewportHeight));
  // Rounded up: one scroll px moves less than a row, so the row lands exactly in place.
  return Math.min(maxScrollTop, Math.ceil(virtualTop / ratio - 1e-9));
}

/** Column widths (px) from the header and the first rows' text, monospace, capped. */
export function estimateColumnWidths(
  columns: readonly QueryColumn[],
  rows: RowsInput,
  count: number,
  charPx = 7.8,
  min = 60,
  max = 400,
  sample = 200,
): number[] {
  const cells = cellSource(rows);
  return columns.map((col, c) => {
    const kind = cellKind(col.type);
    // Name, a gap, the type (smaller), room for the sort arrow.
    let chars = col.name.length + col.type.length * 0.85 + 3;
    for (let r = 0; r < Math.min(count, sample); r++) {
      const cell = cells.cell(r, c);
      chars = Math.max(chars, cell === null ? 4 : cellDisplay(cell, kind, 80).length);
    }
    return Math.round(Math.min(max, Math.max(min, chars * charPx + 20)));
  });
}
