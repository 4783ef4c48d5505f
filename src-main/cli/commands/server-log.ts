// ops-console server-log PROFILE [--level L] [--search TEXT] [--lines N] [--file NAME] [--follow] [--json]
// The server's log as the Server log screen shows it: the newest entries last, read through
// the server in bounded chunks. --level takes a severity (that one and above: `--level
// warning` is WARNING, ERROR, FATAL, PANIC) or a comma list of exact ones (`--level error,fatal`).
// When the log cannot be read, exit 1 with the reason and the fix (SQL to copy when SQL can).
import { LOG_LEVELS, levelsFrom, MAX_LOG_LINES, type LogEntry, type LogLevel, type ServerLog, type ServerLogInput } from '../../contract/serverlog';
import type { Profile } from '../../contract/models';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { EXIT, printJson } from '../io';
import { findProfile } from './profile';

const USAGE = 'ops-console server-log PROFILE [--level L] [--search TEXT] [--lines N] [--file NAME] [--follow] [--json]';
const FOLLOW_MS = 2000;

export function parseLevels(raw: string): LogLevel[] {
  const words = raw
    .split(',')
    .map((w) => w.trim().toUpperCase())
    .filter(Boolean);
  for (const w of words)
    if (!(LOG_LEVELS as readonly string[]).includes(w))
      throw new UsageError(`--level must be one of ${LOG_LEVELS.join(', ').toLowerCase()}, got "${w.toLowerCase()}"`);
  return words.length === 1 ? levelsFrom(words[0] as LogLevel) : (words as LogLevel[]);
}

/** One entry as a terminal line (and its DETAIL/STATEMENT lines indented). */
export function entryText(e: LogEntry): string {
  const who = [e.user && e.database ? `${e.user}@${e.database}` : (e.user ?? e.database), e.application].filter(Boolean).join(' ');
  const head = `${e.time ?? ''} ${e.level.padEnd(7)} [${e.pid ?? '?'}]${who ? ` ${who}` : ''} ${e.message}`.trim();
  return [head, ...e.extra.map((x) => `    ${x.replace(/\n/g, '\n    ')}`)].join('\n');
}

export async function serverLogCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    level: { type: 'string' },
    search: { type: 'string' },
    lines: { type: 'string' },
    file: { type: 'string' },
    follow: { type: 'boolean' },
  });
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE);
  const level = stringFlag(parsed, 'level');
  const search = stringFlag(parsed, 'search');
  const lines = intFlag(parsed, 'lines', { min: 1, max: MAX_LOG_LINES });
  const file = stringFlag(parsed, 'file');
  const follow = boolFlag(parsed, 'follow');
  if (follow && ctx.io.json) throw new UsageError('--follow prints lines as they come; it does not combine with --json');
  const profile = await findProfile(ctx, name!);
  const base: Omit<ServerLogInput, 'profileId'> = {
    ...(level !== undefined ? { levels: parseLevels(level) } : {}),
    ...(search !== undefined ? { search } : {}),
    ...(lines !== undefined ? { lines } : {}),
    ...(file !== undefined ? { file } : {}),
  };
  const read = (extra: Partial<ServerLogInput>): Promise<ServerLog> =>
    withPasswordRetry(ctx, profile, (password) =>
      ctx.call('getServerLog', { profileId: profile.id, ...base, ...extra, ...(password !== undefined ? { password } : {}) }),
    );
  const log = await read({});
  if (!log.available) return unavailable(ctx, log);
  if (ctx.io.json) {
    printJson(ctx.io, { ok: true, ...log });
    return EXIT.ok;
  }
  for (const e of log.entries) ctx.io.out(entryText(e));
  if (log.bounded) ctx.io.err(`(searched the last ${Math.round(log.scannedBytes / 1024 / 1024)} MB of ${log.file}; older entries were not searched)`);
  if (follow) await followLog(ctx, profile, log, read);
  return EXIT.ok;
}

function unavailable(ctx: CliContext, log: Extract<ServerLog, { available: false }>): number {
  ctx.io.err(`error: ${log.message} ${log.fix}${log.fixSql ? `\n${log.fixSql}` : ''}${log.link ? `\n${log.link}` : ''}`);
  if (ctx.io.json) printJson(ctx.io, { ...log, ok: false, error: { code: 'SERVER_LOG_UNAVAILABLE', message: log.message } });
  return EXIT.failure;
}

/** Until interrupted: what the server writes next, from where the last read stopped (entries printed once). */
async function followLog(
  ctx: CliContext,
  profile: Profile,
  first: Extract<ServerLog, { available: true }>,
  read: (extra: Partial<ServerLogInput>) => Promise<ServerLog>,
): Promise<never> {
  let file = first.file;
  let resume = first.resume;
  let printed = first.entries.length > 0 ? first.entries[first.entries.length - 1]!.offset : -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, FOLLOW_MS));
    let next = await read({ file, after: resume });
    if (!next.available) throw new Error(`${profile.name}: ${next.message}`);
    // The server rotated to a new file: go on there from its start.
    const current = next.files.find((f) => f.current);
    if (current && current.name !== file && next.resume === resume) {
      file = current.name;
      printed = -1;
      next = await read({ file, after: 0 });
      if (!next.available) throw new Error(`${profile.name}: ${next.message}`);
    }
    for (const e of next.entries) if (e.offset > printed) ctx.io.out(entryText(e));
    if (next.entries.length > 0) printed = Math.max(printed, next.entries[next.entries.length - 1]!.offset);
    resume = next.resume;
  }
}
