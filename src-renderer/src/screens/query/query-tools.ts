// Pure helpers behind the query console: what to run, where an error points, how a tab
// is summed up, and which statements a guard must show. No React here, so each is easy to reason
// about (and to test) on its own.
import { CONSOLE_IDLE_CLOSE_MS, type Profile, type StatementPlan, type StatementResult } from '@contract/models';
import { readSetting } from '../../shared/state/storage';

export const MAX_ROWS_CHOICES = ['1000', '10000', '200000', '1000000'] as const;
export const DEFAULT_MAX_ROWS = '200000';
/** The core closes an idle console session (rolling back its transaction) after this long. */
export const DEFAULT_IDLE_CLOSE_MINUTES = CONSOLE_IDLE_CLOSE_MS / 60_000;
/** One-click examples from the runbook, for the empty state. */
export const EXAMPLES: Array<{ label: string; sql: string }> = [
  {
    label: 'Low stock items',
    sql: "SELECT title, available_quantity, store_name\nFROM inventory\nWHERE status = 'low_stock' AND is_active = true;",
  },
  {
    label: 'Connections by state',
    sql: 'SELECT state, COUNT(*)\nFROM pg_stat_activity\nGROUP BY state;',
  },
  {
    label: 'Pending paid orders',
    sql: "SELECT order_number, created_at, total_amount, customer_email\nFROM orders\nWHERE status = 'pending' AND payment_status = 'paid'\nORDER BY created_at;",
  },
];

/**
 * The script the first console kept per profile in localStorage, before editor tabs lived
 * in the store: read once, to become a profile's first tab (useEditorTabs).
 */
export function loadScript(profileId: string): string {
  return readSetting(`query.sql.${profileId}`) ?? '';
}

export interface RunTarget {
  sql: string;
  /** Where `sql` starts in the editor, so server positions map back onto the editor. */
  offset: number;
  fromSelection: boolean;
}

export interface EditorRange {
  start: number;
  end: number;
  line: number;
  column: number;
}

/**
 * PostgreSQL's error position (1-based, in the text sent) as a range in the editor: from
 * the character it names to the end of that token, so the culprit is visibly selected.
 */
export function errorRange(editorText: string, target: RunTarget, position: number): EditorRange {
  const start = Math.max(0, Math.min(editorText.length, target.offset + position - 1));
  let end = start;
  while (end < editorText.length && !/[\s;,()]/.test(editorText.charAt(end))) end += 1;
  if (end === start && start < editorText.length) end = start + 1;
  const before = editorText.slice(0, start);
  const line = before.split('\n').length;
  const column = start - before.lastIndexOf('\n');
  return { start, end, line, column };
}

/** A tab's words: "SELECT · 12 rows", "UPDATE 3" (DML row count), "BEGIN", "… failed". */
/** `rows`: the rows received (a streamed result's answer carries none). */
export function statementSummary(result: StatementResult, rows = result.rows.length): string {
  const command = result.command || 'statement';
  if (result.cancelled) return `${command} · cancelled`;
  if (result.error) return `${command} · failed`;
  if (result.columns.length > 0) {
    const n = rows;
    return `${command} · ${n.toLocaleString('en-US')}${result.truncated ? '+' : ''} row${n === 1 ? '' : 's'}`;
  }
  return result.rowCount === null ? command : `${command} ${result.rowCount}`;
}

const RISK_WORDS: Record<string, string> = {
  'no-where': 'no WHERE clause: it touches every row of the table',
  truncate: 'TRUNCATE empties the whole table',
  drop: 'DROP removes the object and its data',
  'strong-lock': 'takes a strong lock that blocks other sessions',
};

export function riskText(risk: string): string {
  return RISK_WORDS[risk] ?? risk;
}

/** Statements that change something: what production asks to confirm by name. */
export function writingStatements(statements: StatementPlan[]): StatementPlan[] {
  return statements.filter((s) => s.kind !== 'read' && s.kind !== 'transaction');
}

export function needsNameConfirmation(profile: Profile, plan: { statements: StatementPlan[]; needsConfirmation: boolean }): boolean {
  return plan.needsConfirmation || (profile.env === 'production' && writingStatements(plan.statements).length > 0);
}
