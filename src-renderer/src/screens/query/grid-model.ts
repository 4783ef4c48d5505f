// The result grid's logic, without React: filtering, display text, TSV for the clipboard,
// the scroll arithmetic of a million-row virtual list, and the view (sort + filter) that
// follows rows while they stream in. Ordering lives in grid-sort.ts.
import type { QueryCell, QueryColumn } from '@contract/models';
import { cellKind, mergeSorted, numberOf, sortIndex, type CellKind, type SortDirection } from './grid-sort';
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
function markMatches(cells: CellSource, filter: FilterSpec, columnCount: number, from: number, to: number, mask: Uint8Array): void {
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

// ---- the view: sort and filter over rows that keep arriving ----

export interface SortSpec {
  column: number;
  direction: SortDirection;
}

/**
 * The rows the grid shows, in order: positions → row numbers. While rows stream in, an
 * unsorted view takes each batch at once (the filter tests only the new rows). A sorted
 * view leaves new rows out until `fold()`, which sorts just them and merges them in; the
 * grid calls it at most twice a second and once more when rows stop arriving, so a
 * million streamed rows are never re-sorted batch after batch.
 */
export class GridView {
  private sortSpec: SortSpec | null = null;
  private filterSpec: FilterSpec | null = null;
  /** Rows taken in so far: [0, covered). */
  private covered = 0;
  /** All covered rows in sort order, when sorted. */
  private sorted: Uint32Array | null = null;
  /** The sorted column's cells as doubles, by row, when it is numeric or boolean (for fold). */
  private numbers: Float64Array | null = null;
  /** 1 where a row matches the filter, for rows [0, masked). */
  private mask = new Uint8Array(0);
  private masked = 0;
  /** Shown rows (a buffer longer than shownLength), or null for "every covered row in row order". */
  private shown: Uint32Array | null = null;
  private shownLength = 0;

  private readonly cells: CellSource;

  constructor(
    rows: RowsInput,
    /** Replaceable: type names resolve when the statement ends, the columns stay the same. */
    public columns: readonly QueryColumn[],
  ) {
    this.cells = cellSource(rows);
  }

  get sort(): SortSpec | null {
    return this.sortSpec;
  }

  get filter(): FilterSpec | null {
    return this.filterSpec;
  }

  /** Rows shown. */
  get length(): number {
    return this.shown ? this.shownLength : this.covered;
  }

  rowAt(position: number): number {
    return this.shown ? this.shown[position]! : position;
  }

  /** Where a row is shown, or -1 (filtered out, or not yet folded in). */
  positionOf(row: number): number {
    if (!this.shown) return row < this.covered ? row : -1;
    return this.shown.subarray(0, this.shownLength).indexOf(row);
  }

  /** Row numbers shown at positions [from, to]. */
  rowsAt(from: number, to: number): Uint32Array {
    const a = Math.max(0, Math.min(from, to));
    const b = Math.min(this.length - 1, Math.max(from, to));
    if (b < a) return new Uint32Array(0);
    if (this.shown) return this.shown.slice(a, b + 1);
    return Uint32Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }

  /** Rows that arrived but are not shown until the next fold (sorted views only). */
  pendingRows(count: number): number {
    return this.sortSpec ? Math.max(0, count - this.covered) : 0;
  }

  /** Cheap, for every batch: an unsorted view takes rows [covered, count) now. */
  grow(count: number): void {
    if (this.sortSpec || count <= this.covered) return;
    if (this.filterSpec) {
      this.extendMask(count);
      for (let row = this.covered; row < count; row++) if (this.mask[row]) this.pushShown(row);
    }
    this.covered = count;
  }

  /** Sorted views: sorts the rows that arrived since the last fold and merges them in. */
  fold(count: number): void {
    const spec = this.sortSpec;
    if (!spec || count <= this.covered) return this.grow(count);
    const type = this.columns[spec.column]!.type;
    const batch = sortIndex(this.cells, count, spec.column, type, spec.direction, this.covered);
    const numbers = this.numbersFor(spec, count);
    this.sorted = this.sorted ? mergeSorted(this.sorted, batch, this.cells, spec.column, type, spec.direction, numbers ?? undefined) : batch;
    this.covered = count;
    this.rebuild();
  }

  /** Grows the cache of doubles to rows [0, count); null for text-like columns. */
  private numbersFor(spec: SortSpec, count: number): Float64Array | null {
    const kind = cellKind(this.columns[spec.column]!.type);
    if (kind === 'text' || kind === 'json') return (this.numbers = null);
    const from = this.numbers ? this.covered : 0;
    if (!this.numbers || this.numbers.length < count) {
      const bigger = new Float64Array(Math.max(count, (this.numbers?.length ?? 0) * 2));
      if (this.numbers) bigger.set(this.numbers.subarray(0, from));
      this.numbers = bigger;
    }
    for (let row = from; row < count; row++) this.numbers[row] = numberOf(this.cells.cell(row, spec.column));
    return this.numbers;
  }

  setSort(spec: SortSpec | null, count: number): void {
    this.sortSpec = spec;
    this.numbers = null;
    this.covered = Math.max(this.covered, count);
    const type = spec ? this.columns[spec.column]!.type : '';
    this.sorted = spec ? sortIndex(this.cells, this.covered, spec.column, type, spec.direction) : null;
    this.rebuild();
  }

  setFilter(spec: FilterSpec | null, count: number): void {
    this.filterSpec = spec && spec.text !== '' ? spec : null;
    this.masked = 0;
    if (this.sortSpec) this.fold(count);
    else this.covered = Math.max(this.covered, count);
    this.rebuild();
  }

  private extendMask(count: number): void {
    const spec = this.filterSpec;
    if (!spec || count <= this.masked) return;
    if (this.mask.length < count) {
      const bigger = new Uint8Array(Math.max(count, this.mask.length * 2));
      bigger.set(this.mask.subarray(0, this.masked));
      this.mask = bigger;
    }
    this.mask.fill(0, this.masked, count);
    markMatches(this.cells, spec, this.columns.length, this.masked, count, this.mask);
    this.masked = count;
  }

  private pushShown(row: number): void {
    if (!this.shown || this.shownLength === this.shown.length) {
      const bigger = new Uint32Array(Math.max(1024, this.shownLength * 2));
      if (this.shown) bigger.set(this.shown.subarray(0, this.shownLength));
      this.shown = bigger;
    }
    this.shown[this.shownLength++] = row;
  }

  private rebuild(): void {
    if (!this.filterSpec) {
      this.shown = this.sorted;
      this.shownLength = this.sorted ? this.sorted.length : this.covered;
      return;
    }
    this.extendMask(this.covered);
    this.shown = new Uint32Array(Math.max(1024, this.covered));
    this.shownLength = 0;
    for (let i = 0; i < this.covered; i++) {
      const row = this.sorted ? this.sorted[i]! : i;
      if (this.mask[row]) this.shown[this.shownLength++] = row;
    }
  }
}
