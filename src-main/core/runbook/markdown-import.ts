// Markdown runbook → procedures and steps. Parsing only: no connection, nothing executed.
//
// The structure is CommonMark's, read by markdown-it (markdown-import-blocks.ts maps its
// blocks to procedures and steps by the runbook conventions); code blocks become steps in
// markdown-import-code.ts, whose SQL the PostgreSQL parser checks for placeholders, psql
// transcripts and unlabelled SQL (markdown-import-sql.ts). Mis-decoded UTF-8 is repaired
// first (mojibake.ts), so headings and steps read as their authors wrote them.
import type { ImportedProcedure, ImportedStep, RunbookImportResult } from '../../contract/runbook';
import { loadParser } from '../platform/guard/statements/classify';
import { BlockWalker } from './markdown-import-blocks';
import { repairMojibake } from './mojibake';

/** YAML front matter at the very top, as docs sites write it (`---`, `key: value` lines, `---`). */
const FRONT_MATTER = /^---[ \t]*\r?\n((?:[ \t]*(?:[\w-]+:.*|-.*|#.*|[ \t].*)?\r?\n)*?)(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/**
 * The text with its front matter blanked: metadata, not a section (CommonMark would read its
 * last line as a setext heading). Line breaks stay, so every line number is still the file's.
 */
function withoutFrontMatter(text: string): string {
  const m = FRONT_MATTER.exec(text);
  return m ? m[0].replace(/[^\r\n]/g, '') + text.slice(m[0].length) : text;
}

function countType(outline: ImportedProcedure[], type: ImportedStep['type']): number {
  return outline.reduce((n, p) => n + p.steps.filter((s) => s.type === type).length, 0);
}

/** The import itself; the PostgreSQL parser must be loaded (importMarkdownRunbook does it). */
export function importMarkdownRunbookSync(markdown: string, source: string | null = null): RunbookImportResult {
  const { text, repaired } = repairMojibake(markdown.replace(/^\uFEFF/, ''));
  const fallback = source ? source.replace(/^.*[\\/]/, '').replace(/\.(md|markdown|txt)$/i, '') : 'Imported runbook';
  const walker = new BlockWalker(withoutFrontMatter(text), fallback);
  walker.run();
  const outline = walker.procedures;
  if (outline.length === 0)
    walker.warnings.push('No procedures found: no heading is followed by SQL, commands, checklists, numbered instructions, tables or text.');
  const parameters: string[] = [];
  for (const step of outline.flatMap((p) => p.steps)) for (const name of step.parameters) if (!parameters.includes(name)) parameters.push(name);
  return {
    title: walker.title || fallback,
    source,
    procedures: outline.length,
    steps: outline.reduce((n, p) => n + p.steps.length, 0),
    sqlSteps: countType(outline, 'sql'),
    commandSteps: countType(outline, 'command'),
    manualSteps: countType(outline, 'manual'),
    referenceSteps: countType(outline, 'reference'),
    parameters,
    repairedCharacters: repaired,
    warnings: walker.warnings,
    outline,
    sections: walker.sections,
  };
}

/** Markdown → procedures and steps; loads the SQL parser (once per process) first. */
export async function importMarkdownRunbook(markdown: string, source: string | null = null): Promise<RunbookImportResult> {
  await loadParser();
  return importMarkdownRunbookSync(markdown, source);
}
