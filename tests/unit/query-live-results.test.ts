// The streamed rows' store and its repaint pacing, without a browser: rows appended in place
// in arrival order (one RowStore however many batches, packed by column), other runs' events ignored, and the
// repaint spaced out when rendering was slow, so a busy page keeps time for keys and scrolling.
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import { packRows } from '../../src-main/contract/packed-rows';
import { rowCells, type RowStore } from '../../src-renderer/src/screens/query/row-store';
import { LiveRun, MAX_REPAINT_MS, REPAINT_DUTY, REPAINT_MS, repaintDelay } from '../../src-renderer/src/screens/query/live-results';

const rowsEvent = (runId: string, index: number, rows: Array<[number, string]>, withColumns = false): AppEvent => ({
  type: 'query.rows',
  runId,
  index,
  rows,
  ...(withColumns
    ? {
        columns: [
          { name: 'g', type: 'int4' },
          { name: 'h', type: 'text' },
        ],
      }
    : {}),
});

const all = (rows: RowStore) => Array.from({ length: rows.length }, (_, r) => rowCells(rows, r, 2));

describe('LiveRun', () => {
  it('appends every batch in place, in order, and ignores other runs', () => {
    const live = new LiveRun('run-1');
    expect(live.apply(rowsEvent('run-1', 0, [], true))).toBe(true);
    const rows = live.statements.get(0)!.rows;
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 1000 }, (_, i): [number, string] => [b * 1000 + i, `r${b * 1000 + i}`]);
      expect(live.apply(rowsEvent('run-1', 0, batch))).toBe(true);
    }
    expect(live.apply(rowsEvent('run-2', 0, [[-1, 'other']]))).toBe(false);
    expect(live.statements.get(0)!.rows).toBe(rows);
    expect(live.received(0)).toBe(5000);
    expect(all(rows).every((row, i) => row[0] === i && row[1] === `r${i}`)).toBe(true);
    expect(live.statements.get(0)!.columns.map((c) => c.name)).toEqual(['g', 'h']);
  });

  it('keeps statements apart', () => {
    const live = new LiveRun('run-1');
    live.apply(rowsEvent('run-1', 0, [[1, 'a']], true));
    live.apply(rowsEvent('run-1', 1, [[2, 'b']], true));
    live.apply(rowsEvent('run-1', 0, [[3, 'c']]));
    expect(all(live.statements.get(0)!.rows)).toEqual([
      [1, 'a'],
      [3, 'c'],
    ]);
    expect(live.received(1)).toBe(1);
    expect(live.received(2)).toBe(0);
  });

  it('takes batches packed by the event worker (rows empty) and row arrays from IPC alike', () => {
    const live = new LiveRun('run-1');
    live.apply(rowsEvent('run-1', 0, [], true));
    live.apply({
      type: 'query.rows',
      runId: 'run-1',
      index: 0,
      rows: [],
      packed: packRows([
        [1, 'a'],
        [2, null],
      ]),
    });
    live.apply(rowsEvent('run-1', 0, [[3, 'NULL']]));
    live.apply({ type: 'query.rows', runId: 'run-1', index: 0, rows: [], packed: packRows([]) });
    expect(live.received(0)).toBe(3);
    expect(all(live.statements.get(0)!.rows)).toEqual([
      [1, 'a'],
      [2, null],
      [3, 'NULL'],
    ]);
  });

  it('says once which batch completes a statement whose answer came before its last rows', () => {
    const live = new LiveRun('run-1');
    live.apply(rowsEvent('run-1', 0, [[1, 'a']], true));
    live.apply(rowsEvent('run-1', 1, [[9, 'z']], true));
    // The answer: statement 0 sent 3 rows (2 still on their way), statement 1 sent the 1 that came.
    live.expectRows(0, 3);
    live.expectRows(1, 1);
    expect(live.completes(1)).toBe(false);
    expect(live.completes(0)).toBe(false);
    live.apply(rowsEvent('run-1', 0, [[2, 'b']]));
    expect(live.completes(0)).toBe(false);
    live.apply(rowsEvent('run-1', 0, [[3, 'c']]));
    expect(live.completes(0)).toBe(true);
    // Once: rows that follow (Fetch more) go back to the throttled repaints.
    live.apply(rowsEvent('run-1', 0, [[4, 'd']]));
    expect(live.completes(0)).toBe(false);
  });
});

describe('repaintDelay', () => {
  it('repaints every REPAINT_MS while rendering is cheap', () => {
    expect(repaintDelay(1000, 5, 1000)).toBe(REPAINT_MS);
    expect(repaintDelay(1000, 5, 1000 + REPAINT_MS)).toBe(0);
  });

  it('spaces repaints out so rendering takes at most 1/REPAINT_DUTY of the time', () => {
    expect(repaintDelay(1000, 40, 1040)).toBe(REPAINT_DUTY * 40 - 40);
    expect(repaintDelay(0, 500, 500)).toBe(MAX_REPAINT_MS - 500);
  });

  it('paints the first batch at once', () => {
    expect(repaintDelay(-Infinity, 0, 10)).toBeLessThanOrEqual(0);
  });
});
