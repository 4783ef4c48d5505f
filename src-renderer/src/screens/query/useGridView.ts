// The grid's rows as shown: one GridView per result, rows taken in as they stream, a sort
// that folds new rows in throttled (never re-sorting a million rows per batch), a filter
// applied after a pause in typing, and "Sorting…"/"Filtering…" said before big ones run.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { QueryColumn } from '@contract/models';
import type { RowsInput } from './row-store';
import { sameFilter } from './grid-model';
import { GridView, type SortSpec } from './grid-view';

/**
 * A sorted view takes in streamed rows at most every FOLD_INTERVAL_MS, and never spends
 * more than 1/FOLD_DUTY of the time merging (a fold into a million rows can take a few
 * hundred ms); once more when rows stop arriving.
 */
const FOLD_INTERVAL_MS = 500;
const FOLD_DUTY = 8;
/** Past this many rows a sort or filter first says so, then runs after the next paint. */
const BIG_ROWS = 50_000;

/** Runs `fn` once the browser has painted what was set before (e.g. "Sorting…"). */
function afterPaint(fn: () => void): () => void {
  let timer = 0;
  const frame = requestAnimationFrame(() => {
    timer = window.setTimeout(fn, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

export interface GridViewState {
  view: GridView;
  /** Rows shown (after the filter; a sorted view's folded rows). */
  n: number;
  /** Rows arrived but not yet sorted in. */
  pending: number;
  /** Changes whenever the view changed in place (sort, filter, fold): positions must be looked up again. */
  version: number;
  busy: string | null;
  filterText: string;
  setFilterText: (text: string) => void;
  filterColumn: string;
  setFilterColumn: (column: string) => void;
  cycleSort: (col: number) => void;
  /** Set when a sort or filter was applied: the grid brings the selected cell back into view. */
  revealRef: { current: boolean };
  countRef: { current: number };
}

export function useGridView(rows: RowsInput, columns: QueryColumn[], count: number): GridViewState {
  // One view per result; its columns are replaced (not the view) when type names resolve.
  const view = useMemo(() => new GridView(rows, columns), [rows, columns.length]);
  view.columns = columns;
  view.grow(count);

  const countRef = useRef(count);
  const revealRef = useRef(false);
  /** When the next fold may run (performance.now() ms). */
  const nextFold = useRef(0);
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const [filterText, setFilterText] = useState('');
  const [filterColumn, setFilterColumn] = useState('all');
  const [busy, setBusy] = useState<string | null>(null);
  const [seenView, setSeenView] = useState(view);
  if (seenView !== view) {
    // A new result (the next run): its grid starts unfiltered, as a fresh grid would.
    setSeenView(view);
    setFilterText('');
    setFilterColumn('all');
  }

  useEffect(() => {
    countRef.current = count;
  }, [count]);

  // Sorted views fold streamed rows in, throttled; the timer also fires after the last
  // batch, so the final order needs no "done" signal from the parent.
  const pending = view.pendingRows(count);
  useEffect(() => {
    if (pending === 0) return;
    const timer = window.setTimeout(
      () => {
        const started = performance.now();
        view.fold(countRef.current);
        const took = performance.now() - started;
        nextFold.current = started + took + Math.max(FOLD_INTERVAL_MS, FOLD_DUTY * took);
        bump();
      },
      Math.max(0, nextFold.current - performance.now()),
    );
    return () => clearTimeout(timer);
  }, [view, pending, bump]);

  useEffect(() => {
    const spec = filterText === '' ? null : { text: filterText, column: filterColumn === 'all' ? null : Number(filterColumn) };
    if (sameFilter(view.filter, spec)) return;
    const big = countRef.current > BIG_ROWS;
    let cancelPaint = () => {};
    const timer = window.setTimeout(
      () => {
        const apply = () => {
          view.setFilter(spec, countRef.current);
          setBusy(null);
          revealRef.current = true;
          bump();
        };
        if (!big) return apply();
        setBusy('Filtering…');
        cancelPaint = afterPaint(apply);
      },
      big ? 250 : 80,
    );
    return () => {
      clearTimeout(timer);
      cancelPaint();
    };
  }, [view, filterText, filterColumn, bump]);

  const cycleSort = useCallback(
    (col: number) => {
      if (busy) return;
      const current = view.sort;
      const next: SortSpec | null =
        current?.column !== col ? { column: col, direction: 'asc' } : current.direction === 'asc' ? { column: col, direction: 'desc' } : null;
      const apply = () => {
        view.setSort(next, countRef.current);
        nextFold.current = performance.now() + FOLD_INTERVAL_MS;
        setBusy(null);
        revealRef.current = true;
        bump();
      };
      if (countRef.current <= BIG_ROWS) return apply();
      setBusy(next ? 'Sorting…' : 'Restoring row order…');
      afterPaint(apply);
    },
    [busy, view, bump],
  );

  return { view, n: view.length, pending, version, busy, filterText, setFilterText, filterColumn, setFilterColumn, cycleSort, revealRef, countRef };
}
