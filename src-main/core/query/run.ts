// Executes planned statements one by one on a console session. Row-returning statements
// go through a server-side cursor read in batches, so neither the app nor the CLI ever
// holds more than a batch (or the caller's maxRows) in memory.
import Cursor from 'pg-cursor';
import type pg from 'pg';
import type { QueryCell, QueryColumn, QueryFailure, StatementResult } from '../../contract/models';
import type { PlannedStatement } from '../platform/guard/statements/classify';
import { pinnedSettingsDrift, type QuerySession } from './session';
import { applyNames, type Judgement } from '../platform/guard/statements/judge';
import { extended } from '../platform/postgres/extended';
import { isServerError } from '../platform/postgres/pg-errors';
import { builtinTypeName, cellTypes, serverTextTypes, toCell } from './values';

/** Where rows go as they arrive: the UI's collector or the CLI's stdout writer. */
export interface ResultSink {
  columns?(index: number, columns: QueryColumn[]): void | Promise<void>;
  /** May return a promise to apply backpressure (stdout full). */
  rows?(index: number, rows: QueryCell[][]): void | Promise<void>;
  done?(result: StatementResult): void | Promise<void>;
  /** Values as the server's text (booleans t/f, json unindented): what CSV writes. */
  serverText?: boolean;
  /**
   * Present when the sink writes CSV: a single plain read may then be streamed by COPY …
   * TO STDOUT WITH (FORMAT csv, HEADER) straight into it (copy-csv.ts), header included,
   * instead of columns/rows. `done` still follows.
   */
  copyCsv?(chunk: Buffer): void | Promise<void>;
}

export interface ExecuteOptions {
  /** Stop after this many rows per statement (truncated: true); null streams everything. */
  maxRows: number | null;
  /** Keep rows in the returned results (runQuery) or only hand them to the sink (CLI). */
  collect: boolean;
  sink?: ResultSink;
  readOnly: boolean;
  profileName: string;
  /** Keep the last statement's cursor open when it stops at maxRows, for this run id. */
  holdFor?: string;
}

/** Small first, so the grid paints early; then doubling. */
const FIRST_BATCH = 500;
/**
 * Two batches are in memory at once (one written while the next is read). 10,000 peaked
 * above 200 MB in the CLI; 5,000 cost a third of the throughput through an SSH tunnel
 * (bench/RESULTS.md).
 */
const MAX_BATCH = 8_000;

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** A pg error as the contract's failure, with its position moved from statement to script. */
export function toFailure(
  err: unknown,
  plan: Pick<PlannedStatement, 'index' | 'offset'>,
  session: QuerySession,
  options: Pick<ExecuteOptions, 'readOnly' | 'profileName'>,
): { failure: QueryFailure; cancelled: boolean } {
  // A socket error, or the server ending the session (admin shutdown/terminate 57P*,
  // connection exceptions 08*): this connection is finished even if pg has not said so yet.
  if (!isServerError(err) || /^(57P|08)/.test(err.code)) {
    session.dead = true;
    session.deadReason ??= err instanceof Error ? err.message : String(err);
  }
  if (!isServerError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      failure: {
        sqlstate: null,
        message: session.dead
          ? `The connection to the server was lost while running statement ${plan.index + 1} (${message}). Any open transaction is gone; the next run reconnects.`
          : message,
      },
      cancelled: false,
    };
  }
  const failure: QueryFailure = { sqlstate: err.code, message: err.message };
  if (err.detail) failure.detail = err.detail;
  if (err.hint) failure.hint = err.hint;
  if (session.dead) failure.message = `${err.message}. The connection is gone (any open transaction with it); the next run reconnects.`;
  if (err.position !== undefined && Number(err.position) > 0) failure.position = plan.offset + Number(err.position);
  let cancelled = false;
  if (err.code === '57014') {
    cancelled = session.cancelRequested;
    failure.message = cancelled ? `Cancelled at the server: ${err.message}` : `Stopped by the profile's statement timeout: ${err.message}`;
  } else if (err.code === '25006' && options.readOnly) {
    failure.message = `${err.message}: profile "${options.profileName}" is read-only, so the server refuses changes.`;
  }
  return { failure, cancelled };
}

/** Type names for columns outside pg-types' built-in table (enums, domains, extensions). */
async function resolveTypeNames(session: QuerySession, columns: QueryColumn[], oids: number[]): Promise<void> {
  const missing = oids.filter((oid, i) => columns[i]!.type.startsWith('oid:') && !session.typeNames.has(oid));
  // Not while a held cursor owns the connection: the lookup would queue behind it for ever.
  if (missing.length > 0 && session.txStatus !== 'E' && !session.held) {
    try {
      const res = await session.client.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1::oid[])', [
        missing,
      ]);
      for (const row of res.rows) session.typeNames.set(row.oid, row.typname);
    } catch {
      // Type names are a nicety; the oid stays visible.
    }
  }
  oids.forEach((oid, i) => {
    const name = session.typeNames.get(oid);
    if (name) columns[i]!.type = name;
  });
}

function columnsOf(fields: pg.FieldDef[], session: QuerySession): { columns: QueryColumn[]; oids: number[] } {
  const oids = fields.map((f) => f.dataTypeID);
  const columns = fields.map((f) => ({ name: f.name, type: builtinTypeName(f.dataTypeID) ?? session.typeNames.get(f.dataTypeID) ?? `oid:${f.dataTypeID}` }));
  return { columns, oids };
}

function readBatch(cursor: Cursor<unknown[]>, count: number): Promise<{ rows: unknown[][]; result: pg.QueryResult }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (err, rows, result) => (err ? reject(err) : resolve({ rows, result })));
  });
}

/** Rows as cells, converted in place: a million rows must not mean a million copies. */
function asCells(rows: unknown[][]): QueryCell[][] {
  for (const row of rows) for (let i = 0; i < row.length; i++) row[i] = toCell(row[i]);
  return rows as QueryCell[][];
}

async function runWithCursor(
  session: QuerySession,
  plan: PlannedStatement,
  options: ExecuteOptions,
  result: StatementResult,
  last: boolean,
): Promise<number[]> {
  const types = options.sink?.serverText ? serverTextTypes : cellTypes;
  const cursor = session.client.query(new Cursor<unknown[]>(plan.sql, [], { rowMode: 'array', types }));
  let oids: number[] = [];
  let announced = false;
  let batch = FIRST_BATCH;
  let total = 0;
  // One row past the limit tells whether more exist (and is kept for "Fetch more").
  const roomFor = (size: number) => (options.maxRows === null ? size : Math.min(size, options.maxRows + 1 - total));
  let room = roomFor(batch);
  let pending = readBatch(cursor, room);
  try {
    for (;;) {
      const { rows, result: pgResult } = await pending;
      if (!announced) {
        const described = columnsOf(pgResult.fields ?? [], session);
        result.columns = described.columns;
        oids = described.oids;
        announced = true;
        await options.sink?.columns?.(plan.index, result.columns);
      }
      let cells = asCells(rows);
      let lookahead: QueryCell[] | null = null;
      if (options.maxRows !== null && total + cells.length > options.maxRows) {
        lookahead = cells[options.maxRows - total] ?? null;
        cells = cells.slice(0, options.maxRows - total);
        result.truncated = true;
      }
      total += cells.length;
      const finished = result.truncated || rows.length < room;
      if (!finished) {
        // Ask for the next batch before handing this one on: the server produces it while
        // the sink formats and writes, instead of both taking turns.
        batch = Math.min(MAX_BATCH, batch * 2);
        room = roomFor(batch);
        pending = readBatch(cursor, room);
        // Its failure is read at the next turn; until then it must not count as unhandled.
        pending.catch(() => undefined);
      }
      if (cells.length > 0) {
        if (options.collect) for (const row of cells) result.rows.push(row);
        await options.sink?.rows?.(plan.index, cells);
      }
      if (finished) {
        // Counted here: a portal's command tag only counts the rows of its last Execute.
        result.rowCount = total;
        // Only a plain read is kept open: a write (… RETURNING, FOR UPDATE) commits only when
        // its portal closes, so holding it would hide the change and keep its locks.
        if (result.truncated && last && options.holdFor && plan.kind === 'read') {
          session.held = { cursor, runId: options.holdFor, index: plan.index, delivered: total, lookahead, timer: null };
          result.resumable = true;
          return oids;
        }
        // Ends the portal early when truncated; a no-op once the server finished. Not after
        // an error: pg-cursor has already synced then, and a close would wait for ever.
        await cursor.close();
        return oids;
      }
    }
  } finally {
    // Rows that reached the caller before a failure: the result says how many (partial).
    if (result.rowCount === null && total > 0) result.rowCount = total;
  }
}

/**
 * Continues a held result: up to `count` more rows to the sink. The cursor is closed (and
 * the session freed) when the server has no more rows or fails.
 */
export async function fetchHeld(session: QuerySession, count: number, sink: ResultSink): Promise<{ rows: number; done: boolean }> {
  const held = session.held;
  if (!held) return { rows: 0, done: true };
  if (held.timer) clearTimeout(held.timer);
  held.timer = null;
  let pending: QueryCell[][] = held.lookahead ? [held.lookahead] : [];
  held.lookahead = null;
  let sent = 0;
  let batch = FIRST_BATCH;
  try {
    for (;;) {
      const room = Math.min(batch, count - sent - pending.length + 1);
      const { rows } = await readBatch(held.cursor, room);
      let cells = pending.concat(asCells(rows));
      pending = [];
      const exhausted = rows.length < room;
      if (sent + cells.length > count) {
        held.lookahead = cells[count - sent] ?? null;
        cells = cells.slice(0, count - sent);
      }
      sent += cells.length;
      held.delivered += cells.length;
      if (cells.length > 0) await sink.rows?.(held.index, cells);
      if (exhausted) {
        session.held = null;
        await held.cursor.close();
        return { rows: sent, done: true };
      }
      if (held.lookahead) return { rows: sent, done: false };
      batch = Math.min(MAX_BATCH, batch * 2);
    }
  } catch (err) {
    session.held = null;
    throw err;
  }
}

/** Closes a held result (a new run, Close, or its idle timer). Never throws. */
export async function releaseHeld(session: QuerySession): Promise<void> {
  const held = session.held;
  if (!held) return;
  session.held = null;
  if (held.timer) clearTimeout(held.timer);
  await held.cursor.close().catch(() => undefined);
}

async function runSimple(session: QuerySession, plan: PlannedStatement, options: ExecuteOptions, result: StatementResult): Promise<number[]> {
  // The extended protocol (Parse/Bind/Execute) takes exactly one statement: should the
  // server ever split the text differently from the guard's parser, it refuses instead of
  // running a statement nobody judged. pg-cursor (runWithCursor) always uses it.
  const res = await session.client.query(
    extended({ text: plan.sql, rowMode: 'array' as const, types: options.sink?.serverText ? serverTextTypes : cellTypes }),
  );
  const described = columnsOf(res.fields ?? [], session);
  result.columns = described.columns;
  result.rowCount = res.rowCount ?? null;
  if (described.columns.length > 0) {
    await options.sink?.columns?.(plan.index, result.columns);
    let cells = (res.rows as unknown[][]).map((row) => row.map(toCell));
    if (options.maxRows !== null && cells.length > options.maxRows) {
      cells = cells.slice(0, options.maxRows);
      result.truncated = true;
    }
    if (options.collect) result.rows = cells;
    if (cells.length > 0) await options.sink?.rows?.(plan.index, cells);
  }
  return described.oids;
}

/** A statement's result before it has run: filled in as it runs (rows path and COPY path alike). */
export function emptyResult(plan: PlannedStatement): StatementResult {
  return { index: plan.index, command: plan.command, columns: [], rows: [], rowCount: null, truncated: false, durationMs: 0, cancelled: false };
}

/** Runs the statements in order and stops at the first failure (like psql's ON_ERROR_STOP). */
export async function executeStatements(session: QuerySession, plans: PlannedStatement[], options: ExecuteOptions): Promise<StatementResult[]> {
  const results: StatementResult[] = [];
  for (const plan of plans) {
    const result = emptyResult(plan);
    const started = performance.now();
    try {
      refuseDriftedSession(session);
      // Outside a transaction, a read-only profile's session is put back in read-only mode
      // before every statement: whatever ran before (a function, an extension) cannot have
      // turned it off for this one. Inside one, the transaction's own mode was fixed at BEGIN.
      if (options.readOnly && session.txStatus === 'I') await session.client.query('SET default_transaction_read_only = on');
      const last = plan === plans[plans.length - 1];
      const oids = plan.returnsRows ? await runWithCursor(session, plan, options, result, last) : await runSimple(session, plan, options, result);
      result.durationMs = elapsed(started);
      if (result.columns.some((c) => c.type.startsWith('oid:'))) await resolveTypeNames(session, result.columns, oids);
    } catch (err) {
      result.durationMs = elapsed(started);
      const { failure, cancelled } = toFailure(err, plan, session, options);
      result.error = failure;
      result.cancelled = cancelled;
    }
    if (!result.error) rememberNames(session, plan);
    results.push(result);
    await options.sink?.done?.(result);
    if (result.error) break;
  }
  return results;
}

/**
 * A pinned setting the server reported changed (a function can call set_config): the text
 * of the next statement could be read differently from how it was judged, so the session
 * is ended instead. Its transaction, if any, is rolled back by the server.
 */
export function refuseDriftedSession(session: QuerySession): void {
  const drift = pinnedSettingsDrift(session.reported);
  if (drift === null) return;
  session.dead = true;
  session.deadReason ??= drift;
  throw new Error(
    `The console closed this connection instead of running the statement: ${drift}, so the server would no longer read statements as they were judged.`,
  );
}

/** The session's prepared statements and cursors after a statement that ran. */
function rememberNames(session: QuerySession, plan: PlannedStatement): void {
  applyNames(
    plan.tree,
    { command: plan.command, kind: plan.kind, risks: plan.risks as Judgement['risks'], returnsRows: plan.returnsRows, effects: plan.effects },
    session.names,
  );
  // Cursors without HOLD end with their transaction; a WITH HOLD one is forgotten too and
  // its FETCH judged like an unseen name (a write), which errs on the safe side.
  if (session.txStatus === 'I') session.names.cursors.clear();
}
