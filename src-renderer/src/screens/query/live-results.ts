// The rows of a streamed run as they arrive. runQuery (with a run id) answers with each
// statement's outcome but no rows; the rows come as `query.rows` events, possibly even
// after that answer. They are appended in place (never copied) so a million-row result
// costs one array, and the grid is told to look again through a version number.
import type { AppEvent } from '@contract/operations';
import type { QueryCell, QueryColumn, StatementResult } from '@contract/models';

export interface LiveStatement {
  index: number;
  columns: QueryColumn[];
  rows: QueryCell[][];
}

type RowsEvent = Extract<AppEvent, { type: 'query.rows' }>;

/** Rows still missing this long after the last event did not come (the stream dropped). */
export const STALL_MS = 2_500;

export class LiveRun {
  readonly statements = new Map<number, LiveStatement>();
  /** performance.now() of the last event of this run. */
  lastEventAt = performance.now();

  constructor(readonly runId: string) {}

  /** True when the event belonged to this run (and was applied). */
  apply(event: AppEvent): event is RowsEvent {
    if (event.type !== 'query.rows' || event.runId !== this.runId) return false;
    let statement = this.statements.get(event.index);
    if (!statement) {
      statement = { index: event.index, columns: [], rows: [] };
      this.statements.set(event.index, statement);
    }
    this.lastEventAt = performance.now();
    if (event.columns) statement.columns = event.columns;
    // push in a loop: spreading 10,000 rows into push() risks the argument limit.
    for (const row of event.rows) statement.rows.push(row);
    return true;
  }

  received(index: number): number {
    return this.statements.get(index)?.rows.length ?? 0;
  }
}

/** What one result tab shows: the core's verdict when it came, the rows received so far. */
export interface ResultView {
  index: number;
  command: string;
  columns: QueryColumn[];
  rows: QueryCell[][];
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

/** Calls `flush` at most once per animation frame, however many batches arrive. */
export function frameThrottle(flush: () => void): { schedule: () => void; cancel: () => void } {
  let pending = 0;
  return {
    schedule() {
      if (pending) return;
      pending = requestAnimationFrame(() => {
        pending = 0;
        flush();
      });
    },
    cancel() {
      if (pending) cancelAnimationFrame(pending);
      pending = 0;
    },
  };
}
