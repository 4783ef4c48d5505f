// Splits a script into statements and judges each one with the real PostgreSQL parser
// (libpg_query compiled to WASM). This is a guard: a regex cannot tell `DELETE FROM t`
// from `DELETE FROM t WHERE …` hidden behind comments, CTEs or dollar quoting; the parser can.
import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import { OpsError } from '../../contract/errors';
import type { StatementKind, StatementPlan } from '../../contract/models';
import { callsSideEffect, isNode, readOnlyEscape, type Node } from './effects';

export type Risk = 'no-where' | 'truncate' | 'drop' | 'strong-lock';

/** Risks that refuse to run unless the caller explicitly overrides (and that is audited). */
export const BLOCKING_RISKS: ReadonlySet<string> = new Set<Risk>(['no-where', 'truncate', 'drop']);

/** Session-local utilities that change nothing on the server (no confirmation on production). */
const SESSION_ONLY = new Set(['SET', 'RESET', 'SHOW', 'DISCARD', 'LISTEN', 'UNLISTEN', 'DEALLOCATE', 'PREPARE', 'CLOSE', 'FETCH', 'MOVE', 'DECLARE CURSOR', 'LOAD']);


let loaded: Promise<void> | null = null;

/** The WASM module loads once per process (a few ms); every later parse is synchronous. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** True when any node under `value` has one of these keys (walks lists and nested nodes). */
function containsKey(value: unknown, keys: ReadonlySet<string>): boolean {
  if (Array.isArray(value)) return value.some((item) => containsKey(item, keys));
  if (!isNode(value)) return false;
  for (const [key, child] of Object.entries(value)) {
    if (keys.has(key)) return true;
    if (typeof child === 'object' && child !== null && containsKey(child, keys)) return true;
  }
  return false;
}

const WRITING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'intoClause', 'lockingClause']);

/** A DefElem option list entry, with its boolean value (`(full false)` turns it off). */
function optionOn(options: unknown, name: string): boolean {
  if (!Array.isArray(options)) return false;
  for (const item of options) {
    const def = isNode(item) && isNode(item.DefElem) ? item.DefElem : null;
    if (!def || def.defname !== name) continue;
    const arg = isNode(def.arg) ? def.arg : null;
    if (!arg) return true;
    const text = isNode(arg.String) ? String(arg.String.sval ?? '') : isNode(arg.Boolean) ? String(arg.Boolean.boolval ?? false) : 'true';
    return !['false', 'off', '0', 'no'].includes(text.toLowerCase());
  }
  return false;
}

/** "OBJECT_MATERIALIZED_VIEW" → "MATERIALIZED VIEW". */
function objectWords(objtype: unknown, fallback: string): string {
  return typeof objtype === 'string' && objtype.startsWith('OBJECT_') ? objtype.slice('OBJECT_'.length).replace(/_/g, ' ') : fallback;
}

/** "CreateExtensionStmt" → "CREATE EXTENSION": the tag psql would print, near enough. */
function tagFromNodeName(name: string): string {
  return name
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

const TRANSACTION_TAGS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

interface Judgement {
  command: string;
  kind: StatementKind;
  risks: Risk[];
  /** Whether the statement can return rows (read through a cursor, bounded). */
  returnsRows: boolean;
}

/** The heart of the guard: command tag, kind and risks of one parsed statement. */
export function judge(stmt: Node): Judgement {
  const [type, raw] = Object.entries(stmt)[0] ?? ['Unknown', {}];
  const node: Node = isNode(raw) ? raw : {};
  const writesInside = containsKey(node, WRITING_NODES);
  switch (type) {
    case 'SelectStmt': {
      if (node.intoClause) return { command: 'SELECT INTO', kind: 'write', risks: [], returnsRows: false };
      return { command: 'SELECT', kind: writesInside || callsSideEffect(node) ? 'write' : 'read', risks: [], returnsRows: true };
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const command = type.replace('Stmt', '').toUpperCase();
      const risks: Risk[] = (type === 'UpdateStmt' || type === 'DeleteStmt') && !node.whereClause ? ['no-where'] : [];
      return { command, kind: 'write', risks, returnsRows: Boolean(node.returningClause ?? node.returningList) };
    }
    case 'ExplainStmt': {
      const inner = isNode(node.query) ? judge(node.query) : null;
      // EXPLAIN ANALYZE really executes the statement: it is as dangerous as what it explains.
      if (inner && optionOn(node.options, 'analyze') && inner.kind !== 'read') return { ...inner, command: 'EXPLAIN', returnsRows: true };
      return { command: 'EXPLAIN', kind: 'read', risks: [], returnsRows: true };
    }
    case 'TransactionStmt':
      return { command: TRANSACTION_TAGS[String(node.kind)] ?? 'TRANSACTION', kind: 'transaction', risks: [], returnsRows: false };
    case 'TruncateStmt':
      return { command: 'TRUNCATE', kind: 'write', risks: ['truncate', 'strong-lock'], returnsRows: false };
    case 'DropStmt':
      return { command: `DROP ${objectWords(node.removeType, 'OBJECT')}`, kind: 'ddl', risks: ['drop'], returnsRows: false };
    case 'DropdbStmt':
      return { command: 'DROP DATABASE', kind: 'ddl', risks: ['drop'], returnsRows: false };
    case 'DropRoleStmt':
    case 'DropTableSpaceStmt':
    case 'DropOwnedStmt':
    case 'DropSubscriptionStmt':
    case 'DropUserMappingStmt':
      return { command: tagFromNodeName(type), kind: 'ddl', risks: ['drop'], returnsRows: false };
    case 'AlterTableStmt': {
      const cmds = Array.isArray(node.cmds) ? node.cmds : [];
      const drops = cmds.some((c) => isNode(c) && isNode(c.AlterTableCmd) && /^AT_Drop/.test(String(c.AlterTableCmd.subtype)));
      return { command: `ALTER ${objectWords(node.objtype, 'TABLE')}`, kind: 'ddl', risks: drops ? ['drop', 'strong-lock'] : ['strong-lock'], returnsRows: false };
    }
    case 'IndexStmt':
      return { command: 'CREATE INDEX', kind: 'ddl', risks: node.concurrent ? [] : ['strong-lock'], returnsRows: false };
    case 'VacuumStmt': {
      const command = node.is_vacuumcmd ? 'VACUUM' : 'ANALYZE';
      return { command, kind: 'utility', risks: node.is_vacuumcmd && optionOn(node.options, 'full') ? ['strong-lock'] : [], returnsRows: false };
    }
    case 'ClusterStmt':
      return { command: 'CLUSTER', kind: 'utility', risks: ['strong-lock'], returnsRows: false };
    case 'ReindexStmt':
      return { command: 'REINDEX', kind: 'utility', risks: optionOn(node.params, 'concurrently') ? [] : ['strong-lock'], returnsRows: false };
    case 'LockStmt':
      // mode 8 is AccessExclusiveLock, also what a bare `LOCK t` takes.
      return { command: 'LOCK TABLE', kind: 'utility', risks: node.mode === 8 || node.mode === undefined ? ['strong-lock'] : [], returnsRows: false };
    case 'RefreshMatViewStmt':
      return { command: 'REFRESH MATERIALIZED VIEW', kind: 'write', risks: node.concurrent ? [] : ['strong-lock'], returnsRows: false };
    case 'CreateTableAsStmt':
      return { command: `CREATE ${objectWords(node.objtype, 'TABLE')} AS`.replace('MATERIALIZED VIEW AS', 'MATERIALIZED VIEW'), kind: 'ddl', risks: [], returnsRows: false };
    case 'CreateStmt':
      return { command: 'CREATE TABLE', kind: 'ddl', risks: [], returnsRows: false };
    case 'ViewStmt':
      return { command: 'CREATE VIEW', kind: 'ddl', risks: [], returnsRows: false };
    case 'RenameStmt':
      return { command: `ALTER ${objectWords(node.renameType, 'OBJECT')}`, kind: 'ddl', risks: ['strong-lock'], returnsRows: false };
    case 'GrantStmt':
      return { command: node.is_grant ? 'GRANT' : 'REVOKE', kind: 'ddl', risks: [], returnsRows: false };
    case 'GrantRoleStmt':
      return { command: node.is_grant ? 'GRANT ROLE' : 'REVOKE ROLE', kind: 'ddl', risks: [], returnsRows: false };
    case 'CopyStmt':
      return { command: 'COPY', kind: node.is_from ? 'write' : 'read', risks: [], returnsRows: false };
    // Anything may happen inside a DO block or a procedure: treat it as a write.
    case 'DoStmt':
      return { command: 'DO', kind: 'write', risks: [], returnsRows: false };
    case 'CallStmt':
      return { command: 'CALL', kind: 'write', risks: [], returnsRows: true };
    case 'VariableSetStmt':
      return { command: node.kind === 'VAR_RESET' || node.kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET', kind: 'utility', risks: [], returnsRows: false };
    case 'VariableShowStmt':
      return { command: 'SHOW', kind: 'read', risks: [], returnsRows: true };
    case 'DeclareCursorStmt':
      return { command: 'DECLARE CURSOR', kind: writesInside ? 'write' : 'utility', risks: [], returnsRows: false };
    case 'FetchStmt':
      return { command: node.ismove ? 'MOVE' : 'FETCH', kind: 'utility', risks: [], returnsRows: !node.ismove };
    case 'ExecuteStmt':
      // A prepared statement's text is not visible here: assume it may write.
      return { command: 'EXECUTE', kind: 'write', risks: [], returnsRows: true };
    default: {
      const command = tagFromNodeName(type);
      const ddl = /^(CREATE|ALTER|DROP|COMMENT|SECURITY LABEL|IMPORT|REASSIGN)/.test(command);
      return { command, kind: ddl ? 'ddl' : 'utility', risks: [], returnsRows: false };
    }
  }
}

export interface PlannedStatement extends StatementPlan {
  returnsRows: boolean;
  /** Why this statement would turn the session read-write (refused on read-only profiles). */
  readOnlyEscape: string | null;
}

/** Byte offsets (what libpg_query reports) → string offsets. */
function byteToCharOffsets(sql: string): (byteOffset: number) => number {
  const bytes = Buffer.from(sql, 'utf8');
  if (bytes.length === sql.length) return (b) => b;
  return (b) => bytes.subarray(0, b).toString('utf8').length;
}

/** Splits and judges a script. Throws INVALID_INPUT with the error position on a syntax error. */
export async function planScript(sql: string): Promise<PlannedStatement[]> {
  await loadParser();
  return planScriptSync(sql);
}

export function planScriptSync(sql: string): PlannedStatement[] {
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
    const judgement = judge(stmt);
    plans.push({
      index: plans.length,
      sql: text,
      offset: start + lead,
      command: judgement.command,
      kind: judgement.kind,
      risks: judgement.risks,
      returnsRows: judgement.returnsRows,
      readOnlyEscape: readOnlyEscape(stmt),
    });
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

const RISK_WORDS: Record<string, string> = {
  'no-where': 'without WHERE',
  truncate: 'empties the table',
  drop: 'drops an object',
};

/** "DELETE without WHERE" — the words used in the block message and the audit summary. */
export function describeBlock(plan: StatementPlan): string | null {
  const blocking = plan.risks.filter((r) => BLOCKING_RISKS.has(r));
  if (blocking.length === 0) return null;
  if (blocking.includes('no-where')) return `${plan.command} ${RISK_WORDS['no-where']}`;
  return plan.command;
}

export interface ScriptPlan {
  statements: StatementPlan[];
  needsConfirmation: boolean;
  blocked: Array<{ index: number; reason: string }>;
}

/** The contract's planQuery answer. `production` decides whether changes need the name typed. */
export function summarizePlan(plans: PlannedStatement[], production: boolean): ScriptPlan {
  const statements: StatementPlan[] = plans.map(({ returnsRows: _rows, readOnlyEscape: _escape, ...plan }) => plan);
  const blocked = statements.flatMap((s) => {
    const reason = describeBlock(s);
    return reason === null ? [] : [{ index: s.index, reason }];
  });
  return { statements, needsConfirmation: production && statements.some(changesServer), blocked };
}
