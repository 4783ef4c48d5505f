// The query console's shapes (issue #4): how a statement is judged, its results, plans,
// catalog, tabs, history and snippets. Pure zod + types, like models.ts, which re-exports
// them so existing imports keep working.
import { z } from 'zod';

// ---- Query (issue #4; first increment: bounded results, cancel, guards) ----

/** How a statement is judged before it runs (from the PostgreSQL parser, not regexes). */
export const STATEMENT_KINDS = ['read', 'write', 'ddl', 'transaction', 'utility'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

export interface StatementPlan {
  index: number;
  /** The statement's own text, as sent. */
  sql: string;
  /** Offset of the statement in the script (0-based, characters). */
  offset: number;
  /** SELECT, UPDATE, CREATE INDEX, BEGIN … */
  command: string;
  kind: StatementKind;
  /**
   * Why it is dangerous: 'no-where' (UPDATE/DELETE without WHERE, also inside a CTE, COPY or
   * PREPARE), 'truncate', 'drop', 'strong-lock', 'server-program' (COPY … PROGRAM),
   * 'server-file' (COPY to or from a server file).
   */
  risks: string[];
  /** Why the catalog judged it a possible write: "calls volatile function public.f()" … */
  effects?: string[];
}

export interface QueryColumn {
  name: string;
  /** PostgreSQL type name (int8, numeric, jsonb, bytea …). */
  type: string;
}

/** numeric/int8 as exact text, json pretty text, bytea as \x hex, NULL as null (never ''). */
export type QueryCell = string | number | boolean | null;

export interface QueryFailure {
  sqlstate: string | null;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the whole script, when PostgreSQL gave one. */
  position?: number;
}

export interface StatementResult {
  index: number;
  command: string;
  columns: QueryColumn[];
  rows: QueryCell[][];
  /** Rows affected (DML) or returned. */
  rowCount: number | null;
  /** Stopped at maxRows: more rows exist. */
  truncated: boolean;
  durationMs: number;
  cancelled: boolean;
  error?: QueryFailure;
  /**
   * Stopped at the row limit with its cursor kept open on the console session:
   * fetchMoreRows continues it (streamed runs only, the script's last statement only).
   */
  resumable?: boolean;
}

export interface QueryRunResult {
  statements: StatementResult[];
  /** A transaction is still open on the profile's console session (BEGIN without COMMIT). */
  transactionOpen: boolean;
}

// ---- Query console, second part (issue #4): streaming, plans, catalog, tabs, history, snippets, export ----

/** Rows a console result keeps by default; "Fetch more" continues past it. */
export const DEFAULT_RESULT_ROWS = 200_000;
export const MAX_RESULT_ROWS = 1_000_000;
/** A console session idle this long is closed (an open transaction is rolled back by the server). */
export const CONSOLE_IDLE_CLOSE_MS = 10 * 60_000;

/** One node of an EXPLAIN (FORMAT JSON) plan, flattened into what the plan view shows. */
export interface PlanNode {
  /** Depth-first number, 0 for the root. */
  id: number;
  /** "Seq Scan", "Hash Join", "Index Only Scan" … */
  nodeType: string;
  /** "on inventory i", "using inventory_pkey", "(Hash Cond: …)": what the node works on. */
  label: string;
  startupCost: number;
  totalCost: number;
  planRows: number;
  /** Only with ANALYZE: rows per loop × loops (what the node really produced). */
  actualRows: number | null;
  actualLoops: number | null;
  /** Only with ANALYZE: inclusive time of the node over all loops, ms. */
  actualTotalMs: number | null;
  /** Only with ANALYZE: the node's own time (inclusive minus its children), ms. */
  selfMs: number | null;
  /** Share of the whole plan's time (ANALYZE) or cost (plain EXPLAIN) spent in this node itself, 0–1. */
  selfShare: number;
  sharedHitBlocks: number | null;
  sharedReadBlocks: number | null;
  /** Other keys of the node (filters, conditions, sort keys…) as display text. */
  details: Array<{ key: string; value: string }>;
  children: PlanNode[];
}

export interface ExplainResult {
  /** The statement explained (one statement only). */
  statement: string;
  analyzed: boolean;
  /** ANALYZE ran inside a transaction (or savepoint) that was rolled back (always, with ANALYZE). */
  rolledBack: boolean;
  planningMs: number | null;
  executionMs: number | null;
  plan: PlanNode;
  /** The server's JSON, for copying. */
  json: string;
}

export interface CatalogRelation {
  schema: string;
  name: string;
  kind: 'table' | 'view' | 'materialized view' | 'foreign table' | 'partitioned table';
  columns: Array<{ name: string; type: string }>;
}

/** What autocomplete offers for a profile: loaded from the catalog, refreshed on demand. */
export interface QueryCatalog {
  schemas: string[];
  relations: CatalogRelation[];
  functions: Array<{ schema: string; name: string; args: string; result: string }>;
  loadedAt: string;
}

export interface EditorTab {
  id: string;
  title: string;
  sql: string;
}

export const editorTabSchema = z
  .object({
    id: z.string().min(1).max(64),
    title: z.string().max(200),
    sql: z.string().max(1_000_000),
  })
  .strict();

export type QueryHistoryOutcome = 'ok' | 'error' | 'cancelled' | 'blocked';

export interface QueryHistoryEntry {
  id: number;
  profileId: string;
  profileName: string;
  sql: string;
  startedAt: string;
  durationMs: number;
  /** Rows returned or affected, summed over the script's statements. */
  rows: number | null;
  outcome: QueryHistoryOutcome;
  /** First error (SQLSTATE: message), when the outcome is not ok. */
  error: string | null;
  /** The audit entry of this execution. */
  auditId: number | null;
}

export interface Snippet {
  id: string;
  title: string;
  sql: string;
  /** Runbook section for built-ins ("Morning checklist"…), "My snippets" for the user's. */
  section: string;
  description: string;
  builtin: boolean;
}

export interface QueryExportResult {
  path: string;
  format: 'csv' | 'json';
  rows: number;
  bytes: number;
  durationMs: number;
}
