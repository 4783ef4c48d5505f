// The view the grid shows (sort + filter) over rows that keep arriving while a statement
// streams: positions to row numbers, folded in batches rather than re-sorted (issue #21).
import { cellKind, mergeSorted, numberOf, sortIndex, type SortDirection } from './grid-sort';
import type { QueryColumn } from '@contract/models';
import { markMatches, type FilterSpec } from './grid-model';
import { cellSource, type CellSource, type RowsInput } from './row-store';

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
