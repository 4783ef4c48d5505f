// A streamed result's rows on the page (issue #21): the batches as they came, packed by
// column (contract/packed-rows.ts), never unpacked into row arrays. A million rows are a
// few hundred batches of strings and typed arrays, so a major GC has little to mark (one
// array per row kept the longest main-thread tasks at 240-400 ms). Cells are read back on
// demand: the rows on screen, a sort's keys, a filter's tests, a copy.
import type { QueryCell } from '@contract/models';
import { packRows, readCell, type PackedRows } from '@contract/packed-rows';

/** Where the grid's readers get cells from: a RowStore, or plain row arrays (a non-streamed result, tests). */
export interface CellSource {
  cell(row: number, col: number): QueryCell;
}

export type RowsInput = CellSource | readonly (readonly QueryCell[])[];

class ArrayCells implements CellSource {
  constructor(private readonly rows: readonly (readonly QueryCell[])[]) {}
  cell(row: number, col: number): QueryCell {
    return this.rows[row]?.[col] ?? null;
  }
}

export function cellSource(rows: RowsInput): CellSource {
  return Array.isArray(rows) ? new ArrayCells(rows as readonly (readonly QueryCell[])[]) : (rows as CellSource);
}

/** The `n` cells of a row, for drawing it. */
export function rowCells(source: CellSource, row: number, n: number): QueryCell[] {
  const cells = new Array<QueryCell>(n);
  for (let c = 0; c < n; c++) cells[c] = source.cell(row, c);
  return cells;
}

export class RowStore implements CellSource {
  private readonly batches: PackedRows[] = [];
  /** First row of each batch. */
  private readonly starts: number[] = [];
  /** Batch of the last lookup: scans (sort keys, filters) read row after row. */
  private last = 0;
  length = 0;

  static of(rows: readonly (readonly QueryCell[])[], columns?: number): RowStore {
    const store = new RowStore();
    store.appendRows(rows, columns);
    return store;
  }

  append(batch: PackedRows): void {
    if (batch.rows === 0) return;
    this.batches.push(batch);
    this.starts.push(this.length);
    this.length += batch.rows;
  }

  appendRows(rows: readonly (readonly QueryCell[])[], columns?: number): void {
    if (rows.length > 0) this.append(packRows(rows, columns));
  }

  cell(row: number, col: number): QueryCell {
    if (row < 0 || row >= this.length) return null;
    const b = this.batchOf(row);
    return readCell(this.batches[b]!, row - this.starts[b]!, col);
  }

  private batchOf(row: number): number {
    const starts = this.starts;
    let b = this.last;
    if (row >= starts[b]! && (b + 1 === starts.length || row < starts[b + 1]!)) return b;
    b++;
    if (b < starts.length && row >= starts[b]! && (b + 1 === starts.length || row < starts[b + 1]!)) return (this.last = b);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return (this.last = lo);
  }
}
