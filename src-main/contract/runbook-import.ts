// What a Markdown runbook import returns (issue #5; sections, placeholders and notes issue #16):
// procedures of steps, every heading with what became of it, counts and warnings. Pure types,
// shared by the core, the CLI and the renderer; re-exported from runbook.ts.
import type { SqlPlaceholder } from './placeholders';

/** A step of an imported Markdown runbook (nothing is executed on import). */
export interface ImportedStep {
  title: string;
  /**
   * 'sql' from ```sql fences, unlabelled blocks that parse as PostgreSQL and psql transcripts
   * stripped to their statements (both said in `note` and the warnings); 'command' from
   * ```bash/sh fences; 'manual' from checkboxes and numbered instructions; 'reference' for
   * tables, other blocks and the prose of a section without steps.
   */
  type: 'sql' | 'command' | 'manual' | 'reference';
  /** The SQL or command exactly as written (dedented), or the instruction / table text. */
  text: string;
  /** Names of the placeholders (`[PID]`, `<pid>`, `{{db}}`, `:'v'`…) in SQL and commands, asked for before it runs. */
  parameters: string[];
  /** For a 'reference' step made from a Markdown table: its cells, header first. */
  table?: { columns: string[]; rows: string[][] };
  /** 1-based line of the document where the step starts, to show it in its source. */
  line: number;
  /**
   * For a 'sql' step: each placeholder token the parser confirmed and how it is filled
   * (`fillSqlPlaceholders(text, values, placeholders)`). Absent on steps saved before
   * issue #16, whose `[NAME]` placeholders are filled as literals.
   */
  placeholders?: SqlPlaceholder[];
  /** How the importer read the block when it was not plain (an unlabelled fence read as SQL, a psql transcript). */
  note?: string;
}

/** A heading of the document and what became of it, so no section disappears unexplained. */
export interface ImportedSection {
  title: string;
  path: string[];
  level: number;
  line: number;
  /**
   * 'procedure': its content is the procedure `outline[procedure]`. 'group': no content of
   * its own, only headings under it. 'contents': a table of contents (links to the other
   * sections), not steps. 'title': the heading that names the document. 'empty': nothing under it.
   */
  role: 'procedure' | 'group' | 'contents' | 'title' | 'empty';
  procedure?: number;
}

export interface ImportedProcedure {
  title: string;
  /** Heading path, e.g. ["Emergency Procedures", "Database Down"]. */
  path: string[];
  /** Paragraphs of the section that are not steps ("Symptoms: …", "RTO: 15 minutes"). */
  notes: string[];
  steps: ImportedStep[];
}

export interface RunbookImportResult {
  title: string;
  /** Where the Markdown came from (a file name), when the caller said. */
  source: string | null;
  procedures: number;
  steps: number;
  sqlSteps: number;
  commandSteps: number;
  manualSteps: number;
  referenceSteps: number;
  /** Every placeholder of every step, each once, in order of first appearance. */
  parameters: string[];
  /** Characters repaired (UTF-8 that had been read as Latin-1/Windows-1252). */
  repairedCharacters: number;
  /** What the importer could not read cleanly, e.g. a fence left open at the end. */
  warnings: string[];
  outline: ImportedProcedure[];
  /** Every heading in document order with its role; absent on runbooks saved before issue #16. */
  sections?: ImportedSection[];
}
