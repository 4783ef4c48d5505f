// psql meta-commands in a plain script (issue #14, section 4). A foreign `.sql` fed to psql
// can run programs (`\!`, `\set x \`cmd\``, `\copy … to program`), write or read local files
// (`\o`, `\w`, `\copy`, `\i`) or connect elsewhere (`\connect`), all as the app's user. Two
// independent layers keep that from happening:
//   1. the inspect step lists every line where psql would see a meta-command, and the plan
//      refuses the script naming them (MetaCommandTracker, refuseMetaCommands);
//   2. the runner puts psql itself in restricted mode before the first byte of the script:
//      `\restrict <random key>` goes down stdin first, so psql refuses every meta-command
//      but `\unrestrict <that key>`, which the script cannot know; and since psql expands
//      `\unrestrict`'s argument (backquotes included) before comparing keys, the feed stops
//      and kills psql at any `\unrestrict` in the script (script-feed.ts).
// The only backslash lines accepted are the pair pg_dump ≥ 15.14 (and 13.22, 14.19, 16.10,
// 17.6) writes around every plain dump: `\restrict KEY` as the first line after the header
// comments and `\unrestrict KEY` as the last line before the trailing comments. The runner
// leaves exactly those two lines out of what it sends (psql refuses a nested `\restrict`,
// and the dump's `\unrestrict` would not match our key): they only repeat what our own key
// does. `\connect` (pg_dump --create, pg_dumpall), `\encoding`, `\set` and all others are
// refused: the plan chose the target database and the restore only accepts what pg_dump
// writes for one database, which needs none of them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { OpsError } from '../../contract/errors';
import type { BackupContents, ScriptLine } from '../../contract/restore';
import { shortVersion } from '../platform/tools/client-tools';
import { PsqlLexer } from './psql-lexer';
import { plural } from '../platform/text/plural';

const MAX_LISTED = 100;
const MAX_TEXT = 160;
const IN_MESSAGE = 3;
const OWN_RESTRICT = /^\\restrict ([A-Za-z0-9]+)$/;
/** pg_dump's header before `\restrict` is a few hundred bytes; its trailer after `\unrestrict` less. */
const EDGE_BYTES = 64 * 1024;

/** Blank lines and `--` comment lines: what may surround pg_dump's own pair. */
export function isFiller(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('--');
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** Follows a plain script line by line (COPY data excluded) and collects its meta-command lines. */
export class MetaCommandTracker {
  private readonly lexer = new PsqlLexer();
  private readonly found: ScriptLine[] = [];
  private total = 0;
  private sawContent = false;
  /** The leading `\restrict KEY`, pg_dump's own if a matching trailer closes the script. */
  private head: (ScriptLine & { key: string }) | null = null;
  /** The latest `\unrestrict KEY` followed so far only by filler lines. */
  private tail: ScriptLine | null = null;

  /** One line outside COPY data; answers whether COPY data follows it. */
  line(text: string, lineNo: number): boolean {
    const filler = isFiller(text);
    if (!filler && this.tail !== null) {
      this.add(this.tail);
      this.tail = null;
    }
    if (!this.sawContent && !filler) {
      this.sawContent = true;
      const own = OWN_RESTRICT.exec(text);
      if (own?.[1]) {
        this.head = { line: lineNo, text, key: own[1] };
        return false;
      }
    }
    const lexed = this.lexer.line(text);
    if (lexed.meta !== null) {
      if (this.head !== null && lexed.meta === 0 && text === `\\unrestrict ${this.head.key}`) this.tail = { line: lineNo, text };
      else this.add({ line: lineNo, text });
    }
    return lexed.copyIn;
  }

  result(): { total: number; lines: ScriptLine[] } {
    const own = this.head !== null && this.tail !== null;
    const lines = [...this.found];
    let total = this.total;
    // A `\restrict` without its closing line, or the reverse, is not pg_dump's pair.
    if (this.head !== null && !own) {
      lines.unshift({ line: this.head.line, text: clip(this.head.text) });
      total += 1;
    }
    return { total, lines: lines.slice(0, MAX_LISTED) };
  }

  private add(line: ScriptLine): void {
    this.total += 1;
    if (this.found.length < MAX_LISTED) this.found.push({ line: line.line, text: clip(line.text) });
  }
}

/** The plan's reason for refusing a script with meta-commands, naming its first lines. */
export function metaCommandReason(meta: { total: number; lines: ScriptLine[] }): string {
  const first = meta.lines
    .slice(0, IN_MESSAGE)
    .map((l) => `line ${l.line}: ${l.text}`)
    .join('; ');
  const more = meta.total > IN_MESSAGE ? ` (and ${meta.total - IN_MESSAGE} more)` : '';
  const connect = meta.lines.some((l) => /^\s*\\c(?:onnect)?(?:\s|$)/.test(l.text))
    ? ' \\connect switches to another database, as pg_dump --create and pg_dumpall write it: restore a dump of one database made without --create.'
    : '';
  return (
    `${first}${more} — psql meta-commands run programs, read or write files on this machine or connect elsewhere; ` +
    `a dump written by pg_dump holds none besides its own \\restrict/\\unrestrict pair, so this script is refused.${connect}`
  );
}

/** Throws when the inspected script holds meta-commands: before any server is touched. */
export function refuseMetaCommands(contents: Pick<BackupContents, 'metaCommands' | 'path'>): void {
  const meta = contents.metaCommands;
  if (meta === null || meta.total === 0) return;
  throw new OpsError('INVALID_INPUT', `${contents.path} holds ${plural(meta.total, 'psql meta-command line')}: ${metaCommandReason(meta)}`, {
    path: contents.path,
    metaCommands: meta,
  });
}

/** psql knows `\restrict` from 13.22, 14.19, 15.14, 16.10 and 17.6 on (the August 2025 releases), and in every 18. */
const FIRST_WITH_RESTRICT: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

export function psqlCanRestrict(version: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?/.exec(shortVersion(version));
  if (!m?.[1]) return false;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  if (major >= 18) return true;
  const needed = FIRST_WITH_RESTRICT[major];
  return needed !== undefined && minor >= needed;
}

export function requireRestrictingPsql(tool: { name: string; version: string; path: string }): void {
  if (tool.name !== 'psql' || psqlCanRestrict(tool.version)) return;
  throw new OpsError(
    'TOOL_VERSION_MISMATCH',
    `${tool.path} is psql ${shortVersion(tool.version)}, which cannot lock out meta-commands (\\restrict): a plain script is only run by psql 13.22, 14.19, 15.14, 16.10, 17.6 or newer. Install the current minor release of the PostgreSQL client.`,
    { tool: tool.path, version: tool.version },
  );
}

/** What goes down psql's stdin before the script: restricted mode under a key only this run knows. */
export function restrictPrelude(): string {
  return `\\restrict ${crypto.randomBytes(16).toString('hex')}\n`;
}

export interface ByteRange {
  start: number;
  /** Exclusive; includes the line's newline. */
  end: number;
}

interface RawLine extends ByteRange {
  text: string;
}

/** Lines with byte offsets (latin1: one character per byte; the lines that matter are ASCII). */
function rawLines(buf: Buffer, base: number): RawLine[] {
  const text = buf.toString('latin1');
  const out: RawLine[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    out.push({ start: base + start, end: base + end, text: text.slice(start, nl < 0 ? end : nl).replace(/\r$/, '') });
    start = end;
  }
  return out;
}

/**
 * The byte ranges of pg_dump's own `\restrict KEY` (first line after the header comments)
 * and `\unrestrict KEY` (last line before the trailing comments), or null when the script
 * has no such pair. Read from the file at run time, independently of the inspect step.
 */
export async function ownRestrictPair(file: string): Promise<ByteRange[] | null> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, position);
      return buf.subarray(0, bytesRead);
    };
    const headBytes = Math.min(size, EDGE_BYTES);
    const headLines = rawLines(await read(0, headBytes), 0);
    // A read that stopped inside the file may have cut its last line: only whole lines count.
    if (headBytes < size) headLines.pop();
    const head = headLines.find((l) => !isFiller(l.text));
    const key = head ? OWN_RESTRICT.exec(head.text)?.[1] : undefined;
    if (!head || key === undefined) return null;
    const tailStart = Math.max(0, size - EDGE_BYTES);
    const tailLines = rawLines(await read(tailStart, size - tailStart), tailStart);
    // Likewise the tail's first line, when the read started inside the file.
    if (tailStart > 0) tailLines.shift();
    const tail = tailLines.findLast((l) => !isFiller(l.text));
    if (!tail || tail.text !== `\\unrestrict ${key}` || tail.start < head.end) return null;
    return [
      { start: head.start, end: head.end },
      { start: tail.start, end: tail.end },
    ];
  } finally {
    await handle.close();
  }
}
