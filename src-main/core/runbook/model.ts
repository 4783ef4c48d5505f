// The runbook as data: procedures made of steps. A step says what it does (SQL, one of the
// app's built-in actions, or an instruction for a person), how much harm it can do (read,
// write, destructive) and, for a read, the rule that judges its result. The checklist
// engine (checklist.ts) runs only read SQL steps and built-in checks (check-steps.ts);
// everything else is shown, never run.
import type { Cadence, StepKind } from '../../contract/runbook';
import type { Noun, ThresholdKey } from './thresholds';

export type { StepKind };

/**
 * The app's own tools a step can hand over to (they live on other screens and carry their
 * own previews and confirmations): a step names them instead of pasting shell commands.
 */
export const BUILTIN_ACTIONS = {
  backup: 'Take a backup with pg_dump (Backups)',
  'verify-backup': 'Verify a backup archive (Backups)',
  restore: 'Restore a backup into a database (Restore)',
  'restore-drill': 'Timed restore drill into a local scratch server (Restore)',
  'cancel-session': "Cancel one session's statement (Activity)",
  'terminate-session': 'Terminate one session (Activity)',
  'sessions-cleanup': 'End idle sessions after a preview (Activity)',
  'install-toolkit': 'Install the ops toolkit functions (Toolkit)',
} as const;

export type BuiltinAction = keyof typeof BUILTIN_ACTIONS;

export type StepRun =
  /**
   * One SQL statement. `snippet` names the built-in snippet it comes from, when it does.
   * A write or destructive step that can run from the runbook has a `preview`: a SELECT
   * listing exactly the rows (or sessions) the statement touches, its first column a key.
   * `immediate`: the effect happens at once and a ROLLBACK does not undo it (ending sessions).
   */
  | { type: 'sql'; sql: string; snippet?: string; preview?: string; immediate?: boolean }
  | { type: 'action'; action: BuiltinAction; options?: Readonly<Record<string, string>> }
  | { type: 'manual'; instruction: string }
  /**
   * A built-in check (core/platform/kernel/step-checks.ts) that a domain registers: a read,
   * run like an SQL step (the run's read-only transaction, its own savepoint and time limit)
   * and judged by the check itself, so the step has no `rule`.
   */
  | { type: 'check'; check: string };

/** What number a rule judges. */
export type RuleMetric =
  /** How many rows the statement returned (all of them, not only the rows kept). */
  | { type: 'rowCount' }
  /**
   * A numeric column folded over every row; `empty` is the value when there is no row
   * (no long-running query means 0 seconds, not "unknown").
   */
  | { type: 'column'; column: string; aggregate: 'max' | 'min' | 'sum' | 'first'; empty?: number | null };

export interface Rule {
  metric: RuleMetric;
  /** Which threshold of the alert table judges the value. */
  threshold: ThresholdKey;
  /** Multiplies the value into the threshold's unit (pg_stat_statements' ms → seconds: 0.001). */
  scale?: number;
  /** Words after the number in the summary: ['item low on stock', 'items low on stock']. Defaults to the threshold's. */
  noun?: Noun;
  /**
   * A state of the first row that decides the verdict before any threshold, because the
   * number would be misleading in it: with archive_mode off the archiver's 0 failures
   * means "nothing archived", not "archiving is fine".
   */
  unless?: RuleOverride;
}

/** When the first row's `column` reads `equals` (as text), the step is `status` with `summary`. */
export interface RuleOverride {
  column: string;
  equals: string;
  status: 'warning' | 'critical';
  summary: string;
}

export interface Step {
  /** Stable across versions: "morning.low-stock". Saved runs and sign-offs refer to it. */
  id: string;
  title: string;
  /** Why the step exists and how to read its result, for the person running it. */
  explanation: string;
  kind: StepKind;
  run: StepRun;
  rule?: Rule;
  /**
   * Where the runbook document's own SQL is wrong for current PostgreSQL or cannot work,
   * what it got wrong and what this step does instead.
   */
  correction?: string;
}

export interface Procedure {
  id: string;
  title: string;
  /** The runbook section it belongs to, e.g. "Emergency Procedures". */
  section: string;
  description: string;
  /** The name a checklist is run by (`checklist run morning`); absent for plain procedures. */
  checklist?: string;
  /** How often the maintenance calendar expects it signed off; absent when run on demand. */
  cadence?: Cadence;
  /** Local time of day a daily procedure is due ("09:00"). */
  dueTime?: string;
  steps: Step[];
}

export interface Runbook {
  id: string;
  title: string;
  /** Where the procedures come from, for the About line of the runbook screen. */
  source: string;
  procedures: Procedure[];
}
