// Text helpers of the runbook importer: markdown-it tokens as a tree, inline tokens as plain
// lines, source slices kept as written (a manual step shows the runbook's own words and
// list markers), and the runbook conventions for titles ("**Level 1:** Application errors").
import type { Token } from 'markdown-it';

/** A block token with the blocks inside it (markdown-it gives a flat open/close stream). */
export interface Block {
  type: string;
  token: Token;
  children: Block[];
}

/** The flat token stream as a tree: `x_open … x_close` pairs become one node. */
export function blockTree(tokens: Token[]): Block[] {
  const root: Block[] = [];
  const stack: Block[][] = [root];
  for (const token of tokens) {
    const level = stack[stack.length - 1]!;
    if (token.nesting === 1) {
      const block: Block = { type: token.type.replace(/_open$/, ''), token, children: [] };
      level.push(block);
      stack.push(block.children);
    } else if (token.nesting === -1) {
      stack.pop();
    } else {
      level.push({ type: token.type, token, children: [] });
    }
  }
  return root;
}

/** Depth-first: does `block` hold a block of one of these types? */
export function contains(block: Block, types: ReadonlySet<string>): boolean {
  return block.children.some((c) => types.has(c.type) || contains(c, types));
}

/** The inline token of a paragraph, heading or cell (its raw Markdown and parsed children). */
export function inlineOf(block: Block): Token | null {
  return block.children.find((c) => c.type === 'inline')?.token ?? null;
}

export interface InlineLine {
  text: string;
  /** The line is only bold text ("**Diagnosis:**"): a label for what follows. */
  label: boolean;
}

const TEXT_TOKENS = new Set(['text', 'text_special', 'code_inline', 'image', 'html_inline']);

/** An inline token's text, line by line (soft breaks kept: runbooks put one fact per line). */
export function inlineLines(inline: Token): InlineLine[] {
  const lines: InlineLine[] = [];
  let text = '';
  let strongDepth = 0;
  let outsideStrong = false;
  const end = () => {
    const trimmed = text.trim();
    if (trimmed) lines.push({ text: trimmed, label: !outsideStrong });
    text = '';
    outsideStrong = false;
  };
  for (const child of inline.children ?? []) {
    if (child.type === 'softbreak' || child.type === 'hardbreak') {
      end();
      continue;
    }
    if (child.type === 'strong_open') strongDepth++;
    else if (child.type === 'strong_close') strongDepth--;
    // text_special: an escaped character (`\*`); html_inline: `<pid>` in prose stays readable.
    const piece = TEXT_TOKENS.has(child.type) ? child.content : '';
    if (piece.trim() && strongDepth === 0) outsideStrong = true;
    text += piece;
  }
  end();
  return lines;
}

/** Markdown emphasis, code and links reduced to their text, for titles written inline. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(\S.*?)\1/g, '$2')
    .replace(/`([^`]+)`/g, '$1')
    .trim();
}

/** "**Level 1:** Application errors" → title "Level 1", text "Application errors". */
export function splitItem(text: string): { title: string; rest: string } {
  const bold = /^\*\*(.+?)\*\*:?\s*(.*)$/.exec(text.trim());
  if (bold) return { title: plainText(bold[1]!).replace(/:$/, '').trim(), rest: bold[2]!.trim() };
  return { title: plainText(text), rest: '' };
}

export function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === '') start++;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  return lines.slice(start, end);
}

/**
 * The document's lines, as markdown-it counts them (it reads \r\n and \r as line ends too),
 * tabs expanded to 4 columns the way list indentation reads them.
 */
export class Source {
  readonly lines: string[];
  /** Index just past the last line that is not blank: where the document's content ends. */
  readonly contentEnd: number;
  constructor(text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
    if (text.includes('\t')) this.lines = this.lines.map((l) => l.replace(/^\t+/, (tabs) => '    '.repeat(tabs.length)));
    let end = this.lines.length;
    while (end > 0 && this.lines[end - 1]!.trim() === '') end--;
    this.contentEnd = end;
  }

  /** Lines [start, end) without their common indentation (a nested list keeps its shape). */
  slice(start: number, end: number): string[] {
    const lines = this.lines.slice(start, end);
    const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
    const cut = indents.length > 0 ? Math.min(...indents) : 0;
    return trimBlankEdges(lines.map((l) => l.slice(Math.min(cut, /^ */.exec(l)![0].length)).trimEnd()));
  }

  /** A block's own lines (its `map`), dedented. */
  of(block: Block): string[] {
    const map = block.token.map;
    return map ? this.slice(map[0], map[1]) : [];
  }
}

/** A table block's cells, header first, as written (escaped pipes unescaped). */
export function tableCells(table: Block): { columns: string[]; rows: string[][] } {
  const rows: string[][] = [];
  const walk = (b: Block) => {
    if (b.type === 'tr') rows.push(b.children.map((cell) => (inlineOf(cell)?.content ?? '').trim().replace(/\\\|/g, '|')));
    else b.children.forEach(walk);
  };
  walk(table);
  const [columns = [], ...body] = rows;
  return { columns, rows: body };
}

/** The visible text of an HTML block (tags and comments removed), for a note. */
export function htmlText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}
