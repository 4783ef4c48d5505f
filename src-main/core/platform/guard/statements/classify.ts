// Splits a script into statements and judges each one with the real PostgreSQL parser
// (libpg_query compiled to WASM). This is a guard: a regex cannot tell `DELETE FROM t`
// from `DELETE FROM t WHERE …` hidden behind comments, CTEs or dollar quoting; the parser can.
// The structure is judged here and in judge.ts; what the named functions may do is the
// catalog's to say (catalog-effects.ts), before anything runs.
import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import { OpsError } from '../../../../contract/errors';
import type { StatementPlan } from '../../../../contract/models';
import { collectRefs, pinnedSettingChange, readOnlyEscape, type EffectRefs, type Node } from './effects';
import { applyNames, emptyNames, judge, type Risk, type SessionNames } from './judge';

export type { Risk } from './judge';

/** Risks that refuse to run unless the caller explicitly overrides (and that is audited). */
export const BLOCKING_RISKS: ReadonlySet<string> = new Set<Risk>(['no-where', 'truncate', 'drop', 'server-program', 'server-file']);

/**
 * Session-local utilities that change nothing on the server (no confirmation on production).
 * LOAD is not one: it loads a shared library into the server process.
 */
const SESSION_ONLY = new Set(['SET', 'RESET', 'SHOW', 'DISCARD', 'LISTEN', 'UNLISTEN', 'DEALLOCATE', 'PREPARE', 'CLOSE', 'FETCH', 'MOVE', 'DECLARE CURSOR']);

let loaded: Promise<void> | null = null;

/** The WASM module loads once per process (a few ms); every later parse is synchronous. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export interface PlannedStatement extends StatementPlan {
  returnsRows: boolean;
  /** Why this statement would turn the session read-write (refused on read-only profiles). */
  readOnlyEscape: string | null;
  /** Why it would change how the server reads later statements (refused on every profile). */
  pinnedChange: string | null;
  /** Why the catalog says it may act outside the transaction (filled by resolveEffects). */
  effects: string[];
  /** What the catalog is asked about. */
  refs: EffectRefs;
  /** EXECUTE / FETCH of a PREPARE / DECLARE earlier in the same script: its index. */
  inherits: number | null;
  /** The parse tree, for the session's names once the statement ran. */
  tree: Node;
}

/** Byte offsets (what libpg_query reports) → string offsets. */
function byteToCharOffsets(sql: string): (byteOffset: number) => number {
  const bytes = Buffer.from(sql, 'utf8');
  if (bytes.length === sql.length) return (b) => b;
  return (b) => bytes.subarray(0, b).toString('utf8').length;
}

/** Splits and judges a script. Throws INVALID_INPUT with the error position on a syntax error. */
export async function planScript(sql: string, names?: SessionNames): Promise<PlannedStatement[]> {
  await loadParser();
  return planScriptSync(sql, names);
}

/** The name an EXECUTE / FETCH uses, and the name a PREPARE / DECLARE defines. */
function nameOf(stmt: Node, types: readonly string[], key: string): string | null {
  const [type, raw] = Object.entries(stmt)[0] ?? ['', {}];
  if (!types.includes(type) || typeof raw !== 'object' || raw === null) return null;
  const value = (raw as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

/**
 * Splits and judges a script. `names` are the prepared statements and cursors already on
 * the session (never modified: a copy is simulated statement by statement).
 */
export function planScriptSync(sql: string, names: SessionNames = emptyNames()): PlannedStatement[] {
  const simulated: SessionNames = { prepared: new Map(names.prepared), cursors: new Map(names.cursors) };
  const definedAt = new Map<string, number>();
  let parsed: ReturnType<typeof parseSync>;
  try {
    parsed = parseSync(sql);
  } catch (err) {
    if (hasSqlDetails(err) && err.sqlDetails) {
      const position = err.sqlDetails.cursorPosition + 1;
      const { line, column } = lineAndColumn(sql, position);
      throw new OpsError('INVALID_INPUT', `Syntax error at line ${line}, column ${column}: ${err.sqlDetails.message}`, { position, sqlstate: '42601' });
    }
    throw new OpsError('INVALID_INPUT', `The SQL could not be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const toChar = byteToCharOffsets(sql);
  const totalBytes = Buffer.byteLength(sql, 'utf8');
  const plans: PlannedStatement[] = [];
  for (const raw of parsed.stmts ?? []) {
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : totalBytes;
    const start = toChar(startByte);
    const full = sql.slice(start, toChar(endByte));
    const lead = full.length - full.trimStart().length;
    const text = full.trim();
    if (text === '') continue;
    const stmt = (raw.stmt ?? {}) as Node;
    const judgement = judge(stmt, simulated);
    const used = nameOf(stmt, ['ExecuteStmt'], 'name') ?? nameOf(stmt, ['FetchStmt'], 'portalname');
    const usedKey = used === null ? null : `${'ExecuteStmt' in stmt ? 'p' : 'c'}:${used}`;
    const defined = nameOf(stmt, ['PrepareStmt'], 'name') ?? nameOf(stmt, ['DeclareCursorStmt'], 'portalname');
    const index = plans.length;
    plans.push({
      index,
      sql: text,
      offset: start + lead,
      command: judgement.command,
      kind: judgement.kind,
      risks: judgement.risks,
      returnsRows: judgement.returnsRows,
      readOnlyEscape: readOnlyEscape(stmt),
      pinnedChange: pinnedSettingChange(stmt),
      effects: [],
      refs: collectRefs(stmt),
      inherits: usedKey === null ? null : (definedAt.get(usedKey) ?? null),
      tree: stmt,
    });
    applyNames(stmt, judgement, simulated);
    if (defined !== null) definedAt.set(`${'PrepareStmt' in stmt ? 'p' : 'c'}:${defined}`, index);
  }
  if (plans.length === 0) throw new OpsError('INVALID_INPUT', 'sql: there is no statement to run (only comments or blanks)');
  return plans;
}

export function lineAndColumn(sql: string, position: number): { line: number; column: number } {
  const before = sql.slice(0, Math.max(0, position - 1));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** Statements that change the server (write, DDL, non-session utilities, or anything risky). */
export function changesServer(plan: StatementPlan): boolean {
  if (plan.risks.length > 0) return true;
  if (plan.kind === 'write' || plan.kind === 'ddl') return true;
  return plan.kind === 'utility' && !SESSION_ONLY.has(plan.command);
}

/** "DELETE without WHERE" — the words used in the block message and the audit summary. */
export function describeBlock(plan: StatementPlan): string | null {
  const blocking = plan.risks.filter((r) => BLOCKING_RISKS.has(r));
  if (blocking.length === 0) return null;
  if (blocking.includes('no-where'))
    return `${plan.command} ${plan.command === 'UPDATE' || plan.command === 'DELETE' ? '' : 'with an UPDATE/DELETE '}without WHERE`.replace('  ', ' ');
  if (blocking.includes('server-program')) return `${plan.command} (runs a program on the database server)`;
  if (blocking.includes('server-file')) return `${plan.command} (reads or writes a file on the database server)`;
  return plan.command;
}

/** The contract's view of a planned statement (no parse tree, no catalog questions). */
export function toStatementPlan(plan: PlannedStatement): StatementPlan {
  const out: StatementPlan = { index: plan.index, sql: plan.sql, offset: plan.offset, command: plan.command, kind: plan.kind, risks: plan.risks };
  if (plan.effects.length > 0) out.effects = plan.effects;
  return out;
}

export interface ScriptPlan {
  statements: StatementPlan[];
  needsConfirmation: boolean;
  blocked: Array<{ index: number; reason: string }>;
  readOnlyRefusal?: { index: number; reason: string };
}

/** The contract's planQuery answer. `production` decides whether changes need the name typed. */
export function summarizePlan(plans: PlannedStatement[], production: boolean): ScriptPlan {
  const statements: StatementPlan[] = plans.map(toStatementPlan);
  const blocked = statements.flatMap((s) => {
    const reason = describeBlock(s);
    return reason === null ? [] : [{ index: s.index, reason }];
  });
  return { statements, needsConfirmation: production && statements.some(changesServer), blocked };
}
