// Runbooks, checklists and the ops toolkit (issue #5): the shapes that cross the contract.
// Pure types and zod, like the rest of the contract.

export type StepKind = 'read' | 'write' | 'destructive';
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'unknown';

/** A step of an imported Markdown runbook (nothing is executed on import). */
export interface ImportedStep {
  title: string;
  /** 'sql' from ```sql fences, 'command' from ```bash/sh fences, 'manual' from checkbox lists and numbered instructions, 'reference' for tables and notes. */
  type: 'sql' | 'command' | 'manual' | 'reference';
  /** The SQL or command exactly as written (dedented), or the instruction / table text. */
  text: string;
  /** Placeholders such as [PID] found in SQL (and commands), asked for before it runs. */
  parameters: string[];
  /** For a 'reference' step made from a Markdown table: its cells, header first. */
  table?: { columns: string[]; rows: string[][] };
  /** 1-based line of the document where the step starts, to show it in its source. */
  line: number;
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
}

export interface ChecklistSummary {
  id: string;
  title: string;
  description: string;
  steps: number;
}

export interface ChecklistStepResult {
  id: string;
  title: string;
  kind: StepKind;
  status: CheckStatus | 'skipped' | 'manual';
  /** One line with the value and the thresholds: "7 items low on stock (warning above 5, critical above 10)"; for UNKNOWN, the reason. */
  summary: string;
  value: number | null;
  warn: number | null;
  critical: number | null;
  columns: string[];
  /** The first rows only (50 by default); `rowCount` says how many the statement returned. */
  rows: Array<Array<string | number | boolean | null>>;
  rowCount: number;
  durationMs: number;
}

export interface ChecklistRunResult {
  /** The checklist's run name ("morning"). */
  checklist: string;
  title: string;
  /** The profile's name. */
  profile: string;
  /** Worst of the read steps: CRITICAL, else UNKNOWN if one could not run, else WARNING, else OK. */
  status: CheckStatus;
  startedAt: string;
  durationMs: number;
  steps: ChecklistStepResult[];
}

export interface ToolkitStatus {
  installed: boolean;
  /** Installed version (null when absent), and the version this app ships. */
  version: string | null;
  latest: string;
  /**
   * Each runbook function: present when ops_toolkit has it and the public wrapper the
   * runbook calls is the toolkit's; conflict when a public function of that name is not.
   */
  functions: Array<{ name: string; present: boolean; conflict?: string }>;
  /** The exact SQL install would run, to show before installing. */
  sql: string;
}
