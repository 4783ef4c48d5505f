// The grid's packed row store (issue #21): every cell reads back exactly as the row arrays
// had it — NULL apart from '' and the text 'NULL', numbers that must stay exact as text,
// unicode beyond the BMP, very long cells — across many batches read in any order; and the
// grid's readers (sort, merge, filter, TSV, widths, the view) give the same verdicts on the
// packed form as on plain arrays.
import { describe, expect, it } from 'vitest';
import type { QueryCell, QueryColumn } from '../../src-main/contract/models';
import { packRows, readCell } from '../../src-main/contract/packed-rows';
import { RowStore, rowCells } from '../../src-renderer/src/screens/query/row-store';
import { estimateColumnWidths, filterIndex, mergeSorted, sortIndex, toTsv } from '../../src-renderer/src/screens/query/grid-model';
import { GridView } from '../../src-renderer/src/screens/query/grid-view';

const unpack = (store: RowStore, columns: number) => Array.from({ length: store.length }, (_, r) => rowCells(store, r, columns));

const TRICKY: QueryCell[][] = [
  [null, '', 'NULL'],
  ['', null, 'null'],
  ['12345678901234567890', '0.10', '-0.000000000000000000001'],
  [0, -5, 2147483647],
  [0.1, 1e21, -1.5e-7],
  [true, false, null],
  ['😀 emoji', 'e\u0301 combining', '\u{10FFFF}'],
  ['tab\there', 'line\nbreak\r\n', '"quoted"'],
  ['x'.repeat(1_000_000), 'ж'.repeat(70_000), '{"a": [1, 2]}'],
];

describe('packRows / readCell', () => {
  it('reads every cell back as it was, with its type', () => {
    const packed = packRows(TRICKY);
    expect(packed.rows).toBe(TRICKY.length);
    TRICKY.forEach((row, r) => row.forEach((cell, c) => expect(readCell(packed, r, c)).toStrictEqual(cell)));
    expect(readCell(packed, 0, 0)).toBeNull();
    expect(readCell(packed, 0, 1)).toBe('');
    expect(readCell(packed, 0, 2)).toBe('NULL');
    expect(typeof readCell(packed, 3, 1)).toBe('number');
    expect(typeof readCell(packed, 2, 0)).toBe('string');
  });

  it('keeps a missing cell NULL, drops extra cells, and reads past the columns or rows as NULL', () => {
    const packed = packRows([['a'], ['b', 'c', 'd']], 2);
    expect([readCell(packed, 0, 0), readCell(packed, 0, 1), readCell(packed, 1, 1)]).toEqual(['a', null, 'c']);
    expect(readCell(packed, 1, 2)).toBeNull();
    expect(readCell(packed, 2, 0)).toBeNull();
  });

  it('packs nothing into an empty batch', () => {
    const packed = packRows([]);
    expect(packed).toMatchObject({ rows: 0, columns: 0 });
    const store = new RowStore();
    store.append(packed);
    expect(store.length).toBe(0);
    expect(store.cell(0, 0)).toBeNull();
  });
});

describe('RowStore', () => {
  it('finds rows across batches of different sizes, in order, backwards and at random', () => {
    const rows: QueryCell[][] = Array.from({ length: 20_000 }, (_, i) => [i, `r${i}`, i % 7 === 0 ? null : i % 2 === 0]);
    const store = new RowStore();
    let at = 0;
    for (const size of [1, 500, 1000, 2000, 4000, 8000, 4499]) {
      store.appendRows(rows.slice(at, at + size));
      at += size;
    }
    expect(store.length).toBe(20_000);
    expect(unpack(store, 3)).toEqual(rows);
    for (let r = 19_999; r >= 0; r -= 97) expect(rowCells(store, r, 3)).toEqual(rows[r]);
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const r = seed % 20_000;
      expect(store.cell(r, 1)).toBe(`r${r}`);
    }
    expect(store.cell(-1, 0)).toBeNull();
    expect(store.cell(20_000, 0)).toBeNull();
  });

  it('holds the tricky cells exactly', () => {
    const store = RowStore.of(TRICKY);
    expect(unpack(store, 3)).toStrictEqual(TRICKY);
  });
});

describe("the grid's readers on packed rows", () => {
  const columns: QueryColumn[] = [
    { name: 'n', type: 'numeric' },
    { name: 't', type: 'text' },
    { name: 'i', type: 'int4' },
    { name: 'b', type: 'bool' },
  ];
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const rows: QueryCell[][] = Array.from({ length: 3000 }, () => [
    rand(10) === 0 ? null : rand(3) === 0 ? `9007199254740993${rand(10)}` : `${rand(200) - 100}.${rand(100)}`,
    rand(10) === 0 ? null : ['', 'NULL', 'alpha', 'Beta', 'äpfel', '😀', 'z'][rand(7)]! + rand(50),
    rand(10) === 0 ? null : rand(1000) - 500,
    rand(5) === 0 ? null : rand(2) === 0,
  ]);
  const store = new RowStore();
  for (let at = 0; at < rows.length; at += 700) store.appendRows(rows.slice(at, at + 700));

  it('sort every column both ways exactly as on arrays, and merge a later batch alike', () => {
    columns.forEach((col, c) => {
      for (const direction of ['asc', 'desc'] as const) {
        expect(Array.from(sortIndex(store, 3000, c, col.type, direction))).toEqual(Array.from(sortIndex(rows, 3000, c, col.type, direction)));
        const head = sortIndex(store, 2000, c, col.type, direction);
        const tail = sortIndex(store, 3000, c, col.type, direction, 2000);
        expect(Array.from(mergeSorted(head, tail, store, c, col.type, direction))).toEqual(Array.from(sortIndex(rows, 3000, c, col.type, direction)));
      }
    });
  });

  it('sorts packed text in place in code-unit order, as a comparator sort would: shared prefixes, U+FFFF, surrogates, prefixes of each other', () => {
    // Long shared prefixes push the radix past several levels on runs over 64 rows; U+FFFF
    // takes the comparator fallback; '' and prefixes end a key early.
    const stems = ['', 'a', 'ab', 'abcd', 'abcdabcdabcd', 'abcdabcdabce', '\uffff', 'a\uffffb', '😀', '\ud83d', 'ж', 'Z'];
    const texts: QueryCell[][] = Array.from({ length: 5000 }, () => [
      rand(15) === 0 ? null : stems[rand(stems.length)]! + (rand(3) === 0 ? '' : String(rand(40))),
    ]);
    const packed = new RowStore();
    for (let at = 0; at < texts.length; at += 1100) packed.appendRows(texts.slice(at, at + 1100), 1);
    for (const direction of ['asc', 'desc'] as const) {
      const nonNull = texts.map((_, i) => i).filter((i) => texts[i]![0] !== null);
      nonNull.sort((a, b) => {
        const x = texts[a]![0] as string;
        const y = texts[b]![0] as string;
        return (x < y ? -1 : x > y ? 1 : 0) * (direction === 'asc' ? 1 : -1) || a - b;
      });
      const nulls = texts.map((_, i) => i).filter((i) => texts[i]![0] === null);
      const expected = direction === 'asc' ? [...nonNull, ...nulls] : [...nulls, ...nonNull];
      expect(Array.from(sortIndex(packed, texts.length, 0, 'text', direction))).toEqual(expected);
      // From a start row, numbered as in the result.
      expect(Array.from(sortIndex(packed, texts.length, 0, 'text', direction, 1234))).toEqual(expected.filter((row) => row >= 1234));
    }
    // A text column holding a number cell is sorted on String(cell), as on arrays.
    const mixed = RowStore.of([['b'], [10], ['10'], [null], ['1']], 1);
    expect(Array.from(sortIndex(mixed, 5, 0, 'text', 'asc'))).toEqual([4, 1, 2, 0, 3]);
  });

  it('filter, copy and size columns as on arrays (NULL never matches, the text NULL does)', () => {
    for (const text of ['null', 'a', 'ÄPF', '😀', '-1', '9007', 'true', '']) {
      for (const column of [null, 0, 1, 2, 3]) {
        expect(Array.from(filterIndex(store, 3000, { text, column }, 4))).toEqual(Array.from(filterIndex(rows, 3000, { text, column }, 4)));
      }
    }
    const nullText = filterIndex(store, 3000, { text: 'NULL', column: 1 }, 4);
    expect(Array.from(nullText).every((r) => String(rows[r]![1]).startsWith('NULL'))).toBe(true);
    const ids = new Uint32Array([0, 5, 2999, 1400]);
    expect(toTsv(columns, store, ids)).toBe(toTsv(columns, rows, ids));
    expect(estimateColumnWidths(columns, store, 3000)).toEqual(estimateColumnWidths(columns, rows, 3000));
  });

  it('a filter on packed text never matches across two cells, and starts mid-batch where asked', () => {
    const cells: QueryCell[][] = [
      ['ab', 'cd', 12],
      ['xa', 'b', -3],
      [null, 'ABC', true],
      ['', 'bcab', 1234],
      ['zz', 'zz', false],
    ];
    // ASCII columns: searched in one pass over the column text.
    const packed = RowStore.of(cells);
    for (const text of ['bc', 'ab', 'abc', 'xab', 'b', 'rue', 'fal', '2-', '-3', '34', 'cdxa', 'bz']) {
      for (const from of [0, 1, 3]) {
        expect(Array.from(filterIndex(packed, 5, { text, column: null }, 3, from))).toEqual(Array.from(filterIndex(cells, 5, { text, column: null }, 3, from)));
      }
    }
    expect(Array.from(filterIndex(packed, 5, { text: 'bc', column: null }, 3))).toEqual([2, 3]);
    expect(Array.from(filterIndex(packed, 5, { text: 'cdxa', column: null }, 3))).toEqual([]);
    // Greek capital sigma lower-cases by context (final ς): such columns are tested cell by cell.
    const greek: QueryCell[][] = [['ΑΣ'], ['ΣΑ'], ['Σ']];
    for (const text of ['ς', 'σ', 'ασ']) {
      expect(Array.from(filterIndex(RowStore.of(greek), 3, { text, column: null }, 1))).toEqual(Array.from(filterIndex(greek, 3, { text, column: null }, 1)));
    }
  });

  it('a sorted, filtered view over a growing store shows what it shows over arrays', () => {
    const growing = new RowStore();
    const packed = new GridView(growing, columns);
    const plain = new GridView(rows, columns);
    packed.setSort({ column: 0, direction: 'desc' }, 0);
    plain.setSort({ column: 0, direction: 'desc' }, 0);
    packed.setFilter({ text: '1', column: null }, 0);
    plain.setFilter({ text: '1', column: null }, 0);
    for (let at = 0; at < rows.length; at += 500) {
      growing.appendRows(rows.slice(at, at + 500));
      packed.fold(growing.length);
      plain.fold(growing.length);
      expect(Array.from(packed.rowsAt(0, packed.length - 1))).toEqual(Array.from(plain.rowsAt(0, plain.length - 1)));
    }
    expect(packed.length).toBeGreaterThan(0);
  });
});
