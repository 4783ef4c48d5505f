// The rows of a streamed run as they arrive. runQuery (with a run id) answers with each
// statement's outcome but no rows; the rows come as `query.rows` events, possibly even
// after that answer. Each batch is kept packed by column in a RowStore (row-store.ts; browser
// mode's event worker packs it, the desktop's IPC batches are packed here), so a million-row
// result is a few hundred batches rather than a million arrays on the heap, and the grid is told to look again through a version number that only
// the results pane subscribes to (useLiveVersion): the editor, toolbars and tabs do not
// re-render while rows stream, which kept the page from answering keys with a million rows.
import type { AppEvent } from '@contract/operations';
import { useSyncExternalStore } from 'react';
import type { QueryCell, QueryColumn, StatementResult } from '@contract/models';
import { RowStore } from './row-store';

export interface LiveStatement {
  index: number;
  columns: QueryColumn[];
  rows: RowStore;
}

type RowsEvent = Extract<AppEvent, { type: 'query.rows' }>;

/** Rows still missing this long after the last event did not come (the stream dropped). */
export const STALL_MS = 2_500;

export class LiveRun {
  readonly statements = new Map<number, LiveStatement>();
  /** performance.now() of the last event of this run. */
  lastEventAt = performance.now();
  /** Bumped (throttled) as rows arrive; subscribers re-render on it. */
  version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly runId: string) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Tells subscribers to look again (rows arrived, or enough time passed to call missing rows lost). */
  touch(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }

  /** True when the event belonged to this run (and was applied). */
  apply(event: AppEvent): event is RowsEvent {
    if (event.type !== 'query.rows' || event.runId !== this.runId) return false;
    let statement = this.statements.get(event.index);
    if (!statement) {
      statement = { index: event.index, columns: [], rows: new RowStore() };
      this.statements.set(event.index, statement);
    }
    this.lastEventAt = performance.now();
    if (event.columns) statement.columns = event.columns;
    if (event.packed) statement.rows.append(event.packed);
    else statement.rows.appendRows(event.rows, statement.columns.length || undefined);
    return true;
  }

  received(index: number): number {
    return this.statements.get(index)?.rows.length ?? 0;
  }

  /** Rows each finished statement sent (from the run's answer), until they have all arrived. */
  private readonly awaited = new Map<number, number>();

  /**
   * The run answered: statement `index` sent `count` rows. The answer often comes before its
   * last rows do (they travel on the event stream); the batch that completes them is then
   * painted at once (see completes) rather than after the repaint throttle's pause.
   */
  expectRows(index: number, count: number): void {
    if (this.received(index) < count) this.awaited.set(index, count);
  }

  /** True once, for the batch that brought statement `index` to the count its answer gave. */
  completes(index: number): boolean {
    const count = this.awaited.get(index);
    if (count === undefined || this.received(index) < count) return false;
    this.awaited.delete(index);
    return true;
  }
}

/** What one result tab shows: the core's verdict when it came, the rows received so far. */
export interface ResultView {
  index: number;
  command: string;
  columns: QueryColumn[];
  /** The streamed rows (packed), or a plain result's own rows; the same object for as long as the result is shown. */
  rows: RowStore | QueryCell[][];
  /** Rows received so far (rows.length). */
  received: number;
  /** Rows the core says it sent (null while the statement runs). */
  expected: number | null;
  running: boolean;
  /** The core sent more rows than arrived, and nothing has come for a while: they are lost. */
  stalled: boolean;
  result: StatementResult | null;
}

/**
 * One view per statement: finished ones from the run's answer (command, errors, counts,
 * resolved column type names) with the streamed rows; the statement still running from
 * the rows so far. A plain (non-streamed) result carries its own rows.
 */
export function resultViews(live: LiveRun | null, results: StatementResult[] | null, running: boolean): ResultView[] {
  const views: ResultView[] = [];
  const done = new Set<number>();
  for (const result of results ?? []) {
    done.add(result.index);
    const streamed = live?.statements.get(result.index);
    const rows = streamed ? streamed.rows : result.rows;
    const expected = result.columns.length > 0 ? result.rowCount : null;
    views.push({
      index: result.index,
      command: result.command,
      columns: result.columns.length > 0 ? result.columns : (streamed?.columns ?? []),
      rows,
      received: rows.length,
      expected,
      running: false,
      stalled: live !== null && expected !== null && rows.length < expected && performance.now() - live.lastEventAt > STALL_MS,
      result,
    });
  }
  if (running && live) {
    for (const statement of [...live.statements.values()].sort((a, b) => a.index - b.index)) {
      if (done.has(statement.index)) continue;
      views.push({
        index: statement.index,
        command: '',
        columns: statement.columns,
        rows: statement.rows,
        received: statement.rows.length,
        expected: null,
        running: true,
        stalled: false,
        result: null,
      });
    }
  }
  return views;
}

const NO_RUN = (): (() => void) => () => undefined;

/** Re-renders the caller whenever rows of `live` arrive (throttled); 0 without a run. */
export function useLiveVersion(live: LiveRun | null): number {
  return useSyncExternalStore(live?.subscribe ?? NO_RUN, () => live?.version ?? 0);
}

/** At most this often the grid takes in streamed rows: fast enough to look live, rare enough to leave the page free. */
export const REPAINT_MS = 100;
/**
 * Repainting the results may take at most 1/REPAINT_DUTY of the main thread: when a repaint
 * (React rendering the results pane) took 40 ms on a busy machine, the next one waits
 * 200 ms, so the editor's keys and the grid's scrolling always find the thread free.
 */
export const REPAINT_DUTY = 5;
/** ...but never so rarely that the grid looks stuck. */
export const MAX_REPAINT_MS = 1_000;

/** How long after a repaint that began at `lastStart` and took `lastCost` ms the next may begin. */
export function repaintDelay(lastStart: number, lastCost: number, now: number, intervalMs = REPAINT_MS, duty = REPAINT_DUTY): number {
  const gap = Math.min(MAX_REPAINT_MS, Math.max(intervalMs, duty * lastCost));
  return lastStart + gap - now;
}

/**
 * Calls `flush` at most once per `intervalMs` (on an animation frame), however many batches
 * arrive: the first batch paints at once, later ones are gathered. A flush whose rendering
 * was slow spaces the next ones out (repaintDelay).
 */
export function frameThrottle(flush: () => void, intervalMs = REPAINT_MS): { schedule: () => void; cancel: () => void } {
  let frame = 0;
  let timer = 0;
  let last = -Infinity;
  let cost = 0;
  const run = () => {
    frame = 0;
    timer = 0;
    const started = performance.now();
    last = started;
    flush();
    // The subscribers' render runs in a microtask React queued during flush(): this one
    // comes after it, so it measures the render too.
    queueMicrotask(() => (cost = performance.now() - started));
  };
  return {
    schedule() {
      if (frame || timer) return;
      const wait = repaintDelay(last, cost, performance.now(), intervalMs);
      if (wait <= 0) frame = requestAnimationFrame(run);
      else timer = window.setTimeout(() => (frame = requestAnimationFrame(run)), wait);
    },
    cancel() {
      if (frame) cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
      frame = 0;
      timer = 0;
    },
  };
}
