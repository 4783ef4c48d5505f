// What a statement does beyond its command tag, read from the parse tree of libpg-query
// (classify.ts), never from the SQL text: the ways a session could leave read-only mode,
// the settings the parser's reading depends on (pinned), and the functions, operators,
// relations and types it names, which catalog-effects.ts looks up in the server's catalog.

export type Node = Record<string, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** set_config() on one of `settings`, or on a name we cannot read (not a literal). */
function setConfigOf(value: unknown, settings: ReadonlySet<string>): boolean {
  if (Array.isArray(value)) return value.some((item) => setConfigOf(item, settings));
  if (!isNode(value)) return false;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'FuncCall' && isNode(child) && Array.isArray(child.funcname)) {
      const last = child.funcname[child.funcname.length - 1] as unknown;
      const name = isNode(last) && isNode(last.String) ? String(last.String.sval ?? '').toLowerCase() : '';
      if (name === 'set_config') {
        const first = Array.isArray(child.args) ? (child.args[0] as unknown) : undefined;
        const literal = isNode(first) && isNode(first.A_Const) && isNode(first.A_Const.sval) ? String(first.A_Const.sval.sval ?? '').toLowerCase() : null;
        if (literal === null || settings.has(literal)) return true;
      }
    }
    if (typeof child === 'object' && child !== null && setConfigOf(child, settings)) return true;
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
  if (setConfigOf(node, READ_ONLY_SETTINGS)) return 'set_config() would turn read-only mode off';
  return null;
}

/**
 * Settings that decide how the server reads the text of a statement. The parser reads
 * strings as standard_conforming_strings = on does, in UTF-8; if a session changed either,
 * the server could see a statement other than the one judged (`'x\''` is one string to
 * one reading and a string plus more SQL to the other). The console pins both and refuses
 * every statement that would change them, on every profile.
 */
const PINNED_SETTINGS = new Set(['standard_conforming_strings', 'client_encoding', 'names']);

export function pinnedSettingChange(stmt: Node): string | null {
  const [type, raw] = Object.entries(stmt)[0] ?? ['Unknown', {}];
  const node: Node = isNode(raw) ? raw : {};
  if (type === 'VariableSetStmt') {
    const name = String(node.name ?? '').toLowerCase();
    if (PINNED_SETTINGS.has(name)) return `${name} is pinned by the console (the guard reads statements as the server does only with it unchanged)`;
  }
  if (setConfigOf(node, PINNED_SETTINGS))
    return 'set_config() of a pinned setting (or of a name that is not a literal) could change how the server reads statements';
  return null;
}

/** A qualified name from the parse tree: [schema, name] or [null, name]. */
export interface NameRef {
  schema: string | null;
  name: string;
}

/** The functions, operators, relations and types a statement names (for the catalog). */
export interface EffectRefs {
  functions: NameRef[];
  operators: NameRef[];
  relations: NameRef[];
  types: NameRef[];
}

function nameList(list: unknown): NameRef | null {
  if (!Array.isArray(list) || list.length === 0) return null;
  const parts = list.map((item: unknown) => (isNode(item) && isNode(item.String) ? String(item.String.sval ?? '') : ''));
  const name = parts[parts.length - 1] ?? '';
  if (name === '') return null;
  // pg_catalog.x, or db.schema.x: the schema is the part before the name.
  return { schema: parts.length >= 2 ? (parts[parts.length - 2] ?? null) : null, name };
}

function pushUnique(list: NameRef[], ref: NameRef | null): void {
  if (ref && !list.some((r) => r.schema === ref.schema && r.name === ref.name)) list.push(ref);
}

/** Every FuncCall, operator (A_Expr), RangeVar and TypeName under `value`. */
export function collectRefs(value: unknown, refs: EffectRefs = { functions: [], operators: [], relations: [], types: [] }): EffectRefs {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, refs);
    return refs;
  }
  if (!isNode(value)) return refs;
  for (const [key, child] of Object.entries(value)) {
    if (isNode(child)) {
      if (key === 'FuncCall') pushUnique(refs.functions, nameList(child.funcname));
      else if (key === 'A_Expr') pushUnique(refs.operators, nameList(child.name));
      else if (key === 'RangeVar' && typeof child.relname === 'string')
        pushUnique(refs.relations, { schema: typeof child.schemaname === 'string' ? child.schemaname : null, name: child.relname });
      else if (key === 'TypeName' || key === 'typeName') pushUnique(refs.types, nameList(child.names));
      // A statement's target table is a bare field, not a wrapped RangeVar node.
      else if (key === 'relation' && typeof child.relname === 'string')
        pushUnique(refs.relations, { schema: typeof child.schemaname === 'string' ? child.schemaname : null, name: child.relname });
    }
    if (typeof child === 'object' && child !== null) collectRefs(child, refs);
  }
  return refs;
}

export function hasRefs(refs: EffectRefs): boolean {
  return refs.functions.length + refs.operators.length + refs.relations.length + refs.types.length > 0;
}
