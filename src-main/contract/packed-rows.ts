// Result rows packed by column (issue #21): a batch of rows as one string per column plus
// two typed arrays, instead of one array per row and one string per cell. The query grid
// keeps a million streamed rows this way, so the page's heap holds a few objects per batch
// rather than millions (major GCs marking a million row arrays were its longest tasks), and
// browser mode's event-stream worker packs each batch before posting it (one string copy per
// column for the page, the typed arrays transferred). Cells are read back one at a time
// (readCell), for the rows on screen, a sort key or a filter test. Pure: shared by the
// renderer's grid and its worker.
import type { QueryCell } from './query';

/** What a cell was: NULL, text, a JSON number, or a boolean. */
export const CELL_NULL = 0;
export const CELL_TEXT = 1;
export const CELL_NUMBER = 2;
export const CELL_TRUE = 3;
export const CELL_FALSE = 4;

export interface PackedRows {
  rows: number;
  columns: number;
  /** Per column: the text of its cells one after another (numbers as String(n), which reads back exactly). */
  text: string[];
  /** ends[row * columns + col]: where that cell's text ends in text[col]; it starts where the cell above ended (0 for row 0). */
  ends: Uint32Array;
  /** kinds[row * columns + col]: CELL_NULL, CELL_TEXT, CELL_NUMBER, CELL_TRUE or CELL_FALSE. */
  kinds: Uint8Array;
}

/** Packs rows of `columns` cells (a missing cell is NULL, extra ones are dropped). */
export function packRows(rows: readonly (readonly QueryCell[])[], columns = rows[0]?.length ?? 0): PackedRows {
  const n = rows.length;
  const parts: string[][] = Array.from({ length: columns }, () => []);
  const lengths = new Float64Array(columns);
  const ends = new Uint32Array(n * columns);
  const kinds = new Uint8Array(n * columns);
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    const base = r * columns;
    for (let c = 0; c < columns; c++) {
      const v = row[c];
      let kind: number;
      if (v === null || v === undefined) kind = CELL_NULL;
      else if (typeof v === 'string') {
        kind = CELL_TEXT;
        parts[c]!.push(v);
        lengths[c]! += v.length;
      } else if (typeof v === 'number') {
        kind = CELL_NUMBER;
        const s = String(v);
        parts[c]!.push(s);
        lengths[c]! += s.length;
      } else kind = v ? CELL_TRUE : CELL_FALSE;
      kinds[base + c] = kind;
      ends[base + c] = lengths[c]!;
    }
  }
  if (lengths.some((l) => l > 0xffffffff)) throw new RangeError('A batch of rows is too large to pack (over 4 G characters in one column).');
  return { rows: n, columns, text: parts.map((p) => p.join('')), ends, kinds };
}

/** The cell at (row, col) of a packed batch, as the row arrays had it. */
export function readCell(p: PackedRows, row: number, col: number): QueryCell {
  if (col >= p.columns || row >= p.rows) return null;
  const i = row * p.columns + col;
  const kind = p.kinds[i]!;
  if (kind === CELL_NULL) return null;
  if (kind === CELL_TRUE) return true;
  if (kind === CELL_FALSE) return false;
  const start = row === 0 ? 0 : p.ends[i - p.columns]!;
  const text = p.text[col]!.slice(start, p.ends[i]!);
  return kind === CELL_NUMBER ? Number(text) : text;
}
