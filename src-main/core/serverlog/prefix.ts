// Reading a stderr-format log line with the server's own log_line_prefix: the prefix's
// escapes become a regular expression, so the timestamp, pid, user, database and application
// are found where this server puts them, not where the default puts them. A line the prefix
// does not match (a prefix changed since the file was written) still yields its level when
// "LEVEL:  " appears early in the line.
import { LOG_CONTINUATIONS, LOG_LEVELS } from '../../contract/serverlog';

export interface PrefixFields {
  time: string | null;
  pid: number | null;
  user: string | null;
  database: string | null;
  application: string | null;
  sqlstate: string | null;
}

export interface ParsedLine extends PrefixFields {
  /** As written: DEBUG1…5, LOG, ERROR…, DETAIL, STATEMENT… */
  level: string;
  message: string;
}

const TS = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
const ANY = '.*?';

/** Regex fragment per escape; named groups for the fields an entry shows. */
const ESCAPES: Record<string, { re: string; group?: keyof PrefixFields }> = {
  a: { re: ANY, group: 'application' },
  u: { re: ANY, group: 'user' },
  d: { re: ANY, group: 'database' },
  r: { re: ANY },
  h: { re: ANY },
  b: { re: ANY },
  i: { re: ANY },
  p: { re: String.raw`\d+`, group: 'pid' },
  P: { re: String.raw`\d*` },
  t: { re: String.raw`${TS}(?: [^\s\]]+)?`, group: 'time' },
  m: { re: String.raw`${TS}\.\d{3}(?: [^\s\]]+)?`, group: 'time' },
  n: { re: String.raw`\d+\.\d+`, group: 'time' },
  e: { re: '[0-9A-Z]{5}', group: 'sqlstate' },
  c: { re: '[0-9a-f]+\\.[0-9a-f]+' },
  l: { re: String.raw`\d+` },
  s: { re: String.raw`${TS}(?: [^\s\]]+)?` },
  v: { re: String.raw`(?:\d+/\d+)?` },
  x: { re: String.raw`\d+` },
  Q: { re: String.raw`-?\d+` },
};

const LEVEL_WORDS = String.raw`(?:DEBUG[1-5]|${[...LOG_LEVELS.filter((l) => l !== 'DEBUG'), ...LOG_CONTINUATIONS].join('|')})`;
const LEVEL_AND_MESSAGE = String.raw`(?<level>${LEVEL_WORDS}):  (?<message>.*)$`;
const FALLBACK = new RegExp(String.raw`^(?<pre>.{0,300}?)${LEVEL_AND_MESSAGE}`);
const LEADING_TIME = new RegExp(String.raw`^(?<time>${TS}(?:\.\d+)?(?: [A-Za-z]{2,6}| ?[+-]\d\d(?::?\d\d)?)?)`);

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regular expression for whole lines under `prefix` (log_line_prefix as the server reports it). */
export function prefixRegex(prefix: string): RegExp {
  const used = new Set<string>();
  let re = '^';
  let optionalOpen = false;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i]!;
    if (ch !== '%' || i === prefix.length - 1) {
      re += escapeRegex(ch);
      continue;
    }
    // %-10a / %10a: padded to a width with spaces, on either side.
    const pad = /^-?\d+/.exec(prefix.slice(i + 1));
    const j = i + 1 + (pad ? pad[0].length : 0);
    const esc = prefix[j];
    i = j;
    if (esc === '%') {
      re += '%';
      continue;
    }
    if (esc === 'q') {
      // The rest is written only by session processes.
      if (!optionalOpen) re += '(?:';
      optionalOpen = true;
      continue;
    }
    const spec = esc !== undefined ? ESCAPES[esc] : undefined;
    let frag = spec?.re ?? ANY;
    if (spec?.group && !used.has(spec.group)) {
      used.add(spec.group);
      frag = `(?<${spec.group}>${frag})`;
    }
    re += pad ? ` *${frag} *` : frag;
  }
  if (optionalOpen) re += ')?';
  return new RegExp(re + LEVEL_AND_MESSAGE);
}

function fieldOf(groups: Record<string, string | undefined>, name: keyof PrefixFields): string | null {
  const v = groups[name]?.trim();
  return v === undefined || v === '' || v === '[unknown]' ? null : v;
}

/** One physical line, or null when it is not the start of a message (a continuation of a statement). */
export function parseStderrLine(line: string, re: RegExp): ParsedLine | null {
  const m = re.exec(line);
  if (m?.groups) {
    const g = m.groups;
    const pid = fieldOf(g, 'pid');
    return {
      level: g['level']!,
      message: g['message'] ?? '',
      time: fieldOf(g, 'time'),
      pid: pid === null ? null : Number(pid),
      user: fieldOf(g, 'user'),
      database: fieldOf(g, 'database'),
      application: fieldOf(g, 'application'),
      sqlstate: fieldOf(g, 'sqlstate'),
    };
  }
  const f = FALLBACK.exec(line);
  if (!f?.groups) return null;
  const time = LEADING_TIME.exec(f.groups['pre'] ?? '')?.groups?.['time'] ?? null;
  const pid = /\[(\d+)\]/.exec(f.groups['pre'] ?? '');
  return {
    level: f.groups['level']!,
    message: f.groups['message'] ?? '',
    time,
    pid: pid ? Number(pid[1]) : null,
    user: null,
    database: null,
    application: null,
    sqlstate: null,
  };
}
