// Markdown runbook → procedures and steps. Pure: no I/O, nothing executed.
//
// The runbooks we read are written the way on-call teams write them: headings for
// procedures, numbered instructions ("1. **Quick Diagnostics**") holding a ```sql or
// ```bash fence or a few bullets, checkbox lists for calendars, tables for thresholds and
// contacts. A line-based reader of exactly those blocks is enough, and keeps every fence
// verbatim (a full CommonMark tree would add a dependency and still need this mapping).
//
// Rules: every heading opens a procedure (kept only if it ends up with steps); each
// ```sql fence is one SQL step, each ```bash/sh fence one command step, each checkbox one
// manual step, a numbered item without a fence one manual step, each table one reference
// step, a loose bullet list one manual step under a bold label ("**Resolution:**") or a
// reference step otherwise.
import type { ImportedProcedure, ImportedStep, RunbookImportResult } from '../../contract/runbook';
import { repairMojibake } from './mojibake';
import { commandPlaceholders, sqlPlaceholders } from '../../contract/placeholders';

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const ORDERED = /^(\s*)(\d{1,9}[.)])\s+(.*)$/;
const BULLET = /^(\s*)([-*+])\s+(.*)$/;
const CHECKBOX = /^\[([ xX])\]\s+(.*)$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const TABLE_ROW = /^\s*\|/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
/** A paragraph that is only bold text: "**Diagnosis:**", a label for what follows. */
const LABEL = /^\*\*([^*]+)\*\*$/;
/** "[Emergency Procedures](#emergency-procedures)": a table of contents line, not a step. */
const LINK_ONLY = /^\[[^\]]*\]\([^)]*\)$/;

const SQL_LANGUAGES = new Set(['sql', 'pgsql', 'postgresql', 'postgres', 'plpgsql']);
const COMMAND_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'shellsession']);

interface OpenItem {
  title: string;
  /** Lines indented at least this much belong to the item. */
  contentIndent: number;
  lines: string[];
  line: number;
  emitted: number;
}

interface OpenFence {
  indent: number;
  marker: string;
  language: string;
  title: string;
  lines: string[];
  line: number;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/** Remove up to `count` leading spaces (a fence inside a list item is indented with it). */
function dedent(line: string, count: number): string {
  const expanded = line.replace(/^\t+/, (tabs) => '    '.repeat(tabs.length));
  const spaces = /^ */.exec(expanded)![0].length;
  return expanded.slice(Math.min(spaces, count));
}

/** Markdown emphasis, code and links reduced to their text, for titles. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(\S.*?)\1/g, '$2')
    .replace(/`([^`]+)`/g, '$1')
    .trim();
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === '') start++;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  return lines.slice(start, end);
}

function tableCells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function parseTable(lines: string[]): { columns: string[]; rows: string[][] } {
  const [header = '', ...rest] = lines;
  const body = rest.filter((row) => !TABLE_SEPARATOR.test(row));
  return { columns: tableCells(header), rows: body.map(tableCells) };
}

/** "**Level 1:** Application errors" → title "Level 1", text "Application errors". */
function splitItem(text: string): { title: string; rest: string } {
  const bold = /^\*\*(.+?)\*\*:?\s*(.*)$/.exec(text.trim());
  if (bold) return { title: plainText(bold[1]!).replace(/:$/, '').trim(), rest: bold[2]!.trim() };
  return { title: plainText(text), rest: '' };
}

class Importer {
  readonly procedures: ImportedProcedure[] = [];
  readonly warnings: string[] = [];
  title = '';
  private headings: Array<{ level: number; text: string }> = [];
  private current: ImportedProcedure | null = null;
  private item: OpenItem | null = null;
  private fence: OpenFence | null = null;
  private loose: { label: string | null; indent: number; lines: string[]; line: number } | null = null;
  private table: { title: string; lines: string[]; line: number } | null = null;
  private label: string | null = null;
  private blankBefore = true;
  private sawContent = false;

  constructor(private readonly fallbackTitle: string) {}

  feed(raw: string, lineNo: number): void {
    if (this.fence) return this.fenceLine(raw);
    if (this.table && !TABLE_ROW.test(raw)) this.closeTable();
    if (raw.trim() === '') {
      this.blankBefore = true;
      return;
    }
    const wasBlank = this.blankBefore;
    this.blankBefore = false;
    const indent = indentOf(raw);
    const heading = HEADING.exec(raw);
    if (heading) return this.heading(heading[1]!.length, heading[2]!);
    this.sawContent = true;
    if (RULE.test(raw) && !this.inItem(indent)) return this.closeBlocks();
    const fence = FENCE_OPEN.exec(raw);
    if (fence) return this.openFence(fence, indent, lineNo);
    if (TABLE_ROW.test(raw)) return this.tableRow(raw, lineNo);
    const ordered = ORDERED.exec(raw);
    if (ordered && !this.inItem(indent)) return this.orderedItem(ordered, indent, lineNo);
    const bullet = BULLET.exec(raw);
    if (bullet) return this.bulletItem(bullet, indent, raw, lineNo);
    return this.paragraph(raw, indent, wasBlank);
  }

  finish(): void {
    if (this.fence) {
      this.warnings.push(`The ${this.fence.marker}${this.fence.language} block opened at line ${this.fence.line} is never closed; it was read to the end of the document.`);
      this.closeFence();
    }
    this.closeBlocks();
    this.keepCurrent();
  }

  private inItem(indent: number): boolean {
    return this.item !== null && indent >= this.item.contentIndent;
  }

  private procedure(): ImportedProcedure {
    this.current ??= { title: this.title || this.fallbackTitle, path: [], notes: [], steps: [] };
    return this.current;
  }

  private keepCurrent(): void {
    if (this.current && this.current.steps.length > 0) this.procedures.push(this.current);
    this.current = null;
  }

  private addStep(step: ImportedStep): void {
    this.procedure().steps.push(step);
    if (this.item) this.item.emitted++;
  }

  private heading(level: number, rawText: string): void {
    this.closeBlocks();
    const text = plainText(rawText);
    // The first heading, an H1 before any content, names the document, not a procedure.
    if (level === 1 && !this.title && !this.sawContent && this.headings.length === 0) {
      this.title = text;
      return;
    }
    this.sawContent = true;
    this.keepCurrent();
    while (this.headings.length > 0 && this.headings[this.headings.length - 1]!.level >= level) this.headings.pop();
    this.headings.push({ level, text });
    this.current = { title: text, path: this.headings.map((h) => h.text), notes: [], steps: [] };
    this.label = null;
  }

  private openFence(match: RegExpExecArray, indent: number, lineNo: number): void {
    if (this.inItem(indent)) this.flushItemText();
    else this.closeBlocks();
    const title = this.item?.title ?? this.label ?? this.procedure().title;
    this.fence = { indent, marker: match[2]!, language: match[3]!.toLowerCase(), title, lines: [], line: lineNo };
  }

  private fenceLine(raw: string): void {
    const fence = this.fence!;
    const trimmed = raw.trim();
    // Closed by a run of the same character, at least as long as the opening one.
    const closes = trimmed.length >= fence.marker.length && [...trimmed].every((c) => c === fence.marker[0]);
    if (closes) this.closeFence();
    else fence.lines.push(dedent(raw, fence.indent));
  }

  private closeFence(): void {
    const fence = this.fence!;
    this.fence = null;
    this.blankBefore = false;
    const text = trimBlankEdges(fence.lines).join('\n');
    let step: ImportedStep;
    if (SQL_LANGUAGES.has(fence.language)) {
      step = { title: fence.title, type: 'sql', text, parameters: sqlPlaceholders(text), line: fence.line };
    } else if (COMMAND_LANGUAGES.has(fence.language)) {
      step = { title: fence.title, type: 'command', text, parameters: commandPlaceholders(text), line: fence.line };
    } else {
      step = { title: fence.title, type: 'reference', text, parameters: [], line: fence.line };
    }
    this.addStep(step);
  }

  private tableRow(raw: string, lineNo: number): void {
    if (!this.inItem(indentOf(raw))) this.closeItem();
    this.closeLoose();
    this.table ??= { title: this.label ?? this.item?.title ?? this.procedure().title, lines: [], line: lineNo };
    this.table.lines.push(raw.trim());
  }

  private closeTable(): void {
    const table = this.table;
    if (!table) return;
    this.table = null;
    this.addStep({ title: table.title, type: 'reference', text: table.lines.join('\n'), parameters: [], table: parseTable(table.lines), line: table.line });
  }

  private orderedItem(match: RegExpExecArray, indent: number, lineNo: number): void {
    this.closeItem();
    this.closeLoose();
    const text = match[3]!.trim();
    const contentIndent = indent + match[2]!.length + 1;
    // A table of contents is navigation; its lines are not things to do.
    if (LINK_ONLY.test(text)) return;
    const { title, rest } = splitItem(text);
    this.item = { title, contentIndent, lines: rest ? [rest] : [], line: lineNo, emitted: 0 };
  }

  private bulletItem(match: RegExpExecArray, indent: number, raw: string, lineNo: number): void {
    const checkbox = CHECKBOX.exec(match[3]!.trim());
    if (checkbox) {
      if (!this.inItem(indent)) this.closeItem();
      else this.flushItemText();
      this.closeLoose();
      const text = checkbox[2]!.trim();
      this.addStep({ title: plainText(text), type: 'manual', text, parameters: [], line: lineNo });
      return;
    }
    if (this.inItem(indent)) {
      this.item!.lines.push(dedent(raw, this.item!.contentIndent));
      return;
    }
    this.closeItem();
    this.loose ??= { label: this.label, indent, lines: [], line: lineNo };
    this.loose.lines.push(dedent(raw, this.loose.indent));
  }

  private paragraph(raw: string, indent: number, wasBlank: boolean): void {
    // Indented lines, and lines straight after an item's text (lazy continuation), stay with it.
    if (this.item && (this.inItem(indent) || !wasBlank)) {
      this.item.lines.push(dedent(raw, this.item.contentIndent));
      return;
    }
    if (this.loose && !wasBlank) {
      this.loose.lines.push(dedent(raw, this.loose.indent));
      return;
    }
    this.closeBlocks();
    const text = raw.trim();
    const label = LABEL.exec(text);
    if (label) this.label = plainText(label[1]!).replace(/:$/, '').trim();
    this.procedure().notes.push(plainText(text));
  }

  /** Text written before an item's fence becomes its own manual step, in order. */
  private flushItemText(): void {
    const item = this.item;
    if (!item) return;
    const lines = trimBlankEdges(item.lines);
    item.lines = [];
    if (lines.length > 0) this.addStep({ title: item.title, type: 'manual', text: lines.join('\n'), parameters: [], line: item.line });
  }

  private closeItem(): void {
    const item = this.item;
    if (!item) return;
    const lines = trimBlankEdges(item.lines);
    this.item = null;
    if (lines.length > 0 || item.emitted === 0) {
      this.addStep({ title: item.title, type: 'manual', text: lines.length > 0 ? lines.join('\n') : item.title, parameters: [], line: item.line });
    }
  }

  private closeLoose(): void {
    const loose = this.loose;
    if (!loose) return;
    this.loose = null;
    const text = trimBlankEdges(loose.lines).join('\n');
    const type = loose.label ? 'manual' : 'reference';
    this.addStep({ title: loose.label ?? this.procedure().title, type, text, parameters: [], line: loose.line });
  }

  private closeBlocks(): void {
    this.closeTable();
    this.closeItem();
    this.closeLoose();
  }
}

function countType(outline: ImportedProcedure[], type: ImportedStep['type']): number {
  return outline.reduce((n, p) => n + p.steps.filter((s) => s.type === type).length, 0);
}

export function importMarkdownRunbook(markdown: string, source: string | null = null): RunbookImportResult {
  const { text, repaired } = repairMojibake(markdown.replace(/^\uFEFF/, ''));
  const fallback = source ? source.replace(/^.*[\\/]/, '').replace(/\.(md|markdown|txt)$/i, '') : 'Imported runbook';
  const importer = new Importer(fallback);
  text.split(/\r\n|\r|\n/).forEach((line, index) => importer.feed(line, index + 1));
  importer.finish();
  const outline = importer.procedures;
  if (outline.length === 0) importer.warnings.push('No procedures found: no heading is followed by SQL, commands, checklists, numbered instructions or tables.');
  const parameters: string[] = [];
  for (const step of outline.flatMap((p) => p.steps)) for (const name of step.parameters) if (!parameters.includes(name)) parameters.push(name);
  return {
    title: importer.title || fallback,
    source,
    procedures: outline.length,
    steps: outline.reduce((n, p) => n + p.steps.length, 0),
    sqlSteps: countType(outline, 'sql'),
    commandSteps: countType(outline, 'command'),
    manualSteps: countType(outline, 'manual'),
    referenceSteps: countType(outline, 'reference'),
    parameters,
    repairedCharacters: repaired,
    warnings: importer.warnings,
    outline,
  };
}
