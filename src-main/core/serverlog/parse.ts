// From a chunk of a log file's bytes to entries, for the three file formats the server
// writes (stderr with log_line_prefix, csvlog, jsonlog). Lines are split on bytes so every
// entry keeps its exact byte offset in the file: that offset is how the screen pages back
// and follows on, and it survives any multibyte character cut at a chunk's edge.
import { LOG_CONTINUATIONS, LOG_LEVELS, type LogEntry, type LogFormat, type LogLevel } from '../../contract/serverlog';
import { parseStderrLine } from './prefix';

export interface RawLine {
  offset: number;
  text: string;
}

/**
 * Whole lines of `buf`, which holds the file's bytes from `start`. A chunk that starts inside
 * the file drops its first, partial line; the last line counts only when a newline ends it
 * (the server may be writing it), unless `atEof` says the file ended there for good.
 */
export function splitLines(buf: Buffer, start: number, atEof = false): { lines: RawLine[]; end: number } {
  const lines: RawLine[] = [];
  let pos = 0;
  if (start > 0) {
    const nl = buf.indexOf(0x0a);
    if (nl === -1) return { lines, end: start };
    pos = nl + 1;
  }
  for (;;) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) break;
    lines.push({ offset: start + pos, text: buf.toString('utf8', pos, nl).replace(/\r$/, '') });
    pos = nl + 1;
  }
  if (atEof && pos < buf.length) {
    lines.push({ offset: start + pos, text: buf.toString('utf8', pos) });
    pos = buf.length;
  }
  return { lines, end: start + pos };
}

export interface Grouped {
  entries: LogEntry[];
  /** Lines before the first entry: the tail of an entry that began before this chunk. */
  orphans: RawLine[];
}

const CONTINUATIONS = new Set<string>(LOG_CONTINUATIONS);
const TS_START = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

/** DEBUG1…5 filter as DEBUG; anything unknown as LOG (the server's own default level). */
export function levelOf(written: string): LogLevel {
  const upper = written.toUpperCase();
  if (upper.startsWith('DEBUG')) return 'DEBUG';
  return (LOG_LEVELS as readonly string[]).includes(upper) ? (upper as LogLevel) : 'LOG';
}

function blankEntry(offset: number): LogEntry {
  return { offset, time: null, level: 'LOG', pid: null, user: null, database: null, application: null, sqlstate: null, message: '', extra: [] };
}

function groupStderr(lines: RawLine[], prefix: RegExp): Grouped {
  const entries: LogEntry[] = [];
  const orphans: RawLine[] = [];
  for (const line of lines) {
    const parsed = parseStderrLine(line.text, prefix);
    const last = entries[entries.length - 1];
    if (parsed && !CONTINUATIONS.has(parsed.level)) {
      const { level, ...fields } = parsed;
      entries.push({ ...blankEntry(line.offset), ...fields, level: levelOf(level), extra: [] });
    } else if (last) {
      last.extra.push(parsed ? `${parsed.level}:  ${parsed.message}` : line.text);
    } else {
      orphans.push(line);
    }
  }
  return { entries, orphans };
}

/** One CSV record (RFC 4180 quoting, as csvlog writes it). */
export function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          value += text.slice(i);
          i = text.length;
          break;
        }
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      i++; // the comma
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? text.length : comma;
      fields.push(text.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

const orNull = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** csvlog columns (PostgreSQL 13+: application_name 23rd, backend_type 24th). */
function csvEntry(offset: number, f: string[]): LogEntry {
  const extra: string[] = [];
  const add = (label: string, v: string | undefined) => {
    if (v) extra.push(`${label}:  ${v}`);
  };
  add('DETAIL', f[14]);
  add('HINT', f[15]);
  add('QUERY', f[16]);
  add('CONTEXT', f[18]);
  add('STATEMENT', f[19]);
  add('LOCATION', f[21]);
  const pid = orNull(f[3]);
  return {
    offset,
    time: orNull(f[0]),
    level: levelOf(f[11] ?? 'LOG'),
    pid: pid === null ? null : Number(pid),
    user: orNull(f[1]),
    database: orNull(f[2]),
    application: orNull(f[22]),
    sqlstate: orNull(f[12]),
    message: f[13] ?? '',
    extra,
  };
}

function groupCsv(lines: RawLine[]): Grouped {
  const records: Array<{ offset: number; text: string }> = [];
  const orphans: RawLine[] = [];
  for (const line of lines) {
    const last = records[records.length - 1];
    if (TS_START.test(line.text)) records.push({ offset: line.offset, text: line.text });
    else if (last) last.text += `\n${line.text}`;
    else orphans.push(line);
  }
  return { entries: records.map((r) => csvEntry(r.offset, parseCsvRecord(r.text))), orphans };
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function groupJson(lines: RawLine[]): Grouped {
  const entries: LogEntry[] = [];
  const orphans: RawLine[] = [];
  for (const line of lines) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line.text) as Record<string, unknown>;
    } catch {
      orphans.push(line);
      continue;
    }
    const extra: string[] = [];
    for (const [key, label] of [
      ['detail', 'DETAIL'],
      ['hint', 'HINT'],
      ['internal_query', 'QUERY'],
      ['context', 'CONTEXT'],
      ['statement', 'STATEMENT'],
    ] as const) {
      const v = str(obj[key]);
      if (v) extra.push(`${label}:  ${v}`);
    }
    const pid = obj['pid'];
    entries.push({
      offset: line.offset,
      time: str(obj['timestamp']),
      level: levelOf(str(obj['error_severity']) ?? 'LOG'),
      pid: typeof pid === 'number' ? pid : null,
      user: str(obj['user']),
      database: str(obj['dbname']),
      application: str(obj['application_name']),
      sqlstate: str(obj['state_code']),
      message: str(obj['message']) ?? '',
      extra,
    });
  }
  return { entries, orphans };
}

/** Entries of whole lines in one format; `prefix` is log_line_prefix's regex (stderr only). */
export function groupLines(lines: RawLine[], format: LogFormat, prefix: RegExp): Grouped {
  if (format === 'csvlog') return groupCsv(lines);
  if (format === 'jsonlog') return groupJson(lines);
  return groupStderr(lines, prefix);
}

export function formatOfFile(name: string): LogFormat {
  if (name.endsWith('.csv')) return 'csvlog';
  if (name.endsWith('.json')) return 'jsonlog';
  return 'stderr';
}

/** Does the entry pass the filters? Search is case-insensitive over the whole entry as shown. */
export function entryMatches(entry: LogEntry, levels: ReadonlySet<string> | null, search: string | null): boolean {
  if (levels && !levels.has(entry.level)) return false;
  if (!search) return true;
  const needle = search.toLowerCase();
  if (entry.message.toLowerCase().includes(needle)) return true;
  for (const v of [entry.user, entry.database, entry.application, entry.sqlstate, entry.time]) if (v?.toLowerCase().includes(needle)) return true;
  return entry.extra.some((x) => x.toLowerCase().includes(needle));
}
