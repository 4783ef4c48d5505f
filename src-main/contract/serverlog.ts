// The server log (issue #19): the active server's log files read through the server's own
// file functions (pg_ls_logdir, pg_read_binary_file), parsed by format, filtered by level and
// text; or, when they cannot be read, why and what would fix it. Pure types and zod.
import { z } from 'zod';

/** Severities as the server writes them, least severe first (the order `--level` means "this and above"). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'NOTICE', 'LOG', 'WARNING', 'ERROR', 'FATAL', 'PANIC'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lines the server writes after an entry's first line, which belong to that entry. */
export const LOG_CONTINUATIONS = ['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'STATEMENT', 'LOCATION'] as const;

export const MAX_LOG_LINES = 5000;

export const serverLogInput = z
  .object({
    profileId: z.string().min(1),
    password: z.string().max(1024).optional(),
    /** A file of the log directory (a name from `files`); default: the file the server writes now. */
    file: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^/\\]+$/, 'file is a name in the log directory, not a path')
      .optional(),
    /** Only entries of these severities (empty or absent: all). */
    levels: z.array(z.enum(LOG_LEVELS)).max(LOG_LEVELS.length).optional(),
    /** Only entries whose text contains this (case-insensitive). */
    search: z.string().max(500).optional(),
    /** At most this many entries, the newest (default 500). */
    lines: z.number().int().min(1).max(MAX_LOG_LINES).optional(),
    /** Older page: entries that end before this byte offset of the file. */
    before: z.number().int().min(0).optional(),
    /** Follow: entries that start at or after this byte offset (the previous answer's `resume`). */
    after: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((v) => v.before === undefined || v.after === undefined, { message: 'give before or after, not both', path: ['after'] });

export type ServerLogInput = z.input<typeof serverLogInput>;

export type LogFormat = 'stderr' | 'csvlog' | 'jsonlog';

export interface LogFile {
  name: string;
  bytes: number;
  modified: string;
  format: LogFormat;
  /** The file the server writes to now (pg_current_logfile). */
  current: boolean;
}

export interface LogEntry {
  /** Byte offset of the entry's first line in its file (stable: a key, and where paging goes on). */
  offset: number;
  /** The timestamp as written (server's log_timezone), or null when the line has none. */
  time: string | null;
  level: string;
  pid: number | null;
  user: string | null;
  database: string | null;
  application: string | null;
  sqlstate: string | null;
  message: string;
  /** DETAIL, HINT, STATEMENT, CONTEXT… lines and continuation lines, as written. */
  extra: string[];
}

export type ServerLogUnavailableReason = 'supabase' | 'not-collected' | 'no-file-destination' | 'no-privilege' | 'no-files';

export interface ServerLogUnavailable {
  available: false;
  profile: string;
  reason: ServerLogUnavailableReason;
  /** What is wrong, in a sentence. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** SQL that would fix it, to copy (run by someone allowed to), when SQL can. */
  fixSql: string | null;
  /** Where to read the log instead, when there is such a place (Supabase's Logs Explorer). */
  link: string | null;
  settings: ServerLogSettings;
}

export interface ServerLogSettings {
  loggingCollector: string | null;
  logDestination: string | null;
  logDirectory: string | null;
  logLinePrefix: string | null;
  role: string;
}

export interface ServerLogResult {
  available: true;
  profile: string;
  file: string;
  format: LogFormat;
  files: LogFile[];
  /** The file's size when read. */
  bytes: number;
  /** Byte range scanned: [from, to). `from` > 0 means older entries exist (pass it as `before`). */
  from: number;
  to: number;
  /**
   * Where a follow goes on (pass as `after`): the start of the last entry read, which may
   * still get DETAIL/STATEMENT lines; it is read again and replaces the one with the same offset.
   */
  resume: number;
  /** Matching entries, oldest first (newest last). */
  entries: LogEntry[];
  /** Bytes scanned for this answer; a filtered search stops at a bound and says so here. */
  scannedBytes: number;
  /** The scan stopped at its byte bound before finding `lines` entries (more may be older). */
  bounded: boolean;
  settings: ServerLogSettings;
}

export type ServerLog = ServerLogResult | ServerLogUnavailable;

/** The severities at or above `level` (what `--level WARNING` means). */
export function levelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(level)) as LogLevel[];
}
