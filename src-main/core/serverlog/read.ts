// Reading the log through the server: pg_ls_logdir() for the files, pg_read_binary_file()
// for bounded byte ranges. Never a whole file: the newest entries come from chunks read
// backwards from the end until enough entries match or a byte bound is reached; a follow
// reads forwards from where the last answer stopped. Everything runs in the caller's READ
// ONLY transaction.
import type pg from 'pg';
import type { LogEntry, LogFile, LogFormat, ServerLogInput, ServerLogResult, ServerLogSettings } from '../../contract/serverlog';
import { fileDestinations } from './access';
import { entryMatches, formatOfFile, groupLines, splitLines } from './parse';
import { prefixRegex } from './prefix';

/** One read of the file: big enough to hold many entries, small enough for one statement. */
export const CHUNK_BYTES = 512 * 1024;
/** What one answer may scan at most (a search through a big file says it stopped here). */
export const SCAN_BYTES = 8 * 1024 * 1024;
export const DEFAULT_LINES = 500;
const MAX_FILES = 500;

interface FileRow {
  name: string;
  size: string;
  modification: Date;
}

export interface LogReadContext {
  client: pg.Client;
  settings: ServerLogSettings;
  canCurrent: boolean;
}

async function listFiles(ctx: LogReadContext): Promise<LogFile[]> {
  const { rows } = await ctx.client.query<FileRow>(
    `SELECT name, size, modification FROM pg_catalog.pg_ls_logdir() ORDER BY modification DESC, name DESC LIMIT ${MAX_FILES}`,
  );
  let current: string | null = null;
  if (ctx.canCurrent) {
    // The file of the format we read first; pg_current_logfile() names it with its directory.
    const wanted = fileDestinations(ctx.settings.logDestination);
    for (const dest of wanted) {
      const r = await ctx.client.query<{ f: string | null }>('SELECT pg_catalog.pg_current_logfile($1) AS f', [dest]);
      const f = r.rows[0]?.f;
      if (f) {
        current = f.slice(f.lastIndexOf('/') + 1);
        break;
      }
    }
  }
  const files = rows.map((r) => ({
    name: r.name,
    bytes: Number(r.size),
    modified: r.modification.toISOString(),
    format: formatOfFile(r.name),
    current: false,
  }));
  const cur = files.find((f) => f.name === current) ?? files.find((f) => wanted(ctx, f.format));
  if (cur) cur.current = true;
  return files;
}

function wanted(ctx: LogReadContext, format: LogFormat): boolean {
  return fileDestinations(ctx.settings.logDestination).includes(format);
}

function pathOf(ctx: LogReadContext, name: string): string {
  return `${ctx.settings.logDirectory ?? 'log'}/${name}`;
}

async function readRange(ctx: LogReadContext, name: string, offset: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const { rows } = await ctx.client.query<{ data: Buffer }>('SELECT pg_catalog.pg_read_binary_file($1, $2, $3) AS data', [pathOf(ctx, name), offset, length]);
  return rows[0]?.data ?? Buffer.alloc(0);
}

interface Filters {
  levels: ReadonlySet<string> | null;
  search: string | null;
  lines: number;
}

function filtersOf(input: ServerLogInput): Filters {
  return {
    levels: input.levels && input.levels.length > 0 ? new Set(input.levels) : null,
    search: input.search?.trim() ? input.search.trim() : null,
    lines: input.lines ?? DEFAULT_LINES,
  };
}

interface Scan {
  entries: LogEntry[];
  from: number;
  to: number;
  resume: number;
  scannedBytes: number;
  bounded: boolean;
}

/** The newest matching entries that end at or before `end` (a line boundary or the file's size). */
async function scanBackward(ctx: LogReadContext, file: LogFile, end: number, f: Filters, prefix: RegExp): Promise<Scan> {
  const pages: LogEntry[][] = [];
  let matched = 0;
  let scanned = 0;
  let cursor = end;
  let to = end;
  let resume = end;
  let first = true;
  while (cursor > 0 && matched < f.lines && scanned < SCAN_BYTES) {
    const start = Math.max(0, cursor - CHUNK_BYTES);
    const buf = await readRange(ctx, file.name, start, cursor - start);
    // Only the very end of the file may hold a line still being written (no newline yet).
    const split = splitLines(buf, start, !first || cursor < file.bytes);
    const { entries, orphans } = groupLines(split.lines, file.format, prefix);
    if (first) {
      to = split.end;
      resume = entries.length > 0 ? entries[entries.length - 1]!.offset : split.end;
      first = false;
    }
    // The lines before the chunk's first entry belong to an older entry: read them again with it.
    const next = start === 0 ? 0 : (entries[0]?.offset ?? (orphans.length > 0 ? orphans[0]!.offset : start));
    const page = entries.filter((e) => entryMatches(e, f.levels, f.search));
    pages.unshift(page);
    matched += page.length;
    scanned += cursor - next;
    // A chunk that is all one entry's continuation cannot move on by its entries: skip it.
    cursor = next >= cursor ? start : next;
  }
  let entries = pages.flat();
  let from = cursor;
  if (entries.length > f.lines) {
    entries = entries.slice(entries.length - f.lines);
    from = entries[0]!.offset;
  }
  return { entries, from, to, resume, scannedBytes: scanned, bounded: cursor > 0 && matched < f.lines };
}

/** What was written from `after` (an entry's start) on, bounded; the last entry may be re-read next time. */
async function scanForward(ctx: LogReadContext, file: LogFile, after: number, f: Filters, prefix: RegExp): Promise<Scan> {
  const length = Math.min(file.bytes - after, SCAN_BYTES);
  const buf = await readRange(ctx, file.name, after, length);
  // `after` is a line start we handed out, so no partial first line to drop.
  const split = splitLines(buf, 0);
  const lines = split.lines.map((l) => ({ ...l, offset: l.offset + after }));
  const { entries } = groupLines(lines, file.format, prefix);
  const to = after + split.end;
  let resume = entries.length > 0 ? entries[entries.length - 1]!.offset : after;
  // An entry bigger than the bound would be re-read forever: move past it.
  if (resume === after && length === SCAN_BYTES) resume = to;
  let matching = entries.filter((e) => entryMatches(e, f.levels, f.search));
  if (matching.length > f.lines) matching = matching.slice(matching.length - f.lines);
  return { entries: matching, from: after, to, resume, scannedBytes: to - after, bounded: false };
}

export async function readServerLog(
  ctx: LogReadContext,
  profile: string,
  input: ServerLogInput,
): Promise<ServerLogResult | { noFiles: true } | { missing: string }> {
  const files = await listFiles(ctx);
  const file = input.file !== undefined ? files.find((x) => x.name === input.file) : files.find((x) => x.current);
  if (!file) return input.file !== undefined ? { missing: input.file } : { noFiles: true };
  const f = filtersOf(input);
  const prefix = prefixRegex(ctx.settings.logLinePrefix ?? '%m [%p] ');
  let scan: Scan;
  if (input.after !== undefined && input.after <= file.bytes) scan = await scanForward(ctx, file, input.after, f, prefix);
  else scan = await scanBackward(ctx, file, Math.min(input.before ?? file.bytes, file.bytes), f, prefix);
  return { available: true, profile, file: file.name, format: file.format, files, bytes: file.bytes, ...scan, settings: ctx.settings };
}
