// The structural half of the guard: what one parsed statement is (command tag, kind, risks)
// read from the parse tree of libpg-query, recursing into every statement a statement
// carries (EXPLAIN ANALYZE, COPY (…), PREPARE, DECLARE, CTEs). Which functions may act
// outside the transaction is the catalog's half (catalog-effects.ts): it can only turn a
// read into a write, never the reverse.
import type { StatementKind } from '../../../../contract/models';
import { isNode, type Node } from './effects';

export type Risk = 'no-where' | 'truncate' | 'drop' | 'strong-lock' | 'server-program' | 'server-file';

export interface Judgement {
  command: string;
  kind: StatementKind;
  risks: Risk[];
  /** Whether the statement can return rows (read through a cursor, bounded). */
  returnsRows: boolean;
  /** Why the catalog says it may act outside the transaction ("calls volatile function …"). */
  effects: string[];
}

/**
 * What earlier statements left on the session: prepared statements and open cursors, each
 * with the judgement of the statement it runs. EXECUTE and FETCH are judged by them; a name
 * the console never saw prepared or declared is judged a possible write.
 */
export interface SessionNames {
  prepared: Map<string, Judgement>;
  cursors: Map<string, Judgement>;
}

export function emptyNames(): SessionNames {
  return { prepared: new Map(), cursors: new Map() };
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

/** UPDATE or DELETE without WHERE anywhere in the tree (a CTE, a COPY (…), a PREPARE). */
function hasUnfilteredChange(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUnfilteredChange);
  if (!isNode(value)) return false;
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'UpdateStmt' || key === 'DeleteStmt') && isNode(child) && !child.whereClause) return true;
    if (typeof child === 'object' && child !== null && hasUnfilteredChange(child)) return true;
  }
  return false;
}

const WRITING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'intoClause', 'lockingClause']);

/** A DefElem option list entry, with its boolean value (`(full false)` turns it off). */
export function optionOn(options: unknown, name: string): boolean {
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

function plain(command: string, kind: StatementKind, risks: Risk[] = [], returnsRows = false): Judgement {
  return { command, kind, risks, returnsRows, effects: [] };
}

/** The judgement of a statement another one runs, under the outer command's name. */
function carried(inner: Judgement, command: string, returnsRows: boolean): Judgement {
  return { ...inner, command, returnsRows, risks: [...inner.risks], effects: [...inner.effects] };
}

/** A name the console did not see prepared or declared: anything may be behind it. */
function unseen(command: string, returnsRows: boolean): Judgement {
  return { command, kind: 'write', risks: [], returnsRows, effects: [] };
}

function copyJudgement(node: Node, names: SessionNames): Judgement {
  const risks: Risk[] = [];
  // COPY … PROGRAM runs a shell command, COPY … 'file' reads or writes a file: both as the
  // server's operating-system user, outside any transaction. A write whichever direction.
  if (node.is_program) risks.push('server-program');
  else if (typeof node.filename === 'string' && node.filename !== '') risks.push('server-file');
  const command = node.is_program ? 'COPY PROGRAM' : risks.length > 0 ? 'COPY FILE' : 'COPY';
  if (isNode(node.query)) {
    const inner = judge(node.query, names);
    return { ...inner, command, kind: risks.length > 0 ? 'write' : inner.kind, risks: [...inner.risks, ...risks], returnsRows: false };
  }
  return plain(command, node.is_from || risks.length > 0 ? 'write' : 'read', risks);
}

/** The heart of the guard: command tag, kind and risks of one parsed statement. */
export function judge(stmt: Node, names: SessionNames = emptyNames()): Judgement {
  const [type, raw] = Object.entries(stmt)[0] ?? ['Unknown', {}];
  const node: Node = isNode(raw) ? raw : {};
  const writesInside = containsKey(node, WRITING_NODES);
  const nestedNoWhere: Risk[] = hasUnfilteredChange(stmt) ? ['no-where'] : [];
  switch (type) {
    case 'SelectStmt': {
      if (node.intoClause) return plain('SELECT INTO', 'write');
      return plain('SELECT', writesInside ? 'write' : 'read', nestedNoWhere, true);
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const command = type.replace('Stmt', '').toUpperCase();
      return plain(command, 'write', nestedNoWhere, Boolean(node.returningClause ?? node.returningList));
    }
    case 'ExplainStmt': {
      const inner = isNode(node.query) ? judge(node.query, names) : null;
      // EXPLAIN ANALYZE really executes the statement: it is as dangerous as what it explains.
      if (inner && optionOn(node.options, 'analyze')) return carried(inner, 'EXPLAIN', true);
      return plain('EXPLAIN', 'read', [], true);
    }
    case 'CopyStmt':
      return copyJudgement(node, names);
    case 'PrepareStmt': {
      // Judged as what it prepares: the name only defers the execution to EXECUTE.
      const inner = isNode(node.query) ? judge(node.query, names) : unseen('PREPARE', false);
      return inner.kind === 'read' ? { ...plain('PREPARE', 'utility'), effects: [...inner.effects] } : carried(inner, 'PREPARE', false);
    }
    case 'ExecuteStmt': {
      const known = names.prepared.get(String(node.name ?? ''));
      return known ? carried(known, 'EXECUTE', true) : unseen('EXECUTE', true);
    }
    case 'DeclareCursorStmt': {
      // The cursor's query runs as it is fetched: judge it now, and FETCH by it.
      const inner = isNode(node.query) ? judge(node.query, names) : unseen('DECLARE CURSOR', false);
      return inner.kind === 'read' ? { ...plain('DECLARE CURSOR', 'utility'), effects: [...inner.effects] } : carried(inner, 'DECLARE CURSOR', false);
    }
    case 'FetchStmt': {
      const command = node.ismove ? 'MOVE' : 'FETCH';
      const known = names.cursors.get(String(node.portalname ?? ''));
      if (!known) return unseen(command, !node.ismove);
      return known.kind === 'read' ? plain(command, 'utility', [], !node.ismove) : carried(known, command, !node.ismove);
    }
    case 'TransactionStmt':
      return plain(TRANSACTION_TAGS[String(node.kind)] ?? 'TRANSACTION', 'transaction');
    case 'TruncateStmt':
      return plain('TRUNCATE', 'write', ['truncate', 'strong-lock']);
    case 'DropStmt':
      return plain(`DROP ${objectWords(node.removeType, 'OBJECT')}`, 'ddl', ['drop']);
    case 'DropdbStmt':
      return plain('DROP DATABASE', 'ddl', ['drop']);
    case 'DropRoleStmt':
    case 'DropTableSpaceStmt':
    case 'DropOwnedStmt':
    case 'DropSubscriptionStmt':
    case 'DropUserMappingStmt':
      return plain(tagFromNodeName(type), 'ddl', ['drop']);
    case 'AlterTableStmt': {
      const cmds = Array.isArray(node.cmds) ? node.cmds : [];
      const drops = cmds.some((c) => isNode(c) && isNode(c.AlterTableCmd) && /^AT_Drop/.test(String(c.AlterTableCmd.subtype)));
      return plain(`ALTER ${objectWords(node.objtype, 'TABLE')}`, 'ddl', drops ? ['drop', 'strong-lock'] : ['strong-lock']);
    }
    case 'IndexStmt':
      return plain('CREATE INDEX', 'ddl', node.concurrent ? [] : ['strong-lock']);
    case 'VacuumStmt': {
      const command = node.is_vacuumcmd ? 'VACUUM' : 'ANALYZE';
      return plain(command, 'utility', node.is_vacuumcmd && optionOn(node.options, 'full') ? ['strong-lock'] : []);
    }
    case 'CheckPointStmt':
      return plain('CHECKPOINT', 'utility');
    case 'ClusterStmt':
      return plain('CLUSTER', 'utility', ['strong-lock']);
    case 'ReindexStmt':
      return plain('REINDEX', 'utility', optionOn(node.params, 'concurrently') ? [] : ['strong-lock']);
    case 'LockStmt':
      // mode 8 is AccessExclusiveLock, also what a bare `LOCK t` takes.
      return plain('LOCK TABLE', 'utility', node.mode === 8 || node.mode === undefined ? ['strong-lock'] : []);
    case 'RefreshMatViewStmt':
      return plain('REFRESH MATERIALIZED VIEW', 'write', node.concurrent ? [] : ['strong-lock']);
    case 'CreateTableAsStmt':
      return plain(`CREATE ${objectWords(node.objtype, 'TABLE')} AS`.replace('MATERIALIZED VIEW AS', 'MATERIALIZED VIEW'), 'ddl');
    case 'CreateStmt':
      return plain('CREATE TABLE', 'ddl');
    case 'ViewStmt':
      return plain('CREATE VIEW', 'ddl');
    case 'RenameStmt':
      return plain(`ALTER ${objectWords(node.renameType, 'OBJECT')}`, 'ddl', ['strong-lock']);
    case 'GrantStmt':
      return plain(node.is_grant ? 'GRANT' : 'REVOKE', 'ddl');
    case 'GrantRoleStmt':
      return plain(node.is_grant ? 'GRANT ROLE' : 'REVOKE ROLE', 'ddl');
    // Anything may happen inside a DO block or a procedure: treat it as a write.
    case 'DoStmt':
      return plain('DO', 'write');
    case 'CallStmt':
      return plain('CALL', 'write', [], true);
    case 'VariableSetStmt':
      return plain(node.kind === 'VAR_RESET' || node.kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET', 'utility');
    case 'VariableShowStmt':
      return plain('SHOW', 'read', [], true);
    default: {
      const command = tagFromNodeName(type);
      const ddl = /^(CREATE|ALTER|DROP|COMMENT|SECURITY LABEL|IMPORT|REASSIGN)/.test(command);
      return plain(command, ddl ? 'ddl' : 'utility');
    }
  }
}

/**
 * What running this statement leaves on the session's names (applied in order while a
 * script is planned, and to the session after it ran).
 */
export function applyNames(stmt: Node, judgement: Judgement, names: SessionNames): void {
  const [type, raw] = Object.entries(stmt)[0] ?? ['Unknown', {}];
  const node: Node = isNode(raw) ? raw : {};
  // A PREPARE / DECLARE of a read is judged a session utility; what EXECUTE / FETCH runs is the read.
  const ran: Judgement = { ...judgement, kind: judgement.kind === 'utility' ? 'read' : judgement.kind };
  if (type === 'PrepareStmt' && typeof node.name === 'string') names.prepared.set(node.name, { ...ran, command: 'EXECUTE' });
  else if (type === 'DeallocateStmt') {
    if (typeof node.name === 'string' && node.name !== '') names.prepared.delete(node.name);
    else names.prepared.clear();
  } else if (type === 'DeclareCursorStmt' && typeof node.portalname === 'string') names.cursors.set(node.portalname, ran);
  else if (type === 'ClosePortalStmt') {
    if (typeof node.portalname === 'string' && node.portalname !== '') names.cursors.delete(node.portalname);
    else names.cursors.clear();
  } else if (type === 'DiscardStmt') {
    names.prepared.clear();
    names.cursors.clear();
  }
}
