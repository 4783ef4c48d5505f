// markdown-it's block tree → procedures and steps, by the runbook conventions on-call teams
// write in: a heading opens a procedure (ATX `##` or setext underlines alike), a numbered
// item is an instruction whose fences are its SQL or commands ("1. **Quick Diagnostics**"
// then a ```sql fence), a checkbox is a manual step, a table a reference step, a bold-only
// paragraph ("**Resolution:**") labels what follows, and a list of links to the document's
// own sections is a table of contents, not steps. CommonMark (fences of any length, ~~~ or
// backticks, lists nested in lists, lazy lines, HTML blocks) is markdown-it's to read.
// Nothing is dropped unexplained: a section of prose alone becomes one reference step with
// its words, and every heading is listed in `sections` with what became of it.
import MarkdownIt, { type Token } from 'markdown-it';
import type { ImportedProcedure, ImportedSection, ImportedStep } from '../../contract/runbook';
import { codeStep, type SqlCache } from './markdown-import-code';
import { blockTree, contains, htmlText, inlineLines, inlineOf, plainText, Source, splitItem, tableCells, type Block } from './markdown-import-text';

/** The default preset is CommonMark plus GFM tables; raw HTML is read as HTML blocks. */
const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false });
// Inline Markdown is parsed only where its text is read (headings, paragraphs): most of a
// runbook is list items, cells and code, whose raw text is what the importer keeps. This
// is a third of markdown-it's time on a large runbook.
markdown.core.ruler.disable(['inline', 'text_join']);

const parsed = new WeakSet<Token>();

/** An inline token's children, parsed on first use (the block parser leaves them empty). */
function parsedInline(inline: Token): Token {
  if (!parsed.has(inline)) {
    parsed.add(inline);
    const children: Token[] = [];
    markdown.inline.parse(inline.content, markdown, {}, children);
    inline.children = children;
  }
  return inline;
}

const CHECKBOX = /^\[([ xX])\]\s+(.*)$/;
/** "[Emergency Procedures](#emergency-procedures)": a table of contents line, not a step. */
const LINK_ONLY = /^\[[^\]]*\]\([^)]*\)$/;
const CODE = new Set(['fence', 'code_block']);
const LISTS = new Set(['bullet_list', 'ordered_list']);
const STEP_BLOCKS = new Set(['fence', 'code_block', 'table']);

interface Open {
  procedure: ImportedProcedure;
  section: ImportedSection | null;
  /** Prose blocks as written, for a section that ends up with no step. */
  prose: Array<{ lines: string[]; line: number }>;
  contents: boolean;
}

interface OpenItem {
  title: string;
  line: number;
  /** Text blocks not yet given to a step: [start, end) source lines and their text. */
  pending: Array<{ start: number; end: number; lines: string[] }>;
  firstStep: number;
}

function firstLine(block: Block): string {
  const first = block.children[0];
  const inline = first?.type === 'paragraph' ? inlineOf(first) : null;
  if (!inline) return '';
  const end = inline.content.indexOf('\n');
  return (end === -1 ? inline.content : inline.content.slice(0, end)).trim();
}

/** A list with a checkbox item anywhere in it (sub-tasks included). */
function hasCheckbox(block: Block): boolean {
  if (!LISTS.has(block.type)) return false;
  return block.children.some((item) => CHECKBOX.test(firstLine(item)) || item.children.some(hasCheckbox));
}

function isLinkOnly(item: Block): boolean {
  return item.children.length === 1 && LINK_ONLY.test(firstLine(item));
}

export class BlockWalker {
  readonly procedures: ImportedProcedure[] = [];
  readonly sections: ImportedSection[] = [];
  readonly warnings: string[] = [];
  title = '';
  private headings: Array<{ level: number; text: string }> = [];
  private current: Open | null = null;
  private label: string | null = null;
  private sawContent = false;
  private readonly source: Source;
  private readonly sqlCache: SqlCache = new Map();

  constructor(
    private readonly text: string,
    private readonly fallbackTitle: string,
  ) {
    this.source = new Source(text);
  }

  run(): void {
    for (const block of blockTree(markdown.parse(this.text, {}))) this.block(block);
    this.closeSection();
    // A heading with nothing under it but deeper headings groups them.
    this.sections.forEach((s, i) => {
      const next = this.sections[i + 1];
      if (s.role === 'empty' && next && next.level > s.level) s.role = 'group';
    });
  }

  private open(): Open {
    this.current ??= { procedure: { title: this.title || this.fallbackTitle, path: [], notes: [], steps: [] }, section: null, prose: [], contents: false };
    return this.current;
  }

  private addStep(step: ImportedStep): void {
    this.open().procedure.steps.push(step);
  }

  private stepCount(): number {
    return this.open().procedure.steps.length;
  }

  private lineOf(block: Block): number {
    return (block.token.map?.[0] ?? 0) + 1;
  }

  private closeSection(): void {
    const open = this.current;
    this.current = null;
    if (!open) return;
    const { procedure, section } = open;
    if (procedure.steps.length === 0 && open.prose.length > 0) {
      // Prose alone is still part of the runbook ("Resolution: drop the slot …"): one step keeps it.
      procedure.steps.push({
        title: procedure.title,
        type: 'reference',
        text: open.prose.map((p) => p.lines.join('\n')).join('\n\n'),
        parameters: [],
        line: open.prose[0]!.line,
      });
      procedure.notes = [];
    }
    if (procedure.steps.length > 0) {
      this.procedures.push(procedure);
      if (section) {
        section.role = 'procedure';
        section.procedure = this.procedures.length - 1;
      }
    } else if (section && open.contents) section.role = 'contents';
  }

  private heading(block: Block): void {
    const level = Number(block.token.tag.slice(1));
    const inline = inlineOf(block);
    const text = inline
      ? inlineLines(parsedInline(inline))
          .map((l) => l.text)
          .join(' ')
      : '';
    this.closeSection();
    this.label = null;
    // The first heading, an H1 before any content, names the document, not a procedure.
    const isTitle = level === 1 && !this.title && !this.sawContent && this.headings.length === 0;
    if (isTitle) this.title = text;
    this.sawContent = true;
    const path = isTitle ? [] : this.pathFor(level, text);
    const section: ImportedSection = { title: text, path: isTitle ? [text] : path, level, line: this.lineOf(block), role: isTitle ? 'title' : 'empty' };
    this.sections.push(section);
    this.current = { procedure: { title: text, path, notes: [], steps: [] }, section, prose: [], contents: false };
  }

  private pathFor(level: number, text: string): string[] {
    while (this.headings.length > 0 && this.headings[this.headings.length - 1]!.level >= level) this.headings.pop();
    this.headings.push({ level, text });
    return this.headings.map((h) => h.text);
  }

  private block(block: Block): void {
    if (block.type === 'heading') return this.heading(block);
    this.sawContent = true;
    switch (block.type) {
      case 'paragraph':
        return this.paragraph(block);
      case 'html_block':
        return this.html(block);
      case 'fence':
      case 'code_block':
        return this.addStep(this.code(block, this.label ?? this.open().procedure.title));
      case 'table':
        return this.addStep(this.table(block, this.label ?? this.open().procedure.title));
      case 'bullet_list':
      case 'ordered_list':
        return this.list(block);
      case 'hr':
        return;
      default:
        // Block quotes and anything else that holds blocks: read what is inside.
        for (const child of block.children) this.block(child);
    }
  }

  private paragraph(block: Block): void {
    const inline = inlineOf(block);
    if (!inline) return;
    const open = this.open();
    for (const line of inlineLines(parsedInline(inline))) {
      if (line.label) this.label = line.text.replace(/:$/, '').trim();
      open.procedure.notes.push(line.text);
    }
    open.prose.push({ lines: this.source.of(block), line: this.lineOf(block) });
  }

  private html(block: Block): void {
    const text = htmlText(block.token.content);
    // A closing `</details>` belongs with the prose it closes; a lone comment is not content.
    if (!text && (this.current?.prose.length ?? 0) === 0) return;
    const open = this.open();
    if (text) open.procedure.notes.push(...text.split('\n'));
    open.prose.push({ lines: this.source.of(block), line: this.lineOf(block) });
  }

  private code(block: Block, title: string): ImportedStep {
    const token = block.token;
    const [start = 0, end = 0] = token.map ?? [];
    const fenced = block.type === 'fence';
    const last = (this.source.lines[end - 1] ?? '').trim();
    const closed = !fenced || (end - 1 > start && last.length >= token.markup.length && [...last].every((c) => c === token.markup[0]));
    return codeStep(
      {
        language: fenced
          ? (token.info.trim().split(/\s+/)[0] ?? '')
              .replace(/^\{?\.?/, '')
              .replace(/\}$/, '')
              .toLowerCase()
          : '',
        content: token.content,
        line: start + 1,
        title,
        unclosedMarker: closed ? null : token.markup,
        toEnd: end >= this.source.contentEnd,
      },
      this.warnings,
      this.sqlCache,
    );
  }

  private table(block: Block, title: string): ImportedStep {
    const text = this.source
      .of(block)
      .map((l) => l.trim())
      .join('\n');
    return { title, type: 'reference', text, parameters: [], table: tableCells(block), line: this.lineOf(block) };
  }

  /**
   * A checkbox item (without fences) as a manual step, and true; false when it is not one.
   * Its sub-tasks are steps of their own; other lines under it are part of its text.
   */
  private checkbox(item: Block, parentTitle: string | null): boolean {
    const box = contains(item, STEP_BLOCKS) ? null : CHECKBOX.exec(firstLine(item));
    if (!box) return false;
    const lists = item.children.filter((c) => LISTS.has(c.type));
    const subtasks = lists.filter(hasCheckbox);
    const text = [box[2]!.trim(), ...lists.filter((l) => !subtasks.includes(l)).flatMap((l) => this.source.of(l))].join('\n');
    const title = parentTitle ? `${parentTitle} › ${plainText(box[2]!.trim())}` : plainText(box[2]!.trim());
    this.addStep({ title, type: 'manual', text, parameters: [], line: this.lineOf(item) });
    for (const list of subtasks) this.list(list, title);
    return true;
  }

  private list(block: Block, parentTitle: string | null = null): void {
    const items = block.children;
    if (items.every(isLinkOnly)) {
      this.open().contents = true;
      return;
    }
    // Items holding fences, tables or checkboxes further down are read one by one.
    const stepwise = block.type === 'ordered_list' || items.some((item) => contains(item, STEP_BLOCKS) || item.children.some(hasCheckbox));
    let loose: Block[] = [];
    const flushLoose = () => {
      if (loose.length === 0) return;
      const lines = this.source.slice(loose[0]!.token.map![0], loose[loose.length - 1]!.token.map![1]);
      const type = this.label ? 'manual' : 'reference';
      this.addStep({ title: this.label ?? this.open().procedure.title, type, text: lines.join('\n'), parameters: [], line: this.lineOf(loose[0]!) });
      loose = [];
    };
    for (const item of items) {
      // A table of contents' lines are navigation, not things to do.
      if (isLinkOnly(item)) continue;
      if (CHECKBOX.test(firstLine(item)) && !contains(item, STEP_BLOCKS)) {
        flushLoose();
        this.checkbox(item, parentTitle);
      } else if (stepwise) this.item(item, parentTitle);
      else loose.push(item);
    }
    flushLoose();
  }

  /** A list item: an instruction, its fences and tables its steps, its other text a manual step. */
  private item(item: Block, parentTitle: string | null): void {
    const [first, ...rest] = item.children;
    const inline = first?.type === 'paragraph' ? inlineOf(first) : null;
    const head = firstLine(item);
    const box = CHECKBOX.exec(head);
    const split = splitItem(box ? box[2]! : head);
    // A nested item's steps carry the instruction they belong to: "Check both servers › On the primary".
    const own = split.title.replace(/:$/, '').trim();
    const title = own && parentTitle ? `${parentTitle} › ${own}` : own || parentTitle || this.label || this.open().procedure.title;
    const open: OpenItem = { title, line: this.lineOf(item), pending: [], firstStep: this.stepCount() };
    if (inline && first?.token.map) {
      const [start, end] = first.token.map;
      const more = this.source.slice(start + 1, end);
      if (split.rest || more.length > 0) open.pending.push({ start, end, lines: split.rest ? [split.rest, ...more] : more });
    }
    for (const child of inline ? rest : item.children) this.itemChild(child, open);
    this.flush(open, open.firstStep === this.stepCount());
  }

  private itemChild(child: Block, open: OpenItem): void {
    if (CODE.has(child.type)) {
      this.flush(open, false);
      this.addStep(this.code(child, open.title));
    } else if (child.type === 'table') {
      this.flush(open, false);
      this.addStep(this.table(child, open.title));
    } else if (LISTS.has(child.type) && (child.children.some((i) => contains(i, STEP_BLOCKS)) || hasCheckbox(child))) {
      // A nested list with fences or checkboxes: each of its items is a step of its own.
      this.flush(open, false);
      for (const nested of child.children) if (!this.checkbox(nested, open.title)) this.item(nested, open.title);
    } else if (child.token.map) {
      const [start, end] = child.token.map;
      open.pending.push({ start, end, lines: this.source.slice(start, end) });
    }
  }

  /** Text written before an item's fence becomes its own manual step, in order; an item with nothing else is one. */
  private flush(open: OpenItem, always: boolean): void {
    const parts = open.pending.filter((p) => p.lines.length > 0);
    open.pending = [];
    let text = '';
    parts.forEach((p, i) => {
      // Keep a blank line where the runbook had one between blocks.
      if (i > 0) text += p.start > parts[i - 1]!.end ? '\n\n' : '\n';
      text += p.lines.join('\n');
    });
    if (text || always) this.addStep({ title: open.title, type: 'manual', text: text || open.title, parameters: [], line: open.line });
  }
}
