// Runbooks, checklists and the ops toolkit (issue #5): the shapes that cross the contract.
// Pure types and zod, like the rest of the contract.

export type StepKind = 'read' | 'write' | 'destructive';
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'unknown';

/** A step of an imported Markdown runbook (nothing is executed on import). */
export interface ImportedStep {
  title: string;
  /** 'sql' from ```sql fences, 'command' from ```bash/sh fences, 'manual' from checkbox lists, 'reference' for tables. */
  type: 'sql' | 'command' | 'manual' | 'reference';
  text: string;
  /** Placeholders such as [PID] found in SQL, asked for before it runs. */
  parameters: string[];
}

export interface ImportedProcedure {
  title: string;
  /** Heading path, e.g. ["Emergency Procedures", "Database Down"]. */
  path: string[];
  steps: ImportedStep[];
}

export interface RunbookImportResult {
  title: string;
  procedures: number;
  steps: number;
  sqlSteps: number;
  /** Characters repaired (UTF-8 that had been read as Latin-1/Windows-1252). */
  repairedCharacters: number;
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
  /** One line: "3 items below 5 in stock (warning at 5, critical at 10)". */
  summary: string;
  value: number | null;
  warn: number | null;
  critical: number | null;
  columns: string[];
  rows: Array<Array<string | number | boolean | null>>;
  durationMs: number;
}

export interface ChecklistRunResult {
  checklist: string;
  profile: string;
  status: CheckStatus;
  startedAt: string;
  steps: ChecklistStepResult[];
}

export interface ToolkitStatus {
  installed: boolean;
  /** Installed version (null when absent), and the version this app ships. */
  version: string | null;
  latest: string;
  functions: Array<{ name: string; present: boolean }>;
  /** The exact SQL install would run, to show before installing. */
  sql: string;
}
