// What a statement does beyond its command tag: built-in functions that act on the server
// or on other sessions, and the ways a session could leave read-only mode. Both read the
// parse tree from libpg-query (classify.ts), never the SQL text.

export type Node = Record<string, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Built-in functions a SELECT can call that change the server or other sessions: ending
 * backends, advancing sequences, reloading configuration, resetting statistics, slots and
 * WAL. A read-only transaction stops some of them but not all (pg_terminate_backend runs
 * in one), so such a SELECT is judged a write: production asks for the typed name and an
 * export refuses it. A user's own function that writes is left to the server.
 */
const SIDE_EFFECT_FUNCTIONS = new Set([
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_promote',
  'pg_wal_replay_pause',
  'pg_wal_replay_resume',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot',
  'pg_drop_replication_slot',
  'pg_logical_emit_message',
  'pg_stat_reset',
  'pg_stat_reset_shared',
  'pg_stat_reset_single_table_counters',
  'pg_stat_reset_single_function_counters',
  'pg_stat_reset_slru',
  'pg_stat_reset_replication_slot',
  'pg_stat_statements_reset',
  'nextval',
  'setval',
  'lo_unlink',
  'lo_import',
  'lo_export',
  'dblink_exec',
  'pg_file_write',
  'pg_file_unlink',
  'pg_file_rename',
]);

/** True when a FuncCall under `value` names one of SIDE_EFFECT_FUNCTIONS (schema-qualified or not). */
export function callsSideEffect(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(callsSideEffect);
  if (!isNode(value)) return false;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'FuncCall' && isNode(child) && Array.isArray(child.funcname)) {
      const last = child.funcname[child.funcname.length - 1] as unknown;
      const name = isNode(last) && isNode(last.String) ? String(last.String.sval ?? '').toLowerCase() : '';
      if (SIDE_EFFECT_FUNCTIONS.has(name)) return true;
    }
    if (typeof child === 'object' && child !== null && callsSideEffect(child)) return true;
  }
  return false;
}

/** The settings that make a session or transaction read-only. */
const READ_ONLY_SETTINGS = new Set(['default_transaction_read_only', 'transaction_read_only']);

/** A DefElem list asks for READ WRITE (`transaction_read_only` = 0). */
function asksReadWrite(options: unknown): boolean {
  if (!Array.isArray(options)) return false;
  return options.some((item) => {
    const def = isNode(item) && isNode(item.DefElem) ? item.DefElem : null;
    if (!def || def.defname !== 'transaction_read_only') return false;
    const arg = isNode(def.arg) && isNode(def.arg.A_Const) ? def.arg.A_Const : null;
    const ival = arg && isNode(arg.ival) ? arg.ival.ival : undefined;
    return ival !== 1;
  });
}

/** set_config() on a read-only setting, or on a name we cannot read (not a literal). */
function setsReadOnlySetting(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(setsReadOnlySetting);
  if (!isNode(value)) return false;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'FuncCall' && isNode(child) && Array.isArray(child.funcname)) {
      const last = child.funcname[child.funcname.length - 1] as unknown;
      const name = isNode(last) && isNode(last.String) ? String(last.String.sval ?? '').toLowerCase() : '';
      if (name === 'set_config') {
        const first = Array.isArray(child.args) ? (child.args[0] as unknown) : undefined;
        const literal = isNode(first) && isNode(first.A_Const) && isNode(first.A_Const.sval) ? String(first.A_Const.sval.sval ?? '').toLowerCase() : null;
        if (literal === null || READ_ONLY_SETTINGS.has(literal)) return true;
      }
    }
    if (typeof child === 'object' && child !== null && setsReadOnlySetting(child)) return true;
  }
  return false;
}

/**
 * Why a statement would let a read-only profile write, or null. The profile's sessions start
 * with default_transaction_read_only = on, but a session may turn that off itself: SET,
 * set_config(), BEGIN / SET TRANSACTION / SET SESSION CHARACTERISTICS … READ WRITE. DO and
 * CALL run code that can do the same out of sight (a procedure may even COMMIT and start a
 * read-write transaction), so read-only profiles refuse them too.
 */
export function readOnlyEscape(stmt: Node): string | null {
  const [type, raw] = Object.entries(stmt)[0] ?? ['Unknown', {}];
  const node: Node = isNode(raw) ? raw : {};
  if (type === 'VariableSetStmt') {
    const name = String(node.name ?? '').toLowerCase();
    const resets = node.kind === 'VAR_RESET' || node.kind === 'VAR_RESET_ALL';
    if (READ_ONLY_SETTINGS.has(name) && !resets) return `SET ${name} would turn read-only mode off`;
    if (asksReadWrite(node.args)) return 'READ WRITE would turn read-only mode off';
  }
  if (type === 'TransactionStmt' && asksReadWrite(node.options)) return 'a READ WRITE transaction would turn read-only mode off';
  if (type === 'DoStmt') return 'a DO block can turn read-only mode off out of sight';
  if (type === 'CallStmt') return 'a procedure can turn read-only mode off and commit out of sight';
  if (setsReadOnlySetting(node)) return 'set_config() would turn read-only mode off';
  return null;
}
