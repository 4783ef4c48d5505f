// Streaming writers for `ops-console query`: csv (COPY's CSV, see core/query/formats.ts), json (an array written element
// by element) and an aligned table whose widths come from the first batch, so a result of
// any size is printed as it arrives without being held in memory.
import type { QueryCell, QueryColumn, StatementResult } from '../../contract/models';
import { csvLines } from '../../core/query';
import type { ResultSink } from '../../core/query';
import { plural } from '../../core/platform/text/plural';
import { youngCollectionEvery } from '../young-gc';

export type OutputFormat = 'table' | 'csv' | 'json';

export interface Output {
  /** Resolves when the stream can take more (backpressure from a slow pipe). */
  write(text: string | Buffer): void | Promise<void>;
  /** Status lines (command tags) that must not mix with csv/json data. */
  note(text: string): void;
}

/** Output between two minor collections (see young-gc.ts): a few socket reads' worth of garbage at most. */
const COLLECT_EVERY = 4 * 1024 * 1024;

/** Wraps a Node stream: a full buffer makes the producer (the cursor reader) wait. */
export function streamOutput(stream: NodeJS.WritableStream, note: (text: string) => void): Output {
  const written = youngCollectionEvery(COLLECT_EVERY);
  return {
    write(text) {
      written(text.length);
      if (stream.write(text)) return;
      return new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    },
    note,
  };
}

const MAX_WIDTH = 60;

function tableCell(cell: QueryCell): string {
  return cell === null ? '' : String(cell).replace(/\s+/g, ' ');
}

function fit(text: string, width: number, right: boolean): string {
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return right ? cut.padStart(width) : cut.padEnd(width);
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'money', 'oid']);

/**
 * A sink that writes each statement's rows in the chosen format as they arrive. As csv it
 * takes the server's text values and offers `copyCsv`, so a single read is COPY's own
 * output written straight through.
 */
export function formatSink(format: OutputFormat, out: Output): ResultSink & { rowsWritten(): number } {
  let columns: QueryColumn[] = [];
  let copied = false;
  let resultOpen = false;
  let count = 0;
  let total = 0;
  let resultSets = 0;
  let widths: number[] | null = null;

  const tableLine = (values: string[]) =>
    values
      .map((v, i) => fit(v, widths![i]!, NUMERIC_TYPES.has(columns[i]!.type)))
      .join(' | ')
      .trimEnd() + '\n';

  const startTable = async (first: QueryCell[][]) => {
    widths = columns.map((c, i) => Math.min(MAX_WIDTH, Math.max(1, c.name.length, ...first.map((r) => tableCell(r[i] ?? null).length))));
    const header = columns
      .map((c, i) => c.name.padEnd(widths![i]!).slice(0, widths![i]!))
      .join(' | ')
      .trimEnd();
    await out.write(`${header}\n${widths.map((w) => '-'.repeat(w)).join('-+-')}\n`);
  };

  return {
    rowsWritten: () => total,
    ...(format === 'csv'
      ? {
          serverText: true,
          copyCsv(chunk: Buffer) {
            copied = true;
            return out.write(chunk);
          },
        }
      : {}),
    async columns(_index, cols) {
      columns = cols;
      count = 0;
      widths = null;
      resultOpen = true;
      // A result without columns (SELECT FROM t) is still rows to COPY: an empty header line, an empty line per row.
      if (cols.length === 0 && format !== 'csv') return;
      if (resultSets++ > 0) await out.write('\n');
      if (format === 'csv') await out.write(csvLines([cols.map((c) => c.name)]));
      if (format === 'json') await out.write('[');
    },
    async rows(_index, rows) {
      let text = '';
      if (format === 'csv') {
        text = csvLines(rows);
      } else if (format === 'json') {
        rows.forEach((row, r) => {
          const record: Record<string, QueryCell> = {};
          columns.forEach((c, i) => (record[c.name] = row[i] ?? null));
          text += `${count + r > 0 ? ',' : ''}\n  ${JSON.stringify(record)}`;
        });
      } else {
        if (widths === null) await startTable(rows);
        for (const row of rows) text += tableLine(row.map(tableCell));
      }
      count += rows.length;
      total += rows.length;
      await out.write(text);
    },
    async done(result: StatementResult) {
      const hadResult = resultOpen;
      resultOpen = false;
      if (copied) {
        total += result.rowCount ?? 0;
        return;
      }
      if (result.error) {
        if (format === 'json' && columns.length > 0 && result.columns.length > 0) await out.write(count > 0 ? '\n]\n' : ']\n');
        return;
      }
      if (result.columns.length === 0 && !(format === 'csv' && hadResult)) {
        const tag =
          result.rowCount !== null && /^(INSERT|UPDATE|DELETE|MERGE|SELECT INTO|COPY)/.test(result.command)
            ? `${result.command} ${result.rowCount}`
            : result.command;
        if (format === 'table') await out.write(`${tag}\n`);
        else out.note(tag);
        return;
      }
      if (format === 'json') await out.write(count > 0 ? '\n]\n' : ']\n');
      if (format === 'table') {
        if (widths === null) await startTable([]);
        await out.write(`(${plural(count, 'row')}${result.truncated ? ', stopped at --max-rows: more rows exist' : ''})\n`);
      } else if (result.truncated) {
        out.note(`stopped at --max-rows ${count}: more rows exist`);
      }
    },
  };
}
