// The result grid's logic without a browser: type-aware ordering (exact decimals, NaN,
// NULLs), radix sorts checked against a plain comparator sort, streaming merges, filters,
// TSV, JSON text, the scaled scroll arithmetic of a million rows, and the incremental view.
import { describe, expect, it } from 'vitest';
import type { QueryCell, QueryColumn } from '../../src-main/contract/models';
import {
  cellDisplay,
  compactJson,
  compareCells,
  estimateColumnWidths,
  filterIndex,
  MAX_SCROLL_PX,
  mergeSorted,
  moveCursor,
  numberOf,
  prettyJson,
  ROW_HEIGHT,
  scrollTopForRow,
  sortIndex,
  toTsv,
  visibleWindow,
} from '../../src-renderer/src/screens/query/grid-model';
import { GridView } from '../../src-renderer/src/screens/query/grid-view';

/** A deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The reference: a plain stable comparator sort of the same column. */
function referenceSort(values: QueryCell[], type: string, direction: 'asc' | 'desc'): number[] {
  const sign = direction === 'asc' ? 1 : -1;
  return values.map((_, i) => i).sort((a, b) => sign * compareCells(values[a]!, values[b]!, type) || a - b);
}

function column(values: QueryCell[]): QueryCell[][] {
  return values.map((v) => [v]);
}

describe('compareCells', () => {
  it('compares numeric and int8 text exactly as decimals', () => {
    expect(compareCells('12345678901234567890', '9', 'numeric')).toBe(1);
    expect(compareCells('-2', '-10', 'numeric')).toBe(1);
    expect(compareCells('-10', '-2', 'numeric')).toBe(-1);
    expect(compareCells('1.50', '1.5', 'numeric')).toBe(0);
    expect(compareCells('0', '-0.000', 'numeric')).toBe(0);
    expect(compareCells('0.1', '0.09', 'numeric')).toBe(1);
    expect(compareCells('-0.5', '0.25', 'numeric')).toBe(-1);
    // Both round to the same double (2^53 + 1 and 2^53).
    expect(compareCells('9007199254740993', '9007199254740992', 'int8')).toBe(1);
    expect(compareCells('-9223372036854775808', '9223372036854775807', 'int8')).toBe(-1);
    expect(compareCells(7, 30, 'int4')).toBe(-1);
  });

  it('puts NaN above every number and Infinity above finite values, as PostgreSQL does', () => {
    expect(compareCells('NaN', 'Infinity', 'numeric')).toBe(1);
    expect(compareCells('Infinity', '99999999999999999999', 'numeric')).toBe(1);
    expect(compareCells('-Infinity', '-99999999999999999999', 'numeric')).toBe(-1);
    expect(compareCells('NaN', 'NaN', 'numeric')).toBe(0);
    expect(compareCells('NaN', 'Infinity', 'float8')).toBe(1);
    expect(compareCells('1e+20', '99', 'float8')).toBe(1);
    expect(compareCells('-0', '0', 'float4')).toBe(0);
  });

  it('orders booleans false before true, text by code unit (locale-independent), NULL last', () => {
    expect(compareCells(false, true, 'bool')).toBe(-1);
    expect(compareCells('B', 'a', 'text')).toBe(-1);
    expect(compareCells('ab', 'abc', 'varchar')).toBe(-1);
    expect(compareCells(null, '1', 'numeric')).toBe(1);
    expect(compareCells('zzz', null, 'text')).toBe(-1);
    expect(compareCells(null, null, 'text')).toBe(0);
  });
});

describe('sortIndex', () => {
  it('sorts ascending with NULLs last and descending with NULLs first, stable both ways', () => {
    const values: QueryCell[] = ['10', null, '9', '10.0', '-1', null, '9'];
    expect(Array.from(sortIndex(column(values), values.length, 0, 'numeric', 'asc'))).toEqual([4, 2, 6, 0, 3, 1, 5]);
    expect(Array.from(sortIndex(column(values), values.length, 0, 'numeric', 'desc'))).toEqual([1, 5, 0, 3, 2, 6, 4]);
  });

  it('tells apart int8 values past 2^53 that share a double', () => {
    const values: QueryCell[] = ['9007199254740993', '9007199254740992', '9007199254740995', '9007199254740992'];
    expect(Array.from(sortIndex(column(values), 4, 0, 'int8', 'asc'))).toEqual([1, 3, 0, 2]);
    expect(Array.from(sortIndex(column(values), 4, 0, 'int8', 'desc'))).toEqual([2, 0, 1, 3]);
  });

  const generators: Array<[string, (r: () => number) => QueryCell]> = [
    ['text', (r) => (r() < 0.05 ? null : r() < 0.1 ? '' : 'name-' + Math.floor(r() * 5000).toString(36) + (r() < 0.3 ? ' x' : ''))],
    ['jsonb', (r) => `{"id": ${Math.floor(r() * 300)}, "tag": "${r() < 0.5 ? 'a' : 'b'}"}`],
    ['numeric', (r) => (r() < 0.05 ? null : r() < 0.02 ? 'NaN' : `${r() < 0.5 ? '-' : ''}${Math.floor(r() * 1e6)}.${Math.floor(r() * 100)}`)],
    ['int8', (r) => (r() < 0.05 ? null : String(9007199254740000n + BigInt(Math.floor(r() * 3000))))],
    ['int4', (r) => (r() < 0.05 ? null : Math.floor(r() * 2000) - 1000)],
    ['float8', (r) => (r() < 0.05 ? null : r() < 0.02 ? 'NaN' : r() < 0.02 ? '-Infinity' : String((r() - 0.5) * 1e6))],
    ['bool', (r) => (r() < 0.1 ? null : r() < 0.5)],
  ];
  for (const [type, make] of generators) {
    it(`matches a comparator sort on 6,000 ${type} values, both directions`, () => {
      const r = random(type.length * 7919);
      const values = Array.from({ length: 6000 }, () => make(r));
      for (const direction of ['asc', 'desc'] as const) {
        expect(Array.from(sortIndex(column(values), values.length, 0, type, direction))).toEqual(referenceSort(values, type, direction));
      }
    });
  }

  it('sorts only rows [from, count) when given a start, numbering them as in the result', () => {
    const values: QueryCell[] = ['c', 'a', 'd', 'b', 'a'];
    expect(Array.from(sortIndex(column(values), 5, 0, 'text', 'asc', 2))).toEqual([4, 3, 2]);
  });

  it('merges a sorted batch of newer rows like a full sort would order them', () => {
    const r = random(42);
    const values: QueryCell[] = Array.from({ length: 5000 }, () => (r() < 0.05 ? null : `v${Math.floor(r() * 700)}`));
    const rows = column(values);
    for (const direction of ['asc', 'desc'] as const) {
      let sorted = sortIndex(rows, 3000, 0, 'text', direction);
      sorted = mergeSorted(sorted, sortIndex(rows, 4200, 0, 'text', direction, 3000), rows, 0, 'text', direction);
      sorted = mergeSorted(sorted, sortIndex(rows, 5000, 0, 'text', direction, 4200), rows, 0, 'text', direction);
      expect(Array.from(sorted)).toEqual(referenceSort(values, 'text', direction));
    }
  });

  it('merges numeric batches with cached doubles exactly, NULL, NaN and 2^53 ties included', () => {
    const r = random(99);
    const make = (): QueryCell =>
      r() < 0.05 ? null : r() < 0.03 ? 'NaN' : r() < 0.3 ? String(9007199254740990n + BigInt(Math.floor(r() * 6))) : String(Math.floor(r() * 200) - 100);
    const values = Array.from({ length: 4000 }, make);
    const rows = column(values);
    const numbers = Float64Array.from(values, numberOf);
    for (const direction of ['asc', 'desc'] as const) {
      const sorted = mergeSorted(
        sortIndex(rows, 2500, 0, 'numeric', direction),
        sortIndex(rows, 4000, 0, 'numeric', direction, 2500),
        rows,
        0,
        'numeric',
        direction,
        numbers,
      );
      expect(Array.from(sorted)).toEqual(referenceSort(values, 'numeric', direction));
    }
  });
});

describe('filterIndex', () => {
  const rows: QueryCell[][] = [
    ['Alice', 42, null],
    ['bob', 7, 'NULL'],
    [null, 420, '{"name": "ALICE"}'],
    ['carol', -1, true],
  ];

  it('matches a case-insensitive substring in any column, never a NULL', () => {
    expect(Array.from(filterIndex(rows, 4, { text: 'alice', column: null }, 3))).toEqual([0, 2]);
    expect(Array.from(filterIndex(rows, 4, { text: 'null', column: null }, 3))).toEqual([1]);
    expect(Array.from(filterIndex(rows, 4, { text: '42', column: null }, 3))).toEqual([0, 2]);
    expect(Array.from(filterIndex(rows, 4, { text: '-1', column: null }, 3))).toEqual([3]);
    expect(Array.from(filterIndex(rows, 4, { text: 'TRU', column: null }, 3))).toEqual([3]);
  });

  it('searches one column when asked, and only rows [from, count)', () => {
    expect(Array.from(filterIndex(rows, 4, { text: 'alice', column: 0 }, 3))).toEqual([0]);
    expect(Array.from(filterIndex(rows, 4, { text: 'alice', column: null }, 3, 1))).toEqual([2]);
  });
});

describe('text of cells', () => {
  const columns: QueryColumn[] = [
    { name: 'id', type: 'int4' },
    { name: 'note', type: 'text' },
    { name: 'doc', type: 'jsonb' },
  ];

  it('writes TSV with a header, quoting fields with tabs, newlines or a leading quote, NULL empty, JSON on one line', () => {
    const rows: QueryCell[][] = [
      [1, 'plain', '{\n  "a": 1\n}'],
      [2, 'tab\there', null],
      [3, 'two\nlines "quoted"', ''],
      [4, '"leading', 'x'],
    ];
    expect(toTsv(columns, rows, [0, 1, 2, 3])).toBe('id\tnote\tdoc\n1\tplain\t{"a": 1}\n2\t"tab\there"\t\n3\t"two\nlines ""quoted"""\t\n4\t"""leading"\tx');
    expect(toTsv(columns, rows, new Uint32Array([2]))).toBe('id\tnote\tdoc\n3\t"two\nlines ""quoted"""\t');
  });

  it('keeps JSON numbers exact when compacting and pretty-printing, and leaves non-JSON alone', () => {
    const pretty = '{\n  "big": 12345678901234567890,\n  "price": 1.10,\n  "tags": [\n    "a, b",\n    "c: d"\n  ],\n  "none": {}\n}';
    expect(compactJson(pretty)).toBe('{"big": 12345678901234567890, "price": 1.10, "tags": ["a, b", "c: d"], "none": {}}');
    expect(prettyJson(compactJson(pretty))).toBe(pretty);
    expect(prettyJson('{not json')).toBe('{not json');
    expect(prettyJson('"a\\"b"')).toBe('"a\\"b"');
  });

  it('shows a cell on one line: compact JSON, newlines as ↵, NULL drawn apart', () => {
    expect(cellDisplay('{\n  "a": [\n    1\n  ]\n}', 'json')).toBe('{"a": [1]}');
    expect(cellDisplay('one\ntwo\r\nthree', 'text')).toBe('one↵two↵three');
    expect(cellDisplay(null, 'text')).toBe('');
    expect(cellDisplay(false, 'bool')).toBe('false');
    expect(cellDisplay('x'.repeat(5000), 'text')).toHaveLength(1000);
  });

  it('estimates widths from the header and the first rows, between 60 and 400 px', () => {
    const rows: QueryCell[][] = [[1, 'x'.repeat(300), null, 7]];
    const [id, note, doc, tiny] = estimateColumnWidths([...columns, { name: 'n', type: 'x' }], rows, 1, 7.3);
    // "id int4" plus room for the sort arrow: the header decides.
    expect(id).toBe(Math.round((2 + 4 * 0.85 + 3) * 7.3 + 20));
    expect(tiny).toBe(60);
    expect(note).toBe(400);
    expect(doc).toBeGreaterThan(60);
    expect(doc).toBeLessThan(120);
    const wide = estimateColumnWidths([{ name: 'a_rather_long_column_name', type: 'timestamptz' }], [], 0, 7.3);
    expect(wide[0]).toBeGreaterThan(25 * 7.3);
  });
});

describe('visibleWindow and scrollTopForRow', () => {
  const viewport = 520;

  it('maps scrollTop straight onto rows while the rows fit the scroll space', () => {
    expect(visibleWindow(0, viewport, 1000, ROW_HEIGHT, MAX_SCROLL_PX)).toEqual({ first: 0, last: 19, offsetPx: 0, spacerPx: 26_000 });
    expect(visibleWindow(2600, viewport, 1000, ROW_HEIGHT, MAX_SCROLL_PX, 5)).toEqual({ first: 95, last: 124, offsetPx: 95 * ROW_HEIGHT, spacerPx: 26_000 });
    expect(visibleWindow(0, viewport, 0, ROW_HEIGHT, MAX_SCROLL_PX)).toEqual({ first: 0, last: -1, offsetPx: 0, spacerPx: 0 });
    expect(scrollTopForRow(500, 'top', viewport, 1000, ROW_HEIGHT, MAX_SCROLL_PX)).toBe(13_000);
    expect(scrollTopForRow(500, 'bottom', viewport, 1000, ROW_HEIGHT, MAX_SCROLL_PX)).toBe(501 * ROW_HEIGHT - viewport);
  });

  it('scales a million rows into the capped scroll space, the first and last rows both reachable', () => {
    const rows = 1_000_000;
    const top = visibleWindow(0, viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX);
    expect(top.spacerPx).toBe(MAX_SCROLL_PX);
    expect(top.first).toBe(0);
    expect(top.offsetPx).toBe(0);
    const end = visibleWindow(MAX_SCROLL_PX - viewport, viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX);
    expect(end.last).toBe(rows - 1);
    expect(end.first).toBe(rows - 20);
    // The last row's bottom edge sits at the viewport's bottom edge.
    expect(end.offsetPx + (end.last - end.first + 1) * ROW_HEIGHT).toBeCloseTo(MAX_SCROLL_PX, 3);
    // Scrolling past the end (a stale scrollTop) still shows the last rows.
    expect(visibleWindow(MAX_SCROLL_PX * 2, viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX).last).toBe(rows - 1);
    expect(scrollTopForRow(rows - 1, 'bottom', viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX)).toBe(MAX_SCROLL_PX - viewport);
  });

  it('finds the scrollTop that puts a given row at the top or bottom of a scaled view', () => {
    const rows = 1_000_000;
    for (const row of [25, 12_345, 333_333, 500_000, 999_979]) {
      const top = scrollTopForRow(row, 'top', viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX);
      const win = visibleWindow(top, viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX);
      expect(win.first).toBe(row);
      expect(win.offsetPx).toBeLessThanOrEqual(top);
      expect(win.offsetPx).toBeGreaterThan(top - ROW_HEIGHT);
      const bottom = scrollTopForRow(row, 'bottom', viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX);
      const shown = visibleWindow(bottom, viewport, rows, ROW_HEIGHT, MAX_SCROLL_PX);
      const rowBottom = shown.offsetPx + (row - shown.first + 1) * ROW_HEIGHT;
      expect(rowBottom).toBeLessThanOrEqual(bottom + viewport + 1e-6);
      expect(rowBottom).toBeGreaterThan(bottom + viewport - ROW_HEIGHT);
    }
  });
});

describe('moveCursor', () => {
  it('moves like the ARIA grid pattern and stays inside the grid', () => {
    expect(moveCursor('ArrowDown', false, { pos: 0, col: 1 }, 10, 3, 5)).toEqual({ pos: 1, col: 1 });
    expect(moveCursor('ArrowUp', false, { pos: 0, col: 1 }, 10, 3, 5)).toEqual({ pos: 0, col: 1 });
    expect(moveCursor('ArrowRight', false, { pos: 4, col: 2 }, 10, 3, 5)).toEqual({ pos: 4, col: 2 });
    expect(moveCursor('PageDown', false, { pos: 7, col: 0 }, 10, 3, 5)).toEqual({ pos: 9, col: 0 });
    expect(moveCursor('PageUp', false, { pos: 7, col: 0 }, 10, 3, 5)).toEqual({ pos: 2, col: 0 });
    expect(moveCursor('Home', false, { pos: 7, col: 2 }, 10, 3, 5)).toEqual({ pos: 7, col: 0 });
    expect(moveCursor('End', true, { pos: 3, col: 0 }, 10, 3, 5)).toEqual({ pos: 9, col: 2 });
    expect(moveCursor('Home', true, { pos: 3, col: 2 }, 10, 3, 5)).toEqual({ pos: 0, col: 0 });
    expect(moveCursor('x', false, { pos: 3, col: 0 }, 10, 3, 5)).toBeNull();
    expect(moveCursor('toString', false, { pos: 3, col: 0 }, 10, 3, 5)).toBeNull();
  });
});

describe('GridView', () => {
  const columns: QueryColumn[] = [
    { name: 'id', type: 'int4' },
    { name: 'name', type: 'text' },
  ];
  function shown(view: GridView): number[] {
    return Array.from(view.rowsAt(0, view.length - 1));
  }

  it('takes streamed rows at once when unsorted, testing only new rows against the filter', () => {
    const rows: QueryCell[][] = [
      [1, 'apple'],
      [2, 'Banana'],
    ];
    const view = new GridView(rows, columns);
    view.grow(2);
    view.setFilter({ text: 'AN', column: null }, 2);
    expect(shown(view)).toEqual([1]);
    rows.push([3, 'mango'], [4, 'kiwi'], [5, null]);
    view.grow(5);
    expect(shown(view)).toEqual([1, 2]);
    expect(view.positionOf(2)).toBe(1);
    expect(view.positionOf(3)).toBe(-1);
    view.setFilter(null, 5);
    expect(view.length).toBe(5);
  });

  it('leaves new rows of a sorted view pending until fold, then shows the same order as a full sort', () => {
    const r = random(7);
    const rows: QueryCell[][] = Array.from({ length: 2000 }, (_, i) => [i, `n${Math.floor(r() * 300)}`]);
    const view = new GridView(rows, columns);
    view.grow(1000);
    view.setSort({ column: 1, direction: 'desc' }, 1000);
    view.grow(1500);
    expect(view.pendingRows(1500)).toBe(500);
    expect(view.length).toBe(1000);
    view.fold(1500);
    view.fold(2000);
    expect(view.pendingRows(2000)).toBe(0);
    expect(shown(view)).toEqual(Array.from(sortIndex(rows, 2000, 1, 'text', 'desc')));
    view.setFilter({ text: 'n1', column: 1 }, 2000);
    const expected = Array.from(sortIndex(rows, 2000, 1, 'text', 'desc')).filter((row) => String(rows[row]![1]).includes('n1'));
    expect(shown(view)).toEqual(expected);
    view.setSort(null, 2000);
    expect(shown(view)).toEqual([...expected].sort((a, b) => a - b));
  });

  it('folds streamed rows into a numeric sort (cached doubles) in the full-sort order', () => {
    const r = random(11);
    const rows: QueryCell[][] = Array.from({ length: 3000 }, (_, i) => [r() < 0.1 ? null : Math.floor(r() * 50), `n${i}`]);
    const view = new GridView(rows, columns);
    view.setSort({ column: 0, direction: 'asc' }, 800);
    for (const count of [1200, 1201, 2500, 3000]) view.fold(count);
    expect(shown(view)).toEqual(Array.from(sortIndex(rows, 3000, 0, 'int4', 'asc')));
    expect(view.positionOf(rows.findIndex((row) => row[0] === null))).toBe(3000 - rows.filter((row) => row[0] === null).length);
  });
});
