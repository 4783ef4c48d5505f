// Export of one query's full result to a CSV or JSON file, streamed from the server to
// the disk in batches (pg-cursor), for results larger than what the grid keeps. It runs on
// its own connection, never the console session (the console stays usable meanwhile),
// inside BEGIN READ ONLY … COMMIT: even a SELECT calling a function that writes is refused
// by the server. Any failure removes the .partial file, so no half export remains. CSV is
// COPY's own output when COPY can wrap the statement (copy-csv.ts), else the same bytes
// written from the rows (formats.ts).
import { StringDecoder } from 'node:string_decoder';
import crypto from 'node:crypto';
import Cursor from 'pg-cursor';
import pg from 'pg';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { Profile, QueryCell, QueryExportResult } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote } from '../platform/kernel/dispatch';
import type { Job, JobRegistry } from '../platform/jobs/registry';
import { connectClient, connectPassword } from '../platform/postgres/connect';
import { isServerError } from '../platform/postgres/pg-errors';
import { resolveEffects } from '../platform/guard/statements/catalog-effects';
import { planScript, type PlannedStatement } from '../platform/guard/statements/classify';
import { ExportFile, exportBaseName, type ExportFormat } from '../platform/fs/export-file';
import { csvRecord, jsonRowWriter } from './formats';
import { copyCsvText, copyOut, CsvRecordCounter } from './copy-csv';
import { cellTypes, serverTextTypes, toCell } from './values';
import { plural } from '../platform/text/plural';

export interface ExportInput {
  profileId: string;
  sql: string;
  format: ExportFormat;
  password?: string | undefined;
}

const FIRST_BATCH = 100;
const MAX_BATCH = 10_000;
const MIN_BATCH = 16;
/** Text per batch aimed at: rows of a few bytes go 10,000 at a time, rows of megabytes a few. */
const BATCH_TEXT_TARGET = 8 * 1024 * 1024;

/** Grows the batch while batches are small and shrinks it when rows are wide, so memory stays bounded. */
function nextBatchSize(batch: number, textLength: number): number {
  if (textLength > BATCH_TEXT_TARGET) return Math.max(MIN_BATCH, Math.floor(batch / 2));
  if (textLength * 2 <= BATCH_TEXT_TARGET) return Math.min(MAX_BATCH, batch * 2);
  return batch;
}
const JSON_OIDS: ReadonlySet<number> = new Set([pg.types.builtins.JSON, pg.types.builtins.JSONB]);

/**
 * The console's parsers (exact text for numeric/int8/money/float, bytea as \x hex, dates
 * as the server prints them) except json/jsonb, kept as the server's compact text rather
 * than re-indented: CSV gets one line per value, JSON embeds it as a nested value.
 */
const exportTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    JSON_OIDS.has(oid)
      ? (text: string) => text
      : (cellTypes.getTypeParser as (oid: number, format?: string) => unknown)(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export function exportsDir(home: string): string {
  return path.join(home, 'exports');
}

/** Exactly one plain read that returns rows, or INVALID_INPUT saying what export takes. */
export async function exportableStatement(sql: string): Promise<PlannedStatement> {
  const plans = await planScript(sql);
  const takes = 'Export takes exactly one SELECT (or WITH … SELECT, TABLE, VALUES) and writes its rows to a file';
  if (plans.length !== 1)
    throw new OpsError('INVALID_INPUT', `${takes}; this script has ${plans.length} statements. Select the one to export.`, { statements: plans.length });
  const plan = plans[0]!;
  const escape = plan.pinnedChange ?? plan.readOnlyEscape;
  if (escape) throw new OpsError('INVALID_INPUT', `Export refuses this statement: ${escape}. Nothing was written.`, { command: plan.command });
  if (plan.kind !== 'read' || !plan.returnsRows) {
    throw new OpsError(
      'INVALID_INPUT',
      `${takes}; this statement is ${plan.command} (${plan.kind}${plan.returnsRows ? '' : ', returns no rows'}), which export does not run. Nothing was written.`,
      { command: plan.command, kind: plan.kind },
    );
  }
  return plan;
}

/** Server errors → QUERY_FAILED (SQLSTATE in detail); a lost connection → CONNECTION_FAILED. */
function toExportError(err: unknown, plan: PlannedStatement, profile: Profile, rows: number): OpsError {
  if (err instanceof OpsError) return err;
  const after = rows > 0 ? ` after ${plural(rows, 'row')}` : '';
  if (isServerError(err)) {
    const pgErr = err;
    const detail: Record<string, unknown> = { sqlstate: pgErr.code };
    if (pgErr.detail) detail.detail = pgErr.detail;
    if (pgErr.hint) detail.hint = pgErr.hint;
    if (pgErr.position !== undefined && Number(pgErr.position) > 0) detail.position = plan.offset + Number(pgErr.position);
    let message = `${pgErr.message} (SQLSTATE ${pgErr.code})`;
    if (pgErr.code === '25006') message = `${pgErr.message}: an export runs in a read-only transaction and cannot write (SQLSTATE 25006)`;
    else if (pgErr.code === '57014') message = `stopped by the profile's statement timeout or a cancel: ${pgErr.message} (SQLSTATE 57014)`;
    else if (/^(57P|08)/.test(pgErr.code)) message = `the server ended the export's connection: ${pgErr.message} (SQLSTATE ${pgErr.code})`;
    return new OpsError('QUERY_FAILED', `The export failed at the server${after}: ${message}. No file was kept.`, detail);
  }
  const text = err instanceof Error ? err.message : String(err);
  return new OpsError('CONNECTION_FAILED', `The connection to "${profile.name}" was lost during the export${after} (${text}). No file was kept.`);
}

/** File-system failures (disk full, permissions) as IO_FAILED naming the file. */
async function io<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OpsError) throw err;
    const e = err as NodeJS.ErrnoException;
    const code = typeof e.code === 'string' ? ` (${e.code})` : '';
    throw new OpsError('IO_FAILED', `Writing the export file failed at ${where}: ${e.message ?? String(err)}${code}. No file was kept.`, {
      path: where,
      errno: e.code ?? null,
    });
  }
}

function readBatch(cursor: Cursor<unknown[]>, count: number): Promise<{ rows: unknown[][]; result: pg.QueryResult }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (err, rows, result) => (err ? reject(err) : resolve({ rows, result })));
  });
}

interface Progress {
  rows: number;
}

/** Reads the cursor batch by batch and writes each batch before asking for the next (none once `signal` aborted). */
async function streamRows(client: pg.Client, sql: string, format: ExportFormat, file: ExportFile, progress: Progress, signal: AbortSignal): Promise<void> {
  const cursor = client.query(new Cursor<unknown[]>(sql, [], { rowMode: 'array', types: format === 'csv' ? serverTextTypes : exportTypes }));
  // Each record with what separates it from the previous one (JSON: a comma and a newline).
  let encode: ((cells: readonly QueryCell[], first: boolean) => string) | null = null;
  let batch = FIRST_BATCH;
  for (;;) {
    if (signal.aborted) throw new Error('the export was cancelled');
    const { rows, result } = await readBatch(cursor, batch);
    if (encode === null) {
      const fields = result.fields ?? [];
      const names = fields.map((f) => f.name);
      if (format === 'csv') {
        encode = (cells) => csvRecord(cells);
        await io(file.partialPath, () => file.write(csvRecord(names)));
      } else {
        // Numbers beyond int4 (int8, numeric, float, money) stay strings: JSON numbers go
        // through doubles in most readers, and 9007199254740993 or 0.10 would not survive.
        const toJson = jsonRowWriter(
          names,
          fields.map((f) => JSON_OIDS.has(f.dataTypeID)),
        );
        encode = (cells, first) => (first ? toJson(cells) : `,\n${toJson(cells)}`);
        await io(file.partialPath, () => file.write('[\n'));
      }
    }
    let textLength = 0;
    if (rows.length > 0) {
      let text = '';
      for (let i = 0; i < rows.length; i++) text += encode(rows[i]!.map(toCell), progress.rows + i === 0);
      textLength = text.length;
      await io(file.partialPath, () => file.write(text));
      progress.rows += rows.length;
    }
    if (rows.length < batch) break;
    batch = nextBatchSize(batch, textLength);
  }
  await cursor.close();
  if (format === 'json') await io(file.partialPath, () => file.write(progress.rows > 0 ? '\n]\n' : ']\n'));
}

/** COPY's CSV into the file; its chunks may cut a UTF-8 character, which the decoder keeps for the next one. */
async function copyToFile(client: pg.Client, text: string, file: ExportFile, progress: Progress, signal: AbortSignal): Promise<void> {
  const decoder = new StringDecoder('utf8');
  // Rows so far, for a failure's message; the header is the first record.
  const counter = new CsvRecordCounter();
  progress.rows = await copyOut(
    client,
    text,
    (chunk) => {
      counter.push(chunk);
      progress.rows = Math.max(0, counter.records - 1);
      return io(file.partialPath, () => file.write(decoder.write(chunk)));
    },
    signal,
  );
  const rest = decoder.end();
  if (rest !== '') await io(file.partialPath, () => file.write(rest));
}

/** The exportQuery operation, run as a job (the app closing cancels it and waits for its cleanup). */
export function exportQuery(deps: CoreDeps, input: ExportInput, audit: AuditNote, jobs: JobRegistry<QueryExportResult>): Promise<QueryExportResult> {
  const id = crypto.randomUUID();
  return jobs.start({ id, jobId: id }, (job) => runExport(deps, input, audit, job)).done;
}

/** Fills the dispatcher's audit note as it goes. */
async function runExport(deps: CoreDeps, input: ExportInput, audit: AuditNote, job: Job): Promise<QueryExportResult> {
  const profile = deps.profiles.require(input.profileId);
  audit.profile = profile.name;
  audit.detail = input.sql;
  audit.rowsAffected = null;
  const plan = await exportableStatement(input.sql);

  const started = performance.now();
  const client = await connectClient(profile, connectPassword(deps, profile, input.password), { tunnels: deps.tunnels });
  // A cancel drops the connection at once (the server rolls the read back); waiting for a
  // graceful end would wait for the statement running on it.
  job.onCancel(() => client.connection.stream.destroy());
  const dir = exportsDir(deps.home);
  const progress: Progress = { rows: 0 };
  let file: ExportFile | null = null;
  try {
    // READ ONLY: the guard above judges the text; the server enforces it for whatever the
    // statement calls. hex is what the contract promises for bytea.
    await client.query('BEGIN READ ONLY');
    // The pinned reading (effects.ts), whatever the role's defaults say.
    await client.query("SET LOCAL bytea_output = 'hex'; SET LOCAL standard_conforming_strings = on");
    // The catalog's half of the guard: a SELECT that reaches a volatile function may act
    // outside the transaction, which READ ONLY would not stop.
    await resolveEffects(client, [plan], { txStatus: 'T' });
    if (plan.kind !== 'read') {
      throw new OpsError(
        'INVALID_INPUT',
        `Export runs only plain reads; this ${plan.command} ${plan.effects[0] ?? 'may write'}. Run it in the console instead. Nothing was written.`,
        { command: plan.command, effects: plan.effects },
      );
    }
    file = await io(dir, () => ExportFile.create(dir, exportBaseName(profile.name, new Date()), input.format));
    const target = file;
    const copyText = input.format === 'csv' ? copyCsvText(plan) : null;
    if (copyText !== null) await copyToFile(client, copyText, target, progress, job.signal);
    else await streamRows(client, plan.sql, input.format, target, progress, job.signal);
    await client.query('COMMIT');
    await io(target.partialPath, () => target.finish());
    const finalPath = await io(target.partialPath, () => target.publish());
    const durationMs = Math.round(performance.now() - started);
    audit.summary = `exported ${plural(progress.rows, 'row')} to ${finalPath}`;
    return { path: finalPath, format: input.format, rows: progress.rows, bytes: target.bytes, durationMs };
  } catch (err) {
    await file?.discard();
    const failure = job.cancelled
      ? new OpsError('QUERY_FAILED', `The export was stopped (${job.cancelReason}) after ${plural(progress.rows, 'row')}. No file was kept.`, {
          cancelled: true,
        })
      : toExportError(err, plan, profile, progress.rows);
    audit.summary = `export to ${input.format} failed after ${plural(progress.rows, 'row')}; no file was kept`;
    throw failure;
  } finally {
    await client.end().catch(() => undefined);
  }
}
