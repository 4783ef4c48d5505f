// Reading what a dump holds without a server: the archive's table of contents as
// `pg_restore --list` prints it, or a plain script's own entry comments ("-- Name: orders;
// Type: TABLE; Schema: public; Owner: shop"), which pg_dump writes for every TOC entry, so
// both formats describe their objects the same way. A plain script's COPY blocks are
// counted line by line: one line per row, so its row counts are exact. Every other line of
// a plain script goes through psql's lexing rules to find meta-commands (meta-commands.ts).
import type { ScriptLine } from '../../contract/restore';
import { tocEntryType } from '../platform/tools/archive';
import { grantLineRoles } from '../backup';
import { localArtifact, type Destination } from '../platform/destinations';
import { MetaCommandTracker } from './meta-commands';
import { loadRoleParser, NamedRoleCollector } from './named-roles';

/** One entry of the dump's table of contents. */
export interface DumpItem {
  type: string;
  /** null for objects without a schema (SCHEMA, EXTENSION, …: "-" in the listing). */
  schema: string | null;
  /** For functions the signature, "f(integer, text)"; for constraints "table name". */
  name: string;
  owner: string | null;
}

export interface DumpHeader {
  serverVersion: string | null;
  pgDumpVersion: string | null;
  createdAt: string | null;
}

export interface ScannedDump {
  header: DumpHeader;
  items: DumpItem[];
  /** Plain scripts only: rows per "schema.table" from their COPY blocks. */
  rows: Map<string, number>;
  /** Grantees of GRANT statements (plain scripts). */
  grantees: string[];
  /** Roles the script's GRANT/REVOKE, POLICY and DEFAULT PRIVILEGES statements name (named-roles.ts). */
  namedRoles: string[];
  /** Plain scripts: lines where psql would run a meta-command (see BackupContents.metaCommands). */
  metaCommands: { total: number; lines: ScriptLine[] };
}

function emptyHeader(): DumpHeader {
  return { serverVersion: null, pgDumpVersion: null, createdAt: null };
}

function orNull(value: string | undefined): string | null {
  if (value === undefined) return null;
  const v = value.trim();
  return v === '' || v === '-' ? null : v;
}

/** "public orders owner" after the type: the owner is the last word (empty for extensions), the name what lies between. */
export function parseTocLine(line: string): DumpItem | null {
  const type = tocEntryType(line);
  if (type === null) return null;
  const m = /^\s*\d+;\s+\d+\s+\d+\s+(.*)$/.exec(line);
  const rest = (m?.[1] ?? '').slice(type.length + 1);
  const parts = rest.split(' ');
  if (parts.length < 2) return { type, schema: orNull(parts[0]), name: '', owner: null };
  const schema = orNull(parts[0]);
  const owner = parts.length >= 3 ? orNull(parts[parts.length - 1]) : null;
  const name = (parts.length >= 3 ? parts.slice(1, -1) : parts.slice(1)).join(' ');
  return { type, schema, name, owner };
}

/** `pg_restore --list` output: header comments and entries. */
export function parseTocListing(toc: string): { header: DumpHeader; items: DumpItem[] } {
  const header = emptyHeader();
  const items: DumpItem[] = [];
  for (const line of toc.split('\n')) {
    if (line.startsWith(';')) {
      const from = /Dumped from database version:\s*(.+)$/.exec(line);
      if (from?.[1]) header.serverVersion = from[1].trim();
      const by = /Dumped by pg_dump version:\s*(.+)$/.exec(line);
      if (by?.[1]) header.pgDumpVersion = by[1].trim();
      const at = /Archive created at\s+(.+)$/.exec(line);
      if (at?.[1]) header.createdAt = at[1].trim();
      continue;
    }
    if (line.trim() === '') continue;
    const item = parseTocLine(line);
    if (item) items.push(item);
  }
  return { header, items };
}

const ENTRY_COMMENT = /^-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: (.*)$/;
const COPY_START = /^COPY (.+?) (?:\(.*\) )?FROM stdin;$/;
/** Any COPY … FROM stdin the lexer saw end (lower case, several lines): the table, roughly. */
const COPY_ANY = /^\s*COPY\s+(.+?)\s+(?:\(.*\)\s+)?FROM\s+stdin/is;

/** Line-by-line state of a plain script scan (exported for unit tests). */
export class PlainScanner {
  readonly header = emptyHeader();
  readonly items: DumpItem[] = [];
  readonly rows = new Map<string, number>();
  private readonly grantees = new Set<string>();
  /** The "schema.table" whose COPY rows are being counted, or null outside COPY data. */
  private copying: string | null = null;
  private lastData: DumpItem | null = null;
  private lineNo = 0;
  private readonly meta = new MetaCommandTracker();
  private readonly named = new NamedRoleCollector();

  line(text: string): void {
    this.lineNo += 1;
    if (this.copying !== null) {
      if (text === '\\.') this.copying = null;
      else this.rows.set(this.copying, (this.rows.get(this.copying) ?? 0) + 1);
      return;
    }
    // COPY data starts where psql would send the statement, not where a line looks like one:
    // a "COPY … FROM stdin;" inside a dollar quote must not hide the lines after it.
    const copyIn = this.meta.line(text, this.lineNo);
    this.named.line(text);
    const first = text.charCodeAt(0);
    // Only comments, COPY and GRANT lines matter here: skip the rest cheaply.
    if (first === 45 /* - */) this.comment(text);
    else if (first === 71 /* G */ && text.startsWith('GRANT ')) this.grant(text);
    if (copyIn) this.copy(text);
  }

  result(): ScannedDump {
    return {
      header: this.header,
      items: this.items,
      rows: this.rows,
      grantees: [...this.grantees],
      namedRoles: this.named.result(),
      metaCommands: this.meta.result(),
    };
  }

  private comment(text: string): void {
    if (this.header.serverVersion === null) {
      const from = /^-- Dumped from database version (.+)$/.exec(text);
      if (from?.[1]) this.header.serverVersion = from[1].trim();
    }
    if (this.header.pgDumpVersion === null) {
      const by = /^-- Dumped by pg_dump(?:all)? version (.+)$/.exec(text);
      if (by?.[1]) this.header.pgDumpVersion = by[1].trim();
    }
    const m = ENTRY_COMMENT.exec(text);
    if (!m) return;
    const item: DumpItem = { type: m[2]!.trim(), schema: orNull(m[3]), name: m[1]!.trim(), owner: orNull(m[4]) };
    this.items.push(item);
    this.lastData = item.type === 'TABLE DATA' ? item : null;
  }

  private copy(text: string): void {
    // The entry comment just before names the table without quoting; prefer it.
    const m = COPY_START.exec(text) ?? COPY_ANY.exec(text);
    const key = this.lastData ? `${this.lastData.schema ?? 'public'}.${this.lastData.name}` : (m?.[1] ?? '?').replace(/"/g, '');
    this.rows.set(key, this.rows.get(key) ?? 0);
    this.copying = key;
  }

  private grant(text: string): void {
    // Token by token (backup/role-grants.ts): "… TO x GRANTED BY postgres" names x and
    // postgres, both needed on the target; a pattern took "x GRANTED BY postgres" for a role.
    const roles = grantLineRoles(text);
    if (!roles) return;
    for (const name of roles.grantees) this.grantees.add(name);
    if (roles.grantor !== null) this.grantees.add(roles.grantor);
  }
}

/** Streams a plain script once (large files: nothing but the current chunk in memory). */
export async function scanPlainDump(file: string): Promise<ScannedDump> {
  const { destination, name } = localArtifact(file);
  return scanPlainDumpAt(destination, name);
}

export async function scanPlainDumpAt(destination: Destination, name: string): Promise<ScannedDump> {
  await loadRoleParser();
  const scanner = new PlainScanner();
  let rest = '';
  // Decoded by the stream, so a character split between two chunks stays whole.
  for await (const chunk of destination.readStream(name, 1024 * 1024).setEncoding('utf8')) {
    const text = rest + (chunk as string);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      scanner.line(text.slice(start, end));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') scanner.line(rest);
  return scanner.result();
}

/** The first bytes of a file: "PGDMP" opens a custom archive. */
export async function fileKind(destination: Destination, name: string): Promise<'custom' | 'plain' | 'unknown'> {
  const head = await destination.readRange(name, 0, 4096);
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom';
  const text = head.toString('utf8');
  if (/^--\s*\n-- PostgreSQL database (?:cluster )?dump/m.test(text) || /-- Dumped (?:from database|by pg_dump)/.test(text)) return 'plain';
  return 'unknown';
}
