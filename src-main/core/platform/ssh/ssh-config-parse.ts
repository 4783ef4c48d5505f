// Lexing of ssh_config(5) lines exactly as OpenSSH's readconf.c does it: the keyword ends at
// whitespace or a single `=`, the rest is split into arguments with '…'/"…" quoting and
// backslash escapes, and an unquoted `#` at the start of an argument ends the line.

import { OpsError } from '../../../contract/errors';

export interface SshConfigDirective {
  /** 1-based line number in its file, for messages. */
  line: number;
  /** Lower-cased: keywords are case-insensitive. */
  keyword: string;
  args: string[];
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\f';
}

/** argv_split(…, terminate_on_comment = 1); null when a quote is left open. */
export function splitArgs(text: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (isSpace(text[i])) i += 1;
    if (i >= text.length || text[i] === '#') break;
    let arg = '';
    let quote: string | null = null;
    for (; i < text.length; i += 1) {
      const ch = text[i] as string;
      const next = text[i + 1];
      if (ch === '\\' && (next === '\\' || next === "'" || next === '"' || (quote === null && isSpace(next)))) {
        // Inside quotes only the quote characters and backslash are escapable, as in OpenSSH.
        arg += next;
        i += 1;
      } else if (quote === null && isSpace(ch)) {
        break;
      } else if (quote === null && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== null && ch === quote) {
        quote = null;
      } else {
        arg += ch;
      }
    }
    if (quote !== null) return null;
    args.push(arg);
  }
  return args;
}

/** One line → directive, or null for blank lines and comments. */
export function parseSshConfigLine(raw: string, line: number, source: string): SshConfigDirective | null {
  const text = raw.replace(/^[\s]+/, '').replace(/[\s]+$/, '');
  if (text === '' || text.startsWith('#')) return null;
  const m = /^([^\s=]+)\s*(?:=\s*)?(.*)$/s.exec(text);
  const keyword = m?.[1]?.toLowerCase() ?? '';
  const rest = m?.[2] ?? '';
  if (rest === '') {
    throw new OpsError('INVALID_INPUT', `${source} line ${line}: no value after "${keyword}".`);
  }
  const args = splitArgs(rest);
  if (args === null) throw new OpsError('INVALID_INPUT', `${source} line ${line}: a quote is not closed.`);
  if (args.length === 0) throw new OpsError('INVALID_INPUT', `${source} line ${line}: no value after "${keyword}".`);
  return { line, keyword, args };
}

/** Parses a whole ssh_config file; throws INVALID_INPUT naming the line ssh would reject. */
export function parseSshConfig(text: string, source = 'SSH config'): SshConfigDirective[] {
  const out: SshConfigDirective[] = [];
  text.split('\n').forEach((raw, index) => {
    const directive = parseSshConfigLine(raw, index + 1, source);
    if (directive !== null) out.push(directive);
  });
  return out;
}
