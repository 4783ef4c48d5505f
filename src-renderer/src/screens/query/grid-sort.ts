// Type-aware ordering of result cells, on a permutation of row numbers (Uint32Array),
// never on the rows themselves. Radix passes on precomputed keys rather than a comparator
// sort: comparing 1,000,000 strings one pair at a time takes seconds.
import type { QueryCell } from '@contract/models';
import { cellSource, RowStore, type RowsInput, type TextSpans } from './row-store';

export type CellKind = 'integer' | 'decimal' | 'float' | 'bool' | 'json' | 'text';
export type SortDirection = 'asc' | 'desc';

const KINDS: Readonly<Record<string, CellKind>> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  oid: 'integer',
  xid: 'integer',
  xid8: 'integer',
  cid: 'integer',
  numeric: 'decimal',
  float4: 'float',
  float8: 'float',
  bool: 'bool',
  json: 'json',
  jsonb: 'json',
};

export function cellKind(type: string): CellKind {
  return KINDS[type.toLowerCase()] ?? 'text';
}

export function isNumericKind(kind: CellKind): boolean {
  return kind === 'integer' || kind === 'decimal' || kind === 'float';
}

// ---- comparison (ascending, NULLS LAST like PostgreSQL's ASC; DESC is its exact reverse) ----

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const DECIMAL = /^([+-]?)(?=\.?\d)0*(\d*)(?:\.(\d*?)0*)?$/;

/** -Infinity, finite, Infinity, NaN (PostgreSQL sorts NaN above every number), then anything unparseable. */
function decimalRank(s: string): number {
  if (s === 'NaN') return 3;
  if (s === 'Infinity' || s === '+Infinity') return 2;
  if (s === '-Infinity') return 0;
  return DECIMAL.test(s) ? 1 : 4;
}

/** Exact comparison of decimal strings of any length ('12345678901234567890' > '9', '1.50' = '1.5'). */
export function compareDecimal(a: string, b: string): number {
  const ra = decimalRank(a);
  const rb = decimalRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 4) return compareText(a, b);
  if (ra !== 1) return 0;
  const [, signA, intA = '', fracA = ''] = DECIMAL.exec(a)!;
  const [, signB, intB = '', fracB = ''] = DECIMAL.exec(b)!;
  const negA = signA === '-' && (intA !== '' || fracA !== '');
  const negB = signB === '-' && (intB !== '' || fracB !== '');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = Math.sign(intA.length - intB.length || compareText(intA, intB) || compareText(fracA, fracB));
  return negA ? -magnitude : magnitude;
}

function compareFloat(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNonNull(a: string | number | boolean, b: string | number | boolean, kind: CellKind): number {
  switch (kind) {
    case 'integer':
    case 'decimal': {
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      // Doubles first (rounding keeps order, so a < between doubles is exact); the decimal
      // text decides only when the doubles tie and a value is too long for a double.
      const x = Number(a);
      const y = Number(b);
      if (x < y) return -1;
      if (x > y) return 1;
      if (x === y && exactAsDouble(a) && exactAsDouble(b)) return 0;
      return compareDecimal(String(a), String(b));
    }
    case 'float':
      return compareFloat(Number(a), Number(b));
    case 'bool':
      return Number(a) - Number(b);
    default:
      return compareText(String(a), String(b));
  }
}

/** A cell as a double for mergeSorted's fast path (numeric and boolean kinds), NaN for NULL. */
export function numberOf(cell: QueryCell): number {
  return cell === null ? Number.NaN : Number(cell);
}

/** Ascending order of two cells of a column of `type`, NULL after every value. */
export function compareCells(a: QueryCell, b: QueryCell, type: string): number {
  return compareByKind(a, b, cellKind(type));
}

function compareByKind(a: QueryCell, b: QueryCell, kind: CellKind): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return Math.sign(compareNonNull(a, b, kind));
}

// ---- sorting ----

/** Below this many rows a string run is sorted by comparison rather than another radix level. */
const SMALL_RUN = 64;
const INSERTION_RUN = 32;

/** Keys and row numbers side by side, so every radix pass reads memory in order. */
interface KeyedRows {
  idx: Uint32Array;
  hi: Uint32Array;
  lo: Uint32Array;
  tmpIdx: Uint32Array;
  tmpHi: Uint32Array;
  tmpLo: Uint32Array;
}

function keyedRows(size: number): KeyedRows {
  return {
    idx: new Uint32Array(size),
    hi: new Uint32Array(size),
    lo: new Uint32Array(size),
    tmpIdx: new Uint32Array(size),
    tmpHi: new Uint32Array(size),
    tmpLo: new Uint32Array(size),
  };
}

/** Stable LSD radix sort of positions [from, to) by the unsigned 64-bit keys hi:lo, 8 bits a pass. */
function radixRange(k: KeyedRows, from: number, to: number): void {
  const hist = new Uint32Array(8 * 256);
  for (let i = from; i < to; i++) {
    const l = k.lo[i]!;
    const h = k.hi[i]!;
    for (let d = 0; d < 4; d++) {
      hist[d * 256 + ((l >>> (8 * d)) & 255)]! += 1;
      hist[(d + 4) * 256 + ((h >>> (8 * d)) & 255)]! += 1;
    }
  }
  for (let d = 0; d < 8; d++) {
    const words = d < 4 ? k.lo : k.hi;
    const shift = 8 * (d % 4);
    const base = d * 256;
    // Every key shares this digit (a common prefix, small integers): the pass changes nothing.
    if (hist[base + ((words[from]! >>> shift) & 255)] === to - from) continue;
    let sum = from;
    for (let v = 0; v < 256; v++) {
      const c = hist[base + v]!;
      hist[base + v] = sum;
      sum += c;
    }
    for (let i = from; i < to; i++) {
      const p = hist[base + ((words[i]! >>> shift) & 255)]!++;
      k.tmpIdx[p] = k.idx[i]!;
      k.tmpHi[p] = k.hi[i]!;
      k.tmpLo[p] = k.lo[i]!;
    }
    k.idx.set(k.tmpIdx.subarray(from, to), from);
    k.hi.set(k.tmpHi.subarray(from, to), from);
    k.lo.set(k.tmpLo.subarray(from, to), from);
  }
}

/** Sorts positions [from, to) by `compareRows`, ties by row number ascending (tie 1) or descending (tie -1). */
function comparatorSortRange(idx: Uint32Array, from: number, to: number, compareRows: (a: number, b: number) => number, tie: number): void {
  if (to - from <= INSERTION_RUN) {
    // Insertion sort: the many tiny runs of a string sort would otherwise allocate an array each.
    for (let i = from + 1; i < to; i++) {
      const row = idx[i]!;
      let j = i - 1;
      while (j >= from && (compareRows(idx[j]!, row) || tie * (idx[j]! - row)) > 0) {
        idx[j + 1] = idx[j]!;
        j--;
      }
      idx[j + 1] = row;
    }
    return;
  }
  const part = Array.from(idx.subarray(from, to));
  part.sort((a, b) => compareRows(a, b) || tie * (a - b));
  idx.set(part, from);
}

/** Calls `run` for each stretch of positions [start, end) with equal keys and more than one row. */
function forEachTie(k: KeyedRows, from: number, to: number, run: (start: number, end: number) => void): void {
  let start = from;
  for (let i = from + 1; i <= to; i++) {
    if (i < to && k.hi[i] === k.hi[start] && k.lo[i] === k.lo[start]) continue;
    if (i - start > 1) run(start, i);
    start = i;
  }
}

/**
 * A decimal of at most 15 digits is told apart exactly by its double; longer ones (int8
 * past 2^53, long numerics) may share a double with a different value.
 */
function exactAsDouble(cell: QueryCell): boolean {
  if (typeof cell !== 'string' || cell.length <= 15) return true;
  let digits = 0;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits <= 15;
}

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/** A number as an unsigned 64-bit key in the same order: negatives flipped, NaN above +Infinity. */
function setNumberKey(k: KeyedRows, i: number, value: number): void {
  if (Number.isNaN(value)) {
    k.hi[i] = 0xffffffff;
    k.lo[i] = 0xfffffffe;
    return;
  }
  f64[0] = value === 0 ? 0 : value;
  const h = f64Words[1]!;
  const l = f64Words[0]!;
  const negative = (h & 0x80000000) !== 0;
  k.hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
  k.lo[i] = negative ? ~l >>> 0 : l;
}

/** Code-unit order of two rows' spans, from unit `depth` on (the units before it are equal). */
function compareSpans(sp: TextSpans, a: number, b: number, depth: number): number {
  const sa = sp.texts[sp.source[a]!]!;
  const sb = sp.texts[sp.source[b]!]!;
  let pa = sp.start[a]! + depth;
  let pb = sp.start[b]! + depth;
  const ea = sp.end[a]!;
  const eb = sp.end[b]!;
  for (; pa < ea && pb < eb; pa++, pb++) {
    const d = sa.charCodeAt(pa) - sb.charCodeAt(pb);
    if (d !== 0) return d;
  }
  return ea - pa - (eb - pb);
}

/**
 * MSD radix on four UTF-16 units per level (0 marks the end of the text), comparator for
 * small runs. Rows are numbered from `first`: row r's text is span r - first of `sp`.
 */
function sortStrings(k: KeyedRows, from: number, to: number, sp: TextSpans, first: number, tie: number): void {
  const { texts, source, start, end } = sp;
  const stack: Array<[number, number, number]> = [[from, to, 0]];
  while (stack.length > 0) {
    const [a, b, depth] = stack.pop()!;
    const compareRows = (x: number, y: number) => compareSpans(sp, x - first, y - first, depth);
    if (b - a < SMALL_RUN) {
      comparatorSortRange(k.idx, a, b, compareRows, tie);
      continue;
    }
    let overflow = false;
    for (let i = a; i < b; i++) {
      const j = k.idx[i]! - first;
      const s = texts[source[j]!]!;
      const p = start[j]! + depth;
      const e = end[j]!;
      // One more than the unit, 0 past the end; U+FFFF would not fit once shifted by one.
      const u0 = p < e ? s.charCodeAt(p) + 1 : 0;
      const u1 = p + 1 < e ? s.charCodeAt(p + 1) + 1 : 0;
      const u2 = p + 2 < e ? s.charCodeAt(p + 2) + 1 : 0;
      const u3 = p + 3 < e ? s.charCodeAt(p + 3) + 1 : 0;
      if (u0 === 0x10000 || u1 === 0x10000 || u2 === 0x10000 || u3 === 0x10000) overflow = true;
      k.hi[i] = ((u0 << 16) | u1) >>> 0;
      k.lo[i] = ((u2 << 16) | u3) >>> 0;
    }
    if (overflow) {
      comparatorSortRange(k.idx, a, b, compareRows, tie);
      continue;
    }
    radixRange(k, a, b);
    forEachTie(k, a, b, (runStart, runEnd) => {
      if ((k.lo[runStart]! & 0xffff) !== 0) stack.push([runStart, runEnd, depth + 4]);
    });
  }
}

/** Each row's String(cell) as its own span, for rows whose cells are not all packed text. */
function ownSpans(size: number, first: number, value: (row: number) => QueryCell): TextSpans {
  const sp: TextSpans = { texts: new Array<string>(size), source: new Uint32Array(size), start: new Uint32Array(size), end: new Uint32Array(size) };
  for (let j = 0; j < size; j++) {
    const cell = value(first + j);
    const s = cell === null ? '' : String(cell);
    sp.texts[j] = s;
    sp.source[j] = j;
    sp.end[j] = s.length;
  }
  return sp;
}

/**
 * Rows [from, count) of column `column` ordered by its type, stable (equal values keep row
 * order). NULLs last ascending and first descending, as PostgreSQL's default ORDER BY does.
 */
export function sortIndex(rows: RowsInput, count: number, column: number, type: string, direction: SortDirection, from = 0): Uint32Array {
  const kind = cellKind(type);
  const size = Math.max(0, count - from);
  const cells = cellSource(rows);
  const value = (row: number): QueryCell => cells.cell(row, column);
  const compareRows = (a: number, b: number) => compareByKind(value(a), value(b), kind);
  const k = keyedRows(size);
  // Descending is the ascending order reversed at the end; building it with ties in
  // reverse row order (input reversed, radix passes stable) leaves equal rows in row order.
  const tie = direction === 'asc' ? 1 : -1;
  let n = 0;
  const nulls: number[] = [];
  for (let i = 0; i < size; i++) {
    const row = tie === 1 ? from + i : count - 1 - i;
    if (value(row) === null) nulls.push(row);
    else k.idx[n++] = row;
  }
  k.idx.set(nulls, n);
  if (kind === 'text' || kind === 'json') {
    // Packed rows are read in place; anything else gives each row's text once for all the radix levels.
    const spans = (cells instanceof RowStore ? cells.textSpans(column, from, count) : null) ?? ownSpans(size, from, value);
    sortStrings(k, 0, n, spans, from, tie);
  } else {
    for (let i = 0; i < n; i++) setNumberKey(k, i, Number(value(k.idx[i]!)));
    radixRange(k, 0, n);
    // Doubles round long decimals: equal keys holding one are compared again exactly.
    if (kind === 'integer' || kind === 'decimal') {
      forEachTie(k, 0, n, (start, end) => {
        for (let i = start; i < end; i++) {
          if (!exactAsDouble(value(k.idx[i]!))) return comparatorSortRange(k.idx, start, end, compareRows, tie);
        }
      });
    }
  }
  if (direction === 'desc') k.idx.reverse();
  return k.idx;
}

/**
 * Folds `batch` (rows newer than every row of `sorted`, itself sorted) into `sorted`:
 * a search per new row and block copies, so streaming batches never re-sort. `numbers`
 * (by row: the cell as a double, NaN for NULL) speeds up numeric columns.
 */
export function mergeSorted(
  sorted: Uint32Array,
  batch: Uint32Array,
  rows: RowsInput,
  column: number,
  type: string,
  direction: SortDirection,
  numbers?: Float64Array,
): Uint32Array {
  const kind = cellKind(type);
  const sign = direction === 'asc' ? 1 : -1;
  const cells = cellSource(rows);
  const compare = (a: number, b: number) => {
    // Cached doubles settle most comparisons without touching the rows; ties, NULL and NaN
    // (NaN compares neither way) go to the exact comparison.
    if (numbers) {
      const x = numbers[a]!;
      const y = numbers[b]!;
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return sign * compareByKind(cells.cell(a, column), cells.cell(b, column), kind);
  };
  const out = new Uint32Array(sorted.length + batch.length);
  let taken = 0;
  let written = 0;
  for (const row of batch) {
    // Equal values keep row order, so a new row goes after every equal older row. Gallop
    // from the last insertion point: batches are sorted, so the next one is usually near.
    let step = 1;
    while (taken + step <= sorted.length && compare(sorted[taken + step - 1]!, row) <= 0) step *= 2;
    let low = taken + (step >>> 1);
    let high = Math.min(sorted.length, taken + step - 1);
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(sorted[mid]!, row) <= 0) low = mid + 1;
      else high = mid;
    }
    // Short stretches by hand: a subarray per new row would feed the garbage collector.
    if (low - taken < 64) while (taken < low) out[written++] = sorted[taken++]!;
    else {
      out.set(sorted.subarray(taken, low), written);
      written += low - taken;
      taken = low;
    }
    out[written++] = row;
  }
  out.set(sorted.subarray(taken), written);
  return out;
}
