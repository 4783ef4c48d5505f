// A streamed result's rows on the page (issue #21): the batches as they came, packed by
// column (contract/packed-rows.ts), never unpacked into row arrays. A million rows are a
// few hundred batches of strings and typed arrays, so a major GC has little to mark (one
// array per row kept the longest main-thread tasks at 240-400 ms). Cells are read back on
// demand: the rows on screen, a sort's keys, a filter's tests, a copy.
import type { QueryCell } from '@contract/models';
import { CELL_FALSE, CELL_NULL, CELL_NUMBER, CELL_TEXT, CELL_TRUE, packRows, readCell, type PackedRows } from '@contract/packed-rows';

/** Where the grid's readers get cells from: a RowStore, or plain row arrays (a non-streamed result, tests). */
export interface CellSource {
  cell(row: number, col: number): QueryCell;
}

export type RowsInput = CellSource | readonly (readonly QueryCell[])[];

/**
 * Rows' texts as spans of larger strings, for a text sort: row `from + j` is
 * texts[source[j]] from start[j] to end[j]. A sort reads code units in place rather than
 * cutting a string per cell (a million substrings cost as much as the sort itself).
 */
export interface TextSpans {
  texts: string[];
  source: Uint32Array;
  start: Uint32Array;
  end: Uint32Array;
}

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

  /**
   * The grid filter's rule (grid-model rowMatcher) over rows [from, to), on the packed text:
   * sets mask[row] = 1 where a cell of `cols` contains `needle` (lower-cased, not empty), text
   * cells always, number cells only when `numbersCanMatch`, booleans by 'true'/'false'. An
   * ASCII column is searched in one pass over its batch's text (lower-casing ASCII keeps every
   * offset); any other falls back to cell by cell, as lower-casing may then depend on context.
   */
  markMatches(needle: string, cols: readonly number[], numbersCanMatch: boolean, from: number, to: number, mask: Uint8Array): void {
    if (needle === '' || from >= to) return;
    for (let b = this.batchOf(from); b < this.batches.length && this.starts[b]! < to; b++) {
      const p = this.batches[b]!;
      const base = this.starts[b]!;
      const lo = Math.max(0, from - base);
      const hi = Math.min(p.rows, to - base);
      for (const col of cols) {
        if (col >= p.columns) continue;
        const n = p.columns;
        if ('true'.includes(needle) || 'false'.includes(needle)) {
          for (let r = lo; r < hi; r++) {
            const kind = p.kinds[r * n + col];
            if ((kind === CELL_TRUE && 'true'.includes(needle)) || (kind === CELL_FALSE && 'false'.includes(needle))) mask[base + r] = 1;
          }
        }
        const text = p.text[col]!;
        // eslint-disable-next-line no-control-regex
        if (/[^\x00-\x7f]/.test(text)) {
          for (let r = lo; r < hi; r++) {
            const kind = p.kinds[r * n + col];
            if (kind !== CELL_TEXT && !(kind === CELL_NUMBER && numbersCanMatch)) continue;
            if (
              String(readCell(p, r, col))
                .toLowerCase()
                .includes(needle)
            )
              mask[base + r] = 1;
          }
          continue;
        }
        const lower = text.toLowerCase();
        const limit = p.ends[(hi - 1) * n + col]!;
        let at = lower.indexOf(needle, lo === 0 ? 0 : p.ends[(lo - 1) * n + col]!);
        // The cell holding position `at`: the first row whose cell ends after it. Matches come
        // in text order, so the row only moves forward: one step per row of the batch in all
        // (a binary search per match cost 4x the arrays' filter when most rows matched).
        let a = lo;
        while (at >= 0 && at + needle.length <= limit) {
          while (p.ends[a * n + col]! <= at) a++;
          const end = p.ends[a * n + col]!;
          if (at + needle.length > end) {
            at = lower.indexOf(needle, at + 1);
            continue;
          }
          const kind = p.kinds[a * n + col];
          if (kind === CELL_TEXT || (kind === CELL_NUMBER && numbersCanMatch)) mask[base + a] = 1;
          at = lower.indexOf(needle, end);
        }
      }
    }
  }

  /**
   * Rows [from, to) of column `col` as spans of their batch's text, NULL cells left out
   * (their slots hold an empty span), or null when a cell is a number or a boolean (the
   * caller reads cells then, as the sort must order String(cell)).
   */
  textSpans(col: number, from: number, to: number): TextSpans | null {
    const size = Math.max(0, to - from);
    const spans: TextSpans = { texts: [], source: new Uint32Array(size), start: new Uint32Array(size), end: new Uint32Array(size) };
    if (size === 0) return spans;
    for (let b = this.batchOf(from); b < this.batches.length && this.starts[b]! < to; b++) {
      const p = this.batches[b]!;
      const base = this.starts[b]!;
      const n = p.columns;
      const textIndex = spans.texts.length;
      spans.texts.push(col < n ? p.text[col]! : '');
      for (let r = Math.max(0, from - base), hi = Math.min(p.rows, to - base); r < hi; r++) {
        const j = base + r - from;
        spans.source[j] = textIndex;
        if (col >= n) continue;
        const kind = p.kinds[r * n + col];
        if (kind !== CELL_TEXT && kind !== CELL_NULL) return null;
        spans.start[j] = r === 0 ? 0 : p.ends[(r - 1) * n + col]!;
        spans.end[j] = p.ends[r * n + col]!;
      }
    }
    return spans;
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
