// The CSV fast path (issue #21): one plain read exported as CSV is streamed by the server's
// own COPY (…) TO STDOUT WITH (FORMAT csv, HEADER) instead of being decoded row by row and
// written again. Built by construction: the judged statement's text is wrapped, the wrapped
// text is parsed again with the guard's parser, and it is sent only if it is exactly one
// COPY to STDOUT (no file, no program) whose query is the very parse tree the guard judged.
// It always runs inside BEGIN READ ONLY, so a function that writes is refused by the server
// whatever the guard missed. Its bytes are the row path's too (formats.ts).
import { parseSync } from 'libpg-query';
import type pg from 'pg';
import type { StatementResult } from '../../contract/models';
import { isNode } from '../platform/guard/statements/effects';
import type { PlannedStatement } from '../platform/guard/statements/classify';
import { CopyOutStream } from './copy-out';
import { emptyResult, refuseDriftedSession, toFailure } from './run';
import type { QuerySession } from './session';

/** The options written after the query; the re-parse must find exactly these. */
const COPY_OPTIONS = 'WITH (FORMAT csv, HEADER)';
/** What comes before the statement's text in the COPY text (for error positions). */
const COPY_PREFIX = 'COPY (\n';
const EXPECTED_OPTIONS = JSON.stringify([
  { DefElem: { defname: 'format', arg: { String: { sval: 'csv' } }, defaction: 'DEFELEM_UNSPEC' } },
  { DefElem: { defname: 'header', defaction: 'DEFELEM_UNSPEC' } },
]);

/** A parse tree without its byte positions, which differ once the text is wrapped. */
function withoutLocations(tree: unknown): string {
  return JSON.stringify(tree, (key, value: unknown) => (key === 'location' ? undefined : value));
}

/**
 * The COPY text for a judged statement, or null when the fast path does not apply (not a
 * plain read returning rows, or a statement COPY cannot wrap such as SHOW or EXPLAIN): the
 * row path then runs and writes the same bytes. The line breaks around the statement keep
 * a trailing `-- comment` from swallowing the closing parenthesis.
 */
export function copyCsvText(plan: PlannedStatement): string | null {
  // The parser is loaded: every caller has just planned the statement with it.
  if (plan.kind !== 'read' || !plan.returnsRows || plan.readOnlyEscape !== null || plan.pinnedChange !== null || plan.effects.length > 0) return null;
  const text = `${COPY_PREFIX}${plan.sql}\n) TO STDOUT ${COPY_OPTIONS}`;
  let stmts: Array<{ stmt?: unknown }>;
  try {
    stmts = (parseSync(text).stmts ?? []) as Array<{ stmt?: unknown }>;
  } catch {
    return null;
  }
  if (stmts.length !== 1) return null;
  const stmt = stmts[0]!.stmt;
  const copy = isNode(stmt) ? stmt.CopyStmt : undefined;
  if (!isNode(copy)) return null;
  const keys = Object.keys(copy).sort().join(',');
  // Exactly a query and the options: no relation, no is_from, no filename, no is_program, no WHERE.
  if (keys !== 'options,query') return null;
  if (withoutLocations(copy.options) !== EXPECTED_OPTIONS) return null;
  if (withoutLocations(copy.query) !== withoutLocations(plan.tree)) return null;
  return text;
}

/**
 * Counts the records of COPY's CSV as it passes (COPY tells its count only at the end): a
 * line feed ends a record unless it is inside quotes, and a doubled quote inside quotes
 * toggles twice, so the quote parity is all the state there is. The header is one record.
 */
export class CsvRecordCounter {
  records = 0;
  private quoted = false;

  push(chunk: Buffer): void {
    // Most chunks of most results hold no quote at all: indexOf runs natively.
    if (!this.quoted && chunk.indexOf(34) === -1) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) this.records++;
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 34) this.quoted = !this.quoted;
      else if (c === 10 && !this.quoted) this.records++;
    }
  }
}

/**
 * Streams COPY's output into `write`, waiting for it between chunks (a full pipe or disk
 * slows the server's socket, memory stays flat). Resolves with COPY's row count.
 */
export async function copyOut(client: pg.Client, text: string, write: (chunk: Buffer) => void | Promise<void>, signal?: AbortSignal): Promise<number> {
  const stream = client.query(new CopyOutStream(text));
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (signal?.aborted) {
      stream.destroy();
      throw new Error('the export was cancelled');
    }
    await write(chunk);
  }
  return stream.rowCount;
}

/**
 * The fast path on a console session (no transaction open): BEGIN READ ONLY, COPY, ROLLBACK.
 * A failure is the statement's result, as on the row path (toFailure); the transaction is
 * rolled back when the connection still lives.
 */
export async function executeCopyCsv(
  session: QuerySession,
  plan: PlannedStatement,
  text: string,
  sink: { copyCsv(chunk: Buffer): void | Promise<void>; done?(result: StatementResult): void | Promise<void> },
  options: { readOnly: boolean; profileName: string },
): Promise<StatementResult> {
  const result = emptyResult(plan);
  const started = performance.now();
  let begun = false;
  try {
    refuseDriftedSession(session);
    await session.client.query('BEGIN READ ONLY');
    begun = true;
    result.rowCount = await copyOut(session.client, text, (chunk) => sink.copyCsv(chunk));
    // A read-only transaction has nothing to commit; rolling back also undoes any setting a
    // function changed meanwhile (copy-out.ts reads the socket itself during COPY, so the
    // session may not see such a ParameterStatus): the session leaves as it came.
    await session.client.query('ROLLBACK');
  } catch (err) {
    const { failure, cancelled } = toFailure(err, plan, session, options);
    // The position of an error is in the wrapped text: moved back to the statement's own.
    const position = failure.position;
    if (position !== undefined) {
      const inStatement = position - plan.offset - COPY_PREFIX.length;
      if (inStatement > 0 && inStatement <= plan.sql.length) failure.position = plan.offset + inStatement;
      else delete failure.position;
    }
    result.error = failure;
    result.cancelled = cancelled;
    if (begun && !session.dead) await session.client.query('ROLLBACK').catch(() => undefined);
  }
  result.durationMs = Math.round((performance.now() - started) * 100) / 100;
  await sink.done?.(result);
  return result;
}
