// The query grid's sort and filter over 1,000,000 streamed rows kept packed by column (issue
// #21's RowStore): a text column of md5 hex, one of 1,000 distinct names with NULLs, and an
// int column. Baselines in the same run: the same operation on plain row arrays (how a
// non-streamed result is held) and, for the sort, a plain comparator sort of the same strings
// (Array.prototype.sort on code units) — what a grid without radix keys would do.
// Run: npx tsx --tsconfig tsconfig.test.json bench/grid.ts [--rows 1000000] [--rounds 5]
import { createHash } from 'node:crypto';
import os from 'node:os';
import { filterIndex } from '../src-renderer/src/screens/query/grid-model';
import { sortIndex } from '../src-renderer/src/screens/query/grid-sort';
import { RowStore } from '../src-renderer/src/screens/query/row-store';
import { arg, median } from './bench-cluster';

const ROWS = arg('rows', 1_000_000);
const ROUNDS = arg('rounds', 5);
const BATCH = 2000;

function timedMs(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function main(): void {
  const loadBefore = os.loadavg().map((l) => l.toFixed(2));
  const store = new RowStore();
  const arrays: Array<Array<string | number | null>> = [];
  for (let b = 0; b < ROWS; b += BATCH) {
    const rows: Array<Array<string | number | null>> = [];
    for (let i = b; i < Math.min(ROWS, b + BATCH); i++)
      rows.push([i, createHash('md5').update(String(i)).digest('hex'), i % 7 === 0 ? null : `name ${i % 1000}`]);
    store.appendRows(rows, 3);
    arrays.push(...rows);
  }
  const result: Record<string, unknown> = { rows: ROWS, rounds: ROUNDS };
  for (const [label, col] of [
    ['md5', 1],
    ['names', 2],
  ] as const) {
    const packed: number[] = [];
    const plain: number[] = [];
    const comparator: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const direction = r % 2 ? 'desc' : 'asc';
      packed.push(timedMs(() => sortIndex(store, ROWS, col, 'text', direction)));
      plain.push(timedMs(() => sortIndex(arrays, ROWS, col, 'text', direction)));
      comparator.push(
        timedMs(() => {
          const idx = Array.from({ length: ROWS }, (_, i) => i).filter((i) => arrays[i]![col] !== null);
          idx.sort((a, b) => {
            const x = arrays[a]![col] as string;
            const y = arrays[b]![col] as string;
            return x < y ? -1 : x > y ? 1 : a - b;
          });
        }),
      );
    }
    result[`sort_${label}`] = {
      packedMs: Math.round(median(packed)),
      rowArraysMs: Math.round(median(plain)),
      comparatorSortMs: Math.round(median(comparator)),
      packedVsComparator: Number((median(packed) / median(comparator)).toFixed(2)),
    };
  }
  for (const needle of ['a', 'name', 'abcd']) {
    const packed: number[] = [];
    const plain: number[] = [];
    let matched = 0;
    for (let r = 0; r < ROUNDS; r++) {
      packed.push(timedMs(() => (matched = filterIndex(store, ROWS, { text: needle, column: null }, 3).length)));
      plain.push(timedMs(() => filterIndex(arrays, ROWS, { text: needle, column: null }, 3)));
    }
    result[`filter_${needle}`] = { matched, packedMs: Math.round(median(packed)), rowArraysMs: Math.round(median(plain)) };
  }
  result.load = { before: loadBefore, after: os.loadavg().map((l) => l.toFixed(2)) };
  console.log(JSON.stringify(result));
}

main();
